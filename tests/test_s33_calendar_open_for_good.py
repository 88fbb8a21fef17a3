"""Office hours that never close again: searches stop walking days where the week
covers itself, and answer what the day-by-day walk answers.

A 24/7 calendar asked ``next_close(after, horizon=timedelta.max)`` walked every day to
the end of the calendar (about 2.9 million days, 36 s), and so did ``open_periods``,
``business_time_between`` and ``add_business_time`` over long spans of any schedule
whose weekly windows leave no minute of the week uncovered."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing._recurrence import last_possible_date
from helpdesk_routing.calendar import OfficeHours

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# DST at 02:00, by 30 minutes, none, and at midnight (Havana, Santiago, Beirut).
ZONES = (
    "UTC",
    "Europe/Amsterdam",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "America/Havana",
    "America/Santiago",
    "Asia/Beirut",
)


def hhmm(minutes: int) -> str:
    return "24:00" if minutes == 24 * 60 else f"{minutes // 60:02d}:{minutes % 60:02d}"


def test_a_24_7_calendar_answers_a_search_to_the_end_of_time_from_a_few_days(
    days_walked: list[date],
) -> None:
    hours = OfficeHours.always_open("Europe/Amsterdam")
    friday = datetime(2026, 3, 27, 17, tzinfo=UTC)
    assert hours.next_close(friday, horizon=timedelta.max) is None
    assert hours.next_open(friday, horizon=timedelta.max) == friday
    far = datetime(9000, 1, 1, tzinfo=UTC)
    assert hours.business_time_between(friday, far) == far - friday
    assert hours.add_business_time(friday, far - friday, horizon=timedelta.max) == far
    assert list(hours.open_periods(friday, far)) == [(friday, far)]
    assert len(days_walked) < 60


def test_a_holiday_ends_the_period_and_the_walk_still_jumps_after_it(
    days_walked: list[date],
) -> None:
    """Windows of a day (10:00 to 10:00 the next day) cover the week; the holiday on
    Tuesday 1 January 2030 closes the office for a day, and never again after it."""
    hours = OfficeHours(
        timezone="Europe/Amsterdam",
        weekly={day: [("10:00", "10:00")] for day in DAYS},
        holidays=[date(2030, 1, 1)],
    )
    start = datetime(2029, 12, 1, tzinfo=UTC)
    end = datetime(2400, 1, 1, tzinfo=UTC)
    assert list(hours.open_periods(start, end)) == [
        (start, datetime(2030, 1, 1, 9, tzinfo=UTC)),
        (datetime(2030, 1, 2, 9, tzinfo=UTC), end),
    ]
    assert hours.next_close(datetime(2030, 1, 3, tzinfo=UTC), horizon=timedelta.max) is None
    assert len(days_walked) < 200


@pytest.mark.parametrize(
    ("weekly", "covers"),
    [
        ({day: [("00:00", "24:00")] for day in DAYS}, True),
        ({day: [("00:00", "12:00"), ("12:00", "24:00")] for day in DAYS}, True),
        ({day: [("10:00", "10:00")] for day in DAYS}, True),
        # Sunday's overnight window reaches Monday noon, where Monday's begins.
        ({**{day: [("00:00", "24:00")] for day in DAYS[1:6]},
          "mon": [("12:00", "24:00")], "sun": [("00:00", "12:00"), ("12:00", "12:00")]}, True),
        # ... but Monday starts a minute late.
        ({**{day: [("00:00", "24:00")] for day in DAYS[1:6]},
          "mon": [("12:01", "24:00")], "sun": [("00:00", "12:00"), ("12:00", "12:00")]}, False),
        ({day: [("00:00", "23:59")] for day in DAYS}, False),
        ({day: [("00:00", "24:00")] for day in DAYS[:6]}, False),
        ({}, False),
    ],
)  # fmt: skip
def test_a_week_covers_itself_only_when_no_minute_is_left_out(
    weekly: dict[str, list[tuple[str, str]]], covers: bool
) -> None:
    hours = OfficeHours(timezone="UTC", weekly=weekly)  # type: ignore[arg-type]
    assert hours._compiled().era_of(date(2026, 1, 1)).covering is covers


def test_recurring_rules_do_not_keep_the_walk(days_walked: list[date]) -> None:
    """A recurring holiday closes a 24/7 office every year: the walk jumps between its
    dates (stop 34; it walked every day before)."""
    hours = OfficeHours(
        timezone="UTC",
        weekly={day: [("00:00", "24:00")] for day in DAYS},
        recurring_holidays=["FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"],
    )
    after = datetime(2026, 12, 26, tzinfo=UTC)
    assert hours.next_close(after, horizon=timedelta.max) == datetime(2027, 12, 25, tzinfo=UTC)
    assert len(days_walked) < 20


@st.composite
def covering_weeks(draw: st.DrawFn) -> tuple[dict[str, list[tuple[str, str]]], bool]:
    """Weekly windows that cover the whole week: each day starts where the day before's
    last window (which runs overnight, up to 24 hours) still reaches, is cut at random
    minutes, and ends with a window running into the next day; Sunday's reaches Monday's
    start. Sometimes one window is dropped (a week with a hole, mostly)."""
    weekly: dict[str, list[tuple[str, str]]] = {}
    monday_start = draw(st.integers(0, 24 * 60 - 1))
    tail = 0
    for index, day in enumerate(DAYS):
        start = monday_start if index == 0 else draw(st.integers(0, tail))
        lowest_last = max(start, monday_start) if day == "sun" else start
        last = draw(st.integers(lowest_last, 24 * 60 - 1))
        cuts = sorted(set(draw(st.lists(st.integers(start, last), max_size=3))) - {start, last})
        points = [start, *cuts, last] if last > start else [start]
        windows = [(hhmm(a), hhmm(b)) for a, b in itertools.pairwise(points)]
        tail = draw(st.integers(monday_start if day == "sun" else 0, last))
        windows.append((hhmm(last), hhmm(tail)))
        weekly[day] = windows
    dropped = draw(st.integers(0, 3)) == 0
    if dropped:
        day = draw(st.sampled_from(DAYS))
        weekly[day] = weekly[day][1:]
    return weekly, dropped


@given(
    week=covering_weeks(),
    zone=st.sampled_from(ZONES),
    holidays=st.lists(st.dates(date(2025, 1, 1), date(2027, 12, 31)), max_size=3),
    exception_day=st.none() | st.dates(date(2025, 1, 1), date(2027, 12, 31)),
    start=st.datetimes(datetime(2024, 12, 1), datetime(2028, 6, 1)),
    length=st.integers(0, 900 * 24 * 3600),
)
def test_searches_answer_what_the_day_by_day_walk_answers(
    week: tuple[dict[str, list[tuple[str, str]]], bool],
    zone: str,
    holidays: list[date],
    exception_day: date | None,
    start: datetime,
    length: int,
) -> None:
    weekly, dropped = week
    exceptions = {}
    if exception_day is not None and exception_day not in holidays:
        exceptions = {exception_day: [("09:00", "17:00")]}
    data = {"timezone": zone, "weekly": weekly, "holidays": holidays, "exceptions": exceptions}
    fast = OfficeHours.model_validate(data)
    walked = OfficeHours.model_validate(data)
    walked._compiled().jumps = False
    if not dropped:
        assert fast._compiled().era_of(start.date()).covering
    since = start.replace(tzinfo=UTC)
    until = since + timedelta(seconds=length)
    assert list(fast.open_periods(since, until)) == list(walked.open_periods(since, until))
    horizon = timedelta(seconds=max(length, 1))
    for search in ("next_open", "next_close"):
        assert getattr(fast, search)(since, horizon=horizon) == getattr(walked, search)(
            since, horizon=horizon
        )
    duration = timedelta(seconds=length // 2)
    assert fast.add_business_time(since, duration, horizon=horizon) == walked.add_business_time(
        since, duration, horizon=horizon
    )


# Stretches between dated entries, and recurring rules that end (or never fire).

FULL = {day: [("00:00", "24:00")] for day in DAYS}
FAR = datetime(2026, 3, 27, 17, tzinfo=UTC)


def test_a_24_7_calendar_with_a_holiday_far_ahead_jumps_to_it(days_walked: list[date]) -> None:
    """One holiday in the year 9000: the walk jumped only after the last dated entry,
    so it walked 2.6 million days to reach it (43 s)."""
    hours = OfficeHours(timezone="UTC", weekly=FULL, holidays=[date(9000, 1, 1)])
    assert hours.next_close(FAR, horizon=timedelta.max) == datetime(9000, 1, 1, tzinfo=UTC)
    assert len(days_walked) < 20


def test_stretches_between_dated_entries_are_jumped(days_walked: list[date]) -> None:
    """Holidays and exceptions spread over millennia: a few days walked for each."""
    hours = OfficeHours(
        timezone="Europe/Amsterdam",
        weekly=FULL,
        holidays=[date(2030, 1, 1), date(5000, 6, 2)],
        exceptions={date(7000, 3, 3): [("09:00", "17:00")]},
    )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    end = datetime(9999, 1, 1, tzinfo=UTC)
    assert list(hours.open_periods(start, end)) == [
        (start, datetime(2029, 12, 31, 23, tzinfo=UTC)),
        (datetime(2030, 1, 1, 23, tzinfo=UTC), datetime(5000, 6, 1, 22, tzinfo=UTC)),
        (datetime(5000, 6, 2, 22, tzinfo=UTC), datetime(7000, 3, 2, 23, tzinfo=UTC)),
        (datetime(7000, 3, 3, 8, tzinfo=UTC), datetime(7000, 3, 3, 16, tzinfo=UTC)),
        (datetime(7000, 3, 3, 23, tzinfo=UTC), end),
    ]
    assert hours.next_close(datetime(2031, 1, 1, tzinfo=UTC), horizon=timedelta.max) == (
        datetime(5000, 6, 1, 22, tzinfo=UTC)
    )
    assert len(days_walked) < 100


def test_a_duration_longer_than_the_horizon_is_none_at_once(days_walked: list[date]) -> None:
    """Business time never exceeds elapsed time: ``add_business_time(t, timedelta.max,
    horizon=timedelta.max)`` walked to the year 9999 to say None (27 s)."""
    weekly = {day: [("09:00", "17:00")] for day in DAYS[:5]}
    hours = OfficeHours(timezone="Europe/Amsterdam", weekly=weekly)
    assert hours.add_business_time(FAR, timedelta.max, horizon=timedelta.max) is None
    assert hours.add_business_time(FAR, timedelta(days=8), horizon=timedelta(days=7)) is None
    assert days_walked == []
    # A duration equal to the horizon is reached at its very end around the clock.
    always = OfficeHours.always_open("UTC")
    week = timedelta(days=7)
    assert always.add_business_time(FAR, week, horizon=week) == FAR + week
    assert always.add_business_time(FAR, week + timedelta(microseconds=1), horizon=week) is None


@pytest.mark.parametrize(
    ("rule", "last"),
    [
        ("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25;UNTIL=20201231", date(2020, 12, 25)),
        ("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25;COUNT=3", date(2002, 12, 25)),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", None),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\nRDATE:20250101", date(2025, 1, 1)),
    ],
)
def test_a_recurring_holiday_that_has_ended_does_not_keep_the_walk(
    days_walked: list[date], rule: str, last: date | None
) -> None:
    """A rule that ended, or never names a date, kept every search walking (36 s, 51 s)."""
    hours = OfficeHours(timezone="UTC", weekly=FULL, recurring_holidays=[rule])
    assert hours.next_close(FAR, horizon=timedelta.max) is None
    assert len(days_walked) < 20
    if last is not None:  # ... and still closes the office on its last date
        before = datetime.combine(last - timedelta(days=40), datetime.min.time(), UTC)
        assert hours.next_close(before) == datetime.combine(last, datetime.min.time(), UTC)


def test_a_recurring_exception_that_has_ended_does_not_keep_the_walk(
    days_walked: list[date],
) -> None:
    hours = OfficeHours(
        timezone="Europe/Amsterdam",
        weekly=FULL,
        recurring_exceptions=[
            {"rule": "FREQ=MONTHLY;BYMONTHDAY=1;UNTIL=20261201", "windows": [("09:00", "17:00")]}
        ],
    )
    assert hours.next_close(datetime(2026, 11, 15, tzinfo=UTC), horizon=timedelta.max) == (
        datetime(2026, 11, 30, 23, tzinfo=UTC)
    )
    assert hours.next_close(datetime(2026, 12, 3, tzinfo=UTC), horizon=timedelta.max) is None
    assert len(days_walked) < 60


@pytest.mark.parametrize(
    ("rule", "last"),
    [
        ("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25;UNTIL=20201231", date(2020, 12, 31)),
        ("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25;COUNT=3", date(2002, 12, 25)),
        ("DTSTART:20200101\nRRULE:FREQ=YEARLY;UNTIL=20221231\nRDATE:20250101", date(2025, 1, 1)),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", date.min),
        (
            "DTSTART:20200101\nRRULE:FREQ=WEEKLY;INTERVAL=3;BYDAY=MO;BYMONTHDAY=31;BYMONTH=2,4",
            date.min,
        ),
        ("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25", None),
        ("DTSTART:20200101\nRRULE:FREQ=DAILY;INTERVAL=7;BYMONTH=2;BYMONTHDAY=29", None),
        ("FREQ=YEARLY;BYEASTER=1", None),
    ],
)  # fmt: skip
def test_a_rule_says_after_which_date_it_names_none(rule: str, last: date | None) -> None:
    assert last_possible_date(rule) == last


RULE_POOL = (
    "DTSTART:20250101\nRRULE:FREQ=MONTHLY;BYMONTHDAY=13;BYDAY=FR;COUNT=4",
    "DTSTART:20240101\nRRULE:FREQ=WEEKLY;INTERVAL=5;BYDAY=TU;UNTIL=20280630",
    "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24,25,26;UNTIL=20291231",
    "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\nRDATE:20290317",
    "FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=4",  # for ever
)
WINDOWS = ([], [("09:00", "17:00")], [("22:00", "06:00")], [("00:00", "24:00")])


@given(
    week=covering_weeks(),
    zone=st.sampled_from(ZONES),
    recurring_holiday=st.none() | st.sampled_from(RULE_POOL),
    recurring_exception=st.none() | st.tuples(st.sampled_from(RULE_POOL), st.sampled_from(WINDOWS)),
    start=st.datetimes(datetime(2023, 6, 1), datetime(2032, 6, 1)),
    # Days and seconds apart: drawn in seconds, most spans were too short to jump.
    days=st.integers(0, 4 * 366),
    seconds=st.integers(0, 24 * 3600 - 1),
    data=st.data(),
)
def test_stretches_and_ended_rules_answer_what_the_day_by_day_walk_answers(
    week: tuple[dict[str, list[tuple[str, str]]], bool],
    zone: str,
    recurring_holiday: str | None,
    recurring_exception: tuple[str, list[tuple[str, str]]] | None,
    start: datetime,
    days: int,
    seconds: int,
    data: st.DataObject,
) -> None:
    """Holidays and exceptions spread over the days searched (and a few either side),
    recurring rules that end within them, never fire, or go on for ever."""
    weekly, dropped = week
    length = days * 24 * 3600 + seconds
    offsets = st.integers(-3, days + 3).map(lambda n: start.date() + timedelta(days=n))
    holidays = data.draw(st.lists(offsets, max_size=8), label="holidays")
    exceptions = data.draw(
        st.dictionaries(offsets, st.sampled_from(WINDOWS), max_size=6), label="exceptions"
    )
    schedule = {
        "timezone": zone,
        "weekly": weekly,
        "holidays": holidays,
        "exceptions": {day: w for day, w in exceptions.items() if day not in holidays},
        "recurring_holidays": [] if recurring_holiday is None else [recurring_holiday],
        "recurring_exceptions": []
        if recurring_exception is None
        else [{"rule": recurring_exception[0], "windows": recurring_exception[1]}],
    }
    fast = OfficeHours.model_validate(schedule)
    walked = OfficeHours.model_validate(schedule)
    walked._compiled().jumps = False
    since = start.replace(tzinfo=UTC)
    if not dropped:
        assert fast._compiled().era_of(start.date()).covering
    until = since + timedelta(seconds=length)
    assert list(fast.open_periods(since, until)) == list(walked.open_periods(since, until))
    assert fast.business_time_between(since, until) == walked.business_time_between(since, until)
    horizon = timedelta(seconds=max(length, 1))
    for search in ("next_open", "next_close"):
        assert getattr(fast, search)(since, horizon=horizon) == getattr(walked, search)(
            since, horizon=horizon
        )
    for duration in (timedelta(seconds=length // 2), timedelta(seconds=length)):
        assert fast.add_business_time(since, duration, horizon=horizon) == (
            walked.add_business_time(since, duration, horizon=horizon)
        )
