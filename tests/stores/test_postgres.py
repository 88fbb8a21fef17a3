"""What the PostgreSQL adapters promise beyond the port contract: schema, locks, faults."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.errors import (
    ArgumentTypeError,
    ConflictError,
    SchemaVersionError,
    StoreError,
    ValidationError,
)
from helpdesk_routing.model import Agent, Event, Profile, Ticket
from helpdesk_routing.records import AuditRecord, RotationState, TicketQuery, TicketRecord
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores import postgres as postgres_module
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from helpdesk_routing.stores.postgres import (
    PostgresCustomerData,
    PostgresStore,
    _database,
    _queries,
    _schema,
)
from tests.pg_server import _free_port

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)


def _record(tid: str, minutes: int = 0, **kw: object) -> TicketRecord:
    ticket = Ticket(id=tid, channel="email", created_at=T0 + timedelta(minutes=minutes))
    return TicketRecord(ticket=ticket, **kw)


def _sql(dsn: str, sql: str) -> list[tuple[object, ...]]:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(sql)
        return list(cur.fetchall()) if cur.description else []


def _with_app_name(dsn: str, name: str) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo(dsn, application_name=name)


def _kill(dsn: str, app_name: str) -> int:
    """Terminate every server process of connections named ``app_name``."""
    rows = _sql(
        dsn,
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        f"WHERE application_name = '{app_name}'",
    )
    return int(str(rows[0][0]))


@pytest.fixture
def store(pg_dsn: str) -> Iterator[PostgresStore]:
    """A PostgreSQL store in a fresh schema, with agents a1 and a2."""
    with PostgresStore(pg_dsn, agents=[Agent(id="a1"), Agent(id="a2")]) as s:
        yield s


pytestmark = pytest.mark.postgres


def test_everything_survives_a_new_store_on_the_same_database(pg_dsn: str) -> None:
    """A second store (as another process would open) reads what the first committed."""
    with PostgresStore(pg_dsn, agents=[Agent(id="a1")]) as one, one.transaction() as tx:
        tx.add_ticket(_record("t1", assignee="a1", views=frozenset({"urgent"})))
        tx.set_online("a1", True, T0)
        tx.set_rotation("global", RotationState(last="a1", given=1))
        tx.append_audit(AuditRecord(at=T0, actor=None, action="routed", ticket_id="t1"))
    with PostgresStore(pg_dsn) as two, two.transaction() as tx:
        assert tx.get_ticket("t1") == _record("t1", assignee="a1", views=frozenset({"urgent"}))
        assert [r.id for r in tx.find_tickets(TicketQuery(view="urgent"))] == ["t1"]
        assert list(tx.online_agents()) == ["a1"]
        assert tx.rotation("global") == RotationState(last="a1", given=1)
        assert [a.action for a in tx.audit()] == ["routed"]


def test_ids_sort_by_code_point_whatever_the_collation(store: PostgresStore) -> None:
    """Agent and ticket ids come back in Python's order (upper case before lower, "_" between)."""
    ids = ["b", "B", "a_1", "a1", "A", "é", "z"]
    with store.transaction() as tx:
        for i in ids:
            tx.put_agent(Agent(id=i))
            tx.set_online(i, True, T0)
            tx.add_ticket(_record(i))
    with store.transaction() as tx:
        assert [a.id for a in tx.agents()] == sorted({*ids, "a1", "a2"})
        assert list(tx.online_agents()) == sorted(ids)
        assert [r.id for r in tx.find_tickets(TicketQuery())] == sorted(ids)


def test_a_new_schema_gets_the_current_version(pg_dsn: str) -> None:
    """Opening an empty schema creates the tables and records the newest version."""
    PostgresStore(pg_dsn).close()
    assert _sql(pg_dsn, "SELECT version FROM schema_version") == [(12,)]
    assert postgres_module.SCHEMA_VERSION == 12


def test_a_newer_schema_is_refused_and_nothing_is_touched(pg_dsn: str) -> None:
    """A database whose schema version is newer than the library is refused, unchanged."""
    with PostgresStore(pg_dsn, agents=[Agent(id="a1")]):
        pass
    newer = postgres_module.SCHEMA_VERSION + 1
    _sql(pg_dsn, f"UPDATE schema_version SET version = {newer}")
    snapshot = (
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema() ORDER BY table_name"
    )
    before = _sql(pg_dsn, snapshot), _sql(pg_dsn, "SELECT id, agent FROM agents")
    with pytest.raises(SchemaVersionError) as err:
        PostgresStore(pg_dsn)
    dbname, schema = _sql(pg_dsn, "SELECT current_database(), current_schema()")[0]
    assert str(err.value) == (
        f"database schema version {newer} is newer than this helpdesk_routing knows "
        f"({postgres_module.SCHEMA_VERSION}); "
        f"upgrade the library to open the PostgreSQL database {dbname!r}, schema {schema!r}"
    )
    with pytest.raises(SchemaVersionError):
        PostgresCustomerData(pg_dsn)
    after = _sql(pg_dsn, snapshot), _sql(pg_dsn, "SELECT id, agent FROM agents")
    assert after == before
    assert _sql(pg_dsn, "SELECT version FROM schema_version") == [(newer,)]


