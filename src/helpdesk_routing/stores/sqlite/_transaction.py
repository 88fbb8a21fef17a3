"""One unit of work on a SQLite store: :class:`SqliteTransaction` (the ``Transaction``
port), and the SQL of ticket queries.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from helpdesk_routing._audit_scan import FACT_QUERY
from helpdesk_routing._sets import dump_json
from helpdesk_routing._storable import stored_text
from helpdesk_routing._stored import STORED
from helpdesk_routing._time import require_aware
from helpdesk_routing.errors import (
    RoutingError,
    StoreError,
    UnknownAgent,
    UnknownTicket,
    version_refused,
)
from helpdesk_routing.model import Agent
from helpdesk_routing.records import AuditRecord, RotationState, TicketQuery, TicketRecord
from helpdesk_routing.stores._sql import (
    ENDED,
    ConfigurationReads,
    audit_from_json,
    audit_to_json,
    channel_values,
    excluded_channel_values,
    keyset_after,
    limit_value,
    merge_pages,
    pool_by_channel,
    pool_channels,
    pool_pages,
    status_values,
    ticket_columns,
    to_micros,
    unmatched,
    unstorable,
)
from helpdesk_routing.stores._store_args import wrong_kind

if TYPE_CHECKING:
    from helpdesk_routing.configuration import Configuration

from ._database import DIALECT, OPEN_STATUSES, Database
from ._schema import AUDIT_FACTS

__all__ = ["SqliteTransaction", "select_count", "select_tickets"]

_INSERT_AUDIT = (
    f"INSERT INTO audit (ticket_id, record, {', '.join(name for name, _ in AUDIT_FACTS)})"
    f" VALUES ({', '.join('?' * (len(AUDIT_FACTS) + 2))})"
)


class SqliteTransaction(ConfigurationReads):
    """One unit of work on a :class:`SqliteStore` (the ``Transaction`` port).

    Obtained from ``store.transaction()``; unusable after its block ends.
    """

    units_serialised: Final = True
    """A writing unit holds the write lock from ``BEGIN IMMEDIATE`` to its end, and a
    read-only one cannot write (``ports.SerialisedUnits``)."""

    _param = "?"

    def __init__(self, db: Database, conn: sqlite3.Connection, *, read_only: bool = False) -> None:
        self._db = db
        self._conn = conn
        self._closed = False
        self._failure: RoutingError | None = None
        self._read_only = read_only

    def _error(self, exc: sqlite3.Error) -> RoutingError:
        if self._read_only and "readonly" in str(exc):
            return StoreError("a read-only unit of work cannot write")
        return self._db.error(exc, self._conn)

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
        """The stored record, or ``None`` (as for an id no store can keep)."""
        if unstorable(ticket_id):
            return None
        row = self._run("SELECT record FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        return None if row is None else TicketRecord.model_validate_json(row[0], context=STORED)

    def add_ticket(self, record: TicketRecord) -> TicketRecord | None:
        """Insert a new ticket; returns the stored record instead when the id exists."""
        if record.__class__ is not TicketRecord and not isinstance(record, TicketRecord):
            raise wrong_kind("record", "a TicketRecord", record)
        t = record.ticket
        cur = self._run(
            "INSERT INTO tickets (id, created, status, channel, team, assignee, record) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            (t.id, *ticket_columns(DIALECT, record), dump_json(record)),
        )
        if cur.rowcount == 0:
            return self.get_ticket(t.id)
        self._put_views(record, replace=False)
        return None

    def update_ticket(self, record: TicketRecord) -> None:
        """Replace the stored record with the same id; ``UnknownTicket`` if none is stored."""
        if record.__class__ is not TicketRecord and not isinstance(record, TicketRecord):
            raise wrong_kind("record", "a TicketRecord", record)
        t = record.ticket
        cur = self._run(
            "UPDATE tickets SET created = ?, status = ?, channel = ?, team = ?, assignee = ?, "
            "record = ? WHERE id = ?",
            (*ticket_columns(DIALECT, record), dump_json(record), t.id),
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
        if query.__class__ is not TicketQuery and not isinstance(query, TicketQuery):
            raise wrong_kind("query", "a TicketQuery", query)
        if unmatched(query):
            return []
        if pool_by_channel(query):
            return self._pool_by_channel(query)
        sql, params = select_tickets(query)
        return [
            TicketRecord.model_validate_json(row[0], context=STORED)
            for row in self._run(sql, params)
        ]

    def _pool_by_channel(self, query: TicketQuery) -> list[TicketRecord]:
        """A pool's waiting tickets with some channels left out (a hand-out after hours),
        read channel by channel: the channels waiting in the pool, found by a seek each in
        ``tickets_waiting_channel``; then each kept channel's page, a range of that index,
        merged in the query's order. Read in one pass, the left-out channels' tickets were
        walked whenever they were the oldest (every close of the night read the evening's
        webchat backlog)."""
        pages = pool_pages(query, (row[0] for row in self._run(*pool_channels(query, "?"))))
        if not pages:
            return []
        return merge_pages([self.find_tickets(page) for page in pages], query)

    def count_tickets(self, query: TicketQuery) -> int:
        """``len(find_tickets(query))`` without reading a record: one ``count(*)`` over
        the same rows (``ports.CountsTickets``)."""
        if unmatched(query):
            return 0
        sql, params = select_count(query)
        row = self._run(sql, params).fetchone()
        found = int(row[0])
        return found if query.limit is None else min(found, query.limit)

    def open_load(self, agent_id: str) -> int:
        """How many tickets assigned to the agent are open or pending."""
        if unstorable(agent_id):
            return 0
        row = self._run(
            "SELECT count(*) FROM tickets WHERE assignee = ? AND status IN (?, ?)",
            (agent_id, *OPEN_STATUSES),
        ).fetchone()
        return int(row[0])

    # -- agents and presence -------------------------------------------------------

    def get_agent(self, agent_id: str) -> Agent | None:
        """The agent, or ``None``."""
        if unstorable(agent_id):
            return None
        row = self._run("SELECT agent FROM agents WHERE id = ?", (agent_id,)).fetchone()
        return None if row is None else Agent.model_validate_json(row[0], context=STORED)

    def agents(self) -> list[Agent]:
        """Every agent, ordered by id."""
        rows = self._run("SELECT agent FROM agents ORDER BY id")
        return [Agent.model_validate_json(row[0], context=STORED) for row in rows]

    def put_agent(self, agent: Agent) -> None:
        """Add or replace an agent; presence is kept, a new agent starts Offline."""
        if agent.__class__ is not Agent and not isinstance(agent, Agent):
            raise wrong_kind("agent", "an Agent", agent)
        self._run(
            "INSERT INTO agents (id, agent) VALUES (?, ?) "
            "ON CONFLICT (id) DO UPDATE SET agent = excluded.agent",
            (agent.id, dump_json(agent)),
        )

    def remove_agent(self, agent_id: str) -> None:
        """Forget the agent and their presence; ``UnknownAgent`` for an unknown id."""
        if unstorable(agent_id):
            raise UnknownAgent(agent_id)
        cur = self._run("DELETE FROM agents WHERE id = ?", (agent_id,))
        if cur.rowcount == 0:
            raise UnknownAgent(agent_id)

    def is_online(self, agent_id: str) -> bool:
        """Whether the agent is Online (unknown agents are Offline)."""
        if unstorable(agent_id):
            return False
        row = self._run("SELECT online FROM agents WHERE id = ?", (agent_id,)).fetchone()
        return row is not None and bool(row[0])

    def set_online(self, agent_id: str, online: bool, at: datetime) -> None:
        """Record the agent's presence from ``at`` on; raises ``UnknownAgent`` for an unknown id."""
        at = require_aware(at, "at")
        if online is not True and online is not False:
            raise wrong_kind("online", "a bool", online)
        if unstorable(agent_id):
            raise UnknownAgent(agent_id)
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
        if unstorable(pool):
            return RotationState()
        row = self._run("SELECT state FROM rotation WHERE pool = ?", (pool,)).fetchone()
        return (
            RotationState()
            if row is None
            else RotationState.model_validate_json(row[0], context=STORED)
        )

    def set_rotation(self, pool: str, state: RotationState) -> None:
        """Store the pool's new rotation state."""
        stored_text(pool, "pool")
        if state.__class__ is not RotationState and not isinstance(state, RotationState):
            raise wrong_kind("state", "a RotationState", state)
        self._run(
            "INSERT INTO rotation (pool, state) VALUES (?, ?) "
            "ON CONFLICT (pool) DO UPDATE SET state = excluded.state",
            (pool, dump_json(state)),
        )

    # -- audit log -----------------------------------------------------------------

    def append_audit(self, record: AuditRecord) -> AuditRecord:
        """Append to the log; returns the record with its ``seq`` (strictly increasing)."""
        if record.__class__ is not AuditRecord and not isinstance(record, AuditRecord):
            raise wrong_kind("record", "an AuditRecord", record)
        public = record.detail.get("public")
        status = record.status
        cur = self._run(
            _INSERT_AUDIT,
            (  # ticket_id, record, then the fact columns in AUDIT_FACTS order
                record.ticket_id,
                audit_to_json(record),
                record.at.isoformat(),
                record.action,
                record.agent_id,
                record.online,
                record.team,
                record.assignee,
                None if status is None else status.value,
                record.automatic,
                public if type(public) is bool else None,
            ),
        )
        seq = cur.lastrowid
        assert seq is not None  # an INSERT into a rowid table always sets it
        return record.model_copy(update={"seq": seq})

    def audit(self, ticket_id: str | None = None) -> list[AuditRecord]:
        """The log in ``seq`` order, all of it or one ticket's."""
        if unstorable(ticket_id):
            return []
        if ticket_id is None:
            rows = self._run("SELECT seq, record FROM audit ORDER BY seq")
        else:
            rows = self._run(
                "SELECT seq, record FROM audit WHERE ticket_id = ? ORDER BY seq", (ticket_id,)
            )
        return [audit_from_json(row[0], row[1]) for row in rows]

    def audit_facts(self) -> sqlite3.Cursor:
        """The log's fact rows, in ``seq`` order, as the query's cursor (see
        ``SqliteStore.audit_facts``)."""
        return self._run(FACT_QUERY)

    # -- configuration -------------------------------------------------------------

    def put_configuration(self, configuration: Configuration) -> None:
        """Append the next version (unless it is the stored one + 1: ``StaleConfiguration``
        when a newer one is stored, else ``ConflictError``)."""
        from helpdesk_routing.configuration import Configuration  # it imports the stores

        if not isinstance(configuration, Configuration):
            raise wrong_kind("configuration", "a Configuration", configuration)
        stored = self.configuration_version()
        if configuration.version != stored + 1:
            raise version_refused(configuration.version, stored)
        self._run(
            "INSERT INTO configurations (version, body) VALUES (?, ?)",
            (configuration.version, dump_json(configuration)),
        )


