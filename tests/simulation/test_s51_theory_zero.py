"""A ``rho`` of -0.0 is 0: every wait is 0.0, never -0.0 (``random_split_wait`` answered
-0.0, a negative zero a report prints as "-0")."""

from __future__ import annotations

import math

import pytest

from helpdesk_routing.simulation import theory


@pytest.mark.parametrize(
    "wait",
    [
        theory.erlang_c_wait,
        theory.least_loaded_wait,
        theory.random_split_wait,
        theory.round_robin_wait,
    ],
)
def test_a_negative_zero_rho_waits_a_positive_zero(wait: object) -> None:
    answered = wait(2, -0.0)  # type: ignore[operator]
    assert answered == 0.0
    assert math.copysign(1.0, answered) == 1.0
    assert math.copysign(1.0, theory.erlang_c(2, -0.0)) == 1.0
    assert math.copysign(1.0, theory.round_robin_sigma(2, -0.0)) == 1.0


def test_least_loaded_looks_rho_up_to_six_decimals() -> None:
    assert theory.least_loaded_wait(2, 0.5000004) == theory.least_loaded_wait(2, 0.5)
    with pytest.raises(theory.UnknownReference):
        theory.least_loaded_wait(2, 0.500001)


@pytest.mark.parametrize("c", [1, 3])
def test_erlang_b_of_a_negative_zero_load_is_a_positive_zero(c: int) -> None:
    """``erlang_b`` checks its load itself: -0.0 answered -0.0 (review)."""
    answered = theory.erlang_b(c, -0.0)
    assert answered == 0.0
    assert math.copysign(1.0, answered) == 1.0
