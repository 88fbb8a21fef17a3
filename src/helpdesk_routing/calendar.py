"""Office hours: a weekly schedule in a time zone, with holidays and exceptions.

:class:`OfficeHours` answers the questions routing, out-of-office replies and SLA
reporting ask: is it open at an instant, when does it next open or close, how much
business time lies between two instants, and when is a duration of business time
used up. It is pure: it reads no clock and does no I/O.

The rules, written once (``docs/calendar.md`` shows them with examples):

* A window ``["HH:MM", "HH:MM"]`` is half-open, ``[start, end)``, in local wall
  time. ``"24:00"`` is a valid end (never a start). A window whose end is at or
  before its start crosses midnight and belongs to the day it starts on:
  ``mon: [["22:00", "02:00"]]`` is open on Tuesday at 01:00, and a holiday on that
  Monday removes the whole shift. A window whose end equals its start lasts 24 hours.
* What a day holds, the first that applies: its exception's windows when the date is
  in ``exceptions`` (``[]`` closes it); nothing when the date is in ``holidays``; the
  windows of the first ``recurring_exceptions`` rule that names the date; nothing when
  a ``recurring_holidays`` rule names it; else the weekly windows of its weekday. Dated
  entries beat recurring ones. Recurring rules are RFC 5545 RRULEs of local dates,
  expanded lazily a year at a time (``helpdesk_routing._recurrence``). Windows of
  one day may not overlap; windows of neighbouring days may (an overnight tail and
  the next morning): open time is their union, never counted twice.
* A local time that does not exist (the clock springs forward over it) or occurs
  twice (the clock falls back) means the first instant at which the local clock
  reads at least that time: the transition instant for a gap, the first occurrence
  for a repeat (see :func:`wall_time_to_utc`). Windows never invert: a window that
  falls entirely in a gap is empty.
* Instants given must be timezone-aware (any zone; a naive datetime raises
  :class:`~helpdesk_routing.errors.NaiveDatetimeError`). Instants returned are in UTC.
  Durations are real elapsed time (:class:`datetime.timedelta`), so a 24/7 calendar
  has 23 hours of business time on a spring-forward day.
* Searches (``next_open``, ``next_close``, ``add_business_time``) look no further
  than ``horizon`` (default :data:`DEFAULT_HORIZON`, two years) and return ``None``
  when the answer lies beyond it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Final, Literal, Self, cast, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from helpdesk_routing._input import InputModel

from ._json import loads
from ._recurrence import RRule, every_day, next_occurrence, occurs_on
from ._time import DATE_TEXT, OUT_OF_RANGE, require_aware
from .errors import ArgumentTypeError, ErrorDetail, ValidationError

__all__ = [
    "DEFAULT_HORIZON",
    "OfficeHours",
    "RecurringException",
    "Weekday",
    "Window",
    "iana_zone_keys",
    "wall_time_to_utc",
]

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
"""The keys of :attr:`OfficeHours.weekly`, Monday first."""

Window = tuple[str, str]
"""One opening window, ``("HH:MM", "HH:MM")``: start and end in local wall time."""

DEFAULT_HORIZON = timedelta(days=2 * 366)
"""How far the searches look ahead unless told otherwise: two years."""

_WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)
_DAY = timedelta(days=1)
_SECOND = timedelta(seconds=1)
_EPOCH = datetime(1970, 1, 1)
# Room for a day's windows (up to two days long) and any UTC offset at either end.
_MAX_UTC = datetime.max.replace(tzinfo=UTC) - timedelta(days=7)
_MIN_UTC = datetime.min.replace(tzinfo=UTC) + timedelta(days=7)
_HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])|24:00")

Interval = tuple[datetime, datetime]


def wall_time_to_utc(wall: datetime, zone: tzinfo | str) -> datetime:
    """Return the UTC instant a local wall-clock reading in ``zone`` stands for.

    The rule for readings the clock skips or shows twice: the first instant at which
    the local clock reads at least ``wall``. For a skipped reading (02:30 on a
    spring-forward night) that is the transition instant; for a repeated one (02:30
    on a fall-back night) it is the first occurrence. ``wall`` must be naive (a
    reading, not an instant); an aware one raises
    :class:`~helpdesk_routing.errors.ValidationError`. ``zone`` is a ``tzinfo`` (a
    ``ZoneInfo``) or an IANA time-zone key, the text :attr:`OfficeHours.timezone`
    holds, checked as there (an unknown key is a ``ValidationError``). A ``wall`` that
    is no ``datetime``, or a ``zone`` that is neither, is an
    :class:`~helpdesk_routing.errors.ArgumentTypeError` naming it.
    """
    if not isinstance(wall, datetime):
        raise ArgumentTypeError(
            f"wall must be a naive datetime (a clock reading), got {type(wall).__name__} {wall!r}"
        )
    if isinstance(zone, str):
        known = _iana_zone(zone)
        if known is None:
            raise ValidationError(f"unknown time zone {zone!r}")
        zone = known
    elif not isinstance(zone, tzinfo):
        raise ArgumentTypeError(
            "zone must be a tzinfo (a ZoneInfo) or an IANA time-zone key, "
            f"got {type(zone).__name__} {zone!r}"
        )
    if wall.tzinfo is not None:
        raise ValidationError("a wall time must be a naive datetime (a clock reading)")
    try:
        return _wall_time_to_utc(wall, zone)
    except OverflowError:
        raise ValidationError(f"wall {OUT_OF_RANGE}") from None


def _wall_time_to_utc(wall: datetime, zone: tzinfo) -> datetime:
    """:func:`wall_time_to_utc` of arguments of the right kinds."""
    before = wall.replace(tzinfo=zone, fold=0).utcoffset()
    after = wall.replace(tzinfo=zone, fold=1).utcoffset()
    if before is None or after is None:
        raise ValidationError(f"time zone {zone!r} gives no UTC offset")
    if before >= after:
        # Unambiguous, or repeated: fold=0 is the first occurrence.
        return (wall - before).replace(tzinfo=UTC)
    # Skipped: the transition lies after `wall - after` and at or before
    # `wall - before`. Transitions fall on whole seconds, so bisect on seconds for
    # the first instant whose local reading is at least `wall`.
    low = (wall - after - _EPOCH) // _SECOND
    high = -((_EPOCH - (wall - before)) // _SECOND)
    while high - low > 1:
        middle = (low + high) // 2
        instant = (_EPOCH + middle * _SECOND).replace(tzinfo=UTC)
        if instant.astimezone(zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return (_EPOCH + high * _SECOND).replace(tzinfo=UTC)


def _minutes(text: str) -> int | None:
    match = _HHMM.fullmatch(text)
    if match is None:
        return None
    if match.group(1) is None:
        return 24 * 60
    return int(match.group(1)) * 60 + int(match.group(2))


def _span(window: Window) -> tuple[int, int]:
    """Minutes from the start day's midnight: start in [0, 1440), end in (start, start + 1440]."""
    start = _minutes(window[0])
    end = _minutes(window[1])
    assert start is not None
    assert end is not None
    return start, end if end > start else end + 24 * 60


