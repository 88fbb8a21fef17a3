"""Recurring rules: one year's dates are those of dateutil's full expansion from DTSTART,
and expanding a year costs about one year's work, however far it is from DTSTART."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from dateutil.rrule import rrulestr
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic_core import PydanticCustomError

from helpdesk_routing._recurrence import DEFAULT_START, _year, check_rule
from helpdesk_routing.calendar import OfficeHours

FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# How many years past DTSTART the reference (dateutil walking from DTSTART) is asked about:
# a daily rule costs the reference a day's work per day walked.
REACH = {"YEARLY": 2000, "MONTHLY": 400, "WEEKLY": 100, "DAILY": 40}


def _dateutil_year(text: str, year: int) -> frozenset[date]:
    """The reference: dateutil's own expansion, walking from the rule's true DTSTART."""
    whole = rrulestr(text, dtstart=DEFAULT_START, forceset=True, ignoretz=True)
    start, end = datetime(year, 1, 1), datetime(year, 12, 31, 23, 59, 59)
    found = set()
    moments = iter(whole)
    while True:
        try:
            moment = next(moments)
        except StopIteration:
            break
        except ValueError:  # year 10000 is out of range: the calendar, and the rule, end
            break
        if moment > end:
            break
        if moment >= start:
            found.add(moment.date())
    return frozenset(found)


def _numbers(low: int, high: int, *, negative: bool) -> st.SearchStrategy[str]:
    values = st.integers(low, high)
    if negative:
        values = st.one_of(values, st.integers(-high, -low))
    return st.lists(values, min_size=1, max_size=3, unique=True).map(
        lambda v: ",".join(map(str, v))
    )


@st.composite
def _dates(draw: st.DrawFn, low: int, high: int) -> str:
    day = draw(st.dates(date(low, 1, 1), date(high, 12, 31)))
    text = day.strftime("%Y%m%d").zfill(8)
    if draw(st.booleans()):
        text += draw(st.sampled_from(["T000000", "T090000", "T235959"]))
    return text


@st.composite
def _rule(draw: st.DrawFn, frequency: str) -> str:
    """One RRULE (or EXRULE) value of ``frequency`` with random BY parts."""
    parts = [f"FREQ={frequency}"]
    if draw(st.booleans()):
        parts.append(f"INTERVAL={draw(st.integers(1, 5))}")
    in_month = frequency == "MONTHLY"
    if draw(st.booleans()):
        parts.append(f"BYMONTH={draw(_numbers(1, 12, negative=False))}")
        in_month = in_month or frequency == "YEARLY"
    if draw(st.booleans()):
        # A daily or weekly rule that never fires walks dateutil to year 9999 (the reference
        # and the library alike): its days exist in every month.
        most = 28 if frequency in ("DAILY", "WEEKLY") else 31
        parts.append(f"BYMONTHDAY={draw(_numbers(1, most, negative=True))}")
    weekno = False
    if frequency == "YEARLY" and draw(st.integers(0, 4)) == 0:
        parts.append(f"BYYEARDAY={draw(_numbers(1, 366, negative=True))}")
    if frequency == "YEARLY" and draw(st.integers(0, 4)) == 0:
        parts.append(f"BYWEEKNO={draw(_numbers(1, 53, negative=True))}")
        weekno = True
    if frequency == "YEARLY" and draw(st.integers(0, 6)) == 0:
        parts.append(f"BYEASTER={draw(st.integers(-80, 250))}")
    if draw(st.booleans()):
        days = draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True))
        if frequency in ("MONTHLY", "YEARLY") and not weekno and draw(st.booleans()):
            most = 5 if in_month else 53
            days = [f"{draw(st.sampled_from([1, 2, -1, -2, most, -most]))}{d}" for d in days]
        parts.append(f"BYDAY={','.join(days)}")
    if frequency in ("MONTHLY", "YEARLY") and len(parts) > 1 and draw(st.integers(0, 3)) == 0:
        parts.append(f"BYSETPOS={draw(_numbers(1, 5, negative=True))}")
    if draw(st.integers(0, 3)) == 0:
        parts.append(f"WKST={draw(st.sampled_from(DAYS))}")
    ending = draw(st.sampled_from(["none", "none", "count", "count", "until"]))
    if ending == "count":
        parts.append(f"COUNT={draw(_counts(frequency, rare=False))}")
    elif ending == "until":
        parts.append(f"UNTIL={draw(_dates(1, 9999))}")
    return ";".join(draw(st.permutations(parts)))


def _counts(frequency: str, *, rare: bool) -> st.SearchStrategy[int]:
    """A COUNT: small, beyond every date the rule can name, or (yearly and monthly rules,
    whose reference walk is cheap) beyond the dates of its first 400-year cycle."""
    small = st.integers(1, 12 if rare else 60)
    if frequency in ("YEARLY", "MONTHLY"):
        small = st.one_of(small, st.integers(61, 150 if rare else 900))
    return st.one_of(small, st.just(10**9))


# Rules that name a date only every few years, or once in decades (29 February on a
# Monday), or in months and weeks that few periods have: each fires somewhere in every
# 400 years, so dateutil's reference walk stops after the year asked about.
RARE = (
    "BYMONTH=2;BYMONTHDAY=29",
    "BYMONTHDAY=31",
    "BYMONTH=2,4,6;BYMONTHDAY=31,29",
    "BYMONTHDAY=13;BYDAY=FR",
    "BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",
    "BYWEEKNO=53",
    "BYWEEKNO=53;BYDAY=SU",
    "BYYEARDAY=366",
    "BYMONTHDAY=-1;BYMONTH=2;BYDAY=TH",
)
RARE_SETPOS = (
    "BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    "BYMONTHDAY=29,30,31;BYSETPOS=3",
    "BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=2",
    "BYDAY=FR;BYMONTHDAY=13,14,15;BYSETPOS=-1",
)
REACH_RARE = {"YEARLY": 4000, "MONTHLY": 1200, "WEEKLY": 400, "DAILY": 200}


@st.composite
def _rare_rule(draw: st.DrawFn, frequency: str) -> str:
    """An RRULE value of ``frequency`` that names a date rarely (:data:`RARE`), sometimes
    with an INTERVAL, a COUNT (beyond its first cycle, or beyond every date) or UNTIL."""
    shapes = RARE + (RARE_SETPOS if frequency in ("MONTHLY", "YEARLY") else ())
    parts = [f"FREQ={frequency}", draw(st.sampled_from(shapes))]
    if frequency == "MONTHLY" and "BYWEEKNO" in parts[1]:
        parts[1] = "BYMONTH=2;BYMONTHDAY=29"
    if draw(st.booleans()):
        parts.append(f"INTERVAL={draw(st.integers(2, 5))}")
    ending = draw(st.sampled_from(["none", "count", "count", "until"]))
    if ending == "count":
        parts.append(f"COUNT={draw(_counts(frequency, rare=True))}")
    elif ending == "until":
        parts.append(f"UNTIL={draw(_dates(1, 9999))}")
    return ";".join(draw(st.permutations(parts)))


@st.composite
def rare_rules_and_years(draw: st.DrawFn) -> tuple[str, int]:
    """A rarely firing rule (:func:`_rare_rule`), DTSTART given or not, and a year near or
    far (centuries, for yearly and monthly rules millennia) from its start."""
    frequency = draw(st.sampled_from(FREQUENCIES))
    lines = []
    start = DEFAULT_START.year
    if draw(st.booleans()):
        start = draw(st.sampled_from([1, 3, 1999, 2024, 2026, 9000, 9998]))
        lines.append(f"DTSTART:{draw(_dates(start, start))}")
    lines.append(f"RRULE:{draw(_rare_rule(frequency))}")
    if draw(st.integers(0, 4)) == 0:
        lines.append(f"EXRULE:{draw(_rare_rule(draw(st.sampled_from(FREQUENCIES[:2]))))}")
    year = draw(st.integers(max(start - 2, 1), min(start + REACH_RARE[frequency], 9998)))
    return "\n".join(lines), year


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@given(rare_rules_and_years())
def test_a_year_of_a_rare_rule_is_dateutils_full_expansion(case: tuple[str, int]) -> None:
    """Rules that name a date once in years or decades (29 February, the 31st, BYSETPOS,
    BYWEEKNO 53), with COUNTs past their first 400-year cycle or past every date, UNTIL,
    and years far from DTSTART: the dates of dateutil's walk from DTSTART."""
    text, year = case
    try:
        check_rule(text)
    except PydanticCustomError:
        assume(False)
    assert _year(text, year) == _dateutil_year(text, year)


