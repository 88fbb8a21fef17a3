"""The two ways the engine asks who gets a ticket: the real Router, or the allocators alone.

Both answer the same questions (a ticket arrived; work on a ticket ended; a pending
ticket closed; an agent came Online or went Offline; office hours opened) with the
hand-outs that followed, as ``(ticket index, agent)`` pairs. :class:`RouterBackend` calls
the Router on a :class:`~helpdesk_routing.clock.ManualClock` and an in-memory store for
every step, so what is simulated is what production runs. :class:`QueueBackend` is the
queueing-only mode: no rules, teams or office hours, one global pool, and the same
allocator called on a :class:`~helpdesk_routing.allocation.Pool` of plain counters.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection
from datetime import timedelta
from typing import ClassVar, Protocol

from helpdesk_routing._trusted import share_fields_set, updated
from helpdesk_routing.allocation import Pool, RoundRobin
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.model import Agent, Event, Ticket, TicketStatus
from helpdesk_routing.records import RotationState
from helpdesk_routing.router import Router
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData

from ._store import SimulationStore
from .policies import Policy
from .scenario import Scenario

__all__ = ["Backend", "HandOuts", "QueueBackend", "RouterBackend"]

HandOuts = list[tuple[int, str]]
"""Tickets handed out by a step, as ``(ticket index, agent id)`` in hand-out order."""


class Backend(Protocol):
    """What the engine needs from whoever routes and hands out tickets."""

    def arrive(
        self,
        index: int,
        t: float,
        channel: str,
        tags: frozenset[str],
        profile: str | None,
        events: list[Event],
    ) -> tuple[str | None, str | None, str | None]:
        """Route a new ticket: ``(assignee or None, team, decided_by)``."""
        ...

    def started(self, index: int, agent: str, t: float) -> None:
        """The agent began work on the ticket: its first response."""
        ...

    def finished(
        self, index: int, agent: str, t: float, pending: bool, waiting: Collection[int]
    ) -> HandOuts:
        """Work ended: the ticket is closed (or pending); returns the hand-outs that followed."""
        ...

    def closed(self, index: int, agent: str, t: float, waiting: Collection[int]) -> HandOuts:
        """A pending ticket closed; returns the hand-outs that followed."""
        ...

    def presence(self, agent: str, online: bool, t: float) -> HandOuts:
        """The agent came Online or went Offline; returns the hand-outs that followed."""
        ...

    def opening(self, t: float) -> HandOuts:
        """Office hours opened: waiting tickets are handed out."""
        ...


def _tid(index: int) -> str:
    return f"t{index:07d}"


class RouterBackend:
    """Every step through a real :class:`~helpdesk_routing.router.Router`."""

    explain: ClassVar[bool] = False
    """Whether the Router keeps each decision's full explanation, as ``Router``'s own
    default does. Off: a simulation reads the deciding rule alone, and the verdicts are
    the same. ``benchmarks/bench_simulation.py`` turns it on to measure the full
    default Router."""

    report_digest: ClassVar[bool] = False
    """Whether the in-memory store keeps the metrics report's digest, as
    ``InMemoryStore``'s own default does. Off: the results come from the engine's own
    records and nobody reports on this store (the digest would cost every unit that
    logs). ``benchmarks/bench_simulation.py`` turns it on with :attr:`explain`."""

    def __init__(self, scenario: Scenario, policy: Policy) -> None:
        cfg = scenario.configuration
        self._start = scenario.start
        self._clock = ManualClock(scenario.start)
        self._t = 0.0
        self._ids: list[str] = []  # ticket ids by index, made once
        self._tickets: dict[tuple[str, frozenset[str], str | None], Ticket] = {}
        agents = [
            Agent(id=a.id, name=a.name, role=a.role, capacity=policy.agent_capacity(a.capacity))
            for a in scenario.agents
        ]
        # The simulator's store counts the audit log instead of keeping it (nobody reads
        # it back; kept, it was more than half of a run's memory); the report digest
        # reads the log, so the full default Router's rows keep both.
        self._store: InMemoryStore = (
            InMemoryStore(agents=agents, report_digest=True)
            if self.report_digest
            else SimulationStore(agents=agents)
        )
        self._data = InMemoryCustomerData(profiles=scenario.customers, events=scenario.events)
        self.router = Router(
            rules=cfg.rules,
            teams=cfg.teams,
            store=self._store,
            customer_data=self._data,
            clock=self._clock,
            office_hours=cfg.office_hours,
            round_robin=cfg.round_robin,
            office_hours_channels=cfg.office_hours_channels,
            allocator=policy.allocator,
            capacity=policy.capacity,
            explain=self.explain,
        )

    def _at(self, t: float) -> None:
        # Several steps often share an instant (a ticket arrives and work on it starts;
        # work ends and the next ticket starts): the clock is already there.
        if t != self._t:
            self._t = t
            # timedelta(0, t) is timedelta(seconds=t), built positionally: the keyword form
            # costs twice as much (three clock moves a ticket).
            self._clock.set(self._start + timedelta(0, t))

    def arrive(
        self,
        index: int,
        t: float,
        channel: str,
        tags: frozenset[str],
        profile: str | None,
        events: list[Event],
    ) -> tuple[str | None, str | None, str | None]:
        """Record the customer's events, then ``Router.route`` the ticket."""
        self._at(t)
        for event in events:
            self._data.add_event(event)
        tid = _tid(index)
        self._ids.append(tid)
        # The scenario's values (channel, tags, profile) are validated as a Ticket once per
        # combination; each ticket is that one with its own id and instant (both made
        # here: an id of the engine's, the clock's aware reading of the scenario's start).
        key = (channel, tags, profile)
        like = self._tickets.get(key)
        if like is None:
            like = self._tickets[key] = Ticket(
                id=tid, channel=channel, created_at=self._start, tags=tags, profile_id=profile
            )
            # Its fields-set shared (``_trusted``): each copy then finds the shared set of
            # its shape at once, instead of making one from the names on every ticket.
            share_fields_set(like)
        decision = self.router.route(updated(like, id=tid, created_at=self._clock.now()))
        decided_by = decision.rule_id
        if decided_by is None and decision.membership is not None:
            decided_by = f"membership:{decision.membership}"
        return decision.assignee, decision.team, decided_by

    def started(self, index: int, agent: str, t: float) -> None:
        """``Router.reply``: the agent's first public reply is the ticket's first response."""
        self._at(t)
        self.router.reply(self._ids[index], actor=agent)

    def finished(
        self, index: int, agent: str, t: float, pending: bool, waiting: Collection[int]
    ) -> HandOuts:
        """``Router.set_status`` to closed (hand-outs follow) or pending."""
        if pending:
            self._at(t)
            self.router.set_status(self._ids[index], TicketStatus.PENDING, actor=agent)
            return []
        return self.closed(index, agent, t, waiting)

    def closed(self, index: int, agent: str, t: float, waiting: Collection[int]) -> HandOuts:
        """``Router.set_status`` to closed; the freed agent may take waiting tickets."""
        self._at(t)
        # The Router's own close (``set_status``), which also answers the tickets its
        # hand-out gave, in hand-out order: no second unit of work to find them among
        # the waiting ones.
        given = self.router._set_status(self._ids[index], TicketStatus.CLOSED, agent)[1]
        if not given:
            return []
        # The engine's waiting tickets among them, by index (their age: a hand-out's order).
        return sorted(
            (i, r.assignee)
            for r in given
            if (i := int(r.id[1:])) in waiting and r.assignee is not None
        )

    def presence(self, agent: str, online: bool, t: float) -> HandOuts:
        """``Router.set_online``, by the agent themself."""
        self._at(t)
        given = self.router.set_online(agent, online=online, actor=agent)
        return [(int(r.id[1:]), r.assignee) for r in given if r.assignee is not None]

    def opening(self, t: float) -> HandOuts:
        """``Router.assign_waiting``."""
        self._at(t)
        given = self.router.assign_waiting()
        return [(int(r.id[1:]), r.assignee) for r in given if r.assignee is not None]


