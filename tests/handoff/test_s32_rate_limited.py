"""``RateLimited`` says what happened: how many attempts were made, how long was waited,
what the server asked (to retry at once, in how long, or nothing readable), and why the
connector gave up (no attempt left, or the next wait would pass ``max_total_wait``).

It said ``the server asked to wait 0 s more`` when a ``Retry-After: 0`` ran through the
attempts (and rounded 0.4 s to ``0 s``), as if the server had asked for nothing."""

from __future__ import annotations

import dataclasses
import pickle
import re
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from helpdesk_routing.handoff import OutcomeUnknown, RateLimited
from tests.handoff.fake_services import FakeService
from tests.handoff.http_helpers import POLICY, connector_to, delivery_request

_WAITED = r"([0-9.]+ s|under 0\.01 s)"


@pytest.mark.parametrize("retry_after", ["0", "00"])
def test_retry_after_0_until_the_attempts_run_out_says_retry_at_once(
    service: FakeService, retry_after: str
) -> None:
    """Every attempt answered 429 with ``Retry-After: 0``: the message names the attempts
    and the waiting, and that the server asked to retry at once; never ``0 s more``."""
    service.script = [f"429:{retry_after}"] * POLICY.attempts
    waits: list[float] = []
    with pytest.raises(RateLimited) as caught:
        connector_to(service, waits).deliver(delivery_request())
    error = caught.value
    assert (error.attempts, error.asked) == (4, 0)
    assert (error.next_wait, error.max_total_wait) == (None, None)
    assert error.waited == pytest.approx(sum(waits))
    assert len(waits) == POLICY.attempts - 1
    assert re.fullmatch(
        rf"{service.kind}: rate limited \(HTTP 429\); gave up after 4 attempts and {_WAITED} "
        r"of waiting: the server asked to retry at once, and no attempt was left",
        str(error),
    ), str(error)
    assert len(service.posts) == POLICY.attempts


def test_a_retry_after_past_the_cap_names_the_next_wait_and_the_cap(service: FakeService) -> None:
    """The first 429 asks for 60 s, past max_total_wait (30 s): given up at once, the
    message saying the wait asked, the wait it would have been (with jitter) and the cap."""
    service.script = ["429:60"]
    with pytest.raises(RateLimited) as caught:
        connector_to(service).deliver(delivery_request())
    error = caught.value
    assert (error.attempts, error.asked, error.waited, error.max_total_wait) == (1, 60, 0, 30)
    assert error.next_wait is not None
    assert 60 < error.next_wait <= 60 + POLICY.base_delay
    assert str(error) == (
        f"{service.kind}: rate limited (HTTP 429); gave up after 1 attempt and 0 s of waiting: "
        "the server asked to retry in 60 s, and the next wait (60.07 s with jitter) would take "
        "the waiting past max_total_wait (30 s)"
    )


def test_no_readable_retry_after_until_the_attempts_run_out_says_so(service: FakeService) -> None:
    """``Retry-After: soon`` (unreadable): the backoff is used, and the message says the
    server gave no readable Retry-After."""
    service.script = ["429:soon"] * POLICY.attempts
    waits: list[float] = []
    with pytest.raises(RateLimited) as caught:
        connector_to(service, waits).deliver(delivery_request())
    error = caught.value
    assert (error.attempts, error.asked) == (4, None)
    assert re.fullmatch(
        rf"{service.kind}: rate limited \(HTTP 429\); gave up after 4 attempts and {_WAITED} "
        r"of waiting: the server gave no readable Retry-After, and no attempt was left",
        str(error),
    ), str(error)


def test_a_backoff_past_the_cap_names_the_backoff(service: FakeService) -> None:
    """With max_total_wait 0, the first backoff after an unreadable Retry-After passes it."""
    service.script = ["429:soon"]
    policy = dataclasses.replace(POLICY, max_total_wait=0.0)
    with pytest.raises(RateLimited) as caught:
        connector_to(service, policy=policy).deliver(delivery_request())
    error = caught.value
    assert (error.attempts, error.asked, error.max_total_wait) == (1, None, 0)
    assert str(error) == (
        f"{service.kind}: rate limited (HTTP 429); gave up after 1 attempt and 0 s of waiting: "
        "the server gave no readable Retry-After, and the next backoff (0.07 s) would take the "
        "waiting past max_total_wait (0 s)"
    )