@st.composite
def rules_and_years(draw: st.DrawFn) -> tuple[str, int]:
    """A rule text (DTSTART given or not, sometimes an EXRULE, RDATE or EXDATE) and a year
    near or far from its start."""
    frequency = draw(st.sampled_from(FREQUENCIES))
    reach = REACH[frequency]
    lines = []
    start = DEFAULT_START.year
    if draw(st.booleans()):
        start = draw(st.sampled_from([1, 2, 1999, 2024, 2026, 9000, 9998]))
        lines.append(f"DTSTART:{draw(_dates(start, start))}")
    lines.append(f"RRULE:{draw(_rule(frequency))}")
    if draw(st.integers(0, 4)) == 0:
        lines.append(f"EXRULE:{draw(_rule(draw(st.sampled_from(FREQUENCIES[:3]))))}")
    if draw(st.integers(0, 4)) == 0:
        lines.append(f"RDATE:{draw(_dates(max(start - 1, 1), min(start + 3, 9999)))}")
    if draw(st.integers(0, 4)) == 0:
        lines.append(f"EXDATE:{draw(_dates(start, min(start + 3, 9999)))}")
    # 9999: dateutil's own walk fails there (tested by name below).
    year = draw(st.integers(max(start - 2, 1), min(start + reach, 9998)))
    return "\n".join(lines), year


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@given(rules_and_years())
def test_a_year_of_a_rule_is_dateutils_full_expansion(case: tuple[str, int]) -> None:
    """The dates found for a year, starting each rule near the year, are those dateutil finds
    walking from the rule's DTSTART (INTERVAL and COUNT counted from there; BYSETPOS,
    BYWEEKNO, BYYEARDAY, ordinals, WKST, EXRULE, RDATE and EXDATE as dateutil reads them)."""
    text, year = case
    try:
        check_rule(text)
    except PydanticCustomError:
        assume(False)
    assert _year(text, year) == _dateutil_year(text, year)


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("DTSTART:20260102\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", 2027),
        ("DTSTART:20241230\nRRULE:FREQ=WEEKLY;INTERVAL=3;WKST=SU;BYDAY=MO,SU", 2031),
        ("DTSTART:19991231\nRRULE:FREQ=DAILY;INTERVAL=5", 2100),
        ("DTSTART:20000131\nRRULE:FREQ=MONTHLY;INTERVAL=5", 2041),  # a derived BYMONTHDAY
        ("DTSTART:20000229\nRRULE:FREQ=YEARLY;INTERVAL=3", 2096),  # a derived 29 February
        ("FREQ=YEARLY;INTERVAL=4;BYWEEKNO=1,-1;BYDAY=MO,SU", 2400),
        ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", 2350),
        ("FREQ=YEARLY;COUNT=30;BYMONTH=2;BYMONTHDAY=29", 2116),
        ("FREQ=YEARLY;COUNT=30;BYMONTH=2;BYMONTHDAY=29", 2117),
        ("DTSTART:00010101\nRRULE:FREQ=WEEKLY;INTERVAL=4;BYDAY=TH", 9999),
        ("DTSTART:00010101\nRRULE:FREQ=YEARLY;INTERVAL=7;BYMONTH=12;BYDAY=-1FR", 9998),
    ],
)
def test_named_years_of_rules_are_dateutils_full_expansion(text: str, year: int) -> None:
    """Aligned intervals, derived parts, WKST, a leap day under COUNT, the ends of the
    calendar: the same dates as dateutil's walk from DTSTART."""
    check_rule(text)
    assert _year(text, year) == _dateutil_year(text, year)


