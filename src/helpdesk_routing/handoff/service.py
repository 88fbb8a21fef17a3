"""The handoff service: the imperative shell around the pure state machine.

Each call reads the clock once, asks :func:`~helpdesk_routing.handoff.machine.step`
what happens, writes the transition to the ledger (compare and set), and only then
acts: a ticket is requested from the destination after the ledger records
``handing_off`` (so a crash or a lost answer leaves a trace, never a silent second
ticket), and the answer comes back as a :class:`Step` holding what to tell the visitor.
:meth:`Handoff.recover` follows the traces a dead process left.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast, get_args

from helpdesk_routing._input import as_model
from helpdesk_routing._process_bound import ProcessBound
from helpdesk_routing._storable import text_problem
from helpdesk_routing._time import require_aware
from helpdesk_routing.conditions.context import profile_of
from helpdesk_routing.errors import ArgumentTypeError, ConflictError, ValidationError
from helpdesk_routing.events import (
    DEFAULT_NAMES,
    ConversationEscalated,
    EscalationReason,
    EventNames,
    check_names,
    record,
)
from helpdesk_routing.handoff.builtin import (
    BuiltinHelpdesk,
    RouterLike,
    RoutingPartFailed,
    Schedule,
)
from helpdesk_routing.handoff.conversation import Conversation, is_valid_email
from helpdesk_routing.handoff.destination import (
    Delivery,
    DeliveryRequest,
    Destination,
    checked_delivery,
    checked_found,
    continue_on,
)
from helpdesk_routing.handoff.errors import (
    DeliveryError,
    InvalidTransition,
    OtherDestination,
    OutcomeUnknown,
    UnknownHandoff,
)
from helpdesk_routing.handoff.ledger import Ledger, check_key, check_limit
from helpdesk_routing.handoff.machine import (
    Confirm,
    Delivered,
    Effect,
    GiveEmail,
    Input,
    Interrupted,
    Lost,
    Reconciled,
    Rejected,
    Start,
    State,
    step,
)
from helpdesk_routing.handoff.messages import MessageKey, VisitorMessage
from helpdesk_routing.handoff.records import HandoffRecord, TransitionEntry, handoff_id
from helpdesk_routing.handoff.settings import SendMessage, SendToHelpdesk
from helpdesk_routing.ports import Clock, CustomerData, EventRecorder, require_clock, require_port

__all__ = ["Handoff", "Step"]

_log = logging.getLogger("helpdesk_routing.handoff")

_AFRESH = 5
"""How many times a call that lost the ledger's compare-and-set at its first write (a
racing call moved the handoff on meanwhile) reads it again and answers from what it
finds there (see :meth:`Handoff._afresh`)."""


class _Moved(Exception):
    """The first write of a step lost the ledger's compare-and-set: nothing of the step
    was written or sent, and the handoff is to be read again (``error``, the ledger's
    ``ConflictError``, once no attempt is left)."""

    def __init__(self, error: ConflictError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True, slots=True)
class Step:
    """The answer of every handoff call: the handoff's id and state, what to tell the
    visitor, and the ticket id once a destination holds it. ``new`` is ``False`` when a
    repeated request answered an existing handoff."""

    handoff_id: str
    state: State
    tell_visitor: tuple[VisitorMessage, ...]
    ticket_id: str | None = None
    new: bool = True

    @classmethod
    def of(cls, record: HandoffRecord, *, new: bool = True) -> Step:
        """The step a ledger record stands at."""
        return cls(record.id, record.state, record.tell_visitor, record.ticket_id, new)


class Handoff(ProcessBound):
    """Hands AI-agent conversations to a helpdesk, or shows a custom message.

    Every port is a keyword argument::

        h = Handoff(settings=SendToHelpdesk(helpdesk="builtin"), router=router,
                    ledger=InMemoryLedger(), customer_data=data, clock=clock,
                    office_hours=office_hours)

    - ``router`` (and ``office_hours``) serve the built-in helpdesk; ``destination``
      serves ``zendesk`` / ``gorgias`` (a connector) or replaces the built-in one.
    - ``customer_data`` records the Escalated event on the visitor's profile (by
      ``profile_id``, else by e-mail) once the conversation is handed off or the
      message shown; ``event_names`` renames the metric.

    Every part is checked when the service is made: one of the wrong kind (a ``str``
    for ``router``, ``office_hours``, ``destination`` or ``event_names``, a ``dict`` or a
    ``Store`` for ``customer_data``) is an
    :class:`~helpdesk_routing.errors.ArgumentTypeError` naming the argument, never an
    error in the middle of a handoff.
    """

    _elsewhere = (
        "make a Handoff in each process, over a ledger and a destination that process opens"
    )

    def __init__(
        self,
        *,
        settings: SendToHelpdesk | SendMessage,
        ledger: Ledger,
        clock: Clock,
        router: RouterLike | None = None,
        customer_data: EventRecorder | None = None,
        destination: Destination | None = None,
        office_hours: Schedule | None = None,
        event_names: EventNames = DEFAULT_NAMES,
    ) -> None:
        if not isinstance(settings, (SendToHelpdesk, SendMessage)):
            raise ArgumentTypeError(
                "settings must be SendToHelpdesk(...) or SendMessage(...), "
                f"got {type(settings).__name__}"
            )
        # checked again: one made unchecked (pydantic's own copy, model_construct) would
        # name a helpdesk no service is, in every record written
        settings = type(settings).model_validate(settings)
        require_port(ledger, "ledger", "create", "a Ledger")
        require_clock(clock, "clock", "a Clock")
        _check_parts(router, customer_data, destination, office_hours, event_names)
        self.settings = settings
        self._ledger = ledger
        self._clock = clock
        self._events = customer_data
        self._names = event_names
        self._destination: Destination | None = destination
        if destination is None and isinstance(settings, SendToHelpdesk):
            if settings.helpdesk != "builtin":
                raise ValidationError(
                    f"helpdesk {settings.helpdesk!r} needs a destination (connector)"
                )
            if router is None:
                raise ValidationError("the built-in helpdesk needs a router")
            self._destination = BuiltinHelpdesk(router, office_hours=office_hours)

    # -- the visitor's side -----------------------------------------------------------

    def request(
        self,
        conversation: Conversation | Mapping[str, Any],
        *,
        reason: EscalationReason = "other",
        tag: str | None = None,
    ) -> Step:
        """Escalate ``conversation``. A repeated request answers the existing handoff.

        ``conversation`` is a :class:`Conversation` or a mapping of its fields (validated:
        ``ValidationError`` with JSON paths). ``reason`` is one of
        ``events.EscalationReason`` and ``tag`` ``None`` or non-empty text every store can
        keep (``ValidationError`` naming them otherwise, before anything is written).
        """
        if type(conversation) is Conversation:
            # validated again (revalidate_instances): model_construct checks nothing
            conversation = Conversation.model_validate(conversation)
        else:
            conversation = as_model(Conversation, conversation, "conversation")
        if reason not in get_args(EscalationReason):
            raise ValidationError(
                f"reason must be one of {', '.join(get_args(EscalationReason))}, got {reason!r}"
            )
        _check_tag(tag)
        now = self._now()
        settings = self.settings
        fresh = HandoffRecord(
            id=handoff_id(conversation.id),
            conversation=conversation,
            destination=self._destination_name(),
            reason=reason,
            tag=tag,
            state=State.REQUESTED,
            created_at=now,
            updated_at=now,
            transitions=(
                TransitionEntry(
                    at=now, actor="ai_agent", source=None, target=State.REQUESTED, why=reason
                ),
            ),
        )
        stored, created = self._ledger.create(fresh)
        if not created:
            if stored.state in (State.MESSAGE_SHOWN, State.HANDED_OFF):
                # the event may have failed to record when it got there: recording is
                # idempotent (one per conversation), so record it again, at that time
                self._record_escalation(stored, stored.transitions[-1].at)
            return Step.of(stored, new=False)
        event = Start(settings.method, conversation.channel, conversation.identified)
        return self._advance(stored, event, now, "ai_agent", reason, call="request")

    def confirm(self, conversation_id: str, *, yes: bool) -> Step:
        """The webchat visitor's answer to "do you want a human?": ``yes`` is a bool
        (``ArgumentTypeError``, a ``ValidationError``, otherwise: the text "no" must never
        read as a yes)."""
        if not isinstance(yes, bool):
            raise ArgumentTypeError(f"yes must be a bool, got {yes!r}")
        why = "visitor said yes" if yes else "visitor said no"

        def confirmed() -> Step:
            current = self._for_conversation(conversation_id)
            event = Confirm(yes=yes, identified=current.conversation.identified)
            return self._advance(
                current, event, self._now(), "visitor", why, call="confirm", fresh=True
            )

        return self._afresh(confirmed)

    def provide_email(self, conversation_id: str, email: str) -> Step:
        """The visitor's e-mail address (text); a malformed one is asked for again."""
        if not isinstance(email, str):
            raise ArgumentTypeError(f"email must be text, got {email!r}")
        text = email.strip()
        valid = is_valid_email(text)
        why = "e-mail address given" if valid else "malformed e-mail address"
        event = GiveEmail(valid=valid)

        def given() -> Step:
            current = self._for_conversation(conversation_id)
            if valid and current.state is State.AWAITING_EMAIL:
                conversation = current.conversation.model_copy(update={"email": text})
                current = current.model_copy(update={"conversation": conversation})
            return self._advance(
                current, event, self._now(), "visitor", why, call="provide_email", fresh=True
            )

        return self._afresh(given)

    def reconcile(self, handoff_id: str) -> Step:
        """After ``outcome_unknown``: look the ticket up at the destination by the handoff's
        id; found -> ``handed_off``, not found -> sent again (it never arrived).

        Not found within the destination's ``longest_delivery`` of the lost answer (the
        Zendesk and Gorgias connectors have one), the handoff stays ``outcome_unknown``
        and its step is answered unchanged: the lost request may still be at work there,
        and sending again could make a second ticket (Gorgias has no idempotency key).
        Call again later, or let :meth:`recover` do it.

        :class:`~helpdesk_routing.handoff.errors.OtherDestination` when the handoff was
        sent to another destination than this service's (as :meth:`recover`, it is never
        looked up or sent elsewhere)."""
        key = check_key(handoff_id, "handoff_id")
        return self._afresh(lambda: self._reconciled(key))

    def _reconciled(self, handoff_id: str) -> Step:
        """:meth:`reconcile` of the handoff as stored now."""
        current = self._ledger.get(handoff_id)
        if current is None:
            raise UnknownHandoff(handoff_id)
        if current.state is not State.OUTCOME_UNKNOWN:
            raise _refused(current, "reconcile")
        ours = self._destination_name()
        if current.destination != ours:
            raise OtherDestination(current.id, current.destination, ours)
        if self._destination is None:  # not reached: only a ticket's handoff gets here
            raise _refused(current, "reconcile", "this service sends no ticket")
        now = self._now()
        longest = self._longest_delivery()
        if longest is not None and now - _since(current) <= longest:
            # The lost request may still be at work there: a look-up that finds nothing
            # now proves nothing, and a second request could make a second ticket.
            found = checked_found(self._destination.find(current.id), self._destination.name)
            if found is None:
                _log.info(
                    "handoff %s: no ticket found yet; the lost request may still be at work",
                    current.id,
                    extra={"handoff_id": current.id, "destination": ours},
                )
                return Step.of(current)
            current = current.model_copy(update={"ticket_id": found})
            why = f"found ticket {found}"
            event = Reconciled(found=True)
            return self._advance(current, event, now, "system", why, call="reconcile", fresh=True)
        return self._reconcile(current, now, fresh=True)

    @staticmethod
    def _afresh(call: Callable[[], Step]) -> Step:
        """``call()``, which reads the handoff and steps it; read again when its first
        write lost the ledger's compare-and-set (a racing call, in this process or
        another, moved the handoff on meanwhile: nothing of this one was written or
        sent), so the caller is answered from the state the handoff is in now, an
        ``InvalidTransition`` when it no longer takes the call, and never told of
        versions; the ledger's ``ConflictError`` after :data:`_AFRESH` losses in a row."""
        for _ in range(_AFRESH - 1):
            try:
                return call()
            except _Moved:
                continue
        try:
            return call()
        except _Moved as moved:
            raise moved.error from None

    def recover(self, older_than: timedelta, *, limit: int | None = None) -> list[Step]:
        """Move on the handoffs a dead process left behind; call it from a periodic job.

        Every handoff in ``requested``, ``handing_off`` or ``outcome_unknown`` (the states
        only the system leaves, :data:`~helpdesk_routing.handoff.ledger.STALLED_STATES`)
        not updated for longer than ``older_than`` by the clock, least recently updated
        first; with ``limit`` (an ``int`` of at least 1, else ``ValueError``) only the
        ``limit`` least recently updated ones, so a backlog is drained over several calls.
        Only the handoffs of this service's destination are taken (see below):

        - ``requested`` (the process died before the first transition) is advanced as
          :meth:`request` would have: asked to confirm, asked for an e-mail, sent, or
          the message shown;
        - ``handing_off`` (it died waiting for the destination's answer) becomes
          ``outcome_unknown`` (the ``Interrupted`` input: the answer was lost, so never a
          blind second request), then is reconciled at once;
        - ``outcome_unknown`` is reconciled: the ticket is looked up by the handoff's id;
          found -> ``handed_off``, not found -> sent again.

        A handoff whose ``destination`` is not this service's (the one :meth:`request`
        writes: the settings' ``helpdesk``, or ``message`` for :class:`SendMessage`) is
        never reconciled, sent or advanced, whatever its state, ``requested`` included
        (its record names its destination from the start): a ledger may be shared by
        services sending elsewhere, or the settings may have changed since the crash. It
        is left as it is for a service of its destination, is not counted against
        ``limit``, and is logged at WARNING on the ``helpdesk_routing.handoff`` logger,
        once per call that passes it over (fields ``handoff_id``, ``destination``,
        ``service_destination``).

        Each transition is recorded with actor ``system`` and a why naming the staleness.
        A handoff another worker moves meanwhile is skipped (the ledger's compare and
        set), so concurrent recovers send at most once; a destination that cannot be
        reached leaves the handoff in ``outcome_unknown`` (logged at WARNING with field
        ``handoff_id``, each call). One handoff's failure never stops the batch: any
        other error raised while moving it (a destination's or a ledger's) is logged at
        ERROR on the same logger, with the traceback and field ``handoff_id``. Either
        failure is recorded on the handoff (a transition to its own state, actor
        ``system``, its why naming the failure; the next one's entry replaces it), which
        makes it the most recently updated: later calls take the handoffs behind it
        first, and it is tried again once ``older_than`` has passed again.
        Answers the :class:`Step` of each handoff it moved (its ``tell_visitor`` is for the
        visitor's conversation).

        ``older_than`` must be positive and longer than a delivery can take: a handoff
        still being sent would otherwise be reconciled, and maybe sent, twice. When the
        destination has a ``longest_delivery`` (a ``timedelta``; the Zendesk and Gorgias
        connectors derive it from their ``RetryPolicy``) an ``older_than`` not longer
        than it is a ``ValidationError`` (a ``ValueError``) naming both; the built-in
        helpdesk has none.
        """
        if not isinstance(older_than, timedelta):
            raise ArgumentTypeError(f"older_than must be a timedelta, got {older_than!r}")
        if older_than <= timedelta(0):
            raise ValidationError(f"older_than must be positive, got {older_than}")
        check_limit(limit)
        self._check_longer_than_a_delivery(older_than)
        now = self._now()
        ours = self._destination_name()
        try:
            before = now - older_than
        except OverflowError:  # before the year 1: nothing was updated that long ago
            return []
        mine, others = self._stalled(before, limit, ours)
        for other in others:
            _log.warning(
                "handoff %s not recovered: its destination is %s, this service's is %s",
                other.id,
                other.destination,
                ours,
                extra={
                    "handoff_id": other.id,
                    "destination": other.destination,
                    "service_destination": ours,
                },
            )
        steps: list[Step] = []
        for stalled in mine:
            why = (
                f"stalled in {stalled.state.value} since {_since(stalled).isoformat()}"
                f" (longer than {older_than})"
            )
            moved = self._recover(stalled, now, why)
            if moved is not None:
                steps.append(moved)
        return steps

    def get(self, handoff_id: str) -> HandoffRecord:
        """The ledger record of a handoff (``UnknownHandoff`` if none)."""
        found = self._ledger.get(check_key(handoff_id, "handoff_id"))
        if found is None:
            raise UnknownHandoff(handoff_id)
        return found

    # -- the shell ----------------------------------------------------------------------

    def _longest_delivery(self) -> timedelta | None:
        """The destination's ``longest_delivery``, when it has one."""
        destination = self._destination
        longest = getattr(destination, "longest_delivery", None)
        if destination is None or longest is None:
            return None
        if not isinstance(longest, timedelta):
            raise ArgumentTypeError(
                f"{destination.name}'s longest_delivery must be a timedelta, got {longest!r}"
            )
        return longest

    def _check_longer_than_a_delivery(self, older_than: timedelta) -> None:
        longest = self._longest_delivery()
        if longest is None:
            return
        assert self._destination is not None
        destination = self._destination
        if older_than <= longest:
            raise ValidationError(
                f"older_than ({older_than}) must be longer than {destination.name}'s longest"
                f" delivery ({longest}): a handoff still being delivered would be"
                " reconciled, and maybe sent, twice"
            )

    def _destination_name(self) -> str:
        """The destination this service writes into its records and recovers."""
        settings = self.settings
        return "message" if isinstance(settings, SendMessage) else settings.helpdesk

    def _stalled(
        self, before: datetime, limit: int | None, ours: str
    ) -> tuple[list[HandoffRecord], list[HandoffRecord]]:
        """The stalled handoffs of destination ``ours`` (at most ``limit``, least recently
        updated first), and those of other destinations listed before the last of them.

        The other destinations' handoffs do not count against ``limit``: were they older
        than a batch, taking the ledger's first ``limit`` would starve this service, so
        the ledger is asked again for more (at least twice as many) until ``limit`` of
        ours are listed or the ledger has no more.
        """
        if limit is None:  # asked without the keyword: a Ledger written before ``limit``
            listed = self._ledger.stalled(before)
        else:
            asked = limit
            while True:
                listed = self._ledger.stalled(before, limit=asked)
                theirs = sum(1 for r in listed if r.destination != ours)
                if len(listed) - theirs >= limit or len(listed) < asked:
                    break
                asked = max(limit + theirs, 2 * asked)
        mine: list[HandoffRecord] = []
        others: list[HandoffRecord] = []
        for record_ in listed:
            if len(mine) == limit:
                break
            (mine if record_.destination == ours else others).append(record_)
        return mine, others

    def _recover(self, stalled: HandoffRecord, now: datetime, why: str) -> Step | None:
        """One stalled handoff moved on; ``None`` when another worker moved it first, the
        look-up failed (logged at WARNING), no destination is configured, or anything
        raised (logged at ERROR): it stays for the next call, and the other handoffs are
        still recovered."""
        moved: Step | None = None
        try:
            if stalled.state is State.REQUESTED:
                conversation = stalled.conversation
                event = Start(self.settings.method, conversation.channel, conversation.identified)
                return self._advance(stalled, event, now, "system", why, call="recover")
            if self._destination is None:  # a custom-message handoff cannot reach a ticket
                return None
            if stalled.state is State.HANDING_OFF:
                target, effect = step(stalled.state, Interrupted())
                tell = self._tell(effect, stalled)
                stalled = self._write(stalled, target, now, "system", why, tell)
                moved, why = Step.of(stalled), ""
            return self._reconcile(stalled, now, why)
        except ConflictError:  # another worker moved it on: its write stands
            return moved
        except DeliveryError as exc:  # the look-up failed: reconciled by a later call
            _log.warning(
                "handoff %s not recovered: the look-up at %s failed (%s); a recover tries "
                "again once older_than has passed again",
                stalled.id,
                stalled.destination,
                exc,
                extra={"handoff_id": stalled.id, "destination": stalled.destination},
            )
            self._tried(stalled, now, f"{why}: the look-up at {stalled.destination} failed")
            return moved
        except Exception as exc:  # anything else: logged, left for a later call
            _log.exception(
                "handoff %s not recovered: an unexpected error; a recover tries again once "
                "older_than has passed again",
                stalled.id,
                extra={"handoff_id": stalled.id, "destination": stalled.destination},
            )
            self._tried(stalled, now, f"{why}: an unexpected {type(exc).__name__}")
            return moved

    def _tried(self, current: HandoffRecord, now: datetime, why: str) -> None:
        """A recover's failed attempt at ``current`` recorded on it: a transition to its
        own state (actor ``system``), so it is the most recently updated and the next
        calls take the handoffs behind it first (with ``limit`` it headed every batch,
        and a look-up failing for it alone kept the newer ones stalled for good); it is
        tried again once ``older_than`` has passed again. Nothing when this call wrote
        it already or another worker moved it; a ledger refusing the write is logged."""
        if current.updated_at >= now:
            return
        kept = current.transitions
        if kept and kept[-1].source is current.state and kept[-1].target is current.state:
            # the last failed attempt's entry replaced, not added to: a look-up failing
            # for weeks grew the record by one entry each call, its whole body rewritten
            current = current.model_copy(update={"transitions": kept[:-1]})
        try:
            self._write(current, current.state, now, "system", why, current.tell_visitor)
        except ConflictError:
            pass
        except Exception:
            _log.exception(
                "handoff %s: its failed recover could not be recorded",
                current.id,
                extra={"handoff_id": current.id, "destination": current.destination},
            )

    def _reconcile(
        self, current: HandoffRecord, now: datetime, context: str = "", *, fresh: bool = False
    ) -> Step:
        assert self._destination is not None
        found = checked_found(self._destination.find(current.id), self._destination.name)
        why = f"found ticket {found}" if found is not None else "no ticket found"
        if context:
            why = f"{context}: {why}"
        if found is not None:
            current = current.model_copy(update={"ticket_id": found})
        event = Reconciled(found=found is not None)
        return self._advance(current, event, now, "system", why, call="reconcile", fresh=fresh)

    def _now(self) -> datetime:
        return require_aware(self._clock.now(), "clock.now()")

    def _for_conversation(self, conversation_id: str) -> HandoffRecord:
        found = self._ledger.for_conversation(check_key(conversation_id, "conversation_id"))
        if found is None:
            raise UnknownHandoff(conversation_id, by_conversation=True)
        return found

    def _write(
        self,
        current: HandoffRecord,
        target: State,
        now: datetime,
        actor: str,
        why: str,
        tell: tuple[VisitorMessage, ...],
        *,
        fresh: bool = False,
        **changes: Any,
    ) -> HandoffRecord:
        """The next version of ``current``, written compare-and-set. With ``fresh`` (a
        step's first write, nothing of it written or sent yet), a lost compare-and-set
        is :class:`_Moved`, for :meth:`_afresh` to read the handoff again."""
        entry = TransitionEntry(at=now, actor=actor, source=current.state, target=target, why=why)
        after = current.model_copy(
            update={
                "state": target,
                "version": current.version + 1,
                "updated_at": now,
                "tell_visitor": tell,
                "transitions": (*current.transitions, entry),
                **changes,
            }
        )
        try:
            self._ledger.replace(after)
        except ConflictError as exc:
            if fresh:
                raise _Moved(exc) from exc
            raise
        return after

    def _advance(
        self,
        current: HandoffRecord,
        event: Input,
        now: datetime,
        actor: str,
        why: str,
        *,
        call: str,
        fresh: bool = False,
    ) -> Step:
        """``event`` applied; a state that does not accept it is an ``InvalidTransition``
        naming ``call`` (the public call the caller made) and the conversation. With
        ``fresh``, the step's first write losing the ledger's compare-and-set is
        :class:`_Moved` (for :meth:`_afresh` to read the handoff again), not the ledger's
        ``ConflictError``."""
        try:
            target, effect = step(current.state, event)
        except InvalidTransition:
            raise _refused(current, call) from None
        ours = self._destination_name()
        if current.destination != ours:
            # A ledger shared with services of other destinations, or settings changed
            # since the request: moved on here, it would be sent here (a second ticket
            # after a lost answer) under a record naming the other one.
            raise OtherDestination(current.id, current.destination, ours, call)
        if effect is Effect.SEND:
            pending = (VisitorMessage.of(MessageKey.HANDOFF_PENDING),)
            attempts = current.attempts + 1
            sending = self._write(
                current, target, now, actor, why, pending, fresh=fresh, attempts=attempts
            )
            return Step.of(self._send(sending, now))
        tell = self._tell(effect, current)
        after = self._write(current, target, now, actor, why, tell, fresh=fresh)
        if target in (State.MESSAGE_SHOWN, State.HANDED_OFF):  # handed off: reconciled
            self._record_escalation(after, now)
        return Step.of(after)

    def _tell(self, effect: Effect, current: HandoffRecord) -> tuple[VisitorMessage, ...]:
        if effect is Effect.SHOW_MESSAGE:
            assert isinstance(self.settings, SendMessage)
            return (VisitorMessage.of(MessageKey.CUSTOM_MESSAGE, text=self.settings.text),)
        destination = self._destination
        if effect is Effect.TELL_HANDED_OFF and destination and destination.name != "builtin":
            # found by a look-up after a lost answer: say where it continues, as a
            # delivery does (the built-in helpdesk's answer is not known then)
            conversation = current.conversation
            return _followed(continue_on(conversation.channel), self._email_of(conversation))
        keys = {
            Effect.ASK_CONFIRMATION: MessageKey.CONFIRM_HANDOFF,
            Effect.ASK_EMAIL: MessageKey.ASK_EMAIL,
            Effect.ASK_EMAIL_AGAIN: MessageKey.EMAIL_INVALID,
            Effect.AI_AGENT_CONTINUES: MessageKey.AI_AGENT_CONTINUES,
            Effect.TELL_FAILED: MessageKey.HANDOFF_FAILED,
            Effect.TELL_PENDING: MessageKey.HANDOFF_PENDING,
            Effect.TELL_HANDED_OFF: MessageKey.HUMAN_WILL_FOLLOW,
        }
        return (VisitorMessage.of(keys[effect]),)

    def _email_of(self, conversation: Conversation) -> str | None:
        """The visitor's e-mail address: the conversation's, else the ``$email`` (or
        ``email``) property of their profile when the customer data can look it up, so
        that a visitor known by profile alone can be answered."""
        if conversation.email is not None or conversation.profile_id is None:
            return conversation.email
        lookup = getattr(self._events, "profile", None)
        if not callable(lookup):
            return None
        # held to the port's contract, as the Router holds it: a wrong answer is named
        # (a list of properties raised Python's AttributeError)
        profile = profile_of(cast(CustomerData, self._events), conversation.profile_id)
        properties = {} if profile is None else profile.properties
        for key in ("$email", "email"):
            value = properties.get(key)
            if isinstance(value, str) and is_valid_email(value.strip()):
                return value.strip()
        return None

    def _send(self, sending: HandoffRecord, now: datetime) -> HandoffRecord:
        """Deliver the handoff ``handing_off`` and record the answer. Whatever happens the
        ledger is left in a recorded state: an error the destination's contract does not
        name (a bug, a database's or a router's error) may come after the ticket was made,
        so it is recorded as a lost answer (``outcome_unknown``, for :meth:`reconcile` or
        :meth:`recover`, never a blind second request), and then raised."""
        assert self._destination is not None
        assert isinstance(self.settings, SendToHelpdesk)
        conversation = sending.conversation
        try:
            email = self._email_of(conversation)
        except Exception as exc:
            # Nothing was sent: the customer data failed first (down, or answering what
            # its contract does not allow). Recorded as a lost answer all the same, so a
            # later reconcile or recover sends it (the ledger must be left recorded),
            # saying what failed, and raised.
            said = f"{type(exc).__name__}: {_text_of(exc)}"
            why = _kept(f"the customer data failed before sending: {said}")
            self._failed(sending, Lost(), self._answered(now), why, _kept(said))
            raise
        try:
            request = DeliveryRequest(
                handoff_id=sending.id,
                conversation=conversation,
                email=email,
                reason=sending.reason,
                tag=sending.tag,
                subject=self.settings.subject,
                tags=self.settings.tags,
                at=now,
            )
            delivery = self._destination.deliver(request)
        except OutcomeUnknown as exc:
            target, effect = step(sending.state, Lost())
            now = self._answered(now)
            return self._write(
                sending, target, now, "system", _kept(str(exc)), self._tell(effect, sending)
            )
        except RoutingPartFailed as failed:  # the built-in helpdesk's Router, not the ticket
            cause = failed.error
            said = f"{type(cause).__name__}: {_text_of(cause)}"
            why = _kept(f"delivery raised {said}")
            self._failed(sending, Lost(), self._answered(now), why, _kept(said))
            raise cause from None
        except (DeliveryError, ValidationError) as exc:
            # refused: by the service, or (the built-in helpdesk) by the ticket's checks
            error = _kept(_text_of(exc))
            return self._failed(sending, Rejected(), self._answered(now), error, error)
        except Exception as exc:
            said = f"{type(exc).__name__}: {_text_of(exc)}"
            why = _kept(f"delivery raised {said}")
            self._failed(sending, Lost(), self._answered(now), why, _kept(said))
            raise
        # The answer's time: a lost one's window for reconcile and recover starts here,
        # not when the request was sent (a slow delivery took its time out of it).
        now = self._answered(now)
        try:  # the ticket may exist whatever the answer says: a bad answer is a lost one
            delivery = checked_delivery(delivery, self._destination.name)
        except ValidationError as exc:
            error = _kept(_text_of(exc))
            self._failed(sending, Lost(), now, error, error)
            raise
        target, _ = step(sending.state, Delivered())
        made = "found (already there)" if delivery.replayed else "created"
        after = self._write(
            sending,
            target,
            now,
            "system",
            f"ticket {delivery.ticket_id} {made} at {self._destination.name}",
            _delivered(delivery, email, builtin=self._destination.name == "builtin"),
            ticket_id=delivery.ticket_id,
        )
        self._record_escalation(after, now)
        return after

    def _answered(self, sent: datetime) -> datetime:
        """When the destination answered (or its answer was lost): the clock read again,
        never before ``sent`` (a clock set back) and ``sent`` if the clock fails now (the
        ledger must still be left in a recorded state)."""
        try:
            return max(sent, self._now())
        except Exception:  # the answer is recorded whatever the clock does
            _log.warning(
                "the clock failed after a delivery; its answer is recorded at %s",
                sent.isoformat(),
                exc_info=True,
            )
            return sent

    def _failed(
        self, sending: HandoffRecord, event: Rejected | Lost, now: datetime, why: str, error: str
    ) -> HandoffRecord:
        """Record ``sending``'s delivery as refused (``Rejected``: ``failed``) or its answer
        as lost (``Lost``: ``outcome_unknown``, the ticket may exist, for :meth:`reconcile`
        or :meth:`recover` to find), ``error`` in its detail."""
        target, effect = step(sending.state, event)
        return self._write(
            sending,
            target,
            now,
            "system",
            why,
            self._tell(effect, sending),
            detail={**sending.detail, "error": error},
        )

    def _record_escalation(self, record_: HandoffRecord, now: datetime) -> None:
        """Record the Escalated event of a handoff that reached ``handed_off`` or
        ``message_shown`` (at ``now``). The handoff is written already: an error of the
        customer data is logged at WARNING, never raised (the caller must still get its
        step, and what to tell the visitor), and the event is recorded by the next
        :meth:`request` of the conversation (idempotent: once per conversation)."""
        conversation = record_.conversation
        profile = conversation.profile_id or conversation.email
        if self._events is None or profile is None:
            return
        reason: Any = record_.reason
        event = ConversationEscalated(
            conversation_id=conversation.id,
            channel=conversation.channel,
            tag=record_.tag,
            reason=reason,
        )
        try:
            record(event, self._events, profile_id=profile, at=now, names=self._names)
        except Exception:  # the handoff stands; a repeated request records it
            _log.warning(
                "handoff %s: the ConversationEscalated event was not recorded; a repeated "
                "request of the conversation records it",
                record_.id,
                exc_info=True,
                extra={"handoff_id": record_.id},
            )


