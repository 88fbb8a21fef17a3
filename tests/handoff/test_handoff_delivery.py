"""A handoff to an external destination: the ledger is written before the request, a lost
answer waits in outcome_unknown until reconciled, a refusal fails the handoff."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from helpdesk_routing.handoff import (
    Delivery,
    DeliveryRequest,
    Handoff,
    InMemoryLedger,
    InvalidTransition,
    OutcomeUnknown,
    SendToHelpdesk,
    ServiceRejected,
    State,
    handoff_id,
)
from helpdesk_routing.model import Event, Profile
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.handoff.conftest import Desk, conversation


@dataclass
class Scripted:
    """A destination that answers from a script and remembers what the ledger held."""

    script: list[str]
    ledger: InMemoryLedger
    name: str = "scripted"
    created: list[str] = field(default_factory=list)
    seen_states: list[State] = field(default_factory=list)

    def deliver(self, request: DeliveryRequest) -> Delivery:
        record = self.ledger.get(request.handoff_id)
        assert record is not None
        self.seen_states.append(record.state)
        what = self.script.pop(0)
        if what == "lost-after-create":
            self.created.append(request.handoff_id)
            raise OutcomeUnknown(self.name, "timed out after 5 s")
        if what == "lost":
            raise OutcomeUnknown(self.name, "connection dropped")
        if what == "crash":  # an error outside the contract, after the ticket was made
            self.created.append(request.handoff_id)
            raise RuntimeError("database connection lost")
        if what == "reject":
            raise ServiceRejected(self.name, 422, {"requester": ["is invalid"]})
        self.created.append(request.handoff_id)
        channel = request.conversation.channel
        return Delivery(
            ticket_id=f"T-{len(self.created)}", continue_on="sms" if channel == "sms" else "email"
        )

    def find(self, handoff_id: str) -> str | None:
        return f"T-{self.created.index(handoff_id) + 1}" if handoff_id in self.created else None


def _handoff(desk: Desk, script: list[str]) -> tuple[Handoff, Scripted]:
    ledger = InMemoryLedger()
    destination = Scripted(script, ledger)
    h = Handoff(
        settings=SendToHelpdesk(helpdesk="gorgias"),
        ledger=ledger,
        clock=desk.clock,
        customer_data=desk.data,
        destination=destination,
    )
    return h, destination


def test_ledger_records_handing_off_before_the_request(desk: Desk) -> None:
    """When the destination is called, the ledger already says handing_off."""
    h, destination = _handoff(desk, ["ok"])
    step = h.request(conversation(channel="sms", profile_id="p1"))
    assert destination.seen_states == [State.HANDING_OFF]
    assert step.state is State.HANDED_OFF
    assert step.ticket_id == "T-1"
    assert [m.key.value for m in step.tell_visitor] == ["human_will_follow", "continue_by_sms"]


def test_webchat_to_external_helpdesk_continues_by_email(desk: Desk) -> None:
    """A webchat visitor handed to an external helpdesk is told it continues by e-mail."""
    h, _ = _handoff(desk, ["ok"])
    h.request(conversation(email="ann@example.com"))
    step = h.confirm("c1", yes=True)
    assert [(m.key.value, m.params) for m in step.tell_visitor] == [
        ("human_will_follow", {}),
        ("continue_by_email", {"email": "ann@example.com"}),
    ]


def test_lost_answer_waits_then_reconcile_finds_the_ticket(desk: Desk) -> None:
    """A timeout after the ticket was created: outcome_unknown, then reconcile finds it,
    with no second request."""
    h, destination = _handoff(desk, ["lost-after-create"])
    step = h.request(conversation(channel="sms", profile_id="p1"))
    assert step.state is State.OUTCOME_UNKNOWN
    assert [m.key.value for m in step.tell_visitor] == ["handoff_pending"]
    # A repeated request does not send again.
    assert h.request(conversation(channel="sms", profile_id="p1")).state is State.OUTCOME_UNKNOWN
    step = h.reconcile(handoff_id("c1"))
    assert (step.state, step.ticket_id) == (State.HANDED_OFF, "T-1")
    assert destination.created == [handoff_id("c1")]
    assert len(destination.seen_states) == 1


def test_reconcile_that_finds_nothing_sends_again(desk: Desk) -> None:
    """A request that never arrived is sent again after reconcile, and counted as attempt 2."""
    h, destination = _handoff(desk, ["lost", "ok"])
    h.request(conversation(channel="sms", profile_id="p1"))
    step = h.reconcile(handoff_id("c1"))
    assert step.state is State.HANDED_OFF
    assert destination.created == [handoff_id("c1")]
    assert h.get(handoff_id("c1")).attempts == 2


def test_reconcile_outside_outcome_unknown_is_refused(desk: Desk) -> None:
    """reconcile of a handed-off handoff raises InvalidTransition."""
    h, _ = _handoff(desk, ["ok"])
    h.request(conversation(channel="sms", profile_id="p1"))
    with pytest.raises(InvalidTransition) as info:
        h.reconcile(handoff_id("c1"))
    assert str(info.value) == (
        "the handoff of conversation 'c1' is in state 'handed_off' and does not accept"
        " reconcile (it has ended)"
    )


def test_refusal_fails_the_handoff_with_the_services_details(desk: Desk) -> None:
    """A 422 ends the handoff as failed; the ledger keeps the error; no event is recorded."""
    h, _ = _handoff(desk, ["reject"])
    step = h.request(conversation(channel="sms", profile_id="p1"))
    assert step.state is State.FAILED
    assert [m.key.value for m in step.tell_visitor] == ["handoff_failed"]
    record = h.get(handoff_id("c1"))
    assert "requester" in record.detail["error"]
    assert (
        desk.data.count_events(
            "p1", "Conversation with Customer Agent Escalated", start=None, end=None
        )
        == 0
    )


def test_an_error_outside_the_contract_leaves_the_handoff_outcome_unknown(desk: Desk) -> None:
    """A destination raising something else than a DeliveryError (a bug, a database's
    error) gets it raised, with the handoff recorded outcome_unknown (it was stuck in
    handing_off); reconcile then finds the ticket, with no second request."""
    h, destination = _handoff(desk, ["crash"])
    with pytest.raises(RuntimeError, match=r"^database connection lost$"):
        h.request(conversation(channel="sms", profile_id="p1"))
    record = h.get(handoff_id("c1"))
    assert record.state is State.OUTCOME_UNKNOWN
    assert record.detail["error"] == "RuntimeError: database connection lost"
    assert record.transitions[-1].why == "delivery raised RuntimeError: database connection lost"
    assert [m.key.value for m in record.tell_visitor] == ["handoff_pending"]
    step = h.reconcile(handoff_id("c1"))
    assert (step.state, step.ticket_id) == (State.HANDED_OFF, "T-1")
    assert len(destination.seen_states) == 1


class _FlakyData(InMemoryCustomerData):
    """Customer data whose first ``fail`` event recordings raise."""

    def __init__(self, fail: int) -> None:
        super().__init__(profiles=[Profile(id="p1")])
        self.fail = fail

    def record_event(self, event: Event) -> bool:
        if self.fail:
            self.fail -= 1
            raise ConnectionError("customer-data store down")
        return super().record_event(event)


def test_a_failing_event_recorder_never_loses_the_step_and_a_repeated_request_records_it(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    """The ticket delivered and handed_off written, an event recorder that raises once:
    the caller gets the step (what to tell the visitor), the failure is logged at
    WARNING, and the next request of the conversation records the event, once."""
    data = _FlakyData(fail=1)
    ledger = InMemoryLedger()
    h = Handoff(
        settings=SendToHelpdesk(helpdesk="gorgias"),
        ledger=ledger,
        clock=desk.clock,
        customer_data=data,
        destination=Scripted(["ok"], ledger),
    )
    metric = "Conversation with Customer Agent Escalated"
    with caplog.at_level(logging.WARNING, logger="helpdesk_routing.handoff"):
        step = h.request(conversation(channel="sms", profile_id="p1"))
    assert (step.state, step.ticket_id) == (State.HANDED_OFF, "T-1")
    assert [m.key.value for m in step.tell_visitor] == ["human_will_follow", "continue_by_sms"]
    (logged,) = caplog.records
    assert logged.levelno == logging.WARNING
    assert logged.handoff_id == step.handoff_id  # type: ignore[attr-defined]
    assert data.count_events("p1", metric, start=None, end=None) == 0
    desk.clock.advance(timedelta(minutes=5))
    again = h.request(conversation(channel="sms", profile_id="p1"))
    assert (again.state, again.new) == (State.HANDED_OFF, False)
    assert data.count_events("p1", metric, start=None, end=None) == 1
    (event,) = data.events("p1")
    assert event.timestamp == h.get(step.handoff_id).updated_at  # when it was handed off
    h.request(conversation(channel="sms", profile_id="p1"))
    assert data.count_events("p1", metric, start=None, end=None) == 1
