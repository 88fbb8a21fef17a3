"""What the handoff ledger keeps: one record per conversation, with every transition."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from helpdesk_routing._input import InputModel
from helpdesk_routing._storable import StoredText, check_json_values, stored_text
from helpdesk_routing._stored import is_stored
from helpdesk_routing._time import UtcDatetime
from helpdesk_routing.handoff.conversation import Conversation
from helpdesk_routing.handoff.machine import State
from helpdesk_routing.handoff.messages import VisitorMessage

__all__ = ["HandoffRecord", "TransitionEntry", "handoff_id"]


def handoff_id(conversation_id: str) -> str:
    """The stable id of a conversation's handoff: ``"h-"`` and 24 hex digits of SHA-256.

    Every process derives the same id, so it serves as the idempotency key and the
    ``external_id`` of the external ticket. ``conversation_id`` is text every store can
    keep, as a conversation's id is: another kind of value is an ``ArgumentTypeError``,
    a NUL or a lone surrogate a ``ValidationError`` (Python's ``AttributeError`` and
    ``UnicodeEncodeError`` escaped).
    """
    text = stored_text(conversation_id, "conversation_id")
    return "h-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def _no_surrogate(text: str) -> str:
    """``text`` unchanged, or a pydantic error: a lone surrogate no ledger can write (the
    SQL ledgers' JSON could not hold it; NUL is kept, escaped in the JSON)."""
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise PydanticCustomError(
                "storable_text",
                "text must not contain a lone surrogate (\\u{code})",
                {"code": f"{ord(text[exc.start]):04x}"},
            ) from None
    return text


def _detail_json(detail: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
    """``detail`` unchanged when every value reads back from JSON as itself, as the SQL
    ledgers keep it (a ``NaN`` read back as ``null``, a ``datetime`` as its text, a tuple
    as a list: the in-memory ledger kept them, so the ledgers answered differently); a
    pydantic error naming the first that does not. An input rule: a record a ledger
    wrote reads back as written."""
    return detail if is_stored(info) else check_json_values(detail)


def _detail_texts(detail: dict[str, Any]) -> dict[str, Any]:
    """``detail`` unchanged, or a pydantic error at the first text in it (a key or a value,
    at any depth) holding a lone surrogate, which no SQL ledger could write."""
    stack: list[Any] = [detail]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            _no_surrogate(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return detail


_Text = Annotated[str, AfterValidator(_no_surrogate)]


class TransitionEntry(InputModel):
    """One recorded transition: when, who (``visitor``, ``ai_agent``, ``system``), why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    at: UtcDatetime
    actor: _Text
    source: State | None
    target: State
    why: _Text


class HandoffRecord(InputModel):
    """A handoff as the ledger keeps it.

    ``version`` counts the writes (the ledger's compare-and-set key); ``destination`` is
    ``builtin``, ``zendesk``, ``gorgias`` or ``message``; ``ticket_id`` is the ticket's id
    at the destination once known; ``attempts`` counts the times the ticket was asked
    of the destination, one ``Destination.deliver`` call each (the first send, and each
    send again after a look-up found nothing), not the HTTP requests a connector makes
    within one (its retries after a refused connection, a 429 or a 5xx, which its
    ``RetryPolicy`` bounds and ``connector.waits`` shows); ``tell_visitor`` is the last
    answer given (a repeated request gives it again).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: StoredText
    conversation: Conversation
    destination: _Text
    reason: _Text
    tag: _Text | None = None
    state: State
    # every ledger keeps it: PostgreSQL's column is a 32-bit integer
    version: int = Field(default=1, ge=1, le=2**31 - 1)
    created_at: UtcDatetime
    updated_at: UtcDatetime
    ticket_id: StoredText | None = None
    attempts: int = 0
    detail: Annotated[
        dict[str, Any], AfterValidator(_detail_texts), AfterValidator(_detail_json)
    ] = Field(default_factory=dict)
    tell_visitor: tuple[VisitorMessage, ...] = ()
    transitions: tuple[TransitionEntry, ...] = ()

    @property
    def conversation_id(self) -> str:
        """The handed-off conversation's id."""
        return self.conversation.id

    @property
    def external_id(self) -> str:
        """The id an external helpdesk stores on the ticket (the handoff id)."""
        return self.id
