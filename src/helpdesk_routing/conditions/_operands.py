"""What a test's value may be, by its operator: the operators, time units and count tests
of the condition JSON, the check that reads a value for its operator (a one-line error
naming the operator when it does not fit), and the JSON Schema of those values.

:mod:`helpdesk_routing.conditions.nodes` gives the public names (``Operator``,
``TimeUnit``, ``CountOp``, ``Span``); the meaning of each operator is stated once, in
:mod:`helpdesk_routing.conditions._values` and ``docs/conditions.md``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Self, TypeAlias

import pydantic
import pydantic_core
from dateutil.relativedelta import relativedelta
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from helpdesk_routing._input import CheckedCopy, integer_argument, plain_text
from helpdesk_routing._json import MAX_INT, MIN_INT
from helpdesk_routing._storable import text_problem
from helpdesk_routing._time import (
    MAX_SPAN,
    OUT_OF_RANGE,
    NaiveText,
    condition_date_time,
    plain,
)
from helpdesk_routing.errors import (
    NAIVE,
    ArgumentTypeError,
    ErrorDetail,
    ValidationError,
)


class Operator(StrEnum):
    """The tests a ticket field, profile property or event-property filter can make."""

    EQUALS = "equals"
    NOT_EQUALS = "not_equals"
    CONTAINS = "contains"
    NOT_CONTAINS = "not_contains"
    STARTS_WITH = "starts_with"
    ENDS_WITH = "ends_with"
    IS_SET = "is_set"
    IS_NOT_SET = "is_not_set"
    IN = "in"
    NOT_IN = "not_in"
    GREATER_THAN = "greater_than"
    GREATER_OR_EQUAL = "greater_or_equal"
    LESS_THAN = "less_than"
    LESS_OR_EQUAL = "less_or_equal"
    BETWEEN = "between"
    BEFORE = "before"
    AFTER = "after"
    IN_LAST = "in_last"
    IN_NEXT = "in_next"


NEGATIONS: Mapping[Operator, Operator] = {
    Operator.NOT_EQUALS: Operator.EQUALS,
    Operator.NOT_CONTAINS: Operator.CONTAINS,
    Operator.NOT_IN: Operator.IN,
    Operator.IS_NOT_SET: Operator.IS_SET,
}
"""Each negative operator and the positive twin it is exactly the negation of."""


class TimeUnit(StrEnum):
    """The units of a relative span (``in_last``, ``in_next``).

    ``months`` are calendar months on the UTC calendar (``dateutil.relativedelta``): ``n``
    months before an instant is the same day of the month and time of day ``n`` months
    earlier, or the last day of that month when it is shorter (31 May minus 3 months is
    28 February, or 29 in a leap year). The other units are fixed lengths.
    """

    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"


class CountOp(StrEnum):
    """The count tests of an event condition."""

    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    EXACTLY = "exactly"
    ZERO = "zero"


# What a value of each operator may be (checked by ``_CHECKS``), for the JSON Schema.
_SCALAR_SCHEMA: dict[str, Any] = {
    "anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]
}
_MOMENT_SCHEMA: dict[str, Any] = {"type": "string", "format": "date-time"}
_SPAN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "amount": {"type": "integer", "minimum": 1},
        "unit": {"enum": [u.value for u in TimeUnit]},
    },
    "required": ["amount", "unit"],
    "additionalProperties": False,
}
_VALUE_SCHEMA: dict[str, Any] = {
    "description": (
        "equals/not_equals: text, number or boolean; contains/not_contains/starts_with/"
        "ends_with: text; is_set/is_not_set: absent; in/not_in: list of text, numbers or "
        "booleans; greater_than/greater_or_equal/less_than/less_or_equal: number; between: "
        "[low, high] numbers or date-times (inclusive); before/after: a date-time with a "
        "time zone; in_last/in_next: {amount, unit}"
    ),
    "anyOf": [
        *_SCALAR_SCHEMA["anyOf"],
        {"type": "null"},
        {"type": "array", "items": _SCALAR_SCHEMA},
        {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "number"}},
        {"type": "array", "minItems": 2, "maxItems": 2, "items": _MOMENT_SCHEMA},
        _MOMENT_SCHEMA,
        _SPAN_SCHEMA,
    ],
}


_NUMBER_SCHEMA: dict[str, Any] = {"type": "number"}
_VALUE_BY_OPS: list[tuple[list[str], dict[str, Any]]] = [
    (["equals", "not_equals"], _SCALAR_SCHEMA),
    (["contains", "not_contains", "starts_with", "ends_with"], {"type": "string"}),
    (["in", "not_in"], {"type": "array", "items": _SCALAR_SCHEMA}),
    (["greater_than", "greater_or_equal", "less_than", "less_or_equal"], _NUMBER_SCHEMA),
    (
        ["between"],
        {
            # two numbers or two date-times, never one of each
            "oneOf": [
                {"type": "array", "minItems": 2, "maxItems": 2, "items": _NUMBER_SCHEMA},
                {"type": "array", "minItems": 2, "maxItems": 2, "items": _MOMENT_SCHEMA},
            ]
        },
    ),
    (["before", "after"], _MOMENT_SCHEMA),
    (["in_last", "in_next"], _SPAN_SCHEMA),
]
_OP_VALUE_RULES: list[dict[str, Any]] = [
    {
        "if": {"properties": {"op": {"enum": ops}}, "required": ["op"]},
        "then": {"properties": {"value": value}, "required": ["value"]},
    }
    for ops, value in _VALUE_BY_OPS
]
_OP_VALUE_RULES.append(
    {
        "if": {"properties": {"op": {"enum": ["is_set", "is_not_set"]}}, "required": ["op"]},
        "then": {"properties": {"value": {"type": "null"}}},
    }
)


def add_op_value_rules(schema: dict[str, Any]) -> None:
    """The JSON Schema of a test (ticket, profile, where-filters) says which value each
    op takes."""
    schema["allOf"] = _OP_VALUE_RULES


MAX_COUNT = 2**31 - 1
"""The largest count an event condition may test (``at_least``, ``at_most``, ``exactly``).

