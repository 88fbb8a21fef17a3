"""The PostgreSQL store's round robin in SQL (``helpdesk_route_round_robin``) against the
Router's own (``RoundRobin`` over the in-memory store).

``Router.route`` hands a whole route to a store that offers ``route_round_robin``
(``ports.RoundRobinInStore``): the choice, the reason sentence, the stored record, the
audit record and the rotation state must be exactly what the Python path gives, for
any pool, presence, capacity, load and rotation position.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk_routing.allocation import LeastLoaded, RoundRobin
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.conditions import ticket as ticket_field
from helpdesk_routing.configuration import Configuration
from helpdesk_routing.decision import RoutingDecision
from helpdesk_routing.errors import ConflictError, StaleConfiguration, StoreError
from helpdesk_routing.model import Agent, Team, Ticket
from helpdesk_routing.ports import RoundRobinInStore, RoundRobinRoute, Store
from helpdesk_routing.records import AuditRecord, RotationState, TicketRecord
from helpdesk_routing.router import Router
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet
from helpdesk_routing.stores import postgres as postgres_module
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from helpdesk_routing.stores.postgres import PostgresStore
from tests.pg_server import ENV_DSN, ENV_REQUIRE

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)
# Ids whose code point order differs from many locales' order (upper/lower case,
# digits, accents): the SQL must sort as Python does. And ids JSON must escape.
IDS = ("a1", "a10", "a2", "B", "b", "z9", "é", "ä", 'q"x', "s\\y")
TEAM_RULE = RoutingRule(
    id="team", when=ticket_field("channel") == "chat", then=AssignToTeam(team="t")
)


@dataclass(frozen=True)
class Scenario:
    agents: tuple[Agent, ...]
    online: frozenset[str]
    loads: dict[str, int]
    default_capacity: int | None
    members: tuple[str, ...] | None  # None: the ticket goes to the global pool
    last: str | None
    given: int


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    ids = draw(st.lists(st.sampled_from(IDS), unique=True, max_size=len(IDS)))
    agents = tuple(
        Agent(id=i, capacity=draw(st.none() | st.integers(0, 2), label=f"cap {i}")) for i in ids
    )
    online = frozenset(draw(st.sets(st.sampled_from(ids))) if ids else set())
    loads = {i: draw(st.integers(0, 2), label=f"load {i}") for i in ids}
    members = None
    if draw(st.booleans()):
        members = tuple(sorted(draw(st.sets(st.sampled_from(ids), min_size=1)))) if ids else None
    last = draw(st.none() | st.sampled_from((*IDS, "a15", "a")))
    return Scenario(
        agents=agents,
        online=online,
        loads=loads,
        default_capacity=draw(st.none() | st.integers(0, 2)),
        members=members,
        last=last,
        given=draw(st.integers(0, 5)),
    )


def _fill(store: Store, s: Scenario) -> None:
    with store.transaction() as tx:
        for agent in s.agents:
            tx.put_agent(agent)
        for agent_id in sorted(s.online):
            tx.set_online(agent_id, True, T0)
        n = 0
        for agent_id, load in sorted(s.loads.items()):
            for _ in range(load):
                n += 1
                t = Ticket(id=f"old{n}", channel="email", created_at=T0 - timedelta(minutes=n))
                tx.add_ticket(TicketRecord(ticket=t, assignee=agent_id))
        pool = "global" if s.members is None else "team:t"
        extra = {"z": 1e16, "a": [1.5e-07, 'x,"extra":{}']}  # an allocator's own data
        tx.set_rotation(pool, RotationState(last=s.last, given=s.given, extra=extra))


def _router(store: Store, s: Scenario, allocator: Any = None) -> Router:
    teams = [] if s.members is None else [Team(id="t", name="T", members=s.members)]
    return Router(
        rules=RuleSet(rules=[TEAM_RULE] if s.members is not None else []),
        teams=teams,
        store=store,
        customer_data=InMemoryCustomerData(),
        clock=ManualClock(T0),
        capacity=s.default_capacity,
        allocator=allocator if allocator is not None else RoundRobin(),
    )


# Values JSON tools like to rewrite: exponent floats, key order, line separators (NUL is
# refused when the model is built: tests/test_model_storable.py).
FIELDS = {"z": 1e16, "a": [1, 2.0, 1.5e-07], "n": {"y": None, "b": "x\u2028y"}}


def _outcome(store: Store, router: Router, s: Scenario, ticket_id: str) -> tuple[Any, ...]:
    """What a route returned and left behind, as JSON text (so 1e16 is not 10**16)."""
    channel = "email" if s.members is None else "chat"
    ticket = Ticket(id=ticket_id, channel=channel, created_at=T0, fields=FIELDS)
    decision = router.route(ticket)
    pool = "global" if s.members is None else "team:t"
    with store.transaction() as tx:
        stored = tx.get_ticket(ticket_id)
        assert stored is not None
        audit = [a.model_copy(update={"seq": None}) for a in tx.audit(ticket_id)]
        rotation = tx.rotation(pool)
    return (
        decision.model_dump_json(),
        stored.model_dump_json(),
        [a.model_dump_json() for a in audit],
        rotation.model_dump_json(),
    )


def _reset(dsn: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("TRUNCATE tickets, agents, rotation, audit, configurations")


@pytest.fixture
def pg_store(pg_dsn: str) -> Any:
    store = PostgresStore(pg_dsn)
    yield store
    store.close()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(s=scenarios())
def test_sql_round_robin_routes_exactly_as_the_router_does(
    pg_store: PostgresStore, pg_dsn: str, s: Scenario
) -> None:
    """Same scenario, two routes each: the decision, the stored record, the audit record
    and the rotation state are equal on PostgreSQL (SQL) and in memory (Python)."""
    _reset(pg_dsn)
    memory = InMemoryStore()
    _fill(memory, s)
    _fill(pg_store, s)
    expected_router, router = _router(memory, s), _router(pg_store, s)
    for ticket_id in ("new1", "new2"):
        assert _outcome(pg_store, router, s, ticket_id) == _outcome(
            memory, expected_router, s, ticket_id
        )


@pytest.fixture
def in_store_calls() -> Iterator[list[str]]:
    """The pools of the ``route_round_robin`` calls made while the test runs."""
    calls: list[str] = []
    original = postgres_module.PostgresTransaction.route_round_robin

    def spy(self: postgres_module.PostgresTransaction, **kwargs: Any) -> Any:
        calls.append(kwargs["pool"])
        return original(self, **kwargs)

    postgres_module.PostgresTransaction.route_round_robin = spy  # type: ignore[method-assign]
    yield calls
    postgres_module.PostgresTransaction.route_round_robin = original  # type: ignore[method-assign]


def test_the_route_is_one_call_of_the_function(
    pg_store: PostgresStore, in_store_calls: list[str]
) -> None:
    """With RoundRobin, the PostgreSQL transaction is asked to route; it answers after commit."""
    s = Scenario((Agent(id="a1"),), frozenset({"a1"}), {}, None, None, None, 0)
    _fill(pg_store, s)
    router = _router(pg_store, s)
    first = router.route(Ticket(id="t1", channel="email", created_at=T0))
    again = router.route(Ticket(id="t1", channel="email", created_at=T0))
    assert in_store_calls == ["global", "global"]
    assert first.assignee == "a1"
    assert first.allocation is not None
    assert first.allocation.summary == "a1: first online agent in rotation"
    assert again == first  # the second call found the stored ticket and wrote nothing
    with pg_store.transaction() as tx:
        assert len(tx.audit("t1")) == 1
        assert tx.rotation("global").given == 1


def test_other_allocators_take_the_python_path(
    pg_store: PostgresStore, in_store_calls: list[str]
) -> None:
    """LeastLoaded and a RoundRobin subclass are not RoundRobin: the Router allocates."""

    class Patient(RoundRobin):
        pass

    s = Scenario((Agent(id="a1"), Agent(id="a2")), frozenset({"a1", "a2"}), {}, None, None, None, 0)
    _fill(pg_store, s)
    least = _router(pg_store, s, LeastLoaded())
    assert least.route(Ticket(id="l1", channel="email", created_at=T0)).assignee == "a1"
    patient = _router(pg_store, s, Patient())
    assert patient.route(Ticket(id="p1", channel="email", created_at=T0)).assignee == "a2"
    assert in_store_calls == []
    with pg_store.transaction() as tx:
        assert tx.rotation("global").given == 2


def test_the_stored_ticket_is_the_json_the_client_wrote(
    pg_store: PostgresStore, pg_dsn: str
) -> None:
    """The record text is the client's byte for byte; the assignee and the step's facts
    are columns (no sentence in SQL), and reading the row puts them together."""
    import psycopg

    s = Scenario((Agent(id="a1"),), frozenset({"a1"}), {}, None, None, None, 0)
    _fill(pg_store, s)
    ticket = Ticket(id="j1", channel="email", created_at=T0, fields=FIELDS)
    decision = _router(pg_store, s).route(ticket)
    with psycopg.connect(pg_dsn) as conn:
        row = conn.execute(
            "SELECT record, assignee, allocation FROM tickets WHERE id = 'j1'"
        ).fetchone()
        audit_row = conn.execute("SELECT assignee FROM audit WHERE ticket_id = 'j1'").fetchone()
    assert row is not None
    assert audit_row == ("a1",)
    assert ticket.model_dump_json() in row[0]  # byte for byte ("z":1e+16, key order)
    bare = TicketRecord.model_validate_json(row[0])
    assert bare.assignee is None
    assert bare.decision is not None
    assert bare.decision.allocation is None
    assert row[1] == "a1"
    assert row[2] == {
        "pool": "global",
        "agent": "a1",
        "last": None,
        "shown": [],
        "passed": 0,
        "all_offline": True,
    }
    with pg_store.transaction() as tx:
        stored = tx.get_ticket("j1")
    assert stored is not None
    assert stored.ticket.fields == FIELDS
    assert list(stored.ticket.fields) == ["z", "a", "n"]
    assert isinstance(stored.ticket.fields["z"], float)
    assert stored.decision == decision
    assert stored.assignee == "a1"


def test_route_round_robin_is_only_for_a_unit_that_does_nothing_else(
    pg_store: PostgresStore,
) -> None:
    """After another operation it declines (None); after it, nothing else may run. A
    record without a decision is declined too (routing always has one)."""
    record = _routed("x1")
    audit = AuditRecord(at=T0, actor=None, action="routed", ticket_id="x1")
    kwargs: dict[str, Any] = {"pool": "global", "members": None, "capacity": None}
    with pg_store.transaction() as tx:
        tx.agents()
        assert tx.route_round_robin(record=record, audit=audit, **kwargs) is None
    with pg_store.transaction() as tx:
        bare = record.model_copy(update={"decision": None})
        assert tx.route_round_robin(record=bare, audit=audit, **kwargs) is None
    with pytest.raises(StoreError, match="must be the only operation"):
        _route_then_read(pg_store, record, audit)
    with pg_store.transaction() as tx:
        assert tx.get_ticket("x1") is None  # the refused unit kept nothing


def _routed(ticket_id: str) -> TicketRecord:
    ticket = Ticket(id=ticket_id, channel="email", created_at=T0)
    return TicketRecord(ticket=ticket, decision=RoutingDecision(ticket_id=ticket_id, at=T0))


def _route_then_read(store: PostgresStore, record: TicketRecord, audit: AuditRecord) -> None:
    with store.transaction() as tx:
        answer = tx.route_round_robin(
            pool="global", members=None, capacity=None, record=record, audit=audit
        )
        assert answer is not None
        tx.agents()


def test_an_answer_asked_for_before_the_commit_is_an_error(pg_store: PostgresStore) -> None:
    """The answer exists once the unit has committed; a ticket nobody can take waits."""
    record = _routed("x2")
    audit = AuditRecord(at=T0, actor=None, action="routed", ticket_id="x2")
    with pg_store.transaction() as tx:
        answer = tx.route_round_robin(
            pool="global", members=None, capacity=None, record=record, audit=audit
        )
        assert answer is not None
        with pytest.raises(StoreError, match="did not commit"):
            answer()
    assert answer() == (None, None, "nobody eligible is online; the ticket waits")


@pytest.mark.parametrize(
    "layout",
    [
        '{ "extra": {"k": [1]}, "given": 2, "last": "a1" }',
        '{"last":"a1","extra":{"k":[1]},"given":2}',
        '{"given":2,"last":"a1","extra":{"k":[1]}}',
    ],
)
def test_a_rotation_state_in_another_json_layout_still_moves(
    pg_store: PostgresStore, pg_dsn: str, layout: str
) -> None:
    """State text not in RotationState's own layout (written by hand, say) is read and
    moved all the same."""
    import psycopg

    s = Scenario((Agent(id="a1"), Agent(id="a2")), frozenset({"a1", "a2"}), {}, None, None, None, 0)
    _fill(pg_store, s)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(
            "UPDATE rotation SET state = %s WHERE pool = 'global'",
            (layout,),
        )
    decision = _router(pg_store, s).route(Ticket(id="r1", channel="email", created_at=T0))
    assert decision.assignee == "a2"
    with pg_store.transaction() as tx:
        assert tx.rotation("global") == RotationState(last="a2", given=3, extra={"k": [1]})


@pytest.fixture
def icu_dsn(request: pytest.FixtureRequest) -> Iterator[str]:
    """A database whose default collation is ICU's en-US, where "a1" < "b" < "B"."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    base: str = request.getfixturevalue("postgres_dsn")
    name = f"icu_{secrets.token_hex(6)}"
    try:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(
                f"CREATE DATABASE {name} TEMPLATE template0 "
                "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'"
            )
    except psycopg.Error as exc:
        # A server of yours (not CI's) may lack ICU or CREATEDB.
        if os.environ.get(ENV_DSN) and os.environ.get(ENV_REQUIRE) != "1":
            pytest.skip(f"cannot create an ICU database on {ENV_DSN}: {exc}")
        raise
    yield make_conninfo(base, dbname=name)
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


