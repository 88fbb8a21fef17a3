"""A KeyboardInterrupt at any line of a PostgreSQL unit of work (its begin, its body,
its commit, the reads of the customer data), or while the unit waits for a connection
of an exhausted pool, loses no connection of the pool: afterwards every connection of
the pool can be taken again, each one idle, and the store and the customer data work.

Before the fix a Ctrl-C while ``getconn`` waited left psycopg_pool's place in its queue
behind, and the pool later handed a connection to it (lost); one in ``putconn`` or
between taking the connection and the ``try`` that gives it back lost it too: after a
few dozen Ctrl-Cs every call failed with 'cannot get a PostgreSQL connection'.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from types import CodeType, FrameType
from typing import Any

import pytest
from psycopg.pq import TransactionStatus

import helpdesk_routing as hr
from helpdesk_routing.stores.postgres import PostgresCustomerData, PostgresStore
from helpdesk_routing.stores.postgres._database import Database
from helpdesk_routing.stores.postgres._transaction import PostgresTransaction
from tests.pg_server import fresh_schema_dsn
from tests.stores.interrupting import Interrupt, interrupt_at, lines, source

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 3, 30, 10, tzinfo=UTC)
MAX_SIZE = 2


class Failing(Exception):
    """A unit's block failing."""


def _code(func: Callable[..., Any]) -> CodeType:
    code: CodeType = getattr(func, "__wrapped__", func).__code__
    return code


class Desk:
    """A store, customer data and routers on one fresh schema."""

    def __init__(self, dsn: str, rr_dsn: str) -> None:
        self.store = self._store(dsn)
        self.rr_store = self._store(rr_dsn)  # its configuration has round_robin on
        self.data = PostgresCustomerData(dsn, max_size=MAX_SIZE, connect_timeout=30)
        self.router = self._router(self.store, round_robin=False)
        self.rr_router = self._router(self.rr_store, round_robin=True)
        self.count = 0

    @staticmethod
    def _store(dsn: str) -> PostgresStore:
        return PostgresStore(dsn, agents=[hr.Agent(id="a1")], max_size=MAX_SIZE, connect_timeout=30)

    def _router(self, store: PostgresStore, *, round_robin: bool) -> hr.Router:
        router = hr.Router(
            rules=hr.RuleSet(),
            teams=[],
            store=store,
            customer_data=self.data,
            clock=hr.ManualClock(NOW),
            round_robin=round_robin,
        )
        router.set_online("a1", online=True, actor="a1")
        return router

    def run(self, what: str) -> None:
        self.count += 1
        if what in ("route", "route-rr"):
            router = self.rr_router if what == "route-rr" else self.router
            ticket = hr.Ticket(id=f"t{self.count}", channel="email", created_at=NOW)
            decision = router.route(ticket)
            assert decision.assignee == ("a1" if what == "route-rr" else None)
        elif what == "read":
            with self.store.read() as tx:
                assert [a.id for a in tx.agents()] == ["a1"]
        elif what == "fail":
            with pytest.raises(Failing):
                self._fail()
        elif what == "profile":
            self.data.add_profile(hr.Profile(id=f"p{self.count}"))
        else:
            assert self.data.profile("nobody") is None

    def _fail(self) -> None:
        with self.store.transaction() as tx:
            tx.agents()
            raise Failing("the block fails: the unit is rolled back")

    def assert_whole(self) -> None:
        """Nothing held by this thread, and every connection of both pools can be
        taken (a lost one would time out), each one idle; then everything works."""
        for db in (self.store._db, self.rr_store._db, self.data._db):
            db.settle()
            assert db._local.held is None
            taken = [db.pool.getconn(timeout=10) for _ in range(MAX_SIZE)]
            try:
                for conn in taken:
                    assert conn.info.transaction_status == TransactionStatus.IDLE
                    assert conn.execute("SELECT 1").fetchone() == (1,)
            finally:
                for conn in taken:
                    db.pool.putconn(conn)
        for what in ("route", "route-rr", "read", "fail", "profile", "profile-read"):
            self.run(what)

    def close(self) -> None:
        self.store.close()
        self.rr_store.close()
        self.data.close()


@pytest.fixture
def desk(request: pytest.FixtureRequest) -> Iterator[Desk]:
    made = Desk(fresh_schema_dsn(request), fresh_schema_dsn(request))
    yield made
    made.close()


TARGETS: list[tuple[Callable[..., Any], str]] = [
    (PostgresStore._unit, "route"),
    (PostgresStore._unit, "read"),
    (PostgresStore._unit, "fail"),
    (PostgresTransaction.__init__, "route"),
    (PostgresTransaction._send, "route"),
    (PostgresTransaction._start, "route"),
    (PostgresTransaction._commit, "route"),
    (PostgresTransaction._commit_route, "route-rr"),
    (PostgresTransaction._rollback, "fail"),
    (Database.check_free, "route"),
    (Database.checkout, "route"),
    (Database.acquire, "route"),
    (Database.acquire, "profile-read"),
    (Database.rollback, "fail"),
    (Database.begin, "profile"),
    (Database.commit, "profile"),
    (Database.unit, "profile"),
    (Database.read, "profile-read"),
]

# The finally of these hands the unit's connection over with no call before the
# handover (a C call): CPython runs signal handlers only at calls and backward jumps,
# so no signal can arrive at those lines (a trace function could raise there, which no
# Ctrl-C can do), and they are not tested.
HANDING_OVER = (PostgresStore._unit, Database.unit, Database.read)


