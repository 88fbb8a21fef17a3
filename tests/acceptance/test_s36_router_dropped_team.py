"""A team a newer configuration dropped keeps an inbox view while tickets still name it.

Its waiting tickets wait ("team 'tm' is no longer configured; the ticket waits"): not
Unassigned (they have a team), not handed out. ``views.team`` of that team used to
raise ``UnknownTeam``, so only ``all_tickets`` still showed them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import helpdesk_routing as hr
from tests.adapters import StoreFactory

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)
AGENTS = [hr.Agent(id="a1"), hr.Agent(id="a2"), hr.Agent(id="m1", role="manager")]


def test_the_inbox_of_a_dropped_team_lists_what_still_waits_there(
    store_factory: StoreFactory, request: pytest.FixtureRequest
) -> None:
    """views.team of a dropped team lists its tickets; a team never used is still unknown."""
    clock = hr.ManualClock(T0)
    router = hr.Router(
        store=store_factory(request, AGENTS),
        customer_data=hr.InMemoryCustomerData(),
        clock=clock,
        teams=[hr.Team(id="tm", name="T", members=["a2"], tags={"X"})],
    )
    router.set_online("a1", True, actor="a1")
    assert router.route(hr.Ticket(id="w1", channel="email", tags={"X"}, created_at=T0)).team == "tm"
    router.configure(actor="m1", teams=[])
    clock.advance(minutes=1)
    router.route(hr.Ticket(id="e1", channel="email", created_at=T0 + timedelta(minutes=1)))
    assert router.views.team("tm").ids == ["w1"]
    assert router.views.team("tm", count=True).total == 1
    assert router.views.unassigned().ids == []
    with pytest.raises(hr.UnknownTeam, match="unknown team 'nope'"):
        router.views.team("nope")
