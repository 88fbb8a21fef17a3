"""A SqliteLedger on the file of a store whose write unit this thread holds: each of
the ledger's units is ``BEGIN IMMEDIATE``, so it could only wait for the thread's own
unit. It is refused at once with a StoreError naming the file (it waited out the whole
busy timeout, then failed with 'database is locked'); and a store's write unit opened
while the ledger holds the file in the same thread is refused the same way.

The ledgers here have a short busy timeout: the verdict is the error and its text, never
how long anything took."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import helpdesk_routing as hr
from helpdesk_routing.errors import StoreError
from helpdesk_routing.handoff import Conversation, HandoffRecord, State, handoff_id
from helpdesk_routing.handoff.sql_ledger import SqliteLedger
from helpdesk_routing.stores.sqlite import SqliteCustomerData, SqliteStore
from tests.stores.interrupting import Interrupt, interrupt_at, lines

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)

HELD = (
    "this thread already holds a unit of work writing to the SQLite database {path!r} "
    "(through {through} on the file): a second one would wait for it forever; finish "
    "that unit first"
)


def _record(cid: str = "c1") -> HandoffRecord:
    return HandoffRecord(
        id=handoff_id(cid),
        conversation=Conversation(id=cid, channel="sms", profile_id="p1"),
        destination="builtin",
        reason="knowledge_gap",
        state=State.REQUESTED,
        created_at=T0,
        updated_at=T0,
    )


def _next(record: HandoffRecord) -> HandoffRecord:
    return record.model_copy(update={"state": State.HANDING_OFF, "version": record.version + 1})


CALLS: dict[str, Callable[[SqliteLedger], object]] = {
    "create": lambda ledger: ledger.create(_record("c2")),
    "replace": lambda ledger: ledger.replace(_next(_record())),
    "get": lambda ledger: ledger.get(handoff_id("c1")),
    "for_conversation": lambda ledger: ledger.for_conversation("c1"),
    "created_between": lambda ledger: ledger.created_between(T0, T0 + timedelta(days=1)),
    "stalled": lambda ledger: ledger.stalled(T0 + timedelta(days=1)),
}


def _lock_is_free(path: Path) -> None:
    conn = sqlite3.connect(path, timeout=0.5, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    finally:
        conn.close()


@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize("via_link", [False, True])
def test_a_ledger_call_inside_a_store_unit_on_its_file_is_refused_at_once(
    tmp_path: Path, call: str, via_link: bool
) -> None:
    """Each ledger method, called inside ``store.transaction()`` on the same file (also
    through a symbolic link), is a StoreError naming the ledger's file and the holder;
    the store's unit goes on and commits, and after it the call works."""
    path = tmp_path / "shared.db"
    link = tmp_path / "link.db"
    link.symlink_to(path)
    with (
        SqliteStore(path, agents=[hr.Agent(id="a1")], timeout=0.5) as store,
        SqliteLedger(link if via_link else path, timeout=0.5) as ledger,
    ):
        ledger.create(_record())
        with store.transaction() as tx:
            tx.set_online("a1", True, T0)
            with pytest.raises(StoreError) as err:
                CALLS[call](ledger)
            assert str(err.value) == HELD.format(
                path=str(link if via_link else path),
                through="a store or customer-data object",
            )
        with store.read() as view:
            assert view.is_online("a1")  # the store's unit committed
        CALLS[call](ledger)  # the unit has ended: the ledger works again
        assert ledger.for_conversation("c1") is not None
        _lock_is_free(path)


def test_a_ledger_opened_inside_a_store_unit_on_its_file_is_refused_at_once(
    tmp_path: Path,
) -> None:
    """Opening a ledger migrates its tables in a unit of its own: refused the same way,
    before a connection is opened; once the store's unit ends it opens."""
    path = tmp_path / "shared.db"
    with SqliteStore(path, agents=[hr.Agent(id="a1")], timeout=0.5) as store:
        with store.transaction() as tx:
            tx.set_online("a1", True, T0)
            with pytest.raises(StoreError) as err:
                SqliteLedger(path, timeout=0.5)
            assert str(err.value) == HELD.format(
                path=str(path), through="a store or customer-data object"
            )
        with SqliteLedger(path, timeout=0.5) as ledger:
            assert ledger.get(handoff_id("c1")) is None


