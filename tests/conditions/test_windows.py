"""Event conditions: every count test and every window boundary, at the exact instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.conditions import EventCondition, event, implies, parse_condition, profile
from helpdesk_routing.conditions.nodes import InLastWindow, TimeUnit, max_amount
from helpdesk_routing.errors import ValidationError
from helpdesk_routing.model import Event
from tests.conditions.helpers import NOW, context, holds

US = timedelta(microseconds=1)
T0 = NOW - timedelta(days=1)
T1 = NOW - timedelta(hours=1)


def _order(at: datetime, **properties: object) -> Event:
    return Event(profile_id="p1", metric="Placed Order", timestamp=at, properties=properties)


def _holds_with_one_event_at(condition: EventCondition, at: datetime) -> bool:
    return holds(condition, context(events=[_order(at)]))


BOUNDARIES = [
    # (window, event instant, counted?)
    ("all_time at now", event("Placed Order").all_time(), NOW, True),
    ("all_time after now", event("Placed Order").all_time(), NOW + US, False),
    ("all_time long ago", event("Placed Order").all_time(), NOW - timedelta(days=9999), True),
    (
        "in_last start included",
        event("Placed Order").in_last(hours=2),
        NOW - timedelta(hours=2),
        True,
    ),
    (
        "in_last before start",
        event("Placed Order").in_last(hours=2),
        NOW - timedelta(hours=2) - US,
        False,
    ),
    ("in_last at now", event("Placed Order").in_last(hours=2), NOW, True),
    ("in_last after now", event("Placed Order").in_last(hours=2), NOW + US, False),
    ("in_last minutes", event("Placed Order").in_last(minutes=5), NOW - timedelta(minutes=5), True),
    ("in_last days", event("Placed Order").in_last(days=7), NOW - timedelta(days=7) - US, False),
    ("in_last weeks", event("Placed Order").in_last(weeks=1), NOW - timedelta(days=7), True),
    ("since start included", event("Placed Order").since(T0), T0, True),
    ("since before start", event("Placed Order").since(T0), T0 - US, False),
    ("since at now", event("Placed Order").since(T0), NOW, True),
    ("since after now", event("Placed Order").since(T0), NOW + US, False),
    ("after start excluded", event("Placed Order").after(T0), T0, False),
    ("after just after start", event("Placed Order").after(T0), T0 + US, True),
    ("after at now", event("Placed Order").after(T0), NOW, True),
    ("after after now", event("Placed Order").after(T0), NOW + US, False),
    ("before end excluded", event("Placed Order").before(T1), T1, False),
    ("before just before end", event("Placed Order").before(T1), T1 - US, True),
    (
        "before end in future clipped to now",
        event("Placed Order").before(NOW + timedelta(days=1)),
        NOW + US,
        False,
    ),
    (
        "before end in future counts now",
        event("Placed Order").before(NOW + timedelta(days=1)),
        NOW,
        True,
    ),
    ("between start included", event("Placed Order").between(T0, T1), T0, True),
    ("between before start", event("Placed Order").between(T0, T1), T0 - US, False),
    ("between end included", event("Placed Order").between(T0, T1), T1, True),
    ("between after end", event("Placed Order").between(T0, T1), T1 + US, False),
    (
        "between clipped to now",
        event("Placed Order").between(T0, NOW + timedelta(days=1)),
        NOW + US,
        False,
    ),
    ("between end at now", event("Placed Order").between(T0, NOW), NOW, True),
]


@pytest.mark.parametrize(
    ("condition", "at", "counted"), [b[1:] for b in BOUNDARIES], ids=[b[0] for b in BOUNDARIES]
)
def test_window_boundary(condition: EventCondition, at: datetime, counted: bool) -> None:
    """Each window counts an event exactly on its documented boundaries."""
    assert _holds_with_one_event_at(condition, at) is counted


def test_a_window_entirely_in_the_future_counts_nothing() -> None:
    """since(a moment after now) holds for no event, and zero() holds."""
    later = NOW + timedelta(hours=1)
    ctx = context(events=[_order(later), _order(NOW)])
    assert not holds(event("Placed Order").since(later), ctx)
    assert holds(event("Placed Order").since(later).zero(), ctx)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (event("Placed Order"), True),
        (event("Placed Order").at_least(3), True),
        (event("Placed Order").at_least(4), False),
        (event("Placed Order").at_most(3), True),
        (event("Placed Order").at_most(2), False),
        (event("Placed Order").exactly(3), True),
        (event("Placed Order").exactly(2), False),
        (event("Placed Order").zero(), False),
        (event("Placed Order").at_least(0), True),
        (event("Refunded").zero(), True),
        (event("Refunded").at_most(0), True),
        (event("Refunded"), False),
    ],
)
def test_count_tests(condition: EventCondition, expected: bool) -> None:
    """at_least, at_most, exactly and zero on three events (and none of another metric)."""
    ctx = context(events=[_order(T0), _order(T1), _order(NOW)])
    assert holds(condition, ctx) is expected


def test_has_not_done_holds_without_a_profile() -> None:
    """A ticket without profile has no events: zero() holds, at_least(1) does not."""
    ctx = context(no_profile=True)
    assert holds(event("Placed Order").zero(), ctx)
    assert not holds(event("Placed Order"), ctx)


def test_where_filters_on_the_events_own_properties() -> None:
    """where(value__gt=100) counts only the events whose value is above 100."""
    ctx = context(events=[_order(T1, value=120), _order(T1, value=80), _order(T1)])
    assert holds(event("Placed Order").where(value__gt=100).exactly(1), ctx)
    assert holds(event("Placed Order").where("value", "<=", 100).exactly(1), ctx)
    assert holds(event("Placed Order").where(value__is_set=False).exactly(1), ctx)
    assert holds(event("Placed Order").where(value__ne=80).exactly(2), ctx)


def test_urgent_order_mod_recipe() -> None:
    """The recipe: Placed Order at least once in the last 2 hours."""
    recipe = event("Placed Order").at_least(1).in_last(hours=2)
    assert holds(recipe, context(events=[_order(NOW - timedelta(minutes=30))]))
    assert not holds(recipe, context(events=[_order(NOW - timedelta(hours=3))]))


def test_where_can_read_now_through_in_last() -> None:
    """A filter with in_last is evaluated against the context's now."""
    ctx = context(events=[_order(T1, shipped=NOW - timedelta(hours=1))])
    assert holds(
        event("Placed Order").where("shipped", "in_last", {"amount": 2, "unit": "hours"}), ctx
    )
    later = context(
        events=[_order(T1, shipped=NOW - timedelta(hours=1))], now=NOW + timedelta(hours=5)
    )
    assert not holds(
        event("Placed Order").where("shipped", "in_last", {"amount": 2, "unit": "hours"}), later
    )


