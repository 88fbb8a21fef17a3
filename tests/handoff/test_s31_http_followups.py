"""Follow-ups to the connectors' look-up fixes, against the real HTTP servers on 127.0.0.1
that imitate Zendesk and Gorgias (``fake_services``):

- a create's 2xx naming a ticket whose ``external_id`` is another handoff's is
  ``OutcomeUnknown`` (Zendesk's idempotent replay too), never this handoff's ticket;
- an empty look-up page that says more pages follow is ``OutcomeUnknown``, never
  "not found" (a second ticket would be made);
- a look-up ending in the request loop's own ``OutcomeUnknown`` (a 5xx past the retries,
  a lost answer) says it was the look-up, its cause chained.
"""

from __future__ import annotations

import json

import pytest

from helpdesk_routing.handoff import (
    OutcomeUnknown,
    State,
    handoff_id,
)
from tests.handoff.conftest import Desk, conversation
from tests.handoff.fake_services import FakeService
from tests.handoff.http_helpers import (
    HID,
    POLICY,
    STRANGER,
    connector_to,
    delivery_request,
    handoff_to,
)


def _named(service: FakeService, ticket: dict[str, object]) -> bytes:
    """A create's answer naming ``ticket``, in the service's shape."""
    return json.dumps({"ticket": ticket} if service.kind == "zendesk" else ticket).encode()


def _where(service: FakeService) -> str:
    return "ticket.external_id" if service.kind == "zendesk" else "external_id"


# -- 1. a create's answer naming another handoff's ticket --------------------------------------


def test_a_create_answer_naming_another_handoff_s_ticket_is_an_unknown_outcome(
    service: FakeService,
) -> None:
    """The ticket is made, but the answer (a caching proxy's) names ticket 1 with a
    stranger's external_id: OutcomeUnknown naming the mismatch, one POST."""
    service.answer_external_id = STRANGER
    with pytest.raises(OutcomeUnknown) as caught:
        connector_to(service).deliver(delivery_request())
    kind = service.kind
    assert str(caught.value) == (
        f"{kind}: outcome unknown: HTTP 201 answer names ticket 1 of another handoff "
        f"({_where(service)} '{STRANGER}', not '{HID}'): not read as this handoff's ticket"
    )
    assert len(service.posts) == 1


def test_a_handoff_answered_with_another_handoff_s_ticket_waits_then_reconcile_finds_its_own(
    desk: Desk, service: FakeService
) -> None:
    """Through Handoff: the create's answer names a stranger's ticket, so the handoff waits
    in outcome_unknown, the mismatch in its last transition; reconcile finds the
    handoff's own ticket (2, after the stranger's 1) by its external_id, with no second
    POST."""
    h, ledger, _ = handoff_to(service, desk)
    stranger: dict[str, object] = {"external_id": STRANGER}
    service.create({"ticket": stranger} if service.kind == "zendesk" else stranger)
    service.answer_external_id = STRANGER
    step = h.request(conversation(channel="sms", email="vic@example.com"))
    assert (step.state, step.ticket_id) == (State.OUTCOME_UNKNOWN, None)
    record = ledger.get(step.handoff_id)
    assert record is not None
    assert record.state == State.OUTCOME_UNKNOWN
    assert "answer names ticket 2 of another handoff" in str(record.transitions[-1])
    found = h.reconcile(step.handoff_id)
    assert (found.state, found.ticket_id) == (State.HANDED_OFF, "2")
    assert len(service.posts) == 1


def test_zendesk_s_replay_naming_another_handoff_s_ticket_is_an_unknown_outcome(
    zendesk_service: FakeService,
) -> None:
    """The first POST creates the ticket and its answer is lost; the retry, under the same
    Idempotency-Key, is answered by a replay (x-idempotency-lookup: hit) naming a
    stranger's external_id: OutcomeUnknown, not a replayed Delivery."""
    zendesk_service.script = ["drop"]
    zendesk_service.answer_external_id = STRANGER
    with pytest.raises(OutcomeUnknown, match=r"answer names ticket 1 of another handoff"):
        connector_to(zendesk_service).deliver(delivery_request())
    assert len(zendesk_service.posts) == 2
    assert zendesk_service.external_ids() == [HID]


