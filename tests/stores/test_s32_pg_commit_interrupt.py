"""A KeyboardInterrupt landing while psycopg collects a pipeline's results (the commit
pipeline of a unit, or the first round trip of a read) comes out as itself, with the
connection discarded and the pool whole.

Before the fix psycopg's pipeline block swallowed it and raised "cannot exit pipeline
mode while busy"; the adapter then said ``StoreError: lost the connection to PostgreSQL
during a unit of work; nothing of it was committed`` although the COMMIT had been sent
(and, as a rule, executed): the unit was committed.
"""

from __future__ import annotations

import linecache
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import FrameType
from typing import Any

import psycopg
import psycopg._pipeline_base as pipeline_base
import pytest
from hypothesis import given
from hypothesis import strategies as st
from psycopg.pq import TransactionStatus

import helpdesk_routing as hr
from helpdesk_routing.errors import StoreError
from helpdesk_routing.stores.postgres import PostgresStore
from helpdesk_routing.stores.postgres._transaction import PostgresTransaction
from tests.pg_server import fresh_schema_dsn

NOW = datetime(2026, 3, 30, 10, tzinfo=UTC)
SIZE = 2
_EXIT = pipeline_base.BasePipeline._exit_gen.__code__
_FETCH = pipeline_base.BasePipeline._fetch_gen.__code__
_COMMUNICATE = pipeline_base.BasePipeline._communicate_gen.__code__


class Interrupt(KeyboardInterrupt):
    """The injected interrupt (a KeyboardInterrupt, told apart from a real one)."""


@contextmanager
def interrupt_fetching(during: Callable[..., Any], *, at_result: bool) -> Iterator[dict[str, bool]]:
    """Raise :class:`Interrupt` once, as the pipeline block that ``during`` runs in
    this thread exits (all its statements, the COMMIT among them, were sent): with
    ``at_result``, as psycopg takes the first result it collected there (a Ctrl-C once
    the server has answered, as the probe did); else as it starts fetching the results
    its sync did not bring in at once."""
    code = getattr(during, "__wrapped__", during).__code__
    state = {"inside": False, "exiting": False, "fired": False}

    def local(frame: FrameType, event: str, arg: object) -> Any:
        if state["fired"] or event != "line":
            return local
        text = linecache.getline(frame.f_code.co_filename, frame.f_lineno)
        if at_result and "popleft" not in text:
            return local
        state["fired"] = True
        sys.settrace(None)
        frame.f_trace = None
        raise Interrupt("Ctrl-C while the pipeline's results are collected")

    def tracer(frame: FrameType, event: str, arg: object) -> Any:
        if event != "call" or state["fired"]:
            return None
        if frame.f_code is code:
            state["inside"] = True
        elif frame.f_code is _EXIT and state["inside"]:
            state["exiting"] = True
        elif state["exiting"] and (
            frame.f_code is _FETCH or (at_result and frame.f_code is _COMMUNICATE)
        ):
            return local
        return None

    previous = sys.gettrace()  # (coverage's tracer, under make test: given back after)
    sys.settrace(tracer)
    try:
        yield state
    finally:
        sys.settrace(previous)


@contextmanager
def held_up(store: PostgresStore, lock: str) -> Iterator[None]:
    """Another session holds ``lock`` (a ``LOCK TABLE``) meanwhile: the statement of
    the unit that needs the table waits, so its answer is surely not in when the
    pipeline's sync has been sent (no timing involved)."""
    with psycopg.connect(store._db.pool.conninfo) as other:
        other.execute(lock)
        yield
        other.rollback()


@pytest.fixture
def store(request: pytest.FixtureRequest) -> Iterator[PostgresStore]:
    made = PostgresStore(
        fresh_schema_dsn(request), agents=[hr.Agent(id="a1")], max_size=SIZE, connect_timeout=30
    )
    yield made
    made.close()


def _router(store: PostgresStore) -> hr.Router:
    router = hr.Router(
        rules=hr.RuleSet(),
        teams=[],
        store=store,
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(NOW),
        round_robin=False,
    )
    router.set_online("a1", online=True, actor="a1")
    return router


def _assert_whole(store: PostgresStore) -> None:
    db = store._db
    db.settle()
    assert db._local.held is None
    taken = [db.pool.getconn(timeout=10) for _ in range(SIZE)]
    try:
        for conn in taken:
            assert conn.info.transaction_status == TransactionStatus.IDLE
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        for conn in taken:
            db.pool.putconn(conn)


