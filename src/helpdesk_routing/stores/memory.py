"""The in-memory store: the default :class:`~helpdesk_routing.ports.Store`, and the test fake.

Everything lives in Python objects of one process. A transaction holds the store's
lock from start to end (transactions are serialised, which is the strongest
isolation the contract asks for) and records an undo step for every change, so a
block that raises leaves the store exactly as it was.

The store keeps, incrementally, what the Router asks for on every ticket: the sorted
list of Online agent ids and each agent's open load, so finding the next Online agent
costs the same with 10,000 agents as with 10. Views read ordered indexes: the keys
``(created_at, id)`` of the tickets of each status, and per status the tickets of each
assignee, team and saved view, with no assignee, and with neither assignee nor team
(the Unassigned view), each a sorted list (the SQL stores' indexes lead with the same
columns). A page bisects to its cursor in the smallest index that can hold its tickets
(merging the lists of the statuses it asks for) and walks it in order until the page
is full: O(page + log n) plus the tickets of that index the query's other filters skip,
never a sort, and never the closed history of an inbox whose open tickets are asked
for. Replacing a record whose key is unchanged (a status change, an assignee given)
moves it only between the indexes whose membership changed.
"""

from __future__ import annotations

import heapq
import threading
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, cast

from helpdesk_routing._process_bound import ProcessBound
from helpdesk_routing._report_digest import PeriodFigures, ReportDigest
from helpdesk_routing._time import require_aware
from helpdesk_routing._trusted import SharedNames, share_fields_set, updated
from helpdesk_routing.errors import (
    ArgumentTypeError,
    StoreError,
    UnknownAgent,
    UnknownTicket,
    version_refused,
)
from helpdesk_routing.model import Agent, TicketStatus
from helpdesk_routing.records import AuditRecord, RotationState, TicketQuery, TicketRecord
from helpdesk_routing.stores._sql import CLOSED, Closing
from helpdesk_routing.stores._store_args import agents_arg, wrong_kind

if TYPE_CHECKING:
    from helpdesk_routing.configuration import Configuration

_ENDED: list[Callable[[], None]] = []  # the undo list of every unit that has ended


def _compact(record: TicketRecord) -> None:
    """Share the fields-sets of a record about to be stored (``helpdesk_routing._trusted``),
    its ticket's too: a ticket validated from a request holds a set of the ten names it
    was given, 728 bytes of the ~3 KB a stored ticket costs, the same in every ticket."""
    # Most records come shared already (the Router builds them with _trusted): the
    # test inline, the call only for those that do not.
    if type(record.__pydantic_fields_set__) is not SharedNames:
        share_fields_set(record)
    ticket = record.ticket
    if type(ticket.__pydantic_fields_set__) is not SharedNames:
        share_fields_set(ticket)
    decision = record.decision
    if decision is not None:
        allocation = decision.allocation
        if allocation is not None and type(allocation.__pydantic_fields_set__) is not SharedNames:
            share_fields_set(allocation)


__all__ = ["InMemoryStore", "InMemoryTransaction"]

_Key = tuple[datetime, str]


def _key(record: TicketRecord) -> _Key:
    return (record.ticket.created_at, record.ticket.id)


_NEAR_END: Final = 64
"""How many keys at the end of a list :func:`_insert` searches first."""


def _insert(index: dict[Any, list[_Key]], name: object, key: _Key) -> None:
    """Put ``key`` in ``index[name]`` (a new list when the name has none), keeping it
    sorted; the common cases first: a key after all the others (a ticket newer than every
    one stored), appended after one comparison instead of a search; then a key among the
    last :data:`_NEAR_END` (a ticket closed soon after the ones before it, into the
    closed list of a year of tickets), found in those alone. (No ``setdefault``: its
    default list would be made, and dropped, on every call.)"""
    keys = index.get(name)
    if keys is None:
        index[name] = [key]
    elif keys[-1] < key:
        keys.append(key)
    else:
        near = len(keys) - _NEAR_END
        insort(keys, key, near if near > 0 and keys[near] < key else 0)


def _counts_load(record: TicketRecord) -> bool:
    return record.assignee is not None and record.ticket.status is not TicketStatus.CLOSED


def _drop(index: dict[Any, list[_Key]], name: object, key: _Key) -> None:
    """Take ``key`` out of ``index[name]``, and the name out of the index when it empties."""
    keys = index[name]
    del keys[bisect_left(keys, key)]
    if not keys:
        del index[name]


