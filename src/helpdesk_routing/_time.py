"""Time rules, written once: aware datetimes only, UTC inside, inside the calendar.

- A datetime must carry a time zone; it is kept in UTC.
- Every instant lies in years 1 to 9999 *in UTC* (Python's ``datetime`` range). An
  aware datetime whose UTC reading falls outside (``0001-01-01T00:30+01:00``) is
  rejected where it is given, never left to overflow later.
- A relative span (``in_last`` / ``in_next``) is at most as long as that whole range
  (:data:`MAX_SPAN`); a window that reaches past year 1 or 9999 from ``now`` is
  clamped to the end of the range, so it holds every instant on that side
  (:func:`shift_clamped`).
- Date-time text in the condition JSON is read one way (:func:`condition_date_time`):
  the forms :data:`DATE_TIME_PATTERN` takes (the JSON Schema's pattern), when they name
  a moment that exists.
"""

from __future__ import annotations

import math
import numbers
import re
from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from .errors import NAIVE, ArgumentTypeError, ErrorDetail, NaiveDatetimeError, ValidationError

__all__ = [
    "DATE_TEXT",
    "DATE_TIME_PATTERN",
    "MAX_SPAN",
    "OUT_OF_RANGE",
    "NaiveText",
    "UtcDatetime",
    "condition_date_time",
    "parse_instant",
    "require_aware",
    "seconds",
    "shift_clamped",
    "to_utc",
]

MAX_SPAN = datetime.max.replace(tzinfo=UTC) - datetime.min.replace(tzinfo=UTC)
"""The longest relative span accepted: from the first to the last representable instant."""

OUT_OF_RANGE = "must lie in years 1 to 9999 in UTC"
"""The message of an instant whose UTC reading falls outside the calendar."""

DATE_TIME_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?"
    r"([Zz]|[+-]([01][0-9]|2[0-3])(:[0-5][0-9](:[0-5][0-9])?|[0-5][0-9]([0-5][0-9])?)?)$"
)
"""Date-time text with a UTC offset, as the condition JSON writes it (the JSON Schemas'
pattern): ``YYYY-MM-DD``, ``T`` (or ``t`` or a space), ``HH:MM[:SS[.fraction]]`` (the
fraction's mark a period or a comma), then ``Z`` or an offset ``+HH[:MM[:SS]]`` (or
``+HHMM[SS]``, without colons): hours 00 to 23, minutes and seconds 00 to 59 (Python's
``fromisoformat`` reads ``+00:99`` as an offset of 1:39, silently)."""

_DATE_TIME_TEXT = re.compile(DATE_TIME_PATTERN)

DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
"""Date-only text, ``YYYY-MM-DD`` (use ``fullmatch``): the one spelling of a date the
library reads from text (office hours' holidays and exceptions, date values in
conditions), where Python's ``fromisoformat`` reads more (week and basic forms)."""
_NAIVE_TEXT = re.compile(DATE_TIME_PATTERN[: DATE_TIME_PATTERN.index("([Zz]")] + "$")
_BAD_OFFSET = re.compile(
    DATE_TIME_PATTERN[1 : DATE_TIME_PATTERN.index("([Zz]")] + r"(?P<offset>[+-][0-9:]+)"
)
_OFFSET_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9:.,]*([Zz]|[+-][0-9])")
"""Text a model's instant reads with :func:`condition_date_time`: a date and a time
followed by an offset, well formed or not (other text is left to pydantic, which names
what it is)."""


class NaiveText(ValueError):
    """Date-time text of the right form without a UTC offset (its message is ``NAIVE``)."""


DATE_TIME_EXAMPLE = "'2026-03-30T12:00:00Z' or '2026-03-30T14:00:00+02:00'"


def condition_date_time(text: str) -> datetime:
    """Date-time text of the condition JSON (an operator's value, a window's bounds) as an
    aware ``datetime``: text of :data:`DATE_TIME_PATTERN` naming a moment that exists.
    ``ValueError`` with a message naming the text otherwise (the basic ISO forms
    ``20260330T120000Z``, week dates, a lone hour, ``T24:00``, a 30th of February), and
    :class:`NaiveText` (message :data:`~helpdesk_routing.errors.NAIVE`) for text of the
    right form without an offset."""
    if _DATE_TIME_TEXT.fullmatch(text) is None:
        if _NAIVE_TEXT.fullmatch(text) is not None:
            raise NaiveText(NAIVE)
        offset = _BAD_OFFSET.fullmatch(text)
        if offset is not None:
            raise ValueError(
                f"{text!r} has no UTC offset that exists: {offset.group('offset')!r} is not "
                "+HH[:MM[:SS]] with hours 00 to 23, minutes and seconds 00 to 59"
            )
        raise ValueError(f"{text!r} is not a date-time with a UTC offset, like {DATE_TIME_EXAMPLE}")
    try:
        return datetime.fromisoformat(text[:-1] + "Z" if text[-1] == "z" else text)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a date-time that exists: {exc}") from None


_MIN_UTC = datetime.min.replace(tzinfo=UTC)
_MAX_UTC = datetime.max.replace(tzinfo=UTC)


def shift_clamped(moment: datetime, delta: timedelta) -> datetime:
    """``moment + delta``, clamped to the first or last representable instant (in UTC)."""
    try:
        return moment + delta
    except OverflowError:
        return _MAX_UTC if delta > timedelta(0) else _MIN_UTC


