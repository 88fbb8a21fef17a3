"""percentile between values whose difference is beyond a float: no inf, NaN or
OverflowError; elsewhere the same answer as the plain formula, bit for bit."""

from __future__ import annotations

import math
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.errors import ValidationError
from helpdesk_routing.metrics import percentile

BIG = sys.float_info.max


def _plain(values: list[float], q: float) -> float:
    """The interpolation as it stood: ``lo + (hi - lo) * fraction``."""
    rank = (len(values) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(values) - 1)
    return float(values[low] + (values[high] - values[low]) * (rank - low))


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([-1.7e308, 1.7e308], 50, 0.0),
        ([-1.7e308, 1.7e308], 25, -8.5e307),
        ([-1.7e308, 1.7e308], 75, 8.5e307),
        ([-1.7e308, 1.7e308], 0, -1.7e308),  # was NaN: inf * 0
        ([-1.7e308, 1.7e308], 100, 1.7e308),
        ([-BIG, BIG], 50, 0.0),
        ([-BIG, 0.0, BIG], 25, -BIG / 2),
        ([-(10**308), 10**308], 50, 0.0),  # was OverflowError from int * float
        ([-(10**308), 10**308], 25, -5e307),
        ([-(10**308), 0, 10**308], 0, -1e308),
    ],
)
def test_opposite_extremes(values: list[float], q: float, expected: float) -> None:
    assert percentile(values, q) == expected


@given(
    st.floats(-BIG, -BIG / 4),
    st.floats(BIG / 4, BIG),
    st.floats(0, 100),
)
def test_interpolation_between_extremes_stays_between(lo: float, hi: float, q: float) -> None:
    """Finite values always give a finite answer within them, monotone in ``q``."""
    found = percentile([lo, hi], q)
    assert math.isfinite(found)
    assert lo <= found <= hi
    assert percentile([lo, hi], min(100.0, q + 1)) >= found


@given(
    st.lists(st.floats(-1e300, 1e300), min_size=1, max_size=8).map(sorted),
    st.floats(0, 100),
)
def test_ordinary_floats_unchanged_bit_for_bit(values: list[float], q: float) -> None:
    expected = _plain(values, q)
    assert math.isfinite(expected)
    found = percentile(values, q)
    assert found == expected
    assert math.copysign(1, found) == math.copysign(1, expected)


@given(
    st.lists(st.integers(-(2**80), 2**80), min_size=1, max_size=8).map(sorted),
    st.floats(0, 100),
)
def test_ordinary_ints_unchanged_bit_for_bit(values: list[int], q: float) -> None:
    assert percentile(values, q) == _plain(values, q)


def test_whole_number_beyond_a_float_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match=r"sorted_values\[1\] is too large for a float"):
        percentile([-(10**308), 10**309], 50)
