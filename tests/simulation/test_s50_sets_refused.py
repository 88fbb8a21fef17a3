"""A Python set where a scenario keeps an order: refused, as `Team.members`, rules and a
sweep's grid are. `Scenario(agents={...})` was taken in the set's order, which
PYTHONHASHSEED decides (and with it who takes the overnight backlog at the shifts'
start), and a replay's tickets of one instant, its customers and events, a mix's events
and an empirical distribution's values likewise (a scenario equal to itself in one
process, not in another)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from helpdesk_routing.errors import ValidationError
from helpdesk_routing.model import Event, Profile
from helpdesk_routing.simulation import (
    AgentSpec,
    Empirical,
    ReplayArrivals,
    Scenario,
    TicketMix,
)
from helpdesk_routing.simulation.replay import ReplayTicket
from helpdesk_routing.simulation.scenario import TicketEvent

from .conftest import mmc

AT = datetime(2026, 3, 30, 9, tzinfo=UTC)


def _refused(make: Any, path: str, name: str) -> None:
    with pytest.raises(ValidationError) as caught:
        make()
    [detail] = caught.value.details
    assert (detail.path, detail.code) == (path, "unordered_set")
    assert detail.message.startswith(f"{name} takes a list or a tuple, not a set")


def test_a_scenarios_agents_customers_and_events_are_no_set() -> None:
    data = mmc(2, 0.5, 10).model_dump()
    agents = {AgentSpec(id="a1"), AgentSpec(id="a2")}
    _refused(lambda: Scenario.model_validate({**data, "agents": agents}), "$.agents", "agents")
    _refused(
        lambda: Scenario.model_validate({**data, "customers": {Profile(id="p1")}}),
        "$.customers",
        "customers",
    )
    event = Event(profile_id="p1", metric="ordered", timestamp=AT)
    _refused(lambda: Scenario.model_validate({**data, "events": {event}}), "$.events", "events")
    # the same as a list or a tuple is taken, in the order given
    taken = Scenario.model_validate({**data, "agents": [AgentSpec(id="a2"), AgentSpec(id="a1")]})
    assert [a.id for a in taken.agents] == ["a2", "a1"]


def test_the_parts_that_keep_an_order_are_no_set() -> None:
    ticket = ReplayTicket(created_at=AT, channel="email")
    _refused(lambda: ReplayArrivals(tickets={ticket}), "$.tickets", "tickets")
    drawn = TicketEvent(metric="ordered", probability=0.5, within_hours=2)
    _refused(lambda: TicketMix(events={drawn}), "$.events", "events")
    _refused(lambda: Empirical(minutes={1.0, 2.0}), "$.minutes", "minutes")