def _error(loc: tuple[str | int, ...], kind: str, message: str, value: object) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError(kind, message), loc=loc, input=value)


def _check_day(windows: tuple[Window, ...], where: str) -> list[InitErrorDetails]:
    """The problems of one day's window list, located at ``(where, index)``."""
    problems: list[InitErrorDetails] = []
    spans: list[tuple[int, int, int]] = []
    for index, window in enumerate(windows):
        start, end = window
        bad = [text for text in window if _minutes(text) is None]
        if bad:
            problems.append(
                _error(
                    (where, index),
                    "time_format",
                    f'{bad[0]!r} is not a time of day "HH:MM" (00:00 to 24:00)',
                    list(window),
                )
            )
        elif start == "24:00":
            problems.append(
                _error(
                    (where, index), "window_start", "a window cannot start at 24:00", list(window)
                )
            )
        else:
            first, last = _span(window)
            for other, other_first, other_last in spans:
                if first < other_last and other_first < last:
                    problems.append(
                        _error(
                            (where, index),
                            "window_overlap",
                            f"window {start}-{end} overlaps window [{other}] "
                            f"{windows[other][0]}-{windows[other][1]} on the same day",
                            list(window),
                        )
                    )
                    break
            spans.append((index, first, last))
    return problems


def _sorted_windows(windows: tuple[Window, ...]) -> tuple[Window, ...]:
    return tuple(sorted(windows, key=_span))


def _covers_the_week(weekly: tuple[tuple[tuple[int, int], ...], ...]) -> bool:
    """Whether the weekly windows, overnight tails included, leave no minute of the week
    uncovered: such a week never closes, whatever the time zone does (a window maps to
    the UTC instants between its ends' instants, and the mapping never goes backwards, so
    windows that touch or overlap in wall time touch or overlap in UTC)."""
    week = 7 * 24 * 60
    spans = sorted(
        (day * 24 * 60 + first, day * 24 * 60 + last)
        for day, day_spans in enumerate(weekly)
        for first, last in day_spans
    )
    if not spans:
        return False
    # Sunday's overnight tail reaches into Monday: the walk starts where it ends.
    reached = max(0, max(last for _, last in spans) - week)
    for first, last in spans:
        if first > reached:
            return False
        reached = max(reached, last)
    return reached >= week


