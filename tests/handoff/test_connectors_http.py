"""Both connectors against real HTTP servers on 127.0.0.1 that imitate Zendesk and Gorgias:
payloads, auth, idempotent replay, 429 with Retry-After, a dropped connection, a slow
answer past the timeout, refusals, reconciliation after a lost answer, and answers too
large to read (a gzip bomb)."""

from __future__ import annotations

import dataclasses
import functools
import gzip
import json
import logging
import socket
import time
import zlib
from datetime import timedelta
from typing import Any

import pytest

from helpdesk_routing.errors import ValidationError
from helpdesk_routing.handoff import (
    AuthenticationFailed,
    DeliveryRequest,
    Handoff,
    InMemoryLedger,
    MessageKey,
    OutcomeUnknown,
    RateLimited,
    SendToHelpdesk,
    ServiceRejected,
    State,
    Unreachable,
    VisitorMessage,
    handoff_id,
)
from helpdesk_routing.handoff.connectors import _http
from helpdesk_routing.handoff.connectors.gorgias import GorgiasConnector
from helpdesk_routing.handoff.connectors.zendesk import ZendeskConnector
from helpdesk_routing.handoff.errors import SHOWN_DETAILS
from helpdesk_routing.model import Profile
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.handoff.conftest import Desk, conversation
from tests.handoff.fake_services import FakeService, basic
from tests.handoff.http_helpers import AT, POLICY, Timeouts, gorgias, handoff_to
from tests.handoff.http_helpers import zendesk as _zendesk


def _gorgias(url: str, waits: list[float], **kw: Any) -> GorgiasConnector:
    """A Gorgias connector to ``url`` whose AI agent writes as bot@shop.example."""
    return gorgias(url, waits, agent_email="bot@shop.example", **kw)


def _destination(kind: str, service: FakeService) -> ZendeskConnector | GorgiasConnector:
    """The connector of ``kind`` to its fake service, with no retry pauses."""
    return _zendesk(service.url, []) if kind == "zendesk" else _gorgias(service.url, [])


def _handoff_to(kind: str, service: FakeService, desk: Desk) -> tuple[Handoff, InMemoryLedger]:
    """A handoff to the fake ``kind`` service (no retry pauses), with its ledger."""
    handoff, ledger, _ = handoff_to(service, desk, _destination(kind, service))
    return handoff, ledger


def _request(channel: str = "webchat") -> DeliveryRequest:
    return DeliveryRequest(
        handoff_id=handoff_id("c1"),
        conversation=conversation(channel=channel, email="vic@example.com", profile_id="p1"),
        email="vic@example.com",
        reason="knowledge_gap",
        tag="refund",
        subject="Conversation with the AI agent",
        tags=frozenset({"ai-handoff"}),
        at=AT,
    )


def _closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


# -- Zendesk ------------------------------------------------------------------------------


def test_zendesk_creates_a_ticket_with_the_transcript_in_one_private_comment(
    zendesk_service: FakeService,
) -> None:
    """One POST with basic token auth, the idempotency key, and the documented ticket body."""
    delivery = _zendesk(zendesk_service.url, []).deliver(_request())
    assert (delivery.ticket_id, delivery.continue_on, delivery.replayed) == ("1", "email", False)
    (post,) = zendesk_service.posts
    assert post.path == "/api/v2/tickets"
    assert post.headers["idempotency-key"] == handoff_id("c1")
    ticket = json.loads(post.body)["ticket"]
    assert ticket["subject"] == "Conversation with the AI agent"
    assert ticket["requester"] == {"name": "vic", "email": "vic@example.com"}
    assert ticket["tags"] == ["ai-handoff", "refund"]
    assert ticket["external_id"] == handoff_id("c1")
    assert ticket["comment"]["public"] is False
    assert "[2026-03-30 09:58:00 UTC] Visitor: Where is my refund?" in ticket["comment"]["body"]
    assert "[2026-03-30 09:59:00 UTC] AI agent: Let me find someone." in ticket["comment"]["body"]


def test_zendesk_public_comment_custom_fields_and_oauth(zendesk_service: FakeService) -> None:
    """public=True, custom fields by id, and an OAuth bearer token are sent as configured."""
    zendesk_service.authorization = "Bearer tok-1"
    connector = _zendesk(
        zendesk_service.url,
        [],
        email=None,
        api_token=None,
        oauth_token="tok-1",
        public=True,
        custom_fields={360001: "ai"},
    )
    connector.deliver(_request())
    ticket = json.loads(zendesk_service.posts[0].body)["ticket"]
    assert ticket["comment"]["public"] is True
    assert ticket["custom_fields"] == [{"id": 360001, "value": "ai"}]


def test_zendesk_waits_for_retry_after_then_creates_once(zendesk_service: FakeService) -> None:
    """A 429 with Retry-After: 2 is waited out (plus jitter) and retried; one ticket."""
    zendesk_service.script = ["429:2"]
    waits: list[float] = []
    _zendesk(zendesk_service.url, waits).deliver(_request())
    assert len(waits) == 1
    assert 2.0 <= waits[0] <= 2.0 + POLICY.base_delay
    assert len(zendesk_service.tickets) == 1


def test_zendesk_rate_limit_past_the_cap_gives_up(zendesk_service: FakeService) -> None:
    """A Retry-After longer than the total wait allows raises RateLimited without waiting."""
    zendesk_service.script = ["429:60"]
    waits: list[float] = []
    with pytest.raises(
        RateLimited,
        match=r"^zendesk: rate limited \(HTTP 429\); gave up after 1 attempt and 0 s of "
        r"waiting: the server asked to retry in 60 s, and the next wait \(60\.07 s with "
        r"jitter\) would take the waiting past max_total_wait \(30 s\)$",
    ):
        _zendesk(zendesk_service.url, waits).deliver(_request())
    assert waits == []
    assert zendesk_service.tickets == {}


def test_zendesk_slow_answer_is_retried_and_replayed_by_the_key(
    zendesk_service: FakeService,
) -> None:
    """A timeout after the ticket was created: the retry (same key, same bytes) is replayed;
    one ticket exists and the answer says replayed. The first answer is held back until
    the test ends, and only that request has a short read timeout."""
    zendesk_service.script = ["slow"]
    connector = _zendesk(zendesk_service.url, [], transport=Timeouts(short_reads=1))
    delivery = connector.deliver(_request())
    assert delivery.replayed is True
    assert delivery.ticket_id == "1"
    assert len(zendesk_service.tickets) == 1
    first, second = zendesk_service.posts
    assert first.body == second.body
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]


def test_zendesk_dropped_connection_is_retried_safely(zendesk_service: FakeService) -> None:
    """A connection dropped after the ticket was created: the retry replays; one ticket."""
    zendesk_service.script = ["drop"]
    delivery = _zendesk(zendesk_service.url, []).deliver(_request())
    assert delivery.replayed is True
    assert len(zendesk_service.tickets) == 1


def test_zendesk_same_key_other_body_finds_the_ticket_by_external_id(
    zendesk_service: FakeService,
) -> None:
    """A 400 IdempotentRequestError is answered by the ticket found by external_id."""
    connector = _zendesk(zendesk_service.url, [])
    connector.deliver(_request())
    changed = dataclasses.replace(_request(), subject="Another subject")
    delivery = connector.deliver(changed)
    assert (delivery.ticket_id, delivery.replayed) == ("1", True)
    assert len(zendesk_service.tickets) == 1


