"""Properties of the pure allocators: RoundRobin and LeastLoaded."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.allocation import Allocation, Allocator, LeastLoaded, Pool, RoundRobin
from helpdesk_routing.model import Ticket
from helpdesk_routing.records import RotationState

TICKET = Ticket(id="t1", channel="email", created_at=datetime(2026, 3, 30, 9, tzinfo=UTC))
ALLOCATORS = [
    pytest.param(RoundRobin(), id="round_robin"),
    pytest.param(LeastLoaded(), id="least_loaded"),
]

agent_ids = st.lists(st.sampled_from([f"a{i}" for i in range(10)]), unique=True, max_size=8)


def run(
    allocator: Allocator,
    pool_ids: list[str],
    tickets: int,
    loads: dict[str, int],
    caps: dict[str, int | None],
    state: RotationState,
) -> tuple[list[str | None], RotationState]:
    """Allocate ``tickets`` tickets one by one, each choice adding one to the chosen load."""
    chosen: list[str | None] = []
    for _ in range(tickets):
        pool = Pool.of(pool_ids, loads=loads, capacities=caps)
        result = allocator.allocate(TICKET, pool, state)
        chosen.append(result.agent)
        state = result.state
        if result.agent is not None:
            loads[result.agent] = loads.get(result.agent, 0) + 1
    return chosen, state


def test_round_robin_takes_the_next_id_after_last() -> None:
    """RoundRobin gives the ticket to the first id greater than state.last, wrapping around."""
    pool = Pool.of(["a1", "a3", "a5"])
    rr = RoundRobin()
    assert rr.allocate(TICKET, pool, RotationState()).agent == "a1"
    assert rr.allocate(TICKET, pool, RotationState(last="a1")).agent == "a3"
    assert rr.allocate(TICKET, pool, RotationState(last="a2")).agent == "a3"
    assert rr.allocate(TICKET, pool, RotationState(last="a5")).agent == "a1"
    assert rr.allocate(TICKET, pool, RotationState(last="a9")).agent == "a1"


def test_round_robin_reason_names_the_previous_agent() -> None:
    """The reason reads like 'a3: next online agent after a1 in rotation'."""
    result = RoundRobin().allocate(TICKET, Pool.of(["a1", "a3"]), RotationState(last="a1"))
    assert result == Allocation(
        "a3", RotationState(last="a3", given=1), "a3: next online agent after a1 in rotation"
    )


def test_round_robin_skips_full_agents_and_says_so() -> None:
    """A full agent is passed over and named in the reason."""
    pool = Pool.of(["a1", "a2", "a3"], loads={"a2": 2}, capacities={"a2": 2})
    result = RoundRobin().allocate(TICKET, pool, RotationState(last="a1"))
    assert result.agent == "a3"
    assert (
        result.reason == "a3: next online agent after a1 in rotation; a2 full (2/2 open or pending)"
    )


def test_round_robin_skips_offline_members_and_says_so() -> None:
    """In a team pool an Offline member is passed over and named in the reason."""
    pool = Pool.of(["a1", "a2", "a3"], offline={"a2", "a3"})
    result = RoundRobin().allocate(TICKET, pool, RotationState(last="a1"))
    assert result.agent == "a1"
    assert result.reason == "a1: next online agent after a1 in rotation; a2 offline, a3 offline"


@pytest.mark.parametrize("allocator", ALLOCATORS)
def test_nobody_online_in_a_team_pool_gives_nobody(allocator: Allocator) -> None:
    """A team pool whose members are all Offline gives nobody."""
    result = allocator.allocate(
        TICKET, Pool.of(["a1", "a2"], offline={"a1", "a2"}), RotationState()
    )
    assert result.agent is None
    assert result.reason.startswith("nobody eligible is online; the ticket waits")


@pytest.mark.parametrize("allocator", ALLOCATORS)
def test_empty_pool_gives_nobody_and_keeps_state(allocator: Allocator) -> None:
    """With nobody eligible the ticket waits and the rotation state is unchanged."""
    state = RotationState(last="a1", given=4)
    result = allocator.allocate(TICKET, Pool.of([]), state)
    assert result.agent is None
    assert result.state == state
    assert result.reason == "nobody eligible is online; the ticket waits"


@pytest.mark.parametrize("allocator", ALLOCATORS)
def test_everyone_full_gives_nobody_and_keeps_state(allocator: Allocator) -> None:
    """When every eligible agent is at capacity the ticket waits."""
    state = RotationState(last="a1", given=4)
    pool = Pool.of(["a1", "a2"], loads={"a1": 1, "a2": 3}, default_capacity=1)
    result = allocator.allocate(TICKET, pool, state)
    assert result.agent is None
    assert result.state == state
    assert result.reason.startswith("every eligible agent is at capacity; the ticket waits")


@pytest.mark.parametrize("allocator", ALLOCATORS)
@given(
    ids=agent_ids,
    tickets=st.integers(0, 30),
    loads=st.dictionaries(st.sampled_from([f"a{i}" for i in range(10)]), st.integers(0, 4)),
    caps=st.dictionaries(
        st.sampled_from([f"a{i}" for i in range(10)]), st.one_of(st.none(), st.integers(0, 5))
    ),
    last=st.one_of(st.none(), st.sampled_from([f"a{i}" for i in range(10)])),
    offline=st.frozensets(st.sampled_from([f"a{i}" for i in range(10)])),
)
def test_never_an_ineligible_or_full_agent(
    allocator: Allocator,
    ids: list[str],
    tickets: int,
    loads: dict[str, int],
    caps: dict[str, int | None],
    last: str | None,
    offline: frozenset[str],
) -> None:
    """Every choice is an Online pool member below capacity; nobody only if none is eligible."""
    state = RotationState(last=last)
    for _ in range(tickets):
        pool = Pool.of(ids, loads=loads, capacities=caps, offline=offline)
        result = allocator.allocate(TICKET, pool, state)
        if result.agent is None:
            assert not any(pool.eligible(a) for a in ids)
            assert result.state == state
        else:
            assert result.agent in ids
            assert result.agent not in offline
            assert pool.has_room(result.agent)
            assert result.state.last == result.agent
            assert result.state.given == state.given + 1
            loads[result.agent] = loads.get(result.agent, 0) + 1
        state = result.state


@given(
    ids=agent_ids.filter(bool),
    tickets=st.integers(0, 40),
    last=st.one_of(st.none(), st.sampled_from([f"a{i}" for i in range(10)])),
)
def test_round_robin_counts_differ_by_at_most_one(
    ids: list[str], tickets: int, last: str | None
) -> None:
    """Without capacity limits, round robin over a fixed pool keeps counts within one."""
    chosen, _ = run(RoundRobin(), ids, tickets, {}, {}, RotationState(last=last))
    counts = Counter(chosen)
    per_agent = [counts.get(a, 0) for a in ids]
    assert max(per_agent) - min(per_agent) <= 1


@given(
    stayed=st.lists(st.sampled_from(["a0", "a2", "a4", "a6", "a8"]), unique=True, min_size=1),
    # Visitors' ids fall between the stayers', so they take turns inside the rotation.
    visitors=st.lists(
        st.tuples(st.sampled_from(["a1", "a3", "a5", "a7"]), st.booleans()), max_size=40
    ),
)
def test_round_robin_is_fair_to_agents_who_stay_while_others_come_and_go(
    stayed: list[str], visitors: list[tuple[str, bool]]
) -> None:
    """Agents online throughout get counts within one, however others come and go."""
    online = set(stayed)
    state = RotationState()
    counts: Counter[str] = Counter()
    for visitor, joins in visitors:
        if joins:
            online.add(visitor)
        else:
            online.discard(visitor)
        result = RoundRobin().allocate(TICKET, Pool.of(sorted(online)), state)
        assert result.agent is not None
        counts[result.agent] += 1
        state = result.state
    per_agent = [counts[a] for a in stayed]
    assert max(per_agent) - min(per_agent) <= 1


@given(ids=agent_ids.filter(bool), tickets=st.integers(0, 40))
def test_least_loaded_keeps_loads_within_one_when_tickets_only_arrive(
    ids: list[str], tickets: int
) -> None:
    """Starting level, LeastLoaded keeps every online agent's load within one of the others."""
    loads: dict[str, int] = {}
    state = RotationState()
    for _ in range(tickets):
        result = LeastLoaded().allocate(TICKET, Pool.of(ids, loads=loads), state)
        assert result.agent is not None
        loads[result.agent] = loads.get(result.agent, 0) + 1
        state = result.state
        per_agent = [loads.get(a, 0) for a in ids]
        assert max(per_agent) - min(per_agent) <= 1


