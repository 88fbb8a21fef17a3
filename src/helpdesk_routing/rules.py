"""Ordered routing rules and the pure function that applies them to a ticket.

A rule is a condition (``when``) and one destination (``then``): :class:`AssignToTeam`
or :class:`SaveAsView`. :func:`decide` applies a :class:`RuleSet` to a ticket:

1. Rules are evaluated in their configured order; disabled rules are skipped.
2. Every matching *Save as view* rule applies: views accumulate.
3. The first matching *Assign to team* rule wins; later matching team rules are
   recorded as *shadowed* and not applied.
4. If no rule chose a team, the teams' own tag and segment memberships are tried, in
   team order: the first team that has one of the ticket's tags, or one of the
   customer's segments, gets the ticket.

:func:`decide` reads no clock and no store: ``now`` and the customer data come in as
arguments. The Router calls it, then allocates an agent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Annotated, Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from ._json import check_data, loads
from ._time import require_aware
from .conditions import (
    AllCondition,
    AnyCondition,
    CompiledCondition,
    Condition,
    EvaluationContext,
    FieldCatalogue,
    NotCondition,
    Operator,
    ProfileCondition,
    SegmentCondition,
    TicketCondition,
    compile_condition,
    condition_path,
    implies,
)
from .decision import DecidedBy, RoutingDecision, RuleOutcome, RuleTrace
from .errors import ErrorDetail, ValidationError
from .model import Profile, Team, Ticket
from .ports import CustomerData

__all__ = [
    "AssignToTeam",
    "Destination",
    "RoutingRule",
    "RuleIssue",
    "RuleSet",
    "SaveAsView",
    "decide",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class AssignToTeam(BaseModel):
    """Destination: ownership moves to the team; the ticket leaves Unassigned for its inbox."""

    model_config = _FROZEN

    type: Literal["assign_to_team"] = "assign_to_team"
    team: str = Field(min_length=1)

    def describe(self) -> str:
        """``team:<id>``."""
        return f"team:{self.team}"


class SaveAsView(BaseModel):
    """Destination: the ticket is marked into a named view; it is not assigned."""

    model_config = _FROZEN

    type: Literal["save_as_view"] = "save_as_view"
    view: str = Field(min_length=1)

    def describe(self) -> str:
        """``view:<name>``."""
        return f"view:{self.view}"


Destination = Annotated[AssignToTeam | SaveAsView, Field(discriminator="type")]
"""Where a matching rule sends a ticket."""


class RoutingRule(BaseModel):
    """One rule: when its condition holds, its destination applies."""

    model_config = _FROZEN

    id: str = Field(min_length=1)
    name: str = ""
    enabled: bool = True
    when: Condition
    then: Destination


@dataclass(frozen=True, slots=True)
class RuleIssue:
    """A problem :meth:`RuleSet.lint` found: the rule, the JSON path, and what is wrong."""

    rule_id: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"rule {self.rule_id!r} ({self.path}): {self.message}"


def _empty_groups(cond: Condition, path: str) -> list[str]:
    """JSON paths of ``all``/``any`` nodes without children (they decide nothing)."""
    if isinstance(cond, AllCondition | AnyCondition):
        if not cond.conditions:
            return [path]
        found: list[str] = []
        for i, child in enumerate(cond.conditions):
            found.extend(_empty_groups(child, f"{path}.conditions[{i}]"))
        return found
    if isinstance(cond, NotCondition):
        return _empty_groups(cond.condition, f"{path}.condition")
    return []


class RuleSet(BaseModel):
    """An ordered list of routing rules; rule ids are unique.

    Round trip: ``RuleSet.model_validate_json(rules.model_dump_json()) == rules``.
    :meth:`from_json` and :meth:`from_dict` load untrusted input and raise
    :class:`~helpdesk_routing.errors.ValidationError` naming each bad part by JSON path
    and, where it can, by rule id.
    """

    model_config = _FROZEN

    rules: tuple[RoutingRule, ...] = ()

    _compiled: list[tuple[RoutingRule, CompiledCondition]] | None = PrivateAttr(default=None)
    _index: _RuleIndex | None = PrivateAttr(default=None)

    def __eq__(self, other: object) -> bool:
        # The compiled cache is not part of a rule set's value.
        if not isinstance(other, RuleSet):
            return NotImplemented
        return self.rules == other.rules

    __hash__ = None  # type: ignore[assignment]

    @model_validator(mode="after")
    def _check(self) -> RuleSet:
        seen: dict[str, int] = {}
        for i, rule in enumerate(self.rules):
            if rule.id in seen:
                raise ValueError(
                    f"duplicate rule id {rule.id!r} at rules[{i}] (first at rules[{seen[rule.id]}])"
                )
            seen[rule.id] = i
            empty = _empty_groups(rule.when, f"rules[{i}].when")
            if empty:
                raise ValueError(
                    f"rule {rule.id!r}: empty all/any group at {empty[0]} (it decides nothing)"
                )
        return self

    # -- loading -----------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Any) -> RuleSet:
        """Validate a parsed JSON object; errors name the path and the rule id.

        The data must be JSON-shaped (see ``helpdesk_routing._json``): no lone
        surrogates, no NaN or infinity, nested at most ``MAX_DEPTH`` levels.
        """
        rules = data.get("rules") if isinstance(data, Mapping) else None
        try:
            check_data(data, "rule set")
            try:
                return cls.model_validate(data)
            except pydantic.ValidationError as exc:
                error = _rule_set_error(exc, data)
                codes = [e["type"] for e in exc.errors(include_url=False)]
                raise ValidationError(
                    error.message,
                    [replace(d, code=c) for d, c in zip(error.details, codes, strict=True)],
                ) from None
        except ValidationError as error:
            raise error.with_rule_ids(rules) from None

    @classmethod
    def from_json(cls, text: str | bytes) -> RuleSet:
        """Validate JSON text (strict: see ``helpdesk_routing._json``); every malformed
        input is one :class:`ValidationError` naming the path and the rule id."""
        return cls.from_dict(loads(text, "rule set", rules_key="rules"))

    # -- checks ------------------------------------------------------------------
    def validate_against(self, teams: Sequence[Team]) -> None:
        """Raise :class:`ValidationError` when a rule names a team that does not exist."""
        known = {t.id for t in teams}
        details = [
            ErrorDetail(
                f"$.rules[{i}].then.team",
                f"rule {rule.id!r}: unknown team {rule.then.team!r}",
            )
            for i, rule in enumerate(self.rules)
            if isinstance(rule.then, AssignToTeam) and rule.then.team not in known
        ]
        if details:
            raise ValidationError("rule set names unknown teams", details)

    def lint(
        self,
        *,
        teams: Sequence[Team] | None = None,
        catalogue: FieldCatalogue | None = None,
    ) -> list[RuleIssue]:
        """Report problems that do not make the rule set invalid but are likely mistakes.

        - a team rule that can never fire because an earlier enabled team rule's
          condition is the same or broader (decided syntactically by
          :func:`~helpdesk_routing.conditions.implies`; cases it cannot prove are not
          reported);
        - a rule naming an unknown team (when ``teams`` is given);
        - unknown fields, properties, metrics or segments, with a did-you-mean
          suggestion (when a ``catalogue`` is given).
        """
        issues: list[RuleIssue] = []
        known_teams = None if teams is None else {t.id for t in teams}
        earlier_team_rules: list[RoutingRule] = []
        for i, rule in enumerate(self.rules):
            base = f"$.rules[{i}]"
            if isinstance(rule.then, AssignToTeam):
                if known_teams is not None and rule.then.team not in known_teams:
                    issues.append(
                        RuleIssue(rule.id, f"{base}.then.team", f"unknown team {rule.then.team!r}")
                    )
                if rule.enabled:
                    for earlier in earlier_team_rules:
                        if implies(rule.when, earlier.when):
                            issues.append(
                                RuleIssue(
                                    rule.id,
                                    f"{base}.when",
                                    f"can never fire: earlier team rule {earlier.id!r} "
                                    "catches every ticket it matches",
                                )
                            )
                            break
                    earlier_team_rules.append(rule)
            if catalogue is not None:
                issues.extend(
                    RuleIssue(rule.id, found.path, found.message)
                    for found in catalogue.lint(rule.when, path=f"{base}.when")
                )
        return issues

    # -- evaluation --------------------------------------------------------------
    def compiled(self) -> list[tuple[RoutingRule, CompiledCondition]]:
        """The enabled rules with their compiled conditions, in order (compiled once)."""
        if self._compiled is None:
            self._compiled = [(r, compile_condition(r.when)) for r in self.rules if r.enabled]
        return self._compiled

    def candidates(
        self, ticket: Ticket, profile: Profile | None
    ) -> list[tuple[RoutingRule, CompiledCondition]]:
        """The enabled rules that can match ``ticket`` (with the customer's ``profile``),
        in order.

        A rule whose condition requires one of a set of channels, tags, profile texts
        (``equals``/``in``) or segments — through its conjuncts and alternatives — is
        looked at only for tickets that have one of them; every other rule always is.
        """
        if self._index is None:
            self._index = _RuleIndex(self.compiled())
        return self._index.candidates(ticket, profile)


_Key = tuple[str, ...]
"""An index key: ("channel", c), ("tag", t), ("profile", property, text) or ("segment", s)."""

_SEQUENCES = (list, tuple, set, frozenset)


def _plain(text: str) -> str:
    # A str subclass (a StrEnum, say) compares equal to its text but may hash otherwise.
    return text if type(text) is str else str.__str__(text)


def _texts(op: Operator, value: Any) -> frozenset[str] | None:
    """The texts an ``equals``/``contains`` (one) or ``in`` (several) test looks for."""
    if op in (Operator.EQUALS, Operator.CONTAINS) and isinstance(value, str):
        return frozenset({_plain(value)})
    if (
        op is Operator.IN
        and isinstance(value, _SEQUENCES)
        and all(isinstance(v, str) for v in value)
    ):
        return frozenset(_plain(v) for v in value)
    return None


def _requirement(cond: Condition) -> frozenset[_Key] | None:
    """Keys of which a ticket must have at least one for ``cond`` to hold (``None``: no
    such set is known, so the rule is always looked at).

    Sound because these tests are exact and case-sensitive (docs/conditions.md):
    ``channel equals x`` holds only for channel ``x``; ``tags contains x`` only when ``x``
    is a tag; a profile property ``equals x`` (text) only when the value is the text ``x``
    or a list holding it; ``in`` is any of those; segment membership only for members.
    """
    if isinstance(cond, TicketCondition):
        if cond.field == "channel" and cond.op in (Operator.EQUALS, Operator.IN):
            texts = _texts(cond.op, cond.value)
            return None if texts is None else frozenset(("channel", t) for t in texts)
        if cond.field == "tags" and cond.op in (Operator.EQUALS, Operator.CONTAINS, Operator.IN):
            texts = _texts(cond.op, cond.value)
            return None if texts is None else frozenset(("tag", t) for t in texts)
        return None
    if isinstance(cond, ProfileCondition):
        if cond.op in (Operator.EQUALS, Operator.IN):
            texts = _texts(cond.op, cond.value)
            if texts is not None:
                return frozenset(("profile", cond.property, t) for t in texts)
        return None
    if isinstance(cond, SegmentCondition):
        return frozenset({("segment", cond.segment)}) if cond.member else None
    if isinstance(cond, AllCondition):
        # Any one conjunct's requirement is the whole condition's: take the narrowest.
        found = [r for r in map(_requirement, cond.conditions) if r is not None]
        return min(found, key=len) if found else None
    if isinstance(cond, AnyCondition):
        union: set[_Key] = set()
        for child in cond.conditions:
            required = _requirement(child)
            if required is None:
                return None
            union |= required
        return frozenset(union)
    return None


class _RuleIndex:
    """Enabled rules by required channel, tag, profile text or segment, so that most rules
    are never looked at."""

    def __init__(self, compiled: list[tuple[RoutingRule, CompiledCondition]]) -> None:
        self._rules = compiled
        self._always: list[int] = []
        self._by_key: dict[_Key, list[int]] = {}
        properties: set[str] = set()
        for i, (rule, _) in enumerate(compiled):
            required = _requirement(rule.when)
            if required is None:
                self._always.append(i)
                continue
            for key in required:
                self._by_key.setdefault(key, []).append(i)
                if key[0] == "profile":
                    properties.add(key[1])
        self._properties = tuple(sorted(properties))
        self._flat = not self._by_key

    def candidates(
        self, ticket: Ticket, profile: Profile | None
    ) -> list[tuple[RoutingRule, CompiledCondition]]:
        if self._flat:
            return self._rules
        by_key = self._by_key
        positions = set(self._always)
        positions.update(by_key.get(("channel", ticket.channel), ()))
        for tag in ticket.tags:
            positions.update(by_key.get(("tag", tag), ()))
        if profile is not None:
            for segment in profile.segments:
                positions.update(by_key.get(("segment", segment), ()))
            values = profile.properties
            for name in self._properties:
                value = values.get(name)
                if isinstance(value, str):
                    positions.update(by_key.get(("profile", name, _plain(value)), ()))
                elif isinstance(value, _SEQUENCES):
                    for item in value:
                        if isinstance(item, str):
                            positions.update(by_key.get(("profile", name, _plain(item)), ()))
        rules = self._rules
        return [rules[i] for i in sorted(positions)]


_DESTINATION_TAGS = frozenset({"assign_to_team", "save_as_view"})


def _rule_set_error(exc: pydantic.ValidationError, data: Any) -> ValidationError:
    rules = data.get("rules") if isinstance(data, Mapping) else None
    details = []
    for err in exc.errors(include_url=False):
        # pydantic puts the destination's tag after "then"; a JSON path must not show it.
        loc = tuple(
            part
            for i, part in enumerate(err["loc"])
            if not (i > 0 and err["loc"][i - 1] == "then" and part in _DESTINATION_TAGS)
        )
        msg = err["msg"]
        if (
            len(loc) >= 2
            and loc[0] == "rules"
            and isinstance(loc[1], int)
            and isinstance(rules, list)
            and loc[1] < len(rules)
            and isinstance(rules[loc[1]], Mapping)
            and isinstance(rules[loc[1]].get("id"), str)
        ):
            msg = f"rule {rules[loc[1]]['id']!r}: {msg}"
        details.append(ErrorDetail(condition_path(loc), msg))
    return ValidationError("invalid rule set", details)


def decide(
    rules: RuleSet,
    teams: Sequence[Team],
    ticket: Ticket,
    customer_data: CustomerData,
    now: datetime,
    *,
    explain: bool = True,
) -> RoutingDecision:
    """Apply ``rules`` (then the teams' memberships) to ``ticket`` at ``now``.

    Pure: no store, no clock. The decision has ``team``, ``views``, ``rule_id`` and
    ``decided_by`` set and no assignee (allocation is the Router's job).

    With ``explain=True`` every rule gets a :class:`RuleTrace` with its condition trace
    (why it matched or not). With ``explain=False`` (the fast path, for high volume) only
    the applied and shadowed rules are recorded, without condition traces.
    """
    now = require_aware(now, "now")
    profile = customer_data.profile(ticket.profile_id) if ticket.profile_id else None
    ctx = EvaluationContext(ticket=ticket, profile=profile, customer_data=customer_data, now=now)

    team: str | None = None
    rule_id: str | None = None
    views: list[str] = []
    traces: list[RuleTrace] = []
    compiled = rules.compiled()
    if explain:
        # compiled() is the enabled rules in rule order: walk both together.
        enabled = iter(compiled)
        for rule in rules.rules:
            if not rule.enabled:
                traces.append(_trace(rule, RuleOutcome.DISABLED, None))
                continue
            _, cond = next(enabled)
            cond_trace = cond.explain(ctx)
            outcome, team, rule_id = _apply(rule, cond_trace.holds, team, rule_id, views)
            traces.append(_trace(rule, outcome, cond_trace))
    else:
        for rule, cond in rules.candidates(ticket, profile):
            if cond(ctx):
                outcome, team, rule_id = _apply(rule, True, team, rule_id, views)
                traces.append(_trace(rule, outcome, None))

    decided_by = DecidedBy.RULE if team is not None else DecidedBy.NONE
    membership: str | None = None
    if team is None:
        segments = profile.segments if profile is not None else frozenset()
        for candidate in teams:
            tags = candidate.tags & ticket.tags
            if tags:
                team, decided_by, membership = candidate.id, DecidedBy.TEAM_TAG, min(tags)
                break
            segs = candidate.segments & segments
            if segs:
                team, decided_by, membership = candidate.id, DecidedBy.TEAM_SEGMENT, min(segs)
                break

    return RoutingDecision(
        ticket_id=ticket.id,
        at=now,
        team=team,
        views=tuple(dict.fromkeys(views)),
        rule_id=rule_id,
        decided_by=decided_by,
        membership=membership,
        rules=tuple(traces),
        explained=explain,
    )


def _apply(
    rule: RoutingRule, holds: bool, team: str | None, rule_id: str | None, views: list[str]
) -> tuple[RuleOutcome, str | None, str | None]:
    if not holds:
        return RuleOutcome.NOT_MATCHED, team, rule_id
    if isinstance(rule.then, SaveAsView):
        views.append(rule.then.view)
        return RuleOutcome.APPLIED, team, rule_id
    if team is not None:
        return RuleOutcome.SHADOWED, team, rule_id
    return RuleOutcome.APPLIED, rule.then.team, rule.id


def _trace(rule: RoutingRule, outcome: RuleOutcome, cond: Any) -> RuleTrace:
    return RuleTrace(
        rule_id=rule.id,
        name=rule.name,
        destination=rule.then.describe(),
        outcome=outcome,
        condition=cond,
    )
