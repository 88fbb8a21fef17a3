"""Searches jump over the days that cannot change their answer, in every calendar
where the days are known in advance: empty weeks (only dated exceptions and recurring
exceptions open), weeks that cover themselves with recurring rules that never end, and
recurring rules that name every day (``FREQ=DAILY``) acting as the week.

Before stop 34 an empty week with a daily 00:00-24:00 recurring exception walked every
day to the year 9999 for ``next_close(t, horizon=timedelta.max)`` (85 s); one dated
exception in the year 9000 took 2.7 s to find; a 24/7 week with a yearly recurring
holiday walked every day (38 s for ``open_periods`` to the year 9000)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.calendar import OfficeHours
from tests.test_s33_calendar_open_for_good import DAYS, ZONES, covering_weeks

FULL = {day: [("00:00", "24:00")] for day in DAYS}
START = datetime(2026, 3, 27, 17, tzinfo=UTC)
MAX = timedelta.max


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# Example tests: the answers, and how few days the searches compute.


def test_an_empty_week_with_a_daily_24_hour_exception_never_closes(
    days_walked: list[date],
) -> None:
    hours = OfficeHours(
        timezone="Europe/Amsterdam",
        recurring_exceptions=[{"rule": "FREQ=DAILY", "windows": [("00:00", "24:00")]}],
    )
    assert hours.next_close(START, horizon=MAX) is None
    assert hours.next_open(START, horizon=MAX) == START
    far = utc(9000, 1, 1)
    assert list(hours.open_periods(START, far)) == [(START, far)]
    assert hours.business_time_between(START, far) == far - START
    assert len(days_walked) < 40


def test_a_daily_exception_that_ends_is_closed_after_its_last_day(
    days_walked: list[date],
) -> None:
    """``COUNT`` makes the daily rule end on 2030-01-10: from 2030-01-11 the empty week."""
    hours = OfficeHours(
        timezone="Europe/Amsterdam",
        recurring_exceptions=[
            {"rule": "DTSTART:20300101\nRRULE:FREQ=DAILY;COUNT=10", "windows": [("10:00", "10:00")]}
        ],
        exceptions={date(8000, 5, 5): [("09:00", "17:00")]},
    )
    assert hours.next_open(START, horizon=MAX) == utc(2030, 1, 1, 9)
    assert hours.next_close(utc(2030, 1, 1, 9), horizon=MAX) == utc(2030, 1, 11, 9)
    assert hours.next_open(utc(2030, 1, 11, 9), horizon=MAX) == utc(8000, 5, 5, 7)
    assert len(days_walked) < 40


def test_an_empty_week_with_mondays_walks_the_mondays(days_walked: list[date]) -> None:
    hours = OfficeHours(
        timezone="Europe/Amsterdam",
        recurring_exceptions=[{"rule": "FREQ=WEEKLY;BYDAY=MO", "windows": [("09:00", "17:00")]}],
    )
    end = utc(2036, 3, 27)
    periods = list(hours.open_periods(START, end))
    assert len(periods) == 522
    assert periods[0] == (utc(2026, 3, 30, 7), utc(2026, 3, 30, 15))  # after DST: UTC+2
    assert hours.next_open(START, horizon=MAX) == utc(2026, 3, 30, 7)
    assert len(days_walked) < 600  # 3,650 days walked before


def test_an_empty_week_finds_a_dated_exception_far_away(days_walked: list[date]) -> None:
    hours = OfficeHours(
        timezone="Europe/Amsterdam", exceptions={date(9000, 1, 1): [("09:00", "17:00")]}
    )
    assert hours.next_open(START, horizon=MAX) == utc(9000, 1, 1, 8)
    assert hours.next_open(START) is None  # beyond the default horizon
    assert len(days_walked) < 10


def test_a_rule_that_ended_leaves_an_empty_week_empty(days_walked: list[date]) -> None:
    hours = OfficeHours(
        timezone="UTC",
        recurring_exceptions=[
            {"rule": "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260301", "windows": [("09:00", "17:00")]}
        ],
        exceptions={date(9000, 1, 1): [("09:00", "17:00")]},
    )
    assert hours.next_open(START, horizon=MAX) == utc(9000, 1, 1, 9)
    assert len(days_walked) < 10


def test_a_holiday_beats_a_recurring_exception_in_an_empty_week(
    days_walked: list[date],
) -> None:
    """Holidays close the first two Mondays the rule opens; dated entries win."""
    hours = OfficeHours(
        timezone="UTC",
        recurring_exceptions=[{"rule": "FREQ=WEEKLY;BYDAY=MO", "windows": [("09:00", "17:00")]}],
        holidays=[date(2026, 3, 30), date(2026, 4, 6)],
    )
    assert hours.next_open(START, horizon=MAX) == utc(2026, 4, 13, 9)
    assert len(days_walked) < 10


def test_a_covering_week_jumps_between_a_yearly_holidays_dates(days_walked: list[date]) -> None:
    hours = OfficeHours(
        timezone="Europe/Amsterdam",
        weekly=FULL,
        recurring_holidays=["FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"],
    )
    periods = list(hours.open_periods(START, utc(2126, 1, 1)))
    assert len(periods) == 101
    assert periods[1] == (utc(2026, 12, 25, 23), utc(2027, 12, 24, 23))
    assert len(days_walked) < 101 * 8  # 36,500 days walked before


def test_a_monthly_24_hour_exception_keeps_a_covering_week_open(
    days_walked: list[date],
) -> None:
    """An exception of a whole day on every first of the month changes nothing but the
    days walked; the holiday in the year 3000 closes the office."""
    hours = OfficeHours(
        timezone="America/New_York",
        weekly=FULL,
        recurring_exceptions=[
            {"rule": "FREQ=MONTHLY;BYMONTHDAY=1", "windows": [("00:00", "24:00")]}
        ],
        holidays=[date(2200, 1, 1)],
    )
    assert hours.next_close(START, horizon=MAX) == utc(2200, 1, 1, 5)
    assert len(days_walked) < 2100 * 8  # a few per month, not all 63,000 days


def test_a_daily_rule_with_dtstart_and_until_is_the_week_only_between_them(
    days_walked: list[date],
) -> None:
    """A daily holiday from 2030 to 2031 closes a 24/7 office for those days; a daily
    24-hour exception whose first day comes later opens an empty week from then on."""
    closed = OfficeHours(
        timezone="Australia/Lord_Howe",
        weekly=FULL,
        recurring_holidays=["DTSTART:20300101\nRRULE:FREQ=DAILY;UNTIL=20311231"],
    )
    zone = ZoneInfo("Australia/Lord_Howe")
    assert closed.next_close(START, horizon=MAX) == datetime(2030, 1, 1, tzinfo=zone)
    assert closed.next_open(utc(2030, 6, 1), horizon=MAX) == datetime(2032, 1, 1, tzinfo=zone)
    assert closed.next_close(utc(2032, 6, 1), horizon=MAX) is None
    opened = OfficeHours(
        timezone="UTC",
        recurring_exceptions=[
            {"rule": "DTSTART:20400101T120000\nRRULE:FREQ=DAILY", "windows": [("00:00", "24:00")]}
        ],
    )
    assert opened.next_open(START, horizon=MAX) == utc(2040, 1, 1)
    assert opened.next_close(utc(2040, 1, 1), horizon=MAX) is None
    assert len(days_walked) < 100


def test_a_daily_rule_ends_the_day_before_an_until_earlier_in_the_day() -> None:
    """The rule's date-times are at DTSTART's 12:00: UNTIL 2030-01-10 11:00 ends it on
    the 9th, so the 10th holds the weekly windows again."""
    hours = OfficeHours(
        timezone="Europe/Amsterdam",
        weekly=FULL,
        recurring_holidays=["DTSTART:20300101T120000\nRRULE:FREQ=DAILY;UNTIL=20300110T110000"],
    )
    assert hours.next_open(utc(2030, 1, 5), horizon=MAX) == utc(2030, 1, 9, 23)
    assert hours.next_close(utc(2030, 1, 9, 23), horizon=MAX) is None


# The property: every search answers what the day-by-day walk answers.


def _transitions() -> list[datetime]:
    """UTC instants of the zones' clock changes in 2025 to 2027, hour by hour."""
    found = []
    for key in ZONES:
        zone = ZoneInfo(key)
        instant = utc(2025, 1, 1)
        offset = instant.astimezone(zone).utcoffset()
        while instant < utc(2028, 1, 1):
            instant += timedelta(minutes=30)
            now = instant.astimezone(zone).utcoffset()
            if now != offset:
                found.append(instant.replace(tzinfo=None))
                offset = now
    return found


