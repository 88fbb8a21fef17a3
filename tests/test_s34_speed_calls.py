"""How many calls a close that hands a waiting ticket out makes, on the in-memory store.

The simulator's per-ticket cost is mostly such calls, each cheap: a budget for the
commonest unit of work after a route (close a ticket, hand the oldest waiting ticket to
the freed agent, find the pool full) keeps it from creeping back. Counted with a profile
hook (Python and C calls alike), which makes the count exact and the same on every
machine; the budget has room for small changes elsewhere, not for a step added per
close. (``benchmarks/bench_simulation.py`` measures the time.)"""

from __future__ import annotations

from datetime import UTC, datetime

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.model import Agent, Role, Ticket, TicketStatus
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.call_count import calls_of

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)

CLOSE_BUDGET = 240
"""Calls of one close that hands one waiting ticket out (261 before session 34, 240 after,
248 after its last change; 242 after session 35, 233 after its second round; 237 after
session 43, whose close returns its records bound to their rules on every store: a look
at each decision's slot, 4 calls)."""


def _calls_of_a_close() -> tuple[int, Router]:
    store = InMemoryStore(agents=[Agent(id="a1"), Agent(id="a2"), Agent(id="o", role=Role.OWNER)])
    router = Router(
        rules=RuleSet(rules=[]),
        store=store,
        customer_data=InMemoryCustomerData(),
        clock=ManualClock(T0),
        capacity=1,
    )
    for agent in ("a1", "a2"):
        router.set_online(agent, online=True, actor=agent)
    for i in range(5):
        router.route(Ticket(id=f"t{i}", channel="email", created_at=T0))
    router.set_status("t0", TicketStatus.CLOSED, actor="a1")  # the first: caches warm
    calls = calls_of(lambda: router.set_status("t1", TicketStatus.CLOSED, actor="a2"))
    return calls, router


def test_a_close_that_hands_one_ticket_out_keeps_to_its_call_budget() -> None:
    calls, router = _calls_of_a_close()
    # What the close did: t1 closed, the oldest waiting ticket (t3) to the freed agent.
    assert router.ticket("t1").ticket.status is TicketStatus.CLOSED
    assert [router.ticket(f"t{i}").assignee for i in range(5)] == ["a1", "a2", "a1", "a2", None]
    assert calls <= CLOSE_BUDGET, calls
