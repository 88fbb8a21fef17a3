"""PostgreSQL stores: a :class:`~helpdesk_routing.ports.Store` and a
:class:`~helpdesk_routing.ports.CustomerData` that several service processes share.

Needs the ``postgres`` extra (psycopg 3 and psycopg-pool); importing this module does
not import psycopg, constructing a store without it raises
:class:`~helpdesk_routing.errors.MissingExtra`.

A unit of work is one ``READ COMMITTED`` transaction made safe by explicit row locks,
so it never needs a serialisation retry:

- ``rotation(pool)`` locks the pool's row (``SELECT ... FOR UPDATE``, the row created
  on first use), so two processes never give out the same rotation step;
- ``get_ticket`` and ``find_tickets`` lock the ticket rows they return, so a ticket
  read and then written in one unit cannot be changed (or handed out) in between;
- ``add_ticket`` inserts with ``ON CONFLICT (id) DO NOTHING``: a concurrent insert of
  the same id waits for the first to end and then returns the stored record, so
  routing is idempotent by ticket id across processes.

Every unit queues other processes on the rows it locks until it ends, the global
rotation row above all, so a unit makes as few round trips as it can: BEGIN goes
with its first statement, writes nobody waits for go with the next statement or with
COMMIT, and COMMIT releases the locks before the WAL flush it then waits for (see
``release_locks_before_flush``).

Waiting for a lock longer than ``timeout`` seconds, or a deadlock between two units,
raises :class:`~helpdesk_routing.errors.ConflictError`; a lost connection raises
:class:`~helpdesk_routing.errors.StoreError`. Either way nothing of the unit is kept.
A connection found dead when a unit starts is replaced, up to ``attempts`` times.
Tables live in the connection's current schema (the first of its ``search_path``).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from helpdesk_routing._time import require_aware
from helpdesk_routing.decision import AllocationTrace
from helpdesk_routing.errors import (
    ConflictError,
    MissingExtra,
    RoutingError,
    StoreError,
    UnknownAgent,
    UnknownTicket,
)
from helpdesk_routing.model import Agent, Event, Profile
from helpdesk_routing.ports import RoundRobinRoute
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
    put_agents,
    status_values,
    ticket_columns,
)

if TYPE_CHECKING:
    import psycopg
    from psycopg_pool import ConnectionPool

    from helpdesk_routing.configuration import Configuration

__all__ = ["SCHEMA_VERSION", "PostgresCustomerData", "PostgresStore", "PostgresTransaction"]

_ROUND_ROBIN_FUNCTION = """CREATE FUNCTION helpdesk_route_round_robin(
    p_pool text, p_members text[], p_capacity integer,
    p_ticket text, p_created timestamptz, p_status text, p_channel text, p_team text,
    p_views text[], p_record text, p_allocation text, p_token text,
    p_audit_given text, p_audit_waiting text,
    OUT agent text, OUT reason text, OUT stored text)
LANGUAGE plpgsql AS $fn$
-- A whole route with the Router's round robin (RoundRobin.allocate in
-- allocation/round_robin.py) taken in the database, so that the pool's rotation row
-- is locked only while the server works. Returns the stored record instead when the
-- ticket id is already stored. Every statement takes a fresh snapshot (READ
-- COMMITTED): what follows a lock sees every unit that committed before it.
-- p_members: the team's members in ascending order, or NULL for the global pool (the
-- Online agents). The record and audit texts are the client's JSON, kept byte for
-- byte (jsonb would reorder keys and rewrite numbers): p_record holds the allocation
-- trace p_allocation and the JSON string of p_token where the assignee goes;
-- p_audit_given has that string where the assignee goes, p_audit_waiting is the
-- record for a ticket that waits. tests/stores/test_postgres_round_robin.py checks it
-- against RoundRobin and the Router.
DECLARE
    v_state_text text;
    v_state jsonb;
    v_extra integer;
    v_last text COLLATE "C";
    v_ids text[];
    v_n integer;
    v_lo integer;
    v_hi integer;
    v_mid integer;
    v_start integer := 0;
    v_cand text;
    v_online boolean;
    v_cap integer;
    v_load bigint;
    v_passed integer := 0;
    v_shown text[] := '{}';
    v_all_offline boolean := true;
    v_note text := '';
    v_assignee text;
    v_record text;
