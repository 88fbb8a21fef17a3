"""Connector units with httpx.MockTransport: Retry-After parsing, jittered backoff, the capped
total wait, byte-identical retries, and the error naming the extra when httpx is missing."""

from __future__ import annotations

import importlib
import random
import re
import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.errors import MissingExtra, ValidationError
from helpdesk_routing.handoff import DeliveryRequest, OutcomeUnknown, RateLimited, handoff_id
from helpdesk_routing.handoff.connectors import _http
from helpdesk_routing.handoff.connectors._http import (
    MAX_RETRY_AFTER,
    RetryPolicy,
    retry_after_seconds,
)
from helpdesk_routing.handoff.connectors.gorgias import GorgiasConnector
from helpdesk_routing.handoff.connectors.zendesk import ZendeskConnector
from tests.handoff.conftest import conversation

NOW = datetime(2026, 3, 30, 10, tzinfo=UTC)


def _request() -> DeliveryRequest:
    return DeliveryRequest(
        handoff_id=handoff_id("c1"),
        conversation=conversation(channel="sms", profile_id="p1", email="vic@example.com"),
        email="vic@example.com",
        reason="explicit_ask",
        tag=None,
        subject="Help",
        tags=frozenset(),
        at=NOW,
    )


def test_retry_after_in_seconds_and_as_http_date() -> None:
    """Retry-After is read as delta seconds or as an HTTP date; garbage and absence are None."""
    assert retry_after_seconds("120", NOW) == 120.0
    later = format_datetime(NOW + timedelta(seconds=30), usegmt=True)
    assert retry_after_seconds(later, NOW) == 30.0
    earlier = format_datetime(NOW - timedelta(seconds=30), usegmt=True)
    assert retry_after_seconds(earlier, NOW) == 0.0
    assert retry_after_seconds("soon", NOW) is None
    assert retry_after_seconds(None, NOW) is None


@pytest.mark.parametrize("value", ["\u00b2", "\u0665", "1\u00b2", "\uff11", "1.5", "-5", ""])
def test_retry_after_other_than_ascii_digits_or_a_date_is_unreadable(value: str) -> None:
    """Delta seconds are ASCII digits: a superscript (which float refuses) or another
    script's digit (which float would read) is unreadable, None, like any garbage."""
    assert retry_after_seconds(value, NOW) is None


@given(value=st.text() | st.text(st.characters(categories=("Nd", "No")), min_size=1))
def test_retry_after_never_raises(value: str) -> None:
    """Whatever a service sends as Retry-After, the answer is None or seconds to wait."""
    seconds = retry_after_seconds(value, NOW)
    assert seconds is None or seconds >= 0


@pytest.mark.parametrize(
    "value",
    [
        "Mon, 30 Mar 2026 10:00:30 GMT",  # IMF-fixdate
        "Monday, 30-Mar-26 10:00:30 GMT",  # RFC 850
        "Mon Mar 30 10:00:30 2026",  # asctime: GMT without saying so
        "mon,  30 mar 2026  10:00:30 gmt",  # a little loosely: spaces, case
        "Wed Mar  4 10:00:30 2026",  # asctime's one-digit day
        # and what servers send near them (RFC 9110 asks recipients to be robust)
        "Mon, 30 Mar 2026 10:00:30 UTC",
        "Mon, 30 Mar 2026 10:00:30 +0000",
        "Mon, 30 Mar 2026 10:00:30 -0000",  # email.utils.formatdate()'s default
        "Mon, 30 Mar 2026 12:00:30 +0200",  # an offset, read as that offset
        "Mon, 30 Mar 2026 05:00:30 EST",  # RFC 5322's zone names
        "Mon, 30 Mar 2026 06:00:30 AST",  # and the others Python's reader knows
        "Monday, 30-Mar-2026 10:00:30 GMT",
        "Mon, 30 Mar 26 10:00:30 GMT",
        "30 Mar 2026 10:00:30 GMT",
        "Mon, 30 Mar 2026 10:00:30",  # no zone: GMT, as every HTTP date
        "Mon, 30 Mar 2026 10:00:30 +0000 (UTC)",  # a comment after the zone
        "Mon, 30 Mar 2026 12:00:30 +0200 (CEST)",
        "Mon Mar 30 10:00:30 UTC 2026",  # Unix date's (and Java's) zone before the year
        "Mon Mar 30 10:00:30 2026 GMT",
        "Mon,\u00a030 Mar 2026 10:00:30 GMT",  # any white space
        "Mon,30 Mar 2026 10:00:30 GMT",  # and what else servers write
        "30 March 2026 10:00:30 GMT",
        "Mon, 30 Mar 2026, 10:00:30 GMT",
        "Mar 30 10:00:30 2026",
        "Mon Mar 30 10:00:30 UTC 2026 (UTC)",
        "March 30 10:00:30 2026",  # a full month name without a weekday
    ],
)
def test_retry_after_reads_the_three_forms_of_an_http_date(value: str) -> None:
    now = NOW if "Mar  4" not in value else NOW.replace(day=4)
    assert retry_after_seconds(value, now) == 30.0


