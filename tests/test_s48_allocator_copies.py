"""A pluggable allocator sees copies of what the store holds, so nothing it does to them
outlives a refused or failed route: the pool's ids are a tuple (the global pool's were
the in-memory store's own list of Online agents: removing one broke round robin for
every later Router, appending one got a ticket to an agent who does not exist), and
its state is its own (an edit to ``extra`` stayed in memory after the route failed,
a set no store can keep among it). A state it answers is stored as a plain copy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from helpdesk_routing.allocation import Allocation, Pool
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.model import Agent, Ticket
from helpdesk_routing.records import RotationState
from helpdesk_routing.router import Router
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from helpdesk_routing.stores.sqlite import SqliteStore

T0 = datetime(2026, 3, 30, 8, tzinfo=UTC)
AGENTS = [Agent(id="a1"), Agent(id="a2"), Agent(id="a3")]
Stores = Callable[[], Any]


@pytest.fixture(params=["memory", "sqlite"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Stores:
    if request.param == "memory":
        return lambda: InMemoryStore(agents=AGENTS)
    return lambda: SqliteStore(tmp_path / "s.db", agents=AGENTS)


def _router(store: Any, allocator: object = None) -> Router:
    kw: dict[str, Any] = {} if allocator is None else {"allocator": allocator}
    return Router(store=store, customer_data=InMemoryCustomerData(), clock=ManualClock(T0), **kw)


def _ticket(tid: str) -> Ticket:
    return Ticket(id=tid, channel="email", created_at=T0)


class _Scribbler:
    """Chooses a1 with a state of its own; when told to, changes what it was given and
    fails (a set in ``extra``: no store can keep it)."""

    fail = False

    def allocate(self, ticket: Ticket, pool: Pool, state: RotationState) -> Allocation:
        if self.fail:
            state.extra["seen"] = {"a1"}
            state.extra["n"].append(99)
            raise RuntimeError("allocator bug")
        return Allocation(
            "a1", RotationState(last="a1", given=state.given + 1, extra={"n": [1]}), "a1"
        )


def test_a_failed_route_leaves_the_state_as_it_was(make_store: Stores) -> None:
    store = make_store()
    allocator = _Scribbler()
    router = _router(store, allocator)
    router.set_online("a1", True, actor="a1")
    router.route(_ticket("t1"))
    allocator.fail = True
    with pytest.raises(RuntimeError, match="allocator bug"):
        router.route(_ticket("t2"))
    with store.transaction() as tx:
        assert tx.rotation("global") == RotationState(last="a1", given=1, extra={"n": [1]})


def test_a_pool_s_ids_are_read_only(make_store: Stores) -> None:
    store = make_store()
    seen: list[object] = []

    class Careless:
        def allocate(self, ticket: Ticket, pool: Pool, state: RotationState) -> Allocation:
            seen.append(pool.ids)
            pool.ids.remove("a1")  # type: ignore[attr-defined]
            raise AssertionError("unreachable")

    router = _router(store, Careless())
    for agent in ("a1", "a2", "a3"):
        router.set_online(agent, True, actor=agent)
    with pytest.raises(AttributeError):
        router.route(_ticket("c1"))
    assert seen == [("a1", "a2", "a3")]
    stock = _router(store)
    assert [stock.route(_ticket(f"s{i}")).assignee for i in range(6)] == ["a1", "a2", "a3"] * 2


def test_a_state_kept_by_its_allocator_is_not_the_store_s(make_store: Stores) -> None:
    store = make_store()

    class Keeper:
        def __init__(self) -> None:
            self.kept: list[RotationState] = []

        def allocate(self, ticket: Ticket, pool: Pool, state: RotationState) -> Allocation:
            answer = _Sub(last="a1", given=state.given + 1, extra={"n": [state.given]})
            self.kept.append(answer)
            return Allocation("a1", answer, "a1")

    keeper = Keeper()
    router = _router(store, keeper)
    router.set_online("a1", True, actor="a1")
    router.route(_ticket("t1"))
    keeper.kept[0].extra["n"].append("later")  # after the unit: the store keeps its copy
    with store.transaction() as tx:
        state = tx.rotation("global")
    assert state == RotationState(last="a1", given=1, extra={"n": [0]})
    assert type(state) is RotationState


class _Sub(RotationState):
    """A caller's subclass."""
