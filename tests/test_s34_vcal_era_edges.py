"""Searches that start, end or look no further than where a daily recurring rule begins
or ends (an era's edge), at local midnight or a minute either side, answer what the
day-by-day walk answers, with rules of every kind the jumps look through (BYSETPOS,
BYWEEKNO, BYYEARDAY, BYEASTER, the 31st, 29 February, RDATE and EXDATE) and zones whose
clocks change at midnight or by 30 minutes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.calendar import OfficeHours, wall_time_to_utc
from tests.test_s33_calendar_open_for_good import DAYS, ZONES, covering_weeks

WINDOWS = (
    [],
    [("09:00", "17:00")],
    [("22:00", "06:00")],
    [("00:00", "24:00")],
    [("10:00", "10:00")],
    [("23:00", "00:30")],
    [("00:00", "00:30"), ("23:30", "24:00")],
    [("23:59", "23:59")],
    [("00:00", "00:00")],
)
OTHER_RULES = (
    "FREQ=WEEKLY;BYDAY=MO,FR",
    "FREQ=DAILY;INTERVAL=2",
    "FREQ=MONTHLY;BYMONTHDAY=-1",
    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    "FREQ=MONTHLY;BYMONTHDAY=31",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
    "FREQ=YEARLY;BYWEEKNO=1,20;BYDAY=MO",
    "FREQ=YEARLY;BYYEARDAY=1,100,-1",
    "FREQ=YEARLY;BYEASTER=-2",
    "FREQ=DAILY\nEXDATE:20260329",
    "FREQ=WEEKLY;BYDAY=SU\nRDATE:20260401,20261231",
)
weeks = st.one_of(
    st.just({}),
    covering_weeks().map(lambda week: week[0]),
    st.just({day: [("09:00", "17:00")] for day in DAYS[:5]}),
    st.just({day: [("22:00", "06:00")] for day in DAYS}),
)


@st.composite
def daily_rules(draw: st.DrawFn, around: date) -> str:
    """Mostly a rule that names every day from a DTSTART near ``around`` (to a COUNT, an
    UNTIL with or without a time of day, or for ever); else another kind."""
    if draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(OTHER_RULES))
    first = around + timedelta(days=draw(st.integers(-5, 30)))
    time_of_day = draw(st.sampled_from(("", "T000000", "T120000")))
    body = "FREQ=DAILY"
    end = draw(st.sampled_from(("", "count", "until")))
    if end == "count":
        body += f";COUNT={draw(st.integers(1, 30))}"
    elif end == "until":
        until = first + timedelta(days=draw(st.integers(-1, 30)))
        body += f";UNTIL={until:%Y%m%d}" + draw(st.sampled_from(("", "T000000", "T120000")))
    return f"DTSTART:{first:%Y%m%d}{time_of_day}\nRRULE:{body}"


@given(
    weekly=weeks,
    zone=st.sampled_from(ZONES),
    around=st.dates(date(2025, 1, 1), date(2027, 12, 31)),
    minutes=st.sampled_from((0, 0, -1, 1, 30, 60, 120, 23 * 60 + 59)),
    days=st.integers(0, 60),
    seconds=st.integers(0, 24 * 3600 - 1),
    data=st.data(),
)
def test_searches_at_era_edges_answer_what_the_walk_answers(
    weekly: dict[str, list[tuple[str, str]]],
    zone: str,
    around: date,
    minutes: int,
    days: int,
    seconds: int,
    data: st.DataObject,
) -> None:
    offsets = st.integers(-3, days + 35).map(lambda n: around + timedelta(days=n))
    holidays = data.draw(st.lists(offsets, max_size=3), label="holidays")
    exceptions = data.draw(
        st.dictionaries(offsets, st.sampled_from(WINDOWS), max_size=3), label="exceptions"
    )
    schedule = {
        "timezone": zone,
        "weekly": weekly,
        "holidays": holidays,
        "exceptions": {day: w for day, w in exceptions.items() if day not in holidays},
        "recurring_holidays": data.draw(st.lists(daily_rules(around), max_size=2)),
        "recurring_exceptions": [
            {"rule": rule, "windows": windows}
            for rule, windows in data.draw(
                st.lists(st.tuples(daily_rules(around), st.sampled_from(WINDOWS)), max_size=3)
            )
        ],
    }
    fast = OfficeHours.model_validate(schedule)
    walked = OfficeHours.model_validate(schedule)
    walked._compiled().jumps = False
    edges = [era.first for era in fast._compiled()._cut()[0][1:]]
    day = around
    if edges and data.draw(st.booleans(), label="from an edge"):
        day = data.draw(st.sampled_from(edges)) + timedelta(days=data.draw(st.integers(-2, 1)))
    since = wall_time_to_utc(datetime.combine(day, time()) + timedelta(minutes=minutes), zone)
    until = since + timedelta(days=days, seconds=seconds)
    if edges and data.draw(st.booleans(), label="to an edge"):
        edge = data.draw(st.sampled_from(edges)) + timedelta(days=data.draw(st.integers(-1, 1)))
        until = max(until, wall_time_to_utc(datetime.combine(edge, time()), zone))
    assert list(fast.open_periods(since, until)) == list(walked.open_periods(since, until))
    assert fast.business_time_between(since, until) == walked.business_time_between(since, until)
    horizon = max(until - since, timedelta(seconds=1))
    for search in ("next_open", "next_close"):
        for reach in (horizon, 3 * horizon):
            assert getattr(fast, search)(since, horizon=reach) == getattr(walked, search)(
                since, horizon=reach
            )
    for share in (3, 2, 1):
        duration = timedelta(seconds=int(horizon.total_seconds()) // share)
        assert fast.add_business_time(since, duration, horizon=2 * horizon) == (
            walked.add_business_time(since, duration, horizon=2 * horizon)
        )
    for at in (since, until - timedelta(seconds=1)):
        assert fast.is_open(at) == walked.is_open(at)
