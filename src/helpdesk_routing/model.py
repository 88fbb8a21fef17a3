"""The nouns of a helpdesk: tickets, customer profiles and events, agents, teams.

All are immutable pydantic models that round-trip through JSON. Datetimes must be
timezone-aware (a naive one is rejected at its field) and are kept in UTC.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ._time import UtcDatetime

__all__ = [
    "Agent",
    "Channel",
    "Event",
    "Profile",
    "Role",
    "Team",
    "Ticket",
    "TicketStatus",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)


class Channel(StrEnum):
    """The channels the product documents name. ``Ticket.channel`` accepts any other text too."""

    EMAIL = "email"
    SMS = "sms"
    WEBCHAT = "webchat"
    SOCIAL = "social"
    WHATSAPP = "whatsapp"
    PHONE = "phone"


class Role(StrEnum):
    """An agent's role; it decides what they may do (see ``helpdesk_routing.permissions``)."""

    OWNER = "owner"
    ADMIN = "admin"
    MANAGER = "manager"
    SUPPORT = "support"


class TicketStatus(StrEnum):
    """A ticket's status. Views show ``open`` tickets unless asked otherwise."""

    OPEN = "open"
    PENDING = "pending"
    CLOSED = "closed"


class Ticket(BaseModel):
    """An inbound ticket, as routing sees it.

    ``fields`` holds custom ticket fields (read by ``ticket("name")`` conditions when
    the name is not one of the built-in fields). ``profile_id`` links the customer
    profile; a ticket without one is treated as a customer with no data.
    """

    model_config = _FROZEN

    id: str = Field(min_length=1)
    channel: str = Field(min_length=1)
    created_at: UtcDatetime
    tags: frozenset[str] = frozenset()
    subject: str = ""
    status: TicketStatus = TicketStatus.OPEN
    priority: str | None = None
    profile_id: str | None = None
    email: str | None = None
    fields: dict[str, Any] = Field(default_factory=dict)


class Profile(BaseModel):
    """A customer profile: properties (``$country``, ``churn_risk``, custom ones) and segments."""

    model_config = _FROZEN

    id: str = Field(min_length=1)
    properties: dict[str, Any] = Field(default_factory=dict)
    segments: frozenset[str] = frozenset()


class Event(BaseModel):
    """Something a customer did, at an instant: ``Placed Order`` with ``{"value": 120}``."""

    model_config = _FROZEN

    profile_id: str = Field(min_length=1)
    metric: str = Field(min_length=1)
    timestamp: UtcDatetime
    properties: dict[str, Any] = Field(default_factory=dict)
    unique_id: str | None = Field(default=None, min_length=1)
    """Recording an event whose ``unique_id`` is already stored records nothing."""


class Agent(BaseModel):
    """A helpdesk user. ``capacity`` overrides the router's default maximum of open tickets."""

    model_config = _FROZEN

    id: str = Field(min_length=1)
    name: str = ""
    role: Role = Role.SUPPORT
    capacity: int | None = Field(default=None, ge=0)


class Team(BaseModel):
    """A team: its members (at least one agent) and the tags and segments routed to it."""

    model_config = _FROZEN

    id: str = Field(min_length=1)
    name: str = ""
    description: str = ""
    members: tuple[str, ...] = Field(min_length=1)
    tags: frozenset[str] = frozenset()
    segments: frozenset[str] = frozenset()

    @field_validator("members")
    @classmethod
    def _unique_members(cls, members: tuple[str, ...]) -> tuple[str, ...]:
        seen: set[str] = set()
        for m in members:
            if m in seen:
                raise ValueError(f"agent {m!r} is listed twice")
            seen.add(m)
        return members
