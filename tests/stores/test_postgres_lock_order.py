"""Lock order on PostgreSQL: what keeps units that hand tickets out from deadlocking.

``assign_to_team`` locks the pools before the tickets it moves, as every unit that
hands out does: a hand-out holding a pool while it gives a waiting ticket never waits
for a team move that waits for that pool. And the rotation step takes the agents' load
locks it may need up front, in id order.

Two steps in pools that share agents (a team and the global pool, two teams) used to
take them one at a time in rotation order: each could hold one agent's lock while
waiting for another's that the other step held, a deadlock PostgreSQL broke by rolling
one back (``benchmarks/bench_pg_races.py`` counts them). Now a step with a capacity to
respect locks every Online member's load, in id order, before its walk: two steps can
only queue one behind the other. These tests read ``pg_locks`` inside the step's unit.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.conditions import ticket
from helpdesk_routing.model import Agent, Role, Team, Ticket
from helpdesk_routing.router import Router
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from helpdesk_routing.stores.postgres import PostgresStore
from helpdesk_routing.stores.postgres._schema import SCHEMA_VERSION
from tests.pg_server import wait_until_another_waits_for_a_lock

pytestmark = [pytest.mark.postgres, pytest.mark.serial]

_LOAD_KEY = 1212696663
"""The load locks' first key (``stores/postgres/round_robin_step.sql``)."""


@pytest.fixture
def conn(pg_dsn: str) -> Iterator[Any]:
    """A connection to a store's schema with agents a1..a4 (a3 Offline; a4 has its own
    capacity of 1), in a transaction the test ends."""
    import psycopg

    agents = [Agent(id="a1"), Agent(id="a2"), Agent(id="a3"), Agent(id="a4", capacity=1)]
    with PostgresStore(pg_dsn, agents=agents) as store, store.transaction() as tx:
        for a in ("a1", "a2", "a4"):
            tx.set_online(a, True, datetime(2026, 3, 30, 9, tzinfo=UTC))
    with psycopg.connect(pg_dsn) as connection:
        yield connection
        connection.rollback()


def _step(conn: Any, pool: str, members: list[str] | None, capacity: int | None) -> str:
    row = conn.execute(
        "SELECT agent FROM helpdesk_round_robin_step(%s, %s, %s)", (pool, members, capacity)
    ).fetchone()
    return str(row[0])


def _load_locked(conn: Any) -> list[str]:
    """The agents (of a1..a4) whose load lock this unit holds."""
    rows = conn.execute(
        "SELECT a.id FROM agents a JOIN pg_locks l ON l.locktype = 'advisory' "
        "AND l.classid = %s "
        "AND l.objid = hashtext(json_build_array(current_schema(), a.id)::text)::oid "
        "AND l.pid = pg_backend_pid() AND l.granted ORDER BY a.id",
        (_LOAD_KEY,),
    ).fetchall()
    return [r[0] for r in rows]


def test_a_step_with_a_capacity_locks_every_online_member_first(conn: Any) -> None:
    """The first agent is chosen at once, yet every Online member's load is locked
    (a3 is Offline and is not): a later lock in another order cannot be waited for."""
    assert _step(conn, "team:t", ["a1", "a2", "a3", "a4"], 5) == "a1"
    assert _load_locked(conn) == ["a1", "a2", "a4"]


def test_an_agent_capacity_is_a_capacity_to_respect(conn: Any) -> None:
    """With no default capacity, a member with a capacity of their own (a4) is enough."""
    assert _step(conn, "team:t", ["a1", "a4"], None) == "a1"
    assert _load_locked(conn) == ["a1", "a4"]


def test_a_step_without_any_capacity_takes_no_load_lock(conn: Any) -> None:
    """Nobody in the pool has a capacity: the walk counts no load, and locks none."""
    assert _step(conn, "team:t", ["a1", "a2", "a3"], None) == "a1"
    assert _load_locked(conn) == []


def test_the_global_pool_locks_the_online_agents(conn: Any) -> None:
    """The global pool (members NULL) is every Online agent."""
    assert _step(conn, "global", None, 3) == "a1"
    assert _load_locked(conn) == ["a1", "a2", "a4"]


def test_a_database_at_schema_7_gets_the_step_of_8(pg_dsn: str) -> None:
    """Schema 8 replaces the step's body: a database at 7 (here with a stand-in body)
    gets the one that locks up front when it is opened."""
    import psycopg

    PostgresStore(pg_dsn, agents=[Agent(id="a1"), Agent(id="a2")]).close()
    with psycopg.connect(pg_dsn, autocommit=True) as c:
        c.execute("UPDATE schema_version SET version = 7")
        c.execute(
            "CREATE OR REPLACE FUNCTION helpdesk_round_robin_step(p_pool text, "
            "p_members text[], p_capacity integer, OUT agent text, OUT last text, "
            "OUT shown jsonb, OUT passed integer, OUT all_offline boolean) "
            "LANGUAGE plpgsql AS $$ BEGIN agent := 'old'; END $$"
        )
    PostgresStore(pg_dsn).close()
    with psycopg.connect(pg_dsn) as c:
        assert c.execute("SELECT version FROM schema_version").fetchone() == (SCHEMA_VERSION,)
        assert _step(c, "team:t", ["a1", "a2"], 1) == "None"  # both Offline
        c.execute("UPDATE agents SET online = true")
        assert _step(c, "team:t", ["a1", "a2"], 1) == "a1"
        assert _load_locked(c) == ["a1", "a2"]
        c.rollback()


