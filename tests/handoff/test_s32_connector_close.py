"""A connector used in a ``with`` block is closed at its end, and a closed connector sends
nothing: ``deliver`` is ``Unreachable`` ("the connector is closed"), so a handoff through
it fails as refused, not as a lost answer; ``find`` is ``OutcomeUnknown`` naming it.
(httpx's own ``RuntimeError`` reached the caller, and a handoff through a closed
connector waited in ``outcome_unknown`` though nothing had been sent.)"""

from __future__ import annotations

import pytest

from helpdesk_routing.handoff import State
from helpdesk_routing.handoff.errors import OutcomeUnknown, Unreachable
from tests.handoff.conftest import Desk, conversation
from tests.handoff.fake_services import FakeService
from tests.handoff.http_helpers import HID, connector_to, delivery_request, handoff_to

CLOSED = "unreachable: the connector is closed (close() was called)"


def test_a_with_block_delivers_then_closes_the_connector(service: FakeService) -> None:
    with connector_to(service) as connector:
        delivered = connector.deliver(delivery_request())
        assert delivered.ticket_id == "1"
    posts = len(service.posts)
    with pytest.raises(Unreachable) as refused:
        connector.deliver(delivery_request())
    assert str(refused.value) == f"{service.kind}: {CLOSED}"
    assert len(service.posts) == posts  # nothing was sent


def test_a_closed_connector_s_find_is_an_unknown_outcome_naming_the_cause(
    service: FakeService,
) -> None:
    connector = connector_to(service)
    connector.close()
    connector.close()  # closing again does nothing
    with pytest.raises(OutcomeUnknown) as unknown:
        connector.find(HID)
    assert "the connector is closed" in str(unknown.value)
    assert service.requests == []


def test_a_handoff_through_a_closed_connector_fails_as_refused_not_lost(
    desk: Desk, service: FakeService
) -> None:
    connector = connector_to(service)
    connector.close()
    h, ledger, _ = handoff_to(service, desk, connector)
    step = h.request(conversation(channel="sms", email="vic@example.com"))
    assert step.state is State.FAILED
    record = ledger.get(step.handoff_id)
    assert record is not None
    assert record.state is State.FAILED
    assert "the connector is closed" in str(record.transitions[-1])
    assert service.requests == []
