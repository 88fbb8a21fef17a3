"""The waits a server asks for (``Retry-After``).

Jitter never makes a wait that fits the cap pass it: jitter was added on top of
``Retry-After``, so a 429 asking exactly what ``max_total_wait`` leaves (or a little
less) gave up (``RateLimited``) though the wait asked fitted."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.handoff import RateLimited
from helpdesk_routing.handoff.connectors._http import fitted_wait
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
