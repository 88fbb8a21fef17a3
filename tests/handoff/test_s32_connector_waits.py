"""The waits a server asks for (``Retry-After``).

Jitter never makes a wait that fits the cap pass it: jitter was added on top of
``Retry-After``, so a 429 asking exactly what ``max_total_wait`` leaves (or a little
less) gave up (``RateLimited``) though the wait asked fitted.

A 503's ``Retry-After`` is honoured for a request that may be repeated (it was ignored:
the backoff of 0.5, 1, 2 s was used), and a ``Retry-After`` date is read against the
answer's ``Date`` (it was read against the local clock: a server's clock ahead or behind
made the wait too long or too short)."""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.handoff import OutcomeUnknown, RateLimited
from helpdesk_routing.handoff.connectors._http import (
    answer_date,
    fitted_wait,
    retry_after_seconds,
)
from tests.handoff.fake_services import FakeService
from tests.handoff.http_helpers import POLICY, connector_to, delivery_request

_SECONDS = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(asked=_SECONDS, jitter=_SECONDS, waited=_SECONDS, cap=_SECONDS)
def test_jitter_never_pushes_a_fitting_wait_past_the_cap(
    asked: float, jitter: float, waited: float, cap: float
) -> None:
    """A wait asked that fits (``waited + asked <= cap``) is waited, with as much of the
    jitter as fits; one that does not fit keeps its whole jitter (and ends the loop)."""
    delay = fitted_wait(asked, jitter, waited, cap)
    assert math.isfinite(delay)
    if waited + asked <= cap:
        assert asked <= delay <= asked + jitter
        assert waited + delay <= cap
        if waited + asked + jitter <= cap:
            assert delay == asked + jitter
    else:
        assert delay == asked + jitter
        assert waited + delay > cap


def test_a_retry_after_of_the_whole_cap_is_waited_not_given_up(service: FakeService) -> None:
    """A 429 asks for 30 s, all that ``max_total_wait`` (30 s) allows: waited exactly
    (the jitter cut to 0) and retried; one ticket."""
    service.script = [f"429:{POLICY.max_total_wait:g}"]
    waits: list[float] = []
    delivery = connector_to(service, waits).deliver(delivery_request())
    assert delivery.ticket_id == "1"
    assert waits == [POLICY.max_total_wait]
    assert len(service.posts) == 2


def test_a_retry_after_leaving_less_than_the_jitter_is_waited(service: FakeService) -> None:
    """29 s asked with a cap of 29.05 s: the jitter (0.07 s, the connector's first draw)
    is cut to the 0.05 s the cap leaves."""
    policy = dataclasses.replace(POLICY, max_total_wait=29.05)
    service.script = ["429:29"]
    waits: list[float] = []
    delivery = connector_to(service, waits, policy=policy).deliver(delivery_request())
    assert delivery.ticket_id == "1"
    assert waits == [pytest.approx(29.05)]
    assert waits[0] <= 29.05


def test_a_retry_after_past_what_is_left_still_gives_up(service: FakeService) -> None:
    """10 s waited (plus jitter), then 20 s asked: past the cap by the first jitter, a wait
    already made: given up, as before."""
    service.script = ["429:10", "429:20"]
    waits: list[float] = []
    with pytest.raises(RateLimited) as caught:
        connector_to(service, waits).deliver(delivery_request())
    assert len(waits) == 1
    assert caught.value.asked == 20
    assert caught.value.next_wait is not None
    assert waits[0] + caught.value.next_wait > POLICY.max_total_wait


# A 503's Retry-After (it said when to retry, and the backoff of 0.5, 1, 2 s was used)


def test_a_503_retry_after_is_waited_before_a_replay_safe_retry(
    zendesk_service: FakeService,
) -> None:
    """Zendesk's POST (replayed by its key) answered 503 ``Retry-After: 5``: retried
    after 5 s (plus jitter), not the backoff."""
    zendesk_service.script = ["503:5"]
    waits: list[float] = []
    delivery = connector_to(zendesk_service, waits).deliver(delivery_request())
    assert delivery.ticket_id == "1"
    assert len(waits) == 1
    assert 5 <= waits[0] <= 5 + POLICY.base_delay
    assert len(zendesk_service.posts) == 2


