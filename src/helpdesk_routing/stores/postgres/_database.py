"""The connections of a PostgreSQL adapter: the pool, the schema check, units of work,
and how psycopg's errors become the library's.

A unit of work is one ``READ COMMITTED`` transaction, BEGIN and COMMIT issued by the
adapter on an autocommit connection. A connection found dead when a unit starts is
replaced, up to ``attempts`` times.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import time
import weakref
from collections.abc import Callable, Generator
from datetime import datetime
from queue import SimpleQueue
from typing import TYPE_CHECKING, Any, TypeVar

from helpdesk_routing._input import integer_argument
from helpdesk_routing._time import seconds
from helpdesk_routing.errors import (
    ArgumentTypeError,
    ConflictError,
    MissingExtra,
    RoutingError,
    StoreError,
    ValidationError,
    race_lost,
)
from helpdesk_routing.stores._sql import (
    CLOSED,
    NESTED,
    Dialect,
    apply_migrations,
    unit_of_work,
)

from . import _schema

if TYPE_CHECKING:
    import psycopg
    from psycopg_pool import ConnectionPool

__all__ = [
    "BEGIN",
    "CAN_FLUSH",
    "DIALECT",
    "FLUSH",
    "Database",
    "LostRead",
    "is_connection_error",
    "require_extra",
]

_T = TypeVar("_T")

BEGIN = "BEGIN ISOLATION LEVEL READ COMMITTED"
# A statement whose implicit transaction writes WAL (a transactional logical-decoding
# message, which consumers ignore unless asked for messages) and so commits with a
# flush when synchronous_commit is on: it returns once the WAL up to there, and so the
# unit's own commit before it, is on disk. (A transaction that only took an xid would
# not be flushed: PostgreSQL skips the flush when nothing else was logged.)
FLUSH = "SELECT pg_logical_emit_message(true, 'helpdesk_routing', 'flush')"
CAN_FLUSH = (
    "SELECT has_function_privilege('pg_logical_emit_message(boolean, text, text)', 'EXECUTE')"
)
MAX_TIMEOUT = 2_147_483
"""The largest ``timeout`` in seconds: it is sent as ``lock_timeout`` in milliseconds,
which PostgreSQL keeps in a signed 32-bit integer."""
MAX_CONNECT_TIMEOUT = 2_147_483_647
"""The largest ``connect_timeout`` in seconds: libpq reads its ``connect_timeout`` (in
whole seconds) as a signed 32-bit integer."""
# The advisory lock that serialises schema migrations: one key per schema.
_MIGRATION_LOCK = "SELECT pg_advisory_xact_lock(1212696661, hashtext(current_schema()))"


def _same(value: datetime) -> datetime:
    return value


# psycopg adapts aware datetimes to and from timestamptz itself.
DIALECT = Dialect(
    param="%s",
    arrival="seq",
    lock=" FOR UPDATE",
    to_db=_same,
    from_db=_same,
    family="postgres",
)


def require_extra(feature: str) -> None:
    """Raise ``MissingExtra`` naming ``feature`` when psycopg or psycopg-pool is missing."""
    try:
        import psycopg  # noqa: F401
        import psycopg_pool  # noqa: F401
    except ImportError as exc:
        raise MissingExtra(feature, "postgres") from exc


def _bounded(value: float, name: str, most: int) -> float:
    if value > most:
        raise ValidationError(f"{name} must be at most {most:,} seconds, got {value!r}")
    return value


def _whole(value: object, name: str, least: int, also: str = "") -> int:
    """``value`` as an ``int`` when it is a whole number (any integral number, not a
    ``bool``) of at least ``least``; else a ``ValidationError`` naming it (the pool
    library's own ``ValueError`` or ``TypeError`` came after the schema was migrated)."""
    whole = integer_argument(value)
    if whole is None or whole < least:
        raise ValidationError(
            f"{name} must be a whole number at least {least}{also}, got {value!r}"
        )
    return whole


def check_dsn(dsn: object) -> str:
    """``dsn`` when libpq can read it as a connection string or URL; else
    ``ArgumentTypeError`` (not text) or ``ValidationError`` naming ``dsn``, before any
    pool is made. libpq's reason quotes parts of the text: when they may hold a password
    (the text has an ``@`` or says ``password``), the quoted parts are left out."""
    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict

    if not isinstance(dsn, str):
        raise ArgumentTypeError(
            f"dsn must be text (a libpq connection string or URL), got {type(dsn).__name__}"
        )
    try:
        conninfo_to_dict(dsn)
    except ProgrammingError as exc:
        reason = str(exc).strip()
        if "@" in dsn or "password" in dsn.lower():
            reason = re.sub(r'"[^"]*"', '"..."', reason)
        raise ValidationError(f"dsn is not a libpq connection string or URL: {reason}") from None
    return dsn


def where(conninfo: str, schema: str | None = None) -> str:
    """Where a connection string points, for a ``repr``: its host, database and schema
    (``schema``, the one the connection found its tables in, once known; before, the
    first of ``search_path`` in its options), whichever it names; never its user,
    password or any other parameter."""
    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = conninfo_to_dict(conninfo)
    except ProgrammingError:  # pragma: no cover - a pool's conninfo libpq already read
        return ""
    found = re.search(r"search_path\s*=\s*([^\s,]+)", str(params.get("options", "")))
    parts = [
        ("host", params.get("host")),
        ("dbname", params.get("dbname")),
        ("schema", schema if schema is not None else found.group(1) if found else None),
    ]
    return ", ".join(f"{name}={value!r}" for name, value in parts if value)


def is_connection_error(exc: BaseException, conn: psycopg.Connection[Any] | None) -> bool:
    """Whether ``exc`` means the connection is gone (it may be retried on a fresh one)."""
    import psycopg

    if not isinstance(exc, psycopg.OperationalError):
        return False
    return conn is None or conn.closed or conn.broken


def interruption(exc: BaseException) -> BaseException | None:
    """The interruption hidden in the causes and contexts of psycopg's error ``exc``: a
    ``BaseException`` that is not an ``Exception`` (a ``KeyboardInterrupt``, a
    ``SystemExit``, whatever a signal handler raised). psycopg's pipeline block swallows
    one that lands while it collects results and raises "cannot exit pipeline mode
    while busy" instead, with the interruption as its context."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        found = todo.pop()
        if id(found) in seen:
            continue
        seen.add(id(found))
        if not isinstance(found, (Exception, GeneratorExit)):
            return found
        todo.extend(e for e in (found.__cause__, found.__context__) if e is not None)
    return None


_log = logging.getLogger(__name__)


CONNECT_TIMEOUT = 10.0
"""libpq's ``connect_timeout`` (seconds) of a connection that has no setting of its own
for it: the ledger's, and the one ``report`` opens to look at a database first."""


def libpq_timeout(dsn: str, seconds: float) -> dict[str, Any]:
    """libpq's ``connect_timeout`` for a connection to ``dsn`` as keywords: ``seconds``
    in whole seconds (at least 1), unless the DSN names its own, which is kept (a
    keyword would replace it: ``?connect_timeout=2`` waited the adapter's 10 s). A
    DSN's that is no whole number is a ``ValidationError`` naming it (psycopg's own
    ``ProgrammingError`` at the connect otherwise). Without any, a connection to a host
    that never answers waits as long as the system lets a TCP connect wait."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        given = conninfo_to_dict(dsn).get("connect_timeout")
    except Exception:  # a DSN libpq cannot read: its connect says why, as before
        given = None
    if given is None:
        return {"connect_timeout": max(1, round(seconds))}
    try:
        int(str(given))
    except ValueError:
        raise ValidationError(
            f"the DSN's connect_timeout must be a whole number of seconds, got {given!r}"
        ) from None
    return {}


ATTEMPTS = 3
"""How many times an adapter's opening tries to connect (``attempts``' default)."""


def connect_retrying(dsn: str, *, attempts: int, timeout: float) -> psycopg.Connection[Any]:
    """A connection to ``dsn`` (autocommit, UTF8, libpq's ``connect_timeout`` from
    :func:`libpq_timeout`), tried ``attempts`` times 0.2 s, 0.4 s, ... apart; the last
    failure a ``StoreError`` saying so. An adapter's opening connects so, and so does
    ``report``'s first look at a database: a host it cannot reach is the same error
    after the same wait, not the first look's wait and then the adapter's."""
    import psycopg

    last: Exception | None = None
    for attempt in range(attempts):
        try:
            return psycopg.connect(
                dsn, autocommit=True, client_encoding="UTF8", **libpq_timeout(dsn, timeout)
            )
        except psycopg.OperationalError as exc:
            last = exc
            if attempt + 1 < attempts:
                time.sleep(0.2 * 2**attempt)
    raise StoreError(f"cannot connect to PostgreSQL after {attempts} attempts: {last}") from last


class _Local(threading.local):
    """A thread's state on one adapter: its unit's connection (``held``, ``None`` when
    no unit runs) and whether it is the main thread (where signals arrive)."""

    held: list[Any] | None = None

    def __init__(self) -> None:
        self.main = threading.get_ident() == threading.main_thread().ident


class _Courier:
    """The thread that takes connections from the pool and gives them back for the
    main thread (see ``Database.acquire``): the items of ``queue``, in order. An item
    is a list of connections to give back, or a call ``(function, *arguments)``."""

    def __init__(self, giver: _Giver) -> None:
        self.queue: SimpleQueue[Any] = SimpleQueue()
        # The giver, not the adapter: the thread must not keep the adapter alive (its
        # finalizer stops the thread), yet what was handed over must still reach the
        # pool when the adapter is gone before the courier got to it (a caller's pool
        # lost one connection for good each time).
        self._giver = giver
        self._lock = threading.Lock()
        self.started = False
        _COURIERS.add(self)

    def forked(self) -> None:
        """In a child process: the thread did not come along (the next send starts one)."""
        self._lock = threading.Lock()
        self.started = False

    def send(self, item: Any) -> None:
        """Queue ``item``, starting the thread the first time."""
        if not self.started:
            with self._lock:
                if not self.started:
                    threading.Thread(
                        target=self._run, name="helpdesk_routing PostgreSQL courier", daemon=True
                    ).start()
                    self.started = True
        self.queue.put(item)

    def stop(self) -> None:
        """End the thread once it has done what was queued before."""
        self.queue.put(None)

    def _run(self) -> None:
        while self._do(self.queue.get()):
            pass

    def _close_own_pool(self) -> None:
        """At the stop of an adapter dropped without ``close()``: close the pool it
        opened here, after what was queued went back to it. Left to the garbage
        collector, the pool was finalised on whichever thread dropped it last, at times
        one of its own, and psycopg_pool printed ``cannot join current thread``. A
        caller's pool is the caller's; a closed one closes again at no cost."""
        if self._giver.own_pool:
            try:
                self._giver.pool.close()
            except Exception:  # pragma: no cover - closing a pool raises nothing known
                _log.exception("helpdesk_routing: closing a dropped adapter's pool failed")

    def _do(self, item: Any) -> bool:
        """Do one item (its references, the adapter's among them, end with this call:
        the waiting thread keeps none); ``False`` for the stop, after closing the pool
        the adapter opened (see :meth:`_close_own_pool`)."""
        if item is None:
            self._close_own_pool()
            return False
        try:
            if type(item) is list:
                self._giver.return_all(item)
            else:
                item[0](*item[1:])
        except Exception:  # pragma: no cover - return_one closes what it cannot give back
            _log.exception("helpdesk_routing: giving back a PostgreSQL connection failed")
        return True


class _Giver:
    """What gives an adapter's connections back to its pool (:meth:`return_one`): the
    pool and the caller's settings to restore, without the adapter, so that the courier
    can hold it and give back what was handed to it after the adapter is gone."""

    def __init__(self, pool: ConnectionPool[Any], own_pool: bool) -> None:
        self.pool = pool
        self.own_pool = own_pool
        self.restore: set[psycopg.Connection[Any]] = set()
        self.prepared: dict[psycopg.Connection[Any], int] = {}
        # the session settings of a caller's connection (setting -> its value) while a
        # unit has them as SESSION says
        self.callers_settings: dict[psycopg.Connection[Any], dict[str, str]] = {}

    def return_all(self, held: list[psycopg.Connection[Any]]) -> None:
        """Give back the connections in ``held``, emptying it."""
        while held:
            self.return_one(held.pop())

    def return_one(self, conn: psycopg.Connection[Any]) -> None:
        """Give one connection back to the pool as the caller's pool handed it out:
        rolled back if a transaction is open, closed (the pool replaces it) if it is in
        any other state but idle."""
        import psycopg
        from psycopg.pq import PipelineStatus, TransactionStatus

        try:
            status = conn.info.transaction_status
            if conn.info.pipeline_status != PipelineStatus.OFF:
                conn.close()  # cut off inside a pipeline: what it still holds is unknown
            elif status in (TransactionStatus.INTRANS, TransactionStatus.INERROR):
                Database.rollback(conn)
            elif status != TransactionStatus.IDLE:
                conn.close()  # a statement still running (cut off mid-query), or lost
            settings = self.callers_settings.pop(conn, None)
            if settings is not None and not conn.closed and not conn.broken:
                try:  # still in autocommit: set at once, outside any transaction
                    for name, value in settings.items():
                        conn.execute("SELECT set_config(%s, %s, false)", (name, value))
                except psycopg.Error:
                    conn.close()  # a connection in an unknown state: the pool drops it
            if conn in self.restore:
                self.restore.discard(conn)
                if not conn.closed and not conn.broken:
                    conn.autocommit = False
            threshold = self.prepared.pop(conn, None)
            if threshold is not None and not self.own_pool:
                conn.prepare_threshold = threshold  # a caller's pool gets its setting back
        except BaseException:
            conn.close()
            raise
        finally:
            self.pool.putconn(conn)  # the pool drops a closed connection and replaces it


_COURIERS: weakref.WeakSet[_Courier] = weakref.WeakSet()


def _after_fork() -> None:
    for courier in list(_COURIERS):
        courier.forked()


if hasattr(os, "register_at_fork"):  # pragma: no branch - POSIX
    os.register_at_fork(after_in_child=_after_fork)


_PATH_NAME = re.compile(r'\s*(?:"((?:[^"]|"")*)"|([^,\s]+))\s*(?:,|$)')
"""One name of a ``search_path`` as ``SHOW`` writes it: quoted (``""`` a quote in it),
or bare, then a comma or the end."""


def temporary_first(search_path: str, current: str | None, user: str) -> bool:
    """Whether a table whose name is not qualified is made in the session's temporary
    schema: ``search_path`` names it (``pg_temp``, or a ``pg_temp_N``) before ``current``,
    the first schema of the path that exists (``current_schema()``, which skips the
    temporary one while the session has made none; ``None`` when none exists), ``$user``
    standing for ``user``."""
    for found in _PATH_NAME.finditer(search_path):
        quoted, bare = found.groups()
        name = quoted.replace('""', '"') if quoted is not None else bare.lower()
        if name == "$user":
            name = user
        if name == current:
            return False
        if name == "pg_temp" or re.fullmatch(r"pg_temp_[0-9]+", name) is not None:
            return True
    return False


WHERE_TABLES_GO = "SELECT current_setting('search_path'), current_schema(), current_user"
"""What :func:`temporary_first` reads."""

SESSION: tuple[tuple[str, str, str], ...] = (
    # (setting, what the server reports while it serves (DateStyle: what it starts
    # with, its input order being free), how to set it)
    # timestamptz values come back in the session's zone: in UTC, as stored, an instant
    # near year 1 or 9999 never lies outside Python's datetime
    ("TimeZone", "UTC", "SET TimeZone = 'UTC'"),
    # psycopg reads dates and times the server writes in the ISO style only ('SQL, DMY'
    # or 'German' raised its NotImplementedError at the first event read)
    ("DateStyle", "ISO", "SET DateStyle = 'ISO'"),
    # the schema's PL/pgSQL bodies are parsed under the session's setting at their
    # first call: off, their backslashes turned escapes and routing failed
    ("standard_conforming_strings", "on", "SET standard_conforming_strings = on"),
)
"""The session settings every connection of the adapters needs, whatever the database,
the role or the dsn set (docs/stores.md): a caller's pool gets its own back with the
connection (:meth:`_Giver.return_one`)."""


def unfit_settings(conn: psycopg.Connection[Any]) -> list[tuple[str, str, str]]:
    """The entries of :data:`SESSION` ``conn``'s session has otherwise, with the value it
    has (``(setting, value, how to set it)``): read from what the server reports, no
    round trip."""
    unfit = []
    for name, wanted, how in SESSION:
        value = conn.info.parameter_status(name)
        if value is None:
            continue
        # exactly, but DateStyle's input order ("ISO, MDY", "ISO, DMY"): a POSIX zone
        # such as "UTC+3" is three hours west of UTC
        fits = value.startswith(f"{wanted},") if name == "DateStyle" else False
        if not (fits or value == wanted):
            unfit.append((name, value, how))
    return unfit


def fit_session(conn: psycopg.Connection[Any]) -> None:
    """Set the :data:`SESSION` settings ``conn`` has otherwise, and read committed as its
    default isolation (a connection of the adapters' own; a caller's gets its settings
    back, see :meth:`Database._prepare`)."""
    for _, _, how in unfit_settings(conn):
        conn.execute(how)
    conn.execute("SET default_transaction_isolation = 'read committed'")


ENCODINGS = "SELECT current_setting('server_encoding'), current_setting('client_encoding')"
"""What :func:`encoding_problem` reads."""


def encoding_problem(found: object, what: str, *, any_text: bool = False) -> str | None:
    """What is wrong with the encodings :data:`ENCODINGS` read (``found``, its row), for
    ``what`` (a store, a ledger), or ``None``. Ids, subjects and properties are any
    Unicode text: a ``SQL_ASCII`` database (no encoding: psycopg hands its text back as
    bytes) cannot serve, nor can a session that sends text in another encoding than
    UTF8 (a caller's pool; the adapters' own connections are UTF8). A database in
    another encoding serves what it can keep: the server converts, and refuses a text
    it cannot keep (a ``StoreError`` naming the character); with ``any_text`` (a handoff
    ledger, which writes what services answer) only a UTF8 one serves."""
    server, client = (
        v.decode("ascii", "replace") if isinstance(v, bytes) else str(v)
        for v in (found if isinstance(found, tuple) else ("?", "?"))
    )
    if any_text and server != "UTF8":
        # what a handoff ledger writes comes from the services too (a destination's
        # refusal, "can’t"): refused there, the handoff could not record its outcome
        return (
            f"{what} needs a UTF8 database, and this one is encoded {server}: it keeps "
            "what visitors and services wrote, any Unicode text (CREATE DATABASE ... "
            "ENCODING 'UTF8' TEMPLATE template0)"
        )
    if server == "SQL_ASCII":
        # no encoding at all: its text comes back as bytes, and nothing can be read.
        # A database in another encoding (LATIN1) serves, the server converting each
        # text from UTF8 and refusing one it cannot keep (a StoreError naming it).
        return (
            f"{what} needs a database with an encoding, and this one is SQL_ASCII "
            "(bytes, no encoding): ids, subjects and properties are any Unicode text "
            "(CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE template0)"
        )
    if client != "UTF8":
        return (
            f"{what} needs the connection's client_encoding to be UTF8, and it is "
            f"{client} (set client_encoding=UTF8 in the dsn or the pool's kwargs)"
        )
    return None


class LostRead(StoreError):
    """A read's connection was found dead (:meth:`Database.read_again` runs it again)."""


