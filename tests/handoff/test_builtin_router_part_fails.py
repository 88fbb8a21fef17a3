"""A built-in handoff whose Router fails with a ``ValidationError`` that is not the
ticket's (a pluggable part breaking its contract) is a lost answer, raised: not a
refusal that ends the handoff ``failed`` with nothing raised."""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpdesk_routing.allocation import Allocation
from helpdesk_routing.errors import ValidationError
from helpdesk_routing.handoff import Handoff, InMemoryLedger, SendToHelpdesk, State
from helpdesk_routing.model import Ticket
from helpdesk_routing.records import RotationState
from helpdesk_routing.router import Router
from tests.handoff.conftest import Desk, conversation


class Careless:
    """A custom allocator that chooses an agent who is not in the pool while ``broken``."""

    broken = True

    def allocate(self, ticket: Ticket, pool: object, state: RotationState) -> Allocation:
        ids = getattr(pool, "ids", ())
        return Allocation("ghost" if self.broken else ids[0], state, "careless")


def test_a_router_part_breaking_its_contract_is_a_lost_answer_raised(desk: Desk) -> None:
    """The allocator's contract error is raised by ``request`` and the handoff waits in
    ``outcome_unknown`` (it ended ``failed``, final, and nothing was raised); once the
    allocator is mended, ``recover`` routes the ticket. (A ticket the built-in helpdesk
    refuses for itself still ends the handoff ``failed``: test_handoff_builtin.py.)"""
    allocator = Careless()
    router = Router(
        store=desk.store, customer_data=desk.data, clock=desk.clock, allocator=allocator
    )
    ledger = InMemoryLedger()
    h = Handoff(
        settings=SendToHelpdesk(helpdesk="builtin"),
        router=router,
        ledger=ledger,
        customer_data=desk.data,
        clock=desk.clock,
    )
    with pytest.raises(ValidationError, match="'ghost'"):
        h.request(conversation(channel="email", profile_id="p1"))
    record = ledger.for_conversation("c1")
    assert record.state is State.OUTCOME_UNKNOWN
    assert record.detail["error"].startswith("ValidationError: ")
    allocator.broken = False
    desk.clock.advance(timedelta(minutes=5))
    [step] = h.recover(older_than=timedelta(minutes=1))
    assert (step.state, step.ticket_id) == (State.HANDED_OFF, record.id)
    assert desk.router.ticket(record.id).assignee == "a1"