@pytest.mark.parametrize(
    "value",
    [
        "Mon, 30 Mar 2026 12:00:30 CEST",  # a zone name it cannot read (was read as GMT)
        "Mon, 30 Mar 2026 10:00:30 WET",
        # zone text that is no name Python's reader knows, nor one offset: it read GMT
        "Mon, 30 Mar 2026 12:00:30 (CEST)",
        "Mon, 30 Mar 2026 12:00:30 CEST,",
        "Mon, 30 Mar 2026 12:00:30 Europe/Paris",
        "Mon, 30 Mar 2026 11:00:30 CET-1",
        "Mon, 30 Mar 2026 12:00:30 GMT+0200",
        "Mon, 30 Mar 2026 10:00:30 CEST GMT",
        # offsets no zone has, and digits read as one (a year: +20:26; +2: two minutes)
        "Mon, 30 Mar 2026 10:00:30 +2400",
        "Mon, 30 Mar 2026 10:00:30 +9999",
        "Mon, 30 Mar 2026 10:00:30 2026",
        "Mon, 30 Mar 2026 10:00:30 +2",
        "Monday, 30-Mar-2026 10:00:30 2026",  # a trailing number after either year form
        "Mon, 30 Mar 26 10:00:30 1999",
        "Mon, 30 Mar 26 10:00:30 0200",
        "Mon, 30 Mar CEST 10:00:30 2026",
        "Mon, 30 Mar 2026 10:00:30 +0199",
        "Mon Mar 30 10:00:30 2026 (CEST)",  # a comment names no zone
        "MonMar 30 10:00:30 2026",  # a weekday glued to what follows
        "Mon30 Mar 2026 10:00:30 GMT",
        "Mon, 30 Foo 2026 10:00:30 GMT",
        "Mon, 30 Mar 2026 10:00:99999999999999999999 GMT",  # raised OverflowError
        "Mon, 30 Mar 2026 10:00:30 +99999999999999",
        "Mon, 30 Mar 2026 99999999999999999999:00:00 GMT",
        "Mon, 30 Feb 2026 10:00:30 GMT",  # no such day
        "Mon, 30 Mar 2026 24:00:30 GMT",
    ],
)
def test_retry_after_other_than_an_http_date_is_unreadable(value: str) -> None:
    """docs/handoff.md: "seconds in ASCII digits or an HTTP date ... Any other value ... is
    unreadable and the backoff is used"; a zone name Python's reader does not know was
    read as GMT, and a service's bad date escaped as Python's OverflowError (a 429 then
    left a handoff outcome_unknown)."""
    assert retry_after_seconds(value, NOW) is None


def test_a_two_digit_year_is_read_as_rfc_9110_says() -> None:
    """The year of this century with those digits, or of the last one when the moment is
    then more than 50 years ahead (Python's reader put 69-99 in the 1900s whatever the
    year; a first rule of mine compared years, not moments)."""
    from helpdesk_routing.handoff.connectors._http import _full_year

    now = datetime(2026, 12, 7, 10, tzinfo=UTC)
    new_year = (1, 1, 0, 0, 0)
    assert [_full_year(y, new_year, now) for y in ("26", "68", "70", "76", "77", "99")] == [
        2026, 2068, 2070, 2076, 1977, 1999,
    ]  # fmt: skip
    assert _full_year("76", (12, 7, 10, 0, 0), now) == 2076  # exactly 50 years ahead
    assert _full_year("76", (12, 31, 23, 59, 59), now) == 1976  # more than 50
    assert _full_year("1976", (12, 31, 23, 59, 59), now) == 1976
    assert _full_year("05", new_year, datetime(2099, 1, 1, tzinfo=UTC)) == 2005


