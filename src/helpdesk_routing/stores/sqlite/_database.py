"""The connections of a SQLite adapter: one per concurrent unit of work, units of
work (``BEGIN IMMEDIATE``, or deferred and read-only), migrations, and errors.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from helpdesk_routing._time import seconds
from helpdesk_routing.errors import (
    ArgumentTypeError,
    ConflictError,
    RoutingError,
    StoreError,
    ValidationError,
)
from helpdesk_routing.stores._sql import (
    CLOSED,
    NESTED,
    Dialect,
    apply_migrations,
    from_micros,
    sync_level,
    to_micros,
)

if TYPE_CHECKING:
    pass

from ._schema import MIGRATIONS

__all__ = ["DIALECT", "MAX_TIMEOUT", "OPEN_STATUSES", "Database"]


MAX_TIMEOUT = 2_147_483
"""The largest ``timeout`` in seconds: SQLite keeps its busy timeout in milliseconds in a
signed 32-bit integer (a larger one silently turns into no wait at all)."""
OPEN_STATUSES = ("open", "pending")
"""The statuses that count towards an agent's open load."""
# A unit of work holds the database's write lock from BEGIN IMMEDIATE on, so a read in
# it needs no row lock.
DIALECT = Dialect(param="?", arrival="rowid", lock="", to_db=to_micros, from_db=from_micros)


# The retry sleeps of a writer waiting for the write lock: slow at first, fast once it
# has waited _AGED seconds (see Database._begin_immediate).
_RETRY_SLOW = 0.002
_RETRY_FAST = 0.0005
_AGED = 0.01


# Per thread: the files (device, inode) it holds a write unit on, through any adapter
# object of this process. A second write unit on one of them in the same thread (another
# store or customer-data object on the same file) would wait for the first, which
# cannot end while its thread waits: refused at once instead of after ``timeout``.
_WRITING = threading.local()


def _writing() -> set[tuple[int, int]]:
    files: set[tuple[int, int]] | None = getattr(_WRITING, "files", None)
    if files is None:
        files = _WRITING.files = set()
    return files


