"""The connectors' look-ups and answers against the real HTTP servers on 127.0.0.1 that
imitate Zendesk and Gorgias (``fake_services``), when the service misbehaves:

- a look-up answered with a list the service did not filter by ``external_id`` never
  answers another customer's ticket (reconcile, recover, Zendesk's
  ``IdempotentRequestError``), and of several tickets of the handoff the oldest;
- a look-up that could not be made (401/403, 429, no connection) is ``OutcomeUnknown``
  naming its cause;
- any 2xx naming the ticket is a created ticket;
- a huge ``Retry-After`` is a finite wait; ``HandoffRecord.attempts`` counts deliveries.
"""

from __future__ import annotations

import json
import logging
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from helpdesk_routing.handoff import (
    AuthenticationFailed,
    Handoff,
    OutcomeUnknown,
    RateLimited,
    State,
    Unreachable,
)
from helpdesk_routing.handoff.connectors._http import (
    MAX_RETRY_AFTER,
    retry_after_seconds,
)
from tests.handoff.conftest import Desk, conversation
from tests.handoff.fake_services import FakeService
from tests.handoff.http_helpers import (
    HID,
    STRANGER,
    connector_to,
    delivery_request,
    handoff_to,
)


def _ticket(service: FakeService, external_id: str | None) -> int:
    """Store a ticket another way than through the connector; its id."""
    inner: dict[str, Any] = {"subject": "Another customer", "external_id": external_id}
    return service.create({"ticket": inner} if service.kind == "zendesk" else inner)


def _listed(service: FakeService, tickets: list[Any]) -> None:
    """Make every look-up answer 200 with ``tickets`` under the service's key."""
    key = "tickets" if service.kind == "zendesk" else "data"
    service.lookup_body = json.dumps({key: tickets}).encode()


def _lost(service: FakeService, h: Handoff, *, created: bool) -> str:
    """Request c1's handoff, its POST answered by a 201 that names no ticket (made, or
    not): the handoff waits in outcome_unknown. Its id."""
    service.script = ["odd" if created else "odd-before"]
    service.odd_body = b"{}"
    step = h.request(conversation(channel="sms", email="vic@example.com"))
    assert (step.state, step.ticket_id) == (State.OUTCOME_UNKNOWN, None)
    return step.handoff_id


# -- 1. a look-up never answers another handoff's ticket --------------------------------------


def test_an_unfiltered_look_up_listing_only_a_stranger_s_ticket_is_not_found_by_reconcile(
    desk: Desk, service: FakeService
) -> None:
    """The POST's answer is lost and no ticket of c1 exists; the service ignores the
    external_id filter and lists another customer's ticket. reconcile never hands the
    handoff off on it: OutcomeUnknown, the handoff still outcome_unknown, nothing sent."""
    h, ledger, _ = handoff_to(service, desk)
    hid = _lost(service, h, created=False)
    _ticket(service, STRANGER)
    service.lookup_unfiltered = True
    expected = (
        f"{service.kind}: outcome unknown: look-up answer lists 1 ticket(s), none with "
        f"external_id '{hid}' (the service did not filter by it: not read as not found)"
    )
    with pytest.raises(OutcomeUnknown) as caught:
        h.reconcile(hid)
    assert str(caught.value) == expected
    record = ledger.get(hid)
    assert record is not None
    assert (record.state, record.ticket_id) == (State.OUTCOME_UNKNOWN, None)
    assert len(service.posts) == 1


def test_an_unfiltered_look_up_answers_the_handoff_s_own_ticket_among_others(
    desk: Desk, service: FakeService
) -> None:
    """A stranger's ticket listed first, c1's second: reconcile finds c1's (id 2)."""
    h, _, _ = handoff_to(service, desk)
    _ticket(service, STRANGER)
    hid = _lost(service, h, created=True)
    service.lookup_unfiltered = True
    step = h.reconcile(hid)
    assert (step.state, step.ticket_id) == (State.HANDED_OFF, "2")
    assert len(service.posts) == 1


def test_recover_with_an_unfiltered_look_up_neither_takes_a_stranger_s_ticket_nor_resends(
    desk: Desk, service: FakeService, caplog: pytest.LogCaptureFixture
) -> None:
    """recover after longest_delivery: a list of strangers' tickets proves nothing (the
    handoff's may be on another page), so the handoff is neither handed off on one nor
    sent again; the WARNING names the cause; a recover once ``older_than`` has passed
    again (the failed attempt is recorded on the handoff), filtered, sends it."""
    h, ledger, connector = handoff_to(service, desk)
    hid = _lost(service, h, created=False)
    _ticket(service, STRANGER)
    _ticket(service, None)  # a ticket made by hand: Zendesk lists its external_id as null
    service.lookup_unfiltered = True
    desk.clock.advance(connector.longest_delivery + timedelta(minutes=1))
    older_than = connector.longest_delivery + timedelta(seconds=1)
    with caplog.at_level(logging.WARNING, logger="helpdesk_routing.handoff"):
        assert h.recover(older_than) == []
    assert "none with external_id" in caplog.text
    record = ledger.get(hid)
    assert record is not None
    assert (record.state, record.ticket_id) == (State.OUTCOME_UNKNOWN, None)
    assert len(service.posts) == 1
    service.lookup_unfiltered = False
    assert h.recover(older_than) == []  # its failed attempt was recorded just now
    desk.clock.advance(older_than + timedelta(seconds=1))
    (step,) = h.recover(older_than)
    assert (step.state, step.ticket_id) == (State.HANDED_OFF, "3")
    assert len(service.posts) == 2