@pytest.mark.postgres
def test_a_ctrl_c_while_the_commit_is_collected_comes_out_as_itself(
    store: PostgresStore,
) -> None:
    """The audit record of the route is written with COMMIT, and waits for the lock."""
    router = _router(store)
    router.route(hr.Ticket(id="t0", channel="email", created_at=NOW))  # connections warm
    ticket = hr.Ticket(id="t1", channel="email", created_at=NOW)
    # before: StoreError "PostgreSQL error: cannot exit pipeline mode while busy"
    with (
        held_up(store, "LOCK TABLE audit IN SHARE MODE"),
        interrupt_fetching(PostgresTransaction._commit, at_result=False) as state,
        pytest.raises(Interrupt),
    ):
        router.route(ticket)
    assert state["fired"]
    _assert_whole(store)
    router.route(hr.Ticket(id="t2", channel="email", created_at=NOW))
    _assert_whole(store)


@pytest.mark.postgres
def test_a_ctrl_c_as_the_commits_answer_is_taken_comes_out_as_itself(
    store: PostgresStore,
) -> None:
    """The probe's case: the server has answered the COMMIT (as a rule; it may be
    taken in before the exit), and the unit is committed or not, whichever it is."""
    router = _router(store)
    router.route(hr.Ticket(id="t0", channel="email", created_at=NOW))
    ticket = hr.Ticket(id="t1", channel="email", created_at=NOW)
    # before: StoreError "lost the connection ...; nothing of it was committed"
    with (
        interrupt_fetching(PostgresTransaction._commit, at_result=True) as state,
        pytest.raises(Interrupt),
    ):
        router.route(ticket)
    assert state["fired"]
    _assert_whole(store)
    with store.read() as tx:
        record = tx.get_ticket("t1")
    assert record is None or record.id == "t1"
    router.route(hr.Ticket(id="t2", channel="email", created_at=NOW))
    _assert_whole(store)


@pytest.mark.postgres
def test_a_ctrl_c_while_a_read_is_collected_comes_out_as_itself(store: PostgresStore) -> None:
    with store.read() as tx:
        assert [a.id for a in tx.agents()] == ["a1"]
    # before: StoreError "PostgreSQL error: cannot exit pipeline mode while busy"
    with (
        held_up(store, "LOCK TABLE agents IN ACCESS EXCLUSIVE MODE"),
        interrupt_fetching(PostgresTransaction._send, at_result=False) as state,
        pytest.raises(Interrupt),
        store.read() as tx,
    ):
        tx.agents()
    assert state["fired"]
    _assert_whole(store)
    with store.read() as tx:
        assert [a.id for a in tx.agents()] == ["a1"]


@pytest.mark.postgres
def test_a_connection_lost_as_the_unit_commits_never_claims_nothing_was_committed(
    store: PostgresStore,
) -> None:
    """The error of a COMMIT whose connection is found lost only by the rollback that
    follows it says the unit may or may not have been committed (before: "nothing of
    it was committed")."""
    db = store._db
    with psycopg.connect(db.pool.conninfo, autocommit=True) as conn:
        pid = conn.info.backend_pid
        with psycopg.connect(db.pool.conninfo, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s, 60000)", (pid,))
        assert not conn.closed  # not known yet
        assert not conn.broken
        error = psycopg.OperationalError("cannot exit pipeline mode while busy")
        mapped = db.commit_error(error, conn)
        assert conn.closed or conn.broken  # the rollback found it lost
    assert isinstance(mapped, StoreError)
    assert "may or may not have been committed" in str(mapped)
    assert "nothing of it was committed" not in str(mapped)


_BASE = st.sampled_from([KeyboardInterrupt, SystemExit, Interrupt, GeneratorExit])
_PLAIN = st.sampled_from([ValueError, psycopg.OperationalError, StoreError])


@given(st.lists(_PLAIN, max_size=4), _BASE, st.lists(_PLAIN, max_size=4), st.booleans())
def test_the_interruption_is_found_anywhere_in_the_chain(
    after: list[type[Exception]],
    base: type[BaseException],
    before: list[type[Exception]],
    as_cause: bool,
) -> None:
    """Built as psycopg does: the interruption, then errors raised while handling it
    (as context, or as cause); found unless it is a GeneratorExit, and never an
    ``Exception``."""
    chain: BaseException = base("interrupted")
    root = chain
    for kind in reversed(before):  # older errors behind the interruption
        older = kind("older")
        chain.__context__ = older
        chain = older
    top: BaseException = root
    for kind in after:
        newer = kind("newer")
        if as_cause:
            newer.__cause__ = top
        else:
            newer.__context__ = top
        top = newer
    from helpdesk_routing.stores.postgres._database import interruption

    found = interruption(top)
    assert found is (None if base is GeneratorExit else root)
    if found is not None:
        assert not isinstance(found, Exception)


def test_a_chain_with_a_cycle_ends() -> None:
    first = psycopg.OperationalError("first")
    second = ValueError("second")
    first.__context__ = second
    second.__context__ = first
    from helpdesk_routing.stores.postgres._database import interruption

    assert interruption(first) is None
