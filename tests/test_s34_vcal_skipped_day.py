"""A covering week jumps only from a period that reaches the day it jumps from.

Samoa (``Pacific/Apia``) skipped Friday 30 December 2011: its clocks went from Thursday
23:59:59 (UTC-10) to Saturday 00:00 (UTC+14). A 24/7 week with a holiday on that
Thursday is closed from 2011-12-29 10:00 to 2011-12-30 10:00 UTC. The skipped Friday's
windows are empty, so the period open before the holiday did not reach Saturday; the
search took it as running on and jumped, and the holiday vanished: ``next_close`` on
the holiday's last minute said the office never closes, ``open_periods`` ran one
period from before the holiday through it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from helpdesk_routing.calendar import OfficeHours
from tests.test_s33_calendar_open_for_good import DAYS

HOURS = OfficeHours(
    timezone="Pacific/Apia",
    weekly={day: [("00:00", "24:00")] for day in DAYS},
    holidays=[date(2011, 12, 29)],
)
LAST_MINUTE = datetime(2011, 12, 30, 9, 59, tzinfo=UTC)  # Thursday 23:59 in Apia
REOPENS = datetime(2011, 12, 30, 10, tzinfo=UTC)  # Saturday 00:00 in Apia


def test_the_holiday_before_a_skipped_day_stays_closed() -> None:
    until = LAST_MINUTE + timedelta(days=2, seconds=60)
    assert not HOURS.is_open(LAST_MINUTE)
    assert HOURS.next_close(LAST_MINUTE, horizon=timedelta(days=3)) == LAST_MINUTE
    assert HOURS.next_open(LAST_MINUTE, horizon=timedelta(days=3)) == REOPENS
    assert list(HOURS.open_periods(LAST_MINUTE, until)) == [(REOPENS, until)]
    assert HOURS.business_time_between(LAST_MINUTE, until) == until - REOPENS
    assert HOURS.add_business_time(LAST_MINUTE, timedelta(days=1)) == REOPENS + timedelta(days=1)
    week_before = datetime(2011, 12, 22, tzinfo=UTC)
    assert list(HOURS.open_periods(week_before, until)) == [
        (week_before, datetime(2011, 12, 29, 10, tzinfo=UTC)),
        (REOPENS, until),
    ]