def test_of_several_tickets_of_the_handoff_the_oldest_is_found(
    desk: Desk, service: FakeService
) -> None:
    """Two tickets carry c1's external_id (a slow request made a second one), listed newest
    first: the look-up answers the oldest (the lowest id), whatever the order."""
    h, _, connector = handoff_to(service, desk)
    hid = _lost(service, h, created=True)
    _ticket(service, hid)
    service.lookup_newest_first = True
    assert connector.find(hid) == "1"
    step = h.reconcile(hid)
    assert (step.state, step.ticket_id) == (State.HANDED_OFF, "1")


@pytest.mark.parametrize(
    ("tickets", "found"),
    [
        ([{"id": 12, "external_id": HID}, {"id": 9, "external_id": HID}], "9"),
        ([{"id": "12", "external_id": HID}, {"id": " 9 ", "external_id": HID}], "9"),
        ([{"id": "b-2", "external_id": HID}, {"id": "a-1", "external_id": HID}], "b-2"),
        ([{"id": 5, "external_id": None}, {"id": 6, "external_id": HID}], "6"),
        ([{"id": 5, "external_id": STRANGER}, {"id": 6, "external_id": HID}], "6"),
    ],
)
def test_a_look_up_answers_only_the_handoff_s_tickets_the_oldest_first(
    service: FakeService, tickets: list[Any], found: str
) -> None:
    """Numbered ids: the lowest; other ids: the first listed; tickets of other (or no)
    external ids are passed over."""
    _listed(service, tickets)
    assert connector_to(service).find(HID) == found


@pytest.mark.parametrize(
    "tickets",
    [
        [{"id": 5, "external_id": STRANGER}],
        [{"id": 5, "external_id": None}],
        [{"id": 5, "external_id": HID.upper()}],
    ],
)
def test_a_look_up_listing_no_ticket_of_the_handoff_is_an_unknown_outcome(
    service: FakeService, tickets: list[Any]
) -> None:
    """Tickets were listed, none the handoff's: never "found", never "not found"."""
    _listed(service, tickets)
    with pytest.raises(OutcomeUnknown, match=r"none with external_id"):
        connector_to(service).find(HID)


@pytest.mark.parametrize(
    "tickets",
    [
        [{"id": 5}],
        [{"id": 5, "external_id": 7}],
        [{"id": 6, "external_id": HID}, {"id": 5}],
        [{"id": None, "external_id": HID}],
        [{"external_id": HID}],
    ],
)
def test_a_look_up_that_cannot_say_whose_a_ticket_is_is_unreadable(
    service: FakeService, tickets: list[Any]
) -> None:
    """A ticket without an external_id (or with one that is not text), or the handoff's
    ticket without an id: nothing can be concluded."""
    _listed(service, tickets)
    with pytest.raises(OutcomeUnknown, match=r"look-up answer unreadable"):
        connector_to(service).find(HID)


def test_an_idempotent_request_error_never_takes_a_stranger_s_ticket(
    zendesk_service: FakeService,
) -> None:
    """Zendesk answers IdempotentRequestError (the key was used, the first body differed)
    and its look-up lists only another customer's ticket: OutcomeUnknown, no Delivery."""
    service = zendesk_service
    _ticket(service, STRANGER)
    service.keys[HID] = (b"another body", 99)
    service.lookup_unfiltered = True
    with pytest.raises(OutcomeUnknown, match=r"none with external_id"):
        connector_to(service).deliver(delivery_request())
    service.lookup_unfiltered = False
    with pytest.raises(OutcomeUnknown, match=r"idempotency key reused, ticket not found$"):
        connector_to(service).deliver(delivery_request())
    mine = _ticket(service, HID)
    service.lookup_unfiltered = True
    delivery = connector_to(service).deliver(delivery_request())
    assert (delivery.ticket_id, delivery.replayed) == (str(mine), True)


# -- 2. a look-up that could not be made is OutcomeUnknown ----------------------------------


