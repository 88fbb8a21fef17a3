"""The handoff ledger's contract, on every adapter: one handoff per conversation,
compare-and-set writes, listing by creation time and stalled handoffs by last update,
concurrent creates, migrating an existing database."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from helpdesk_routing.errors import (
    ConflictError,
    NaiveDatetimeError,
    SchemaVersionError,
    ValidationError,
)
from helpdesk_routing.handoff import (
    Conversation,
    HandoffRecord,
    Ledger,
    PostgresLedger,
    SqliteLedger,
    State,
    handoff_id,
)
from helpdesk_routing.handoff.ledger import STALLED_STATES
from helpdesk_routing.handoff.sql_ledger import _STALLED, LEDGER_SCHEMA_VERSION, _Sql
from tests.handoff.conftest import LedgerFactory

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)


def _record(cid: str = "c1", at: datetime = T0) -> HandoffRecord:
    return HandoffRecord(
        id=handoff_id(cid),
        conversation=Conversation(id=cid, channel="sms", profile_id="p1"),
        destination="builtin",
        reason="knowledge_gap",
        state=State.REQUESTED,
        created_at=at,
        updated_at=at,
    )


def test_create_then_repeat_returns_existing(ledgers: LedgerFactory) -> None:
    """The first create stores; a second for the same conversation answers the stored one."""
    ledger = ledgers()
    first, created = ledger.create(_record())
    assert created is True
    again, created_again = ledger.create(_record(at=T0 + timedelta(hours=1)))
    assert created_again is False
    assert again == first
    assert ledger.get(first.id) == first
    assert ledger.for_conversation("c1") == first


def test_unknown_keys_answer_none(ledgers: LedgerFactory) -> None:
    """get and for_conversation answer None for what is not stored."""
    ledger = ledgers()
    assert ledger.get("h-nothing") is None
    assert ledger.for_conversation("nothing") is None


def test_replace_is_compare_and_set(ledgers: LedgerFactory) -> None:
    """replace stores version n+1 over n; a second writer of n+1 gets ConflictError."""
    ledger = ledgers()
    stored, _ = ledger.create(_record())
    moved = stored.model_copy(update={"state": State.HANDING_OFF, "version": 2})
    ledger.replace(moved)
    assert ledger.get(stored.id) == moved
    with pytest.raises(
        ConflictError,
        match=rf"^handoff '{stored.id}' changed: version 1 is no longer stored \(it is at 2\)$",
    ):
        ledger.replace(stored.model_copy(update={"state": State.DECLINED, "version": 2}))
    assert ledger.get(stored.id) == moved


def test_replace_of_unknown_handoff_conflicts(ledgers: LedgerFactory) -> None:
    """replace of a handoff that was never created raises ConflictError."""
    with pytest.raises(ConflictError):
        ledgers().replace(_record().model_copy(update={"version": 2}))


def test_created_between_is_half_open_and_ordered(ledgers: LedgerFactory) -> None:
    """created_between lists [start, end) oldest first."""
    ledger = ledgers()
    for i, cid in enumerate(["c3", "c1", "c2"]):
        ledger.create(_record(cid, T0 + timedelta(minutes=10 * i)))
    found = ledger.created_between(T0, T0 + timedelta(minutes=20))
    assert [r.conversation_id for r in found] == ["c3", "c1"]
    assert ledger.created_between(T0 + timedelta(hours=1), T0 + timedelta(hours=2)) == []


def _move(ledger: Ledger, cid: str, state: State, at: datetime) -> HandoffRecord:
    """Write the conversation's next version: ``state`` and ``updated_at = at``."""
    stored = ledger.for_conversation(cid)
    assert stored is not None
    moved = stored.model_copy(
        update={"state": state, "version": stored.version + 1, "updated_at": at}
    )
    ledger.replace(moved)
    return moved


