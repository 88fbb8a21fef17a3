"""``agent_added`` and ``agent_updated`` records hold the agent after the change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from helpdesk_routing import metrics
from helpdesk_routing.audit import replay
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.model import Agent, Role
from helpdesk_routing.router import Router
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.adapters import StoreFactory

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)
AGENTS = [Agent(id="o1", role=Role.OWNER), Agent(id="ad1", role=Role.ADMIN), Agent(id="a1")]


def test_agent_records_hold_the_agent_after_the_change(
    store_factory: StoreFactory, request: pytest.FixtureRequest
) -> None:
    """``agent_added`` and ``agent_updated`` name the role, capacity and name the agent
    has after the change, on every store: a promotion or a demotion can be read from the
    log (the records held the agent id alone)."""
    store = store_factory(request, AGENTS)
    router = Router(store=store, customer_data=InMemoryCustomerData(), clock=ManualClock(T0))
    router.add_agent(Agent(id="a9", name="Ida", role=Role.MANAGER), actor="o1")
    router.update_agent(Agent(id="ad1", name="Ada", role=Role.SUPPORT), actor="o1")
    router.update_agent(Agent(id="a9", name="Ida", role=Role.ADMIN, capacity=7), actor="o1")
    router.remove_agent("a9", actor="o1")
    with store.transaction() as tx:
        log = tx.audit()
    agents = [
        (r.action, r.actor, r.agent_id, r.detail) for r in log if r.action.startswith("agent_")
    ]
    assert agents == [
        ("agent_added", "o1", "a9", {"name": "Ida", "role": "manager", "capacity": None}),
        ("agent_updated", "o1", "ad1", {"name": "Ada", "role": "support", "capacity": None}),
        ("agent_updated", "o1", "a9", {"name": "Ida", "role": "admin", "capacity": 7}),
        ("agent_removed", "o1", "a9", {}),
    ]
    # Readers of the log are unaffected: replay and the period's figures.
    assert replay(log).tickets == {}
    metrics.report(store, InMemoryCustomerData(), T0, T0.replace(hour=11))