def test_ids_sort_by_code_point_whatever_the_database_collation(icu_dsn: str) -> None:
    """Under a default collation that puts "b" before "B", rotation, presence and views
    still follow Python's order ("B" < "a1" < "b" < "é"), exactly as in memory."""
    agents = tuple(Agent(id=i) for i in ("b", "é", "B", "a1"))
    s = Scenario(agents, frozenset(a.id for a in agents), {}, None, None, "B", 0)
    with PostgresStore(icu_dsn) as store:
        memory = InMemoryStore()
        _fill(memory, s)
        _fill(store, s)
        expected, got = [], []
        for n in range(5):
            expected.append(_outcome(memory, _router(memory, s), s, f"c{n}"))
            got.append(_outcome(store, _router(store, s), s, f"c{n}"))
        assert got == expected
        assert [json.loads(e[0])["assignee"] for e in got] == ["a1", "b", "é", "B", "a1"]
        with store.transaction() as tx:
            assert list(tx.online_agents()) == ["B", "a1", "b", "é"]
            assert [a.id for a in tx.agents()] == ["B", "a1", "b", "é"]


def test_a_route_holding_its_locks_through_the_flush_still_routes(pg_dsn: str) -> None:
    """With release_locks_before_flush=False the one message commits synchronously."""
    s = Scenario((Agent(id="a1"),), frozenset({"a1"}), {}, None, None, None, 0)
    with PostgresStore(pg_dsn, release_locks_before_flush=False) as store:
        _fill(store, s)
        decision = _router(store, s).route(Ticket(id="f1", channel="email", created_at=T0))
        assert decision.assignee == "a1"
        with store.transaction() as tx:
            stored = tx.get_ticket("f1")
            assert stored is not None
            assert stored.decision == decision


