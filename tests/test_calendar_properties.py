"""Office hours: properties over random schedules and instants near real DST transitions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import assume, given
from hypothesis import strategies as st

from helpdesk_routing.calendar import OfficeHours, wall_time_to_utc
from tests.strategies import (
    aware_instants,
    display_zones,
    instants_near_transitions,
    office_hours,
    zone_keys,
)

SECOND = timedelta(seconds=1)


def utc(instant: datetime) -> datetime:
    """The instant in UTC: arithmetic on a datetime in a ZoneInfo zone is wall-clock arithmetic."""
    return instant.astimezone(UTC)


# Short horizons keep each example fast; the searches behave the same at any horizon.
HORIZON = timedelta(days=20)


@st.composite
def schedule_and_instants(draw: st.DrawFn, count: int = 1) -> tuple[OfficeHours, list[datetime]]:
    """A schedule and instants near the transitions of the schedule's own zone."""
    key = draw(zone_keys())
    hours = draw(office_hours(key))
    return hours, [draw(aware_instants(key)) for _ in range(count)]


durations = st.integers(0, 4 * 24 * 3600).map(lambda s: timedelta(seconds=s))


@given(zone_keys().flatmap(lambda k: st.tuples(st.just(k), instants_near_transitions(k))))
def test_wall_time_to_utc_is_the_first_instant_reading_at_least_it(
    case: tuple[str, datetime],
) -> None:
    """The instant of a wall time reads at least it, and a second earlier reads less."""
    key, instant = case
    zone = ZoneInfo(key)
    wall = instant.astimezone(zone).replace(tzinfo=None, fold=0)
    for candidate in (wall, wall.replace(second=0), wall + timedelta(minutes=30)):
        result = wall_time_to_utc(candidate, zone)

        def reading(moment: datetime, zone: tzinfo = zone) -> datetime:
            return moment.astimezone(zone).replace(tzinfo=None)

        assert reading(result) >= candidate
        # First: the clock read less at every earlier instant of the last three hours
        # (transitions are months apart, so a repeated reading's second occurrence fails).
        for back in (1, 59, 900, 1800, 2700, 3600, 7200, 10800):
            assert reading(result - back * SECOND) < candidate


@given(zone_keys().flatmap(lambda k: st.tuples(st.just(k), instants_near_transitions(k))))
def test_wall_time_to_utc_in_a_dateutil_zone_is_the_same_instant(
    case: tuple[str, datetime],
) -> None:
    """A ``tzinfo`` that gives a skipped reading one offset whatever its fold (dateutil's
    zones) answers as the zone's IANA key does: it gave an instant a skipped hour early,
    at which the clock read less than the reading asked for."""
    from dateutil import tz

    key, instant = case
    zone = tz.gettz(key)
    assume(zone is not None)
    wall = instant.astimezone(ZoneInfo(key)).replace(tzinfo=None, fold=0)
    for minutes in (-90, -30, 0, 30, 90):
        candidate = wall + timedelta(minutes=minutes)
        # dateutil reads the zone's own file, which may lack the newest tzdata changes:
        # compared where both agree on the offsets around the reading (a skipped
        # reading's own offset is what they disagree on)
        around = [candidate - timedelta(hours=3), candidate + timedelta(hours=3)]
        assume(
            all(
                at.replace(tzinfo=zone).utcoffset() == at.replace(tzinfo=ZoneInfo(key)).utcoffset()
                for at in around
            )
        )
        assert wall_time_to_utc(candidate, zone) == wall_time_to_utc(candidate, key)


@given(schedule_and_instants(), durations)
def test_business_time_is_between_zero_and_elapsed(
    case: tuple[OfficeHours, list[datetime]], span: timedelta
) -> None:
    """0 <= bt(a, a + d) <= d."""
    hours, (a,) = case
    assert timedelta(0) <= hours.business_time_between(a, utc(a) + span) <= span


@given(schedule_and_instants(count=3))
def test_business_time_is_additive_and_antisymmetric(
    case: tuple[OfficeHours, list[datetime]],
) -> None:
    """bt(a, c) == bt(a, b) + bt(b, c) for any order, and bt(b, a) == -bt(a, b)."""
    hours, (a, b, c) = case
    bt = hours.business_time_between
    assert bt(a, c) == bt(a, b) + bt(b, c)
    assert bt(b, a) == -bt(a, b)


