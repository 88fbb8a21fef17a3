"""Who may take a ticket now, and the hand-out walk over waiting tickets.

When a ticket is handed out automatically (``route``, an agent coming Online, a ticket
closing, ``assign_to_team``, ``assign_waiting``), the eligible pool is:

- for a team ticket, the team's Online members (rotation pool ``"team:<id>"``);
- for any other ticket, every Online agent (rotation pool ``"global"``);

minus agents at capacity. A :class:`Gate`, computed once per operation, says which
tickets may be handed out at all: open ones, while round robin is on, and for a channel
bound to office hours only while they are open.

The walk (:func:`hand_out`) hands waiting tickets out oldest first by ``(created_at,
id)``, across the pools it may touch, reading each pool's waiting tickets a page at a
time and dropping a pool as soon as nobody in it can take more: its cost follows the
tickets handed out, not the backlog. Within one unit of work a pool that can take
nobody stays so (handing out only adds load), so the walk hands out exactly the tickets,
in exactly the order, that trying every waiting ticket would.
"""

from __future__ import annotations

import copy
import heapq
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import cast

from pydantic import ValidationError as PydanticValidationError

from helpdesk_routing._input import plain_text
from helpdesk_routing._shown import shown
from helpdesk_routing._storable import text_problem, value_problem
from helpdesk_routing._trusted import construct, updated
from helpdesk_routing.allocation import (
    Allocation,
    LeastLoaded,
    PassedOver,
    Pool,
    RoundRobin,
    RoundRobinStep,
)
from helpdesk_routing.allocation.round_robin import Passed, rotated, walk
from helpdesk_routing.audit import next_seq, ticket_changed
from helpdesk_routing.configuration import CompiledConfiguration
from helpdesk_routing.decision import AllocationTrace
from helpdesk_routing.errors import ConflictError, ValidationError, race_lost
from helpdesk_routing.model import Ticket, TicketStatus
from helpdesk_routing.ports import (
    HandOutInStore,
    NoAssigneeProbe,
    SerialisedUnits,
    Transaction,
    offers,
)
from helpdesk_routing.records import RotationState, TicketQuery, TicketRecord

__all__ = [
    "FIRST_PAGE",
    "PAGE",
    "Gate",
    "allocate",
    "build_pool",
    "give",
    "hand_out",
    "in_store",
    "lock_pools",
    "may_wait",
    "pool_name",
]

FIRST_PAGE = 8
"""How many waiting tickets of one pool the walk reads first. A close frees room for one
ticket, so most walks hand out one and then find the pool full: reading a long page for
them costs as much as the hand-out itself when a backlog waits (each record read is
checked against the query)."""
PAGE = 64
"""How many waiting tickets of one pool the walk reads at a time after the first page."""

_log = logging.getLogger("helpdesk_routing.handout")
_OPEN = frozenset({TicketStatus.OPEN})


def pool_name(team: str | None) -> str:
    """The rotation pool of a ticket: ``"global"``, or ``"team:<id>"`` for a team ticket."""
    return "global" if team is None else f"team:{team}"


@dataclass(frozen=True, slots=True)
class Gate:
    """Whether a ticket may be handed out now, before any pool is looked at.

    Built once per operation from the configuration in force and the hour.
    """

    compiled: CompiledConfiguration
    open_now: bool

    @classmethod
    def at(cls, compiled: CompiledConfiguration, now: datetime) -> Gate:
        """The gate of ``compiled`` at the instant ``now``."""
        hours = compiled.configuration.office_hours
        return cls(compiled, hours is None or hours.is_open(now))

    def waits(self, ticket: Ticket, team: str | None) -> AllocationTrace | None:
        """Why the ticket may not be handed out now, or ``None`` when it may."""
        configuration = self.compiled.configuration
        if ticket.status is not TicketStatus.OPEN:
            return AllocationTrace(
                pool=pool_name(team),
                assignee=None,
                summary=f"not handed out: the ticket is {ticket.status.value}",
            )
        if not configuration.round_robin:
            why = "round robin is off; the ticket waits"
        elif ticket.channel in configuration.office_hours_channels and not self.open_now:
            why = (
                f"channel {ticket.channel!r} follows office hours, which are closed; "
                "the ticket waits"
            )
        elif team is not None and team not in self.compiled.team_by_id:
            why = f"team {team!r} is no longer configured; the ticket waits"
        else:
            return None
        return AllocationTrace(pool=pool_name(team), assignee=None, summary=why, waiting=True)