@pytest.mark.parametrize("status", [401, 403])
def test_zendesk_authentication_error_is_not_retried(
    zendesk_service: FakeService, status: int
) -> None:
    """401 and 403 raise AuthenticationFailed after exactly one request."""
    zendesk_service.script = [str(status)]
    with pytest.raises(
        AuthenticationFailed, match=rf"^zendesk: authentication failed \(HTTP {status}\)$"
    ):
        _zendesk(zendesk_service.url, []).deliver(_request())
    assert len(zendesk_service.posts) == 1


def test_zendesk_validation_error_carries_the_field_details(zendesk_service: FakeService) -> None:
    """A 422 raises ServiceRejected with Zendesk's details per field."""
    zendesk_service.script = ["422"]
    with pytest.raises(ServiceRejected) as caught:
        _zendesk(zendesk_service.url, []).deliver(_request())
    assert caught.value.status == 422
    assert caught.value.details["details"]["requester"][0]["description"] == (
        "Requester email is invalid"
    )


def test_zendesk_server_errors_end_in_outcome_unknown_then_reconcile(
    desk: Desk, zendesk_service: FakeService
) -> None:
    """5xx on every try: the handoff waits in outcome_unknown; reconcile looks the ticket up."""
    zendesk_service.script = ["500", "500", "500", "500-after-create"]
    h = Handoff(
        settings=SendToHelpdesk(helpdesk="zendesk"),
        ledger=InMemoryLedger(),
        clock=desk.clock,
        destination=_zendesk(zendesk_service.url, []),
    )
    step = h.request(conversation(channel="sms", profile_id="p1"))
    assert step.state is State.OUTCOME_UNKNOWN
    step = h.reconcile(step.handoff_id)
    assert (step.state, step.ticket_id) == (State.HANDED_OFF, "1")
    assert len(zendesk_service.posts) == 4


def test_zendesk_unreachable_after_jittered_backoff() -> None:
    """A refused connection is retried with backoff within its bounds, then Unreachable."""
    waits: list[float] = []
    with pytest.raises(Unreachable, match=r"^zendesk: unreachable: ConnectError"):
        _zendesk(_closed_port(), waits).deliver(_request())
    assert len(waits) == POLICY.attempts - 1
    for attempt, wait in enumerate(waits, start=1):
        assert 0 <= wait <= min(POLICY.max_delay, POLICY.base_delay * 2 ** (attempt - 1))


# -- Gorgias ------------------------------------------------------------------------------


def test_gorgias_creates_a_ticket_with_one_sent_message_per_line(
    gorgias_service: FakeService,
) -> None:
    """One POST with basic auth: customer, channel, via api, tags by name, the profile id
    and the conversation in the ticket's meta (it carried no profile id), and every
    message with sender, from_agent, body_text and both datetimes set."""
    delivery = _gorgias(gorgias_service.url, []).deliver(_request("sms"))
    assert (delivery.ticket_id, delivery.continue_on) == ("1", "sms")
    (post,) = gorgias_service.posts
    assert post.path == "/api/tickets"
    assert "idempotency-key" not in post.headers
    body = json.loads(post.body)
    assert body["customer"] == {"email": "vic@example.com"}
    assert (body["channel"], body["via"], body["external_id"]) == ("sms", "api", handoff_id("c1"))
    assert body["tags"] == [{"name": "ai-handoff"}, {"name": "refund"}]
    assert body["meta"] == {"conversation_id": "c1", "profile_id": "p1", "reason": "knowledge_gap"}
    assert [
        (m["sender"], m["from_agent"], m["body_text"], m["sent_datetime"]) for m in body["messages"]
    ] == [
        ({"email": "vic@example.com"}, False, "Where is my refund?", "2026-03-30T09:58:00+00:00"),
        ({"email": "bot@shop.example"}, True, "Let me find someone.", "2026-03-30T09:59:00+00:00"),
    ]
    assert all(m["created_datetime"] == m["sent_datetime"] for m in body["messages"])


def test_gorgias_webchat_continues_by_email(gorgias_service: FakeService) -> None:
    """A webchat conversation becomes an e-mail ticket."""
    delivery = _gorgias(gorgias_service.url, []).deliver(_request("webchat"))
    assert delivery.continue_on == "email"
    assert json.loads(gorgias_service.posts[0].body)["channel"] == "email"


def test_gorgias_retries_after_429(gorgias_service: FakeService) -> None:
    """A 429 (nothing created) is retried after Retry-After; one ticket."""
    gorgias_service.script = ["429:1"]
    waits: list[float] = []
    _gorgias(gorgias_service.url, waits).deliver(_request())
    assert len(waits) == 1
    assert len(gorgias_service.tickets) == 1


@pytest.mark.parametrize("action", ["slow", "drop", "500-after-create"])
def test_gorgias_lost_answer_is_never_posted_again_and_reconcile_finds_it(
    desk: Desk, gorgias_service: FakeService, action: str
) -> None:
    """After a timeout, a dropped connection or a 5xx there is exactly one POST; the handoff
    is outcome_unknown until reconcile finds the ticket by external_id. (``slow``: the
    answer is held back until the test ends; only the POST has a short read timeout.)"""
    gorgias_service.script = [action]
    timeouts = Timeouts(short_reads=1 if action == "slow" else 0)
    h = Handoff(
        settings=SendToHelpdesk(helpdesk="gorgias"),
        ledger=InMemoryLedger(),
        clock=desk.clock,
        destination=_gorgias(gorgias_service.url, [], transport=timeouts),
    )
    step = h.request(conversation(channel="sms", profile_id="p1"))
    assert step.state is State.OUTCOME_UNKNOWN
    assert len(gorgias_service.posts) == 1
    step = h.reconcile(step.handoff_id)
    assert (step.state, step.ticket_id) == (State.HANDED_OFF, "1")
    assert len(gorgias_service.posts) == 1
    assert gorgias_service.external_ids() == [handoff_id("c1")]


def test_gorgias_reconcile_that_finds_nothing_posts_once_more(
    desk: Desk, gorgias_service: FakeService
) -> None:
    """A connection dropped before anything was created: reconcile finds nothing and sends
    again; one ticket in the end."""
    gorgias_service.script = ["drop-before"]
    destination = _gorgias(gorgias_service.url, [])
    h = Handoff(
        settings=SendToHelpdesk(helpdesk="gorgias"),
        ledger=InMemoryLedger(),
        clock=desk.clock,
        destination=destination,
    )
    first = h.request(conversation(channel="sms", profile_id="p1"))
    assert first.state is State.OUTCOME_UNKNOWN
    # at once: the request might still be at work there, so nothing is sent again
    assert h.reconcile(first.handoff_id).state is State.OUTCOME_UNKNOWN
    assert len(gorgias_service.posts) == 1
    desk.clock.advance(destination.longest_delivery + timedelta(seconds=1))
    step = h.reconcile(first.handoff_id)
    assert step.state is State.HANDED_OFF
    assert len(gorgias_service.posts) == 2
    assert len(gorgias_service.tickets) == 1


