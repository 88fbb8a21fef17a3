"""When office hours are open: the plan an :class:`~helpdesk_routing.calendar.OfficeHours`
compiles, which its questions walk (``is_open``, ``next_open``, ``next_close``,
``open_periods``, ``business_time_between``, ``add_business_time``).

A plan splits time into eras, stretches of days that hold the same windows but for
dated entries and recurring rules, so that a search jumps over days it knows to be
closed (or, in a week that never closes, open) instead of walking them one by one.
The model and its rules are ``helpdesk_routing.calendar``; ``docs/calendar.md`` states
them.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, get_args
from zoneinfo import ZoneInfo

from ._recurrence import every_day, next_occurrence, occurs_on
from ._zones import wall_time_to_utc
from .errors import ArgumentTypeError, ValidationError

if TYPE_CHECKING:
    from .calendar import OfficeHours

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
"""The keys of :attr:`OfficeHours.weekly`, Monday first (public as
``helpdesk_routing.calendar.Weekday``)."""

Window = tuple[str, str]
"""One opening window, ``("HH:MM", "HH:MM")``: start and end in local wall time (public
as ``helpdesk_routing.calendar.Window``)."""

_WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)


_DAY = timedelta(days=1)


# Room for a day's windows (up to two days long) and any UTC offset at either end.
_MAX_UTC = datetime.max.replace(tzinfo=UTC) - timedelta(days=7)


_HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])|24:00")


Interval = tuple[datetime, datetime]


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