class _Era:
    """A stretch of days, ``first`` to ``last``, each of which holds its ``base`` windows
    unless it is one of ``dated`` or a date one of ``rules`` names.

    ``empty``: the base holds no window, and ``dated`` and ``rules`` name the days that
    may hold some (a day with none adds nothing to a search). ``covering``: the base
    windows cover the week (:func:`_covers_the_week`), and ``dated`` and ``rules`` name
    the days that may hold other windows. Otherwise the days are walked one by one and
    ``dated`` and ``rules`` are empty."""

    __slots__ = ("_searched", "covering", "dated", "empty", "first", "last", "rules")

    def __init__(
        self,
        first: date,
        last: date,
        base: tuple[tuple[tuple[int, int], ...], ...],
        plan: _Plan,
        claiming: list[tuple[str, tuple[tuple[int, int], ...]]],
    ) -> None:
        self.first = first
        self.last = last
        self.empty = not any(base)
        self.covering = _covers_the_week(base)
        self.dated: tuple[date, ...] = ()
        self.rules: tuple[str, ...] = ()
        # Per rule, its last search: (from, to, the first date found then or None).
        self._searched: dict[str, tuple[date, date, date | None]] = {}
        if self.empty:
            self.dated = tuple(sorted(day for day, spans in plan.exceptions.items() if spans))
            self.rules = tuple(dict.fromkeys(rule for rule, spans in claiming if spans))
        elif self.covering:
            self.dated = tuple(sorted({*plan.holidays, *plan.exceptions}))
            self.rules = tuple(dict.fromkeys(rule for rule, _ in claiming))

    def next_irregular(self, first: date, last: date) -> date | None:
        """The first day from ``first`` to ``last`` (and ``self.last``) that ``dated`` or
        ``rules`` name, or ``None``."""
        last = min(last, self.last)
        found: date | None = None
        index = bisect_left(self.dated, first)
        if index < len(self.dated) and self.dated[index] <= last:
            found = last = self.dated[index]
        for rule in self.rules:
            occurs = self._next_date(rule, first, last)
            if occurs is not None:
                found = last = occurs
        return found

    def _next_date(self, rule: str, first: date, last: date) -> date | None:
        """The first date from ``first`` to ``last`` that ``rule`` names, or ``None``.

        A walk asks again from each day it stops at, for later and later days, and each
        search of the plan asks again from its own start: what the searches found is
        kept per rule, ``(since, searched, occurs)``: ``occurs`` is the first date the
        rule names from ``since`` to ``searched``, ``None`` when it names none there. A
        question it answers costs nothing, one that reaches past it searches only the
        days it leaves out (a rule whose next date lay thousands of years ahead was
        searched up to that date again from every day visited). One tuple per rule,
        replaced whole: a search in another thread reads the old one or the new one,
        both true."""
        known = self._searched.get(rule)
        if known is not None:
            since, searched, occurs = known
            if since <= first:
                if occurs is not None and first <= occurs:
                    return occurs if occurs <= last else None
                if occurs is None and first.toordinal() <= searched.toordinal() + 1:
                    if last <= searched:
                        return None
                    # Nothing up to `searched`: go on from the day after.
                    occurs = next_occurrence(rule, searched + _DAY, last)
                    self._searched[rule] = (since, last, occurs)
                    return occurs
            elif since.toordinal() <= last.toordinal() + 1:
                # Known from a day after `first`, by the day after `last`: the days
                # before `since` first, then what is known.
                early = next_occurrence(rule, first, since - _DAY)
                if early is not None:
                    self._searched[rule] = (first, early, early)
                    return early
                self._searched[rule] = (first, searched, occurs)
                return self._next_date(rule, first, last)
        occurs = next_occurrence(rule, first, last)
        self._searched[rule] = (first, last, occurs)
        return occurs


