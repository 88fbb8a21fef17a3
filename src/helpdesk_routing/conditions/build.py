"""Fluent builders: readable Python that produces exactly the condition JSON's data.

::

    from helpdesk_routing.conditions import ticket, profile, event, segment

    (ticket("channel") == "sms") & ticket("tags").contains("Order")
    profile("lifetime_value") > 500
    event("Placed Order").at_least(1).in_last(hours=2).where(value__gt=100)
    ~segment("vip")

``ticket("channel") == "sms"`` is the node ``TicketCondition(field="channel",
op="equals", value="sms")``; its ``model_dump()`` is the JSON form. Only the field
references returned by :func:`ticket` and :func:`profile` overload ``==`` and the
comparisons; the nodes they build compare structurally. Each builder writes the
condition's JSON form and reads it as :func:`~.nodes.parse_condition` does, so a value
that does not fit raises, at once, the :class:`~helpdesk_routing.errors.ValidationError`
parsing that JSON raises (its paths, codes and messages).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, ClassVar, Generic, Never, NoReturn, TypeVar

from helpdesk_routing.errors import ArgumentTypeError, ErrorDetail, ValidationError

from ._operands import span_from_keywords
from .nodes import (
    EventCondition,
    Operator,
    ProfileCondition,
    PropertyFilter,
    SegmentCondition,
    TicketCondition,
    all_of,
    any_of,
    build_node,
    not_,
)

__all__ = [
    "ProfileField",
    "TicketField",
    "all_of",
    "any_of",
    "event",
    "not_",
    "profile",
    "segment",
    "ticket",
]

_Leaf = TypeVar("_Leaf", TicketCondition, ProfileCondition)


class _FieldRef(ABC, Generic[_Leaf]):
    """A reference to a field; its operators and methods build leaf conditions."""

    __slots__ = ("name",)
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, name: str) -> None:
        self.name = name

    @abstractmethod
    def _node(self, op: Operator, value: Any) -> _Leaf:
        """The leaf node ``<this field> <op> <value>``, validated."""

    def _build(self, cls: type[_Leaf], key: str, op: Operator, value: Any) -> _Leaf:
        kind = "ticket" if cls is TicketCondition else "profile"
        return build_node(cls, {"type": kind, key: self.name, "op": op, "value": value})

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    _builder: ClassVar[str]
    """The builder's name, as the user wrote it: ``ticket`` or ``profile``."""

    def _no_condition(self) -> NoReturn:
        # A field reference tests nothing yet: combined or tested for truth as it is, it
        # would fail deep inside as Python's bare TypeError, or (``if ticket("x"):``)
        # silently be true.
        raise ArgumentTypeError(
            f"{self._builder}({self.name!r}) is a field, not a condition: test it first "
            "(== value, .is_set(), .contains(text), ...)"
        )

    def __and__(self, other: object) -> NoReturn:
        """Refused: a field is no condition."""
        self._no_condition()

    __rand__ = __or__ = __ror__ = __and__

    def __invert__(self) -> NoReturn:
        """Refused: a field is no condition."""
        self._no_condition()

    def __bool__(self) -> NoReturn:
        """Refused: a field is no condition (``if ticket("x"):`` would always pass)."""
        self._no_condition()

    def __eq__(self, value: object) -> _Leaf:  # type: ignore[override]
        """``equals``: ``ticket("channel") == "sms"``."""
        return self._node(Operator.EQUALS, value)

    def __ne__(self, value: object) -> _Leaf:  # type: ignore[override]
        """``not_equals`` (holds when the field is not set)."""
        return self._node(Operator.NOT_EQUALS, value)

    def __gt__(self, value: float) -> _Leaf:
        """``greater_than`` a number."""
        return self._node(Operator.GREATER_THAN, value)

    def __ge__(self, value: float) -> _Leaf:
        """``greater_or_equal`` to a number."""
        return self._node(Operator.GREATER_OR_EQUAL, value)

    def __lt__(self, value: float) -> _Leaf:
        """``less_than`` a number."""
        return self._node(Operator.LESS_THAN, value)

    def __le__(self, value: float) -> _Leaf:
        """``less_or_equal`` to a number."""
        return self._node(Operator.LESS_OR_EQUAL, value)

    def equals(self, value: str | float | bool) -> _Leaf:
        """``equals`` (text, number or boolean; exact and case-sensitive)."""
        return self._node(Operator.EQUALS, value)

    def not_equals(self, value: str | float | bool) -> _Leaf:
        """``not_equals``: the exact negation of ``equals`` (holds when not set)."""
        return self._node(Operator.NOT_EQUALS, value)

    def contains(self, text: str) -> _Leaf:
        """``contains``: substring of text, or exact member of a list/tag set."""
        return self._node(Operator.CONTAINS, text)

    def not_contains(self, text: str) -> _Leaf:
        """``not_contains``: the exact negation of ``contains`` (holds when not set)."""
        return self._node(Operator.NOT_CONTAINS, text)

    def starts_with(self, text: str) -> _Leaf:
        """``starts_with`` (case-sensitive)."""
        return self._node(Operator.STARTS_WITH, text)

    def ends_with(self, text: str) -> _Leaf:
        """``ends_with`` (case-sensitive)."""
        return self._node(Operator.ENDS_WITH, text)

    def is_set(self) -> _Leaf:
        """``is_set``: the field has a value."""
        return self._node(Operator.IS_SET, None)

    def is_not_set(self) -> _Leaf:
        """``is_not_set``: the field is absent (or ``None``, or an empty tag set)."""
        return self._node(Operator.IS_NOT_SET, None)

    def is_in(self, values: Iterable[str | float | bool]) -> _Leaf:
        """``in``: equals one of the values (for a list/tag set: shares one)."""
        return self._node(Operator.IN, _as_list(values))

    def not_in(self, values: Iterable[str | float | bool]) -> _Leaf:
        """``not_in``: the exact negation of ``in`` (holds when not set)."""
        return self._node(Operator.NOT_IN, _as_list(values))

    def between(self, low: float | datetime, high: float | datetime) -> _Leaf:
        """``between``: ``low <= value <= high`` (numbers, or aware datetimes)."""
        return self._node(Operator.BETWEEN, (low, high))

    def before(self, moment: datetime) -> _Leaf:
        """``before``: a date strictly before ``moment`` (aware)."""
        return self._node(Operator.BEFORE, moment)

    def after(self, moment: datetime) -> _Leaf:
        """``after``: a date strictly after ``moment`` (aware)."""
        return self._node(Operator.AFTER, moment)

    def in_last(
        self,
        *amount: Never,  # refused: an amount needs its unit (in_last(7))
        minutes: int | None = None,
        hours: int | None = None,
        days: int | None = None,
        weeks: int | None = None,
        months: int | None = None,
        **unknown: Never,  # refused, naming the units (mypy flags them too)
    ) -> _Leaf:
        """``in_last``: a date with ``now - span <= value <= now`` (exactly one keyword;
        ``months=`` counts calendar months)."""
        span = span_from_keywords(
            "in_last",
            {"minutes": minutes, "hours": hours, "days": days, "weeks": weeks, "months": months},
            unknown,
            amount,
        )
        return self._node(Operator.IN_LAST, span)

    def in_next(
        self,
        *amount: Never,  # refused: an amount needs its unit (in_last(7))
        minutes: int | None = None,
        hours: int | None = None,
        days: int | None = None,
        weeks: int | None = None,
        months: int | None = None,
        **unknown: Never,  # refused, naming the units (mypy flags them too)
    ) -> _Leaf:
        """``in_next``: a date with ``now <= value <= now + span`` (exactly one keyword;
        ``months=`` counts calendar months)."""
        span = span_from_keywords(
            "in_next",
            {"minutes": minutes, "hours": hours, "days": days, "weeks": weeks, "months": months},
            unknown,
            amount,
        )
        return self._node(Operator.IN_NEXT, span)


