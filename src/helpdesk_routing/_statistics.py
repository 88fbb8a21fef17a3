"""The statistics every helpdesk report shares: the metrics report and the simulator's
summary call these same functions, never a copy. ``helpdesk_routing.metrics`` gives the
public ones.

- :func:`percentile` — linear interpolation between closest ranks (numpy's default);
- :class:`DurationStats` — count, mean, median, p90, p99 of durations in seconds;
- :func:`spread`, :func:`jain_index`, :func:`gini` — fairness of counts per agent, in
  :class:`FairnessStats`.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any, NoReturn

from helpdesk_routing._input import integer_argument
from helpdesk_routing._same_figures import hash_key, same_fields
from helpdesk_routing.errors import ArgumentTypeError, ValidationError

__all__ = [
    "DurationStats",
    "FairnessStats",
    "duration_stats",
    "gini",
    "jain_index",
    "percentile",
    "spread",
]


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) of ascending ``sorted_values``, interpolated linearly.

    ``NaN`` for no values. ``percentile([1, 2, 3, 4], 50) == 2.5``. ``ArgumentTypeError``
    names ``sorted_values`` that are not a sequence, the first value that cannot be
    compared with the others or one of the (at most two) values it reads that is not a
    number, and a ``q`` that is not one. Values out of order are a ``ValidationError``
    (``sorted_values must be sorted ascending``; an answer from unsorted values would be
    silently wrong), and so is a ``NaN`` among them, named by its index, and an
    infinite value or one too large for a float among the two it reads. Values whose
    difference is beyond a float interpolate without overflowing
    (``percentile([-1.7e308, 1.7e308], 50) == 0.0``). The order is
    checked in one pass in C (about 27 ms per 1,000,000 values); :class:`DurationStats`
    sorts its values itself and skips it.
    """
    if not isinstance(sorted_values, Sequence) or isinstance(sorted_values, (str, bytes)):
        raise ArgumentTypeError(
            f"sorted_values must be a sequence of numbers, got {type(sorted_values).__name__}"
        )
    if not _is_number(q):
        raise ArgumentTypeError(f"q must be a number, got {type(q).__name__}")
    if not 0 <= q <= 100:
        raise ValidationError(f"q must be between 0 and 100, got {q}")
    try:
        ascending = all(map(operator.le, sorted_values, itertools.islice(sorted_values, 1, None)))
    except TypeError:
        _refuse_kinds(sorted_values, "sorted_values")
        raise
    if not ascending:  # a NaN is no more at or after its neighbour than before it
        _refuse_nan(sorted_values, "sorted_values")
        raise ValidationError("sorted_values must be sorted ascending")
    return _percentile(sorted_values, q)


def _percentile(sorted_values: Sequence[Any], q: float) -> float:
    """:func:`percentile` of values known to be in ascending order."""
    n = len(sorted_values)
    if n == 0:
        return math.nan
    rank = (n - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, n - 1)
    for i in (low, high):
        value = sorted_values[i]
        if not _is_number(value):
            kind = type(value).__name__
            raise ArgumentTypeError(f"sorted_values[{i}] must be a number, got {kind}")
        if value != value:  # a lone NaN, with no neighbour to be out of order with
            raise ValidationError(f"sorted_values[{i}] must not be NaN")
        if not math.isfinite(_as_float(value, f"sorted_values[{i}]")):
            # inf - inf, or inf * 0 at an exact rank, would answer NaN
            raise ValidationError(f"sorted_values[{i}] must be finite, got {value}")
    fraction = rank - low
    lo, hi = sorted_values[low], sorted_values[high]
    try:
        found = float(lo + (hi - lo) * fraction)
    except OverflowError:  # whole numbers whose difference no float holds
        found = math.nan
    if math.isfinite(found):
        return found
    # Finite values of opposite signs whose difference is beyond a float (``hi - lo``
    # overflowed: ``inf``, or ``NaN`` at an exact rank): step from the nearer end by the
    # halved gap (halving such large floats is exact, and neither step overflows).
    low_value, high_value = float(lo), float(hi)
    half_gap = high_value / 2 - low_value / 2
    if fraction <= 0.5:
        return low_value + half_gap * (2 * fraction)
    return high_value - half_gap * (2 * (1 - fraction))