BEGIN
    -- Claim the id first (the lock every unit adding a ticket takes), so a concurrent
    -- route of the same id waits here, before any rotation lock, and then finds it.
    PERFORM pg_advisory_xact_lock(1212696662, hashtext(p_ticket));
    SELECT t.record INTO stored FROM tickets t WHERE t.id = p_ticket;
    IF FOUND THEN
        RETURN;
    END IF;
    SELECT r.state INTO v_state_text FROM rotation r WHERE r.pool = p_pool FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO rotation (pool, state)
            VALUES (p_pool, '{"last":null,"given":0,"extra":{}}')
            ON CONFLICT (pool) DO NOTHING;
        SELECT r.state INTO v_state_text FROM rotation r WHERE r.pool = p_pool FOR UPDATE;
    END IF;
    v_state := v_state_text::jsonb;
    v_last := v_state ->> 'last';
    IF p_members IS NULL THEN
        SELECT coalesce(array_agg(a.id ORDER BY a.id), '{}') INTO v_ids
            FROM agents a WHERE a.online;
    ELSE
        v_ids := p_members;
    END IF;
    v_n := coalesce(array_length(v_ids, 1), 0);
    IF v_last IS NOT NULL THEN
        -- bisect_right: how many ids sort at or before the last one (code point order)
        v_lo := 0;
        v_hi := v_n;
        WHILE v_lo < v_hi LOOP
            v_mid := (v_lo + v_hi) / 2;
            IF v_last < (v_ids[v_mid + 1] COLLATE "C") THEN
                v_hi := v_mid;
            ELSE
                v_lo := v_mid + 1;
            END IF;
        END LOOP;
        v_start := v_lo;
    END IF;
    FOR v_step IN 0 .. v_n - 1 LOOP
        v_cand := v_ids[(v_start + v_step) % v_n + 1];
        v_online := NULL;
        v_cap := NULL;
        SELECT a.online OR p_members IS NULL, (a.agent::jsonb ->> 'capacity')::integer
            INTO v_online, v_cap FROM agents a WHERE a.id = v_cand;
        v_online := coalesce(v_online, false);
        v_cap := coalesce(v_cap, p_capacity);
        IF v_online THEN
            IF v_cap IS NULL THEN
                agent := v_cand;
                EXIT;
            END IF;
            SELECT count(*) INTO v_load FROM tickets t
                WHERE t.assignee = v_cand AND t.status IN ('open', 'pending');
            IF v_load < v_cap THEN
                agent := v_cand;
                EXIT;
            END IF;
            v_all_offline := false;
            IF v_passed < 5 THEN
                v_shown := v_shown || format('%s full (%s/%s open)', v_cand, v_load, v_cap);
            END IF;
        ELSIF v_passed < 5 THEN
            v_shown := v_shown || (v_cand || ' offline');
        END IF;
        v_passed := v_passed + 1;
    END LOOP;
    IF v_passed > 0 THEN
        v_note := '; ' || array_to_string(v_shown, ', ');
        IF v_passed > 5 THEN
            v_note := v_note || format(' and %s more passed over', v_passed - 5);
        END IF;
    END IF;
    IF agent IS NOT NULL THEN
        IF v_last IS NULL THEN
            reason := agent || ': first online agent in rotation' || v_note;
        ELSE
            reason := format('%s: next online agent after %s in rotation', agent, v_last)
                || v_note;
        END IF;
        -- RotationState's JSON as pydantic writes it, with "extra" (the allocators' own
        -- data) kept as text; any other layout goes through jsonb.
        v_extra := 0;
        IF v_state_text ~ '^[{]"last":(null|"([^"\\\\]|\\\\.)*"),"given":[0-9]+,"extra":' THEN
            v_extra := strpos(v_state_text, ',"extra":');
        END IF;
        UPDATE rotation SET state = CASE WHEN v_extra > 0
                THEN '{"last":' || to_json(agent)::text || ',"given":'
                    || (coalesce((v_state ->> 'given')::bigint, 0) + 1)
                    || substr(v_state_text, v_extra)
                ELSE jsonb_set(jsonb_set(v_state, '{last}', to_jsonb(agent)), '{given}',
                    to_jsonb(coalesce((v_state ->> 'given')::bigint, 0) + 1))::text END
            WHERE pool = p_pool;
    ELSIF v_n = 0 OR v_all_offline THEN
        reason := 'nobody eligible is online; the ticket waits' || v_note;
    ELSE
        reason := 'every eligible agent is at capacity; the ticket waits' || v_note;
    END IF;
    v_assignee := coalesce(to_json(agent)::text, 'null');
    v_record := replace(
        replace(p_record, p_allocation, json_build_object(
            'pool', p_pool, 'assignee', agent, 'summary', reason,
            'waiting', agent IS NULL)::text),
        to_json(p_token)::text, v_assignee);
    INSERT INTO tickets (id, created, status, channel, team, assignee, views, record)
        VALUES (p_ticket, p_created, p_status, p_channel, p_team, agent, p_views, v_record);
    -- the seq is drawn after every lock, like every audit seq (see PostgresTransaction)
    INSERT INTO audit (seq, ticket_id, record)
        VALUES (nextval('audit_seq'), p_ticket, CASE WHEN agent IS NULL THEN p_audit_waiting
            ELSE replace(p_audit_given, to_json(p_token)::text, v_assignee) END);
