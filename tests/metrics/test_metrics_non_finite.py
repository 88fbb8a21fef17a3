"""Infinite values, and numbers too large for a float, are refused by name: they made the
statistics answer ``inf`` or ``NaN`` silently, or raised a bare ``OverflowError``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing import metrics
from helpdesk_routing.errors import ValidationError

INF = math.inf
HUGE = 10**400  # a whole number no float holds


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: metrics.DurationStats.of([1, INF]), "seconds[1] must be finite, got inf"),
        (lambda: metrics.DurationStats.of([1, HUGE]), "seconds[1] is too large for a float"),
        (lambda: metrics.DurationStats.of([1e308, 1e308]), "seconds are too large: their sum"),
        (lambda: metrics.jain_index([3, INF]), "counts[1] must be finite, got inf"),
        (lambda: metrics.jain_index([HUGE]), "counts[0] is too large for a float"),
        (lambda: metrics.gini([INF, 2]), "counts[0] must be finite, got inf"),
        (lambda: metrics.gini([1e308, 1e308]), "counts are too large: their sum"),
        (lambda: metrics.percentile([1, INF], 50), "sorted_values[1] must be finite, got inf"),
        (lambda: metrics.percentile([1, INF], 0), "sorted_values[1] must be finite, got inf"),
        (lambda: metrics.percentile([-INF, 1], 50), "sorted_values[0] must be finite, got -inf"),
        (lambda: metrics.percentile([1, HUGE], 50), "sorted_values[1] is too large for a float"),
        (lambda: metrics.FairnessStats.of({"a1": 1, "a2": HUGE}), "per_agent['a2'] is too large"),
        (
            lambda: metrics.FairnessStats.of({"a1": 10**308, "a2": 10**308}),
            "per_agent counts are too large",
        ),
    ],
)
def test_refused_by_name(call: Callable[[], Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("[", r"\[").replace("]", r"\]")):
        call()


def test_infinity_read_or_not_by_percentile() -> None:
    # Only the values a percentile reads are looked at: an inf it does not read is fine.
    assert metrics.percentile([1, 2, INF], 0) == 1


counts = st.lists(st.integers(0, 1_000), min_size=1, max_size=30)


@given(counts, st.sampled_from([1e151, 1e200, 1e300]))
def test_huge_counts_give_the_figures_of_the_same_counts_scaled(
    values: list[int], factor: float
) -> None:
    # Jain's index and Gini do not change when every count is multiplied by one factor;
    # counts this large used to overflow (a squared total, a weighted sum).
    big = [v * factor / 1_000 for v in values]
    assert math.isclose(metrics.jain_index(big), metrics.jain_index(values), rel_tol=1e-9)
    assert math.isclose(metrics.gini(big), metrics.gini(values), rel_tol=1e-9, abs_tol=1e-12)
    fair = metrics.FairnessStats.of({f"a{i}": v * 10**150 for i, v in enumerate(values)})
    assert math.isclose(fair.jain, metrics.jain_index(values), rel_tol=1e-9)
    assert math.isclose(fair.gini, metrics.gini(values), rel_tol=1e-9, abs_tol=1e-12)


@given(counts, st.sampled_from([1e-151, 1e-200, 1e-300]))
def test_tiny_counts_give_the_figures_of_the_same_counts_scaled(
    values: list[int], factor: float
) -> None:
    # Counts this small had squares that round to 0: Jain's index of [1e-200, 0] was 1
    # (perfectly fair), not 1/2.
    small = [v * factor / 1_000 for v in values]
    assert math.isclose(metrics.jain_index(small), metrics.jain_index(values), rel_tol=1e-9)
    assert math.isclose(metrics.gini(small), metrics.gini(values), rel_tol=1e-9, abs_tol=1e-12)


def test_one_tiny_count_taking_all_gives_one_over_n() -> None:
    assert metrics.jain_index([1e-200, 0]) == 0.5
    assert metrics.jain_index([5e-324, 5e-324, 0]) == pytest.approx(2 / 3)
