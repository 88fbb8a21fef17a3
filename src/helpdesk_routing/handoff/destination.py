"""Where a handoff's ticket goes: the port every destination implements.

The built-in helpdesk (:class:`~helpdesk_routing.handoff.builtin.BuiltinHelpdesk`) and
the connectors (``connectors.zendesk``, ``connectors.gorgias``) implement it without
inheriting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from helpdesk_routing.handoff.conversation import Conversation

__all__ = [
    "CONTINUATION",
    "Delivery",
    "DeliveryRequest",
    "Destination",
    "continue_on",
    "one_line",
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
    for a ticket it finds already stored (``replayed``: it existed before this request).
    """

    ticket_id: str
    continue_on: str
    agent_available: bool | None = None
    resumes_at: datetime | None = None
    replayed: bool = False
    detail: dict[str, str] = field(default_factory=dict)


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

    name: str

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
