"""Allocation.reason is rendered from the allocator's facts only when read, and reads the same."""

from __future__ import annotations

import pickle
from bisect import bisect_right
from dataclasses import FrozenInstanceError
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.allocation import (
    Allocation,
    LeastLoaded,
    LeastLoadedStep,
    PassedOver,
    Pool,
    RoundRobin,
    RoundRobinStep,
)
from helpdesk_routing.model import Ticket
from helpdesk_routing.records import RotationState

TICKET = Ticket(id="t1", channel="email", created_at=datetime(2026, 3, 30, 9, tzinfo=UTC))
IDS = [f"a{i}" for i in range(12)]

pools = st.builds(
    lambda ids, offline, loads, cap: Pool.of(
        ids, loads=loads, default_capacity=cap, offline=offline
    ),
    ids=st.lists(st.sampled_from(IDS), unique=True, max_size=12),
    offline=st.sets(st.sampled_from(IDS)),
    loads=st.dictionaries(st.sampled_from(IDS), st.integers(0, 3)),
    cap=st.none() | st.integers(0, 3),
)
states = st.builds(
    RotationState, last=st.none() | st.sampled_from([*IDS, "a", "z"]), given=st.integers(0, 9)
)


def _rotation(pool: Pool, last: str | None) -> list[str]:
    ids = list(pool.ids)
    start = 0 if last is None or not ids else bisect_right(ids, last)
    return ids[start:] + ids[:start]


def _why_not(pool: Pool, agent: str) -> str:
    if not pool.online(agent):
        return f"{agent} offline"
    return f"{agent} full ({pool.load(agent)}/{pool.capacity(agent)} open or pending)"


def eager_round_robin_reason(pool: Pool, last: str | None) -> str:
    """The round-robin sentence written out eagerly, as the allocator wrote it before."""
    passed: list[str] = []
    chosen = None
    for agent in _rotation(pool, last):
        if pool.eligible(agent):
            chosen = agent
            break
        passed.append(agent)
    note = ""
    if passed:
        more = f" and {len(passed) - 5} more passed over" if len(passed) > 5 else ""
        note = "; " + ", ".join(_why_not(pool, a) for a in passed[:5]) + more
    if chosen is None:
        if all(not pool.online(a) for a in passed):
            return "nobody eligible is online; the ticket waits" + note
        return "every eligible agent is at capacity; the ticket waits" + note
    if last is None:
        return f"{chosen}: first online agent in rotation{note}"
    return f"{chosen}: next online agent after {last} in rotation{note}"


def eager_least_loaded_reason(pool: Pool, last: str | None) -> str:
    """The least-loaded sentence written out eagerly, as the allocator wrote it before."""
    eligible = [a for a in _rotation(pool, last) if pool.eligible(a)]
    if not eligible:
        if all(not pool.online(a) for a in pool.ids):
            return "nobody eligible is online; the ticket waits"
        return "every eligible agent is at capacity; the ticket waits"
    best = min(eligible, key=pool.load)  # the first of the least loaded, in rotation order
    after = "" if last is None else f" after {last}"
    return f"{best}: fewest open tickets ({pool.load(best)}); ties broken by rotation{after}"


@given(pool=pools, state=states)
def test_round_robins_lazy_reason_equals_the_eager_sentence(
    pool: Pool, state: RotationState
) -> None:
    """For any pool and state, RoundRobin's reason read later is the eager sentence."""
    result = RoundRobin().allocate(TICKET, pool, state)
    assert result.reason == eager_round_robin_reason(pool, state.last)
    assert result == Allocation(result.agent, result.state, result.reason)


@given(pool=pools, state=states)
def test_least_loadeds_lazy_reason_equals_the_eager_sentence(
    pool: Pool, state: RotationState
) -> None:
    """For any pool and state, LeastLoaded's reason read later is the eager sentence."""
    result = LeastLoaded().allocate(TICKET, pool, state)
    assert result.reason == eager_least_loaded_reason(pool, state.last)
    assert result == Allocation(result.agent, result.state, result.reason)


def test_the_reason_keeps_the_facts_of_the_moment_of_allocation() -> None:
    """Loads that change after the allocation do not change its reason, read afterwards."""
    loads = {"a1": 1, "a2": 0}
    pool = Pool(
        name="global",
        ids=("a1", "a2"),
        load=loads.__getitem__,
        capacity=lambda a: 1,
    )
    result = RoundRobin().allocate(TICKET, pool, RotationState())
    loads["a1"] = 0
    loads["a2"] = 7
    assert result.reason == "a2: first online agent in rotation; a1 full (1/1 open or pending)"


class _Counting:
    """Facts that count how often their sentence is rendered."""

    def __init__(self) -> None:
        self.rendered = 0

    def reason(self) -> str:
        self.rendered += 1
        return "a1: chosen"


def test_the_sentence_is_rendered_only_when_read_and_only_once() -> None:
    """Building an Allocation renders nothing; the first read renders, later reads reuse it."""
    facts = _Counting()
    result = Allocation("a1", RotationState(), facts)
    assert facts.rendered == 0
    assert (result.reason, result.reason) == ("a1: chosen", "a1: chosen")
    assert facts.rendered == 1


def test_an_allocation_from_facts_equals_one_from_its_sentence() -> None:
    """Equality and repr use the sentence, whether it was given or rendered."""
    step = RoundRobinStep("a2", "a1", (PassedOver("a1", False),), 1, True)
    lazy = Allocation("a2", RotationState(last="a2"), step)
    eager = Allocation("a2", RotationState(last="a2"), step.reason())
    assert lazy == eager
    assert repr(lazy) == (
        "Allocation(agent='a2', state=RotationState(last='a2', given=0, extra={}), "
        "reason='a2: next online agent after a1 in rotation; a1 offline')"
    )
    assert lazy != Allocation("a2", RotationState(last="a2"), "another reason")
    assert lazy != ("a2", RotationState(last="a2"), step.reason())


def test_a_plain_string_reason_still_works_by_keyword() -> None:
    """Allocation(agent=..., state=..., reason=str) builds as before and reads back."""
    result = Allocation(agent=None, state=RotationState(), reason="nobody; the ticket waits")
    assert (result.agent, result.reason) == (None, "nobody; the ticket waits")


def test_an_allocation_is_immutable_and_pickles_with_its_sentence() -> None:
    """Assigning a field raises FrozenInstanceError; a pickled allocation round-trips."""
    result = Allocation("a1", RotationState(last="a1"), LeastLoadedStep("a1", None, 2))
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'agent'"):
        result.agent = "a2"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError, match="cannot delete field 'reason'"):
        del result.reason  # type: ignore[misc]
    back = pickle.loads(pickle.dumps(result))
    assert back == result
    assert back.reason == "a1: fewest open tickets (2); ties broken by rotation"