def _as_float(value: Any, where: str) -> float:
    """``float(value)``; a whole number too large for a float is a ``ValidationError``
    naming ``where``."""
    try:
        return float(value)
    except OverflowError:
        raise ValidationError(f"{where} is too large for a float (about 1.8e308 at most)") from None


def _floats(items: list[Any], name: str) -> list[float]:
    """``items`` (numbers) as floats; a whole number too large for one is a
    ``ValidationError`` naming it by its index."""
    try:
        return list(map(float, items))
    except OverflowError:
        for i, item in enumerate(items):
            _as_float(item, f"{name}[{i}]")
        raise  # pragma: no cover - one of them overflowed


def _is_number(value: object) -> bool:
    """Whether ``value`` is a real number and not a bool (``True`` is no duration), nor
    an integral one that is no index (NumPy's ``timedelta64``, which ``float()``
    refuses: a raw ``TypeError`` from deep inside)."""
    kind = type(value)
    if kind is float or kind is int:
        return True
    if not isinstance(value, Real) or kind is bool:
        return False
    return not isinstance(value, Integral) or integer_argument(value) is not None


_PLAIN_NUMBERS = frozenset({float, int})
_PLAIN_WHOLE = frozenset({int})


def _numbers(values: object, name: str, *, whole: bool = False) -> list[Any]:
    """``values`` as a list, each checked to be a number (a whole number when ``whole``):
    ``ArgumentTypeError`` naming ``name`` when it is no iterable of them, or the first
    item that is not one by its index. The types are gathered in C; an item is looked at
    in Python only when one of them is not a plain ``int`` (or ``float``)."""
    kinds = "whole numbers" if whole else "numbers"
    if not isinstance(values, Iterable) or isinstance(values, (str, bytes, Mapping)):
        raise ArgumentTypeError(
            f"{name} must be {kinds} (an iterable), got {type(values).__name__}"
        )
    items = list(values)
    if not set(map(type, items)) <= (_PLAIN_WHOLE if whole else _PLAIN_NUMBERS):
        _refuse_kinds(items, name, whole=whole)
        if whole:  # a NumPy or pandas integer (value_counts' counts) as the int it is
            items = list(map(integer_argument, items))
    return items


def _refuse_kinds(items: Iterable[object], name: str, *, whole: bool = False) -> None:
    """``ArgumentTypeError`` naming the first of ``items`` that is not a number (a whole
    number when ``whole``) by its index; nothing when each is one."""
    kind = "a whole number" if whole else "a number"
    fits = _whole if whole else _is_number
    for i, item in enumerate(items):
        if not fits(item):
            raise ArgumentTypeError(f"{name}[{i}] must be {kind}, got {type(item).__name__}")


def _whole(value: object) -> bool:
    """Whether ``value`` is a whole number: an ``int`` or any integral number (a NumPy
    integer), not a ``bool``."""
    return integer_argument(value) is not None


def _refuse_nan(items: Iterable[Any], name: str) -> None:
    """``ValidationError`` naming the first ``NaN`` of ``items`` by its index; nothing
    when there is none."""
    for i, item in enumerate(items):
        if item != item:
            raise ValidationError(f"{name}[{i}] must not be NaN")


def _refuse_invalid(items: Iterable[Any], name: str) -> NoReturn:
    """``ValidationError`` naming the first of ``items`` (numbers) that is ``NaN``,
    negative or infinite by its index, saying which; or, when none is, saying that their
    sum is beyond a float. Called only once a cheap check over them all
    (:func:`_valid_total`, the least of them) found one, so valid input pays no step
    per item for it."""
    for i, item in enumerate(items):
        if item != item:
            raise ValidationError(f"{name}[{i}] must not be NaN")
        if item < 0:
            raise ValidationError(f"{name}[{i}] must be at least 0, got {item}")
        if item == math.inf:
            raise ValidationError(f"{name}[{i}] must be finite, got inf")
    raise ValidationError(
        f"{name} are too large: their sum is beyond the largest float (about 1.8e308)"
    )


def _valid_total(values: Sequence[float]) -> float | None:
    """The exact sum of ``values`` (floats) when it tells that each of them is finite and
    not ``NaN``, else ``None``: a ``NaN`` makes it ``NaN``, an ``inf`` (or finite values
    whose sum no float holds) ``inf``, and ``inf`` with ``-inf`` make ``fsum`` raise."""
    try:
        total = math.fsum(values)
    except (ValueError, OverflowError):
        return None
    return total if math.isfinite(total) else None


