"""Helpdesks in several schemas of one PostgreSQL database (``search_path`` per tenant)
never wait for each other: the advisory locks on ids (a ticket id's claim, an agent's
load lock) are keyed by the current schema as well as the id.

They were keyed by the id alone: tenant A holding its ticket ``t1``, or counting its
agent ``a1``'s load, made tenant B's route of its own, unrelated ``t1`` (or to its own
``a1``) wait for A's unit, and fail with a ``ConflictError`` after ``timeout``. Tenant
B's store here has a one-second ``timeout``, so a lock shared again fails the test at
once instead of hanging.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.model import Agent, Ticket
from helpdesk_routing.records import TicketRecord
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from helpdesk_routing.stores.postgres import PostgresStore, _database, _schema, _transaction
from tests.pg_server import fresh_schema_dsn

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)
_DATA = Path(__file__).parent / "data"
_CLAIM_KEY = 1212696662
_LOAD_KEY = 1212696663


@pytest.fixture
def tenants(request: pytest.FixtureRequest) -> tuple[str, str]:
    """DSNs of two new schemas of one database (tenant A's, tenant B's)."""
    return fresh_schema_dsn(request), fresh_schema_dsn(request)


def _staff(store: PostgresStore) -> None:
    """Agent a1, Online."""
    with store.transaction() as tx:
        tx.put_agent(Agent(id="a1"))
        tx.set_online("a1", True, T0)


def _record(ticket_id: str) -> TicketRecord:
    return TicketRecord(ticket=Ticket(id=ticket_id, channel="email", created_at=T0))


def _advisory_locks_held_elsewhere(dsn: str) -> set[int]:
    """The first keys of the advisory locks other sessions hold."""
    import psycopg

    with psycopg.connect(dsn) as c:
        rows = c.execute(
            "SELECT DISTINCT classid::bigint FROM pg_locks WHERE locktype = 'advisory' "
            "AND granted AND pid <> pg_backend_pid()"
        ).fetchall()
    return {int(r[0]) for r in rows}


@contextmanager
def _held_by_tenant_a(dsn: str) -> Iterator[None]:
    """Tenant A's open unit of work, holding its ticket t1's claim and a1's load lock."""
    with PostgresStore(dsn) as store:
        _staff(store)
        with store.transaction() as tx:
            assert tx.add_ticket(_record("t1")) is None
            assert tx.open_load("a1") == 0
            assert {_CLAIM_KEY, _LOAD_KEY} <= _advisory_locks_held_elsewhere(dsn)
            yield


def _route_in_tenant_b(dsn: str) -> None:
    """Tenant B routes its own t1 with the round-robin function (which claims t1 and,
    with a capacity, takes a1's load lock), and adds t2 and counts a1's load in a unit
    of its own (add_ticket's claim, open_load's load lock): all at once."""
    with PostgresStore(dsn, timeout=1) as store:
        _staff(store)
        router = Router(
            rules=RuleSet(rules=[]),
            teams=[],
            store=store,
            customer_data=InMemoryCustomerData(),
            clock=ManualClock(T0),
            capacity=5,
        )
        assert router.route(Ticket(id="t1", channel="email", created_at=T0)).assignee == "a1"
        with store.transaction() as tx:
            assert tx.add_ticket(_record("t1")) is not None  # B's own t1, stored above
            assert tx.open_load("a1") == 1


def test_a_tenants_held_claim_and_load_lock_do_not_hold_up_another_tenant(
    tenants: tuple[str, str],
) -> None:
    """While tenant A's unit holds its ticket t1's claim and agent a1's load lock,
    tenant B routes its own t1 to its own a1 within its one-second timeout."""
    tenant_a, tenant_b = tenants
    with _held_by_tenant_a(tenant_a):
        _route_in_tenant_b(tenant_b)


def _lock_calls(sql: str) -> list[str]:
    """The text of each ``pg_advisory_xact_lock(...)`` call in ``sql``."""
    calls = []
    for match in re.finditer(r"pg_advisory_xact_lock\(", sql):
        depth, end = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(sql[end], 0)
            end += 1
        calls.append(sql[match.start() : end])
    return calls


def test_every_advisory_lock_is_keyed_by_the_current_schema() -> None:
    """Every advisory lock the store takes, in Python and in the functions' SQL (also the
    walk's load lock of a pool over 64 agents, which the test above does not reach),
    hashes the current schema into its key."""
    sources = [
        _schema.step_function(),
        _schema.route_function(),
        _schema.hand_out_function(),
        _transaction._CLAIM_LOCK,
        _transaction._LOAD_LOCK,
        _database._MIGRATION_LOCK,
    ]
    calls = [call for sql in sources for call in _lock_calls(sql)]
    assert len(calls) == 6
    assert [c for c in calls if "current_schema()" not in c] == []


def _functions_keyed_by_schema(dsn: str) -> list[tuple[str, bool]]:
    import psycopg

    with psycopg.connect(dsn) as c:
        rows = c.execute(
            "SELECT proname, prosrc LIKE '%current_schema()%' FROM pg_proc "
            "WHERE pronamespace = current_schema()::regnamespace "
            "AND proname IN ('helpdesk_round_robin_step', 'helpdesk_route_round_robin') "
            "ORDER BY proname"
        ).fetchall()
    return [(str(r[0]), bool(r[1])) for r in rows]


def test_a_version_8_schema_gets_the_functions_keyed_by_schema(
    tenants: tuple[str, str],
) -> None:
    """A schema at version 8, with the step and route functions as version 8 wrote them
    (locks keyed by the id alone; the files are kept in tests/stores/data), is migrated
    to 9 when opened: both functions are replaced, and tenant B routes through them
    while tenant A holds the same ids."""
    import psycopg

    tenant_a, tenant_b = tenants
    PostgresStore(tenant_b).close()
    with psycopg.connect(tenant_b, autocommit=True) as conn:
        conn.execute("UPDATE schema_version SET version = 8")
        for name in ("pg_v8_round_robin_step.sql", "pg_v8_route_round_robin.sql"):
            conn.execute((_DATA / name).read_text("utf-8"))
    old = [
        ("helpdesk_round_robin_step", False),
        ("helpdesk_route_round_robin", False),
    ]
    assert _functions_keyed_by_schema(tenant_b) == old
    with _held_by_tenant_a(tenant_a):
        _route_in_tenant_b(tenant_b)  # opening B's store migrates it first
    with psycopg.connect(tenant_b) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchone() == (
            _schema.SCHEMA_VERSION,
        )
    assert _functions_keyed_by_schema(tenant_b) == [(name, True) for name, _ in old]