@pytest.mark.parametrize("lost", ["DROP TABLE schema_version", "DELETE FROM schema_version"])
def test_tables_without_a_schema_version_are_refused_untouched(pg_dsn: str, lost: str) -> None:
    """A store's tables whose version was lost are refused (the first migration ran
    again over them: "relation tickets already exists"), and left as they were."""
    with PostgresStore(pg_dsn, agents=[Agent(id="a1")]):
        pass
    _sql(pg_dsn, lost)
    before = _sql(pg_dsn, "SELECT id, agent FROM agents")
    for cls in (PostgresStore, PostgresCustomerData):
        with pytest.raises(StoreError) as err:
            cls(pg_dsn)
        assert "holds a helpdesk_routing store's tables but no schema version" in str(err.value)
    assert _sql(pg_dsn, "SELECT id, agent FROM agents") == before


def test_a_version_1_schema_is_migrated_and_keeps_its_data(pg_dsn: str) -> None:
    """A schema at version 1 gets the later migrations applied, its data intact."""
    import psycopg

    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE schema_version (version integer NOT NULL)")
        conn.execute("INSERT INTO schema_version (version) VALUES (1)")
        for statement in _schema.MIGRATIONS[0][1]:
            conn.execute(statement)
        conn.execute(
            "INSERT INTO agents (id, agent) VALUES (%s, %s)",
            ("a1", Agent(id="a1").model_dump_json()),
        )
    with PostgresCustomerData(pg_dsn, profiles=[Profile(id="p1")]) as data:
        assert data.profile("p1") == Profile(id="p1")
    with PostgresStore(pg_dsn) as store, store.transaction() as tx:
        assert tx.agents() == [Agent(id="a1")]
    assert _sql(pg_dsn, "SELECT version FROM schema_version") == [(12,)]


# The version-3 route function's signature (its body does not matter here).
_OLD_ROUTE_FUNCTION = """CREATE FUNCTION helpdesk_route_round_robin(
    p_pool text, p_members text[], p_capacity integer,
    p_ticket text, p_created timestamptz, p_status text, p_channel text, p_team text,
    p_views text[], p_record text, p_allocation text, p_token text,
    p_audit_given text, p_audit_waiting text,
    OUT agent text, OUT reason text, OUT stored text)
LANGUAGE sql AS $$ SELECT NULL::text, 'old'::text, NULL::text $$"""


def test_a_version_4_schema_gets_the_facts_function_and_keeps_its_data(pg_dsn: str) -> None:
    """A schema at version 4 (with the sentence-answering function of version 3, and a
    ticket and audit record written by it) is migrated to 5: the old function is
    dropped, the old rows read as before, and routing uses the new function."""
    import psycopg

    from helpdesk_routing.clock import ManualClock
    from helpdesk_routing.router import Router
    from helpdesk_routing.rules import RuleSet
    from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData

    old = TicketRecord(ticket=Ticket(id="old", channel="email", created_at=T0), assignee="a1")
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE schema_version (version integer NOT NULL)")
        conn.execute("INSERT INTO schema_version (version) VALUES (4)")
        for _version, statements in _schema.MIGRATIONS[:4]:
            for statement in statements:
                conn.execute(statement)
        conn.execute(_OLD_ROUTE_FUNCTION)
        conn.execute(
            "INSERT INTO agents (id, agent, online) VALUES (%s, %s, true)",
            ("a1", Agent(id="a1").model_dump_json()),
        )
        conn.execute(
            "INSERT INTO tickets (id, created, status, channel, assignee, record) "
            "VALUES ('old', %s, 'open', 'email', 'a1', %s)",
            (T0, old.model_dump_json()),
        )
    with PostgresStore(pg_dsn) as store:
        with store.transaction() as tx:
            assert tx.get_ticket("old") == old
        router = Router(
            rules=RuleSet(rules=[]),
            teams=[],
            store=store,
            customer_data=InMemoryCustomerData(),
            clock=ManualClock(T0),
        )
        decision = router.route(Ticket(id="new", channel="email", created_at=T0))
        assert decision.assignee == "a1"
        assert decision.allocation is not None
        assert decision.allocation.summary == "a1: first online agent in rotation"
    assert _sql(pg_dsn, "SELECT version FROM schema_version") == [(12,)]
    functions = (
        "SELECT count(*) FROM pg_proc WHERE proname = 'helpdesk_route_round_robin' "
        "AND pronamespace = current_schema()::regnamespace"
    )
    assert _sql(pg_dsn, functions) == [(1,)]


_DATA = Path(__file__).parent / "data"