_numbers = st.integers(0, 10**25).map(str) | st.text("0123456789", min_size=1, max_size=30)


@given(
    day=_numbers,
    year=_numbers,
    hour=_numbers,
    minute=_numbers,
    second=_numbers,
    zone=st.sampled_from(["GMT", "UTC", "CEST", "+0200", "-0000", "", "EST"]),
)
def test_retry_after_date_like_text_never_raises(
    day: str, year: str, hour: str, minute: str, second: str, zone: str
) -> None:
    """Date-like text with any numbers in its fields: seconds to wait or None, never an
    exception (random text is rarely date-like enough to reach the date reader)."""
    for value in (
        f"Mon, {day} Mar {year} {hour}:{minute}:{second} {zone}",
        f"Monday, {day}-Mar-{year} {hour}:{minute}:{second} {zone}",
        f"Mon Mar {day} {hour}:{minute}:{second} {year}",
    ):
        seconds = retry_after_seconds(value, NOW)
        assert seconds is None or 0 <= seconds <= MAX_RETRY_AFTER


@given(attempt=st.integers(min_value=1, max_value=30), seed=st.integers(0, 2**32))
def test_backoff_is_jittered_within_its_bound(attempt: int, seed: int) -> None:
    """Each backoff lies in [0, min(max_delay, base_delay * 2**(attempt-1))]."""
    policy = RetryPolicy()
    delay = policy.backoff(attempt, random.Random(seed))
    assert 0 <= delay <= min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))


@given(
    retry_afters=st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=8),
    cap=st.floats(min_value=0, max_value=40),
)
def test_total_wait_never_passes_the_cap(retry_afters: list[int], cap: float) -> None:
    """Whatever the Retry-After answers, the waits sum to at most max_total_wait."""
    answers = iter(retry_afters)

    def handler(request: httpx.Request) -> httpx.Response:
        value = next(answers, None)
        if value is None:
            return httpx.Response(201, json={"ticket": {"id": 7}})
        return httpx.Response(429, headers={"Retry-After": str(value)})

    waits: list[float] = []
    policy = RetryPolicy(attempts=10, max_total_wait=cap)
    connector = ZendeskConnector(
        base_url="https://shop.zendesk.example",
        oauth_token="t",
        policy=policy,
        transport=httpx.MockTransport(handler),
        sleep=waits.append,
        rng=random.Random(0),
    )
    gave_up: RateLimited | None = None
    try:
        connector.deliver(_request())
    except RateLimited as exc:
        gave_up = exc
    finally:
        connector.close()
    assert sum(waits) <= cap + 1e-9
    if gave_up is not None:
        assert gave_up.waited == pytest.approx(sum(waits))


def test_zendesk_retries_send_byte_identical_bodies_with_one_key() -> None:
    """Every try of one delivery carries the same bytes and the same Idempotency-Key."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) < 3:
            return httpx.Response(503)
        return httpx.Response(201, json={"ticket": {"id": 42}})

    connector = ZendeskConnector(
        base_url="https://shop.zendesk.example",
        email="ann@shop.example",
        api_token="secret",
        transport=httpx.MockTransport(handler),
        sleep=lambda _: None,
    )
    delivery = connector.deliver(_request())
    connector.close()
    assert delivery.ticket_id == "42"
    assert len({r.content for r in seen}) == 1
    assert {r.headers["Idempotency-Key"] for r in seen} == {handoff_id("c1")}
    assert seen[0].headers["Authorization"].startswith("Basic ")


def test_gorgias_never_retries_a_5xx() -> None:
    """A 5xx to a Gorgias POST is OutcomeUnknown after one request."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(502)

    connector = GorgiasConnector(
        domain="shop",
        email="ann@shop.example",
        api_key="key",
        transport=httpx.MockTransport(handler),
        sleep=lambda _: None,
    )
    with pytest.raises(OutcomeUnknown, match=r"^gorgias: outcome unknown: HTTP 502$"):
        connector.deliver(_request())
    connector.close()
    assert len(seen) == 1
    assert str(seen[0].url) == "https://shop.gorgias.com/api/tickets"


SMALL = RetryPolicy(attempts=2, max_total_wait=1.0, timeout=0.5)


