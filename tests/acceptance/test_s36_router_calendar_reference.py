"""Office hours against a reference written from docs/calendar.md alone.

The reference maps wall times to instants by scanning UTC minutes for the first one
whose local reading is at least the wall time (the documented DST rule), builds each
local day's windows from "what a day holds", and unions them. It shares no code with
``helpdesk_routing.calendar``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing.calendar import OfficeHours
from tests.strategies import aware_instants, office_hours, zone_keys

MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@cache
def reference_instant(wall: datetime, key: str) -> datetime:
    """The first whole UTC minute at which the clock of ``key`` reads at least ``wall``."""
    zone = ZoneInfo(key)
    # Offsets lie within -12 h and +14 h, so 15 hours before `wall` (as if UTC) the
    # local clock still reads less than `wall`.
    moment = (wall - timedelta(hours=15)).replace(tzinfo=UTC)
    while moment.astimezone(zone).replace(tzinfo=None) < wall:
        moment += MINUTE
    return moment


def minutes(text: str) -> int:
    hours, mins = text.split(":")
    return int(hours) * 60 + int(mins)


def names(rule: str, day: date) -> bool:
    """Whether the recurring ``rule`` (no DTSTART: it starts on 2000-01-01) names ``day``."""
    walk = rrulestr(rule, dtstart=datetime(2000, 1, 1))
    found = walk.after(datetime.combine(day, time()) - timedelta(seconds=1))
    return found is not None and found.date() == day


def windows_of(hours: OfficeHours, day: date) -> list[tuple[str, str]]:
    """What a day holds: the first of dated exception, dated holiday, recurring exception,
    recurring holiday and weekly windows that applies."""
    if day in hours.exceptions:
        return list(hours.exceptions[day])
    if day in hours.holidays:
        return []
    for entry in hours.recurring_exceptions:
        if names(entry.rule, day):
            return list(entry.windows)
    if any(names(rule, day) for rule in hours.recurring_holidays):
        return []
    return list(hours.weekly.get(WEEKDAYS[day.weekday()], ()))


def intervals_of(hours: OfficeHours, day: date) -> list[tuple[datetime, datetime]]:
    """The UTC intervals of the windows that start on local ``day``."""
    midnight = datetime.combine(day, time())
    found = []
    for start_text, end_text in windows_of(hours, day):
        start, end = minutes(start_text), minutes(end_text)
        if end <= start:  # crosses midnight; equal bounds last 24 hours
            end += 24 * 60
        opens = reference_instant(midnight + start * MINUTE, hours.timezone)
        closes = reference_instant(midnight + end * MINUTE, hours.timezone)
        if closes > opens:
            found.append((opens, closes))
    return found


def reference_periods(
    hours: OfficeHours, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The union of every window's interval, clipped to ``[start, end)``."""
    zone = ZoneInfo(hours.timezone)
    # A window may hold instants that the clock reads as an earlier day (after a
    # fall-back over midnight) or two days later (a 24-hour shift from late evening).
    first = start.astimezone(zone).date() - 2 * DAY
    last = end.astimezone(zone).date() + DAY
    pieces = sorted(
        (max(a, start), min(b, end))
        for offset in range((last - first).days + 1)
        for a, b in intervals_of(hours, first + offset * DAY)
        if a < end and b > start
    )
    merged: list[tuple[datetime, datetime]] = []
    for a, b in pieces:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


@st.composite
def schedule_and_instant(draw: st.DrawFn) -> tuple[OfficeHours, datetime]:
    key = draw(zone_keys())
    return draw(office_hours(key)), draw(aware_instants(key))


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@settings(max_examples=150, deadline=None)
@given(schedule_and_instant())
def test_is_open_agrees_with_the_documented_rules(case: tuple[OfficeHours, datetime]) -> None:
    """is_open(at) holds exactly when some window's interval (by the DST rule) holds ``at``."""
    hours, at = case
    instant = at.astimezone(UTC).replace(second=0, microsecond=0)
    expected = bool(reference_periods(hours, instant, instant + MINUTE))
    assert hours.is_open(at.replace(second=0, microsecond=0)) == expected


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@settings(max_examples=100, deadline=None)
@given(schedule_and_instant(), st.integers(1, 3 * 24 * 60))
def test_open_periods_and_business_time_agree_with_the_documented_rules(
    case: tuple[OfficeHours, datetime], length: int
) -> None:
    """open_periods and business_time_between over a few days equal the reference union."""
    hours, at = case
    start = at.astimezone(UTC).replace(second=0, microsecond=0)
    end = start + length * MINUTE
    expected = reference_periods(hours, start, end)
    assert list(hours.open_periods(start, end)) == expected
    assert hours.business_time_between(start, end) == sum((b - a for a, b in expected), timedelta())


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@settings(max_examples=100, deadline=None)
@given(schedule_and_instant())
def test_next_open_and_next_close_agree_with_the_documented_rules(
    case: tuple[OfficeHours, datetime],
) -> None:
    """next_open / next_close within four days are the reference's next opening and closing."""
    hours, at = case
    start = at.astimezone(UTC).replace(second=0, microsecond=0)
    horizon = 4 * DAY
    periods = reference_periods(hours, start, start + horizon + 3 * DAY)
    opening = next((a for a, _ in periods if a < start + horizon), None)
    assert hours.next_open(start, horizon=horizon) == opening
    if periods and periods[0][0] == start:
        closing = periods[0][1]
        expected_close = closing if closing - start <= horizon else None
    else:
        expected_close = start
    assert hours.next_close(start, horizon=horizon) == expected_close
