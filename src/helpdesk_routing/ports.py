"""The ports: what the core needs from the world, as small ``typing.Protocol`` contracts.

Adapters implement them without inheriting. The in-memory ones ship in the package
(``ManualClock``, ``InMemoryStore``, ``InMemoryCustomerData``) and are tested by the
same contract suite (``tests/contract/``) as the SQLite and PostgreSQL adapters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from .errors import ArgumentTypeError
from .model import Agent, Event, Profile
from .records import AuditRecord, RotationState, TicketQuery, TicketRecord

if TYPE_CHECKING:
    from ._report_digest import PeriodFigures
    from .configuration import Configuration

__all__ = [
    "AuditFactSource",
    "Clock",
    "CountsTickets",
    "CustomerData",
    "EventFilter",
    "EventRecorder",
    "EventWhere",
    "HandOutInStore",
    "InsertsAgents",
    "LocksAgents",
    "NextAuditSeq",
    "NoAssigneeProbe",
    "PeriodFigureSource",
    "ReadableStore",
    "RoundRobinInStore",
    "RoundRobinRoute",
    "SerialisedUnits",
    "Store",
    "Transaction",
    "offers",
    "reading",
    "require_clock",
    "require_port",
]

_OFFERS: dict[tuple[type, type], bool] = {}


def offers(obj: object, capability: type) -> bool:
    """Whether ``obj`` offers an optional capability of this module (a runtime-checkable
    Protocol such as :class:`RoundRobinInStore`), asked once per class of ``obj``.

    ``isinstance`` against a runtime-checkable Protocol inspects every member on every
    call, a cost per route or hand-out the answer does not need: a class either
    implements the capability or not. (An object whose answer depends on the instance,
    one delegating attributes through ``__getattr__``, say, gets its class's first
    answer.)
    """
    key = (type(obj), capability)
    answer = _OFFERS.get(key)
    if answer is None:
        answer = isinstance(obj, capability)
        if answer and capability is SerialisedUnits:
            # a runtime check sees the attribute only: declaring False declares nothing
            answer = getattr(obj, "units_serialised", None) is True
        _OFFERS[key] = answer
    return answer


def require_port(value: object, name: str, member: str, kind: str) -> None:
    """:class:`~helpdesk_routing.errors.ArgumentTypeError` (a ``TypeError`` and a
    ``ValidationError``) naming the argument ``name`` when ``value`` lacks the port's
    callable ``member``: "store must be a Store (...), got dict" where a collaborator is
    given, not an ``AttributeError`` at its first use. ``kind`` says what was expected."""
    if isinstance(value, type):
        # The class, not one of its objects (``store=InMemoryStore``, the call left
        # out): its methods are there, unbound, and failed at their first use.
        raise ArgumentTypeError(
            f"{name} must be {kind}, got the class {value.__name__} itself "
            f"(one of its objects is made by calling it: {value.__name__}(...))"
        )
    if not callable(getattr(value, member, None)):
        raise ArgumentTypeError(f"{name} must be {kind}, got {type(value).__name__}")


def require_customer_data(value: object, name: str, kind: str) -> None:
    """:func:`require_port` for a :class:`CustomerData`, which routing reads through both
    of its members: one that has only one of them is named with the other one missing
    (it failed with ``AttributeError`` at the first ticket that needed it)."""
    require_port(value, name, "profile", kind)
    if not callable(getattr(value, "count_events", None)):
        raise ArgumentTypeError(
            f"{name} must be {kind}, got {type(value).__name__} (it has no count_events())"
        )


def require_clock(value: object, name: str, kind: str) -> None:
    """:func:`require_port` for a :class:`Clock`, refusing a ``datetime`` too: it has a
    callable ``now`` (the class's, the host's local time, naive), so an instant given as
    the clock would pass and fail only at the first operation, as a naive clock reading."""
    if isinstance(value, datetime) or value is datetime:
        raise ArgumentTypeError(
            f"{name} must be {kind}, got {type(value).__name__}; "
            "a fixed instant is ManualClock(instant)"
        )
    require_port(value, name, "now", kind)


EventFilter = Callable[[Mapping[str, Any]], bool]
"""A predicate over an event's properties (built by the condition compiler)."""


