"""What the SQLite adapters promise beyond the port contract: a file, a schema, a lock."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest

from helpdesk_routing.errors import (
    ConflictError,
    SchemaVersionError,
    StoreError,
    ValidationError,
)
from helpdesk_routing.handoff.sql_ledger import SqliteLedger
from helpdesk_routing.model import Agent, Event, Profile, Ticket
from helpdesk_routing.records import AuditRecord, RotationState, TicketQuery, TicketRecord
from helpdesk_routing.stores import sqlite as sqlite_module
from helpdesk_routing.stores._sql import pool_by_channel, pool_channels
from helpdesk_routing.stores.sqlite import SqliteCustomerData, SqliteStore
from helpdesk_routing.stores.sqlite import _schema as _sqlite_schema
from helpdesk_routing.stores.sqlite import _transaction as _sqlite_tx
from helpdesk_routing.stores.sqlite._database import write_ahead

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)


def _record(tid: str, minutes: int = 0, **kw: object) -> TicketRecord:
    ticket = Ticket(id=tid, channel="email", created_at=T0 + timedelta(minutes=minutes))
    return TicketRecord(ticket=ticket, **kw)


def _fill(store: SqliteStore) -> None:
    with store.transaction() as tx:
        tx.add_ticket(_record("t1", assignee="a1", views=frozenset({"urgent"})))
        tx.set_online("a1", True, T0)
        tx.set_rotation("global", RotationState(last="a1", given=1))
        tx.append_audit(AuditRecord(at=T0, actor=None, action="routed", ticket_id="t1"))


def _version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        version = int(conn.execute("SELECT version FROM schema_version").fetchone()[0])
    conn.close()
    return version


def test_everything_survives_closing_and_reopening_the_file(db_path: Path) -> None:
    """Tickets, presence, rotation and the audit log are read back from the file."""
    with SqliteStore(db_path, agents=[Agent(id="a1")]) as store:
        _fill(store)
    with SqliteStore(db_path) as store, store.transaction() as tx:
        assert tx.get_ticket("t1") == _record("t1", assignee="a1", views=frozenset({"urgent"}))
        assert tx.find_tickets(TicketQuery(view="urgent"))[0].id == "t1"
        assert list(tx.online_agents()) == ["a1"]
        assert tx.rotation("global") == RotationState(last="a1", given=1)
        assert [a.action for a in tx.audit("t1")] == ["routed"]


def test_reopening_with_the_same_agents_keeps_their_presence(db_path: Path) -> None:
    """A store reopened with the agents it was opened with accepts them as stored (they
    only seed it, ``docs/stores.md``), and an Online agent stays Online."""
    agents = [Agent(id="a1", name="Ann")]
    with SqliteStore(db_path, agents=agents) as store, store.transaction() as tx:
        tx.set_online("a1", True, T0)
    with SqliteStore(db_path, agents=agents) as store, store.transaction() as tx:
        assert tx.is_online("a1")
        assert tx.get_agent("a1") == Agent(id="a1", name="Ann")


def test_the_file_is_in_wal_mode(db_path: Path) -> None:
    """A store's file uses the write-ahead log, so readers never wait for the writer."""
    SqliteStore(db_path).close()
    with sqlite3.connect(db_path) as conn:
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    conn.close()
    assert mode == "wal"


def test_a_new_file_gets_the_current_schema_version(db_path: Path) -> None:
    """Opening a new file creates every table and records the newest schema version."""
    SqliteStore(db_path).close()
    assert _version(db_path) == sqlite_module.SCHEMA_VERSION == 7


def test_a_newer_schema_is_refused_and_the_file_is_untouched(db_path: Path) -> None:
    """A file whose schema version is newer than the library is refused; not a byte changes."""
    with SqliteStore(db_path, agents=[Agent(id="a1")]) as store:
        _fill(store)
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE schema_version SET version = 8")
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(SchemaVersionError) as err:
        SqliteStore(db_path)
    assert str(err.value) == (
        "database schema version 8 is newer than this helpdesk_routing knows (7); "
        f"upgrade the library to open the SQLite file {str(db_path)!r}"
    )
    with pytest.raises(SchemaVersionError, match="upgrade the library to open the SQLite file"):
        SqliteCustomerData(db_path)
    assert db_path.read_bytes() == before


