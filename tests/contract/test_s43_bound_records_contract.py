"""Every ticket record the Router returns carries its decision bound to the rules that
decided it, whatever the store (docs/explain.md): the views' pages and what ``assign``,
``unassign``, ``assign_to_team``, ``set_status``, ``set_online``, ``assign_waiting``
and ``reroute`` return. On SQLite and PostgreSQL those came back unbound (their
``explain()`` without rule names), on the in-memory store bound: the same call said
different things by store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.conditions import ticket
from helpdesk_routing.model import Agent, Role, Team, Ticket
from helpdesk_routing.records import TicketRecord
from helpdesk_routing.router import Router
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet, SaveAsView
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.adapters import StoreFactory

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)
RULES = RuleSet(
    rules=[
        RoutingRule(
            id="vip", name="VIP", when=ticket("tags").contains("VIP"), then=SaveAsView(view="vip")
        ),
        RoutingRule(
            id="sms",
            name="SMS desk",
            when=ticket("channel") == "sms",
            then=AssignToTeam(team="desk"),
        ),
    ]
)


def _explained(record: TicketRecord) -> str:
    assert record.decision is not None
    assert record.decision.bound, record.id
    text = record.decision.explain()
    assert "rule 'vip' (VIP)" in text
    return text


def test_every_record_the_router_returns_is_bound(
    store_factory: StoreFactory, request: pytest.FixtureRequest
) -> None:
    agents = [Agent(id="a1"), Agent(id="a2"), Agent(id="m1", role=Role.MANAGER)]
    store = store_factory(request, agents)
    router = Router(
        rules=RULES,
        teams=[Team(id="desk", members=["a1", "a2"])],
        store=store,
        customer_data=InMemoryCustomerData(),
        clock=ManualClock(T0),
    )
    for i in range(4):
        router.route(Ticket(id=f"t{i}", channel=("email", "sms")[i % 2], created_at=T0))
    views = router.views
    pages = [
        views.all_tickets(),
        views.all_tickets(limit=2),
        views.unassigned(),
        views.team("desk"),
        views.all_tickets(order="newest", limit=3),
    ]
    for page in pages:
        assert page.items
        for record in page.items:
            _explained(record)
    returned: list[TicketRecord] = []
    returned += router.set_online("a1", True, actor="a1")  # hands out the waiting tickets
    assert returned
    returned += router.assign(["t0", "t2"], to="a2", actor="m1")
    returned.append(router.unassign("t0", actor="m1"))
    returned.append(router.unassign("t0", actor="m1"))  # nothing to change
    returned += router.assign_to_team(["t2"], team="desk", actor="m1")
    returned.append(router.set_status("t1", "pending", actor="m1"))
    returned.append(router.set_status("t1", "pending", actor="m1"))  # unchanged
    returned += router.assign_waiting()
    returned.append(
        router.reroute("t3", actor="m1", ticket=Ticket(id="t3", channel="email", created_at=T0))
    )
    for record in returned:
        _explained(record)
    assert [_explained(r) for r in views.all_tickets().items] == [
        _explained(router.ticket(r.id)) for r in views.all_tickets().items
    ]