END
$fn$
"""

_MIGRATIONS: tuple[Migration, ...] = (
    (
        1,
        (
            # COLLATE "C": ids sort by code point, as Python sorts them, whatever the
            # database's locale.
            """CREATE TABLE tickets (
                id text COLLATE "C" PRIMARY KEY,
                created timestamptz NOT NULL,
                status text NOT NULL,
                channel text NOT NULL,
                team text COLLATE "C",
                assignee text COLLATE "C",
                views text[] NOT NULL DEFAULT '{}',
                record text NOT NULL)""",
            "CREATE INDEX tickets_order ON tickets (created, id)",
            "CREATE INDEX tickets_assignee ON tickets (assignee, status, created, id)",
            "CREATE INDEX tickets_team ON tickets (team, status, created, id)",
            "CREATE INDEX tickets_status ON tickets (status, created, id)",
            # Only tickets with views: an index entry per ticket without one would make
            # every insert touch the same GIN entry (a hot spot under concurrent routing).
            "CREATE INDEX tickets_views ON tickets USING gin (views) WHERE views <> '{}'",
            """CREATE TABLE agents (
                id text COLLATE "C" PRIMARY KEY,
                agent text NOT NULL,
                online boolean NOT NULL DEFAULT false,
                presence_at timestamptz)""",
            "CREATE INDEX agents_online ON agents (id) WHERE online",
            # Room on each page, so the constant updates of a pool's row stay HOT.
            """CREATE TABLE rotation (pool text COLLATE "C" PRIMARY KEY, state text NOT NULL)
                WITH (fillfactor = 50)""",
            "CREATE SEQUENCE audit_seq",
            """CREATE TABLE audit (
                seq bigint PRIMARY KEY DEFAULT nextval('audit_seq'),
                ticket_id text COLLATE "C",
                record text NOT NULL)""",
            "CREATE INDEX audit_ticket ON audit (ticket_id, seq)",
        ),
    ),
    (
        2,
        (
            'CREATE TABLE profiles (id text COLLATE "C" PRIMARY KEY, profile text NOT NULL)',
            """CREATE TABLE profile_segments (
                segment text COLLATE "C" NOT NULL,
                profile_id text COLLATE "C" NOT NULL,
                PRIMARY KEY (segment, profile_id))""",
            "CREATE INDEX profile_segments_profile ON profile_segments (profile_id)",
            """CREATE TABLE events (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                profile_id text COLLATE "C" NOT NULL,
                metric text COLLATE "C" NOT NULL,
                ts timestamptz NOT NULL,
                properties text NOT NULL)""",
            "CREATE INDEX events_lookup ON events (profile_id, metric, ts)",
        ),
    ),
    (3, (_ROUND_ROBIN_FUNCTION,)),
    (4, ("CREATE TABLE configurations (version integer PRIMARY KEY, body text NOT NULL)",)),
)

SCHEMA_VERSION = _MIGRATIONS[-1][0]
"""The newest schema version this library writes to PostgreSQL."""

_OPEN_STATUSES = ["open", "pending"]
# The advisory lock that serialises schema migrations: one key per schema.
_BEGIN = "BEGIN ISOLATION LEVEL READ COMMITTED"
_NEXT_SEQ: tuple[str, tuple[()]] = ("SELECT nextval('audit_seq')", ())
_ONLINE = "SELECT id, agent FROM agents WHERE online ORDER BY id"
# A statement whose implicit transaction writes WAL (a transactional logical-decoding
# message, which consumers ignore unless asked for messages) and so commits with a
# flush when synchronous_commit is on: it returns once the WAL up to there, and so the
# unit's own commit before it, is on disk. (A transaction that only took an xid would
# not be flushed: PostgreSQL skips the flush when nothing else was logged.)
_FLUSH = "SELECT pg_logical_emit_message(true, 'helpdesk_routing', 'flush')"
_CAN_FLUSH = (
    "SELECT has_function_privilege('pg_logical_emit_message(boolean, text, text)', 'EXECUTE')"
)
_MIGRATION_LOCK = "SELECT pg_advisory_xact_lock(1212696661, hashtext(current_schema()))"


def _same(value: datetime) -> datetime:
    return value


# psycopg adapts aware datetimes to and from timestamptz itself.
_DIALECT = Dialect(param="%s", arrival="seq", lock=" FOR UPDATE", to_db=_same, from_db=_same)


def _require(feature: str) -> None:
    try:
        import psycopg  # noqa: F401
        import psycopg_pool  # noqa: F401
    except ImportError as exc:
        raise MissingExtra(feature, "postgres") from exc


def _is_connection_error(exc: BaseException, conn: psycopg.Connection[Any] | None) -> bool:
    import psycopg

    if not isinstance(exc, psycopg.OperationalError):
        return False
    return conn is None or conn.closed or conn.broken


class _Database:
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
        _require(feature)
        from psycopg_pool import ConnectionPool

        if (dsn is None) == (pool is None):
            raise TypeError(f"{feature} needs exactly one of a dsn or a pool")
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.attempts = max(1, attempts)
        self.early_release = early_release
        self._local = threading.local()
        self._restore: set[psycopg.Connection[Any]] = set()
        self._closed = False
        if dsn is not None:
            self._migrate_direct(dsn)
            lock_ms = int(timeout * 1000)

            def configure(conn: psycopg.Connection[Any]) -> None:
                conn.execute(f"SET lock_timeout = {lock_ms}")

            self.pool: ConnectionPool[Any] = ConnectionPool(
                dsn,
                min_size=min_size,
                max_size=max(min_size, max_size),
                open=True,
                kwargs={"autocommit": True},
                configure=configure,
                timeout=connect_timeout,
                name="helpdesk_routing",
            )
            self._own_pool = True
        else:
            assert pool is not None
            self.pool = pool
            self._own_pool = False
            with pool.connection(timeout=connect_timeout) as conn:
                self._migrate(conn)

    # -- errors --------------------------------------------------------------------

    def error(
        self, exc: BaseException, conn: psycopg.Connection[Any] | None
    ) -> RoutingError | None:
        """The library error for a psycopg error (``None`` for anything else)."""
        import psycopg
        from psycopg import errors as pg

        if isinstance(exc, pg.DeadlockDetected):
            return ConflictError(f"a concurrent unit of work won a race (deadlock): {exc}")
        if isinstance(exc, pg.SerializationFailure):
            return ConflictError(f"a concurrent unit of work won a race: {exc}")
        if isinstance(exc, pg.LockNotAvailable):
            return ConflictError(
                f"a row stayed locked by another unit of work for {self.timeout:g} s: {exc}"
            )
        if _is_connection_error(exc, conn):
            return StoreError(
                f"lost the connection to PostgreSQL during a unit of work; "
                f"nothing of it was committed: {exc}"
            )
        if isinstance(exc, psycopg.Error):
            return StoreError(f"PostgreSQL error: {exc}")
        return None

    # -- schema --------------------------------------------------------------------

    def _migrate_direct(self, dsn: str) -> None:
        import psycopg

        last: Exception | None = None
        for attempt in range(self.attempts):
            try:
                conn = psycopg.connect(
                    dsn, autocommit=True, connect_timeout=max(1, round(self.connect_timeout))
                )
            except psycopg.OperationalError as exc:
                last = exc
                if attempt + 1 < self.attempts:
                    time.sleep(0.2 * 2**attempt)
                continue
            with conn:
                self._migrate(conn)
            return
        raise StoreError(
            f"cannot connect to PostgreSQL after {self.attempts} attempts: {last}"
        ) from last

    def _migrate(self, conn: psycopg.Connection[Any]) -> None:
        import psycopg

        autocommit = conn.autocommit
        try:
            conn.autocommit = True
            with conn.transaction():
                conn.execute(_MIGRATION_LOCK)
                row = conn.execute(
                    "SELECT to_regclass(format('%I.schema_version', current_schema()))"
                ).fetchone()
                exists = row is not None and row[0] is not None
                apply_migrations(conn, _DIALECT, _MIGRATIONS, exists=exists)
            if self.early_release:
                # Releasing locks before the flush needs _FLUSH; a role that may not run
                # it holds its locks through the flush instead.
                allowed = conn.execute(_CAN_FLUSH).fetchone()
                self.early_release = bool(allowed and allowed[0])
        except psycopg.Error as exc:
            raise StoreError(f"cannot prepare the PostgreSQL schema: {exc}") from exc
        finally:
            if not conn.closed:
                conn.autocommit = autocommit

    # -- units of work -------------------------------------------------------------

    def _getconn(self) -> psycopg.Connection[Any]:
        import psycopg

        if self._closed:
            raise StoreError("the store is closed")
        try:
            conn: psycopg.Connection[Any] = self.pool.getconn(timeout=self.connect_timeout)
        except psycopg.Error as exc:
            raise StoreError(
                f"cannot get a PostgreSQL connection within {self.connect_timeout:g} s: {exc}"
            ) from exc
        if not conn.autocommit:
            # A pool given by the caller may hand out connections in the default mode;
            # this adapter issues BEGIN and COMMIT itself.
            conn.autocommit = True
            self._restore.add(conn)
        return conn

    def _putconn(self, conn: psycopg.Connection[Any]) -> None:
        if conn in self._restore:
            self._restore.discard(conn)
            if not conn.closed and not conn.broken:
                conn.autocommit = False
        self.pool.putconn(conn)

    def checkout(self) -> psycopg.Connection[Any]:
        """A connection for one unit of work of this thread (nested units are refused)."""
        if getattr(self._local, "active", False):
            raise StoreError(NESTED)
        conn = self._getconn()
        self._local.active = True
        return conn

    def checkin(self, conn: psycopg.Connection[Any] | None) -> None:
        """Return the unit of work's connection (if it still has one) to the pool."""
        self._local.active = False
        if conn is not None:
            self._putconn(conn)

    def begin(self) -> psycopg.Connection[Any]:
        """A connection inside a fresh transaction, retrying a few times on dead connections."""
        import psycopg

        if getattr(self._local, "active", False):
            raise StoreError(NESTED)
        last: Exception | None = None
        for _ in range(self.attempts):
            conn = self._getconn()
            try:
                conn.execute(_BEGIN)
            except psycopg.Error as exc:
                broken = _is_connection_error(exc, conn)
                self._putconn(conn)  # the pool discards a broken connection
                if not broken:
                    mapped = self.error(exc, conn)
                    assert mapped is not None
                    raise mapped from exc
                last = exc
                continue
            self._local.active = True
            return conn
        raise StoreError(
            f"cannot begin a unit of work on PostgreSQL after {self.attempts} attempts: {last}"
        ) from last

    def end(self, conn: psycopg.Connection[Any], *, commit: bool) -> None:
        """Commit (or roll back) the unit of work on ``conn`` and return the connection."""
        import psycopg
        from psycopg.pq import TransactionStatus

        try:
            if not commit:
                self._rollback(conn)
                return
            if conn.info.transaction_status == TransactionStatus.INERROR:
                self._rollback(conn)
                raise StoreError("a statement of the unit of work failed; it was rolled back")
            try:
                conn.execute("COMMIT")
            except psycopg.Error as exc:
                raise self.commit_error(exc, conn) from exc
        finally:
            self._local.active = False
            self._putconn(conn)

    def commit_error(self, exc: psycopg.Error, conn: psycopg.Connection[Any]) -> RoutingError:
        """The library error for a failed COMMIT; the unit is rolled back if it can be."""
        if _is_connection_error(exc, conn):
            return StoreError(
                "lost the connection to PostgreSQL while committing; the unit of work "
                f"may or may not have been committed: {exc}"
            )
        self._rollback(conn)
        mapped = self.error(exc, conn)
        assert mapped is not None
        return mapped

    @staticmethod
    def _rollback(conn: psycopg.Connection[Any]) -> None:
        import psycopg

        if conn.closed or conn.broken:
            return  # the server rolls back what a lost connection left open
        try:
            conn.execute("ROLLBACK")
        except psycopg.Error:
            conn.close()  # closing aborts the transaction; the pool drops the connection

    @contextmanager
    def unit(self) -> Iterator[psycopg.Connection[Any]]:
        """A plain unit of work for the adapters' own writes (no transaction object)."""
        conn = self.begin()
        try:
            yield conn
        except BaseException as exc:
            self.end(conn, commit=False)
            mapped = self.error(exc, conn)
            if mapped is None:
                raise
            raise mapped from exc
        self.end(conn, commit=True)

    @contextmanager
    def read(self) -> Iterator[psycopg.Connection[Any]]:
        """A connection for single-statement reads (autocommit: no transaction is held)."""
        conn = self._getconn()
        try:
            yield conn
        except BaseException as exc:
            mapped = self.error(exc, conn)
            if mapped is None:
                raise
            raise mapped from exc
        finally:
            self._putconn(conn)

    def close(self) -> None:
        """Close the pool, if this adapter opened it."""
        self._closed = True
        if self._own_pool:
            self.pool.close()


