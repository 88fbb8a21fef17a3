"""The connections of a SQLite adapter: one per concurrent unit of work (at most
:data:`IDLE_LIMIT` kept between units), units of work (``BEGIN IMMEDIATE``, or deferred
and read-only), migrations, and errors.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
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
    check_schema_version,
    from_micros,
    sync_level,
    to_micros,
    unit_of_work,
)

if TYPE_CHECKING:
    pass

from ._schema import MIGRATIONS

__all__ = [
    "DIALECT",
    "IDLE_LIMIT",
    "LEDGER",
    "MAX_TIMEOUT",
    "OPEN_STATUSES",
    "STORE",
    "Database",
    "file_key",
    "is_locked",
    "mark_writing",
    "out_of_files",
    "self_deadlock",
    "unmark_writing",
    "write_ahead",
]


MAX_TIMEOUT = 2_147_483
"""The largest ``timeout`` in seconds: SQLite keeps its busy timeout in milliseconds in a
signed 32-bit integer (a larger one silently turns into no wait at all)."""
IDLE_LIMIT = 8
"""The most connections a file database keeps open between units of work: a burst of
threads opens one connection each, and those given back beyond this many are closed
(each holds two file descriptors, the file and its -wal; write units run one at a time
anyway, so more idle connections would save only the cost of opening one, ~0.3 ms)."""
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
# object of this process, with what kind of object holds it (STORE or LEDGER). A second
# write unit on one of them in the same thread (another store or customer-data object on
# the same file, a SqliteLedger on a store's file) would wait for the first, which
# cannot end while its thread waits: refused at once instead of after ``timeout``.
_WRITING = threading.local()

STORE = "store"
"""A write unit of a store or customer-data object (:class:`Database`)."""
LEDGER = "ledger"
"""A unit of a ``SqliteLedger`` (each of its units is ``BEGIN IMMEDIATE``)."""
_HOLDERS = {STORE: "store or customer-data object", LEDGER: "SqliteLedger"}

_Mark = tuple[str, Callable[[], bool] | None]
"""What holds a file: its kind, and (if any) whether it still holds it: a mark an
interrupt left behind (it landed just before the mark was cleared) then counts for
nothing once its unit has ended."""


def _writing() -> dict[tuple[int, int], _Mark]:
    files: dict[tuple[int, int], _Mark] | None = getattr(_WRITING, "files", None)
    if files is None:
        files = _WRITING.files = {}
    return files


def file_key(path: str) -> tuple[int, int] | None:
    """The file's identity (device, inode), the same through any name, link or relative
    path; ``None`` when there is no file (yet)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def self_deadlock(path: str, file: tuple[int, int] | None, *, by: str) -> StoreError | None:
    """The error of a write unit through an object of kind ``by`` (:data:`STORE`,
    :data:`LEDGER`) on ``file`` (at ``path``) when this thread already holds one on it
    through another object: it could only wait for that one forever. ``None`` if not."""
    if file is None:
        return None
    files = _writing()
    mark = files.get(file)
    if mark is None:
        return None
    holder, holding = mark
    if holding is not None and not holding():
        del files[file]
        return None
    through = f"{'another' if holder == by else 'a'} {_HOLDERS[holder]}"
    return StoreError(
        f"this thread already holds a unit of work writing to the SQLite database "
        f"{path!r} (through {through} on the file): a second one would wait for it "
        "forever; finish that unit first"
    )


def mark_writing(
    file: tuple[int, int], holder: str, holding: Callable[[], bool] | None = None
) -> None:
    """Record that this thread holds a write unit on ``file`` through a ``holder``;
    ``holding`` (if given) tells whether it still does."""
    _writing()[file] = (holder, holding)


def unmark_writing(file: tuple[int, int], holder: str) -> None:
    """Forget this thread's write unit on ``file`` if a ``holder`` holds it (a no-op
    otherwise: the mark of another kind of object is never cleared here)."""
    files = _writing()
    mark = files.get(file)
    if mark is not None and mark[0] == holder:
        del files[file]