# -- calendar months (dateutil.relativedelta) ---------------------------------------------

MAY_31 = datetime(2026, 5, 31, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "months", "start"),
    [
        (MAY_31, 3, datetime(2026, 2, 28, 12, 0, tzinfo=UTC)),  # 31 May - 3 months: 28 Feb
        (MAY_31.replace(year=2028), 3, datetime(2028, 2, 29, 12, 0, tzinfo=UTC)),  # leap year
        (MAY_31, 1, datetime(2026, 4, 30, 12, 0, tzinfo=UTC)),  # April has 30 days
        (datetime(2026, 3, 15, 0, 0, tzinfo=UTC), 12, datetime(2025, 3, 15, 0, 0, tzinfo=UTC)),
    ],
)
def test_in_last_months_starts_on_the_same_day_or_the_month_end(
    now: datetime, months: int, start: datetime
) -> None:
    """in_last(months=n) starts n calendar months back, on the same day and time, or on the
    last day of a shorter month (31 May - 3 months = 28/29 February); start included."""
    condition = event("Placed Order").in_last(months=months)
    assert holds(condition, context(events=[_order(start)], now=now))
    assert not holds(condition, context(events=[_order(start - US)], now=now))
    assert holds(condition, context(events=[_order(now)], now=now))


def test_profile_in_next_months_ends_on_the_month_end() -> None:
    """profile in_next(months=1) from 31 January reaches 28 February, included."""
    now = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)
    condition = profile("renewal").in_next(months=1)
    end = datetime(2026, 2, 28, 9, 0, tzinfo=UTC)
    assert holds(condition, context(properties={"renewal": end}, now=now))
    assert not holds(condition, context(properties={"renewal": end + US}, now=now))