def test_gorgias_reconcile_soon_after_a_lost_answer_never_makes_a_second_ticket(
    desk: Desk, gorgias_service: FakeService
) -> None:
    """Gorgias takes longer than the client waits: the answer is lost while the ticket is
    still being made. A reconcile at once finds nothing, and must not send again (it did:
    two tickets for one conversation); once the ticket exists it is found, and the visitor
    is told how the conversation goes on, as after a delivery. The fake server makes the
    ticket only when the test releases it; only the POST has a short read timeout."""
    gorgias_service.script = ["late"]
    h = Handoff(
        settings=SendToHelpdesk(helpdesk="gorgias"),
        ledger=InMemoryLedger(),
        clock=desk.clock,
        destination=_gorgias(gorgias_service.url, [], transport=Timeouts(short_reads=1)),
    )
    first = h.request(conversation(channel="webchat", email="ann@example.com"))
    assert first.state is State.AWAITING_CONFIRMATION
    lost = h.confirm("c1", yes=True)
    assert lost.state is State.OUTCOME_UNKNOWN
    again = h.reconcile(lost.handoff_id)
    assert again.state is State.OUTCOME_UNKNOWN
    assert len(gorgias_service.posts) == 1
    gorgias_service.release()  # the ticket is made now
    for _ in range(1200):  # waits for the server's thread, not for a time
        if gorgias_service.tickets:
            break
        time.sleep(0.05)
    step = h.reconcile(lost.handoff_id)
    assert (step.state, step.ticket_id) == (State.HANDED_OFF, "1")
    assert len(gorgias_service.posts) == 1
    assert [m.key for m in step.tell_visitor] == [
        MessageKey.HUMAN_WILL_FOLLOW,
        MessageKey.CONTINUE_BY_EMAIL,
    ]


def test_gorgias_outcome_unknown_message(gorgias_service: FakeService) -> None:
    """The error after a timeout names the service and the cause."""
    gorgias_service.script = ["slow"]
    connector = _gorgias(gorgias_service.url, [], transport=Timeouts(short_reads=1))
    with pytest.raises(OutcomeUnknown, match=r"^gorgias: outcome unknown: ReadTimeout"):
        connector.deliver(_request())


def test_gorgias_refused_connection_is_retried_then_unreachable() -> None:
    """Nothing listening: retried (nothing can have been created), then Unreachable."""
    waits: list[float] = []
    with pytest.raises(Unreachable):
        _gorgias(_closed_port(), waits).deliver(_request())
    assert len(waits) == POLICY.attempts - 1


def test_gorgias_auth_and_validation_errors(gorgias_service: FakeService) -> None:
    """403 raises AuthenticationFailed, 400 ServiceRejected with the body; no retries."""
    gorgias_service.script = ["403", "400"]
    connector = _gorgias(gorgias_service.url, [])
    with pytest.raises(AuthenticationFailed):
        connector.deliver(_request())
    with pytest.raises(ServiceRejected) as caught:
        connector.deliver(_request())
    assert caught.value.details["error"] == "RecordInvalid"
    assert len(gorgias_service.posts) == 2


@pytest.mark.parametrize("kind", ["zendesk", "gorgias"])
def test_a_visitor_known_by_profile_alone_is_answered_at_the_profile_s_address(
    desk: Desk, kind: str, zendesk_service: FakeService, gorgias_service: FakeService
) -> None:
    """A webchat visitor identified by profile only (never asked for an address): the
    ticket's requester is the profile's ``$email``, and the visitor is told the
    conversation goes on there (the ticket had no contact, and Zendesk made the API
    account its requester). Without an address on the profile, none is made up."""
    service = zendesk_service if kind == "zendesk" else gorgias_service
    destination = _destination(kind, service)
    data = InMemoryCustomerData(
        profiles=[
            Profile(id="p1", properties={"$email": "vic@example.com"}),
            Profile(id="p2", properties={"$email": "not an address"}),
        ]
    )
    h = Handoff(
        settings=SendToHelpdesk(helpdesk=kind),
        ledger=InMemoryLedger(),
        clock=desk.clock,
        destination=destination,
        customer_data=data,
    )
    h.request(conversation(cid="c1", profile_id="p1"))
    step = h.confirm("c1", yes=True)
    assert step.state is State.HANDED_OFF
    assert step.tell_visitor[-1] == VisitorMessage.of(
        MessageKey.CONTINUE_BY_EMAIL, email="vic@example.com"
    )
    body = json.loads(service.posts[0].body)
    if kind == "zendesk":
        assert body["ticket"]["requester"] == {"name": "vic", "email": "vic@example.com"}
    else:
        assert body["customer"] == {"email": "vic@example.com"}
    h.request(conversation(cid="c2", profile_id="p2"))
    step = h.confirm("c2", yes=True)
    assert [m.key for m in step.tell_visitor] == [MessageKey.HUMAN_WILL_FOLLOW]


# -- Answers that do not name the ticket ---------------------------------------------------

_DEEP = b"[" * 100_000 + b"]" * 100_000
"""JSON nested too deeply for Python's parser (RecursionError, not a ValueError)."""

_NOT_GZIP = {"Content-Encoding": "gzip"}
"""A header announcing gzip on a body that is not (httpx's DecodingError)."""

_UNCLEAR_ANSWERS = [
    b"not json",
    pytest.param(_DEEP, id="nested-too-deeply"),
    b"{}",
    b"[]",
    b"",
    b'{"ticket": {"id": null}}',
    b'{"ticket": {"id": true}}',
    b'{"ticket": {"id": ""}}',
    b'{"ticket": []}',
    b'{"id": null}',
    b'{"id": false}',
    b'{"id": " "}',
    b'{"id": 1.5}',
    b'{"id": {"n": 1}}',
]


@pytest.mark.parametrize("kind", ["zendesk", "gorgias"])
@pytest.mark.parametrize("body", _UNCLEAR_ANSWERS)
def test_a_2xx_that_does_not_name_the_ticket_is_an_unknown_outcome_then_reconciled(
    desk: Desk, kind: str, body: bytes, zendesk_service: FakeService, gorgias_service: FakeService
) -> None:
    """A 201 whose body is not JSON, has another shape or no usable id leaves the handoff in
    outcome_unknown (never stuck in handing_off, never a ticket id 'None'); reconcile
    then finds the ticket by external_id, with one POST."""
    service = zendesk_service if kind == "zendesk" else gorgias_service
    service.script = ["odd"]
    service.odd_body = body
    h, ledger = _handoff_to(kind, service, desk)
    step = h.request(conversation(channel="sms", profile_id="p1"))
    assert (step.state, step.ticket_id) == (State.OUTCOME_UNKNOWN, None)
    record = ledger.get(step.handoff_id)
    assert record is not None
    assert record.transitions[-1].why.startswith(
        f"{kind}: outcome unknown: HTTP 201 answer does not name the created ticket"
    )
    step = h.reconcile(step.handoff_id)
    assert (step.state, step.ticket_id) == (State.HANDED_OFF, "1")
    assert len(service.posts) == 1


@pytest.mark.parametrize("kind", ["zendesk", "gorgias"])
@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b"not json",
        b"{}",
        b'{"tickets": null, "data": null}',
        b'{"tickets": {}, "data": {}}',
        b'{"tickets": [{}], "data": [{}]}',
        b'{"tickets": [{"id": null}], "data": [{"id": null}]}',
        b'{"tickets": [7], "data": [7]}',
        pytest.param(_DEEP, id="nested-too-deeply"),
    ],
)
def test_an_unreadable_look_up_answer_is_an_unknown_outcome(
    kind: str, body: bytes, zendesk_service: FakeService, gorgias_service: FakeService
) -> None:
    """A 200 look-up whose body lists no tickets in the documented shape proves nothing:
    OutcomeUnknown (a DeliveryError), never a raw error nor "not found"."""
    service = zendesk_service if kind == "zendesk" else gorgias_service
    service.lookup_body = body
    destination = _destination(kind, service)
    unreadable = rf"^{kind}: outcome unknown: look-up answer unreadable"
    with pytest.raises(OutcomeUnknown, match=unreadable):
        destination.find(handoff_id("c1"))