KEPT_ERROR = 2000
"""The most characters of an error the ledger keeps (in a transition's why and in
``detail["error"]``): a service may answer a refusal with megabytes of text."""


def _kept(text: str) -> str:
    """``text``, or as much of it as fits in :data:`KEPT_ERROR` characters with a tail
    saying it was cut and how long it was; a lone surrogate or a NUL in it (an
    exception's message from a destination you wrote) escaped, since some ledger could
    not write it (the SQL ledgers raised, leaving the handoff in ``handing_off``)."""
    if not text.isascii():
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if "\x00" in text:  # nor a NUL (PostgreSQL's jsonb holds none)
        text = text.replace("\x00", "\\x00")
    if len(text) <= KEPT_ERROR:
        return text
    # the tail inside the bound, as a ServiceRejected's message fits its details in it
    tail = f"... (cut: {len(text)} characters in all)"
    return text[: KEPT_ERROR - len(tail)] + tail


_WAITS_FOR = {
    State.REQUESTED: "it is being started",
    State.AWAITING_CONFIRMATION: "it waits for confirm",
    State.AWAITING_EMAIL: "it waits for provide_email",
    State.HANDING_OFF: "its ticket is being sent",
    State.OUTCOME_UNKNOWN: "it waits for reconcile",
}
"""What a handoff in each unfinished state waits for, to tell a refused call."""