@dataclass(frozen=True, slots=True)
class EventWhere:
    """An event condition's property filters, structured, with their compiled predicate.

    Passed as ``where`` to :meth:`CustomerData.count_events` (it is an ``EventFilter``:
    calling it runs ``test``). ``clauses`` are the filters as the condition JSON states
    them, ``(property, op, value)``, all of which must hold; ``test`` is the reference
    semantics. A SQL adapter may push clauses it can state exactly into its query and
    must run ``test`` on whatever it cannot.
    """

    clauses: tuple[tuple[str, str, Any], ...]
    test: EventFilter

    def __call__(self, properties: Mapping[str, Any]) -> bool:
        """Whether an event with these properties passes every filter."""
        return self.test(properties)


class Clock(Protocol):
    """The source of "now". Called by the Router once per operation, never by the core.

    Contract: ``now()`` returns an aware datetime; successive calls never go backwards
    unless the owner sets the clock back on purpose (``ManualClock.set``).

    Example::

        clock = ManualClock(datetime(2026, 3, 30, 9, tzinfo=UTC))
        clock.advance(minutes=5)
    """

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class CustomerData(Protocol):
    """Profiles, segments and windowed event counts, read by condition evaluation.

    Called by the rules engine (through the compiled conditions) while routing.
    Contract:

    - ``profile(id)`` returns the profile, or ``None`` for an unknown id (which routing
      treats as a profile with no properties and no segments; the events recorded under
      that id still count, as ``count_events`` is asked for them all the same).
    - ``count_events`` is asked with the ticket's ``profile_id``, or, for a ticket with
      none, with its e-mail address (the events a handoff recorded under it count).
    - ``count_events`` counts the events of ``metric`` for the profile with
      ``start <= timestamp < end`` (``None`` is unbounded on that side) for which
      ``where(properties)`` holds (all of them when ``where`` is ``None``). It must not
      walk the whole history: the in-memory adapter bisects a per-metric sorted list,
      the SQL adapters use an index on (profile, metric, timestamp).
    - With ``limit``, counting may stop once ``limit`` events are found: the answer is
      ``min(count, limit)`` (a count test such as ``at_least(1)`` asks ``limit=1``).
    - Reads never raise for unknown profiles or metrics: the count is 0 (also for an id
      no store can hold, text with NUL or a lone surrogate). An id that is not text is
      an :class:`~helpdesk_routing.errors.ArgumentTypeError`; ``limit`` is ``None`` or a
      whole number from 0 to 2**63 - 1 (``limit=0`` answers 0).
    - Property values come back in their stored form (JSON: a ``datetime`` as ISO-8601
      text, a tuple as a list), in every adapter alike.

    Example::

        data.count_events("p1", "Placed Order", start=now - timedelta(hours=2), end=now)
    """

    def profile(self, profile_id: str) -> Profile | None:
        """The profile with this id, or ``None``."""
        ...

    def count_events(
        self,
        profile_id: str,
        metric: str,
        *,
        start: datetime | None,
        end: datetime | None,
        where: EventFilter | None = None,
        limit: int | None = None,
    ) -> int:
        """Count the profile's ``metric`` events in ``[start, end)`` that pass ``where``,
        up to ``limit`` when given."""
        ...


class EventRecorder(Protocol):
    """The write side of customer data: record an event on a customer's profile.

    Called by the AI agent's event recording (``helpdesk_routing.events``) and by a
    handoff. Contract:

    - ``record_event`` stores the event so that ``count_events`` sees it at once.
    - It is idempotent by ``event.unique_id``: an event whose ``unique_id`` is already
      stored (for any profile) records nothing and returns ``False``; a new one returns
      ``True``. An event without ``unique_id`` is always recorded.
    - Concurrent calls with the same ``unique_id`` record it once.

    Example::

        data.record_event(Event(profile_id="p1", metric="Placed Order", timestamp=t,
                                unique_id="order-1001"))
    """

    def record_event(self, event: Event) -> bool:
        """Store ``event``; ``False`` when its ``unique_id`` was already recorded."""
        ...