@pytest.mark.parametrize(
    ("external", "shown"),
    [
        (handoff_id("c1").upper(), repr(handoff_id("c1").upper())),
        (f"{handoff_id('c1')} ", repr(f"{handoff_id('c1')} ")),
        (7, "7"),
        ("", "''"),
    ],
)
def test_an_external_id_that_is_not_exactly_the_handoff_id_is_an_unknown_outcome(
    service: FakeService, external: object, shown: str
) -> None:
    """The comparison is exact, as the look-up's: another case, a space, a number or an
    empty text is another ticket's."""
    service.script = ["odd"]
    service.odd_body = _named(service, {"id": 1, "external_id": external})
    with pytest.raises(OutcomeUnknown) as caught:
        connector_to(service).deliver(delivery_request())
    assert f"({_where(service)} {shown}, not '{HID}')" in str(caught.value)


@pytest.mark.parametrize(
    "ticket",
    [{"id": 1}, {"id": 1, "external_id": None}, {"id": 1, "external_id": HID}],
    ids=["absent", "null", "the handoff id"],
)
def test_an_answer_without_another_external_id_names_the_created_ticket(
    service: FakeService, ticket: dict[str, object]
) -> None:
    """An answer without external_id (or null) is read by its id alone, as before; the
    handoff id is this handoff's ticket."""
    service.script = ["odd"]
    service.odd_body = _named(service, ticket)
    assert connector_to(service).deliver(delivery_request()).ticket_id == "1"


def test_the_fake_services_answer_the_ticket_s_external_id(service: FakeService) -> None:
    """The fakes answer external_id as the services do: a plain create is handed off."""
    delivery = connector_to(service).deliver(delivery_request())
    assert delivery.ticket_id == "1"
    assert service.external_ids() == [HID]


# -- 2. an empty look-up page that says more pages follow --------------------------------------


def test_an_empty_look_up_page_saying_more_follow_is_not_not_found(
    desk: Desk, service: FakeService
) -> None:
    """The create's answer is lost (the ticket made); the look-up's first page is empty but
    says more follow (Zendesk next_page, Gorgias meta.next_cursor), the ticket on page 2.
    reconcile raises OutcomeUnknown naming the field; no second POST, no second ticket."""
    h, ledger, _ = handoff_to(service, desk)
    service.script = ["odd"]
    service.odd_body = b"{}"
    step = h.request(conversation(channel="sms", email="vic@example.com"))
    assert step.state == State.OUTCOME_UNKNOWN
    service.lookup_empty_pages = 1
    with pytest.raises(OutcomeUnknown) as caught:
        h.reconcile(step.handoff_id)
    kind = service.kind
    follows = (
        f"next_page: '{service.url}/api/v2/tickets?external_id={HID}&page=2'"
        if kind == "zendesk"
        else "meta.next_cursor: 'c2'"
    )
    assert str(caught.value) == (
        f"{kind}: outcome unknown: look-up answer lists no ticket but says more pages "
        f"follow ({follows}): not read as not found"
    )
    record = ledger.get(step.handoff_id)
    assert record is not None
    assert (record.state, record.ticket_id) == (State.OUTCOME_UNKNOWN, None)
    assert len(service.posts) == 1
    assert service.external_ids() == [HID]


def test_an_empty_last_look_up_page_is_not_found(service: FakeService) -> None:
    """The fakes answer the pagination fields null: an empty last page is "not found"."""
    assert connector_to(service).find(HID) is None


@pytest.mark.parametrize(
    ("body", "follows"),
    [
        ({"tickets": [], "next_page": None}, None),
        ({"tickets": [], "meta": {"has_more": False, "after_cursor": "x"}, "links": {}}, None),
        ({"tickets": [], "meta": {"has_more": False}, "links": {"next": None}}, None),
        ({"tickets": [], "meta": {"has_more": True, "after_cursor": "x"}}, "meta.has_more"),
        ({"tickets": [], "links": {"next": "https://x/next"}}, "links.next"),
        ({"tickets": [], "next_page": ""}, "next_page"),
    ],
)
def test_zendesk_s_cursor_pagination_fields_say_more_pages_follow(
    zendesk_service: FakeService, body: dict[str, object], follows: str | None
) -> None:
    """Zendesk's cursor pagination says more follow by meta.has_more and links.next."""
    zendesk_service.lookup_body = json.dumps(body).encode()
    if follows is None:
        assert connector_to(zendesk_service).find(HID) is None
        return
    with pytest.raises(OutcomeUnknown, match=rf"says more pages follow \({follows}: "):
        connector_to(zendesk_service).find(HID)


