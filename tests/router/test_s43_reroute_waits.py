"""``reroute`` hands a ticket out only when its team changes (docs/assignment.md): a
waiting ticket rerouted within its pool waits its turn, and a removed agent's closed
ticket reopened by ``reroute`` waits as one reopened by ``set_status`` does. It was
handed out at once, passing the older tickets waiting in the pool and moving the
rotation; and the reroute handed out for the removed agent, giving away another
waiting ticket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.conditions import ticket
from helpdesk_routing.model import Agent, Role, Team, Ticket
from helpdesk_routing.router import Router
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.adapters import StoreFactory

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)
AGENTS = [Agent(id="a1", capacity=1), Agent(id="a2"), Agent(id="m0", role=Role.MANAGER)]


def _router(store_factory: StoreFactory, request: pytest.FixtureRequest, **kw: object) -> Router:
    return Router(
        store=store_factory(request, AGENTS),
        customer_data=InMemoryCustomerData(),
        clock=ManualClock(T0),
        **kw,  # type: ignore[arg-type]
    )


def test_a_waiting_ticket_rerouted_in_its_pool_waits_its_turn(
    store_factory: StoreFactory, request: pytest.FixtureRequest
) -> None:
    router = _router(store_factory, request, round_robin=False)
    router.set_online("a1", True, actor="a1")
    for i, tid in enumerate(("old", "new")):
        router.route(Ticket(id=tid, channel="email", created_at=T0 + timedelta(seconds=i)))
    router.configure(round_robin=True, actor="m0")
    rerouted = router.reroute("new", actor="m0")
    assert rerouted.assignee is None
    assert [a.action for a in router.history("new")] == ["routed", "rerouted"]
    assert [r.id for r in router.assign_waiting()] == ["old"]  # the oldest first
    assert router.ticket("old").assignee == "a1"
    assert router.ticket("new").assignee is None  # a1 is full


def test_a_rerouted_ticket_moving_team_is_handed_out_in_its_new_pool(
    store_factory: StoreFactory, request: pytest.FixtureRequest
) -> None:
    vip = RoutingRule(id="vip", when=ticket("tags").contains("vip"), then=AssignToTeam(team="t"))
    router = _router(
        store_factory,
        request,
        rules=RuleSet(rules=[vip]),
        teams=[Team(id="t", members=["a2"])],
        round_robin=False,
    )
    router.route(Ticket(id="x", channel="email", created_at=T0))
    router.set_online("a2", True, actor="a2")
    router.configure(round_robin=True, actor="m0")
    assert router.ticket("x").assignee is None  # waiting, nobody handed it out
    moved = Ticket(id="x", channel="email", created_at=T0, tags={"vip"})
    rerouted = router.reroute("x", actor="m0", ticket=moved)
    assert (rerouted.team, rerouted.assignee) == ("t", "a2")
    assert router.reroute("x", actor="m0", ticket=moved).assignee == "a2"


def test_a_removed_agents_closed_ticket_reopened_by_reroute_waits(
    store_factory: StoreFactory, request: pytest.FixtureRequest
) -> None:
    router = _router(store_factory, request)
    router.set_online("a1", True, actor="a1")
    router.configure(capacity=10, actor="m0")
    for i, tid in enumerate(("t1", "t2")):
        router.route(Ticket(id=tid, channel="email", created_at=T0 + timedelta(seconds=i)))
        router.set_status(tid, "closed", actor="m0")
    router.set_online("a1", False, actor="a1")
    router.remove_agent("a1", actor="m0")
    router.set_online("a2", True, actor="a2")
    router.set_status("t1", "open", actor="m0")
    assert router.ticket("t1").assignee is None
    reopened = router.ticket("t2").ticket.model_copy(update={"status": "open"})
    assert router.reroute("t2", actor="m0", ticket=reopened).assignee is None
    assert router.ticket("t1").assignee is None  # nothing was handed out for the removed a1
    assert [r.id for r in router.assign_waiting()] == ["t1", "t2"]