class Transaction(Protocol):
    """One unit of work on a :class:`Store`: everything read and written inside one
    ``with store.transaction() as tx:`` block commits together when the block ends
    normally, or not at all when it raises.

    Contract (every adapter, checked by ``tests/contract/``):

    - Isolation: two transactions that touch the same pool rotation or the same ticket
      are serialised; the effect is as if one ran entirely before the other.
      ``rotation(pool)`` locks that pool's state until the transaction ends (PostgreSQL:
      ``SELECT ... FOR UPDATE``); ``add_ticket`` of an id another transaction is adding
      waits for that one to end.
    - Ordering: ``find_tickets`` returns oldest first by ``(created_at, id)``;
      ``online_agents`` returns ids in ascending order; ``audit`` returns ``seq`` order.
    - Records are returned as immutable values; changing state means writing a new
      record (``update_ticket``, ``set_rotation``, ...).
    - A failing adapter raises :class:`~helpdesk_routing.errors.ConflictError` or
      :class:`~helpdesk_routing.errors.StoreError`, and nothing of the unit is kept.
    """

    # tickets
    def get_ticket(self, ticket_id: str) -> TicketRecord | None:
        """The stored record, or ``None``."""
        ...

    def add_ticket(self, record: TicketRecord) -> TicketRecord | None:
        """Insert a new ticket. Returns ``None`` when inserted, or the record already stored
        under that id (unchanged) when there is one: routing is idempotent by ticket id."""
        ...

    def update_ticket(self, record: TicketRecord) -> None:
        """Replace the stored record with the same ticket id (which must exist)."""
        ...

    def find_tickets(self, query: TicketQuery) -> list[TicketRecord]:
        """The records that match ``query``, oldest first, at most ``query.limit`` of them."""
        ...

    def open_load(self, agent_id: str) -> int:
        """How many tickets assigned to the agent are not closed (open or pending)."""
        ...

    # agents and presence
    def get_agent(self, agent_id: str) -> Agent | None:
        """The agent, or ``None``."""
        ...

    def agents(self) -> list[Agent]:
        """Every agent, ordered by id."""
        ...

    def put_agent(self, agent: Agent) -> None:
        """Add or replace an agent (presence is kept; a new agent starts Offline)."""
        ...

    def remove_agent(self, agent_id: str) -> None:
        """Forget the agent and their presence (``UnknownAgent`` for an unknown id).

        The store does not check who still refers to the agent (teams, tickets): the
        Router refuses to remove an agent who is a team member or has open tickets.
        """
        ...

    def is_online(self, agent_id: str) -> bool:
        """Whether the agent is Online (unknown agents are Offline)."""
        ...

    def set_online(self, agent_id: str, online: bool, at: datetime) -> None:
        """Record the agent's presence from ``at`` on."""
        ...

    def online_agents(self) -> Sequence[str]:
        """The ids of the Online agents, ascending. Callers must not mutate it."""
        ...

    # rotation
    def rotation(self, pool: str) -> RotationState:
        """The pool's rotation state (a fresh one for a new pool), locked until the end."""
        ...

    def set_rotation(self, pool: str, state: RotationState) -> None:
        """Store the pool's new rotation state."""
        ...

    # audit log
    def append_audit(self, record: AuditRecord) -> AuditRecord:
        """Append to the log; returns the record with its ``seq`` set by the store."""
        ...

    def audit(self, ticket_id: str | None = None) -> list[AuditRecord]:
        """The log in ``seq`` order, all of it or one ticket's."""
        ...

    # configuration (every version kept; the newest is in force)
    def configuration_version(self) -> int:
        """The newest stored configuration version, ``0`` when none is stored. Cheap:
        the Router calls it in every unit of work to learn whether to reload."""
        ...

    def configuration(self, version: int | None = None) -> Configuration | None:
        """The configuration of ``version`` (the newest when ``None``), or ``None``."""
        ...

    def configurations(self) -> list[Configuration]:
        """Every stored version, oldest first."""
        ...

    def put_configuration(self, configuration: Configuration) -> None:
        """Append the next version. ``configuration.version`` must be the stored version
        + 1, else :class:`~helpdesk_routing.errors.ConflictError` naming the stored
        version; two writers racing for the same number serialise, and the loser gets
        that error (nothing of its unit is kept)."""
        ...


RoundRobinRoute = tuple[TicketRecord | None, str | None, str | None]
"""What a store's ``route_round_robin`` answers after the commit: the record already
stored under the ticket id (then nothing was written), or ``None`` with the agent
chosen (``None``: the ticket waits) and the allocator's reason."""


