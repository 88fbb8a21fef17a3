"""The allocation policies a simulation compares, built from the library's own allocators.

``round_robin`` and ``least_loaded`` are :class:`~helpdesk_routing.allocation.RoundRobin`
and :class:`~helpdesk_routing.allocation.LeastLoaded`; ``pooled`` is ``RoundRobin`` with a
capacity of one open ticket per agent (the Router then hands the oldest waiting ticket to
whoever frees up); ``random`` is :class:`RandomSplit`, defined here because production has
no use for it: it is the M/M/1 baseline of the classic comparison.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from helpdesk_routing.allocation import Allocation, Allocator, LeastLoaded, Pool, RoundRobin
from helpdesk_routing.model import Ticket
from helpdesk_routing.records import RotationState

from .scenario import PolicyName, Scenario

__all__ = ["Policy", "RandomSplit", "policy_for"]

_MASK = (1 << 64) - 1


def _mix64(x: int) -> int:
    """SplitMix64's finaliser: a fixed, well-spread bijection of 64-bit integers."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


class RandomSplit:
    """Gives each ticket to an eligible agent drawn uniformly at random (seeded).

    Pure like every allocator: the draw is a hash of ``seed``, the pool's name and its
    hand-out count ``state.given``, so the same arguments give the same agent, and two
    pools draw independently (without the name, the k-th ticket of every team went to
    the same place in its members: two teams of the same agents always to the same).

    >>> from datetime import UTC, datetime
    >>> t = Ticket(id="t1", channel="email", created_at=datetime(2026, 1, 1, tzinfo=UTC))
    >>> RandomSplit(seed=1).allocate(t, Pool.of(["a1"]), RotationState()).agent
    'a1'
    """

    def __init__(self, seed: int) -> None:
        self._seed = _mix64(seed & _MASK)
        self._pools: dict[str, int] = {}  # a pool's name as 64 bits, made once

    def allocate(self, ticket: Ticket, pool: Pool, state: RotationState) -> Allocation:
        """Choose an eligible agent at random; the ticket waits when there is none."""
        eligible = [a for a in pool.ids if pool.eligible(a)]
        if not eligible:
            return Allocation(None, state, "nobody eligible has room; the ticket waits")
        key = self._pools.get(pool.name)
        if key is None:
            digest = hashlib.blake2b(pool.name.encode("utf-8", "surrogatepass"), digest_size=8)
            key = self._pools[pool.name] = int.from_bytes(digest.digest(), "big")
        draw = _mix64(self._seed ^ _mix64(key ^ (state.given & _MASK)))
        agent = eligible[draw % len(eligible)]
        new = RotationState(last=agent, given=state.given + 1, extra=state.extra)
        return Allocation(agent, new, f"{agent}: drawn at random among {len(eligible)}")


@dataclass(frozen=True, slots=True)
class Policy:
    """An allocator and the default capacity it runs with."""

    name: PolicyName
    allocator: Allocator
    capacity: int | None

    def agent_capacity(self, own: int | None) -> int | None:
        """An agent's capacity under this policy, given their own (``None``: the default).

        ``pooled`` is capacity one for everybody, whatever the agents' own (an agent of
        capacity 0 stays at 0): else it would not be pooling.
        """
        if self.name == "pooled":
            return 1 if own is None else min(own, 1)
        return own


def policy_for(scenario: Scenario, seed: int) -> Policy:
    """The allocator and capacity of the scenario's policy (``seed`` seeds ``random``)."""
    cfg = scenario.configuration
    name = scenario.policy
    if name == "configured":
        allocator: Allocator = LeastLoaded() if cfg.allocator == "least_loaded" else RoundRobin()
        return Policy(name, allocator, cfg.capacity)
    if name == "pooled":
        return Policy(name, RoundRobin(), 1)
    if name == "least_loaded":
        return Policy(name, LeastLoaded(), cfg.capacity)
    if name == "random":
        return Policy(name, RandomSplit(seed), cfg.capacity)
    return Policy(name, RoundRobin(), cfg.capacity)
