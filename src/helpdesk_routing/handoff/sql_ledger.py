"""The handoff ledger in SQLite (one host) or PostgreSQL (many processes).

Each ledger has its own tables (``handoffs``, ``handoff_ledger_schema``) and migrations;
it may share a database file or schema with the stores. A handoff is one row: the
columns queries use (conversation id, unique; state; version; creation and last update
time in microseconds) and the record's JSON. ``create`` is ``INSERT ... ON CONFLICT DO
NOTHING`` then a read, so concurrent creates for one conversation keep exactly one row;
``replace`` is an ``UPDATE ... WHERE version = expected`` (compare and set). Version 2
added ``updated_at`` (filled from each row's JSON) and its index, for ``stalled``.
"""

from __future__ import annotations

import os
import re
import reprlib
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, Literal

from helpdesk_routing._process_bound import ProcessBound
from helpdesk_routing._sets import dump_json
from helpdesk_routing._stored import STORED
from helpdesk_routing._time import require_aware, seconds
from helpdesk_routing.errors import (
    ArgumentTypeError,
    ConflictError,
    MissingExtra,
    RoutingError,
    SchemaVersionError,
    StoreError,
    ValidationError,
)
from helpdesk_routing.handoff.ledger import (
    STALLED_STATES,
    check_key,
    check_limit,
    check_record,
    check_replacing,
    id_taken,
    stale_write,
)
from helpdesk_routing.handoff.records import HandoffRecord
from helpdesk_routing.stores._sql import sync_level, unit_of_work
from helpdesk_routing.stores.sqlite._database import (
    LEDGER,
    MAX_TIMEOUT,
    file_key,
    file_path,
    is_locked,
    mark_writing,
    out_of_files,
    self_deadlock,
    unmark_writing,
    write_ahead,
)

__all__ = ["LEDGER_SCHEMA_VERSION", "PostgresLedger", "SqliteLedger"]