def test_stalled_lists_unfinished_handoffs_by_last_update(ledgers: LedgerFactory) -> None:
    """stalled(t) lists requested, handing_off and outcome_unknown handoffs updated before t,
    least recently updated first; every other state, and later updates, are left out."""
    ledger = ledgers()
    for i, state in enumerate(State):
        cid = f"c-{state.value}"
        ledger.create(_record(cid, T0))
        if state is not State.REQUESTED:
            _move(ledger, cid, state, T0 + timedelta(minutes=10 - i))
    ledger.create(_record("c-recent", T0 + timedelta(minutes=30)))
    found = ledger.stalled(T0 + timedelta(minutes=30))
    assert [(r.conversation_id, r.state) for r in found] == [
        ("c-requested", State.REQUESTED),
        ("c-outcome_unknown", State.OUTCOME_UNKNOWN),
        ("c-handing_off", State.HANDING_OFF),
    ]
    assert {r.state for r in found} == STALLED_STATES
    assert [r.conversation_id for r in ledger.stalled(T0 + timedelta(minutes=31))][-1] == "c-recent"


def test_stalled_is_strictly_before_and_follows_updates(ledgers: LedgerFactory) -> None:
    """A handoff updated exactly at t is not stalled before t; a write moves its time."""
    ledger = ledgers()
    ledger.create(_record("c1", T0))
    assert ledger.stalled(T0) == []
    assert [r.conversation_id for r in ledger.stalled(T0 + timedelta(microseconds=1))] == ["c1"]
    _move(ledger, "c1", State.HANDING_OFF, T0 + timedelta(hours=1))
    assert ledger.stalled(T0 + timedelta(hours=1)) == []
    assert [r.state for r in ledger.stalled(T0 + timedelta(hours=2))] == [State.HANDING_OFF]


def test_stalled_with_a_limit_lists_the_least_recently_updated_first(
    ledgers: LedgerFactory,
) -> None:
    """stalled(t, limit=n) is the first n of stalled(t): least recently updated first, ties by
    id, finished handoffs not counted; a limit above the count lists them all."""
    ledger = ledgers()
    minutes = {"c-a": 7, "c-b": 2, "c-c": 9, "c-d": 2, "c-e": 5, "c-f": 1}
    for cid, minute in minutes.items():
        ledger.create(_record(cid, T0 + timedelta(minutes=minute)))
    _move(ledger, "c-f", State.HANDED_OFF, T0 + timedelta(minutes=1))  # finished: never listed
    until = T0 + timedelta(hours=1)
    everything = ledger.stalled(until)
    tied = sorted(["c-b", "c-d"], key=handoff_id)
    assert [r.conversation_id for r in everything] == [*tied, "c-e", "c-a", "c-c"]
    for limit in (1, 2, 3, 5):
        assert ledger.stalled(until, limit=limit) == everything[:limit]
    assert ledger.stalled(until, limit=6) == everything
    assert ledger.stalled(T0 + timedelta(minutes=3), limit=3) == everything[:2]
    assert ledger.stalled(until, limit=None) == everything


@pytest.mark.parametrize("limit", [0, -1, True, False, 1.0, "2"])
def test_stalled_rejects_a_limit_that_is_not_a_positive_int(
    ledgers: LedgerFactory, limit: object
) -> None:
    """A limit below 1, a bool, a float or a string is a ValueError naming the argument."""
    with pytest.raises(ValueError, match=r"^limit must be a positive int or None, got "):
        ledgers().stalled(T0, limit=limit)  # type: ignore[arg-type]


def test_stalled_rejects_a_naive_datetime(ledgers: LedgerFactory) -> None:
    """stalled needs an aware instant: a naive one raises NaiveDatetimeError naming it."""
    with pytest.raises(
        NaiveDatetimeError, match=r"^updated_before must be timezone-aware, got a naive datetime$"
    ):
        ledgers().stalled(datetime(2026, 3, 30, 10))


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (["c1"], " must be text, got list"),
        (None, " must be text, got NoneType"),
        (7, " must be text, got int"),
        ("c\x00", " 'c\\x00' cannot be stored: text must not contain NUL (\\x00)"),
        (
            "c\ud800",
            " 'c\\ud800' cannot be stored: text must not contain a lone surrogate (\\ud800)",
        ),
    ],
)
def test_a_key_that_is_not_storable_text_is_refused_by_name(
    ledgers: LedgerFactory, key: object, problem: str
) -> None:
    """get and for_conversation refuse a key that is not text a store can keep with the
    same ValidationError on every ledger (not an unhashable TypeError in memory and a
    driver's error in SQL), naming the argument."""
    ledger = ledgers()
    ledger.create(_record())
    with pytest.raises(ValidationError) as by_id:
        ledger.get(key)  # type: ignore[arg-type]
    assert str(by_id.value) == f"handoff_id{problem}"
    with pytest.raises(ValidationError) as by_conversation:
        ledger.for_conversation(key)  # type: ignore[arg-type]
    assert str(by_conversation.value) == f"conversation_id{problem}"


