"""A routing decision: what the rules chose for a ticket, who got it, and why.

A decision keeps only what the rule set cannot tell later (so stored tickets stay
slim): for each rule it evaluated, the rule id, the outcome and the facts its condition
saw (per evaluated leaf: held or not, the value read or the events counted); and what
the ticket showed the rule index (its channel, tags, segments and indexed profile
texts). Names, destinations, condition text and the rules the index never looked at
come from the :class:`~helpdesk_routing.rules.RuleSet` that decided:
:func:`~helpdesk_routing.rules.decide` returns decisions bound to it, and
:meth:`RoutingDecision.with_rules` binds one read back from a store. ``explain()`` on
an unbound decision still gives the outcome of every evaluated rule by id.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Protocol, Self

from pydantic import ConfigDict, PrivateAttr, field_serializer, model_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from helpdesk_routing._input import InputModel
from helpdesk_routing._trusted import assemble

from ._condition_trace import ConditionTrace
from ._fact_codec import Refused, read_evaluated, read_presented, stored_evaluated, stored_presented
from ._sets import passes_interrupts
from ._shown import quoted, shown
from ._time import UtcDatetime
from .errors import ArgumentTypeError, ValidationError

__all__ = [
    "AllocationTrace",
    "DecidedBy",
    "RoutingDecision",
    "RuleBook",
    "RuleOutcome",
    "RulePart",
    "RuleTrace",
]

_LEGACY_KEYS = ("rules",)  # stored by versions that kept a full trace per rule


class DecidedBy(StrEnum):
    """What chose the ticket's team."""

    RULE = "rule"
    TEAM_TAG = "team_tag"
    TEAM_SEGMENT = "team_segment"
    NONE = "none"


class RuleOutcome(StrEnum):
    """What became of one rule for one ticket."""

    APPLIED = "applied"  # matched and its destination was applied
    NOT_MATCHED = "not_matched"  # its condition was evaluated and did not hold
    SHADOWED = "shadowed"  # a team rule that matched after an earlier team rule had won
    DISABLED = "disabled"  # skipped: the rule is disabled
    SKIPPED = "skipped"  # not evaluated: the rule index showed it cannot match


_SAID = {outcome: outcome.value.replace("_", " ") for outcome in RuleOutcome}


class RuleTrace(InputModel):
    """One rule's part in a decision, rendered on demand (never stored).

    ``name`` and ``destination`` are empty when the decision is not bound to its rule
    set; ``condition`` is the condition's trace when the rule was evaluated with
    explanation; ``reason`` says why a skipped rule could not match.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule_id: str
    name: str = ""
    destination: str = ""  # "team:<id>" or "view:<name>"
    outcome: RuleOutcome
    condition: ConditionTrace | None = None
    reason: str = ""


RulePart = tuple[str, str, str, RuleOutcome, ConditionTrace | None, str]
"""One rule's part in a decision, as plain data: ``(rule_id, name, destination, outcome,
condition trace or None, reason)``."""


class RuleBook(Protocol):
    """What a decision needs from the rule set that decided it: each rule's part
    (:class:`~helpdesk_routing.rules.RuleSet` implements it)."""

    def rule_parts(self, decision: RoutingDecision) -> list[RulePart]:
        """Every rule's part in ``decision``, in rule order."""
        ...