def test_profile_in_last_months_reaching_before_year_1_holds_for_every_earlier_date() -> None:
    """A months window that reaches before year 1 is unbounded on that side (clamped)."""
    now = datetime(1, 2, 1, tzinfo=UTC)
    condition = profile("d").in_last(months=5)
    assert holds(condition, context(properties={"d": datetime(1, 1, 1, tzinfo=UTC)}, now=now))
    assert holds(
        event("Placed Order").in_last(months=max_amount(TimeUnit.MONTHS)),
        context(events=[_order(datetime(1, 1, 1, tzinfo=UTC))], now=now),
    )


def test_months_windows_round_trip_through_json() -> None:
    """The unit "months" is part of the condition JSON and round-trips."""
    condition = event("Placed Order").in_last(months=3)
    assert condition.model_dump(mode="json")["window"] == {
        "type": "in_last",
        "amount": 3,
        "unit": "months",
    }
    assert parse_condition(condition.model_dump_json()) == condition


def test_months_window_lengths_bound_every_month() -> None:
    """A months window is between 28 and 31 days a month long, whatever now is."""
    window = InLastWindow(amount=3, unit="months")
    for now in (MAY_31, datetime(2026, 3, 1, tzinfo=UTC), datetime(2028, 3, 31, tzinfo=UTC)):
        start = window.start_at(now)
        assert start is not None
        assert window.shortest() <= now - start <= window.longest()


def test_too_many_months_are_refused() -> None:
    """More months than years 1 to 9999 hold is a ValidationError."""
    with pytest.raises(ValidationError, match="longer than years 1 to 9999"):
        event("Placed Order").in_last(months=max_amount(TimeUnit.MONTHS) + 1)


_units = st.sampled_from(list(TimeUnit))
_nows = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.just(UTC)
)


@given(
    inner=st.builds(InLastWindow, amount=st.integers(1, 400), unit=_units),
    outer=st.builds(InLastWindow, amount=st.integers(1, 400), unit=_units),
    nows=st.lists(_nows, min_size=1, max_size=5),
)
def test_implies_between_month_and_fixed_windows_is_sound(
    inner: InLastWindow, outer: InLastWindow, nows: list[datetime]
) -> None:
    """When implies says an in_last window lies within another (months or fixed units,
    mixed), it does at every now: the outer window starts no later."""
    a = EventCondition(metric="m", window=inner)
    b = EventCondition(metric="m", window=outer)
    if implies(a, b):
        for now in nows:
            start_inner, start_outer = inner.start_at(now), outer.start_at(now)
            assert start_inner is not None
            assert start_outer is not None
            assert start_outer <= start_inner


def test_implies_with_months_examples() -> None:
    """27 days lie within a month, 30 days do not (February); a month lies within 31 days."""
    month = event("Placed Order").in_last(months=1)
    assert implies(event("Placed Order").in_last(days=28), month)
    assert not implies(event("Placed Order").in_last(days=29), month)
    assert implies(month, event("Placed Order").in_last(days=31))
    assert not implies(month, event("Placed Order").in_last(days=30))
    assert implies(month, event("Placed Order").in_last(months=2))