@runtime_checkable
class RoundRobinInStore(Protocol):
    """Optional: a transaction that can route a ticket with a round-robin step of its own.

    A store shared by processes serialises them on a pool's rotation lock from the
    moment it is taken until the unit commits. When the client chooses the agent, that
    is at least one network round trip per ticket, during which every other process
    routing into the pool waits. A store that can take the same step itself (the
    PostgreSQL store, in a SQL function) holds the lock only while the server works.
    ``Router.route`` uses it, when the allocator is exactly
    :class:`~helpdesk_routing.allocation.RoundRobin` and the ticket may be handed out,
    instead of ``add_ticket``, ``rotation``, ``set_rotation``, ``update_ticket`` and
    ``append_audit``. The protocol is runtime-checkable: ``isinstance(tx,
    RoundRobinInStore)`` says whether a transaction offers the step.

    Contract: ``route_round_robin`` is the unit's only operation. When the unit
    commits it has done what the Router would have: if a ticket with ``record``'s id
    is stored, nothing (the answer carries that record); else lock ``pool``'s rotation,
    choose exactly as ``RoundRobin().allocate`` would among ``members`` (ascending; the
    Online agents when ``None``; eligible: Online and below the agent's capacity, else
    ``capacity``), move the rotation, store ``record`` with that assignee and the
    allocation trace, and append ``audit`` with that ``assignee``, ``automatic`` and
    ``pool``. The reason is rendered in Python from the step's facts
    (:class:`~helpdesk_routing.allocation.RoundRobinStep`, as ``RoundRobin`` renders
    it): a store answers facts, never sentences. It returns ``None`` (and does nothing)
    when it cannot take the step for these arguments; the Router then routes the ticket
    itself.

    ``configuration_version`` (optional): the configuration version that decided the
    route. When given and the stored newest version (``configuration_version()``)
    differs, the unit writes nothing and the answer raises
    :class:`~helpdesk_routing.errors.StaleConfiguration` ``(expected, stored)``; the
    check costs no round trip of its own. A ticket id already stored still answers its
    record (the check is only for a ticket the unit would write).
    """

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
        """Queue the route to run at commit; the callable answers once it has."""
        ...


@runtime_checkable
class NextAuditSeq(Protocol):
    """Optional: a transaction that knows the ``seq`` its next ``append_audit`` gives.

    A store whose units never overlap knows it before the append (the in-memory store:
    one more than the records it holds). The Router then builds an audit record with its
    ``seq`` already set, and the store keeps that record as it is instead of copying it
    to set the ``seq`` (a record costs about as much to copy as to build). Contract:
    ``append_audit`` of a record whose ``seq`` equals the answer stores exactly that
    record; a record with another ``seq`` (or none) is stored with the right one, as
    always. ``offers(tx, NextAuditSeq)`` says whether a transaction offers it.
    """

    def next_audit_seq(self) -> int:
        """The ``seq`` the next record appended in this unit of work will have."""
        ...


@runtime_checkable
class CountsTickets(Protocol):
    """Optional: a transaction that can count the records a query matches without reading
    them (the SQL stores: one ``count(*)``). A view's ``count=True`` asks it when offered
    (``offers(tx, CountsTickets)``), else takes ``len(find_tickets(query))``.
    """

    def count_tickets(self, query: TicketQuery) -> int:
        """``len(find_tickets(query))``, without reading or locking a record."""
        ...


@runtime_checkable
class NoAssigneeProbe(Protocol):
    """Optional: a transaction that can tell at once whether any ticket lacks an assignee.

    Every hand-out walks waiting tickets, and a waiting ticket has no assignee: when
    none has, there is nothing to walk. A ticket closing asks before the walk (a close
    in a helpdesk where every ticket found an agent costs one call instead of the walk's
    set-up). The in-memory store keeps the ordered index of those tickets and offers
    it; a store that would need a query for it need not (the walk's first page is that
    query). ``offers(tx, NoAssigneeProbe)`` says whether a transaction offers it.
    """

    def any_without_assignee(self) -> bool:
        """Whether any stored ticket, of any status and team, has no assignee."""
        ...