def test_a_version_6_schema_gets_the_shared_rotation_step(pg_dsn: str) -> None:
    """A schema at version 6, with the route and hand-out functions as version 6 wrote
    them (each with its own copy of the rotation step; the files are kept in
    tests/stores/data), is migrated to 7: both functions are replaced by ones calling
    ``helpdesk_round_robin_step``, and a route and a hand-out through them still work."""
    import psycopg

    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE schema_version (version integer NOT NULL)")
        conn.execute("INSERT INTO schema_version (version) VALUES (6)")
        for _version, statements in _schema.MIGRATIONS[:6]:
            for statement in statements:
                conn.execute(statement)
        for name in ("pg_v6_route_round_robin.sql", "pg_v6_hand_out_round_robin.sql"):
            conn.execute((_DATA / name).read_text("utf-8"))
        conn.execute(
            "INSERT INTO agents (id, agent, online) VALUES (%s, %s, true)",
            ("a1", Agent(id="a1", capacity=1).model_dump_json()),
        )
    calls_step = (
        "SELECT proname FROM pg_proc WHERE pronamespace = current_schema()::regnamespace "
        "AND prosrc LIKE '%helpdesk_round_robin_step(%' ORDER BY proname"
    )
    assert _sql(pg_dsn, calls_step) == []
    with PostgresStore(pg_dsn) as store:
        router = Router(
            rules=RuleSet(rules=[]),
            teams=[],
            store=store,
            customer_data=InMemoryCustomerData(),
            clock=ManualClock(T0),
        )
        first = router.route(Ticket(id="t1", channel="email", created_at=T0))
        second = router.route(Ticket(id="t2", channel="email", created_at=T0))
        assert (first.assignee, second.assignee) == ("a1", None)
        # Closing t1 frees a1's one place: t2 is handed out by the hand-out function.
        router.set_status("t1", "closed", actor="a1")
        assert router.ticket("t2").assignee == "a1"
    assert _sql(pg_dsn, "SELECT version FROM schema_version") == [(12,)]
    assert _sql(pg_dsn, calls_step) == [
        ("helpdesk_hand_out_round_robin",),
        ("helpdesk_route_round_robin",),
    ]


def test_stores_opening_at_once_create_the_schema_once(pg_dsn: str) -> None:
    """Several stores opening an empty schema together all succeed (migrations take turns)."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def open_one() -> None:
        barrier.wait()
        try:
            PostgresStore(pg_dsn).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _sql(pg_dsn, "SELECT version FROM schema_version") == [(12,)]


def test_an_unreachable_server_is_a_clear_error_after_bounded_attempts() -> None:
    """Nothing listening: the store gives up after its attempts with a StoreError saying so."""
    dsn = f"host=127.0.0.1 port={_free_port()} user=nobody dbname=nothing"
    with pytest.raises(StoreError, match="cannot connect to PostgreSQL after 2 attempts"):
        PostgresStore(dsn, attempts=2, connect_timeout=1)


@pytest.mark.parametrize("adapter", [PostgresStore, PostgresCustomerData])
def test_a_pool_that_gives_no_connection_is_the_librarys_error(
    adapter: type[PostgresStore] | type[PostgresCustomerData], pg_dsn: str
) -> None:
    """A caller's pool never opened, or one whose server cannot be reached, raised
    psycopg_pool's PoolClosed or PoolTimeout from the constructor; anything but a pool
    an AttributeError."""
    from psycopg_pool import ConnectionPool

    unopened: ConnectionPool[Any] = ConnectionPool(pg_dsn, open=False)
    with pytest.raises(StoreError, match=r"^the PostgreSQL pool given is closed \(open it"):
        adapter(pool=unopened)
    nowhere = f"host=127.0.0.1 port={_free_port()} user=nobody dbname=nothing"
    unreachable: ConnectionPool[Any] = ConnectionPool(nowhere, min_size=1, open=True)
    try:
        with pytest.raises(StoreError, match=r"^cannot get a PostgreSQL connection within 1 s"):
            adapter(pool=unreachable, connect_timeout=1)
    finally:
        unreachable.close()
    with pytest.raises(ArgumentTypeError, match=r"pool must be a psycopg_pool.ConnectionPool"):
        adapter(pool=object())  # type: ignore[arg-type]


def test_a_search_path_naming_no_schema_is_said_so(pg_dsn: str) -> None:
    """A dsn whose search_path names a schema that does not exist: "cannot prepare the
    PostgreSQL schema: null values cannot be formatted as an SQL identifier" before."""
    from psycopg.conninfo import make_conninfo

    dsn = make_conninfo(pg_dsn, options="-c search_path=no_such_schema")
    for adapter in (PostgresStore, PostgresCustomerData):
        with pytest.raises(StoreError, match=r"^no schema of the connection's search_path "):
            adapter(dsn)
    # the ledger says it as the store does (it gave CREATE TABLE's "no schema has been
    # selected to create in")
    from helpdesk_routing.handoff import PostgresLedger

    with pytest.raises(StoreError, match=r"no schema of the connection's search_path exists"):
        PostgresLedger(dsn)


def test_dead_connections_between_units_of_work_are_replaced(pg_dsn: str) -> None:
    """Connections killed while idle are replaced: the next unit of work just works."""
    name = "victim-idle"
    with PostgresStore(_with_app_name(pg_dsn, name), agents=[Agent(id="a1")]) as store:
        with store.transaction() as tx:
            tx.set_online("a1", True, T0)
        assert _kill(pg_dsn, name) >= 1
        with store.transaction() as tx:
            assert list(tx.online_agents()) == ["a1"]


@pytest.mark.parametrize("attempts", [2, 3])
def test_a_pool_whose_idle_connections_all_died_starts_the_unit_on_a_fresh_one(
    pg_dsn: str, attempts: int
) -> None:
    """A server restart ends every connection at once: with four idle in the pool, each
    retry took another dead one, and the unit failed ("lost the connection ... during a
    unit of work") whenever the pool held as many as ``attempts``. The first dead one
    has the pool test its idle ones, so the retry takes a live one."""
    name = f"victim-all-{attempts}"
    dsn = _with_app_name(pg_dsn, name)
    with PostgresStore(dsn, agents=[Agent(id="a1")], min_size=4, attempts=attempts) as store:
        store._db.pool.wait()
        with store.transaction() as tx:
            tx.set_online("a1", True, T0)
        assert _kill(pg_dsn, name) >= 4
        with store.transaction() as tx:
            assert list(tx.online_agents()) == ["a1"]