_STATUSES: Final = tuple(TicketStatus)
_NONE: Final[dict[Any, list[_Key]]] = {}  # read, never changed

# The ordered indexes of a store, by position in ``InMemoryStore._indexes``; every one is
# keyed by the ticket's status (alone, or with an assignee, team or view; the waiting
# tickets, those without an assignee, with their team or None and their channel).
_BY_STATUS, _BY_ASSIGNEE, _NO_ASSIGNEE, _UNASSIGNED, _BY_TEAM, _BY_VIEW, _WAITING = range(7)

_Slot = tuple[int, Any]
"""An index a ticket is in: its position in ``_indexes`` and the name within it."""


def _slots(record: TicketRecord) -> list[_Slot]:
    """Every index list the record belongs in; its status's own list first."""
    ticket = record.ticket
    status = ticket.status
    assignee, team = record.assignee, record.team
    # Each case's list whole (a ticket is re-slotted on every update).
    out: list[_Slot]
    if assignee is not None:
        out = [(_BY_STATUS, status), (_BY_ASSIGNEE, (assignee, status))]
    elif team is None:
        out = [
            (_BY_STATUS, status),
            (_NO_ASSIGNEE, status),
            (_UNASSIGNED, status),
            (_WAITING, (None, ticket.channel, status)),
        ]
    else:
        out = [
            (_BY_STATUS, status),
            (_NO_ASSIGNEE, status),
            (_WAITING, (team, ticket.channel, status)),
        ]
    if team is not None:
        out.append((_BY_TEAM, (team, status)))
    views = record.views
    if views:
        out += [(_BY_VIEW, (view, status)) for view in views]
    return out


_WaitingName = tuple[str | None, str, TicketStatus]
"""A waiting list's name: the team (``None``: no team), the channel, the status."""


class _Waiting(dict[_WaitingName, list[_Key]]):
    """The waiting tickets' index (names ``(team, channel, status)``), its lists also by
    team in :attr:`teams`, so that one pool's waiting query reads its own team's lists,
    never every team's. A list is made and dropped through ``index[name] = keys`` and
    ``del index[name]`` alone (:func:`_insert`, :func:`_drop`), which keep both."""

    __slots__ = ("teams",)

    def __init__(self) -> None:
        super().__init__()
        self.teams: dict[str | None, dict[_WaitingName, list[_Key]]] = {}

    def __setitem__(self, name: _WaitingName, keys: list[_Key]) -> None:
        super().__setitem__(name, keys)
        team = self.teams.get(name[0])
        if team is None:
            team = self.teams[name[0]] = {}
        team[name] = keys

    def __delitem__(self, name: _WaitingName) -> None:
        super().__delitem__(name)
        team = self.teams[name[0]]
        del team[name]
        if not team:
            del self.teams[name[0]]