TRANSITIONS = _transitions()
WINDOWS = (
    [],
    [("09:00", "17:00")],
    [("22:00", "06:00")],
    [("00:00", "24:00")],
    [("10:00", "10:00")],
    [("00:00", "12:00"), ("12:00", "24:00")],
    [("01:30", "02:30"), ("23:00", "23:30")],
)
# Rules that never end, and rules built around the instant searched from.
ENDLESS = (
    "FREQ=DAILY",
    "FREQ=DAILY;INTERVAL=3",
    "FREQ=DAILY;BYDAY=SA,SU",
    "FREQ=WEEKLY;BYDAY=MO",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
    "FREQ=MONTHLY;BYMONTHDAY=1,15",
    "FREQ=MONTHLY;BYMONTHDAY=-1",
    "FREQ=MONTHLY;BYDAY=-1SU",
    "FREQ=MONTHLY;BYDAY=2TU",
    "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "FREQ=YEARLY;BYMONTH=10,11;BYDAY=1SU,-1SU",
    "FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=4",
    "FREQ=DAILY\nEXDATE:20260329",
)


@st.composite
def rules(draw: st.DrawFn, around: date) -> str:
    """An endless rule, or one (daily, weekly, monthly, with BYDAY or BYMONTHDAY) with a
    DTSTART, COUNT or UNTIL near ``around``."""
    if draw(st.booleans()):
        return draw(st.sampled_from(ENDLESS))
    body = draw(
        st.sampled_from(
            (
                "FREQ=DAILY",  # every day: the week between its first and last dates
                "FREQ=DAILY",
                "FREQ=DAILY;BYDAY=MO,TU,WE",
                "FREQ=WEEKLY;BYDAY=SU",
                "FREQ=MONTHLY;BYMONTHDAY=1,28",
                "FREQ=MONTHLY;BYDAY=1SA",
            )
        )
    )
    first = around + timedelta(days=draw(st.integers(-40, 200)))
    time_of_day = draw(st.sampled_from(("", "T000000", "T120000", "T120000")))
    end = draw(st.sampled_from(("", "count", "until")))
    if end == "count":
        body += f";COUNT={draw(st.integers(1, 60))}"
    elif end == "until":
        until = first + timedelta(days=draw(st.integers(-1, 200)))
        body += f";UNTIL={until:%Y%m%d}" + draw(st.sampled_from(("", "T000000", "T110000")))
    if draw(st.integers(0, 3)):
        return f"DTSTART:{first:%Y%m%d}{time_of_day}\nRRULE:{body}"
    return body