@pytest.mark.parametrize("min_size", [1, 4])
def test_customer_data_reads_on_dead_connections_run_again_on_fresh_ones(
    pg_dsn: str, min_size: int
) -> None:
    """PostgresCustomerData's reads (a profile, an event count: what routing reads)
    were not run again at all after their connection died: the first read after a
    restart raised StoreError, while the store's units started again."""
    name = f"victim-data-{min_size}"
    dsn = _with_app_name(pg_dsn, name)
    profile = Profile(id="p1", properties={"plan": "pro"})
    event = Event(profile_id="p1", metric="Placed Order", timestamp=T0)
    with PostgresCustomerData(dsn, profiles=[profile], events=[event], min_size=min_size) as data:
        data._db.pool.wait()
        reads = [
            lambda: data.profile("p1"),
            lambda: data.count_events("p1", "Placed Order", start=None, end=None),
            lambda: data.events("p1"),
            lambda: data.segment_members("vip"),
            lambda: data.events_between(T0, T0 + timedelta(days=1)),
        ]
        expected = [profile, 1, [event], [], [event]]
        for read, answer in zip(reads, expected, strict=True):
            assert _kill(pg_dsn, name) >= 1
            assert read() == answer


@pytest.mark.parametrize("zone", ["Etc/UTC", "Europe/Amsterdam"])
def test_a_callers_pool_in_another_zone_survives_dead_connections(pg_dsn: str, zone: str) -> None:
    """A caller's pool whose sessions are not in 'UTC' (Etc/UTC, as many servers are set):
    each connection is set to UTC when taken, and that statement, run on a connection a
    restart had ended, raised "lost the connection ... during a unit of work" for every
    dead one in turn, neither retried nor the pool's idle ones tested. It is retried as
    a dead connection found by BEGIN is, in units and in customer data reads."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo
    from psycopg_pool import ConnectionPool

    name = f"victim-zone-{zone.replace('/', '-')}"
    options = f"{conninfo_to_dict(pg_dsn).get('options', '')} -c TimeZone={zone}".strip()
    dsn = make_conninfo(_with_app_name(pg_dsn, name), options=options)
    with ConnectionPool(dsn, min_size=3, max_size=4, open=True) as pool:
        pool.wait()
        profile = Profile(id="p1", properties={"plan": "pro"})
        with (
            PostgresStore(pool=pool, agents=[Agent(id="a1")]) as store,
            PostgresCustomerData(pool=pool, profiles=[profile]) as data,
        ):
            with store.transaction() as tx:
                tx.set_online("a1", True, T0)
            assert data.profile("p1") == profile
            assert _kill(pg_dsn, name) >= 3
            with store.transaction() as tx:
                assert list(tx.online_agents()) == ["a1"]
            assert _kill(pg_dsn, name) >= 1
            assert data.profile("p1") == profile
        with pool.connection() as conn:
            row = conn.execute("SHOW TimeZone").fetchone()
            assert row is not None
            assert row[0] == zone


def test_a_route_on_a_dead_connection_is_routed_on_a_fresh_one(pg_dsn: str) -> None:
    """The whole-route function call (RoundRobin) also replaces a connection killed while
    idle, and a route repeated after a lost answer returns the first decision."""
    name = "victim-route"
    dsn = _with_app_name(pg_dsn, name)
    with PostgresStore(dsn, agents=[Agent(id="a1")], max_size=1) as store:
        with store.transaction() as tx:
            tx.set_online("a1", True, T0)
        router = Router(
            rules=RuleSet(rules=[]),
            teams=[],
            store=store,
            customer_data=InMemoryCustomerData(),
            clock=ManualClock(T0),
        )
        assert _kill(pg_dsn, name) >= 1
        first = router.route(Ticket(id="t1", channel="email", created_at=T0))
        assert first.assignee == "a1"
        assert _kill(pg_dsn, name) >= 1
        assert router.route(Ticket(id="t1", channel="email", created_at=T0)) == first
        with store.transaction() as tx:
            assert len(tx.audit("t1")) == 1


def test_a_connection_lost_inside_a_unit_keeps_nothing_of_it(pg_dsn: str) -> None:
    """A unit whose connection dies mid-way raises StoreError, and none of its writes exist."""
    name = "victim-busy"

    def unit(store: PostgresStore) -> None:
        with store.transaction() as tx:
            tx.add_ticket(_record("t1"))
            tx.set_rotation("global", RotationState(given=1))
            _kill(pg_dsn, name)
            tx.get_ticket("t1")

    with PostgresStore(_with_app_name(pg_dsn, name), agents=[Agent(id="a1")]) as store:
        with pytest.raises(StoreError, match="lost the connection to PostgreSQL"):
            unit(store)
        with store.transaction() as tx:
            assert tx.get_ticket("t1") is None
            assert tx.rotation("global") == RotationState()


def test_a_deadlock_is_a_conflict_and_the_loser_keeps_nothing(store: PostgresStore) -> None:
    """Two units locking two pools in opposite orders: one wins, the other raises ConflictError."""
    barrier = threading.Barrier(2)
    outcome: dict[str, str] = {}
    errors: list[ConflictError] = []

    def work(name: str, first: str, second: str) -> None:
        try:
            with store.transaction() as tx:
                tx.set_rotation(f"mark-{name}", RotationState(given=1))
                tx.rotation(first)
                barrier.wait()
                tx.rotation(second)
            outcome[name] = "committed"
        except ConflictError as exc:
            outcome[name] = f"conflict: {exc}"
            errors.append(exc)

    threads = [
        threading.Thread(target=work, args=("x", "p", "q")),
        threading.Thread(target=work, args=("y", "q", "p")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(v.split(":")[0] for v in outcome.values()) == ["committed", "conflict"]
    loser = next(k for k, v in outcome.items() if v.startswith("conflict"))
    winner = "y" if loser == "x" else "x"
    assert "deadlock" in outcome[loser]
    # a race the server broke: the Router runs such an operation again by itself
    assert [e.retryable for e in errors] == [True]
    with store.transaction() as tx:
        assert tx.rotation(f"mark-{winner}").given == 1
        assert tx.rotation(f"mark-{loser}") == RotationState()


def test_waiting_for_a_lock_longer_than_the_timeout_is_a_conflict(pg_dsn: str) -> None:
    """A rotation locked by another unit for longer than ``timeout`` gives a ConflictError."""
    with (
        PostgresStore(pg_dsn) as holder,
        PostgresStore(pg_dsn, timeout=0.2) as waiter,
        holder.transaction() as tx,
    ):
        tx.rotation("global")
        with (
            pytest.raises(ConflictError, match="stayed locked by another unit of work") as info,
            waiter.transaction() as other,
        ):
            other.rotation("global")
        # an answer (the store waited its timeout already), not a race to run again
        assert info.value.retryable is False


@pytest.mark.parametrize(
    "bad_id",
    [
        # refused by the server: too long for the primary key index (the models refuse
        # such an id since MAX_ID_LENGTH; the store is given one built unchecked)
        secrets.token_hex(8000),
    ],
)
def test_a_failed_statement_caught_inside_the_block_is_not_committed(
    store: PostgresStore, bad_id: str
) -> None:
    """A block that swallows a store error still keeps nothing: the unit raises it at its end."""

    def unit() -> None:
        with store.transaction() as tx:
            tx.add_ticket(_record("t1"))
            good = _record("t2")
            bad = good.model_copy(
                update={
                    "ticket": good.ticket.model_construct(**{**dict(good.ticket), "id": bad_id})
                }
            )
            with pytest.raises(StoreError, match="PostgreSQL error"):
                tx.add_ticket(bad)

    with pytest.raises(StoreError, match="PostgreSQL error"):
        unit()
    with store.transaction() as tx:
        assert tx.get_ticket("t1") is None


def test_nested_transactions_in_one_thread_are_refused(store: PostgresStore) -> None:
    """A thread inside a unit of work cannot open another on the same store."""
    with (
        store.transaction(),
        pytest.raises(StoreError, match="nested transaction"),
        store.transaction(),
    ):
        pass


def test_a_transaction_is_unusable_after_its_block(store: PostgresStore) -> None:
    """Using the transaction object after the block ended raises StoreError."""
    with store.transaction() as tx:
        pass
    with pytest.raises(StoreError, match="the transaction has ended"):
        tx.get_ticket("t1")


def test_a_closed_store_refuses_new_units_of_work(pg_dsn: str) -> None:
    """After close(), transaction() raises StoreError."""
    store = PostgresStore(pg_dsn)
    store.close()
    with pytest.raises(StoreError, match="the store is closed"), store.transaction():
        pass


def test_a_pool_given_by_the_caller_is_used_and_left_open(pg_dsn: str) -> None:
    """PostgresStore(pool=...) works on the caller's pool and does not close it."""
    from psycopg_pool import ConnectionPool

    with ConnectionPool(pg_dsn, min_size=1, max_size=2, open=True) as pool:
        with (
            PostgresStore(pool=pool, agents=[Agent(id="a1")]) as store,
            store.transaction() as tx,
        ):
            tx.add_ticket(_record("t1"))
        with pool.connection() as conn:
            assert conn.autocommit is False
            row = conn.execute("SELECT count(*) FROM tickets").fetchone()
            assert row is not None
            assert row[0] == 1


