"""The time windows of an event condition: all time, the last span (``in_last``), since,
after, before and between a date-time; what each counts (always clipped to ``now``) and
how its bounds are read. :mod:`helpdesk_routing.conditions.nodes` gives the public names.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Literal, Self, TypeAlias

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from helpdesk_routing._input import CheckedCopy
from helpdesk_routing._time import (
    NaiveText,
    UtcDatetime,
    condition_date_time,
)
from helpdesk_routing.errors import (
    UNION_TAGS,
    ArgumentTypeError,
    ErrorDetail,
)

from ._operands import TimeUnit, bounded_amount, is_naive, naive_error, shift, value_error


class AllTimeWindow(CheckedCopy):
    """Every event up to and including ``now``: ``t <= now``."""

    model_config = ConfigDict(frozen=True, extra="forbid", revalidate_instances="always")
    type: Literal["all_time"] = "all_time"


class MonthsLength(timedelta):
    """The length of ``n`` calendar months: as a ``timedelta``, the longest it can be
    (31 days a month); compared with another length, it answers only what holds for
    every ``now``.

    ``months <= fixed`` compares the longest (31 days a month) with ``fixed``;
    ``fixed <= months`` compares ``fixed`` with the shortest (28 days a month); two
    months lengths compare by their number of months. (Python asks a ``timedelta``
    subclass on the right first, so both orders come here.)
    """

    months: int

    @classmethod
    def of(cls, months: int) -> MonthsLength:
        """The length of ``months`` calendar months."""
        length = cls(days=31 * months)
        length.months = months
        return length

    def shortest(self) -> timedelta:
        """A lower bound of the length: 28 days a month."""
        return timedelta(days=28 * self.months)

    def __le__(self, other: object) -> bool:
        if isinstance(other, MonthsLength):
            return self.months <= other.months
        if isinstance(other, timedelta):
            return timedelta(days=31 * self.months) <= other
        return NotImplemented

    def __ge__(self, other: object) -> bool:
        if isinstance(other, MonthsLength):
            return self.months >= other.months
        if isinstance(other, timedelta):
            return self.shortest() >= other
        return NotImplemented

    def __lt__(self, other: object) -> bool:
        if isinstance(other, MonthsLength):
            return self.months < other.months
        if isinstance(other, timedelta):
            return timedelta(days=31 * self.months) < other
        return NotImplemented

    def __gt__(self, other: object) -> bool:
        if isinstance(other, MonthsLength):
            return self.months > other.months
        if isinstance(other, timedelta):
            return self.shortest() > other
        return NotImplemented

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MonthsLength):
            return self.months == other.months
        return False

    def __ne__(self, other: object) -> bool:
        # timedelta's own ``!=`` compared the 31-days-a-month length: a months length was
        # then neither ``==`` nor ``!=`` to ``timedelta(days=31 * months)``.
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(("months", self.months))


class InLastWindow(CheckedCopy):
    """The last ``amount`` ``unit``\\ s: ``now - span <= t <= now`` (both ends included)."""

    model_config = ConfigDict(frozen=True, extra="forbid", revalidate_instances="always")
    type: Literal["in_last"] = "in_last"
    amount: int = Field(ge=1, strict=True)
    unit: TimeUnit

    @model_validator(mode="after")
    def _bounded(self) -> Self:
        bounded_amount(self.amount, self.unit)
        return self

    def span(self) -> timedelta:
        """The length of the window. For months it is a :class:`MonthsLength`: a
        ``timedelta`` of the longest it can be whose comparisons are conservative, so
        ``a.span() <= b.span()`` holds only when window ``a`` is within ``b`` at every
        ``now`` (see :meth:`shortest` and :meth:`longest`)."""
        if self.unit is TimeUnit.MONTHS:
            return MonthsLength.of(self.amount)
        return self.longest()

    def longest(self) -> timedelta:
        """The longest the window can be (for months: 31 days a month)."""
        if self.unit is TimeUnit.MONTHS:
            return timedelta(days=31 * self.amount)
        return timedelta(**{self.unit.value: self.amount})

    def shortest(self) -> timedelta:
        """The shortest the window can be (for months: 28 days a month)."""
        if self.unit is TimeUnit.MONTHS:
            return timedelta(days=28 * self.amount)
        return timedelta(**{self.unit.value: self.amount})

    def start_at(self, now: datetime) -> datetime | None:
        """The window's first instant at ``now`` (``None``: it reaches before year 1)."""
        return shift(now, -self.amount, self.unit)