@pytest.mark.parametrize("naive", ["start", "end"])
def test_created_between_names_the_naive_argument(ledgers: LedgerFactory, naive: str) -> None:
    """A naive start or end raises NaiveDatetimeError naming it, on every ledger."""
    bounds = {"start": T0, "end": T0 + timedelta(hours=1)}
    bounds[naive] = bounds[naive].replace(tzinfo=None)
    with pytest.raises(
        NaiveDatetimeError, match=rf"^{naive} must be timezone-aware, got a naive datetime$"
    ):
        ledgers().created_between(**bounds)


def test_a_second_ledger_on_the_same_database_sees_the_record(ledgers: LedgerFactory) -> None:
    """Two ledgers on one database (two processes' view) agree."""
    first = ledgers()
    stored, _ = first.create(_record())
    assert ledgers().get(stored.id) == stored


def test_concurrent_creates_store_one_handoff(ledgers: LedgerFactory) -> None:
    """Eight threads creating one conversation's handoff: exactly one creates it."""
    ledgers = [ledgers() for _ in range(8)]
    barrier = threading.Barrier(len(ledgers))
    results: list[bool] = []
    lock = threading.Lock()

    def create(ledger: Ledger) -> None:
        barrier.wait()
        _, created = ledger.create(_record())
        with lock:
            results.append(created)

    threads = [threading.Thread(target=create, args=(ledger,)) for ledger in ledgers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]


def _create_in_process(path: str, queue: multiprocessing.Queue[bool]) -> None:
    with SqliteLedger(path) as ledger:
        queue.put(ledger.create(_record())[1])


@pytest.mark.slow
def test_sqlite_concurrent_processes_store_one_handoff(tmp_path: Path) -> None:
    """Four processes creating one conversation's handoff in one SQLite file: one creates it."""
    path = str(tmp_path / "ledger.db")
    SqliteLedger(path).close()
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[bool] = context.Queue()
    processes = [context.Process(target=_create_in_process, args=(path, queue)) for _ in range(4)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=120)
    assert sorted(queue.get(timeout=5) for _ in processes) == [False, False, False, True]


