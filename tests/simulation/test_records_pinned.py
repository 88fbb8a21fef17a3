"""Per-ticket records of fixed scenarios and seeds, pinned: a change meant to make the
simulator (or the Router, hand-out walk and store under it) faster must not change them.

The digests were taken before the speed work of issue 12's year-through-the-Router target;
a change that alters one alters what the simulator says, and needs a reason of its own.
Taken again once, for such a reason: agents now work their assigned tickets oldest first
when a hand-out comes as work ends or a shift begins (the capacity-2 and web-shop digests;
the others, whose agents never had two tickets waiting, kept theirs). And once more for
the web shop's week alone: shifts beginning at one instant come in the agents' order,
before the office's opening there, every day (by the order they were scheduled in, a
shift beginning at the opening came before it on the first day and after it later). And
for the random policy alone: its draw hashes the pool's name too (the k-th ticket of
every team went to the same place in its members).
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import pytest

from helpdesk_routing.simulation import (
    AgentSpec,
    Exponential,
    PoissonArrivals,
    Scenario,
    _backends,
    run,
)
from helpdesk_routing.simulation._backends import RouterBackend
from helpdesk_routing.simulation.demo import webshop_week
from helpdesk_routing.simulation.results import TicketRecords


def _digest(records: TicketRecords) -> str:
    """A digest of every column; times rounded to the microsecond (libm may differ in an ulp)."""

    def time(x: float) -> float | None:
        return None if math.isnan(x) else round(x, 6)

    columns = (
        [time(x) for x in records.created],
        records.channel,
        records.team,
        records.decided_by,
        records.assignee,
        [time(x) for x in records.assigned_at],
        [time(x) for x in records.started],
        [time(x) for x in records.resolved],
    )
    return hashlib.sha256(repr(columns).encode()).hexdigest()[:16]


def _four_agents(policy: str, capacity: int | None = None) -> Scenario:
    """M/M/4 at rho 0.9 through the Router: tickets wait and are handed out on closing."""
    return Scenario.model_validate(
        {
            "name": "pinned",
            "arrivals": PoissonArrivals(per_hour=4 * 0.9 * 60).model_dump(),
            "days": None,
            "tickets": 1000,
            "agents": [AgentSpec(id=f"a{i}", capacity=capacity).model_dump() for i in range(4)],
            "handling": Exponential(mean_minutes=1).model_dump(),
            "policy": policy,
        }
    )


def _twenty_agents() -> Scenario:
    """Three days of the benchmark's year: 20 agents, round robin, no rules."""
    return Scenario.model_validate(
        {
            "name": "pinned year",
            "arrivals": {"type": "poisson", "per_hour": 100_000 / (365 * 24)},
            "days": 3,
            "agents": [{"id": f"agent{i:02d}"} for i in range(20)],
            "handling": {"type": "exponential", "mean_minutes": 60},
            "policy": "round_robin",
        }
    )


PINNED = {
    "round_robin": (lambda: _four_agents("round_robin"), "f0532cd5e50401c2"),
    "pooled": (lambda: _four_agents("pooled"), "96b5ea874c3c84ba"),
    "least_loaded_capacity_2": (lambda: _four_agents("least_loaded", 2), "372a8c0063d5fcdf"),
    "random_capacity_1": (lambda: _four_agents("random", 1), "7f9f9537dcb213f3"),
    "webshop_week": (webshop_week, "d7185016d5d98d62"),
    "year_three_days": (_twenty_agents, "8059e340f8c547c2"),
}


@pytest.mark.parametrize("name", sorted(PINNED))
def test_records_of_a_fixed_seed_are_pinned(name: str) -> None:
    """The per-ticket records of each pinned scenario, seed 3, are those taken before."""
    scenario, expected = PINNED[name]
    assert _digest(run(scenario(), 3).records) == expected


def test_the_simulator_records_the_same_with_the_full_default_router(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The simulator's Router keeps no full explanation (``RouterBackend.explain``) and
    its store no report digest (``RouterBackend.report_digest``); the full default
    Router, which the speed benchmark also measures, routes the week of the web shop
    (rules, teams, office hours) to the same records, with a store that keeps the digest."""
    monkeypatch.setattr(RouterBackend, "explain", True)
    monkeypatch.setattr(RouterBackend, "report_digest", True)
    made: list[bool] = []
    real = _backends.InMemoryStore

    def spy(**kwargs: Any) -> Any:
        store = real(**kwargs)
        made.append(bool(kwargs.get("report_digest", True)))
        return store

    monkeypatch.setattr(_backends, "InMemoryStore", spy)
    assert _digest(run(webshop_week(), 3).records) == PINNED["webshop_week"][1]
    assert made == [True]