def test_longest_delivery_is_every_attempt_timing_out_plus_all_the_waiting() -> None:
    """One request timing out takes at most 5 timeouts (pool, connect, TLS, write, read);
    a loop attempts of them plus max_total_wait; Gorgias delivers in one loop, Zendesk in up
    to two (the POST, then the look-up after IdempotentRequestError)."""
    assert SMALL.longest_request == 2.5
    assert SMALL.longest_send == 2 * 2.5 + 1.0
    gorgias = GorgiasConnector(domain="shop", email="a@b.example", api_key="k", policy=SMALL)
    zendesk = ZendeskConnector(base_url="https://x.zendesk.example", oauth_token="t", policy=SMALL)
    assert gorgias.longest_delivery == timedelta(seconds=6)
    assert zendesk.longest_delivery == timedelta(seconds=12)
    default_zendesk = ZendeskConnector(base_url="https://x.zendesk.example", oauth_token="t")
    assert default_zendesk.longest_delivery == timedelta(seconds=2 * (4 * 5 * 10 + 30))
    for connector in (gorgias, zendesk, default_zendesk):
        with pytest.raises(AttributeError):
            connector.longest_delivery = timedelta(0)  # type: ignore[misc]
        connector.close()


def test_a_delivery_whose_every_attempt_times_out_ends_within_longest_delivery() -> None:
    """Against a server that takes connections and never answers (a listening socket that
    never accepts), every Zendesk attempt times out reading; the delivery gives up, with
    all its attempts and waits, well within longest_delivery."""
    policy = RetryPolicy(attempts=3, max_total_wait=0.3, base_delay=0.1, max_delay=0.2, timeout=0.2)
    with socket.create_server(("127.0.0.1", 0), backlog=8) as silent:
        host, port = silent.getsockname()[:2]
        connector = ZendeskConnector(
            base_url=f"http://{host}:{port}", oauth_token="t", policy=policy
        )
        started = time.monotonic()
        with pytest.raises(OutcomeUnknown, match="ReadTimeout"):
            connector.deliver(_request())
        took = time.monotonic() - started
        connector.close()
    assert len(connector.waits) == policy.attempts - 1
    assert took >= policy.attempts * policy.timeout
    assert took < connector.longest_delivery.total_seconds()


def test_zendesk_needs_credentials() -> None:
    """Neither email+api_token nor oauth_token is refused."""
    with pytest.raises(ValidationError, match="give email and api_token, or oauth_token"):
        ZendeskConnector(base_url="https://x.zendesk.example", email="a@b.example")


