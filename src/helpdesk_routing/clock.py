"""Clocks: the system clock, and a manual one for tests, notebooks and simulations.

Both satisfy :class:`helpdesk_routing.ports.Clock`. The Router reads ``now()`` once
per operation; nothing in the core reads a clock.
"""

from __future__ import annotations

import math
import numbers
from datetime import UTC, datetime, timedelta

from helpdesk_routing._time import require_aware
from helpdesk_routing.errors import ArgumentTypeError, ValidationError

__all__ = ["ManualClock", "SystemClock"]


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "<SystemClock: the real time, UTC>"


class ManualClock:
    """A clock that only moves when told to: ``set`` it, or ``advance`` it.

    >>> clock = ManualClock(datetime(2026, 3, 30, 9, tzinfo=UTC))
    >>> clock.advance(minutes=5).isoformat()
    '2026-03-30T09:05:00+00:00'
    """

    def __init__(self, start: datetime) -> None:
        self._now = require_aware(start, "start")

    def now(self) -> datetime:
        """The instant the clock was last set or advanced to, in UTC."""
        return self._now

    def __repr__(self) -> str:
        return f"<ManualClock {self._now.isoformat()}>"

    def set(self, at: datetime) -> datetime:
        """Move the clock to ``at`` (backwards too: on purpose only); returns the new time."""
        self._now = require_aware(at, "at")
        return self._now

    def advance(
        self,
        delta: timedelta | None = None,
        *,
        days: float = 0,
        hours: float = 0,
        minutes: float = 0,
        seconds: float = 0,
    ) -> datetime:
        """Move the clock forward by ``delta`` and/or the given amounts; returns the new time.

        A negative total raises :class:`~helpdesk_routing.errors.ValidationError`:
        going back is ``set``'s job; so do an amount that is not finite and a step past
        year 9999. An amount that is not a number (``"1"``, ``True``) or a ``delta``
        that is not a ``timedelta`` is an :class:`~helpdesk_routing.errors.ArgumentTypeError`.
        """
        if delta is not None and not isinstance(delta, timedelta):
            raise ArgumentTypeError(f"delta must be a timedelta, got {type(delta).__name__}")
        amounts = {"days": days, "hours": hours, "minutes": minutes, "seconds": seconds}
        for name, amount in amounts.items():
            if isinstance(amount, bool) or not isinstance(amount, numbers.Real):
                raise ArgumentTypeError(f"{name} must be a number, got {type(amount).__name__}")
            # a numpy number or a Fraction as the int or float it is (an int is finite)
            if isinstance(amount, numbers.Integral):
                amounts[name] = int(amount)
                continue
            try:
                amounts[name] = amount = float(amount)
            except OverflowError:  # a Fraction past the floats
                raise ValidationError(
                    f"cannot advance by {name}={amount!r}: longer than a timedelta can be"
                ) from None
            if not math.isfinite(amount):
                raise ValidationError(f"{name} must be a finite number, got {amount!r}")
        try:
            step = (delta or timedelta()) + timedelta(**amounts)
        except OverflowError:
            given = ", ".join(f"{k}={v!r}" for k, v in amounts.items() if v)
            raise ValidationError(
                f"cannot advance by {given}: longer than a timedelta can be"
            ) from None
        if step < timedelta():
            raise ValidationError(f"cannot advance by a negative amount ({step})")
        try:
            self._now += step
        except OverflowError:
            raise ValidationError(
                f"cannot advance past the end of the calendar (year 9999) by {step}"
            ) from None
        return self._now
