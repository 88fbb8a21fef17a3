"""The PostgreSQL store's hand-out in SQL (``helpdesk_hand_out_round_robin``) against the
Router's own walk (``RoundRobin`` over the in-memory store).

Every hand-out that is not a ``route`` (``assign_waiting``, an agent coming Online, a
ticket closing) goes through ``handout.give``; on a store that offers
``hand_out_round_robin`` (``ports.HandOutInStore``) each one is a single function call.
The tickets, the audit records and the rotation states it leaves behind must be exactly
what the Python path leaves, for any pools, presence, capacities, loads, waiting
tickets and rotation positions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk_routing.allocation import LeastLoaded, RoundRobin
from helpdesk_routing.audit import ticket_changed
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.model import Agent, Team, Ticket, TicketStatus
from helpdesk_routing.ports import HandOutInStore, Store
from helpdesk_routing.records import RotationState, TicketQuery, TicketRecord
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores import postgres as postgres_module
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from helpdesk_routing.stores.postgres import PostgresStore

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)
# Ids whose code point order differs from many locales' order, and ids JSON escapes.
IDS = ("a1", "a10", "a2", "B", "b", "é", 'q"x', "s\\y")
OPERATIONS = ("assign_waiting", "online", "close")
STATUSES = (TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.CLOSED)


@dataclass(frozen=True)
class Scenario:
    agents: tuple[tuple[str, int | None], ...]
    online: frozenset[str]
    loads: dict[str, int]  # tickets assigned (open, pending or closed)
    default_capacity: int | None
    members: tuple[str, ...]  # team "t"
    waiting: tuple[bool, ...]  # one waiting ticket each: True for a team "t" ticket
    last: dict[str, str | None]  # per pool
    operation: str
    subject: str | None  # the agent coming Online, or whose ticket closes


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    ids = draw(st.lists(st.sampled_from(IDS), unique=True, min_size=1, max_size=len(IDS)))
    # (id, capacity) pairs: the Agents are built outside the strategy
    agents = tuple((i, draw(st.none() | st.integers(0, 2), label=f"cap {i}")) for i in ids)
    online = frozenset(draw(st.sets(st.sampled_from(ids))))
    loads = {i: draw(st.integers(0, 2), label=f"load {i}") for i in ids}
    members = tuple(sorted(draw(st.sets(st.sampled_from(ids), min_size=1))))
    operation = draw(st.sampled_from(OPERATIONS))
    subject: str | None = None
    if operation == "online":
        offline = sorted(set(ids) - online)
        subject = draw(st.sampled_from(offline)) if offline else None
    elif operation == "close":
        loaded = sorted(i for i, n in loads.items() if n)
        subject = draw(st.sampled_from(loaded)) if loaded else None
    positions = st.none() | st.sampled_from((*IDS, "a15", "a"))
    return Scenario(
        agents=agents,
        online=online,
        loads=loads,
        default_capacity=draw(st.none() | st.integers(0, 2)),
        members=members,
        waiting=tuple(draw(st.lists(st.booleans(), max_size=8))),
        last={"global": draw(positions), "team:t": draw(positions)},
        operation=operation,
        subject=subject,
    )


def _fill(store: Store, s: Scenario) -> None:
    with store.transaction() as tx:
        for agent_id, capacity in s.agents:
            tx.put_agent(Agent(id=agent_id, capacity=capacity))
        for agent_id in sorted(s.online):
            tx.set_online(agent_id, True, T0)
        n = 0
        for agent_id, load in sorted(s.loads.items()):
            for _ in range(load):
                n += 1
                # open, pending (both load) and closed (no load) tickets
                t = Ticket(
                    id=f"old{n}",
                    channel="email",
                    created_at=T0 - timedelta(days=1, minutes=n),
                    status=STATUSES[n % 3],
                )
                tx.add_ticket(TicketRecord(ticket=t, assignee=agent_id))
        for i, team in enumerate(s.waiting):
            # equal creation times in pairs: the walk breaks ties by id
            t = Ticket(id=f"w{i}", channel="email", created_at=T0 - timedelta(minutes=10 - i // 2))
            tx.add_ticket(TicketRecord(ticket=t, team="t" if team else None))
        extra = {"z": 1e16, "a": [1.5e-07, 'x,"extra":{}']}  # an allocator's own data
        for pool, last in s.last.items():
            tx.set_rotation(pool, RotationState(last=last, given=3, extra=extra))


def _router(store: Store, s: Scenario, allocator: Any = None) -> Router:
    return Router(
        rules=RuleSet(rules=[]),
        teams=[Team(id="t", name="T", members=s.members)],
        store=store,
        customer_data=InMemoryCustomerData(),
        clock=ManualClock(T0),
        capacity=s.default_capacity,
        allocator=allocator if allocator is not None else RoundRobin(),
    )


def _run(store: Store, s: Scenario) -> tuple[Any, ...]:
    """The operation's answer and everything it left behind, as JSON text."""
    router = _router(store, s)
    if s.operation == "assign_waiting":
        answer: Any = [r.model_dump_json() for r in router.assign_waiting()]
    elif s.operation == "online" and s.subject is not None:
        answer = [r.model_dump_json() for r in router.set_online(s.subject, True, s.subject)]
    elif s.operation == "close" and s.subject is not None:
        with store.transaction() as tx:
            (first,) = tx.find_tickets(TicketQuery(assignee=s.subject, statuses=None, limit=1))
        answer = router.set_status(first.id, TicketStatus.CLOSED, s.subject).model_dump_json()
    else:
        answer = None
    with store.transaction() as tx:
        tickets = tx.find_tickets(TicketQuery(statuses=None, limit=1000))
        audit = [a.model_copy(update={"seq": None}) for a in tx.audit()]
        rotations = [tx.rotation(p).model_dump_json() for p in ("global", "team:t")]
    return (
        answer,
        [t.model_dump_json() for t in tickets],
        [a.model_dump_json() for a in audit],
        rotations,
    )


