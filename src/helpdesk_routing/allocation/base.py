"""The allocator contract: a pure choice among eligible agents, and the pool it reads.

An allocator never touches a store or a clock. The Router builds a :class:`Pool`
(the eligible Online agents, ascending, with lazy reads of their open load and
capacity), passes the pool's :class:`~helpdesk_routing.records.RotationState`, and
writes back the new state the allocator returns.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from helpdesk_routing.model import Ticket
from helpdesk_routing.records import RotationState

from .steps import PassedOver

__all__ = ["Allocation", "Allocator", "Pool"]


@dataclass(frozen=True, slots=True)
class Pool:
    """A read-only view of the agents that may get a ticket.

    ``ids`` are the pool's agents in ascending order: the stable rotation order. For
    the global pool they are the Online agents; for a team, all its members, and
    ``online`` tells who is Online. ``online``, ``load`` and ``capacity`` are read
    lazily, only for the agents an allocator looks at, so a pool of 10,000 agents costs
    no more to build or to serve than one of 10. ``capacity`` returns ``None`` for no limit.
    """

    name: str
    ids: Sequence[str]
    load: Callable[[str], int]
    capacity: Callable[[str], int | None]
    online: Callable[[str], bool] = lambda agent_id: True

    @classmethod
    def of(
        cls,
        ids: Sequence[str],
        *,
        name: str = "global",
        loads: Mapping[str, int] | None = None,
        capacities: Mapping[str, int | None] | None = None,
        default_capacity: int | None = None,
        offline: Collection[str] = (),
    ) -> Pool:
        """A pool from plain data: ``ids`` (sorted here), loads (default 0), capacities,
        and the ids among them that are ``offline``.

        >>> Pool.of(["a2", "a1"], loads={"a1": 3}).ids
        ('a1', 'a2')
        """
        load_map = dict(loads or {})
        cap_map = dict(capacities or {})
        away = frozenset(offline)
        return cls(
            name=name,
            ids=tuple(sorted(ids)),
            load=lambda a: load_map.get(a, 0),
            capacity=lambda a: cap_map.get(a, default_capacity),
            online=lambda a: a not in away,
        )

    def has_room(self, agent_id: str) -> bool:
        """Whether the agent is below their capacity (always, when they have none)."""
        cap = self.capacity(agent_id)
        return cap is None or self.load(agent_id) < cap

    def eligible(self, agent_id: str) -> bool:
        """Whether the agent may get a ticket now: Online and with room."""
        return self.online(agent_id) and self.has_room(agent_id)

    def passed_over(self, agent_id: str) -> PassedOver:
        """The facts of why an agent was passed over: Offline, or its load and capacity."""
        if not self.online(agent_id):
            return PassedOver(agent_id, online=False)
        return PassedOver(
            agent_id, online=True, load=self.load(agent_id), capacity=self.capacity(agent_id)
        )

    def why_not(self, agent_id: str) -> str:
        """Why an agent was passed over: ``"a3 offline"`` or ``"a3 full (2/2 open)"``."""
        return self.passed_over(agent_id).text()


@dataclass(frozen=True, slots=True)
class Allocation:
    """An allocator's answer: the agent (or ``None``: the ticket waits), the pool's new
    rotation state, and one readable sentence saying why."""

    agent: str | None
    state: RotationState
    reason: str


class Allocator(Protocol):
    """Chooses an agent for a ticket: a pure function of (ticket, pool, rotation state).

    Contract: the choice is one of ``pool.ids`` that is eligible (Online, with room
    under its capacity), or ``None`` when there is none (then ``state`` is returned
    unchanged); the same arguments always give the same answer. ``RoundRobin`` and
    ``LeastLoaded`` ship; any object with this method can be passed to
    ``Router(allocator=...)``.
    """

    def allocate(self, ticket: Ticket, pool: Pool, state: RotationState) -> Allocation:
        """Choose an agent from ``pool`` for ``ticket`` and return the new rotation state."""
        ...