weeks = st.one_of(
    st.just({}),
    covering_weeks().map(lambda week: week[0]),
    st.just({day: [("09:00", "17:00")] for day in DAYS[:5]}),
)


@given(
    weekly=weeks,
    zone=st.sampled_from(ZONES),
    start=st.one_of(
        st.sampled_from(TRANSITIONS).flatmap(
            lambda at: st.integers(-3 * 24 * 60, 24 * 60).map(
                lambda minutes: at + timedelta(minutes=minutes)
            )
        ),
        st.datetimes(datetime(2025, 1, 1), datetime(2027, 12, 31)),
    ),
    days=st.integers(0, 400),
    seconds=st.integers(0, 24 * 3600 - 1),
    data=st.data(),
)
def test_searches_with_endless_rules_and_empty_weeks_answer_what_the_walk_answers(
    weekly: dict[str, list[tuple[str, str]]],
    zone: str,
    start: datetime,
    days: int,
    seconds: int,
    data: st.DataObject,
) -> None:
    length = days * 24 * 3600 + seconds
    offsets = st.integers(-3, days + 3).map(lambda n: start.date() + timedelta(days=n))
    holidays = data.draw(st.lists(offsets, max_size=4), label="holidays")
    exceptions = data.draw(
        st.dictionaries(offsets, st.sampled_from(WINDOWS), max_size=4), label="exceptions"
    )
    recurring_holidays = data.draw(st.lists(rules(start.date()), max_size=2), label="r-holidays")
    recurring_exceptions = data.draw(
        st.lists(st.tuples(rules(start.date()), st.sampled_from(WINDOWS)), max_size=3),
        label="r-exceptions",
    )
    schedule = {
        "timezone": zone,
        "weekly": weekly,
        "holidays": holidays,
        "exceptions": {day: w for day, w in exceptions.items() if day not in holidays},
        "recurring_holidays": recurring_holidays,
        "recurring_exceptions": [{"rule": r, "windows": w} for r, w in recurring_exceptions],
    }
    fast = OfficeHours.model_validate(schedule)
    walked = OfficeHours.model_validate(schedule)
    walked._compiled().jumps = False
    since = start.replace(tzinfo=UTC)
    until = since + timedelta(seconds=length)
    assert list(fast.open_periods(since, until)) == list(walked.open_periods(since, until))
    assert fast.business_time_between(since, until) == walked.business_time_between(since, until)
    horizon = timedelta(seconds=max(length, 1))
    for search in ("next_open", "next_close"):
        assert getattr(fast, search)(since, horizon=horizon) == getattr(walked, search)(
            since, horizon=horizon
        )
    for duration in (timedelta(seconds=length // 3), timedelta(seconds=length)):
        assert fast.add_business_time(since, duration, horizon=horizon) == (
            walked.add_business_time(since, duration, horizon=horizon)
        )
    at = until - timedelta(seconds=seconds // 2)
    assert fast.is_open(at) == walked.is_open(at)


def test_the_plain_walk_still_walks_every_day(days_walked: list[date]) -> None:
    """The switch the property compares against: with jumps off, every day is walked."""
    hours = OfficeHours(
        timezone="UTC",
        recurring_exceptions=[{"rule": "FREQ=DAILY", "windows": [("00:00", "24:00")]}],
    )
    hours._compiled().jumps = False
    assert hours.next_close(START, horizon=timedelta(days=100)) is None
    assert len(days_walked) >= 100