class PostgresStore(Closing):
    """A :class:`~helpdesk_routing.ports.Store` in PostgreSQL, shared by many processes.

    Give either ``dsn`` (a libpq connection string or URL; the store opens its own
    pool of ``min_size`` to ``max_size`` connections) or ``pool`` (a
    ``psycopg_pool.ConnectionPool`` you own and close). The schema is created or
    migrated on first use. ``agents`` are added (or updated, keeping presence) when
    the store opens. ``timeout`` bounds every wait for a row lock; ``connect_timeout``
    and ``attempts`` bound how long and how often a connection is tried.

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
        self._db = _Database(
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
        put_agents(self, agents)

    @contextmanager
    def transaction(self) -> Iterator[PostgresTransaction]:
        """Begin a unit of work (a ``READ COMMITTED`` transaction); it commits when the block ends.

        If the block raises, or an operation inside it failed, nothing of it is kept.
        Raises :class:`~helpdesk_routing.errors.ConflictError` on a deadlock or a lock
        wait longer than ``timeout``; :class:`~helpdesk_routing.errors.StoreError` on a
        lost connection, a closed store or a nested transaction in one thread.
        """
        tx = PostgresTransaction(self._db, self._db.checkout())
        try:
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
            tx._closed = True
            self._db.checkin(tx._conn if tx._holds else None)

    def close(self) -> None:
        """Close the store's connection pool (not a pool that was passed in)."""
        self._db.close()