def plain(value: datetime) -> datetime:
    """``value`` as a ``datetime`` itself when it is a subclass's (a pandas ``Timestamp``):
    its nanoseconds cut, as the SQL stores cut them, so that every store and every
    comparison sees the same instant (the in-memory store kept the nanoseconds, and a
    resent ticket was another ticket on SQLite)."""
    if type(value) is datetime:
        return value
    return datetime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
        tzinfo=value.tzinfo,
        fold=value.fold,
    )


def _utc(value: datetime) -> datetime:
    try:
        return plain(value).astimezone(UTC)
    except OverflowError:
        raise PydanticCustomError("datetime_range", OUT_OF_RANGE) from None


def parse_instant(value: object, what: str = "instant") -> datetime:
    """Read a client-supplied instant (an aware ``datetime`` or ISO-8601 text with an
    offset) as UTC; anything else, or one outside years 1 to 9999 in UTC, raises
    :class:`~helpdesk_routing.errors.ValidationError` naming ``what``.

    Meant for values a client sends back (a view's page cursor): they must fail as bad
    input, never as an ``OverflowError`` deep in a store.
    """
    moment: datetime
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError(
                f"invalid {what}", [ErrorDetail("$", f"not an ISO-8601 date-time: {value!r}")]
            ) from None
    else:
        raise ValidationError(
            f"invalid {what}", [ErrorDetail("$", f"not a date-time: {type(value).__name__}")]
        )
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        raise NaiveDatetimeError(what)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValidationError(f"invalid {what}", [ErrorDetail("$", OUT_OF_RANGE)]) from None


def require_aware(value: datetime, what: str = "datetime") -> datetime:
    """Return ``value`` in UTC; raise :class:`NaiveDatetimeError` when it has no time zone,
    and :class:`~helpdesk_routing.errors.ArgumentTypeError` (a ``ValidationError`` and a
    ``TypeError``) when it is no datetime (a date, text, ``None``)."""
    if type(value) is datetime and value.tzinfo is UTC:
        return value  # what ``astimezone(UTC)`` returns for it (a clock's every reading)
    if not isinstance(value, datetime):
        raise ArgumentTypeError(
            f"{what} must be an aware datetime, got {type(value).__name__} {value!r}"
        )
    zone = value.tzinfo
    if zone is None or zone.utcoffset(value) is None:
        raise NaiveDatetimeError(what)
    try:
        return plain(value).astimezone(UTC)
    except OverflowError:
        raise ValidationError(f"{what} {OUT_OF_RANGE}", [ErrorDetail("$", OUT_OF_RANGE)]) from None


def to_utc(value: datetime) -> datetime:
    """Convert an aware datetime to UTC (naive input raises :class:`NaiveDatetimeError`)."""
    return require_aware(value)


NOT_A_NUMBER = (
    "must be an ISO 8601 date-time with a time zone, not a number "
    "(seconds or milliseconds since 1970 would be a guess)"
)
"""The message of an instant given as a number (or a string of one)."""


def _is_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    if isinstance(value, str | bytes):
        try:
            float(value)
        except ValueError:
            return False
        return True
    return False


def _reject_naive(value: object) -> object:
    # pydantic reports a ValueError raised here as a normal validation error at the
    # field's path, with this message. pydantic itself would read a number (or a
    # string of digits) as Unix time, in seconds or milliseconds by its size: an
    # instant must say what it is, as the JSON Schemas (a date-time pattern) say too.
    if _is_number(value):
        raise ValueError(NOT_A_NUMBER)
    if isinstance(value, str) and _OFFSET_TEXT.match(value) is not None:
        # Text with an offset is read as the condition JSON reads it: pydantic's parser
        # refuses the offsets +HH and +HH:MM:SS, which ISO 8601 and the conditions
        # accept, reads +00:99 as 1:39, and names a moment that does not exist (hour 24,
        # second 60) as "unexpected extra characters".
        return condition_date_time(value)
    if isinstance(value, datetime) and (
        value.tzinfo is None or value.tzinfo.utcoffset(value) is None
    ):
        raise ValueError(NAIVE)
    return value


def _after(value: datetime) -> datetime:
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(NAIVE)
    return _utc(value)


UtcDatetime = Annotated[datetime, BeforeValidator(_reject_naive), AfterValidator(_after)]
"""A pydantic field type: an aware datetime (naive input is rejected), stored in UTC."""


def seconds(value: object, name: str, *, zero: bool) -> float:
    """``value`` as a float when it is a finite number of seconds above 0 (at least 0 when
    ``zero``); else ``ValidationError`` naming it (a store's waits go into SQL text,
    where 0 may mean "wait forever"; a connector's into its HTTP timeouts)."""
    # any real number (a numpy number, a Fraction too), as the float it is
    number: float | None = None
    if not isinstance(value, bool) and isinstance(value, numbers.Real):
        try:
            number = float(value)
        except OverflowError:  # an int or a Fraction past the floats: too long anyway
            number = math.inf
    fine = number is not None and number < math.inf and (number >= 0 if zero else number > 0)
    if not fine:
        least = "at least 0" if zero else "above 0"
        raise ValidationError(f"{name} must be a number of seconds {least}, got {value!r}")
    assert number is not None  # (fine says so)
    return number