@pytest.mark.parametrize(
    ("lookup", "cause", "shown"),
    [
        ("401", AuthenticationFailed, "authentication failed (HTTP 401)"),
        ("403", AuthenticationFailed, "authentication failed (HTTP 403)"),
        (
            "429:60",
            RateLimited,
            "rate limited (HTTP 429); gave up after 1 attempt and 0 s of waiting: the server "
            "asked to retry in 60 s, and the next wait (60.07 s with jitter) would take the "
            "waiting past max_total_wait (30 s)",
        ),
    ],
)
def test_a_look_up_refused_or_rate_limited_is_an_unknown_outcome_naming_why(
    service: FakeService, lookup: str, cause: type[Exception], shown: str
) -> None:
    service.lookup_script = [lookup]
    with pytest.raises(OutcomeUnknown) as caught:
        connector_to(service).find(HID)
    kind = service.kind
    assert str(caught.value) == f"{kind}: outcome unknown: look-up failed ({kind}: {shown})"
    assert isinstance(caught.value.__cause__, cause)


def test_a_look_up_that_cannot_connect_is_an_unknown_outcome(service: FakeService) -> None:
    connector = connector_to(service)
    service.stop()
    kind = service.kind
    with pytest.raises(OutcomeUnknown) as caught:
        connector.find(HID)
    assert str(caught.value).startswith(
        f"{kind}: outcome unknown: look-up failed ({kind}: unreachable: ConnectError"
    )
    assert isinstance(caught.value.__cause__, Unreachable)


def test_reconcile_raises_the_look_up_s_unknown_outcome_and_keeps_the_handoff(
    desk: Desk, service: FakeService
) -> None:
    """reconcile raises OutcomeUnknown (a DeliveryError, as documented) whatever stopped
    the look-up; the handoff waits in outcome_unknown for the next call."""
    h, ledger, _ = handoff_to(service, desk)
    hid = _lost(service, h, created=True)
    service.lookup_script = ["401"]
    with pytest.raises(OutcomeUnknown, match=r"authentication failed \(HTTP 401\)"):
        h.reconcile(hid)
    record = ledger.get(hid)
    assert record is not None
    assert record.state is State.OUTCOME_UNKNOWN
    assert h.reconcile(hid).state is State.HANDED_OFF


# -- 3. any 2xx naming the ticket is a created ticket ------------------------------------------


@pytest.mark.parametrize("status", [200, 202, 203, 206, 299])
def test_any_2xx_naming_the_ticket_creates_it(
    desk: Desk, service: FakeService, status: int
) -> None:
    h, _, _ = handoff_to(service, desk)
    service.script = ["odd"]
    service.odd_status = status
    service.odd_body = b'{"ticket": {"id": 1}}' if service.kind == "zendesk" else b'{"id": 1}'
    step = h.request(conversation(channel="sms", email="vic@example.com"))
    assert (step.state, step.ticket_id) == (State.HANDED_OFF, "1")


def test_a_204_names_no_ticket_and_is_an_unknown_outcome(service: FakeService) -> None:
    service.script = ["odd"]
    service.odd_status = 204
    service.odd_body = b""
    with pytest.raises(OutcomeUnknown, match=r"HTTP 204 answer does not name the created ticket"):
        connector_to(service).deliver(delivery_request())


# -- 4. Retry-After and attempts ---------------------------------------------------------------


NOW = datetime(2026, 3, 30, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("9" * 400, MAX_RETRY_AFTER),
        ("9" * 5000, MAX_RETRY_AFTER),
        ("1000000001", MAX_RETRY_AFTER),
        ("1000000000", 1_000_000_000.0),
        ("0000000000000000000000030", 30.0),
        ("Fri, 31 Dec 9999 23:59:59 GMT", MAX_RETRY_AFTER),
    ],
)
def test_a_huge_retry_after_is_read_as_the_cap(value: str, seconds: float) -> None:
    assert retry_after_seconds(value, NOW) == seconds


def test_a_retry_after_of_400_digits_is_a_finite_rate_limit(service: FakeService) -> None:
    service.script = ["429:" + "9" * 400]
    with pytest.raises(RateLimited) as caught:
        connector_to(service).deliver(delivery_request())
    assert caught.value.asked == MAX_RETRY_AFTER
    assert caught.value.asked is not None
    assert math.isfinite(caught.value.asked)
    assert str(caught.value) == (
        f"{service.kind}: rate limited (HTTP 429); gave up after 1 attempt and 0 s of "
        "waiting: the server asked to retry in 1000000000 s, and the next wait "
        "(1000000000.07 s with jitter) would take the waiting past max_total_wait (30 s)"
    )


def test_attempts_counts_deliveries_not_the_http_requests_within_one(
    desk: Desk, service: FakeService
) -> None:
    """Three 429s then a 201: four POSTs, one delivery (HandoffRecord.attempts == 1)."""
    h, ledger, _ = handoff_to(service, desk)
    service.script = ["429:1", "429:1", "429:1"]
    step = h.request(conversation(channel="sms", email="vic@example.com"))
    assert step.state is State.HANDED_OFF
    record = ledger.get(step.handoff_id)
    assert record is not None
    assert (record.attempts, len(service.posts)) == (1, 4)