@given(schedule_and_instants(), display_zones(), durations)
def test_answers_do_not_depend_on_the_zone_of_the_instant(
    case: tuple[OfficeHours, list[datetime]], zone: tzinfo, span: timedelta
) -> None:
    """The same instant presented in another zone gives the same answers."""
    hours, (t,) = case
    other = t.astimezone(zone)
    assert hours.is_open(other) == hours.is_open(t)
    assert hours.next_open(other, horizon=HORIZON) == hours.next_open(t, horizon=HORIZON)
    assert hours.next_close(other, horizon=HORIZON) == hours.next_close(t, horizon=HORIZON)
    assert hours.business_time_between(other, utc(t) + span) == hours.business_time_between(
        t, (utc(t) + span).astimezone(zone)
    )
    assert hours.add_business_time(other, span, horizon=HORIZON) == hours.add_business_time(
        t, span, horizon=HORIZON
    )


@given(schedule_and_instants())
def test_next_open_is_open_with_no_business_time_before_it(
    case: tuple[OfficeHours, list[datetime]],
) -> None:
    """next_open(t) >= t, is open, and no business time lies between t and it."""
    hours, (t,) = case
    opening = hours.next_open(t, horizon=HORIZON)
    if opening is None:
        assert hours.business_time_between(t, utc(t) + HORIZON) == timedelta(0)
        return
    assert opening >= utc(t)
    assert opening.tzinfo is UTC
    assert hours.is_open(opening)
    assert hours.business_time_between(t, opening) == timedelta(0)


@given(schedule_and_instants())
def test_next_close_is_closed_with_all_time_before_it_open(
    case: tuple[OfficeHours, list[datetime]],
) -> None:
    """next_close(t) >= t, is closed, and all the time from t to it is business time."""
    hours, (t,) = case
    closing = hours.next_close(t, horizon=HORIZON)
    if closing is None:
        assert hours.business_time_between(t, utc(t) + HORIZON) == HORIZON
        return
    assert closing >= utc(t)
    assert closing.tzinfo is UTC
    assert not hours.is_open(closing)
    assert hours.business_time_between(t, closing) == closing - utc(t)


@given(schedule_and_instants(), durations)
def test_add_business_time_adds_exactly_that_much(
    case: tuple[OfficeHours, list[datetime]], span: timedelta
) -> None:
    """bt(t, add_business_time(t, d)) == d, at the earliest such instant; None past the horizon."""
    hours, (t,) = case
    due = hours.add_business_time(t, span, horizon=HORIZON)
    if due is None:
        assert hours.business_time_between(t, utc(t) + HORIZON) < span
        return
    assert hours.business_time_between(t, due) == span
    if span:
        assert hours.business_time_between(t, due - SECOND) < span


@given(schedule_and_instants(), durations)
def test_add_business_time_reaches_the_business_time_to_any_instant(
    case: tuple[OfficeHours, list[datetime]], span: timedelta
) -> None:
    """add_business_time(t, bt(t, u)) <= u: the earliest instant, even when u ends a period."""
    hours, (t,) = case
    later = utc(t) + span
    worked = hours.business_time_between(t, later)
    due = hours.add_business_time(t, worked, horizon=HORIZON)
    assert due is not None
    assert due <= later
    assert hours.business_time_between(t, due) == worked


@given(schedule_and_instants(count=2), st.data())
def test_a_holiday_never_adds_time(
    case: tuple[OfficeHours, list[datetime]], data: st.DataObject
) -> None:
    """Adding a holiday never increases business time."""
    hours, (a, b) = case
    zone = hours.zone
    near = sorted({(a.astimezone(zone) + timedelta(days=k)).date() for k in range(-2, 3)})
    free: list[date] = [d for d in near if d not in hours.exceptions]
    assume(free)
    extra = data.draw(st.sampled_from(free))
    closed = hours.model_copy(update={"holidays": [*hours.holidays, extra]})
    a, b = min(utc(a), utc(b)), max(utc(a), utc(b))
    assert closed.business_time_between(a, b) <= hours.business_time_between(a, b)