@pytest.mark.parametrize("kind", ["zendesk", "gorgias"])
@pytest.mark.parametrize(
    ("listed", "found"),
    [
        (b"[]", None),
        (b'[{"id": 42, "external_id": "HID"}]', "42"),
        (b'[{"id": "abc-1", "external_id": "HID"}, {"id": 2, "external_id": "HID"}]', "abc-1"),
    ],
)
def test_a_look_up_answers_the_first_ticket_s_id_as_text(
    kind: str,
    listed: bytes,
    found: str | None,
    zendesk_service: FakeService,
    gorgias_service: FakeService,
) -> None:
    """Ids are integers or text, and kept as text; an empty list is "not found"."""
    service = zendesk_service if kind == "zendesk" else gorgias_service
    key = b"tickets" if kind == "zendesk" else b"data"
    listed = listed.replace(b"HID", handoff_id("c1").encode())
    service.lookup_body = b'{"' + key + b'": ' + listed + b"}"
    destination = _destination(kind, service)
    assert destination.find(handoff_id("c1")) == found


def test_recover_after_an_answer_without_the_ticket_s_id_finds_it(
    desk: Desk, gorgias_service: FakeService
) -> None:
    """A handoff left in outcome_unknown by a 201 ``{}`` is recovered: found, handed off,
    one ticket; a look-up answering ``[]`` first leaves it for a recover once
    ``older_than`` has passed again."""
    gorgias_service.script = ["odd"]
    destination = _gorgias(gorgias_service.url, [])
    h = Handoff(
        settings=SendToHelpdesk(helpdesk="gorgias"),
        ledger=InMemoryLedger(),
        clock=desk.clock,
        destination=destination,
    )
    h.request(conversation("c3", channel="webchat", email="vic@example.com"))
    assert h.confirm("c3", yes=True).state is State.OUTCOME_UNKNOWN
    desk.clock.advance(destination.longest_delivery + timedelta(minutes=1))
    gorgias_service.lookup_body = b"[]"
    assert h.recover(destination.longest_delivery + timedelta(seconds=1)) == []
    gorgias_service.lookup_body = None
    desk.clock.advance(destination.longest_delivery + timedelta(minutes=1))
    (step,) = h.recover(destination.longest_delivery + timedelta(seconds=1))
    assert (step.state, step.ticket_id) == (State.HANDED_OFF, "1")
    assert len(gorgias_service.posts) == 1


# -- Retry-After --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["zendesk", "gorgias"])
@pytest.mark.parametrize("retry_after", ["\u00b2", "\u00b9\u00b2"])
def test_a_retry_after_of_digits_that_are_not_ascii_falls_back_to_the_backoff(
    kind: str, retry_after: str, zendesk_service: FakeService, gorgias_service: FakeService
) -> None:
    """A Retry-After of superscript digits (str.isdigit accepts them, float does not) is
    unreadable: the 429 is retried after the jittered backoff, not a ValueError."""
    service = zendesk_service if kind == "zendesk" else gorgias_service
    service.script = [f"429:{retry_after}"]
    waits: list[float] = []
    destination = (
        _zendesk(service.url, waits) if kind == "zendesk" else _gorgias(service.url, waits)
    )
    assert destination.deliver(_request()).ticket_id == "1"
    assert len(waits) == 1
    assert 0 <= waits[0] <= POLICY.base_delay
    assert len(service.tickets) == 1


# -- Answers whose body cannot be read ----------------------------------------------------


@pytest.mark.parametrize("kind", ["zendesk", "gorgias"])
@pytest.mark.parametrize("status", [200, 201, 400, 404, 422])
def test_an_answer_whose_body_cannot_be_decoded_is_an_unknown_outcome_then_reconciled(
    desk: Desk, kind: str, status: int, zendesk_service: FakeService, gorgias_service: FakeService
) -> None:
    """An answer to the POST announcing gzip on a body that is not gzip says nothing about
    the ticket: the handoff waits in outcome_unknown (not stuck in handing_off with httpx's
    DecodingError), the POST is not repeated (not even Zendesk's), and reconcile finds the
    ticket by external_id."""
    service = zendesk_service if kind == "zendesk" else gorgias_service
    service.script = ["odd"]
    service.odd_status = status
    service.odd_body = b'{"ticket": {"id": 1}, "id": 1}'
    service.odd_headers = _NOT_GZIP
    h, ledger = _handoff_to(kind, service, desk)
    step = h.request(conversation(channel="sms", profile_id="p1"))
    assert (step.state, step.ticket_id) == (State.OUTCOME_UNKNOWN, None)
    record = ledger.get(step.handoff_id)
    assert record is not None
    assert record.transitions[-1].why.startswith(
        f"{kind}: outcome unknown: HTTP {status} answer unreadable (DecodingError: "
    )
    assert len(service.posts) == 1
    step = h.reconcile(step.handoff_id)
    assert (step.state, step.ticket_id) == (State.HANDED_OFF, "1")
    assert len(service.posts) == 1


@pytest.mark.parametrize("kind", ["zendesk", "gorgias"])
@pytest.mark.parametrize("status", [401, 403])
def test_an_authentication_failure_with_an_undecodable_body_is_still_one(
    kind: str, status: int, zendesk_service: FakeService, gorgias_service: FakeService
) -> None:
    """401 and 403 are answered by their status alone: a body that cannot be decoded does
    not turn them into another error."""
    service = zendesk_service if kind == "zendesk" else gorgias_service
    service.script = ["odd-before"]
    service.odd_status = status
    service.odd_headers = _NOT_GZIP
    destination = _destination(kind, service)
    with pytest.raises(AuthenticationFailed, match=rf"^{kind}: authentication failed"):
        destination.deliver(_request())
    assert len(service.posts) == 1


@pytest.mark.parametrize("kind", ["zendesk", "gorgias"])
def test_a_429_with_an_undecodable_body_is_retried_after_its_retry_after(
    kind: str, zendesk_service: FakeService, gorgias_service: FakeService
) -> None:
    """A 429 (nothing created) is waited out by its Retry-After whatever its body."""
    service = zendesk_service if kind == "zendesk" else gorgias_service
    service.script = ["odd-before"]
    service.odd_status = 429
    service.odd_headers = {**_NOT_GZIP, "Retry-After": "1"}
    waits: list[float] = []
    destination = (
        _zendesk(service.url, waits) if kind == "zendesk" else _gorgias(service.url, waits)
    )
    assert destination.deliver(_request()).ticket_id == "1"
    assert len(waits) == 1
    assert 1.0 <= waits[0] <= 1.0 + POLICY.base_delay
    assert len(service.posts) == 2


@pytest.mark.parametrize("kind", ["zendesk", "gorgias"])
def test_a_look_up_answer_that_cannot_be_decoded_is_an_unknown_outcome(
    kind: str, zendesk_service: FakeService, gorgias_service: FakeService
) -> None:
    """A look-up's 200 announcing gzip on a body that is not gzip proves nothing:
    OutcomeUnknown, never httpx's DecodingError nor "not found"."""
    service = zendesk_service if kind == "zendesk" else gorgias_service
    service.lookup_body = b'{"tickets": [], "data": []}'
    service.lookup_headers = _NOT_GZIP
    destination = _destination(kind, service)
    unreadable = rf"^{kind}: outcome unknown: HTTP 200 answer unreadable \(DecodingError: "
    with pytest.raises(OutcomeUnknown, match=unreadable):
        destination.find(handoff_id("c1"))


