"""PostgreSQL databases and sessions of another encoding than UTF8.

Ids, subjects and properties are any Unicode text. A ``SQL_ASCII`` database made the
store's opening raise a raw ``TypeError`` (psycopg hands its text back as bytes) and a
``LATIN1`` one a raw ``UnicodeEncodeError`` at the first emoji; a session whose
``client_encoding`` was not UTF8 (``PGCLIENTENCODING``) did the same with a UTF8 one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.errors import StoreError
from helpdesk_routing.handoff import PostgresLedger
from helpdesk_routing.model import Agent, Event, Role, Ticket
from helpdesk_routing.router import Router
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from helpdesk_routing.stores.postgres import PostgresCustomerData, PostgresStore

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _database(postgres_dsn: str, encoding: str) -> Iterator[str]:
    """A DSN of a new database encoded ``encoding`` (dropped afterwards)."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    name = f"enc_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute(
            f"CREATE DATABASE {name} TEMPLATE template0 "
            f"ENCODING '{encoding}' LC_COLLATE 'C' LC_CTYPE 'C'"
        )
    try:
        yield make_conninfo(postgres_dsn, dbname=name)
    finally:
        with psycopg.connect(postgres_dsn, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def sql_ascii_dsn(postgres_dsn: str) -> Iterator[str]:
    yield from _database(postgres_dsn, "SQL_ASCII")


@pytest.fixture
def latin1_dsn(postgres_dsn: str) -> Iterator[str]:
    yield from _database(postgres_dsn, "LATIN1")


def test_a_database_without_an_encoding_is_refused(sql_ascii_dsn: str) -> None:
    """SQL_ASCII (psycopg hands its text back as bytes): the store, its customer data
    and the handoff ledger say what is wrong and how to make a database that serves."""
    with pytest.raises(StoreError, match=r"a PostgreSQL store needs a database with an encod"):
        PostgresStore(sql_ascii_dsn)
    with pytest.raises(StoreError, match=r"ENCODING 'UTF8' TEMPLATE template0"):
        PostgresCustomerData(sql_ascii_dsn)
    with pytest.raises(
        StoreError,
        match=r"handoff ledger needs a UTF8 database, and this one is encoded SQL_ASCII",
    ):
        PostgresLedger(sql_ascii_dsn)


def test_a_database_in_another_encoding_keeps_what_it_can(latin1_dsn: str) -> None:
    """LATIN1: a store made there before serves on (nothing stored is locked out); text it
    can keep reads back, and text it cannot is a StoreError, nothing of it stored (a raw
    UnicodeEncodeError before)."""
    store = PostgresStore(latin1_dsn, agents=[Agent(id="m1", role=Role.MANAGER)])
    data = PostgresCustomerData(latin1_dsn)
    try:
        router = Router(store=store, customer_data=data, clock=ManualClock(NOW))
        router.route(Ticket(id="t1", channel="email", subject="Café crème", created_at=NOW))
        assert router.ticket("t1").ticket.subject == "Café crème"
        with pytest.raises(StoreError, match="has no equivalent in encoding"):
            router.route(Ticket(id="t2", channel="email", subject="😀", created_at=NOW))
        assert [r.ticket.id for r in router.views.all_tickets().items] == ["t1"]
        with pytest.raises(StoreError, match="has no equivalent in encoding"):
            data.add_event(Event(profile_id="p😀", metric="ordered", timestamp=NOW))
    finally:
        store.close()
        data.close()
    # the handoff ledger keeps what services answer ("can’t"), any text: UTF8 only;
    # the report's reader of one reads it
    with pytest.raises(StoreError, match=r"handoff ledger needs a UTF8 database, and this one"):
        PostgresLedger(latin1_dsn)


def test_the_reports_reader_reads_a_ledger_in_another_encoding(
    latin1_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A LATIN1 ledger an earlier version made: refused for writing now, still read."""
    from helpdesk_routing.handoff.sql_ledger import PostgresLedgerReader
    from helpdesk_routing.stores.postgres import _database

    with monkeypatch.context() as earlier:  # as a version without the check made it
        earlier.setattr(_database, "encoding_problem", lambda *args, **kwargs: None)
        PostgresLedger(latin1_dsn).close()
    reader = PostgresLedgerReader(latin1_dsn)
    try:
        assert reader.created_between(NOW, NOW.replace(year=2027)) == []
    finally:
        reader.close()


def test_a_session_in_another_client_encoding_keeps_any_text(
    pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``PGCLIENTENCODING=LATIN1`` in the environment: the library's own connections
    speak UTF8 whatever it says, so an emoji is stored and read back."""
    monkeypatch.setenv("PGCLIENTENCODING", "LATIN1")
    store = PostgresStore(pg_dsn, agents=[Agent(id="m1", role=Role.MANAGER)])
    data = PostgresCustomerData(pg_dsn)
    ledger = PostgresLedger(pg_dsn)
    try:
        router = Router(store=store, customer_data=InMemoryCustomerData(), clock=ManualClock(NOW))
        router.route(Ticket(id="t😀", channel="email", subject="héllo 😀", created_at=NOW))
        assert router.ticket("t😀").ticket.subject == "héllo 😀"
        data.add_event(Event(profile_id="p😀", metric="ordered", timestamp=NOW))
        assert [e.profile_id for e in data.events_between(NOW, NOW.replace(hour=10))] == ["p😀"]
    finally:
        store.close()
        data.close()
        ledger.close()


def test_a_callers_pool_in_another_client_encoding_is_refused(pg_dsn: str) -> None:
    """A caller's pool whose connections send LATIN1: refused, naming the setting."""
    from psycopg_pool import ConnectionPool

    pool: ConnectionPool = ConnectionPool(
        pg_dsn, kwargs={"client_encoding": "LATIN1", "autocommit": True}, open=True
    )
    try:
        with pytest.raises(StoreError, match=r"client_encoding to be UTF8, and it is LATIN1"):
            PostgresStore(pool=pool)
    finally:
        pool.close()
