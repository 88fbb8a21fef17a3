"""Administering agents on PostgreSQL while other units change the same agents, and
removing an agent while a route into a team a configuration just dropped chose them.

Memory and SQLite run one writer at a time; PostgreSQL runs units side by side. As in
``test_s31_pg_remove_agent_races.py``, each test stops the units at a chosen point with a
lock a plain connection holds (or, for a route the Router allocates itself, an
allocator that waits), and checks the outcome a serial order would give
(``docs/assignment.md``, Agents). On the old code the last two managers could both be
removed or demoted, an update wrote back an agent a removal had just deleted, and a
removal succeeded under a ticket a route had just given the agent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.conditions import ticket as field
from helpdesk_routing.errors import ConflictError, UnknownAgent
from helpdesk_routing.model import Agent, Role, Team, Ticket, TicketStatus
from helpdesk_routing.permissions import Action, allowed
from helpdesk_routing.records import RotationState, TicketQuery
from helpdesk_routing.router import Router
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from helpdesk_routing.stores.postgres import PostgresStore, _transaction
from tests.pg_server import fresh_schema_dsn
from tests.stores.pg_locking import Run, waiting

pytestmark = [pytest.mark.postgres, pytest.mark.serial]

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)
_ADMIN_KEY = 1212696664


@pytest.fixture
def store(pg_dsn: str) -> Iterator[PostgresStore]:
    agents = [
        Agent(id="a1"),
        Agent(id="a3"),
        Agent(id="m1", role="manager"),
        Agent(id="m2", role="manager"),
    ]
    with PostgresStore(pg_dsn, agents=agents, max_size=6) as store:
        yield store


def _router(store: PostgresStore, **kw: Any) -> Router:
    return Router(store=store, customer_data=InMemoryCustomerData(), clock=ManualClock(T0), **kw)


@pytest.fixture
def router(store: PostgresStore) -> Router:
    return _router(store, rules=RuleSet(), teams=[])


@pytest.fixture
def other(pg_dsn: str) -> Iterator[Any]:
    """A plain connection to the store's schema, in a transaction the test ends."""
    import psycopg

    with psycopg.connect(pg_dsn) as conn:
        yield conn
        conn.rollback()


def _together(
    other: Any, first: Callable[[], object], second: Callable[[], object]
) -> list[object]:
    """Start ``first``, wait until it waits for a lock, start ``second``, wait until it
    waits too, then end ``other``'s transaction (releasing what it holds); both answers."""
    runs = [Run(first)]
    try:
        waiting(other, 1, "the first call")
        runs.append(Run(second))
        waiting(other, 2, "the second call")
    finally:
        other.commit()
    return [run.result() for run in runs]


def _managers(store: PostgresStore) -> list[str]:
    with store.transaction() as tx:
        return [a.id for a in tx.agents() if allowed(a.role, Action.MANAGE_AGENTS)]


def _hold_global_pool(other: Any) -> None:
    """Lock the global pool's rotation row, which every removal locks after its checks."""
    other.execute(
        "INSERT INTO rotation (pool, state) VALUES ('global', %s) ON CONFLICT DO NOTHING",
        (RotationState().model_dump_json(),),
    )
    other.commit()
    other.execute("SELECT 1 FROM rotation WHERE pool = 'global' FOR UPDATE")


def test_two_removals_of_the_last_two_managers_leave_one(
    store: PostgresStore, router: Router, other: Any
) -> None:
    """m1 removes m2 while m2 removes m1; both have passed the last-manager check when
    they meet (here: at the global pool's lock). Serially the second is refused (its
    actor is gone, or it would remove the last manager); both succeeded."""
    _hold_global_pool(other)
    answers = _together(
        other,
        lambda: router.remove_agent("m2", actor="m1"),
        lambda: router.remove_agent("m1", actor="m2"),
    )
    assert answers[0] is None
    assert isinstance(answers[1], (UnknownAgent, ConflictError))
    assert _managers(store) == ["m1"]