_SCALE_ABOVE = 1e150
"""Jain's index squares the total and Gini weighs each count by up to ``n``: counts
whose total passes this are divided by it first (both are the same for counts scaled
alike), so no step overflows."""
_SCALE_BELOW = 1e-150
"""And counts whose total is under this (not 0) are divided by it too, so that their
squares do not round to 0 (Jain's index of ``[1e-200, 0]`` was 1, not 1/2)."""


def _scaled(values: list[float], total: float) -> tuple[list[float], float]:
    """``values`` and their ``total``, divided by the total when it is above
    :data:`_SCALE_ABOVE` or under :data:`_SCALE_BELOW` and not 0 (else as they are)."""
    if total == 0 or _SCALE_BELOW <= total <= _SCALE_ABOVE:
        return values, total
    return [v / total for v in values], 1.0


@dataclass(frozen=True, slots=True, eq=False)
class DurationStats:
    """Summary of durations in seconds; every figure is ``NaN`` when ``count`` is 0.

    Equal when the figures are, a ``NaN`` equal to a ``NaN`` in the same place (so the
    summary of no durations equals its pickle); equal ones hash alike."""

    count: int
    mean: float
    median: float
    p90: float
    p99: float

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return same_fields(self, other)

    def __hash__(self) -> int:
        # every field (a count built by hand may be NaN too)
        return hash(tuple(map(hash_key, (self.count, self.mean, self.median, self.p90, self.p99))))

    @classmethod
    def of(cls, seconds: Iterable[float]) -> DurationStats:
        """Summarise ``seconds`` (any order), numbers: ``ArgumentTypeError`` names
        ``seconds`` that are not an iterable of them, or the first item that is not one
        by its index; ``ValidationError`` the first that is ``NaN`` (every figure would be
        ``NaN``), negative (no duration is), infinite or too large for a float, by its
        index, and durations whose sum no float holds. Those checks cost nothing per
        item: the sum the mean needs is ``NaN`` or ``inf`` when one is, and the least
        duration is the first once sorted."""
        items = _numbers(seconds, "seconds")
        return duration_stats(items, items)


def duration_stats(seconds: Iterable[float], given: list[Any] | None = None) -> DurationStats:
    """:meth:`DurationStats.of` of durations known to be numbers: ``given``, the list of
    them as the caller gave it, to name a ``NaN`` or a negative one; ``None`` for the
    report's own (never negative, see :func:`_assemble`)."""
    values = sorted(map(float, seconds) if given is None else _floats(given, "seconds"))
    if not values:
        return DurationStats(0, math.nan, math.nan, math.nan, math.nan)
    total = _valid_total(values)
    if total is None or values[0] < 0:  # a NaN, or a negative one (sorted: the first)
        _refuse_invalid(values if given is None else given, "seconds")
    return DurationStats(
        count=len(values),
        mean=total / len(values),
        median=_percentile(values, 50),
        p90=_percentile(values, 90),
        p99=_percentile(values, 99),
    )


def spread(counts: Iterable[int]) -> int:
    """Max minus min of the counts (0 for none): at most 1 under round robin.

    ``ArgumentTypeError`` names ``counts`` that are not an iterable of whole numbers, or
    the first item that is not one by its index; ``ValidationError`` the first negative
    count by its index.
    """
    values = _numbers(counts, "counts", whole=True)
    if not values:
        return 0
    least = min(values)
    if least < 0:
        _refuse_invalid(values, "counts")
    return max(values) - least  # type: ignore[no-any-return]


def jain_index(counts: Iterable[float]) -> float:
    """Jain's fairness index (sum x)^2 / (n * sum x^2): 1 when equal, 1/n when one takes all.

    1.0 for no counts or all zero (nobody was treated worse than anybody else).
    ``ArgumentTypeError`` names ``counts`` that are not an iterable of numbers, or the
    first item that is not one by its index; ``ValidationError`` the first count that is
    ``NaN``, negative or infinite (the index is then out of its range), or too large for
    a float, by its index, and counts whose sum no float holds. Counts whose sum passes
    1e150, or is under 1e-150 and not 0, are scaled by it first, so squaring cannot
    overflow or round every square to 0.
    """
    items = _numbers(counts, "counts")
    values = _floats(items, "counts")
    total = _valid_total(values)
    if total is None or (values and min(values) < 0):
        _refuse_invalid(items, "counts")
    return _jain(values, total)


