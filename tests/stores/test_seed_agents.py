"""Seeding a SQL store's agents (``stores/_seed_agents.py``) beyond the contract: the rule
as a pure function, what a refused open releases, the cost of the audit search, and
processes opening one store at once."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from helpdesk_routing.errors import ConflictError
from helpdesk_routing.model import Agent, Role
from helpdesk_routing.stores._seed_agents import _REMOVED_IDS, REMOVED, plan
from helpdesk_routing.stores.sqlite import SqliteStore
from tests.pg_server import fresh_schema_dsn

_CTX = multiprocessing.get_context("spawn")
SEED = [Agent(id=f"a{i}", name=f"Agent {i}") for i in range(1, 9)]
HINT = "the store keeps what managers change (router.update_agent, router.add_agent)"


def test_plan_adds_the_new_agents_in_the_seeds_order_and_skips_equal_ones() -> None:
    """Held and equal: nothing to do; never held: added, in the seed's order."""
    seed = [Agent(id="b"), Agent(id="a", role=Role.ADMIN), Agent(id="c")]
    assert plan(seed, {"a": Agent(id="a", role=Role.ADMIN)}, ()) == [seed[0], seed[2]]


def test_plan_ignores_removals_of_agents_the_store_holds_again() -> None:
    """An id that was removed but is held again (re-added) is compared, not refused."""
    assert plan([Agent(id="a")], {"a": Agent(id="a")}, {"a"}) == []


def test_plan_names_each_difference_and_each_removed_agent_once() -> None:
    """One ConflictError lists every problem, in the seed's order."""
    seed = [Agent(id="x"), Agent(id="a", capacity=1), Agent(id="r")]
    with pytest.raises(ConflictError) as caught:
        plan(seed, {"a": Agent(id="a", name="A")}, {"r"})
    assert str(caught.value) == (
        "the agents argument differs from the store: agent 'a' in name, capacity; "
        f"agent 'r' was removed; {HINT}"
    )


def test_the_search_for_removed_agents_uses_the_audit_ticket_index(db_path: Path) -> None:
    """SQLite searches only the records without a ticket (audit_ticket index), never the
    whole log."""
    SqliteStore(db_path).close()
    sql = _REMOVED_IDS["sqlite"].format(removed=REMOVED, ids="?, ?")
    with sqlite3.connect(db_path) as conn:
        steps = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, ("a", "b"))]
    conn.close()
    assert any(s.startswith("SEARCH audit USING INDEX audit_ticket") for s in steps), steps
    assert not any(s.startswith("SCAN audit") for s in steps), steps


def _open_files(path: Path) -> int:
    fds = Path("/proc/self/fd")
    target = str(path.resolve())
    count = 0
    for fd in fds.iterdir():
        try:
            if os.readlink(fd) == target:
                count += 1
        except OSError:
            continue
    return count


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")
def test_a_refused_sqlite_open_closes_its_connections(db_path: Path) -> None:
    """A seed the store refuses leaves no connection to the file open, and the file as it
    was for the next open."""
    SqliteStore(db_path, agents=[Agent(id="a1")]).close()
    assert _open_files(db_path) == 0
    with pytest.raises(ConflictError):
        SqliteStore(db_path, agents=[Agent(id="a1", name="Other"), Agent(id="a2")])
    assert _open_files(db_path) == 0
    with SqliteStore(db_path) as store, store.transaction() as tx:
        assert tx.agents() == [Agent(id="a1")]


def _connections(base: str, name: str, *, settle: float = 10.0) -> int:
    """The server's sessions named ``name``, once none are left or ``settle`` seconds
    passed: a session a client closed leaves pg_stat_activity when its backend process
    has exited, which a loaded machine may take a moment to do (not a timing claim:
    only a session still there after the wait counts)."""
    import time

    import psycopg

    deadline = time.monotonic() + settle
    with psycopg.connect(base, autocommit=True) as conn:
        while True:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (name,)
            ).fetchone()
            assert row is not None
            if row[0] == 0 or time.monotonic() > deadline:
                return int(row[0])
            time.sleep(0.05)


