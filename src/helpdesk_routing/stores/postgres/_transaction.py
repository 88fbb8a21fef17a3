"""One unit of work on a PostgreSQL store: :class:`PostgresTransaction` (the
``Transaction`` port, ``RoundRobinInStore`` and ``LocksAgents``).

Every unit queues other processes on the rows it locks until it ends, the global
rotation row above all, so a unit makes as few round trips as it can: BEGIN goes
with its first statement, writes nobody waits for go with the next statement or with
COMMIT, and COMMIT releases the locks before the WAL flush it then waits for (see
``PostgresStore``'s ``release_locks_before_flush``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from helpdesk_routing._sets import dump_json
from helpdesk_routing._storable import stored_text
from helpdesk_routing._stored import STORED
from helpdesk_routing._time import require_aware
from helpdesk_routing.errors import (
    ConflictError,
    RoutingError,
    StoreError,
    UnknownAgent,
    UnknownTicket,
    version_refused,
)
from helpdesk_routing.model import Agent
from helpdesk_routing.ports import RoundRobinRoute
from helpdesk_routing.records import AuditRecord, RotationState, TicketQuery, TicketRecord
from helpdesk_routing.stores._sql import (
    ENDED,
    ConfigurationReads,
    audit_to_json,
    merge_pages,
    pool_by_channel,
    pool_channels,
    pool_pages,
    ticket_columns,
    unmatched,
    unstorable,
)
from helpdesk_routing.stores._store_args import wrong_kind

from ._database import BEGIN, DIALECT, FLUSH, Database, is_connection_error
from ._queries import select_count, select_tickets
from ._route import RouteCall, route_answer, route_call
from ._rows import audit_from_row, record_from_row

if TYPE_CHECKING:
    import psycopg

    from helpdesk_routing.configuration import Configuration

__all__ = ["READ_ONLY", "PostgresTransaction"]

_OPEN_STATUSES = ["open", "pending"]
_NEXT_SEQ: tuple[str, tuple[()]] = ("SELECT nextval('audit_seq')", ())
_ONLINE = "SELECT id, agent FROM agents WHERE online ORDER BY id"
_BEGIN_READ = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
READ_ONLY = "a read-only unit of work cannot write"
_HAND_OUT = "SELECT helpdesk_hand_out_round_robin(%s, %s, %s, %s, %s, %s)"
# The advisory locks on an id: the first key names the kind of lock, the second hashes
# the id with the connection's current schema, where the tables are, so helpdesks that
# share a database in several schemas never wait for each other's ids (as the migration
# lock in _database.py is one per schema). The pair is hashed as a JSON array, a text no
# other pair has. round_robin_step.sql and route_round_robin.sql key theirs alike;
# tests/stores/test_postgres_schemas.py holds every advisory lock to a schema's key.
_ID_KEY = "hashtext(json_build_array(current_schema(), %s::text)::text)"
# The ticket id's claim, which the route function takes too (see add_ticket).
_CLAIM_LOCK = f"SELECT pg_advisory_xact_lock(1212696662, {_ID_KEY})"
# The agent's load lock, which the round-robin step takes too (see open_load).
_LOAD_LOCK = f"SELECT pg_advisory_xact_lock(1212696663, {_ID_KEY})"
# The lock on agent administration, one per schema (see lock_agent_administration).
_ADMIN_LOCK = f"SELECT pg_advisory_xact_lock(1212696664, {_ID_KEY})"


class PostgresTransaction(ConfigurationReads):
    """One unit of work on a :class:`PostgresStore` (the ``Transaction`` port).

    Obtained from ``store.transaction()``; unusable after its block ends.
    """

    _param = "%s"

    def __init__(
        self, db: Database, conn: psycopg.Connection[Any], *, read_only: bool = False
    ) -> None:
        self._db = db
        # A read-only unit (PostgresStore.read): one REPEATABLE READ snapshot, no row
        # locks, no audit seq drawn, and every write refused.
        self._read_only = read_only
        self._for_update = "" if read_only else " FOR UPDATE"
        self._conn = conn  # the thread's unit's connection (the Database gives it back)
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
        self._last: RouteCall | None = None
        self._last_row: Sequence[Any] | None = None

    def _defer(self, sql: str, params: Sequence[Any], *, may_wait: bool) -> None:
        if self._closed:
            raise StoreError(ENDED)
        self._refuse_writes()
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
        if self._read_only:
            locks = False  # nothing to lock, and nextval() would be a write
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
                self._db.interrupted(exc, conn)  # a Ctrl-C psycopg's pipeline swallowed
                if not self._begun and attempt + 1 < attempts and is_connection_error(exc, conn):
                    # Nothing of this unit reached a live server: start it again on a
                    # fresh connection (the bounded retry on dead connections).
                    self._conn = self._db.retake()  # the pool drops the dead connection
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
            conn.execute(_BEGIN_READ if self._read_only else BEGIN)
        for q, p in self._pending:
            conn.execute(q, p)

    def _commit(self) -> None:
        import psycopg

        if not self._begun and not self._pending and self._last is None:
            return  # the unit read and wrote nothing: there is no transaction
        conn = self._conn
        if self._last is not None:  # route_round_robin: the unit's only operation
            self._commit_route(conn, self._last)
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
                        conn.execute(FLUSH)
                else:
                    conn.execute("COMMIT")
        except psycopg.Error as exc:
            raise self._db.commit_error(exc, conn) from exc
        finally:
            self._pending.clear()

    def _commit_route(self, conn: psycopg.Connection[Any], call: RouteCall) -> None:
        """The whole unit of ``route_round_robin`` in one message: BEGIN, the function,
        COMMIT and the flush, as one simple query (parameters bound here)."""
        import psycopg

        sql, params = call.sql, call.params
        if self._db.early_release:
            # See _commit: COMMIT without waiting for the flush, then wait for it.
            sql += ", set_config('synchronous_commit', 'off', true)"
            text = f"{BEGIN}; {sql}; COMMIT; {FLUSH}"
        else:
            text = f"{BEGIN}; {sql}; COMMIT"
        for attempt in range(self._db.attempts):
            try:
                with psycopg.ClientCursor(conn) as cur:
                    cur.execute(text, params)
                    cur.nextset()
                    row = cur.fetchone()
                break
            except psycopg.Error as exc:
                self._db.interrupted(exc, conn)
                if attempt + 1 < self._db.attempts and is_connection_error(exc, conn):
                    # Found dead (an idle connection the server dropped), or lost while
                    # committing: either way running the call again on a fresh one is
                    # safe, since it returns the stored record if the first one committed.
                    conn = self._conn = self._db.retake()  # the pool drops the dead one
                    continue
                raise self._db.commit_error(exc, conn) from exc
        assert row is not None
        self._last_row = row

    def _refuse_writes(self) -> None:
        if self._read_only:
            raise StoreError(READ_ONLY)

    def _check_not_finished(self) -> None:
        if self._last is not None:
            raise StoreError("route_round_robin must be the only operation of its unit of work")

    def _rollback(self) -> None:
        self._pending.clear()
        if self._begun:
            self._db.rollback(self._conn)

    # -- tickets -------------------------------------------------------------------

    def get_ticket(self, ticket_id: str) -> TicketRecord | None:
        """The stored record (locked until the unit ends), or ``None`` (as for an id no
        store can keep)."""
        if unstorable(ticket_id):
            return None
        row = self._run(
            "SELECT record, allocation FROM tickets WHERE id = %s" + self._for_update,
            (ticket_id,),
            locks=True,
        ).fetchone()
        if row is None:
            return None
        self._known.add(ticket_id)
        return record_from_row(row[0], row[1])

    def add_ticket(self, record: TicketRecord) -> TicketRecord | None:
        """Insert a new ticket; returns the stored record instead when the id exists.

        A concurrent insert of the same id makes this wait until that unit ends.
        """
        if record.__class__ is not TicketRecord and not isinstance(record, TicketRecord):
            raise wrong_kind("record", "a TicketRecord", record)
        t = record.ticket
        self._refuse_writes()
        self._wrote = True
        # The claim helpdesk_route_round_robin takes too: two units adding one id (by
        # either way) queue here, before any rotation lock.
        claim = (_CLAIM_LOCK, (t.id,))
        insert = (
            "INSERT INTO tickets (id, created, status, channel, team, assignee, views, record) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING "
            "RETURNING nextval('audit_seq')",
            (
                t.id,
                *ticket_columns(DIALECT, record),
                sorted(record.views),
                dump_json(record),
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
        if record.__class__ is not TicketRecord and not isinstance(record, TicketRecord):
            raise wrong_kind("record", "a TicketRecord", record)
        t = record.ticket
        sql = (
            "UPDATE tickets SET created = %s, status = %s, channel = %s, team = %s, "
            "assignee = %s, views = %s, record = %s, allocation = NULL WHERE id = %s"
        )
        params = (
            *ticket_columns(DIALECT, record),
            sorted(record.views),
            dump_json(record),
            t.id,
        )
        if t.id in self._known:
            self._defer(sql, params, may_wait=False)  # this unit holds the row's lock
            return
        self._refuse_writes()
        self._wrote = True
        if self._run(sql, params, locks=True).rowcount == 0:
            raise UnknownTicket(t.id)
        self._known.add(t.id)

    def find_tickets(self, query: TicketQuery) -> list[TicketRecord]:
        """The records matching ``query``, oldest first, at most ``limit``; locked until the end."""
        if query.__class__ is not TicketQuery and not isinstance(query, TicketQuery):
            raise wrong_kind("query", "a TicketQuery", query)
        if unmatched(query):
            return []
        if pool_by_channel(query):
            return self._pool_by_channel(query)
        sql, params = select_tickets(query, lock=not self._read_only)
        rows = self._run(sql, params, locks=True).fetchall()
        found = [record_from_row(row[0], row[1]) for row in rows]
        self._known.update(r.id for r in found)
        return found

    def _pool_by_channel(self, query: TicketQuery) -> list[TicketRecord]:
        """A pool's waiting tickets with some channels left out (a hand-out after hours),
        read channel by channel: the channels waiting in the pool, a seek each in
        ``tickets_waiting_channel``; none kept (the evening's webchat backlog alone), so
        nothing read or locked. Else each kept channel's page, a range of that index in
        the query's order (schema 11), all sent in one round trip, locked, and merged.

        Read in one query as all but the left-out channels, the pool's tickets were
        walked by age (or by channel, as a filter) until the page was full: a close at
        night read the evening's 10,000 webchat tickets to find the one email ticket it
        handed out. A kept channel's page may lock a few tickets more than the merged
        page returns, all of this pool, whose lock the hand-out holds. A ticket of a
        channel committed between the listing and the pages was put in the pool outside
        that lock (a reopen): the next hand-out finds it, as it finds one committed
        after the page."""
        listed = self._run(*pool_channels(query, "%s")).fetchall()
        pages = pool_pages(query, (row[0] for row in listed))
        if not pages:
            return []
        lock = not self._read_only
        cursors = self._send([select_tickets(page, lock=lock) for page in pages], locks=True)
        found = [
            [record_from_row(row[0], row[1]) for row in cursor.fetchall()]
            for cursor in cursors[: len(pages)]
        ]
        for page in found:
            self._known.update(r.id for r in page)
        return merge_pages(found, query)

    def count_tickets(self, query: TicketQuery) -> int:
        """``len(find_tickets(query))`` without sending a record: one ``count(*)`` over
        the same rows, none of them locked (``ports.CountsTickets``)."""
        if unmatched(query):
            return 0
        sql, params = select_count(query)
        row = self._run(sql, params).fetchone()
        assert row is not None
        found = int(row[0])
        return found if query.limit is None else min(found, query.limit)

    def open_load(self, agent_id: str) -> int:
        """How many tickets assigned to the agent are open or pending.

        Takes the agent's load lock until the unit ends (the route function takes it
        too), so two units routing in different pools that share the agent (a team and
        the global pool) count the agent's load one after the other, never both before
        either hands a ticket out: capacity holds across pools.
        """
        if unstorable(agent_id):
            return 0
        cursors = self._send(
            [
                (_LOAD_LOCK, (agent_id,)),
                (
                    "SELECT count(*) FROM tickets WHERE assignee = %s AND status = ANY(%s)",
                    (agent_id, _OPEN_STATUSES),
                ),
            ],
            locks=True,
        )
        row = cursors[1].fetchone()
        assert row is not None
        return int(row[0])

    # -- agents and presence -------------------------------------------------------

    def lock_agent_administration(self) -> None:
        """Hold the schema's agent administration lock until the unit ends
        (:class:`~helpdesk_routing.ports.LocksAgents`): a transaction-scoped
        advisory lock keyed by the current schema, so helpdesks in other schemas of the
        database never wait for it. Only units that add, change or remove an agent take
        it, each first: it orders them, and it never closes a cycle with a row lock."""
        self._run(_ADMIN_LOCK, ("agents",), locks=True)

    def hold_agent(self, agent_id: str) -> bool:
        """Whether the agent is stored, their row locked ``FOR KEY SHARE`` until the unit
        ends (:class:`~helpdesk_routing.ports.LocksAgents`), as a foreign key would: only
        a removal waits for it (never a presence change), and this statement waits for
        a removal that deleted the row first, then finds it gone."""
        if unstorable(agent_id):
            return False
        cur = self._run("SELECT 1 FROM agents WHERE id = %s FOR KEY SHARE", (agent_id,), locks=True)
        return cur.fetchone() is not None

    def get_agent(self, agent_id: str) -> Agent | None:
        """The agent, or ``None``."""
        text = self._online_agents.get(agent_id)
        if text is None:
            if unstorable(agent_id):
                return None
            row = self._run("SELECT agent FROM agents WHERE id = %s", (agent_id,)).fetchone()
            if row is None:
                return None
            text = row[0]
        return Agent.model_validate_json(text, context=STORED)

    def agents(self) -> list[Agent]:
        """Every agent, ordered by id."""
        rows = self._run("SELECT agent FROM agents ORDER BY id").fetchall()
        return [Agent.model_validate_json(row[0], context=STORED) for row in rows]

    def put_agent(self, agent: Agent) -> None:
        """Add or replace an agent; presence is kept, a new agent starts Offline."""
        if agent.__class__ is not Agent and not isinstance(agent, Agent):
            raise wrong_kind("agent", "an Agent", agent)
        self._forget_presence()
        self._defer(
            "INSERT INTO agents (id, agent) VALUES (%s, %s) "
            "ON CONFLICT (id) DO UPDATE SET agent = EXCLUDED.agent",
            (agent.id, dump_json(agent)),
            may_wait=True,
        )

    def insert_agent(self, agent: Agent) -> bool:
        """Add ``agent`` (Offline) when no agent has its id; whether it was added
        (:class:`~helpdesk_routing.ports.InsertsAgents`). An insert of an id another unit
        is inserting waits for that unit and then finds it taken or free."""
        if agent.__class__ is not Agent and not isinstance(agent, Agent):
            raise wrong_kind("agent", "an Agent", agent)
        self._forget_presence()
        self._refuse_writes()
        self._wrote = True
        cur = self._run(
            "INSERT INTO agents (id, agent) VALUES (%s, %s) ON CONFLICT (id) DO NOTHING",
            (agent.id, dump_json(agent)),
            locks=True,
        )
        return cur.rowcount == 1

    def remove_agent(self, agent_id: str) -> None:
        """Forget the agent and their presence; ``UnknownAgent`` for an unknown id."""
        if unstorable(agent_id):
            raise UnknownAgent(agent_id)
        self._forget_presence()
        self._refuse_writes()
        self._wrote = True
        cur = self._run("DELETE FROM agents WHERE id = %s", (agent_id,), locks=True)
        if cur.rowcount == 0:
            raise UnknownAgent(agent_id)

    def is_online(self, agent_id: str) -> bool:
        """Whether the agent is Online (unknown agents are Offline)."""
        if self._online is not None:
            return agent_id in self._online_agents
        if unstorable(agent_id):
            return False
        row = self._run("SELECT online FROM agents WHERE id = %s", (agent_id,)).fetchone()
        return row is not None and bool(row[0])

    def set_online(self, agent_id: str, online: bool, at: datetime) -> None:
        """Record the agent's presence from ``at`` on; raises ``UnknownAgent`` for an unknown id."""
        at = require_aware(at, "at")
        if online is not True and online is not False:
            raise wrong_kind("online", "a bool", online)
        if unstorable(agent_id):
            raise UnknownAgent(agent_id)
        self._forget_presence()
        self._refuse_writes()
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
        if unstorable(pool):
            return RotationState()  # no store can keep it: nothing to lock
        select = ("SELECT state FROM rotation WHERE pool = %s" + self._for_update, (pool,))
        # The global pool's candidates are the Online agents: read them in the same
        # round trip, after the lock, so allocating needs no further one.
        queries = [select, (_ONLINE, ())] if pool == "global" else [select]
        cursors = self._send(queries, locks=True)
        row = cursors[0].fetchone()
        if row is None and self._read_only:
            if pool == "global":
                self._remember_presence(cursors[1].fetchall())
            return RotationState()
        if row is None:
            # Create the row so there is something to lock; a concurrent creator makes
            # this wait, and the SELECT then locks the row it committed.
            create = (
                "INSERT INTO rotation (pool, state) VALUES (%s, %s) ON CONFLICT (pool) DO NOTHING",
                (pool, dump_json(RotationState())),
            )
            self._refuse_writes()
            self._wrote = True
            cursors = self._send([create, *queries], locks=True)[1:]
            row = cursors[0].fetchone()
            assert row is not None
        if pool == "global":
            self._remember_presence(cursors[1].fetchall())
        self._locked_pools.add(pool)
        return RotationState.model_validate_json(row[0], context=STORED)

    def set_rotation(self, pool: str, state: RotationState) -> None:
        """Store the pool's new rotation state."""
        stored_text(pool, "pool")
        if state.__class__ is not RotationState and not isinstance(state, RotationState):
            raise wrong_kind("state", "a RotationState", state)
        self._defer(
            "INSERT INTO rotation (pool, state) VALUES (%s, %s) "
            "ON CONFLICT (pool) DO UPDATE SET state = EXCLUDED.state",
            (pool, dump_json(state)),
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
        configuration_version: int | None = None,
    ) -> Callable[[], RoundRobinRoute] | None:
        """A whole route in the database (``RoundRobinInStore``): one function call, sent
        with BEGIN and COMMIT, claims the ticket id, takes the round-robin step, stores
        the ticket and appends the audit record.

        The pool's rotation row is then locked only while the server runs the function
        and commits, never across a round trip to this process. With
        ``configuration_version``, the function writes nothing when another version is
        stored, and the answer raises ``StaleConfiguration`` (no extra round trip).
        """
        if self._closed:
            raise StoreError(ENDED)
        self._check_not_finished()
        if self._begun or self._pending:
            return None  # only a unit that does nothing else
        call = route_call(
            pool=pool,
            members=members,
            capacity=capacity,
            record=record,
            audit=audit,
            configuration_version=configuration_version,
        )
        if call is None:
            return None
        self._refuse_writes()
        self._wrote = True
        self._last = call

        def answer() -> RoundRobinRoute:
            if self._last_row is None:
                raise StoreError("the unit of work that routed this ticket did not commit")
            return route_answer(call, self._last_row)

        return answer

    # -- audit log -----------------------------------------------------------------

    def hand_out_round_robin(
        self,
        *,
        pool: str,
        members: Sequence[str] | None,
        capacity: int | None,
        record: TicketRecord,
        audit: AuditRecord,
    ) -> str | None:
        """One hand-out in the database (``HandOutInStore``): a single function call,
        sent with the unit's deferred writes, that locks the rotation, chooses, stores
        the ticket, moves the rotation and appends ``audit`` (``hand_out_round_robin.sql``)."""
        self._refuse_writes()
        self._wrote = True  # the call may create the pool's rotation row
        params = (
            pool,
            None if members is None else list(members),
            capacity,
            record.id,
            # the assignee's place in the text, the JSON string "\u0000" (no text of a
            # record may hold NUL): the function puts the agent chosen there
            dump_json(record.model_copy(update={"assignee": "\x00"})),
            audit_to_json(audit.model_copy(update={"assignee": None})),
        )
        row = self._run(_HAND_OUT, params, locks=True).fetchone()
        assert row is not None
        self._locked_pools.add(pool)
        if row[0] is None:
            return None
        self._known.add(record.id)
        return str(row[0])

    def append_audit(self, record: AuditRecord) -> AuditRecord:
        """Append to the log; returns it with its ``seq`` (strictly increasing, gaps possible)."""
        if record.__class__ is not AuditRecord and not isinstance(record, AuditRecord):
            raise wrong_kind("record", "an AuditRecord", record)
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
        self._refuse_writes()
        self._wrote = True
        row = self._run(
            "INSERT INTO audit (ticket_id, record) VALUES (%s, %s) RETURNING seq",
            (record.ticket_id, text),
        ).fetchone()
        assert row is not None
        return record.model_copy(update={"seq": int(row[0])})

    def audit(self, ticket_id: str | None = None) -> list[AuditRecord]:
        """The log in ``seq`` order, all of it or one ticket's."""
        if unstorable(ticket_id):
            return []
        if ticket_id is None:
            rows = self._run("SELECT seq, record, assignee FROM audit ORDER BY seq").fetchall()
        else:
            rows = self._run(
                "SELECT seq, record, assignee FROM audit WHERE ticket_id = %s ORDER BY seq",
                (ticket_id,),
            ).fetchall()
        return [audit_from_row(int(row[0]), row[1], row[2]) for row in rows]

    # -- configuration -------------------------------------------------------------

    def put_configuration(self, configuration: Configuration) -> None:
        """Append the next version (``ConflictError`` unless it is the stored one + 1).

        Two writers of the same number: the second waits on the key, then inserts
        nothing and gets the error.

        The teams' members are checked again under a lock, as a foreign key would be:
        their rows are locked ``FOR KEY SHARE`` (which only a removal waits for, never a
        presence change or a route) and ``UnknownAgent`` names the first member no longer
        stored. A removal that began first has ended, and the member is found gone;
        one that begins later waits for this unit, then finds the agent a member.
        """
        from helpdesk_routing.configuration import Configuration  # it imports the stores

        if not isinstance(configuration, Configuration):
            raise wrong_kind("configuration", "a Configuration", configuration)
        self._refuse_writes()
        self._wrote = True
        members = list(dict.fromkeys(m for team in configuration.teams for m in team.members))
        lock = (
            "SELECT id FROM agents WHERE id = ANY(%s) ORDER BY id FOR KEY SHARE",
            (members,),
        )
        insert = (
            "INSERT INTO configurations (version, body) SELECT %s, %s "
            "WHERE %s = (SELECT coalesce(max(version), 0) + 1 FROM configurations) "
            "ON CONFLICT (version) DO NOTHING RETURNING version",
            (configuration.version, dump_json(configuration), configuration.version),
        )
        cursors = self._send([lock, insert] if members else [insert], locks=True)
        if members:
            stored = {r[0] for r in cursors[0].fetchall()}
            for member in members:
                if member not in stored:
                    # Removed since the unit looked it up: nothing of the unit may commit.
                    self._failure = UnknownAgent(member)
                    raise self._failure
        row = cursors[-1].fetchone()
        if row is None:
            # Another unit stored a version since this one read the newest: the edit
            # followed a stale version (the keeper edits the newest again, or refuses an
            # edit made with expected_version).
            raise version_refused(configuration.version, self.configuration_version())