def test_units_run_without_automatic_prepared_statements(pg_dsn: str) -> None:
    """Connections run units with psycopg's automatic prepared statements off: after a
    pipelined round trip failed (a deadlock) and the unit was rolled back, psycopg could
    keep believing a statement prepared in it existed, and every later unit on that
    connection failed with 'prepared statement "_pg3_N" does not exist' (seen with six
    processes). A caller's pool gets its connections' setting back."""
    from psycopg_pool import ConnectionPool

    with PostgresStore(pg_dsn, agents=[Agent(id="a1")]) as store:
        for _ in range(8):  # past psycopg's threshold of 5 executions
            with store.transaction() as tx:
                assert tx._conn.prepare_threshold is None  # type: ignore[attr-defined]
                tx.get_agent("a1")
    with ConnectionPool(pg_dsn, min_size=1, max_size=1, open=True) as pool:
        with PostgresStore(pool=pool) as store, store.transaction() as tx:
            assert tx._conn.prepare_threshold is None  # type: ignore[attr-defined]
        with pool.connection() as conn:
            assert conn.prepare_threshold == 5


def test_a_dsn_and_a_pool_are_exclusive() -> None:
    """Giving both a dsn and a pool, or neither, is a TypeError."""
    with pytest.raises(TypeError, match="exactly one of a dsn or a pool"):
        PostgresStore()


