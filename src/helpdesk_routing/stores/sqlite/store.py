"""The SQLite :class:`~helpdesk_routing.ports.Store`: :class:`SqliteStore`."""

from __future__ import annotations

import os
import reprlib
import sqlite3
from collections.abc import Generator, Iterable, Iterator
from itertools import chain
from typing import TYPE_CHECKING, Any, Literal

from helpdesk_routing._process_bound import ProcessBound
from helpdesk_routing.model import Agent
from helpdesk_routing.stores._seed_agents import seed_agents
from helpdesk_routing.stores._sql import Closing, unit_of_work

if TYPE_CHECKING:
    pass

from helpdesk_routing.stores._store_args import agents_arg

from ._database import DIALECT, Database
from ._transaction import SqliteTransaction

__all__ = ["SqliteStore"]


_PATH = reprlib.Repr()
_PATH.maxstring = 120  # the path in a repr: one line, bounded

FACT_BATCH = 4096
"""How many fact rows :meth:`SqliteStore.audit_facts` fetches at a time."""


class SqliteStore(Closing, ProcessBound):
    """A :class:`~helpdesk_routing.ports.Store` in a SQLite file (or ``":memory:"``).

    ``agents`` only seed the store when it opens (``docs/stores.md``): one it never
    held is added, Offline; one it holds must be equal (presence aside), and one that
    differs or was removed through the Router is a
    :class:`~helpdesk_routing.errors.ConflictError` naming it, nothing written.
    ``timeout`` is how long a unit of work waits for the write lock before
    :class:`~helpdesk_routing.errors.ConflictError`. ``synchronous`` is SQLite's
    durability setting: ``"FULL"`` (the default) survives power loss; ``"NORMAL"`` is
    faster and survives a crash of the process but may lose the last commits on power
    loss. Close it with :meth:`close` or use it as a context manager.

    >>> with SqliteStore(":memory:", agents=[Agent(id="a1")]) as store:
    ...     with store.transaction() as tx:
    ...         tx.is_online("a1")
    False
    """

    _elsewhere = "open a SqliteStore on the same file in each process"

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        agents: Iterable[Agent] = (),
        timeout: float = 30.0,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
    ) -> None:
        checked = agents_arg(agents)  # before the file is opened or created
        self._db = Database(path, timeout, synchronous)
        if checked:
            try:
                with self._db.write() as conn:
                    seed_agents(conn, DIALECT, checked)
            except BaseException:
                self._db.close()
                raise

    @property
    def path(self) -> str:
        """The database file (``":memory:"`` for a private in-memory database)."""
        return self._db.path

    def __repr__(self) -> str:
        closed = " (closed)" if self._db._closed else ""
        return f"<SqliteStore {_PATH.repr(self.path)}{closed}>"

    @unit_of_work
    def transaction(self) -> Generator[SqliteTransaction, None, None]:
        """Begin a unit of work (``BEGIN IMMEDIATE``); it commits when the block ends.

        If the block raises, or an operation inside it failed, nothing of it is kept.
        Raises :class:`~helpdesk_routing.errors.ConflictError` when the write lock stays
        taken for ``timeout`` seconds, :class:`~helpdesk_routing.errors.StoreError` for a
        nested transaction in one thread, a closed store or a failing database.
        """
        db = self._db
        db.check_free(write=True)  # before the try: a refusal must not end the running unit
        try:
            # Whatever cuts the unit off (KeyboardInterrupt at any point, even before
            # its block runs) ends it in the finally: its connection rolled back.
            conn = db.begin()
            tx = SqliteTransaction(db, conn)
            try:
                yield tx
            except sqlite3.Error as exc:  # a row fetched in the block, outside _run
                tx._closed = True
                db.end(conn, commit=False)
                raise db.error(exc, conn) from exc
            except BaseException:
                tx._closed = True
                db.end(conn, commit=False)
                raise
            tx._closed = True
            if tx._failure is not None:
                db.end(conn, commit=False)
                raise tx._failure
            db.end(conn, commit=True)
        finally:
            db.abandon()

    @unit_of_work
    def read(self) -> Generator[SqliteTransaction, None, None]:
        """Begin a read-only unit of work (``ports.ReadableStore``): a deferred transaction
        that never takes the write lock, so reading a view never waits for, nor stalls,
        the units that route. Its reads see one committed state (a snapshot from its
        first read); a write in it raises :class:`~helpdesk_routing.errors.StoreError`.
        """
        db = self._db
        db.check_free(write=False)
        try:
            conn = db.begin_read()
            tx = SqliteTransaction(db, conn, read_only=True)
            try:
                yield tx
            except sqlite3.Error as exc:  # a row fetched in the block, outside _run
                raise db.error(exc, conn) from exc
            finally:
                tx._closed = True
                db.end_read(conn)
        finally:
            db.abandon()

    def audit_facts(self) -> Iterator[tuple[Any, ...]]:
        """The audit log's fact rows, oldest first (``ports.AuditFactSource``): one query
        in a read-only unit (no write lock) over the audit table's fact columns (never
        the records' JSON), the ``sqlite3`` module's tuples handed through; the unit ends
        when the iteration does. The rows are fetched :data:`FACT_BATCH` at a time and
        chained in C, so no Python frame runs per row."""
        return chain.from_iterable(self._fact_batches())

    def _fact_batches(self) -> Iterator[list[tuple[Any, ...]]]:
        with self.read() as tx:
            cursor = tx.audit_facts()
            while batch := cursor.fetchmany(FACT_BATCH):
                yield batch

    @classmethod
    def _reader(cls, path: str | os.PathLike[str]) -> SqliteStore:
        """The store in the file at ``path`` opened read only (what ``report`` reads): the
        file is opened so that nothing is written nor created; one whose schema needs a
        migration is a :class:`~helpdesk_routing.errors.StoreError` naming it."""
        store = cls.__new__(cls)
        store._db = Database(path, 30.0, "FULL", read_only=True)
        return store

    def close(self) -> None:
        """Close the store's connections. Units of work still running finish first."""
        self._db.close()
