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
- A part's value lies in RFC 5545's range (``BYMONTH`` 1..12, ``BYMONTHDAY`` 1..31
  or -31..-1, a ``BYDAY`` ordinal 1..53 or -53..-1, and 1..5 or -5..-1 within a month,
  ...: :data:`_RANGES`), each part is given once, and ``COUNT`` and ``INTERVAL`` are at
  least 1: dateutil reads such rules and then names no date, or other dates, silently.
- Its dates are local: a ``TZID``, or a ``Z``, offset or zone name on ``DTSTART``,
  ``UNTIL``, ``RDATE`` or ``EXDATE``, is refused (dateutil dropped a ``Z`` silently);
  an ``EXRULE`` alone names no date and is refused.
- It starts at ``DTSTART`` when the text gives one (``DTSTART:20240101\\nRRULE:...``),
  else at :data:`DEFAULT_START` (2000-01-01): an ``INTERVAL`` or ``COUNT`` counts from
  there, and no date before it occurs.
- Everything read from the text (frequencies, time parts, ``TZID``, zones, parts, an
  ``EXRULE`` alone) is refused before any expansion: ``FREQ=SECONDLY`` expanded for a
  year took minutes and ended in a ``MemoryError``.
- Occurrences are expanded lazily, one calendar year at a time, and remembered
  (:func:`occurs_on`): a rule without ``COUNT``/``UNTIL`` never ends, and is never
  expanded past the years asked about. A year costs one year's expansion wherever it
  lies, and whether or not the rule names a date in it: each rule restarts at its first
  period reaching into the year (:func:`_restarted`), and its walk stops after the
  year's periods (:func:`_walk`; dateutil walked a rule that names no date to 9999).
- A ``COUNT`` is turned into the rule's last date once, at the cost of one cycle of
  the rule at most (:func:`_uncounted`); a ``BYEASTER`` rule, which has no cycle, must
  reach its count within a century (:func:`_check_easter_count`).
