"""A KeyboardInterrupt in the windows the first interrupt fix left open:

- as ``Database.acquire`` returns, before ``_take`` or ``Database.read`` stored the
  connection: the one connection of ``:memory:`` stayed locked for ever;
- in a unit's context manager, once the unit has begun but before the ``with`` block
  runs (contextlib's ``__enter__`` as ``next`` returns the generator's value): the
  unit (its write lock, the thread's marks, the ledger's lock) stayed open for as long
  as the traceback lived (the REPL keeps it as ``sys.last_traceback``).

Each case keeps the interrupt's exception (and so its traceback) alive while checking,
as the interactive interpreter does."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import helpdesk_routing as hr
from helpdesk_routing.handoff.sql_ledger import SqliteLedger
from helpdesk_routing.stores.sqlite import SqliteCustomerData, SqliteStore
from helpdesk_routing.stores.sqlite._database import Database
from tests.stores.interrupting import (
    interrupt_as_next_returns,
    interrupt_at,
    interrupt_on_return,
    kept_interrupt,
    lines,
    source,
)

NOW = datetime(2026, 3, 30, 10, tzinfo=UTC)


def _unit(store: SqliteStore) -> bool:
    with store.transaction() as tx:
        return tx.is_online("a1")


def _read(store: SqliteStore) -> bool:
    with store.read() as tx:
        return tx.is_online("a1")


def _free(path: Path) -> bool:
    try:
        _lock_is_free(path)
    except sqlite3.OperationalError:
        return False
    return True


def _lock_is_free(path: Path) -> None:
    conn = sqlite3.connect(path, timeout=0.5, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    finally:
        conn.close()


# -- the one connection of ":memory:" as acquire returns ---------------------------


@pytest.mark.parametrize("what", ["unit", "read"])
def test_memory_store_as_acquire_returns(what: str) -> None:
    with SqliteStore(":memory:", agents=[hr.Agent(id="a1")], timeout=0.5) as store:
        run = _unit if what == "unit" else _read
        kept = kept_interrupt(lambda: run(store), interrupt_on_return(Database.acquire))
        assert _unit(store) is False  # not: ConflictError after the timeout, for ever
        assert _read(store) is False
        done: list[bool] = []
        thread = threading.Thread(target=lambda: done.append(_unit(store)))
        thread.start()
        thread.join()
        assert done == [False]
        del kept


def test_memory_customer_data_as_acquire_returns() -> None:
    with SqliteCustomerData(":memory:", timeout=0.5) as data:
        kept = kept_interrupt(lambda: data.profile("p1"), interrupt_on_return(Database.acquire))
        assert data.profile("p1") is None
        data.add_profile(hr.Profile(id="p1"))
        assert data.profile("p1") is not None
        del kept


@pytest.mark.parametrize("line", ["held.append(self._one)", "return held[0]"])
def test_memory_customer_data_at_the_hand_over(line: str) -> None:
    target = next(
        n for n in lines(Database.acquire) if source(Database.acquire, n).startswith(line)
    )
    with SqliteCustomerData(":memory:", timeout=0.5) as data:
        kept = kept_interrupt(lambda: data.profile("p1"), interrupt_at(Database.acquire, target))
        assert data.profile("p1") is None
        del kept


@pytest.mark.parametrize("memory", [True, False])
def test_as_take_returns(tmp_path: Path, memory: bool) -> None:
    path = tmp_path / "s.db"
    target = ":memory:" if memory else path
    with SqliteStore(target, agents=[hr.Agent(id="a1")], timeout=0.5) as store:
        kept = kept_interrupt(lambda: _unit(store), interrupt_on_return(Database._take))
        assert _unit(store) is False
        if not memory:
            _lock_is_free(path)
        del kept


# -- a unit's context manager: begun, but the with block not entered ----------------


def _enter_of(make: Callable[[], AbstractContextManager[Any]]) -> Callable[..., Any]:
    cm = make()
    enter = type(cm).__enter__
    del cm
    return enter


@pytest.mark.parametrize("unit", ["transaction", "read"])
def test_store_unit_cut_off_in_its_context_manager(tmp_path: Path, unit: str) -> None:
    path = tmp_path / "s.db"
    with SqliteStore(path, agents=[hr.Agent(id="a1")], timeout=0.5) as store:
        make = store.transaction if unit == "transaction" else store.read
        run = _unit if unit == "transaction" else _read
        injection = interrupt_as_next_returns(_enter_of(make))
        kept = kept_interrupt(lambda: run(store), injection)
        _lock_is_free(path)  # another process could write
        assert _unit(store) is False  # not: "nested transaction"
        with SqliteStore(path, timeout=0.5) as other:  # not: "already holds a unit"
            assert _unit(other) is False
        del kept


def test_customer_data_write_cut_off_in_its_context_manager(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    with SqliteCustomerData(path, timeout=0.5) as data:
        make = data._db.write
        injection = interrupt_as_next_returns(_enter_of(make))
        kept = kept_interrupt(lambda: data.add_profile(hr.Profile(id="p1")), injection)
        _lock_is_free(path)
        data.add_profile(hr.Profile(id="p2"))
        assert data.profile("p2") is not None
        del kept


def test_ledger_unit_cut_off_in_its_context_manager(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    with SqliteLedger(path, timeout=0.5) as ledger:
        make = ledger._unit
        injection = interrupt_as_next_returns(_enter_of(make))
        kept = kept_interrupt(lambda: ledger.get("h1"), injection)
        try:
            free = _free(path)
            # another thread is not blocked on the ledger's lock
            done: list[object] = []
            thread = threading.Thread(target=lambda: done.append(ledger.get("h1")), daemon=True)
            thread.start()
            thread.join(2)
            blocked = thread.is_alive()
        finally:
            del kept  # (on the old code, the unit ended only now)
        thread.join(5)
        assert free
        assert not blocked
        assert ledger.get("h1") is None
