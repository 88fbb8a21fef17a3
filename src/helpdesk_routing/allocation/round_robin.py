"""Round robin: the next Online agent after the last one given a ticket, in id order."""

from __future__ import annotations

from bisect import bisect_right
from typing import Final

from helpdesk_routing._trusted import assemble, shared_names
from helpdesk_routing.model import Ticket
from helpdesk_routing.records import RotationState

from .base import Allocation, Pool, _everyone_online
from .steps import SHOWN, PassedOver, RoundRobinStep

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

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def allocate(self, ticket: Ticket, pool: Pool, state: RotationState) -> Allocation:
        """Choose the next eligible agent after ``state.last`` in the pool's order.

        The reason is the step's facts, rendered only when ``Allocation.reason`` is read.
        """
        step = self.step(pool, state)
        if step.agent is None:
            return Allocation(None, state, step)
        return Allocation(step.agent, rotated(state, step.agent), step)

    @staticmethod
    def next_agent(pool: Pool, last: str | None) -> str | None:
        """The agent :meth:`allocate` chooses after ``last``, without the step's facts.

        For a caller that never reads the reason (the simulator): the first eligible
        agent (Online, below their capacity) after ``last`` in the pool's order, or
        ``None``. :meth:`step` walks the same way and is held to this by a property test.
        """
        ids = pool.ids
        n = len(ids)
        start = 0 if last is None or n == 0 else bisect_right(ids, last)
        online, load, capacity = pool.online, pool.load, pool.capacity
        everyone = online is _everyone_online  # the global pool: no call per agent
        for i in range(start, start + n):
            agent = ids[i - n if i >= n else i]
            if everyone or online(agent):
                cap = capacity(agent)
                if cap is None or load(agent) < cap:
                    return agent
        return None

    @staticmethod
    def step(pool: Pool, state: RotationState) -> RoundRobinStep:
        """The facts of the step :meth:`allocate` takes (its reason is rendered from them).

        An agent is eligible as :meth:`Pool.eligible` says (Online, and below their
        capacity); the facts of the first :data:`SHOWN` agents passed over are taken
        during the walk (:func:`walk`), the rest only counted.
        """
        agent, shown, passed, all_offline = walk(pool, state.last)
        return RoundRobinStep(
            agent, state.last, tuple(PassedOver(*p) for p in shown), passed, all_offline
        )


Passed = tuple[str, bool, int | None, int | None]
"""The facts of an agent passed over, as plain values: a :class:`PassedOver`'s fields."""

Walk = tuple[str | None, tuple[Passed, ...], int, bool]
"""What :func:`walk` found: a :class:`RoundRobinStep`'s fields after ``last``."""


def walk(pool: Pool, last: str | None) -> Walk:
    """The round-robin step after ``last`` as plain values: the agent chosen (``None``:
    the ticket waits), the first :data:`SHOWN` agents passed over, how many were passed
    over in all, and whether every one of them was Offline (also when the pool is empty).

    :meth:`RoundRobin.step` is these facts as a :class:`RoundRobinStep`; the library's
    own callers that render a step's reason once per distinct step read them as they
    are (``helpdesk_routing.handout``; not re-exported by ``helpdesk_routing.allocation``).
    """
    ids = pool.ids
    n = len(ids)
    start = 0 if last is None or n == 0 else bisect_right(ids, last)
    online, load, capacity = pool.online, pool.load, pool.capacity
    everyone = online is _everyone_online  # the global pool: no call per agent
    shown: list[Passed] = []
    passed = 0
    all_offline = True
    for i in range(n):
        agent = ids[(start + i) % n]
        if everyone or online(agent):
            cap = capacity(agent)
            if cap is None:
                return agent, tuple(shown), passed, all_offline
            open_now = load(agent)
            if open_now < cap:
                return agent, tuple(shown), passed, all_offline
            all_offline = False
            if passed < SHOWN:
                shown.append((agent, True, open_now, cap))
        elif passed < SHOWN:
            shown.append((agent, False, None, None))
        passed += 1
    return None, tuple(shown), passed, all_offline


def rotated(state: RotationState, agent: str) -> RotationState:
    """The rotation state after :meth:`RoundRobin.allocate` chose ``agent`` (its ``last``,
    one more ``given``), for the library's own callers that chose with
    :meth:`RoundRobin.next_agent` or :func:`walk` (not re-exported by
    ``helpdesk_routing.allocation``)."""
    # Built from values of the fields' types (no second validation on every route), all
    # three given, in field order (what ``_trusted.construct`` would find out per call,
    # written out: a route rotates once); ``extra`` is copied, as validation would, so no
    # two states share one dict. RotationState has no private attributes.
    values = {"last": agent, "given": state.given + 1, "extra": dict(state.extra)}
    return assemble(RotationState, values, _ALL_GIVEN, None)


_ALL_GIVEN: Final = shared_names(frozenset(RotationState.model_fields))
"""The fields-set of a state :func:`rotated` builds: every field given."""