@pytest.mark.parametrize("kind", ["zendesk", "gorgias"])
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(_DEEP, "application/json", id="nested-too-deeply"),
        pytest.param(b"no such field", "text/plain; charset=base64", id="charset-base64"),
        pytest.param(b"no such field", "text/plain; charset=idna", id="charset-idna"),
    ],
)
def test_a_refusal_whose_body_is_no_readable_json_keeps_its_text(
    kind: str,
    body: bytes,
    content_type: str,
    zendesk_service: FakeService,
    gorgias_service: FakeService,
) -> None:
    """A 422 whose body is JSON too deep to parse, or text in a charset that is no text
    encoding, is a refusal like any 422 whose body is not JSON: ServiceRejected with the
    body as UTF-8 text, never a RecursionError or an error of the codec."""
    service = zendesk_service if kind == "zendesk" else gorgias_service
    service.script = ["odd-before"]
    service.odd_status = 422
    service.odd_body = body
    service.odd_headers = {"Content-Type": content_type}
    destination = _destination(kind, service)
    with pytest.raises(ServiceRejected) as caught:
        destination.deliver(_request())
    assert caught.value.details == {"body": body.decode()}


# -- Answers too large to read ------------------------------------------------------------

_BOMB_BYTES = 50_000_000
"""What the gzip bomb decodes to: 50 MB of zeros, five times the real limit."""


@functools.cache
def _gzip_bomb() -> bytes:
    """50 MB of zeros as gzip (~49 KB), made once for the whole run."""
    return gzip.compress(bytes(_BOMB_BYTES), compresslevel=9)


_GZIP = {"Content-Encoding": "gzip"}

_NAMED = b'{"ticket": {"id": 1}, "id": 1}'
"""An answer naming ticket 1 to either service (Zendesk ``ticket.id``, Gorgias ``id``)."""

LIMIT = 4096
"""The limit the ``small_limit`` tests set, to keep their bodies small."""


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    """``MAX_BODY_BYTES`` set to ``LIMIT`` for one test."""
    monkeypatch.setattr(_http, "MAX_BODY_BYTES", LIMIT)
    return LIMIT


def _passed(kind: str, status: int, limit: int) -> str:
    """Why a handoff waits after an answer whose body passed ``limit``."""
    return (
        f"{kind}: outcome unknown: HTTP {status} answer unreadable "
        f"(body passed the limit of {limit} bytes)"
    )


@pytest.mark.parametrize("kind", ["zendesk", "gorgias"])
def test_a_gzip_bomb_answer_to_a_create_is_an_unknown_outcome_then_reconciled(
    desk: Desk, kind: str, zendesk_service: FakeService, gorgias_service: FakeService
) -> None:
    """A 201 of ~49 KB of gzip decoding to 50 MB, under the real limit (10 MiB): reading
    stops at the limit, the handoff waits in outcome_unknown (never stuck in handing_off
    with a MemoryError), the POST is not repeated (not even Zendesk's), and reconcile
    finds the ticket by external_id. The connectors asked for gzip or deflate only."""
    assert _http.MAX_BODY_BYTES == 10 * 1024 * 1024
    service = zendesk_service if kind == "zendesk" else gorgias_service
    service.script = ["odd"]
    service.odd_body = _gzip_bomb()
    service.odd_headers = _GZIP
    h, ledger = _handoff_to(kind, service, desk)
    step = h.request(conversation(channel="sms", profile_id="p1"))
    assert (step.state, step.ticket_id) == (State.OUTCOME_UNKNOWN, None)
    record = ledger.get(step.handoff_id)
    assert record is not None
    assert record.transitions[-1].why == _passed(kind, 201, 10 * 1024 * 1024)
    assert len(service.posts) == 1
    assert service.posts[0].headers["accept-encoding"] == "gzip, deflate"
    step = h.reconcile(step.handoff_id)
    assert (step.state, step.ticket_id) == (State.HANDED_OFF, "1")
    assert len(service.posts) == 1


@pytest.mark.parametrize("kind", ["zendesk", "gorgias"])
@pytest.mark.parametrize("status", [201, 400, 422])
def test_a_plain_answer_past_the_limit_is_an_unknown_outcome_then_reconciled(
    desk: Desk,
    kind: str,
    status: int,
    small_limit: int,
    zendesk_service: FakeService,
    gorgias_service: FakeService,
) -> None:
    """A body without Content-Encoding one byte past the limit is not read, though read
    whole it would name the ticket (JSON then spaces): whatever its status, the handoff
    waits in outcome_unknown after one POST (not a refusal, not a ticket), and reconcile
    finds the ticket."""
    service = zendesk_service if kind == "zendesk" else gorgias_service
    service.script = ["odd"]
    service.odd_status = status
    service.odd_body = _NAMED.ljust(small_limit + 1)
    h, ledger = _handoff_to(kind, service, desk)
    step = h.request(conversation(channel="sms", profile_id="p1"))
    assert (step.state, step.ticket_id) == (State.OUTCOME_UNKNOWN, None)
    record = ledger.get(step.handoff_id)
    assert record is not None
    assert record.transitions[-1].why == _passed(kind, status, small_limit)
    assert len(service.posts) == 1
    step = h.reconcile(step.handoff_id)
    assert (step.state, step.ticket_id) == (State.HANDED_OFF, "1")
    assert len(service.posts) == 1


@pytest.mark.parametrize("kind", ["zendesk", "gorgias"])
@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_an_answer_up_to_the_limit_is_read_and_one_byte_more_is_not(
    kind: str,
    encoding: str,
    small_limit: int,
    zendesk_service: FakeService,
    gorgias_service: FakeService,
) -> None:
    """The limit is on the decoded body: one byte under it and exactly at it the 201 names
    the ticket; one byte over, it is OutcomeUnknown (sent as it is or as gzip)."""
    service = zendesk_service if kind == "zendesk" else gorgias_service
    destination = _destination(kind, service)
    for size in (small_limit - 1, small_limit, small_limit + 1):
        body = _NAMED.ljust(size)
        service.script = ["odd-before"]
        service.odd_body = gzip.compress(body) if encoding == "gzip" else body
        service.odd_headers = _GZIP if encoding == "gzip" else {}
        if size <= small_limit:
            assert destination.deliver(_request()).ticket_id == "1"
        else:
            with pytest.raises(OutcomeUnknown) as caught:
                destination.deliver(_request())
            assert str(caught.value) == _passed(kind, 201, small_limit)
    assert len(service.posts) == 3


@pytest.mark.parametrize("kind", ["zendesk", "gorgias"])
def test_bytes_after_the_end_of_a_gzip_body_count_against_the_limit(
    kind: str, small_limit: int, zendesk_service: FakeService, gorgias_service: FakeService
) -> None:
    """A short gzip body naming the ticket, then more bytes than the limit: they are never
    decoded (zlib keeps them all), so the bytes received are held to the limit too."""
    service = zendesk_service if kind == "zendesk" else gorgias_service
    service.script = ["odd-before"]
    service.odd_body = gzip.compress(_NAMED) + bytes(small_limit)
    service.odd_headers = _GZIP
    with pytest.raises(OutcomeUnknown) as caught:
        _destination(kind, service).deliver(_request())
    assert str(caught.value) == _passed(kind, 201, small_limit)


@pytest.mark.parametrize("kind", ["zendesk", "gorgias"])
def test_a_look_up_answer_past_the_limit_is_an_unknown_outcome(
    kind: str, small_limit: int, zendesk_service: FakeService, gorgias_service: FakeService
) -> None:
    """A look-up's 200 listing no ticket, decoding to more than the limit, proves nothing:
    OutcomeUnknown, never "not found"."""
    service = zendesk_service if kind == "zendesk" else gorgias_service
    service.lookup_body = gzip.compress(b'{"tickets": [], "data": []}'.ljust(small_limit + 1))
    service.lookup_headers = _GZIP
    with pytest.raises(OutcomeUnknown) as caught:
        _destination(kind, service).find(handoff_id("c1"))
    assert str(caught.value) == _passed(kind, 200, small_limit)