@pytest.mark.parametrize("early", [True, False])
def test_a_unit_returns_only_once_its_commit_is_on_disk(pg_dsn: str, early: bool) -> None:
    """When transaction() returns, the WAL up to the unit's commit has been flushed."""
    with PostgresStore(pg_dsn, release_locks_before_flush=early) as store:
        for n in range(20):
            with store.transaction() as tx:
                tx.set_rotation("global", RotationState(given=n))
                row = tx._run("SELECT pg_current_wal_insert_lsn()").fetchone()
                assert row is not None
                before_commit = row[0]
            flushed = _sql(pg_dsn, "SELECT pg_current_wal_flush_lsn()")[0][0]
            assert _lsn(str(flushed)) >= _lsn(str(before_commit))


def _lsn(text: str) -> int:
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def test_holding_locks_through_the_flush_keeps_rotation_steps(pg_dsn: str) -> None:
    """With release_locks_before_flush=False, concurrent rotation steps are still all kept."""
    with PostgresStore(pg_dsn, release_locks_before_flush=False) as store:

        def work() -> None:
            for _ in range(20):
                with store.transaction() as tx:
                    state = tx.rotation("global")
                    tx.set_rotation("global", state.model_copy(update={"given": state.given + 1}))

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with store.transaction() as tx:
            assert tx.rotation("global").given == 80


@pytest.mark.parametrize(
    "query",
    [
        TicketQuery(view="urgent", statuses=None),
        TicketQuery(view="urgent"),
        TicketQuery(assignee="a1"),
        TicketQuery(team="retention"),
        TicketQuery(unassigned=True, no_team=True),
        TicketQuery(statuses=None, limit=10),
    ],
)
def test_ticket_queries_can_be_answered_from_an_index(pg_dsn: str, query: TicketQuery) -> None:
    """Every query the views make has an index to use: none needs to read every ticket."""
    import psycopg

    PostgresStore(pg_dsn).close()
    sql, params = _queries.select_tickets(query)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("SET enable_seqscan = off")
        plan = " | ".join(str(r[0]) for r in conn.execute("EXPLAIN " + sql, params))
    assert "Seq Scan" not in plan
    assert "Index" in plan


@pytest.mark.parametrize(
    "closed", [frozenset(), frozenset({"webchat", "sms"})], ids=["open", "closed"]
)
@pytest.mark.parametrize("team", [None, "retention"])
def test_a_hand_out_reads_the_waiting_tickets_index(
    pg_dsn: str, team: str | None, closed: frozenset[str]
) -> None:
    """The pool's waiting tickets (no assignee; no team, or the team's; open) are read
    from an index that leaves assigned tickets out, even when the pool's agents hold
    thousands of open tickets and nothing waits (with fresh statistics, PostgreSQL's
    planner takes ``tickets_assignee``; SQLite's took ``tickets_team`` before its
    schema 6)."""
    import psycopg

    from helpdesk_routing.handout import _page

    with PostgresStore(pg_dsn) as store, store.transaction() as tx:
        for i in range(2000):
            tx.add_ticket(_record(f"t{i:04}", team=team, assignee="a1"))
    sql, params = _queries.select_tickets(_page(team, closed, None, 8))
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("ANALYZE tickets")
        plan = " | ".join(str(r[0]) for r in conn.execute("EXPLAIN " + sql, params))
    assert "Seq Scan" not in plan
    # tickets_assignee's waiting range, or the waiting tickets' own partial index
    assert "Index Cond: ((assignee IS NULL)" in plan or "using tickets_waiting_channel" in plan, (
        plan
    )


@pytest.mark.parametrize("team", [None, "retention"])
def test_after_hours_the_pools_waiting_channels_are_a_seek_each(
    pg_dsn: str, team: str | None
) -> None:
    """After hours (channels left out) a hand-out first lists the pool's waiting channels
    from ``tickets_waiting_channel``, a seek each, however many tickets wait: with only
    left-out channels waiting it reads and locks no ticket (the one query walked the
    left-out channels' tickets whenever they were the oldest)."""
    import psycopg

    from helpdesk_routing.handout import _page
    from helpdesk_routing.stores._sql import pool_by_channel, pool_channels

    with PostgresStore(pg_dsn) as store, store.transaction() as tx:
        for i in range(2000):
            at = T0 + timedelta(seconds=i)
            webchat = Ticket(id=f"t{i:04}", channel="webchat", created_at=at)
            tx.add_ticket(TicketRecord(ticket=webchat, team=team))
        tx.add_ticket(_record("e1", team=team, assignee="a1"))
    query = _page(team, frozenset({"webchat", "sms"}), None, 8)
    assert pool_by_channel(query)
    sql, params = pool_channels(query, "%s")
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("ANALYZE tickets")
        explain = "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) "  # shows the recursive step
        plan = " | ".join(str(r[0]) for r in conn.execute(explain + sql, params))
        assert [r[0] for r in conn.execute(sql, params)] == ["webchat"]
    assert "Seq Scan on tickets" not in plan
    index = "tickets_waiting_channel" if team else "tickets_waiting_channel_no_team"
    assert plan.count(f"Index Only Scan using {index} on tickets") == 2, plan
    with PostgresStore(pg_dsn) as store, store.transaction() as tx:
        sent: list[str] = []
        send = tx._send

        def recorded(queries: Any, **kwargs: Any) -> Any:
            sent.extend(sql for sql, _ in queries)
            return send(queries, **kwargs)

        tx._send = recorded  # type: ignore[method-assign]
        assert tx.find_tickets(query) == []
        assert not [sql for sql in sent if "FOR UPDATE" in sql]  # no ticket read or locked
        opened = query.model_copy(update={"exclude_channels": frozenset({"sms"})})
        assert [r.id for r in tx.find_tickets(opened)] == [f"t{i:04}" for i in range(8)]
        assert [sql for sql in sent if "FOR UPDATE" in sql]