def test_a_rotation_locked_too_long_is_a_conflict_and_nothing_is_kept(pg_dsn: str) -> None:
    """Another unit holding the pool's rotation row past the timeout: ConflictError, and
    neither the ticket nor an audit record nor a rotation step exists afterwards."""
    import psycopg

    s = Scenario((Agent(id="a1"),), frozenset({"a1"}), {}, None, None, "a1", 4)
    with PostgresStore(pg_dsn, timeout=0.2) as store:
        _fill(store, s)
        with psycopg.connect(pg_dsn) as holder:
            holder.execute("SELECT state FROM rotation WHERE pool = 'global' FOR UPDATE")
            with pytest.raises(ConflictError, match="stayed locked"):
                _router(store, s).route(Ticket(id="k1", channel="email", created_at=T0))
            holder.rollback()
        with store.transaction() as tx:
            assert tx.get_ticket("k1") is None
            assert tx.audit("k1") == []
            assert tx.rotation("global").given == 4
        retried = _router(store, s).route(Ticket(id="k1", channel="email", created_at=T0))
        assert retried.assignee == "a1"


def test_the_transaction_names_its_capability_with_the_protocol(pg_store: PostgresStore) -> None:
    """``isinstance(tx, RoundRobinInStore)`` holds for PostgreSQL, not for the memory store."""
    with pg_store.transaction() as tx:
        assert isinstance(tx, RoundRobinInStore)
    with InMemoryStore().transaction() as memory_tx:
        assert not isinstance(memory_tx, RoundRobinInStore)


