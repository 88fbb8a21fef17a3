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

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import Any, Final, Self, cast
from zoneinfo import ZoneInfo

from pydantic import (
    ConfigDict,
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from helpdesk_routing._input import CheckedCopy, InputModel

from ._json import loads
from ._open_time import (
    _DAY,
    _MAX_UTC,
    _WEEKDAYS,
    Interval,
    Weekday,
    Window,
    _day_intervals,
    _limit,
    _local_day,
    _minutes,
    _periods,
    _Plan,
    _span,
)
from ._recurrence import RRule
from ._time import DATE_TEXT, require_aware
from ._zones import iana_zone, iana_zone_keys, wall_time_to_utc
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


DEFAULT_HORIZON = timedelta(days=2 * 366)
"""How far the searches look ahead unless told otherwise: two years."""

_MIN_UTC = datetime.min.replace(tzinfo=UTC) + timedelta(days=7)


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
    """A day's windows by start, an end at the next midnight spelt ``"24:00"``: a window
    ending ``"00:00"`` ends there too (``22:00-00:00`` is ``22:00-24:00``, ``00:00-00:00``
    lasts 24 hours, ``00:00-24:00``), so one schedule has one form (equality, JSON)."""
    return tuple(sorted(((w[0], "24:00") if w[1] == "00:00" else w for w in windows), key=_span))


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


def json_input(info: ValidationInfo) -> bool:
    """Whether the data being validated was given as JSON: text (JSON mode), or decoded
    and validated in Python mode with :data:`JSON_INPUT` (``Scenario.from_json``,
    ``simulate``), which must read it as JSON text is read."""
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


_WINDOWS: TypeAdapter[tuple[Window, ...]] = TypeAdapter(tuple[Window, ...])


def _day_problems(windows: object, path: str) -> list[ErrorDetail]:
    """The problems :func:`_check_day` finds in one day's windows as given, at
    ``path[i]`` (none when they cannot be read as windows: that is said where they are)."""
    try:
        read = _WINDOWS.validate_python(windows)
    except PydanticValidationError:
        return []
    out = []
    for problem in _check_day(read, ""):
        kind = problem["type"]
        assert isinstance(kind, PydanticCustomError)  # (as _check_day makes them)
        out.append(ErrorDetail(f"{path}[{problem['loc'][1]}]", kind.message(), kind.type))
    return out


def _day_of(key: object) -> date | None:
    """The day an exception's key or a holiday names, or ``None`` when it names none."""
    if isinstance(key, str):
        if DATE_TEXT.fullmatch(key) is None or _missing_day("day", key) is not None:
            return None
        return date.fromisoformat(key)
    return key if _plain_date(key) else None  # type: ignore[return-value]


def _hidden_problems(data: object) -> list[ErrorDetail]:
    """The problems of office-hours input that a failing part hides from the model's
    own checks: the windows of each day whose key is right, of each recurring exception
    whatever its rule, of each exception whose date is right, and a day both a holiday
    and an exception, each where :meth:`OfficeHours.from_dict` names it."""
    if not isinstance(data, Mapping):
        return []
    found: list[ErrorDetail] = []
    weekly = data.get("weekly")
    if isinstance(weekly, Mapping):
        for day, windows in weekly.items():
            if day in _WEEKDAYS:
                found += _day_problems(windows, f"$.weekly.{day}")
    recurring = data.get("recurring_exceptions")
    if isinstance(recurring, list | tuple):
        for i, item in enumerate(recurring):
            if isinstance(item, Mapping) and "windows" in item:
                found += _day_problems(item["windows"], f"$.recurring_exceptions[{i}].windows")
    exceptions = data.get("exceptions")
    days: set[date] = set()
    if isinstance(exceptions, Mapping):
        for key, windows in exceptions.items():
            day = _day_of(key)
            if day is not None:
                days.add(day)
                found += _day_problems(windows, f"$.exceptions.{day.isoformat()}")
    holidays = data.get("holidays")
    if isinstance(holidays, list | tuple):
        both = sorted(days & {d for d in map(_day_of, holidays) if d is not None})
        found += [
            ErrorDetail(
                f"$.exceptions.{day.isoformat()}",
                f"{day.isoformat()} is both a holiday and an exception",
                "holiday_exception",
            )
            for day in both
        ]
    return found


class RecurringException(CheckedCopy):
    """Windows for the local dates an RRULE names: ``{"rule": "FREQ=YEARLY;BYMONTH=12;
    BYMONTHDAY=24", "windows": [["09:00", "13:00"]]}`` (``[]`` closes those dates)."""

    model_config = ConfigDict(frozen=True, extra="forbid", revalidate_instances="always")

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
        if iana_zone(key) is None:
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
        if isinstance(value, Mapping) and json_input(info):
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
    def always_open(cls, timezone: str | ZoneInfo) -> Self:
        """Open around the clock, every day (24/7), in ``timezone`` (a key, or a
        ``ZoneInfo`` giving its key, as for ``OfficeHours(timezone=...)``)."""
        return cls(timezone=timezone, weekly=dict.fromkeys(_WEEKDAYS, (("00:00", "24:00"),)))

    @classmethod
    def from_dict(cls, data: object) -> Self:
        """Validate plain data (decoded JSON); raise our ``ValidationError`` with JSON paths."""
        try:
            return cls.model_validate(data, context={_JSON_INPUT: True})
        except PydanticValidationError as error:
            found = ValidationError.from_pydantic("office hours", error, data=_located(data))
        # A part that failed stops the checks made after it (the windows of a day are
        # checked once every day's key is right): those are made again here, on the
        # parts that can be read, so that every problem is named at once.
        named = {d.path for d in found.details}
        hidden = [d for d in _hidden_problems(data) if d.path not in named]
        raise ValidationError(found.message, [*found.details, *hidden])

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