def file_path(path: object) -> str:
    """``path`` as the absolute path of the file it names, resolved once against the
    current directory (a later ``os.chdir`` changes nothing), or ``":memory:"``.

    Not a ``str`` or ``os.PathLike`` of text: ``ArgumentTypeError``; empty or holding
    NUL: ``ValidationError``; both naming ``path``."""
    text = os.fspath(path) if isinstance(path, str | os.PathLike) else None
    if not isinstance(text, str):  # None, bytes, a number: a bare TypeError before
        raise ArgumentTypeError(
            f"path must be a file path (str or Path) or ':memory:', got {path!r}"
        )
    if not text:  # SQLite would open a private temporary database, forgotten on close
        raise ValidationError(
            "path must name a file, got '' (use ':memory:' for a throwaway in-memory database)"
        )
    if "\x00" in text:  # no file can be named so: a bare ValueError from sqlite3 before
        raise ValidationError(f"path must not contain NUL (\\x00), got {text!r}")
    if text == ":memory:" or os.path.isabs(text):
        return text
    try:
        # joined, not normalised: "link/../db" must still go through the link
        return os.path.join(os.getcwd(), text)
    except OSError as exc:  # the current directory was removed
        raise StoreError(f"cannot resolve the relative path {text!r}: {exc}") from exc


class _Connection(sqlite3.Connection):
    """A connection of a file database: a subclass only so that it can be weakly
    referenced (a ``sqlite3.Connection`` cannot be), see ``Database._live``."""


class _Snapshot(_Connection):
    """A connection that reads the file as immutable (``immutable=1``): SQLite then
    takes no lock and assumes that nothing changes the file, so it sees no writer."""

    stamp: tuple[int, ...] | None = None
    """The file as it was when the connection was opened (see :func:`_stamp`)."""


def _stamp(path: str) -> tuple[int, ...] | None:
    """What changes when a writer changes the file: its identity, size and mtime."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


_CANNOT_OPEN = "unable to open database file"  # SQLite's text for SQLITE_CANTOPEN


def out_of_files(exc: BaseException) -> str:
    """What to add to the message of a SQLite error that could not open a file (``unable
    to open database file``, which never says why) when this process, or the system, has
    run out of file descriptors: ``"; this process has run out of ..."``; else ``""``.

    Checked after the fact by opening a file (``os.devnull``): only when that fails too
    (``EMFILE``, ``ENFILE``) is the process (the system) said to have run out. Another
    thread, or SQLite giving up, may have freed one or two meanwhile: a process left with
    at most :data:`_FD_MARGIN` to spare is told that it *may* have run out. With more to
    spare, nothing is added: the cause is another (a missing directory, permissions)."""
    if _CANNOT_OPEN not in str(exc):
        return ""
    limit = _fd_limit()
    try:
        probe = os.open(os.devnull, os.O_RDONLY)
    except OSError as err:
        if err.errno == errno.EMFILE:
            allowed = "" if limit is None else f" (all {limit} its limit allows are open)"
            return (
                f"; this process has run out of file descriptors{allowed}, so no file "
                "can be opened; close what holds them, use fewer threads at once, or "
                "raise the limit (RLIMIT_NOFILE, `ulimit -n`)"
            )
        if err.errno == errno.ENFILE:
            return "; the system has run out of file descriptors (ENFILE), so no file can be opened"
        return ""
    os.close(probe)
    used = _fds_open()
    if limit is None or used is None or used < limit - _FD_MARGIN:
        return ""
    return (
        f"; this process has {used} file descriptors open, of the {limit} its limit "
        "RLIMIT_NOFILE allows (`ulimit -n`), so it may have run out of them when this "
        "failed; if so, close what holds them, use fewer threads at once, or raise the limit"
    )


_FD_MARGIN = 2
"""The most file descriptors a process may have to spare (when checked, after the
failure) for it to be told that it may have run out of them as the file was opened."""


def _fd_limit() -> int | None:
    """This process's soft limit of open file descriptors, if it has a finite one."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows
        return None
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return None if soft == resource.RLIM_INFINITY else soft