class QueueBackend:
    """The queueing-only mode: the scenario's allocator on one global pool of counters.

    Every agent is Online throughout; a ticket nobody has room for waits in one queue,
    and whenever work ends the oldest waiting tickets are offered to the allocator again,
    as ``Router.set_status`` does. Three shortcuts keep it fast without deciding anything
    an allocator would decide: when every agent is at capacity the allocator is not
    asked (its contract says the answer is then ``None``); the ticket it is shown is
    one representative per channel (no scenario policy reads more of a ticket than
    that in this mode, which has no rules); and for
    :class:`~helpdesk_routing.allocation.RoundRobin` itself (not a subclass) the backend
    asks ``RoundRobin.next_agent``, the allocator's own choice without the facts of its
    reason, and keeps only the rotation's ``last``, all of the state that choice reads.
    """

    def __init__(self, scenario: Scenario, policy: Policy) -> None:
        self._allocator = policy.allocator
        # RoundRobin's choice reads nothing of the state but ``last``: keep only that.
        self._rotation = type(policy.allocator) is RoundRobin
        self._last: str | None = None
        own = {a.id: policy.agent_capacity(a.capacity) for a in scenario.agents}
        self._caps: dict[str, int | None] = {
            a: (c if c is not None else policy.capacity) for a, c in own.items()
        }
        self._loads = {a.id: 0 for a in scenario.agents}
        self._limited = any(c is not None for c in self._caps.values())
        self._full = sum(1 for c in self._caps.values() if c == 0)
        self._n = len(self._caps)
        self._pool = Pool(
            name="global",
            ids=tuple(sorted(self._loads)),
            load=self._loads.__getitem__,
            capacity=self._caps.__getitem__,
        )
        self._state = RotationState()
        self._waiting: deque[tuple[int, Ticket]] = deque()
        self._start = scenario.start
        self._tickets: dict[str, Ticket] = {}

    def _ticket(self, channel: str) -> Ticket:
        ticket = self._tickets.get(channel)
        if ticket is None:
            ticket = Ticket(id=f"queueing:{channel}", channel=channel, created_at=self._start)
            self._tickets[channel] = ticket
        return ticket

    def _took(self, agent: str) -> None:
        loads = self._loads
        before = loads[agent]
        loads[agent] = before + 1
        if before + 1 == self._caps[agent]:
            self._full += 1

    def _freed(self, agent: str) -> None:
        loads = self._loads
        before = loads[agent]
        loads[agent] = before - 1
        if before == self._caps[agent]:
            self._full -= 1

    def arrive(
        self,
        index: int,
        t: float,
        channel: str,
        tags: frozenset[str],
        profile: str | None,
        events: list[Event],
    ) -> tuple[str | None, str | None, str | None]:
        """Offer the new ticket to the allocator; it waits when nobody has room."""
        ticket = self._ticket(channel)
        if self._limited and self._full >= self._n:
            self._waiting.append((index, ticket))
            return None, None, None
        agent = self._allocate(ticket)
        if agent is None:
            self._waiting.append((index, ticket))
            return None, None, None
        self._took(agent)
        return agent, None, None

    def _allocate(self, ticket: Ticket) -> str | None:
        """The allocator's choice for ``ticket``; the rotation state moves on when it chose."""
        if self._rotation:
            agent = RoundRobin.next_agent(self._pool, self._last)
            if agent is not None:
                self._last = agent
            return agent
        result = self._allocator.allocate(ticket, self._pool, self._state)
        if result.agent is not None:
            self._state = result.state
        return result.agent

    def started(self, index: int, agent: str, t: float) -> None:
        """Nothing to record: the engine keeps the first response."""

    def finished(
        self, index: int, agent: str, t: float, pending: bool, waiting: Collection[int]
    ) -> HandOuts:
        """Close (or keep pending) and offer the waiting tickets again."""
        if pending:
            return []
        return self.closed(index, agent, t, waiting)

    def closed(self, index: int, agent: str, t: float, waiting: Collection[int]) -> HandOuts:
        """Free the agent's capacity and offer the waiting tickets again, oldest first."""
        self._freed(agent)
        queue = self._waiting
        if not queue:
            return []
        out: HandOuts = []
        while queue and self._full < self._n:
            given = self._allocate(queue[0][1])
            if given is None:  # pragma: no cover - someone has room, by the contract
                break
            out.append((queue.popleft()[0], given))
            self._took(given)
        return out

    def presence(self, agent: str, online: bool, t: float) -> HandOuts:  # pragma: no cover
        """Never called: queueing mode has no shifts."""
        raise NotImplementedError("queueing mode has no shifts")

    def opening(self, t: float) -> HandOuts:  # pragma: no cover
        """Never called: queueing mode has no office hours."""
        raise NotImplementedError("queueing mode has no office hours")
