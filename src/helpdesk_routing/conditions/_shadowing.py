"""Which condition in a list is caught by an earlier one, without comparing all pairs.

:func:`first_implied` answers, for each condition, the first earlier condition it
implies (:func:`~helpdesk_routing.conditions.analysis.implies`): what
``RuleSet.lint`` reports as "can never fire". Comparing every pair is quadratic
(half a million proofs for 1,000 rules); here each condition is compared only with the
earlier ones it *could* imply, found through an index of what each earlier one needs.

Why that loses nothing. ``implies`` is syntactic: it holds only through equal nodes, or
by descending into ``all``/``any``/``not`` down to two leaves on the same subject
(ticket field, profile property, event metric, segment). So for every condition ``b``
there is a need, ``need(b)``, such that ``implies(a, b)`` requires what ``a`` has
(``has(a)``) to meet it:

- a positive ``equals``/``in``/``contains`` leaf on plain values needs one of its
  values on its subject (``in`` is also implied by an empty ``in`` list: a wildcard);
- a range leaf (``greater_than`` ... ``between``, ``before``, ``after``) needs a range
  leaf of the same kind (numbers or instants) on its subject whose bound is at least as
  tight: ``ltv < 10`` needs an upper bound of at most 10, found by bisecting the
  earlier bounds kept sorted; a ``between`` needs both: both at once (an interval,
  below), or either side alone when no later condition meets the other;
- ``starts_with``/``ends_with`` needs the same test with a value that starts (ends)
  with its own: looked up by the prefixes (suffixes) of the lengths the earlier ones
  use;
- an event leaf: a count at least as tight (``analysis._event_implies``), as range
  bounds on ``("event-count", metric)``: for ``at_least n`` a lower bound of at least
  ``n``, for ``at_most n`` and ``zero`` (``at_most 0``) an upper bound of at most
  ``n``, for ``exactly n`` both, as for a ``between`` leaf above (``at_least 0`` asks
  no count: its metric); or, when it counts at least one event, one of its filters or
  a window inside its own (``analysis._window_within``), whichever the fewest later
  conditions meet. A window inside its own: an ``in_last`` at most as long (a bound on
  its span), a start at least its start (``since``, ``after``), an end at most its end
  (``before``), or for a ``between`` both, as for a ``between`` leaf above (the bounds
  of absolute windows are range bounds on ``("event-window", metric)``). So rules that
  differ only in their count under one window are compared with none that their count
  does not meet (an ``at_least`` ladder from the top down, an ``at_most`` ladder from
  the bottom up: none at all). (The later conditions are walked to weigh a count
  against a window only when some metric is counted in more than one way,
  ``_varied_counts``: where all count alike, every later condition that counts meets
  a count need);
- any other leaf: its subject;
- ``not x`` needs ``a`` to hold some ``not y`` where ``x`` implies ``y`` (what ``x``
  has meets what ``y`` needs: the same tokens, marked as negated), or, on a built-in
  ticket field with one text value, an ``equals``/``in`` leaf on that field (which
  excludes ``x``'s values);
- ``all``: the need of any one conjunct (every conjunct must be implied), or the
  needs of several at once: a lower and an upper bound on one subject make an
  interval ``[low, high]``, met by a lower bound at least ``low`` and an upper bound at
  most ``high`` (each is needed, so both are); ``any``: the union of its alternatives'
  needs.

Which need, when there is a choice (a conjunct of an ``all``, a side of a ``between``):
the one that the fewest *later* conditions meet, counted before the search (walking
from the last condition: per token how many have it, per range key how many have a
tightest bound at most, or at least, a given one, in a Fenwick tree). So tiers that
never nest are compared with none, whichever end they are listed from and however
written: ``(ltv >= 10*i) & (ltv < 10*i + 10)`` from the bottom up needs its upper bound
(no later tier's is as low), from the top down its lower bound. When later conditions
meet both sides (tiers listed in no order), a tier needs its interval, unless a
conjunct alone is met by fewer (an interval counts as its side met by fewer): an
interval index (``_Intervals``, all the conditions' intervals in position order, a
segment tree whose nodes keep their lower bounds sorted with the highest upper bound
of each prefix) finds the earlier intervals that contain a condition's tightest bounds,
in position order, in ``O(log n)`` nodes each. So shuffled tiers that never nest are
compared with none either, in ``O(n log n)``.

Under a ``not``, ranges and affixes are met by subject (their tokens are not ordered
there). An ``any`` implies ``b`` only when every alternative does (or when it equals
``b``, whose every alternative then shares a token with the matching one), so it is
compared only with conditions each of its alternatives could imply.

Groups are never empty in a rule set (validation refuses them), so every proof ends on
leaves. The property tests compare this with all pairs on random rule sets.

What it costs. A condition's candidates are tried in position order, and the first that
implies ends its search. When they are few (at most ``_GATHER`` postings) they are
gathered at once; else window by window of positions, each four times wider than the
last, so that a condition caught early costs about one window, not all its candidates
(10,000 rules ``ltv > i``, each caught by the first, no longer gather and sort up to
10,000 candidates each). Posting lists are cut by bisection; a range slice (the bounds
a bound meets) is read in position order from its first position (kept for each prefix
or suffix of the sorted bounds), and sorted instead once reading it has cost twice its
size. A condition caught late or never costs a proof per candidate, as before, and
gathering its candidates costs about what gathering them all at once does. An
interval source is counted up to ``_PEEK`` candidates (a descent of the index), and
those are tried first when it is a condition's only source.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from ._needs import (
    Token,
    _has,
    _Later,
    _Marks,
    _need,
    _tightest,
)
from .analysis import _count_range, implies_normal, normal_form
from .nodes import (
    AllTimeWindow,
    BetweenWindow,
    EventCondition,
    Operator,
    ProfileCondition,
    TicketCondition,
)

__all__ = ["first_implied"]


# At most this many postings met by a condition: gather its candidates all at once.
_GATHER = 64
# Otherwise gather them in windows of positions, this wide first and four times wider
# each time, trying each window's candidates in order before gathering the next.
_WINDOW = 16
# A range slice is read in position order (from its first position on) for at most
# this many times as many postings as it holds; then it is sorted instead.
_SCAN = 2
# An interval source is gathered at once when it meets at most this many needs (and
# ``_GATHER`` allows); else window by window (finding them costs a descent each).
_PEEK = 4


class _Intervals:
    """The interval needs of one subject and kind, for all the conditions at once
    (position order), to find the earlier ones that an interval ``[low, high]`` meets:
    a need ``[low', high']`` with ``low' <= low`` and ``high' >= high`` (equal bounds
    included: analysis decides inclusiveness, as for single bounds).

    A segment tree over the needs in position order; each node holds its needs' lower
    bounds sorted, and the highest upper bound of every prefix of them, so that whether
    a node holds a need that an interval meets is one bisection. The first such need
    from a position on is found by descending from the root through the nodes that
    hold one: ``O(log n)`` nodes; all of them in a window of positions, in one descent
    (about two nodes per position read, when they are dense)."""

    __slots__ = ("highs", "lows", "positions", "size")

    def __init__(self, entries: Sequence[tuple[int, Any, Any]]) -> None:
        self.positions = [position for position, _, _ in entries]
        self.size = len(entries)
        self.lows: list[list[Any]] = [[] for _ in range(2 * self.size)]
        self.highs: list[list[Any]] = [[] for _ in range(2 * self.size)]
        if entries:
            self._build(1, 0, self.size, entries)

    def _build(
        self, node: int, lo: int, hi: int, entries: Sequence[tuple[int, Any, Any]]
    ) -> list[tuple[Any, Any]]:
        # Nodes are numbered in preorder (a node's left child follows it, its right
        # child follows the left subtree), so ``2 * size - 1`` numbers cover them.
        if hi - lo == 1:
            pairs = [entries[lo][1:]]
        else:
            mid = (lo + hi) // 2
            left = self._build(node + 1, lo, mid, entries)
            right = self._build(node + 2 * (mid - lo), mid, hi, entries)
            pairs = sorted(left + right, key=_first_item)
        self.lows[node] = [low for low, _ in pairs]
        self.highs[node] = list(accumulate((high for _, high in pairs), max))
        return pairs

    def holds(self, node: int, low: Any, high: Any) -> bool:
        """Whether the node holds a need that ``[low, high]`` meets."""
        at = bisect.bisect_right(self.lows[node], low)
        return at > 0 and self.highs[node][at - 1] >= high

    def meeting(self, low: Any, high: Any, start: int, stop: int, most: int) -> list[int]:
        """The positions, from ``start`` (included) to ``stop`` (excluded), of the first
        ``most`` needs that ``[low, high]`` meets, in increasing order (a position with
        two such needs is there twice)."""
        positions = self.positions
        begin = bisect.bisect_left(positions, start)
        end = bisect.bisect_left(positions, stop, begin)
        found: list[int] = []
        if begin >= end or most <= 0:
            return found
        # Depth first, the left child first: nodes (needs ``lo`` to ``hi``) that reach
        # into ``begin`` to ``end`` and hold a need met.
        stack = [(1, 0, self.size)]
        while stack:
            node, lo, hi = stack.pop()
            if not self.holds(node, low, high):
                continue
            if hi - lo == 1:
                found.append(positions[lo])
                if len(found) == most:
                    break
                continue
            mid = (lo + hi) // 2
            if mid < end:
                stack.append((node + 2 * (mid - lo), mid, hi))
            if begin < mid:
                stack.append((node + 1, lo, mid))
        return found


def _first_item(pair: tuple[Any, Any]) -> Any:
    return pair[0]


# An interval source: the index of a subject's interval needs, the interval ``(low,
# high)`` looked up, the first positions it meets (in order), and where the postings end.
_Span = tuple[_Intervals, Any, Any, list[int], int]

# Where the candidates for one set of marks are: posting lists (positions in increasing
# order); slices ``(key, bound, start, stop)`` of range keys' bound-sorted postings;
# interval sources; how many postings that makes (a position met twice counts twice;
# intervals counted up to what ``_GATHER`` allows); and, when that is at most
# ``_GATHER``, the candidates themselves (else a part of them).
_Sources = tuple[list[list[int]], list[tuple[Token, Any, int, int]], list[_Span], int, set[int]]


@dataclass(slots=True)
class _Scan:
    """A slice of a range key's bound-sorted postings (``members[start:stop]``), read
    in position order: the key's postings in that order (``positions``, ``bounds``)
    filtered by the bound met (``upper``: bounds at least ``bound``; else at most). The
    same positions as the slice: a key's bounds order totally (numbers, or instants with
    a time zone; validation refuses NaN)."""

    positions: list[int]
    bounds: list[Any]
    upper: bool
    bound: Any
    first: int  # the slice's first position
    members: list[int]
    start: int
    stop: int
    budget: int  # postings left to read before sorting the slice instead


@dataclass(slots=True)
class _Ordered:
    """Sources prepared for windows of positions: sorted lists, and range slices read
    in position order."""

    lists: list[list[int]]
    scans: list[_Scan]
    spans: list[_Span]
    start: int  # no candidate precedes it

    def window(self, lo: int, hi: int) -> set[int]:
        """The candidates at positions ``lo`` (included) to ``hi`` (excluded)."""
        found: set[int] = set()
        if self.scans:
            reading = []
            for scan in self.scans:
                positions = scan.positions
                start = bisect.bisect_left(positions, max(lo, scan.first))
                stop = bisect.bisect_left(positions, hi, start)
                if stop - start > scan.budget:
                    # Its candidates are far apart: sort them (as gathering would).
                    self.lists.append(sorted(scan.members[scan.start : scan.stop]))
                    continue
                scan.budget -= stop - start
                pairs = zip(positions[start:stop], scan.bounds[start:stop], strict=True)
                bound = scan.bound
                if scan.upper:
                    found.update([p for p, b in pairs if b >= bound])
                else:
                    found.update([p for p, b in pairs if b <= bound])
                reading.append(scan)
            self.scans = reading
        for lst in self.lists:
            start = bisect.bisect_left(lst, lo)
            found.update(lst[start : bisect.bisect_left(lst, hi, start)])
        for intervals, low, high, met, end in self.spans:
            start, stop = max(lo, met[0]), min(hi, end)
            found.update(intervals.meeting(low, high, start, stop, stop - start))
        return found


class _Postings:
    """The earlier conditions by their needs, looked up by what a later one has."""

    def __init__(self) -> None:
        self.tokens: dict[Token, list[int]] = {}
        # Per range key, the bounds sorted and their positions in the same order:
        # bisected for the bounds a later condition's bound meets.
        self.ranges: dict[Token, tuple[list[Any], list[int]]] = {}
        # Per range key, in the same order, the first position of each prefix (a lower
        # bound: a later one meets a prefix) or suffix (an upper bound); and the
        # positions and bounds in position order: read for the first ones that meet.
        self.firsts: dict[Token, list[int]] = {}
        self.arrivals: dict[Token, tuple[list[int], list[Any]]] = {}
        self.affixes: dict[Token, dict[str, list[int]]] = {}
        self.lengths: dict[Token, set[int]] = {}
        # Per subject and kind, every condition's interval needs (see ``index``); those
        # before ``end`` (the position after the last added) are the earlier ones.
        self.intervals: dict[Token, _Intervals] = {}
        self.end = 0

    def index(self, needs: Sequence[_Marks | None]) -> None:
        """Index the interval needs of every condition (``needs`` in position order)
        at once: they are met only once their conditions are added."""
        entries: dict[Token, list[tuple[int, Any, Any]]] = {}
        for position, need in enumerate(needs):
            if need is not None:
                for key, low, high in need.intervals:
                    entries.setdefault(key, []).append((position, low, high))
        self.intervals = {key: _Intervals(found) for key, found in entries.items()}

    def add(self, position: int, need: _Marks) -> None:
        self.end = position + 1
        for token in need.tokens:
            self.tokens.setdefault(token, []).append(position)
        for key, bound in need.ranges:
            bounds, positions = self.ranges.setdefault(key, ([], []))
            at = bisect.bisect_right(bounds, bound)
            bounds.insert(at, bound)
            positions.insert(at, position)
            # Positions come in increasing order: the prefix (suffix) ending (starting)
            # at the new one has the first of the one before (after) it, if any; the
            # others keep theirs.
            firsts = self.firsts.setdefault(key, [])
            if key[0] == "upper":
                firsts.insert(at, firsts[at] if at < len(firsts) else position)
            else:
                firsts.insert(at, firsts[at - 1] if at else position)
            in_order, bounds_in_order = self.arrivals.setdefault(key, ([], []))
            in_order.append(position)
            bounds_in_order.append(bound)
        for key, text in need.affixes:
            self.affixes.setdefault(key, {}).setdefault(text, []).append(position)
            self.lengths.setdefault(key, set()).add(len(text))

    def sources(self, has: _Marks) -> _Sources:
        """Where the earlier conditions whose need ``has`` meets are (gathered while
        they are few)."""
        lists: list[list[int]] = []
        ranges: list[tuple[Token, Any, int, int]] = []
        size = 0
        found: set[int] = set()
        for token in has.tokens:
            positions = self.tokens.get(token)
            if positions:
                lists.append(positions)
                size += len(positions)
                if size <= _GATHER:
                    found.update(positions)
        for key, bound in has.ranges:
            # The bounds the given one is at least as tight as (or equal to: analysis
            # decides inclusiveness): an upper bound at most theirs, a lower bound at
            # least theirs.
            entry = self.ranges.get(key)
            if entry is None:
                continue
            if key[0] == "upper":
                start, stop = bisect.bisect_left(entry[0], bound), len(entry[0])
            else:
                start, stop = 0, bisect.bisect_right(entry[0], bound)
            if start < stop:
                ranges.append((key, bound, start, stop))
                size += stop - start
                if size <= _GATHER:
                    found.update(entry[1][start:stop])
        for key, text in has.affixes:
            by_text = self.affixes.get(key, {})
            for length in self.lengths.get(key, ()):
                if length <= len(text):
                    part = text[:length] if key[0] == "starts_with" else text[len(text) - length :]
                    positions = by_text.get(part)
                    if positions:
                        lists.append(positions)
                        size += len(positions)
                        if size <= _GATHER:
                            found.update(positions)
        spans: list[_Span] = []
        if self.intervals:
            # A need's interval is met by the tightest bounds on both sides at once.
            tightest = _tightest(has)
            for (side, subject, kind), low in tightest.items():
                intervals = self.intervals.get((subject, kind))
                high = tightest.get(("upper", subject, kind))
                if side != "lower" or intervals is None or high is None:
                    continue
                # Counted up to one more than is gathered at once.
                most = min(_PEEK, max(_GATHER - size, 0)) + 1
                met = intervals.meeting(low, high, 0, self.end, most)
                if met:
                    spans.append((intervals, low, high, met, self.end))
                    # More than that: gathered window by window.
                    size += len(met) if len(met) < most else _GATHER + 1
                    if size <= _GATHER:
                        found.update(met)
        return lists, ranges, spans, size, found

    def ordered(self, sources: _Sources) -> _Ordered:
        """``sources`` prepared for windows of positions."""
        lists, ranges, spans, _, _ = sources
        firsts = [positions[0] for positions in lists]
        firsts += [span[3][0] for span in spans]
        scans = []
        for key, bound, start, stop in ranges:
            in_order, bounds = self.arrivals[key]
            upper = key[0] == "upper"
            first = self.firsts[key][start if upper else stop - 1]
            firsts.append(first)
            members, budget = self.ranges[key][1], (stop - start) * _SCAN
            scans.append(_Scan(in_order, bounds, upper, bound, first, members, start, stop, budget))
        return _Ordered(lists, scans, spans, min(firsts))


def _search(
    form: Any,
    forms: list[Any],
    memo: dict[int, Any],
    postings: _Postings,
    groups: list[_Sources],
    end: int,
) -> int | None:
    """The first earlier position that ``form`` implies among the candidates in every
    one of ``groups``: all gathered at once when they are few, else window by window in
    position order, so that an early catch ends the search before the rest is gathered."""
    total = 0
    for _, _, _, size, _ in groups:
        if not size:
            return None
        total += size
    if total <= _GATHER:
        candidates = groups[0][4]
        for group in groups[1:]:
            candidates &= group[4]
        for i in sorted(candidates):
            if implies_normal(form, forms[i], memo):
                return i
        return None
    lo = 0
    lists, ranges, spans, _, _ = groups[0]
    if len(groups) == 1 and not lists and not ranges and len(spans) == 1:
        # An interval source alone: the needs it met when counted are its first
        # candidates (a tier caught early is caught without a window).
        met = spans[0][3]
        for i in sorted(set(met)):
            if implies_normal(form, forms[i], memo):
                return i
        lo = met[-1] + 1
    ordered = [postings.ordered(group) for group in groups]
    lo = max(lo, *(each.start for each in ordered))
    width = _WINDOW
    while lo < end:
        hi = lo + width
        candidates = ordered[0].window(lo, hi)
        for more in ordered[1:]:
            if not candidates:
                break
            candidates &= more.window(lo, hi)
        for i in sorted(candidates):
            if implies_normal(form, forms[i], memo):
                return i
        lo, width = hi, width * 4
    return None


def _is_between(form: Any) -> bool:
    return isinstance(form, TicketCondition | ProfileCondition) and form.op is Operator.BETWEEN


def _varied_counts(has: Sequence[_Marks]) -> set[str]:
    """The metrics that conditions count in more than one way (count bounds, see
    ``_has``, of two sides or two values): only there does a count set a condition
    apart from some later ones that count, so only there is it worth choosing it over
    a window (and walking the conditions to choose)."""
    first: dict[str, tuple[str, Any]] = {}
    varied: set[str] = set()
    for marks in has:
        for (side, subject, _), bound in marks.ranges:
            if subject[0] == "event-count":
                metric = subject[1]
                if first.setdefault(metric, (side, bound)) != (side, bound):
                    varied.add(metric)
    return varied


def _chooses(form: Any, varied: set[str]) -> bool:
    """Whether the need of a (normal) condition is chosen by what later conditions
    have: an ``all`` or ``any``, a ``between`` test, an event condition counting at
    least one event with filters or a window bounded on both sides, or, on a metric
    counted in more than one way (``varied``), with a window or an upper count too
    (``exactly``)."""
    if isinstance(form, tuple) or _is_between(form):
        return True
    if isinstance(form, EventCondition):
        low, high = _count_range(form)
        if not low:
            return False  # Its count is its only need (or its metric is).
        if form.filters or isinstance(form.window, BetweenWindow):
            return True
        return form.metric in varied and (
            high is not None or not isinstance(form.window, AllTimeWindow)
        )
    return False


def first_implied(conditions: Sequence[Any]) -> list[int | None]:
    """For each condition, the position of the first earlier condition it implies
    (``None``: none). Groups must not be empty (a rule set's never are)."""
    forms = [normal_form(c) for c in conditions]
    has = [_has(form) for form in forms]
    # An "any" implies b only when each alternative does (or it equals b, whose every
    # alternative then shares a token with the matching one): candidates must meet the
    # need of every alternative, not just one. (What the "any" has is what its
    # alternatives have together: its own candidates, their union, would add nothing.)
    alternatives = [
        [_has(child) for child in form[1]] if isinstance(form, tuple) and form[0] == "any" else []
        for form in forms
    ]
    # Each condition's need, chosen (among those of its conjuncts, or the sides of a
    # "between") as the one that the fewest later conditions meet: walked from the last,
    # when some condition has a choice.
    needs: list[_Marks | None] = [None] * len(forms)
    varied = _varied_counts(has)
    if any(_chooses(form, varied) for form in forms):
        later = _Later(has)
        for j in range(len(forms) - 1, -1, -1):
            needs[j] = _need(forms[j], later)
            later.add(has[j])
    memo: dict[int, Any] = {}
    postings = _Postings()
    postings.index(needs)
    found: list[int | None] = []
    for j, form in enumerate(forms):
        alternative = alternatives[j]
        if alternative:
            groups = [postings.sources(marks) for marks in alternative]
        else:
            groups = [postings.sources(has[j])]
        found.append(_search(form, forms, memo, postings, groups, j))
        need = needs[j]
        postings.add(j, _need(form, None) if need is None else need)
        needs[j] = None  # Not kept alive while the others search.
    return found