class AllocationTrace(InputModel):
    """How the assignee was chosen (or why nobody was).

    ``pool`` is ``"global"`` or ``"team:<id>"``; ``summary`` is one readable sentence such
    as ``"a2: next online agent after a1 in rotation; a3 offline"``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    pool: str
    assignee: str | None
    summary: str
    waiting: bool = False


class RoutingDecision(InputModel):
    """The outcome of routing one ticket; persisted, so routing the same id again returns it.

    ``team`` and ``views`` come from the rules (or team memberships); ``assignee`` and
    ``allocation`` are filled in by the Router after allocation, ``configuration_version``
    is the configuration that decided (set by the Router).

    ``evaluated`` holds one tuple per rule evaluated, in rule order: ``(rule_id, outcome,
    number, held, seen, number, held, seen, ...)`` with the facts of each evaluated leaf of
    its condition (none when ``explained`` is false: then only applied and shadowed rules
    are listed). ``presented`` is what the ticket showed the rule index: ``(channel, tags,
    segments or None without a profile, property, value, property, value, ...)``.

    In JSON (and ``model_dump``) a value seen keeps its kind where JSON alone would lose
    it: text, whole numbers, booleans, ``null``, finite floats and lists are themselves;
    every other kind is an object of one key naming it (``{"datetime":
    "2026-03-30T09:00:00+00:00"}``, ``{"tuple": [...]}``, ``{"frozenset": [...]}``,
    ``{"dict": {...}}``); sets, tags and segments are written sorted. So a decision read
    back equals the one made and explains the same. Read from outside
    (``model_validate``, ``model_validate_json``), these fields are checked for that
    shape: anything else is a ``ValidationError`` at its JSON path, never a crash in
    :meth:`explain`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    ticket_id: str
    at: UtcDatetime
    team: str | None = None
    views: tuple[str, ...] = ()
    rule_id: str | None = None
    decided_by: DecidedBy = DecidedBy.NONE
    membership: str | None = None  # the tag or segment that matched, when decided by a team
    evaluated: tuple[tuple[Any, ...], ...] = ()
    presented: tuple[Any, ...] = ()
    explained: bool = True  # False: only applied and shadowed rules, without facts
    configuration_version: int | None = None
    assignee: str | None = None
    allocation: AllocationTrace | None = None

    _book: RuleBook | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _drop_legacy(cls, data: Any) -> Any:
        # Records written before decisions got slim carry a full "rules" trace: the
        # outcome fields are still read, the old trace is dropped (not explainable).
        if isinstance(data, dict) and any(key in data for key in _LEGACY_KEYS):
            data = {k: v for k, v in data.items() if k not in _LEGACY_KEYS}
            data.setdefault("explained", False)
        return data

    @model_validator(mode="after")
    def _read_facts(self) -> Self:
        # Only input from outside comes here: decide() builds decisions with trusted().
        values = self.__dict__
        try:
            _check_outcome_fields(self)
            if self.evaluated:
                outcomes = _RECORDED if self.explained else _MATCHED
                values["evaluated"] = read_evaluated(self.evaluated, self.explained, outcomes)
            if self.presented:
                values["presented"] = read_presented(self.presented)
        except Refused as refused:
            detail = InitErrorDetails(
                type=PydanticCustomError("decision_facts", refused.message),
                loc=refused.loc,
                input=refused.value,
            )
            raise PydanticValidationError.from_exception_data(
                type(self).__name__, [detail]
            ) from None
        return self

    @field_serializer("evaluated")
    @passes_interrupts
    def _dump_evaluated(self, evaluated: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
        return stored_evaluated(evaluated)

    @field_serializer("presented")
    @passes_interrupts
    def _dump_presented(self, presented: tuple[Any, ...]) -> tuple[Any, ...]:
        return stored_presented(presented)

    def __eq__(self, other: object) -> bool:
        # Equal when what is stored is equal: the binding to a rule set is not part of a
        # decision's value, and facts read back from JSON (a list for a set of tags)
        # equal the facts recorded.
        if not isinstance(other, RoutingDecision):
            return NotImplemented
        return self.model_dump(mode="json") == other.model_dump(mode="json")

    def __hash__(self) -> int:
        return hash((self.ticket_id, self.at))

    @classmethod
    def trusted(cls, rules: RuleBook | None, **fields: Any) -> RoutingDecision:
        """A decision from values that are already valid (made by
        :func:`~helpdesk_routing.rules.decide`), bound to ``rules``: no validation, the
        rest at their defaults. Routing makes one per ticket; validating the recorded
        facts again would cost more than deciding."""
        # In field order (a model's JSON follows the order of its __dict__): the defaults'
        # dict keeps its order when updated.
        values = _DEFAULTS.copy()
        values.update(fields)
        if len(values) != len(_DEFAULTS):
            raise TypeError(
                f"not fields of RoutingDecision: {sorted(values.keys() - _DEFAULTS.keys())}"
            )
        return assemble(cls, values, _REQUIRED, {"_book": rules})

    def allocated(self, assignee: str | None, allocation: AllocationTrace) -> RoutingDecision:
        """This decision with its assignee and allocation trace (still bound): what
        ``model_copy(update=...)`` gives, built with less per stored ticket."""
        values = dict(self.__dict__)
        values["assignee"] = assignee
        values["allocation"] = allocation
        # Not self._book: pydantic serves a private attribute through __getattr__ (a
        # failed lookup and an AttributeError on every read); the dict behind it is a slot.
        private = self.__pydantic_private__
        rules = None if private is None else private.get("_book")
        return assemble(type(self), values, _REQUIRED, {"_book": rules})

    def with_rules(self, rules: RuleBook) -> RoutingDecision:
        """This decision bound to the rule set that decided it, for :meth:`explain`
        and :attr:`rules` (the binding is not serialised).

        ``rules`` must be a :class:`~helpdesk_routing.rules.RuleSet` (any
        :class:`RuleBook`); anything else, ``None`` included, is an
        :class:`~helpdesk_routing.errors.ArgumentTypeError` (a decision read back is
        unbound already)."""
        if isinstance(rules, type) or not callable(getattr(rules, "rule_parts", None)):
            raise ArgumentTypeError(f"rules must be a RuleSet, got {type(rules).__name__}")
        bound = self.model_copy()
        bound._book = rules
        return bound

    @property
    def bound(self) -> bool:
        """Whether the decision knows the rule set that decided it."""
        # Not self._book: pydantic serves a private attribute through __getattr__ (a
        # failed lookup and an AttributeError on every read); the dict is a slot.
        private = self.__pydantic_private__
        return private is not None and private.get("_book") is not None

    @property
    def rules(self) -> tuple[RuleTrace, ...]:
        """Every rule's part in the decision, rendered now: with names, destinations,
        condition traces and skipped rules when bound; else the evaluated rules by id."""
        return tuple(
            RuleTrace(
                rule_id=rule_id,
                name=name,
                destination=destination,
                outcome=outcome,
                condition=condition,
                reason=reason,
            )
            for rule_id, name, destination, outcome, condition, reason in self._parts()
        )

    def _parts(self) -> list[RulePart]:
        if self._book is not None:
            parts = self._book.rule_parts(self)
            if self.explained:
                self._check_fit(parts)
            return parts
        return [(entry[0], "", "", RuleOutcome(entry[1]), None, "") for entry in self.evaluated]

    def _check_fit(self, parts: list[RulePart]) -> None:
        """Raise :class:`~helpdesk_routing.errors.ValidationError` (a ``ValueError``) when
        the recorded facts of a rule do not fit its condition in the bound rule set
        (another rule with its id, or facts made up)."""
        facts = {entry[0]: (len(entry) - 2) // 3 for entry in self.evaluated}
        for rule_id, _, _, outcome, condition, _ in parts:
            if condition is None:
                continue
            if _evaluated_leaves(condition) != facts[rule_id] or condition.holds is None:
                raise ValidationError(
                    f"decision for ticket {self.ticket_id!r} records facts that do not fit "
                    f"rule {rule_id!r} of this rule set"
                )
            if condition.holds != (outcome in _MATCHED):
                raise ValidationError(
                    f"decision for ticket {self.ticket_id!r} records rule {rule_id!r} as "
                    f"{_SAID[outcome]}, but its facts say its condition "
                    f"{'held' if condition.holds else 'did not hold'}"
                )

    def explain(self) -> str:
        """A readable trace: every rule's outcome with its condition tree, then allocation."""
        lines = [f"ticket {shown(self.ticket_id)}:"]
        if self.decided_by is DecidedBy.RULE:
            lines.append(f"  team {quoted(self.team)} chosen by rule {quoted(self.rule_id)}")
        elif self.decided_by is DecidedBy.TEAM_TAG:
            lines.append(f"  team {quoted(self.team)} chosen by its tag {quoted(self.membership)}")
        elif self.decided_by is DecidedBy.TEAM_SEGMENT:
            lines.append(
                f"  team {quoted(self.team)} chosen by its segment {quoted(self.membership)}"
            )
        else:
            lines.append("  no team chosen")
        if self.views:
            lines.append("  views: " + ", ".join(quoted(v) for v in self.views))
        bound = self._book is not None
        for rule_id, name, destination, outcome, condition, reason in self._parts():
            said = _SAID[outcome]
            if bound:
                named = f" ({shown(name)})" if name else ""
                head = f"  rule {quoted(rule_id)}{named} -> {destination}: {said}"
            else:
                head = f"  rule {quoted(rule_id)}: {said}"
            lines.append(f"{head} — {reason}" if reason else head)
            if condition is not None:
                lines.append(condition.render(indent=2))
        if not bound:
            lines.append(
                "  (rule names, destinations, conditions and the rules not evaluated need the "
                "rule set that decided: decision.with_rules(rules))"
            )
        if not self.explained:
            lines.append("  (other enabled rules did not match; decided without explain)")
        if self.allocation is not None:
            pool, summary = self.allocation.pool, self.allocation.summary
            lines.append(f"  allocation ({_pool_shown(pool)}): {shown(summary)}")
        return "\n".join(lines)


def _pool_shown(pool: str) -> str:
    """``global`` or ``team:<id>``, the team's id shown as a destination's is."""
    kind, colon, team = pool.partition(":")
    return f"team:{shown(team)}" if colon and kind == "team" else shown(pool)


# The fields-set of a decision made by RoutingDecision.trusted or .allocated (what
# pydantic's model_construct sets, without its per-field loop): only the two required
# fields count as set, in one set shared by every decision made so; pydantic never
# changes it in place (a copy gets its own, and fields are frozen).
_REQUIRED = {"ticket_id", "at"}
_DEFAULTS: dict[str, Any] = {
    name: None if field.is_required() else field.default
    for name, field in RoutingDecision.model_fields.items()
}


# The outcomes a stored entry may record: a rule's facts are kept when decided with
# explanation (every rule evaluated), else only the rules that matched are listed.
_MATCHED = frozenset({RuleOutcome.APPLIED, RuleOutcome.SHADOWED})
_RECORDED = frozenset({RuleOutcome.APPLIED, RuleOutcome.NOT_MATCHED, RuleOutcome.SHADOWED})


def _evaluated_leaves(trace: ConditionTrace) -> int:
    if not trace.children:
        return 0 if trace.holds is None else 1
    return sum(_evaluated_leaves(child) for child in trace.children)


def _check_outcome_fields(decision: RoutingDecision) -> None:
    by = decision.decided_by
    if by is DecidedBy.RULE and (decision.team is None or decision.rule_id is None):
        raise Refused(("decided_by",), "a decision by a rule names its team and rule_id", by)
    if by in (DecidedBy.TEAM_TAG, DecidedBy.TEAM_SEGMENT) and (
        decision.team is None or decision.membership is None
    ):
        raise Refused(
            ("decided_by",), f"a decision by {by.value} names its team and membership", by
        )
