"""A search that jumps asks each recurring rule for its next date once per stretch, not
once per day it visits.

A rule whose next date lies far ahead (``FREQ=YEARLY;INTERVAL=7000`` from 2000: next in
9000) was searched to that date again from every day the walk stopped at: in an empty
week with a weekly exception, ``add_business_time`` over 80 Mondays with
``horizon=timedelta.max`` looked at 560,000 years of the rule (2.3 s; 4 ms before the
jumps), and ``open_periods`` over a 24/7 week with weekly holidays to the year 3000
took 27 s (5 s before the jumps, 4 s now)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing import _recurrence
from helpdesk_routing.calendar import OfficeHours
from tests.test_s33_calendar_open_for_good import DAYS

RARE = "DTSTART:20000101\nRRULE:FREQ=YEARLY;INTERVAL=7000"  # 2000, 9000
MONDAYS = "FREQ=WEEKLY;BYDAY=MO"
NINE_TO_FIVE = [("09:00", "17:00")]
START = datetime(2026, 3, 27, 17, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def years_looked_at(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The years whose dates ``next_occurrence`` looks up."""
    looked: list[int] = []
    original = _recurrence._sorted_year

    def counting(text: str, year: int) -> tuple[object, ...]:
        looked.append(year)
        return original(text, year)

    monkeypatch.setattr(_recurrence, "_sorted_year", counting)
    return looked


def test_an_empty_week_asks_a_rare_rule_for_its_next_date_once(
    years_looked_at: list[int],
) -> None:
    hours = OfficeHours(
        timezone="UTC",
        recurring_exceptions=[
            {"rule": RARE, "windows": NINE_TO_FIVE},
            {"rule": MONDAYS, "windows": NINE_TO_FIVE},
        ],
    )
    due = hours.add_business_time(START, timedelta(hours=8 * 80), horizon=timedelta.max)
    assert due == utc(2027, 10, 4, 17)
    assert len(years_looked_at) < 2 * 7000  # 560,000 before


def test_a_covering_week_asks_a_rare_rule_for_its_next_date_once(
    years_looked_at: list[int],
) -> None:
    hours = OfficeHours(
        timezone="UTC",
        weekly={day: [("00:00", "24:00")] for day in DAYS},
        recurring_holidays=[RARE, MONDAYS],
    )
    periods = list(hours.open_periods(START, utc(2100, 1, 1)))
    assert len(periods) == 3850
    assert periods[1] == (utc(2026, 3, 31), utc(2026, 4, 6))
    assert hours.next_open(utc(2035, 12, 31, 12), horizon=timedelta.max) == utc(2036, 1, 1)
    assert len(years_looked_at) < 20_000  # over 300,000 before


def test_searches_from_earlier_days_ask_only_the_years_not_yet_searched(
    years_looked_at: list[int],
) -> None:
    """Every search finds the exception in 2300 and then asks whether the rule opens
    again before the end of the calendar (it does in 9000, after the first search's
    horizon): the first search looks through those 7,000 years, the others only through
    the years before where the first began."""
    hours = OfficeHours(
        timezone="UTC",
        recurring_exceptions=[{"rule": RARE, "windows": NINE_TO_FIVE}],
        exceptions={date(2300, 1, 1): NINE_TO_FIVE},
    )
    opens = utc(2300, 1, 1, 9)
    assert hours.next_open(START, horizon=timedelta.max) == opens
    assert len(years_looked_at) > 6000
    years_looked_at.clear()
    for since in (START, utc(2100, 1, 1), utc(2020, 1, 1), START):
        assert hours.next_open(since, horizon=timedelta.max) == opens
    assert len(years_looked_at) < 20  # 6,900 a search before


@settings(max_examples=300)
@given(
    rule=st.sampled_from(
        (
            MONDAYS,
            RARE,
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            "DTSTART:20260401\nRRULE:FREQ=WEEKLY;INTERVAL=3;BYDAY=SA;COUNT=20",
            "FREQ=YEARLY;BYEASTER=-2\nEXDATE:20270326",
        )
    ),
    questions=st.lists(
        st.tuples(
            st.dates(date(2020, 1, 1), date(2040, 1, 1)),
            st.integers(0, 3000),
        ),
        min_size=1,
        max_size=12,
    ),
)
def test_a_rules_next_date_is_what_a_fresh_search_finds(
    rule: str, questions: list[tuple[date, int]]
) -> None:
    """Whatever the order of the questions (later days, earlier days, shorter or longer
    spans), the kept answers give what ``next_occurrence`` finds afresh."""
    hours = OfficeHours(
        timezone="UTC",
        weekly={day: [("00:00", "24:00")] for day in DAYS},
        recurring_holidays=[rule],
    )
    era = hours._compiled().era_of(date(2030, 1, 1))
    assert era.rules == (rule,)
    for first, days in questions:
        last = first + timedelta(days=days)
        assert era.next_irregular(first, last) == _recurrence.next_occurrence(rule, first, last)
