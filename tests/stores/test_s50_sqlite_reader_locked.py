"""A read-only reader of a SQLite store (the `report` command's) and a writer holding the
file. With the file in rollback-journal mode (another tool set it) and a writer midway
through a large transaction, the reader waited out its busy timeout, then read the file
as an immutable snapshot: it reported none of the tickets of a transaction that then
rolled back (`"tickets": 0`, exit 0). And `report`'s first look at a file another
connection held said "no SQLite store at ...: database is locked" of a store."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.errors import StoreError
from helpdesk_routing.metrics_cli import _sqlite_problem
from helpdesk_routing.model import Agent, Ticket
from helpdesk_routing.records import TicketQuery
from helpdesk_routing.router import Router
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from helpdesk_routing.stores.sqlite import SqliteStore
from helpdesk_routing.stores.sqlite._database import Database

NOW = datetime(2026, 3, 30, 10, tzinfo=UTC)


def _store(path: Path, tickets: int) -> None:
    with SqliteStore(path, agents=[Agent(id="a1")]) as store:
        router = Router(store=store, customer_data=InMemoryCustomerData(), clock=ManualClock(NOW))
        for i in range(tickets):
            router.route(Ticket(id=f"t{i}", channel="email", subject="x", created_at=NOW))


def _tickets(db: Database) -> int:
    conn = db.acquire()
    try:
        return int(conn.execute("SELECT count(*) FROM tickets").fetchone()[0])
    finally:
        db.release(conn)


def _read_once(path: Path) -> int:
    db = Database(str(path), 0.2, "FULL", read_only=True)
    try:
        return _tickets(db)
    finally:
        db.close()


def test_a_reader_refuses_a_file_a_writer_has_half_written(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    _store(path, 300)
    with closing(sqlite3.connect(path, isolation_level=None)) as writer:
        writer.execute("PRAGMA journal_mode=DELETE")
        writer.execute("PRAGMA cache_size=1")  # the transaction spills into the file
        writer.execute("BEGIN")
        writer.execute("DELETE FROM tickets")
        writer.execute("DELETE FROM audit")
        assert Path(f"{path}-journal").exists()
        with pytest.raises(StoreError, match=r"a writer holds it .* may not be read"):
            _read_once(path)
        writer.execute("ROLLBACK")
    assert _read_once(path) == 300
    with SqliteStore(path) as store, store.read() as tx:
        assert len(tx.find_tickets(TicketQuery())) == 300


def test_the_reports_first_look_leaves_a_locked_store_to_its_opening(tmp_path: Path) -> None:
    """Held by another connection: not "no SQLite store"; the opening then says why."""
    path = tmp_path / "store.db"
    _store(path, 1)
    tables = ("tickets", "audit")
    assert _sqlite_problem(str(path), "store", tables) is None
    with closing(sqlite3.connect(path, isolation_level=None)) as holder:
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("UPDATE agents SET id = id")
        holder.execute("COMMIT")  # the exclusive lock stays with the connection
        assert _sqlite_problem(str(path), "store", tables) is None
    (tmp_path / "not.db").write_bytes(b"this is no database, " * 100)
    said = _sqlite_problem(str(tmp_path / "not.db"), "store", tables)
    assert said is not None
    assert "not a database" in said