@pytest.mark.parametrize("team", [None, "retention"])
def test_after_hours_each_kept_channels_page_is_a_range_of_its_index(
    pg_dsn: str, team: str | None
) -> None:
    """After hours with other channels waiting too, each kept channel's page is read
    from ``tickets_waiting_channel`` (schema 11: ending in created, id) in order, as many
    rows as the page holds, with fresh statistics or none: no sort, no row filtered out.
    Schema 10's index gave no order, and the one query (``NOT (channel = ANY(...))``)
    walked the 2,000 older webchat tickets on every page, by age or as a filter."""
    import psycopg

    from helpdesk_routing.handout import _page

    with PostgresStore(pg_dsn) as store, store.transaction() as tx:
        for i in range(2000):
            at = T0 + timedelta(seconds=i)
            webchat = Ticket(id=f"w{i:04}", channel="webchat", created_at=at)
            tx.add_ticket(TicketRecord(ticket=webchat, team=team))
        for i in range(20):
            at = T0 + timedelta(hours=12, seconds=i)
            later = Ticket(id=f"k{i:02}", channel=("email", "sms")[i % 2], created_at=at)
            tx.add_ticket(TicketRecord(ticket=later, team=team))
        tx.add_ticket(_record("e1", team=team, assignee="a1"))
    query = _page(team, frozenset({"webchat", "fax"}), None, 8)
    with PostgresStore(pg_dsn) as store, store.transaction() as tx:
        sent: list[tuple[str, Any]] = []
        send = tx._send

        def recorded(queries: Any, **kwargs: Any) -> Any:
            sent.extend(queries)
            return send(queries, **kwargs)

        tx._send = recorded  # type: ignore[method-assign]
        assert [r.id for r in tx.find_tickets(query)] == [f"k{i:02}" for i in range(8)]
    pages = [(sql, params) for sql, params in sent if "FOR UPDATE" in sql]
    assert len(pages) == 2  # email's and sms's, in one round trip
    index = "tickets_waiting_channel" if team else "tickets_waiting_channel_no_team"
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        for statistics in (False, True):
            if statistics:
                conn.execute("ANALYZE tickets")
            for sql, params in pages:
                explain = "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) "
                plan = " | ".join(str(r[0]) for r in conn.execute(explain + sql, params))
                assert f"Index Scan using {index} on tickets (actual rows=8 loops=1)" in plan, plan
                assert "Sort" not in plan, plan
                assert "Rows Removed" not in plan, plan