def _as_list(values: Iterable[Any]) -> Any:
    # Any other iterable (a generator, a dict's keys) is the list it yields; anything
    # else (text, a number, a mapping) is left for the operator's check to refuse.
    if isinstance(values, str | bytes | bytearray | Mapping | list | tuple | set | frozenset):
        return values
    if isinstance(values, Iterable):
        return list(values)
    return values


class TicketField(_FieldRef[TicketCondition]):
    """A ticket field reference: ``ticket("channel") == "sms"`` builds a ticket condition."""

    __slots__ = ()
    _builder = "ticket"

    def _node(self, op: Operator, value: Any) -> TicketCondition:
        return self._build(TicketCondition, "field", op, value)


class ProfileField(_FieldRef[ProfileCondition]):
    """A profile property reference: ``profile("churn_risk") == "High"``."""

    __slots__ = ()
    _builder = "profile"

    def _node(self, op: Operator, value: Any) -> ProfileCondition:
        return self._build(ProfileCondition, "property", op, value)


def ticket(field: str) -> TicketField:
    """Refer to a ticket field (built-in or custom): ``ticket("tags").contains("Order")``."""
    return TicketField(field)


def profile(prop: str) -> ProfileField:
    """Refer to a profile property: ``profile("$country") == "France"``."""
    return ProfileField(prop)