def test_a_look_up_rate_limited_at_once_says_so_in_its_unknown_outcome(
    service: FakeService,
) -> None:
    """A look-up answered ``429`` with ``Retry-After: 0`` on every attempt: the
    OutcomeUnknown names the attempts and the retry asked at once, the RateLimited kept."""
    service.lookup_script = ["429:0"] * POLICY.attempts
    with pytest.raises(OutcomeUnknown) as caught:
        connector_to(service).find("h1")
    kind = service.kind
    assert re.fullmatch(
        rf"{kind}: outcome unknown: look-up failed \({kind}: rate limited \(HTTP 429\); gave up "
        rf"after 4 attempts and {_WAITED} of waiting: the server asked to retry at once, and "
        r"no attempt was left\)",
        str(caught.value),
    ), str(caught.value)
    assert isinstance(caught.value.__cause__, RateLimited)


# -- the message, for any numbers -----------------------------------------------------------

_SECONDS = st.floats(min_value=0, max_value=1e9, allow_nan=False)
_POSITIVE = st.floats(min_value=1e-9, max_value=1e9, allow_nan=False)


def _shown(message: str, before: str) -> float:
    """The seconds shown right after ``before`` (``under 0.01 s`` read as 0.005)."""
    found = re.search(re.escape(before) + r"(under )?([0-9.]+) s", message)
    assert found is not None, message
    return float(found.group(2)) / (2 if found.group(1) else 1)


@given(asked=_POSITIVE, waited=_SECONDS, attempts=st.integers(1, 100))
def test_a_wait_asked_above_0_never_shows_as_0_or_at_once(
    asked: float, waited: float, attempts: int
) -> None:
    """Any Retry-After above 0 is shown to within half a hundredth (``under 0.01 s``
    below it), never as ``0 s`` nor ``at once``."""
    message = str(RateLimited("zendesk", waited, asked, attempts=attempts))
    assert "at once" not in message
    assert "retry in 0 s" not in message
    shown = _shown(message, "retry in ")
    assert abs(shown - asked) <= 0.005 + 1e-9 * asked
    assert message.endswith(", and no attempt was left")
    assert f"after {attempts} attempt{'' if attempts == 1 else 's'} and " in message


@given(waited=_SECONDS, attempts=st.integers(1, 100))
def test_a_retry_after_of_0_is_at_once(waited: float, attempts: int) -> None:
    message = str(RateLimited("gorgias", waited, 0.0, attempts=attempts))
    assert "the server asked to retry at once, and no attempt was left" in message


@given(
    waited=st.floats(min_value=0, max_value=100, allow_nan=False),
    cap=st.integers(0, 100),
    excess=st.floats(min_value=1e-6, max_value=0.02) | st.floats(min_value=1e-6, max_value=50),
    asked=st.none() | st.floats(min_value=0, max_value=100, allow_nan=False),
)
def test_the_waits_shown_pass_the_cap_when_they_did(
    waited: float, cap: int, excess: float, asked: float | None
) -> None:
    """When the waiting so far and the next wait passed max_total_wait (a whole number of
    seconds, by at least a millionth of one), the numbers shown do too: the message never
    reads ``29.99 s of waiting ... the next wait (0.01 s) would take the waiting past
    max_total_wait (30 s)``."""
    next_wait = cap - waited + excess
    assume(next_wait > 0 and waited + next_wait > cap + 1e-6)
    message = str(
        RateLimited("zendesk", waited, asked, attempts=2, next_wait=next_wait, max_total_wait=cap)
    )
    what = "backoff (" if asked is None else "wait ("
    shown_waited = _shown(message, "attempts and ")
    shown_next = _shown(message, f"the next {what}")
    assert _shown(message, "max_total_wait (") == cap
    assert shown_waited + shown_next > cap, message


def test_a_rate_limit_pickles_with_its_attributes() -> None:
    error = RateLimited("zendesk", 1.5, 60.0, attempts=2, next_wait=60.2, max_total_wait=30.0)
    again = pickle.loads(pickle.dumps(error))
    assert (str(again), vars(again)) == (str(error), vars(error))


def test_a_rate_limit_made_as_before_still_reads_true() -> None:
    """Without the attempts (made by hand, as before): what was waited and asked."""
    assert str(RateLimited("zendesk", 30.0, 60.0)) == (
        "zendesk: rate limited (HTTP 429); gave up after 30 s of waiting: the server asked to "
        "retry in 60 s"
    )
    assert str(RateLimited("zendesk", 0.0, 0.4)) == (
        "zendesk: rate limited (HTTP 429); gave up after 0 s of waiting: the server asked to "
        "retry in 0.4 s"
    )


# -- the cap, shown as the waits are ----------------------------------------------------
#
# Before: the waits got more decimals where needed, but the cap stayed at two, and the
# waits were compared with the cap unrounded, so the message could read "0.5 s of
# waiting ... the next backoff (0.51 s) would take the waiting past max_total_wait
# (1.01 s)", or, for a cap of 0.001 s, "past max_total_wait (under 0.01 s)" after a
# wait of 0.004 s.

_NUMBER = r"(under )?([0-9.]+) s"