def build_pool(tx: Transaction, compiled: CompiledConfiguration, team: str | None) -> Pool:
    """The pool for a ticket: every Online agent, or a team's members (sorted once)."""
    default = compiled.configuration.capacity
    get_agent = tx.get_agent

    def capacity(agent_id: str) -> int | None:
        agent = get_agent(agent_id)
        if agent is not None and agent.capacity is not None:
            return agent.capacity
        return default

    if team is None:
        return Pool("global", tx.online_agents(), tx.open_load, capacity)
    return Pool(pool_name(team), compiled.members[team], tx.open_load, capacity, tx.is_online)


def allocate(
    tx: Transaction, compiled: CompiledConfiguration, ticket: Ticket, team: str | None
) -> tuple[str | None, AllocationTrace]:
    """Choose an assignee for a ticket that passed the gate, and move its pool's rotation."""
    if type(compiled.allocator) is RoundRobin:
        return _round_robin(tx, compiled, team)
    name, result = _choose(tx, compiled, ticket, team)
    agent, reason = result.agent, result.reason
    if type(reason) is str and (agent is None or type(agent) is str):
        return agent, construct(
            AllocationTrace, pool=name, assignee=agent, summary=reason, waiting=agent is None
        )
    # Anything else from a pluggable allocator is validated (the unit is then undone).
    return agent, AllocationTrace(pool=name, assignee=agent, summary=reason, waiting=agent is None)


def _round_robin(
    tx: Transaction, compiled: CompiledConfiguration, team: str | None
) -> tuple[str | None, AllocationTrace]:
    """What :func:`allocate` answers for exactly :class:`RoundRobin` (a subclass may
    choose otherwise): the same walk (``round_robin.walk``, which ``RoundRobin.step``
    is), its trace rendered once per distinct step (:func:`_trace`), the rotation moved
    on when someone was chosen. Held to the general path by ``tests/test_perf_paths.py``."""
    name = pool_name(team)
    state = tx.rotation(name)  # first, as in _choose: the lock before the pool is read
    last = state.last
    agent, shown, passed, all_offline = walk(build_pool(tx, compiled, team), last)
    if agent is not None:
        tx.set_rotation(name, rotated(state, agent))
    return agent, _trace(name, last, agent, shown, passed, all_offline)


@lru_cache(maxsize=4096)
def _trace(
    pool: str,
    last: str | None,
    agent: str | None,
    shown: tuple[Passed, ...],
    passed: int,
    all_offline: bool,
) -> AllocationTrace:
    """The trace of a round-robin step from its facts (what :func:`allocate` builds from
    ``RoundRobin.allocate``'s answer), kept for the next equal step: most routes repeat
    a handful of steps ("a2: next online agent after a1 in rotation", "every eligible
    agent is at capacity; ..."), and a trace is an immutable value, so equal steps may
    share one (and its sentence) instead of rendering and storing a copy each.

    The facts are values of the ports' types (ids are text, loads and capacities whole
    numbers), whose equal values render the same sentence."""
    step = RoundRobinStep(agent, last, tuple(PassedOver(*p) for p in shown), passed, all_offline)
    return construct(
        AllocationTrace, pool=pool, assignee=agent, summary=step.reason(), waiting=agent is None
    )


