"""Acceptance probes of ``helpdesk_routing.metrics`` written from the documents
(semantics 7, docs/metrics.md): fairness over the agents Online for all of a period."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import helpdesk_routing as hr
from helpdesk_routing import metrics
from helpdesk_routing.ports import Store

START = datetime(2026, 3, 30, 9, tzinfo=UTC)  # a Monday
END = START + timedelta(hours=1)
AGENTS = [hr.Agent(id="a1"), hr.Agent(id="a2"), hr.Agent(id="a3")]

StoreMaker = Callable[[], Store]


@pytest.fixture(params=["memory", "memory-without-digest", "sqlite"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreMaker]:
    """An empty store with three agents: in memory (with and without its report
    digest, two ways of reading the log) or in SQLite."""
    opened: list[hr.SqliteStore] = []

    def make() -> Store:
        if request.param == "memory":
            return hr.InMemoryStore(agents=AGENTS)
        if request.param == "memory-without-digest":
            return hr.InMemoryStore(agents=AGENTS, report_digest=False)
        store = hr.SqliteStore(tmp_path / "store.db", agents=AGENTS)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


def _router(store: Store, clock: hr.ManualClock) -> hr.Router:
    return hr.Router(
        rules=hr.RuleSet(rules=[]),
        teams=[],
        store=store,
        customer_data=hr.InMemoryCustomerData(),
        clock=clock,
    )


def test_agents_who_come_online_at_the_start_are_online_all_period(
    make_store: StoreMaker,
) -> None:
    """Agents set Online at the very instant the period starts are Online for all of
    ``[start, end)``: they are the always-online agents the fairness figures are over."""
    clock = hr.ManualClock(START)
    store = make_store()
    router = _router(store, clock)
    for agent in AGENTS:
        router.set_online(agent.id, True, actor=agent.id)
    for i in range(10):
        clock.advance(minutes=1)
        router.route(hr.Ticket(id=f"t{i}", channel="email", created_at=clock.now()))
    report = metrics.report(store, None, START, END)
    assert report.always_online == ("a1", "a2", "a3")
    assert report.fairness.agents == 3
    assert report.fairness.spread == 1  # 4, 3, 3 by round robin


def test_the_last_presence_change_at_the_start_decides(make_store: StoreMaker) -> None:
    """Of several presence changes at the start instant the last one is the agent's
    state at the start: Online then Offline at the start is not always online, and a
    change after the start still leaves the agent out."""
    clock = hr.ManualClock(START)
    store = make_store()
    router = _router(store, clock)
    router.set_online("a1", True, actor="a1")
    router.set_online("a2", True, actor="a2")
    router.set_online("a2", False, actor="a2")
    router.set_online("a3", True, actor="a3")
    clock.advance(seconds=1)
    router.set_online("a3", False, actor="a3")
    report = metrics.report(store, None, START, END)
    assert report.always_online == ("a1",)


def test_agents_online_before_the_start_stay_always_online(make_store: StoreMaker) -> None:
    """The documented case is unchanged: Online before the start, no change in the
    period; a change at or after the end is outside it."""
    clock = hr.ManualClock(START - timedelta(minutes=5))
    store = make_store()
    router = _router(store, clock)
    router.set_online("a1", True, actor="a1")
    router.set_online("a2", True, actor="a2")
    clock.set(END)
    router.set_online("a2", False, actor="a2")
    report = metrics.report(store, None, START, END)
    assert report.always_online == ("a1", "a2")


_STEP = st.tuples(
    st.integers(0, 40),  # minutes the clock moves first
    st.one_of(
        st.tuples(st.just("presence"), st.sampled_from(["a1", "a2", "a3"]), st.booleans()),
        st.tuples(st.just("route"), st.just(0), st.none()),
        st.tuples(st.just("reply"), st.integers(0, 30), st.none()),
    ),
)


@settings(max_examples=150, deadline=None)
@given(
    steps=st.lists(_STEP, max_size=40),
    start_minute=st.integers(0, 600),
    start_at_step=st.one_of(st.none(), st.integers(0, 39)),
    minutes=st.integers(1, 600),
    digest=st.booleans(),
)
def test_the_report_agrees_with_a_plain_reading_of_what_happened(
    steps: list[tuple[int, tuple[str, object, object]]],
    start_minute: int,
    start_at_step: int | None,
    minutes: int,
    digest: bool,
) -> None:
    """For any sequence of presence changes, routings and replies, and any period (often
    one starting at the instant of a step): the tickets created in it, those answered
    before its end, their mean TTFR and the agents Online for all of it (their state at
    the start, after the changes at or before it, and no change after it in the period)
    are what an independent reading finds."""
    clock = hr.ManualClock(START)
    store = hr.InMemoryStore(agents=AGENTS, report_digest=digest)
    router = _router(store, clock)
    online: dict[str, bool] = {}
    changes: list[tuple[datetime, str, bool]] = []
    created: dict[str, datetime] = {}
    first_reply: dict[str, datetime] = {}
    for advance, (kind, x, y) in steps:
        clock.advance(minutes=advance)
        now = clock.now()
        if kind == "presence":
            agent, on = str(x), bool(y)
            router.set_online(agent, on, actor=agent)
            if online.get(agent, False) != on:  # setting the state an agent has is no change
                changes.append((now, agent, on))
            online[agent] = on
        elif kind == "route":
            tid = f"t{len(created)}"
            router.route(hr.Ticket(id=tid, channel="email", created_at=now))
            created[tid] = now
        elif f"t{x}" in created:
            router.reply(f"t{x}", actor="a1")
            first_reply.setdefault(f"t{x}", now)
    if start_at_step is not None and start_at_step < len(steps):
        start_minute = sum(advance for advance, _ in steps[: start_at_step + 1])
    start = START + timedelta(minutes=start_minute)
    end = start + timedelta(minutes=minutes)
    report = metrics.report(store, None, start, end)

    in_period = [t for t, at in created.items() if start <= at < end]
    answered = [t for t in in_period if t in first_reply and first_reply[t] < end]
    at_start: dict[str, bool] = {}
    for at, agent, on in changes:
        if at <= start:
            at_start[agent] = on
    changed = {agent for at, agent, _ in changes if start < at < end}
    assert report.tickets == len(in_period)
    assert report.answered == len(answered)
    if answered:
        waits = [(first_reply[t] - created[t]).total_seconds() for t in answered]
        assert math.isclose(report.ttfr.mean, sum(waits) / len(waits))
    assert report.always_online == tuple(
        sorted(a for a, on in at_start.items() if on and a not in changed)
    )
