"""The facts of a round-robin step and the one renderer of their reason sentence."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.allocation import PassedOver, Pool, RoundRobin, RoundRobinStep
from helpdesk_routing.model import Ticket
from helpdesk_routing.records import RotationState

TICKET = Ticket(id="t1", channel="email", created_at=datetime(2026, 3, 30, 9, tzinfo=UTC))
IDS = [f"a{i}" for i in range(9)]


def test_a_passed_over_agent_reads_offline_or_full() -> None:
    """An Offline agent reads 'a3 offline'; one at capacity 'a3 full (2/2 open or pending)'."""
    assert PassedOver("a3", online=False).text() == "a3 offline"
    assert (
        PassedOver("a3", online=True, load=2, capacity=2).text() == "a3 full (2/2 open or pending)"
    )


def test_the_reason_names_five_passed_over_and_counts_the_rest() -> None:
    """Seven agents passed over: five are named, 'and 2 more passed over'."""
    shown = tuple(PassedOver(f"b{i}", online=False) for i in range(5))
    step = RoundRobinStep(agent="c", last="a", shown=shown, passed=7, all_offline=True)
    assert step.reason() == (
        "c: next online agent after a in rotation; b0 offline, b1 offline, b2 offline, "
        "b3 offline, b4 offline and 2 more passed over"
    )


def test_a_waiting_ticket_says_whether_anyone_was_online() -> None:
    """Nobody chosen: 'nobody eligible is online' when all were Offline, else 'at capacity'."""
    offline = RoundRobinStep(agent=None, last=None, shown=(), passed=0, all_offline=True)
    full = RoundRobinStep(
        agent=None,
        last="a1",
        shown=(PassedOver("a1", online=True, load=1, capacity=1),),
        passed=1,
        all_offline=False,
    )
    assert offline.reason() == "nobody eligible is online; the ticket waits"
    assert full.reason() == (
        "every eligible agent is at capacity; the ticket waits; a1 full (1/1 open or pending)"
    )


@given(
    ids=st.lists(st.sampled_from(IDS), unique=True, max_size=8),
    offline=st.sets(st.sampled_from(IDS)),
    loads=st.dictionaries(st.sampled_from(IDS), st.integers(0, 2)),
    cap=st.none() | st.integers(0, 2),
    last=st.none() | st.sampled_from([*IDS, "a", "z"]),
)
def test_round_robin_renders_its_reason_from_its_step(
    ids: list[str], offline: set[str], loads: dict[str, int], cap: int | None, last: str | None
) -> None:
    """RoundRobin's allocation is exactly its step's agent and the step's rendered reason,
    and the step's facts agree with the pool (the shown agents are the ineligible ones)."""
    pool = Pool.of(ids, loads=loads, default_capacity=cap, offline=offline)
    state = RotationState(last=last)
    step = RoundRobin.step(pool, state)
    result = RoundRobin().allocate(TICKET, pool, state)
    assert (result.agent, result.reason) == (step.agent, step.reason())
    assert step.last == last
    assert len(step.shown) == min(step.passed, 5)
    assert all(not pool.eligible(p.agent) for p in step.shown)
    assert step.passed == (len(ids) if step.agent is None else step.passed)
    if step.agent is None:
        assert step.all_offline == all(not pool.online(a) for a in ids)


@given(
    ids=st.lists(st.sampled_from(IDS), unique=True, max_size=8),
    offline=st.sets(st.sampled_from(IDS)),
    loads=st.dictionaries(st.sampled_from(IDS), st.integers(0, 2)),
    cap=st.none() | st.integers(0, 2),
    last=st.none() | st.sampled_from([*IDS, "a", "z"]),
)
def test_next_agent_is_the_agent_of_the_step(
    ids: list[str], offline: set[str], loads: dict[str, int], cap: int | None, last: str | None
) -> None:
    """RoundRobin.next_agent (no facts) chooses exactly the agent RoundRobin.step chooses."""
    pool = Pool.of(ids, loads=loads, default_capacity=cap, offline=offline)
    assert (
        RoundRobin.next_agent(pool, last) == RoundRobin.step(pool, RotationState(last=last)).agent
    )