@given(zone_keys().flatmap(lambda k: st.tuples(st.just(k), aware_instants(k), aware_instants(k))))
def test_24_7_business_time_is_elapsed_time(case: tuple[str, datetime, datetime]) -> None:
    """Around the clock, business time is real elapsed time, whatever the zone does."""
    key, a, b = case
    hours = OfficeHours.always_open(key)
    assert hours.business_time_between(a, b) == utc(b) - utc(a)
    assert hours.is_open(a)


@given(schedule_and_instants())
def test_open_iff_the_next_second_is_business_time(
    case: tuple[OfficeHours, list[datetime]],
) -> None:
    """is_open(t) iff bt(t, t + 1 s) == 1 s (bounds fall on whole seconds)."""
    hours, (t,) = case
    assert hours.is_open(t) == (hours.business_time_between(t, utc(t) + SECOND) == SECOND)


@given(schedule_and_instants(count=2))
def test_open_periods_are_ordered_disjoint_and_sum_to_business_time(
    case: tuple[OfficeHours, list[datetime]],
) -> None:
    """open_periods are within the range, ordered, apart, and add up to business time."""
    hours, (a, b) = case
    a, b = min(utc(a), utc(b)), max(utc(a), utc(b))
    periods = list(hours.open_periods(a, b))
    assert sum((end - start for start, end in periods), timedelta(0)) == (
        hours.business_time_between(a, b)
    )
    for start, end in periods:
        assert a <= start < end <= b
        assert hours.is_open(start)
    for (_, end), (start, _) in pairwise(periods):
        assert end < start
        assert not hours.is_open(end)


@st.composite
def _schedule_and_bounds(draw: st.DrawFn) -> tuple[OfficeHours, datetime, datetime]:
    """A schedule and two ordered UTC instants, each often moved onto an opening or a closing
    of the schedule (where an empty period would come from)."""
    key = draw(zone_keys())
    hours = draw(office_hours(key))
    a, b = sorted(draw(aware_instants(key)).astimezone(UTC) for _ in range(2))
    horizon = timedelta(days=20)

    def moved(instant: datetime) -> datetime:
        choice = draw(st.sampled_from(["as is", "next open", "next close"]))
        if choice == "next open":
            found = hours.next_open(instant, horizon=horizon)
        elif choice == "next close":
            found = hours.next_close(instant, horizon=horizon)
        else:
            found = instant
        return instant if found is None else found

    a, b = sorted((moved(a), moved(b)))
    return hours, a, b


@given(_schedule_and_bounds())
def test_open_periods_keep_their_laws_when_the_range_ends_on_an_opening_or_a_closing(
    case: tuple[OfficeHours, datetime, datetime],
) -> None:
    """With start and end often on an opening or a closing: each (opens, closes) has
    start <= opens < closes <= end (no empty period), periods are apart (one closes before
    the next opens), and together they are business_time_between(start, end)."""
    hours, start, end = case
    periods = list(hours.open_periods(start, end))
    for opens, closes in periods:
        assert start <= opens < closes <= end
    for (_, closes), (opens, _) in pairwise(periods):
        assert closes < opens
    total = sum((closes - opens for opens, closes in periods), timedelta(0))
    assert total == hours.business_time_between(start, end)


def test_a_period_opening_exactly_at_the_end_is_not_an_empty_period() -> None:
    """open_periods(start, end) with a window opening at ``end`` gives nothing for it (an
    empty (end, end) period came out when the cut compared with >, not >=)."""
    hours = OfficeHours(timezone="UTC", weekly={"mon": [("09:00", "17:00")]})
    monday_nine = datetime(2026, 3, 30, 9, tzinfo=UTC)
    assert list(hours.open_periods(monday_nine - timedelta(hours=1), monday_nine)) == []
    assert list(
        hours.open_periods(datetime(2026, 3, 27, 9, tzinfo=UTC), monday_nine + timedelta(hours=1))
    ) == [(monday_nine, monday_nine + timedelta(hours=1))]
