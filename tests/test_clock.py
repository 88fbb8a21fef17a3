"""The clocks: SystemClock and ManualClock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction

import pytest

from helpdesk_routing.clock import ManualClock, SystemClock
from helpdesk_routing.errors import ArgumentTypeError, NaiveDatetimeError, ValidationError

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)


def test_system_clock_is_aware_utc() -> None:
    """SystemClock.now() is timezone-aware, in UTC."""
    assert SystemClock().now().utcoffset() == timedelta(0)


def test_system_clock_does_not_go_backwards() -> None:
    """Two successive reads never go back."""
    clock = SystemClock()
    first = clock.now()
    assert clock.now() >= first


def test_manual_clock_stands_still() -> None:
    """ManualClock returns the same instant until moved."""
    clock = ManualClock(T0)
    assert clock.now() == T0
    assert clock.now() == T0


def test_manual_clock_converts_to_utc() -> None:
    """A start in another zone is kept as the same instant in UTC."""
    clock = ManualClock(datetime(2026, 3, 30, 11, tzinfo=timezone(timedelta(hours=2))))
    assert clock.now() == T0
    assert clock.now().tzinfo is UTC


def test_manual_clock_advance_by_delta_and_units() -> None:
    """advance adds a timedelta and the keyword amounts, and returns the new time."""
    clock = ManualClock(T0)
    assert clock.advance(timedelta(hours=1), minutes=30) == T0 + timedelta(hours=1, minutes=30)
    assert clock.advance(days=1) == T0 + timedelta(days=1, hours=1, minutes=30)


def test_manual_clock_set_moves_anywhere() -> None:
    """set moves the clock, backwards too."""
    clock = ManualClock(T0)
    assert clock.set(T0 - timedelta(days=3)) == T0 - timedelta(days=3)
    assert clock.now() == T0 - timedelta(days=3)


def test_manual_clock_refuses_to_advance_backwards() -> None:
    """A negative advance raises ValidationError and leaves the clock alone."""
    clock = ManualClock(T0)
    with pytest.raises(ValidationError) as info:
        clock.advance(hours=-1)
    assert str(info.value) == "cannot advance by a negative amount (-1 day, 23:00:00)"
    assert clock.now() == T0


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"hours": float("nan")}, ValidationError, "hours must be a finite number, got nan"),
        ({"days": float("inf")}, ValidationError, "days must be a finite number, got inf"),
        (
            {"days": 10**10},
            ValidationError,
            "cannot advance by days=10000000000: longer than a timedelta can be",
        ),
        (
            {"days": 3_000_000},
            ValidationError,
            "cannot advance past the end of the calendar (year 9999) by 3000000 days, 0:00:00",
        ),
        ({"hours": "1"}, ArgumentTypeError, "hours must be a number, got str"),
        ({"minutes": True}, ArgumentTypeError, "minutes must be a number, got bool"),
        ({"delta": 60}, ArgumentTypeError, "delta must be a timedelta, got int"),
    ],
)
def test_manual_clock_refuses_an_advance_it_cannot_make(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    """Amounts that are not finite numbers, or steps past the calendar, are the library's
    errors naming the amount; the clock stays where it was."""
    clock = ManualClock(T0)
    with pytest.raises(error) as info:
        clock.advance(**kwargs)  # type: ignore[arg-type]
    assert str(info.value) == message
    assert clock.now() == T0


def test_manual_clock_advances_by_any_real_number() -> None:
    """A numpy number or a ``Fraction`` is a number of seconds as an int or a float is;
    an int too large for a timedelta is refused by name (``OverflowError`` leaked)."""
    import numpy as np  # the test extra holds it: missing, this fails, never skips

    clock = ManualClock(T0)
    assert clock.advance(seconds=np.int64(2)) == T0 + timedelta(seconds=2)
    assert clock.advance(seconds=np.float64(1.5)) == T0 + timedelta(seconds=3.5)
    assert clock.advance(seconds=Fraction(1, 2)) == T0 + timedelta(seconds=4)
    for amount in (10**400, Fraction(10**400, 3)):
        with pytest.raises(ValidationError, match=r"^cannot advance by seconds=.*longer than"):
            clock.advance(seconds=amount)
    with pytest.raises(ArgumentTypeError, match=r"^seconds must be a number, got Decimal$"):
        clock.advance(seconds=Decimal(1))
    assert clock.now() == T0 + timedelta(seconds=4)


def test_manual_clock_rejects_naive_datetimes() -> None:
    """Naive start or set raise NaiveDatetimeError naming the argument."""
    with pytest.raises(NaiveDatetimeError) as info:
        ManualClock(datetime(2026, 3, 30, 9))
    assert str(info.value) == "start must be timezone-aware, got a naive datetime"
    clock = ManualClock(T0)
    with pytest.raises(NaiveDatetimeError) as info:
        clock.set(datetime(2026, 3, 30, 9))
    assert str(info.value) == "at must be timezone-aware, got a naive datetime"
    assert clock.now() == T0
