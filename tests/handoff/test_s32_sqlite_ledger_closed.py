"""A SqliteLedger after close(): every call is ``StoreError: SQLite handoff ledger: the
ledger is closed`` and the repr says ``(closed)``, as SqliteStore and PostgresLedger.

Before: sqlite3's own words inside the StoreError ('Cannot operate on a closed
database.'), a repr that did not tell, and a close() that waited for a call running in
another thread (up to the ledger's ``timeout`` while that call waited for the lock)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk_routing.errors import StoreError
from helpdesk_routing.handoff import Conversation, HandoffRecord, State, handoff_id
from helpdesk_routing.handoff.sql_ledger import SqliteLedger, _create

T0 = datetime(2026, 11, 23, 10, tzinfo=UTC)
CLOSED = "SQLite handoff ledger: the ledger is closed"


def _record(conversation: str = "c1") -> HandoffRecord:
    return HandoffRecord(
        id=handoff_id(conversation),
        conversation=Conversation(id=conversation, channel="sms", profile_id="p1"),
        destination="builtin",
        reason="knowledge_gap",
        state=State.REQUESTED,
        created_at=T0,
        updated_at=T0,
    )


CALLS: dict[str, Callable[[SqliteLedger], object]] = {
    "create": lambda ledger: ledger.create(_record("c9")),
    "replace": lambda ledger: ledger.replace(_record("c1").model_copy(update={"version": 2})),
    "get": lambda ledger: ledger.get(handoff_id("c1")),
    "for_conversation": lambda ledger: ledger.for_conversation("c1"),
    "created_between": lambda ledger: ledger.created_between(T0, T0 + timedelta(days=1)),
    "stalled": lambda ledger: ledger.stalled(T0 + timedelta(days=1)),
}


def _closed_conn(ledger: SqliteLedger) -> bool:
    try:
        ledger._conn.execute("SELECT 1")
    except sqlite3.ProgrammingError:
        return True
    return False


@pytest.mark.parametrize("memory", [False, True], ids=["file", "memory"])
@pytest.mark.parametrize("call", sorted(CALLS))
def test_every_call_after_close_says_the_ledger_is_closed(
    tmp_path: Path, call: str, memory: bool
) -> None:
    path = ":memory:" if memory else str(tmp_path / "l.db")
    ledger = SqliteLedger(path)
    ledger.create(_record())
    assert repr(ledger) == f"<SqliteLedger {path!r}>"
    ledger.close()
    ledger.close()  # twice: harmless
    with pytest.raises(StoreError) as err:
        CALLS[call](ledger)
    assert str(err.value) == CLOSED
    assert repr(ledger) == f"<SqliteLedger {path!r} (closed)>"
    assert _closed_conn(ledger)


def test_a_context_manager_closes_it(tmp_path: Path) -> None:
    with SqliteLedger(tmp_path / "l.db") as ledger:
        pass
    assert repr(ledger).endswith(" (closed)>")
    with pytest.raises(StoreError, match="the ledger is closed"):
        ledger.get(handoff_id("c1"))


class _Running:
    """A unit of ``ledger`` running in another thread, held open until told to end;
    it creates a handoff for ``conversation`` and commits."""

    def __init__(self, ledger: SqliteLedger, conversation: str = "c1") -> None:
        self.inside, self.go = threading.Event(), threading.Event()
        self.told_in_time: bool | None = None
        self.result: object = None
        self._thread = threading.Thread(target=self._run, args=(ledger, conversation), daemon=True)
        self._thread.start()
        assert self.inside.wait(30)

    def _run(self, ledger: SqliteLedger, conversation: str) -> None:
        try:
            with ledger._unit() as run:
                self.inside.set()
                # Before the fix, close() waited for this unit: the wait ran out.
                self.told_in_time = self.go.wait(10)
                self.result = _create(ledger._sql, run, _record(conversation))
        except BaseException as exc:
            self.result = exc

    def end(self) -> None:
        self.go.set()
        self._thread.join(30)


def test_close_while_another_thread_runs_a_unit(tmp_path: Path) -> None:
    """close() returns at once; the running unit commits; its connection is closed as
    it ends; the next call is refused."""
    path = tmp_path / "l.db"
    ledger = SqliteLedger(path)
    running = _Running(ledger)
    try:
        ledger.close()  # does not wait for the running unit
        assert not _closed_conn(ledger)  # still in use by that unit
    finally:
        running.end()
    assert running.told_in_time is True
    assert running.result == (_record("c1"), True)
    assert _closed_conn(ledger)
    with pytest.raises(StoreError) as err:
        ledger.get(handoff_id("c1"))
    assert str(err.value) == CLOSED
    with SqliteLedger(path) as other:  # it was committed
        assert other.get(handoff_id("c1")) == _record("c1")


def test_a_call_waiting_for_the_running_unit_is_refused_after_close(tmp_path: Path) -> None:
    ledger = SqliteLedger(tmp_path / "l.db")
    running = _Running(ledger)
    waiting: list[object] = []
    started = threading.Event()

    def call() -> None:
        started.set()
        try:
            waiting.append(ledger.get(handoff_id("c1")))
        except StoreError as exc:
            waiting.append(str(exc))

    other = threading.Thread(target=call, daemon=True)
    other.start()
    started.wait(30)
    ledger.close()
    running.end()
    other.join(30)
    assert waiting == [CLOSED]
    assert _closed_conn(ledger)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    threads=st.integers(1, 6),
    calls=st.integers(1, 8),
    close_after=st.integers(0, 20),
)
def test_calls_racing_a_close(
    tmp_path_factory: pytest.TempPathFactory, threads: int, calls: int, close_after: int
) -> None:
    """Threads calling while another closes the ledger: each call either succeeds or
    is refused as closed (never sqlite3's words, never another error), every call
    after close() returned is refused, and once all have ended the connection is
    closed."""
    path = tmp_path_factory.mktemp("race") / "l.db"
    ledger = SqliteLedger(path)
    done = threading.Semaphore(0)
    closed = threading.Event()
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        for call in range(calls):
            after_close = closed.is_set()
            try:
                ledger.create(_record(f"c{index}-{call}"))
                outcome = "late" if after_close else "ok"
            except StoreError as exc:
                outcome = "closed" if str(exc) == CLOSED else f"other: {exc}"
            except BaseException as exc:
                outcome = f"other: {exc!r}"
            with lock:
                outcomes.append(outcome)
            done.release()

    workers = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for thread in workers:
        thread.start()
    for _ in range(min(close_after, threads * calls)):
        done.acquire()
    ledger.close()
    closed.set()
    for thread in workers:
        thread.join(30)
    assert set(outcomes) <= {"ok", "closed"}, outcomes
    assert _closed_conn(ledger)
    assert repr(ledger).endswith(" (closed)>")