def _signal_free(func: Callable[..., Any], line: int) -> bool:
    if func not in HANDING_OVER:
        return False
    code = _code(func)
    body = range(code.co_firstlineno, max(n for _, _, n in code.co_lines() if n) + 1)
    start = max(n for n in body if source(func, n) == "finally:")
    return line > start


CASES = [
    pytest.param(func, what, line, id=f"{func.__qualname__}:{line}-{what}")
    for func, what in TARGETS
    for line in lines(func)
    if not _signal_free(func, line)
]


@pytest.mark.parametrize(("func", "what", "line"), CASES)
def test_an_interrupt_at_any_line_loses_no_connection(
    desk: Desk, func: Callable[..., Any], what: str, line: int
) -> None:
    desk.run(what)  # the connections exist and have served once
    with interrupt_at(func, line) as state:
        try:
            desk.run(what)
        except Interrupt:
            assert state["fired"]  # the interrupt came out as itself
    desk.assert_whole()


@pytest.mark.parametrize(
    ("func", "what"), [pytest.param(f, w, id=f"{f.__qualname__}-{w}") for f, w in TARGETS]
)
def test_each_target_runs_in_its_operation(desk: Desk, func: Callable[..., Any], what: str) -> None:
    """The cases above test something: each function runs in its operation (one never
    called would make its cases pass without an interrupt)."""
    code = _code(func)
    called: list[bool] = []

    def glob(frame: FrameType, event: str, arg: object) -> Any:
        if event == "call" and frame.f_code is code:
            called.append(True)
        return None

    previous = sys.gettrace()
    sys.settrace(glob)
    try:
        desk.run(what)
    finally:
        sys.settrace(previous)
    assert called


@pytest.mark.parametrize("what", ["route", "route-rr", "read", "profile", "profile-read"])
def test_a_ctrl_c_while_waiting_for_a_connection_loses_none(desk: Desk, what: str) -> None:
    """The pool is exhausted; a real signal cuts off the unit while it waits for a
    connection. Before the fix the pool later gave the connection to the wait that was
    cut off: lost, and the next unit waited for it until connect_timeout."""
    adapters = {"route-rr": desk.rr_store, "profile": desk.data, "profile-read": desk.data}
    db = adapters.get(what, desk.store)._db
    desk.run(what)
    main = threading.get_ident()
    taken = [db.pool.getconn(timeout=10) for _ in range(MAX_SIZE)]

    def interrupt_when_waiting() -> None:
        deadline = time.monotonic() + 30
        while db.pool.get_stats().get("requests_waiting", 0) < 1:
            assert time.monotonic() < deadline, "the unit never waited for a connection"
            time.sleep(0.005)
        signal.pthread_kill(main, signal.SIGUSR1)

    def handler(signum: int, frame: object) -> None:
        raise Interrupt("SIGUSR1")

    previous = signal.signal(signal.SIGUSR1, handler)
    try:
        helper = threading.Thread(target=interrupt_when_waiting)
        helper.start()
        try:
            with pytest.raises(Interrupt):
                desk.run(what)
        finally:
            helper.join()
    finally:
        signal.signal(signal.SIGUSR1, previous)
    for conn in taken:
        db.pool.putconn(conn)
    desk.assert_whole()


def test_a_connection_given_back_mid_query_is_not_reused(desk: Desk) -> None:
    """A connection still running a statement (cut off mid-query) is closed when given
    back, and the pool replaces it: the next units never meet it."""
    db = desk.store._db
    held: list[Any] = []
    db.acquire(held)
    conn = held[0]
    conn.pgconn.send_query(b"SELECT pg_sleep(0)")  # sent, its result never read
    assert conn.info.transaction_status == TransactionStatus.ACTIVE
    db._return_all(held)
    assert held == []
    assert conn.closed
    desk.assert_whole()


def test_other_threads_take_and_give_back_directly(desk: Desk) -> None:
    """A thread other than the main one (where no signal arrives) uses the pool
    itself; its units work and give their connections back."""
    failures: list[BaseException] = []

    def work() -> None:
        try:
            for what in ("route", "read", "profile", "profile-read"):
                desk.run(what)
            assert desk.store._db._local.held is None
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert desk.store._db._courier.started  # the main thread's fixture set-up used it
    desk.assert_whole()


def _courier_thread(db: Database) -> threading.Thread:
    (thread,) = [
        t
        for t in threading.enumerate()
        if getattr(t, "_target", None) is not None
        and getattr(t._target, "__self__", None) is db._courier
    ]
    return thread


def test_the_courier_ends_with_its_adapter(pg_dsn: str) -> None:
    """The courier thread keeps no reference to its adapter: when the adapter is gone,
    its thread ends (before, a thread waiting with the adapter's bound method in a
    local kept both for ever)."""
    import gc

    store = PostgresStore(pg_dsn, agents=[hr.Agent(id="a1")])
    with store.read() as tx:
        tx.agents()
    thread = _courier_thread(store._db)
    store.close()
    del store, tx
    gc.collect()
    thread.join(60)  # the stop is queued behind what was left; no duration is asserted
    assert not thread.is_alive()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_starts_its_own_courier(pg_dsn: str) -> None:
    """The courier thread does not come along into a child process; the child's first
    take starts one there (before, it would have waited for a thread that is not
    there)."""
    store = PostgresStore(pg_dsn, agents=[hr.Agent(id="a1")])
    try:
        with store.read() as tx:
            tx.agents()
        assert store._db._courier.started
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child reports through its exit status
            code = 1
            try:
                code = 0 if not store._db._courier.started else 2
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        with store.read() as tx:  # the parent's courier goes on
            assert [a.id for a in tx.agents()] == ["a1"]
    finally:
        store.close()
