"""The report's reader of a store in a directory it cannot write reads the file as an
immutable snapshot (``immutable=1``): SQLite then sees no writer. A writer that may
write there (another user) must not make it read stale pages across units, nor a
half-written file in one unit, and a ``sqlite3`` error must never reach the caller.

The snapshot connection is forced here (``Database._open_read_only`` replaced by
``Database._open_snapshot``): as root, or in a writable directory, SQLite would open
the file in ``mode=ro`` with its ``-shm``."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

import helpdesk_routing as hr
from helpdesk_routing.errors import StoreError
from helpdesk_routing.stores.sqlite import SqliteCustomerData, SqliteStore
from helpdesk_routing.stores.sqlite._database import Database

NOW = datetime(2026, 3, 30, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _snapshots(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Database, "_open_read_only", lambda self: self._open_snapshot())


def _fill(path: Path, start: int, n: int) -> None:
    with SqliteStore(path, agents=[hr.Agent(id="a1")]) as store:
        router = hr.Router(
            rules=hr.RuleSet(),
            teams=[],
            store=store,
            customer_data=hr.InMemoryCustomerData(),
            clock=hr.ManualClock(NOW),
        )
        router.set_online("a1", online=True, actor="a1")
        for i in range(start, start + n):
            router.route(hr.Ticket(id=f"t{i:04d}", channel="email", created_at=NOW))


def _count(tx: object) -> int:
    query = hr.TicketQuery(limit=10**6, statuses=None)
    return len(tx.find_tickets(query))  # type: ignore[attr-defined]


def test_a_new_read_unit_sees_what_a_writer_committed_meanwhile(tmp_path: Path) -> None:
    """Was: read 2 still counted 300 tickets (the snapshot connection was pooled)."""
    path = tmp_path / "s.db"
    _fill(path, 0, 30)
    with SqliteStore._reader(path) as reader:
        with reader.read() as tx:
            assert _count(tx) == 30
        _fill(path, 30, 60)  # committed and checkpointed into the file (closed)
        with reader.read() as tx:
            assert _count(tx) == 90


def _read_while_writing(reader: SqliteStore, path: Path) -> None:
    with reader.read() as tx:
        assert _count(tx) == 30
        _fill(path, 30, 60)


def test_a_file_changed_during_a_read_unit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    _fill(path, 0, 30)
    with SqliteStore._reader(path) as reader:
        with pytest.raises(StoreError, match=r"s\.db' changed while it was read.*snapshot"):
            _read_while_writing(reader, path)
        with reader.read() as tx:  # the next unit reads the file as it is now
            assert _count(tx) == 90


def test_a_raw_sqlite_error_in_a_read_unit_becomes_a_store_error(tmp_path: Path) -> None:
    """Was: 'sqlite3.DatabaseError: database disk image is malformed' (a row fetched
    outside the transaction's statements) reached the caller as it was."""
    path = tmp_path / "s.db"
    _fill(path, 0, 3)
    with SqliteStore._reader(path) as reader:
        with pytest.raises(StoreError, match=r"s\.db.*malformed"), reader.read():
            raise sqlite3.DatabaseError("database disk image is malformed")
        with reader.read() as tx:
            assert _count(tx) == 3


def test_a_raw_sqlite_error_in_a_unit_of_work_becomes_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with SqliteStore(path, agents=[hr.Agent(id="a1")]) as store:
        with pytest.raises(StoreError, match=r"s\.db.*malformed"), store.transaction():
            raise sqlite3.DatabaseError("database disk image is malformed")
        with store.transaction() as tx:
            assert tx.is_online("a1") is False


def _read_data_while_writing(reader: SqliteCustomerData, path: Path) -> None:
    with reader._db.read(), SqliteCustomerData(path) as writer:
        writer.add_profile(hr.Profile(id="p2"))


def test_customer_data_read_of_a_changed_snapshot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    with SqliteCustomerData(path) as data:
        data.add_profile(hr.Profile(id="p1"))
    with SqliteCustomerData._reader(path) as reader:
        assert reader.profile("p1") is not None
        with pytest.raises(StoreError, match="changed while it was read"):
            _read_data_while_writing(reader, path)
        assert reader.profile("p2") is not None