class Database:
    """The connections of one PostgreSQL adapter: a pool, the schema check, units of work."""

    def __init__(
        self,
        feature: str,
        dsn: str | None,
        pool: ConnectionPool[Any] | None,
        *,
        timeout: float,
        connect_timeout: float,
        attempts: int,
        min_size: int,
        max_size: int,
        early_release: bool = True,
    ) -> None:
        require_extra(feature)
        from psycopg_pool import ConnectionPool

        if (dsn is None) == (pool is None):
            raise ArgumentTypeError(f"{feature} needs exactly one of a dsn or a pool")
        # lock_timeout = 0 would mean no limit at all: a wait needs a positive bound.
        timeout = _bounded(seconds(timeout, "timeout", zero=False), "timeout", MAX_TIMEOUT)
        self.timeout = timeout
        self.connect_timeout = _bounded(
            seconds(connect_timeout, "connect_timeout", zero=False),
            "connect_timeout",
            MAX_CONNECT_TIMEOUT,
        )
        self.attempts = _whole(attempts, "attempts", 1)
        min_size = _whole(min_size, "min_size", 0)
        max_size = _whole(max_size, "max_size", max(1, min_size), f" (min_size is {min_size})")
        if dsn is not None:
            dsn = check_dsn(dsn)
        self.early_release = early_release
        # host, database and schema for the adapters' repr (never the password); the
        # schema the tables are in once the first connection found it (_migrate)
        self._conninfo = dsn if dsn is not None else str(getattr(pool, "conninfo", ""))
        self.where = where(self._conninfo)
        self._local = _Local()
        self._closed = False
        if dsn is not None:
            self._migrate_direct(dsn)
            lock_ms = int(timeout * 1000)

            def configure(conn: psycopg.Connection[Any]) -> None:
                conn.execute(f"SET lock_timeout = {lock_ms}")
                fit_session(conn)

            self.pool: ConnectionPool[Any] = ConnectionPool(
                dsn,
                min_size=min_size,
                max_size=max_size,
                open=True,
                # libpq's own connect_timeout too, as the first connection has it: a
                # pool's connection to a host that never answers waited for the OS's
                kwargs={
                    "autocommit": True,
                    "client_encoding": "UTF8",
                    **libpq_timeout(dsn, self.connect_timeout),
                },
                configure=configure,
                timeout=connect_timeout,
                name="helpdesk_routing",
            )
            self._own_pool = True
        else:
            assert pool is not None
            if not isinstance(pool, ConnectionPool):
                raise ArgumentTypeError(
                    f"{feature}'s pool must be a psycopg_pool.ConnectionPool, "
                    f"got {type(pool).__name__}"
                )
            self.pool = pool
            self._own_pool = False
            self._migrate_pooled(pool)
        giver = _Giver(self.pool, self._own_pool)
        self._return_all = giver.return_all
        self._return = giver.return_one
        self._restore = giver.restore
        self._prepared = giver.prepared
        self._callers_settings = giver.callers_settings
        self._courier = _Courier(giver)
        self._handed = self._courier.queue.put  # a C call: see checkout
        weakref.finalize(self, self._courier.stop)

    # -- errors --------------------------------------------------------------------

    @staticmethod
    def interrupted(exc: BaseException, conn: psycopg.Connection[Any] | None) -> None:
        """Raise the interruption psycopg's error ``exc`` hides (see :func:`interruption`)
        as itself, ``conn`` discarded (closed: the pool replaces it); else nothing."""
        import psycopg

        found = interruption(exc) if isinstance(exc, psycopg.Error) else None
        if found is None:
            return
        if conn is not None:
            conn.close()  # its pipeline's results are unknown: never reused
        raise found

    def error(
        self,
        exc: BaseException,
        conn: psycopg.Connection[Any] | None,
        *,
        committing: bool = False,
    ) -> RoutingError | None:
        """The library error for a psycopg error (``None`` for anything else); an
        interruption it hides comes out as itself (:meth:`interrupted`).
        ``committing``: ``exc`` arose as the unit committed, so a lost connection
        leaves the unit's fate unknown."""
        import psycopg
        from psycopg import errors as pg

        self.interrupted(exc, conn)
        if isinstance(exc, pg.DeadlockDetected):
            return race_lost(f"a concurrent unit of work won a race (deadlock): {exc}")
        if isinstance(exc, pg.SerializationFailure):
            return race_lost(f"a concurrent unit of work won a race: {exc}")
        if isinstance(exc, pg.LockNotAvailable):
            return ConflictError(
                f"a row stayed locked by another unit of work for {self.timeout:g} s: {exc}"
            )
        if is_connection_error(exc, conn):
            # a dead connection is seldom alone: the pool tests its idle ones now, so the
            # next unit takes a live one, even when no attempt is left to this one
            self._test_idle()
        if is_connection_error(exc, conn) and committing:
            return StoreError(
                "lost the connection to PostgreSQL while committing; the unit of work "
                f"may or may not have been committed: {exc}"
            )
        if is_connection_error(exc, conn):
            return StoreError(
                f"lost the connection to PostgreSQL during a unit of work; "
                f"nothing of it was committed: {exc}"
            )
        if isinstance(exc, psycopg.Error):
            return StoreError(f"PostgreSQL error: {exc}")
        return None

    # -- schema --------------------------------------------------------------------

    def _migrate_direct(self, dsn: str) -> None:
        conn = connect_retrying(dsn, attempts=self.attempts, timeout=self.connect_timeout)
        with conn:
            self._migrate(conn)

    def _migrate_pooled(self, pool: ConnectionPool[Any]) -> None:
        """The schema check and migration on a connection of the caller's pool: a pool
        closed (or never opened) or one that gives no connection within
        ``connect_timeout`` is a ``StoreError`` saying so, as a unit's would be."""
        import psycopg
        from psycopg_pool import PoolClosed

        try:
            conn = pool.getconn(timeout=self.connect_timeout)
        except PoolClosed as exc:
            raise StoreError(
                f"the PostgreSQL pool given is closed (open it first: pool.open()): {exc}"
            ) from exc
        except psycopg.Error as exc:
            raise StoreError(
                f"cannot get a PostgreSQL connection within {self.connect_timeout:g} s: {exc}"
            ) from exc
        try:
            self._migrate(conn)
        finally:
            pool.putconn(conn)

    def _migrate(self, conn: psycopg.Connection[Any]) -> None:
        import psycopg

        autocommit = conn.autocommit
        try:
            conn.autocommit = True
            problem = encoding_problem(conn.execute(ENCODINGS).fetchone(), "a PostgreSQL store")
            if problem is not None:
                raise StoreError(problem)
            shown = conn.execute(WHERE_TABLES_GO).fetchone()
            if shown is not None and temporary_first(*shown):
                # current_schema() skips it while the session made none, but a table is
                # made there: the store's would vanish with the session, unseen by others
                raise StoreError(
                    "the connection's search_path names the session's temporary schema "
                    f"before any schema that exists ({shown[0]}): the store's tables would "
                    "be temporary; name the store's schema first in the dsn's options"
                )
            found = conn.execute("SELECT current_schema()").fetchone()
            if found is None or found[0] is None:
                # search_path names no schema that exists (a typo, or one not created)
                path = conn.execute("SHOW search_path").fetchone()
                raise StoreError(
                    "no schema of the connection's search_path exists "
                    f"({path[0] if path else '?'}): create it (CREATE SCHEMA) or fix the "
                    "search_path in the dsn's options"
                )
            with conn.transaction():
                # read committed whatever the session's default: a process that waited
                # for the lock must see the tables and version row the first one wrote
                # (a repeatable read snapshot, taken by the lock's statement, did not)
                conn.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                # the schema's functions are written in standard strings
                conn.execute("SET LOCAL standard_conforming_strings = on")
                conn.execute(_MIGRATION_LOCK)
                row = conn.execute(
                    "SELECT to_regclass(format('%I.schema_version', current_schema()))"
                ).fetchone()
                exists = row is not None and row[0] is not None
                tickets = conn.execute(
                    "SELECT to_regclass(format('%I.tickets', current_schema()))"
                ).fetchone()
                apply_migrations(
                    conn,
                    DIALECT,
                    _schema.MIGRATIONS,
                    exists=exists,
                    holds_tables=tickets is not None and tickets[0] is not None,
                    where=f"PostgreSQL database {conn.info.dbname!r}, schema {found[0]!r}",
                )
            # the schema the tables are in: the first of the search_path that exists
            # (the repr named the first written, which may not, quotes and all)
            self.where = where(self._conninfo, schema=found[0])
            if self.early_release:
                # Releasing locks before the flush needs _FLUSH; a role that may not run
                # it holds its locks through the flush instead.
                allowed = conn.execute(CAN_FLUSH).fetchone()
                self.early_release = bool(allowed and allowed[0])
        except psycopg.Error as exc:
            raise StoreError(f"cannot prepare the PostgreSQL schema: {exc}") from exc
        finally:
            if not conn.closed:
                conn.autocommit = autocommit

    # -- connections: taken and given back -------------------------------------------
    #
    # A KeyboardInterrupt (Ctrl-C, or any exception a signal handler raises) comes out
    # in the main thread wherever that thread happens to be. Inside psycopg_pool's
    # getconn or putconn it could lose a connection for good: the pool only tidies up
    # after an ``Exception``, so a getconn cut off while it waited left its place in the
    # pool's queue, and the pool later handed a connection to that place, which nobody
    # waited on any more. So the main thread never calls the pool itself: a courier
    # thread of this adapter (which no signal reaches) takes and gives back for it, and
    # the main thread only waits for the courier, a wait that can be cut off harmlessly.
    # Every connection taken goes into a ``held`` list before anything else happens to
    # it, and is given back by handing the whole list over: in the main thread to the
    # courier, in one C call that no signal can split. The courier works in order, so a
    # list handed over after an interrupted take is emptied after the take put its
    # connection in it, and a list handed over twice is empty the second time. A
    # connection given back that is not idle (a transaction open, a statement still
    # running, a pipeline, closed) is rolled back, or closed so that the pool replaces
    # it: never reused dirty. Other threads, which no signal reaches, call the pool
    # directly.

    def acquire(self, held: list[psycopg.Connection[Any]]) -> None:
        """Take a connection from the pool into ``held`` (``StoreError`` if none comes).
        What ``held`` holds must be given back, even when this raised (as :meth:`read`
        does)."""
        if self._closed:
            raise StoreError(CLOSED)
        if not self._local.main:
            self._fetch(held)
            return
        failed: list[BaseException] = []
        done = threading.Lock()
        done.acquire()
        self._courier.send((self._fetch_for, held, failed, done))
        done.acquire()  # a Ctrl-C may end this wait: the courier still finishes the take
        if failed:
            raise failed[0]

    def _fetch_for(
        self,
        held: list[psycopg.Connection[Any]],
        failed: list[BaseException],
        done: threading.Lock,
    ) -> None:
        """The courier's take for the main thread."""
        try:
            self._fetch(held)
        except BaseException as exc:
            failed.append(exc)
        finally:
            done.release()

    def _fetch(self, held: list[psycopg.Connection[Any]]) -> None:
        import psycopg

        if self._closed:
            raise StoreError(CLOSED)
        try:
            conn: psycopg.Connection[Any] = self.pool.getconn(timeout=self.connect_timeout)
        except psycopg.Error as exc:
            raise StoreError(
                f"cannot get a PostgreSQL connection within {self.connect_timeout:g} s: {exc}"
            ) from exc
        held.append(conn)
        self._prepare(conn)

    def _prepare(self, conn: psycopg.Connection[Any]) -> None:
        """Autocommit, no automatic prepared statements, UTC: what a unit needs (a
        caller's settings come back with the connection, see :meth:`_Giver.return_one`)."""
        import psycopg

        if not conn.autocommit:
            # A pool given by the caller may hand out connections in the default mode;
            # this adapter issues BEGIN and COMMIT itself.
            self._restore.add(conn)
            conn.autocommit = True
        if conn.prepare_threshold is not None:
            # No automatic prepared statements: a unit whose pipelined round trip fails
            # (a deadlock, a lock timeout) is rolled back, and psycopg could keep
            # believing a statement prepared in it exists; every later use of the
            # connection then failed with 'prepared statement "_pg3_N" does not exist'.
            self._prepared[conn] = conn.prepare_threshold
            conn.prepare_threshold = None
        unfit = unfit_settings(conn)  # reported by the server: no round trip
        if unfit:
            # A caller's pool in another zone, date style or string syntax (SESSION): as
            # SESSION says while the unit runs; the caller's come back with the connection.
            self._callers_settings[conn] = {name: value for name, value, _ in unfit}
            try:
                for _, _, how in unfit:
                    conn.execute(how)
            except psycopg.Error as exc:
                if is_connection_error(exc, conn):
                    # a dead idle connection (a server restart): the unit's BEGIN, or
                    # the read, finds it dead too and takes a fresh one, the pool's
                    # idle ones tested, as for a connection in UTC
                    return
                mapped = self.error(exc, conn)
                assert mapped is not None
                raise mapped from exc

    def settle(self) -> None:
        """Return once the courier has done what this thread handed it (the pool's
        statistics are then whole); nothing else needs to wait for it."""
        if self._local.main:
            self._drain()

    def _drain(self) -> None:
        """Return once the courier has done what was handed to it before."""
        if self._courier.started:
            done = threading.Lock()
            done.acquire()
            self._courier.send((done.release,))
            done.acquire()

    # -- units of work -------------------------------------------------------------

    def check_free(self) -> None:
        """Refuse a second unit in this thread while one runs (nested units)."""
        if self._local.held is not None:
            raise StoreError(NESTED)

    def checkout(self) -> psycopg.Connection[Any]:
        """The connection of this thread's unit of work, which is registered before the
        connection is taken: the unit's ``finally`` ends it even when this raised,
        giving back the thread's ``held`` list as :meth:`unit` does (no call between
        reading the registration and handing the list over, so that no signal can
        arrive in between: the connection is given back exactly once). Call
        :meth:`check_free` first, before that ``try``."""
        held: list[psycopg.Connection[Any]] = []
        self._local.held = held
        self.acquire(held)
        return held[0]

    def retake(self) -> psycopg.Connection[Any]:
        """A fresh connection for this thread's unit in place of its dead one."""
        held = self._local.held
        assert held is not None
        if self._local.main:
            self._handed(held)  # the courier gives it back before it takes the next
        else:
            self._return_all(held)
        self._test_idle()
        self.acquire(held)
        conn: psycopg.Connection[Any] = held[0]
        return conn

    def _test_idle(self) -> None:
        """Test the pool's idle connections, replacing the dead ones: one connection
        found dead is seldom alone (a server restart ends them all at once), and a retry
        that took the next idle one would find it dead too, each attempt another."""
        import psycopg

        # best effort: a pool closed meanwhile is reported by the acquire that follows
        with contextlib.suppress(psycopg.Error):
            self.pool.check()

    def read_again(self, read: Callable[[], _T]) -> _T:
        """``read()`` (single-statement reads on :meth:`read` connections), run again
        on a fresh connection, up to ``attempts`` times, when its connection was found
        dead: a read commits nothing, so running it again is safe, as a unit that has
        not begun is started again."""
        for attempt in range(self.attempts):
            try:
                return read()
            except LostRead:
                self._test_idle()  # for the next read, when this one may not run again
                if attempt + 1 >= self.attempts:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def begin(self) -> psycopg.Connection[Any]:
        """This thread's unit's connection inside a fresh transaction, replacing dead
        connections a few times (call :meth:`check_free` first; end it as :meth:`unit` does)."""
        import psycopg

        conn = self.checkout()
        last: Exception | None = None
        for attempt in range(self.attempts):
            try:
                conn.execute(BEGIN)
                return conn
            except psycopg.Error as exc:
                self.interrupted(exc, conn)
                if not is_connection_error(exc, conn):
                    mapped = self.error(exc, conn)
                    assert mapped is not None
                    raise mapped from exc
                last = exc
                if attempt + 1 < self.attempts:
                    conn = self.retake()  # the pool discards the broken connection
                else:
                    self._test_idle()  # for the next unit: no attempt is left to this one
        raise StoreError(
            f"cannot begin a unit of work on PostgreSQL after {self.attempts} attempts: {last}"
        ) from last

    def commit(self, conn: psycopg.Connection[Any]) -> None:
        """Commit the unit of work on ``conn`` (rolled back instead if a statement failed)."""
        import psycopg
        from psycopg.pq import TransactionStatus

        if conn.info.transaction_status == TransactionStatus.INERROR:
            self.rollback(conn)
            raise StoreError("a statement of the unit of work failed; it was rolled back")
        try:
            conn.execute("COMMIT")
        except psycopg.Error as exc:
            raise self.commit_error(exc, conn) from exc

    def commit_error(self, exc: psycopg.Error, conn: psycopg.Connection[Any]) -> RoutingError:
        """The library error for a failed COMMIT; the unit is rolled back if it can be.
        A connection lost there (even by the rollback) never claims that nothing was
        committed: the COMMIT may have been."""
        self.interrupted(exc, conn)
        if not is_connection_error(exc, conn):
            self.rollback(conn)
        mapped = self.error(exc, conn, committing=True)
        assert mapped is not None
        return mapped

    @staticmethod
    def rollback(conn: psycopg.Connection[Any]) -> None:
        """Roll back what ``conn`` holds open; close it if even that fails."""
        import psycopg

        if conn.closed or conn.broken:
            return  # the server rolls back what a lost connection left open
        try:
            conn.execute("ROLLBACK")
        except psycopg.Error:
            conn.close()  # closing aborts the transaction; the pool drops the connection

    @unit_of_work
    def unit(self) -> Generator[psycopg.Connection[Any], None, None]:
        """A plain unit of work for the adapters' own writes (no transaction object)."""
        self.check_free()  # before the try: a refusal must not end the running unit
        try:
            conn = self.begin()
            try:
                yield conn
            except BaseException as exc:
                self.rollback(conn)
                mapped = self.error(exc, conn)
                if mapped is None:
                    raise
                raise mapped from exc
            self.commit(conn)
        finally:
            # Whatever cut the unit off, its connection is given back (see checkout):
            # inline, since a signal that arrived during the unit's last statement is
            # raised at the next call, and the first line of a called function cannot
            # be guarded.
            local = self._local
            held = local.held
            local.held = None
            if held is None:
                pass
            elif local.main:
                self._handed(held)
            else:
                self._return_all(held)

    @unit_of_work
    def read(self) -> Generator[psycopg.Connection[Any], None, None]:
        """A connection for single-statement reads (autocommit: no transaction is held)."""
        held: list[psycopg.Connection[Any]] = []
        main = self._local.main
        try:
            self.acquire(held)
            conn = held[0]
            try:
                yield conn
            except BaseException as exc:
                mapped = self.error(exc, conn)
                if mapped is None:
                    raise
                if is_connection_error(exc, conn):
                    raise LostRead(str(mapped)) from exc  # for read_again
                raise mapped from exc
        finally:
            # handed over with no call in between (see unit)
            if main:
                self._handed(held)
            else:
                self._return_all(held)

    def close(self) -> None:
        """Close the pool, if this adapter opened it, once the courier has given back
        what was handed to it (a caller's pool has every connection back on return)."""
        self._closed = True
        self._drain()
        if self._own_pool:
            self.pool.close()