def test_a_version_1_file_is_migrated_and_keeps_its_data(db_path: Path) -> None:
    """A file at schema version 1 gets the later migrations applied, its data intact."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    conn.execute("INSERT INTO schema_version (version) VALUES (1)")
    for statement in _sqlite_schema.MIGRATIONS[0][1]:
        conn.execute(statement)
    conn.execute(
        "INSERT INTO agents (id, agent) VALUES (?, ?)", ("a1", Agent(id="a1").model_dump_json())
    )
    conn.close()
    with SqliteCustomerData(db_path, profiles=[Profile(id="p1")]) as data:
        assert data.profile("p1") == Profile(id="p1")
    with SqliteStore(db_path) as store, store.transaction() as tx:
        assert tx.agents() == [Agent(id="a1")]
    assert _version(db_path) == sqlite_module.SCHEMA_VERSION == 7


def test_store_and_customer_data_can_share_one_file(db_path: Path) -> None:
    """A SqliteStore and a SqliteCustomerData on the same file each see their own data."""
    with (
        SqliteStore(db_path, agents=[Agent(id="a1")]) as store,
        SqliteCustomerData(db_path, profiles=[Profile(id="p1")]) as data,
    ):
        with store.transaction() as tx:
            assert [a.id for a in tx.agents()] == ["a1"]
        assert data.profile("p1") == Profile(id="p1")


def test_a_writer_that_cannot_get_the_lock_in_time_gets_a_conflict(db_path: Path) -> None:
    """While one unit (in another thread: in the same one it is refused at once) holds
    the write lock, another store's unit gives up with a conflict."""
    with SqliteStore(db_path) as holder, SqliteStore(db_path, timeout=0.2) as waiter:
        holding, done = threading.Event(), threading.Event()

        def hold() -> None:
            with holder.transaction() as tx:
                tx.set_rotation("global", RotationState(given=1))
                holding.set()
                done.wait(10)

        thread = threading.Thread(target=hold)
        thread.start()
        try:
            assert holding.wait(10)
            with (
                pytest.raises(ConflictError, match="stayed locked by another writer"),
                waiter.transaction(),
            ):
                pass
        finally:
            done.set()
            thread.join(10)
        with waiter.transaction() as tx:
            assert tx.rotation("global").given == 1


def test_a_unit_of_work_sees_the_commits_of_other_connections(db_path: Path) -> None:
    """Units of work of two stores on one file are serialised: each sees the other's commit."""
    with SqliteStore(db_path) as one, SqliteStore(db_path) as two:
        for i in range(10):
            store = one if i % 2 else two
            with store.transaction() as tx:
                state = tx.rotation("global")
                tx.set_rotation("global", state.model_copy(update={"given": state.given + 1}))
        with one.transaction() as tx:
            assert tx.rotation("global").given == 10


def test_nested_transactions_in_one_thread_are_refused(db_path: Path) -> None:
    """A thread inside a unit of work cannot open another (it would wait for itself)."""
    with (
        SqliteStore(db_path) as store,
        store.transaction(),
        pytest.raises(StoreError, match="nested transaction"),
        store.transaction(),
    ):
        pass


def test_a_transaction_is_unusable_after_its_block(db_path: Path) -> None:
    """Using the transaction object after the block ended raises StoreError."""
    with SqliteStore(db_path) as store:
        with store.transaction() as tx:
            pass
        with pytest.raises(StoreError, match="the transaction has ended"):
            tx.get_ticket("t1")


def test_a_closed_store_refuses_new_units_of_work(db_path: Path) -> None:
    """After close(), transaction() raises StoreError."""
    store = SqliteStore(db_path)
    store.close()
    with pytest.raises(StoreError, match="the store is closed"), store.transaction():
        pass