@pytest.mark.parametrize("kind", ["zendesk", "gorgias"])
def test_statuses_acted_on_alone_still_are_with_a_body_past_the_limit(
    kind: str, small_limit: int, zendesk_service: FakeService, gorgias_service: FakeService
) -> None:
    """A 429 past the limit is waited out by its Retry-After, a 401 past it is an
    authentication failure: their status decides, as with an undecodable body."""
    service = zendesk_service if kind == "zendesk" else gorgias_service
    service.script = ["odd-before", "odd-before"]
    service.odd_status = 429
    service.odd_body = bytes(small_limit + 1)
    service.odd_headers = {"Retry-After": "1"}
    waits: list[float] = []
    destination = (
        _zendesk(service.url, waits) if kind == "zendesk" else _gorgias(service.url, waits)
    )
    assert destination.deliver(_request()).ticket_id == "1"
    assert [w >= 1.0 for w in waits] == [True, True]
    service.script = ["odd-before"]
    service.odd_status = 401
    with pytest.raises(AuthenticationFailed):
        destination.deliver(_request())


@pytest.mark.parametrize("kind", ["zendesk", "gorgias"])
@pytest.mark.parametrize(
    ("encoding", "body", "shown"),
    [
        pytest.param(
            "gzip, gzip", gzip.compress(gzip.compress(_NAMED)), "gzip, gzip", id="gzip-twice"
        ),
        pytest.param(
            "deflate,GZIP", gzip.compress(zlib.compress(_NAMED)), "deflate, gzip", id="deflate-gzip"
        ),
        pytest.param("br", _NAMED, "br", id="br"),
        pytest.param("zstd", _NAMED, "zstd", id="zstd"),
    ],
)
def test_an_answer_in_a_coding_not_asked_for_is_not_read(
    kind: str,
    encoding: str,
    body: bytes,
    shown: str,
    zendesk_service: FakeService,
    gorgias_service: FakeService,
) -> None:
    """httpx decodes each network read of br, zstd or stacked codings at once (gzip twice:
    a few hundred bytes are 50 MB after one step), so such an answer, which the connectors
    never ask for, is not read: OutcomeUnknown, whatever packages are installed."""
    service = zendesk_service if kind == "zendesk" else gorgias_service
    service.script = ["odd-before"]
    service.odd_body = body
    service.odd_headers = {"Content-Encoding": encoding}
    with pytest.raises(OutcomeUnknown) as caught:
        _destination(kind, service).deliver(_request())
    assert str(caught.value) == (
        f"{kind}: outcome unknown: HTTP 201 answer unreadable "
        f"(Content-Encoding {shown!r} not read (one gzip or deflate at most))"
    )


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        pytest.param("GZIP", gzip.compress(_NAMED), id="gzip-upper-case"),
        pytest.param("deflate", zlib.compress(_NAMED), id="deflate"),
        pytest.param("identity, gzip", gzip.compress(_NAMED), id="identity-gzip"),
        pytest.param("x-unheard-of", _NAMED, id="unknown-passed-through"),
    ],
)
def test_an_answer_in_one_coding_asked_for_is_read(
    encoding: str, body: bytes, zendesk_service: FakeService
) -> None:
    """One gzip or deflate (any case, with identity) is read as before, and so is a coding
    httpx does not know (passed through as it is)."""
    zendesk_service.script = ["odd-before"]
    zendesk_service.odd_body = body
    zendesk_service.odd_headers = {"Content-Encoding": encoding}
    assert _destination("zendesk", zendesk_service).deliver(_request()).ticket_id == "1"


def test_an_answer_past_the_limit_keeps_what_was_read_as_its_content(
    small_limit: int, zendesk_service: FakeService
) -> None:
    """The answer ``_exchange`` gives back always has its content read: past the limit,
    the decoded bytes up to the limit, which its JSON, excerpt and error details use
    without reading the network again (no ResponseNotRead)."""
    zendesk_service.lookup_body = gzip.compress(b"x" * (small_limit * 4))
    zendesk_service.lookup_headers = _GZIP
    connector = _destination("zendesk", zendesk_service)
    sender = connector._sender
    response, unreadable = sender._exchange(
        "GET", "/api/v2/tickets", content=None, headers=None, params=None
    )
    assert unreadable == f"body passed the limit of {small_limit} bytes"
    assert response.content == b"x" * small_limit
    assert "content-encoding" not in response.headers
    assert _http.error_details(response) == {"body": "x" * small_limit}
    with pytest.raises(json.JSONDecodeError):
        response.json()
    zendesk_service.lookup_body = gzip.compress(b'{"tickets": []}')
    response, unreadable = sender._exchange(
        "GET", "/api/v2/tickets", content=None, headers=None, params=None
    )
    assert (unreadable, response.json()) == (None, {"tickets": []})
    assert response.headers["content-length"] == str(len(b'{"tickets": []}'))


