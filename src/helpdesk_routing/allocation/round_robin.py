"""Round robin: the next Online agent after the last one given a ticket, in id order."""

from __future__ import annotations

from bisect import bisect_right

from helpdesk_routing.model import Ticket
from helpdesk_routing.records import RotationState

from .base import Allocation, Pool
from .steps import SHOWN, RoundRobinStep

__all__ = ["RoundRobin"]


class RoundRobin:
    """The seeds' rule: each ticket goes to the next eligible agent after ``state.last``.

    The order is the ascending order of agent ids, wrapping around. ``state.last`` need
    not be in the pool any more (the agent went Offline): the next id after it is still
    well defined, so agents coming and going never make the rotation skip or repeat
    anyone who stayed. Offline agents (in a team pool) and agents at capacity are passed
    over; when all are, the ticket waits. Finding the next agent is a binary search and
    a walk past the agents passed over, never a scan of the whole pool.

    >>> from helpdesk_routing.model import Ticket
    >>> from datetime import UTC, datetime
    >>> t = Ticket(id="t1", channel="email", created_at=datetime(2026, 1, 1, tzinfo=UTC))
    >>> RoundRobin().allocate(t, Pool.of(["a1", "a2"]), RotationState(last="a1")).agent
    'a2'
    """

    def allocate(self, ticket: Ticket, pool: Pool, state: RotationState) -> Allocation:
        """Choose the next eligible agent after ``state.last`` in the pool's order."""
        step = self.step(pool, state)
        if step.agent is None:
            return Allocation(None, state, step.reason())
        new = RotationState(last=step.agent, given=state.given + 1, extra=state.extra)
        return Allocation(step.agent, new, step.reason())

    @staticmethod
    def step(pool: Pool, state: RotationState) -> RoundRobinStep:
        """The facts of the step :meth:`allocate` takes (its reason is rendered from them)."""
        ids = pool.ids
        n = len(ids)
        start = 0 if state.last is None or n == 0 else bisect_right(ids, state.last)
        passed: list[str] = []
        all_offline = True
        for i in range(n):
            agent = ids[(start + i) % n]
            if pool.eligible(agent):
                return _step(agent, state.last, passed, all_offline, pool)
            all_offline = all_offline and not pool.online(agent)
            passed.append(agent)
        return _step(None, state.last, passed, all_offline, pool)


def _step(
    agent: str | None, last: str | None, passed: list[str], all_offline: bool, pool: Pool
) -> RoundRobinStep:
    shown = tuple(pool.passed_over(a) for a in passed[:SHOWN])
    return RoundRobinStep(
        agent=agent, last=last, shown=shown, passed=len(passed), all_offline=all_offline
    )
