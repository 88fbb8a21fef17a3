"""The configuration every process sharing a store obeys: rules, teams and settings.

A :class:`Configuration` is one immutable, versioned value (pydantic, JSON). Stores keep
every version (``Transaction.put_configuration`` appends the next one); the newest is in
force. Versions count 1, 2, 3, ... with no gaps; a rollback is a new version equal in
content to an old one.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ._time import UtcDatetime
from .calendar import OfficeHours
from .model import Team
from .rules import RuleSet

__all__ = ["AllocatorName", "Configuration"]

AllocatorName = Literal["round_robin", "least_loaded"]
"""The allocators a stored configuration can name."""


class Configuration(BaseModel):
    """One version of the routing configuration, as stored and audited.

    ``version`` is given by the writer as the stored version + 1; ``at`` and ``actor``
    say when and by whom it was written (``actor`` is ``None`` for the first version
    taken from a Router's constructor arguments).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = Field(ge=1)
    at: UtcDatetime
    actor: str | None = None
    comment: str | None = None
    rules: RuleSet = Field(default_factory=lambda: RuleSet(rules=[]))
    teams: tuple[Team, ...] = ()
    round_robin: bool = True
    office_hours: OfficeHours | None = None
    office_hours_channels: frozenset[str] = frozenset({"webchat"})
    capacity: int | None = Field(default=None, ge=0)
    allocator: AllocatorName = "round_robin"