def test_a_ledger_in_a_store_read_unit_or_on_another_file_is_not_refused(
    tmp_path: Path,
) -> None:
    """Only a write unit on the same file is waited for: a read-only unit of the store
    takes no write lock (WAL), and another file or ``:memory:`` is another database."""
    path = tmp_path / "shared.db"
    with (
        SqliteStore(path, agents=[hr.Agent(id="a1")], timeout=0.5) as store,
        SqliteLedger(path, timeout=0.5) as ledger,
        SqliteLedger(tmp_path / "other.db", timeout=0.5) as other,
        SqliteLedger(":memory:", timeout=0.5) as memory,
    ):
        with store.read() as view:
            assert view.is_online("a1") is False
            assert ledger.create(_record())[1] is True
        with store.transaction() as tx:
            tx.set_online("a1", True, T0)
            assert other.create(_record())[1] is True
            assert memory.create(_record())[1] is True
        assert ledger.get(handoff_id("c1")) is not None


def test_a_ledger_in_another_thread_still_waits_for_the_store_unit(tmp_path: Path) -> None:
    """Only the holding thread is refused: another thread's ledger call waits for the
    write lock, as before, and is done once the store's unit ends."""
    path = tmp_path / "shared.db"
    with (
        SqliteStore(path, agents=[hr.Agent(id="a1")]) as store,
        SqliteLedger(path) as ledger,
    ):
        done: list[object] = []
        worker = threading.Thread(target=lambda: done.append(ledger.create(_record())[1]))
        with store.transaction() as tx:
            tx.set_online("a1", True, T0)
            worker.start()
            worker.join(0.3)
            assert done == []  # waiting for the lock, not refused
        worker.join(30)
        assert done == [True]


def test_a_store_unit_inside_a_ledger_unit_on_its_file_is_refused_at_once(
    tmp_path: Path,
) -> None:
    """The reverse: no public ledger method runs the caller's code inside its unit, but a
    unit of the ledger marks the file too, so a store's or customer data's write unit on
    it in that thread is refused at once, naming the ledger; a read is not."""
    path = tmp_path / "shared.db"
    with (
        SqliteStore(path, agents=[hr.Agent(id="a1")], timeout=0.5) as store,
        SqliteCustomerData(path, timeout=0.5) as data,
        SqliteLedger(path, timeout=0.5) as ledger,
    ):
        with ledger._unit() as run:
            run("SELECT count(*) FROM handoffs", ())
            with pytest.raises(StoreError) as err, store.transaction():
                pass
            assert str(err.value) == HELD.format(path=str(path), through="a SqliteLedger")
            with pytest.raises(StoreError) as err:
                data.add_profile(hr.Profile(id="p1"))
            assert str(err.value) == HELD.format(path=str(path), through="a SqliteLedger")
            with pytest.raises(StoreError) as err:
                SqliteStore(path, timeout=0.5)
            assert str(err.value) == HELD.format(path=str(path), through="a SqliteLedger")
            with store.read() as view:
                assert view.is_online("a1") is False
        with store.transaction() as tx:  # the ledger's unit has ended: free again
            tx.set_online("a1", True, T0)
        data.add_profile(hr.Profile(id="p1"))
        assert data.profile("p1") is not None


def test_two_store_objects_on_one_file_nested_in_one_thread_are_refused(
    tmp_path: Path,
) -> None:
    """As before: a second store object's write unit inside the first's is refused at
    once, the holder named as another store; the refusal leaves the first's mark."""
    path = tmp_path / "shared.db"
    with (
        SqliteStore(path, agents=[hr.Agent(id="a1")], timeout=0.5) as store,
        SqliteStore(path, timeout=0.5) as other,
        SqliteLedger(path, timeout=0.5) as ledger,
    ):
        with store.transaction() as tx:
            tx.set_online("a1", True, T0)
            with pytest.raises(StoreError) as err, other.transaction():
                pass
            assert str(err.value) == HELD.format(
                path=str(path), through="another store or customer-data object"
            )
            with pytest.raises(StoreError):  # still held by the first store
                ledger.get("h1")
        with other.transaction() as tx:
            assert tx.is_online("a1")


@pytest.mark.parametrize("line", lines(SqliteLedger._unit))
def test_an_interrupt_at_any_line_of_a_ledger_unit_leaves_the_file_unmarked(
    tmp_path: Path, line: int
) -> None:
    """Wherever a Ctrl-C lands in a ledger unit, the thread's mark on the file is
    cleared with it (as its transaction is rolled back): a store's write unit on the
    file in this thread is not refused afterwards."""
    path = tmp_path / "shared.db"
    with (
        SqliteStore(path, agents=[hr.Agent(id="a1")], timeout=0.5) as store,
        SqliteLedger(path, timeout=0.5) as ledger,
    ):
        kept: list[Any] = []
        with interrupt_at(SqliteLedger._unit, line) as state:
            try:
                ledger.create(_record())
            except Interrupt as exc:
                assert state["fired"]
                kept.append(exc)  # the traceback kept alive, as the REPL does
        with store.transaction() as tx:
            tx.set_online("a1", True, T0)
        assert ledger.create(_record("c2"))[1] is True
        _lock_is_free(path)
        del kept