def test_two_demotions_of_the_last_two_managers_leave_one(
    store: PostgresStore, router: Router, other: Any
) -> None:
    """m1 demotes themself while m2 does; both have read the other as a manager when
    they meet (here: writing their rows, which ``other`` holds). The second must be
    refused as the last manager; both succeeded."""
    other.execute("SELECT 1 FROM agents WHERE id IN ('m1', 'm2') FOR SHARE")
    answers = _together(
        other,
        lambda: router.update_agent(Agent(id="m1", role=Role.SUPPORT), actor="m1"),
        lambda: router.update_agent(Agent(id="m2", role=Role.SUPPORT), actor="m2"),
    )
    assert answers[0] == Agent(id="m1", role=Role.SUPPORT)
    assert isinstance(answers[1], ConflictError)
    assert str(answers[1]) == (
        "agent 'm2' is the last agent who may manage agents (owner, admin or manager): "
        "give another agent such a role first"
    )
    assert _managers(store) == ["m2"]


def test_a_removal_and_a_demotion_of_the_last_two_managers_leave_one(
    store: PostgresStore, router: Router, other: Any
) -> None:
    """m2 removes m1 while m2 demotes themself. The second must be refused; both
    succeeded."""
    other.execute("SELECT 1 FROM agents WHERE id IN ('m1', 'm2') FOR SHARE")
    answers = _together(
        other,
        lambda: router.remove_agent("m1", actor="m2"),
        lambda: router.update_agent(Agent(id="m2", role=Role.SUPPORT), actor="m2"),
    )
    assert answers[0] is None
    assert isinstance(answers[1], ConflictError)
    assert _managers(store) == ["m2"]


def test_an_update_of_an_agent_being_removed_does_not_bring_them_back(
    store: PostgresStore, router: Router, other: Any
) -> None:
    """``remove_agent("a3")`` waits to delete a3's row (which ``other`` holds), and an
    update of a3 starts meanwhile. The update must wait for the removal and then refuse
    with ``UnknownAgent``. (It read a3 before the removal committed, and its
    ``INSERT ... ON CONFLICT DO UPDATE`` then inserted a3 again, as a manager here: a
    removal silently undone, audited ``agent_removed`` then ``agent_updated``.)"""
    other.execute("SELECT 1 FROM agents WHERE id = 'a3' FOR SHARE")
    answers = _together(
        other,
        lambda: router.remove_agent("a3", actor="m1"),
        lambda: router.update_agent(Agent(id="a3", role=Role.MANAGER), actor="m1"),
    )
    assert answers[0] is None
    assert isinstance(answers[1], UnknownAgent)
    assert str(answers[1]) == "unknown agent 'a3'"
    with store.transaction() as tx:
        assert tx.get_agent("a3") is None
        assert [r.action for r in tx.audit() if r.agent_id == "a3"][-1:] == ["agent_removed"]


def _dropping_setup(store: PostgresStore, **kw: Any) -> Router:
    """A Router whose configuration routes email to team x = [a3]; a3 Online."""
    rule = RoutingRule(
        id="to_x", name="email to x", when=field("channel") == "email", then=AssignToTeam(team="x")
    )
    router = _router(store, rules=RuleSet(rules=[rule]), teams=[Team(id="x", members=["a3"])], **kw)
    router.set_online("a3", True, actor="a3")
    return router


def _open_orphans(store: PostgresStore) -> list[str]:
    """The tickets not closed whose assignee is no stored agent."""
    query = TicketQuery(statuses=frozenset({TicketStatus.OPEN, TicketStatus.PENDING}))
    with store.transaction() as tx:
        known = {a.id for a in tx.agents()} | {None}
        return [r.id for r in tx.find_tickets(query) if r.assignee not in known]


def test_a_removal_waits_for_a_route_into_a_team_dropped_meanwhile(
    store: PostgresStore, other: Any
) -> None:
    """A route of t1 into team x (the store's round-robin step) has chosen a3 and not
    committed; a configuration without team x is then stored, and ``remove_agent("a3")``
    (which locks the pools of that configuration only) must wait for the route and then
    refuse: a3 has an open ticket. (It counted a3's tickets before the route committed,
    then removed a3 under the new ticket.)"""
    router = _dropping_setup(store)
    # The route's insert of t1 waits for this uncommitted row of the same id: the route
    # has taken its round-robin step (a3 chosen, a3's row locked) by then.
    other.execute(
        "INSERT INTO tickets (id, created, status, channel, record) "
        "VALUES ('t1', now(), 'open', 'email', '{}')"
    )
    route = Run(lambda: router.route(Ticket(id="t1", channel="email", created_at=T0)))
    try:
        waiting(other, 1, "route")
        router.configure(actor="m1", rules=RuleSet(), teams=[])
        remove = Run(lambda: router.remove_agent("a3", actor="m1"))
        waiting(other, 2, "remove_agent")
    finally:
        other.rollback()
    assert getattr(route.result(), "assignee", None) == "a3"
    refused = remove.result()
    assert isinstance(refused, ConflictError)
    assert str(refused) == "agent 'a3' has 1 ticket(s) that are not closed; reassign them first"
    assert _open_orphans(store) == []


