"""Least loaded: the eligible agent with the fewest open tickets, ties broken by rotation."""

from __future__ import annotations

from bisect import bisect_right

from helpdesk_routing.model import Ticket
from helpdesk_routing.records import RotationState

from .base import Allocation, Pool
from .steps import LeastLoadedStep

__all__ = ["LeastLoaded"]


class LeastLoaded:
    """Gives each ticket to the eligible agent with the fewest open (or pending) tickets.

    Among equally loaded agents the first in rotation order after ``state.last`` wins,
    so ties rotate like :class:`~helpdesk_routing.allocation.RoundRobin`. It reads every
    eligible agent's load: its cost grows with the pool (round robin's does not).

    >>> from helpdesk_routing.model import Ticket
    >>> from datetime import UTC, datetime
    >>> t = Ticket(id="t1", channel="email", created_at=datetime(2026, 1, 1, tzinfo=UTC))
    >>> LeastLoaded().allocate(t, Pool.of(["a1", "a2"], loads={"a1": 2}), RotationState()).agent
    'a2'
    """

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def allocate(self, ticket: Ticket, pool: Pool, state: RotationState) -> Allocation:
        """Choose the eligible agent with the least open load, ties by rotation.

        The reason is a :class:`~helpdesk_routing.allocation.LeastLoadedStep`, rendered
        only when ``Allocation.reason`` is read.
        """
        ids = pool.ids
        n = len(ids)
        if n == 0:
            return Allocation(None, state, LeastLoadedStep(None, state.last))
        start = 0 if state.last is None else bisect_right(ids, state.last)
        best: str | None = None
        best_load = 0
        for step in range(n):
            agent = ids[(start + step) % n]
            if not pool.eligible(agent):
                continue
            load = pool.load(agent)
            if best is None or load < best_load:
                best, best_load = agent, load
        if best is None:
            offline = all(not pool.online(a) for a in ids)
            return Allocation(None, state, LeastLoadedStep(None, state.last, all_offline=offline))
        new = RotationState(last=best, given=state.given + 1, extra=state.extra)
        return Allocation(best, new, LeastLoadedStep(best, state.last, best_load))
