"""SQLite stores: a persistent :class:`~helpdesk_routing.ports.Store` and
:class:`~helpdesk_routing.ports.CustomerData` in one file, for one host.

Standard library only (``sqlite3``). The file is in WAL mode, so readers never wait
for the writer. A unit of work is one ``BEGIN IMMEDIATE`` transaction: it takes the
database's write lock when it begins, so units of work are serialised (between
threads and between processes) and a unit never fails half-way because another
writer got in first. A writer that finds the lock taken waits up to ``timeout``
seconds (SQLite's busy timeout) and then raises :class:`~helpdesk_routing.errors.ConflictError`.

Several processes may open the same file (each its own ``SqliteStore``; never share
one across ``fork``). ``":memory:"`` gives a private database for tests and
notebooks: one connection, so its units of work take turns within the process.

The schema is created, or migrated, when the file is first opened; a file whose
schema is newer than this library is refused with
:class:`~helpdesk_routing.errors.SchemaVersionError`, untouched.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from helpdesk_routing._time import require_aware
from helpdesk_routing.errors import (
    ConflictError,
    RoutingError,
    StoreError,
    UnknownAgent,
    UnknownTicket,
)
from helpdesk_routing.model import Agent, Event, Profile
from helpdesk_routing.records import AuditRecord, RotationState, TicketQuery, TicketRecord
from helpdesk_routing.stores import _sql_customer_data as _data
from helpdesk_routing.stores._sql import (
    ENDED,
    NESTED,
    Closing,
    Dialect,
    Migration,
    apply_migrations,
    audit_from_json,
    audit_to_json,
    from_micros,
    put_agents,
    status_values,
    ticket_columns,
    to_micros,
)

if TYPE_CHECKING:
    from helpdesk_routing.configuration import Configuration

__all__ = ["SCHEMA_VERSION", "SqliteCustomerData", "SqliteStore", "SqliteTransaction"]

_MIGRATIONS: tuple[Migration, ...] = (
    (
        1,
        (
            """CREATE TABLE tickets (
                id TEXT PRIMARY KEY,
                created INTEGER NOT NULL,
                status TEXT NOT NULL,
                channel TEXT NOT NULL,
                team TEXT,
                assignee TEXT,
                record TEXT NOT NULL)""",
            "CREATE INDEX tickets_order ON tickets (created, id)",
            "CREATE INDEX tickets_assignee ON tickets (assignee, status, created, id)",
            "CREATE INDEX tickets_team ON tickets (team, status, created, id)",
            "CREATE INDEX tickets_status ON tickets (status, created, id)",
            """CREATE TABLE ticket_views (
                view TEXT NOT NULL,
                created INTEGER NOT NULL,
                ticket_id TEXT NOT NULL,
                PRIMARY KEY (view, created, ticket_id)) WITHOUT ROWID""",
            "CREATE INDEX ticket_views_ticket ON ticket_views (ticket_id)",
            """CREATE TABLE agents (
                id TEXT PRIMARY KEY,
                agent TEXT NOT NULL,
                online INTEGER NOT NULL DEFAULT 0,
                presence_at INTEGER)""",
            "CREATE INDEX agents_online ON agents (online, id)",
            "CREATE TABLE rotation (pool TEXT PRIMARY KEY, state TEXT NOT NULL)",
            """CREATE TABLE audit (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                ticket_id TEXT,
                record TEXT NOT NULL)""",
            "CREATE INDEX audit_ticket ON audit (ticket_id, seq)",
        ),
    ),
    (
        2,
        (
            "CREATE TABLE profiles (id TEXT PRIMARY KEY, profile TEXT NOT NULL)",
            """CREATE TABLE profile_segments (
                segment TEXT NOT NULL,
                profile_id TEXT NOT NULL,
                PRIMARY KEY (segment, profile_id)) WITHOUT ROWID""",
            "CREATE INDEX profile_segments_profile ON profile_segments (profile_id)",
            """CREATE TABLE events (
                profile_id TEXT NOT NULL,
                metric TEXT NOT NULL,
                ts INTEGER NOT NULL,
                properties TEXT NOT NULL)""",
            "CREATE INDEX events_lookup ON events (profile_id, metric, ts)",
        ),
    ),
    (3, ("CREATE TABLE configurations (version INTEGER PRIMARY KEY, body TEXT NOT NULL)",)),
    (
        4,
        (
            # EventRecorder: an event's unique id, recorded once (NULLs are all distinct).
            "ALTER TABLE events ADD COLUMN unique_id TEXT",
            "CREATE UNIQUE INDEX events_unique_id ON events (unique_id)",
        ),
    ),
)

SCHEMA_VERSION = _MIGRATIONS[-1][0]
"""The newest schema version this library writes to SQLite files."""

_CLOSED = "the store is closed"
_OPEN_STATUSES = ("open", "pending")
# A unit of work holds the database's write lock from BEGIN IMMEDIATE on, so a read in
# it needs no row lock.
_DIALECT = Dialect(param="?", arrival="rowid", lock="", to_db=to_micros, from_db=from_micros)


def _is_locked(exc: sqlite3.Error) -> bool:
    text = str(exc)
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


class _Database:
    """The SQLite connections of one store: one per concurrent unit of work, reused.

    A file database opens a connection for each unit of work running at the same
    time and keeps it for the next; ``:memory:`` has exactly one connection (each
    connection would see its own private database), which units of work take in turn.
    """

    def __init__(self, path: str | os.PathLike[str], timeout: float, synchronous: str) -> None:
        self.path = os.fspath(path)
        self.timeout = timeout
        self._synchronous = synchronous
        self._memory = self.path in (":memory:", "")
        self._lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._slot = threading.Lock() if self._memory else None
        self._closed = False
        self._local = threading.local()
        self._migrate()

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
                    raise StoreError(_CLOSED)
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
        return conn

    def _begin_immediate(self, conn: sqlite3.Connection) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                # The busy timeout already waited; SQLite can still answer "busy" at once
                # (e.g. while another connection recovers the WAL after a crash), so try
                # again until the deadline.
                if not _is_locked(exc) or time.monotonic() >= deadline:
                    raise
            time.sleep(0.005)

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
        apply_migrations(conn, _DIALECT, _MIGRATIONS, exists=exists is not None)


class SqliteStore(Closing):
    """A :class:`~helpdesk_routing.ports.Store` in a SQLite file (or ``":memory:"``).

    ``agents`` are added (or updated, keeping their presence) when the store opens.
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

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        agents: Iterable[Agent] = (),
        timeout: float = 30.0,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
    ) -> None:
        self._db = _Database(path, timeout, synchronous)
        put_agents(self, agents)

    @property
    def path(self) -> str:
        """The database file (``":memory:"`` for a private in-memory database)."""
        return self._db.path

    @contextmanager
    def transaction(self) -> Iterator[SqliteTransaction]:
        """Begin a unit of work (``BEGIN IMMEDIATE``); it commits when the block ends.

        If the block raises, or an operation inside it failed, nothing of it is kept.
        Raises :class:`~helpdesk_routing.errors.ConflictError` when the write lock stays
        taken for ``timeout`` seconds, :class:`~helpdesk_routing.errors.StoreError` for a
        nested transaction in one thread, a closed store or a failing database.
        """
        conn = self._db.begin()
        tx = SqliteTransaction(self._db, conn)
        try:
            try:
                yield tx
            except BaseException:
                tx._closed = True
                self._db.end(conn, commit=False)
                raise
            tx._closed = True
            if tx._failure is not None:
                self._db.end(conn, commit=False)
                raise tx._failure
            self._db.end(conn, commit=True)
        finally:
            tx._closed = True

    @contextmanager
    def read(self) -> Iterator[SqliteTransaction]:
        """Begin a read-only unit of work (``ports.ReadableStore``): a deferred transaction
        that never takes the write lock, so reading a view never waits for, nor stalls,
        the units that route. Its reads see one committed state (a snapshot from its
        first read); a write in it raises :class:`~helpdesk_routing.errors.StoreError`.
        """
        conn = self._db.begin_read()
        tx = SqliteTransaction(self._db, conn, read_only=True)
        try:
            yield tx
        finally:
            tx._closed = True
            self._db.end_read(conn)

    def close(self) -> None:
        """Close the store's connections. Units of work still running finish first."""
        self._db.close()


