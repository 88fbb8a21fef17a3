"""The connector tests' timeouts (``http_helpers``) hold on a loaded machine: a request a
test expects to be answered is, though the answer takes a second (the 0.3 s timeouts of
before turned it into a timeout, and a Zendesk retry then made a test fail); a request
a test expects to time out (its answer held back) does, and only it."""

from __future__ import annotations

from helpdesk_routing.handoff import State
from tests.handoff.conftest import Desk, conversation
from tests.handoff.fake_services import FakeService
from tests.handoff.http_helpers import Timeouts, connector_to, delivery_request, handoff_to

LOADED = 1.0
"""Seconds the fake service takes before it acts on each request: a loaded machine."""


def test_an_answer_a_loaded_machine_delays_is_still_an_answer(service: FakeService) -> None:
    service.answer_delay = LOADED
    delivery = connector_to(service).deliver(delivery_request())
    assert (delivery.ticket_id, delivery.replayed) == ("1", False)
    assert len(service.posts) == 1


def test_only_the_held_request_times_out_and_a_delayed_retry_is_answered(
    desk: Desk, service: FakeService
) -> None:
    """The POST's answer is held back: it times out (Zendesk retries it, replayed by the
    key; Gorgias waits in outcome_unknown and reconcile finds the ticket), though every
    request takes a second to be acted on."""
    service.script = ["slow"]
    service.answer_delay = LOADED
    destination = connector_to(service, transport=Timeouts(short_reads=1))
    h, _, _ = handoff_to(service, desk, destination)
    step = h.request(conversation(channel="sms", email="vic@example.com"))
    if service.kind == "zendesk":
        assert (step.state, step.ticket_id) == (State.HANDED_OFF, "1")
        assert len(service.posts) == 2
    else:
        assert step.state is State.OUTCOME_UNKNOWN
        step = h.reconcile(step.handoff_id)
        assert (step.state, step.ticket_id) == (State.HANDED_OFF, "1")
        assert len(service.posts) == 1
    assert len(service.tickets) == 1