def _matching(query: TicketQuery) -> tuple[str, list[Any], str, str]:
    """The ``FROM ... WHERE ...`` of the ticket rows that match ``query`` (each filter and
    its cursor, not its order or limit), its parameters, and the order's columns."""
    # With a view, the (view, created, ticket_id) key of ticket_views gives the order,
    # so a saved view is a range scan of its own rows, not a scan of every ticket.
    if query.view is not None:
        sql = "FROM ticket_views v JOIN tickets t ON t.id = v.ticket_id"
        where: list[str] = ["v.view = ?"]
        params: list[Any] = [query.view]
        created, ident = "v.created", "v.ticket_id"
    else:
        sql = "FROM tickets t"
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
        ("t.channel", channel_values(query)),
    ):
        if values is not None:
            where.append(f"{column} IN ({', '.join('?' * len(values))})" if values else "0")
            params.extend(values)
    excluded = excluded_channel_values(query)
    if excluded:
        where.append(f"t.channel NOT IN ({', '.join('?' * len(excluded))})")
        params.extend(excluded)
    if query.after is not None:
        op, after_id = keyset_after(query.after[1], query.newest_first)
        where.append(f"({created}, {ident}) {op} (?, ?)")
        params.extend((to_micros(query.after[0]), after_id))
    if where:
        sql += " WHERE " + " AND ".join(where)
    return sql, params, created, ident


def select_tickets(query: TicketQuery) -> tuple[str, list[Any]]:
    """The ``SELECT`` of the ticket rows that match ``query``, in its order."""
    matching, params, created, ident = _matching(query)
    order = " DESC" if query.newest_first else ""
    sql = f"SELECT t.record {matching} ORDER BY {created}{order}, {ident}{order}"
    limit = limit_value(query)
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return sql, params


def select_count(query: TicketQuery) -> tuple[str, list[Any]]:
    """The ``SELECT count(*)`` of the ticket rows that match ``query`` (its limit aside):
    the same rows :func:`select_tickets` reads, counted from the index without decoding
    a record."""
    matching, params, _, _ = _matching(query)
    return f"SELECT count(*) {matching}", params
