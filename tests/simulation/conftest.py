"""Scenarios shared by the simulation tests."""

from __future__ import annotations

from helpdesk_routing.simulation import AgentSpec, Exponential, PoissonArrivals, Scenario


def mmc(
    c: int,
    rho: float,
    tickets: int,
    *,
    mode: str = "queueing",
    policy: str = "round_robin",
    warmup: int | None = None,
) -> Scenario:
    """A 24/7 M/M/c scenario: mean handling 1 minute, so waits in minutes are in units of it."""
    return Scenario.model_validate(
        {
            "name": f"M/M/{c} rho={rho}",
            "arrivals": PoissonArrivals(per_hour=c * rho * 60).model_dump(),
            "days": None,
            "tickets": tickets,
            "agents": [AgentSpec(id=f"a{i}").model_dump() for i in range(c)],
            "handling": Exponential(mean_minutes=1).model_dump(),
            "mode": mode,
            "policy": policy,
            "warmup_tickets": tickets // 10 if warmup is None else warmup,
        }
    )
