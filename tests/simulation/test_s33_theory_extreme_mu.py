"""The queueing waits at a mu near either end of the float range: inf when the wait is
beyond a float (no ZeroDivisionError), the tiny wait itself for a huge mu (not 0.0), and
the same answers as before, to the bit, wherever the denominator is a normal float."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.simulation import theory

WAITS: dict[str, Callable[[int, float, float], float]] = {
    "erlang_c_wait": theory.erlang_c_wait,
    "random_split_wait": theory.random_split_wait,
    "round_robin_wait": theory.round_robin_wait,
}


def _before(name: str, c: int, rho: float, mu: float) -> float:
    """The formulas as they stood (one denominator product)."""
    if name == "erlang_c_wait":
        return theory.erlang_c(c, rho) / (c * mu * (1 - rho))
    if name == "random_split_wait":
        return rho / (mu * (1 - rho))
    sigma, gap = theory._round_robin_root(c, rho)
    return sigma / (mu * gap)


def _exact(name: str, c: int, rho: float, mu: float) -> Fraction:
    """The wait from the library's own probability (or sigma), divided exactly."""
    if name == "erlang_c_wait":
        return Fraction(theory.erlang_c(c, rho)) / (c * Fraction(mu) * (1 - Fraction(rho)))
    if name == "random_split_wait":
        return Fraction(rho) / (Fraction(mu) * (1 - Fraction(rho)))
    sigma, gap = theory._round_robin_root(c, rho)
    return Fraction(sigma) / (Fraction(mu) * Fraction(gap))


@pytest.mark.parametrize("name", sorted(WAITS))
@pytest.mark.parametrize(
    ("c", "rho", "mu"),
    [(1, 0.9, 5e-324), (4, 0.5, 5e-324), (2, 0.999, 1e-320), (1000, 0.999999, 1e-310)],
)
def test_a_wait_beyond_a_float_is_inf(name: str, c: int, rho: float, mu: float) -> None:
    assert _exact(name, c, rho, mu) > Fraction(sys.float_info.max)
    assert WAITS[name](c, rho, mu) == math.inf


@pytest.mark.parametrize("name", sorted(WAITS))
@pytest.mark.parametrize(
    ("c", "rho", "mu"),
    [
        (4, 0.5, 1.7e308),  # c * mu overflowed: the wait was 0.0
        (1000, 0.9, 1e308),
        (1, 1e-10, 1e-310),  # a subnormal denominator lost digits
        (3, 0.25, 2e-308),
        (50, 0.999, 1e300),
    ],
)
def test_waits_near_the_ends_are_accurate(name: str, c: int, rho: float, mu: float) -> None:
    """Within a float's precision of the exact quotient: a normal result to a few ulps,
    a subnormal one to within one step of the subnormal grid."""
    exact = _exact(name, c, rho, mu)
    found = WAITS[name](c, rho, mu)
    assert found > 0
    error = abs(Fraction(found) - exact)
    assert error <= max(exact * Fraction(4 * sys.float_info.epsilon), Fraction(5e-324) * 2)


def test_erlang_c_wait_with_the_largest_mu() -> None:
    wait = theory.erlang_c_wait(4, 0.5, 1.7e308)
    assert wait == pytest.approx(theory.erlang_c(4, 0.5) / 3.4e308, rel=1e-5)
    assert 5.1e-310 < wait < 5.12e-310


@pytest.mark.parametrize("name", sorted(WAITS))
def test_ordinary_values_unchanged_to_the_bit(name: str) -> None:
    for c in (1, 2, 3, 4, 8, 50, 1000):
        for rho in (1e-9, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999999):
            for mu in (1e-300, 1e-9, 0.3, 1.0, 2.0, 17.0, 1e9, 1e300):
                assert WAITS[name](c, rho, mu) == _before(name, c, rho, mu), (c, rho, mu)


@given(
    st.sampled_from(sorted(WAITS)),
    st.integers(1, 300),
    st.floats(1e-6, 1 - 1e-9),
    st.floats(1e-280, 1e280),
)
def test_random_ordinary_values_unchanged_to_the_bit(
    name: str, c: int, rho: float, mu: float
) -> None:
    assert WAITS[name](c, rho, mu) == _before(name, c, rho, mu)
