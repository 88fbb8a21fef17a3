"""The statistics refuse numbers that would put their results out of range: a negative
duration or count, a ``NaN``, and values handed to ``percentile`` out of order, each a
``ValidationError`` (a ``ValueError``, not a kind error) naming the bad item by its index
(by its agent for ``FairnessStats.of``) and saying what is wrong with it."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing import metrics
from helpdesk_routing.errors import ValidationError

NAN = float("nan")


@contextmanager
def _invalid(message: str) -> Iterator[None]:
    """A ValidationError, not its subclass ArgumentTypeError, whose message is ``message``."""
    with pytest.raises(ValidationError, match=f"^{re.escape(message)}$") as caught:
        yield
    assert type(caught.value) is ValidationError
    assert isinstance(caught.value, ValueError)


COUNT_FUNCTIONS: list[Callable[[Any], object]] = [metrics.jain_index, metrics.gini]


def test_a_negative_duration_is_refused_by_index() -> None:
    """DurationStats.of([1, -5]) was accepted (a mean of -2): no duration is negative."""
    with _invalid("seconds[1] must be at least 0, got -5"):
        metrics.DurationStats.of([1, -5])
    with _invalid("seconds[0] must be at least 0, got -0.5"):
        metrics.DurationStats.of(iter([-0.5]))


def test_a_nan_duration_is_refused_by_index() -> None:
    """DurationStats.of([nan, 1]) gave NaN for every figure, silently."""
    with _invalid("seconds[0] must not be NaN"):
        metrics.DurationStats.of([NAN, 1])
    with _invalid("seconds[2] must not be NaN"):  # the first invalid one, by index
        metrics.DurationStats.of([3, 2, NAN, -1, float("inf")])


@pytest.mark.parametrize("function", [*COUNT_FUNCTIONS, metrics.spread])
def test_a_negative_count_is_refused_by_index(function: Callable[[Any], object]) -> None:
    """gini([-3, 1]) was -1.0 and jain_index([-1, 1]) 0.0, out of their ranges."""
    with _invalid("counts[0] must be at least 0, got -3"):
        function([-3, 1])
    with _invalid("counts[2] must be at least 0, got -1"):
        function([1, 0, -1])


@pytest.mark.parametrize("function", COUNT_FUNCTIONS)
def test_a_nan_count_is_refused_by_index(function: Callable[[Any], object]) -> None:
    """A NaN count gave a NaN index or coefficient, silently."""
    with _invalid("counts[1] must not be NaN"):
        function([1, NAN, 2])


def test_fairness_names_a_negative_count_by_agent() -> None:
    """FairnessStats.of({"a": -1, "b": 3}) gave a Gini of 1.0: refused, named by agent."""
    with _invalid("per_agent['a'] must be at least 0, got -1"):
        metrics.FairnessStats.of({"a": -1, "b": 3})
    with _invalid("per_agent['c'] must be at least 0, got -2"):
        metrics.FairnessStats.of({"a": 0, "b": 3, "c": -2})


def test_percentile_of_unsorted_values_is_refused() -> None:
    """percentile([3, 1, 2], 50) was 1.0 (it reads the middle item): values out of
    order are refused instead of answered wrongly."""
    with _invalid("sorted_values must be sorted ascending"):
        metrics.percentile([3, 1, 2], 50)
    with _invalid("sorted_values must be sorted ascending"):
        metrics.percentile((1, 2, 4, 3), 0)
    assert metrics.percentile([1, 2, 3], 50) == 2.0
    assert metrics.percentile([1, 1, 2], 50) == 1.0  # equal neighbours are in order


def test_percentile_names_a_nan() -> None:
    """A NaN is in order with nothing; alone it is still read, and named."""
    with _invalid("sorted_values[1] must not be NaN"):
        metrics.percentile([1, NAN, 2], 90)
    with _invalid("sorted_values[0] must not be NaN"):
        metrics.percentile([NAN], 50)


counts = st.lists(st.one_of(st.integers(0, 10**6), st.floats(0, 1e6)), min_size=1, max_size=30)
bad = st.sampled_from([-1, -0.5, -(10**6), float("-inf"), NAN])


@given(values=counts, at=st.integers(min_value=0), wrong=bad)
def test_the_first_invalid_number_is_named_by_its_index(
    values: list[float], at: int, wrong: float
) -> None:
    """For any valid numbers with a negative one or a NaN put anywhere among them, each
    statistic names that item's index and what is wrong with it."""
    index = at % (len(values) + 1)
    spoiled = [*values[:index], wrong, *values[index:]]
    problem = "must not be NaN" if math.isnan(wrong) else "must be at least 0"
    for name, function in (
        ("seconds", metrics.DurationStats.of),
        ("counts", metrics.jain_index),
        ("counts", metrics.gini),
    ):
        with pytest.raises(ValidationError, match=rf"^{name}\[{index}\] {problem}"):
            function(spoiled)


@given(st.lists(st.integers(0, 10**6), max_size=30))
def test_fairness_of_valid_counts_stays_in_range_and_matches_the_functions(
    values: list[int],
) -> None:
    """Counts of at least 0: Jain's index in [1/n, 1], Gini in [0, (n-1)/n], and
    FairnessStats.of gives what spread, jain_index and gini give."""
    stats = metrics.FairnessStats.of({f"a{i}": v for i, v in enumerate(values)})
    assert stats == metrics.FairnessStats(
        len(values), metrics.spread(values), metrics.jain_index(values), metrics.gini(values)
    )
    n = max(len(values), 1)
    assert 1 / n - 1e-12 <= stats.jain <= 1 + 1e-12
    assert -1e-12 <= stats.gini <= (n - 1) / n + 1e-12


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=30))
def test_percentile_refuses_exactly_the_values_out_of_order(values: list[float]) -> None:
    """Any list that is not in ascending order is refused; the same list sorted gives
    the percentile by closest ranks."""
    ordered = sorted(values)
    if values != ordered:
        with _invalid("sorted_values must be sorted ascending"):
            metrics.percentile(values, 50)
    assert metrics.percentile(ordered, 0) == ordered[0]
    assert metrics.percentile(ordered, 100) == ordered[-1]