def test_a_role_that_may_not_flush_holds_its_locks_through_the_flush(
    pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without EXECUTE on the flush function, the store falls back to plain commits."""
    with PostgresStore(pg_dsn) as store:
        assert store._db.early_release is True
    monkeypatch.setattr(_database, "CAN_FLUSH", "SELECT false")
    with PostgresStore(pg_dsn) as store:
        assert store._db.early_release is False
        with store.transaction() as tx:
            tx.set_rotation("global", RotationState(given=3))
        with store.transaction() as tx:
            assert tx.rotation("global").given == 3


def test_a_page_stays_full_when_a_row_leaves_it_while_waited_for(pg_dsn: str) -> None:
    """find_tickets(limit=2) that waits for a ticket which then closes still returns 2 rows."""
    from helpdesk_routing.model import TicketStatus

    name = "page-reader"
    with (
        PostgresStore(pg_dsn) as writer,
        PostgresStore(_with_app_name(pg_dsn, name)) as reader,
    ):
        with writer.transaction() as tx:
            for i, tid in enumerate(["t1", "t2", "t3"]):
                tx.add_ticket(_record(tid, minutes=i))
        got: list[list[str]] = []

        def read() -> None:
            with reader.transaction() as tx:
                got.append([r.id for r in tx.find_tickets(TicketQuery(limit=2))])

        with writer.transaction() as tx:
            record = tx.get_ticket("t2")
            assert record is not None
            closed = record.ticket.model_copy(update={"status": TicketStatus.CLOSED})
            tx.update_ticket(record.model_copy(update={"ticket": closed}))
            tx.get_ticket("t1")  # sends the deferred update
            thread = threading.Thread(target=read)
            thread.start()
            waiting = (
                "SELECT count(*) FROM pg_stat_activity "
                f"WHERE application_name = '{name}' AND wait_event_type = 'Lock'"
            )
            # Commit only once the reader waits for t2's lock (or has failed).
            while _sql(pg_dsn, waiting)[0][0] == 0 and thread.is_alive():
                threading.Event().wait(0.01)
        thread.join()
    assert got == [["t1", "t3"]]


def test_the_largest_waits_allowed_work(pg_dsn: str) -> None:
    """``timeout`` and ``connect_timeout`` at their documented maximums are taken by the
    server and by libpq: units of work run."""
    from helpdesk_routing.stores.postgres._database import MAX_CONNECT_TIMEOUT, MAX_TIMEOUT

    with PostgresStore(
        pg_dsn, timeout=MAX_TIMEOUT, connect_timeout=MAX_CONNECT_TIMEOUT, agents=[Agent(id="a1")]
    ) as store:
        with store.transaction() as tx:
            tx.set_online("a1", True, datetime(2026, 3, 30, tzinfo=UTC))
        with store.transaction() as tx:
            assert tx.online_agents() == ["a1"]
            lock = tx._conn.execute("SHOW lock_timeout").fetchone()  # type: ignore[attr-defined]
            assert lock == ("2147483s",)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"attempts": 0}, "attempts must be a whole number at least 1, got 0"),
        ({"attempts": -5}, "attempts must be a whole number at least 1, got -5"),
        ({"attempts": "3"}, "attempts must be a whole number at least 1, got '3'"),
        ({"attempts": True}, "attempts must be a whole number at least 1, got True"),
        ({"min_size": -1}, "min_size must be a whole number at least 0, got -1"),
        ({"min_size": 2.5}, "min_size must be a whole number at least 0, got 2.5"),
        (
            {"min_size": 0, "max_size": 0},
            "max_size must be a whole number at least 1 (min_size is 0), got 0",
        ),
        (
            {"min_size": 5, "max_size": 4},
            "max_size must be a whole number at least 5 (min_size is 5), got 4",
        ),
        (
            {"max_size": None},
            "max_size must be a whole number at least 1 (min_size is 1), got None",
        ),
        ({"max_size": "4"}, "max_size must be a whole number at least 1 (min_size is 1), got '4'"),
    ],
)
@pytest.mark.parametrize("make", [PostgresStore, PostgresCustomerData])
def test_pool_and_retry_settings_are_checked_before_the_schema_is_touched(
    pg_dsn: str,
    make: type[PostgresStore] | type[PostgresCustomerData],
    given: dict[str, object],
    message: str,
) -> None:
    """A bad ``attempts``, ``min_size`` or ``max_size`` is a ``ValidationError`` naming
    it, before any table is made (the pool library's raw ``ValueError`` or ``TypeError``
    came after the migration; ``attempts=0`` was silently 1; a ``max_size`` below
    ``min_size`` was silently raised to it)."""
    with pytest.raises(ValidationError) as raised:
        make(pg_dsn, **given)  # type: ignore[arg-type]
    assert str(raised.value) == message
    tables = "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
    assert _sql(pg_dsn, tables) == [(0,)]


def test_pool_and_retry_settings_take_any_integral_number(pg_dsn: str) -> None:
    """``attempts``, ``min_size`` and ``max_size`` given as NumPy integers are whole
    numbers, as ints are (they were refused as "no whole number")."""
    import numpy as np  # the test extra holds it: missing, this fails, never skips

    with (
        PostgresStore(
            pg_dsn, attempts=np.int64(2), min_size=np.int32(1), max_size=np.int64(2)
        ) as store,
        store.transaction() as tx,
    ):
        assert tx.configuration_version() == 0


def test_a_version_11_schema_gets_the_hand_out_that_keeps_the_records_text(pg_dsn: str) -> None:
    """A schema at version 11, with the hand-out function as 11 wrote it (the record read
    as ``jsonb`` to set its assignee; the file is kept in tests/stores/data), is migrated
    to 12 when opened: a ticket holding ``1e300`` that waited is handed out and reads
    back as routed (through 11's function it became 301 digits no reader took)."""
    import psycopg

    PostgresStore(pg_dsn).close()
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("UPDATE schema_version SET version = 11")
        conn.execute((_DATA / "pg_v11_hand_out_round_robin.sql").read_text("utf-8"))
        conn.execute(
            "INSERT INTO agents (id, agent, online) VALUES (%s, %s, false)",
            ("a1", Agent(id="a1").model_dump_json()),
        )
    # 11's body sets every record through jsonb; 12's only a caller's of 11 (no marker)
    jsonb_body = (
        "SELECT count(*) FROM pg_proc WHERE proname = 'helpdesk_hand_out_round_robin' "
        "AND prosrc LIKE '%p_record::jsonb%' AND prosrc NOT LIKE '%strpos(p_record%'"
    )
    assert _sql(pg_dsn, jsonb_body) == [(1,)]
    with PostgresStore(pg_dsn) as store:
        router = Router(store=store, customer_data=InMemoryCustomerData(), clock=ManualClock(T0))
        fields = {"huge": 1e300, "e": 1e16, "order": {"z": 1, "a": 2}}
        router.route(Ticket(id="t1", channel="email", created_at=T0, fields=fields))
        router.set_online("a1", True, actor="a1")
        stored = router.ticket("t1")
        assert stored.assignee == "a1"
        assert repr(stored.ticket.fields) == repr(fields)
    assert _sql(pg_dsn, "SELECT version FROM schema_version") == [(12,)]
    assert _sql(pg_dsn, jsonb_body) == [(0,)]