def _file_key(path: str) -> tuple[int, int] | None:
    """The file's identity (device, inode), the same through any name, link or relative
    path; ``None`` when there is no file (yet)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def _is_locked(exc: sqlite3.Error) -> bool:
    text = str(exc)
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


class Database:
    """The SQLite connections of one store: one per concurrent unit of work, reused.

    A file database opens a connection for each unit of work running at the same
    time and keeps it for the next; ``:memory:`` has exactly one connection (each
    connection would see its own private database), which units of work take in turn.
    """

    def __init__(self, path: str | os.PathLike[str], timeout: float, synchronous: str) -> None:
        # Both go into PRAGMA text: checked here, so a bad value fails now and by name
        # (SQLite itself ignores an unknown synchronous level).
        level = sync_level(synchronous)
        timeout = seconds(timeout, "timeout", zero=True)
        if timeout > MAX_TIMEOUT:
            raise ValidationError(
                f"timeout must be at most {MAX_TIMEOUT:,} seconds, got {timeout!r}"
            )
        text = os.fspath(path) if isinstance(path, str | os.PathLike) else None
        if not isinstance(text, str):  # None, bytes, a number: a bare TypeError before
            raise ArgumentTypeError(
                f"path must be a file path (str or Path) or ':memory:', got {path!r}"
            )
        if "\x00" in text:  # no file can be named so: a bare ValueError from sqlite3 before
            raise ValidationError(f"path must not contain NUL (\\x00), got {text!r}")
        self.path = text
        self.timeout = timeout
        self._synchronous = level
        self._memory = self.path in (":memory:", "")
        self._lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._slot = threading.Lock() if self._memory else None
        self._closed = False
        self._local = threading.local()
        self._file = None if self._memory else _file_key(text)
        self._migrate()
        if self._file is None and not self._memory:
            self._file = _file_key(text)

    # -- connections ---------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open SQLite database {self.path!r}: {exc}") from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            conn.execute(f"PRAGMA synchronous = {self._synchronous}")
        except sqlite3.Error as exc:
            conn.close()
            raise self.error(exc) from exc
        return conn

    def acquire(self) -> sqlite3.Connection:
        """A connection for one unit of work (or one read); give it back with :meth:`release`."""
        if self._slot is not None and not self._slot.acquire(timeout=self.timeout):
            raise ConflictError(
                f"timed out after {self.timeout:g} s waiting for the in-memory SQLite database"
            )
        try:
            with self._lock:
                if self._closed:
                    raise StoreError(CLOSED)
                if self._idle:
                    return self._idle.pop()
            return self._open()
        except BaseException:
            if self._slot is not None:
                self._slot.release()
            raise

    def release(self, conn: sqlite3.Connection) -> None:
        """Return a connection; it is closed if the store was closed meanwhile."""
        with self._lock:
            keep = not self._closed
            if keep:
                self._idle.append(conn)
        if not keep:
            conn.close()
        if self._slot is not None:
            self._slot.release()

    def close(self) -> None:
        """Close every idle connection; those in use are closed when their unit ends."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    # -- errors and units of work --------------------------------------------------

    def error(self, exc: sqlite3.Error) -> RoutingError:
        """The library error for a ``sqlite3`` error: contention is a conflict."""
        if _is_locked(exc):
            return ConflictError(
                f"the SQLite database {self.path!r} stayed locked by another writer "
                f"for {self.timeout:g} s: {exc}"
            )
        return StoreError(f"SQLite error on {self.path!r}: {exc}")

    def begin(self) -> sqlite3.Connection:
        """A connection inside a fresh ``BEGIN IMMEDIATE`` transaction (the write lock held)."""
        if getattr(self._local, "active", False):
            raise StoreError(NESTED)
        file = self._file
        if file is not None:
            files = _writing()
            if file in files:
                raise self._self_deadlock()
        conn = self.acquire()
        try:
            self._begin_immediate(conn)
        except sqlite3.Error as exc:
            self.release(conn)
            raise self.error(exc) from exc
        except BaseException:
            self.release(conn)
            raise
        self._local.active = True
        if file is not None:
            files.add(file)
        return conn

    def _self_deadlock(self) -> StoreError:
        """The error of a write unit this thread could only wait for forever: it already
        holds one on the same file through another adapter object."""
        return StoreError(
            f"this thread already holds a unit of work writing to the SQLite database "
            f"{self.path!r} (through another store or customer-data object on the "
            "file): a second one would wait for it forever; finish that unit first"
        )

    def _begin_immediate(self, conn: sqlite3.Connection) -> None:
        # SQLite's own busy handler sleeps longer the longer a writer has waited (up to
        # 100 ms a try), so newcomers overtake those that waited most: under 8
        # processes the slowest unit waited ~90 times the mean. Here the write lock is
        # tried without SQLite's handler and retried after sleeps that get *shorter*
        # the longer this writer has waited (aging), so long waiters are served first
        # more often than not. The busy timeout stays on for every other statement.
        start = time.monotonic()
        deadline = start + self.timeout
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    now = time.monotonic()
                    if not _is_locked(exc) or now >= deadline:
                        raise
                waited = now - start
                time.sleep(_RETRY_SLOW if waited < _AGED else _RETRY_FAST)
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")

    def begin_read(self) -> sqlite3.Connection:
        """A connection inside a deferred, read-only transaction: it takes no write lock
        (in WAL mode readers never wait for the writer) and sees one committed state
        from its first read on; ``PRAGMA query_only`` makes any write in it fail."""
        if getattr(self._local, "active", False):
            raise StoreError(NESTED)
        conn = self.acquire()
        try:
            conn.execute("PRAGMA query_only = ON")
            conn.execute("BEGIN DEFERRED")
        except sqlite3.Error as exc:
            self._writable(conn)
            self.release(conn)
            raise self.error(exc) from exc
        self._local.active = True
        return conn

    @staticmethod
    def _writable(conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.execute("PRAGMA query_only = OFF")

    def end_read(self, conn: sqlite3.Connection) -> None:
        """End a read-only unit (nothing to commit) and give the connection back."""
        try:
            self._writable(conn)
        finally:
            self._local.active = False
            self.release(conn)

    def end(self, conn: sqlite3.Connection, *, commit: bool) -> None:
        """Commit (or roll back) the unit of work on ``conn`` and give the connection back."""
        try:
            if commit:
                try:
                    conn.execute("COMMIT")
                except sqlite3.Error as exc:
                    self._rollback(conn)
                    raise self.error(exc) from exc
            else:
                self._rollback(conn)
        finally:
            self._local.active = False
            if self._file is not None:
                _writing().discard(self._file)
            self.release(conn)

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            conn.execute("ROLLBACK")

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A plain unit of work for the adapters' own writes (no transaction object)."""
        conn = self.begin()
        try:
            yield conn
        except sqlite3.Error as exc:
            self.end(conn, commit=False)
            raise self.error(exc) from exc
        except BaseException:
            self.end(conn, commit=False)
            raise
        self.end(conn, commit=True)

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A connection for single-statement reads (each statement sees one committed state)."""
        conn = self.acquire()
        try:
            yield conn
        except sqlite3.Error as exc:
            raise self.error(exc) from exc
        finally:
            self.release(conn)

    # -- schema --------------------------------------------------------------------

    def _migrate(self) -> None:
        if self._file is not None and self._file in _writing():
            raise self._self_deadlock()
        conn = self.acquire()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                self._apply(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            if not self._memory:
                # After the version check, so a refused file is left exactly as it was.
                conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.Error as exc:
            self.release(conn)
            self.close()
            raise self.error(exc) from exc
        except BaseException:
            self.release(conn)
            self.close()
            raise
        self.release(conn)

    @staticmethod
    def _apply(conn: sqlite3.Connection) -> None:
        exists = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
        ).fetchone()
        apply_migrations(conn, DIALECT, MIGRATIONS, exists=exists is not None)