# -- Credentials in the URL ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["zendesk", "gorgias"])
def test_a_base_url_with_a_password_is_refused_before_anything_is_sent_or_logged(
    kind: str,
    zendesk_service: FakeService,
    gorgias_service: FakeService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """``http://ann:hunter2@host`` is refused when the connector is made: no request
    reaches the service, and the password is in no message and no log line (httpx logs
    every request's URL at INFO)."""
    caplog.set_level(logging.DEBUG)
    service = zendesk_service if kind == "zendesk" else gorgias_service
    url = service.url.replace("http://", "http://ann:hunter2@")
    make = _zendesk if kind == "zendesk" else _gorgias
    with pytest.raises(ValidationError) as caught:
        make(url, []).deliver(_request())
    masked = service.url.replace("http://", "http://***@")
    assert str(caught.value).startswith(f"{kind} base_url must not carry credentials (give ")
    assert str(caught.value).endswith(f", got {masked!r}")
    assert "hunter2" not in caplog.text
    assert service.requests == []


# -- a refusal after an attempt that may have created the ticket ------------------------------


@pytest.mark.parametrize(
    ("then", "ended"),
    [
        ("429:60", "rate limited (HTTP 429); gave up after 2 attempts and "),
        ("401", "authentication failed (HTTP 401)"),
        ("403", "authentication failed (HTTP 403)"),
        ("422", "HTTP 422"),
        ("400", "HTTP 400"),
    ],
)
def test_a_refusal_after_a_zendesk_attempt_that_may_have_created_the_ticket_is_unknown(
    desk: Desk, zendesk_service: FakeService, then: str, ended: str
) -> None:
    """A 500 after the ticket was made, then a refusal: the outcome is unknown (never
    failed), and reconcile finds the one ticket."""
    zendesk_service.script = ["500-after-create", then]
    h, ledger = _handoff_to("zendesk", zendesk_service, desk)
    step = h.request(conversation(channel="sms", profile_id="p1"))
    assert step.state is State.OUTCOME_UNKNOWN
    record = ledger.get(step.handoff_id)
    assert record is not None
    why = record.transitions[-1].why
    assert why.startswith(
        "zendesk: outcome unknown: an earlier attempt may have created the ticket (HTTP 500), then "
    )
    assert ended in why
    step = h.reconcile(step.handoff_id)
    assert (step.state, step.ticket_id) == (State.HANDED_OFF, "1")
    assert len(zendesk_service.tickets) == 1


def test_a_refused_connection_after_a_dropped_zendesk_answer_is_unknown(
    zendesk_service: FakeService,
) -> None:
    """The ticket made and the connection dropped, then the server gone (connection
    refused): OutcomeUnknown, not Unreachable."""
    zendesk_service.script = ["drop"]
    connector = _zendesk(
        zendesk_service.url, sleep=lambda _: zendesk_service.stop()
    )  # gone before the retry
    with pytest.raises(OutcomeUnknown) as caught:
        connector.deliver(_request())
    message = str(caught.value)
    assert message.startswith(
        "zendesk: outcome unknown: an earlier attempt may have created the ticket "
        "(RemoteProtocolError"
    )
    assert "then unreachable: ConnectError" in message
    assert len(zendesk_service.tickets) == 1


@pytest.mark.parametrize("lookup", ["429:60", "401", "403"])
def test_a_failed_look_up_after_an_idempotent_request_error_is_unknown(
    zendesk_service: FakeService, lookup: str
) -> None:
    """IdempotentRequestError proves the key was used: a look-up then refused or rate
    limited is OutcomeUnknown, never a refusal that would end the handoff failed."""
    connector = _zendesk(zendesk_service.url, [])
    connector.deliver(_request())
    zendesk_service.lookup_script = [lookup]
    with pytest.raises(
        OutcomeUnknown,
        match=r"^zendesk: outcome unknown: idempotency key reused, look-up failed \(zendesk: ",
    ):
        connector.deliver(dataclasses.replace(_request(), subject="Another subject"))
    assert len(zendesk_service.tickets) == 1


# -- a wall-clock deadline per request --------------------------------------------------------


DEADLINE_POLICY = dataclasses.replace(POLICY, timeout=1.0)
"""A policy whose requests' deadline is 5 s; with :class:`Timeouts`, every read has 10 s,
so a trickled answer (a byte every 0.1 s, 20 s in all) is cut by the deadline alone, and
the requests answered after it have 5 s, however loaded the machine."""


@pytest.mark.parametrize("action", ["trickle", "trickle-head"])
def test_a_gorgias_answer_trickled_past_the_request_s_deadline_is_a_lost_answer(
    desk: Desk, gorgias_service: FakeService, action: str
) -> None:
    """A server sending its answer (headers or body) one byte at a time, each read within
    the timeout, is cut at the request's deadline (5 * timeout): the answer is lost, the
    handoff waits in outcome_unknown, and reconcile finds the one ticket."""
    gorgias_service.script = [action]
    gorgias_service.trickle_bytes = 200  # 20 s at 0.1 s a byte, far past the 5 s deadline
    destination = _gorgias(gorgias_service.url, [], policy=DEADLINE_POLICY, transport=Timeouts())
    h, ledger, _ = handoff_to(gorgias_service, desk, destination)
    step = h.request(conversation(channel="sms", profile_id="p1"))
    assert step.state is State.OUTCOME_UNKNOWN
    record = ledger.get(step.handoff_id)
    assert record is not None
    assert record.transitions[-1].why == (
        "gorgias: outcome unknown: ReadTimeout: no whole answer within 5 s (the request's deadline)"
    )
    desk.clock.advance(timedelta(hours=1))
    step = h.reconcile(step.handoff_id)
    assert (step.state, step.ticket_id) == (State.HANDED_OFF, "1")
    assert len(gorgias_service.posts) == 1


@pytest.mark.parametrize("action", ["trickle", "trickle-head"])
def test_a_zendesk_answer_trickled_past_the_request_s_deadline_is_retried_by_the_key(
    zendesk_service: FakeService, action: str
) -> None:
    """The trickled answer is cut at the deadline and the retry is replayed by the
    idempotency key: one ticket."""
    zendesk_service.script = [action]
    zendesk_service.trickle_bytes = 200
    connector = _zendesk(zendesk_service.url, [], policy=DEADLINE_POLICY, transport=Timeouts())
    delivery = connector.deliver(_request())
    assert (delivery.ticket_id, delivery.replayed) == ("1", True)
    assert len(zendesk_service.posts) == 2
    assert len(zendesk_service.tickets) == 1


def test_basic_auth_credentials_that_are_not_ascii_are_sent_as_utf_8(
    zendesk_service: FakeService, gorgias_service: FakeService
) -> None:
    """Basic-auth credentials travel in base64 of their UTF-8 bytes: any text works."""
    zendesk_service.authorization = basic("änn@shop.example/token", "sécret\u2028")
    gorgias_service.authorization = basic("änn@shop.example", "kéy")
    zendesk = _zendesk(zendesk_service.url, [], email="änn@shop.example", api_token="sécret\u2028")
    assert zendesk.deliver(_request()).ticket_id == "1"
    connector = GorgiasConnector(
        base_url=gorgias_service.url, email="änn@shop.example", api_key="kéy"
    )
    try:
        assert connector.deliver(_request()).ticket_id == "1"
    finally:
        connector.close()


@pytest.mark.parametrize("kind", ["zendesk", "gorgias"])
def test_a_request_that_cannot_be_sent_ends_the_handoff_failed_not_lost(
    desk: Desk, kind: str, request: pytest.FixtureRequest
) -> None:
    """A host name the idna codec refuses (set behind the constructor's back, which
    refuses it) fails before anything is sent: Unreachable, the handoff failed with why,
    never a lost answer to reconcile."""
    service: FakeService = request.getfixturevalue(f"{kind}_service")
    h, ledger = _handoff_to(kind, service, desk)
    connector = h._destination
    assert isinstance(connector, ZendeskConnector | GorgiasConnector)
    connector._sender.client.base_url = "http://shop..example"  # type: ignore[assignment]
    step = h.request(conversation(channel="sms", profile_id="p1"))
    assert step.state is State.FAILED
    record = ledger.get(step.handoff_id)
    assert record is not None
    assert record.detail["error"].startswith(f"{kind}: unreachable: not sent: UnicodeError")
    assert service.requests == []


# -- a create answered by a redirect or a 404 --------------------------------------------------


@pytest.mark.parametrize("action", ["redirect:301", "redirect:302", "redirect:307", "redirect:308"])
@pytest.mark.parametrize("kind", ["zendesk", "gorgias"])
def test_a_create_answered_by_a_redirect_ends_failed_naming_the_location(
    desk: Desk, kind: str, action: str, request: pytest.FixtureRequest
) -> None:
    """A redirect creates nothing (and is never followed): the handoff ends failed, the
    status and the Location in its error, not a lost answer whose look-up would fail the
    same way forever."""
    service: FakeService = request.getfixturevalue(f"{kind}_service")
    service.script = [action]
    h, ledger = _handoff_to(kind, service, desk)
    step = h.request(conversation(channel="sms", profile_id="p1"))
    assert step.state is State.FAILED
    record = ledger.get(step.handoff_id)
    assert record is not None
    path = "/api/v2/tickets" if kind == "zendesk" else "/api/tickets"
    error = record.detail["error"]
    assert error.startswith(f"{kind}: request rejected (HTTP {action[9:]}): ")
    assert f"'location': 'https://moved.example{path}'" in error
    assert len(service.posts) == 1
    assert service.tickets == {}


@pytest.mark.parametrize("kind", ["zendesk", "gorgias"])
def test_a_create_answered_404_ends_failed(
    desk: Desk, kind: str, request: pytest.FixtureRequest
) -> None:
    """A 404 (a wrong subdomain or path) creates nothing: the handoff ends failed."""
    service: FakeService = request.getfixturevalue(f"{kind}_service")
    service.script = ["404"]
    with pytest.raises(ServiceRejected) as caught:
        _destination(kind, service).deliver(_request())
    assert caught.value.status == 404
    assert caught.value.details["error"] == "InvalidEndpoint"


@pytest.mark.parametrize("status", [405, 410, 413, 415])
@pytest.mark.parametrize("kind", ["zendesk", "gorgias"])
def test_a_create_answered_by_another_refusing_4xx_ends_failed(
    desk: Desk, kind: str, status: int, request: pytest.FixtureRequest
) -> None:
    """A 4xx that says the request was not taken (405, 410, 413 Request Entity Too
    Large, 415, ...) creates no ticket: the handoff ends failed at once (it was a lost
    answer, and every recover looked up, found nothing and sent the same body again)."""
    service: FakeService = request.getfixturevalue(f"{kind}_service")
    service.script = ["odd-before"]
    service.odd_status = status
    service.odd_body = b'{"error": "no"}'
    h, ledger = _handoff_to(kind, service, desk)
    step = h.request(conversation(channel="sms", profile_id="p1"))
    assert step.state is State.FAILED
    record = ledger.get(step.handoff_id)
    assert record is not None
    assert record.detail["error"] == f"{kind}: request rejected (HTTP {status}): {{'error': 'no'}}"
    assert h.recover(older_than=timedelta(days=1)) == []
    assert (len(service.posts), service.tickets) == (1, {})


@pytest.mark.parametrize("status", [408, 409, 425])
def test_a_create_answered_408_409_or_425_is_a_lost_answer(
    desk: Desk, status: int, gorgias_service: FakeService
) -> None:
    """408, 409 and 425 are no refusal: the ticket may exist (a conflict) or the request
    may be sent again, so the handoff waits in outcome_unknown for a look-up."""
    gorgias_service.script = ["odd-before"]
    gorgias_service.odd_status = status
    gorgias_service.odd_body = b'{"error": "later"}'
    h, _ledger = _handoff_to("gorgias", gorgias_service, desk)
    step = h.request(conversation(channel="sms", profile_id="p1"))
    assert step.state is State.OUTCOME_UNKNOWN


def test_a_look_up_that_keeps_failing_in_recover_is_logged_at_warning(
    desk: Desk, gorgias_service: FakeService, caplog: pytest.LogCaptureFixture
) -> None:
    """A handoff whose look-up fails stays in outcome_unknown for a later recover, and
    each recover says so at WARNING, naming the handoff and the error (no secret)."""
    gorgias_service.script = ["500"]
    h, ledger = _handoff_to("gorgias", gorgias_service, desk)
    step = h.request(conversation(channel="sms", profile_id="p1"))
    assert step.state is State.OUTCOME_UNKNOWN
    destination = h._destination
    assert isinstance(destination, GorgiasConnector)
    desk.clock.advance(destination.longest_delivery + timedelta(minutes=1))
    gorgias_service.lookup_script = ["404"]
    with caplog.at_level(logging.WARNING, logger="helpdesk_routing.handoff"):
        assert h.recover(destination.longest_delivery + timedelta(seconds=1)) == []
    (logged,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert logged.getMessage() == (
        f"handoff {step.handoff_id} not recovered: the look-up at gorgias failed (gorgias: "
        "outcome unknown: look-up answered HTTP 404); a recover tries again once "
        "older_than has passed again"
    )
    assert logged.handoff_id == step.handoff_id  # type: ignore[attr-defined]
    assert "key" not in logged.getMessage()
    record = ledger.get(step.handoff_id)
    assert record is not None
    assert record.state is State.OUTCOME_UNKNOWN


# -- what the ledger and the connector keep ----------------------------------------------------


def test_a_retry_after_of_31_years_is_named_in_the_rate_limit(zendesk_service: FakeService) -> None:
    """RateLimited says what the server asked, not only that nothing was waited."""
    zendesk_service.script = ["429:1000000000"]
    with pytest.raises(RateLimited) as caught:
        _zendesk(zendesk_service.url, []).deliver(_request())
    assert str(caught.value) == (
        "zendesk: rate limited (HTTP 429); gave up after 1 attempt and 0 s of waiting: the "
        "server asked to retry in 1000000000 s, and the next wait (1000000000.07 s with "
        "jitter) would take the waiting past max_total_wait (30 s)"
    )
    assert caught.value.asked == 1_000_000_000


def test_a_huge_refusal_body_is_cut_in_the_ledger(desk: Desk, gorgias_service: FakeService) -> None:
    """A 422 whose body is a megabyte of text that is no JSON: the handoff fails, and the
    ledger keeps the error, 2,000 characters, saying how long the body was (it was cut
    twice, the count naming the connector's cut message)."""
    gorgias_service.script = ["odd-before"]
    gorgias_service.odd_status = 422
    gorgias_service.odd_headers = {"Content-Type": "text/plain"}
    gorgias_service.odd_body = b"x" * 1_000_000
    h, ledger = _handoff_to("gorgias", gorgias_service, desk)
    step = h.request(conversation(channel="sms", profile_id="p1"))
    assert step.state is State.FAILED
    record = ledger.get(step.handoff_id)
    assert record is not None
    error = record.detail["error"]
    assert error.startswith("gorgias: request rejected (HTTP 422): {'body': 'xxx")
    # cut once, by the connector: the count is the body's, not that of a cut message
    whole = len(repr({"body": "x" * 1_000_000}))
    assert error.endswith(f"x... (cut: {whole} characters in all)")
    assert len(error) == 2000
    assert record.transitions[-1].why == error


@pytest.mark.parametrize(
    ("given", "kept"), [(" 7 ", "7"), ("\t42\n", "42"), ("a" * 255, "a" * 255)]
)
def test_a_ticket_id_is_trimmed(gorgias_service: FakeService, given: str, kept: str) -> None:
    """An id with white space around it names the same ticket: it is kept trimmed."""
    gorgias_service.script = ["odd"]
    gorgias_service.odd_body = json.dumps({"id": given}).encode()
    assert _gorgias(gorgias_service.url, []).deliver(_request()).ticket_id == kept


@pytest.mark.parametrize("given", ["a" * 256, "7" * 100_000, 10**300])
def test_an_absurd_ticket_id_is_a_malformed_answer(
    gorgias_service: FakeService, given: object
) -> None:
    """An id over 255 characters (or digits) names no ticket: the outcome is unknown."""
    gorgias_service.script = ["odd"]
    gorgias_service.odd_body = json.dumps({"id": given}).encode()
    with pytest.raises(OutcomeUnknown, match="does not name the created ticket"):
        _gorgias(gorgias_service.url, []).deliver(_request())


def test_a_connector_keeps_only_its_latest_waits(gorgias_service: FakeService) -> None:
    """A long-running worker's connector keeps the latest 100 waits, not every one."""
    connector = _gorgias(gorgias_service.url, [])
    for _ in range(110):
        gorgias_service.script = ["429:0"]
        connector.deliver(_request())
    assert len(connector.waits) == 100
    assert len(connector._sender.waits) == 100


@pytest.mark.parametrize("kind", ["zendesk", "gorgias"])
def test_a_huge_refusal_is_kept_whole_in_details_and_cut_in_the_message(
    kind: str, zendesk_service: FakeService, gorgias_service: FakeService
) -> None:
    """A 422 whose body is a megabyte of JSON: ``details`` holds it all, the message (what
    logs show, and a handoff's ledger keeps) as much of it as fits in 2,000 characters,
    saying how long it was."""
    service = zendesk_service if kind == "zendesk" else gorgias_service
    service.script = ["odd-before"]
    service.odd_status = 422
    service.odd_headers = {"Content-Type": "application/json"}
    service.odd_body = json.dumps({"error": "RecordInvalid", "trace": "x" * 1_000_000}).encode()
    with pytest.raises(ServiceRejected) as caught:
        _destination(kind, service).deliver(_request())
    assert caught.value.details["trace"] == "x" * 1_000_000
    shown = repr(caught.value.details)
    message = str(caught.value)
    tail = f"... (cut: {len(shown)} characters in all)"
    assert message.endswith(tail)
    assert len(message) == SHOWN_DETAILS
    head = f"{kind}: request rejected (HTTP 422): "
    assert message == head + shown[: SHOWN_DETAILS - len(head) - len(tail)] + tail