class InMemoryStore(Closing, ProcessBound):
    """A :class:`~helpdesk_routing.ports.Store` kept in memory; safe to share between threads.

    A context manager with :meth:`close`, as the SQL stores are: after ``close()`` a new
    unit of work (``transaction()``, ``read()``) raises
    :class:`~helpdesk_routing.errors.StoreError` (``the store is closed``), as theirs do.

    ``agents`` are the initial agents, all Offline. ``report_digest`` (on by default)
    keeps the metrics report's figures as units commit (``ports.PeriodFigureSource``), so
    ``metrics.report`` reads them instead of the whole log; off, a report reads the log.

    >>> store = InMemoryStore(agents=[Agent(id="a1")])
    >>> with store.transaction() as tx:
    ...     tx.is_online("a1")
    False
    """

    _elsewhere = (
        "an InMemoryStore lives in one process; to share tickets between processes, open a "
        "SqliteStore or PostgresStore on the same file or database in each"
    )

    def __repr__(self) -> str:
        tickets, agents = len(self._tickets), len(self._agents)  # no lock: a glance
        closed = ", closed" if self._closed else ""
        return (
            f"<InMemoryStore: {tickets:,} ticket{'s' if tickets != 1 else ''}, "
            f"{agents:,} agent{'s' if agents != 1 else ''}{closed}>"
        )

    def __init__(self, *, agents: Iterable[Agent] = (), report_digest: bool = True) -> None:
        if not isinstance(report_digest, bool):  # "no" would keep it on
            raise ArgumentTypeError(f"report_digest must be a bool, got {report_digest!r}")
        self._lock = threading.Lock()
        self._owner: int | None = None
        self._closed = False
        self._tickets: dict[str, TicketRecord] = {}
        # Ordered indexes (sorted keys), each per status: every ticket; per assignee, per
        # team, per view; with no assignee; with neither assignee nor team (the
        # Unassigned view). A query walks only tickets that can match, already in order.
        # A list that empties leaves its index.
        self._by_status: dict[TicketStatus, list[_Key]] = {}
        self._by_assignee: dict[tuple[str, TicketStatus], list[_Key]] = {}
        self._by_team: dict[tuple[str, TicketStatus], list[_Key]] = {}
        self._by_view: dict[tuple[str, TicketStatus], list[_Key]] = {}
        self._no_assignee: dict[TicketStatus, list[_Key]] = {}
        self._unassigned: dict[TicketStatus, list[_Key]] = {}
        # A pool's waiting tickets by channel: a hand-out after hours leaves out the
        # channels that wait for the office without stepping over their tickets.
        self._waiting = _Waiting()
        self._indexes: tuple[dict[Any, list[_Key]], ...] = (
            self._by_status,
            self._by_assignee,
            self._no_assignee,
            self._unassigned,
            self._by_team,
            self._by_view,
            self._waiting,
        )
        self._load: dict[str, int] = {}
        self._agents: dict[str, Agent] = {}
        self._online: list[str] = []
        self._online_set: set[str] = set()
        self._presence_since: dict[str, datetime] = {}
        self._rotation: dict[str, RotationState] = {}
        self._audit: list[AuditRecord] = []
        # A ticket's positions in the log: an int while it has one record (most tickets;
        # one object fewer per ticket for the garbage collector), a list after that.
        self._audit_by_ticket: dict[str, int | list[int]] = {}
        self._configurations: list[Configuration] = []
        # Fed the log's committed records as each unit ends (never a record a unit undoes).
        self._digest = ReportDigest() if report_digest else None
        for agent in agents_arg(agents):
            self._agents[agent.id] = agent

    def close(self) -> None:
        """Refuse new units of work (``StoreError``), as a closed SQL store does; a unit
        already running finishes. Nothing else is held: the data stays in memory until
        the object is dropped. Closing twice is harmless."""
        self._closed = True

    def transaction(self) -> InMemoryTransaction:
        """Begin a unit of work; it commits when the block ends, and is undone if it raises.

        Raises :class:`~helpdesk_routing.errors.StoreError` when the same thread opens a
        transaction inside another (the store's lock is not re-entrant on purpose).
        """
        return InMemoryTransaction(self, False)

    def read(self) -> InMemoryTransaction:
        """Begin a read-only unit of work (``ports.ReadableStore``): like a transaction
        (units hold the store's lock only while they run), but a write in it raises
        :class:`~helpdesk_routing.errors.StoreError`."""
        return InMemoryTransaction(self, True)

    def period_figures(
        self, start: datetime, end: datetime, *, spans: bool
    ) -> PeriodFigures | None:
        """The metrics report's figures over ``[start, end)`` from the store's digest
        (``ports.PeriodFigureSource``), or ``None`` when the digest is off or cannot say
        (``helpdesk_routing._report_digest`` says when); in a read-only unit."""
        with self.read() as tx:
            if self._digest is None:
                return None
            return self._digest.period(start, end, spans=spans, log=self._audit, history=tx.audit)


_ident = threading.get_ident

_HAS_ENDED: Final = "the transaction has ended"


class _Refusing:
    """What a transaction reads as its store where it may not use it: every attribute
    raises :class:`~helpdesk_routing.errors.StoreError` with ``why``, so a read or write
    before the block begins or after it ends (or a write in a read-only unit) fails at
    its first touch of the store, with no check of its own on every call (a route makes
    dozens of them).

    Names that start and end with ``_`` (``__wrapped__``, ``__doc__``, ``_repr_html_``)
    are what introspection asks of any object (``hasattr``, ``inspect.unwrap``,
    ``doctest``, an IDE, IPython), never the store's own: those are plain
    ``AttributeError`` or Python's answer, so walking the module's names does not fail."""

    __slots__ = ("_why",)

    def __init__(self, why: str) -> None:
        self._why = why

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") and name.endswith("_"):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        raise StoreError(self._why)

    def __repr__(self) -> str:
        return f"<refusing store: {self._why}>"