def test_an_in_memory_store_is_shared_by_its_threads() -> None:
    """ ":memory:" is one private database: threads of the store take turns without losing steps."""

    def work(store: SqliteStore) -> None:
        for _ in range(25):
            with store.transaction() as tx:
                state = tx.rotation("global")
                tx.set_rotation("global", state.model_copy(update={"given": state.given + 1}))

    with SqliteStore(":memory:") as store:
        threads = [threading.Thread(target=work, args=(store,)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with store.transaction() as tx:
            assert tx.rotation("global").given == 100


def test_a_path_that_cannot_be_opened_is_a_store_error(tmp_path: Path) -> None:
    """A file in a missing directory raises StoreError naming the path."""
    with pytest.raises(StoreError, match="cannot open SQLite database"):
        SqliteStore(tmp_path / "missing" / "x.db")


def test_a_file_that_is_not_a_database_is_a_store_error(db_path: Path) -> None:
    """A file that is not SQLite raises StoreError, and is left alone."""
    db_path.write_bytes(b"not a database, just text" * 100)
    with pytest.raises(StoreError, match="not a database"):
        SqliteStore(db_path)
    assert db_path.read_bytes() == b"not a database, just text" * 100


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"synchronous": "FAST"}, "synchronous must be 'FULL' or 'NORMAL', got 'FAST'"),
        ({"synchronous": "FULL; x"}, "synchronous must be 'FULL' or 'NORMAL', got 'FULL; x'"),
        ({"timeout": -1}, "timeout must be a number of seconds at least 0, got -1"),
        ({"timeout": float("inf")}, "timeout must be a number of seconds at least 0, got inf"),
        ({"timeout": "30"}, "timeout must be a number of seconds at least 0, got '30'"),
    ],
)
def test_settings_that_go_into_pragmas_are_checked(
    db_path: Path, given: dict[str, object], message: str
) -> None:
    """synchronous (which SQLite would ignore when unknown) and timeout are refused by
    name before the file is touched, by the store, its customer data and the ledger."""
    for make in (SqliteStore, SqliteCustomerData, SqliteLedger):
        with pytest.raises(ValidationError) as info:
            make(db_path, **given)  # type: ignore[arg-type]
        assert str(info.value) == message
    assert not db_path.exists()
    with SqliteStore(db_path, synchronous="normal", timeout=0) as store, store.transaction() as tx:
        assert tx.agents() == []


def test_a_timeout_is_any_real_number_of_seconds(db_path: Path) -> None:
    """A numpy number or a Fraction is a number of seconds as an int or a float is (a
    numpy integer was refused as "no number of seconds"); one too large for a float is
    refused by name, as infinity is."""
    import numpy as np  # the test extra holds it: missing, this fails, never skips

    for value in (3, 2.5, Fraction(5, 2), np.int64(3), np.float64(2.5)):
        with SqliteStore(db_path, timeout=value) as store:  # type: ignore[arg-type]
            assert store.transaction() is not None
    with pytest.raises(ValidationError, match=r"^timeout must be a number of seconds"):
        SqliteStore(db_path, timeout=10**400)


@pytest.mark.parametrize("lost", ["DROP TABLE schema_version", "DELETE FROM schema_version"])
def test_tables_without_a_schema_version_are_refused_untouched(db_path: Path, lost: str) -> None:
    """A store's tables whose version was lost are refused naming the file (the first
    migration ran again: "table tickets already exists"); not a byte changes."""
    with SqliteStore(db_path, agents=[Agent(id="a1")]) as store:
        _fill(store)
    with sqlite3.connect(db_path) as conn:
        conn.execute(lost)
    conn.close()
    before = db_path.read_bytes()
    for cls in (SqliteStore, SqliteCustomerData):
        with pytest.raises(StoreError) as err:
            cls(db_path)
        assert "holds a helpdesk_routing store's tables but no schema version" in str(err.value)
        assert repr(str(db_path)) in str(err.value)
    assert db_path.read_bytes() == before


def _plan(path: Path, sql: str, params: list[object]) -> str:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    finally:
        conn.close()
    return " | ".join(str(r[-1]) for r in rows)


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (TicketQuery(view="urgent"), "SEARCH v USING PRIMARY KEY (view=?)"),
        (TicketQuery(assignee="a1"), "tickets_assignee"),
        (TicketQuery(team="retention"), "tickets_team"),
        (TicketQuery(unassigned=True, no_team=True), "SEARCH t USING INDEX tickets_"),
        (TicketQuery(statuses=None, limit=10), "tickets_order"),
    ],
)
def test_ticket_queries_are_index_scans(db_path: Path, query: TicketQuery, index: str) -> None:
    """Views, inboxes and paging read an index, never every ticket."""
    SqliteStore(db_path).close()
    sql, params = _sqlite_tx.select_tickets(query)
    plan = _plan(db_path, sql, params)
    assert index in plan
    assert "SCAN" not in plan.replace("SCAN t USING INDEX tickets_order", "")


