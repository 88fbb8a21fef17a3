"""``MonthsLength``, the length of an ``in_last`` window of calendar months: compared with
a fixed length or another months length, it answers only what holds at every ``now``
(what the lint's "window within window" proof relies on), and no more cautiously than
31 and 28 days a month."""

from __future__ import annotations

import operator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.conditions._windows import InLastWindow, MonthsLength

MONTHS = st.integers(1, 40)
NOWS = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 12, 31), timezones=st.just(UTC)
)
FIXED = st.timedeltas(min_value=timedelta(days=1), max_value=timedelta(days=1300))


@st.composite
def months_and_near(draw: st.DrawFn) -> tuple[int, timedelta]:
    """A number of months and a fixed length near theirs: between 28 and 31 days a
    month (give or take two days), where the answers differ."""
    months = draw(MONTHS)
    seconds = draw(st.integers(-2 * 86_400, (3 * months + 2) * 86_400))
    return months, timedelta(days=28 * months, seconds=seconds)


SIZES = st.one_of(months_and_near(), st.tuples(MONTHS, FIXED))


def actual(months: int, now: datetime) -> timedelta:
    """The window's length at ``now``: from its first instant to ``now``."""
    start = InLastWindow(amount=months, unit="months").start_at(now)
    assert start is not None
    return now - start


@given(SIZES, st.lists(NOWS, min_size=1, max_size=20))
def test_comparisons_with_a_fixed_length_hold_at_every_now(
    sizes: tuple[int, timedelta], nows: list[datetime]
) -> None:
    months, fixed = sizes
    length = MonthsLength.of(months)
    lengths = [actual(months, now) for now in nows]
    # both orders: Python asks the subclass on the right first (__ge__ for fixed <= length)
    if length <= fixed:
        assert all(a <= fixed for a in lengths)
    if length < fixed:
        assert all(a < fixed for a in lengths)
    if fixed <= length:
        assert all(fixed <= a for a in lengths)
    if fixed < length:
        assert all(fixed < a for a in lengths)
    if length >= fixed:
        assert all(a >= fixed for a in lengths)
    if length > fixed:
        assert all(a > fixed for a in lengths)


@given(SIZES)
def test_they_are_no_more_cautious_than_31_and_28_days_a_month(
    sizes: tuple[int, timedelta],
) -> None:
    """Every month has 28 to 31 days: a fixed length of at least 31 days a month is
    known to be as long, one of at most 28 days a month known to be as short."""
    months, fixed = sizes
    length = MonthsLength.of(months)
    assert (length <= fixed) == (timedelta(days=31 * months) <= fixed)
    assert (length < fixed) == (timedelta(days=31 * months) < fixed)
    assert (length >= fixed) == (timedelta(days=28 * months) >= fixed)
    assert (length > fixed) == (timedelta(days=28 * months) > fixed)


@given(MONTHS, MONTHS, st.lists(NOWS, min_size=1, max_size=20))
def test_two_months_lengths_compare_by_their_months(a: int, b: int, nows: list[datetime]) -> None:
    """Months against months: the one of fewer months is the shorter window at every
    ``now`` (both end there and start further back), and equal ones are equal."""
    la, lb = MonthsLength.of(a), MonthsLength.of(b)
    assert (la <= lb, la < lb, la >= lb, la > lb) == (a <= b, a < b, a >= b, a > b)
    assert (la == lb) == (a == b)
    if la <= lb:
        assert all(actual(a, now) <= actual(b, now) for now in nows)
    if a == b:
        assert hash(la) == hash(lb)


def test_a_months_length_equals_no_fixed_length_and_refuses_other_kinds() -> None:
    """No fixed length is equal at every ``now`` (``!=`` agrees with ``==``: timedelta's
    own ``!=`` said a 3-months length was not unequal to 93 days); other kinds are not
    comparable."""
    three = MonthsLength.of(3)
    assert three != timedelta(days=93)
    assert three != timedelta(days=90)
    assert three.shortest() == timedelta(days=84)
    for other in (3, "3 months", None):
        assert three != other
        for compare in (operator.lt, operator.le, operator.gt, operator.ge):
            with pytest.raises(TypeError):
                compare(three, other)
