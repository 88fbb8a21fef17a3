"""An adapter built on a caller's pool gives every connection back to that pool, even
when it is dropped (or closed) right after a main-thread unit whose connection the
courier thread had not given back yet.

Before the fix the courier held the adapter weakly, and when the adapter was gone
before the courier got to the give-back it closed the connection without ``putconn``:
the caller's pool lost that slot for good (2 available, then 1, then 0, then
``PoolTimeout``). And ``close()`` returned before the courier had given back what the
adapter's last unit handed it.
"""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator

import pytest
from psycopg.pq import TransactionStatus
from psycopg_pool import ConnectionPool

import helpdesk_routing as hr
from helpdesk_routing.stores.postgres import PostgresCustomerData, PostgresStore
from helpdesk_routing.stores.postgres._database import Database
from tests.pg_server import fresh_schema_dsn

pytestmark = pytest.mark.postgres

SIZE = 2
ADAPTERS = 4


@pytest.fixture
def pool(request: pytest.FixtureRequest) -> Iterator[ConnectionPool]:
    dsn = fresh_schema_dsn(request)
    PostgresStore(dsn, agents=[hr.Agent(id="a1")]).close()
    made: ConnectionPool = ConnectionPool(dsn, min_size=SIZE, max_size=SIZE, open=True)
    made.wait()
    yield made
    made.close()


def _adapter(kind: str, pool: ConnectionPool) -> PostgresStore | PostgresCustomerData:
    if kind == "store":
        return PostgresStore(pool=pool)
    return PostgresCustomerData(pool=pool)


def _db(adapter: PostgresStore | PostgresCustomerData) -> Database:
    db: Database = adapter._db
    return db


def _courier_thread(db: Database) -> threading.Thread:
    (thread,) = [
        t
        for t in threading.enumerate()
        if getattr(t, "_target", None) is not None
        and getattr(t._target, "__self__", None) is db._courier
    ]
    return thread


def _main_thread_unit(adapter: PostgresStore | PostgresCustomerData, block: bool) -> None:
    """One main-thread unit; with ``block``, the courier is held up (until the adapter
    is collected) before it gets to the unit's give-back."""
    release = threading.Event()
    if block:
        # set when the adapter's Database is collected: the courier then finds the
        # give-back with the adapter gone, whatever the timing
        weakref.finalize(_db(adapter), release.set)
    if isinstance(adapter, PostgresStore):
        with adapter.read() as tx:
            assert [a.id for a in tx.agents()] == ["a1"]
            if block:
                _db(adapter)._courier.send((release.wait,))
    else:
        assert adapter.profile("nobody") is None
        if block:  # a second unit, held up before its give-back
            with _db(adapter).read() as conn:
                assert conn.execute("SELECT 1").fetchone() == (1,)
                _db(adapter)._courier.send((release.wait,))


def _assert_whole(pool: ConnectionPool) -> None:
    stats = pool.get_stats()
    assert (stats["pool_size"], stats["pool_available"]) == (SIZE, SIZE), stats
    taken = [pool.getconn(timeout=10) for _ in range(SIZE)]
    try:
        for conn in taken:
            assert conn.info.transaction_status == TransactionStatus.IDLE
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        for conn in taken:
            pool.putconn(conn)


@pytest.mark.parametrize("kind", ["store", "data"])
def test_adapters_dropped_after_a_unit_give_every_connection_back(
    pool: ConnectionPool, kind: str
) -> None:
    """Dropped without close, the courier still busy when the adapter is collected."""
    for _ in range(ADAPTERS):
        adapter = _adapter(kind, pool)
        _main_thread_unit(adapter, block=True)
        thread = _courier_thread(_db(adapter))
        del adapter
        gc.collect()  # the adapter is gone: its courier is released and stopped
        thread.join(60)  # no duration is asserted
        assert not thread.is_alive()
        _assert_whole(pool)


@pytest.mark.parametrize("kind", ["store", "data"])
@pytest.mark.parametrize("how", ["close", "with"])
def test_adapters_closed_after_a_unit_give_every_connection_back(
    pool: ConnectionPool, kind: str, how: str
) -> None:
    """Closed (or left in a ``with`` block): the pool is whole when ``close`` returns,
    and stays whole when the adapter is dropped."""
    for _ in range(ADAPTERS):
        if how == "with":
            with _adapter(kind, pool) as adapter:
                _main_thread_unit(adapter, block=False)
        else:
            adapter = _adapter(kind, pool)
            _main_thread_unit(adapter, block=False)
            adapter.close()
        _assert_whole(pool)
        thread = _courier_thread(_db(adapter))
        del adapter
        gc.collect()
        thread.join(60)
        assert not thread.is_alive()
        _assert_whole(pool)


@pytest.mark.parametrize("kind", ["store", "data"])
def test_an_adapter_dropped_without_close_closes_the_pool_it_opened(
    request: pytest.FixtureRequest, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An adapter on a DSN (its own pool), used from the main thread and dropped: its
    courier closes that pool once it has given back what it held. Left to the garbage
    collector, the pool was at times finalised on one of its own threads, and
    psycopg_pool printed "Exception ignored ... cannot join current thread"."""
    dsn = fresh_schema_dsn(request)
    PostgresStore(dsn, agents=[hr.Agent(id="a1")]).close()
    unraisable: list[object] = []
    monkeypatch.setattr("sys.unraisablehook", unraisable.append)
    for _ in range(3):
        adapter = PostgresStore(dsn) if kind == "store" else PostgresCustomerData(dsn)
        _main_thread_unit(adapter, block=False)
        opened = _db(adapter).pool
        thread = _courier_thread(_db(adapter))
        del adapter
        gc.collect()
        thread.join(60)  # no duration is asserted
        assert not thread.is_alive()
        assert opened.closed
    gc.collect()
    assert unraisable == []
