"""The policies: RandomSplit is a pure, seeded allocator; names map to allocators."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.allocation import LeastLoaded, Pool, RoundRobin
from helpdesk_routing.model import Ticket
from helpdesk_routing.records import RotationState
from helpdesk_routing.simulation import RandomSplit
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
