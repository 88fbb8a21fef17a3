"""How the AI agent escalates: send a ticket to a helpdesk, or show a custom message."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field

from helpdesk_routing._input import CheckedCopy
from helpdesk_routing._sets import SortedSet
from helpdesk_routing._storable import StoredText, check_text, surrogate_first

__all__ = ["HandoffSettings", "SendMessage", "SendToHelpdesk"]


_Tag = Annotated[
    str, Field(min_length=1), AfterValidator(check_text), BeforeValidator(surrogate_first)
]
"""A ticket tag: non-empty text every store can keep."""


class SendToHelpdesk(CheckedCopy):
    """Create a ticket in a helpdesk: the built-in one (through ``Router.route``), Zendesk
    or Gorgias (through a connector). ``tags`` go on the ticket; ``subject`` is its subject.
    Both are text every store can keep (no NUL, no lone surrogate), the tags non-empty:
    a tag the ticket refused would end every handoff ``failed``."""

    model_config = ConfigDict(frozen=True, extra="forbid", revalidate_instances="always")

    method: Literal["send_to_helpdesk"] = "send_to_helpdesk"
    helpdesk: Literal["builtin", "zendesk", "gorgias"] = "builtin"
    subject: StoredText = Field(default="Conversation with the AI agent", min_length=1)
    tags: SortedSet[_Tag] = frozenset({"ai-handoff"})


class SendMessage(CheckedCopy):
    """Show a configured message (it may contain links); no ticket is created."""

    model_config = ConfigDict(frozen=True, extra="forbid", revalidate_instances="always")

    method: Literal["send_message"] = "send_message"
    text: StoredText = Field(min_length=1)


HandoffSettings = Annotated[SendToHelpdesk | SendMessage, Field(discriminator="method")]
"""Either escalation method; JSON carries ``"method"`` to tell them apart."""
