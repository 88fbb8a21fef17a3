"""A single Poisson rate so small that it is 0 a second (below about 1e-320 an hour) is
a valid scenario: the run sees no arrival, as at 1e-300 an hour. It took the weekly
rates' path with one rate and raised a raw ``IndexError`` at the first hour's end."""

from __future__ import annotations

import pytest

from helpdesk_routing import simulation as sim


@pytest.mark.parametrize("per_hour", [5e-324, 1e-321, 1e-300])
def test_a_rate_too_small_for_a_second_runs_with_no_arrival(per_hour: float) -> None:
    scenario = sim.Scenario(
        name="tiny",
        arrivals=sim.PoissonArrivals(per_hour=per_hour),
        days=1.0,
        agents=[sim.AgentSpec(id="a")],
        handling=sim.Exponential(mean_minutes=1.0),
    )
    result = sim.run(scenario, 1)
    assert len(result.records) == 0