@runtime_checkable
class HandOutInStore(Protocol):
    """Optional: a transaction that can hand one waiting ticket out round robin itself.

    The companion of :class:`RoundRobinInStore` for every hand-out that is not a
    ``route`` (an agent coming Online, a ticket closing, ``assign_waiting``,
    ``assign_to_team``): instead of ``rotation``, the pool's loads, ``set_rotation``,
    ``update_ticket`` and ``append_audit`` (a round trip each in a store shared by
    processes), one call in the unit of work of the rest of the hand-out. The hand-out
    walk (:func:`helpdesk_routing.handout.give`) uses it when the allocator is exactly
    :class:`~helpdesk_routing.allocation.RoundRobin`. ``isinstance(tx,
    HandOutInStore)`` says whether a transaction offers it.

    Contract: ``record`` is a stored, open, unassigned ticket this unit has read.
    Lock ``pool``'s rotation, choose exactly as ``RoundRobin().allocate`` would among
    ``members`` (ascending; the Online agents when ``None``; eligible: Online and below
    the agent's capacity, else ``capacity``); when somebody is chosen, move the
    rotation, store ``record`` with that assignee (and nothing else changed), append
    ``audit`` with that ``assignee``, and answer the agent. When nobody is eligible,
    answer ``None`` and change nothing.
    """

    def hand_out_round_robin(
        self,
        *,
        pool: str,
        members: Sequence[str] | None,
        capacity: int | None,
        record: TicketRecord,
        audit: AuditRecord,
    ) -> str | None:
        """Hand ``record`` out in ``pool``; the agent chosen, or ``None`` (it waits)."""
        ...


@runtime_checkable
class InsertsAgents(Protocol):
    """Optional: a transaction that adds an agent only when no agent has the id, in one step.

    ``Router.add_agent`` refuses an id that is taken. It looks the id up and then writes:
    in a store whose units of work overlap, two processes adding one id at once would
    both find it free, and the second write would replace the first (both audited as
    added). A store whose units overlap offers this instead. Contract: when no agent has
    ``agent.id``, store it (Offline) and answer ``True``; otherwise write nothing and
    answer ``False``. A unit adding an id that another running unit is adding waits for
    that unit, then answers by its outcome. ``offers(tx, InsertsAgents)`` says whether a
    transaction offers it.
    """

    def insert_agent(self, agent: Agent) -> bool:
        """Add ``agent`` when its id is free; whether it was added."""
        ...


@runtime_checkable
class LocksAgents(Protocol):
    """Optional: a transaction of a store whose units overlap that can lock agents
    against each other's administration.

    ``Router.add_agent``, ``update_agent`` and ``remove_agent`` read the agents (the
    actor, the agent changed, who else may manage agents) and then write. Two such units
    side by side would each read the agents as they were before the other: both could
    demote or remove one of the last two managers, or an update could write back an
    agent another unit just removed. The Router takes
    :meth:`lock_agent_administration` first in each of those units, before any other
    lock, so that they run one after the other and each reads what the one before it
    wrote (no other unit takes it: it never closes a cycle with the pool, ticket or load
    locks).

    A route the Router allocates itself in a team's pool holds the chosen agent with
    :meth:`hold_agent`: ``Router.remove_agent`` locks only the pools of the newest
    configuration, and a route into a team that a configuration stored meanwhile dropped
    runs beside it.

    Contract: ``lock_agent_administration()`` waits until no other unit of work of the
    same store holds that lock, then holds it until this unit ends; every read after it
    sees what such a unit committed. ``hold_agent(id)`` answers whether the agent is
    stored and, when it is, keeps the agent from being removed until this unit ends (a
    removal that began first has ended: the agent is not stored); neither waits for a
    presence change. Units of another store (another schema, a tenant of its own) never
    wait for either. ``offers(tx, LocksAgents)`` says whether a transaction offers them;
    a store whose units never overlap (:class:`SerialisedUnits`) has no need of them.
    """

    def lock_agent_administration(self) -> None:
        """Hold the store's agent administration lock until this unit of work ends."""
        ...

    def hold_agent(self, agent_id: str) -> bool:
        """Whether the agent is stored; if so, nobody removes them until this unit ends."""
        ...


@runtime_checkable
class SerialisedUnits(Protocol):
    """Optional: a transaction of a store whose units of work never overlap.

    The memory store holds its lock from a unit's start to its end, and SQLite its write
    lock (``BEGIN IMMEDIATE``): what such a unit reads stays as it read it until the
    unit ends, but for the unit's own writes. ``Router.route`` then looks the ticket id
    up, chooses the assignee, and inserts the ticket once, with its assignee, where
    otherwise it inserts the ticket first (in a store whose units overlap, the insert
    makes a second process routing the same id wait for the first) and then updates it
    with its assignee. ``offers(tx, SerialisedUnits)`` says whether a transaction
    declares it (``units_serialised`` ``True``; ``False`` declares nothing, though
    ``isinstance``, which sees the attribute only, says yes). A store that declares it
    for units that may overlap gets a route whose insert finds another unit's record:
    the route raises
    :class:`~helpdesk_routing.errors.StoreError` and its unit is undone.
    """

    units_serialised: Literal[True]


