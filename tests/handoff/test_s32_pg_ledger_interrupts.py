"""A KeyboardInterrupt during a PostgresLedger call leaves the ledger usable: a
connection cut off mid-query (or inside psycopg's transaction block) is closed, never
kept for the next call. Before the fix it was kept: every later call that met it failed
with 'another command is already in progress'."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from psycopg.pq import TransactionStatus

from helpdesk_routing.errors import ConflictError
from helpdesk_routing.handoff import (
    Conversation,
    HandoffRecord,
    PostgresLedger,
    State,
    handoff_id,
    sql_ledger,
)
from tests.pg_server import fresh_schema_dsn
from tests.stores.interrupting import Interrupt, interrupt_at, lines

pytestmark = pytest.mark.postgres

WHEN = datetime(2026, 3, 30, tzinfo=UTC)


@pytest.fixture
def ledger(request: pytest.FixtureRequest) -> Iterator[PostgresLedger]:
    made = PostgresLedger(fresh_schema_dsn(request))
    yield made
    made.close()


def _assert_usable(ledger: PostgresLedger) -> None:
    """Later calls work, and every connection the ledger keeps is idle."""
    for _ in range(3):
        assert ledger.get("nobody") is None
        assert ledger.stalled(WHEN) == []
    for conn in ledger._idle:
        assert conn.info.transaction_status == TransactionStatus.IDLE


def test_a_connection_given_back_mid_query_is_closed(ledger: PostgresLedger) -> None:
    conn = psycopg.connect(ledger._dsn)
    conn.pgconn.send_query(b"SELECT pg_sleep(0)")  # sent, its result never read
    assert conn.info.transaction_status == TransactionStatus.ACTIVE
    kept = list(ledger._idle)
    ledger._give_back(conn)
    assert ledger._idle == kept
    assert conn.closed
    _assert_usable(ledger)


def test_a_connection_given_back_in_a_transaction_is_closed(ledger: PostgresLedger) -> None:
    conn = psycopg.connect(ledger._dsn)
    conn.execute("SELECT 1")  # not autocommit: a transaction is open
    assert conn.info.transaction_status == TransactionStatus.INTRANS
    ledger._give_back(conn)
    assert conn not in ledger._idle
    assert conn.closed


def test_a_ctrl_c_mid_query_leaves_the_ledger_usable(
    ledger: PostgresLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The interrupt arrives once the statement was sent, before its result is read."""

    def cut_off(run: Any, statement: str, key: str, name: str) -> None:
        run.__self__.pgconn.send_query(b"SELECT pg_sleep(0)")
        raise Interrupt("mid-query")

    with monkeypatch.context() as patch:
        patch.setattr(sql_ledger, "_one", cut_off)
        with pytest.raises(Interrupt):
            ledger.get("h1")
    _assert_usable(ledger)


# The ledger's own lines, and those of psycopg's transaction block (whose bookkeeping a
# Ctrl-C can leave half done: reused, the connection failed with 'transaction rollback
# at the wrong nesting level').
TARGETS: list[Callable[..., Any]] = [
    PostgresLedger._unit,
    PostgresLedger._give_back,
    psycopg.Transaction.__enter__,
    psycopg.Transaction.__exit__,
]

CASES = [
    pytest.param(func, line, what, id=f"{func.__qualname__}:{line}-{what}")
    for what in ("read", "conflict")
    for func in TARGETS
    for line in lines(func)
]

UNKNOWN = HandoffRecord(
    id=handoff_id("c1"),
    conversation=Conversation(id="c1", channel="sms", profile_id="p1"),
    destination="builtin",
    reason="knowledge_gap",
    state=State.REQUESTED,
    created_at=WHEN,
    updated_at=WHEN,
    version=2,
)


@pytest.mark.parametrize(("func", "line", "what"), CASES)
def test_an_interrupt_at_any_line_leaves_the_ledger_usable(
    ledger: PostgresLedger, func: Callable[..., Any], line: int, what: str
) -> None:
    """A plain call, and one whose unit fails with an ordinary error (a compare and
    set on a handoff never created: ConflictError, its connection kept)."""
    ledger.get("warm")  # a connection is kept
    with interrupt_at(func, line) as state:
        try:
            if what == "read":
                ledger.stalled(WHEN)
            else:
                with pytest.raises(ConflictError):
                    ledger.replace(UNKNOWN)
        except Interrupt:
            assert state["fired"]
    _assert_usable(ledger)