_ZD = "https://x.zendesk.example"
_GG = "https://x.gorgias.example"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: ZendeskConnector(base_url=_ZD, email="", api_token=""),
            "zendesk email must not be empty",
        ),
        (
            lambda: ZendeskConnector(base_url=_ZD, email="a@b.example", api_token=" "),
            "zendesk api_token must not be empty",
        ),
        (
            lambda: ZendeskConnector(base_url=_ZD, oauth_token=""),
            "zendesk oauth_token must not be empty",
        ),
        (
            lambda: ZendeskConnector(base_url=_ZD, oauth_token="a\nb"),
            "zendesk oauth_token must not contain a control character or a lone surrogate",
        ),
        (  # C1 controls count as the docs count them (\x7f-\x9f), in basic auth too
            lambda: ZendeskConnector(base_url=_ZD, email="a@b.example", api_token="tok\x85en"),
            "zendesk api_token must not contain a control character or a lone surrogate",
        ),
        (
            lambda: GorgiasConnector(base_url=_GG, email="a\x9f@b.example", api_key="k"),
            "gorgias email must not contain a control character or a lone surrogate",
        ),
        (
            lambda: ZendeskConnector(base_url=_ZD, oauth_token=7),
            "zendesk oauth_token must be text, got int",
        ),
        (
            lambda: GorgiasConnector(base_url=_GG, email=None, api_key=None),
            "gorgias email must be text, got NoneType",
        ),
        (
            lambda: GorgiasConnector(base_url=_GG, email="", api_key=""),
            "gorgias email must not be empty",
        ),
        (
            lambda: GorgiasConnector(base_url=_GG, email="a@b.example", api_key="k\ud800"),
            "gorgias api_key must not contain a control character or a lone surrogate",
        ),
        (
            lambda: GorgiasConnector(
                base_url=_GG, email="a@b.example", api_key="k", agent_email=""
            ),
            "gorgias agent_email must be an e-mail address, got ''",
        ),
        (
            lambda: GorgiasConnector(domain=7, email="a@b.example", api_key="k"),
            "gorgias domain must be the account's subdomain (letters, digits, hyphens), got 7",
        ),
        (
            lambda: ZendeskConnector(base_url=_ZD, oauth_token="t", policy="x"),
            "zendesk policy must be a RetryPolicy, got 'x'",
        ),
        (
            lambda: GorgiasConnector(base_url=_GG, email="a@b.example", api_key="k", policy=None),
            "gorgias policy must be a RetryPolicy, got None",
        ),
        (
            lambda: ZendeskConnector(base_url=_ZD, oauth_token="t", custom_fields=[1]),
            "zendesk custom_fields must be a mapping of field ids to values, got [1]",
        ),
        (
            lambda: ZendeskConnector(base_url=_ZD, oauth_token="t", custom_fields={"1": "x"}),
            "zendesk custom_fields: a field id must be an int, got '1'",
        ),
        (
            lambda: ZendeskConnector(base_url=_ZD, oauth_token="t", custom_fields={True: "x"}),
            "zendesk custom_fields: a field id must be an int, got True",
        ),
        (
            lambda: ZendeskConnector(base_url=_ZD, oauth_token="t", custom_fields={1: NOW}),
            "zendesk custom_fields: at 1: not a JSON value (write dates as text)",
        ),
        (
            lambda: ZendeskConnector(
                base_url=_ZD, oauth_token="t", custom_fields={1: float("nan")}
            ),
            "zendesk custom_fields: at 1: not a finite number: nan",
        ),
    ],
)
def test_a_connector_refuses_settings_it_cannot_use_naming_itself_and_the_argument(
    make: object, message: str
) -> None:
    """Missing, blank or unusable credentials, a policy that is no RetryPolicy and custom
    fields that are no mapping of ids to JSON values are refused when the connector is
    made, with a ValidationError naming the connector and the argument (never the secret)."""
    assert callable(make)
    with pytest.raises(ValidationError) as info:
        make()
    assert str(info.value) == message


@pytest.mark.parametrize(
    "url",
    ["not a url", "x.zendesk.com", "ftp://x.example", "https://", "http://x:99999", "http://x:a"],
)
def test_a_connector_refuses_a_base_url_it_cannot_call(url: str) -> None:
    """A base URL that is not http(s) with a host fails when the connector is made, naming
    the connector and the URL, not at the first handoff."""
    message = f"base_url must be an http or https URL with a host, got {url!r}"
    with pytest.raises(ValidationError, match=re.escape(f"zendesk {message}")):
        ZendeskConnector(base_url=url, oauth_token="t")
    with pytest.raises(ValidationError, match=re.escape(f"gorgias {message}")):
        GorgiasConnector(base_url=url, email="a@b.example", api_key="k")