def _fds_open() -> int | None:
    """How many file descriptors this process has open (Linux), else ``None``."""
    try:
        return len(os.listdir("/proc/self/fd")) - 1  # less the one listing the directory
    except OSError:
        return None


def write_ahead(conn: sqlite3.Connection, timeout: float) -> None:
    """Switch ``conn``'s file to WAL. The switch needs the file to itself, and SQLite
    answers "database is locked" at once, without its busy handler, while another
    connection holds a write lock (processes opening a new file together: one is
    migrating or seeding as another switches). So it is tried again, with short pauses,
    for ``timeout`` seconds, as a unit waits for a lock; a file in WAL needs no lock."""
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if not is_locked(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def is_locked(exc: sqlite3.Error) -> bool:
    """Whether ``exc`` says the database stayed locked (busy) past the busy timeout."""
    text = str(exc)
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


class Database:
    """The SQLite connections of one store: one per concurrent unit of work, reused.

    A file database opens a connection for each unit of work running at the same
    time and keeps up to :data:`IDLE_LIMIT` of them for the next (those given back
    beyond are closed); ``:memory:`` has exactly one connection (each connection would
    see its own private database), which units of work take in turn.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        timeout: float,
        synchronous: str,
        *,
        read_only: bool = False,
    ) -> None:
        # Both go into PRAGMA text: checked here, so a bad value fails now and by name
        # (SQLite itself ignores an unknown synchronous level).
        level = sync_level(synchronous)
        timeout = seconds(timeout, "timeout", zero=True)
        if timeout > MAX_TIMEOUT:
            raise ValidationError(
                f"timeout must be at most {MAX_TIMEOUT:,} seconds, got {timeout!r}"
            )
        self.path = file_path(path)
        self.timeout = timeout
        self._synchronous = level
        self._memory = self.path == ":memory:"
        self._read_only = read_only
        self._lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        # A file's connections open now (idle or in use), and whether one was closed
        # for being beyond IDLE_LIMIT since all were last idle: see release. A set, not a
        # count (which an interrupt between taking a connection and handing it over left
        # one too high for good: no burst was flushed again): one an interrupt cuts off
        # on its way is closed and dropped from it at once (_lose), and, weakly held, one
        # lost where even that could not run leaves it when it is collected (and closed).
        self._live: weakref.WeakSet[sqlite3.Connection] = weakref.WeakSet()
        self._beyond = False
        self._slot = threading.Lock() if self._memory else None
        self._one: sqlite3.Connection | None = None  # the connection of ":memory:"
        self._closed = False
        self._local = threading.local()
        self._file = None if self._memory else file_key(self.path)
        if read_only:
            self._check_read_only()
        else:
            self._migrate()
        if self._file is None and not self._memory:
            self._file = file_key(self.path)

    # -- connections ---------------------------------------------------------------

    def _open(self, into: list[sqlite3.Connection] | None = None) -> sqlite3.Connection:
        """A new connection, counted among those open (a file's); appended to ``into``
        (if given) before it is returned, as :meth:`acquire` hands it over."""
        try:
            if self._read_only:  # opened so that nothing can be written, nor created
                conn = self._open_read_only()
            else:
                conn = sqlite3.connect(
                    self.path,
                    timeout=self.timeout,
                    isolation_level=None,
                    check_same_thread=False,
                    factory=_Connection,
                )
        except sqlite3.Error as exc:
            raise StoreError(
                f"cannot open SQLite database {self.path!r}: {exc}{out_of_files(exc)}"
            ) from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            if not self._read_only:
                conn.execute(f"PRAGMA synchronous = {self._synchronous}")
            if not self._memory:
                with self._lock:
                    self._live.add(conn)
            if into is not None:
                into.append(conn)
        except BaseException as exc:
            if self._memory:
                conn.close()
            else:
                self._lose([conn])
            if isinstance(exc, sqlite3.Error):
                raise self.error(exc) from exc
            raise
        return conn

    def _open_read_only(self) -> sqlite3.Connection:
        uri = f"{Path(self.path).as_uri()}?mode=ro"
        conn = sqlite3.connect(
            uri,
            timeout=self.timeout,
            isolation_level=None,
            check_same_thread=False,
            uri=True,
            factory=_Connection,
        )
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            busy = getattr(exc, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED")
            if busy or os.path.exists(f"{self.path}-journal"):
                # A writer holds the file (a rollback journal's exclusive lock, or one
                # taken on purpose): its pages may be half written, with the rest in
                # its journal; read as immutable, they were taken for the data (a report
                # of none of the tickets of a transaction that then rolled back).
                held = (
                    f"a writer holds it ({exc})"
                    if busy
                    else "a writer left its rollback journal beside it (at work, or stopped "
                    "midway: the next writer rolls it back)"
                )
                raise StoreError(
                    f"cannot read the SQLite database {self.path!r} now: {held}, and "
                    "what it has half written may not be read; read it when no one writes "
                    "to it"
                ) from None
            if os.path.exists(f"{self.path}-wal"):
                raise StoreError(
                    f"cannot read the SQLite database {self.path!r} now: a writer has it "
                    "open (its -wal file is beside it) and this process cannot write in "
                    "its directory, so SQLite cannot share the file with that writer; "
                    "read it when no one writes to it, or give this process write "
                    "access to the directory"
                ) from None
        # A WAL database whose -shm file cannot be made (a read-only directory) can only
        # be read as immutable; without a -wal file every page is in the file itself. A
        # writer that may write in the directory (another user) is not seen, and a
        # change of the file during a read unit is refused (see snapshot_changed).
        return self._open_snapshot(uri)

    def _open_snapshot(self, uri: str | None = None) -> sqlite3.Connection:
        """A connection reading the file as an immutable snapshot (one per unit: it is
        closed, not pooled, when given back, so the next unit sees the file anew)."""
        uri = uri or f"{Path(self.path).as_uri()}?mode=ro"
        stamp = _stamp(self.path)
        conn = sqlite3.connect(
            f"{uri}&immutable=1",
            timeout=self.timeout,
            isolation_level=None,
            check_same_thread=False,
            uri=True,
            factory=_Snapshot,
        )
        conn.stamp = stamp
        return conn

    def snapshot_changed(self, conn: sqlite3.Connection | None) -> StoreError | None:
        """The error for a read of an immutable snapshot during which the file changed
        (a writer by another user: its pages may be half-written), else ``None``."""
        if not isinstance(conn, _Snapshot) or _stamp(self.path) == conn.stamp:
            return None
        return StoreError(
            f"the SQLite database {self.path!r} changed while it was read: this process "
            "cannot write in its directory, so the file is read as an immutable snapshot, "
            "which sees no writer; read it when no one writes to it, or give this process "
            "write access to the directory"
        )

    def acquire(self, into: list[sqlite3.Connection] | None = None) -> sqlite3.Connection:
        """A connection for one unit of work (or one read); give it back with :meth:`release`.

        ``into`` (empty) gets the connection appended before it is returned: from then on
        the caller holds it, even when an interrupt arrives as this returns (before the
        caller could store the value), and gives it back from ``into``."""
        # The connection goes into ``held`` as it is taken (from the idle ones, or
        # opened): from then on it is ``into``'s, which the caller gives back; without
        # ``into``, one an interrupt stops here is closed (it is nobody's).
        held = [] if into is None else into
        if self._slot is not None and not self._slot.acquire(timeout=self.timeout):
            raise ConflictError(
                f"timed out after {self.timeout:g} s waiting for the in-memory SQLite database"
            )
        try:
            with self._lock:
                if self._closed:
                    raise StoreError(CLOSED)
                if self._memory:
                    # The one connection stays held here while in use: an interrupt
                    # cannot lose it (and with it the whole database).
                    if self._one is None:
                        self._one = self._open()
                    held.append(self._one)
                elif self._idle:
                    held.append(self._idle.pop())
            if not held:
                self._open(held)
            return held[0]
        except BaseException:
            if into is None and not self._memory:
                self._lose(held)
            if self._slot is not None and not into:
                self._slot.release()
            raise

    def release(self, conn: sqlite3.Connection) -> None:
        """Return a connection; it is closed if the store was closed meanwhile, or if
        :data:`IDLE_LIMIT` connections are idle already.

        SQLite keeps the file descriptor of a connection closed while others on the file
        are open (closing it would drop their locks: in WAL mode each holds one) until
        the last one closes, and reuses it for the next it opens; so once a burst of
        units beyond the limit has ended (none in use), every idle connection is closed,
        and the descriptors with them."""
        try:
            flushed: list[sqlite3.Connection] = []
            try:
                with self._lock:
                    keep = not self._closed and not isinstance(conn, _Snapshot)
                    if keep and not self._memory:
                        keep = len(self._idle) < IDLE_LIMIT
                        if keep:
                            self._idle.append(conn)
                        else:
                            self._beyond = True
                    if not keep:
                        self._live.discard(conn)
                    if self._beyond and self._all_idle():
                        self._beyond = False
                        flushed, self._idle = self._idle, []
                        self._live.difference_update(flushed)
                if not keep:
                    conn.close()
                for idle in flushed:
                    idle.close()
            except BaseException:
                self._lose(flushed)  # taken out of the idle ones to be closed
                raise
        except BaseException:
            if not self._memory:  # cut off before the connection was kept or closed
                self._lose([conn])
            raise
        finally:
            if self._slot is not None:
                self._slot.release()

    def _lose(self, conns: list[sqlite3.Connection]) -> None:
        """Close those of a file's ``conns`` that are not idle: connections an interrupt
        cut off on their way into or out of the pool, which nothing else could give back
        (a traceback kept, as the interactive interpreter keeps the last one, would keep
        them open and counted, and no burst would be flushed while it lived)."""
        with self._lock:
            lost = [conn for conn in conns if conn not in self._idle]
            self._live.difference_update(lost)
        for conn in lost:
            conn.close()

    def _all_idle(self) -> bool:
        """Whether every connection open on the file is idle (none in use), counted
        anew each time (under ``_lock``): a count kept would drift when an interrupt
        loses a connection."""
        idle = set(self._idle)
        return all(conn in idle for conn in self._live)

    def discard(self, conn: sqlite3.Connection) -> None:
        """Give back a connection in an unknown state (its unit was cut off at any point,
        e.g. by ``KeyboardInterrupt``): a file's is closed, which rolls back what it
        began and frees the write lock; the one connection of ``:memory:`` (closing it
        would lose the database) is rolled back and made writable again."""
        try:
            if self._memory:
                self._writable(conn)
            else:
                self._lose([conn])
        except sqlite3.Error:
            pass  # the exception that cut the unit off is the one to tell
        except BaseException:
            if not self._memory:  # cut off again before it was closed
                self._lose([conn])
            raise
        finally:
            if self._memory:
                self.release(conn)

    def close(self) -> None:
        """Close every idle connection; those in use are closed when their unit ends."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        if self._slot is not None and self._one is not None and self._slot.acquire(blocking=False):
            try:
                idle.append(self._one)
            finally:
                self._slot.release()
        for conn in idle:
            conn.close()

    # -- errors and units of work --------------------------------------------------

    def error(self, exc: sqlite3.Error, conn: sqlite3.Connection | None = None) -> RoutingError:
        """The library error for a ``sqlite3`` error (on ``conn``, if known): contention
        is a conflict; an immutable snapshot whose file changed says so."""
        changed = self.snapshot_changed(conn)
        if changed is not None:
            return changed
        if is_locked(exc):
            return ConflictError(
                f"the SQLite database {self.path!r} stayed locked by another writer "
                f"for {self.timeout:g} s: {exc}"
            )
        if self._read_only and "readonly" in str(exc):
            return StoreError(f"the SQLite database {self.path!r} is opened read only: {exc}")
        return StoreError(f"SQLite error on {self.path!r}: {exc}{out_of_files(exc)}")

    # A unit of work of this thread is registered in ``_local.held`` (a list that
    # :meth:`acquire` puts its connection in) from the moment its connection is taken
    # until it is given back, so that whatever cuts the unit off (``KeyboardInterrupt``
    # at any point of begin, body or end, even as ``acquire`` returns) can end it: see
    # :meth:`abandon`.

    def _registered(self) -> sqlite3.Connection | None:
        held: list[sqlite3.Connection] | None = getattr(self._local, "held", None)
        return held[0] if held else None

    def check_free(self, *, write: bool) -> None:
        """Refuse a unit this thread cannot have now: one is running in it on this
        object (nested), or a write unit on the same file through another object."""
        if self._registered() is not None:
            raise StoreError(NESTED)
        refused = self_deadlock(self.path, self._file, by=STORE) if write else None
        if refused is not None:
            raise refused

    def _take(self, *, write: bool) -> sqlite3.Connection:
        self.check_free(write=write)
        self._local.write = write
        if write and self._file is not None:
            mark_writing(self._file, STORE)
        held: list[sqlite3.Connection] = []
        self._local.held = held  # registered before it is taken
        try:
            return self.acquire(held)
        except BaseException:
            self.abandon()
            raise

    def _unmark(self) -> None:
        if getattr(self._local, "write", False) and self._file is not None:
            unmark_writing(self._file, STORE)
        self._local.write = False

    def _give_back(self, conn: sqlite3.Connection, *, clean: bool) -> None:
        """End this thread's unit: its connection back to the pool if ``clean`` (no
        transaction open, writable), else :meth:`discard` ed; its marks cleared. The
        connection is unregistered first, so that an interrupt anywhere in here never
        gives it back twice (:meth:`abandon` clears what is left)."""
        registered = self._registered() is conn
        self._local.held = []
        try:
            self._unmark()
        finally:
            if registered:
                if clean:
                    self.release(conn)
                else:
                    self.discard(conn)

    def abandon(self) -> None:
        """End this thread's unit as cut off, if it was not ended: a connection still
        registered is discarded (rolled back), the marks are cleared. A no-op once the
        unit was ended."""
        conn = self._registered()
        if conn is not None:
            self._give_back(conn, clean=False)
        else:
            self._unmark()

    def begin(self) -> sqlite3.Connection:
        """A connection inside a fresh ``BEGIN IMMEDIATE`` transaction (the write lock held)."""
        conn = self._take(write=True)
        try:
            if self._memory and conn.in_transaction:  # left by a unit cut off twice
                conn.execute("ROLLBACK")
            self._begin_immediate(conn)
        except sqlite3.Error as exc:
            self.abandon()
            raise self.error(exc) from exc
        except BaseException:
            self.abandon()
            raise
        return conn

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
                    if not is_locked(exc) or now >= deadline:
                        raise
                waited = now - start
                time.sleep(_RETRY_SLOW if waited < _AGED else _RETRY_FAST)
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")

    def begin_read(self) -> sqlite3.Connection:
        """A connection inside a deferred, read-only transaction: it takes no write lock
        (in WAL mode readers never wait for the writer) and sees one committed state
        from its first read on; ``PRAGMA query_only`` makes any write in it fail."""
        conn = self._take(write=False)
        try:
            if self._memory and conn.in_transaction:  # left by a unit cut off twice
                conn.execute("ROLLBACK")
            conn.execute("PRAGMA query_only = ON")
            conn.execute("BEGIN DEFERRED")
        except sqlite3.Error as exc:
            self.abandon()
            raise self.error(exc) from exc
        except BaseException:
            self.abandon()
            raise
        return conn

    @staticmethod
    def _writable(conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.execute("PRAGMA query_only = OFF")

    def end_read(self, conn: sqlite3.Connection) -> None:
        """End a read-only unit (nothing to commit) and give the connection back; cut
        off half-way, the connection is discarded (it may still be read-only)."""
        clean = False
        try:
            self._writable(conn)
            clean = True
        finally:
            self._give_back(conn, clean=clean)
        changed = self.snapshot_changed(conn)
        if changed is not None:  # what was read may mix two states of the file
            raise changed

    def end(self, conn: sqlite3.Connection, *, commit: bool) -> None:
        """Commit (or roll back) the unit of work on ``conn`` and give the connection
        back; cut off half-way, the connection is discarded (rolled back)."""
        clean = False
        try:
            if commit:
                try:
                    conn.execute("COMMIT")
                except sqlite3.Error as exc:
                    self._rollback(conn)
                    clean = True
                    raise self.error(exc) from exc
            else:
                self._rollback(conn)
            clean = True
        finally:
            self._give_back(conn, clean=clean)

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            conn.execute("ROLLBACK")

    @unit_of_work
    def write(self) -> Generator[sqlite3.Connection, None, None]:
        """A plain unit of work for the adapters' own writes (no transaction object)."""
        self.check_free(write=True)  # before the try: a refusal ends no unit
        try:
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
        finally:
            self.abandon()  # a unit cut off before it reached end

    @unit_of_work
    def read(self) -> Generator[sqlite3.Connection, None, None]:
        """A connection for single-statement reads (each statement sees one committed state)."""
        held: list[sqlite3.Connection] = []
        clean = False
        try:
            yield self.acquire(held)
            clean = True
            changed = self.snapshot_changed(held[0])
            if changed is not None:
                raise changed
        except sqlite3.Error as exc:
            clean = True
            raise self.error(exc, held[0] if held else None) from exc
        finally:
            if not held:
                pass
            elif clean:
                self.release(held[0])
            else:
                self.discard(held[0])

    # -- schema --------------------------------------------------------------------

    @contextmanager
    def _opening(self) -> Iterator[sqlite3.Connection]:
        """A connection for the checks made when the database is opened: given back
        after; on any failure the database is closed too (nothing half-opened stays)."""
        conn = self.acquire()
        try:
            yield conn
        except sqlite3.Error as exc:
            self.release(conn)
            self.close()
            raise self.error(exc) from exc
        except BaseException:
            self.release(conn)
            self.close()
            raise
        self.release(conn)

    def _migrate(self) -> None:
        refused = self_deadlock(self.path, self._file, by=STORE)
        if refused is not None:
            raise refused
        with self._opening() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                self._apply(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            if not self._memory:
                # After the version check, so a refused file is left exactly as it was.
                write_ahead(conn, self.timeout)

    def _check_read_only(self) -> None:
        """Open without writing: the file must hold this library's schema as it is now
        (a migration would write), else an error naming the file."""
        known = MIGRATIONS[-1][0]
        with self._opening() as conn:
            exists = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
            ).fetchone()
            row = (
                None
                if exists is None
                else conn.execute("SELECT version FROM schema_version").fetchone()
            )
            found = 0 if row is None else row[0]
            if type(found) is not int:
                raise StoreError(
                    f"the schema version of the SQLite database {self.path!r} is unreadable: "
                    f"{found!r} (a whole number was expected)"
                )
            check_schema_version(found, known, f"SQLite file {self.path!r}")
            if found < known:
                raise StoreError(
                    f"the SQLite database {self.path!r} has schema version {found}, older "
                    f"than this library's {known}: it must be migrated before it can be "
                    "read, and opening it read only writes nothing; open it once writable "
                    "(SqliteStore) to migrate it"
                )

    @staticmethod
    def _apply(conn: sqlite3.Connection) -> None:
        exists = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
        ).fetchone()
        tickets = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tickets'"
        ).fetchone()
        # The file's name as the file system has it: bytes that are no UTF-8 (a name
        # os.listdir gives with surrogate escapes) failed the read as text, and the store
        # was refused after SQLite had made the file.
        factory = conn.text_factory
        conn.text_factory = os.fsdecode
        try:
            path = conn.execute("PRAGMA database_list").fetchone()[2] or ":memory:"
        finally:
            conn.text_factory = factory
        apply_migrations(
            conn,
            DIALECT,
            MIGRATIONS,
            exists=exists is not None,
            holds_tables=tickets is not None,
            where=f"SQLite file {path!r}",
        )
