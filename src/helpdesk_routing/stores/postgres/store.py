"""The PostgreSQL :class:`~helpdesk_routing.ports.Store`: :class:`PostgresStore`."""

from __future__ import annotations

from collections.abc import Generator, Iterable
from typing import TYPE_CHECKING, Any

from helpdesk_routing._process_bound import ProcessBound
from helpdesk_routing.errors import ArgumentTypeError
from helpdesk_routing.model import Agent
from helpdesk_routing.stores._seed_agents import seed_agents
from helpdesk_routing.stores._sql import Closing, unit_of_work
from helpdesk_routing.stores._store_args import agents_arg

from ._database import DIALECT, Database
from ._transaction import PostgresTransaction

if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool

__all__ = ["PostgresStore"]


class PostgresStore(Closing, ProcessBound):
    """A :class:`~helpdesk_routing.ports.Store` in PostgreSQL, shared by many processes.

    Give either ``dsn`` (a libpq connection string or URL; the store opens its own
    pool of ``min_size`` to ``max_size`` connections) or ``pool`` (a
    ``psycopg_pool.ConnectionPool`` you own and close). The schema is created or
    migrated on first use. ``agents`` only seed the store when it opens
    (``docs/stores.md``): one it never held is added, Offline; one it holds must be
    equal (presence aside), and one that differs or was removed through the Router is a
    :class:`~helpdesk_routing.errors.ConflictError` naming it, nothing written.
    ``timeout`` bounds every wait for a row lock; ``connect_timeout`` and ``attempts``
    bound how long and how often a connection is tried.

    ``release_locks_before_flush`` (the default) commits a unit without waiting for
    its WAL flush, which releases its row locks (the rotation row above all) at once,
    and then waits for the flush before returning: a unit is durable when
    ``transaction()`` returns, as with a plain synchronous commit, but other units may
    see its changes a moment before they are on disk (if the server crashed in that
    moment, both would be lost together, and the caller of neither got an answer).
    ``False`` holds the locks through the flush: routing is then serialised on the
    disk's flush time. Close the store with :meth:`close` or use it as a context
    manager::

        with PostgresStore("postgresql://app@db/helpdesk") as store:
            router = Router(rules=rules, teams=teams, store=store, ...)
    """

    _elsewhere = "open a PostgresStore on the same database in each process"

    def __init__(
        self,
        dsn: str | None = None,
        *,
        pool: ConnectionPool[Any] | None = None,
        agents: Iterable[Agent] = (),
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        attempts: int = 3,
        min_size: int = 1,
        max_size: int = 4,
        release_locks_before_flush: bool = True,
    ) -> None:
        if not isinstance(release_locks_before_flush, bool):  # "false" would turn it on
            raise ArgumentTypeError(
                f"release_locks_before_flush must be a bool, got {release_locks_before_flush!r}"
            )
        checked = agents_arg(agents)  # before the server is asked anything
        self._db = Database(
            "PostgresStore",
            dsn,
            pool,
            timeout=timeout,
            connect_timeout=connect_timeout,
            attempts=attempts,
            min_size=min_size,
            max_size=max_size,
            early_release=release_locks_before_flush,
        )
        if checked:
            try:
                with self._db.unit() as conn:
                    seed_agents(conn, DIALECT, checked)
            except BaseException:
                self._db.close()  # the pool it opened (a pool passed in stays open)
                raise

    @unit_of_work
    def transaction(self) -> Generator[PostgresTransaction, None, None]:
        """Begin a unit of work (a ``READ COMMITTED`` transaction); it commits when the block ends.

        If the block raises, or an operation inside it failed, nothing of it is kept.
        Raises :class:`~helpdesk_routing.errors.ConflictError` on a deadlock or a lock
        wait longer than ``timeout``; :class:`~helpdesk_routing.errors.StoreError` on a
        lost connection, a closed store or a nested transaction in one thread.
        """
        return self._unit(read_only=False)

    @unit_of_work
    def read(self) -> Generator[PostgresTransaction, None, None]:
        """Begin a read-only unit of work (``ports.ReadableStore``): a ``REPEATABLE READ
        READ ONLY`` transaction that locks no rows, so reading a view never waits for,
        nor holds up, the units that route; its reads see one snapshot. A write in it
        raises :class:`~helpdesk_routing.errors.StoreError`."""
        return self._unit(read_only=True)

    def _unit(self, *, read_only: bool) -> Generator[PostgresTransaction, None, None]:
        db = self._db
        db.check_free()  # before the try: a refusal must not end the running unit
        tx: PostgresTransaction | None = None
        try:
            # Whatever cuts the unit off (a KeyboardInterrupt anywhere, even before its
            # block runs) ends it in the finally: its connection given back, rolled
            # back first if the unit did not end (see Database.acquire).
            tx = PostgresTransaction(db, db.checkout(), read_only=read_only)
            try:
                yield tx
            except BaseException:
                tx._closed = True
                tx._rollback()
                raise
            tx._closed = True
            if tx._failure is not None:
                tx._rollback()
                raise tx._failure
            tx._commit()
        finally:
            if tx is not None:
                tx._closed = True
            # As Database.unit: inline, since a signal that arrived during the unit's
            # last statement is raised at the next call, where nothing could guard it.
            local = db._local
            held = local.held
            local.held = None
            if held is None:
                pass
            elif local.main:
                db._handed(held)
            else:
                db._return_all(held)

    def __repr__(self) -> str:
        """Where the PostgresStore points (host, database, schema), never its password."""
        return f"PostgresStore({self._db.where})"

    def close(self) -> None:
        """Close the store's connection pool (not a pool that was passed in)."""
        self._db.close()
