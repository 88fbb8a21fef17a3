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

import json
import math
from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from itertools import chain, compress, count, pairwise, repeat
from operator import floordiv, itemgetter, not_, sub
from typing import Any, Protocol, Self

from pydantic import ConfigDict, PrivateAttr, field_serializer, model_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from helpdesk_routing._input import InputModel, whole_number
from helpdesk_routing._trusted import assemble

from ._condition_trace import ConditionTrace
from ._json import MAX_DEPTH
from ._time import UtcDatetime
from .errors import ArgumentTypeError

__all__ = [
    "AllocationTrace",
    "DecidedBy",
    "RoutingDecision",
    "RuleBook",
    "RuleOutcome",
    "RulePart",
    "RuleTrace",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")
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

    model_config = _FROZEN

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

    model_config = _FROZEN

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

    model_config = _FROZEN

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
                values["evaluated"] = _read_evaluated(self.evaluated, self.explained)
            if self.presented:
                values["presented"] = _read_presented(self.presented)
        except _Refused as refused:
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
    def _dump_evaluated(self, evaluated: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
        facts = _flat_facts(evaluated)
        odd = _entries_with(evaluated, facts, _PLAIN, 2) | _entries_with(evaluated, facts, _BOOL, 1)
        if not odd:
            return evaluated  # the common case: every fact is stored as it is
        stored = list(evaluated)
        for i in odd:
            stored[i] = _stored_entry(stored[i])
        return tuple(stored)

    @field_serializer("presented")
    def _dump_presented(self, presented: tuple[Any, ...]) -> tuple[Any, ...]:
        if len(presented) < 3:
            return presented
        segments = presented[2]
        shown: list[Any] = [
            presented[0],
            sorted(presented[1]),
            None if segments is None else sorted(segments),
        ]
        for i in range(3, len(presented) - 1, 2):
            shown += (presented[i], _stored(presented[i + 1]))
        return tuple(shown)

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
        return cls._assemble(values, rules)

    def allocated(self, assignee: str | None, allocation: AllocationTrace) -> RoutingDecision:
        """This decision with its assignee and allocation trace (still bound): what
        ``model_copy(update=...)`` gives, built with less per stored ticket."""
        values = dict(self.__dict__)
        values["assignee"] = assignee
        values["allocation"] = allocation
        # Not self._book: pydantic serves a private attribute through __getattr__ (a
        # failed lookup and an AttributeError on every read); the dict behind it is a slot.
        private = self.__pydantic_private__
        return self._assemble(values, None if private is None else private.get("_book"))

    @classmethod
    def _assemble(cls, values: dict[str, Any], rules: RuleBook | None) -> RoutingDecision:
        # What pydantic's model_construct sets, without its per-field loop. Only the two
        # required fields count as set, in one set shared by every decision made so:
        # pydantic never changes it in place (a copy gets its own, and fields are frozen).
        return assemble(cls, values, _REQUIRED, {"_book": rules})

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
        return self._book is not None

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
        """Raise ``ValueError`` when the recorded facts of a rule do not fit its condition
        in the bound rule set (another rule with its id, or facts made up)."""
        facts = {entry[0]: (len(entry) - 2) // 3 for entry in self.evaluated}
        for rule_id, _, _, outcome, condition, _ in parts:
            if condition is None:
                continue
            if _evaluated_leaves(condition) != facts[rule_id] or condition.holds is None:
                raise ValueError(
                    f"decision for ticket {self.ticket_id!r} records facts that do not fit "
                    f"rule {rule_id!r} of this rule set"
                )
            if condition.holds != (outcome in _MATCHED):
                raise ValueError(
                    f"decision for ticket {self.ticket_id!r} records rule {rule_id!r} as "
                    f"{_SAID[outcome]}, but its facts say its condition "
                    f"{'held' if condition.holds else 'did not hold'}"
                )

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
        bound = self._book is not None
        for rule_id, name, destination, outcome, condition, reason in self._parts():
            said = _SAID[outcome]
            if bound:
                head = f"  rule {rule_id!r} ({name}) -> {destination}: {said}"
            else:
                head = f"  rule {rule_id!r}: {said}"
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
            lines.append(f"  allocation ({self.allocation.pool}): {self.allocation.summary}")
        return "\n".join(lines)


_REQUIRED = {"ticket_id", "at"}
_DEFAULTS: dict[str, Any] = {
    name: None if field.is_required() else field.default
    for name, field in RoutingDecision.model_fields.items()
}


_MATCHED = frozenset({RuleOutcome.APPLIED, RuleOutcome.SHADOWED})
_RECORDED = frozenset({RuleOutcome.APPLIED, RuleOutcome.NOT_MATCHED, RuleOutcome.SHADOWED})


def _evaluated_leaves(trace: ConditionTrace) -> int:
    if not trace.children:
        return 0 if trace.holds is None else 1
    return sum(_evaluated_leaves(child) for child in trace.children)


# The stored form of a value seen (see RoutingDecision): what JSON keeps as it is, or an
# object of one key naming the kind. Built when a decision is dumped and read when one is
# loaded: deciding records the values as they are.
_PLAIN: frozenset[type] = frozenset({str, int, bool, type(None)})
_BOOL: frozenset[type] = frozenset({bool})
_NOT_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
_KINDS = "tuple, set, frozenset, dict, datetime, date or float"


_SEEN_AS_IS: frozenset[type] = _PLAIN | {float}
_INT: frozenset[type] = frozenset({int})
_STR: frozenset[type] = frozenset({str})
_ID = itemgetter(0)
_OUTCOME = itemgetter(1)
_FACTS = itemgetter(slice(2, None))


def _flat_facts(evaluated: tuple[tuple[Any, ...], ...]) -> list[Any]:
    """The facts of every entry in one list, ``number, held, seen, number, ...`` (built
    in C: a decision is dumped and read whole, and looking at each entry in Python
    would cost more than the rest)."""
    return list(chain.from_iterable(map(_FACTS, evaluated)))


def _entries_with(
    evaluated: tuple[tuple[Any, ...], ...], facts: list[Any], kinds: frozenset[type], at: int
) -> set[int]:
    """The positions of the entries with a fact whose item ``at`` (1: held, 2: seen) is
    not of one of ``kinds`` (found in C, as :func:`_flat_facts` is)."""
    if kinds.issuperset(map(type, facts[at::3])):
        return set()
    found = compress(count(), map(not_, map(kinds.__contains__, map(type, facts[at::3]))))
    if len(facts) == 3 * len(evaluated):
        return set(found)  # one fact per entry: fact k is entry k's
    per_entry = map(floordiv, map(sub, map(len, evaluated), repeat(2)), repeat(3))
    owners = list(chain.from_iterable(map(repeat, count(), per_entry)))
    return {owners[k] for k in found}


def _stored_entry(entry: tuple[Any, ...]) -> tuple[Any, ...]:
    stored = list(entry)
    for i in range(3, len(stored) - 1, 3):
        stored[i] = bool(stored[i])
        stored[i + 1] = _stored(stored[i + 1])
    return tuple(stored)


def _stored(value: Any) -> Any:
    """``value`` in its stored form: JSON that keeps its kind."""
    if value.__class__ in _PLAIN:
        return value
    if isinstance(value, str):  # a StrEnum, say: tested, and shown, as its text
        return str.__str__(value)
    if isinstance(value, int):
        return value if isinstance(value, bool) else int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else {"float": repr(float(value))}
    if isinstance(value, list):
        return [_stored(v) for v in value]
    if isinstance(value, tuple):
        return {"tuple": [_stored(v) for v in value]}
    if isinstance(value, frozenset):
        return {"frozenset": _in_order([_stored(v) for v in value])}
    if isinstance(value, set):
        return {"set": _in_order([_stored(v) for v in value])}
    if isinstance(value, dict):
        return {"dict": {str(k): _stored(v) for k, v in value.items()}}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    raise TypeError(f"a decision cannot store a value of type {type(value).__name__}")


def _in_order(items: list[Any]) -> list[Any]:
    """The stored members of a set in an order that does not depend on the hash seed."""
    try:
        return sorted(items)
    except TypeError:  # kinds that do not compare: by kind, then by JSON text
        return sorted(items, key=lambda v: (type(v).__name__, json.dumps(v, sort_keys=True)))


class _Refused(Exception):
    """A part of a decision read from outside that is not of its shape."""

    def __init__(self, loc: tuple[str | int, ...], message: str, value: Any) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message
        self.value = value


_Loc = tuple[str | int, ...]


def _read(value: Any, loc: _Loc, depth: int = 0) -> Any:
    """A value seen, from its stored form (or as given in Python, for a kind JSON has
    not); raises :class:`_Refused` at ``loc`` when it is neither."""
    cls = value.__class__
    if cls in _PLAIN or cls is float:
        return value
    if depth >= MAX_DEPTH:
        raise _Refused(loc, f"a value seen nests deeper than {MAX_DEPTH} levels", value)
    if cls is list:
        return [_read(v, loc, depth + 1) for v in value]
    if cls is dict:
        reader = _READERS.get(next(iter(value))) if len(value) == 1 else None
        if reader is None:
            # Not one of the stored forms: an object that earlier versions stored as it
            # was (they wrote a dict seen as plain JSON), read as that dict.
            return {k: _read(v, loc, depth + 1) for k, v in value.items()}
        try:
            return reader(next(iter(value.values())), loc, depth + 1)
        except (TypeError, ValueError, KeyError):
            raise _Refused(
                loc,
                f"a value seen of a kind JSON lacks is an object of one key naming it "
                f"({_KINDS}) and its stored form",
                value,
            ) from None
    if isinstance(value, str | int | float | tuple | set | frozenset | date):
        return value  # given in Python, as it was seen
    raise _Refused(loc, f"a value seen cannot be of type {type(value).__name__}", value)


def _items(inner: Any, loc: _Loc, depth: int) -> list[Any]:
    if inner.__class__ is not list:
        raise TypeError
    return [_read(v, loc, depth) for v in inner]


def _read_dict(inner: Any, loc: _Loc, depth: int) -> dict[str, Any]:
    if inner.__class__ is not dict:
        raise TypeError
    return {k: _read(v, loc, depth) for k, v in inner.items()}


def _read_text(parse: Callable[[str], Any]) -> Callable[[Any, _Loc, int], Any]:
    def read(inner: Any, loc: _Loc, depth: int) -> Any:
        if inner.__class__ is not str:
            raise TypeError
        return parse(inner)

    return read


_READERS: dict[str, Callable[[Any, _Loc, int], Any]] = {
    "tuple": lambda inner, loc, depth: tuple(_items(inner, loc, depth)),
    "set": lambda inner, loc, depth: set(_items(inner, loc, depth)),
    "frozenset": lambda inner, loc, depth: frozenset(_items(inner, loc, depth)),
    "dict": _read_dict,
    "datetime": _read_text(datetime.fromisoformat),
    "date": _read_text(date.fromisoformat),
    "float": _read_text(_NOT_FINITE.__getitem__),
}


def _check_outcome_fields(decision: RoutingDecision) -> None:
    by = decision.decided_by
    if by is DecidedBy.RULE and (decision.team is None or decision.rule_id is None):
        raise _Refused(("decided_by",), "a decision by a rule names its team and rule_id", by)
    if by in (DecidedBy.TEAM_TAG, DecidedBy.TEAM_SEGMENT) and (
        decision.team is None or decision.membership is None
    ):
        raise _Refused(
            ("decided_by",), f"a decision by {by.value} names its team and membership", by
        )


def _read_evaluated(
    evaluated: tuple[tuple[Any, ...], ...], explained: bool
) -> tuple[tuple[Any, ...], ...]:
    """``evaluated`` as read from outside, checked: one entry per rule, each ``[rule id,
    outcome, number, held, seen, ...]`` with its leaf numbers rising."""
    if not evaluated:
        return evaluated
    facts = _well_formed(evaluated) if explained else None
    if facts is None:
        return _read_each(evaluated, explained)
    odd = _entries_with(evaluated, facts, _SEEN_AS_IS, 2)
    if not odd:
        return evaluated
    read = list(evaluated)
    for i in odd:
        read[i] = _read_seen(read[i], i)
    return tuple(read)


def _well_formed(evaluated: tuple[tuple[Any, ...], ...]) -> list[Any] | None:
    """The flat facts of explained ``evaluated`` when it has the shape of one (the values
    seen aside), else ``None`` (:func:`_read_each` then says where it has not)."""
    sizes = set(map(len, evaluated))
    if min(sizes) < 5 or any((size - 2) % 3 for size in sizes):
        return None
    ids = list(map(_ID, evaluated))
    if not _STR.issuperset(map(type, ids)) or "" in ids or len(set(ids)) != len(ids):
        return None
    try:
        if not _RECORDED.issuperset(map(_OUTCOME, evaluated)):
            return None
    except TypeError:  # an outcome that is not text (a list, say)
        return None
    facts = _flat_facts(evaluated)
    numbers = facts[0::3]
    if not (_INT.issuperset(map(type, numbers)) and _BOOL.issuperset(map(type, facts[1::3]))):
        return None
    if min(numbers) < 0:
        return None
    if max(sizes) > 5:
        for entry in evaluated:
            rising = entry[2::3]
            if any(a >= b for a, b in pairwise(rising)):
                return None
    return facts


def _read_seen(entry: tuple[Any, ...], i: int) -> tuple[Any, ...]:
    read = list(entry)
    for j in range(4, len(read), 3):
        read[j] = _read(read[j], ("evaluated", i, j))
    return tuple(read)


def _read_each(
    evaluated: tuple[tuple[Any, ...], ...], explained: bool
) -> tuple[tuple[Any, ...], ...]:
    read: list[tuple[Any, ...]] = []
    ids: set[str] = set()
    outcomes = _RECORDED if explained else _MATCHED
    for i, entry in enumerate(evaluated):
        at: _Loc = ("evaluated", i)
        if len(entry) < 2 or (len(entry) - 2) % 3 or (not explained and len(entry) > 2):
            shape = "then number, held, seen per test" if explained else "nothing more"
            raise _Refused(at, f"an evaluated rule is [rule id, outcome, {shape}]", entry)
        rule_id, outcome = entry[0], entry[1]
        if not isinstance(rule_id, str) or not rule_id:
            raise _Refused((*at, 0), "a rule id is non-empty text", rule_id)
        if rule_id in ids:
            raise _Refused((*at, 0), f"rule {rule_id!r} is listed twice", rule_id)
        ids.add(rule_id)
        if not isinstance(outcome, str) or outcome not in outcomes:
            wanted = ", ".join(sorted(o.value for o in outcomes))
            raise _Refused((*at, 1), f"an evaluated rule's outcome is one of {wanted}", outcome)
        if explained and len(entry) == 2:
            raise _Refused(at, "an explained rule records at least one test", entry)
        facts: list[Any] = [rule_id, RuleOutcome(outcome)]
        last = -1
        for j in range(2, len(entry), 3):
            number, held = entry[j], entry[j + 1]
            if not whole_number(number) or number <= last:
                raise _Refused(
                    (*at, j), "a test's number is a whole number above the one before", number
                )
            if held.__class__ is not bool:
                raise _Refused((*at, j + 1), "whether a test held is true or false", held)
            facts += (number, held, _read(entry[j + 2], (*at, j + 2)))
            last = number
        read.append(tuple(facts))
    return tuple(read)


def _read_presented(presented: tuple[Any, ...]) -> tuple[Any, ...]:
    """``presented`` as read from outside, checked: ``[channel, tags, segments or null,
    property, value, ...]``."""
    if len(presented) < 3 or len(presented) % 2 == 0:
        raise _Refused(
            ("presented",),
            "presented is [channel, tags, segments or null, then property, value pairs]",
            presented,
        )
    channel, segments = presented[0], presented[2]
    if not isinstance(channel, str):
        raise _Refused(("presented", 0), "a channel is text", channel)
    shown: list[Any] = [
        channel,
        _texts(presented[1], 1, "tags"),
        None if segments is None else _texts(segments, 2, "segments"),
    ]
    for i in range(3, len(presented), 2):
        name = presented[i]
        if not isinstance(name, str):
            raise _Refused(("presented", i), "a property name is text", name)
        shown += (name, _read(presented[i + 1], ("presented", i + 1)))
    return tuple(shown)


def _texts(value: Any, at: int, what: str) -> frozenset[str]:
    if not isinstance(value, list | tuple | set | frozenset) or not all(
        isinstance(v, str) for v in value
    ):
        raise _Refused(("presented", at), f"{what} are a list of texts", value)
    return frozenset(value)