@pytest.mark.parametrize(
    "text",
    [
        "FREQ=DAILY;INTERVAL=3",
        "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TU,WE,TH,FR",
        "FREQ=MONTHLY;BYDAY=1MO",
        "DTSTART:00010101\nRRULE:FREQ=DAILY",
        "FREQ=YEARLY;COUNT=9000;BYMONTH=5;BYDAY=1MO",
        "RRULE:FREQ=DAILY\nEXRULE:FREQ=WEEKLY;BYDAY=SA,SU",
    ],
)
def test_expanding_year_9999_walks_about_one_year(text: str, periods_walked: list[int]) -> None:
    """Year 9999 of a rule starting in 2000 (or in year 1) visits at most a year's days and
    a week (it walked every period from DTSTART: about a million for a daily rule). A
    COUNT's one walk to its last date is made once per rule, before."""
    check_rule(text)  # expands 2026, and walks a COUNT to its end
    periods_walked[0] = 0
    _year.__wrapped__(text, 9999)
    assert periods_walked[0] <= 2 * (366 + 7)


@pytest.mark.parametrize(
    "text",
    [
        "FREQ=WEEKLY;BYDAY=SA,SU",
        "RRULE:FREQ=DAILY;BYDAY=SA,SU,MO\nEXRULE:FREQ=WEEKLY;BYDAY=MO",
        "DTSTART:99990101\nRRULE:FREQ=WEEKLY;BYDAY=SA,SU",
    ],
)
def test_the_last_weekend_of_9999_is_found(text: str) -> None:
    """A weekly rule in 9999 gives its weekends up to 26 December (dateutil raised "year
    10000 is out of range" walking the week that crosses the end of the calendar)."""
    weekends = {
        date(9999, 1, 1) + timedelta(days=n)
        for n in range(365)
        if (date(9999, 1, 1) + timedelta(days=n)).weekday() >= 5
    }
    assert _year(text, 9999) == weekends
    hours = OfficeHours(
        timezone="UTC", weekly={"sat": [("09:00", "17:00")]}, recurring_holidays=[text]
    )
    assert not hours.is_open(datetime(9999, 12, 18, 10, tzinfo=UTC))


def test_a_rule_dateutil_cannot_expand_in_its_first_year_is_refused() -> None:
    """BYWEEKNO from year 1 (weeks from Tuesday) needs year 0: the rule is refused when
    built (its first year is expanded then), not when a router asks about year 1."""
    with pytest.raises(PydanticCustomError, match="year 0 is out of range"):
        check_rule("DTSTART:00010101\nRRULE:FREQ=YEARLY;BYWEEKNO=1;WKST=TU")


def test_is_open_far_from_a_rule_start_answers_as_near_it() -> None:
    """A daily-every-third-day holiday closes the same days in 9999 as dateutil says."""
    weekly = {d: [("00:00", "24:00")] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    rule = "FREQ=DAILY;INTERVAL=3"
    hours = OfficeHours(timezone="UTC", weekly=weekly, recurring_holidays=[rule])
    closed = _dateutil_year(rule, 9999)
    for day in (date(9999, 6, 1), date(9999, 6, 2), date(9999, 6, 3)):
        at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        assert hours.is_open(at) == (day not in closed)