class _Plan:
    """The schedule compiled for lookups: minute spans per weekday and per exception date.

    Equal schedules give equal plans (pydantic compares private attributes in ``==``);
    the hash is computed once, since every day lookup hashes the plan.
    """

    __slots__ = (
        "_eras",
        "_hash",
        "exceptions",
        "holidays",
        "jumps",
        "key",
        "last_open_day",
        "recurring_exceptions",
        "recurring_holidays",
        "weekly",
        "zone",
    )

    def __init__(self, hours: OfficeHours) -> None:
        self._build(
            hours.timezone,
            tuple(tuple(_span(w) for w in hours.weekly.get(day, ())) for day in _WEEKDAYS),
            frozenset(hours.holidays),
            {day: tuple(_span(w) for w in windows) for day, windows in hours.exceptions.items()},
            tuple(hours.recurring_holidays),
            tuple((r.rule, tuple(_span(w) for w in r.windows)) for r in hours.recurring_exceptions),
        )

    def _build(
        self,
        zone_key: str,
        weekly: tuple[tuple[tuple[int, int], ...], ...],
        holidays: frozenset[date],
        exceptions: dict[date, tuple[tuple[int, int], ...]],
        recurring_holidays: tuple[str, ...] = (),
        recurring_exceptions: tuple[tuple[str, tuple[tuple[int, int], ...]], ...] = (),
    ) -> None:
        self.zone = ZoneInfo(zone_key)
        self.weekly = weekly
        self.holidays = holidays
        self.exceptions = exceptions
        self.recurring_holidays = recurring_holidays
        self.recurring_exceptions = recurring_exceptions
        # Past this day nothing opens again (None: the schedule opens forever).
        self.last_open_day: date | None = None
        if not any(weekly) and not any(spans for _, spans in recurring_exceptions):
            self.last_open_day = max(
                (day for day, spans in exceptions.items() if spans), default=date.min
            )
        # Whether searches may jump over days (see _periods); off, they walk every day.
        self.jumps = True
        # The eras and their first days, cut at the first search (_Plan.era_of).
        self._eras: tuple[tuple[_Era, ...], tuple[date, ...]] | None = None
        self.key = (
            zone_key,
            weekly,
            tuple(sorted(holidays)),
            tuple(sorted(exceptions.items())),
            recurring_holidays,
            recurring_exceptions,
        )
        self._hash = hash(self.key)

    def __eq__(self, other: object) -> bool:
        return self is other or (isinstance(other, _Plan) and self.key == other.key)

    def __hash__(self) -> int:
        return self._hash

    def __getstate__(self) -> tuple[Any, ...]:
        return (
            self.zone.key,
            self.weekly,
            self.holidays,
            self.exceptions,
            self.recurring_holidays,
            self.recurring_exceptions,
        )

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self._build(*state)

    def may_jump(self) -> bool:
        """Whether a search may skip days: jumps are on and some era is empty or covers
        the week (a plain weekly schedule is walked without asking for eras each day)."""
        if not self.jumps:
            return False
        return any(era.empty or era.covering for era in self._cut()[0])

    def era_of(self, day: date) -> _Era:
        """The era (:class:`_Era`) that holds ``day``. The eras are cut where a recurring
        rule that names every day (:func:`every_day`) starts or ends: inside one, such a
        rule names every day or none. Cut at the first search."""
        eras, starts = self._cut()
        return eras[bisect_right(starts, day) - 1]

    def _cut(self) -> tuple[tuple[_Era, ...], tuple[date, ...]]:
        """The eras and their first days, cut once and published in one assignment: a
        search in another thread sees both or neither (eras stored before their first
        days sent a search between the two to the last era)."""
        cut = self._eras
        if cut is None:
            eras = self._cut_eras()
            cut = self._eras = (eras, tuple(era.first for era in eras))
        return cut

    def _cut_eras(self) -> tuple[_Era, ...]:
        rules = (*self.recurring_holidays, *(rule for rule, _ in self.recurring_exceptions))
        ranges = {rule: every_day(rule) for rule in rules}
        cuts = {date.min}
        for found in ranges.values():
            if found is not None:
                cuts.add(found[0])
                if found[1] < date.max:
                    cuts.add(found[1] + _DAY)
        starts = sorted(cuts)
        ends = [start - _DAY for start in starts[1:]] + [date.max]
        return tuple(
            self._era(first, last, ranges) for first, last in zip(starts, ends, strict=True)
        )

    def _era(self, first: date, last: date, ranges: dict[str, tuple[date, date] | None]) -> _Era:
        """The era from ``first`` to ``last``: the precedence of :meth:`spans_on`, with a
        rule that names every day of it as its base and those that name none dropped."""

        def every(rule: str) -> bool | None:
            """True: names every day of the era; False: none; None: some, maybe."""
            found = ranges[rule]
            if found is None:
                return None
            return found[0] <= first and last <= found[1]

        claiming: list[tuple[str, tuple[tuple[int, int], ...]]] = []
        for rule, spans in self.recurring_exceptions:
            if every(rule):
                return _Era(first, last, (spans,) * 7, self, claiming)
            if every(rule) is None:
                claiming.append((rule, spans))
        if any(every(rule) for rule in self.recurring_holidays):
            return _Era(first, last, ((),) * 7, self, claiming)
        claiming.extend((rule, ()) for rule in self.recurring_holidays if every(rule) is None)
        return _Era(first, last, self.weekly, self, claiming)

    def spans_on(self, day: date) -> tuple[tuple[int, int], ...]:
        """The minute spans of the windows that start on ``day``."""
        spans = self.exceptions.get(day)
        if spans is not None:
            return spans
        if day in self.holidays:
            return ()
        for rule, recurring in self.recurring_exceptions:
            if occurs_on(rule, day):
                return recurring
        for rule in self.recurring_holidays:
            if occurs_on(rule, day):
                return ()
        return self.weekly[day.weekday()]


@lru_cache(maxsize=1)
def iana_zone_keys() -> frozenset[str]:
    """The time-zone keys :class:`OfficeHours` accepts: the IANA database's zone names as
    the ``tzdata`` package lists them (links such as ``US/Eastern`` included), without
    ``Factory``. A host's own files (``localtime``, ``posixrules``, ``right/...``) are not
    IANA keys: they mean different things on different machines, so they are refused."""
    names = resources.files("tzdata").joinpath("zones").read_text("utf-8").split()
    return frozenset(names) - {"Factory"}


def _iana_zone(key: str) -> ZoneInfo | None:
    """The zone of an IANA time-zone key (:func:`iana_zone_keys`), or ``None`` for text
    that is none, or whose data cannot be loaded."""
    if key not in iana_zone_keys():
        return None
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


@lru_cache(maxsize=4096)
def _day_intervals(plan: _Plan, day: date) -> tuple[Interval, ...]:
    """The UTC intervals of the windows starting on local ``day``, in order, empty ones dropped."""
    spans = plan.spans_on(day)
    if not spans:
        return ()
    midnight = datetime.combine(day, time())
    intervals: list[Interval] = []
    for first, last in spans:
        start = wall_time_to_utc(midnight + timedelta(minutes=first), plan.zone)
        end = wall_time_to_utc(midnight + timedelta(minutes=last), plan.zone)
        if end > start:
            intervals.append((start, end))
    return tuple(intervals)


def _local_day(plan: _Plan, instant: datetime) -> date:
    return instant.astimezone(plan.zone).date()


