"""The allocator contract: a pure choice among eligible agents, and the pool it reads.

An allocator never touches a store or a clock. The Router builds a :class:`Pool`
(the eligible Online agents, ascending, with lazy reads of their open load and
capacity), passes the pool's :class:`~helpdesk_routing.records.RotationState`, and
writes back the new state the allocator returns.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import FrozenInstanceError, dataclass
from typing import Protocol

from helpdesk_routing.model import Ticket
from helpdesk_routing.records import RotationState

from .steps import PassedOver, ReasonFacts

__all__ = ["Allocation", "Allocator", "Pool"]


def _everyone_online(agent_id: str) -> bool:
    """A pool's ``online`` when every agent in it is Online (the global pool's): always
    ``True``. The round-robin walks know it by identity and skip the call."""
    return True


@dataclass(frozen=True, slots=True, init=False)
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
    online: Callable[[str], bool] = _everyone_online

    # The dataclass's own __init__, less its cost: a frozen dataclass sets each field
    # through object.__setattr__, twice what the slot's own descriptor costs, on a pool
    # built per route. Nothing is checked either way.
    def __init__(
        self,
        name: str,
        ids: Sequence[str],
        load: Callable[[str], int],
        capacity: Callable[[str], int | None],
        online: Callable[[str], bool] = _everyone_online,
    ) -> None:
        _set_name(self, name)
        _set_ids(self, ids)
        _set_load(self, load)
        _set_capacity(self, capacity)
        _set_online(self, online)

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
        """Why an agent was passed over: ``"a3 offline"`` or ``"a3 full (2/2 open or pending)"``."""
        return self.passed_over(agent_id).text()


_set_name, _set_ids, _set_load, _set_capacity, _set_online = (
    Pool.__dict__[field].__set__ for field in ("name", "ids", "load", "capacity", "online")
)


class Allocation:
    """An allocator's answer: the agent (or ``None``: the ticket waits), the pool's new
    rotation state, and one readable sentence saying why.

    ``reason`` may be given as a finished ``str`` or as :class:`ReasonFacts` (what the
    shipped allocators return): the sentence is then rendered the first time
    :attr:`reason` is read, and kept. Either way :attr:`reason` reads as a ``str``, and
    equality, hashing and ``repr`` use the sentence, so an allocation built from facts
    equals one built from the same sentence. Immutable.

    >>> from helpdesk_routing.records import RotationState
    >>> Allocation(None, RotationState(), "nobody eligible is online; the ticket waits").reason
    'nobody eligible is online; the ticket waits'
    """

    __slots__ = ("_reason", "agent", "state")

    agent: str | None
    state: RotationState
    _reason: str | ReasonFacts

    def __init__(self, agent: str | None, state: RotationState, reason: str | ReasonFacts) -> None:
        """An allocation of ``agent`` (``None``: nobody) with the pool's new ``state``."""
        setter = object.__setattr__
        setter(self, "agent", agent)
        setter(self, "state", state)
        setter(self, "_reason", reason)

    @property
    def reason(self) -> str:
        """The readable sentence saying why (rendered from the facts on first read)."""
        reason = self._reason
        if isinstance(reason, str):
            return reason
        text = reason.reason()
        object.__setattr__(self, "_reason", text)
        return text

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Allocation):
            return NotImplemented
        return (self.agent, self.state, self.reason) == (other.agent, other.state, other.reason)

    def __hash__(self) -> int:
        return hash((self.agent, self.state, self.reason))

    def __repr__(self) -> str:
        return f"Allocation(agent={self.agent!r}, state={self.state!r}, reason={self.reason!r})"

    def __reduce__(self) -> tuple[type[Allocation], tuple[str | None, RotationState, str]]:
        return (Allocation, (self.agent, self.state, self.reason))


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