def _jain(values: list[float], total: float) -> float:
    """:func:`jain_index` of counts known to be valid, ``total`` their exact sum."""
    values, total = _scaled(values, total)
    squares = math.fsum(map(operator.mul, values, values))
    if not values or squares == 0:
        return 1.0
    return total**2 / (len(values) * squares)


def gini(counts: Iterable[float]) -> float:
    """The Gini coefficient of the counts: 0 when equal, (n-1)/n when one takes all.

    0.0 for no counts or all zero. ``ArgumentTypeError`` names ``counts`` that are not
    an iterable of numbers, or the first item that is not one by its index;
    ``ValidationError`` the first count that is ``NaN``, negative or infinite (the
    coefficient is then out of its range), or too large for a float, by its index, and
    counts whose sum no float holds.
    """
    items = _numbers(counts, "counts")
    values = sorted(_floats(items, "counts"))
    n = len(values)
    total = _valid_total(values)
    if total is None or (n and values[0] < 0):  # sorted: the first is the least
        _refuse_invalid(items, "counts")
    return _gini(values, total)


def _gini(ordered: list[float], total: float) -> float:
    """:func:`gini` of counts known to be valid, in ascending order, ``total`` their
    exact sum."""
    ordered, total = _scaled(ordered, total)
    n = len(ordered)
    if n == 0 or total == 0:
        return 0.0
    weighted = math.fsum((2 * (i + 1) - n - 1) * v for i, v in enumerate(ordered))
    return weighted / (n * total)


@dataclass(frozen=True, slots=True, eq=False)
class FairnessStats:
    """How evenly tickets were spread over agents: max-min spread, Jain's index, Gini.

    Equal when the figures are, a ``NaN`` (in one built by hand) equal to a ``NaN`` in
    the same place; equal ones hash alike."""

    agents: int
    spread: int
    jain: float
    gini: float

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return same_fields(self, other)

    def __hash__(self) -> int:
        return hash(tuple(map(hash_key, (self.agents, self.spread, self.jain, self.gini))))

    @classmethod
    def of(cls, per_agent: Mapping[str, int]) -> FairnessStats:
        """Fairness of ``agent id -> tickets``: ``ArgumentTypeError`` names ``per_agent``
        when it is not a mapping, or a count that is not a whole number by its agent;
        ``ValidationError`` a negative count by its agent (Jain's index and Gini would
        leave their ranges)."""
        if not isinstance(per_agent, Mapping):
            raise ArgumentTypeError(
                "per_agent must be a mapping of agent id to tickets, "
                f"got {type(per_agent).__name__}"
            )
        counts = list(per_agent.values())
        if not set(map(type, counts)) <= _PLAIN_WHOLE:
            for agent, count in per_agent.items():
                if not _whole(count):
                    kind = type(count).__name__
                    raise ArgumentTypeError(
                        f"per_agent[{agent!r}] must be a whole number, got {kind}"
                    )
            # a NumPy or pandas integer (value_counts' counts) as the int it is
            per_agent = {agent: operator.index(count) for agent, count in per_agent.items()}
            counts = list(per_agent.values())
        if not counts:
            return cls(0, 0, 1.0, 0.0)
        least = min(counts)
        if least < 0:
            agent, count = next((a, c) for a, c in per_agent.items() if c < 0)
            raise ValidationError(f"per_agent[{agent!r}] must be at least 0, got {count}")
        # checked once here, so the figures are computed without their functions' checks
        try:
            values = list(map(float, counts))
        except OverflowError:
            for agent, count in per_agent.items():
                _as_float(count, f"per_agent[{agent!r}]")
            raise  # pragma: no cover - one of them overflowed
        total = _valid_total(values)
        if total is None:
            raise ValidationError(
                "per_agent counts are too large: their sum is beyond the largest float"
            )
        return cls(
            len(counts), max(counts) - least, _jain(values, total), _gini(sorted(values), total)
        )


# The report -------------------------------------------------------------------------
