"""Acceptance probes of ``helpdesk_routing.metrics`` written from the documents
(semantics 7, docs/metrics.md): fairness over the agents Online for all of a period."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

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
