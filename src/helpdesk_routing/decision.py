"""A routing decision: what the rules chose for a ticket, who got it, and why."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from ._time import UtcDatetime
from .conditions.trace import ConditionTrace

__all__ = ["AllocationTrace", "DecidedBy", "RoutingDecision", "RuleOutcome", "RuleTrace"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class DecidedBy(StrEnum):
    """What chose the ticket's team."""

    RULE = "rule"
    TEAM_TAG = "team_tag"
    TEAM_SEGMENT = "team_segment"
    NONE = "none"


class RuleOutcome(StrEnum):
    """What became of one rule for one ticket."""

    APPLIED = "applied"  # matched and its destination was applied
    NOT_MATCHED = "not_matched"  # its condition did not hold
    SHADOWED = "shadowed"  # a team rule that matched after an earlier team rule had won
    DISABLED = "disabled"  # skipped: the rule is disabled


class RuleTrace(BaseModel):
    """One rule's part in a decision."""

    model_config = _FROZEN

    rule_id: str
    name: str
    destination: str  # "team:<id>" or "view:<name>"
    outcome: RuleOutcome
    condition: ConditionTrace | None = None  # None when the rule was not evaluated


class AllocationTrace(BaseModel):
    """How the assignee was chosen (or why nobody was).

    ``pool`` is ``"global"`` or ``"team:<id>"``; ``summary`` is one readable sentence such
    as ``"a2: next online agent after a1 in rotation; a3 offline"``.
    """

    model_config = _FROZEN

    pool: str
    assignee: str | None
    summary: str
    waiting: bool = False


class RoutingDecision(BaseModel):
    """The outcome of routing one ticket; persisted, so routing the same id again returns it.

    ``team`` and ``views`` come from the rules (or team memberships); ``assignee`` and
    ``allocation`` are filled in by the Router after allocation.
    """

    model_config = _FROZEN

    ticket_id: str
    at: UtcDatetime
    team: str | None = None
    views: tuple[str, ...] = ()
    rule_id: str | None = None
    decided_by: DecidedBy = DecidedBy.NONE
    membership: str | None = None  # the tag or segment that matched, when decided by a team
    rules: tuple[RuleTrace, ...] = ()
    explained: bool = True  # False: only applied and shadowed rules are in ``rules``
    assignee: str | None = None
    allocation: AllocationTrace | None = None

    def explain(self) -> str:
        """A readable trace: every rule's outcome with its condition tree, then allocation."""
        lines = [f"ticket {self.ticket_id}:"]
        if self.decided_by is DecidedBy.RULE:
            lines.append(f"  team {self.team!r} chosen by rule {self.rule_id!r}")
        elif self.decided_by is DecidedBy.TEAM_TAG:
            lines.append(f"  team {self.team!r} chosen by its tag {self.membership!r}")
        elif self.decided_by is DecidedBy.TEAM_SEGMENT:
            lines.append(f"  team {self.team!r} chosen by its segment {self.membership!r}")
        else:
            lines.append("  no team chosen")
        if self.views:
            lines.append("  views: " + ", ".join(repr(v) for v in self.views))
        for rule in self.rules:
            lines.append(
                f"  rule {rule.rule_id!r} ({rule.name}) -> {rule.destination}: "
                f"{rule.outcome.value.replace('_', ' ')}"
            )
            if rule.condition is not None:
                lines.append(rule.condition.render(indent=2))
        if not self.explained:
            lines.append("  (other enabled rules did not match; decided without explain)")
        if self.allocation is not None:
            lines.append(f"  allocation ({self.allocation.pool}): {self.allocation.summary}")
        return "\n".join(lines)
