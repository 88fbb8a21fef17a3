"""PostgreSQL sessions set otherwise than the server's defaults, as a database, a role or
a dsn may set them (``ALTER DATABASE ... SET``, ``options=-c ...``).

A ``DateStyle`` other than ISO made every event read raise psycopg's own
``NotImplementedError``; ``standard_conforming_strings = off`` failed every route (the
schema's PL/pgSQL parsed with escapes) and a new schema's preparation; a default isolation
of repeatable read or serializable made processes opening a new store or ledger together
fail ("holds ... tables but no schema version") and concurrent creates of one
conversation's handoff fail with a serialisation error.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from helpdesk_routing import metrics
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.handoff import Conversation, HandoffRecord, PostgresLedger, State
from helpdesk_routing.handoff.records import handoff_id
from helpdesk_routing.model import Agent, Event, Role, Ticket
from helpdesk_routing.router import Router
from helpdesk_routing.stores.postgres import PostgresCustomerData, PostgresStore

NOW = datetime(2026, 3, 30, 10, 0, 0, 123457, tzinfo=UTC)
EARLY = datetime(1, 1, 1, 1, tzinfo=UTC)


def _with(dsn: str, *settings: str) -> str:
    """``dsn`` with ``-c setting`` options added to its own (its search_path kept)."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    options = str(conninfo_to_dict(dsn).get("options") or "")
    return make_conninfo(dsn, options=" ".join([options, *(f"-c {s}" for s in settings)]))


def _route_and_read(dsn: str) -> None:
    store = PostgresStore(dsn, agents=[Agent(id="a1"), Agent(id="m1", role=Role.MANAGER)])
    data = PostgresCustomerData(dsn)
    try:
        data.add_event(Event(profile_id="p1", metric="ordered", timestamp=NOW))
        router = Router(store=store, customer_data=data, clock=ManualClock(NOW))
        router.set_online("a1", True, actor="a1")
        decision = router.route(Ticket(id="t1", channel="email", subject="a\\b", created_at=NOW))
        assert decision.assignee == "a1"
        assert router.ticket("t1").ticket.created_at == NOW
        assert [e.timestamp for e in data.events("p1", "ordered")] == [NOW]
        # read back in UTC whatever zone the session had: year 1 in a zone west of UTC
        # would lie before it (as "UTC+3", POSIX for three hours west, did)
        data.add_event(Event(profile_id="p1", metric="early", timestamp=EARLY))
        assert [e.timestamp for e in data.events("p1", "early")] == [EARLY]
        report = metrics.report(store, data, NOW - timedelta(days=1), NOW + timedelta(days=1))
        assert report.tickets == 1
    finally:
        store.close()
        data.close()


@pytest.mark.parametrize(
    "setting",
    [
        "DateStyle=SQL,DMY",
        "DateStyle=German",
        "standard_conforming_strings=off",
        "TimeZone=Asia/Kathmandu",
        "TimeZone=UTC+3",
        "default_transaction_isolation=serializable",
    ],
)
def test_the_adapters_serve_a_session_set_otherwise(pg_dsn: str, setting: str) -> None:
    """A new schema prepared, a ticket routed, times and events read back to the
    microsecond and reported, under the setting given in the dsn."""
    _route_and_read(_with(pg_dsn, setting))


def test_a_schema_prepared_as_usual_serves_standard_strings_off(pg_dsn: str) -> None:
    """The schema's PL/pgSQL functions are parsed under the calling session's setting."""
    PostgresStore(pg_dsn).close()
    _route_and_read(_with(pg_dsn, "standard_conforming_strings=off"))


def test_a_callers_pool_gets_its_settings_back(pg_dsn: str) -> None:
    """A caller's pool in German dates and without standard strings: the units read as
    they must, and every connection goes back to the pool with the caller's settings."""
    from psycopg_pool import ConnectionPool

    PostgresStore(pg_dsn).close()
    odd = _with(pg_dsn, "DateStyle=German", "standard_conforming_strings=off")
    pool: ConnectionPool[Any] = ConnectionPool(odd, min_size=1, max_size=1, open=True)
    data = PostgresCustomerData(pool=pool)
    try:
        data.add_event(Event(profile_id="p1", metric="ordered", timestamp=NOW))
        assert [e.timestamp for e in data.events("p1", "ordered")] == [NOW]
        with pool.connection() as conn:
            assert conn.info.parameter_status("DateStyle") == "German, DMY"
            assert conn.info.parameter_status("standard_conforming_strings") == "off"
    finally:
        data.close()
        pool.close()


def _together(calls: list[Callable[[], str]]) -> list[str]:
    """What each of ``calls``, run at once in threads, answered (or raised), sorted."""
    barrier = threading.Barrier(len(calls))
    said: list[str] = []

    def go(call: Callable[[], str]) -> None:
        barrier.wait()
        try:
            said.append(call())
        except Exception as exc:
            said.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=go, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return sorted(said)


def _opened(adapter: Callable[[str], Any], dsn: str) -> str:
    adapter(dsn).close()
    return "ok"


@pytest.mark.parametrize("level", ["repeatable read", "serializable"])
@pytest.mark.parametrize("adapter", [PostgresStore, PostgresCustomerData, PostgresLedger])
def test_processes_opening_a_new_schema_together_all_open_at_any_isolation(
    pg_dsn: str, level: str, adapter: Callable[[str], object]
) -> None:
    spelled = level.replace(" ", "\\ ")  # a space in libpq's options is escaped
    dsn = _with(pg_dsn, f"default_transaction_isolation={spelled}")
    assert _together([lambda: _opened(adapter, dsn) for _ in range(4)]) == ["ok"] * 4


def test_concurrent_creates_of_one_handoff_answer_the_one_made_when_serializable(
    pg_dsn: str,
) -> None:
    dsn = _with(pg_dsn, "default_transaction_isolation=serializable")
    PostgresLedger(dsn).close()
    record = _handoff()
    for _ in range(3):
        ledgers = [PostgresLedger(dsn) for _ in range(4)]
        said = _together([lambda ledger=ledger: _created(ledger, record) for ledger in ledgers])
        with ledgers[0]._unit() as run:
            run("DELETE FROM handoffs", ())
        for ledger in ledgers:
            ledger.close()
        assert said == ["existing", "existing", "existing", "new"]


def _handoff() -> HandoffRecord:
    return HandoffRecord(
        id=handoff_id("c1"),
        conversation=Conversation(id="c1", channel="sms", profile_id="p1"),
        destination="builtin",
        reason="knowledge_gap",
        state=State.REQUESTED,
        created_at=NOW,
        updated_at=NOW,
    )


def _created(ledger: PostgresLedger, record: HandoffRecord) -> str:
    return "new" if ledger.create(record)[1] else "existing"


def test_a_ledger_connection_the_server_ended_while_kept_is_replaced(pg_dsn: str) -> None:
    """`idle_session_timeout`: the server ends a connection the ledger kept between calls;
    the next call failed once with a StoreError ('terminating connection due to
    idle-session timeout'), where the store starts again on a fresh connection."""
    import time

    ledger = PostgresLedger(_with(pg_dsn, "idle_session_timeout=100"))
    try:
        record = _handoff()
        assert ledger.create(record)[1] is True
        time.sleep(0.5)
        assert ledger.get(record.id) == record
        time.sleep(0.5)
        assert ledger.create(record)[1] is False
    finally:
        ledger.close()
