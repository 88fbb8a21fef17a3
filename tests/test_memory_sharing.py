"""The in-memory store keeps one object where one will do: what issue 9's memory target
(at most 3 KB per stored ticket at 100 rules, ``benchmarks/bench_router.py``) rests on.

- A ticket's ``(created_at, id)`` key is one tuple, held by every ordered index the
  ticket is in, also after an update moves it between indexes (an equal tuple per index
  cost 56 bytes a ticket).
- The report digest keeps where each ticket stands as one shared tuple per distinct
  (team, assignee, status) (a tuple per ticket cost 64 bytes).
"""

from __future__ import annotations

from datetime import UTC, datetime

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.conditions import ticket
from helpdesk_routing.model import Agent, Role, Team, Ticket, TicketStatus
from helpdesk_routing.router import Router
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData

START = datetime(2026, 3, 30, 10, 0, tzinfo=UTC)


def _router() -> tuple[Router, InMemoryStore, ManualClock]:
    store = InMemoryStore(
        agents=[Agent(id="boss", role=Role.ADMIN), Agent(id="a1"), Agent(id="a2")]
    )
    clock = ManualClock(START)
    rules = RuleSet(
        rules=[
            RoutingRule(
                id="billing",
                name="Billing",
                when=ticket("tags").contains("billing"),
                then=AssignToTeam(team="money"),
            )
        ]
    )
    router = Router(
        rules=rules,
        teams=[Team(id="money", members=("a1", "a2"))],
        store=store,
        customer_data=InMemoryCustomerData(),
        clock=clock,
    )
    return router, store, clock


def _held(store: InMemoryStore) -> list[tuple[datetime, str]]:
    keys: list[tuple[datetime, str]] = []
    for index in store._indexes:
        for listed in index.values():
            keys.extend(listed)
    return keys


def test_every_index_holds_the_ticket_key_of_the_order() -> None:
    """After routing (assigned, waiting, to a team), reassigning, closing and moving
    tickets, each key in any index is the very object in its status's list."""
    router, store, clock = _router()
    router.route(Ticket(id="t1", channel="email", created_at=clock.now()))  # waits
    router.set_online("a1", True, actor="a1")  # t1 handed out
    router.route(Ticket(id="t2", channel="email", created_at=clock.now(), tags={"billing"}))
    router.route(Ticket(id="t3", channel="email", created_at=clock.now()))
    router.assign(["t3"], "a2", actor="boss")
    router.set_status("t2", TicketStatus.CLOSED, actor="a1")
    router.assign_to_team(["t1"], "money", actor="boss")
    router.unassign("t3", actor="boss")
    order = {key[1]: key for listed in store._by_status.values() for key in listed}
    held = _held(store)
    assert len(held) > len(order)  # tickets are in several indexes
    for key in held:
        assert key is order[key[1]], key


def test_the_digest_shares_where_tickets_stand() -> None:
    """Tickets in the same place (team, assignee, status) share one tuple in the digest."""
    router, store, clock = _router()
    for i in range(4):
        router.route(Ticket(id=f"w{i}", channel="email", created_at=clock.now()))
    digest = store._digest
    assert digest is not None
    places = [digest._where[f"w{i}"] for i in range(4)]
    assert places[0] == (None, None, "open")
    assert all(p is places[0] for p in places)