def _choose(
    tx: Transaction, compiled: CompiledConfiguration, ticket: Ticket, team: str | None
) -> tuple[str, Allocation]:
    """The allocator's answer for ``ticket`` in its pool, held to the contract; the pool's
    rotation moves on when it chose someone. Returns the pool's name and the answer,
    whose reason is not rendered here (a hand-out that finds nobody never reads it)."""
    name = pool_name(team)
    # Lock the rotation first: a store may read the pool's agents in the same round
    # trip (the PostgreSQL store does), and the choice sees presence as of the lock.
    state = tx.rotation(name)
    pool = build_pool(tx, compiled, team)
    allocator = compiled.allocator
    if type(allocator) in _SHIPPED:
        result = allocator.allocate(ticket, pool, state)
        if result.agent is not None:
            tx.set_rotation(name, result.state)
        return name, result
    # A pluggable allocator sees copies of what the store holds: the pool's ids as a
    # tuple (the global pool's were the in-memory store's own list of Online agents,
    # which an allocator's edit changed for every later route, and the check read after
    # it: an id appended there passed it) and a state of its own (an edit to ``extra``
    # stayed in the in-memory store after a refused or failed route).
    pool = replace(pool, ids=tuple(pool.ids))
    if team is None:  # the Online agents as of now: nobody in it is asked again
        result = allocator.allocate(ticket, pool, _own(state))
        result = _check(allocator, result, pool, tx, set())
    else:
        # A team's presence is read as the allocator asks (Pool is lazy): what it saw is
        # kept, to tell a choice it saw Online from one it made blind (see _check).
        seen = _Seen(pool.online)
        result = allocator.allocate(ticket, replace(pool, online=seen), _own(state))
        result = _check(allocator, result, pool, tx, seen.online)
    if result.agent is not None:
        # a copy again: the allocator may keep the state it answered, and change it later
        tx.set_rotation(name, _own(result.state))
    return name, result


def _own(state: RotationState) -> RotationState:
    """A :class:`RotationState` equal to ``state`` sharing nothing with it (``extra`` copied
    deep), of the class itself (a subclass's, kept as given in memory, read back from SQL
    as the class)."""
    return construct(
        RotationState, last=state.last, given=state.given, extra=copy.deepcopy(state.extra)
    )


class _Seen:
    """A pool's ``online``, remembering the agents it answered ``True`` for."""

    __slots__ = ("_online", "online")

    def __init__(self, online: Callable[[str], bool]) -> None:
        self._online = online
        self.online: set[str] = set()

    def __call__(self, agent_id: str) -> bool:
        answer = self._online(agent_id)
        if answer:
            self.online.add(agent_id)
        else:
            self.online.discard(agent_id)
        return answer


_SHIPPED = (RoundRobin, LeastLoaded)
"""The library's allocators, held to their contract by their own (property) tests."""


def _check(
    allocator: object, result: object, pool: Pool, tx: Transaction, seen_online: set[str]
) -> Allocation:
    """A pluggable allocator's answer, held to the contract before anything is written:
    an :class:`Allocation` whose agent is ``None`` or an eligible member of ``pool``
    (Online, with room), whose state is a :class:`RotationState` and whose reason is
    text. Anything else is a :class:`~helpdesk_routing.errors.ValidationError` naming the
    allocator, and the unit of work is undone (no ticket to a stranger, an Offline or a
    full agent, no rotation state a store cannot keep).

    An agent the allocator saw Online (``seen_online``) who is Offline now went Offline
    or was removed by a unit that committed meanwhile (on a store whose units overlap,
    PostgreSQL): a race, not the allocator's fault, so a retryable
    :class:`~helpdesk_routing.errors.ConflictError` saying so (the Router runs the
    operation again, and the allocator chooses among those Online then)."""
    who = type(allocator).__name__
    if not isinstance(result, Allocation):
        raise ValidationError(
            f"allocator {who} returned {type(result).__name__}, not an Allocation"
        )
    agent = result.agent
    if agent is not None:
        # The id as plain text: a str subclass's own == (case-insensitive, say) passed
        # the membership test for an id no agent has, which was then stored; NumPy's
        # str_ was stored as such.
        plain = plain_text(agent) if isinstance(agent, str) else None
        if plain is None or plain not in pool.ids:
            raise ValidationError(
                f"allocator {who} chose {agent!r}, who is not in pool {pool.name!r}"
            )
        agent = plain
        if not pool.eligible(agent):
            if agent in seen_online and not pool.online(agent):
                raise _went_away(tx, who, agent, pool.name)
            raise ValidationError(
                f"allocator {who} chose {agent!r}, who is Offline or has no room in pool "
                f"{pool.name!r}"
            )
    state = result.state  # read once: the state checked is the state kept
    if not isinstance(state, RotationState):
        raise ValidationError(
            f"allocator {who} returned a state of type {type(state).__name__}, not a RotationState"
        )
    # A state made with model_construct skipped its own check of ``extra``.
    extra = state.extra
    problem = (
        value_problem(extra, "extra", json_only=True)
        if isinstance(extra, dict)
        else f"extra is {type(extra).__name__}, not an object"
    )
    if problem is not None:
        raise ValidationError(f"allocator {who} returned a state no store can keep: {problem}")
    # ... and of ``last`` and ``given``: every store reads the state back with the model,
    # so it is held to the model's rules (an empty or NUL ``last``, a negative ``given``).
    for name, value, fits in (
        ("last", state.last, state.last is None or isinstance(state.last, str)),
        ("given", state.given, type(state.given) is int and -(2**63) <= state.given < 2**63),
    ):
        if not fits:
            raise ValidationError(
                f"allocator {who} returned a state no store can keep: {name} is {value!r} "
                f"({'an agent id or None' if name == 'last' else 'a whole number within 64 bits'})"
            )
    try:
        RotationState.model_validate({"last": state.last, "given": state.given})
    except PydanticValidationError as exc:
        first = exc.errors(include_url=False)[0]
        name = str(first["loc"][0])
        raise ValidationError(
            f"allocator {who} returned a state no store can keep: {name} is "
            f"{getattr(state, name)!r} ({first['msg']})"
        ) from None
    try:
        reason = result.reason
    except Exception:  # a reason of facts that cannot be rendered
        reason = None
    if not isinstance(reason, str):
        raise ValidationError(f"allocator {who} gave no readable reason (text)")
    problem = text_problem(reason)
    if problem is not None:  # kept in the audit record and the decision's trace
        raise ValidationError(f"allocator {who} gave a reason no store can keep: {problem}")
    # The answer with its id as plain text and its reason as read and checked here (a
    # reason read again later could be another: raising, or text no store can keep);
    # the allocator's object is left as it answered it.
    return Allocation(agent, state, reason)


def _went_away(tx: Transaction, who: str, agent: str, pool: str) -> ConflictError:
    """The retryable error of an agent who was Online when the allocator looked and went
    Offline (or was removed) before the hand-out was written."""
    what = "was removed" if tx.get_agent(agent) is None else "went Offline"
    return race_lost(
        f"allocator {who} chose {agent!r} in pool {pool!r}, who {what} meanwhile "
        "(another unit of work committed it after the allocator saw them Online)"
    )


def in_store(tx: Transaction, compiled: CompiledConfiguration) -> HandOutInStore | None:
    """``tx`` when it hands tickets out round robin itself and the allocator is exactly
    :class:`RoundRobin` (a subclass may choose otherwise), else ``None`` (the capability
    is asked once per transaction class: :func:`~helpdesk_routing.ports.offers`)."""
    if type(compiled.allocator) is not RoundRobin:
        return None
    return cast(HandOutInStore, tx) if offers(tx, HandOutInStore) else None


def give(tx: Transaction, gate: Gate, now: datetime, record: TicketRecord) -> TicketRecord | None:
    """Hand one waiting ticket out; the updated record, or ``None`` if it still waits.

    A store that hands out round robin itself (:class:`~helpdesk_routing.ports.
    HandOutInStore`) does the whole hand-out in one call; else it is done here.
    """
    return _give(tx, gate, now, record, in_store(tx, gate.compiled))[0]