def _refused(current: HandoffRecord, call: str, hint: str | None = None) -> InvalidTransition:
    """The error of a public ``call`` the handoff's state does not accept: it names the
    call and the conversation (not the state machine's input), and what the handoff waits
    for, or that it has ended."""
    return InvalidTransition(
        current.state.value,
        call,
        conversation_id=current.conversation.id,
        hint=hint or _WAITS_FOR.get(current.state, "it has ended"),
    )


def _since(record: HandoffRecord) -> datetime:
    """When ``record`` came into its state: its last transition from another state (a
    recover's failed attempts, transitions to the same state, move its ``updated_at``
    but not this), or its ``updated_at`` when its transitions do not say. The lost
    answer's time for :meth:`Handoff.reconcile`'s window, and the "since" of a
    recover's why."""
    for entry in reversed(record.transitions):
        if entry.target is record.state and entry.source is not record.state:
            return entry.at
    return record.updated_at


def _check_parts(
    router: object,
    customer_data: object,
    destination: object,
    office_hours: object,
    event_names: object,
) -> None:
    """The optional collaborators, each ``None`` (but ``event_names``) or of its kind:
    else ``ArgumentTypeError`` naming the argument when the service is made. Found at
    their first use, they failed mid-handoff, after the ledger said ``handing_off`` (a
    ticket maybe routed), or after it said ``handed_off``."""
    if router is not None:
        for member in ("route", "ticket"):
            require_port(router, "router", member, "a Router (or None)")
    if customer_data is not None:
        require_port(
            customer_data,
            "customer_data",
            "record_event",
            "a CustomerData (InMemoryCustomerData, SqliteCustomerData, ...) or None",
        )
    if destination is not None:
        for member in ("deliver", "find"):
            require_port(destination, "destination", member, "a Destination (a connector) or None")
        if not isinstance(getattr(destination, "name", None), str):
            raise ArgumentTypeError(
                "destination must be a Destination (a connector) or None, with a name"
                f" (text), got {type(destination).__name__}"
            )
        longest = getattr(destination, "longest_delivery", None)
        name: str = getattr(destination, "name")  # noqa: B009 - checked text above
        if longest is not None and not isinstance(longest, timedelta):
            # read at the first lost answer: every reconcile and recover would fail then
            raise ArgumentTypeError(
                f"{name}'s longest_delivery must be a timedelta or None, got {longest!r}"
            )
        if longest is not None and longest < timedelta(0):
            raise ValidationError(f"{name}'s longest_delivery must not be negative, got {longest}")
    if office_hours is not None:
        for member in ("is_open", "next_open"):
            require_port(office_hours, "office_hours", member, "OfficeHours (or None)")
    if not isinstance(event_names, EventNames):
        raise ArgumentTypeError(f"event_names must be EventNames, got {type(event_names).__name__}")
    check_names(event_names)