_CREDENTIALS = {
    "zendesk": "give email and api_token, or oauth_token",
    "gorgias": "give email and api_key",
}


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://ann:Hunter2@127.0.0.1:8080", "http://***@127.0.0.1:8080"),
        ("https://Hunter2@x.example", "https://***@x.example"),
        ("https://:Hunter2@x.example/", "https://***@x.example/"),
        ("https://@x.example", "https://***@x.example"),
        ("https://ann:Hun@ter2@x.example", "https://***@x.example"),
        # a password holding '/', '?' or '#' unescaped: urlsplit reads host 'ann' and a
        # port, refused (a bad port) or, worse, accepted (port 12, path '/ter2@...')
        ("http://ann:Hun/ter2@x.example", "http://***@x.example"),
        ("http://ann:12/ter2@x.example", "http://***@x.example"),
        ("http://ann:Hun?ter2@x.example", "http://***@x.example"),
        ("http://ann:Hun#ter2@x.example", "http://***@x.example"),
        ("http://ann:Hunter2@[::1", "http://***@[::1"),
        ("ftp://ann:Hunter2@x.example", "ftp://***@x.example"),
        ("ann:Hunter2@x.example", "***@x.example"),
        ("//ann:Hunter2@x.example", "//***@x.example"),
    ],
)
def test_a_connector_refuses_a_base_url_carrying_credentials_without_echoing_them(
    url: str, shown: str
) -> None:
    """A base_url holding '@' (a name or password, even one holding '/', '?', '#' or '@')
    is refused, naming the argument and the arguments credentials go in; the message
    shows '***' for everything from '//' to the last '@', never the password."""
    for kind, make in (
        ("zendesk", lambda: ZendeskConnector(base_url=url, oauth_token="t")),
        ("gorgias", lambda: GorgiasConnector(base_url=url, email="a@b.example", api_key="k")),
    ):
        with pytest.raises(ValidationError) as info:
            make()
        assert str(info.value) == (
            f"{kind} base_url must not carry credentials ({_CREDENTIALS[kind]}), got {shown!r}"
        )


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"attempts": 0}, "attempts must be at least 1, got 0"),
        ({"attempts": "3"}, "attempts must be a whole number, got '3'"),
        ({"timeout": 0}, "timeout must be a number of seconds above 0, got 0"),
        ({"timeout": float("nan")}, "timeout must be a number of seconds above 0, got nan"),
        ({"max_total_wait": -1}, "max_total_wait must be a number of seconds at least 0, got -1"),
        ({"base_delay": -0.5}, "base_delay must be a number of seconds at least 0, got -0.5"),
        ({"max_delay": "8"}, "max_delay must be a number of seconds at least 0, got '8'"),
    ],
)
def test_a_retry_policy_refuses_what_cannot_bound_a_delivery(
    given: dict[str, object], message: str
) -> None:
    """No attempt at all, a timeout of 0 (httpx: none) or negative waits are refused by
    name: longest_delivery, which recovery trusts, would mean nothing."""
    with pytest.raises(ValidationError) as info:
        RetryPolicy(**given)  # type: ignore[arg-type]
    assert str(info.value) == message
    assert RetryPolicy(max_total_wait=0, base_delay=0, timeout=0.1).longest_send == 2.0


@pytest.mark.parametrize("public", ["no", 0, None])
def test_zendesk_public_is_a_bool(public: object) -> None:
    """Whether the transcript is a public comment is a bool: "no" would have made it public."""
    with pytest.raises(ValidationError, match=f"^zendesk public must be a bool, got {public!r}$"):
        ZendeskConnector(base_url="https://x.zendesk.example", oauth_token="t", public=public)  # type: ignore[arg-type]


@pytest.mark.parametrize("domain", ["my shop", "shop.evil.example", "-shop", "", "a" * 64])
def test_gorgias_refuses_a_domain_that_is_no_subdomain(domain: str) -> None:
    """The account's domain is one DNS label: anything else would call another host."""
    with pytest.raises(ValidationError, match="gorgias domain must be the account's subdomain"):
        GorgiasConnector(domain=domain, email="a@b.example", api_key="k")


def test_a_connector_keeps_a_good_base_url_without_its_trailing_slash() -> None:
    """http and https URLs with a host (and a port) are kept, the trailing slash dropped."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(201, json={"ticket": {"id": 7}})

    z = ZendeskConnector(
        base_url="http://127.0.0.1:8080/", oauth_token="t", transport=httpx.MockTransport(handler)
    )
    z.deliver(_request())
    g = GorgiasConnector(
        domain="my-shop2", email="a@b.example", api_key="k", transport=httpx.MockTransport(handler)
    )
    assert seen == ["http://127.0.0.1:8080/api/v2/tickets"]
    assert g.longest_delivery > timedelta(0)


def test_missing_httpx_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without httpx, creating a connector raises MissingExtra naming 'connectors'."""
    real = importlib.import_module

    def fake_import(name: str, package: str | None = None) -> object:
        if name == "httpx":
            raise ImportError("No module named 'httpx'")
        return real(name, package)

    monkeypatch.setattr(_http.importlib, "import_module", fake_import)
    with pytest.raises(
        MissingExtra,
        match=r"^a Zendesk or Gorgias connector needs the optional extra 'connectors'",
    ):
        GorgiasConnector(domain="shop", email="a@b.example", api_key="k")