def _give(
    tx: Transaction,
    gate: Gate,
    now: datetime,
    record: TicketRecord,
    store: HandOutInStore | None,
) -> tuple[TicketRecord | None, bool]:
    """:func:`give`, and whether the ticket's pool is known to have no room left: the
    store's own step or a shipped allocator found nobody eligible (their contract), so
    the walk drops the pool without looking at its agents again. ``False`` when the
    ticket was handed out, may not be handed out now (the gate) or a pluggable
    allocator found nobody (it may pass over agents with room). ``store`` is what
    :func:`in_store` answers for ``tx`` and the gate's configuration (asked once per
    walk: a walk gives many tickets)."""
    if gate.waits(record.ticket, record.team) is not None:
        return None, False
    name = pool_name(record.team)
    compiled = gate.compiled
    if store is not None:
        members = None if record.team is None else compiled.members[record.team]
        assignee = store.hand_out_round_robin(
            pool=name,
            members=members,
            capacity=compiled.configuration.capacity,
            record=record,
            audit=ticket_changed(now, None, "assigned", record, pool=name),
        )
        if assignee is None:
            return None, True
        record = updated(record, assignee=assignee)
    else:
        assignee = _pick(tx, compiled, record)
        if assignee is None:
            return None, type(compiled.allocator) in _SHIPPED
        record = updated(record, assignee=assignee)
        tx.update_ticket(record)
        tx.append_audit(ticket_changed(now, None, "assigned", record, pool=name, seq=next_seq(tx)))
    if _log.isEnabledFor(logging.INFO):  # the extra dict costs more than the check
        _log.info(
            "handed out %s to %s",
            shown(record.id),
            shown(assignee),
            extra={"ticket_id": record.id, "assignee": assignee, "pool": name},
        )
    return record, False


def _pick(tx: Transaction, compiled: CompiledConfiguration, record: TicketRecord) -> str | None:
    """The agent :func:`_choose` chooses for a waiting ticket, its pool's rotation moved
    on when there is one. A hand-out never reads the step's reason (its audit names the
    pool, not the step): for exactly :class:`RoundRobin` the choice is taken without the
    facts of one (``RoundRobin.next_agent``, held to the step by a property test; this
    function is held to ``_choose`` by ``tests/test_perf_paths.py``)."""
    team = record.team
    if type(compiled.allocator) is not RoundRobin:
        return _choose(tx, compiled, record.ticket, team)[1].agent
    name = pool_name(team)
    state = tx.rotation(name)  # first, as in _choose: the lock before the pool is read
    agent = RoundRobin.next_agent(build_pool(tx, compiled, team), state.last)
    if agent is not None:
        tx.set_rotation(name, rotated(state, agent))
    return agent


@lru_cache(maxsize=1024)
def _first_page(team: str | None, closed: frozenset[str]) -> TicketQuery:
    """The query of a pool's first page of waiting tickets (the same on every hand-out)."""
    return _page(team, closed, None, FIRST_PAGE)


def _page(
    team: str | None, closed: frozenset[str], after: tuple[datetime, str] | None, limit: int
) -> TicketQuery:
    return TicketQuery(
        unassigned=True,
        team=team,
        no_team=team is None,
        statuses=_OPEN,
        exclude_channels=closed,
        after=after,
        limit=limit,
    )


def _closed_channels(gate: Gate) -> frozenset[str]:
    """The channels whose tickets wait for the office to open: left out of the walk, so
    an evening's backlog of them is not read again by every hand-out of the night."""
    if gate.open_now:
        return frozenset()
    return frozenset(gate.compiled.configuration.office_hours_channels)


def _waiting(tx: Transaction, team: str | None, closed: frozenset[str]) -> Iterator[TicketRecord]:
    """The pool's waiting tickets but those of ``closed`` channels, oldest first, read a
    page at a time."""
    after: tuple[datetime, str] | None = None
    while True:
        query = _first_page(team, closed) if after is None else _page(team, closed, after, PAGE)
        page = tx.find_tickets(query)
        yield from page
        if len(page) < (FIRST_PAGE if after is None else PAGE):
            return
        last = page[-1].ticket
        after = (last.created_at, last.id)