_LOAD_LOCK = (
    "SELECT pg_advisory_xact_lock(1212696663, "
    "hashtext(json_build_array(current_schema(), %s::text)::text))"
)
"""An agent's load lock, keyed as ``stores/postgres/_transaction.py`` keys it."""


def _advisory_waiters(conn: Any, count: int, what: str, within: float = 10.0) -> None:
    """Return once ``count`` sessions wait for an advisory lock."""
    deadline = time.monotonic() + within
    while True:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        ).fetchone()
        if row[0] >= count:
            return
        assert time.monotonic() < deadline, f"{what} never waited"
        time.sleep(0.01)


def test_a_route_the_router_allocates_into_a_dropped_team_sees_a_removal(
    store: PostgresStore, pg_dsn: str, other: Any
) -> None:
    """As above, with an allocator the Router runs itself (least loaded: no agent's row
    is locked; the agent's load lock is): the route into team x has read a3 Online and
    waits for a3's load lock behind ``remove_agent("a3")``, which a configuration
    without team x lets run beside it. The route must see the removal and route t1 again
    under the newest configuration (a3 is gone: t1 waits). (It gave t1 to the removed
    a3: the removal had counted 0 tickets and committed.)"""
    import psycopg

    router = _dropping_setup(store, allocator="least_loaded")
    with psycopg.connect(pg_dsn) as loads:
        loads.execute(_LOAD_LOCK, ("a3",))
        other.execute(
            "INSERT INTO rotation (pool, state) VALUES ('team:x', %s) ON CONFLICT DO NOTHING",
            (RotationState().model_dump_json(),),
        )
        other.commit()
        other.execute("SELECT 1 FROM rotation WHERE pool = 'team:x' FOR UPDATE")
        route = Run(lambda: router.route(Ticket(id="t1", channel="email", created_at=T0)))
        try:
            waiting(other, 1, "route")  # at team x's pool, decided with team x
            router.configure(actor="m1", rules=RuleSet(), teams=[])
            remove = Run(lambda: router.remove_agent("a3", actor="m1"))
            _advisory_waiters(other, 1, "remove_agent")  # at a3's load lock
            other.commit()  # the route reads a3 Online, then waits for a3's load lock
            _advisory_waiters(other, 2, "route")
        finally:
            other.rollback()
            loads.commit()
    assert remove.result() is None
    decision = route.result()
    assert getattr(decision, "assignee", "?") is None
    assert getattr(decision, "team", "?") is None
    assert router.ticket("t1").assignee is None
    assert _open_orphans(store) == []


def test_the_agent_administration_lock_is_one_per_schema(request: pytest.FixtureRequest) -> None:
    """Tenant A's unit holding its agent administration lock does not hold up tenant B's
    ``add_agent`` (B's store gives up after one second); the lock is keyed by the
    current schema, like every advisory lock of the store."""
    assert "current_schema()" in _transaction._ADMIN_LOCK
    tenant_a, tenant_b = fresh_schema_dsn(request), fresh_schema_dsn(request)
    seed = [Agent(id="m1", role="manager")]
    with (
        PostgresStore(tenant_a, agents=seed) as a,
        PostgresStore(tenant_b, agents=seed, timeout=1) as b,
        a.transaction() as tx,
    ):
        tx.lock_agent_administration()  # type: ignore[attr-defined]
        router_b = _router(b, rules=RuleSet(), teams=[])
        assert router_b.add_agent(Agent(id="a1"), actor="m1") == Agent(id="a1")
        # ... while a unit of tenant A's own waits for it (and gives up).
        with PostgresStore(tenant_a, timeout=1) as a2:
            refused = Run(lambda: _router(a2).add_agent(Agent(id="a1"), actor="m1"))
            assert isinstance(refused.result(), ConflictError)