def event(metric: str) -> EventCondition:
    """An event condition on ``metric``: at least once, over all time, until refined:
    ``event("Placed Order").at_least(2).in_last(days=7).where(value__gt=100)``."""
    return build_node(EventCondition, {"type": "event", "metric": metric})


def segment(name: str, *, member: bool = True) -> SegmentCondition:
    """Segment membership: ``segment("vip")``; ``segment("vip", member=False)`` or
    ``~segment("vip")`` for "is not in segment"."""
    return build_node(SegmentCondition, {"type": "segment", "segment": name, "member": member})


_LOOKUPS: Mapping[str, Operator] = {
    "eq": Operator.EQUALS,
    "ne": Operator.NOT_EQUALS,
    "gt": Operator.GREATER_THAN,
    "gte": Operator.GREATER_OR_EQUAL,
    "ge": Operator.GREATER_OR_EQUAL,
    "lt": Operator.LESS_THAN,
    "lte": Operator.LESS_OR_EQUAL,
    "le": Operator.LESS_OR_EQUAL,
    "contains": Operator.CONTAINS,
    "not_contains": Operator.NOT_CONTAINS,
    "startswith": Operator.STARTS_WITH,
    "starts_with": Operator.STARTS_WITH,
    "endswith": Operator.ENDS_WITH,
    "ends_with": Operator.ENDS_WITH,
    "in": Operator.IN,
    "not_in": Operator.NOT_IN,
    "between": Operator.BETWEEN,
    "before": Operator.BEFORE,
    "after": Operator.AFTER,
}

_SYMBOLS: Mapping[str, Operator] = {
    "==": Operator.EQUALS,
    "!=": Operator.NOT_EQUALS,
    ">": Operator.GREATER_THAN,
    ">=": Operator.GREATER_OR_EQUAL,
    "<": Operator.LESS_THAN,
    "<=": Operator.LESS_OR_EQUAL,
}


_Filter = PropertyFilter | dict[str, Any]


def _filter(prop: str, op: Operator, value: Any) -> dict[str, Any]:
    if op in (Operator.IN, Operator.NOT_IN):
        value = _as_list(value)
    return {"property": prop, "op": op, "value": value}


def _operator(name: str, index: int) -> Operator:
    if name in _SYMBOLS:
        return _SYMBOLS[name]
    try:
        return Operator(name)
    except ValueError:
        # The builder also takes symbols, which the JSON does not: its message names them,
        # at the path and with the code parsing the JSON gives.
        message = (
            f"unknown operator {name!r}: use one of {', '.join(o.value for o in Operator)}"
            f" or {' '.join(_SYMBOLS)}"
        )
        detail = ErrorDetail(f"$.where[{index}].op", message, "enum")
        raise ValidationError("invalid condition", [detail]) from None


def filters_from_lookups(
    args: tuple[Any, ...], lookups: Mapping[str, Any], *, first: int = 0
) -> list[_Filter]:
    """The event-property filters that ``EventCondition.where(*args, **lookups)`` adds,
    as ``PropertyFilter`` objects given or in their JSON form (unchecked: the event
    condition reads them, their errors at ``$.where[i]``, counting from ``first``)."""
    out: list[_Filter] = []
    if args and all(isinstance(a, PropertyFilter) for a in args):
        out.extend(args)
    elif len(args) in (2, 3) and isinstance(args[0], str) and isinstance(args[1], str):
        value = args[2] if len(args) == 3 else None
        out.append(_filter(args[0], _operator(args[1], first), value))
    elif args:
        raise ValidationError(
            "where() takes (property, operator, value), PropertyFilter objects, "
            "or lookups such as value__gt=100"
        )
    for key, value in lookups.items():
        prop, _, suffix = key.rpartition("__")
        if prop and suffix == "is_set":
            if type(value) is not bool:
                raise ValidationError(f"{key} takes True or False, got {value!r}")
            op = Operator.IS_SET if value else Operator.IS_NOT_SET
            out.append(_filter(prop, op, None))
        elif prop and suffix in _LOOKUPS:
            out.append(_filter(prop, _LOOKUPS[suffix], value))
        elif prop:
            # a mistyped lookup would otherwise become a filter on a property no event has
            raise ValidationError(
                f"unknown lookup {suffix!r} in {key!r}: use one of "
                f"{', '.join([*_LOOKUPS, 'is_set'])}; for a property whose name holds "
                f"'__', write where({key!r}, 'equals', value)"
            )
        elif _ and (suffix in _LOOKUPS or suffix == "is_set"):
            # "__gt=5": a lookup whose property was left out, not a property named so
            raise ValidationError(
                f"lookup {key!r} names no property (write property{key}=...); for a "
                f"property named {key!r}, write where({key!r}, 'equals', value)"
            )
        else:
            out.append(_filter(key, Operator.EQUALS, value))
    return out