def test_a_503_retry_after_past_the_cap_ends_the_loop(zendesk_service: FakeService) -> None:
    """A 503 asking for 60 s, past max_total_wait (30 s): the loop ends at once, the
    answer lost as a 5xx's is (``OutcomeUnknown``), not retried sooner than asked."""
    zendesk_service.script = ["503:60"]
    waits: list[float] = []
    with pytest.raises(OutcomeUnknown) as caught:
        connector_to(zendesk_service, waits).deliver(delivery_request())
    assert caught.value.reason == "HTTP 503"
    assert waits == []
    assert len(zendesk_service.posts) == 1


def test_a_503_on_gorgias_post_is_still_outcome_unknown_at_once(
    gorgias_service: FakeService,
) -> None:
    """A request that may not be repeated (Gorgias's POST) is never retried on a 503,
    whatever its Retry-After."""
    gorgias_service.script = ["503:1"]
    waits: list[float] = []
    with pytest.raises(OutcomeUnknown) as caught:
        connector_to(gorgias_service, waits).deliver(delivery_request())
    assert caught.value.reason == "HTTP 503"
    assert waits == []


def test_a_look_up_waits_a_503_retry_after(service: FakeService) -> None:
    """A look-up (a GET) answered 503 ``Retry-After: 3``: retried after 3 s (plus
    jitter), then answered."""
    service.lookup_script = ["503:3"]
    waits: list[float] = []
    assert connector_to(service, waits).find(delivery_request().handoff_id) is None
    assert len(waits) == 1
    assert 3 <= waits[0] <= 3 + POLICY.base_delay


# The date form of Retry-After is read against the answer's Date (the server's clock)

_SERVER_NOW = datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)
"""The server's clock in these tests: far from the local one (read against it, every
Retry-After date below is long past: retry at once)."""


@pytest.mark.parametrize("status", [429, 503])
def test_a_retry_after_date_is_read_against_the_answer_date(
    zendesk_service: FakeService, status: int
) -> None:
    """``Date`` 1994-11-06 08:49:37, ``Retry-After`` 10 s later: 10 s are waited (plus
    jitter), whatever the local clock says."""
    zendesk_service.answer_date = format_datetime(_SERVER_NOW, usegmt=True)
    later = format_datetime(_SERVER_NOW + timedelta(seconds=10), usegmt=True)
    zendesk_service.script = [f"{status}:{later}"]
    waits: list[float] = []
    connector_to(zendesk_service, waits).deliver(delivery_request())
    assert len(waits) == 1
    assert 10 <= waits[0] <= 10 + POLICY.base_delay


def test_without_a_readable_date_the_local_clock_is_used(zendesk_service: FakeService) -> None:
    """An unreadable ``Date``: the Retry-After date is read against the local clock (1994
    is long past: retry at once, plus jitter)."""
    zendesk_service.answer_date = "yesterday"
    later = format_datetime(_SERVER_NOW + timedelta(seconds=10), usegmt=True)
    zendesk_service.script = [f"429:{later}"]
    waits: list[float] = []
    connector_to(zendesk_service, waits).deliver(delivery_request())
    assert len(waits) == 1
    assert 0 <= waits[0] <= POLICY.base_delay


@given(
    server=st.datetimes(
        min_value=datetime(1971, 1, 1),
        max_value=datetime(9000, 1, 1),
        timezones=st.just(UTC),
    ),
    delta=st.integers(min_value=0, max_value=10**6),
)
def test_a_retry_after_date_asks_its_distance_from_the_answer_date(
    server: datetime, delta: int
) -> None:
    """Skew-free: a ``Retry-After`` date ``delta`` seconds after the answer's ``Date``
    asks for ``delta`` seconds, wherever the server's clock is."""
    server = server.replace(microsecond=0)
    response = httpx.Response(
        429,
        headers={
            "Date": format_datetime(server, usegmt=True),
            "Retry-After": format_datetime(server + timedelta(seconds=delta), usegmt=True),
        },
    )
    assert answer_date(response) == server
    asked = retry_after_seconds(response.headers["retry-after"], answer_date(response))
    assert asked == delta


@given(st.text(max_size=40))
def test_any_date_header_is_read_or_the_local_clock_used(value: str) -> None:
    """Whatever the ``Date`` header holds, reading it never fails: a date, or the local
    clock's time."""
    try:
        response = httpx.Response(429, headers={"Date": value})
    except (UnicodeEncodeError, httpx.InvalidURL, ValueError):
        return  # not a value a header can hold
    when = answer_date(response)
    assert when.tzinfo is not None
