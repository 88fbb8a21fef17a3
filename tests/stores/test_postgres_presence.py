"""Presence changes and hand-outs are serialised on PostgreSQL (issue 10 #12): in the
audit log, no hand-out to an agent comes after that agent's Offline record."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.errors import ConflictError
from helpdesk_routing.model import Agent, Ticket
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from helpdesk_routing.stores.postgres import PostgresStore

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)


def _router(store: PostgresStore) -> Router:
    return Router(
        rules=RuleSet(rules=[]),
        teams=[],
        store=store,
        customer_data=InMemoryCustomerData(),
        clock=ManualClock(T0),
    )


def test_no_hand_out_to_an_agent_follows_their_offline_record(pg_dsn: str) -> None:
    """One thread routes while another toggles a1 Offline and Online: replaying the audit
    in seq order, every automatic hand-out to a1 happens while a1 is Online."""
    with PostgresStore(pg_dsn, agents=[Agent(id="a1"), Agent(id="a2")]) as store:
        router, toggler = _router(store), _router(store)
        router.set_online("a1", True, actor="a1")
        router.set_online("a2", True, actor="a2")
        stop = threading.Event()
        errors: list[BaseException] = []

        def toggle() -> None:
            online = True
            while not stop.is_set():
                online = not online
                try:
                    toggler.set_online("a1", online, actor="a1")
                except ConflictError:  # pragma: no cover - a deadlock report: retry
                    online = not online
                except BaseException as exc:  # pragma: no cover - reported below
                    errors.append(exc)
                    return

        t = threading.Thread(target=toggle)
        t.start()
        try:
            for n in range(120):
                router.route(Ticket(id=f"t{n}", channel="email", created_at=T0))
        finally:
            stop.set()
            t.join()
        assert errors == []
        with store.transaction() as tx:
            log = tx.audit()
    online = {"a1": True, "a2": True}
    handed_to_a1 = 0
    for record in log:
        if record.action == "presence" and record.agent_id is not None:
            assert record.online is not None
            online[record.agent_id] = record.online
        elif record.automatic and record.assignee is not None:
            assert online[record.assignee], f"hand-out after Offline: seq {record.seq}"
            handed_to_a1 += record.assignee == "a1"
    assert handed_to_a1 > 0