def _route_with_version(store: PostgresStore, ticket_id: str, version: int) -> RoundRobinRoute:
    record = _routed(ticket_id)
    audit = AuditRecord(at=T0, actor=None, action="routed", ticket_id=ticket_id)
    with store.transaction() as tx:
        answer = tx.route_round_robin(
            pool="global",
            members=None,
            capacity=None,
            record=record,
            audit=audit,
            configuration_version=version,
        )
        assert answer is not None
    return answer()


def test_a_stale_configuration_version_writes_nothing_and_the_answer_raises(
    pg_store: PostgresStore,
) -> None:
    """Decided under version 1 while version 2 is stored: StaleConfiguration(1, 2), and
    no ticket, audit record or rotation step exists; the current version routes."""
    s = Scenario((Agent(id="a1"),), frozenset({"a1"}), {}, None, None, None, 0)
    _fill(pg_store, s)
    with pg_store.transaction() as tx:
        tx.put_configuration(Configuration(version=1, at=T0))
        tx.put_configuration(Configuration(version=2, at=T0))
    with pytest.raises(StaleConfiguration) as err:
        _route_with_version(pg_store, "v1", 1)
    assert (err.value.expected, err.value.stored) == (1, 2)
    assert str(err.value) == "configuration version 1 is stale: version 2 is stored"
    with pg_store.transaction() as tx:
        assert tx.get_ticket("v1") is None
        assert tx.audit("v1") == []
        assert tx.rotation("global").given == 0
    stored, agent, reason = _route_with_version(pg_store, "v1", 2)
    assert (stored, agent, reason) == (None, "a1", "a1: first online agent in rotation")


def test_a_stored_ticket_answers_its_record_whatever_the_version(
    pg_store: PostgresStore,
) -> None:
    """Routing a stored id again answers the stored record even under a stale version."""
    s = Scenario((Agent(id="a1"),), frozenset({"a1"}), {}, None, None, None, 0)
    _fill(pg_store, s)
    _route_with_version(pg_store, "v2", 0)
    with pg_store.transaction() as tx:
        tx.put_configuration(Configuration(version=1, at=T0))
    stored, agent, reason = _route_with_version(pg_store, "v2", 0)
    assert stored is not None
    assert stored.assignee == "a1"
    assert (agent, reason) == (None, None)
