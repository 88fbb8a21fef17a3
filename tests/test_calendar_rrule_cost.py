"""What a recurring rule costs: text refused by its reading is refused before any expansion,
and an accepted rule costs a bounded walk when checked and about a year per year asked,
whatever its COUNT, and whether or not (or however rarely) it names a date."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from dateutil.rrule import rrulestr
from pydantic_core import PydanticCustomError

from helpdesk_routing import _recurrence
from helpdesk_routing._recurrence import DEFAULT_START, _parse, _parts_of, _year, check_rule
from helpdesk_routing._stored import STORED
from helpdesk_routing.calendar import OfficeHours
from helpdesk_routing.errors import RoutingError

A_YEAR = 3 * 366 + 14
"""The most days (periods of a daily rule) one year's expansion may walk: the year, the
periods reaching into it from before, and one past it."""
A_CYCLE = 146097 + 2 * A_YEAR
"""The most a COUNT may cost when checked: one walk of the calendar's 400 years of days
(or of a daily rule's 400 x INTERVAL years, one day in INTERVAL), from DTSTART's year."""


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    """Each rule read, split and expanded anew (the module remembers them by text)."""
    for cached in (_parse, _parts_of, _year):
        cached.cache_clear()
    yield
    for cached in (_parse, _parts_of, _year):
        cached.cache_clear()


HOSTILE = [
    "FREQ=SECONDLY",
    "FREQ=MINUTELY",
    "FREQ=MINUTELY;COUNT=1000000000",
    "FREQ=HOURLY;INTERVAL=1",
    "RRULE:FREQ=DAILY\nEXRULE:FREQ=SECONDLY",
    "DTSTART:20260101\nRRULE:FREQ=SECONDLY;COUNT=1000000000",
    "freq=secondly",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_rule_finer_than_days_is_refused_before_any_expansion(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FREQ=SECONDLY (in an RRULE or an EXRULE) is refused from its text: it was expanded
    for a year first, for minutes, and ended in a raw MemoryError."""

    def no_expansion(*args: object) -> None:
        raise AssertionError("expanded before the frequency was checked")

    monkeypatch.setattr(_recurrence, "_year", no_expansion)
    for stored in (False, True):
        with pytest.raises(PydanticCustomError, match="repeats DAILY, WEEKLY, MONTHLY or YEARLY"):
            check_rule(text, stored=stored)
    with pytest.raises(RoutingError, match=r"recurring_holidays\[0\]: a recurring date repeats"):
        OfficeHours(timezone="UTC", weekly={}, recurring_holidays=[text])


@pytest.mark.parametrize(
    "text",
    [
        "DTSTART:20260102T000000Z\nRRULE:FREQ=SECONDLY",
        "FREQ=SECONDLY;BYMONTH=13",
        "FREQ=SECONDLY;BYHOUR=9",
        "DTSTART;TZID=Europe/Paris:20260102T000000\nRRULE:FREQ=SECONDLY",
        "FREQ=SECONDLY;;COUNT=5",
        "EXRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",  # an EXRULE alone
    ],
)
def test_every_refusal_read_from_the_text_comes_before_any_expansion(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A zone, a part out of range, a time part, a TZID, a broken part, an EXRULE alone:
    refused unexpanded."""

    def no_expansion(*args: object) -> None:
        raise AssertionError("expanded before the text was checked")

    monkeypatch.setattr(_recurrence, "_year", no_expansion)
    with pytest.raises(PydanticCustomError):
        check_rule(text)


NEVER = [
    "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31",
    "FREQ=WEEKLY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=MONTHLY;BYMONTH=6;BYMONTHDAY=31",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=YEARLY;BYMONTH=2;BYDAY=5MO;BYMONTHDAY=1",
    "FREQ=DAILY;BYMONTH=1;BYSETPOS=2",
    "FREQ=DAILY;INTERVAL=7;BYDAY=TU",  # 2000-01-01 is a Saturday: every 7th day is one
    "FREQ=DAILY;BYEASTER=0;BYDAY=MO",  # Easter is a Sunday
    "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;UNTIL=90001231",
    "DTSTART:00010101\nRRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
]


@pytest.mark.parametrize("text", NEVER)
def test_a_rule_that_never_fires_costs_a_year_per_year(
    text: str, periods_walked: list[int]
) -> None:
    """A rule that names no date (30 February) walked dateutil to year 9999 for every year
    asked: 8 s to build, 3 s for each new year. It walks a year now."""
    check_rule(text)
    assert periods_walked[0] <= 2 * A_YEAR
    for year in (2030, 2500, 9998):
        periods_walked[0] = 0
        assert _year(text, year) == frozenset()
        assert periods_walked[0] <= A_YEAR


def test_office_hours_with_a_rule_that_never_fires_answer_at_once(
    periods_walked: list[int],
) -> None:
    """The repro: building office hours, then asking about a new year, walked to 9999."""
    hours = OfficeHours(
        timezone="UTC",
        weekly={"sun": [("09:00", "17:00")]},
        recurring_holidays=["FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"],
    )
    periods_walked[0] = 0
    assert hours.is_open(datetime(2030, 3, 3, 10, tzinfo=UTC))
    assert periods_walked[0] <= A_YEAR


@pytest.mark.parametrize(
    "text",
    [
        "FREQ=DAILY;COUNT=1000000000",
        "DTSTART:00010101\nRRULE:FREQ=DAILY;COUNT=1000000000",
        "FREQ=DAILY;COUNT=2922000",  # one more than the days from 2000 to 9999
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;COUNT=999999999",
        "RRULE:FREQ=DAILY\nEXRULE:FREQ=DAILY;BYDAY=SU;COUNT=1000000000",
        "FREQ=YEARLY;BYEASTER=1;COUNT=1000000000",
    ],
)
def test_a_count_beyond_every_date_is_dropped_unwalked(
    text: str, periods_walked: list[int]
) -> None:
    """COUNT=1000000000 walked every date to 9999 (5 s): no rule of dates names that many,
    so the count never ends it."""
    check_rule(text)
    assert periods_walked[0] <= 2 * A_YEAR
    periods_walked[0] = 0
    assert _year(text, 9000) == _year(re.sub(r";COUNT=[0-9]+", "", text), 9000)
    assert periods_walked[0] <= 4 * A_YEAR


@pytest.mark.parametrize(
    "text",
    [
        # Each counts past the dates of its first 400-year cycle (or 800, 1200: INTERVAL).
        "FREQ=YEARLY;COUNT=1000;BYMONTH=5;BYDAY=1MO",
        "FREQ=YEARLY;INTERVAL=3;COUNT=200;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=YEARLY;COUNT=300;BYWEEKNO=53;BYDAY=MO",
        "FREQ=YEARLY;COUNT=130;BYYEARDAY=366",
        "FREQ=MONTHLY;COUNT=1000;BYDAY=FR;BYMONTHDAY=13",
        "FREQ=MONTHLY;COUNT=900;BYMONTHDAY=29,30,31;BYSETPOS=3",
        "DTSTART:20000301\nRRULE:FREQ=WEEKLY;INTERVAL=3;COUNT=40;BYMONTH=2;BYMONTHDAY=29",
        "DTSTART:20000103\nRRULE:FREQ=DAILY;INTERVAL=2;COUNT=120;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=DAILY;COUNT=30;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",
        "DTSTART:19990505\nRRULE:FREQ=MONTHLY;COUNT=700;BYMONTH=2;BYMONTHDAY=-1;BYDAY=TH",
        # ... and past the calendar's end: no last date before 9999.
        "DTSTART:90000101\nRRULE:FREQ=YEARLY;COUNT=300;BYWEEKNO=53;BYDAY=MO",
    ],
)
def test_a_count_past_its_first_cycle_ends_on_dateutils_last_date(
    text: str, periods_walked: list[int]
) -> None:
    """A COUNT is placed by the dates of one cycle of the rule (they repeat every 400
    years, or a multiple for its INTERVAL): the last date is the one dateutil's walk
    from DTSTART ends on, and the check walks a cycle at most."""
    check_rule(text)
    assert periods_walked[0] <= A_CYCLE + 2 * A_YEAR
    (rule,) = _parts_of(text).rrules
    dates = list(rrulestr(text, dtstart=DEFAULT_START, forceset=True, ignoretz=True))
    counted_out = len(dates) == int(re.findall(r"COUNT=([0-9]+)", text)[0])
    assert vars(rule)["_until"] == (dates[-1] if counted_out else None)
    for year in {dates[-1].year, dates[-1].year + 1, dates[len(dates) // 2].year} - {10000}:
        assert _year(text, year) == {d.date() for d in dates if d.year == year}


@pytest.mark.parametrize(
    "text",
    [
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=5",
        "FREQ=DAILY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=30;COUNT=5",
        "FREQ=WEEKLY;BYMONTH=2;BYMONTHDAY=30;COUNT=5",
        "FREQ=DAILY;COUNT=2900000",
        "FREQ=DAILY;BYMONTH=1;BYSETPOS=2;COUNT=3",
    ],
)
def test_a_count_costs_at_most_one_cycle(text: str, periods_walked: list[int]) -> None:
    """A COUNT that names no date, or is reached only near 9999, is walked for one cycle
    (seconds, to 9999, before)."""
    check_rule(text)
    assert periods_walked[0] <= A_CYCLE + 2 * A_YEAR
    periods_walked[0] = 0
    _year(text, 9990)
    assert periods_walked[0] <= A_YEAR


EASTER_COUNTS = [
    "FREQ=YEARLY;BYEASTER=0;BYDAY=MO;COUNT=5",
    "FREQ=DAILY;BYEASTER=0;BYDAY=MO;COUNT=5",
    "FREQ=DAILY;BYEASTER=0;COUNT=7000",
    "RRULE:FREQ=DAILY\nEXRULE:FREQ=MONTHLY;BYEASTER=0;BYMONTHDAY=22;COUNT=3",
]


@pytest.mark.parametrize("text", EASTER_COUNTS)
def test_a_byeaster_count_not_reached_within_a_century_is_refused(
    text: str, periods_walked: list[int]
) -> None:
    """Easter does not repeat with the calendar: such a COUNT was walked to its end or to
    9999 (4 s for a daily rule). It is refused after a century's walk; UNTIL says it."""
    with pytest.raises(PydanticCustomError, match="BYEASTER rule's COUNT must be reached"):
        check_rule(text)
    assert periods_walked[0] <= 101 * 366 + 2 * A_YEAR


def test_a_byeaster_count_reached_soon_is_accepted() -> None:
    """Easter Monday five times: the dates of dateutil's walk."""
    text = "FREQ=YEARLY;BYEASTER=1;COUNT=5"
    assert check_rule(text) == text
    assert _year(text, 2004) == {date(2004, 4, 12)}
    assert _year(text, 2005) == frozenset()


def test_a_stored_byeaster_count_reads_back_as_it_acted() -> None:
    """A store's row written before the refusal reads back, with the dates it named."""
    text = "RRULE:FREQ=DAILY\nEXRULE:FREQ=YEARLY;BYEASTER=0;BYMONTHDAY=22;COUNT=3"
    assert check_rule(text, stored=True) == text
    hours = OfficeHours.model_validate(
        {"timezone": "UTC", "weekly": {}, "recurring_holidays": [text]}, context=STORED
    )
    assert hours.recurring_holidays == (text,)
    # Easter on the 22nd: 22 April 2057, 2068, 2114; 2125 is past the count.
    removed = {date(2057, 4, 22), date(2068, 4, 22), date(2114, 4, 22)}
    for year in (2057, 2114, 2125, 2285):
        named = {day for day in _year(text, year) if day.day == 22 and day.month in (3, 4)}
        assert named == {date(year, 3, 22), date(year, 4, 22)} - removed
