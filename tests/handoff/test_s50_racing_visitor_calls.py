"""A visitor's call racing another (a double click, two tabs, two processes): the one
that loses the ledger's compare-and-set at its first write reads the handoff again and
answers from the state it finds, as a later call would (``InvalidTransition`` when that
state no longer takes it). With a SQL ledger it was the ledger's own ``ConflictError``
("version 2 is no longer stored"), with the in-memory one mostly not: the answer hung on
the ledger and the timing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from helpdesk_routing.errors import ConflictError
from helpdesk_routing.handoff import (
    Handoff,
    HandoffRecord,
    InvalidTransition,
    Ledger,
    SendToHelpdesk,
    State,
)
from tests.handoff.conftest import Desk, conversation
from tests.handoff.test_handoff_concurrency import Counting


class Overtaken:
    """A ledger whose first ``replace`` lets ``racer`` run to the end first (another
    worker's call, made after this one read the handoff), then writes."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.racer: Callable[[], Any] | None = None

    def replace(self, record: HandoffRecord) -> None:
        racer, self.racer = self.racer, None
        if racer is not None:
            racer()
        self.ledger.replace(record)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ledger, name)


def _pair(
    desk: Desk, ledgers: Callable[[], Ledger], destination: Counting | None = None
) -> tuple[Handoff, Handoff, Overtaken]:
    destination = destination or Counting()
    overtaken = Overtaken(ledgers())
    services = [
        Handoff(
            settings=SendToHelpdesk(helpdesk="gorgias"),
            ledger=ledger,
            clock=desk.clock,
            destination=destination,
        )
        for ledger in (overtaken, ledgers())
    ]
    return services[0], services[1], overtaken


def test_a_confirm_overtaken_by_another_is_an_invalid_transition(
    desk: Desk, ledgers: Callable[[], Ledger]
) -> None:
    destination = Counting()
    mine, other, overtaken = _pair(desk, ledgers, destination)
    step = other.request(conversation(email="ann@example.com"))
    assert step.state is State.AWAITING_CONFIRMATION
    overtaken.racer = lambda: other.confirm("c1", yes=True)
    with pytest.raises(InvalidTransition, match="confirm"):
        mine.confirm("c1", yes=True)
    assert other.get(step.handoff_id).state is State.HANDED_OFF
    assert len(destination.created) == 1


def test_an_email_overtaken_by_another_is_an_invalid_transition(
    desk: Desk, ledgers: Callable[[], Ledger]
) -> None:
    mine, other, overtaken = _pair(desk, ledgers)
    step = other.request(conversation())
    other.confirm("c1", yes=True)
    assert other.get(step.handoff_id).state is State.AWAITING_EMAIL
    overtaken.racer = lambda: other.provide_email("c1", "ann@example.com")
    with pytest.raises(InvalidTransition, match="provide_email"):
        mine.provide_email("c1", "bob@example.com")
    record = other.get(step.handoff_id)
    assert record.state is State.HANDED_OFF
    assert record.conversation.email == "ann@example.com"


def test_a_call_overtaken_while_its_state_still_takes_it_is_applied_after(
    desk: Desk, ledgers: Callable[[], Ledger]
) -> None:
    """A malformed address raced by another malformed one: both are recorded, in turn."""
    mine, other, overtaken = _pair(desk, ledgers)
    step = other.request(conversation())
    other.confirm("c1", yes=True)
    overtaken.racer = lambda: other.provide_email("c1", "not an address")
    answered = mine.provide_email("c1", "nor this")
    assert answered.state is State.AWAITING_EMAIL
    whys = [t.why for t in other.get(step.handoff_id).transitions]
    assert whys[-2:] == ["malformed e-mail address", "malformed e-mail address"]


class AlwaysStale:
    """A ledger every ``replace`` of which finds a newer version stored."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.stale = False
        self.replaced = 0

    def replace(self, record: HandoffRecord) -> None:
        if not self.stale:
            self.ledger.replace(record)
            return
        self.replaced += 1
        raise ConflictError(f"handoff {record.id!r} changed: version is no longer stored")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ledger, name)


def test_a_call_overtaken_every_time_gives_up_with_the_ledgers_conflict(desk: Desk) -> None:
    from helpdesk_routing.handoff import InMemoryLedger

    stale = AlwaysStale(InMemoryLedger())
    service = Handoff(
        settings=SendToHelpdesk(helpdesk="gorgias"),
        ledger=stale,
        clock=desk.clock,
        destination=Counting(),
    )
    service.request(conversation(email="ann@example.com"))
    stale.stale = True
    with pytest.raises(ConflictError, match="no longer stored"):
        service.confirm("c1", yes=True)
    assert stale.replaced == 5