@pytest.mark.parametrize(
    "closed", [frozenset(), frozenset({"webchat", "sms"})], ids=["open", "closed"]
)
@pytest.mark.parametrize("team", [None, "retention"])
@pytest.mark.parametrize("after", [None, (T0, "t1")])
def test_a_hand_out_reads_the_waiting_tickets_index(
    db_path: Path, team: str | None, after: tuple[datetime, str] | None, closed: frozenset[str]
) -> None:
    """The pool's waiting tickets (no assignee; no team, or the team's; open) are a range
    of their own partial index: a close or a log-in with nothing waiting reads nothing,
    however many open tickets the pool's agents hold (``tickets_team`` read them all).
    After hours (the channels that wait for the office left out) too."""
    from helpdesk_routing.handout import _page

    SqliteStore(db_path).close()
    sql, params = _sqlite_tx.select_tickets(_page(team, closed, after, 8))
    plan = _plan(db_path, sql, params)
    assert "SEARCH t USING INDEX tickets_waiting (team=? AND status=?" in plan
    assert "TEMP B-TREE" not in plan  # in the index's order: no sort


@pytest.mark.parametrize("team", [None, "retention"])
@pytest.mark.parametrize("after", [None, (T0, "t1")])
@pytest.mark.parametrize("newest_first", [False, True])
def test_after_hours_a_hand_out_reads_channel_by_channel(
    db_path: Path, team: str | None, after: tuple[datetime, str] | None, newest_first: bool
) -> None:
    """With channels left out (after hours), the pool's waiting channels are found by a
    seek each in ``tickets_waiting_channel``, and each kept channel's page is a range of
    it, in its order: the left-out channels' tickets are not read (with the one query of
    ``tickets_waiting`` they were walked whenever they were the oldest)."""
    from helpdesk_routing.handout import _page

    SqliteStore(db_path).close()
    query = _page(team, frozenset({"webchat", "sms"}), after, 8)
    query = query.model_copy(update={"newest_first": newest_first})
    assert pool_by_channel(query)
    plan = _plan(db_path, *pool_channels(query, "?"))
    assert "SCAN tickets" not in plan  # a seek per channel, no walk of the tickets
    assert "SEARCH tickets USING INDEX tickets_waiting_channel (team=? AND status=?)" in plan
    assert (
        "SEARCH tickets USING INDEX tickets_waiting_channel (team=? AND status=? AND channel>?)"
        in plan
    )
    one = query.model_copy(update={"channels": frozenset({"email"}), "exclude_channels": ()})
    sql, params = _sqlite_tx.select_tickets(one)
    plan = _plan(db_path, sql, params)
    assert "SEARCH t USING INDEX tickets_waiting_channel (team=? AND status=? AND channel=?" in plan
    assert "TEMP B-TREE" not in plan


def test_only_pool_queries_with_channels_left_out_are_read_by_channel() -> None:
    base = {"unassigned": True, "team": "x", "exclude_channels": {"webchat"}}
    assert pool_by_channel(TicketQuery.model_validate(base))
    assert pool_by_channel(TicketQuery.model_validate({**base, "team": None, "no_team": True}))
    for change in (
        {"exclude_channels": set()},
        {"channels": {"email"}},
        {"unassigned": False},
        {"team": None},
        {"no_team": True},
        {"assignee": "a1"},
        {"view": "v"},
        {"statuses": None},
        {"statuses": ["open", "pending"]},
    ):
        assert not pool_by_channel(TicketQuery.model_validate({**base, **change})), change


def test_windowed_event_counts_are_index_range_scans(db_path: Path) -> None:
    """count_events reads the (profile, metric, timestamp) index, not the events table."""
    SqliteCustomerData(
        db_path, events=[Event(profile_id="p1", metric="Placed Order", timestamp=T0)]
    ).close()
    plan = _plan(
        db_path,
        "SELECT count(*) FROM events WHERE profile_id = ? AND metric = ? AND ts >= ? AND ts < ?",
        ["p1", "Placed Order", 0, 1],
    )
    assert "events_lookup" in plan


def test_waiting_for_the_write_lock_keeps_the_busy_timeout_for_other_statements(
    tmp_path: Path,
) -> None:
    """The fair retry loop turns SQLite's busy handler off only around BEGIN IMMEDIATE:
    inside a unit (and in a read) the busy timeout is the store's again."""
    with SqliteStore(tmp_path / "b.db", timeout=1.5) as store:
        with store.transaction() as tx:
            assert tx._run("PRAGMA busy_timeout").fetchone() == (1500,)
        with store.read() as tx:
            assert tx._run("PRAGMA busy_timeout").fetchone() == (1500,)