def test_an_idempotent_request_error_with_an_empty_page_saying_more_follow(
    zendesk_service: FakeService,
) -> None:
    """Zendesk's IdempotentRequestError, its look-up's first page empty but saying more
    follow: OutcomeUnknown naming the pagination, one POST."""
    zendesk_service.keys[HID] = (b"another body", 99)
    zendesk_service.lookup_empty_pages = 1
    with pytest.raises(OutcomeUnknown, match=r"says more pages follow \(next_page: "):
        connector_to(zendesk_service).deliver(delivery_request())
    assert len(zendesk_service.posts) == 1


# -- 3. a look-up ending in the request loop's OutcomeUnknown says it was the look-up ---------


@pytest.mark.parametrize(
    ("action", "shown"),
    [
        ("500", "HTTP 500"),
        ("503", "HTTP 503"),
        ("drop", "RemoteProtocolError: Server disconnected without sending a response."),
    ],
)
def test_a_look_up_failing_past_the_retries_says_it_was_the_look_up(
    service: FakeService, action: str, shown: str
) -> None:
    """Every attempt of the look-up answered 5xx, or lost: OutcomeUnknown "look-up failed
    (...)", the request loop's OutcomeUnknown as its cause."""
    service.lookup_script = [action] * POLICY.attempts
    with pytest.raises(OutcomeUnknown) as caught:
        connector_to(service).find(HID)
    kind = service.kind
    inner = f"{kind}: outcome unknown: {shown}"
    assert str(caught.value) == f"{kind}: outcome unknown: look-up failed ({inner})"
    cause = caught.value.__cause__
    assert isinstance(cause, OutcomeUnknown)
    assert str(cause) == inner
    assert len(service.requests) == POLICY.attempts


def test_reconcile_s_look_up_failing_past_the_retries_says_it_was_the_look_up(
    desk: Desk, service: FakeService
) -> None:
    """The same through reconcile: the handoff stays outcome_unknown."""
    h, ledger, _ = handoff_to(service, desk)
    service.script = ["odd-before"]
    service.odd_body = b"{}"
    step = h.request(conversation(channel="sms", email="vic@example.com"))
    service.lookup_script = ["500"] * POLICY.attempts
    kind = service.kind
    with pytest.raises(
        OutcomeUnknown,
        match=rf"^{kind}: outcome unknown: look-up failed \({kind}: outcome unknown: HTTP 500\)$",
    ):
        h.reconcile(step.handoff_id)
    record = ledger.get(step.handoff_id)
    assert record is not None
    assert record.state == State.OUTCOME_UNKNOWN


@pytest.mark.parametrize(
    ("action", "shown"),
    [
        ("500", "HTTP 500"),
        ("drop", "RemoteProtocolError: Server disconnected without sending a response."),
    ],
)
def test_an_idempotent_request_error_whose_look_up_fails_says_so(
    zendesk_service: FakeService, action: str, shown: str
) -> None:
    """IdempotentRequestError, then every attempt of the look-up answered 500 or lost:
    "idempotency key reused, look-up failed (...)", the loop's OutcomeUnknown chained."""
    zendesk_service.keys[HID] = (b"another body", 99)
    zendesk_service.lookup_script = [action] * POLICY.attempts
    with pytest.raises(OutcomeUnknown) as caught:
        connector_to(zendesk_service).deliver(delivery_request())
    inner = f"zendesk: outcome unknown: {shown}"
    assert str(caught.value) == (
        f"zendesk: outcome unknown: idempotency key reused, look-up failed ({inner})"
    )
    cause = caught.value.__cause__
    assert isinstance(cause, OutcomeUnknown)
    assert str(cause) == inner
    assert len(zendesk_service.posts) == 1
