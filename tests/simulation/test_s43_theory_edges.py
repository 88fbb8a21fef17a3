"""The formulas at their edges: the round-robin root at the lightest loads, Student's t
near its median and for degrees of freedom that underflow, and ``compare`` saying which
replications do not pair."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from helpdesk_routing.errors import ValidationError
from helpdesk_routing.simulation import compare, estimate, replicate, theory
from helpdesk_routing.simulation.compare import t_quantile

from .conftest import mmc


@pytest.mark.parametrize("c", [3, 5, 10, 100, 1000])
@pytest.mark.parametrize("rho", [1e-12, 1e-17, 1e-18, 1e-19, 1e-100, 1e-300])
def test_round_robin_at_the_lightest_loads_waits_next_to_nothing(c: int, rho: float) -> None:
    """At c = 3, rho = 1e-18 the root was taken near 1 (a cancellation in the branch
    test): sigma 0.993 and a wait of 140 handling times, above random split's 1e-18."""
    sigma = theory.round_robin_sigma(c, rho)
    wait = theory.round_robin_wait(c, rho)
    assert 0.0 <= sigma <= (c * rho) ** c * 1.01 + 1e-300
    assert 0.0 <= wait <= theory.random_split_wait(c, rho)


def test_the_median_of_t_is_zero_and_small_quantiles_are_exact() -> None:
    """An absolute stop at 1e-12 gave t_quantile(0.5, 4) = -4.5e-13 and 17% off just
    above the median."""
    for df in (1e-308, 1e-20, 1.0, 4.0, 1e6, math.inf):
        assert t_quantile(0.5, df) == 0.0
        assert math.copysign(1.0, t_quantile(0.5, df)) == 1.0
    # t's density at 0 for 4 degrees of freedom is 3/8: the quantile of 1/2 + e is e * 8/3
    assert t_quantile(0.5 + 1e-12, 4) == pytest.approx((0.5 + 1e-12 - 0.5) * 8 / 3, rel=1e-9)
    half = estimate([1.0, 2.0, 3.0], 1e-12).half_width
    assert half == pytest.approx(t_quantile(0.5 + 0.5e-12, 2) / math.sqrt(3), rel=1e-12)
    assert half == pytest.approx(8.1649658e-13, rel=1e-3)


def test_degrees_of_freedom_whose_half_underflows_give_infinite_quantiles() -> None:
    """df = 5e-324 raised Python's own ValueError (math domain error in lgamma)."""
    assert t_quantile(0.975, 5e-324) == math.inf
    assert t_quantile(0.025, 5e-324) == -math.inf


def test_compare_says_which_replications_do_not_pair() -> None:
    scenario = mmc(2, 0.5, 30)
    a = replicate(scenario, 3, seed=1)
    with pytest.raises(ValidationError, match=r": a has 3 replications, b 2$"):
        compare(a, a[:2])
    other = [replace(r, seed=r.seed + 10) if i == 1 else r for i, r in enumerate(a)]
    with pytest.raises(ValidationError, match=r": replication 1 has seed 2 in a, 12 in b$"):
        compare(a, other)