def not_an_instant(value: object) -> str:
    """The message for a window bound given as a Python object that is no datetime (a
    ``date``, which pydantic would take as a naive midnight): what errors.md says of an
    instant that is no datetime, ``must be an aware datetime, got date
    datetime.date(2026, 1, 1)``."""
    return f"must be an aware datetime, got {type(value).__name__} {value!r}"


def _window_text(value: object) -> object:
    """A window bound given as text, read as every date-time of the condition JSON is
    (:func:`~helpdesk_routing._time.condition_date_time`); a naive datetime refused as
    the same text without an offset is; a ``date`` refused as no datetime (its cause a
    ``TypeError``, so :func:`parse_condition` raises an ``ArgumentTypeError``); anything
    else goes on to :data:`UtcDatetime`."""
    if isinstance(value, str):
        try:
            return condition_date_time(value)
        except NaiveText:
            raise naive_error() from None
        except ValueError as exc:
            raise value_error(str(exc)) from None
    if isinstance(value, datetime):
        if is_naive(value):
            raise naive_error()
    elif isinstance(value, date):
        message = not_an_instant(value)  # a date's repr holds no braces (a template's)
        raise PydanticCustomError("condition_value", message, {"error": TypeError(message)})
    return value


WindowInstant: TypeAlias = Annotated[UtcDatetime, BeforeValidator(_window_text)]
"""A window's bound: an aware instant, kept in UTC; text as the condition JSON has it."""


class SinceWindow(CheckedCopy):
    """From ``start`` on: ``start <= t <= now`` (``start`` included)."""

    model_config = ConfigDict(frozen=True, extra="forbid", revalidate_instances="always")
    type: Literal["since"] = "since"
    start: WindowInstant


class AfterWindow(CheckedCopy):
    """Strictly after ``start``: ``start < t <= now`` (``start`` excluded)."""

    model_config = ConfigDict(frozen=True, extra="forbid", revalidate_instances="always")
    type: Literal["after"] = "after"
    start: WindowInstant


class BeforeWindow(CheckedCopy):
    """Strictly before ``end``: ``t < end`` and ``t <= now`` (``end`` excluded)."""

    model_config = ConfigDict(frozen=True, extra="forbid", revalidate_instances="always")
    type: Literal["before"] = "before"
    end: WindowInstant


class BetweenWindow(CheckedCopy):
    """From ``start`` to ``end``, both included: ``start <= t <= end`` and ``t <= now``."""

    model_config = ConfigDict(frozen=True, extra="forbid", revalidate_instances="always")
    type: Literal["between"] = "between"
    start: WindowInstant
    end: WindowInstant

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start > self.end:
            raise value_error("between needs start <= end")
        return self


Window: TypeAlias = Annotated[
    AllTimeWindow | InLastWindow | SinceWindow | AfterWindow | BeforeWindow | BetweenWindow,
    Field(discriminator="type"),
]
"""The time window of an event condition, by its ``"type"``."""

UNION_TAGS["window"] = ("window", ("all_time", "in_last", "since", "after", "before", "between"))


def window_data(kind: str, **bounds: object) -> dict[str, object]:
    """A window's JSON form for a builder (``since``, ``between``, ...), its bounds
    checked as arguments: each must be a datetime (or text, the JSON's form of one). A
    number, ``None`` or another object is an :class:`~helpdesk_routing.errors.ArgumentTypeError`
    at the bound's path (errors.md: an instant that is no datetime); a ``date``, and a
    naive datetime, go on to be refused as :func:`parse_condition` refuses them."""
    wrong = [
        ErrorDetail(f"$.window.{key}", not_an_instant(value), "condition_value")
        for key, value in bounds.items()
        if not isinstance(value, str | date)  # a datetime is a date
    ]
    if wrong:
        raise ArgumentTypeError("invalid condition", wrong)
    return {"type": kind, **bounds}
