"""``compare``'s reason for a missing figure and ``estimate``'s interval at the floats'
bottom.

- ``mean_handling`` of a run whose tickets all started but none was resolved said "it
  started 3 of 3 tickets", which is no reason: it says how many were resolved; an
  infinite figure is said to be no finite number, not to be missing for want of
  started tickets.
- ``estimate([5e-324, 1e-323])`` gave a half-width of 0 (an interval leaving one value
  out): the spread was scaled back below the smallest float before the t factor."""

from __future__ import annotations

import math
import re
from fractions import Fraction

import pytest

from helpdesk_routing import ValidationError
from helpdesk_routing import simulation as sim
from helpdesk_routing.simulation.compare import t_quantile


def _unfinished() -> list[sim.SimulationResult]:
    scenario = sim.Scenario(
        name="long work",
        arrivals=sim.PoissonArrivals(per_hour=60),
        days=None,
        tickets=3,
        drain_days=0.01,
        warmup_tickets=0,
        agents=[sim.AgentSpec(id=f"a{i}") for i in range(3)],
        handling=sim.Exponential(mean_minutes=100000),
    )
    return sim.replicate(scenario, 2, seed=1)


def test_a_handling_time_missing_for_want_of_resolved_tickets_says_so() -> None:
    runs = _unfinished()
    assert [(r.summary.started, r.summary.resolved) for r in runs] == [(3, 0), (3, 0)]
    message = (
        "mean_handling of a's replication with seed 1 is nan: it has no such figure (it "
        "resolved 0 of 3 tickets), so there is no interval to give"
    )
    with pytest.raises(ValidationError, match=f"^{re.escape(message)}$"):
        sim.compare(runs, runs, metric="mean_handling")


def test_an_infinite_figure_is_no_finite_number() -> None:
    runs = _unfinished()

    def forever(summary: sim.Summary) -> float:
        return math.inf

    message = (
        "forever of a's replication with seed 1 is inf: no finite number, so there is no "
        "interval to give"
    )
    with pytest.raises(ValidationError, match=f"^{re.escape(message)}$"):
        sim.compare(runs, runs, metric=forever)


@pytest.mark.parametrize(
    "values", [[5e-324, 1e-323], [0.0, 5e-324, 1e-323], [-1e-323, 5e-324], [3e-320, 2e-320]]
)
def test_tiny_values_keep_their_interval(values: list[float]) -> None:
    got = sim.estimate(values)
    n = len(values)
    mean = sum(Fraction(v) for v in values) / n
    variance = sum((Fraction(v) - mean) ** 2 for v in values) / (n - 1)
    half = math.ldexp(t_quantile(0.975, n - 1) * math.sqrt(float(variance / n * 2**2148)), -1074)
    assert got.half_width > 0
    assert got.half_width == pytest.approx(half, rel=0.2)  # subnormals: few digits
    assert all(got.contains(v) for v in values)