@pytest.mark.parametrize("path", [None, b"x.db", 3])
@pytest.mark.parametrize("kind", ["store", "customer data"])
def test_a_path_that_is_no_file_path_is_named(path: object, kind: str) -> None:
    """``None``, bytes or a number is an ArgumentTypeError naming ``path`` (it was a bare
    TypeError from ``os.fspath``)."""
    from helpdesk_routing.errors import ArgumentTypeError

    make = SqliteStore if kind == "store" else SqliteCustomerData
    with pytest.raises(ArgumentTypeError, match=r"^path must be a file path \(str or Path\)"):
        make(path)  # type: ignore[arg-type]


@pytest.mark.parametrize("cls", [SqliteStore, SqliteCustomerData])
@pytest.mark.parametrize("timeout", [1e300, 10**20, 2_147_483.5])
def test_a_timeout_past_sqlites_busy_timeout_is_refused_by_name(
    db_path: Path, cls: type[SqliteStore] | type[SqliteCustomerData], timeout: float
) -> None:
    """A ``timeout`` SQLite cannot hold (milliseconds in a signed 32-bit integer) is a
    ValidationError naming it and the maximum, before the file is touched."""
    with pytest.raises(ValidationError) as info:
        cls(db_path, timeout=timeout)
    assert str(info.value) == f"timeout must be at most 2,147,483 seconds, got {float(timeout)!r}"
    assert not db_path.exists()


def test_the_largest_timeout_allowed_is_sqlites_busy_timeout(db_path: Path) -> None:
    """``timeout`` at its maximum is SQLite's own largest busy timeout (milliseconds in a
    signed 32-bit integer), never one that wraps into no wait at all."""
    with SqliteStore(db_path, timeout=2_147_483) as store, store.read() as tx:
        assert tx._run("PRAGMA busy_timeout").fetchone() == (2_147_483_000,)


@pytest.mark.parametrize("cls", [SqliteStore, SqliteCustomerData])
@pytest.mark.parametrize("given", ["x\x00y.db", "as path"])
def test_a_path_with_nul_is_refused_by_name(
    tmp_path: Path, cls: type[SqliteStore] | type[SqliteCustomerData], given: str
) -> None:
    """No file can be named with a NUL: the path is a ValidationError naming it (it was
    a bare ValueError, embedded null byte), a str or a Path alike."""
    text = str(tmp_path / "a\x00b.db")
    path: str | Path = text if given != "as path" else Path(text)
    with pytest.raises(ValidationError) as info:
        cls(path)
    assert str(info.value) == f"path must not contain NUL (\\x00), got {text!r}"


@pytest.mark.parametrize("version", ["'abc'", "'9x'", "2.5", "x'00'"])
def test_an_unreadable_schema_version_is_a_store_error_and_the_file_is_untouched(
    db_path: Path, version: str
) -> None:
    """A schema_version that is no whole number (a hand-edited or damaged file) is a
    StoreError saying so, from the store and its customer data; not a byte changes."""
    with SqliteStore(db_path, agents=[Agent(id="a1")]) as store:
        _fill(store)
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"UPDATE schema_version SET version = {version}")
    conn.close()
    stored = sqlite3.connect(db_path).execute("SELECT version FROM schema_version").fetchone()
    before = db_path.read_bytes()
    for cls in (SqliteStore, SqliteCustomerData):
        with pytest.raises(StoreError) as err:
            cls(db_path)
        assert str(err.value) == (
            f"the database's schema version is unreadable (SQLite file {str(db_path)!r}): "
            f"{stored[0]!r} (a whole number was expected); the database was left as it was"
        )
    assert db_path.read_bytes() == before


SELF_DEADLOCK = (
    "this thread already holds a unit of work writing to the SQLite database {path!r} "
    "(through another store or customer-data object on the file): a second one would "
    "wait for it forever; finish that unit first"
)