def _periods(plan: _Plan, since: datetime, until: datetime) -> Iterator[Interval]:
    """Maximal open periods that end after ``since``, in order, up to those starting by ``until``.

    Windows of the day before ``since``'s local date are included because an
    overnight window can still be open; earlier days' windows end before the local
    date began. The first period may have started before ``since``; a period that
    goes on past ``until`` is cut where the windows examined end, so callers treat
    an end after ``until`` as "at least this late".
    """
    day = _local_day(plan, since) - _DAY
    # One day more than `until`'s local date: after a clock falls back over midnight
    # the next date's windows may already have begun.
    last_day = _local_day(plan, until) + _DAY
    if plan.last_open_day is not None:
        last_day = min(last_day, plan.last_open_day)
    current: Interval | None = None
    # The days are cut into eras (_Plan.era_of); in each, every day holds the era's base
    # windows except the irregular days it names (dated entries, recurring rules' dates).
    # Where the base holds no window, the days between irregular days add nothing: the
    # walk goes to the next irregular day (or the next era). Where the base covers the
    # week, from the day after a day that holds its base windows (`day - 1`) up to the
    # next irregular day, every instant is covered by a window starting that day or the
    # day before (none is longer than a day), and the period open now runs unbroken
    # through those days, provided it reaches `day`'s midnight (the windows of `day - 1`
    # may all fall in a skipped day: Samoa's 30 December 2011). The walk jumps to the
    # next irregular day (or the next era, or the day before `last_day`); the windows of
    # the day before the jump end at least as late as any it skips (one of them covers
    # that day's last minute, which earlier windows end before; the day before that is
    # taken too, for a clock that skips that minute), and the days from there are walked
    # as usual, up to the next stretch. A walk costs a few days per irregular day.
    jumps = plan.may_jump()
    while day <= last_day:
        if jumps:
            era = plan.era_of(day)
            if era.empty:
                stop = min(last_day, era.last)
                found = era.next_irregular(day, stop)
                if found is None:
                    if stop == last_day:
                        break
                    day = era.last + _DAY
                    continue
                day = found
            elif current is not None:
                era = plan.era_of(day - _DAY)
                if era.covering:
                    target = last_day - _DAY
                    if era.last < target:
                        target = era.last + _DAY
                    found = era.next_irregular(day - _DAY, target)
                    if found is not None:
                        target = found
                    if day <= target - 2 * _DAY and current[1] >= _midnight(plan, day):
                        day = target
                        ends = [
                            end
                            for back in (2, 1)
                            for _, end in _day_intervals(plan, day - back * _DAY)
                        ]
                        current = (current[0], max((current[1], *ends)))
        for start, end in _day_intervals(plan, day):
            if current is None:
                current = (start, end)
            elif start <= current[1]:
                if end > current[1]:
                    current = (current[0], end)
            else:
                if current[1] > since:
                    yield current
                current = (start, end)
        day += _DAY
    if current is not None and current[1] > since:
        yield current


def _midnight(plan: _Plan, day: date) -> datetime:
    """The instant local ``day`` begins."""
    return wall_time_to_utc(datetime.combine(day, time()), plan.zone)


def _limit(start: datetime, horizon: timedelta) -> datetime:
    if not isinstance(horizon, timedelta):
        raise ArgumentTypeError(f"horizon must be a timedelta, got {type(horizon).__name__}")
    if horizon <= timedelta(0):
        raise ValidationError(f"horizon must be positive, got {horizon!r}")
    # The end of the calendar when the horizon reaches past it (a horizon longer than
    # the whole calendar, timedelta.max included, cannot be subtracted from its end).
    if horizon >= _MAX_UTC - start:
        return _MAX_UTC
    return start + horizon


def _instant(value: datetime, what: str) -> datetime:
    instant = require_aware(value, what)
    if not _MIN_UTC <= instant <= _MAX_UTC:
        raise ValidationError(f"{what} is too close to the ends of the datetime range")
    return instant


_JSON_INPUT = "helpdesk_routing.calendar.json_input"
"""The validation context key :meth:`OfficeHours.from_dict` sets: the input is decoded JSON."""

JSON_INPUT: Final[Mapping[str, bool]] = MappingProxyType({_JSON_INPUT: True})
"""The validation context that says the data is decoded JSON, for a model that holds
office hours read in Python mode (``Scenario.model_validate(data, context=JSON_INPUT)``):
``holidays`` must then be a list, as the JSON Schema says."""


def _json_input(info: ValidationInfo) -> bool:
    """Whether the office hours being validated were given as JSON (text or decoded)."""
    return info.mode == "json" or bool(
        isinstance(info.context, Mapping) and info.context.get(_JSON_INPUT)
    )


def _plain_date(value: object) -> bool:
    """Whether ``value`` is a ``date`` (not a ``datetime``) or its text ``YYYY-MM-DD``:
    how a holiday or an exception's key may be given."""
    if isinstance(value, str):
        return DATE_TEXT.fullmatch(value) is not None
    return isinstance(value, date) and not isinstance(value, datetime)