class Store(Protocol):
    """Where tickets, agents, presence, rotation state and the audit log live.

    Called by the Router, once per operation::

        with store.transaction() as tx:
            record = tx.get_ticket("t1")
            ...

    Contract: see :class:`Transaction`. ``transaction()`` may be entered from several
    threads (memory, SQLite) or processes (SQLite, PostgreSQL) at once.

    Unlike customer data, allocators and clocks, whose answers are checked and named
    when wrong, a store's answers are trusted: they are the records the library wrote,
    read on every route and hand-out, where checking each would cost every operation. A
    store of your own that answers another type (``None`` for a new pool's rotation, a
    ``dict`` for a record) fails where the answer is used, with Python's own error; the
    contract suite the shipped stores pass (``tests/contract``) is the way to hold one
    to this contract.
    """

    def transaction(self) -> AbstractContextManager[Transaction]:
        """Begin a unit of work."""
        ...


@runtime_checkable
class ReadableStore(Store, Protocol):
    """Optional: a store with read-only units of work, for views and reports.

    ``read()`` is like ``transaction()`` for a block that only reads: it takes no write
    lock and no row locks, so reading a view never waits for the units that route, nor
    makes them wait. Contract: every read in the unit sees one committed state (the
    whole unit's snapshot: SQLite from its first read, PostgreSQL ``REPEATABLE READ``);
    a write in it raises :class:`~helpdesk_routing.errors.StoreError` and changes
    nothing. All three shipped stores offer it (memory: an ordinary transaction).
    ``isinstance(store, ReadableStore)`` says whether a store does.

    Example::

        with store.read() as tx:
            page = tx.find_tickets(TicketQuery(unassigned=True, no_team=True, limit=50))
    """

    def read(self) -> AbstractContextManager[Transaction]:
        """Begin a read-only unit of work."""
        ...


def reading(store: Store) -> AbstractContextManager[Transaction]:
    """A unit of work that only reads: the store's read-only one (``read()``, see
    :class:`ReadableStore`), which takes no write lock and so neither waits for the units
    that write nor makes them wait, when it offers one; else an ordinary one. What views,
    reports and the Router's reading methods (``ticket``, ``history``, ``configuration``)
    read in."""
    reader = getattr(store, "read", None)
    unit: AbstractContextManager[Transaction] = (
        reader() if callable(reader) else store.transaction()
    )
    return unit


@runtime_checkable
class AuditFactSource(Protocol):
    """Optional: a store that streams its whole audit log cheaply, for reports.

    ``audit_facts()`` yields, in ``seq`` order, one *fact row* per audit record a
    report reads: a tuple of ``(at, action, ticket_id, agent_id, online, team,
    assignee, status, automatic, public)`` (``helpdesk_routing._audit_scan.AuditFact``
    names them), without validating a model per record. ``at`` may be ISO 8601 text,
    ``status`` the text of the ``TicketStatus``, the flags ``0``/``1``; ``public`` says
    whether a reply is public (``None`` when the record's detail has no such bool).
    Records that change no figure of a report may be left out: those without a ticket
    id (but presence changes) and replies that are not public. It reads in a read-only
    unit of its own that ends when the iteration does, so consume it to the end. The
    SQLite store offers it; ``isinstance(store, AuditFactSource)`` says whether a store
    does.
    """

    def audit_facts(self) -> Iterator[tuple[Any, ...]]:
        """The audit log's fact rows, oldest first."""
        ...


@runtime_checkable
class PeriodFigureSource(Protocol):
    """Optional: a store that keeps the metrics report's figures as its log grows.

    ``period_figures(start, end, spans=...)`` answers, in a read-only unit of its own,
    what one pass over the audit log would give the report over ``[start, end)`` (a
    ``helpdesk_routing._report_digest.PeriodFigures``; ``spans``: with each answered
    ticket's creation and reply, for business time), or ``None`` when it cannot say, and
    the report reads the log instead. The in-memory store offers it
    (``helpdesk_routing._report_digest.ReportDigest``).
    """

    def period_figures(
        self, start: datetime, end: datetime, *, spans: bool
    ) -> PeriodFigures | None:
        """The report's figures of the log over ``[start, end)``, or ``None``."""
        ...
