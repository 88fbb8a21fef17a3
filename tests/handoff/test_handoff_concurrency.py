"""Concurrent requests for one conversation, each through its own ledger connection (as
separate processes would), create one handoff and call the destination once."""

from __future__ import annotations

import threading
from collections.abc import Callable

from helpdesk_routing.handoff import (
    Delivery,
    DeliveryRequest,
    Handoff,
    Ledger,
    SendToHelpdesk,
    State,
)
from tests.handoff.conftest import Desk, conversation


class Counting:
    """A destination that counts the tickets it creates."""

    name = "counting"

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.created: list[str] = []

    def deliver(self, request: DeliveryRequest) -> Delivery:
        with self.lock:
            self.created.append(request.handoff_id)
        return Delivery(ticket_id=f"T-{len(self.created)}", continue_on="sms")

    def find(self, handoff_id: str) -> str | None:
        return None


def test_racing_requests_deliver_once(desk: Desk, ledgers: Callable[[], Ledger]) -> None:
    """Eight workers request one conversation's handoff at once: one is new, one ticket is
    created, and every answer names the same handoff."""
    destination = Counting()
    workers = [
        Handoff(
            settings=SendToHelpdesk(helpdesk="gorgias"),
            ledger=ledgers(),
            clock=desk.clock,
            destination=destination,
        )
        for _ in range(8)
    ]
    barrier = threading.Barrier(len(workers))
    steps = []
    lock = threading.Lock()

    def go(h: Handoff) -> None:
        barrier.wait()
        step = h.request(conversation(channel="sms", profile_id="p1"))
        with lock:
            steps.append(step)

    threads = [threading.Thread(target=go, args=(h,)) for h in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(s.new for s in steps) == 1
    assert len({s.handoff_id for s in steps}) == 1
    assert len(destination.created) == 1
    assert workers[0].get(steps[0].handoff_id).state is State.HANDED_OFF