def _holiday_problem(day: object) -> str | None:
    """Why ``day`` is no holiday (not a date nor its text, or text naming a day the
    calendar does not have: ``"2026-02-30"``), or ``None``. pydantic's own message for a
    day that does not exist speaks of a "date or datetime", which a holiday cannot be."""
    if not _plain_date(day):
        return f'a holiday is a date or its text "YYYY-MM-DD", got {day!r}'
    return _missing_day("holiday", day) if isinstance(day, str) else None


def _missing_day(what: str, day: str) -> str | None:
    """Why the text ``day`` (``YYYY-MM-DD``) names no day of the calendar
    (``"2026-02-30"``), saying it of ``what``; ``None`` for a day that exists."""
    try:
        date.fromisoformat(day)
    except ValueError as exc:
        return f"{what} {day!r}: the date does not exist ({exc})"
    return None


def _key_text(key: object) -> str:
    """An exception's key as its errors locate it: a date or datetime by its ISO text,
    text as it is, anything else by its ``repr``."""
    if isinstance(key, date):
        return key.isoformat()
    return key if isinstance(key, str) else repr(key)


def _located(data: object) -> object:
    """Office-hours input with its ``exceptions`` keyed as its errors locate them
    (:func:`_key_text`), so the path of a problem found in a day keeps the date."""
    if isinstance(data, Mapping):
        exceptions = data.get("exceptions")
        if isinstance(exceptions, Mapping):
            return {**data, "exceptions": {_key_text(k): v for k, v in exceptions.items()}}
    return data


