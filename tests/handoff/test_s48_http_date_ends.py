"""An HTTP date whose zone carries it past the calendar's ends is that end, not an
unreadable date: ``Retry-After`` in the year 9999 west of GMT asks for the longest wait
(as it does in GMT), one in the year 1 east of GMT for none (a moment passed)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from helpdesk_routing.handoff.connectors._http import http_date, retry_after_seconds

NOW = datetime(2026, 3, 30, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "Fri, 31 Dec 9999 23:00:00 -0100",
        "Fri, 31 Dec 9999 23:00:00 EST",
        "Friday, 31-Dec-99 23:00:00 -0100",
    ],
)
def test_a_date_at_or_past_the_last_day_asks_the_longest_wait(text: str) -> None:
    longest = retry_after_seconds("Fri, 31 Dec 9999 23:59:59 GMT", NOW)
    if "-99" in text:  # two digits: the nearest year of that ending, 2099
        assert retry_after_seconds(text, NOW) < longest
        return
    assert retry_after_seconds(text, NOW) == longest == 1_000_000_000


def test_a_date_before_the_first_day_asks_no_wait() -> None:
    assert retry_after_seconds("Mon, 01 Jan 0001 00:30:00 +0100", NOW) == 0
    assert http_date("Mon, 01 Jan 0001 00:30:00 +0100") == datetime.min.replace(tzinfo=UTC)
    assert http_date("Fri, 31 Dec 9999 23:00:00 -0100") == datetime.max.replace(tzinfo=UTC)


def test_a_date_that_names_no_day_stays_unreadable() -> None:
    assert http_date("Tue, 30 Feb 9999 23:00:00 -0100") is None
    assert retry_after_seconds("Tue, 30 Feb 9999 23:00:00 -0100", NOW) is None
