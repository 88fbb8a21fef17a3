"""Scenarios shared by the simulation tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helpdesk_routing.simulation import (
    AgentSpec,
    Empirical,
    Exponential,
    PoissonArrivals,
    ReplayArrivals,
    ReplayTicket,
    Scenario,
)


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


def zero_span() -> Scenario:
    """Two replayed tickets at one instant, the first the warm-up, handled in no time:
    the span measured has no length, and its one ticket no arrival rate."""
    start = datetime(2026, 11, 23, tzinfo=UTC)
    tickets = [ReplayTicket(created_at=start + timedelta(minutes=10), channel="email")] * 2
    return Scenario(
        name="zero",
        start=start,
        arrivals=ReplayArrivals(tickets=tickets),
        days=None,
        warmup_tickets=1,
        agents=[AgentSpec(id="ann")],
        handling=Empirical(minutes=[0]),
        policy="pooled",
    )
