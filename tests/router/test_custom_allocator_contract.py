"""A pluggable allocator's answer is held to the contract before anything is written."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk_routing.allocation import Allocation, Pool
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.errors import ArgumentTypeError, ValidationError
from helpdesk_routing.model import Agent, Ticket
from helpdesk_routing.records import RotationState
from helpdesk_routing.router import Router
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.router.conftest import MONDAY_10, MakeDesk


class Answers:
    """An allocator that answers what it was told to, whatever the pool."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer

    def allocate(self, ticket: Ticket, pool: Pool, state: RotationState) -> Any:
        return self.answer


def _state(last: str) -> RotationState:
    return RotationState(last=last, given=1)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (Allocation("ghost", _state("ghost"), "x"), r"chose 'ghost', who is not in pool 'global'"),
        # the global pool holds the Online agents only
        (Allocation("a2", _state("a2"), "x"), r"chose 'a2', who is not in pool 'global'"),
        (Allocation(7, _state("a1"), "x"), r"chose 7, who is not in pool"),  # type: ignore[arg-type]
        (("a1", _state("a1"), "x"), r"returned tuple, not an Allocation"),
        (Allocation("a1", {"last": "a1"}, "x"), r"returned a state of type dict"),  # type: ignore[arg-type]
        (Allocation("a1", _state("a1"), None), r"gave no readable reason"),  # type: ignore[arg-type]
    ],
    ids=["stranger", "offline", "not-text", "tuple", "dict-state", "no-reason"],
)
def test_an_answer_outside_the_contract_is_refused_and_nothing_changes(
    make_desk: MakeDesk, answer: Any, message: str
) -> None:
    """A ticket to an agent who does not exist or is Offline, or a state no store keeps,
    was stored (the rotation moved to 'ghost'); some answers raised AttributeError."""
    desk = make_desk(allocator=Answers(answer))
    desk.online("a1")
    before = desk.snapshot()
    with pytest.raises(ValidationError, match=r"^allocator Answers " + message):
        desk.router.route(desk.ticket("t1"))
    assert desk.snapshot() == before


def test_an_agent_at_capacity_is_refused(make_desk: MakeDesk) -> None:
    """Room counts as well as presence: a full agent may not be chosen."""
    desk = make_desk(allocator=Answers(Allocation("a1", _state("a1"), "x")), capacity=0)
    desk.online("a1")
    before = desk.snapshot()
    with pytest.raises(ValidationError, match=r"who is Offline or has no room"):
        desk.router.route(desk.ticket("t1"))
    assert desk.snapshot() == before


def test_an_answer_within_the_contract_is_taken(make_desk: MakeDesk) -> None:
    """An eligible agent, or nobody, is what the allocator said."""
    desk = make_desk(allocator=Answers(Allocation("a1", _state("a1"), "always Ann")))
    desk.online("a1")
    decision = desk.router.route(desk.ticket("t1"))
    assert decision.assignee == "a1"
    assert decision.allocation is not None
    assert decision.allocation.summary == "always Ann"
    nobody = make_desk(allocator=Answers(Allocation(None, RotationState(), "waits")))
    nobody.online("a1")
    assert nobody.router.route(nobody.ticket("t1")).assignee is None


@pytest.mark.parametrize("value", [5, object(), ["round_robin"]])
def test_a_router_refuses_an_allocator_that_is_none_when_made(value: object) -> None:
    """Router(allocator=5) was accepted, then failed at the first route with an
    AttributeError."""
    with pytest.raises(ArgumentTypeError, match=r"^allocator must be 'round_robin'"):
        Router(
            store=InMemoryStore(agents=[Agent(id="a1")]),
            customer_data=InMemoryCustomerData(),
            clock=ManualClock(MONDAY_10),
            allocator=value,  # type: ignore[arg-type]
        )


class Declines:
    """Round robin's choice, except that tickets tagged ``hold`` are declined (nobody)."""

    def allocate(self, ticket: Ticket, pool: Pool, state: RotationState) -> Allocation:
        if "hold" in ticket.tags:
            return Allocation(None, state, "held back")
        agent = next((a for a in pool.ids if pool.eligible(a)), None)
        return Allocation(agent, state if agent is None else _state(agent), "first with room")


def test_a_ticket_a_pluggable_allocator_declines_does_not_stop_the_walk(
    make_desk: MakeDesk,
) -> None:
    """A pluggable allocator may find nobody for one ticket while agents have room: the
    hand-out walk then goes on to the younger tickets. (A shipped allocator's nobody
    means nobody has room, and the walk drops the pool.)"""
    desk = make_desk(allocator=Declines(), capacity=1)
    desk.online("a1")
    assert desk.route() == "a1"  # t1: a1 is now full
    assert desk.route(tags=frozenset({"hold"})) is None  # t2: declined
    assert desk.route() is None  # t3: nobody has room
    desk.router.set_status("t1", "closed", actor="a1")  # a1 has room: the walk
    assert desk.assignee("t2") is None  # declined again
    assert desk.assignee("t3") == "a1"  # the walk went on past it
