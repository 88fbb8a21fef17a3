"""A custom allocator's choice on PostgreSQL, where units run side by side: the agent it
saw Online in a team's pool goes Offline, or is removed, by a unit that commits before
the route's check of the answer.

That is a race the route lost, not an allocator breaking its contract: the Router runs
the route again (a retryable ``ConflictError`` while it lasts) and the allocator
chooses among those Online then. On the old code the route failed with "allocator X
chose 'a3', who is Offline or has no room in pool 'team:x'", a ``ValidationError`` that
blamed the allocator. Each test makes the other unit commit from inside the allocator,
in a thread of its own (``pg_locking.Run``): what it waits for is that unit's answer,
never a lock the route holds."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from helpdesk_routing.allocation import Allocation, Pool
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.conditions import ticket as field
from helpdesk_routing.model import Agent, Team, Ticket
from helpdesk_routing.records import RotationState
from helpdesk_routing.router import Router
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from helpdesk_routing.stores.postgres import PostgresStore
from tests.stores.pg_locking import Run

pytestmark = [pytest.mark.postgres, pytest.mark.serial]

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)


class LastOnline:
    """Chooses the last member (by id) it sees Online, reading presence only (no load
    lock is taken). While it has calls in ``meanwhile``, each call runs the next one after it
    has looked, and waits for its answer."""

    def __init__(self, *meanwhile: Callable[[], object]) -> None:
        self.meanwhile = list(meanwhile)
        self.answers: list[object] = []
        self.calls = 0

    def allocate(self, ticket: Ticket, pool: Pool, state: RotationState) -> Allocation:
        self.calls += 1
        chosen = next((a for a in reversed(pool.ids) if pool.online(a)), None)
        if self.meanwhile:
            self.answers.append(Run(self.meanwhile.pop(0)).result())
        if chosen is None:
            return Allocation(None, state, "nobody Online; the ticket waits")
        return Allocation(chosen, RotationState(last=chosen, given=state.given + 1), chosen)


@pytest.fixture
def store(pg_dsn: str) -> Iterator[PostgresStore]:
    agents = [Agent(id="a1"), Agent(id="a3"), Agent(id="m1", role="manager")]
    with PostgresStore(pg_dsn, agents=agents, max_size=6) as store:
        yield store


def _router(store: PostgresStore, allocator: LastOnline, members: list[str]) -> Router:
    """Email goes to team x (``members``); a3 Online."""
    rule = RoutingRule(
        id="to_x", name="email to x", when=field("channel") == "email", then=AssignToTeam(team="x")
    )
    router = Router(
        store=store,
        customer_data=InMemoryCustomerData(),
        clock=ManualClock(T0),
        rules=RuleSet(rules=[rule]),
        teams=[Team(id="x", members=members)],
        allocator=allocator,
    )
    router.set_online("a3", True, actor="a3")
    return router


def test_an_agent_gone_offline_after_the_allocator_looked_routes_again(
    store: PostgresStore, caplog: pytest.LogCaptureFixture
) -> None:
    """a3 (the only member Online) goes Offline, committed, after the allocator chose
    them: the first run is a retryable ConflictError saying so, the route runs again,
    and t1 waits (nobody of team x is Online then)."""
    allocator = LastOnline()
    router = _router(store, allocator, ["a1", "a3"])
    allocator.meanwhile.append(lambda: router.set_online("a3", False, actor="a3"))
    with caplog.at_level(logging.INFO, logger="helpdesk_routing.router"):
        decision = router.route(Ticket(id="t1", channel="email", created_at=T0))
    (lost,) = [r for r in caplog.records if getattr(r, "operation", None) == "route"]
    assert lost.error == (  # type: ignore[attr-defined]
        "allocator LastOnline chose 'a3' in pool 'team:x', who went Offline meanwhile "
        "(another unit of work committed it after the allocator saw them Online)"
    )
    assert allocator.answers == [[]]  # set_online(False) committed, handing nothing out
    assert allocator.calls == 2  # the route ran again
    assert decision.assignee is None  # a1 is Offline, a3 went Offline: t1 waits
    assert decision.team == "x"
    assert router.ticket("t1").assignee is None
    with store.transaction() as tx:
        assert tx.is_online("a3") is False


def test_an_agent_gone_offline_meanwhile_leaves_the_ticket_to_the_next_one(
    store: PostgresStore,
) -> None:
    """a1 and a3 Online; the allocator chose a3, who goes Offline meanwhile: the route
    run again gives t1 to a1."""
    allocator = LastOnline()
    router = _router(store, allocator, ["a1", "a3"])
    router.set_online("a1", True, actor="a1")
    allocator.meanwhile.append(lambda: router.set_online("a3", False, actor="a3"))
    decision = router.route(Ticket(id="t1", channel="email", created_at=T0))
    assert allocator.calls == 2
    assert decision.assignee == "a1"
    assert router.ticket("t1").assignee == "a1"


def test_an_agent_removed_after_the_allocator_looked_routes_again(
    store: PostgresStore, caplog: pytest.LogCaptureFixture
) -> None:
    """A configuration without team x is stored and a3 removed (which sets them Offline
    first) while the allocator has chosen a3 for the route into team x: the route runs
    again under the newest configuration (no team, nobody Online): t1 waits, and no
    ticket points at the removed a3."""
    allocator = LastOnline()
    router = _router(store, allocator, ["a3"])

    def drop() -> object:
        router.configure(actor="m1", rules=RuleSet(), teams=[])
        return router.remove_agent("a3", actor="m1")

    allocator.meanwhile.append(drop)
    with caplog.at_level(logging.INFO, logger="helpdesk_routing.router"):
        decision = router.route(Ticket(id="t1", channel="email", created_at=T0))
    assert allocator.answers == [None]  # the removal committed
    (lost,) = [r for r in caplog.records if getattr(r, "operation", None) == "route"]
    assert lost.error == (  # type: ignore[attr-defined]
        "allocator LastOnline chose 'a3' in pool 'team:x', who was removed meanwhile "
        "(another unit of work committed it after the allocator saw them Online)"
    )
    assert allocator.calls == 2
    assert decision.assignee is None
    assert decision.team is None
    assert router.ticket("t1").assignee is None
    with store.transaction() as tx:
        assert tx.get_agent("a3") is None
