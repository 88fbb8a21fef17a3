"""A Router refers to itself through nothing: dropping the last reference frees it and
its store at once, not at the cyclic collector's next full pass (which, for a large
in-memory store, walks every record it holds)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import helpdesk_routing as hr
from helpdesk_routing.conditions import ticket
from helpdesk_routing.simulation import run
from tests.simulation.conftest import mmc

NOW = datetime(2026, 3, 30, 9, tzinfo=UTC)


@pytest.fixture
def collector_off() -> Iterator[None]:
    """The cyclic collector paused: what is freed is freed by reference counting."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _used_router(store: hr.InMemoryStore | hr.SqliteStore) -> hr.Router:
    router = hr.Router(
        rules=hr.RuleSet(
            rules=[
                hr.RoutingRule(
                    id="refunds",
                    when=ticket("subject").contains("refund"),
                    then=hr.AssignToTeam(team="billing"),
                )
            ]
        ),
        teams=[hr.Team(id="billing", name="Billing", members=("a1",))],
        store=store,
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(NOW),
    )
    router.set_online("a1", online=True, actor="a1")
    router.route(hr.Ticket(id="t1", channel="email", subject="a refund", created_at=NOW))
    router.reply("t1", actor="a1")
    router.set_status("t1", hr.TicketStatus.CLOSED, actor="a1")
    router.views.team("billing")
    assert router.configuration.version == 1
    return router


@pytest.mark.usefixtures("collector_off")
def test_a_router_and_its_memory_store_are_freed_with_the_last_reference() -> None:
    """Every method used once (routing, views, configuration), then the last references
    dropped: the Router and the store are gone without a collection."""
    store = hr.InMemoryStore(agents=[hr.Agent(id="a1", name="Ann")])
    router = _used_router(store)
    gone = weakref.ref(router), weakref.ref(store)
    del router, store
    assert [ref() for ref in gone] == [None, None]


@pytest.mark.usefixtures("collector_off")
def test_a_router_on_sqlite_is_freed_with_the_last_reference(tmp_path: Path) -> None:
    """The same on a SQLite store: the Router goes at once (its store closes as before)."""
    store = hr.SqliteStore(tmp_path / "h.db", agents=[hr.Agent(id="a1", name="Ann")])
    router = _used_router(store)
    gone = weakref.ref(router)
    del router
    assert gone() is None
    store.close()


def test_a_simulation_run_leaves_no_cyclic_garbage() -> None:
    """A run through the Router frees its store when it returns: a full collection right
    after finds nothing to collect (a year's store took seconds to walk)."""
    scenario = mmc(2, 0.6, 300, mode="router")
    gc.collect()
    # What earlier tests left reachable may be let go meanwhile (a thread ending, a
    # cache's entry): garbage, but not the run's. Only objects made by the run count.
    before = {id(o) for o in gc.get_objects()}
    result = run(scenario, 1)
    assert len(result.records) == 300
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        made = [o for o in gc.garbage if id(o) not in before]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert made == []