LEDGER_SCHEMA_VERSION = 2
"""The newest schema version of the ledger's tables."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Execute = Callable[[str, Sequence[Any]], Any]
Migration = Callable[[Execute, str], None]
"""A migration step: ``(run, parameter marker)``; it runs inside the migrating transaction."""


def _micros(at: datetime, what: str = "datetime") -> int:
    return (require_aware(at, what) - _EPOCH) // timedelta(microseconds=1)


def _file_path(path: object) -> str:
    """``path`` as text: a ``str`` or ``os.PathLike`` of text, else ``ArgumentTypeError``
    naming it (``None`` was a bare ``TypeError`` from ``os.fspath``)."""
    text = os.fspath(path) if isinstance(path, str | os.PathLike) else None
    if not isinstance(text, str):
        raise ArgumentTypeError(f"path must be a file path (str or Path), got {path!r}")
    if "\x00" in text:  # sqlite3 would raise a bare ValueError (embedded null byte)
        raise ValidationError(f"path must not contain NUL, got {text!r}")
    return text


def _statement(text: str) -> Migration:
    return lambda run, p: run(text, ())


def _fill_updated_at(run: Execute, p: str) -> None:
    # Rows written by version 1 carry their last update time only in the JSON body.
    for handoff, body in run("SELECT id, body FROM handoffs", ()).fetchall():
        at = HandoffRecord.model_validate_json(body, context=STORED).updated_at
        run(f"UPDATE handoffs SET updated_at = {p} WHERE id = {p}", (_micros(at), handoff))


_MIGRATIONS: tuple[tuple[int, tuple[Migration, ...]], ...] = (
    (
        1,
        (
            _statement(
                "CREATE TABLE handoffs (id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL"
                " UNIQUE, state TEXT NOT NULL, version INTEGER NOT NULL,"
                " created_at BIGINT NOT NULL, body TEXT NOT NULL)"
            ),
            _statement("CREATE INDEX handoffs_created ON handoffs (created_at, id)"),
        ),
    ),
    (
        2,  # Handoff.recover: the unfinished handoffs by last update.
        (
            _statement("ALTER TABLE handoffs ADD COLUMN updated_at BIGINT"),
            _fill_updated_at,
            _statement("CREATE INDEX handoffs_stalled ON handoffs (state, updated_at)"),
        ),
    ),
)


def _migrate(
    run: Execute,
    p: str,
    holds_handoffs: bool = False,
    where: str = "",
    holds_versions: bool = False,
) -> None:
    """Bring the ledger's schema to the newest, in the caller's unit. ``holds_handoffs``:
    whether the ``handoffs`` table exists (how to ask is the database's own): a ledger
    whose version was lost is refused, not created again over itself. ``where`` names
    the database in those refusals (``SQLite file '/srv/ledger.db'``).
    ``holds_versions``: whether the ``handoff_ledger_schema`` table exists; a ledger at
    the newest version is then opened without a statement that needs the right to
    create tables (PostgreSQL checks that right before ``IF NOT EXISTS``: a role given
    only the use of a schema its owner migrated could not open the ledger)."""
    at = f" ({where})" if where else ""
    if not holds_versions:
        run("CREATE TABLE IF NOT EXISTS handoff_ledger_schema (version INTEGER NOT NULL)", ())
    row = run("SELECT max(version) FROM handoff_ledger_schema", ()).fetchone()
    current = row[0] if row[0] is not None else 0
    if type(current) is not int:  # SQLite keeps any value a hand (or a bad disk) put there
        raise StoreError(
            f"the handoff ledger's schema version is unreadable{at}: {current!r} (a whole "
            "number was expected); the ledger was left as it was"
        )
    _check_version(current, at)
    if current < 1 and holds_handoffs:
        raise StoreError(
            f"the database{at} holds a handoff ledger's table but no ledger schema version "
            "(its handoff_ledger_schema rows are missing): it was left as it was; restore "
            "them, or open another file"
        )
    for version, steps in _MIGRATIONS:
        if version > current:
            for migration in steps:
                migration(run, p)
            run(f"INSERT INTO handoff_ledger_schema (version) VALUES ({p})", (version,))


class _Sql:
    """The ledger's statements, written once with ``{p}`` for the parameter marker."""

    def __init__(self, p: str) -> None:
        self.insert = (
            "INSERT INTO handoffs"
            " (id, conversation_id, state, version, created_at, updated_at, body)"
            f" VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}) ON CONFLICT DO NOTHING"
        )
        self.update = (
            f"UPDATE handoffs SET state = {p}, version = {p}, updated_at = {p}, body = {p}"
            f" WHERE id = {p} AND version = {p} AND conversation_id = {p}"
        )
        self.by_id = f"SELECT body FROM handoffs WHERE id = {p}"
        self.by_conversation = f"SELECT body FROM handoffs WHERE conversation_id = {p}"
        self.between = (
            f"SELECT body FROM handoffs WHERE created_at >= {p} AND created_at < {p}"
            " ORDER BY created_at, id"
        )
        states = ", ".join(p for _ in _STALLED)
        self.stalled = (
            f"SELECT body FROM handoffs WHERE state IN ({states}) AND updated_at < {p}"
            " ORDER BY updated_at, id"
        )
        self.stalled_first = f"{self.stalled} LIMIT {p}"


_STALLED = tuple(sorted(s.value for s in STALLED_STATES))


def _create(sql: _Sql, run: Execute, record: HandoffRecord) -> tuple[HandoffRecord, bool]:
    record = check_record(record)
    cursor = run(
        sql.insert,
        (
            record.id,
            record.conversation_id,
            record.state.value,
            record.version,
            _micros(record.created_at),
            _micros(record.updated_at),
            dump_json(record),
        ),
    )
    if cursor.rowcount == 1:
        return record, True
    row = run(sql.by_conversation, (record.conversation_id,)).fetchone()
    if row is None:  # the id is taken by another conversation (a hash collision)
        raise id_taken(record)
    return HandoffRecord.model_validate_json(row[0], context=STORED), False


def _replace(sql: _Sql, run: Execute, record: HandoffRecord) -> None:
    record = check_record(record)
    cursor = run(
        sql.update,
        (
            record.state.value,
            record.version,
            _micros(record.updated_at),
            dump_json(record),
            record.id,
            record.version - 1,
            record.conversation_id,
        ),
    )
    if cursor.rowcount != 1:  # which refusal: read the stored one (a failure's cost only)
        check_replacing(record, _one(run, sql.by_id, record.id, "id"))
        raise stale_write(record.id, record.version - 1)  # pragma: no cover - a race


def _one(run: Execute, statement: str, key: str, name: str) -> HandoffRecord | None:
    row = run(statement, (check_key(key, name),)).fetchone()
    return None if row is None else HandoffRecord.model_validate_json(row[0], context=STORED)


def _between(sql: _Sql, run: Execute, start: datetime, end: datetime) -> list[HandoffRecord]:
    rows = run(sql.between, (_micros(start, "start"), _micros(end, "end"))).fetchall()
    return [HandoffRecord.model_validate_json(r[0], context=STORED) for r in rows]


def _stalled(
    sql: _Sql, run: Execute, updated_before: datetime, limit: int | None
) -> list[HandoffRecord]:
    before = _micros(updated_before, "updated_before")
    count = check_limit(limit)
    if count is None:
        rows = run(sql.stalled, (*_STALLED, before)).fetchall()
    else:
        # a count past 64 bits asks for all of them, as in memory (SQL takes no more)
        rows = run(sql.stalled_first, (*_STALLED, before, min(count, 2**63 - 1))).fetchall()
    return [HandoffRecord.model_validate_json(r[0], context=STORED) for r in rows]


def _check_version(found: int, at: str = "") -> None:
    if found > LEDGER_SCHEMA_VERSION:
        raise SchemaVersionError(
            f"the handoff ledger's schema is version {found}{at}; this library knows up to "
            f"{LEDGER_SCHEMA_VERSION}: upgrade the library"
        )


class _SqlLedger(ABC, ProcessBound):
    """What both SQL ledgers do the same way: each call is one unit of work
    (:meth:`_unit`, the ledger's own) running the statements of :class:`_Sql`."""

    _elsewhere = "open a ledger on the same file or database in each process"

    _sql: _Sql

    @abstractmethod
    def _unit(self) -> AbstractContextManager[Execute]:
        """One transaction on the ledger's database: the statement runner inside it."""

    def create(self, record: HandoffRecord) -> tuple[HandoffRecord, bool]:
        """Store a new handoff, or answer the conversation's existing one."""
        with self._unit() as run:
            return _create(self._sql, run, record)

    def replace(self, record: HandoffRecord) -> None:
        """Store the next version of a handoff (compare and set on ``version``)."""
        with self._unit() as run:
            _replace(self._sql, run, record)

    def get(self, handoff_id: str) -> HandoffRecord | None:
        """The handoff with this id, or ``None``."""
        with self._unit() as run:
            return _one(run, self._sql.by_id, handoff_id, "handoff_id")

    def for_conversation(self, conversation_id: str) -> HandoffRecord | None:
        """The conversation's handoff, or ``None``."""
        with self._unit() as run:
            return _one(run, self._sql.by_conversation, conversation_id, "conversation_id")

    def created_between(self, start: datetime, end: datetime) -> list[HandoffRecord]:
        """The handoffs created in ``[start, end)``, oldest first."""
        with self._unit() as run:
            return _between(self._sql, run, start, end)

    def stalled(self, updated_before: datetime, *, limit: int | None = None) -> list[HandoffRecord]:
        """The unfinished handoffs the system must move on, not updated since
        ``updated_before``; least recently updated first, at most ``limit`` (SQL ``LIMIT``)."""
        with self._unit() as run:
            return _stalled(self._sql, run, updated_before, limit)


_LEDGER_CLOSED = "SQLite handoff ledger: the ledger is closed"


class SqliteLedger(_SqlLedger):
    """A :class:`~helpdesk_routing.handoff.Ledger` in a SQLite file (or ``":memory:"``).

    Several processes may share the file (each write is one ``BEGIN IMMEDIATE``
    transaction; ``timeout`` is how long one waits for the lock). A file is put in WAL
    mode; ``synchronous`` is SQLite's durability setting, ``"FULL"`` (the default)
    survives power loss, ``"NORMAL"`` may lose the last commits on power loss. Close it
    with :meth:`close` or use it as a context manager.

    Opened or called in a thread that holds a write unit on the same file through a
    store or customer-data object (inside ``with store.transaction():``), it raises
    :class:`~helpdesk_routing.errors.StoreError` at once: it could only wait for that
    unit, which cannot end while its thread waits.

    After :meth:`close` every call raises :class:`~helpdesk_routing.errors.StoreError`
    (``the ledger is closed``); a call already running in another thread finishes (and
    commits) first, and its connection is closed as it ends. Closing twice is harmless.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 30.0,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
    ) -> None:
        # absolute (a later os.chdir changes nothing); '' is refused
        self.path = file_path(_file_path(path))
        level = sync_level(synchronous)
        timeout = seconds(timeout, "timeout", zero=True)
        if timeout > MAX_TIMEOUT:  # SQLite's busy timeout, in milliseconds, is 32-bit
            raise ValidationError(
                f"timeout must be at most {MAX_TIMEOUT:,} seconds, got {timeout!r}"
            )
        self._timeout = timeout
        self._lock = threading.Lock()
        self._closed = False
        self._holder: int | None = None  # the thread running a unit (see _holding)
        self._sql = _Sql("?")
        # The file's identity: a write unit of this thread on it (a store's) is refused.
        self._file = None if self.path == ":memory:" else file_key(self.path)
        self._refuse_self_deadlock()
        try:
            self._conn = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreError(
                f"cannot open SQLite database {self.path!r}: {exc}{out_of_files(exc)}"
            ) from exc
        try:
            try:
                self._conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
                if self.path != ":memory:":
                    write_ahead(self._conn, timeout)  # waits for a store's migration
                self._conn.execute(f"PRAGMA synchronous = {level}")
            except sqlite3.Error as exc:
                raise StoreError(
                    f"cannot open SQLite database {self.path!r}: {exc}{out_of_files(exc)}"
                ) from exc
            if self._file is None and self.path != ":memory:":
                self._file = file_key(self.path)  # created just now
            with self._unit() as run:
                tables = {
                    row[0]
                    for row in run(
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN "
                        "('handoffs', 'handoff_ledger_schema')",
                        (),
                    ).fetchall()
                }
                _migrate(
                    run,
                    "?",
                    "handoffs" in tables,
                    where=f"SQLite file {self.path!r}",
                    holds_versions="handoff_ledger_schema" in tables,
                )
        except BaseException:
            self._closed = True
            self._conn.close()  # refused: nothing is left open
            raise

    def _refuse_self_deadlock(self) -> None:
        refused = self_deadlock(self.path, self._file, by=LEDGER)
        if refused is not None:
            raise refused

    @unit_of_work
    def _unit(self) -> Generator[Execute, None, None]:
        self._refuse_closed()  # closed: not even a wait for the lock
        try:
            with self._lock:
                self._refuse_closed()  # closed while this unit waited for a running one
                # Before the try: a refusal ends no unit (nor clears another object's mark).
                self._refuse_self_deadlock()
                done = False
                try:
                    if self._file is not None:
                        # While it holds the write lock, a store's write unit on the file
                        # in this thread is refused at once too.
                        self._holder = threading.get_ident()
                        mark_writing(self._file, LEDGER, self._holding)
                    try:
                        self._conn.execute("BEGIN IMMEDIATE")
                    except sqlite3.Error as exc:
                        raise self._error(exc) from exc
                    try:
                        yield self._conn.execute
                    except sqlite3.Error as exc:
                        # A statement of the unit (a damaged file, a table gone): the
                        # library's error naming the file, never a raw sqlite3 one.
                        raise self._error(exc) from exc
                    try:
                        self._conn.execute("COMMIT")
                    except sqlite3.Error as exc:
                        raise self._error(exc) from exc
                    done = True
                finally:
                    try:
                        if not done:
                            # Cut off at any point (an error, KeyboardInterrupt): the next
                            # unit must not find this one's transaction still open.
                            self._roll_back()
                    finally:
                        if self._file is not None:
                            unmark_writing(self._file, LEDGER)
        finally:
            if self._closed:  # closed by another thread meanwhile: see close
                self._close_if_free()

    def _error(self, exc: sqlite3.Error) -> RoutingError:
        """The library error of a ``sqlite3`` error, naming the file: the write lock
        held by another writer past ``timeout`` is a conflict (as for a store)."""
        if is_locked(exc):
            return ConflictError(
                f"the SQLite handoff ledger {self.path!r} stayed locked by another writer "
                f"for {self._timeout:g} s: {exc}"
            )
        return StoreError(f"SQLite handoff ledger {self.path!r}: {exc}{out_of_files(exc)}")

    def _refuse_closed(self) -> None:
        if self._closed:
            raise StoreError(_LEDGER_CLOSED)

    def _close_if_free(self) -> None:
        """Close the connection unless a unit runs on it (that unit closes it as it ends)."""
        if self._lock.acquire(blocking=False):
            try:
                self._conn.close()
            finally:
                self._lock.release()

    def _holding(self) -> bool:
        """Whether this thread runs a unit of the ledger that holds the write lock (its
        connection in a transaction): a mark a Ctrl-C left behind counts for nothing."""
        try:
            return self._holder == threading.get_ident() and self._conn.in_transaction
        except sqlite3.Error:  # closed
            return False

    def _roll_back(self) -> None:
        try:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # closed or broken: the exception that ended the unit is the one to tell

    def close(self) -> None:
        """Close the connection; a later call raises
        :class:`~helpdesk_routing.errors.StoreError`. A call running in another thread
        is not cut off: it finishes, commits, and closes the connection as it ends.
        Closing twice is harmless."""
        self._closed = True  # before the lock is tried: see _unit
        self._close_if_free()

    def __enter__(self) -> SqliteLedger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        closed = " (closed)" if self._closed else ""
        return f"<SqliteLedger {_SHORT.repr(self.path)}{closed}>"


_READS_ONLY = "the handoff ledger {!r} was opened only to read: nothing is written through it"


class SqliteLedgerReader(_SqlLedger):
    """A SQLite handoff ledger opened read only: what ``helpdesk-routing report`` reads.

    Nothing is written nor created: the file is opened ``mode=ro`` (as immutable when no
    ``-wal`` file is beside it: every page is then in the file, and SQLite makes no
    ``-shm`` file), is not put in WAL mode, and is not migrated (a ledger of an older
    schema is a :class:`~helpdesk_routing.errors.StoreError` naming it). A ledger on a
    read-only mount, in a read-only directory or in a read-only file can be read. Its
    writing calls fail as the file refuses them (``StoreError``)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = file_path(_file_path(path))
        self._sql = _Sql("?")
        self._lock = threading.Lock()
        self._conn = self._open(f"{Path(self.path).as_uri()}?mode=ro")
        try:
            self._check_schema()
        except BaseException:
            self._conn.close()
            raise

    def _open(self, uri: str) -> sqlite3.Connection:
        """Read only, sharing the file with its writers (a WAL file's ``-shm`` made
        beside it when needed, as the store's reader does); as an immutable snapshot
        only where that cannot be (a directory this process may not write in) and no
        writer has the file open."""

        def connect(at: str) -> sqlite3.Connection:
            try:
                return sqlite3.connect(
                    at, uri=True, isolation_level=None, check_same_thread=False, timeout=30.0
                )
            except sqlite3.Error as exc:
                raise StoreError(f"cannot open SQLite database {self.path!r}: {exc}") from exc

        conn = connect(uri)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            if is_locked(exc):  # a writer holds it: never read it as if it were still
                raise StoreError(f"SQLite handoff ledger {self.path!r}: {exc}") from exc
            if Path(f"{self.path}-wal").exists():
                raise StoreError(
                    f"cannot read the SQLite handoff ledger {self.path!r} now: a writer has "
                    "it open (its -wal file is beside it) and this process cannot write in "
                    "its directory, so SQLite cannot share the file with that writer"
                ) from None
        except sqlite3.Error as exc:  # no database at all ("file is not a database")
            conn.close()
            raise StoreError(f"SQLite handoff ledger {self.path!r}: {exc}") from exc
        return connect(uri + "&immutable=1")

    def _check_schema(self) -> None:
        at = f" (SQLite file {self.path!r})"
        try:
            row = self._conn.execute("SELECT max(version) FROM handoff_ledger_schema").fetchone()
        except sqlite3.Error as exc:
            raise StoreError(f"SQLite handoff ledger {self.path!r}: {exc}") from exc
        found = 0 if row is None or row[0] is None else row[0]
        if type(found) is not int:
            raise StoreError(
                f"the handoff ledger's schema version is unreadable{at}: {found!r} (a whole "
                "number was expected); the ledger was left as it was"
            )
        _check_version(found, at)
        if found < LEDGER_SCHEMA_VERSION:
            raise StoreError(
                f"the handoff ledger{at} has schema version {found}, older than this "
                f"library's {LEDGER_SCHEMA_VERSION}: it must be migrated before it can be "
                "read, and opening it read only writes nothing; open it once writable "
                "(SqliteLedger) to migrate it"
            )

    def create(self, record: HandoffRecord) -> tuple[HandoffRecord, bool]:
        """Refused: the ledger was opened only to read."""
        raise StoreError(_READS_ONLY.format(self.path))

    def replace(self, record: HandoffRecord) -> None:
        """Refused: the ledger was opened only to read."""
        raise StoreError(_READS_ONLY.format(self.path))

    @contextmanager
    def _unit(self) -> Iterator[Execute]:
        with self._lock:
            try:
                self._conn.execute("BEGIN")
                try:
                    yield self._conn.execute
                finally:
                    self._conn.execute("ROLLBACK")  # read only: nothing to keep
            except sqlite3.Error as exc:
                raise StoreError(f"SQLite handoff ledger {self.path!r}: {exc}") from exc

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> SqliteLedgerReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_SHORT = reprlib.Repr()
_SHORT.maxstring = 120  # a path or host in a repr: one line, bounded
_SHORT.maxother = 120


def _secrets(dsn: str, password: str) -> tuple[str, ...]:
    """The texts no message of the ledger may show when the DSN holds a password: the
    whole DSN, the password as libpq reads it and, in a URL, as written (it may be
    percent-encoded); longest first."""
    if not password:
        return ()
    found = {dsn, password}
    written = re.match(r"[a-z]+://[^@/?#]*?:([^@/?#]*)@", dsn, re.IGNORECASE)
    if written and written.group(1):
        found.add(written.group(1))
    return tuple(sorted(found, key=len, reverse=True))


def _masked(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def _alive(conn: Any) -> bool:
    """Whether a kept connection still serves: one round trip of an empty query, outside
    any transaction. The server ends idle connections (``idle_session_timeout``, a
    restart, a proxy), and the next call on one failed with a ``StoreError`` where the
    PostgreSQL store starts again on a fresh connection."""
    import psycopg

    if conn.closed or conn.broken:
        return False
    try:
        # psycopg's own execute, which a signal interrupts (Ctrl-C cancels it), in
        # autocommit so that no transaction is begun: as psycopg_pool checks a connection
        conn.autocommit = True
        try:
            conn.execute("")
        finally:
            if not (conn.closed or conn.broken):
                conn.autocommit = False
    except psycopg.Error:  # the server ended it (or ends it now)
        return False
    return True


def _where(parts: dict[str, Any]) -> str:
    """Where a DSN connects, for a repr: host, port and database, never the password."""
    shown = [
        f"{key}={_SHORT.repr(str(parts[key]))}"
        for key in ("host", "port", "dbname")
        if parts.get(key)
    ]
    return " ".join(shown) or "(libpq's default server)"


_MIGRATION_LOCK = (
    "SELECT pg_advisory_xact_lock("
    "hashtext('helpdesk_routing.handoff_ledger'), hashtext(current_schema()))"
)
"""Taken while a ledger opens (its migration): one at a time per schema, so ledgers of
other schemas (tenants sharing the database) never wait for each other."""


class PostgresLedger(_SqlLedger):
    """A :class:`~helpdesk_routing.handoff.Ledger` in PostgreSQL, shared by processes.

    ``dsn`` is a libpq connection string; the tables go in the first schema of its
    ``search_path``. Needs the ``postgres`` extra. Connections are kept per ledger and
    reused; each call is one transaction.
    """

    _reads_only: ClassVar[bool] = False
    """Opened only to read (:class:`PostgresLedgerReader`): nothing created or migrated."""

    def _check_readable(self, run: Execute, schema: str) -> None:
        """Refuse (``StoreError``) a schema that holds no ledger, or one of an older
        schema version: reading it must not create its tables nor migrate them."""
        where = f"schema {schema!r} ({self._where})"
        held = run(
            "SELECT to_regclass(format('%%I.handoff_ledger_schema', current_schema())), "
            "to_regclass(format('%%I.handoffs', current_schema()))",
            (),
        ).fetchone()
        missing = [
            table
            for table, found in zip(
                ("handoff_ledger_schema", "handoffs"), held or (None, None), strict=True
            )
            if found is None
        ]
        if missing:
            raise StoreError(
                f"PostgreSQL handoff ledger: {where} holds no handoff ledger (missing tables: "
                f"{', '.join(missing)}); it was left as it was"
            )
        row = run("SELECT max(version) FROM handoff_ledger_schema", ()).fetchone()
        version = None if row is None else row[0]
        if type(version) is not int:
            raise StoreError(
                f"the handoff ledger's schema version is unreadable ({where}): {version!r}"
            )
        _check_version(version, f" ({where})")
        if version < LEDGER_SCHEMA_VERSION:
            raise StoreError(
                f"the handoff ledger in {where} has schema version {version}, older than "
                f"this library's {LEDGER_SCHEMA_VERSION}: it must be migrated before it can "
                "be read, and opening it to read writes nothing; open it once with "
                "PostgresLedger to migrate it"
            )

    def __init__(self, dsn: str) -> None:
        if not isinstance(dsn, str):  # None would connect by libpq's defaults
            raise ArgumentTypeError(
                f"dsn must be a libpq connection string (text), got {type(dsn).__name__}"
            )
        try:
            import psycopg
            from psycopg.conninfo import conninfo_to_dict
        except ImportError as exc:  # pragma: no cover - the extra is installed in tests
            raise MissingExtra("the PostgreSQL handoff ledger", "postgres") from exc
        from helpdesk_routing.stores.postgres._database import (
            CONNECT_TIMEOUT,
            ENCODINGS,
            WHERE_TABLES_GO,
            check_dsn,
            encoding_problem,
            libpq_timeout,
            temporary_first,
        )

        # As the PostgreSQL store's: a DSN libpq cannot read is a ValidationError naming
        # dsn, the parts libpq quotes left out when they may hold a password.
        parts = conninfo_to_dict(check_dsn(dsn))
        self._psycopg = psycopg
        self._dsn = dsn
        # libpq's connect_timeout, the DSN's kept (a bad one refused here, by name)
        self._timeout = libpq_timeout(dsn, CONNECT_TIMEOUT)
        self._secrets = _secrets(dsn, str(parts.get("password") or ""))
        self._where = _where(parts)
        self._sql = _Sql("%s")
        self._lock = threading.Lock()
        self._idle: list[Any] = []
        self._closed = False
        try:
            with self._unit() as run:
                problem = encoding_problem(
                    run(ENCODINGS, ()).fetchone(),
                    "the PostgreSQL handoff ledger",
                    any_text=not self._reads_only,
                )
                if problem is not None:
                    raise StoreError(problem)
                shown = run(WHERE_TABLES_GO, ()).fetchone()
                if shown is not None and temporary_first(*shown):
                    raise StoreError(
                        "PostgreSQL handoff ledger: the connection's search_path names the "
                        "session's temporary schema before any schema that exists "
                        f"({shown[0]}): the ledger's tables would be temporary; name its "
                        "schema first in the dsn's options"
                    )
                found = run("SELECT current_schema()", ()).fetchone()
                if found is None or found[0] is None:
                    # search_path names no schema that exists (a typo, or one not
                    # created): said as the store says it, not as CREATE TABLE's error
                    path = run("SHOW search_path", ()).fetchone()
                    raise StoreError(
                        "PostgreSQL handoff ledger: no schema of the connection's "
                        f"search_path exists ({path[0] if path else '?'}): create it "
                        "(CREATE SCHEMA) or fix the search_path in the dsn's options"
                    )
                if self._reads_only:
                    self._check_readable(run, found[0])
                    return
                run(_MIGRATION_LOCK, ())
                # in the schema the tables go in (the first of the search_path), not
                # wherever the path finds one: another tenant's ledger further along it
                # was taken for this one
                held = run(
                    "SELECT to_regclass(format('%%I.handoffs', current_schema())), "
                    "to_regclass(format('%%I.handoff_ledger_schema', current_schema()))",
                    (),
                ).fetchone()
                _migrate(
                    run,
                    "%s",
                    held is not None and held[0] is not None,
                    holds_versions=held is not None and held[1] is not None,
                    where=f"PostgreSQL {self._where}, schema {found[0]!r}",
                )
        except BaseException:
            self.close()  # refused: its connection is closed, not left to the collector
            raise

    def _connect(self) -> Any:
        """A new connection, its session as the ledger needs it whatever the database,
        the role or the dsn set (the store's settings, docs/stores.md): UTF8, UTC, ISO
        dates, standard strings, and read committed, so that concurrent creates of one
        conversation answer the one created (a serializable default failed them) and
        processes opening a new ledger together see the version row the first wrote."""
        from helpdesk_routing.stores.postgres._database import fit_session

        conn = self._psycopg.connect(
            self._dsn, client_encoding="UTF8", autocommit=True, **self._timeout
        )
        try:
            fit_session(conn)
            conn.autocommit = False
        except BaseException:
            conn.close()
            raise
        return conn

    @contextmanager
    def _unit(self) -> Iterator[Execute]:
        conn: Any = None
        kept = False
        try:
            with self._lock:
                if self._closed:  # as SqliteLedger: no quiet reconnect after close
                    raise StoreError("PostgreSQL handoff ledger: the ledger is closed")
                if self._idle:
                    # taken with no call (where a signal could arrive) in between
                    conn = self._idle[-1]
                    del self._idle[-1]
            try:
                if conn is not None and not _alive(conn):
                    conn.close()  # the server ended it while it was kept (see _alive)
                if conn is None or conn.closed:
                    conn = self._connect()
                with conn.transaction():
                    yield conn.execute
            except self._psycopg.Error as exc:
                told = str(exc)
                shown = _masked(told, self._secrets)
                error = StoreError(f"PostgreSQL handoff ledger: {shown}")
                if shown != told:  # psycopg's own text (the chained cause) would show it
                    raise error from None
                raise error from exc
            except Exception:
                # The transaction was rolled back (e.g. a lost compare-and-set): the
                # connection is still good unless it broke (none when none was made).
                kept = conn is not None and self._give_back(conn)
                raise
            kept = self._give_back(conn)
        finally:
            # Not kept: a psycopg error, or cut off (a Ctrl-C) anywhere, perhaps inside
            # psycopg's own transaction block, whose bookkeeping may be half done: the
            # connection is closed, never reused (one closed just as it was kept is
            # replaced by the next call).
            if not kept and conn is not None:
                conn.close()

    def _give_back(self, conn: Any) -> bool:
        """Keep ``conn`` for the next call if it is idle (``True``); else close it. One
        cut off mid-query (a Ctrl-C) may still be running a statement or hold a
        transaction or a pipeline: reused, it failed every later call ('another
        command is already in progress')."""
        from psycopg.pq import PipelineStatus, TransactionStatus

        idle = (
            not (conn.closed or conn.broken)
            and conn.info.transaction_status == TransactionStatus.IDLE
            and conn.info.pipeline_status == PipelineStatus.OFF
        )
        with self._lock:
            keep = idle and not self._closed
            if keep:
                self._idle.append(conn)
        if not keep:
            conn.close()
        return keep

    def close(self) -> None:
        """Close the connections (one in use is closed when its call ends); a later
        call raises :class:`~helpdesk_routing.errors.StoreError`. Closing twice is
        harmless."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def __enter__(self) -> PostgresLedger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        closed = " (closed)" if self._closed else ""
        return f"<PostgresLedger {self._where}{closed}>"


class PostgresLedgerReader(PostgresLedger):
    """A PostgreSQL handoff ledger opened only to read (what ``helpdesk-routing report``
    reads): the first schema of the ``search_path`` that exists must hold a ledger at
    this library's schema version, else :class:`~helpdesk_routing.errors.StoreError`,
    and nothing is created or migrated (a mistyped database must not become an empty
    ledger). One connection attempt, its errors told as :class:`PostgresLedger` tells
    them (never with the password)."""

    _reads_only = True

    def create(self, record: HandoffRecord) -> tuple[HandoffRecord, bool]:
        """Refused: the ledger was opened only to read."""
        raise StoreError(_READS_ONLY.format(self._where))

    def replace(self, record: HandoffRecord) -> None:
        """Refused: the ledger was opened only to read."""
        raise StoreError(_READS_ONLY.format(self._where))
