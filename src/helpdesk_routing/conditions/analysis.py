"""Static analysis of conditions: conservative implication, and a field catalogue lint.

:func:`implies` answers "does every context that satisfies ``a`` satisfy ``b``?"
only when it can prove it from the syntax; ``False`` means "not proven". A rule set
linter uses it to find a team rule that can never fire because an earlier team rule
always catches its tickets.

:class:`FieldCatalogue` knows the ticket fields, profile properties, metrics and
segments of an installation and lints a condition against them, suggesting the
nearest known name for a misspelt one (``did you mean 'churn_risk'?``).
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from helpdesk_routing._trusted import updated
from helpdesk_routing.errors import ArgumentTypeError

from ._leaves import BUILTIN_TICKET_FIELDS
from ._operands import NEGATIONS
from ._values import listed, text_repr
from .nodes import (
    AfterWindow,
    AllCondition,
    AllTimeWindow,
    AnyCondition,
    BeforeWindow,
    BetweenWindow,
    Condition,
    CountOp,
    EventCondition,
    InLastWindow,
    NotCondition,
    Operator,
    ProfileCondition,
    SegmentCondition,
    SinceWindow,
    TicketCondition,
    Window,
    require_condition,
)

__all__ = ["FieldCatalogue", "LintIssue", "implies"]

# Enum members bound once: ``Operator.X`` costs a descriptor call on every access.
_AFTER = Operator.AFTER
_BEFORE = Operator.BEFORE
_BETWEEN = Operator.BETWEEN
_ENDS_WITH = Operator.ENDS_WITH
_EQUALS = Operator.EQUALS
_GREATER_OR_EQUAL = Operator.GREATER_OR_EQUAL
_GREATER_THAN = Operator.GREATER_THAN
_IN = Operator.IN
_IN_LAST = Operator.IN_LAST
_IN_NEXT = Operator.IN_NEXT
_IS_SET = Operator.IS_SET
_LESS_OR_EQUAL = Operator.LESS_OR_EQUAL
_LESS_THAN = Operator.LESS_THAN
_STARTS_WITH = Operator.STARTS_WITH


# --- implication ---------------------------------------------------------------------


def implies(a: Condition, b: Condition) -> bool:
    """``True`` only when every context in which ``a`` holds provably makes ``b`` hold.

    Sound, not complete: equal nodes; ``b`` an ``all`` whose every conjunct ``a``
    implies; ``b`` an ``any`` one of whose alternatives ``a`` implies; ``a`` an
    ``all`` one of whose conjuncts implies ``b``; ``a`` an ``any`` whose every
    alternative implies ``b``; ``not x`` implies ``not y`` when ``y`` implies ``x``
    (negative operators count as ``not`` of their positive twin); on one field:
    ``in`` list subsets, ``equals`` within an ``in`` list, any positive test implies
    ``is_set``, numeric and date ranges (``> 10`` implies ``> 5``), text prefixes and
    suffixes; on one event metric: counts (``at_least(2)`` implies ``at_least(1)``)
    with a narrower window and more filters. Anything else is ``False``.

    Each pair of subtrees is compared once (and each subtree's key computed once), so
    the cost grows with the product of the two trees' sizes, not exponentially with
    their depth.
    """
    require_condition(a)
    require_condition(b)
    return _implies(_normal(a), _normal(b), {}, {})


@dataclass(frozen=True, slots=True)
class _Neg:
    """``not`` of a normalised node (negative operators become this)."""

    inner: Any


def _normal(node: Condition) -> Any:
    """Negative operators and ``not`` nodes as ``_Neg`` of the positive form; ``not not x``
    as ``x``; ``is_set``-style leaves keep their node."""
    if isinstance(node, NotCondition):
        inner = _normal(node.condition)
        return inner.inner if isinstance(inner, _Neg) else _Neg(inner)
    if isinstance(node, AllCondition):
        return ("all", tuple(_normal(c) for c in node.conditions))
    if isinstance(node, AnyCondition):
        return ("any", tuple(_normal(c) for c in node.conditions))
    if isinstance(node, TicketCondition | ProfileCondition):
        positive = NEGATIONS.get(node.op)
        if positive is not None:
            value = None if positive is _IS_SET else node.value
            # Trusted copies: the twin of a valid test is valid, and lint normalises every
            # rule of a rule set (model_copy would validate each again).
            return _Neg(updated(node, op=positive, value=value))
        return node
    if isinstance(node, SegmentCondition) and not node.member:
        return _Neg(updated(node, member=True))
    return node


def _key(x: Any, memo: dict[int, Any] | None = None) -> Any:
    """A comparison key of a normal form: a leaf is its node, whose ``==`` is the
    condition's (``equals 5`` and ``equals 5.0`` are one test, as numbers compare by
    value; ``equals 1`` and ``equals true`` are two, the nodes' ``==`` keeps value types
    apart; the JSON text, a key before, told 5 from 5.0). ``memo`` (by object id, for
    normal forms kept alive by the caller) saves recomputing, for ``x`` and every node
    inside it."""
    if memo is not None:
        found = memo.get(id(x))
        if found is None:
            found = memo[id(x)] = _key_of(x, memo)
        return found
    return _key_of(x, None)


def _key_of(x: Any, memo: dict[int, Any] | None) -> Any:
    if isinstance(x, tuple):
        return (x[0], tuple(_key(c, memo) for c in x[1]))
    if isinstance(x, _Neg):
        return ("not", _key(x.inner, memo))
    return x


def normal_form(node: Condition) -> Any:
    """``node`` in the form :func:`implies_normal` compares (negations pushed into
    ``not`` markers); compute it once per condition when comparing many pairs."""
    return _normal(node)


def implies_normal(a: Any, b: Any, memo: dict[int, Any]) -> bool:
    """:func:`implies` on normal forms, with a key memo shared across calls (the normal
    forms must stay alive while ``memo`` is used)."""
    return _implies(a, b, memo, {})


def _implies(a: Any, b: Any, memo: dict[int, Any], pairs: dict[tuple[int, int], bool]) -> bool:
    """:func:`_implies_once`, asked once per pair of subtrees (by object id: the normal
    forms stay alive for the whole call): alternating ``all``/``any`` trees reach the same
    pair along many paths, which without ``pairs`` costs exponentially in their depth."""
    pair = (id(a), id(b))
    found = pairs.get(pair)
    if found is None:
        found = pairs[pair] = _implies_once(a, b, memo, pairs)
    return found


def _implies_once(a: Any, b: Any, memo: dict[int, Any], pairs: dict[tuple[int, int], bool]) -> bool:
    if _key(a, memo) == _key(b, memo):
        return True
    if isinstance(b, tuple) and b[0] == "all":
        return all(_implies(a, child, memo, pairs) for child in b[1])
    if isinstance(a, tuple) and a[0] == "any":
        return all(_implies(child, b, memo, pairs) for child in a[1])
    if (
        isinstance(b, tuple)
        and b[0] == "any"
        and any(_implies(a, child, memo, pairs) for child in b[1])
    ):
        return True
    if (
        isinstance(a, tuple)
        and a[0] == "all"
        and any(_implies(child, b, memo, pairs) for child in a[1])
    ):
        return True
    if isinstance(a, _Neg) and isinstance(b, _Neg):
        return _implies(b.inner, a.inner, memo, pairs)
    if isinstance(a, tuple) or isinstance(b, tuple) or isinstance(a, _Neg):
        return False
    if isinstance(b, _Neg):
        return _excludes(a, b.inner)
    if isinstance(a, EventCondition) and isinstance(b, EventCondition):
        return _event_implies(a, b)
    if _same_field(a, b):
        return _value_implies(a.op, a.value, b.op, b.value)
    return False


SCALAR_TICKET_FIELDS = frozenset(
    {"channel", "status", "id", "priority", "email", "profile_id", "subject"}
)
"""Built-in ticket fields that hold one text value (``_excludes`` reasons on them; the
lint's index of :mod:`._shadowing` keys exclusions on them too)."""


def _excludes(a: Any, b: Any) -> bool:
    """``a`` holding proves ``b`` fails (so ``a`` implies ``not b``): on a built-in
    ticket field that holds one text value, ``equals``/``in`` with disjoint values."""
    if not (
        isinstance(a, TicketCondition)
        and isinstance(b, TicketCondition)
        and a.field == b.field
        and a.field in SCALAR_TICKET_FIELDS
    ):
        return False
    values = []
    for node in (a, b):
        if node.op is _EQUALS:
            values.append({_scalar_key(node.value)})
        elif node.op is _IN:
            values.append({_scalar_key(v) for v in node.value})
        else:
            return False
    return values[0].isdisjoint(values[1])


def _same_field(a: Any, b: Any) -> bool:
    if isinstance(a, TicketCondition) and isinstance(b, TicketCondition):
        return a.field == b.field
    if isinstance(a, ProfileCondition) and isinstance(b, ProfileCondition):
        return a.property == b.property
    return False


def _scalar_key(v: Any) -> tuple[str, Any]:
    # Equality that keeps text, numbers and booleans apart (True == 1 in Python).
    kind = "bool" if isinstance(v, bool) else "text" if isinstance(v, str) else "number"
    return kind, v


def _value_implies(a_op: Operator, x: Any, b_op: Operator, y: Any) -> bool:
    """Same field, both positive operators: does ``a_op x`` imply ``b_op y``?"""
    if b_op is _IS_SET:
        # Every positive test fails on a missing value.
        return True
    if a_op is _IS_SET:
        return False
    if b_op is _IN and a_op in (_EQUALS, _IN):
        # equals x is in [x]; for a list value both mean "shares an element".
        xs = (x,) if a_op is _EQUALS else x
        allowed = {_scalar_key(v) for v in y}
        return all(_scalar_key(v) in allowed for v in xs)
    if b_op is _EQUALS and a_op is _IN:
        return len(x) > 0 and all(_scalar_key(v) == _scalar_key(y) for v in x)
    if a_op is b_op and a_op in (_STARTS_WITH, _ENDS_WITH):
        return bool(x.startswith(y) if a_op is _STARTS_WITH else x.endswith(y))
    low_a, high_a = _range(a_op, x)
    low_b, high_b = _range(b_op, y)
    if low_a is None and high_a is None:
        return False
    if low_b is None and high_b is None:
        return False
    if not _comparable(x, y):
        return False
    return _bound_within(low_a, low_b, lower=True) and _bound_within(high_a, high_b, lower=False)


_Bound = tuple[Any, bool] | None  # (limit, inclusive); None is unbounded


def _range(op: Operator, x: Any) -> tuple[_Bound, _Bound]:
    if op is _GREATER_THAN or op is _AFTER:
        return (x, False), None
    if op is _GREATER_OR_EQUAL:
        return (x, True), None
    if op is _LESS_THAN or op is _BEFORE:
        return None, (x, False)
    if op is _LESS_OR_EQUAL:
        return None, (x, True)
    if op is _BETWEEN:
        return (x[0], True), (x[1], True)
    return None, None


def _comparable(x: Any, y: Any) -> bool:
    # Number ranges imply only number ranges; date ranges only date ranges.
    def kind(v: Any) -> str:
        first = v[0] if isinstance(v, tuple) else v
        return "date" if isinstance(first, datetime) else "number"

    return kind(x) == kind(y)


def _bound_within(a: _Bound, b: _Bound, *, lower: bool) -> bool:
    """Is the bound ``a`` at least as tight as ``b`` on that side?"""
    if b is None:
        return True
    if a is None:
        return False
    (av, a_incl), (bv, b_incl) = a, b
    if av == bv:
        return b_incl or not a_incl
    return bool(av > bv if lower else av < bv)


def _event_implies(a: EventCondition, b: EventCondition) -> bool:
    if a.metric != b.metric:
        return False
    a_low, a_high = _count_range(a)
    b_low, b_high = _count_range(b)
    filters_a = frozenset(a.filters)  # the filters' own ==: 5 is 5.0, true is not 1
    filters_b = frozenset(b.filters)
    # At least n in a's (smaller) set of events proves at least n in b's larger set.
    if b_low > 0 and not (
        a_low >= b_low and filters_a >= filters_b and _window_within(a.window, b.window)
    ):
        return False
    if b_high is not None:
        # At most n in a's (larger) set proves at most n in b's smaller set.
        if a_high is None or a_high > b_high:
            return False
        if not (filters_a <= filters_b and _window_within(b.window, a.window)):
            return False
    return True


def _count_range(node: EventCondition) -> tuple[int, int | None]:
    n = node.count.value or 0
    if node.count.op is CountOp.AT_LEAST:
        return n, None
    if node.count.op is CountOp.AT_MOST:
        return 0, n
    if node.count.op is CountOp.EXACTLY:
        return n, n
    return 0, 0


def _window_within(inner: Window, outer: Window) -> bool:
    """Every event ``inner`` counts is counted by ``outer``, at every ``now``."""
    if inner == outer or isinstance(outer, AllTimeWindow):
        return True
    if isinstance(inner, InLastWindow) and isinstance(outer, InLastWindow):
        return inner.span() <= outer.span()
    low_in, high_in = _fixed_bounds(inner)
    low_out, high_out = _fixed_bounds(outer)
    if low_in is False or low_out is False:
        return False
    return _bound_within(low_in, low_out, lower=True) and _bound_within(
        high_in, high_out, lower=False
    )


def _fixed_bounds(window: Window) -> tuple[Any, Any]:
    """Absolute bounds (apart from the shared ``<= now``), or ``(False, False)``."""
    if isinstance(window, SinceWindow):
        return (window.start, True), None
    if isinstance(window, AfterWindow):
        return (window.start, False), None
    if isinstance(window, BeforeWindow):
        return None, (window.end, False)
    if isinstance(window, BetweenWindow):
        return (window.start, True), (window.end, True)
    return False, False


# --- the field catalogue ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LintIssue:
    """One finding of :meth:`FieldCatalogue.lint`: where (a JSON path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _suggest(name: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    # as text (a NumPy string's repr is np.str_('churn_risk')), quoted as a condition's
    # texts are: a decomposed 'cafe\u0301' looked like the composed 'café' it differs from
    return f"; did you mean {text_repr(str(close[0]))}?" if close else ""


_TEXT_ONLY_OPS = frozenset(
    {
        _GREATER_THAN,
        _GREATER_OR_EQUAL,
        _LESS_THAN,
        _LESS_OR_EQUAL,
        _BETWEEN,
        _BEFORE,
        _AFTER,
        _IN_LAST,
        _IN_NEXT,
    }
)
_TEXT_FIELDS = frozenset({"channel", "subject", "status", "priority", "email", "id", "profile_id"})
_NEVER_A_DATE = frozenset({"tags", "status"})
"""Built-in fields no date test holds on: a list of text (the date tests never look
inside a list), and a status (open, pending or closed)."""
_NUMBER_OPS = frozenset({_GREATER_THAN, _GREATER_OR_EQUAL, _LESS_THAN, _LESS_OR_EQUAL})
_ALWAYS_SET = frozenset({"channel", "id", "status", "created_at"})
"""Built-in fields every ticket has: ``is_not_set`` never holds on them."""
_NOT_FOR_DATES = frozenset(
    {
        _EQUALS,
        _IN,
        Operator.CONTAINS,
        _STARTS_WITH,
        _ENDS_WITH,
        _GREATER_THAN,
        _GREATER_OR_EQUAL,
        _LESS_THAN,
        _LESS_OR_EQUAL,
    }
)
"""Tests that never hold on a date-time (their values are text, numbers or booleans)."""
_STATUSES = ("open", "pending", "closed")


@dataclass(frozen=True)
class FieldCatalogue:
    """The names an installation knows; ``None`` for a kind means "unknown: don't check".

    The built-in ticket fields (``channel``, ``tags``, ``subject``, ``status``,
    ``priority``, ``email``, ``id``, ``created_at``, ``profile_id``) are always known.
    """

    ticket_fields: Collection[str] | None = None
    profile_properties: Collection[str] | None = None
    metrics: Collection[str] | None = None
    segments: Collection[str] | None = None
    _known: dict[str, frozenset[str] | None] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    """Each kind's names as given, read once (what lint tests membership in)."""

    def __post_init__(self) -> None:
        # Text is a Collection[str] too: "churn_risk" would know every substring of itself.
        for kind in ("ticket_fields", "profile_properties", "metrics", "segments"):
            names = getattr(self, kind)
            if isinstance(names, str | bytes) or not (
                names is None or isinstance(names, Collection)
            ):
                raise ArgumentTypeError(
                    f"{kind} must be a collection of names (a set or a list), "
                    f"got {type(names).__name__} {names!r}"
                )
            if names is None:
                self._known[kind] = None
                continue
            try:
                given = list(names)
            except TypeError:  # a collection by its type that iterates nothing: a 0-d array
                raise ArgumentTypeError(
                    f"{kind} must be a collection of names (a set or a list), "
                    f"got {type(names).__name__} {names!r}"
                ) from None
            # each name text: another value (1, None) made lint's did-you-mean raise a
            # bare TypeError, naming nothing, at the first lint
            for i, name in enumerate(given):
                if not isinstance(name, str):
                    # at its index in a list; a set's order is no place
                    where = f"{kind}[{i}]" if isinstance(names, Sequence) else f"a name of {kind}"
                    raise ArgumentTypeError(
                        f"{where} must be text, got {type(name).__name__} {name!r}"
                    )
            # lint asks the names themselves: `in` on a pandas Series asks its index
            self._known[kind] = frozenset(given)

    def lint(self, condition: Condition, *, path: str = "$") -> list[LintIssue]:
        """The problems found in ``condition``: unknown names (with a did-you-mean
        suggestion) and tests that can never hold on a built-in ticket field's type."""
        require_condition(condition)
        return list(self._lint(condition, path))

    def _lint(self, node: Condition, path: str) -> Iterator[LintIssue]:
        if isinstance(node, AllCondition | AnyCondition):
            for i, child in enumerate(node.conditions):
                yield from self._lint(child, f"{path}.conditions[{i}]")
        elif isinstance(node, NotCondition):
            yield from self._lint(node.condition, f"{path}.condition")
        elif isinstance(node, TicketCondition):
            yield from self._lint_ticket(node, path)
        elif isinstance(node, ProfileCondition):
            known = self._known["profile_properties"]
            if known is not None and node.property not in known:
                yield LintIssue(
                    f"{path}.property",
                    f"unknown profile property {text_repr(node.property)}"
                    + _suggest(node.property, known),
                )
        elif isinstance(node, EventCondition):
            known = self._known["metrics"]
            if known is not None and node.metric not in known:
                yield LintIssue(
                    f"{path}.metric",
                    f"unknown metric {text_repr(node.metric)}" + _suggest(node.metric, known),
                )
        elif (known := self._known["segments"]) is not None and node.segment not in known:
            yield LintIssue(
                f"{path}.segment",
                f"unknown segment {text_repr(node.segment)}" + _suggest(node.segment, known),
            )

    def _lint_ticket(self, node: TicketCondition, path: str) -> Iterator[LintIssue]:
        name = node.field
        if name in BUILTIN_TICKET_FIELDS:
            yield from _never_holds(node, path)
            return
        fields = self._known["ticket_fields"]
        if fields is not None and name not in fields:
            known = fields | BUILTIN_TICKET_FIELDS
            yield LintIssue(
                f"{path}.field",
                f"unknown ticket field {text_repr(name)}" + _suggest(name, known),
            )


def _never_holds(node: TicketCondition, path: str) -> Iterator[LintIssue]:
    """A test of a built-in ticket field that its type (or its values) never lets hold:
    a number test on text, a date test on the tags or the status (on other text it
    holds when the text is an ISO date), a text or number test on ``created_at``, a status no
    ticket has, ``is_not_set`` on a field every ticket has."""
    name, op = node.field, node.op
    if op is Operator.IS_NOT_SET and name in _ALWAYS_SET:
        yield LintIssue(f"{path}.op", f"every ticket has {name!r}: is_not_set never holds")
    elif (
        (name in _NEVER_A_DATE and op in _TEXT_ONLY_OPS)
        or (name in _TEXT_FIELDS and op in _NUMBER_OPS)
        or (name in _TEXT_FIELDS and op is _BETWEEN and not _dates(node.value))
    ):
        # A date test holds on text that is an ISO date ("2026-03-30" in a subject), but
        # not on a list of text (the tags) or on a status; a number test on no text.
        kind = "a set of text" if name == "tags" else "text"
        yield LintIssue(f"{path}.op", f"ticket field {name!r} is {kind}: {op.value} never holds")
    elif name == "created_at" and (
        op in _NOT_FOR_DATES or (op is _BETWEEN and not _dates(node.value))
    ):
        yield LintIssue(
            f"{path}.op", f"ticket field 'created_at' is a date-time: {op.value} never holds"
        )
    elif name == "status" and op in (_EQUALS, _IN):
        values = node.value if op is _IN else [node.value]
        if not any(v in _STATUSES for v in values if isinstance(v, str)):
            yield LintIssue(
                f"{path}.value",
                f"ticket field 'status' is open, pending or closed: {_shown(node.value)} never "
                "matches",
            )


def _dates(value: Any) -> bool:
    """Whether a ``between`` value's bounds are date-times (else numbers)."""
    return isinstance(value, list | tuple) and all(isinstance(v, datetime) for v in value)


def _shown(value: Any) -> str:
    """A condition's value in a lint message; a list by its first ten values and how many
    more (an `in` of 100,000 values made a message of a megabyte)."""
    if isinstance(value, tuple):
        return f"[{', '.join(listed(value, repr))}]"
    return repr(value)
