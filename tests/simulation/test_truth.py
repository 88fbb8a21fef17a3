"""The simulator against queueing theory, with independent replications (not batch means).

Mean waits are in units of the mean handling time (1 minute). ``make test`` runs the
c = 2, rho = 0.5 row with 8 replications of 20,000 tickets per policy; the rows of
c = 4, rho = 0.7 and c = 8, rho = 0.9 with the 3% criterion (10 replications of 30,000
tickets) are marked slow; ``benchmarks/bench_simulation_truth.py`` runs the table at full
size.
"""

from __future__ import annotations

import functools

import pytest

from helpdesk_routing.simulation import Estimate, estimate, replicate, theory

from .conftest import mmc

# Statistical and year-long runs repeat code smaller tests cover: untraced (conftest).
pytestmark = pytest.mark.untraced

THEORY = {
    "pooled": theory.erlang_c_wait,
    "least_loaded": theory.least_loaded_wait,
    "round_robin": theory.round_robin_wait,
    "random": theory.random_split_wait,
}
ORDER = ["pooled", "least_loaded", "round_robin", "random"]


def _mean_wait(c: int, rho: float, policy: str, tickets: int, replications: int) -> Estimate:
    runs = replicate(mmc(c, rho, tickets, policy=policy), replications, seed=1000)
    return estimate([r.summary.ttfr.mean / 60 for r in runs], confidence=0.99)


@functools.cache
def _small() -> dict[str, Estimate]:
    """The four policies on M/M/2 at rho 0.5, simulated once by the first test to ask (in
    its call, which runs untraced: a module fixture would run in the traced setup)."""
    return {p: _mean_wait(2, 0.5, p, 20_000, 8) for p in ORDER}


@pytest.mark.parametrize("policy", ORDER)
def test_mean_wait_matches_theory_within_the_99_percent_interval(policy: str) -> None:
    """c=2, rho=0.5: the replications' 99% interval holds the theoretical mean wait."""
    small = _small()
    expected = THEORY[policy](2, 0.5)
    assert small[policy].contains(expected), (policy, str(small[policy]), expected)
    assert small[policy].mean == pytest.approx(expected, rel=0.06)


def test_pooling_beats_least_loaded_beats_round_robin_beats_random() -> None:
    """pooled <= least loaded <= round robin <= random, in simulation as in theory."""
    small = _small()
    means = [small[p].mean for p in ORDER]
    assert means == sorted(means)


@pytest.mark.slow
@pytest.mark.parametrize(("c", "rho"), [(4, 0.7), (8, 0.9)])
@pytest.mark.parametrize("policy", ORDER)
def test_mean_wait_within_three_percent_of_theory(c: int, rho: float, policy: str) -> None:
    """The issue's criterion: within 3% of theory and inside the 99% interval."""
    # Scaled for CI (10 replications of 30,000 tickets, fixed seeds, so the verdict is
    # reproducible); benchmarks/bench_simulation_truth.py runs the full-size table.
    result = _mean_wait(c, rho, policy, 30_000, 10)
    expected = THEORY[policy](c, rho)
    assert result.contains(expected), (str(result), expected)
    assert result.mean == pytest.approx(expected, rel=0.03)