_NOT_RUNNING: Final = cast("InMemoryStore", _Refusing(_HAS_ENDED))
_READ_ONLY: Final = cast("InMemoryStore", _Refusing("a read-only unit of work cannot write"))


class InMemoryTransaction:
    """One unit of work on an :class:`InMemoryStore` (the ``Transaction`` port), and its
    own context manager: ``with store.transaction() as tx`` takes the store's lock on
    entry, undoes the unit if its block raises, releases the lock on exit. Unusable
    before its block begins and after it ends. (One object per unit, not a manager and
    a transaction: a unit per Router call, so its cost counts.)
    """

    __slots__ = ("__weakref__", "_read_only", "_s", "_store", "_undo", "_w")

    units_serialised: Final = True
    """Units hold the store's lock from start to end (``ports.SerialisedUnits``)."""

    def __init__(self, store: InMemoryStore, read_only: bool = False) -> None:
        self._store = store
        # The store while the block runs (and holds its lock); else a stand-in that
        # raises on every use (``_Refusing``): the one test of a unit's methods.
        self._s = _NOT_RUNNING
        # The store for the writes the route makes on every ticket, while a unit that
        # may write runs; else a stand-in that raises (``_write`` for the others).
        self._w = _NOT_RUNNING
        self._undo: list[Callable[[], None]] = []
        self._read_only = read_only

    def __enter__(self) -> InMemoryTransaction:
        s = self._store
        me = _ident()
        if s._owner == me:
            raise StoreError("nested transaction: this thread already holds the store")
        if self._undo is _ENDED:
            raise StoreError(_HAS_ENDED)
        if s._closed:
            raise StoreError(CLOSED)
        s._lock.acquire()
        s._owner = me
        self._s = s
        self._w = _READ_ONLY if self._read_only else s
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        s = self._store
        try:
            if kind is not None:
                self._rollback()
            elif s._digest is not None and s._digest.seen != len(s._audit):
                s._digest.take(s._audit)
        finally:
            self._s = self._w = _NOT_RUNNING
            # The undo steps close over the transaction that holds them: a cycle per
            # unit, left for the cyclic collector with every record it refers to
            # unless broken here. (The ended list also marks the unit as spent.)
            self._undo = _ENDED
            s._owner = None
            s._lock.release()

    def _write(self) -> InMemoryStore:
        s = self._s  # raises when the unit is not running
        if self._read_only:
            raise StoreError("a read-only unit of work cannot write")
        return s

    def _rollback(self) -> None:
        while self._undo:
            self._undo.pop()()

    def get_ticket(self, ticket_id: str) -> TicketRecord | None:
        """The stored record, or ``None``."""
        return self._s._tickets.get(ticket_id)

    def add_ticket(self, record: TicketRecord) -> TicketRecord | None:
        """Insert a new ticket; returns the stored record instead when the id exists."""
        if record.__class__ is not TicketRecord and not isinstance(record, TicketRecord):
            raise wrong_kind("record", "a TicketRecord", record)
        s = self._w
        tickets = s._tickets  # raises unless the unit may write
        tid = record.ticket.id  # (record.id is a property of the ticket's)
        existing = tickets.get(tid)
        if existing is not None:
            return existing
        _compact(record)
        # Its status's list first: a key that cannot be compared fails there, before
        # anything of the ticket is kept.
        key = _key(record)
        slots = _slots(record)
        _insert(s._by_status, record.ticket.status, key)
        tickets[tid] = record
        self._index(record, key, slots[1:])
        self._undo.append(lambda: self._remove(record))
        return None

    def _remove(self, record: TicketRecord) -> None:
        s = self._s
        del s._tickets[record.id]
        self._unindex(record)

    def update_ticket(self, record: TicketRecord) -> None:
        """Replace the stored record with the same id; ``UnknownTicket`` when none is stored."""
        if record.__class__ is not TicketRecord and not isinstance(record, TicketRecord):
            raise wrong_kind("record", "a TicketRecord", record)
        tickets = self._w._tickets  # raises unless the unit may write
        tid = record.ticket.id
        old = tickets.get(tid)
        if old is None:
            raise UnknownTicket(tid)
        _compact(record)
        self._replace(old, record)
        self._undo.append(lambda: self._replace(record, old))

    def _replace(self, old: TicketRecord, new: TicketRecord) -> None:
        s = self._s
        before = old.ticket
        tid = before.id  # the new record's too: it replaces the record stored under it
        if before.created_at != new.ticket.created_at:
            self._unindex(old)
            s._tickets[tid] = new
            self._index(new, _key(new), _slots(new))
            return
        s._tickets[tid] = new
        # The key object the indexes already hold: one tuple per ticket, shared by every
        # index it is in (an equal copy in each would cost 56 bytes a ticket more).
        listed = s._by_status[before.status]
        self._reindex(listed, bisect_left(listed, (before.created_at, tid)), old, new)

    def _reindex(
        self, listed: list[_Key], position: int, old: TicketRecord, new: TicketRecord
    ) -> None:
        """Move a ticket whose key is unchanged between the indexes: only those whose
        membership changed (what ``_unindex(old)`` then ``_index(new)`` would leave).
        ``listed[position]`` is its key in its status's list (``_replace`` found it)."""
        s = self._s
        key = listed[position]
        was, now = _slots(old), _slots(new)
        indexes = s._indexes
        if old.ticket.status != new.ticket.status:
            # Every index's name holds the status (a close, a reopening): the ticket
            # leaves all its lists and joins all its new ones, none to look for in both.
            # Its status's own list is the first (_slots), and where it sits there is
            # known: no second search. The rest as _drop takes them.
            del listed[position]
            if not listed:
                del indexes[_BY_STATUS][old.ticket.status]
            for at, name in islice(was, 1, None):
                _drop(indexes[at], name, key)
            for at, name in now:
                _insert(indexes[at], name, key)
        elif was != now:
            for slot in was:
                if slot not in now:
                    _drop(indexes[slot[0]], slot[1], key)
            for slot in now:
                if slot not in was:
                    _insert(indexes[slot[0]], slot[1], key)
        before, after = old.assignee, new.assignee
        counted, counts = _counts_load(old), _counts_load(new)
        if counted != counts or before != after:
            load = s._load
            if counted:
                assert before is not None
                load[before] = load.get(before, 0) - 1
            if counts:
                assert after is not None
                load[after] = load.get(after, 0) + 1

    def _index(self, record: TicketRecord, key: _Key, slots: list[_Slot]) -> None:
        """Put a stored record's key (the object its status's list holds) in the ordered
        indexes of ``slots``, and count its load."""
        indexes = self._s._indexes
        for at, name in slots:
            _insert(indexes[at], name, key)
        assignee = record.assignee
        if assignee is not None and _counts_load(record):
            load = self._s._load
            load[assignee] = load.get(assignee, 0) + 1

    def _unindex(self, record: TicketRecord) -> None:
        """Take a record leaving the store (or being replaced) out of every index it is
        in, and out of its assignee's load."""
        s = self._s
        key = _key(record)
        indexes = s._indexes
        for at, name in _slots(record):
            _drop(indexes[at], name, key)
        assignee = record.assignee
        if assignee is not None and _counts_load(record):
            s._load[assignee] = s._load.get(assignee, 0) - 1

    def find_tickets(self, query: TicketQuery) -> list[TicketRecord]:
        """The records matching ``query`` in its order (oldest first by (created_at, id),
        or newest first), at most ``limit``: a walk of the smallest ordered index that
        can hold them (the lists of the statuses asked for), from the cursor on."""
        if query.__class__ is not TicketQuery and not isinstance(query, TicketQuery):
            raise wrong_kind("query", "a TicketQuery", query)
        s = self._s
        statuses = _STATUSES if query.statuses is None else query.statuses
        # Each index that can hold the tickets, as the lists of the statuses asked for;
        # a name of None: an index keyed by the status alone. The narrower ones first:
        # one that holds nothing ends the search before the status lists are counted
        # (a hand-out asks for a team inbox that is mostly empty).
        choices: list[tuple[dict[Any, list[_Key]], str | None]] = []
        if query.assignee is not None:
            choices.append((s._by_assignee, query.assignee))
        if query.team is not None:
            choices.append((s._by_team, query.team))
        if query.view is not None:
            choices.append((s._by_view, query.view))
        if query.unassigned:
            choices.append((s._unassigned if query.no_team else s._no_assignee, None))
        choices.append((s._by_status, None))
        best: list[list[_Key]] = []
        size = -1
        if query.unassigned and (query.team is not None or query.no_team):
            # One pool's waiting tickets, of the channels asked for and not left out.
            best = [
                keys
                for (_, channel, status), keys in s._waiting.teams.get(query.team, _NONE).items()
                if status in statuses
                and channel not in query.exclude_channels
                and (query.channels is None or channel in query.channels)
            ]
            size = sum(map(len, best))
            if not size:
                return []
        for index, name in choices:
            lists = [
                listed
                for st in statuses
                if (listed := index.get(st if name is None else (name, st)))
            ]
            total = sum(map(len, lists))
            if size < 0 or total < size:
                best, size = lists, total
                if not total:
                    return []  # an index that holds every match holds none
        out: list[TicketRecord] = []
        tickets = s._tickets
        limit = query.limit
        for key in _walk(best, query.after, query.newest_first):
            record = tickets[key[1]]
            if query.matches(record):
                out.append(record)
                if limit is not None and len(out) >= limit:
                    break
        return out

    def any_without_assignee(self) -> bool:
        """Whether any stored ticket has no assignee (``ports.NoAssigneeProbe``)."""
        return bool(self._s._no_assignee)

    def open_load(self, agent_id: str) -> int:
        """How many tickets assigned to the agent are open or pending."""
        return self._s._load.get(agent_id, 0)

    def get_agent(self, agent_id: str) -> Agent | None:
        """The agent, or ``None``."""
        return self._s._agents.get(agent_id)

    def agents(self) -> list[Agent]:
        """Every agent, ordered by id."""
        s = self._s
        return [s._agents[k] for k in sorted(s._agents)]

    def put_agent(self, agent: Agent) -> None:
        """Add or replace an agent; presence is kept, a new agent starts Offline."""
        if agent.__class__ is not Agent and not isinstance(agent, Agent):
            raise wrong_kind("agent", "an Agent", agent)
        s = self._write()
        old = s._agents.get(agent.id)
        s._agents[agent.id] = agent

        def undo() -> None:
            if old is None:
                del s._agents[agent.id]
            else:
                s._agents[agent.id] = old

        self._undo.append(undo)

    def remove_agent(self, agent_id: str) -> None:
        """Forget the agent and their presence; ``UnknownAgent`` for an unknown id."""
        s = self._write()
        agent = s._agents.pop(agent_id, None)
        if agent is None:
            raise UnknownAgent(agent_id)
        was = agent_id in s._online_set
        since = s._presence_since.pop(agent_id, None)
        self._presence(agent_id, False)

        def undo() -> None:
            s._agents[agent_id] = agent
            self._presence(agent_id, was)
            if since is not None:
                s._presence_since[agent_id] = since

        self._undo.append(undo)

    def is_online(self, agent_id: str) -> bool:
        """Whether the agent is Online (unknown agents are Offline)."""
        return agent_id in self._s._online_set

    def set_online(self, agent_id: str, online: bool, at: datetime) -> None:
        """Record the agent's presence from ``at`` on; raises ``UnknownAgent`` for an unknown id."""
        s = self._write()
        at = require_aware(at, "at")
        if online is not True and online is not False:
            raise wrong_kind("online", "a bool", online)
        if agent_id not in s._agents:
            raise UnknownAgent(agent_id)
        was = agent_id in s._online_set
        since = s._presence_since.get(agent_id)
        self._presence(agent_id, online)
        s._presence_since[agent_id] = at

        def undo() -> None:
            self._presence(agent_id, was)
            if since is None:
                del s._presence_since[agent_id]
            else:
                s._presence_since[agent_id] = since

        self._undo.append(undo)

    def _presence(self, agent_id: str, online: bool) -> None:
        s = self._s
        if online and agent_id not in s._online_set:
            s._online_set.add(agent_id)
            insort(s._online, agent_id)
        elif not online and agent_id in s._online_set:
            s._online_set.discard(agent_id)
            del s._online[bisect_left(s._online, agent_id)]

    def online_agents(self) -> Sequence[str]:
        """The Online agents' ids, ascending (the store's own list: do not mutate it)."""
        return self._s._online

    def rotation(self, pool: str) -> RotationState:
        """The pool's rotation state (a fresh one for a new pool)."""
        return self._s._rotation.get(pool) or RotationState()

    def set_rotation(self, pool: str, state: RotationState) -> None:
        """Store the pool's new rotation state."""
        if pool.__class__ is not str and not isinstance(pool, str):
            raise wrong_kind("pool", "text", pool)
        if state.__class__ is not RotationState and not isinstance(state, RotationState):
            raise wrong_kind("state", "a RotationState", state)
        rotation = self._w._rotation  # raises unless the unit may write
        old = rotation.get(pool)
        rotation[pool] = state

        def undo() -> None:
            if old is None:
                del rotation[pool]
            else:
                rotation[pool] = old

        self._undo.append(undo)

    def append_audit(self, record: AuditRecord) -> AuditRecord:
        """Append to the log; returns the record with its ``seq`` (1, 2, 3, ...)."""
        if record.__class__ is not AuditRecord and not isinstance(record, AuditRecord):
            raise wrong_kind("record", "an AuditRecord", record)
        s = self._w
        seq = len(s._audit) + 1  # raises unless the unit may write
        # A record built with its seq (ports.NextAuditSeq) is kept as it is (records are
        # frozen); else a copy. Not model_copy: that would keep a copy of the caller's
        # fields-set per record.
        stored = record if record.seq == seq else updated(record, seq=seq)
        s._audit.append(stored)
        tid = stored.ticket_id
        if tid is not None:
            position = seq - 1
            before = s._audit_by_ticket.get(tid)
            if before is None:
                s._audit_by_ticket[tid] = position
            elif isinstance(before, int):
                s._audit_by_ticket[tid] = [before, position]
            else:
                before.append(position)

        def undo() -> None:
            s._audit.pop()
            if tid is None:
                return
            if before is None:
                del s._audit_by_ticket[tid]
            elif isinstance(before, int):
                s._audit_by_ticket[tid] = before
            else:
                before.pop()

        self._undo.append(undo)
        return stored

    def next_audit_seq(self) -> int:
        """The ``seq`` of the next record appended (``ports.NextAuditSeq``)."""
        return len(self._s._audit) + 1

    def audit(self, ticket_id: str | None = None) -> list[AuditRecord]:
        """The log in ``seq`` order, all of it or one ticket's."""
        s = self._s
        if ticket_id is None:
            return list(s._audit)
        positions = s._audit_by_ticket.get(ticket_id)
        if positions is None:
            return []
        if isinstance(positions, int):
            return [s._audit[positions]]
        return [s._audit[i] for i in positions]

    def configuration_version(self) -> int:
        """The newest stored configuration version, ``0`` when none is stored."""
        return len(self._s._configurations)

    def configuration(self, version: int | None = None) -> Configuration | None:
        """The configuration of ``version`` (the newest when ``None``), or ``None``."""
        stored = self._s._configurations
        if version is None:
            return stored[-1] if stored else None
        return stored[version - 1] if 1 <= version <= len(stored) else None

    def configurations(self) -> list[Configuration]:
        """Every stored version, oldest first."""
        return list(self._s._configurations)

    def put_configuration(self, configuration: Configuration) -> None:
        """Append the next version (unless it is the stored one + 1: ``StaleConfiguration``
        when a newer one is stored, else ``ConflictError``)."""
        from helpdesk_routing.configuration import Configuration  # it imports the stores

        if not isinstance(configuration, Configuration):
            raise wrong_kind("configuration", "a Configuration", configuration)
        stored = self._write()._configurations
        if configuration.version != len(stored) + 1:
            raise version_refused(configuration.version, len(stored))
        stored.append(configuration)

        def undo() -> None:
            stored.pop()

        self._undo.append(undo)


def _walk(lists: list[list[_Key]], after: _Key | None, newest_first: bool) -> Iterator[_Key]:
    """The keys of sorted ``lists`` (no key in two) in order from the cursor ``after``:
    ascending from it, or descending from before it; the lists merged when several."""
    walks = []
    for keys in lists:
        if newest_first:
            stop = len(keys) if after is None else bisect_left(keys, after)
            walks.append(map(keys.__getitem__, range(stop - 1, -1, -1)))
        else:
            start = 0 if after is None else bisect_left(keys, after)
            walks.append(map(keys.__getitem__, range(start, len(keys))))
    if len(walks) == 1:
        return walks[0]
    return heapq.merge(*walks, reverse=newest_first)
