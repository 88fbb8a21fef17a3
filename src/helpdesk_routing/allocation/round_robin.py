"""Round robin: the next Online agent after the last one given a ticket, in id order."""

from __future__ import annotations

from bisect import bisect_right

from helpdesk_routing.model import Ticket
from helpdesk_routing.records import RotationState

from .base import Allocation, Pool, skipped_note

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
        ids = pool.ids
        n = len(ids)
        if n == 0:
            return Allocation(None, state, "nobody eligible is online; the ticket waits")
        start = 0 if state.last is None else bisect_right(ids, state.last)
        passed: list[str] = []
        for step in range(n):
            agent = ids[(start + step) % n]
            if pool.eligible(agent):
                if state.last is None:
                    why = f"{agent}: first online agent in rotation"
                else:
                    why = f"{agent}: next online agent after {state.last} in rotation"
                new = RotationState(last=agent, given=state.given + 1, extra=state.extra)
                return Allocation(agent, new, why + skipped_note(passed, pool))
            passed.append(agent)
        return Allocation(None, state, _nobody(passed, pool))


def _nobody(passed: list[str], pool: Pool) -> str:
    if all(not pool.online(a) for a in passed):
        return "nobody eligible is online; the ticket waits" + skipped_note(passed, pool)
    return "every eligible agent is at capacity; the ticket waits" + skipped_note(passed, pool)
