"""The policies: RandomSplit is a pure, seeded allocator; names map to allocators."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.allocation import LeastLoaded, Pool, RoundRobin
from helpdesk_routing.model import Ticket
from helpdesk_routing.records import RotationState
from helpdesk_routing.simulation import RandomSplit, Scenario, run
from helpdesk_routing.simulation.policies import policy_for

from .conftest import mmc

TICKET = Ticket(id="t1", channel="email", created_at=datetime(2026, 1, 1, tzinfo=UTC))


@given(
    seed=st.integers(min_value=0, max_value=2**63), given_=st.integers(min_value=0, max_value=10**6)
)
def test_random_split_is_pure_and_picks_an_eligible_agent(seed: int, given_: int) -> None:
    """Same arguments, same agent; never a full agent; the hand-out count moves by one."""
    pool = Pool.of(["a1", "a2", "a3"], loads={"a2": 1}, capacities={"a2": 1})
    state = RotationState(given=given_)
    first = RandomSplit(seed).allocate(TICKET, pool, state)
    again = RandomSplit(seed).allocate(TICKET, pool, state)
    assert first == again
    assert first.agent in {"a1", "a3"}
    assert first.state.given == given_ + 1


def test_random_split_waits_when_nobody_has_room() -> None:
    """With every agent full the ticket waits and the state is unchanged."""
    pool = Pool.of(["a1"], loads={"a1": 1}, default_capacity=1)
    result = RandomSplit(1).allocate(TICKET, pool, RotationState())
    assert result.agent is None
    assert result.state == RotationState()


def test_random_split_spreads_evenly() -> None:
    """Over 8,000 hand-outs each of four agents gets between 22% and 28%."""
    pool = Pool.of(["a1", "a2", "a3", "a4"])
    split, state, counts = RandomSplit(42), RotationState(), Counter[str]()
    for _ in range(8000):
        result = split.allocate(TICKET, pool, state)
        state = result.state
        counts[str(result.agent)] += 1
    assert all(1760 < n < 2240 for n in counts.values())


def test_policy_names_map_to_the_library_allocators() -> None:
    """configured follows the configuration; pooled is round robin with capacity one."""
    s = mmc(2, 0.5, 10)
    assert isinstance(policy_for(s.with_policy("configured"), 1).allocator, RoundRobin)
    ll = s.model_copy(
        update={"configuration": s.configuration.model_copy(update={"allocator": "least_loaded"})}
    )
    assert isinstance(policy_for(ll.with_policy("configured"), 1).allocator, LeastLoaded)
    assert isinstance(policy_for(s.with_policy("least_loaded"), 1).allocator, LeastLoaded)
    pooled = policy_for(s.with_policy("pooled"), 1)
    assert isinstance(pooled.allocator, RoundRobin)
    assert pooled.capacity == 1
    assert isinstance(policy_for(s.with_policy("random"), 1).allocator, RandomSplit)


@pytest.mark.parametrize("mode", ["router", "queueing"])
def test_pooled_is_capacity_one_whatever_the_agents_own(mode: str) -> None:
    """Agents of capacity 5 pool like agents without one: no ticket is assigned to a busy
    agent, and the records are those of the default (an agent's own capacity overrode
    pooled's one before: 1,506 of 3,000 tickets queued behind busy agents). An agent of
    capacity 0 still takes nothing."""

    def scenario(capacities: list[int | None]) -> Scenario:
        data = mmc(len(capacities), 0.8, 2000, policy="pooled", mode=mode, warmup=0).model_dump()
        data["agents"] = [{"id": f"a{i}", "capacity": c} for i, c in enumerate(capacities)]
        return Scenario.model_validate(data)

    own, default = run(scenario([5, 5]), 1).records, run(scenario([None, None]), 1).records
    assert own == default
    assert all(s == a for s, a in zip(own.started, own.assigned_at, strict=True))
    idle = run(scenario([5, 0]), 1).records
    assert "a1" not in idle.assignee
    pooled = policy_for(scenario([5, 0, None]), 1)
    assert [pooled.agent_capacity(c) for c in (5, 0, None)] == [1, 0, 1]
    assert policy_for(scenario([5]).with_policy("round_robin"), 1).agent_capacity(5) == 5