Far above any real number of events, and small enough that ``count + 1`` (a store's
early-stop limit) fits the integers of every store (SQLite and PostgreSQL ``bigint``).
"""


_MAX_MONTHS = 9999 * 12 - 1


def max_amount(unit: TimeUnit | str) -> int:
    """The largest ``amount`` of ``unit`` in a span: the whole datetime range (years 1
    to 9999, :data:`~helpdesk_routing._time.MAX_SPAN`) in that unit, rounded down.

    ``unit`` is a :class:`TimeUnit` or its text (``"days"``); another text is a
    :class:`~helpdesk_routing.errors.ValidationError` naming it and the known units,
    anything else an :class:`~helpdesk_routing.errors.ArgumentTypeError`."""
    if unit.__class__ is not TimeUnit:
        unit = _time_unit(unit)
    if unit is TimeUnit.MONTHS:
        return _MAX_MONTHS
    return MAX_SPAN // timedelta(**{unit.value: 1})


def _time_unit(unit: object) -> TimeUnit:
    known = ", ".join(repr(u.value) for u in TimeUnit)
    if not isinstance(unit, str):
        raise ArgumentTypeError(
            f"unit must be a TimeUnit or its text ({known}), got {type(unit).__name__}"
        )
    try:
        return TimeUnit(unit)
    except ValueError:
        raise ValidationError(
            f"unknown time unit {str.__str__(unit)!r}: the units are {known}"
        ) from None


def shift(moment: datetime, amount: int, unit: TimeUnit) -> datetime | None:
    """``moment`` moved by ``amount`` (negative: back) ``unit``\\ s, or ``None`` when that
    falls outside years 1 to 9999 (a window reaching there is unbounded on that side)."""
    try:
        if unit is TimeUnit.MONTHS:
            return moment + relativedelta(months=amount)
        return moment + timedelta(**{unit.value: amount})
    except (OverflowError, ValueError):
        return None


def bounded_amount(amount: int, unit: TimeUnit) -> None:
    limit = max_amount(unit)
    if amount > limit:
        raise value_error(
            f"a span of {amount} {unit.value} is longer than years 1 to 9999"
            f" (at most {limit} {unit.value})"
        )


class Span(CheckedCopy):
    """A relative span of time: ``{"amount": 2, "unit": "hours"}``.

    ``amount`` is a whole number from 1 to :func:`max_amount` of its unit (a span
    no longer than years 1 to 9999); a window reaching past those years from now is
    clamped there (see ``docs/conditions.md``, "Bounds").
    """

    model_config = ConfigDict(frozen=True, extra="forbid", revalidate_instances="always")

    amount: int = Field(ge=1, strict=True)
    unit: TimeUnit

    @model_validator(mode="after")
    def _bounded(self) -> Self:
        bounded_amount(self.amount, self.unit)
        return self

    def to_timedelta(self) -> timedelta:
        """The span as a :class:`~datetime.timedelta`; for months, the longest it can be
        (31 days a month: see :meth:`before` and :meth:`after` for the exact instants)."""
        if self.unit is TimeUnit.MONTHS:
            return timedelta(days=31 * self.amount)
        return timedelta(**{self.unit.value: self.amount})

    def before(self, moment: datetime) -> datetime | None:
        """The instant this span before ``moment`` (``None``: before year 1)."""
        return shift(moment, -self.amount, self.unit)

    def after(self, moment: datetime) -> datetime | None:
        """The instant this span after ``moment`` (``None``: after year 9999)."""
        return shift(moment, self.amount, self.unit)


_UNIT_ORDER = ("minutes", "hours", "days", "weeks", "months")


def span_from_keywords(
    what: str,
    keywords: Mapping[str, object],
    unknown: Mapping[str, object],
    positional: tuple[object, ...] = (),
) -> dict[str, object]:
    """The JSON form of a span, ``{"amount": 2, "unit": "hours"}``, from exactly one of
    ``minutes=``, ``hours=``, ``days=``, ``weeks=``, ``months=`` (the amount unchecked:
    the node that holds the span checks it, at its JSON path). ``unknown`` are the
    other keywords the builder was given (``years=1``): an
    :class:`~helpdesk_routing.errors.ArgumentTypeError` naming them, as Python's own
    ``TypeError`` for an unexpected keyword would not say what the units are. So is an
    amount given without its unit (``positional``: ``in_last(7)``), and none or two
    units."""
    if positional:
        raise ArgumentTypeError(
            f"{what}() takes exactly one of minutes=, hours=, days=, weeks=, months=",
            [
                ErrorDetail(
                    "$",
                    f"an amount needs its unit ({what}(days=7)), got "
                    f"{', '.join(map(repr, positional))} without one",
                )
            ],
        )
    if unknown:
        raise ArgumentTypeError(
            f"{what}() takes exactly one of minutes=, hours=, days=, weeks=, months=",
            [ErrorDetail("$", f"unknown unit {', '.join(map(repr, unknown))}")],
        )
    given = [(k, v) for k, v in keywords.items() if v is not None]
    if len(given) != 1:
        raise ArgumentTypeError(
            f"{what}() takes exactly one of minutes=, hours=, days=, weeks=, months=",
            [ErrorDetail("$", f"got {', '.join(k for k, _ in given) or 'none'}")],
        )
    unit, amount = given[0]
    whole = integer_argument(amount)
    if whole is not None:
        amount = whole  # a NumPy integer as the int it is, as counts
    return {"amount": amount, "unit": unit}


def value_error(message: str) -> PydanticCustomError:
    return PydanticCustomError("condition_value", message)


def naive_error() -> PydanticCustomError:
    # The cause in the context marks it as a naive datetime, so a model built directly
    # raises it as a ModelNaiveDatetimeError (errors._naive), as other instants do.
    return PydanticCustomError("condition_value", NAIVE, {"error": ValueError(NAIVE)})


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(op: str, value: str) -> str:
    # A str subclass (a StrEnum member) is kept as the plain text it stands for.
    text = str.__str__(value)
    problem = text_problem(text)
    if problem is not None:
        raise value_error(f"{op}: {problem}")
    return text


_BIG_INT = "integer beyond signed 64 bits"


def _plain(value: object) -> object:
    """``value`` as the plain Python value it stands for: an ``int`` subclass (an
    ``IntEnum`` member) or a NumPy integer as an ``int``, a ``float`` subclass (NumPy's
    ``float64``) or another real number that is no fraction (``float32``) as a
    ``float``, a NumPy boolean as a ``bool``; anything else as it is (a ``Decimal`` or
    a ``Fraction`` is refused).
    Kept as given, they were the node's value (``equals <Plan.PRO: 2>`` in every
    explanation, ``equals 2`` once read back from the JSON), and NumPy's integers and
    booleans were refused ("needs text, a number or true/false, got bool")."""
    cls = value.__class__
    if cls is int or cls is float or cls is bool or cls is str:
        return value
    if isinstance(value, str):
        return plain_text(value)  # a StrEnum member, NumPy's str_: sorted as text
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, numbers.Integral):
        whole = integer_argument(value)  # None for NumPy's timedelta64: refused later
        return value if whole is None else whole
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Rational):
        return float(value)  # NumPy's float32 and float16 (a pandas float32 column)
    if cls.__module__ == "numpy" and cls.__name__ in ("bool", "bool_"):
        return bool(value)
    return value


def _scalar(op: str, value: object) -> str | int | float | bool:
    value = _plain(value)
    if isinstance(value, str):
        return _text(op, value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise value_error(f"{op} needs a finite number, got {value!r}")
        if isinstance(value, int) and not MIN_INT <= value <= MAX_INT:
            raise value_error(f"{op}: {_BIG_INT}")
        return value
    raise value_error(f"{op} needs text, a number or true/false, got {_kind(value)}")


def _number(op: str, value: object) -> int | float:
    value = _plain(value)
    if not is_number(value):
        raise value_error(f"{op} needs a number, got {_kind(value)}")
    assert isinstance(value, int | float)
    if isinstance(value, float) and not math.isfinite(value):
        raise value_error(f"{op} needs a finite number, got {value!r}")
    if isinstance(value, int) and not MIN_INT <= value <= MAX_INT:
        raise value_error(f"{op}: {_BIG_INT}")
    return value


def _moment(op: str, value: object) -> datetime:
    if isinstance(value, str):
        try:
            value = condition_date_time(value)
        except NaiveText:
            raise naive_error() from None
        except ValueError as exc:
            raise value_error(f"{op} needs a date-time: {exc}") from None
    if not isinstance(value, datetime):
        raise value_error(f"{op} needs a date-time with a time zone, got {_kind(value)}")
    if is_naive(value):
        raise naive_error()
    try:
        # a plain datetime to the microsecond, as every instant inside: a Timestamp kept
        # its nanoseconds, which the rule's JSON drops (read back, it tested otherwise)
        return plain(value).astimezone(UTC)
    except OverflowError:
        raise PydanticCustomError("datetime_range", f"{op}: the date-time {OUT_OF_RANGE}") from None


def is_naive(value: datetime) -> bool:
    return value.tzinfo is None or value.tzinfo.utcoffset(value) is None


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, datetime | date):
        return "a date"
    if isinstance(value, list | tuple | set | frozenset):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _sorted_items(values: Iterable[Any]) -> list[Any]:
    try:
        return sorted(values, key=lambda v: (type(v).__name__, v))
    except (TypeError, ArithmeticError):
        # items of one type that do not order (tuples of mixed items, complex numbers, a
        # NaN Decimal, naive and aware datetimes): by their text, so the bad ones are
        # named as such, not by a raw TypeError from the sort
        return sorted(values, key=lambda v: (type(v).__name__, repr(v)))


def _check_scalar(op: Operator, value: object) -> object:
    cls = value.__class__
    if cls is bool or (cls is int and MIN_INT <= value <= MAX_INT):  # type: ignore[operator]
        return value
    return _scalar(str(op), value)


def _check_text(op: Operator, value: object) -> object:
    if isinstance(value, str):
        return _text(str(op), value)
    raise value_error(f"{op} needs text, got {_kind(value)}")


def _check_nothing(op: Operator, value: object) -> object:
    if value is not None:
        raise value_error(f"{op} takes no value, got {_kind(value)}")
    return None


def _check_list(op: Operator, value: object) -> object:
    indexed = not isinstance(value, set | frozenset)
    if isinstance(value, set | frozenset):
        # sorted as the plain values they stand for: {Plan.PRO, 3} was (5, 3) where
        # {5, 3} is (3, 5), two unequal nodes of one set
        value = _sorted_items([_plain(v) for v in value])
    if value.__class__ is not list and not isinstance(value, list | tuple):
        raise value_error(f"{op} needs a list, got {_kind(value)}")
    items: list[str | int | float | bool] = []
    problems: list[Any] = []
    for i, v in enumerate(value):
        try:
            items.append(_scalar(f"{op} item {i}", v))
        except PydanticCustomError as e:
            # A list's bad item is named at its own index ($.value[1]), as the strict
            # JSON reader names it; a set's items have no index to name (the message
            # counts them in sorted order). Every bad item at once.
            problems.append({"type": e, "loc": (i,) if indexed else (), "input": v})
    if problems:
        raise pydantic_core.ValidationError.from_exception_data("condition value", problems)
    return tuple(items)


def _check_number(op: Operator, value: object) -> object:
    if value.__class__ is int and MIN_INT <= value <= MAX_INT:
        return value
    return _number(str(op), value)


def _check_between(op: Operator, value: object) -> object:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise value_error("between needs [low, high]")
    value = [_plain(v) for v in value]
    check = _number if is_number(value[0]) or is_number(value[1]) else _moment
    bounds: list[Any] = []
    problems: list[Any] = []
    for i, (side, bound) in enumerate(zip(("low", "high"), value, strict=True)):
        try:
            bounds.append(check(f"between's {side} bound", bound))
        except PydanticCustomError as e:
            # A bad bound is named at its own index ($.value[1]), as a list's bad item
            # is, and by its side: both at once.
            problems.append({"type": e, "loc": (i,), "input": bound})
    if problems:
        raise pydantic_core.ValidationError.from_exception_data("condition value", problems)
    if bounds[0] > bounds[1]:
        raise value_error("between needs low <= high")
    return tuple(bounds)


def _check_moment(op: Operator, value: object) -> object:
    return _moment(str(op), value)


def _check_span(op: Operator, value: object) -> object:
    if isinstance(value, Span):
        # checked again as its fields: one made unchecked (model_construct, pydantic's
        # own copy) was taken as it was, and a condition evaluated "the last -3 hours"
        value = dict(value.__dict__)
    if isinstance(value, Mapping):
        try:
            return Span.model_validate(value)
        except pydantic.ValidationError as e:
            first = e.errors(include_url=False)[0]
            if first["type"] == "condition_value":
                raise value_error(f"{op}: {first['msg']}") from None
    units = "|".join(_UNIT_ORDER)
    raise value_error(f"{op} needs {{'amount': whole number >= 1, 'unit': {units}}}")


_CHECKS: Mapping[Operator, Callable[[Operator, object], object]] = {
    Operator.EQUALS: _check_scalar,
    Operator.NOT_EQUALS: _check_scalar,
    Operator.CONTAINS: _check_text,
    Operator.NOT_CONTAINS: _check_text,
    Operator.STARTS_WITH: _check_text,
    Operator.ENDS_WITH: _check_text,
    Operator.IS_SET: _check_nothing,
    Operator.IS_NOT_SET: _check_nothing,
    Operator.IN: _check_list,
    Operator.NOT_IN: _check_list,
    Operator.GREATER_THAN: _check_number,
    Operator.GREATER_OR_EQUAL: _check_number,
    Operator.LESS_THAN: _check_number,
    Operator.LESS_OR_EQUAL: _check_number,
    Operator.BETWEEN: _check_between,
    Operator.BEFORE: _check_moment,
    Operator.AFTER: _check_moment,
    Operator.IN_LAST: _check_span,
    Operator.IN_NEXT: _check_span,
}


ConditionValue: TypeAlias = Annotated[Any, WithJsonSchema(_VALUE_SCHEMA)]


def value_fits_op(cls: type[BaseModel], value: object, info: ValidationInfo) -> object:
    """The validated value for the node's op (a one-line error when it does not fit)."""
    op = info.data.get("op")
    if op is None:
        # The op itself is bad: that is the one error to report.
        return value
    return _CHECKS[op](op, value)
