"""Worker processes of the multi-process tests: each opens its own store and Router.

Run by ``multiprocessing`` (spawn) through the functions below, or as a script for
the kill loop: ``python -m tests.stores._workers kill-loop KIND TARGET PREFIX``
routes tickets until it is killed, printing each ticket id once ``route`` returned.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Any

from helpdesk_routing.clock import SystemClock
from helpdesk_routing.decision import RoutingDecision
from helpdesk_routing.errors import ConflictError
from helpdesk_routing.model import Agent, Ticket
from helpdesk_routing.ports import Store
from helpdesk_routing.records import TicketQuery
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores.sqlite import SqliteCustomerData

AGENTS = tuple(Agent(id=f"a{i}") for i in range(1, 6))
T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)


def open_store(kind: str, target: str) -> Any:
    """A new store of ``kind`` ("sqlite": a file path; "postgres": a DSN)."""
    if kind == "sqlite":
        from helpdesk_routing.stores.sqlite import SqliteStore

        return SqliteStore(target)
    from helpdesk_routing.stores.postgres import PostgresStore

    return PostgresStore(target)


def prepare(kind: str, target: str) -> None:
    """Create the schema with five agents, all Online."""
    store = open_store(kind, target)
    try:
        with store.transaction() as tx:
            for agent in AGENTS:
                tx.put_agent(agent)
                tx.set_online(agent.id, True, T0)
    finally:
        store.close()


def route(router: Router, ticket: Ticket) -> RoutingDecision:
    """Route, retrying a lost race: the Router's operations are safe to retry."""
    for _ in range(4):
        try:
            return router.route(ticket)
        except ConflictError:
            continue
    return router.route(ticket)


class _Desk:
    """A Router with no rules over its own store, as one service process would have."""

    def __init__(self, kind: str, target: str) -> None:
        self.store = open_store(kind, target)
        self.data = SqliteCustomerData(":memory:")
        self.router = Router(
            rules=RuleSet(rules=[]),
            teams=[],
            store=self.store,
            customer_data=self.data,
            clock=SystemClock(),
        )

    def close(self) -> None:
        self.store.close()
        self.data.close()


def route_batch(
    kind: str, target: str, prefix: str, count: int, barrier: Barrier, out: Queue[Any]
) -> None:
    """Route ``count`` new tickets, after every worker is ready; report (id, assignee) pairs."""
    desk = _Desk(kind, target)
    try:
        barrier.wait()
        routed = []
        for n in range(count):
            ticket = Ticket(id=f"{prefix}-{n}", channel="email", created_at=datetime.now(UTC))
            routed.append((ticket.id, route(desk.router, ticket).assignee))
        out.put((prefix, routed))
    finally:
        desk.close()


def route_same(
    kind: str, target: str, name: str, ids: list[str], barrier: Barrier, out: Queue[Any]
) -> None:
    """Route each of ``ids`` at the same moment as the other worker; report the decisions."""
    desk = _Desk(kind, target)
    try:
        decisions = []
        for tid in ids:
            barrier.wait()
            decision = route(desk.router, Ticket(id=tid, channel="email", created_at=T0))
            decisions.append(decision.model_dump_json())
        out.put((name, decisions))
    finally:
        desk.close()


def kill_loop(kind: str, target: str, prefix: str) -> None:
    """Route tickets forever, printing each id after its unit of work committed."""
    desk = _Desk(kind, target)
    print("ready", flush=True)
    n = 0
    while True:
        ticket = Ticket(id=f"{prefix}-{n}", channel="email", created_at=datetime.now(UTC))
        route(desk.router, ticket)
        print(ticket.id, flush=True)
        n += 1


def snapshot(store: Store) -> dict[str, Any]:
    """Everything the invariants look at: tickets, audit log, global rotation."""
    with store.transaction() as tx:
        return {
            "tickets": tx.find_tickets(TicketQuery(statuses=None)),
            "audit": tx.audit(),
            "rotation": tx.rotation("global"),
        }


if __name__ == "__main__":
    if sys.argv[1] == "kill-loop":
        kill_loop(sys.argv[2], sys.argv[3], sys.argv[4])