def _texts(message: str, asked: float | None) -> dict[str, str]:
    """The numbers the message shows, as it shows them (``under 0.01 s`` whole)."""
    next_what = r"backoff \(" if asked is None else r"wait \("
    parts = {
        "waited": r"attempts? and ",
        "next_wait": rf"the next {next_what}",
        "max_total_wait": r"max_total_wait \(",
    }
    if asked:
        parts["asked"] = "retry in "
    found = {}
    for name, before in parts.items():
        match = re.search(before + _NUMBER, message)
        assert match is not None, (name, message)
        found[name] = f"{match.group(1) or ''}{match.group(2)} s"
    return found


def _decimals_of(text: str) -> int:
    number = text.removeprefix("under ").removesuffix(" s")
    return len(number.partition(".")[2])


_TINY = st.floats(min_value=1e-9, max_value=0.02)
_WAIT = st.just(0.0) | _TINY | st.floats(min_value=0, max_value=1e4, allow_nan=False)


def _bounds(text: str) -> tuple[Decimal, Decimal]:
    """The least and the most a number shown can be read as (``under 0.01 s``: above
    0, below 0.01)."""
    number = Decimal(text.removeprefix("under ").removesuffix(" s"))
    return (Decimal(0), number) if text.startswith("under ") else (number, number)


@given(
    waited=_WAIT,
    cap=_WAIT,
    excess=st.floats(min_value=3e-9, max_value=1e-3) | st.floats(min_value=1e-3, max_value=100),
    asked=st.none() | st.just(0.0) | _TINY | st.floats(min_value=0, max_value=1e4),
)
def test_the_waits_shown_visibly_pass_the_cap_shown(
    waited: float, cap: float, excess: float, asked: float | None
) -> None:
    """Whatever the waits and the cap (tiny caps too), when the waits passed the cap:
    the waits shown add up to more than the cap shown, read as written (``under 0.01 s``
    as anything below 0.01); the cap is shown as ``under ...`` only when no decimals up
    to the ninth would show it; and every number is shown to the same decimals (each
    within half a unit of the last decimal any of them shows)."""
    next_wait = cap - waited + excess
    # passed by more than the rounding of three numbers to 9 decimals can hide
    assume(next_wait > 0 and Decimal(waited) + Decimal(next_wait) - Decimal(cap) > Decimal("2e-9"))
    error = RateLimited(
        "zendesk", waited, asked, attempts=3, next_wait=next_wait, max_total_wait=cap
    )
    message = str(error)
    texts = _texts(message, asked)
    waits = _bounds(texts["waited"])[0] + _bounds(texts["next_wait"])[0]
    assert waits > _bounds(texts["max_total_wait"])[1], message
    if texts["max_total_wait"].startswith("under "):
        assert cap < 0.5e-9, message
    decimals = max(_decimals_of(text) for text in texts.values())
    half = Decimal(5) * Decimal(10) ** -(decimals + 1)
    values = {"waited": waited, "next_wait": next_wait, "max_total_wait": cap, "asked": asked}
    for name, text in texts.items():
        true = values[name]
        assert true is not None
        low, high = _bounds(text)
        if text.startswith("under "):
            assert 0 < true < high, (name, message)
        else:
            assert abs(low - Decimal(true)) <= half, (name, message)


@pytest.mark.parametrize(
    ("waited", "next_wait", "cap", "expected"),
    [
        (
            0.5,
            0.5052,
            1.0051,
            "0.5 s of waiting: the server gave no readable Retry-After, and "
            "the next backoff (0.5052 s) would take the waiting past max_total_wait (1.0051 s)",
        ),
        (
            0.0,
            0.004,
            0.001,
            "0 s of waiting: the server gave no readable Retry-After, and "
            "the next backoff (0.004 s) would take the waiting past max_total_wait (0.001 s)",
        ),
        (  # a tiny cap is shown, not "under 0.01 s", though the waits need no more
            0.0,
            0.5,
            0.001,
            "0 s of waiting: the server gave no readable Retry-After, and "
            "the next backoff (0.5 s) would take the waiting past max_total_wait (0.001 s)",
        ),
        (  # a cap no decimals up to the ninth can show
            0.0,
            0.001,
            1e-30,
            "0 s of waiting: the server gave no readable Retry-After, and the next backoff "
            "(0.001 s) would take the waiting past max_total_wait (under 0.0001 s)",
        ),
    ],
)
def test_the_cases_the_probe_found(
    waited: float, next_wait: float, cap: float, expected: str
) -> None:
    """The probe's cases, and the tiny caps either side of what can be shown."""
    message = str(
        RateLimited("svc", waited, None, attempts=2, next_wait=next_wait, max_total_wait=cap)
    )
    assert message.endswith(expected), message