class PostgresTransaction:
    """One unit of work on a :class:`PostgresStore` (the ``Transaction`` port).

    Obtained from ``store.transaction()``; unusable after its block ends.
    """

    def __init__(self, db: _Database, conn: psycopg.Connection[Any]) -> None:
        self._db = db
        self._conn = conn
        self._holds = True  # False only between giving back a dead connection and the next
        self._closed = False
        self._failure: RoutingError | None = None
        self._begun = False
        self._wrote = False
        # Processes queue on a pool's rotation row from rotation() until COMMIT, so the
        # unit makes as few round trips as it can while it holds one:
        # - writes whose result nobody waits for are sent with the next statement that
        #   must wait anyway, or with COMMIT (``may_wait``: whether one can wait for a
        #   lock, which makes a drawn audit seq stale, see below);
        self._pending: list[tuple[str, Sequence[Any]]] = []
        self._pending_may_wait = False
        # - tickets this unit inserted or locked exist until it ends (tickets are never
        #   deleted), so updating them cannot miss and need not be checked at once;
        self._known: set[str] = set()
        self._locked_pools: set[str] = set()
        # - every statement that can wait for a lock also draws an audit seq in the same
        #   round trip, so the next append_audit needs none of its own. A seq drawn after
        #   every lock the unit holds sorts after the records of each unit it conflicts
        #   with that committed before it, and before those of units that wait for it:
        #   the log in seq order replays in commit order, object by object;
        self._seqs: list[int] = []
        # - locking the global pool also reads who is Online (the Router asks next).
        self._online: list[str] | None = None
        self._online_agents: dict[str, str] = {}
        # - a route finished by the round-robin function: sent with COMMIT, answered after.
        self._last: tuple[str, Sequence[Any]] | None = None
        self._last_answer: RoundRobinRoute | None = None

    def _defer(self, sql: str, params: Sequence[Any], *, may_wait: bool) -> None:
        if self._closed:
            raise StoreError(ENDED)
        self._check_not_finished()
        self._wrote = True
        self._pending.append((sql, params))
        self._pending_may_wait = self._pending_may_wait or may_wait

    def _run(
        self, sql: str, params: Sequence[Any] = (), *, locks: bool = False, draws: bool = False
    ) -> psycopg.Cursor[Any]:
        return self._send([(sql, params)], locks=locks, draws=draws)[0]

    def _send(
        self,
        queries: Sequence[tuple[str, Sequence[Any]]],
        *,
        locks: bool = False,
        draws: bool = False,
    ) -> list[psycopg.Cursor[Any]]:
        """Send BEGIN (the first time), the deferred writes and ``queries`` in one round trip.

        ``locks``: the queries may wait for a row lock; a fresh audit seq is drawn after
        them. ``draws``: the queries may wait too, and the last one draws that seq itself
        (``RETURNING nextval('audit_seq')``); the caller keeps it.
        """
        if self._closed:
            raise StoreError(ENDED)
        self._check_not_finished()
        if locks or draws or self._pending_may_wait:
            self._seqs.clear()
        batch = [*queries, _NEXT_SEQ] if locks else list(queries)
        attempts = 1 if self._begun else self._db.attempts
        for attempt in range(attempts):
            conn = self._conn
            try:
                if self._begun and not self._pending and len(batch) == 1:
                    cursors = [conn.execute(*batch[0])]
                else:
                    with conn.pipeline():
                        self._start(conn)
                        cursors = [conn.execute(q, p) for q, p in batch]
                self._begun = True
                self._pending.clear()
                self._pending_may_wait = False
                if locks:
                    drawn = cursors.pop().fetchone()
                    assert drawn is not None
                    self._seqs = [int(drawn[0])]
                return cursors
            except Exception as exc:
                if not self._begun and attempt + 1 < attempts and _is_connection_error(exc, conn):
                    # Nothing of this unit reached a live server: start it again on a
                    # fresh connection (the bounded retry on dead connections).
                    self._holds = False
                    self._db._putconn(conn)  # the pool drops the dead connection
                    self._conn = self._db._getconn()
                    self._holds = True
                    continue
                mapped = self._db.error(exc, conn)
                if mapped is None:
                    raise
                # Remember it: PostgreSQL has aborted the transaction, and a block that
                # catches the error and carries on must not appear to commit.
                self._failure = mapped
                raise mapped from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _start(self, conn: psycopg.Connection[Any]) -> None:
        """Queue BEGIN (the first time) and the deferred writes on ``conn``'s pipeline."""
        if not self._begun:
            conn.execute(_BEGIN)
        for q, p in self._pending:
            conn.execute(q, p)

    def _commit(self) -> None:
        import psycopg

        if not self._begun and not self._pending and self._last is None:
            return  # the unit read and wrote nothing: there is no transaction
        conn = self._conn
        if self._last is not None:  # route_round_robin: the unit's only operation
            self._commit_route(conn, *self._last)
            return
        try:
            with conn.pipeline():
                self._start(conn)
                if self._db.early_release or not self._wrote:
                    # COMMIT without waiting for the WAL flush releases the unit's row
                    # locks at once: the next process waiting for the rotation row
                    # proceeds while this commit is written to disk. Then a tiny
                    # synchronous transaction waits for the flush of the WAL up to its
                    # own commit, which includes this one: when this returns, the unit is
                    # durable. (A unit that only read and locked needs no flush.)
                    conn.execute("SET LOCAL synchronous_commit = off")
                    conn.execute("COMMIT")
                    if self._wrote:
                        conn.execute(_FLUSH)
                else:
                    conn.execute("COMMIT")
        except psycopg.Error as exc:
            raise self._db.commit_error(exc, conn) from exc
        finally:
            self._pending.clear()

    def _commit_route(self, conn: psycopg.Connection[Any], sql: str, params: Sequence[Any]) -> None:
        """The whole unit of ``route_round_robin`` in one message: BEGIN, the function,
        COMMIT and the flush, as one simple query (parameters bound here)."""
        import psycopg

        if self._db.early_release:
            # See _commit: COMMIT without waiting for the flush, then wait for it.
            sql += ", set_config('synchronous_commit', 'off', true)"
            text = f"{_BEGIN}; {sql}; COMMIT; {_FLUSH}"
        else:
            text = f"{_BEGIN}; {sql}; COMMIT"
        for attempt in range(self._db.attempts):
            try:
                with psycopg.ClientCursor(conn) as cur:
                    cur.execute(text, params)
                    cur.nextset()
                    row = cur.fetchone()
                break
            except psycopg.Error as exc:
                if attempt + 1 < self._db.attempts and _is_connection_error(exc, conn):
                    # Found dead (an idle connection the server dropped), or lost while
                    # committing: either way running the call again on a fresh one is
                    # safe, since it returns the stored record if the first one committed.
                    self._holds = False
                    self._db._putconn(conn)  # the pool drops the dead connection
                    conn = self._conn = self._db._getconn()
                    self._holds = True
                    continue
                raise self._db.commit_error(exc, conn) from exc
        assert row is not None
        stored = None if row[2] is None else TicketRecord.model_validate_json(row[2])
        self._last_answer = (stored, row[0], row[1])

    def _check_not_finished(self) -> None:
        if self._last is not None:
            raise StoreError("route_round_robin must be the only operation of its unit of work")

    def _rollback(self) -> None:
        self._pending.clear()
        if self._begun:
            self._db._rollback(self._conn)

    # -- tickets -------------------------------------------------------------------

    def get_ticket(self, ticket_id: str) -> TicketRecord | None:
        """The stored record (locked until the unit ends), or ``None``."""
        row = self._run(
            "SELECT record FROM tickets WHERE id = %s FOR UPDATE", (ticket_id,), locks=True
        ).fetchone()
        if row is None:
            return None
        self._known.add(ticket_id)
        return TicketRecord.model_validate_json(row[0])

    def add_ticket(self, record: TicketRecord) -> TicketRecord | None:
        """Insert a new ticket; returns the stored record instead when the id exists.

        A concurrent insert of the same id makes this wait until that unit ends.
        """
        t = record.ticket
        self._wrote = True
        # The claim helpdesk_route_round_robin takes too: two units adding one id (by
        # either way) queue here, before any rotation lock.
        claim = ("SELECT pg_advisory_xact_lock(1212696662, hashtext(%s))", (t.id,))
        insert = (
            "INSERT INTO tickets (id, created, status, channel, team, assignee, views, record) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING "
            "RETURNING nextval('audit_seq')",
            (
                t.id,
                *ticket_columns(_DIALECT, record),
                sorted(record.views),
                record.model_dump_json(),
            ),
        )
        row = self._send([claim, insert], draws=True)[1].fetchone()
        if row is not None:
            self._seqs = [int(row[0])]  # drawn after the insert, and any wait it made
            self._known.add(t.id)
            return None
        stored = self.get_ticket(t.id)
        if stored is None:  # pragma: no cover - a stored row is never deleted
            raise ConflictError(f"ticket {t.id!r} vanished while being added")
        return stored

    def update_ticket(self, record: TicketRecord) -> None:
        """Replace the stored record with the same id; ``UnknownTicket`` if none is stored."""
        t = record.ticket
        sql = (
            "UPDATE tickets SET created = %s, status = %s, channel = %s, team = %s, "
            "assignee = %s, views = %s, record = %s WHERE id = %s"
        )
        params = (
            *ticket_columns(_DIALECT, record),
            sorted(record.views),
            record.model_dump_json(),
            t.id,
        )
        if t.id in self._known:
            self._defer(sql, params, may_wait=False)  # this unit holds the row's lock
            return
        self._wrote = True
        if self._run(sql, params, locks=True).rowcount == 0:
            raise UnknownTicket(t.id)
        self._known.add(t.id)

    def find_tickets(self, query: TicketQuery) -> list[TicketRecord]:
        """The records matching ``query``, oldest first, at most ``limit``; locked until the end."""
        sql, params = _select_tickets(query)
        rows = self._run(sql, params, locks=True).fetchall()
        found = [TicketRecord.model_validate_json(row[0]) for row in rows]
        self._known.update(r.id for r in found)
        return found

    def open_load(self, agent_id: str) -> int:
        """How many tickets assigned to the agent are open or pending."""
        row = self._run(
            "SELECT count(*) FROM tickets WHERE assignee = %s AND status = ANY(%s)",
            (agent_id, _OPEN_STATUSES),
        ).fetchone()
        assert row is not None
        return int(row[0])

    # -- agents and presence -------------------------------------------------------

    def get_agent(self, agent_id: str) -> Agent | None:
        """The agent, or ``None``."""
        text = self._online_agents.get(agent_id)
        if text is None:
            row = self._run("SELECT agent FROM agents WHERE id = %s", (agent_id,)).fetchone()
            if row is None:
                return None
            text = row[0]
        return Agent.model_validate_json(text)

    def agents(self) -> list[Agent]:
        """Every agent, ordered by id."""
        rows = self._run("SELECT agent FROM agents ORDER BY id").fetchall()
        return [Agent.model_validate_json(row[0]) for row in rows]

    def put_agent(self, agent: Agent) -> None:
        """Add or replace an agent; presence is kept, a new agent starts Offline."""
        self._forget_presence()
        self._defer(
            "INSERT INTO agents (id, agent) VALUES (%s, %s) "
            "ON CONFLICT (id) DO UPDATE SET agent = EXCLUDED.agent",
            (agent.id, agent.model_dump_json()),
            may_wait=True,
        )

    def is_online(self, agent_id: str) -> bool:
        """Whether the agent is Online (unknown agents are Offline)."""
        if self._online is not None:
            return agent_id in self._online_agents
        row = self._run("SELECT online FROM agents WHERE id = %s", (agent_id,)).fetchone()
        return row is not None and bool(row[0])

    def set_online(self, agent_id: str, online: bool, at: datetime) -> None:
        """Record the agent's presence from ``at`` on; raises ``UnknownAgent`` for an unknown id."""
        at = require_aware(at, "at")
        self._forget_presence()
        self._wrote = True
        cur = self._run(
            "UPDATE agents SET online = %s, presence_at = %s WHERE id = %s",
            (online, at, agent_id),
            locks=True,
        )
        if cur.rowcount == 0:
            raise UnknownAgent(agent_id)

    def online_agents(self) -> Sequence[str]:
        """The Online agents' ids, ascending."""
        if self._online is None:
            rows = self._run(_ONLINE).fetchall()
            self._remember_presence(rows)
        assert self._online is not None
        return self._online

    def _remember_presence(self, rows: list[Any]) -> None:
        # A statement's answer within this unit: as if online_agents() had run then.
        # The unit's own presence changes forget it.
        self._online = [row[0] for row in rows]
        self._online_agents = {row[0]: row[1] for row in rows}

    def _forget_presence(self) -> None:
        self._online = None
        self._online_agents = {}

    # -- rotation ------------------------------------------------------------------

    def rotation(self, pool: str) -> RotationState:
        """The pool's rotation state (fresh for a new pool), row-locked until the unit ends."""
        select = ("SELECT state FROM rotation WHERE pool = %s FOR UPDATE", (pool,))
        # The global pool's candidates are the Online agents: read them in the same
        # round trip, after the lock, so allocating needs no further one.
        queries = [select, (_ONLINE, ())] if pool == "global" else [select]
        cursors = self._send(queries, locks=True)
        row = cursors[0].fetchone()
        if row is None:
            # Create the row so there is something to lock; a concurrent creator makes
            # this wait, and the SELECT then locks the row it committed.
            create = (
                "INSERT INTO rotation (pool, state) VALUES (%s, %s) ON CONFLICT (pool) DO NOTHING",
                (pool, RotationState().model_dump_json()),
            )
            self._wrote = True
            cursors = self._send([create, *queries], locks=True)[1:]
            row = cursors[0].fetchone()
            assert row is not None
        if pool == "global":
            self._remember_presence(cursors[1].fetchall())
        self._locked_pools.add(pool)
        return RotationState.model_validate_json(row[0])

    def set_rotation(self, pool: str, state: RotationState) -> None:
        """Store the pool's new rotation state."""
        self._defer(
            "INSERT INTO rotation (pool, state) VALUES (%s, %s) "
            "ON CONFLICT (pool) DO UPDATE SET state = EXCLUDED.state",
            (pool, state.model_dump_json()),
            may_wait=pool not in self._locked_pools,
        )

    def route_round_robin(
        self,
        *,
        pool: str,
        members: Sequence[str] | None,
        capacity: int | None,
        record: TicketRecord,
        audit: AuditRecord,
    ) -> Callable[[], RoundRobinRoute] | None:
        """A whole route in the database (``RoundRobinInStore``): one function call, sent
        with BEGIN and COMMIT, claims the ticket id, takes the round-robin step, stores
        the ticket and appends the audit record.

        The pool's rotation row is then locked only while the server runs the function
        and commits, never across a round trip to this process.
        """
        if self._closed:
            raise StoreError(ENDED)
        self._check_not_finished()
        if self._begun or self._pending:
            return None  # only a unit that does nothing else
        # The texts the function completes: a token (random, so found nowhere else)
        # stands for the assignee, and a trace holding it for the allocation trace.
        token = f"helpdesk-routing-{secrets.token_hex(16)}"
        placeholder = AllocationTrace(pool=pool, assignee=token, summary=token)
        decision = record.decision
        if decision is None:
            return None
        text = record.model_copy(
            update={
                "assignee": token,
                "decision": decision.model_copy(
                    update={"assignee": token, "allocation": placeholder}
                ),
            }
        ).model_dump_json()
        allocation = placeholder.model_dump_json()
        quoted = json.dumps(token)
        if text.count(allocation) != 1 or text.replace(allocation, "").count(quoted) != 2:
            return None  # pragma: no cover - a random token found in the ticket itself
        given = audit_to_json(
            audit.model_copy(update={"assignee": token, "automatic": True, "pool": pool})
        )
        created, status, channel, team, _ = ticket_columns(_DIALECT, record)
        self._wrote = True
        self._last = (
            "SELECT r.agent, r.reason, r.stored FROM helpdesk_route_round_robin("
            "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) r",
            (
                pool,
                None if members is None else list(members),
                capacity,
                record.id,
                created,
                status,
                channel,
                team,
                sorted(record.views),
                text,
                allocation,
                token,
                given,
                audit_to_json(audit),
            ),
        )

        def answer() -> RoundRobinRoute:
            if self._last_answer is None:
                raise StoreError("the unit of work that routed this ticket did not commit")
            return self._last_answer

        return answer

    # -- audit log -----------------------------------------------------------------

    def append_audit(self, record: AuditRecord) -> AuditRecord:
        """Append to the log; returns it with its ``seq`` (strictly increasing, gaps possible)."""
        text = audit_to_json(record)
        if self._pending_may_wait:
            self._send([])  # a deferred write may wait for a lock: before drawing the seq
        if self._seqs:
            seq = self._seqs.pop()
            self._defer(
                "INSERT INTO audit (seq, ticket_id, record) VALUES (%s, %s, %s)",
                (seq, record.ticket_id, text),
                may_wait=False,
            )
            return record.model_copy(update={"seq": seq})
        self._wrote = True
        row = self._run(
            "INSERT INTO audit (ticket_id, record) VALUES (%s, %s) RETURNING seq",
            (record.ticket_id, text),
        ).fetchone()
        assert row is not None
        return record.model_copy(update={"seq": int(row[0])})

    def audit(self, ticket_id: str | None = None) -> list[AuditRecord]:
        """The log in ``seq`` order, all of it or one ticket's."""
        if ticket_id is None:
            rows = self._run("SELECT seq, record FROM audit ORDER BY seq").fetchall()
        else:
            rows = self._run(
                "SELECT seq, record FROM audit WHERE ticket_id = %s ORDER BY seq", (ticket_id,)
            ).fetchall()
        return [audit_from_json(int(row[0]), row[1]) for row in rows]

    # -- configuration -------------------------------------------------------------

    def configuration_version(self) -> int:
        """The newest stored configuration version, ``0`` when none is stored."""
        row = self._run("SELECT coalesce(max(version), 0) FROM configurations").fetchone()
        assert row is not None
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
                "SELECT body FROM configurations WHERE version = %s", (version,)
            ).fetchone()
        return None if row is None else Configuration.model_validate_json(row[0])

    def configurations(self) -> list[Configuration]:
        """Every stored version, oldest first."""
        from helpdesk_routing.configuration import Configuration

        rows = self._run("SELECT body FROM configurations ORDER BY version").fetchall()
        return [Configuration.model_validate_json(row[0]) for row in rows]

    def put_configuration(self, configuration: Configuration) -> None:
        """Append the next version (``ConflictError`` unless it is the stored one + 1).

        Two writers of the same number: the second waits on the key, then inserts
        nothing and gets the error.
        """
        self._wrote = True
        row = self._run(
            "INSERT INTO configurations (version, body) SELECT %s, %s "
            "WHERE %s = (SELECT coalesce(max(version), 0) + 1 FROM configurations) "
            "ON CONFLICT (version) DO NOTHING RETURNING version",
            (configuration.version, configuration.model_dump_json(), configuration.version),
            locks=True,
        ).fetchone()
        if row is None:
            raise ConflictError(
                f"configuration version {configuration.version} cannot follow the stored "
                f"version {self.configuration_version()}"
            )


