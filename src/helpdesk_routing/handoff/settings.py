"""How the AI agent escalates: send a ticket to a helpdesk, or show a custom message."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from helpdesk_routing._input import InputModel

__all__ = ["HandoffSettings", "SendMessage", "SendToHelpdesk"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class SendToHelpdesk(InputModel):
    """Create a ticket in a helpdesk: the built-in one (through ``Router.route``), Zendesk
    or Gorgias (through a connector). ``tags`` go on the ticket; ``subject`` is its subject."""

    model_config = _FROZEN

    method: Literal["send_to_helpdesk"] = "send_to_helpdesk"
    helpdesk: Literal["builtin", "zendesk", "gorgias"] = "builtin"
    subject: str = Field(default="Conversation with the AI agent", min_length=1)
    tags: frozenset[str] = frozenset({"ai-handoff"})


class SendMessage(InputModel):
    """Show a configured message (it may contain links); no ticket is created."""

    model_config = _FROZEN

    method: Literal["send_message"] = "send_message"
    text: str = Field(min_length=1)


HandoffSettings = Annotated[SendToHelpdesk | SendMessage, Field(discriminator="method")]
"""Either escalation method; JSON carries ``"method"`` to tell them apart."""