class RecurringException(InputModel):
    """Windows for the local dates an RRULE names: ``{"rule": "FREQ=YEARLY;BYMONTH=12;
    BYMONTHDAY=24", "windows": [["09:00", "13:00"]]}`` (``[]`` closes those dates)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule: RRule
    windows: tuple[Window, ...]


class OfficeHours(InputModel):
    """A weekly schedule in a time zone, with holidays and exceptions (the rules: module docstring).

    On bad input ``OfficeHours(...)`` and ``model_validate`` raise
    :class:`helpdesk_routing.errors.ModelValidationError` (this library's
    ``ValidationError`` and pydantic's at once); :meth:`from_dict` and :meth:`from_json`
    raise :class:`helpdesk_routing.errors.ValidationError`. Either's ``paths`` name the
    bad parts (``$.weekly.mon[1]``, ``$.exceptions.2026-12-24[0]``)::

        hours = OfficeHours(
            timezone="Europe/Amsterdam",
            weekly={day: [("09:00", "17:00")] for day in ("mon", "tue", "wed", "thu", "fri")},
            holidays=[date(2026, 12, 25)],
            exceptions={date(2026, 12, 24): [("09:00", "13:00")]},
        )
        hours.is_open(datetime(2026, 3, 30, 7, 0, tzinfo=UTC))  # True: 09:00 local

    Input is normalised: days in weekday order without empty ones, windows by start,
    holidays sorted without repeats, exceptions by date. The model is frozen; treat its dicts as
    read-only too.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str
    """An IANA time-zone key such as ``"Europe/Amsterdam"`` (a ``ZoneInfo`` gives its key)."""
    weekly: dict[Weekday, tuple[Window, ...]] = Field(default_factory=dict)
    """Weekday -> windows; a day that is missing or empty is closed."""
    holidays: tuple[date, ...] = ()
    """Local dates closed all day; a mapping (a ``holidays`` package calendar) gives its keys."""
    exceptions: dict[date, tuple[Window, ...]] = Field(default_factory=dict)
    """Local date -> windows that replace the weekday's (``[]``: closed that day)."""
    recurring_holidays: tuple[RRule, ...] = ()
    """RFC 5545 RRULEs of local dates closed all day: ``"FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"``."""
    recurring_exceptions: tuple[RecurringException, ...] = ()
    """RRULEs of local dates with their own windows; the first rule that names a date wins."""

    _plan: _Plan = PrivateAttr()

    @field_validator("recurring_exceptions")
    @classmethod
    def _valid_recurring_exceptions(
        cls, recurring: tuple[RecurringException, ...]
    ) -> tuple[RecurringException, ...]:
        problems: list[InitErrorDetails] = [
            {**p, "loc": (i, "windows", *p["loc"][1:])}
            for i, r in enumerate(recurring)
            for p in _check_day(r.windows, "windows")
        ]
        if problems:
            raise PydanticValidationError.from_exception_data(cls.__name__, problems)
        return tuple(
            RecurringException(rule=r.rule, windows=_sorted_windows(r.windows)) for r in recurring
        )

    @field_validator("timezone", mode="before")
    @classmethod
    def _zone_key(cls, value: object) -> object:
        # From Python a ZoneInfo is the natural way to name a zone; its key is what is
        # kept (and checked below). One read from a file has no key to keep.
        if isinstance(value, ZoneInfo):
            if value.key is None:
                raise PydanticCustomError(
                    "time_zone",
                    "a ZoneInfo read from a file has no IANA key to keep; give the key",
                )
            return value.key
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, key: str) -> str:
        if _iana_zone(key) is None:
            raise PydanticCustomError("time_zone", f"unknown time zone {key!r}")
        return key

    @field_validator("weekly")
    @classmethod
    def _valid_weekly(
        cls, weekly: dict[Weekday, tuple[Window, ...]]
    ) -> dict[Weekday, tuple[Window, ...]]:
        problems = [p for day, windows in weekly.items() for p in _check_day(windows, day)]
        if problems:
            raise PydanticValidationError.from_exception_data(cls.__name__, problems)
        # A missing and an empty day are one schedule: the empty one is dropped, so
        # equality, hash and JSON agree.
        return {day: _sorted_windows(weekly[day]) for day in _WEEKDAYS if weekly.get(day)}

    @field_validator("holidays", mode="before")
    @classmethod
    def _holiday_keys(cls, value: object, info: ValidationInfo) -> object:
        """The holidays as a list (from Python, a mapping gives its keys), each a ``date``
        or its text ``"YYYY-MM-DD"``, as an exception's key. pydantic would also read a unix
        timestamp (``1766620800``: 2025-12-25), a datetime's text or bytes as a date, and
        name ``"20261225"`` a datetime with a time: those are refused, by index. JSON
        (:meth:`from_json`, :meth:`from_dict`, ``model_validate_json``) gives a list, as the
        published schema says: an object there is refused."""
        if isinstance(value, Mapping) and _json_input(info):
            raise PydanticCustomError(
                "holidays_list",
                'holidays is a list of dates "YYYY-MM-DD" in JSON, got an object '
                "(a mapping is read from Python only)",
            )
        if isinstance(value, (Mapping, set, frozenset)):
            value = list(value)
        if not isinstance(value, (list, tuple)):
            return value  # pydantic names what is not a list
        problems = [
            _error((i,), "date_text", problem, day)
            for i, day in enumerate(value)
            if (problem := _holiday_problem(day)) is not None
        ]
        if problems:
            raise PydanticValidationError.from_exception_data(cls.__name__, problems)
        return value

    @field_validator("holidays")
    @classmethod
    def _sorted_holidays(cls, holidays: tuple[date, ...]) -> tuple[date, ...]:
        return tuple(sorted(set(holidays)))

    @field_validator("exceptions", mode="before")
    @classmethod
    def _iso_keys(cls, value: object) -> object:
        """The exceptions keyed by ISO text: pydantic locates errors by the key as given,
        and ISO text keeps paths readable.

        A key is a ``date`` or its text ``"YYYY-MM-DD"``. pydantic would also read a
        datetime, ``"2026-12-24T00:00:00"``, a timestamp or bytes as that date, so two
        spellings of one day collapsed and one day's windows were silently lost; those
        spellings are refused, and a date given both as a ``date`` and as text is
        refused as a duplicate key, naming both.
        """
        if not isinstance(value, Mapping):
            return value
        problems: list[InitErrorDetails] = []
        given: dict[str, object] = {}
        out: dict[object, object] = {}
        for key, windows in value.items():
            text = _key_text(key)
            if not _plain_date(key):
                problems.append(
                    _error(
                        (text,),
                        "date_key",
                        f'an exception\'s key is a date or its text "YYYY-MM-DD", got {key!r}',
                        windows,
                    )
                )
            elif isinstance(key, str) and (missing := _missing_day("exception", key)):
                # pydantic's own wording speaks of a "date or datetime", which a key
                # cannot be (the holidays are worded the same)
                problems.append(_error((text,), "date_key", missing, windows))
            elif text in given:
                problems.append(
                    _error(
                        (text,),
                        "duplicate_key",
                        f"duplicate key {text!r}: {given[text]!r} and {key!r} name one date",
                        windows,
                    )
                )
            given.setdefault(text, key)
            out[text] = windows
        if problems:
            raise PydanticValidationError.from_exception_data(cls.__name__, problems)
        return out

    @field_validator("exceptions")
    @classmethod
    def _valid_exceptions(
        cls, exceptions: dict[date, tuple[Window, ...]]
    ) -> dict[date, tuple[Window, ...]]:
        problems = [
            p for day, windows in exceptions.items() for p in _check_day(windows, day.isoformat())
        ]
        if problems:
            raise PydanticValidationError.from_exception_data(cls.__name__, problems)
        return {day: _sorted_windows(exceptions[day]) for day in sorted(exceptions)}

    @model_validator(mode="after")
    def _holiday_or_exception(self) -> Self:
        both = sorted(set(self.holidays) & set(self.exceptions))
        if both:
            raise PydanticValidationError.from_exception_data(
                type(self).__name__,
                [
                    _error(
                        ("exceptions", day.isoformat()),
                        "holiday_exception",
                        f"{day.isoformat()} is both a holiday and an exception",
                        [list(w) for w in self.exceptions[day]],
                    )
                    for day in both
                ],
            )
        return self

    def model_post_init(self, context: Any, /) -> None:
        """Compile the schedule for fast lookups (runs once, after validation)."""
        self._plan = _Plan(self)

    def __hash__(self) -> int:
        return hash(self._compiled())

    def _compiled(self) -> _Plan:
        # pydantic serves private attributes through __getattr__, at about 1.5 µs a
        # read, a cost is_open cannot afford; the dict behind them is a slot.
        return cast(_Plan, cast(dict[str, Any], self.__pydantic_private__)["_plan"])

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """Return a copy with ``update`` applied; unlike pydantic's default, it is validated."""
        return self.model_validate({**self.model_dump(), **(update or {})})

    @classmethod
    def _input_details(cls, error: PydanticValidationError, data: Any) -> list[ErrorDetail] | None:
        # Errors in exceptions are located by the day's ISO text (see _iso_keys); the
        # input is read with the same keys so a date key given from Python stays in
        # the path ($.exceptions.2026-12-24[1], not $.exceptions[1]).
        return super()._input_details(error, _located(data))

    @classmethod
    def always_open(cls, timezone: str) -> Self:
        """Open around the clock, every day (24/7), in ``timezone``."""
        return cls(timezone=timezone, weekly=dict.fromkeys(_WEEKDAYS, (("00:00", "24:00"),)))

    @classmethod
    def from_dict(cls, data: object) -> Self:
        """Validate plain data (decoded JSON); raise our ``ValidationError`` with JSON paths."""
        try:
            return cls.model_validate(data, context={_JSON_INPUT: True})
        except PydanticValidationError as error:
            raise ValidationError.from_pydantic(
                "office hours", error, data=_located(data)
            ) from None

    @classmethod
    def from_json(cls, text: str | bytes) -> Self:
        """Parse strict JSON (``helpdesk_routing._json``) and validate it; raise our
        ``ValidationError`` with JSON paths for either."""
        return cls.from_dict(loads(text, "office hours"))

    @property
    def zone(self) -> ZoneInfo:
        """The time zone, as a :class:`zoneinfo.ZoneInfo`."""
        return self._compiled().zone

    def is_open(self, at: datetime) -> bool:
        """Whether the office is open at the instant ``at``."""
        instant = _instant(at, "at")
        plan = self._compiled()
        day = _local_day(plan, instant)
        # The day before for overnight windows; the day after because a clock that
        # falls back over midnight reads the old date after the new one began.
        for candidate in (day - _DAY, day, day + _DAY):
            for start, end in _day_intervals(plan, candidate):
                if start <= instant < end:
                    return True
        return False

    def next_open(
        self, after: datetime, *, horizon: timedelta = DEFAULT_HORIZON
    ) -> datetime | None:
        """The first instant at or after ``after`` when the office is open (``after`` if open).

        ``None`` when it does not open within ``horizon`` of ``after``.
        """
        since = _instant(after, "after")
        until = _limit(since, horizon)
        for start, _ in _periods(self._compiled(), since, until):
            opening = max(start, since)
            return opening if opening <= until else None
        return None

    def next_close(
        self, after: datetime, *, horizon: timedelta = DEFAULT_HORIZON
    ) -> datetime | None:
        """The first instant at or after ``after`` when the office is closed (``after`` if closed).

        ``None`` when it stays open for all of ``horizon`` (a 24/7 calendar never closes).
        """
        since = _instant(after, "after")
        until = _limit(since, horizon)
        for start, end in _periods(self._compiled(), since, until):
            if start > since:
                return since
            return end if end <= until else None
        return since

    def open_periods(self, start: datetime, end: datetime) -> Iterator[Interval]:
        """The open periods within ``[start, end)`` as ``(opens, closes)`` UTC pairs, in order.

        Periods are clipped to ``[start, end)`` and maximal: windows that touch or
        overlap (a 24/7 calendar, an overnight shift meeting the next morning's) come
        out as one period. Nothing when ``end <= start``.
        """
        since = _instant(start, "start")
        until = _instant(end, "end")
        return self._clipped(since, until)

    def _clipped(self, since: datetime, until: datetime) -> Iterator[Interval]:
        if until <= since:
            return
        for opens, closes in _periods(self._compiled(), since, until):
            if opens >= until:
                return
            yield max(opens, since), min(closes, until)

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Open time between two instants; negative when ``end`` is before ``start``.

        Real elapsed time: ``business_time_between(a, b) == -business_time_between(b, a)``.
        """
        since = _instant(start, "start")
        until = _instant(end, "end")
        if until < since:
            return -self.business_time_between(until, since)
        total = timedelta(0)
        for opens, closes in self._clipped(since, until):
            total += closes - opens
        return total

    def add_business_time(
        self, start: datetime, duration: timedelta, *, horizon: timedelta = DEFAULT_HORIZON
    ) -> datetime | None:
        """The earliest instant by which ``duration`` of business time has passed since ``start``.

        For SLA due dates: ``business_time_between(start, result) == duration``. A zero
        duration gives ``start``. ``None`` when the result lies beyond ``horizon``.
        A negative ``duration`` raises :class:`~helpdesk_routing.errors.ValidationError`.
        """
        since = _instant(start, "start")
        if not isinstance(duration, timedelta):
            raise ArgumentTypeError(f"duration must be a timedelta, got {type(duration).__name__}")
        if duration < timedelta(0):
            raise ValidationError(f"duration must not be negative, got {duration!r}")
        until = _limit(since, horizon)
        if not duration:
            return since
        if duration > until - since:
            return None  # business time never runs faster than the clock
        remaining = duration
        for opens, closes in _periods(self._compiled(), since, until):
            opens = max(opens, since)
            if opens >= until:
                return None
            if closes - opens >= remaining:
                due = opens + remaining
                return due if due <= until else None
            remaining -= closes - opens
        return None
