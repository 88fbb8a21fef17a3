"""Capacity is exact across pools on PostgreSQL (issue 10 #9): an agent in a team and in
the global pool never goes past capacity when a team route and a global route race."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from helpdesk_routing.allocation import LeastLoaded, RoundRobin
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.conditions import ticket as ticket_field
from helpdesk_routing.model import Agent, Team, Ticket, TicketStatus
from helpdesk_routing.router import Router
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from helpdesk_routing.stores.postgres import PostgresStore

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)
ROUNDS = 20


@pytest.fixture
def store(pg_dsn: str) -> Iterator[PostgresStore]:
    with PostgresStore(pg_dsn, agents=[Agent(id="a1", capacity=1)]) as s:
        with s.transaction() as tx:
            tx.set_online("a1", True, T0)
        yield s


def _router(store: PostgresStore, allocator: Any) -> Router:
    rule = RoutingRule(
        id="team", when=ticket_field("channel") == "chat", then=AssignToTeam(team="t")
    )
    return Router(
        rules=RuleSet(rules=[rule]),
        teams=[Team(id="t", name="T", members=["a1"])],
        store=store,
        customer_data=InMemoryCustomerData(),
        clock=ManualClock(T0),
        allocator=allocator,
    )


@pytest.mark.parametrize("allocator", [RoundRobin(), LeastLoaded()], ids=["sql", "python"])
def test_a_team_route_and_a_global_route_never_take_an_agent_past_capacity(
    store: PostgresStore, allocator: Any
) -> None:
    """20 rounds of a team ticket and a global ticket routed at once, each round with a1
    (capacity 1, in the team and Online) free: a1 gets exactly one of the two."""
    routers = [_router(store, allocator), _router(store, allocator)]
    for n in range(ROUNDS):
        tickets = [
            Ticket(id=f"team{n}", channel="chat", created_at=T0),
            Ticket(id=f"global{n}", channel="email", created_at=T0),
        ]
        assert _race(routers, tickets) == []
        with store.transaction() as tx:
            assert tx.open_load("a1") == 1, f"round {n}"
            given = [r for r in (tx.get_ticket(t.id) for t in tickets) if r and r.assignee]
            assert len(given) == 1
            # Free a1 again for the next round: close what it got.
            (record,) = given
            closed = record.ticket.model_copy(update={"status": TicketStatus.CLOSED})
            tx.update_ticket(record.model_copy(update={"ticket": closed}))


def _race(routers: list[Router], tickets: list[Ticket]) -> list[BaseException]:
    """Route tickets[i] with routers[i], all at once; the errors raised."""
    barrier = threading.Barrier(len(routers))
    errors: list[BaseException] = []

    def route(i: int) -> None:
        barrier.wait()
        try:
            routers[i].route(tickets[i])
        except BaseException as exc:  # pragma: no cover - reported by the caller
            errors.append(exc)

    threads = [threading.Thread(target=route, args=(i,)) for i in range(len(routers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors
