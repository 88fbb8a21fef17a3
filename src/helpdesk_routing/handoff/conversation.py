"""A conversation between a visitor and the AI agent, as a handoff carries it."""

from __future__ import annotations

import re
import reprlib
from typing import Annotated, Literal

from pydantic import ConfigDict, ValidationInfo, field_validator

from helpdesk_routing._input import InputModel
from helpdesk_routing._storable import StoredText, text_problem
from helpdesk_routing._stored import is_stored
from helpdesk_routing._time import UtcDatetime
from helpdesk_routing.errors import ArgumentTypeError
from helpdesk_routing.model import IdText, in_given_order

__all__ = ["Conversation", "Message", "is_valid_email"]

# One "@"; a local part that is a dot-atom (RFC 5322: words of atext joined by single
# dots, no dot first or last; atext is every printable character but white space and
# the specials ( ) < > [ ] : ; , \ " and @; RFC 6531 adds the non-ASCII ones) without
# control characters (C0, DEL and C1, the connectors' own rule), at most 64 characters
# (RFC 5321); a domain with a dot, no empty label and none over 63 characters (DNS).
# Matched whole (``fullmatch``): ``$`` would also match before a final newline.
_ATOM = r"[^@.\s\x00-\x1f\x7f-\x9f()<>\[\]:;,\\\"]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}")


def is_valid_email(text: str) -> bool:
    """Whether ``text`` is a plausible e-mail address: ``local@domain.tld`` as a whole
    (nothing before or after, not even a newline), no white space and no control
    character (U+0000-U+001F, U+007F-U+009F) anywhere, a local part that neither starts
    nor ends with a dot nor holds two in a row nor any of ``( ) < > [ ] : ; , \\ "``
    (RFC 5322's dot-atom), at most 64 characters before the ``@`` and 254 in all, domain
    labels of at most 63, nothing a store cannot keep. Anything but text is an
    ``ArgumentTypeError``."""
    if not isinstance(text, str):
        raise ArgumentTypeError(f"is_valid_email takes text, got {type(text).__name__}")
    return (
        len(text) <= 254
        and text.find("@") <= 64
        and _EMAIL.fullmatch(text) is not None
        and text_problem(text) is None
    )


class Message(InputModel):
    """One line of the transcript: who said it, what, and when (aware, kept in UTC)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sender: Literal["visitor", "ai_agent"]
    text: StoredText
    at: UtcDatetime


class Conversation(InputModel):
    """A conversation the AI agent may hand off.

    ``email`` is validated; ``profile_id`` links the customer profile when known. A
    visitor is *identified* when either is set (semantics 6).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: IdText
    # Ids, bounded as the ticket's channel and the Escalated event's profile id are: a
    # longer one ended the handoff failed, or left the event unrecorded, after the fact.
    channel: IdText
    transcript: tuple[Message, ...] = ()
    email: str | None = None
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