"""

from __future__ import annotations

import re
import warnings
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from copy import copy
from datetime import MAXYEAR, date, datetime, timedelta
from functools import lru_cache
from itertools import islice
from math import gcd
from typing import Annotated, Any

from dateutil.parser import ParserError, UnknownTimezoneWarning, parse
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rruleset, rrulestr
from pydantic import AfterValidator, ValidationInfo
from pydantic_core import PydanticCustomError

from ._stored import is_stored

__all__ = [
    "DEFAULT_START",
    "RRule",
    "check_rule",
    "every_day",
    "last_possible_date",
    "next_occurrence",
    "occurs_on",
]

DEFAULT_START = datetime(2000, 1, 1)
"""Where a rule without its own ``DTSTART`` starts."""

_DATE_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_FREQ = re.compile(r"FREQ\s*=\s*(\w+)", re.IGNORECASE)
_TIME_PARTS = re.compile(r"BY(HOUR|MINUTE|SECOND)\s*=", re.IGNORECASE)
_INTEGER = re.compile(r"[+-]?[0-9]+")
_WEEKDAY = re.compile(
    r"([+-]?[0-9]+)?(MO|TU|WE|TH|FR|SA|SU)|(MO|TU|WE|TH|FR|SA|SU)\(([+-]?[0-9]+)\)"
)
_RANGES: dict[str, tuple[int, int, bool]] = {
    "BYMONTH": (1, 12, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYSETPOS": (1, 366, True),
    # dateutil's own part, days from Easter Sunday: Easter falls on 22 March to 25 April,
    # and an offset that leaves its year wraps round to another date silently.
    "BYEASTER": (-80, 250, False),
}
"""Integer-list parts: (least, most, whether the negatives -most..-least count from the end)."""
_DAY_COUNTS = ("BYMONTHDAY", "BYYEARDAY", "BYWEEKNO")
_ZONED = re.compile(r"TZID\s*=", re.IGNORECASE)
_TRIAL_YEAR = 2026
"""A year every accepted rule is expanded in once when checked: a rule that dateutil
reads but cannot expand is refused then, not at its first use by a router."""


@lru_cache(maxsize=256)
def _parse(text: str) -> rruleset:
    if _COUNT.search(text) and _UNTIL.search(text):
        # Only a rule stored before input refused COUNT with UNTIL reads so: it acts as
        # it did then, without dateutil's DeprecationWarning on every read.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Using both 'count' and 'until'", DeprecationWarning)
            parsed = rrulestr(text, dtstart=DEFAULT_START, forceset=True, ignoretz=True)
    else:
        parsed = rrulestr(text, dtstart=DEFAULT_START, forceset=True, ignoretz=True)
    assert isinstance(parsed, rruleset)
    return parsed


_COUNT = re.compile(r"COUNT\s*=", re.IGNORECASE)
_UNTIL = re.compile(r"UNTIL\s*=", re.IGNORECASE)


def check_rule(text: str, *, stored: bool = False) -> str:
    """``text`` unchanged when it is an RRULE of dates; else a pydantic error saying why.

    ``stored``: a rule a store wrote, read back (``helpdesk_routing._stored``): the two
    input rules added later pass, as the rule acted when it was written (a zone in a date
    is dropped by dateutil's ``ignoretz``; an EXRULE alone names no date)."""
    if _TIME_PARTS.search(text):
        raise PydanticCustomError("rrule", "a recurring date takes no BYHOUR, BYMINUTE or BYSECOND")
    if _ZONED.search(text):
        raise PydanticCustomError(
            "rrule",
            "a recurring date takes no TZID: its dates are local to the office hours' zone",
        )
    lines = _lines(text)
    for name, value in lines:
        if name in ("RRULE", "EXRULE"):
            parts = _parts(value)
            _check_parts(parts)
            if not stored:
                _check_input_parts(parts)
            if not stored and "COUNT" in parts and "UNTIL" in parts:
                # RFC 5545: they MUST NOT occur in the same rule; dateutil reads them with
                # a DeprecationWarning, saying it will refuse them (an input rule added
                # later: a stored rule reads back)
                raise PydanticCustomError(
                    "rrule", "a rule ends by COUNT or by UNTIL, not both (RFC 5545)"
                )
        elif name == "DTSTART":
            _check_moment(name, value)
    # Every refusal read from the text comes before any expansion: a rule finer than days
    # (FREQ=SECONDLY) expanded for a year ran for minutes and ended in a MemoryError.
    if any(f.upper() not in _DATE_FREQUENCIES for f in _FREQ.findall(text)):
        raise PydanticCustomError(
            "rrule", "a recurring date repeats DAILY, WEEKLY, MONTHLY or YEARLY"
        )
    if not stored:
        _check_local(lines)
    try:
        parsed = _parse(text)  # dateutil's reading, no expansion yet
    except (ValueError, TypeError, IndexError, KeyError, AttributeError, OverflowError) as exc:
        raise PydanticCustomError(
            "rrule", "not an RFC 5545 RRULE: {reason}", {"reason": str(exc) or "unreadable"}
        ) from None
    if not _FREQ.search(text):
        raise PydanticCustomError("rrule", "not an RFC 5545 RRULE: no RRULE given")
    if not stored and not any(name == "RRULE" for name, _ in lines):
        # dateutil reads an EXRULE alone as a set that names no date, silently.
        raise PydanticCustomError(
            "rrule", "not an RFC 5545 RRULE: no RRULE given (an EXRULE only removes dates)"
        )
    try:
        if not stored:
            for rule in (*vars(parsed)["_rrule"], *vars(parsed)["_exrule"]):
                _check_easter_count(rule)
        # The rule's first year too: dateutil cannot expand some rules there (BYWEEKNO
        # from year 1 needs year 0), and a rule is walked from it no more.
        for year in {_TRIAL_YEAR, *(vars(r)["_dtstart"].year for r in vars(parsed)["_rrule"])}:
            _year(text, year)
    except PydanticCustomError:
        raise
    except (ValueError, TypeError, IndexError, KeyError, AttributeError, OverflowError) as exc:
        raise PydanticCustomError(
            "rrule", "not an RFC 5545 RRULE: {reason}", {"reason": str(exc) or "unreadable"}
        ) from None
    return text


_EASTER_COUNT_YEARS = 100
"""How many years from ``DTSTART`` a ``BYEASTER`` rule's ``COUNT`` must be reached in."""


def _check_easter_count(rule: rrule) -> None:
    """Refuse a ``BYEASTER`` rule whose ``COUNT`` is not reached within
    :data:`_EASTER_COUNT_YEARS` years of ``DTSTART`` (and lies within the dates the rule can
    name at all: a greater one never ends the rule). Easter does not repeat with the
    calendar, so such a count could only be placed by walking up to 8,000 years of days
    (seconds); an ``UNTIL`` says the same at no cost."""
    state = vars(rule)
    count: int | None = state["_count"]
    if not state["_byeaster"] or count is None:
        return
    free = _rebuilt(rule, count=None)
    if count > _most_dates(free):
        return
    first: datetime = state["_dtstart"]
    end = datetime(min(first.year + _EASTER_COUNT_YEARS, MAXYEAR), 12, 31, 23, 59, 59)
    until: datetime | None = state["_until"]
    if end.year == MAXYEAR or (until is not None and until <= end):
        return  # the walk for the count ends there anyway
    if sum(1 for _ in islice(_walk(free, first, end), count)) < count:
        raise PydanticCustomError(
            "rrule",
            "a BYEASTER rule's COUNT must be reached within {years} years of its DTSTART, "
            "got COUNT={count}: Easter does not repeat with the calendar; give UNTIL instead",
            {"years": _EASTER_COUNT_YEARS, "count": count},
        )


def _lines(text: str) -> list[tuple[str, str]]:
    """The ``(name, value)`` lines of ``text``, read as dateutil reads them (upper case,
    one line per whitespace-separated word; a word without a ``NAME:`` is an RRULE; a
    name's ``;`` parameters dropped)."""
    lines = []
    for line in text.upper().split():
        name, colon, value = line.partition(":")
        lines.append((name.split(";")[0], value) if colon else ("RRULE", line))
    return lines


def _check_local(lines: list[tuple[str, str]]) -> None:
    """Refuse a ``DTSTART``, ``UNTIL``, ``RDATE`` or ``EXDATE`` that names a zone (``Z``, an
    offset, a zone name): the rule is read with dateutil's ``ignoretz``, which drops it
    silently, so ``20260102T230000Z`` named 2 January where Paris was on 3 January."""
    moments: list[tuple[str, str]] = []
    for name, value in lines:
        if name == "DTSTART":
            moments.append((name, value))
        elif name in ("RDATE", "EXDATE"):
            moments.extend((name, moment) for moment in value.split(","))
        elif name in ("RRULE", "EXRULE"):
            parts = (part.partition("=") for part in value.split(";"))
            moments.extend((key, moment) for key, _, moment in parts if key == "UNTIL")
    for name, moment in moments:
        if _zoned(moment):
            raise PydanticCustomError(
                "rrule",
                "a recurring date takes no Z, UTC offset or zone name: its dates are local to "
                "the office hours' zone, got {name} {value}",
                {"name": name, "value": moment},
            )


def _zoned(moment: str) -> bool:
    """Whether dateutil reads a zone into the date-time text ``moment`` (unreadable text is
    left to the rule's own parse, which names it)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UnknownTimezoneWarning)
        try:
            parsed = parse(moment)
        except (ParserError, ValueError, OverflowError):
            return False
    return parsed.tzinfo is not None or any(
        issubclass(w.category, UnknownTimezoneWarning) for w in caught
    )


def _parts(rule: str) -> dict[str, str]:
    """The ``NAME=VALUE`` parts of one rule; a malformed or repeated part is refused (dateutil
    reported a broken part as Python's own unpacking error, and let a repeated one win)."""
    parts: dict[str, str] = {}
    for part in rule.split(";"):
        if not part:
            raise PydanticCustomError(
                "rrule",
                "not an RFC 5545 RRULE: expected NAME=VALUE parts separated by ';', "
                "got an empty part in {rule}",
                {"rule": repr(rule)},
            )
        if part.count("=") != 1:
            raise PydanticCustomError(
                "rrule",
                "not an RFC 5545 RRULE: part {part} has "
                + ("no '='" if "=" not in part else "more than one '='")
                + " (expected NAME=VALUE parts separated by ';')",
                {"part": repr(part)},
            )
        name, value = part.split("=")
        if name in parts:
            raise PydanticCustomError(
                "rrule", "part {name} is given more than once", {"name": repr(name)}
            )
        parts[name] = value
    return parts


def _range(name: str, least: int, most: int, negative: bool) -> str:
    if negative:
        return f"{name} must be {least} to {most} or -{most} to -{least}"
    return f"{name} must be {least} to {most}"


_LONG_NUMBER = 18
"""The most digits of a number in a rule (a 64-bit integer's): a longer one is refused by
name, before Python's own limits speak (``int`` of 5,000 digits told the user to call
``sys.set_int_max_str_digits()``; dateutil's ``Python int too large to convert to C
long``)."""
_DIGIT_RUN = re.compile(r"[0-9]{15,}")
_LONG_DIGITS = re.compile(rf"[0-9]{{{_LONG_NUMBER + 1},}}")


def _check_moment(name: str, value: str) -> None:
    """A ``DTSTART`` or ``UNTIL`` with a run of more than 14 digits names no date or
    date-time (``YYYYMMDDTHHMMSS`` has 8 and 6): refused by name."""
    if _DIGIT_RUN.search(value):
        raise PydanticCustomError(
            "rrule",
            "{name} is not a date (YYYYMMDD) or date-time (YYYYMMDDTHHMMSS): {value}",
            {"name": name, "value": _shown(value)},
        )


def _shown(value: str) -> str:
    return repr(value) if len(value) <= 40 else f"{value[:20]!r}... ({len(value)} characters)"


def _check_parts(parts: dict[str, str]) -> None:
    """Refuse a value outside RFC 5545's range for its part (dateutil reads most of them
    and then names no date, or other dates, silently)."""
    for part, given in parts.items():
        if part == "UNTIL":
            _check_moment(part, given)
        elif _LONG_DIGITS.search(given):
            raise PydanticCustomError(
                "rrule",
                "{name} takes numbers of at most {most} digits, got {value}",
                {"name": part, "most": _LONG_NUMBER, "value": _shown(given)},
            )
    for name in ("INTERVAL", "COUNT"):
        value = parts.get(name)
        if value is not None and _INTEGER.fullmatch(value) and int(value) < 1:
            # INTERVAL=0 never advances (a hang); COUNT=0 names no date.
            raise PydanticCustomError(
                "rrule", "{name} must be at least 1, got {value}", {"name": name, "value": value}
            )
    for name, (least, most, negative) in _RANGES.items():
        if name not in parts:
            continue
        for value in parts[name].split(","):
            if not _INTEGER.fullmatch(value):
                raise PydanticCustomError(
                    "rrule",
                    "{name} takes whole numbers separated by ',', got {value}",
                    {"name": name, "value": repr(value)},
                )
            number = int(value)
            if number == 0 and name in _DAY_COUNTS:
                # dateutil reads BYMONTHDAY=0 as every day.
                raise PydanticCustomError(
                    "rrule",
                    "{name}=0 names no day (count from 1, or from -1 at the end)",
                    {"name": name},
                )
            if not (least <= number <= most or (negative and -most <= number <= -least)):
                raise PydanticCustomError(
                    "rrule",
                    _range(name, least, most, negative) + ", got {value}",
                    {"value": value},
                )
    _check_ordinals(parts)


_OTHER_BY = ("BYMONTH", "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY", "BYWEEKDAY", "BYEASTER")
"""The parts a ``BYSETPOS`` picks among the dates of (RFC 5545 3.3.10; ``BYWEEKDAY`` and
``BYEASTER`` are dateutil's)."""


def _check_input_parts(parts: dict[str, str]) -> None:
    """What a rule given as input may not hold, though a stored one read back does (it
    acts as it did when it was written): a ``BYSETPOS`` without another ``BY`` part to
    pick among (RFC 5545: it "MUST only be used in conjunction with another BYxxx rule
    part"), and a value listed twice in one part, which names no other date and made
    every expansion pass over it again (a rule of a few kilobytes of ``BYSETPOS=1,1,...``
    took seconds to read and every look-up of the office hours as long)."""
    if "BYSETPOS" in parts and not any(name in parts for name in _OTHER_BY):
        raise PydanticCustomError(
            "rrule",
            "BYSETPOS picks among the dates another BY part names (BYMONTH, BYWEEKNO, "
            "BYYEARDAY, BYMONTHDAY or BYDAY), and there is none (RFC 5545)",
        )
    for name, given in parts.items():
        if name == "UNTIL" or "," not in given:
            continue
        seen: set[str] = set()
        for value in given.split(","):
            key = value.strip().upper()
            if _INTEGER.fullmatch(key):
                key = str(int(key))
            elif (day := _WEEKDAY.fullmatch(key)) is not None:
                ordinal = day.group(1) or day.group(4)
                weekday = day.group(2) or day.group(3)
                key = f"{int(ordinal) if ordinal else ''}{weekday}"
            if key in seen:
                raise PydanticCustomError(
                    "rrule",
                    "{name} lists {value} twice",
                    {"name": name, "value": _shown(value)},
                )
            seen.add(key)


def _check_ordinals(parts: dict[str, str]) -> None:
    """A BYDAY ordinal (``1MO``, ``-1FR``) counts within a month (FREQ=MONTHLY, or YEARLY
    with BYMONTH: 1..5) or a year (YEARLY: 1..53), and nowhere else (RFC 5545: not with
    another FREQ, nor with BYWEEKNO; dateutil then drops the ordinal: every Monday)."""
    frequency = parts.get("FREQ")
    in_month = frequency == "MONTHLY" or (frequency == "YEARLY" and "BYMONTH" in parts)
    most = 5 if in_month else 53
    for day in parts.get("BYDAY", parts.get("BYWEEKDAY", "")).split(","):
        match = _WEEKDAY.fullmatch(day)
        ordinal = None if match is None else (match.group(1) or match.group(4))
        if ordinal is None:
            continue  # no ordinal, or not a weekday: dateutil says which
        if frequency not in ("MONTHLY", "YEARLY") or "BYWEEKNO" in parts:
            raise PydanticCustomError(
                "rrule",
                "BYDAY takes an ordinal ({day}) only with FREQ=MONTHLY or YEARLY, "
                "and not with BYWEEKNO",
                {"day": day},
            )
        if not 1 <= abs(int(ordinal)) <= most:
            raise PydanticCustomError(
                "rrule",
                "a BYDAY ordinal must be 1 to {most} or -{most} to -1"
                + (" within a month" if in_month else "")
                + ", got {day}",
                {"most": most, "day": day},
            )


def _check_rule(text: str, info: ValidationInfo) -> str:
    return check_rule(text, stored=is_stored(info))


RRule = Annotated[str, AfterValidator(_check_rule)]
"""A pydantic field type: the text of an RFC 5545 RRULE naming local dates."""


class _Parts:
    """A parsed rule text's parts (dateutil's ``rruleset`` keeps them private), each rule
    with a ``COUNT`` replaced by the same rule ending at its last date."""

    __slots__ = ("exdates", "exrules", "rdates", "rrules")

    def __init__(self, whole: rruleset) -> None:
        kept = vars(whole)
        self.rrules = [r for r in map(_uncounted, kept["_rrule"]) if r is not None]
        self.exrules = [r for r in map(_uncounted, kept["_exrule"]) if r is not None]
        self.rdates: list[datetime] = list(kept["_rdate"])
        self.exdates: list[datetime] = list(kept["_exdate"])


@lru_cache(maxsize=256)
def _parts_of(text: str) -> _Parts:
    return _Parts(_parse(text))


def _rebuilt(rule: rrule, **changes: Any) -> rrule:
    """``rule`` with ``changes`` (``dtstart``, ``count``, ``until``), its dates otherwise the
    same. dateutil's ``replace`` derives a part the text left out (YEARLY's month and day,
    MONTHLY's day, WEEKLY's weekday) from the new ``DTSTART`` again: those are passed as
    the original ``DTSTART`` gave them."""
    state = vars(rule)
    given = state["_original_rule"]
    derived = {
        name: state[f"_{name}"]
        for name in ("bymonth", "bymonthday", "byweekday")
        if name in given and given[name] is None
    }
    return rule.replace(**derived, **changes)


_PERIODS_IN_400_YEARS = {YEARLY: 400, MONTHLY: 4800, WEEKLY: 20871, DAILY: 146097}
"""The Gregorian calendar repeats every 400 years (146097 days, a whole number of weeks)."""


def _cycle(rule: rrule) -> int | None:
    """The years after which ``rule``'s dates repeat (the calendar's 400 years, times what
    it takes the rule's ``INTERVAL`` periods to fall on the same days again): a year more
    than this after ``DTSTART``'s has the dates of the year this many years earlier.
    ``None``: a ``BYEASTER`` rule, which follows Easter (not periodic in the calendar)."""
    state = vars(rule)
    if state["_byeaster"]:
        return None
    step: int = state["_interval"]
    return 400 * (step // gcd(step, _PERIODS_IN_400_YEARS[state["_freq"]]))


def _most_dates(rule: rrule) -> int:
    """An upper bound of the date-times ``rule`` (no ``COUNT``) names in the calendar: a rule
    of dates names at most one a day (its one time of day is ``DTSTART``'s), and a
    ``BYEASTER`` rule at most one per Easter offset a year."""
    first: datetime = vars(rule)["_dtstart"]
    most = date(MAXYEAR, 12, 31).toordinal() - first.toordinal() + 1
    offsets = vars(rule)["_byeaster"]
    if offsets:
        most = min(most, len(offsets) * (MAXYEAR - first.year + 1))
    return most


def _uncounted(rule: rrule) -> rrule | None:
    """``rule`` without its ``COUNT``: ending at its last date instead (``None``: it has
    none). Found once per rule at a bounded cost: a ``COUNT`` beyond every date the rule
    can name is dropped; else the rule is walked from ``DTSTART`` for at most one of its
    cycles (:func:`_cycle`, 400 years of days at most), and a count that reaches past
    that is placed by the cycle's dates, which repeat."""
    state = vars(rule)
    count: int | None = state["_count"]
    if count is None:
        return rule
    free = _rebuilt(rule, count=None)  # ends at UNTIL, or with the calendar
    if count > _most_dates(free):
        return free
    first: datetime = state["_dtstart"]
    until: datetime | None = state["_until"]
    cycle = _cycle(rule)
    last_year = MAXYEAR if cycle is None else min(first.year + cycle, MAXYEAR)
    end = datetime(last_year, 12, 31, 23, 59, 59)
    found = list(islice(_walk(free, first, end), count))
    if len(found) == count:
        return _rebuilt(rule, count=None, until=found[-1])
    if last_year == MAXYEAR or (until is not None and until <= end):
        return None if not found else free  # the count is never reached
    assert cycle is not None
    # Years first.year + 1 .. first.year + cycle are one whole cycle: their dates repeat.
    before = sum(1 for moment in found if moment.year == first.year)
    repeating = found[before:]
    if not repeating:
        return None if not found else free
    cycles, index = divmod(count - 1 - before, len(repeating))
    year = repeating[index].year + cycles * cycle
    if year > MAXYEAR:
        return free
    last = repeating[index].replace(year=year)
    if until is not None and last > until:
        return free
    return _rebuilt(rule, count=None, until=last)


def _restarted(rule: rrule, year: int) -> rrule | None:
    """A rule with the same dates as ``rule`` (no ``COUNT``) in ``year``, starting at the
    first of its periods (a year, month, week from ``WKST`` or day, every ``INTERVAL``
    periods from the one holding ``DTSTART``) that reaches into ``year``: dateutil walks
    every period from ``DTSTART``, so a year far from it cost time in proportion to the
    distance. ``None``: no period of ``rule`` reaches into ``year``. ``rule`` itself when
    ``DTSTART`` is no earlier than that period."""
    state = vars(rule)
    first: datetime = state["_dtstart"]
    step: int = state["_interval"]
    january = date(year, 1, 1).toordinal()
    december = date(year, 12, 31).toordinal()
    frequency = state["_freq"]
    if frequency == YEARLY:
        periods = -(-(year - first.year) // step)
        if periods > 0 and first.year + periods * step > year:
            return None
        begins = january
    elif frequency == MONTHLY:
        month = first.year * 12 + first.month - 1
        periods = -(-(year * 12 - month) // step)
        month += periods * step
        if periods > 0 and month > year * 12 + 11:
            return None
        begins = january if periods <= 0 else date(month // 12, month % 12 + 1, 1).toordinal()
    elif frequency == WEEKLY:
        week = first.toordinal() - (first.weekday() - state["_wkst"]) % 7
        # The first period whose last day (its start + 6) is in the year or later.
        periods = -(-(january - 6 - week) // (7 * step))
        begins = week + periods * 7 * step
    else:  # DAILY (check_rule refuses finer ones)
        periods = -(-(january - first.toordinal()) // step)
        begins = first.toordinal() + periods * step
    if periods <= 0:
        return rule
    until = state["_until"]
    if begins > december or (until is not None and until.toordinal() < begins):
        return None
    return _rebuilt(rule, dtstart=datetime.combine(date.fromordinal(begins), first.time()))


class _Stop(Exception):
    """A walk reached the days it was allowed (:class:`_CountedMonths`)."""


class _CountedMonths(tuple[int, ...]):
    """A rule's ``BYMONTH`` (or ``BYDAY``) values that count dateutil's look-ups: dateutil
    looks up every day of every period it walks in the first of its filters, once, and
    stops only after a date past the end or the ``UNTIL``; a rule that names no date
    there (30 February) walked on to year 9999. Past ``days`` look-ups it raises
    :class:`_Stop` instead."""

    days: int

    def __new__(cls, values: Iterable[int], days: int) -> _CountedMonths:
        made = super().__new__(cls, values)
        made.days = days
        return made

    def __contains__(self, value: object) -> bool:
        self.days -= 1
        if self.days < 0:
            raise _Stop
        return tuple.__contains__(self, value)


def _counted(rule: rrule, days: int) -> rrule:
    """A copy of ``rule`` whose walk stops after looking at ``days`` days: the counter takes
    the place of its first filter, which dateutil consults for every day. An absent
    ``BYMONTH`` becomes all twelve months (the same dates), except in a ``YEARLY`` rule
    with ``BYDAY`` ordinals, where dateutil counts them within each month of ``BYMONTH``:
    there the ``BYDAY`` weekdays (all seven when none; such a rule has no ``BYWEEKNO``)
    count."""
    bounded = copy(rule)
    state = vars(bounded)
    if state["_bymonth"] or state["_freq"] != YEARLY or not state["_bynweekday"]:
        state["_bymonth"] = _CountedMonths(state["_bymonth"] or range(1, 13), days)
    else:
        state["_byweekday"] = _CountedMonths(state["_byweekday"] or range(7), days)
    return bounded


_PERIOD_DAYS = {YEARLY: (365, 366), MONTHLY: (28, 31), WEEKLY: (7, 7), DAILY: (1, 1)}
"""The fewest and most days in a period of each frequency."""


def _walk(rule: rrule, start: datetime, end: datetime) -> Iterator[datetime]:
    """The date-times of ``rule`` from ``start`` to ``end``, both included, looking at no
    more days than its periods from a year before ``DTSTART`` (where its first period
    may start) to ``end`` hold: then every period reaching into ``end`` is walked, and the
    walk stops (dateutil walked on to the next date, to year 9999 for a rule that names
    none). dateutil raises ``ValueError`` (year 10000 is out of range) when a week it walks
    crosses the end of the calendar: in year 9999 that ends the rule, after its last date
    in 9999."""
    state = vars(rule)
    first: datetime = state["_dtstart"]
    if end < first:
        return
    # The periods that start from a year before DTSTART to the end, every INTERVAL
    # periods of at least ``shortest`` days, each of at most ``longest`` days.
    shortest, longest = _PERIOD_DAYS[state["_freq"]]
    periods = (end.toordinal() - first.toordinal() + 366) // (state["_interval"] * shortest) + 1
    moments = iter(_counted(rule, periods * longest))
    while True:
        try:
            moment = next(moments)
        except (StopIteration, _Stop):
            return
        except ValueError:
            if end.year == MAXYEAR:
                return
            raise
        if moment > end:
            return
        if moment >= start:
            yield moment


@lru_cache(maxsize=4096)
def _year(text: str, year: int) -> frozenset[date]:
    """The dates of ``text`` in ``year``, at the cost of expanding about one year: each
    rule restarted near the year (:func:`_restarted`), the listed dates of that year.

    As dateutil's ``rruleset``: the date-times of the RRULEs and RDATEs that no EXRULE or
    EXDATE names exactly (an EXDATE at midnight leaves a 09:00 occurrence)."""
    parts = _parts_of(text)
    start = datetime(year, 1, 1)
    end = datetime(year, 12, 31, 23, 59, 59)
    named = {day for day in parts.rdates if start <= day <= end}
    removed = {day for day in parts.exdates if start <= day <= end}
    for rules, found in ((parts.rrules, named), (parts.exrules, removed)):
        for rule in rules:
            restarted = _restarted(rule, year)
            if restarted is not None:
                found.update(_walk(restarted, start, end))
    return frozenset(moment.date() for moment in named - removed)


def occurs_on(text: str, day: date) -> bool:
    """Whether the rule ``text`` has an occurrence on the local date ``day``."""
    return day in _year(text, day.year)


@lru_cache(maxsize=256)
def last_possible_date(text: str) -> date | None:
    """A date after which the rule ``text`` names no date (``date.min`` when it names none
    at all), or ``None`` when it may name dates to the end of the calendar. The date may
    lie after the last the rule names (an ``UNTIL``, whatever its ``EXRULE`` removes), never
    before it.

    A rule with an ``UNTIL`` (a ``COUNT`` is one, :func:`_uncounted`) ends there. One
    without names no date ever if it names none from its ``DTSTART``'s year through one
    of its cycles (:func:`_cycle`: the years after it repeat those dates), found at the
    cost of walking that cycle once (400 years of days at most, a few tenths of a second)
    unless a date turns up sooner. A ``BYEASTER`` rule without an end has no cycle:
    ``None``."""
    parts = _parts_of(text)
    last = max((moment.date() for moment in parts.rdates), default=date.min)
    for rule in parts.rrules:
        state = vars(rule)
        until: datetime | None = state["_until"]
        if until is not None:
            last = max(last, until.date())
            continue
        cycle = _cycle(rule)
        if cycle is None:
            return None
        first: datetime = state["_dtstart"]
        end = datetime(min(first.year + cycle, MAXYEAR), 12, 31, 23, 59, 59)
        if next(_walk(rule, first, end), None) is not None:
            return None
    return last


@lru_cache(maxsize=4096)
def _sorted_year(text: str, year: int) -> tuple[date, ...]:
    return tuple(sorted(_year(text, year)))


def next_occurrence(text: str, first: date, last: date) -> date | None:
    """The first date from ``first`` to ``last`` (both included) that the rule ``text``
    names, or ``None``. Found a year at a time (:func:`_year`), looking no further than
    ``last`` nor than the rule's last possible date (:func:`last_possible_date`): a rule
    that fires for ever names a date within each of its cycles, so a search costs the
    years up to its next date, however far it lies from ``DTSTART``."""
    end = last_possible_date(text)
    if end is not None:
        last = min(last, end)
    day = first
    while day <= last:
        dates = _sorted_year(text, day.year)
        index = bisect_left(dates, day)
        if index < len(dates):
            return dates[index] if dates[index] <= last else None
        if day.year == MAXYEAR:
            return None
        day = date(day.year + 1, 1, 1)
    return None


_FILTERS = (
    "_bymonth",
    "_bymonthday",
    "_bynmonthday",
    "_byweekday",
    "_bynweekday",
    "_byyearday",
    "_byweekno",
    "_bysetpos",
    "_byeaster",
)


@lru_cache(maxsize=256)
def every_day(text: str) -> tuple[date, date] | None:
    """``(first, last)`` when the rule ``text`` names every date from ``first`` to ``last``
    and no other (``last`` is ``date.max`` for a rule without an end): one daily RRULE
    without ``INTERVAL`` or ``BY`` parts, and no ``RDATE``, ``EXDATE`` or ``EXRULE``.
    ``None`` for any other rule (it may name every day all the same)."""
    parts = _parts_of(text)
    if len(parts.rrules) != 1 or parts.exrules or parts.rdates or parts.exdates:
        return None
    rule = parts.rrules[0]
    state = vars(rule)
    if state["_freq"] != DAILY or state["_interval"] != 1 or any(state[f] for f in _FILTERS):
        return None
    start: datetime = state["_dtstart"]
    until: datetime | None = state["_until"]
    if until is None:
        return start.date(), date.max
    # The rule's date-times carry DTSTART's time of day: UNTIL before it ends the day before.
    last = until.date() if until.time() >= start.time() else until.date() - timedelta(days=1)
    if last < start.date():
        return None
    return start.date(), last