def _reset(dsn: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("TRUNCATE tickets, agents, rotation, audit, configurations")


@pytest.fixture
def pg_store(pg_dsn: str) -> Iterator[PostgresStore]:
    store = PostgresStore(pg_dsn)
    yield store
    store.close()


@pytest.fixture
def hand_out_calls() -> Iterator[list[str | None]]:
    """The answers of the ``hand_out_round_robin`` calls made while the test runs."""
    calls: list[str | None] = []
    original = postgres_module.PostgresTransaction.hand_out_round_robin

    def spy(self: postgres_module.PostgresTransaction, **kwargs: Any) -> str | None:
        answer = original(self, **kwargs)
        calls.append(answer)
        return answer

    postgres_module.PostgresTransaction.hand_out_round_robin = spy  # type: ignore[method-assign]
    yield calls
    postgres_module.PostgresTransaction.hand_out_round_robin = original  # type: ignore[method-assign]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(s=scenarios())
def test_sql_hand_out_leaves_exactly_what_the_python_walk_leaves(pg_dsn: str, s: Scenario) -> None:
    """Same scenario and hand-out (assign_waiting, coming Online, a close): the answer, the
    tickets, the audit records and the rotation states are equal on PostgreSQL (SQL)
    and in memory (Python)."""
    memory = InMemoryStore()
    _fill(memory, s)
    # A store per example: psycopg_pool's threads use ``random``, which hypothesis
    # forbids while it draws the next example.
    pg_store = PostgresStore(pg_dsn)
    try:
        _reset(pg_dsn)
        _fill(pg_store, s)
        assert _run(pg_store, s) == _run(memory, s)
    finally:
        pg_store.close()


def _simple() -> Scenario:
    return Scenario(
        agents=(("a1", None), ("a2", None)),
        online=frozenset({"a1", "a2"}),
        loads={},
        default_capacity=None,
        members=("a1",),
        waiting=(False, True, False),
        last={"global": None, "team:t": None},
        operation="assign_waiting",
        subject=None,
    )


def test_every_hand_out_is_one_call_of_the_function(
    pg_store: PostgresStore, hand_out_calls: list[str | None]
) -> None:
    """With RoundRobin, each waiting ticket is handed out by the store's function."""
    s = _simple()
    _fill(pg_store, s)
    given = _router(pg_store, s).assign_waiting()
    assert [r.assignee for r in given] == ["a1", "a1", "a2"]
    assert hand_out_calls == ["a1", "a1", "a2"]


def test_other_allocators_take_the_python_path(
    pg_store: PostgresStore, hand_out_calls: list[str | None]
) -> None:
    """Another allocator hands out in Python: the function is never called."""
    s = _simple()
    _fill(pg_store, s)
    given = _router(pg_store, s, LeastLoaded()).assign_waiting()
    assert len(given) == 3
    assert hand_out_calls == []


def test_a_full_pool_answers_nobody_and_writes_nothing(pg_store: PostgresStore) -> None:
    """Nobody eligible: the function answers None, and ticket and rotation are unchanged."""
    s = _simple()
    _fill(pg_store, s)
    with pg_store.transaction() as tx:
        assert isinstance(tx, HandOutInStore)
        record = tx.get_ticket("w1")
        assert record is not None
        before = tx.rotation("team:t")
        tx.set_online("a1", False, T0)
        answer = tx.hand_out_round_robin(
            pool="team:t",
            members=["a1"],
            capacity=None,
            record=record,
            audit=ticket_changed(T0, None, "assigned", record, pool="team:t"),
        )
        assert answer is None
        assert tx.get_ticket("w1") == record
        assert tx.rotation("team:t") == before
