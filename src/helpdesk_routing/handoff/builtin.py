"""The built-in helpdesk: the conversation becomes an inbound ticket through ``Router.route``.

Every routing rule applies. The ticket's id is the handoff id (so routing it again is
idempotent), its channel the conversation's, with the visitor's e-mail, the profile id,
the transcript (``fields["transcript"]``, one dict per message) and the conversation id.
A ticket already stored under that id for the same conversation (routed by another
service's handoff whose ledger is gone) is that conversation's ticket: delivered
``replayed``, as :meth:`BuiltinHelpdesk.find` finds it, never a ``ConflictError``,
whether its content is identical (requested again at the same instant) or not. It is
looked up before routing, since ``Router.route`` answers an identical ticket with its
stored decision as if it had just routed it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from helpdesk_routing._process_bound import ProcessBound
from helpdesk_routing.decision import RoutingDecision
from helpdesk_routing.errors import ConflictError, UnknownTicket, ValidationError
from helpdesk_routing.handoff.destination import Delivery, DeliveryRequest
from helpdesk_routing.handoff.errors import DeliveryError
from helpdesk_routing.handoff.records import handoff_id as handoff_id_of
from helpdesk_routing.model import Ticket
from helpdesk_routing.records import TicketRecord
from helpdesk_routing.stores._customer_args import stored_ticket

__all__ = ["BuiltinHelpdesk", "RouterLike", "RoutingPartFailed", "Schedule"]


class RoutingPartFailed(Exception):
    """Routing a handoff's ticket failed with a ``ValidationError`` that is not the
    ticket's (the ticket's own checks ran first): a part of the Router broke its
    contract (a custom allocator choosing nobody of the pool, customer data answering
    a wrong type). No refusal: the service records it as a lost answer, as any other
    error of a destination, and raises ``error`` itself (the handoff ended ``failed``,
    final, with nothing raised)."""

    def __init__(self, error: ValidationError) -> None:
        super().__init__(str(error))
        self.error = error


class RouterLike(Protocol):
    """What the built-in helpdesk needs of :class:`~helpdesk_routing.router.Router`."""

    def route(self, ticket: Ticket) -> RoutingDecision:
        """Route a new ticket."""
        ...

    def ticket(self, ticket_id: str) -> TicketRecord:
        """A stored ticket (``UnknownTicket`` if none)."""
        ...


class Schedule(Protocol):
    """What it needs of :class:`~helpdesk_routing.calendar.OfficeHours`."""

    def is_open(self, at: datetime) -> bool:
        """Whether the office is open."""
        ...

    def next_open(self, after: datetime) -> datetime | None:
        """The first open instant at or after ``after``."""
        ...


class BuiltinHelpdesk(ProcessBound):
    """The :class:`~helpdesk_routing.handoff.destination.Destination` of the built-in helpdesk.

    When nobody took the ticket at once and the office is closed, the visitor is told
    when help resumes: by the router's office hours as configured when the ticket is
    routed (``router.configuration.office_hours``, read each time, so a change another
    process makes is seen), or by ``office_hours`` when given (a schedule of its own).
    """

    _elsewhere = "make one in each process, over that process's Router"

    name = "builtin"

    def __init__(self, router: RouterLike, *, office_hours: Schedule | None = None) -> None:
        self._router = router
        self._office_hours = office_hours

    def deliver(self, request: DeliveryRequest) -> Delivery:
        """Route the conversation as a ticket; say whether an agent took it now."""
        conversation = request.conversation
        # The ticket's own checks, here: a ValidationError of theirs is a refusal (the
        # handoff ends failed); one the route raises after them is not the ticket's.
        ticket = Ticket(
            id=request.handoff_id,
            channel=conversation.channel,
            created_at=request.at,
            subject=request.subject,
            tags=request.tags | ({request.tag} if request.tag else set()),
            profile_id=conversation.profile_id,
            email=request.email,
            fields={
                "conversation_id": conversation.id,
                "handoff_reason": request.reason,
                "transcript": [m.model_dump(mode="json") for m in conversation.transcript],
            },
        )
        ticket = stored_ticket(ticket)
        # Routed before under this id (another worker's handoff of this conversation, its
        # ledger lost: a restart with an in-memory one)? Looked up first: Router.route
        # answers the same ticket routed again (identical content, as when the clock has
        # not moved) with the stored decision, just as it answers a ticket it has just
        # routed, so only the look-up tells a ticket found from one created.
        replay = self._replay(ticket.id, conversation.id, conversation.channel)
        if replay is not None:
            return replay
        try:
            decision = self._router.route(ticket)
        except ValidationError as error:
            raise RoutingPartFailed(error) from error
        except ConflictError:
            # Stored in the meantime with other content, by another worker.
            replay = self._replay(ticket.id, conversation.id, conversation.channel)
            if replay is None:
                raise
            return replay
        available = decision.assignee is not None
        resumes_at = None
        hours = self._office_hours
        if hours is None:
            configuration = getattr(self._router, "configuration", None)
            hours = getattr(configuration, "office_hours", None)
        closed = not available and hours is not None and not hours.is_open(request.at)
        if closed and hours is not None:
            resumes_at = hours.next_open(request.at)
        return Delivery(
            ticket_id=ticket.id,
            continue_on=conversation.channel,
            # closed with no opening to name (none within the calendar's horizon): the
            # team is not busy, and when it is back is not known; a human will follow
            agent_available=None if closed and resumes_at is None else available,
            resumes_at=resumes_at,
        )

    def _replay(self, ticket_id: str, conversation_id: str, channel: str) -> Delivery | None:
        """The delivery a ticket already stored under the handoff's id stands for, as
        :meth:`find` finds it (``replayed``; whether an agent took it at once is not
        known then); ``None`` when none is stored, and ``DeliveryError`` when the stored
        one is another conversation's."""
        try:
            stored = self._router.ticket(ticket_id)
        except UnknownTicket:
            return None
        theirs = stored.ticket.fields.get("conversation_id")
        if theirs != conversation_id:
            raise DeliveryError(
                self.name,
                f"ticket {ticket_id!r} is already stored for another conversation"
                f" ({theirs!r}, not {conversation_id!r})",
            )
        return Delivery(ticket_id=stored.id, continue_on=channel, replayed=True)

    def find(self, handoff_id: str) -> str | None:
        """The ticket's id when the router stored it for this handoff's conversation,
        else ``None``. One stored under the id for another conversation is not this
        handoff's ticket: not found, so the handoff is sent again, and the delivery ends
        it ``failed``, naming both (it was taken as found, and the visitor handed
        someone else's ticket)."""
        try:
            stored = self._router.ticket(handoff_id)
        except UnknownTicket:
            return None
        theirs = stored.ticket.fields.get("conversation_id")
        if not isinstance(theirs, str) or handoff_id_of(theirs) != handoff_id:
            return None
        return stored.id
