"""The queueing-only backend's shortcuts never change who gets a ticket."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk_routing.allocation import Allocation, Pool, RoundRobin
from helpdesk_routing.model import Ticket
from helpdesk_routing.records import RotationState
from helpdesk_routing.simulation import engine, run
from helpdesk_routing.simulation.policies import Policy, policy_for
from helpdesk_routing.simulation.scenario import Scenario

from .conftest import mmc


class _Delegating:
    """RoundRobin behind another type: the backend must ask it through ``allocate``."""

    def __init__(self) -> None:
        self.calls = 0
        self._inner = RoundRobin()

    def allocate(self, ticket: Ticket, pool: Pool, state: RotationState) -> Allocation:
        self.calls += 1
        return self._inner.allocate(ticket, pool, state)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    c=st.integers(min_value=1, max_value=6),
    rho=st.floats(min_value=0.3, max_value=1.1),
    policy=st.sampled_from(["pooled", "round_robin"]),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_round_robins_shortcut_gives_the_records_of_its_allocate(
    c: int, rho: float, policy: str, seed: int
) -> None:
    """RoundRobin taken through its step gives the records of RoundRobin asked via allocate."""
    scenario = mmc(c, rho, 400, policy=policy)
    fast = run(scenario, seed)
    delegating = _Delegating()

    def through_allocate(s: Scenario, run_seed: int) -> Policy:
        own = policy_for(s, run_seed)
        return Policy(own.name, delegating, own.capacity)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "policy_for", through_allocate)
        slow = run(scenario, seed)
    assert delegating.calls > 0
    assert slow.records == fast.records