def may_wait(tx: Transaction) -> bool:
    """Whether a ticket may be waiting in ``tx``'s store: ``False`` only when the store
    tells at once (:class:`~helpdesk_routing.ports.NoAssigneeProbe`) that every ticket
    has an assignee, and a hand-out would find nothing to walk."""
    if not offers(tx, NoAssigneeProbe):
        return True
    # Not typing.cast: a function call at run time, on every close.
    found: bool = tx.any_without_assignee()  # type: ignore[attr-defined]  # offers() said so
    return found


def _has_room(pool: Pool) -> bool:
    return any(pool.eligible(agent) for agent in pool.ids)


def lock_pools(
    tx: Transaction, compiled: CompiledConfiguration, *, for_agent: str | None
) -> list[str | None]:
    """Lock the rotation of every pool a hand-out ``for_agent`` (or for everyone) may
    touch, in one global order; returns their teams (``None``: the global pool).

    Every unit of work that hands out takes pool locks before agent rows, as ``route``
    does (its rotation lock, then each candidate's row): a caller that is about to write
    an agent's row and then hand out (an agent coming Online) calls this first, so the
    two never wait for each other in opposite orders (a deadlock on PostgreSQL). A store
    whose units never overlap (:class:`~helpdesk_routing.ports.SerialisedUnits`) has
    nothing to lock: its pools are not read here.
    """
    teams = _pools(compiled, for_agent)
    if offers(tx, SerialisedUnits):
        return teams  # no other unit runs until this one ends: nothing to lock
    # One global order, so that two hand-outs in different processes cannot each hold a
    # pool the other one waits for.
    for name in sorted(pool_name(t) for t in teams):
        tx.rotation(name)
    return teams


def _pools(compiled: CompiledConfiguration, for_agent: str | None) -> list[str | None]:
    """The teams of the pools a hand-out ``for_agent`` (or for everyone) walks."""
    teams: list[str | None] = [None]
    teams += compiled.members if for_agent is None else compiled.teams_of.get(for_agent, ())
    return teams


def hand_out(
    tx: Transaction,
    gate: Gate,
    now: datetime,
    *,
    for_agent: str | None,
    locked: Sequence[str | None] | None = None,
) -> list[TicketRecord]:
    """Hand out waiting tickets, oldest first; only those ``for_agent`` may take, if given.

    The pools walked: for ``for_agent``, the global pool and the teams the agent is a
    member of; else the global pool and every configured team (a ticket of a team no
    longer configured waits until moved). Returns the tickets handed out, in order.
    ``locked`` is what :func:`lock_pools` answered when the caller locked them already.
    """
    compiled = gate.compiled
    if not compiled.configuration.round_robin or not may_wait(tx):
        return []
    teams = list(locked) if locked is not None else lock_pools(tx, compiled, for_agent=for_agent)
    streams: list[tuple[tuple[datetime, str], int, TicketRecord, Iterator[TicketRecord]]] = []
    closed = _closed_channels(gate)
    for i, team in enumerate(teams):
        it = _waiting(tx, team, closed)
        first = next(it, None)
        if first is not None:
            ticket = first.ticket
            streams.append(((ticket.created_at, ticket.id), i, first, it))
    heapq.heapify(streams)
    given: list[TicketRecord] = []
    store = in_store(tx, compiled)
    while streams:
        _, i, record, it = streams[0]
        handed, full = _give(tx, gate, now, record, store)
        if handed is not None:
            given.append(handed)
        elif full or (
            gate.waits(record.ticket, record.team) is None
            and not _has_room(build_pool(tx, compiled, record.team))
        ):
            heapq.heappop(streams)  # nobody in this pool can take more in this unit
            continue
        following = next(it, None)
        if following is None:
            heapq.heappop(streams)
        else:
            ticket = following.ticket
            heapq.heapreplace(streams, ((ticket.created_at, ticket.id), i, following, it))
    return given
