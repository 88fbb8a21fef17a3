"""Recurring dates as RFC 5545 RRULEs (``dateutil.rrule``), for holidays and exceptions.

A rule is the text of an RRULE value, as in an iCalendar file::

    FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25          every 25 December
    FREQ=YEARLY;BYMONTH=5;BYDAY=1MO               the first Monday of May
    FREQ=YEARLY;BYMONTH=11;BYDAY=4TH              the fourth Thursday of November
    FREQ=WEEKLY;INTERVAL=2;BYDAY=FR               every other Friday (from DTSTART)

The rules, written once:

- A rule names local *dates* of the office hours' time zone: its frequency is
  ``DAILY``, ``WEEKLY``, ``MONTHLY`` or ``YEARLY`` (finer ones are refused), and any
  ``BYHOUR``/``BYMINUTE``/``BYSECOND`` is refused.
- It starts at ``DTSTART`` when the text gives one (``DTSTART:20240101\\nRRULE:...``),
  else at :data:`DEFAULT_START` (2000-01-01): an ``INTERVAL`` or ``COUNT`` counts from
  there, and no date before it occurs.
- Occurrences are expanded lazily, one calendar year at a time, and remembered
  (:func:`occurs_on`): a rule without ``COUNT``/``UNTIL`` never ends, and is never
  expanded past the years asked about.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated

from dateutil.rrule import rruleset, rrulestr
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

__all__ = ["DEFAULT_START", "RRule", "check_rule", "occurs_on"]

DEFAULT_START = datetime(2000, 1, 1)
"""Where a rule without its own ``DTSTART`` starts."""

_DATE_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_FREQ = re.compile(r"FREQ\s*=\s*(\w+)", re.IGNORECASE)
_TIME_PARTS = re.compile(r"BY(HOUR|MINUTE|SECOND)\s*=", re.IGNORECASE)
_INTERVAL = re.compile(r"INTERVAL\s*=\s*([+-]?\d+)", re.IGNORECASE)
_DAY_LISTS = re.compile(r"BY(MONTHDAY|YEARDAY|WEEKNO)\s*=\s*([^;\s]*)", re.IGNORECASE)
_ZONED = re.compile(r"TZID\s*=", re.IGNORECASE)
_TRIAL_YEAR = 2026
"""A year every accepted rule is expanded in once when checked: a rule that dateutil
reads but cannot expand is refused then, not at its first use by a router."""


@lru_cache(maxsize=256)
def _parse(text: str) -> rruleset:
    parsed = rrulestr(text, dtstart=DEFAULT_START, forceset=True, ignoretz=True)
    assert isinstance(parsed, rruleset)
    return parsed


def check_rule(text: str) -> str:
    """``text`` unchanged when it is an RRULE of dates; else a pydantic error saying why."""
    if _TIME_PARTS.search(text):
        raise PydanticCustomError("rrule", "a recurring date takes no BYHOUR, BYMINUTE or BYSECOND")
    if _ZONED.search(text):
        raise PydanticCustomError(
            "rrule",
            "a recurring date takes no TZID: its dates are local to the office hours' zone",
        )
    for interval in _INTERVAL.findall(text):
        # RFC 5545: a positive integer. dateutil reads 0, then never advances (a hang).
        if int(interval) < 1:
            raise PydanticCustomError(
                "rrule", "INTERVAL must be at least 1, got {interval}", {"interval": interval}
            )
    for part, values in _DAY_LISTS.findall(text):
        # RFC 5545: 1..31 / 1..366 / 1..53 or their negatives; 0 names no day (dateutil
        # reads BYMONTHDAY=0 as every day).
        if any(v.strip().lstrip("+-") == "0" for v in values.split(",")):
            raise PydanticCustomError(
                "rrule",
                "BY{part}=0 names no day (count from 1, or from -1 at the end)",
                {"part": part.upper()},
            )
    try:
        _parse(text)
        _year(text, _TRIAL_YEAR)
    except (ValueError, TypeError, IndexError, KeyError, AttributeError, OverflowError) as exc:
        raise PydanticCustomError(
            "rrule", "not an RFC 5545 RRULE: {reason}", {"reason": str(exc) or "unreadable"}
        ) from None
    frequencies = _FREQ.findall(text)
    if not frequencies:
        raise PydanticCustomError("rrule", "not an RFC 5545 RRULE: no RRULE given")
    if any(f.upper() not in _DATE_FREQUENCIES for f in frequencies):
        raise PydanticCustomError(
            "rrule", "a recurring date repeats DAILY, WEEKLY, MONTHLY or YEARLY"
        )
    return text


RRule = Annotated[str, AfterValidator(check_rule)]
"""A pydantic field type: the text of an RFC 5545 RRULE naming local dates."""


@lru_cache(maxsize=4096)
def _year(text: str, year: int) -> frozenset[date]:
    start = datetime(year, 1, 1)
    end = datetime(year, 12, 31, 23, 59, 59)
    return frozenset(d.date() for d in _parse(text).between(start, end, inc=True))


def occurs_on(text: str, day: date) -> bool:
    """Whether the rule ``text`` has an occurrence on the local date ``day``."""
    return day in _year(text, day.year)