@given(
    ids=agent_ids.filter(bool),
    loads=st.dictionaries(st.sampled_from([f"a{i}" for i in range(10)]), st.integers(0, 4)),
)
def test_least_loaded_picks_a_minimum_load(ids: list[str], loads: dict[str, int]) -> None:
    """LeastLoaded's choice has the smallest load in the pool."""
    pool = Pool.of(ids, loads=loads)
    result = LeastLoaded().allocate(TICKET, pool, RotationState())
    assert result.agent is not None
    assert pool.load(result.agent) == min(pool.load(a) for a in ids)


def test_least_loaded_breaks_ties_by_rotation() -> None:
    """Among equally loaded agents the first after state.last in id order wins."""
    pool = Pool.of(["a1", "a2", "a3"], loads={"a1": 0, "a2": 1, "a3": 0})
    result = LeastLoaded().allocate(TICKET, pool, RotationState(last="a1"))
    assert result.agent == "a3"
    assert result.reason == "a3: fewest open tickets (0); ties broken by rotation after a1"
    assert LeastLoaded().allocate(TICKET, pool, RotationState(last="a3")).agent == "a1"


@pytest.mark.parametrize("allocator", ALLOCATORS)
@given(ids=agent_ids, last=st.one_of(st.none(), st.sampled_from(["a0", "a5", "z"])))
def test_allocators_are_pure(allocator: Allocator, ids: list[str], last: str | None) -> None:
    """The same arguments give the same answer, and the input state is not changed."""
    state = RotationState(last=last, given=3)
    pool = Pool.of(ids, loads={"a1": 2})
    assert allocator.allocate(TICKET, pool, state) == allocator.allocate(TICKET, pool, state)
    assert state == RotationState(last=last, given=3)


def test_pool_of_sorts_ids_and_defaults_capacity() -> None:
    """Pool.of sorts ids, defaults loads to 0 and capacity to the default given."""
    pool = Pool.of(["b", "a"], capacities={"a": 2}, default_capacity=5)
    assert tuple(pool.ids) == ("a", "b")
    assert (pool.load("a"), pool.capacity("a"), pool.capacity("b")) == (0, 2, 5)