def _check_tag(tag: object) -> None:
    """``tag`` goes on the ticket and the Escalated event: ``None`` or non-empty text a
    store can keep (an empty tag was left off the ticket yet recorded on the event)."""
    if tag is None:
        return
    if not isinstance(tag, str) or not tag:
        raise ValidationError(f"tag must be None or non-empty text, got {tag!r}")
    problem = text_problem(tag)
    if problem is not None:
        raise ValidationError(f"tag: {problem}")


def _delivered(
    delivery: Delivery, email: str | None, *, builtin: bool
) -> tuple[VisitorMessage, ...]:
    if builtin and (delivery.replayed or delivery.agent_available is None):
        # found already stored: what became of it is not known, as when reconcile finds
        # it; or closed with no opening to name: a human will follow, on the ticket's
        # own channel (the conversation's: nothing to say of where)
        return (VisitorMessage.of(MessageKey.HUMAN_WILL_FOLLOW),)
    if delivery.agent_available is not None:  # the built-in helpdesk: same channel
        if delivery.agent_available:
            return (VisitorMessage.of(MessageKey.AGENT_WILL_CONTINUE_HERE),)
        if delivery.resumes_at is not None:
            return (VisitorMessage.of(MessageKey.NEXT_OPENING, at=delivery.resumes_at),)
        return (VisitorMessage.of(MessageKey.AGENTS_BUSY),)
    return _followed(delivery.continue_on, email)


def _followed(where: str, email: str | None) -> tuple[VisitorMessage, ...]:
    """A human will follow, and where: by SMS, or by e-mail at the visitor's address."""
    follow = VisitorMessage.of(MessageKey.HUMAN_WILL_FOLLOW)
    if where == "sms":
        return (follow, VisitorMessage.of(MessageKey.CONTINUE_BY_SMS))
    if where == "email" and email is not None:
        return (follow, VisitorMessage.of(MessageKey.CONTINUE_BY_EMAIL, email=email))
    return (follow,)


def _text_of(error: BaseException) -> str:
    """``str(error)``, or what can be said of an error whose ``str`` itself fails (an
    argument that cannot be written out): the handoff is recorded whatever it raised."""
    try:
        return str(error)
    except Exception:  # any failure of the error's own text
        return f"(its message could not be written out: {type(error).__name__})"
