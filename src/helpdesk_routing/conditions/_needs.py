"""What a condition *has* and what it *needs* from an earlier one that implies it, as
marks an index can look up: exact tokens, range bounds, intervals, affixes (see
:mod:`helpdesk_routing.conditions._shadowing`, which says why a condition implies another
only where what it has meets what the other needs, and searches by these marks).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from .analysis import SCALAR_TICKET_FIELDS, _count_range
from .nodes import (
    AfterWindow,
    BeforeWindow,
    BetweenWindow,
    EventCondition,
    InLastWindow,
    Operator,
    ProfileCondition,
    SegmentCondition,
    SinceWindow,
    TicketCondition,
)

Token = tuple[Any, ...]
_VALUE_OPS = (Operator.EQUALS, Operator.IN, Operator.CONTAINS)
_PLAIN = (str, int, float, bool)
_UPPER_OPS = (Operator.LESS_THAN, Operator.LESS_OR_EQUAL, Operator.BEFORE)
_LOWER_OPS = (Operator.GREATER_THAN, Operator.GREATER_OR_EQUAL, Operator.AFTER)
_AFFIX_OPS = (Operator.STARTS_WITH, Operator.ENDS_WITH)
# Bound once: ``Operator.X`` costs a descriptor call on every access.
_EQUALS = Operator.EQUALS
_IN = Operator.IN


@dataclass(slots=True)
class _Marks:
    """What a condition has, or needs: exact tokens; range bounds ``(key, bound)``, the
    key ``("upper" | "lower", subject, kind)``; affixes ``(key, text)``, the key
    ``(op, subject)``; and (needs only) intervals ``((subject, kind), low, high)``, met
    by a lower bound at least ``low`` and an upper bound at most ``high`` at once."""

    tokens: set[Token] = field(default_factory=set)
    ranges: list[tuple[Token, Any]] = field(default_factory=list)
    affixes: list[tuple[Token, str]] = field(default_factory=list)
    intervals: list[tuple[Token, Any, Any]] = field(default_factory=list)

    def add(self, other: _Marks) -> None:
        self.tokens |= other.tokens
        self.ranges += other.ranges
        self.affixes += other.affixes
        self.intervals += other.intervals

    def negated(self) -> set[Token]:
        """These marks under a ``not``: every token marked, ranges and affixes by key."""
        keys = {key for key, _ in self.ranges} | {key for key, _ in self.affixes}
        for (subject, kind), _, _ in self.intervals:
            keys |= {("lower", subject, kind), ("upper", subject, kind)}
        return {("not", token) for token in self.tokens | keys}

    def cost(self, later: _Later) -> int:
        """How many of the later conditions could meet these marks (at most)."""
        counts = later.counts
        return (
            sum(counts.get(t, 0) for t in self.tokens)
            + sum(later.meeting(key, bound) for key, bound in self.ranges)
            + sum(counts.get(key, 0) for key, _ in self.affixes)
            + sum(_interval_cost(key, low, high, later) for key, low, high in self.intervals)
        )


def _interval_cost(key: Token, low: Any, high: Any, later: _Later) -> int:
    """How many later conditions could meet an interval (at most): those meeting the
    side that the fewer meet."""
    subject, kind = key
    return min(
        later.meeting(("lower", subject, kind), low),
        later.meeting(("upper", subject, kind), high),
    )


def _interval(needs: Sequence[_Marks], later: _Later) -> _Marks | None:
    """The interval that needs of single bounds (or intervals) on one subject make
    together, when both sides are among them: the tightest of each side (all of them
    must be met). Of several subjects, the one that the fewest later conditions could
    meet. ``None``: no subject has both sides, or one of them is met by no later
    condition (then that side alone is as selective, and cheaper to look up)."""
    lows: dict[Token, Any] = {}
    highs: dict[Token, Any] = {}
    for need in needs:
        if need.tokens or need.affixes or len(need.ranges) + len(need.intervals) != 1:
            continue
        if need.intervals:
            key, low, high = need.intervals[0]
            sides = [(lows, key, low, max), (highs, key, high, min)]
        else:
            (side, subject, kind), bound = need.ranges[0]
            tightest = lows if side == "lower" else highs
            sides = [(tightest, (subject, kind), bound, max if side == "lower" else min)]
        for tightest, key, bound, pick in sides:
            tightest[key] = bound if key not in tightest else pick(tightest[key], bound)
    best: _Marks | None = None
    fewest = 0
    for key, low in lows.items():
        if key not in highs:
            continue
        cost = _interval_cost(key, low, highs[key], later)
        if cost and (best is None or cost < fewest):
            best, fewest = _Marks(intervals=[(key, low, highs[key])]), cost
    return best


def _tightest(has: _Marks) -> dict[Token, Any]:
    """Per range key of ``has``, its tightest bound: the lowest upper bound, the highest
    lower bound (it meets a need when any of them does)."""
    tightest: dict[Token, Any] = {}
    for key, bound in has.ranges:
        known = tightest.get(key)
        if known is None or (bound < known if key[0] == "upper" else bound > known):
            tightest[key] = bound
    return tightest


class _Later:
    """What the conditions after a position have, to tell which of a condition's
    possible needs the fewest of them meet: per token or affix key, how many have it;
    per range key, how many have a tightest bound at most (least) a given one, counted
    in a Fenwick tree over all the conditions' tightest bounds, sorted. Conditions are
    added from the last one back."""

    __slots__ = ("added", "counts", "trees", "values")

    def __init__(self, has: Sequence[_Marks]) -> None:
        self.counts: dict[Token, int] = {}
        found: dict[Token, set[Any]] = {}
        for marks in has:
            for key, bound in _tightest(marks).items():
                found.setdefault(key, set()).add(bound)
        self.values = {key: sorted(bounds) for key, bounds in found.items()}
        self.trees = {key: [0] * (len(values) + 1) for key, values in self.values.items()}
        self.added: dict[Token, int] = {}

    def add(self, has: _Marks) -> None:
        counts = self.counts
        for token in has.tokens | {key for key, _ in has.affixes}:
            counts[token] = counts.get(token, 0) + 1
        for key, bound in _tightest(has).items():
            self.added[key] = self.added.get(key, 0) + 1
            tree = self.trees[key]
            at = bisect.bisect_left(self.values[key], bound) + 1
            while at < len(tree):
                tree[at] += 1
                at += at & -at

    def meeting(self, key: Token, bound: Any) -> int:
        """How many later conditions have a bound that meets the need ``(key, bound)``:
        an upper bound at most ``bound``, a lower bound at least ``bound``."""
        values = self.values.get(key)
        if values is None:
            return 0
        upper = key[0] == "upper"
        # How many later tightest bounds come before the first that is above (at least)
        # ``bound``: a prefix sum of the tree.
        at = bisect.bisect_right(values, bound) if upper else bisect.bisect_left(values, bound)
        tree, below = self.trees[key], 0
        while at:
            below += tree[at]
            at -= at & -at
        return below if upper else self.added.get(key, 0) - below


def _subject(leaf: Any) -> Token:
    if isinstance(leaf, TicketCondition):
        return ("ticket", leaf.field)
    if isinstance(leaf, ProfileCondition):
        return ("profile", leaf.property)
    if isinstance(leaf, EventCondition):
        return ("event", leaf.metric)
    assert isinstance(leaf, SegmentCondition)
    return ("segment", leaf.segment)


def _scalar(v: Any) -> tuple[str, Any]:
    # As analysis compares values: text, numbers and booleans apart (True == 1).
    kind = "bool" if isinstance(v, bool) else "text" if isinstance(v, str) else "number"
    return kind, v


def _values(leaf: Any) -> tuple[Any, ...] | None:
    """The values of a positive equals/in/contains leaf, else ``None``."""
    if not isinstance(leaf, TicketCondition | ProfileCondition) or leaf.op not in _VALUE_OPS:
        return None
    return tuple(leaf.value) if leaf.op is Operator.IN else (leaf.value,)


def _bound_kind(v: Any) -> str | None:
    """``"number"`` or ``"date"`` as analysis compares bounds; ``None`` for a bound
    that orders with nothing here (it is then met by subject)."""
    if isinstance(v, datetime):
        return "date" if v.tzinfo is not None else None
    if isinstance(v, int | float) and not isinstance(v, bool):
        return "number"
    return None


def _bounds(leaf: Any) -> tuple[Any, Any] | None:
    """``(lower, upper)`` of a positive range leaf (either may be ``None``), or ``None``
    when it is no range leaf or its bounds do not order (a kind of their own)."""
    if not isinstance(leaf, TicketCondition | ProfileCondition):
        return None
    op, value = leaf.op, leaf.value
    if op is Operator.BETWEEN:
        low, high = value
        kind = _bound_kind(low)
        if kind is None or kind != _bound_kind(high):
            return None
        return low, high
    if op in _UPPER_OPS or op in _LOWER_OPS:
        if _bound_kind(value) is None:
            return None
        return (None, value) if op in _UPPER_OPS else (value, None)
    return None


def _range_key(side: str, subject: Token, bound: Any) -> Token:
    return (side, subject, _bound_kind(bound))


def _affix(leaf: Any) -> tuple[Token, str] | None:
    if (
        isinstance(leaf, TicketCondition | ProfileCondition)
        and leaf.op in _AFFIX_OPS
        and isinstance(leaf.value, str)
    ):
        return (leaf.op.value, _subject(leaf)), leaf.value
    return None


def _excluding(leaf: Any) -> Token | None:
    """The token of an ``equals``/``in`` test on a built-in ticket field that holds one
    text value (a leaf that can exclude another's values)."""
    if (
        isinstance(leaf, TicketCondition)
        and (leaf.op is _EQUALS or leaf.op is _IN)
        and leaf.field in SCALAR_TICKET_FIELDS
    ):
        return ("excludes", leaf.field)
    return None


_ONLY_EQUAL = (Operator.IN_LAST, Operator.IN_NEXT)
"""Ops of a ticket or profile leaf that only an equal leaf implies (no other test
proves a value lies in a window that moves with ``now``)."""


def _exact(leaf: Any) -> Token | None:
    """The token of a leaf only an equal one implies (``in_last``/``in_next`` on a
    ticket field or profile property), else ``None``."""
    if isinstance(leaf, TicketCondition | ProfileCondition) and leaf.op in _ONLY_EQUAL:
        # the leaf itself: its == and hash are the condition's (5 is 5.0, true not 1)
        return ("=", _subject(leaf), leaf)
    return None


def _span_key(leaf: EventCondition) -> Token:
    return ("upper", ("event-span", leaf.metric), "number")


def _span(window: InLastWindow) -> float:
    """An ``in_last`` window's length as a number that orders as ``implies`` compares
    them: the longest it can be, in seconds. ``a.span() <= b.span()`` (months compared
    conservatively) always gives ``_span(a) <= _span(b)``."""
    return window.longest().total_seconds()


def _filter_token(leaf: EventCondition, where: Any) -> Token:
    # the filter itself: its == and hash are the condition's (5 is 5.0, true not 1),
    # as implies compares filters; their JSON text told 5 from 5.0
    return ("event-filter", leaf.metric, where)


def _window_subject(leaf: EventCondition) -> Token:
    return ("event-window", leaf.metric)


def _window_bounds(leaf: EventCondition) -> tuple[Any, Any] | None:
    """``(start, end)`` of an absolute event window (either may be ``None``: open on
    that side), as ``analysis._window_within`` compares them; ``None`` for a window
    with no absolute bound (all time, ``in_last``) or bounds that order with nothing
    here (then it is met by its metric)."""
    window = leaf.window
    if isinstance(window, SinceWindow | AfterWindow):
        low, high = window.start, None
    elif isinstance(window, BeforeWindow):
        low, high = None, window.end
    elif isinstance(window, BetweenWindow):
        low, high = window.start, window.end
    else:
        return None
    if any(bound is not None and _bound_kind(bound) != "date" for bound in (low, high)):
        return None
    return low, high


def _window_need(leaf: EventCondition, later: _Later | None) -> _Marks | None:
    """What an event condition's window needs of the window of one implying it
    (``analysis._window_within``: the implying window inside it): an ``in_last`` at most
    as long; a start at least its start (``since``, ``after``); an end at most its end
    (``before``); both for a ``between`` (an interval, or the side that the fewer later
    conditions meet, as for a ``between`` test on a field). ``None``: all time (any
    window is inside it)."""
    if isinstance(leaf.window, InLastWindow):
        return _Marks(ranges=[(_span_key(leaf), _span(leaf.window))])
    bounds = _window_bounds(leaf)
    if bounds is None:
        return None
    return _bounds_need(_window_subject(leaf), *bounds, later)


def _count_subject(leaf: EventCondition) -> Token:
    return ("event-count", leaf.metric)


def _event_needs(leaf: EventCondition, later: _Later | None) -> Iterator[_Marks]:
    """Each need of an event condition alone (``analysis._event_implies``): when it
    counts at least one event, every filter of its own and a window within its own;
    a count as tight as its own, as range bounds on ``("event-count", metric)``
    (``at_least n``: a lower bound of at least ``n``; ``at_most n``, ``zero``: an upper
    bound of at most ``n``; ``exactly n``: both, as for a ``between`` test on a field).
    None for ``at_least 0``, which every event condition on its metric implies."""
    low, high = _count_range(leaf)
    if low:
        for where in leaf.filters:
            yield _Marks(tokens={_filter_token(leaf, where)})
        window = _window_need(leaf, later)
        if window is not None:
            yield window
    if low or high is not None:
        # A lower bound of 0 asks nothing (every count is at least 0): left out.
        yield _bounds_need(_count_subject(leaf), low or None, high, later)


def _event_need(leaf: EventCondition, later: _Later | None) -> _Marks | None:
    """What an event condition needs of one implying it: one of ``_event_needs``, with
    ``later`` the first that the fewest later conditions meet; without, the first (a
    filter, else the window, else the count). ``None``: its metric."""
    best: _Marks | None = None
    fewest = 0
    for need in _event_needs(leaf, later):
        if later is None:
            return need
        cost = need.cost(later)
        if best is None or cost < fewest:
            best, fewest = need, cost
            if not cost:
                break  # None is met by fewer: the rest is not built.
    return best


def _has(node: Any) -> _Marks:
    """Every mark by which ``node`` could meet a need (more is safe, only slower)."""
    marks = _Marks()
    if isinstance(node, tuple):
        for child in node[1]:
            marks.add(_has(child))
        return marks
    if not isinstance(node, BaseModel):  # a "not" marker
        marks.tokens = _need(node.inner, None).negated()
        return marks
    subject = _subject(node)
    marks.tokens.add(subject)
    excluding = _excluding(node)
    if excluding is not None:
        marks.tokens.add(excluding)
    values = _values(node)
    if values is not None:
        if not values:
            marks.tokens.add((*subject, "*"))
        for v in values:
            try:
                marks.tokens.add((*subject, _scalar(v)))
            except TypeError:  # an unhashable value proves nothing by itself
                continue
    bounds = _bounds(node)
    if bounds is not None:
        _add_bounds(marks, subject, *bounds)
    affix = _affix(node)
    if affix is not None:
        marks.affixes.append(affix)
    exact = _exact(node)
    if exact is not None:
        marks.tokens.add(exact)
    if isinstance(node, EventCondition):
        marks.tokens.update(_filter_token(node, where) for where in node.filters)
        if isinstance(node.window, InLastWindow):
            marks.ranges.append((_span_key(node), _span(node.window)))
        window = _window_bounds(node)
        if window is not None:
            _add_bounds(marks, _window_subject(node), *window)
        low, high = _count_range(node)
        if low or high is not None:
            # A lower count of 0 meets no lower need (those ask at least 1): left out.
            _add_bounds(marks, _count_subject(node), low or None, high)
    return marks


def _add_bounds(marks: _Marks, subject: Token, low: Any, high: Any) -> None:
    """Add a range's bounds (either may be ``None``) on ``subject`` to what ``marks`` has."""
    if low is not None:
        marks.ranges.append((_range_key("lower", subject, low), low))
    if high is not None:
        marks.ranges.append((_range_key("upper", subject, high), high))


def _bounds_need(subject: Token, low: Any, high: Any, later: _Later | None) -> _Marks:
    """What a range on ``subject`` from ``low`` to ``high`` (either may be ``None``, not
    both) needs: a bound on each side it has at least as tight. A "between" is met on
    either side: on the one the fewest later conditions meet (tiers listed from the top
    down meet every earlier upper bound, and none of the earlier lower bounds), or, when
    later conditions meet both, on both at once (an interval); without ``later``, on
    its upper side."""
    if high is None:
        return _Marks(ranges=[(_range_key("lower", subject, low), low)])
    upper = _Marks(ranges=[(_range_key("upper", subject, high), high)])
    if low is None or later is None:
        return upper
    lower = _Marks(ranges=[(_range_key("lower", subject, low), low)])
    lower_cost, upper_cost = lower.cost(later), upper.cost(later)
    if lower_cost and upper_cost:
        # Met by both sides at once (by fewer later conditions than either side).
        return _Marks(intervals=[((subject, _bound_kind(low)), low, high)])
    return lower if lower_cost < upper_cost else upper


def _need(node: Any, later: _Later | None) -> _Marks:
    """What a condition implying ``node`` must have. With ``later`` (what the conditions
    after it have) an ``all`` needs the need of its conjunct that the fewest of them
    meet, and a ``between`` its bound on the side that the fewest meet; without, the
    union of the conjuncts' needs (more is safe) and the upper bound."""
    if isinstance(node, tuple):
        needs = [_need(child, later) for child in node[1]]
        if node[0] == "all" and later is not None:
            costs = [need.cost(later) for need in needs]
            fewest = min(costs)
            # Bounds on both sides of one subject (a two-bound tier): met by both at
            # once, when no conjunct alone is met by fewer later conditions.
            interval = _interval(needs, later) if fewest else None
            if interval is not None and interval.cost(later) <= fewest:
                return interval
            return needs[costs.index(fewest)]
        marks = _Marks()
        for need in needs:
            marks.add(need)
        return marks
    if not isinstance(node, BaseModel):  # a "not" marker
        marks = _Marks(tokens=_has(node.inner).negated())
        excluding = _excluding(node.inner)
        if excluding is not None:
            marks.tokens.add(excluding)
        return marks
    subject = _subject(node)
    values = _values(node)
    if values and all(isinstance(v, _PLAIN) for v in values):
        tokens = {(*subject, _scalar(v)) for v in values}
        if isinstance(node, TicketCondition | ProfileCondition) and node.op is Operator.IN:
            tokens.add((*subject, "*"))
        return _Marks(tokens=tokens)
    bounds = _bounds(node)
    if bounds is not None:
        return _bounds_need(subject, *bounds, later)
    affix = _affix(node)
    if affix is not None:
        return _Marks(affixes=[affix])
    exact = _exact(node)
    if exact is not None:
        return _Marks(tokens={exact})
    if isinstance(node, EventCondition):
        counted = _event_need(node, later)
        if counted is not None:
            return counted
    return _Marks(tokens={subject})
