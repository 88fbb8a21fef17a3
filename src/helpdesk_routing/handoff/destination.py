"""Where a handoff's ticket goes: the port every destination implements.

The built-in helpdesk (:class:`~helpdesk_routing.handoff.builtin.BuiltinHelpdesk`) and
the connectors (``connectors.zendesk``, ``connectors.gorgias``) implement it without
inheriting.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal, Protocol

from helpdesk_routing._input import whole_number
from helpdesk_routing._storable import text_problem
from helpdesk_routing.errors import ValidationError
from helpdesk_routing.handoff.conversation import Conversation

__all__ = [
    "CONTINUATION",
    "ID_LENGTH",
    "Delivery",
    "DeliveryRequest",
    "Destination",
    "checked_delivery",
    "continue_on",
    "one_line",
    "ticket_id",
    "transcript_lines",
]


def continue_on(channel: str) -> str:
    """Where a visitor continues after an external handoff: SMS stays SMS, the rest e-mail."""
    return "sms" if channel == "sms" else "email"


@dataclass(frozen=True, slots=True)
class DeliveryRequest:
    """Everything a destination needs to create the ticket.

    ``handoff_id`` is stable; destinations use it as the idempotency key and
    ``external_id``. ``email`` is the visitor's address (given or from the conversation).
    """

    handoff_id: str
    conversation: Conversation
    email: str | None
    reason: str
    tag: str | None
    subject: str
    tags: frozenset[str]
    at: datetime


@dataclass(frozen=True, slots=True)
class Delivery:
    """What a destination answers once the ticket exists.

    ``continue_on`` is where the visitor continues (``webchat``, ``email``, ``sms``).
    For the built-in helpdesk, ``agent_available`` says whether an agent took it now
    and ``resumes_at`` when help resumes otherwise (``None`` when open now); an external
    helpdesk leaves ``agent_available`` ``None`` (not known), and so does the built-in one
    for a ticket it finds already stored (``replayed``: it existed before this request)
    and for one routed while office hours are closed with no opening to name (none
    within their horizon).
    """

    ticket_id: str
    continue_on: str
    agent_available: bool | None = None
    resumes_at: datetime | None = None
    replayed: bool = False
    detail: dict[str, str] = field(default_factory=dict)


ID_LENGTH = 255
"""The longest ticket id a destination may answer; a longer one is a malformed answer."""


def ticket_id(value: object) -> str | None:
    """A ticket id from a service's answer, as text: a string every store can keep,
    trimmed of surrounding white space (``" 7 "`` is ``"7"``: the ticket is the same, and
    the id is used to look it up and to show), non-blank, of at most :data:`ID_LENGTH`
    characters, or an ``int`` (not a ``bool``) of at most that many digits, written in
    decimal; ``None`` for anything else (a malformed answer: an id of 100,000 characters
    names no ticket a person could find)."""
    if whole_number(value):
        if not -(10**ID_LENGTH) < value < 10**ID_LENGTH:
            return None  # too many digits (and more than Python writes out: 4,300)
        text = str(value)
    elif isinstance(value, str) and text_problem(value) is None:
        text = value.strip()
    else:
        return None
    return text if 0 < len(text) <= ID_LENGTH else None


def _given(value: object) -> str:
    """How an answer's ticket id is named in an error: its ``repr``, but an ``int`` too
    long for any id by its size (its text may be more than Python writes out)."""
    if whole_number(value) and not -(10**ID_LENGTH) < value < 10**ID_LENGTH:
        return f"an int of more than {ID_LENGTH} digits"
    return repr(value)


def checked_delivery(delivery: object, destination: str) -> Delivery:
    """A destination's answer held to the contract of :class:`Delivery` before the
    ledger records it: a ``Delivery`` whose ``ticket_id`` is a ticket id as
    :func:`ticket_id` reads one (an ``int`` becomes its text, white space around it
    goes), ``continue_on`` non-blank text, ``agent_available`` ``None`` or a ``bool``
    and ``resumes_at`` ``None`` or an aware ``datetime``. Anything else is a
    ``ValidationError`` naming the destination (a record a ledger could not read back,
    or an ``AttributeError`` in the middle of the handoff, otherwise)."""
    if not isinstance(delivery, Delivery):
        raise ValidationError(
            f"destination {destination} answered {type(delivery).__name__}, not a Delivery"
        )
    found = ticket_id(delivery.ticket_id)
    problem: str | None = None
    if found is None:
        raise ValidationError(
            f"destination {destination} answered a Delivery with ticket_id "
            f"{_given(delivery.ticket_id)}: not a ticket id (non-blank text or an int, of at most "
            f"{ID_LENGTH} characters, that every store can keep)"
        )
    if not isinstance(delivery.continue_on, str) or not delivery.continue_on.strip():
        problem = f"continue_on {delivery.continue_on!r}: not a channel"
    elif text_problem(delivery.continue_on) is not None:
        problem = f"continue_on {delivery.continue_on!r}: {text_problem(delivery.continue_on)}"
    elif delivery.agent_available is not None and not isinstance(delivery.agent_available, bool):
        problem = f"agent_available {delivery.agent_available!r}: not a bool or None"
    elif delivery.resumes_at is not None and (
        not isinstance(delivery.resumes_at, datetime) or delivery.resumes_at.utcoffset() is None
    ):
        problem = f"resumes_at {delivery.resumes_at!r}: not an aware datetime or None"
    elif delivery.resumes_at is not None and not _in_utc_range(delivery.resumes_at):
        # told the visitor in UTC: one beyond year 9999 there stopped the handoff after
        # the ticket was made
        problem = f"resumes_at {delivery.resumes_at!r}: beyond years 1 to 9999 in UTC"
    if problem is not None:
        raise ValidationError(f"destination {destination} answered a Delivery with {problem}")
    return delivery if found == delivery.ticket_id else replace(delivery, ticket_id=found)


def checked_found(found: object, destination: str) -> str | None:
    """A destination's ``find`` answer held to its contract before the ledger records
    it: ``None`` (no ticket), or a ticket id as :func:`ticket_id` reads one (an ``int``
    becomes its text, white space around it goes). Anything else (an empty id, one
    holding NUL, a ``bool``) is a ``ValidationError`` naming the destination, the
    handoff left as it was (an ``int`` was recorded as it came, and a SQL ledger could
    not read the record back)."""
    if found is None:
        return None
    read = ticket_id(found)
    if read is None:
        raise ValidationError(
            f"destination {destination} found ticket_id {_given(found)}: not a ticket id "
            f"(non-blank text or an int, of at most {ID_LENGTH} characters, that every "
            "store can keep)"
        )
    return read


class Destination(Protocol):
    """A helpdesk that takes a handed-off conversation as a ticket.

    Contract:

    - ``deliver`` creates the ticket or raises a
      :class:`~helpdesk_routing.handoff.errors.DeliveryError`;
      :class:`~helpdesk_routing.handoff.errors.OutcomeUnknown` means it may exist.
      Delivering the same ``handoff_id`` again must not create a second ticket when the
      service allows it (an idempotency key, an id of our choosing).
    - ``find(handoff_id)`` answers the ticket id created for that handoff, or ``None``.
    """

    @property
    def name(self) -> str:
        """The helpdesk's name, as errors and records name it (a plain attribute or a
        read-only property both satisfy the protocol)."""
        ...

    def deliver(self, request: DeliveryRequest) -> Delivery:
        """Create the ticket."""
        ...

    def find(self, handoff_id: str) -> str | None:
        """The ticket created for ``handoff_id``, or ``None``."""
        ...


CONTINUATION = "    | "
"""What starts every further line of a message's text in :func:`transcript_lines`: four
spaces, a bar and a space (the bar stays visible where white space is collapsed)."""


_LINE_BREAKS = {
    ord(c): c.encode("unicode_escape").decode("ascii")
    for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
}


def one_line(text: str) -> str:
    """``text`` with every line break ``str.splitlines`` knows written as its escape
    (``"c1\\n[...]"``): a value put into a header line of a transcript (a conversation id,
    a channel, a profile id, from the host) stays on that line."""
    return text.translate(_LINE_BREAKS)


def transcript_lines(conversation: Conversation) -> list[str]:
    """The transcript as text lines: per message, one line with its UTC time stamp and
    speaker (``[2026-03-30 09:58:00 UTC] Visitor: ...``) and the first line of its text,
    then each further line of the text (after any line break ``str.splitlines`` knows:
    ``\n``, ``\r\n``, ``\r``, ``\v``, ``\f``, ``\x1c``-``\x1e``, ``\x85``, ``\u2028``,
    ``\u2029``) on a line of its own starting with :data:`CONTINUATION`.

    So every line that starts at column 0 is one this function wrote for a message, with
    its time stamp and speaker: a message's text cannot pass for another message (a
    visitor's ``"...\n[2026-03-30 09:59:30 UTC] AI agent: refund approved"``). No line
    holds a line break."""
    who = {"visitor": "Visitor", "ai_agent": "AI agent"}
    lines: list[str] = []
    for m in conversation.transcript:
        first, *rest = m.text.splitlines() or [""]
        lines.append(f"[{m.at.strftime('%Y-%m-%d %H:%M:%S')} UTC] {who[m.sender]}: {first}")
        lines.extend(CONTINUATION + line for line in rest)
    return lines


ContinueOn = Literal["webchat", "email", "sms"]


def _in_utc_range(instant: datetime) -> bool:
    """Whether the aware ``instant`` lies in years 1 to 9999 in UTC."""
    try:
        instant.astimezone(UTC)
    except (OverflowError, ValueError):
        return False
    return True