@pytest.mark.parametrize("operation", ["assign_to_team", "reroute"])
def test_a_team_move_waits_for_the_pools_before_it_locks_its_tickets(
    pg_dsn: str, caplog: pytest.LogCaptureFixture, operation: str
) -> None:
    """While another unit holds the global pool's rotation (a hand-out walking waiting
    tickets), ``assign_to_team`` (or a ``reroute`` to the team) waits for it without
    holding the row of the ticket it moves, so that unit can still give that ticket, and
    nobody loses a race. (Both locked the ticket first and then waited for the pool: the
    walk, wanting the ticket, closed a cycle, and PostgreSQL rolled one of the two back
    after ``deadlock_timeout``.)"""
    import psycopg

    start = datetime(2026, 3, 30, 9, tzinfo=UTC)
    store = PostgresStore(pg_dsn, agents=[Agent(id="boss", role=Role.ADMIN), Agent(id="a1")])
    router = Router(
        rules=RuleSet(
            rules=[
                RoutingRule(
                    id="to-t",
                    name="To t",
                    when=ticket("tags").contains("t"),
                    then=AssignToTeam(team="t"),
                )
            ]
        ),
        teams=[Team(id="t", members=("a1",))],
        store=store,
        customer_data=InMemoryCustomerData(),
        clock=ManualClock(start),
    )
    router.route(Ticket(id="w1", channel="email", created_at=start))  # waits: a1 Offline
    done: list[object] = []
    caplog.set_level(logging.INFO, logger="helpdesk_routing.router")
    with psycopg.connect(pg_dsn) as walk:
        walk.execute("SELECT state FROM rotation WHERE pool = 'global' FOR UPDATE")
        moved_w1 = Ticket(id="w1", channel="email", created_at=start, tags={"t"})
        move: dict[str, Callable[[], object]] = {
            "assign_to_team": lambda: router.assign_to_team(["w1"], "t", actor="boss"),
            "reroute": lambda: [router.reroute("w1", actor="boss", ticket=moved_w1)],
        }
        mover = threading.Thread(target=lambda: done.append(move[operation]()))
        mover.start()
        try:
            wait_until_another_waits_for_a_lock(walk, "the team move")
            # The walk can still lock the waiting ticket: the mover does not hold it.
            walk.execute("SET LOCAL lock_timeout = '2s'")
            row = walk.execute("SELECT id FROM tickets WHERE id = 'w1' FOR UPDATE").fetchone()
            assert row == ("w1",)
        finally:
            walk.rollback()
            mover.join(timeout=30)
            store.close()
    (moved,) = done[0]  # type: ignore[misc]
    assert moved.team == "t"
    assert not [r for r in caplog.records if "lost a race" in r.getMessage()]


def _load_locks(c: Any) -> int:
    """How many load advisory locks this connection's unit holds."""
    row = c.execute(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s "
        "AND pid = pg_backend_pid()",
        (_LOAD_KEY,),
    ).fetchone()
    return int(row[0])


def test_a_pool_of_more_than_64_online_agents_locks_as_it_walks(pg_dsn: str) -> None:
    """Up front only for a pool of at most 64 Online agents (one unit must not fill the
    server's lock table): a larger pool's walk locks the loads it counts, as it goes."""
    import psycopg

    ids = [f"b{i:03d}" for i in range(65)]
    store = PostgresStore(pg_dsn, agents=[Agent(id=i) for i in ids])
    with store, store.transaction() as tx:
        for i in ids:
            tx.set_online(i, True, datetime(2026, 3, 30, 9, tzinfo=UTC))
    with psycopg.connect(pg_dsn) as c:
        assert _step(c, "global", None, 5) == "b000"
        assert _load_locks(c) == 1  # the chosen agent's, counted on the way
        c.rollback()
        c.execute("UPDATE agents SET online = false WHERE id = 'b064'")
        assert _step(c, "global", None, 5) == "b000"
        assert _load_locks(c) == 64  # 64 Online: all of them, up front
        c.rollback()


def test_a_close_draws_its_seq_after_the_pools_its_hand_out_waits_for(pg_dsn: str) -> None:
    """A close that frees an agent waits for the pools its hand-out walks before it writes
    its status record, so the record's seq sorts after the records committed meanwhile.
    (It wrote the record first: a hand-out holding the pool, which could not see the
    uncommitted close, then gave a waiting ticket to someone else, and the log in seq
    order showed the agent freed before that hand-out, a rotation step round robin
    would not take.)"""
    import psycopg

    start = datetime(2026, 3, 30, 9, tzinfo=UTC)
    store = PostgresStore(pg_dsn, agents=[Agent(id="boss", role=Role.ADMIN), Agent(id="a1")])
    router = Router(
        store=store,
        customer_data=InMemoryCustomerData(),
        clock=ManualClock(start),
        capacity=1,
    )
    router.set_online("a1", True, actor="a1")
    router.route(Ticket(id="x", channel="email", created_at=start))  # to a1, now full
    router.route(Ticket(id="w", channel="email", created_at=start))  # waits
    router.route(Ticket(id="y", channel="email", created_at=start))  # waits
    done: list[object] = []
    with psycopg.connect(pg_dsn) as walk:
        walk.execute("SELECT state FROM rotation WHERE pool = 'global' FOR UPDATE")
        closer = threading.Thread(
            target=lambda: done.append(router.set_status("x", "closed", actor="a1"))
        )
        closer.start()
        try:
            wait_until_another_waits_for_a_lock(walk, "the close")
            between = router.reply("y", actor="boss")  # committed while the close waits
        finally:
            walk.rollback()
            closer.join(timeout=30)
    try:
        assert done, "the close did not finish"
        (status,) = [r for r in router.history("x") if r.action == "status"]
        (given,) = [r for r in router.history("w") if r.action == "assigned"]
        assert between.seq is not None
        assert status.seq is not None
        assert given.seq is not None
        assert between.seq < status.seq < given.seq
        assert given.assignee == "a1"
    finally:
        store.close()
