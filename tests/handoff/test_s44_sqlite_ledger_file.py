"""A SQLite handoff ledger's file in a bad state: every failure is the library's error
naming the file (raw ``TypeError`` and ``sqlite3`` errors leaked), and the file is left
as it was; a lock held past ``timeout`` is a ``ConflictError``, as for a store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from helpdesk_routing.errors import ConflictError, StoreError
from helpdesk_routing.handoff import handoff_id
from helpdesk_routing.handoff.sql_ledger import SqliteLedger
from tests.handoff.test_s32_sqlite_ledger_closed import CALLS, _record


def _ledger_file(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.db"
    with SqliteLedger(path) as ledger:
        ledger.create(_record("c1"))
    return path


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        ("UPDATE handoff_ledger_schema SET version = 'abc'", "schema version is unreadable"),
        ("UPDATE handoff_ledger_schema SET version = 7.5", "schema version is unreadable"),
        ("DELETE FROM handoff_ledger_schema", "but no ledger schema version"),
        ("DROP TABLE handoff_ledger_schema", "but no ledger schema version"),
    ],
)
def test_a_damaged_schema_version_is_a_store_error_naming_the_file(
    tmp_path: Path, damage: str, said: str
) -> None:
    path = _ledger_file(tmp_path)
    with sqlite3.connect(path) as conn:
        conn.execute(damage)
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError) as info:
        SqliteLedger(path)
    assert said in str(info.value)
    assert repr(str(path)) in str(info.value)
    assert path.read_bytes() == before


@pytest.mark.parametrize("call", sorted(CALLS))
def test_a_statement_failing_in_a_call_is_a_store_error_naming_the_file(
    tmp_path: Path, call: str
) -> None:
    """The statements of a call, not only its BEGIN and COMMIT, are the library's error
    (a damaged file said ``sqlite3.DatabaseError`` to every call)."""
    path = _ledger_file(tmp_path)
    with SqliteLedger(path) as ledger:
        with sqlite3.connect(path) as conn:
            conn.execute("DROP TABLE handoffs")
        conn.close()
        with pytest.raises(StoreError) as info:
            CALLS[call](ledger)
        assert f"SQLite handoff ledger {str(path)!r}: no such table: handoffs" in str(info.value)
        assert not isinstance(info.value.__cause__, type(None))


def test_a_lock_held_past_the_timeout_is_a_conflict_naming_the_file(tmp_path: Path) -> None:
    """As for a store: a conflict naming the file (it said ``StoreError: SQLite handoff
    ledger: database is locked``), when the ledger is opened and when it is called."""
    path = _ledger_file(tmp_path)
    said = f"the SQLite handoff ledger {str(path)!r} stayed locked by another writer for 0.05 s"
    ledger = SqliteLedger(path, timeout=0.05)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(ConflictError) as info:
            ledger.get(handoff_id("c1"))
        assert str(info.value).startswith(said)
        with pytest.raises(ConflictError) as opening:
            SqliteLedger(path, timeout=0.05)
        assert str(opening.value).startswith(said)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert ledger.get(handoff_id("c1")) is not None
    ledger.close()
