"""SQLite files by an absolute path; "" refused; a Ctrl-C in a serializer comes out as
itself; the ledgers release what they opened; the report reads a read-only store."""

from __future__ import annotations

import gc
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

import helpdesk_routing as hr
from helpdesk_routing import _sets
from helpdesk_routing.errors import SchemaVersionError, StoreError, ValidationError
from helpdesk_routing.handoff.sql_ledger import PostgresLedger, SqliteLedger
from helpdesk_routing.stores.sqlite import SqliteCustomerData, SqliteStore

NOW = datetime(2026, 3, 30, 10, tzinfo=UTC)


@pytest.fixture
def in_a(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    before = os.getcwd()
    os.chdir(tmp_path / "a")
    try:
        yield tmp_path
    finally:
        os.chdir(before)


def test_a_relative_path_is_resolved_once(in_a: Path) -> None:
    with (
        SqliteStore("helpdesk.db", agents=[hr.Agent(id="a1")]) as store,
        SqliteCustomerData("helpdesk.db") as data,
        SqliteLedger("ledger.db") as ledger,
    ):
        assert store.path == str(in_a / "a" / "helpdesk.db")
        os.chdir(in_a / "b")
        router = hr.Router(
            rules=hr.RuleSet(), teams=[], store=store, customer_data=data, clock=hr.ManualClock(NOW)
        )
        router.set_online("a1", online=True, actor="a1")
        router.route(hr.Ticket(id="t1", channel="email", created_at=NOW))
        data.add_profile(hr.Profile(id="p1"))
        assert ledger.get("h1") is None
    assert list((in_a / "b").iterdir()) == []  # nothing went to the new directory
    with SqliteStore(in_a / "a" / "helpdesk.db") as again, again.read() as tx:
        assert tx.get_ticket("t1") is not None


@pytest.mark.parametrize("make", [SqliteStore, SqliteCustomerData, SqliteLedger])
def test_an_empty_path_is_refused(make: Any) -> None:
    with pytest.raises(ValidationError, match=r"path must name a file.*':memory:'"):
        make("")


def test_memory_is_still_private() -> None:
    with SqliteStore(":memory:") as store:
        assert store.path == ":memory:"


def test_an_interrupt_in_a_serializer_comes_out_as_itself(tmp_path: Path) -> None:
    sorted_ = _sets._sorted.__wrapped__  # type: ignore[attr-defined]

    def trace(frame: FrameType, event: str, arg: object) -> Any:
        if event == "call" and frame.f_code is sorted_.__code__:
            sys.settrace(None)
            raise KeyboardInterrupt("simulated")
        return None

    with SqliteStore(tmp_path / "s.db", agents=[hr.Agent(id="a1")]) as store:
        router = hr.Router(
            rules=hr.RuleSet(),
            teams=[],
            store=store,
            customer_data=hr.InMemoryCustomerData(),
            clock=hr.ManualClock(NOW),
        )
        previous = sys.gettrace()  # (coverage's tracer, under make test: given back after)
        sys.settrace(trace)
        try:
            with pytest.raises(KeyboardInterrupt, match="simulated"):
                router.route(hr.Ticket(id="t1", channel="email", tags={"Order"}, created_at=NOW))
        finally:
            sys.settrace(previous)
        router.route(hr.Ticket(id="t2", channel="email", tags={"Order"}, created_at=NOW))


def test_dump_json_leaves_other_errors_alone() -> None:
    ticket = hr.Ticket(id="t1", channel="email", tags={"b", "a"}, created_at=NOW)
    assert '"tags":["a","b"]' in _sets.dump_json(ticket)


def test_a_refused_sqlite_ledger_closes_its_connection(tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    with SqliteLedger(newer):
        pass
    with sqlite3.connect(newer) as conn:
        conn.execute("INSERT INTO handoff_ledger_schema (version) VALUES (99)")
    conn.close()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        for path, error in ((newer, SchemaVersionError), (junk, StoreError)):
            for _ in range(5):
                with pytest.raises(error):
                    SqliteLedger(path)
            gc.collect()
    fds = Path("/proc/self/fd")
    before = len(list(fds.iterdir()))
    for _ in range(20):
        with pytest.raises(StoreError):
            SqliteLedger(junk)
    assert len(list(fds.iterdir())) == before  # closed at once, not by the collector


@pytest.mark.parametrize("text", ["BEGIN IMMEDIATE", "yield", "COMMIT", "done = True"])
def test_an_interrupted_sqlite_ledger_unit_is_rolled_back(tmp_path: Path, text: str) -> None:
    """Was: a Ctrl-C just before COMMIT left the ledger's one connection in its
    transaction; every later call failed."""
    from tests.stores.interrupting import interrupt_at, lines, source

    unit = SqliteLedger._unit
    line = next(n for n in lines(unit) if text in source(unit, n))
    with SqliteLedger(tmp_path / "l.db", timeout=1) as ledger:
        with interrupt_at(unit, line) as state:
            try:
                ledger.get("h1")
            except KeyboardInterrupt:
                assert state["fired"]
        assert not ledger._conn.in_transaction
        assert ledger.get("h1") is None


@pytest.mark.postgres
def test_a_closed_postgres_ledger_refuses_like_sqlite(request: pytest.FixtureRequest) -> None:
    from tests.pg_server import fresh_schema_dsn

    dsn = fresh_schema_dsn(request)
    ledger = PostgresLedger(dsn)
    assert ledger.get("h1") is None
    ledger.close()
    ledger.close()  # twice is harmless
    with pytest.raises(StoreError, match="closed"):
        ledger.get("h1")
    with pytest.raises(StoreError, match="closed"):
        ledger.stalled(NOW)
    assert ledger._idle == []


@pytest.mark.postgres
def test_a_refused_postgres_ledger_closes_its_connection(request: pytest.FixtureRequest) -> None:
    import psycopg

    from tests.pg_server import fresh_schema_dsn

    dsn = fresh_schema_dsn(request)
    PostgresLedger(dsn).close()
    with psycopg.connect(dsn) as conn:
        conn.execute("INSERT INTO handoff_ledger_schema (version) VALUES (99)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        with pytest.raises(SchemaVersionError):
            PostgresLedger(dsn)
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


def _store_file(directory: Path) -> Path:
    directory.mkdir()
    path = directory / "store.db"
    with (
        SqliteStore(path, agents=[hr.Agent(id="a1")]) as store,
        SqliteCustomerData(path) as data,
    ):
        router = hr.Router(
            rules=hr.RuleSet(), teams=[], store=store, customer_data=data, clock=hr.ManualClock(NOW)
        )
        router.set_online("a1", online=True, actor="a1")
        router.route(hr.Ticket(id="t1", channel="email", created_at=NOW))
    return path


def _read_only_store(store: SqliteStore) -> None:
    with store.read() as tx:
        assert tx.get_ticket("t1") is not None


def test_a_store_in_a_read_only_place_opens_for_reading(tmp_path: Path) -> None:
    """What ``report`` opens: nothing is written nor created beside the file, and a
    store whose directory or file cannot be written is read all the same."""
    path = _store_file(tmp_path / "ro")
    before = sorted(p.name for p in path.parent.iterdir())
    content = path.read_bytes()
    with SqliteStore._reader(path) as store, SqliteCustomerData._reader(path) as data:
        _read_only_store(store)
        assert data.profile("p1") is None
        with pytest.raises(StoreError), store.transaction() as tx:
            tx.set_online("a1", False, NOW)
    # SQLite's own -wal and -shm files aside, nothing was created
    after = [p.name for p in path.parent.iterdir() if not p.name.endswith(("-wal", "-shm"))]
    assert sorted(after) == before
    assert path.read_bytes() == content


def _without_write_permission() -> list[str]:
    """A command prefix under which permissions apply (root's override dropped)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions would not apply")
    caps = "-dac_override,-dac_read_search,-fowner"
    return [setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}"]


def test_report_reads_a_store_in_a_read_only_directory(tmp_path: Path) -> None:
    """Was: 'attempt to write a readonly database', exit 2 (the store was migrated)."""
    path = _store_file(tmp_path / "ro")
    prefix = _without_write_permission()
    path.chmod(stat.S_IRUSR)
    path.parent.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        done = subprocess.run(
            [
                *prefix,
                sys.executable,
                "-m",
                "helpdesk_routing",
                "report",
                "--store",
                f"sqlite:///{path}",
                "--from",
                "2026-03-30T00:00:00+00:00",
                "--to",
                "2026-03-31T00:00:00+00:00",
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
            check=False,
        )
    finally:
        path.parent.chmod(stat.S_IRWXU)
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert done.returncode == 0, done.stderr
    assert "tickets created        1" in done.stdout
    assert sorted(p.name for p in path.parent.iterdir()) == ["store.db"]  # nothing created


def test_a_store_needing_a_migration_is_named_not_migrated(tmp_path: Path) -> None:
    path = _store_file(tmp_path / "old")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE schema_version SET version = version - 1")
    conn.close()
    content = path.read_bytes()
    with pytest.raises(StoreError, match=r"older than this library's .* migrated") as info:
        SqliteStore._reader(path)
    assert str(path) in str(info.value)
    assert path.read_bytes() == content
