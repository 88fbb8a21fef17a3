"""Two units adding one agent id at once on PostgreSQL: the second is refused, never a
silent replacement of the first (``ports.InsertsAgents``)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.errors import ConflictError
from helpdesk_routing.model import Agent
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from helpdesk_routing.stores.postgres import PostgresStore
from tests.pg_server import wait_until_another_waits_for_a_lock

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)


def test_an_agent_added_while_another_unit_adds_the_same_id_is_refused(pg_dsn: str) -> None:
    """Another unit has inserted agent x and not committed. ``add_agent`` of x must wait
    for it and then refuse the id (it looked the id up, found nothing, and replaced the
    other unit's agent at commit, both audited as added)."""
    import psycopg

    with PostgresStore(pg_dsn, agents=[Agent(id="o1", role="owner")]) as store:
        router = Router(
            rules=RuleSet(rules=[]),
            teams=[],
            store=store,
            customer_data=InMemoryCustomerData(),
            clock=ManualClock(T0),
        )
        outcome: list[object] = []

        def add() -> None:
            try:
                outcome.append(router.add_agent(Agent(id="x", name="Second"), actor="o1"))
            except Exception as exc:
                outcome.append(exc)

        with psycopg.connect(pg_dsn) as other:
            other.execute(
                "INSERT INTO agents (id, agent) VALUES (%s, %s)",
                ("x", Agent(id="x", name="First").model_dump_json()),
            )
            adder = threading.Thread(target=add)
            adder.start()
            try:
                wait_until_another_waits_for_a_lock(other, "add_agent")
                other.commit()
            finally:
                adder.join(timeout=30)
        (result,) = outcome
        assert isinstance(result, ConflictError)
        assert str(result) == "agent 'x' already exists"
        with store.transaction() as tx:
            stored = tx.get_agent("x")
            added = [r for r in tx.audit() if r.action == "agent_added"]
        assert stored is not None
        assert stored.name == "First"
        assert added == []