def _select_tickets(query: TicketQuery) -> tuple[str, list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if query.view is not None:
        where.append("views @> ARRAY[%s]::text[] AND views <> '{}'")  # the index's predicate
        params.append(query.view)
    if query.assignee is not None:
        where.append("assignee = %s")
        params.append(query.assignee)
    if query.unassigned:
        where.append("assignee IS NULL")
    if query.team is not None:
        where.append("team = %s")
        params.append(query.team)
    if query.no_team:
        where.append("team IS NULL")
    statuses = status_values(query)
    if statuses is not None and len(statuses) == 1:
        where.append("status = %s")  # lets the (..., status, created, id) indexes give the order
        params.append(statuses[0])
    elif statuses is not None:
        where.append("status = ANY(%s)")
        params.append(statuses)
    if query.channels is not None:
        where.append("channel = ANY(%s)")
        params.append(sorted(query.channels))
    if query.after is not None:
        where.append("(created, id) > (%s, %s)")
        params.extend(query.after)
    sql = "SELECT record FROM tickets"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY created, id"
    if query.limit is not None:
        sql += " LIMIT %s"
        params.append(query.limit)
    return sql + " FOR UPDATE", params


def _write_profiles(conn: psycopg.Connection[Any], profiles: Sequence[Profile]) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO profiles (id, profile) VALUES (%s, %s) "
            "ON CONFLICT (id) DO UPDATE SET profile = EXCLUDED.profile",
            [(p.id, p.model_dump_json()) for p in profiles],
        )
        cur.execute(
            "DELETE FROM profile_segments WHERE profile_id = ANY(%s)", ([p.id for p in profiles],)
        )
        cur.executemany(
            "INSERT INTO profile_segments (segment, profile_id) VALUES (%s, %s) "
            "ON CONFLICT DO NOTHING",
            [(s, p.id) for p in profiles for s in sorted(p.segments)],
        )


