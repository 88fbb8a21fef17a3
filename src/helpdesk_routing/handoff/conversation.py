"""A conversation between a visitor and the AI agent, as a handoff carries it."""

from __future__ import annotations

import reprlib
import weakref
from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Strict,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from helpdesk_routing._email import is_valid_email
from helpdesk_routing._input import CheckedCopy
from helpdesk_routing._storable import StoredText
from helpdesk_routing._stored import is_stored
from helpdesk_routing._time import UtcDatetime
from helpdesk_routing.model import IdText, in_given_order

__all__ = ["Conversation", "Message", "is_valid_email"]


class Message(CheckedCopy):
    """One line of the transcript: who said it, what, and when (aware, kept in UTC)."""

    # revalidated where a model or a method takes one (see Conversation)
    model_config = ConfigDict(frozen=True, extra="forbid", revalidate_instances="always")

    sender: Literal["visitor", "ai_agent"]
    text: StoredText
    at: UtcDatetime

    @model_validator(mode="wrap")
    @classmethod
    def _made_once(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        """A message validation made is taken again as it is (see :data:`_MADE`); any
        other value is validated (``None`` too: missing from the registry, it is what
        ``get`` answers)."""
        if type(value) is Message and _MADE.get(id(value)) is value:
            return value
        made = handler(value)
        if type(made) is Message:
            _MADE[id(made)] = made
        return made


class Conversation(CheckedCopy):
    """A conversation the AI agent may hand off.

    ``email`` is validated; ``profile_id`` links the customer profile when known. A
    visitor is *identified* when either is set (semantics 6).

    A conversation (and each of its messages) is validated again wherever it is taken:
    by ``Handoff.request`` and by a ``HandoffRecord`` holding it. One made by
    ``model_construct`` checked nothing, and a ledger then wrote a record it could not
    read back (a NUL in the id). ``email`` is text alone (bytes are refused, as
    ``is_valid_email`` refuses them).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", revalidate_instances="always")

    id: IdText
    # Ids, bounded as the ticket's channel and the Escalated event's profile id are: a
    # longer one ended the handoff failed, or left the event unrecorded, after the fact.
    channel: IdText
    transcript: Annotated[tuple[Message, ...], in_given_order("transcript")] = ()
    email: Annotated[str, Strict()] | None = None
    profile_id: IdText | None = None
    skills: Annotated[tuple[StoredText, ...], in_given_order("skills")] = ()

    def __repr__(self) -> str:
        # One bounded line (the default printed the whole transcript); str() and the
        # JSON are the model's own.
        count = len(self.transcript)
        return (
            f"<Conversation {reprlib.repr(self.id)} · channel {reprlib.repr(self.channel)}"
            f" · {count:,} message{'s' if count != 1 else ''}>"
        )

    @model_validator(mode="wrap")
    @classmethod
    def _read_back_as_read(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Any:
        """A conversation a ledger read back (context ``STORED``) is taken again as it was
        read once every input rule but the e-mail one holds for it: validated again by
        them all, an address an older rule accepted (which the ledger keeps) was
        refused, and the conversation could not be handed off again nor put in another
        record; an id longer than a ticket's channel holds still is (it would end the
        handoff failed after the fact). Any other object is validated again (one made by
        ``model_construct`` or ``model_copy`` checked nothing), unless validation made it
        (:data:`_MADE`: ``request`` and its record validated it twice)."""
        if type(value) is Conversation:
            if _MADE.get(id(value)) is value:
                return value
            if _READ_BACK.get(id(value)) is value:
                if value.email is not None:
                    handler(value.model_copy(update={"email": None}))  # the other rules
                else:
                    handler(value)
                return value
        made = handler(value)
        if type(made) is Conversation:
            (_READ_BACK if is_stored(info) else _MADE)[id(made)] = made
        return made

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None, info: ValidationInfo) -> str | None:
        # An input rule: a ledger's own records read back keep the address an older
        # rule accepted (text a store keeps all the same: StoredText is not needed for
        # what passed it before).
        if value is not None and not is_valid_email(value) and not is_stored(info):
            raise ValueError(f"not an e-mail address: {value!r}")
        return value

    @property
    def identified(self) -> bool:
        """Whether the visitor is known by e-mail or profile."""
        return self.email is not None or self.profile_id is not None


_READ_BACK: weakref.WeakValueDictionary[int, Conversation] = weakref.WeakValueDictionary()
"""The conversations a ledger read back, by identity, while they live (see
``Conversation._read_back_as_read``): frozen, each is what a store holds."""

_MADE: weakref.WeakValueDictionary[int, Message | Conversation] = weakref.WeakValueDictionary()
"""The messages and conversations input validation made, by identity, while they live:
frozen, each is what was checked, and is taken again as it is where a model or a method
takes one (a copy, a pickle, one made by ``model_construct`` is another object)."""
