"""Acceptance probes of ``helpdesk_routing.simulation`` written from the documents
(issue 12, docs/simulation.md): what a notebook shows for a scenario."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from helpdesk_routing import simulation as sim

START = datetime(2026, 3, 30, tzinfo=UTC)


def _scenario(**fields: object) -> sim.Scenario:
    base: dict[str, object] = {
        "name": "s",
        "arrivals": sim.PoissonArrivals(per_hour=1),
        "agents": [sim.AgentSpec(id="a")],
        "handling": sim.Exponential(mean_minutes=1),
    }
    return sim.Scenario(**{**base, **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"days": 1}, "1 day, 1 agent, poisson arrivals"),
        ({"days": 2}, "2 days, 1 agent, poisson arrivals"),
        ({"days": 0.5}, "0.5 days, 1 agent, poisson arrivals"),
        ({"days": None, "tickets": 1}, "at most 1 ticket, 1 agent, poisson arrivals"),
        ({"days": None, "tickets": 2}, "at most 2 tickets, 1 agent, poisson arrivals"),
        (
            {
                "days": None,
                "start": START,
                "arrivals": sim.ReplayArrivals(
                    tickets=[sim.ReplayTicket(created_at=START, channel="email")]
                ),
            },
            "1 agent, replay arrivals (1 recorded ticket)",
        ),
    ],
)
def test_a_scenario_repr_says_one_in_the_singular(fields: dict[str, object], said: str) -> None:
    """The one-line repr counts in English: one day, ticket or recorded ticket in the
    singular, as it says one agent."""
    assert repr(_scenario(**fields)) == f"<Scenario 's': {said}>"