def test_routing_core_does_not_import_httpx() -> None:
    """Importing the package and the handoff never imports httpx."""
    import subprocess
    import sys

    code = (
        "import sys, helpdesk_routing, helpdesk_routing.handoff, helpdesk_routing.metrics; "
        "import helpdesk_routing.handoff.connectors.zendesk; "
        "print('httpx' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_an_answer_past_the_limit_through_a_mock_transport(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A transport that hands over a body already read (MockTransport) is held to the same
    limit: 201 one byte past it is OutcomeUnknown, at it the ticket is read; a 503 past it
    is still retried by its status (Zendesk's idempotency key)."""
    monkeypatch.setattr(_http, "MAX_BODY_BYTES", 64)
    named = b'{"ticket": {"id": 7}}'
    answers = [
        httpx.Response(201, content=named.ljust(65)),
        httpx.Response(503, content=bytes(65)),
        httpx.Response(201, content=named.ljust(64)),
    ]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers[len(seen) - 1]

    connector = ZendeskConnector(
        base_url="https://shop.zendesk.example",
        oauth_token="t",
        transport=httpx.MockTransport(handler),
        sleep=lambda _: None,
    )
    try:
        with pytest.raises(
            OutcomeUnknown,
            match=r"^zendesk: outcome unknown: HTTP 201 answer unreadable "
            r"\(body passed the limit of 64 bytes\)$",
        ):
            connector.deliver(_request())
        assert connector.deliver(_request()).ticket_id == "7"
    finally:
        connector.close()
    assert len(seen) == 3
    assert seen[0].headers["Accept-Encoding"] == "gzip, deflate"


_SECRET = "S3cr3tT0ken"


@pytest.mark.parametrize("token", ["tök" + _SECRET, _SECRET + "\u2028", "\u00a0" + _SECRET])
def test_an_oauth_token_that_is_not_ascii_is_refused_without_showing_it(token: str) -> None:
    """A bearer token goes into a header as ASCII text: any other character is a
    ValidationError naming the argument, never an encoding error carrying the token."""
    with pytest.raises(ValidationError) as info:
        ZendeskConnector(base_url=_ZD, oauth_token=token)
    assert str(info.value) == (
        "zendesk oauth_token must be ASCII (it is sent as text in a request header)"
    )
    assert _SECRET not in repr(info.value.args)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://host/\r\nX-Injected: 1", "must not contain a space or a control character"),
        ("http://host/\n", "must not contain a space or a control character"),
        ("http://ho\tst", "must not contain a space or a control character"),
        ("http://host\0", "must not contain a space or a control character"),
        (" http://127.0.0.1:8000", "must not contain a space or a control character"),
        ("http://host\u2028", "must not contain a space or a control character"),
        (
            "http://host?x=1",
            "must not have a query or a fragment (give the address of the service)",
        ),
        (
            "http://host#top",
            "must not have a query or a fragment (give the address of the service)",
        ),
        (
            "http://shop..zendesk.com",
            "must have a valid host name (no empty label, none over 63 characters, "
            "253 characters in all)",
        ),
        (
            f"http://{'a' * 300}.example",
            "must have a valid host name (no empty label, none over 63 characters, "
            "253 characters in all)",
        ),
        (
            f"http://{'a.' * 130}example",
            "must have a valid host name (no empty label, none over 63 characters, "
            "253 characters in all)",
        ),
        ("http://host:0", "must be an http or https URL with a host"),
    ],
)
def test_a_base_url_that_would_break_every_request_is_refused_when_made(
    url: str, problem: str
) -> None:
    """Control characters, spaces, a query or fragment, a host name the idna codec
    refuses and port 0 are a ValidationError naming the connector and the argument when
    the connector is made, never an httpx or idna error at the first handoff."""
    for make, name in (
        (lambda: ZendeskConnector(base_url=url, oauth_token="t"), "zendesk"),
        (lambda: GorgiasConnector(base_url=url, email="a@b.example", api_key="k"), "gorgias"),
    ):
        with pytest.raises(ValidationError) as info:
            make()
        assert str(info.value) == f"{name} base_url {problem}, got {url!r}"


@pytest.mark.parametrize(
    "url", ["https://bücher.example", "http://[::1]:8080/", "http://h.example."]
)
def test_a_base_url_with_an_international_or_ip_host_is_taken(url: str) -> None:
    """An international host name (sent in its IDNA form), an IPv6 literal and a
    fully qualified name with its final dot are addresses a request can use."""
    ZendeskConnector(base_url=url, oauth_token="t").close()