class PostgresCustomerData(Closing):
    """A :class:`~helpdesk_routing.ports.CustomerData` in PostgreSQL.

    Takes ``dsn`` or ``pool`` like :class:`PostgresStore` and may share its database.
    Events are indexed on (profile, metric, timestamp), so a windowed count is an
    index range scan; a ``where`` filter is applied to the events of that range only.
    """

    def __init__(
        self,
        dsn: str | None = None,
        *,
        pool: ConnectionPool[Any] | None = None,
        profiles: Iterable[Profile] = (),
        events: Iterable[Event] = (),
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        attempts: int = 3,
        min_size: int = 1,
        max_size: int = 4,
    ) -> None:
        self._db = _Database(
            "PostgresCustomerData",
            dsn,
            pool,
            timeout=timeout,
            connect_timeout=connect_timeout,
            attempts=attempts,
            min_size=min_size,
            max_size=max_size,
        )
        _data.fill(self, profiles, events)

    def add_profiles(self, profiles: Iterable[Profile]) -> None:
        """Add profiles, or replace those with the same ids (events are kept); one transaction."""
        profiles = list(profiles)
        if profiles:
            with self._db.unit() as conn:
                _write_profiles(conn, profiles)

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
        with self._db.unit() as conn:
            current = _data.select_profile(conn, _DIALECT, profile_id, lock=True)
            updated = _data.merge_profile(current, profile_id, properties, segments)
            _write_profiles(conn, [updated])
        return updated

    def add_to_segment(self, profile_id: str, segment: str) -> None:
        """Put the profile in ``segment`` (an unknown id starts an empty profile)."""
        with self._db.unit() as conn:
            current = _data.select_profile(conn, _DIALECT, profile_id, lock=True)
            updated = _data.with_segment(current, profile_id, segment)
            if updated is not None:
                _write_profiles(conn, [updated])

    def remove_from_segment(self, profile_id: str, segment: str) -> None:
        """Take the profile out of ``segment`` (nothing happens when it is not in it)."""
        with self._db.unit() as conn:
            current = _data.select_profile(conn, _DIALECT, profile_id, lock=True)
            updated = _data.without_segment(current, segment)
            if updated is not None:
                _write_profiles(conn, [updated])

    def add_events(self, events: Iterable[Event]) -> None:
        """Record events (in any order of time), all in one transaction."""
        rows = _data.event_rows(_DIALECT, events)
        if rows:
            with self._db.unit() as conn, conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO events (profile_id, metric, ts, properties) "
                    "VALUES (%s, %s, %s, %s)",
                    rows,
                )

    def add_event(self, event: Event) -> None:
        """Record an event; it may be older than events already recorded."""
        self.add_events([event])

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
        found = _data.count_events(self._db.read, _DIALECT, profile_id, metric, start, end, where)
        return found if limit is None else min(found, limit)

    def close(self) -> None:
        """Close the connection pool (not a pool that was passed in)."""
        self._db.close()
