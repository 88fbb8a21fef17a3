"""The facts of an allocation step, and the one place their reason sentences are written.

:class:`~helpdesk_routing.allocation.RoundRobin` and a store that takes the step itself
(the PostgreSQL route function, ``ports.RoundRobinInStore``) both produce a
:class:`RoundRobinStep`: who was chosen, after whom, who was passed over and why. The
readable sentence of an :class:`~helpdesk_routing.decision.AllocationTrace` is rendered
from it here, in Python, so a change of wording never touches a store's SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from helpdesk_routing._shown import shown as _shown

__all__ = [
    "SHOWN",
    "LeastLoadedStep",
    "PassedOver",
    "ReasonFacts",
    "RoundRobinStep",
    "nobody_reason",
    "passed_note",
]

SHOWN = 5
"""How many passed-over agents a reason names; the rest are counted."""


class ReasonFacts(Protocol):
    """The facts of an allocation, from which its reason sentence is rendered on demand.

    An allocator may hand these to :class:`~helpdesk_routing.allocation.Allocation`
    instead of a finished sentence: ``Allocation.reason`` then calls :meth:`reason` the
    first time it is read, so a caller that never reads it (the simulator) never pays
    for the sentence. The facts must be immutable values taken when the step was made,
    never live reads of a pool whose counters move on.
    """

    def reason(self) -> str:
        """The readable sentence these facts say."""
        ...


@dataclass(frozen=True, slots=True)
class PassedOver:
    """An agent the rotation passed over: Offline, or Online at capacity.

    ``load`` and ``capacity`` are set for an Online agent at capacity (``None`` otherwise).
    """

    agent: str
    online: bool
    load: int | None = None
    capacity: int | None = None

    def text(self) -> str:
        """``"a3 offline"`` or ``"a3 full (2/2 open or pending)"``."""
        if not self.online:
            return f"{_shown(self.agent)} offline"
        return f"{_shown(self.agent)} full ({self.load}/{self.capacity} open or pending)"


def passed_note(shown: Sequence[PassedOver], passed: int) -> str:
    """``"; a3 offline, a4 full (2/2 open or pending)"`` for the agents passed over: the first
    :data:`SHOWN` named (``shown``), the others (``passed`` in all) counted."""
    if passed == 0:
        return ""
    named = ", ".join(p.text() for p in shown[:SHOWN])
    more = f" and {passed - SHOWN} more passed over" if passed > SHOWN else ""
    return f"; {named}{more}"


def nobody_reason(all_offline: bool) -> str:
    """Why a ticket waits: nobody eligible Online, or everyone Online at capacity."""
    if all_offline:
        return "nobody eligible is online; the ticket waits"
    return "every eligible agent is at capacity; the ticket waits"


@dataclass(frozen=True, slots=True)
class RoundRobinStep:
    """What one round-robin step did, as facts.

    ``agent`` is the agent chosen (``None``: the ticket waits); ``last`` the pool's
    ``RotationState.last`` before the step; ``shown`` the first :data:`SHOWN` agents
    passed over, in rotation order; ``passed`` how many were passed over in all;
    ``all_offline`` whether every agent passed over was Offline (also when the pool is
    empty).

    >>> RoundRobinStep(agent="a2", last="a1", shown=(PassedOver("a1", False),), passed=1,
    ...                all_offline=True).reason()
    'a2: next online agent after a1 in rotation; a1 offline'
    """

    agent: str | None
    last: str | None
    shown: tuple[PassedOver, ...] = ()
    passed: int = 0
    all_offline: bool = True

    def reason(self) -> str:
        """The step's readable sentence (an ``AllocationTrace.summary``)."""
        note = passed_note(self.shown, self.passed)
        if self.agent is None:
            return nobody_reason(self.all_offline) + note
        agent = _shown(self.agent)
        if self.last is None:
            return f"{agent}: first online agent in rotation{note}"
        return f"{agent}: next online agent after {_shown(self.last)} in rotation{note}"


@dataclass(frozen=True, slots=True)
class LeastLoadedStep:
    """What one least-loaded step did, as facts.

    ``agent`` is the agent chosen (``None``: the ticket waits) and ``load`` their open
    load when chosen; ``last`` the pool's ``RotationState.last`` before the step (ties
    are broken by rotation after it); ``all_offline``, when nobody was chosen, whether
    nobody in the pool was Online (also when the pool is empty).

    >>> LeastLoadedStep(agent="a3", last="a1", load=0).reason()
    'a3: fewest open tickets (0); ties broken by rotation after a1'
    """

    agent: str | None
    last: str | None
    load: int = 0
    all_offline: bool = True

    def reason(self) -> str:
        """The step's readable sentence (an ``AllocationTrace.summary``)."""
        if self.agent is None:
            return nobody_reason(self.all_offline)
        after = "" if self.last is None else f" after {_shown(self.last)}"
        agent = _shown(self.agent)
        return f"{agent}: fewest open tickets ({self.load}); ties broken by rotation{after}"
