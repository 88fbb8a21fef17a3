"""The Router's reading methods (``ticket``, ``history``, ``configuration`` and what
reads it, ``configuration_history``) read in the store's read-only unit, as views and
reports do: while another process holds SQLite's write lock they answer at once. They
took the write lock (``BEGIN IMMEDIATE``), waited for the writer, then raised
``ConflictError`` ("stayed locked by another writer") although they only read."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.errors import ConflictError
from helpdesk_routing.model import Agent, Ticket
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from helpdesk_routing.stores.sqlite import SqliteStore

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)


def test_reads_while_another_process_writes(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with SqliteStore(path, agents=[Agent(id="a1")], timeout=0.5) as store:
        router = Router(
            rules=RuleSet(rules=[]),
            teams=[],
            store=store,
            customer_data=InMemoryCustomerData(),
            clock=ManualClock(T0),
        )
        router.set_online("a1", True, actor="a1")
        router.route(Ticket(id="t1", channel="email", created_at=T0))
        writer = sqlite3.connect(path, isolation_level=None)
        try:
            writer.execute("BEGIN IMMEDIATE")  # another process's unit, held
            assert router.ticket("t1").assignee == "a1"
            assert [r.action for r in router.history("t1")] == ["routed"]
            assert router.configuration.version == 1
            assert router.rules == RuleSet(rules=[])
            assert [c.version for c in router.configuration_history()] == [1]
            with pytest.raises(ConflictError, match="locked"):  # a write still waits
                router.set_online("a1", False, actor="a1")
        finally:
            writer.execute("ROLLBACK")
            writer.close()