def test_a_second_writer_on_the_same_file_in_the_same_thread_is_refused_at_once(
    tmp_path: Path,
) -> None:
    """Customer data written inside an open store unit on the same file, or a unit of a
    second store object on it, cannot get the write lock the thread itself holds: a
    StoreError saying so at once, not a ConflictError after the whole timeout. The first
    unit goes on and commits; after it, the second writer works."""
    path = tmp_path / "shared.db"
    link = tmp_path / "link.db"
    with SqliteStore(path, agents=[Agent(id="a1")]) as store:
        link.symlink_to(path)
        with SqliteCustomerData(path) as data, SqliteStore(link) as other:
            started = time.monotonic()
            with store.transaction() as tx:
                tx.set_online("a1", True, datetime(2026, 3, 30, tzinfo=UTC))
                with pytest.raises(StoreError) as err:
                    data.add_profile(Profile(id="p1"))
                assert str(err.value) == SELF_DEADLOCK.format(path=str(path))
                with pytest.raises(StoreError) as err, other.transaction():
                    pass
                assert str(err.value) == SELF_DEADLOCK.format(path=str(link))
                with pytest.raises(StoreError) as err:
                    SqliteCustomerData(path)
                assert str(err.value) == SELF_DEADLOCK.format(path=str(path))
                assert data.profile("p1") is None  # reads still work
                with other.read() as view:
                    assert view.is_online("a1") is False  # the unit has not committed
            assert time.monotonic() - started < 5
            data.add_profile(Profile(id="p1"))
            with other.transaction() as tx:
                assert tx.is_online("a1")
            assert data.profile("p1") == Profile(id="p1")


def test_another_thread_still_waits_for_the_writer(tmp_path: Path) -> None:
    """Only the holding thread is refused: a writer in another thread waits for the
    lock, as before, and gets it when the first unit ends."""
    path = tmp_path / "shared.db"
    with SqliteStore(path) as store, SqliteCustomerData(path) as data:
        done: list[str] = []

        def write() -> None:
            data.add_profile(Profile(id="p1"))
            done.append("p1")

        with store.transaction() as tx:
            tx.put_agent(Agent(id="a1"))
            worker = threading.Thread(target=write)
            worker.start()
            worker.join(0.3)
            assert done == []  # waiting for the lock
        worker.join(10)
        assert done == ["p1"]


def test_the_sqlite_ledger_refuses_a_timeout_or_path_sqlite_cannot_take() -> None:
    """As the SQLite store does: a timeout past SQLite's busy timeout (a bare
    OverflowError, or no wait at all) and a path with NUL (a bare ValueError)."""
    from helpdesk_routing.errors import ValidationError as Invalid

    with pytest.raises(Invalid, match=r"^timeout must be at most 2,147,483 seconds"):
        SqliteLedger(":memory:", timeout=1e300)
    with pytest.raises(Invalid, match=r"^path must not contain NUL"):
        SqliteLedger("/tmp/a\x00b.db")


def test_switching_a_new_file_to_wal_waits_for_another_writer(tmp_path: Path) -> None:
    """Processes opening one new file together: one may hold a write lock (migrating,
    seeding) just as another switches the file to WAL, and SQLite answers that switch
    "database is locked" at once, busy timeout or not (1 in 40 rounds of eight processes
    failed with a ConflictError claiming 30 s of waiting). The switch waits, as a unit
    does, until the writer is done."""
    path = tmp_path / "new.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO t VALUES (1)")
    switcher = sqlite3.connect(path, isolation_level=None)
    switcher.execute("PRAGMA busy_timeout = 30000")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        switcher.execute("PRAGMA journal_mode = WAL")  # SQLite's own answer: at once
    done = threading.Timer(0.2, lambda: holder.execute("COMMIT"))
    done.start()
    try:
        write_ahead(switcher, 30.0)
    finally:
        done.join()
    assert switcher.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert holder.execute("SELECT x FROM t").fetchall() == [(1,)]
    holder.close()
    switcher.close()


def test_stores_and_ledgers_switch_a_file_to_wal_through_the_waiting_switch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store or a handoff ledger opening a file (not ``:memory:``) switches it through
    ``write_ahead``, the switch that waits for another writer (above)."""
    from helpdesk_routing.handoff import sql_ledger
    from helpdesk_routing.stores.sqlite import _database

    calls: list[str] = []

    def spy(conn: sqlite3.Connection, timeout: float) -> None:
        calls.append(conn.execute("PRAGMA database_list").fetchone()[2])
        write_ahead(conn, timeout)

    monkeypatch.setattr(_database, "write_ahead", spy)
    monkeypatch.setattr(sql_ledger, "write_ahead", spy)
    SqliteStore(tmp_path / "a.db").close()
    SqliteStore(":memory:").close()
    SqliteLedger(str(tmp_path / "b.db")).close()
    assert [Path(c).name for c in calls] == ["a.db", "b.db"]
