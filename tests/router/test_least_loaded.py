"""The Router with LeastLoaded: the round-robin promises that apply, and load balance."""

from __future__ import annotations

import pytest

from helpdesk_routing.allocation import LeastLoaded
from helpdesk_routing.model import Agent
from tests.router.conftest import MONDAY_20, Desk, MakeDesk


@pytest.fixture
def ll(make_desk: MakeDesk) -> Desk:
    """A desk whose allocator is LeastLoaded."""
    return make_desk(allocator=LeastLoaded())


def test_offline_agents_are_never_given_tickets(ll: Desk) -> None:
    """An Offline agent, even with no load at all, gets nothing."""
    ll.online("a1", "a2")
    ll.route()
    ll.route()
    ll.online("a3")
    ll.online("a3", online=False)
    assert "a3" not in {ll.route() for _ in range(6)}


def test_one_agent_online_gets_every_ticket(ll: Desk) -> None:
    """With one agent Online they get every ticket, however loaded."""
    ll.online("a2")
    assert [ll.route() for _ in range(4)] == ["a2"] * 4


def test_team_tickets_go_to_online_members_only(ll: Desk) -> None:
    """Team tickets go to the least loaded Online member of the team."""
    ll.online("a1", "a2")
    assert {ll.route(tags=frozenset({"Return"})) for _ in range(3)} == {"a2"}


def test_bound_tickets_wait_after_hours(make_desk: MakeDesk) -> None:
    """Office hours bind LeastLoaded hand-outs too."""
    desk = make_desk(allocator=LeastLoaded(), start=MONDAY_20)
    desk.online("a1")
    assert desk.route(channel="webchat") is None
    assert desk.route(channel="email") == "a1"


def test_going_offline_keeps_tickets(ll: Desk) -> None:
    """Going Offline does not move an agent's tickets."""
    ll.online("a1")
    ll.route()
    ll.online("a1", online=False)
    assert ll.assignee("t1") == "a1"


def test_a_newcomer_catches_up_before_others_get_more(ll: Desk) -> None:
    """An agent who comes Online with no tickets gets the next ones until level."""
    ll.online("a1", "a2")
    for _ in range(4):
        ll.route()
    ll.online("a3")
    assert [ll.route(), ll.route()] == ["a3", "a3"]


@pytest.mark.parametrize("agents", [2, 3, 5])
def test_loads_never_differ_by_more_than_one_when_tickets_only_arrive(
    make_desk: MakeDesk, agents: int
) -> None:
    """With tickets only arriving, Online agents' open loads stay within one of each other."""
    ids = [f"a{i}" for i in range(1, agents + 1)]
    desk = make_desk(allocator=LeastLoaded(), agents=[Agent(id=a) for a in ids], teams=[])
    desk.online(*ids)
    for _ in range(3 * agents + 1):
        desk.route()
        with desk.store.transaction() as tx:
            loads = [tx.open_load(a) for a in ids]
        assert max(loads) - min(loads) <= 1