def test_sqlite_refuses_a_newer_schema(tmp_path: Path) -> None:
    """A ledger file written by a newer library is refused, untouched."""
    import sqlite3

    path = tmp_path / "ledger.db"
    SqliteLedger(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO handoff_ledger_schema (version) VALUES (99)")
    with pytest.raises(SchemaVersionError) as err:
        SqliteLedger(path)
    assert str(err.value) == (
        f"the handoff ledger's schema is version 99 (SQLite file {str(path)!r}); this "
        f"library knows up to {LEDGER_SCHEMA_VERSION}: upgrade the library"
    )


# What version 1 of the library created (no updated_at column).
_VERSION_1 = (
    "CREATE TABLE handoff_ledger_schema (version INTEGER NOT NULL)",
    "INSERT INTO handoff_ledger_schema (version) VALUES (1)",
    "CREATE TABLE handoffs (id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL UNIQUE,"
    " state TEXT NOT NULL, version INTEGER NOT NULL, created_at BIGINT NOT NULL,"
    " body TEXT NOT NULL)",
    "CREATE INDEX handoffs_created ON handoffs (created_at, id)",
)


def _version_1_row(record: HandoffRecord) -> tuple[object, ...]:
    created = (record.created_at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    body = record.model_dump_json()
    return (record.id, record.conversation_id, record.state.value, record.version, created, body)


def _stuck_since_version_1() -> HandoffRecord:
    return _record("old").model_copy(
        update={"state": State.HANDING_OFF, "version": 2, "updated_at": T0 + timedelta(hours=1)}
    )


def _check_migrated(ledger: Ledger, old: HandoffRecord) -> None:
    assert ledger.get(old.id) == old
    # updated_at was filled from the row's JSON, not from created_at.
    assert ledger.stalled(T0 + timedelta(hours=1)) == []
    assert ledger.stalled(T0 + timedelta(hours=2)) == [old]
    moved = old.model_copy(update={"state": State.OUTCOME_UNKNOWN, "version": 3})
    ledger.replace(moved)
    assert ledger.stalled(T0 + timedelta(hours=2)) == [moved]


def test_sqlite_migrates_a_version_1_ledger(tmp_path: Path) -> None:
    """A ledger file written by version 1 opens: its rows keep their content and are found
    by stalled with their own last update time; the schema is then the newest."""
    import sqlite3

    path = tmp_path / "ledger.db"
    old = _stuck_since_version_1()
    with sqlite3.connect(path) as conn:
        for statement in _VERSION_1:
            conn.execute(statement)
        conn.execute("INSERT INTO handoffs VALUES (?, ?, ?, ?, ?, ?)", _version_1_row(old))
    with SqliteLedger(path) as ledger:
        _check_migrated(ledger, old)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT max(version) FROM handoff_ledger_schema").fetchone() == (
            LEDGER_SCHEMA_VERSION,
        )
    assert LEDGER_SCHEMA_VERSION == 2


@pytest.mark.postgres
def test_postgres_migrates_a_version_1_ledger(request: pytest.FixtureRequest) -> None:
    """A PostgreSQL ledger written by version 1 opens and is migrated, rows kept."""
    import psycopg

    from tests.pg_server import fresh_schema_dsn

    dsn = fresh_schema_dsn(request)
    old = _stuck_since_version_1()
    with psycopg.connect(dsn) as conn:
        for statement in _VERSION_1:
            conn.execute(statement)
        conn.execute("INSERT INTO handoffs VALUES (%s, %s, %s, %s, %s, %s)", _version_1_row(old))
    with PostgresLedger(dsn) as ledger:
        _check_migrated(ledger, old)
    with PostgresLedger(dsn) as again:  # a second opening migrates nothing more
        assert again.get(old.id) is not None
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT max(version) FROM handoff_ledger_schema").fetchone()
        assert row == (LEDGER_SCHEMA_VERSION,)


@pytest.mark.parametrize("limited", [False, True])
def test_sqlite_stalled_uses_its_index(tmp_path: Path, limited: bool) -> None:
    """The stalled query, with and without LIMIT, is answered through the handoffs_stalled
    index, not a table scan."""
    import sqlite3

    path = tmp_path / "ledger.db"
    SqliteLedger(path).close()
    sql = _Sql("?")
    statement, extra = (sql.stalled_first, (10,)) if limited else (sql.stalled, ())
    with sqlite3.connect(path) as conn:
        plan = conn.execute(f"EXPLAIN QUERY PLAN {statement}", (*_STALLED, 0, *extra)).fetchall()
    assert any("handoffs_stalled" in str(row[-1]) for row in plan), plan


@pytest.mark.parametrize("path", [None, 3, b"ledger.db"])
def test_sqlite_ledger_names_a_path_that_is_no_file_path(path: object) -> None:
    """SqliteLedger(None) is an ArgumentTypeError naming path (was a bare TypeError from
    os.fspath)."""
    from helpdesk_routing.errors import ArgumentTypeError

    with pytest.raises(ArgumentTypeError) as info:
        SqliteLedger(path)  # type: ignore[arg-type]
    assert str(info.value) == f"path must be a file path (str or Path), got {path!r}"


def test_postgres_ledger_names_a_dsn_that_is_no_text() -> None:
    """PostgresLedger(None) is an ArgumentTypeError naming dsn, before any connection (libpq
    would read None as its defaults and connect to whatever server they name)."""
    from helpdesk_routing.errors import ArgumentTypeError

    with pytest.raises(ArgumentTypeError) as info:
        PostgresLedger(None)  # type: ignore[arg-type]
    assert str(info.value) == "dsn must be a libpq connection string (text), got NoneType"
