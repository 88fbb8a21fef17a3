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

import reprlib
from collections import UserString
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal, Self, TypeGuard

import pydantic
from pydantic import (
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from helpdesk_routing._input import CheckedCopy, InputModel, as_model, integer_argument

from ._json import MAX_INT, check_data, loads
from ._rule_index import RuleIndex, SkipReasons, presented
from ._shown import shown
from ._storable import StoredText
from ._stored import is_stored
from ._time import require_aware
from ._trusted import updated
from .conditions import (
    AllCondition,
    AnyCondition,
    CompiledCondition,
    Condition,
    EvaluationContext,
    FieldCatalogue,
    NotCondition,
    ProfileCondition,
    TicketCondition,
    compile_condition,
    condition_path,
)
from .conditions._depth import depth_message, too_deep
from .conditions._leaves import BUILTIN_TICKET_FIELDS
from .conditions._shadowing import first_implied
from .conditions.context import CUSTOMER_DATA, profile_of, read_back
from .conditions.nodes import bytes_details
from .decision import DecidedBy, RoutingDecision, RuleOutcome, RulePart
from .errors import (
    UNION_TAGS,
    ArgumentTypeError,
    ErrorDetail,
    ModelValidationError,
    ValidationError,
    _line,
    pydantic_message,
)
from .model import IdText, Profile, Team, Ticket, in_given_order, unordered
from .ports import CustomerData, require_customer_data

__all__ = [
    "AssignToTeam",
    "Destination",
    "RoutingRule",
    "RuleIssue",
    "RuleSet",
    "SaveAsView",
    "decide",
]


class AssignToTeam(CheckedCopy):
    """Destination: ownership moves to the team; the ticket leaves Unassigned for its inbox."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["assign_to_team"] = "assign_to_team"
    team: IdText

    def describe(self) -> str:
        """``team:<id>``."""
        return f"team:{shown(self.team)}"


class SaveAsView(CheckedCopy):
    """Destination: the ticket is marked into a named view; it is not assigned."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["save_as_view"] = "save_as_view"
    view: IdText

    def describe(self) -> str:
        """``view:<name>``."""
        return f"view:{shown(self.view)}"


Destination = Annotated[AssignToTeam | SaveAsView, Field(discriminator="type")]
"""Where a matching rule sends a ticket."""

UNION_TAGS["then"] = ("destination", ("assign_to_team", "save_as_view"))


class RoutingRule(CheckedCopy):
    """One rule: when its condition holds, its destination applies."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: StoredText = Field(min_length=1)
    name: StoredText = ""
    enabled: bool = Field(default=True, strict=True)
    when: Condition
    then: Destination

    _read_back: bool = PrivateAttr(default=False)
    """Whether the rule was read back from a store (validation context ``STORED``), where
    the rules only for input pass (a 300-character view name): ``configure`` checks such
    a rule as input again when it is given back (``configuration.updated``)."""

    @model_validator(mode="after")
    def _mark_read_back(self, info: ValidationInfo) -> Self:
        if is_stored(info):
            self._read_back = True
        return self

    def __eq__(self, other: object) -> bool:
        # A rule's value is its fields: where it was read from (its mark) is not.
        if not isinstance(other, RoutingRule):
            return NotImplemented
        return type(self) is type(other) and self.__dict__ == other.__dict__

    __hash__ = CheckedCopy.__hash__

    @field_validator("when", mode="before")
    @classmethod
    def _not_too_deep(cls, when: Any) -> Any:
        # A node is not validated again (pydantic keeps an instance as it is): one built
        # by model_construct is measured here. JSON input is measured by its own nodes.
        if isinstance(when, AllCondition | AnyCondition | NotCondition):
            where = too_deep(when)
            if where is not None:
                raise PydanticCustomError("condition_depth", depth_message(where))
        refuse = getattr(when, "_no_condition", None)
        if callable(refuse):  # a field reference left untested, said as the builder says it
            try:
                refuse()
            except ArgumentTypeError as exc:
                raise PydanticCustomError("condition_type", "{said}", {"said": str(exc)}) from None
        return when


@dataclass(frozen=True, slots=True)
class RuleIssue:
    """A problem :meth:`RuleSet.lint` found: the rule, the JSON path, and what is wrong."""

    rule_id: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"rule {self.rule_id!r} ({self.path}): {self.message}"


def _empty_groups(cond: Condition, loc: tuple[str | int, ...]) -> list[tuple[str | int, ...]]:
    """Locations (``loc`` extended, as pydantic gives them) of ``all``/``any`` nodes
    without children (they decide nothing), in document order (a walk with its own
    stack: no recursion)."""
    found: list[tuple[str | int, ...]] = []
    stack: list[tuple[Condition, tuple[str | int, ...]]] = [(cond, loc)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, AllCondition | AnyCondition):
            if not node.conditions:
                found.append(where)
            stack.extend(
                (child, (*where, "conditions", i))
                for i, child in reversed(list(enumerate(node.conditions)))
            )
        elif isinstance(node, NotCondition):
            stack.append((node.condition, (*where, "condition")))
    return found


_REPR_IDS = 3
"""How many rule ids a rule set's repr names."""


class RuleSet(InputModel):
    """An ordered list of routing rules; rule ids are unique.

    Round trip: ``RuleSet.model_validate_json(rules.model_dump_json()) == rules``.
    :meth:`from_json` and :meth:`from_dict` load untrusted input and raise
    :class:`~helpdesk_routing.errors.ValidationError` naming each bad part by JSON path
    and, where it can, by rule id.
    """

    _json_rules_key: ClassVar[str | None] = "rules"

    model_config = ConfigDict(frozen=True, extra="forbid")

    rules: Annotated[tuple[RoutingRule, ...], in_given_order("rules")] = ()

    _prepared: _Prepared | None = PrivateAttr(default=None)

    def __eq__(self, other: object) -> bool:
        # The compiled cache is not part of a rule set's value.
        if not isinstance(other, RuleSet):
            return NotImplemented
        return self.rules == other.rules

    def __hash__(self) -> int:
        return hash((RuleSet, self.rules))

    def __repr__(self) -> str:
        # One bounded line (the default printed every rule: ~500 characters a rule);
        # str(), the JSON and equality are the model's own.
        count = len(self.rules)
        if not count:
            return "<RuleSet: no rules>"
        ids = ", ".join(reprlib.repr(rule.id) for rule in self.rules[:_REPR_IDS])
        more = ", ..." if count > _REPR_IDS else ""
        return f"<RuleSet: {count:,} rule{'s' if count != 1 else ''} ({ids}{more})>"

    def __getstate__(self) -> dict[Any, Any]:
        # The compiled closures do not pickle; they are rebuilt on first use.
        state = super().__getstate__()
        private = state.get("__pydantic_private__")
        if private:
            state = {**state, "__pydantic_private__": {**private, "_prepared": None}}
        return state

    @model_validator(mode="wrap")
    @classmethod
    def _with_ids_repeated(
        cls, data: Any, handler: pydantic.ModelWrapValidatorHandler[Self]
    ) -> Self:
        # A rule's own problem stops the check below (it runs on a whole rule set): the
        # ids the input gives twice are told with it, from the input, so that every door
        # (RuleSet(...), model_validate, its JSON, a Configuration holding it) names
        # every problem at once, as the loader does.
        try:
            return handler(data)
        except pydantic.ValidationError as exc:
            found = exc.errors(include_url=False)
            if any(e["type"] == "rule_duplicate_id" for e in found):
                raise
            repeated = _repeated_ids(data)
            if not repeated:
                raise
            lines = [*(_line(e) for e in found), *repeated]
            lines.sort(key=_line_rule_index)
            raise pydantic.ValidationError.from_exception_data(exc.title, lines) from None

    @model_validator(mode="after")
    def _check(self) -> RuleSet:
        # Every problem is reported, each at its own path (a rule set with three copies
        # of one id has two to fix; a duplicate id hides no empty group): pydantic puts
        # the locations under this rule set's own where it is nested (a Configuration's
        # "rules").
        problems = _repeated_ids({"rules": self.rules})  # one rule's first, when sorted
        for i, rule in enumerate(self.rules):
            # Validation refuses a deeper condition; a rule built by model_construct did
            # not go through it.
            where = too_deep(rule.when)
            if where is not None:
                said = f"rule {rule.id!r}: condition {depth_message(where)}"
                # the rule's id stands for the input: the condition itself is too deep
                # for an error's JSON (errors()) to show
                problems.append(_at("condition_depth", ("rules", i, "when"), said, rule.id))
                continue  # reported once, as too deep: that is what to fix first
            said = f"rule {rule.id!r}: empty all/any group (it decides nothing)"
            problems.extend(
                _at("rule_empty_group", loc, said, rule.when)
                for loc in _empty_groups(rule.when, ("rules", i, "when"))
            )
        if problems:
            problems.sort(key=_line_rule_index)  # in the rules' order, stable within one
            raise pydantic.ValidationError.from_exception_data(type(self).__name__, problems)
        return self

    # -- loading -----------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Any) -> RuleSet:
        """Validate a parsed JSON object; errors name the path and the rule id.

        The data must be JSON-shaped (see ``helpdesk_routing._json``): no lone
        surrogates, no NaN or infinity, nested at most ``MAX_DEPTH`` levels, and no
        ``bytes`` or ``bytearray`` (JSON has none: ``string_type`` at its path, as for
        a number where text belongs).
        """
        rules = _rule_ids(data)
        try:
            found = bytes_details(data)
            try:
                check_data(data, "rule set")
            except ValidationError as error:
                found = [*error.details, *found]
            if found:
                raise ValidationError("invalid rule set", found).with_rule_ids(rules, say=True)
            try:
                return cls.model_validate(data)
            except ModelValidationError as exc:
                # located already, from pydantic's own error (its context included)
                found = list(exc.details)
            except pydantic.ValidationError as exc:
                found = _located(exc, data)
            # the ids given twice are told with a rule's own problems (_with_ids_repeated)
            raise ValidationError("invalid rule set", found)
        except ValidationError as error:
            raise error.with_rule_ids(rules) from None

    @classmethod
    def _input_details(cls, error: pydantic.ValidationError, data: Any) -> list[ErrorDetail]:
        # A rule set built directly reports its errors as its loader does: clean JSON
        # paths (no union tags) and the rule ids.
        return _located(error, data)

    @classmethod
    def from_json(cls, text: str | bytes) -> RuleSet:
        """Validate JSON text (strict: see ``helpdesk_routing._json``); every malformed
        input is one :class:`ValidationError` naming the path and the rule id."""
        return cls.from_dict(loads(text, "rule set", rules_key="rules"))

    # -- checks ------------------------------------------------------------------
    def validate_against(self, teams: Sequence[Team | Mapping[str, Any]]) -> None:
        """Raise :class:`ValidationError` when a rule names a team that does not exist:
        one detail per such rule, at ``$.rules[i].then.team``, code ``unknown_team``,
        with the rule's id. ``teams`` are :class:`Team` objects or mappings of their
        fields, as ``Router(teams=...)`` takes them; anything else is refused naming it
        (``teams[1] must be a Team or a mapping of its fields, got str``)."""
        check_team_ids(self, _team_ids(teams))

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
        if catalogue is not None and not isinstance(catalogue, FieldCatalogue):
            raise ArgumentTypeError(
                f"catalogue must be a FieldCatalogue, got {type(catalogue).__name__}"
            )
        issues: list[RuleIssue] = []
        known_teams = None if teams is None else _team_ids(teams)
        # Enabled team rules, compared only with the earlier ones they could imply.
        team_rules = [
            i for i, r in enumerate(self.rules) if r.enabled and isinstance(r.then, AssignToTeam)
        ]
        caught = first_implied([self.rules[i].when for i in team_rules])
        catcher = {
            i: self.rules[team_rules[k]].id
            for i, k in zip(team_rules, caught, strict=True)
            if k is not None
        }
        for i, rule in enumerate(self.rules):
            base = f"$.rules[{i}]"
            if isinstance(rule.then, AssignToTeam):
                if known_teams is not None and rule.then.team not in known_teams:
                    issues.append(
                        RuleIssue(rule.id, f"{base}.then.team", f"unknown team {rule.then.team!r}")
                    )
                if i in catcher:
                    issues.append(
                        RuleIssue(
                            rule.id,
                            f"{base}.when",
                            f"can never fire: earlier team rule {catcher[i]!r} "
                            "catches every ticket it matches",
                        )
                    )
            if catalogue is not None:
                issues.extend(
                    RuleIssue(rule.id, found.path, found.message)
                    for found in catalogue.lint(rule.when, path=f"{base}.when")
                )
        return issues

    # -- evaluation ------------------------------------------------------------
    # The compiled rules and their index are the library's own (decide, rule_parts): no
    # public method of a rule set hands them out, so none is a promise to users.
    def _prepare(self) -> _Prepared:
        """The compiled rules, their index and their positions by id (built once)."""
        # Read from pydantic's private dict directly: the attribute path goes through
        # BaseModel.__getattr__, which costs more than a routing step here.
        private = self.__pydantic_private__
        prepared = None if private is None else private.get("_prepared")
        # Built for these very rules: a copy (model_copy, copy.copy) carries the cache of
        # the rule set it came from, and must never route with that one's rules.
        if prepared is None or prepared.source is not self.rules:
            prepared = self._prepared = _Prepared(self.rules)
        return prepared

    def _forget_prepared(self) -> None:
        """Drop the compiled rules (rebuilt on the next use): what a Router's cache of
        compiled versions does for a version it lets go, which a store may hold for as
        long as it lives (the in-memory store kept every version's compiled rules)."""
        private = self.__pydantic_private__
        if private is not None and private.get("_prepared") is not None:
            private["_prepared"] = None

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; with ``update``, a new rule set validated like any other (unique ids,
        no empty groups): pydantic's plain ``model_copy`` would skip validation."""
        if not update:
            return super().model_copy(deep=deep)
        values = {**dict(self), **update}
        try:
            return self.model_validate(values)
        except ModelValidationError as exc:
            # located as RuleSet(...) locates them: JSON paths and rule ids
            raise ValidationError("invalid rule set", exc.details) from None

    def _candidates(
        self, ticket: Ticket, profile: Profile | None
    ) -> list[tuple[RoutingRule, CompiledCondition]]:
        """The enabled rules that can match ``ticket`` (with the customer's ``profile``),
        in order. The custom values are read in their stored form, as :func:`decide`
        reads them (a ``date`` in a field is its ISO text).

        A rule whose condition requires one of a set of channels, tags, profile texts
        (``equals``/``in``), segments or texts within a ticket field or a profile
        property (``subject contains 'refund'``) — through its conjuncts and
        alternatives — is keyed on the most selective such set and looked at only for
        tickets that have one of its keys (for a text within a value: one of its
        three-character substrings); every other rule always is.
        """
        prepared = self._prepare()
        compiled = prepared.compiled
        ticket, profile = prepared.stored(ticket, profile)
        return [compiled[i] for i in prepared.index.positions(ticket, profile)]

    def rule_parts(self, decision: RoutingDecision) -> list[RulePart]:
        """Every rule's part in ``decision`` (which this rule set made), in rule order, as
        ``(rule_id, name, destination, outcome, condition trace or None, reason)``: each
        evaluated condition's trace rendered from its facts, why the index skipped a rule.
        A decision made without explanation lists its applied and shadowed rules only.

        Raises :class:`~helpdesk_routing.errors.ValidationError` (a ``ValueError``) when
        the decision names a rule this set does not have; anything but a
        ``RoutingDecision`` is an :class:`~helpdesk_routing.errors.ArgumentTypeError`.
        """
        if not isinstance(decision, RoutingDecision):
            raise ArgumentTypeError(
                f"decision must be a RoutingDecision (RoutingDecision.model_validate reads "
                f"one), got {type(decision).__name__}"
            )
        entries = {entry[0]: entry for entry in decision.evaluated}
        prepared = self._prepare()
        by_id = prepared.by_id
        unknown = [rule_id for rule_id in entries if rule_id not in by_id]
        if unknown:
            raise ValidationError(
                f"decision for ticket {decision.ticket_id!r} names rules this rule set "
                f"does not have: {', '.join(repr(u) for u in unknown)}"
            )
        explained = decision.explained
        shown = decision.presented
        # Without what the ticket presented (a decision read from outside without it),
        # whether it had a profile is unknown: its facts are shown as recorded, not as
        # "no profile" (a test that held on 'France' read "no profile: not set").
        has_profile = len(shown) <= 2 or shown[2] is not None
        skipped = SkipReasons(prepared.index, shown) if explained and len(shown) > 2 else None
        parts: list[RulePart] = []
        for rule in self.rules:
            entry = entries.get(rule.id)
            condition = None
            reason = ""
            if entry is not None:
                outcome = RuleOutcome(entry[1])
                if explained:
                    compiled = by_id[rule.id][1]
                    if compiled is None:  # disabled here since: its facts fit no condition
                        raise ValidationError(
                            f"decision for ticket {decision.ticket_id!r} records rule "
                            f"{rule.id!r} as evaluated, but this rule set has it disabled: "
                            "bind the rule set that decided"
                        )
                    condition = compiled.render(entry[2:], now=decision.at, has_profile=has_profile)
            elif not explained:
                continue
            elif not rule.enabled:
                outcome = RuleOutcome.DISABLED
            else:
                outcome = RuleOutcome.SKIPPED
                reason = (
                    "not evaluated by this decision"
                    if skipped is None
                    else skipped.reason(by_id[rule.id][0])
                )
            parts.append((rule.id, rule.name, rule.then.describe(), outcome, condition, reason))
        if decision.decided_by is DecidedBy.RULE:
            self._check_chosen(decision, entries, recorded=bool(entries) or explained)
        return parts

    def _check_chosen(
        self, decision: RoutingDecision, entries: Mapping[str, Any], *, recorded: bool
    ) -> None:
        """Raise :class:`~helpdesk_routing.errors.ValidationError` unless the rule the
        decision says chose its team is one this rule set has, that assigns that team
        here, and (``recorded``: a decision that records its rules) one it records as
        applied: a rule set edited since with the same rule ids, or a decision written
        by hand, named a rule that did not choose. A decision recording no rule, an
        earlier version's unexplained one, explains its outcome fields only."""
        rule_id = decision.rule_id
        entry = entries.get(rule_id) if rule_id is not None else None
        if recorded and (entry is None or RuleOutcome(entry[1]) is not RuleOutcome.APPLIED):
            said = "records no outcome for it" if entry is None else f"records it {entry[1]}"
            raise ValidationError(
                f"decision for ticket {decision.ticket_id!r} says rule {rule_id!r} chose "
                f"team {decision.team!r}, but {said}"
            )
        then = next((rule.then for rule in self.rules if rule.id == rule_id), None)
        if then is None:
            raise ValidationError(
                f"decision for ticket {decision.ticket_id!r} names rules this rule set "
                f"does not have: {rule_id!r}"
            )
        if not isinstance(then, AssignToTeam) or then.team != decision.team:
            raise ValidationError(
                f"decision for ticket {decision.ticket_id!r} says rule {rule_id!r} chose "
                f"team {decision.team!r}, but in this rule set that rule goes to "
                f"{then.describe()}: bind the rule set that decided"
            )


class _Prepared:
    """What evaluation needs of a rule set, built once: the enabled rules compiled, in
    order; their index; rule id -> (position among the enabled rules or -1, compiled
    condition or None); the custom field and profile property names the enabled rules
    read (the only custom values a decision puts in their stored form)."""

    __slots__ = ("by_id", "compiled", "fields_read", "index", "properties_read", "source")

    def __init__(self, rules: Sequence[RoutingRule]) -> None:
        self.source = rules
        self.compiled = [(r, compile_condition(r.when)) for r in rules if r.enabled]
        self.index = RuleIndex([rule.when for rule, _ in self.compiled])
        self.by_id: dict[str, tuple[int, CompiledCondition | None]] = {
            rule.id: (-1, None) for rule in rules
        }
        for i, (rule, compiled) in enumerate(self.compiled):
            self.by_id[rule.id] = (i, compiled)
        self.fields_read, self.properties_read = _names_read(rule.when for rule, _ in self.compiled)

    def stored(self, ticket: Ticket, profile: Profile | None) -> tuple[Ticket, Profile | None]:
        """``ticket`` and ``profile`` with the custom values these rules read in their
        stored form, as every store gives them back (a ``date`` as its ISO text): each
        mapping walked once, only at the names read, and the models themselves when
        nothing changes (the common case)."""
        names = self.fields_read
        if names and ticket.fields:
            fields = read_back(ticket.fields, names)
            if fields is not ticket.fields:
                ticket = updated(ticket, fields=fields)  # trusted: checked values' stored form
        names = self.properties_read
        if names and profile is not None and profile.properties:
            properties = read_back(profile.properties, names)
            if properties is not profile.properties:
                profile = updated(profile, properties=properties)  # trusted, as above
        return ticket, profile


def check_team_ids(rules: RuleSet, known: Collection[str]) -> None:
    """:meth:`RuleSet.validate_against` for the team ids ``known`` (teams read only so far
    as their ids: ``helpdesk-routing check`` of a file where another part of a team is
    bad)."""
    details = [
        ErrorDetail(
            f"$.rules[{i}].then.team",
            f"rule {rule.id!r}: unknown team {rule.then.team!r}",
            "unknown_team",
            rule.id,
        )
        for i, rule in enumerate(rules.rules)
        if isinstance(rule.then, AssignToTeam) and rule.then.team not in known
    ]
    if details:
        raise ValidationError("rule set names unknown teams", details)


def _team_ids(teams: Sequence[Team | Mapping[str, Any]]) -> set[str]:
    """The ids of ``teams``, :class:`Team` objects or mappings of their fields (as
    ``Router(teams=...)`` takes them); anything else is refused, naming it."""
    if isinstance(teams, str | bytes | Mapping) or not isinstance(teams, Iterable):
        # (a dict was walked by its keys: "teams[0] ... got str")
        raise ArgumentTypeError(f"teams must be a list of Team, got {type(teams).__name__}")
    ids = set()
    for i, team in enumerate(teams):
        if not isinstance(team, Team | Mapping):
            raise ArgumentTypeError(
                f"teams[{i}] must be a Team or a mapping of its fields, got {type(team).__name__}"
            )
        ids.add(as_model(Team, team, f"teams[{i}]").id)
    return ids


def _names_read(conditions: Iterable[Condition]) -> tuple[frozenset[str], frozenset[str]]:
    """The custom ticket fields and the profile properties ``conditions`` test (walked
    with a stack of their own: a condition nests up to its depth bound)."""
    fields: set[str] = set()
    properties: set[str] = set()
    stack: list[Condition] = list(conditions)
    while stack:
        node = stack.pop()
        if isinstance(node, TicketCondition):
            if node.field not in BUILTIN_TICKET_FIELDS:
                fields.add(node.field)
        elif isinstance(node, ProfileCondition):
            properties.add(node.property)
        elif isinstance(node, AllCondition | AnyCondition):
            stack.extend(node.conditions)
        elif isinstance(node, NotCondition):
            stack.append(node.condition)
    return frozenset(fields), frozenset(properties)


_DESTINATION_TAGS = frozenset({"assign_to_team", "save_as_view"})


def _at(code: str, loc: tuple[str | int, ...], message: str, value: object) -> InitErrorDetails:
    """A rule set's own check failing at ``loc`` (``("rules", 1, "id")``); its message
    names the rule already (:func:`_rule_set_error` adds no ``rule 'id':`` to it)."""
    error = PydanticCustomError(code, "{message}", {"message": message, "own": True})
    return InitErrorDetails(type=error, loc=loc, input=value)


def _repeated_ids(data: Any) -> list[InitErrorDetails]:
    """The rule ids a rule set's input ``data`` (or ``{"rules": rule_set.rules}``) gives
    twice (text ids), each at ``("rules", i, "id")``, in the rules' order: the one
    statement of it, for the rule set's own check and for its input's."""
    ids = _rule_ids(data)
    seen: dict[str, int] = {}
    repeated: list[InitErrorDetails] = []
    for i, rule in enumerate(ids or ()):
        if rule is None:
            continue
        rule_id = rule["id"]
        if rule_id not in seen:
            seen[rule_id] = i
            continue
        said = f"duplicate rule id {rule_id!r} (first at rules[{seen[rule_id]}])"
        repeated.append(_at("rule_duplicate_id", ("rules", i, "id"), said, rule_id))
    return repeated


def _line_rule_index(line: Any) -> int:
    """The index of the rule an error's location lies in (``("rules", 3, ...)``), -1
    outside one: lines sorted by it stay in the order they came within a rule."""
    loc = line["loc"]
    return loc[1] if len(loc) > 1 and loc[0] == "rules" and type(loc[1]) is int else -1


def _located(exc: pydantic.ValidationError, data: Any) -> list[ErrorDetail]:
    """One detail per error of ``exc``: its clean JSON path, message, pydantic's code and
    the id of the rule it lies in (from ``data``, the input as given)."""
    error = _rule_set_error(exc, data)
    codes = [e["type"] for e in exc.errors(include_url=False)]
    located = ValidationError(
        error.message, [replace(d, code=c) for d, c in zip(error.details, codes, strict=True)]
    )
    return list(located.with_rule_ids(_rule_ids(data)).details)


def _rule_ids(data: Any) -> list[dict[str, str] | None] | None:
    """The rules of a rule set's input (a list or tuple of mappings or of
    :class:`RoutingRule`s, as ``from_dict`` and ``RuleSet(rules=...)`` take them) as
    ``{"id": id}`` where a rule has a text id, for ``ValidationError.with_rule_ids``."""
    rules = data.get("rules") if isinstance(data, Mapping) else None
    if not listed_rules(rules):  # a deque too, as pydantic reads one for the rules' tuple
        return None
    return [None if rule_id is None else {"id": rule_id} for rule_id in map(rule_id_of, rules)]


def listed_rules(rules: Any) -> TypeGuard[Sequence[Any]]:
    """Whether ``rules`` is a list or tuple of rules, or another sequence of them as
    ``configuration.RulesGiven`` says (a ``deque``, a ``UserList``), not text or bytes
    (a ``UserString`` of JSON text was read as 13 rules, one a character): where
    ``Configuration(rules=...)`` takes the rule set's document as that sequence, a rule
    of it at ``$.rules[i]``."""
    return isinstance(rules, list | tuple) or (
        isinstance(rules, Sequence) and not isinstance(rules, _TEXTS)
    )


_TEXTS = (str, bytes, bytearray, memoryview, UserString)
"""Sequences that are text or bytes, never a sequence of rules."""


def rule_id_of(rule: Any) -> str | None:
    """The id of a rule as given (a :class:`RoutingRule`, or a mapping with a text
    ``id``), or ``None``."""
    found = rule.id if isinstance(rule, RoutingRule) else None
    if isinstance(rule, Mapping):
        found = rule.get("id")
    return found if isinstance(found, str) else None


def _rule_set_error(exc: pydantic.ValidationError, data: Any) -> ValidationError:
    rules = _rule_ids(data)
    details = []
    for err in exc.errors(include_url=False):
        # pydantic puts the destination's tag after "then"; a JSON path must not show it.
        loc = tuple(
            part
            for i, part in enumerate(err["loc"])
            if not (i > 0 and err["loc"][i - 1] == "then" and part in _DESTINATION_TAGS)
        )
        msg = pydantic_message(err)
        own = (err.get("ctx") or {}).get("own") is True
        if (
            not own
            and len(loc) >= 2
            and loc[0] == "rules"
            and isinstance(loc[1], int)
            and rules is not None
            and loc[1] < len(rules)
        ):
            rule = rules[loc[1]]
            if rule is not None:
                msg = f"rule {rule['id']!r}: {msg}"
        details.append(ErrorDetail(condition_path(loc, err["type"]), msg))
    return ValidationError("invalid rule set", details)


def decide(
    rules: RuleSet,
    teams: Sequence[Team],
    ticket: Ticket,
    customer_data: CustomerData,
    now: datetime,
    *,
    explain: bool = True,
    configuration_version: int | None = None,
) -> RoutingDecision:
    """Apply ``rules`` (then the teams' memberships) to ``ticket`` at ``now``.

    Pure: no store, no clock. The ticket and its profile are decided in their stored
    form (a ``date`` or ``datetime`` in a custom value is its ISO text), as
    ``Router.route`` decides them and as every store gives them back. The decision has
    ``team``, ``views``, ``rule_id`` and ``decided_by`` set, no assignee (allocation is
    the Router's job), and is bound to ``rules`` (:meth:`RoutingDecision.with_rules`).
    ``configuration_version`` is recorded on the decision (the Router passes the stored
    version whose rules these are).

    Only the rules the index cannot rule out are evaluated. With ``explain=True`` (the
    default) each of them records its outcome and the facts its condition saw, and the
    decision records what the ticket showed the index, so that ``decision.explain()``
    can later say, for every rule, why it matched or not. ``explain=False`` keeps less
    detail: only the applied and shadowed rules, without facts.
    """
    now = require_aware(now, "now")
    # Each argument of the wrong kind is named here, not met as an AttributeError deep
    # inside (a few type tests: nothing next to deciding).
    if not isinstance(rules, RuleSet):
        raise ArgumentTypeError(
            f"rules must be a RuleSet, got {type(rules).__name__} "
            "(read JSON with RuleSet.from_dict or RuleSet.from_json)"
        )
    if not isinstance(ticket, Ticket):
        raise ArgumentTypeError(f"ticket must be a Ticket, got {type(ticket).__name__}")
    require_customer_data(customer_data, "customer_data", CUSTOMER_DATA)
    if type(teams) is not tuple:
        if isinstance(teams, str | bytes | Mapping) or not isinstance(teams, Iterable):
            raise ArgumentTypeError(f"teams must be a list of Team, got {type(teams).__name__}")
        if (said := unordered("teams", teams)) is not None:
            raise ArgumentTypeError(said)  # the team tried first would change by process
    for i, given in enumerate(teams):
        if not isinstance(given, Team):
            raise ArgumentTypeError(f"teams[{i}] must be a Team, got {type(given).__name__}")
    if explain.__class__ is not bool:  # "no" is true, and was kept as the flag
        raise ArgumentTypeError(f"explain must be a bool, got {explain!r}")
    version = configuration_version
    if version is not None:  # kept on the decision as given: it must read back as itself
        whole = integer_argument(version)
        if whole is None:
            raise ArgumentTypeError(
                f"configuration_version must be an int or None, got {version!r}"
            )
        version = whole
        if not 0 <= version <= MAX_INT:
            got = str(version) if abs(version) < 10**30 else f"{version.bit_length()} bits"
            raise ValidationError(f"configuration_version must be from 0 to 2**63 - 1, got {got}")
    return decide_unchecked(rules, teams, ticket, customer_data, now, explain, version)


def decide_unchecked(
    rules: RuleSet,
    teams: Sequence[Team],
    ticket: Ticket,
    customer_data: CustomerData,
    now: datetime,
    explain: bool,
    configuration_version: int | None,
) -> RoutingDecision:
    """:func:`decide` of arguments known to be of their kinds, ``now`` aware: the
    Router's path (its configuration, customer data and clock were checked when they
    were given), which the argument checks would cost a few calls a route."""
    prepared = rules._prepare()
    # Decided in the stored form, as the Router decides it and as any store gives the
    # ticket and the profile back (a date in a custom value is its ISO text): the same
    # ticket gets the same decision live, routed, or read back. Once, here: the index and
    # the conditions read these very values.
    profile = profile_of(customer_data, ticket.profile_id)
    compiled = prepared.compiled
    candidates: list[tuple[RoutingRule, CompiledCondition]] = []
    if compiled:  # no enabled rule: no custom value is read, nothing for the index to rule out
        ticket, profile = prepared.stored(ticket, profile)
        candidates = [compiled[i] for i in prepared.index.positions(ticket, profile)]

    team: str | None = None
    rule_id: str | None = None
    views: list[str] = []
    evaluated: list[tuple[Any, ...]] = []
    if candidates:  # what the conditions read; none to evaluate when the index ruled all out
        ctx = EvaluationContext._stored(ticket, profile, customer_data, now)
    if explain:
        not_matched = RuleOutcome.NOT_MATCHED
        for rule, cond in candidates:
            entry: list[Any] = [rule.id, not_matched]
            if cond.record(ctx, entry):
                entry[1], team, rule_id = _apply(rule, True, team, rule_id, views)
            evaluated.append(tuple(entry))
        shown = presented(ticket, profile, prepared.index.properties)
    else:
        for rule, cond in candidates:
            if cond(ctx):
                outcome, team, rule_id = _apply(rule, True, team, rule_id, views)
                evaluated.append((rule.id, outcome))
        shown = ()

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

    return RoutingDecision.trusted(
        rules,
        ticket_id=ticket.id,
        at=now,
        team=team,
        views=tuple(dict.fromkeys(views)) if views else (),
        rule_id=rule_id,
        decided_by=decided_by,
        membership=membership,
        evaluated=tuple(evaluated),
        presented=shown,
        explained=explain,
        configuration_version=configuration_version,
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