class SqliteTransaction:
    """One unit of work on a :class:`SqliteStore` (the ``Transaction`` port).

    Obtained from ``store.transaction()``; unusable after its block ends.
    """

    def __init__(self, db: _Database, conn: sqlite3.Connection, *, read_only: bool = False) -> None:
        self._db = db
        self._conn = conn
        self._closed = False
        self._failure: RoutingError | None = None
        self._read_only = read_only

    def _error(self, exc: sqlite3.Error) -> RoutingError:
        if self._read_only and "readonly" in str(exc):
            return StoreError("a read-only unit of work cannot write")
        return self._db.error(exc)

    def _run(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        if self._closed:
            raise StoreError(ENDED)
        try:
            return self._conn.execute(sql, params)
        except sqlite3.Error as exc:
            # Remember it: a block that catches the error and carries on must not
            # commit the rest of the unit without this part.
            self._failure = self._error(exc)
            raise self._failure from exc

    def _many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        if self._closed:
            raise StoreError(ENDED)
        try:
            self._conn.executemany(sql, rows)
        except sqlite3.Error as exc:
            self._failure = self._error(exc)
            raise self._failure from exc

    # -- tickets -------------------------------------------------------------------

    def get_ticket(self, ticket_id: str) -> TicketRecord | None:
        """The stored record, or ``None``."""
        row = self._run("SELECT record FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        return None if row is None else TicketRecord.model_validate_json(row[0])

    def add_ticket(self, record: TicketRecord) -> TicketRecord | None:
        """Insert a new ticket; returns the stored record instead when the id exists."""
        t = record.ticket
        cur = self._run(
            "INSERT INTO tickets (id, created, status, channel, team, assignee, record) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            (t.id, *ticket_columns(_DIALECT, record), record.model_dump_json()),
        )
        if cur.rowcount == 0:
            return self.get_ticket(t.id)
        self._put_views(record, replace=False)
        return None

    def update_ticket(self, record: TicketRecord) -> None:
        """Replace the stored record with the same id; ``UnknownTicket`` if none is stored."""
        t = record.ticket
        cur = self._run(
            "UPDATE tickets SET created = ?, status = ?, channel = ?, team = ?, assignee = ?, "
            "record = ? WHERE id = ?",
            (*ticket_columns(_DIALECT, record), record.model_dump_json(), t.id),
        )
        if cur.rowcount == 0:
            raise UnknownTicket(t.id)
        self._put_views(record, replace=True)

    def _put_views(self, record: TicketRecord, *, replace: bool) -> None:
        if replace:
            self._run("DELETE FROM ticket_views WHERE ticket_id = ?", (record.id,))
        if record.views:
            created = to_micros(record.ticket.created_at)
            self._many(
                "INSERT INTO ticket_views (view, created, ticket_id) VALUES (?, ?, ?)",
                [(view, created, record.id) for view in sorted(record.views)],
            )

    def find_tickets(self, query: TicketQuery) -> list[TicketRecord]:
        """The records matching ``query``, oldest first by (created_at, id), at most ``limit``."""
        sql, params = _select_tickets(query)
        return [TicketRecord.model_validate_json(row[0]) for row in self._run(sql, params)]

    def open_load(self, agent_id: str) -> int:
        """How many tickets assigned to the agent are open or pending."""
        row = self._run(
            "SELECT count(*) FROM tickets WHERE assignee = ? AND status IN (?, ?)",
            (agent_id, *_OPEN_STATUSES),
        ).fetchone()
        return int(row[0])

    # -- agents and presence -------------------------------------------------------

    def get_agent(self, agent_id: str) -> Agent | None:
        """The agent, or ``None``."""
        row = self._run("SELECT agent FROM agents WHERE id = ?", (agent_id,)).fetchone()
        return None if row is None else Agent.model_validate_json(row[0])

    def agents(self) -> list[Agent]:
        """Every agent, ordered by id."""
        rows = self._run("SELECT agent FROM agents ORDER BY id")
        return [Agent.model_validate_json(row[0]) for row in rows]

    def put_agent(self, agent: Agent) -> None:
        """Add or replace an agent; presence is kept, a new agent starts Offline."""
        self._run(
            "INSERT INTO agents (id, agent) VALUES (?, ?) "
            "ON CONFLICT (id) DO UPDATE SET agent = excluded.agent",
            (agent.id, agent.model_dump_json()),
        )

    def is_online(self, agent_id: str) -> bool:
        """Whether the agent is Online (unknown agents are Offline)."""
        row = self._run("SELECT online FROM agents WHERE id = ?", (agent_id,)).fetchone()
        return row is not None and bool(row[0])

    def set_online(self, agent_id: str, online: bool, at: datetime) -> None:
        """Record the agent's presence from ``at`` on; raises ``UnknownAgent`` for an unknown id."""
        at = require_aware(at, "at")
        cur = self._run(
            "UPDATE agents SET online = ?, presence_at = ? WHERE id = ?",
            (int(online), to_micros(at), agent_id),
        )
        if cur.rowcount == 0:
            raise UnknownAgent(agent_id)

    def online_agents(self) -> Sequence[str]:
        """The Online agents' ids, ascending."""
        return [row[0] for row in self._run("SELECT id FROM agents WHERE online = 1 ORDER BY id")]

    # -- rotation ------------------------------------------------------------------

    def rotation(self, pool: str) -> RotationState:
        """The pool's rotation state (a fresh one for a new pool); the unit holds the write lock."""
        row = self._run("SELECT state FROM rotation WHERE pool = ?", (pool,)).fetchone()
        return RotationState() if row is None else RotationState.model_validate_json(row[0])

    def set_rotation(self, pool: str, state: RotationState) -> None:
        """Store the pool's new rotation state."""
        self._run(
            "INSERT INTO rotation (pool, state) VALUES (?, ?) "
            "ON CONFLICT (pool) DO UPDATE SET state = excluded.state",
            (pool, state.model_dump_json()),
        )

    # -- audit log -----------------------------------------------------------------

    def append_audit(self, record: AuditRecord) -> AuditRecord:
        """Append to the log; returns the record with its ``seq`` (strictly increasing)."""
        cur = self._run(
            "INSERT INTO audit (ticket_id, record) VALUES (?, ?)",
            (record.ticket_id, audit_to_json(record)),
        )
        seq = cur.lastrowid
        assert seq is not None  # an INSERT into a rowid table always sets it
        return record.model_copy(update={"seq": seq})

    def audit(self, ticket_id: str | None = None) -> list[AuditRecord]:
        """The log in ``seq`` order, all of it or one ticket's."""
        if ticket_id is None:
            rows = self._run("SELECT seq, record FROM audit ORDER BY seq")
        else:
            rows = self._run(
                "SELECT seq, record FROM audit WHERE ticket_id = ? ORDER BY seq", (ticket_id,)
            )
        return [audit_from_json(row[0], row[1]) for row in rows]

    # -- configuration -------------------------------------------------------------

    def configuration_version(self) -> int:
        """The newest stored configuration version, ``0`` when none is stored."""
        row = self._run("SELECT coalesce(max(version), 0) FROM configurations").fetchone()
        return int(row[0])

    def configuration(self, version: int | None = None) -> Configuration | None:
        """The configuration of ``version`` (the newest when ``None``), or ``None``."""
        from helpdesk_routing.configuration import Configuration

        if version is None:
            row = self._run(
                "SELECT body FROM configurations ORDER BY version DESC LIMIT 1"
            ).fetchone()
        else:
            row = self._run(
                "SELECT body FROM configurations WHERE version = ?", (version,)
            ).fetchone()
        return None if row is None else Configuration.model_validate_json(row[0])

    def configurations(self) -> list[Configuration]:
        """Every stored version, oldest first."""
        from helpdesk_routing.configuration import Configuration

        rows = self._run("SELECT body FROM configurations ORDER BY version").fetchall()
        return [Configuration.model_validate_json(row[0]) for row in rows]

    def put_configuration(self, configuration: Configuration) -> None:
        """Append the next version (``ConflictError`` unless it is the stored one + 1)."""
        stored = self.configuration_version()
        if configuration.version != stored + 1:
            raise ConflictError(
                f"configuration version {configuration.version} cannot follow the stored "
                f"version {stored}"
            )
        self._run(
            "INSERT INTO configurations (version, body) VALUES (?, ?)",
            (configuration.version, configuration.model_dump_json()),
        )


def _select_tickets(query: TicketQuery) -> tuple[str, list[Any]]:
    # With a view, the (view, created, ticket_id) key of ticket_views gives the order,
    # so a saved view is a range scan of its own rows, not a scan of every ticket.
    if query.view is not None:
        sql = "SELECT t.record FROM ticket_views v JOIN tickets t ON t.id = v.ticket_id"
        where: list[str] = ["v.view = ?"]
        params: list[Any] = [query.view]
        created, ident = "v.created", "v.ticket_id"
    else:
        sql = "SELECT t.record FROM tickets t"
        where, params = [], []
        created, ident = "t.created", "t.id"
    if query.assignee is not None:
        where.append("t.assignee = ?")
        params.append(query.assignee)
    if query.unassigned:
        where.append("t.assignee IS NULL")
    if query.team is not None:
        where.append("t.team = ?")
        params.append(query.team)
    if query.no_team:
        where.append("t.team IS NULL")
    for column, values in (
        ("t.status", status_values(query)),
        ("t.channel", None if query.channels is None else sorted(query.channels)),
    ):
        if values is not None:
            where.append(f"{column} IN ({', '.join('?' * len(values))})" if values else "0")
            params.extend(values)
    if query.after is not None:
        where.append(f"({created}, {ident}) {'<' if query.newest_first else '>'} (?, ?)")
        params.extend((to_micros(query.after[0]), query.after[1]))
    if where:
        sql += " WHERE " + " AND ".join(where)
    order = " DESC" if query.newest_first else ""
    sql += f" ORDER BY {created}{order}, {ident}{order}"
    if query.limit is not None:
        sql += " LIMIT ?"
        params.append(query.limit)
    return sql, params


class SqliteCustomerData(Closing):
    """A :class:`~helpdesk_routing.ports.CustomerData` in a SQLite file (or ``":memory:"``).

    May share its file with a :class:`SqliteStore`. Events are indexed on
    (profile, metric, timestamp), so a windowed count is an index range scan; a
    ``where`` filter is applied to the events of that range only.

    >>> with SqliteCustomerData(":memory:", profiles=[Profile(id="p1")]) as data:
    ...     data.count_events("p1", "Placed Order", start=None, end=None)
    0
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        profiles: Iterable[Profile] = (),
        events: Iterable[Event] = (),
        timeout: float = 30.0,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
    ) -> None:
        self._db = _Database(path, timeout, synchronous)
        _data.fill(self, profiles, events)

    @property
    def path(self) -> str:
        """The database file (``":memory:"`` for a private in-memory database)."""
        return self._db.path

    def add_profiles(self, profiles: Iterable[Profile]) -> None:
        """Add profiles, or replace those with the same ids (events are kept); one transaction."""
        profiles = list(profiles)
        if profiles:
            with self._db.write() as conn:
                for p in profiles:
                    self._write_profile(conn, p)

    def add_profile(self, profile: Profile) -> None:
        """Add a profile, or replace the one with the same id (its events are kept)."""
        self.add_profiles([profile])

    def update_profile(
        self,
        profile_id: str,
        *,
        properties: dict[str, object] | None = None,
        segments: Iterable[str] | None = None,
    ) -> Profile:
        """Merge ``properties`` into the profile (a ``None`` value removes the key) and
        replace its segments when given; an unknown id starts an empty profile."""
        with self._db.write() as conn:
            current = _data.select_profile(conn, _DIALECT, profile_id)
            updated = _data.merge_profile(current, profile_id, properties, segments)
            self._write_profile(conn, updated)
        return updated

    def add_to_segment(self, profile_id: str, segment: str) -> None:
        """Put the profile in ``segment`` (an unknown id starts an empty profile)."""
        with self._db.write() as conn:
            current = _data.select_profile(conn, _DIALECT, profile_id)
            updated = _data.with_segment(current, profile_id, segment)
            if updated is not None:
                self._write_profile(conn, updated)

    def remove_from_segment(self, profile_id: str, segment: str) -> None:
        """Take the profile out of ``segment`` (nothing happens when it is not in it)."""
        with self._db.write() as conn:
            current = _data.select_profile(conn, _DIALECT, profile_id)
            updated = _data.without_segment(current, segment)
            if updated is not None:
                self._write_profile(conn, updated)

    @staticmethod
    def _write_profile(conn: sqlite3.Connection, p: Profile) -> None:
        conn.execute(
            "INSERT INTO profiles (id, profile) VALUES (?, ?) "
            "ON CONFLICT (id) DO UPDATE SET profile = excluded.profile",
            (p.id, p.model_dump_json()),
        )
        conn.execute("DELETE FROM profile_segments WHERE profile_id = ?", (p.id,))
        conn.executemany(
            "INSERT INTO profile_segments (segment, profile_id) VALUES (?, ?)",
            [(s, p.id) for s in sorted(p.segments)],
        )

    def add_events(self, events: Iterable[Event]) -> None:
        """Record events (in any order of time), all in one transaction."""
        rows = _data.event_rows(_DIALECT, events)
        if rows:
            with self._db.write() as conn:
                conn.executemany(_data.INSERT_EVENT.format(p="?"), rows)

    def add_event(self, event: Event) -> None:
        """Record an event; it may be older than events already recorded."""
        self.add_events([event])

    def record_event(self, event: Event) -> bool:
        """Record an event (the ``EventRecorder`` port); ``False``, recording nothing,
        when an event with the same ``unique_id`` is already recorded (by anyone: the
        unique index decides, under the write lock)."""
        (row,) = _data.event_rows(_DIALECT, [event])
        with self._db.write() as conn:
            return conn.execute(_data.INSERT_EVENT.format(p="?"), row).rowcount == 1

    def events(self, profile_id: str, metric: str | None = None) -> list[Event]:
        """The profile's events (of one metric, or all), oldest first (ties in arrival order)."""
        return _data.select_events(self._db.read, _DIALECT, profile_id, metric)

    def profile(self, profile_id: str) -> Profile | None:
        """The profile with this id, or ``None``."""
        with self._db.read() as conn:
            return _data.select_profile(conn, _DIALECT, profile_id)

    def segment_members(self, segment: str) -> list[str]:
        """The ids of the profiles in ``segment``, ascending."""
        return _data.select_segment_members(self._db.read, _DIALECT, segment)

    def count_events(
        self,
        profile_id: str,
        metric: str,
        *,
        start: datetime | None,
        end: datetime | None,
        where: Callable[[Mapping[str, Any]], bool] | None = None,
        limit: int | None = None,
    ) -> int:
        """Count the profile's ``metric`` events in ``[start, end)`` that pass ``where``
        (up to ``limit``)."""
        return _data.count_events(
            self._db.read, _DIALECT, profile_id, metric, start, end, where, limit
        )

    def close(self) -> None:
        """Close the connections."""
        self._db.close()
