"""Reading a view never waits for the units that route (issue 10 #11): a read-only unit
takes no write lock (SQLite) and no row locks (PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from helpdesk_routing.errors import ConflictError
from helpdesk_routing.model import Ticket
from helpdesk_routing.records import TicketQuery, TicketRecord
from helpdesk_routing.stores.sqlite import SqliteStore

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)


def _record(tid: str) -> TicketRecord:
    return TicketRecord(ticket=Ticket(id=tid, channel="email", created_at=T0))


def _while_held(store: Any, hold: Callable[[Any], object], read: Callable[[], object]) -> object:
    """Run ``read()`` while another thread's unit has done ``hold(tx)`` and stays open."""
    held, done = threading.Event(), threading.Event()

    def holder() -> None:
        with store.transaction() as tx:
            hold(tx)
            held.set()
            done.wait(30)

    t = threading.Thread(target=holder)
    t.start()
    try:
        assert held.wait(30)
        return read()
    finally:
        done.set()
        t.join()


def _page(open_unit: Callable[[], AbstractContextManager[Any]]) -> list[str]:
    with open_unit() as tx:
        return [r.id for r in tx.find_tickets(TicketQuery(unassigned=True, limit=10))]


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "s.db", timeout=0.3) as store:
        with store.transaction() as tx:
            tx.add_ticket(_record("t1"))
        yield store


def test_sqlite_a_view_read_does_not_wait_for_the_write_lock(sqlite_store: SqliteStore) -> None:
    """While a unit holds the write lock (BEGIN IMMEDIATE), read() answers the page at
    once; transaction() would time out (ConflictError) — the lock is really held."""
    hold = lambda tx: tx.add_ticket(_record("t2"))  # noqa: E731 - uncommitted: unseen
    assert _while_held(sqlite_store, hold, lambda: _page(sqlite_store.read)) == ["t1"]
    with pytest.raises(ConflictError):
        _while_held(sqlite_store, hold, lambda: _page(sqlite_store.transaction))


@pytest.mark.postgres
def test_postgres_a_view_read_does_not_wait_for_locked_rows(pg_dsn: str) -> None:
    """While a unit holds a ticket's row lock, read() answers the page at once;
    transaction() would wait past its timeout (ConflictError)."""
    from helpdesk_routing.stores.postgres import PostgresStore

    with PostgresStore(pg_dsn, timeout=0.3) as store:
        with store.transaction() as tx:
            tx.add_ticket(_record("t1"))
        hold = lambda tx: tx.get_ticket("t1")  # noqa: E731 - locks the row
        assert _while_held(store, hold, lambda: _page(store.read)) == ["t1"]
        with pytest.raises(ConflictError):
            _while_held(store, hold, lambda: _page(store.transaction))
