"""The bounds a scenario's numbers and span keep, so that every run it allows ends.

A run is finite when its tickets are (``days`` or ``tickets`` end them), each ticket's
work is (durations are bounded), its span is (it ends within the calendar a run may
reach) and so is its record of the backlog (at most :data:`MAX_SAMPLES` samples). Every
number is finite: JSON has no ``NaN`` or ``Infinity``, and Python callers are held to
the same. ``docs/simulation.md`` states them for users.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = [
    "FIRST_INSTANT",
    "LAST_INSTANT",
    "MAX_MINUTES",
    "MAX_RATE",
    "MAX_SAMPLES",
    "MAX_SIGMA",
    "MAX_SPAN_DAYS",
    "MAX_WEIGHT",
    "MAX_WITHIN_HOURS",
]

MAX_MINUTES = 525_600.0
"""The longest duration (a mean, an observed duration, a sampling step, the TTFR
target), in minutes: a year of 365 days."""

MAX_SIGMA = 5.0
"""The largest ``sigma`` of a log-normal duration (one of 5 already spreads a mean's
draws over a factor of ten billion either way)."""

MAX_WITHIN_HOURS = 87_600.0
"""The longest window before a ticket in which its customer events are drawn: ten years
of 365 days."""

MAX_RATE = 1_000_000.0
"""The largest arrival rate, tickets per hour."""

MAX_WEIGHT = 1_000_000_000.0
"""The largest weight of a channel or profile in a mix (weights are relative)."""

MAX_SAMPLES = 1_000_000
"""The most samples of backlog and load a run keeps (one every ``sample_minutes``)."""

MAX_SPAN_DAYS = 36_525.0
"""The longest run, start to end (the arrivals' span and the drain), in days: a hundred
years. A run's times are seconds from its start as floats, which hold each instant to the
microsecond up to 2**32 seconds (136 years): further on, an instant was a microsecond off
(a replayed ticket's ``created`` was not its ``created_at``), and past 292 years
``to_pandas`` overflowed its nanosecond offsets."""

FIRST_INSTANT = datetime(1678, 1, 1, tzinfo=UTC)
"""The earliest start: ``SimulationResult.to_pandas`` gives ``datetime64[ns, UTC]``
columns, which reach back to 1677-09-21."""

LAST_INSTANT = datetime(2262, 1, 1, tzinfo=UTC)
"""The last instant a run may reach: ``datetime64[ns, UTC]`` ends on 2262-04-11."""