@pytest.mark.postgres
def test_a_refused_postgres_open_closes_the_pool_it_opened_and_not_a_callers(
    pg_dsn: str,
) -> None:
    """A refused seed closes the pool the store opened from its DSN (no connection left),
    and leaves a pool passed in open and usable."""
    from psycopg.conninfo import make_conninfo
    from psycopg_pool import ConnectionPool

    from helpdesk_routing.stores.postgres import PostgresStore

    name = "seed-refused"
    dsn = make_conninfo(pg_dsn, application_name=name)
    PostgresStore(dsn, agents=[Agent(id="a1")], min_size=2).close()
    with pytest.raises(ConflictError):
        PostgresStore(dsn, agents=[Agent(id="a1", role=Role.OWNER)], min_size=2)
    assert _connections(pg_dsn, name) == 0
    with ConnectionPool(dsn, min_size=1, open=True, kwargs={"autocommit": True}) as pool:
        with pytest.raises(ConflictError):
            PostgresStore(pool=pool, agents=[Agent(id="a1", capacity=0)])
        with PostgresStore(pool=pool) as store, store.transaction() as tx:
            assert tx.agents() == [Agent(id="a1")]
        assert not pool.closed


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("theirs", "refused"), [(Agent(id="a1"), False), (Agent(id="a1", name="Theirs"), True)]
)
def test_an_agent_another_unit_adds_while_the_store_opens_is_compared(
    pg_dsn: str, theirs: Agent, refused: bool
) -> None:
    """PostgreSQL: an agent another unit inserts between the opening unit's read and its
    insert (the other unit commits while the insert waits) is not overwritten: equal to
    the seed it is accepted, different a ConflictError."""
    import psycopg

    from helpdesk_routing.stores.postgres import PostgresStore

    PostgresStore(pg_dsn).close()  # the schema
    outcome: list[object] = []

    def open_store() -> None:
        try:
            PostgresStore(pg_dsn, agents=[Agent(id="a1")]).close()
            outcome.append("opened")
        except ConflictError as exc:
            outcome.append(exc)

    with psycopg.connect(pg_dsn) as other:  # a transaction, not autocommit
        other.execute(
            "INSERT INTO agents (id, agent) VALUES (%s, %s)", (theirs.id, theirs.model_dump_json())
        )
        opener = threading.Thread(target=open_store)
        opener.start()
        _wait_for_a_lock_wait(pg_dsn)
        other.commit()
    opener.join(timeout=30)
    assert not opener.is_alive()
    if refused:
        assert isinstance(outcome[0], ConflictError)
        assert str(outcome[0]) == (
            f"the agents argument differs from the store: agent 'a1' in name; {HINT}"
        )
    else:
        assert outcome == ["opened"]
    with PostgresStore(pg_dsn) as store, store.transaction() as tx:
        assert tx.agents() == [theirs]


def _wait_for_a_lock_wait(base: str) -> None:
    """Until some session of the database waits for a lock (the opening store's insert)."""
    import time

    import psycopg

    deadline = time.monotonic() + 20
    with psycopg.connect(base, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()
            if row is not None and row[0] > 0:
                return
            time.sleep(0.01)
    raise AssertionError("the opening store never waited for the other unit's insert")


def _open_with_seed(kind: str, where: str, barrier: Any, out: Any) -> None:
    """A worker process: wait for the others, then open the store with SEED."""
    try:
        barrier.wait(timeout=60)
        if kind == "sqlite":
            SqliteStore(where, agents=SEED).close()
        else:
            from helpdesk_routing.stores.postgres import PostgresStore

            PostgresStore(where, agents=SEED).close()
        out.put("opened")
    except Exception as exc:  # reported, so the test shows it
        out.put(f"{type(exc).__name__}: {exc}")


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_processes_opening_a_new_store_with_one_seed_at_once_all_succeed(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Four processes open one new store with the same seed at the same moment: each
    open succeeds, and the store holds each agent once, Offline, with no audit record."""
    if kind == "sqlite":
        where = str(tmp_path / "shared.db")
        SqliteStore(where).close()  # the schema, so the race is the seed's alone
    else:
        from helpdesk_routing.stores.postgres import PostgresStore

        where = fresh_schema_dsn(request)
        PostgresStore(where).close()
    out: Any = _CTX.Queue()
    barrier = _CTX.Barrier(4)
    procs = [
        _CTX.Process(target=_open_with_seed, args=(kind, where, barrier, out)) for _ in range(4)
    ]
    for p in procs:
        p.start()
    try:
        results = [out.get(timeout=120) for _ in procs]
    finally:
        for p in procs:
            p.join(timeout=60)
        out.close()
    assert results == ["opened"] * 4
    store: Any
    if kind == "sqlite":
        store = SqliteStore(where)
    else:
        from helpdesk_routing.stores.postgres import PostgresStore

        store = PostgresStore(where)
    with store, store.transaction() as tx:
        assert tx.agents() == SEED
        assert list(tx.online_agents()) == []
        assert tx.audit() == []
