"""A decision made under configuration version 0 (a store that held none) is returned
bound on every store: the in-memory store held it bound, a SQL store read it back
unbound, so ``explain()`` differed by store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.conditions import ticket
from helpdesk_routing.model import Agent, Ticket
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RoutingRule, SaveAsView
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.adapters import StoreFactory

NOW = datetime(2026, 3, 30, 9, tzinfo=UTC)


def test_a_version_0_decision_is_bound_on_every_store(
    store_factory: StoreFactory, request: pytest.FixtureRequest
) -> None:
    store = store_factory(request, [Agent(id="m1", role="manager")])
    router = Router(store=store, customer_data=InMemoryCustomerData(), clock=ManualClock(NOW))
    routed = router.route(Ticket(id="t1", channel="sms", created_at=NOW))
    assert routed.configuration_version == 0
    rule = RoutingRule(id="a", when=ticket("channel") == "sms", then=SaveAsView(view="V"))
    for configured in (False, True):
        if configured:
            router.configure(actor="m1", rules=[rule])
        for record in (router.ticket("t1"), *router.views.all_tickets()):
            assert record.decision is not None
            assert record.decision.bound
            assert record.decision.explain() == routed.explain()
    assert "need the rule set that decided" not in routed.explain()
