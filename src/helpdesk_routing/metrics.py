"""Helpdesk metrics: time to first response, load per agent, fairness, AI-agent rates.

This module starts with the pure statistics every report shares (the metrics report and
the simulator's summary call these same functions, never a copy):

- :func:`percentile` — linear interpolation between closest ranks (numpy's default);
- :class:`DurationStats` — count, mean, median, p90, p99 of durations in seconds;
- :func:`spread`, :func:`jain_index`, :func:`gini` — fairness of counts per agent, in
  :class:`FairnessStats`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["DurationStats", "FairnessStats", "gini", "jain_index", "percentile", "spread"]


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) of ascending ``sorted_values``, interpolated linearly.

    ``NaN`` for no values. ``percentile([1, 2, 3, 4], 50) == 2.5``.
    """
    if not 0 <= q <= 100:
        raise ValueError(f"q must be between 0 and 100, got {q}")
    n = len(sorted_values)
    if n == 0:
        return math.nan
    rank = (n - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, n - 1)
    fraction = rank - low
    return float(sorted_values[low] + (sorted_values[high] - sorted_values[low]) * fraction)


@dataclass(frozen=True, slots=True)
class DurationStats:
    """Summary of durations in seconds; every figure is ``NaN`` when ``count`` is 0."""

    count: int
    mean: float
    median: float
    p90: float
    p99: float

    @classmethod
    def of(cls, seconds: Iterable[float]) -> DurationStats:
        """Summarise ``seconds`` (any order)."""
        values = sorted(float(s) for s in seconds)
        if not values:
            return cls(0, math.nan, math.nan, math.nan, math.nan)
        return cls(
            count=len(values),
            mean=math.fsum(values) / len(values),
            median=percentile(values, 50),
            p90=percentile(values, 90),
            p99=percentile(values, 99),
        )


def spread(counts: Iterable[int]) -> int:
    """Max minus min of the counts (0 for none): at most 1 under round robin."""
    values = list(counts)
    return max(values) - min(values) if values else 0


def jain_index(counts: Iterable[float]) -> float:
    """Jain's fairness index (sum x)^2 / (n * sum x^2): 1 when equal, 1/n when one takes all.

    1.0 for no counts or all zero (nobody was treated worse than anybody else).
    """
    values = [float(c) for c in counts]
    squares = math.fsum(v * v for v in values)
    if not values or squares == 0:
        return 1.0
    return math.fsum(values) ** 2 / (len(values) * squares)


def gini(counts: Iterable[float]) -> float:
    """The Gini coefficient of the counts: 0 when equal, (n-1)/n when one takes all.

    0.0 for no counts or all zero.
    """
    values = sorted(float(c) for c in counts)
    n = len(values)
    total = math.fsum(values)
    if n == 0 or total == 0:
        return 0.0
    weighted = math.fsum((2 * (i + 1) - n - 1) * v for i, v in enumerate(values))
    return weighted / (n * total)


@dataclass(frozen=True, slots=True)
class FairnessStats:
    """How evenly tickets were spread over agents: max-min spread, Jain's index, Gini."""

    agents: int
    spread: int
    jain: float
    gini: float

    @classmethod
    def of(cls, per_agent: Mapping[str, int]) -> FairnessStats:
        """Fairness of ``agent id -> tickets``."""
        counts = list(per_agent.values())
        return cls(len(counts), spread(counts), jain_index(counts), gini(counts))
