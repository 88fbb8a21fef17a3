"""The compiled leaves: one closure per ticket, profile, event or segment test,
chosen at compile time for the field and operator at hand.

The common cases (text ``equals``/``in``/``contains``/``starts_with``/``ends_with`` on
a built-in ticket field, tag membership, text equality and number comparisons on a
profile property or custom field) get a specialised closure that tests the common type inline; every
other case, and every value of an unexpected type, goes through the general test
of :mod:`._values`, so both paths mean exactly the same.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, SupportsIndex

from helpdesk_routing.errors import ValidationError
from helpdesk_routing.ports import EventWhere

from ._operands import NEGATIONS
from ._values import positive_test
from .nodes import (
    AfterWindow,
    AllTimeWindow,
    BeforeWindow,
    BetweenWindow,
    Condition,
    EventCondition,
    InLastWindow,
    Operator,
    ProfileCondition,
    PropertyFilter,
    SegmentCondition,
    SinceWindow,
    TicketCondition,
    Window,
)

if TYPE_CHECKING:
    # ports imports the records, which import the trace: no runtime import from here.
    from helpdesk_routing.ports import EventWhere

    from .context import EvaluationContext

__all__ = [
    "BUILTIN_TICKET_FIELDS",
    "Predicate",
    "Probe",
    "count_limit",
    "count_test",
    "event_bounds",
    "event_counter",
    "event_parts",
    "field_leaf",
    "inline_head",
    "segment_leaf",
    "segment_probe",
    "value_reader",
]

# Enum members bound once: ``Operator.X`` costs a descriptor call on every access.
_CONTAINS = Operator.CONTAINS
_ENDS_WITH = Operator.ENDS_WITH
_EQUALS = Operator.EQUALS
_GREATER_OR_EQUAL = Operator.GREATER_OR_EQUAL
_GREATER_THAN = Operator.GREATER_THAN
_IN = Operator.IN
_IN_LAST = Operator.IN_LAST
_IN_NEXT = Operator.IN_NEXT
_LESS_OR_EQUAL = Operator.LESS_OR_EQUAL
_LESS_THAN = Operator.LESS_THAN
_STARTS_WITH = Operator.STARTS_WITH

Predicate = Callable[["EvaluationContext"], bool]
Probe = Callable[["EvaluationContext"], tuple[bool, Any]]
"""A leaf evaluated for a trace: ``(held, seen)``, where ``seen`` is what the leaf read
(the value, the number of events counted, or ``None``) -- what cannot be recomputed."""

BUILTIN_TICKET_FIELDS: frozenset[str] = frozenset(
    {"channel", "tags", "subject", "status", "priority", "email", "id", "created_at", "profile_id"}
)
"""Ticket fields read from the ticket itself; any other name reads ``Ticket.fields``."""

_MICROSECOND = timedelta(microseconds=1)
# Built-in ticket fields that hold one text value or None (subject: "" reads as None).
_TEXT_FIELDS = frozenset({"channel", "id", "status", "priority", "email", "profile_id"})
_ALWAYS_SET = frozenset({"channel", "id", "status"})


def value_reader(node: TicketCondition | ProfileCondition) -> Callable[[EvaluationContext], Any]:
    """How a leaf reads its value from a context (``None`` = not set): one closure, as
    an explained rule reads every value it tests."""
    if isinstance(node, TicketCondition):
        name = node.field
        if name == "tags":
            # An empty tag set and an empty subject are what a ticket has when none was given.
            return lambda c: c.ticket.tags or None
        if name == "subject":
            return lambda c: c.ticket.subject or None
        if name in BUILTIN_TICKET_FIELDS:
            # Every built-in field is a model field, kept in the ticket's ``__dict__``.
            return lambda c: c.ticket.__dict__[name]
        return lambda c: c.fields.get(name)
    prop = node.property
    return lambda c: c.properties.get(prop)


_Test = Callable[[Any, datetime], bool]
"""A compiled value test: ``(value, now) -> held``."""


def _safe(test: _Test) -> _Test:
    def guarded(v: Any, now: datetime) -> bool:
        try:
            return bool(test(v, now))
        except Exception:  # a foreign object whose comparison raises: the test fails
            return False

    return guarded


def _texts(x: Any) -> frozenset[str] | None:
    """The values of an ``in`` list when all are non-empty text (the fast case)."""
    for a in x:
        if a.__class__ is not str or not a:
            return None
    return frozenset(x)


def inline_head(node: Condition) -> tuple[str, Any] | None:
    """``("channel_equals", x)``, ``("channel_in", texts)`` or ``("tag", x)`` when ``node``
    is that simple ticket test (which a group may inline), else ``None``."""
    if node.type != "ticket":
        return None
    op, x = node.op, node.value
    if node.field == "channel":
        if op is _EQUALS and x.__class__ is str and x:
            return "channel_equals", x
        if op is _IN:
            texts = _texts(x)
            return None if texts is None else ("channel_in", texts)
    elif node.field == "tags" and (op is _EQUALS or op is _CONTAINS) and x.__class__ is str and x:
        return "tag", x
    return None


def field_leaf(node: TicketCondition | ProfileCondition) -> Predicate:
    """The predicate of a ticket or profile test (negative operators negate their twin).

    The common cases get a specialised closure; plain bytecode beats C helpers here
    (``c.ticket.channel == x`` is cheaper than an ``attrgetter`` call, and a pydantic
    model keeps its field values in ``__dict__``). Everything else takes the general
    test of :mod:`._values`, which means the same.
    """
    op = node.op
    positive_op = NEGATIONS.get(op)
    if positive_op is not None:
        op = positive_op
    x = node.value
    text_x = x.__class__ is str and x != ""
    texts = _texts(x) if op is _IN else None
    leaf: Predicate | None = None
    if node.type == "ticket":
        name = node.field
        if name in _TEXT_FIELDS:
            # One text value, or None: no x here is "" and None equals no text.
            if op is _EQUALS and text_x:
                if name == "channel":
                    leaf = lambda c: c.ticket.channel == x  # noqa: E731
                else:
                    leaf = lambda c: c.ticket.__dict__[name] == x  # noqa: E731
            elif op is _IN and texts is not None:
                if name == "channel":
                    leaf = lambda c: c.ticket.channel in texts  # noqa: E731
                else:
                    leaf = lambda c: c.ticket.__dict__[name] in texts  # noqa: E731
            elif text_x and name in _ALWAYS_SET:
                leaf = _text_leaf(op, x, name)
        elif name == "subject":
            # Always a text ("" when none was given, which no non-empty x is found in).
            if text_x:
                leaf = _text_leaf(op, x, name)
        elif name == "tags":
            if (op is _EQUALS or op is _CONTAINS) and text_x:
                leaf = lambda c: x in c.ticket.tags  # noqa: E731
            elif op is _IN and texts is not None:
                leaf = lambda c: not texts.isdisjoint(c.ticket.tags)  # noqa: E731
        elif name not in BUILTIN_TICKET_FIELDS:
            leaf = _fast_mapping_leaf(op, x, text_x, texts, ticket_field=name)
    else:
        leaf = _fast_mapping_leaf(op, x, text_x, texts, profile_property=node.property)
    if leaf is None:
        test = _safe(positive_test(op, x))
        read = value_reader(node)
        leaf = lambda c: test(read(c), c.now)  # noqa: E731
    if positive_op is None:
        return leaf
    positive = leaf
    return lambda c: not positive(c)


def _text_leaf(op: Operator, x: str, name: str) -> Predicate | None:
    """``equals``/``contains``/``starts_with``/``ends_with`` a non-empty text on a
    built-in ticket field that always holds a text."""
    if op is _EQUALS:
        return lambda c: c.ticket.__dict__[name] == x
    if op is _CONTAINS:
        return lambda c: x in c.ticket.__dict__[name]
    if op is _STARTS_WITH:
        return lambda c: c.ticket.__dict__[name].startswith(x)
    if op is _ENDS_WITH:
        return lambda c: c.ticket.__dict__[name].endswith(x)
    return None


class _LazyTest:
    """The general test of ``op x``, built on first use: a fast leaf needs it only for
    values of an unexpected type, and most leaves never meet one."""

    __slots__ = ("op", "test", "x")

    def __init__(self, op: Operator, x: Any) -> None:
        self.op = op
        self.x = x
        self.test: Callable[[Any, datetime], bool] | None = None

    def __call__(self, v: Any, now: datetime) -> bool:
        if v is None:
            return False  # not set: every positive test fails
        test = self.test
        if test is None:
            test = self.test = _safe(positive_test(self.op, self.x))
        return test(v, now)


_ORDER_CHECKS: Mapping[Operator, Callable[[Any, Any], bool]] = {
    _GREATER_THAN: operator.gt,
    _GREATER_OR_EQUAL: operator.ge,
    _LESS_THAN: operator.lt,
    _LESS_OR_EQUAL: operator.le,
}


def _fast_mapping_leaf(
    op: Operator,
    x: Any,
    text_x: bool,
    texts: frozenset[str] | None,
    *,
    ticket_field: str | None = None,
    profile_property: str | None = None,
) -> Predicate | None:
    """Fast leaves over a ``dict`` of values: a profile's properties or a ticket's custom
    fields. The common type is tested inline; anything else (not set, a list, a wrong
    type) takes the general test, which means the same."""
    if not (
        (op is _EQUALS and text_x)
        or (op is _IN and texts is not None)
        or (op in _ORDER_CHECKS and profile_property is not None)
    ):
        return None
    general = _LazyTest(op, x)
    if profile_property is not None:
        name = profile_property
        if op is _EQUALS and text_x:

            def profile_equals(c: EvaluationContext) -> bool:
                v = c.properties.get(name)
                if v.__class__ is str:
                    return v == x  # type: ignore[no-any-return]
                return general(v, c.now)

            return profile_equals
        if op is _IN and texts is not None:

            def profile_in(c: EvaluationContext) -> bool:
                v = c.properties.get(name)
                if v.__class__ is str:
                    return v in texts
                return general(v, c.now)

            return profile_in
        if op in _ORDER_CHECKS:
            compare = _ORDER_CHECKS[op]

            def profile_order(c: EvaluationContext) -> bool:
                v = c.properties.get(name)
                if v.__class__ is int or v.__class__ is float:
                    return compare(v, x)
                return general(v, c.now)

            return profile_order
        return None
    assert ticket_field is not None
    field = ticket_field
    if op is _EQUALS and text_x:

        def custom_equals(c: EvaluationContext) -> bool:
            v = c.fields.get(field)
            if v.__class__ is str:
                return v == x  # type: ignore[no-any-return]
            return general(v, c.now)

        return custom_equals
    if op is _IN and texts is not None:

        def custom_in(c: EvaluationContext) -> bool:
            v = c.fields.get(field)
            if v.__class__ is str:
                return v in texts
            return general(v, c.now)

        return custom_in
    return None


def segment_leaf(node: SegmentCondition) -> Predicate:
    """The predicate of a segment-membership test (no profile: in no segment)."""
    name = node.segment
    if node.member:
        return lambda c: c.profile is not None and name in c.profile.segments
    return lambda c: c.profile is None or name not in c.profile.segments


def _plus(moment: datetime, delta: timedelta) -> datetime | None:
    try:
        return moment + delta
    except OverflowError:
        return None


def event_bounds(window: Window, now: datetime) -> tuple[datetime | None, datetime | None, bool]:
    """The port bounds ``(start, end)`` of ``window`` at ``now`` (``start <= t < end``,
    ``None`` unbounded) and whether the window can hold any event at all."""
    end_now = _plus(now, _MICROSECOND)  # t <= now  <=>  t < now + 1 µs
    start: datetime | None
    end: datetime | None = end_now
    if isinstance(window, AllTimeWindow):
        start = None
    elif isinstance(window, InLastWindow):
        start = window.start_at(now)
    elif isinstance(window, SinceWindow):
        start = window.start
    elif isinstance(window, AfterWindow):
        start = _plus(window.start, _MICROSECOND)
        if start is None:
            return None, None, False
    elif isinstance(window, BeforeWindow):
        start = None
        end = window.end if end_now is None else min(window.end, end_now)
    else:
        assert isinstance(window, BetweenWindow)
        start = window.start
        after_end = _plus(window.end, _MICROSECOND)
        if after_end is not None and end_now is not None:
            end = min(after_end, end_now)
        else:
            end = after_end if end_now is None else end_now
    if start is not None and end is not None and start >= end:
        return start, end, False
    return start, end, True


def _filter_test(f: PropertyFilter) -> Callable[[Mapping[str, Any], datetime], bool]:
    positive_op = NEGATIONS.get(f.op)
    test = _safe(positive_test(positive_op or f.op, f.value))
    # Bound as defaults, not closure cells: see ``event_parts``.
    if positive_op is not None:

        def refused(
            props: Mapping[str, Any], now: datetime, name: str = f.property, test: _Test = test
        ) -> bool:
            return not test(props.get(name), now)

        return refused

    def passed(
        props: Mapping[str, Any], now: datetime, name: str = f.property, test: _Test = test
    ) -> bool:
        return test(props.get(name), now)

    return passed


def _event_where(node: EventCondition) -> Callable[[datetime], EventWhere | None]:
    """The node's property filters as the port's :class:`EventWhere` (clauses a SQL store
    may push down, and their compiled test) at a given ``now``."""
    if not node.filters:
        return lambda now: None
    clauses = tuple((f.property, f.op.value, f.value) for f in node.filters)
    tests = tuple(_filter_test(f) for f in node.filters)
    if not any(f.op in (_IN_LAST, _IN_NEXT) for f in node.filters):
        # No filter reads "now": one predicate serves every evaluation.
        def fixed(
            props: Mapping[str, Any],
            tests: tuple[Callable[[Mapping[str, Any], datetime], bool], ...] = tests,
        ) -> bool:
            return all(t(props, datetime.min) for t in tests)

        where = EventWhere(clauses, fixed)

        def always(now: datetime, where: EventWhere = where) -> EventWhere:
            return where

        return always

    def at(now: datetime) -> EventWhere:
        return EventWhere(clauses, lambda props: all(t(props, now) for t in tests))

    return at


def count_test(node: EventCondition) -> Callable[[int], bool]:
    """Whether a number of events passes the node's count test."""
    n = node.count.value or 0
    op = node.count.op
    if op == "at_least":
        return n.__le__
    if op == "at_most":
        return n.__ge__
    return n.__eq__  # exactly n; zero has n == 0


def count_limit(node: EventCondition) -> int:
    """How many events decide the node's count test: counting may stop there.

    ``at_least(n)`` is decided by ``n`` events, ``at_most(n)`` and ``exactly(n)`` by
    ``n + 1``, ``zero`` by one. A count equal to the limit means "the limit or more".
    """
    n = node.count.value or 0
    return n if node.count.op == "at_least" else n + 1


def event_counter(
    node: EventCondition,
) -> Callable[[EvaluationContext], int]:
    """Count the node's events in its window, stopping at :func:`count_limit`."""

    where_at = _event_where(node)
    most = count_limit(node)

    def count(
        c: EvaluationContext,
        metric: str = node.metric,
        window: Window = node.window,
        make_where: Callable[[datetime], EventWhere | None] = where_at,
        limit: int = most,
    ) -> int:
        # The events of the ticket's customer: those recorded under its profile id count
        # even when the customer data holds no profile by that id, and without an id
        # those recorded under its e-mail address (an AI agent records Escalated under
        # the visitor's id, or address, before anyone stores a profile). The ticket's id
        # as the port says, not the id of the profile the port answered (an adapter
        # resolving an alias answers its customer's profile: the events recorded under
        # the ticket's id were not counted).
        t = c.ticket
        profile_id: str | None = t.profile_id or t.email
        if not profile_id or limit == 0:
            return 0
        start, end, possible = event_bounds(window, c.now)
        if not possible:
            return 0
        found = c.customer_data.count_events(
            profile_id, metric, start=start, end=end, where=make_where(c.now), limit=limit
        )
        if type(found) is int and found >= 0:
            return found
        return _counted(found, c.customer_data, metric)

    return count


def _counted(found: object, customer_data: object, metric: str) -> int:
    """A count answered by a customer data adapter as something other than a plain
    ``int``: an integer of another type (NumPy's, say) is read as the ``int`` it is;
    anything else is the adapter breaking its contract, refused by name (a float zero,
    ``None`` or text compared with the bound would decide the test wrongly)."""
    if not isinstance(found, bool) and isinstance(found, SupportsIndex):
        n = operator.index(found)
        if n >= 0:
            return n
    raise ValidationError(
        f"customer data {type(customer_data).__name__}.count_events returned "
        f"{type(found).__name__} {found!r} for event {metric!r}; a count is a whole "
        "number of events, 0 or more"
    )


def event_parts(node: EventCondition) -> tuple[Predicate, Probe]:
    """The predicate of an event condition and its traced form, ``(held, events
    counted)``, sharing one counter and one count test (counting stops once the test is
    decided; the probe counts once). The closures bind what they use as parameter
    defaults (see ``_tree``: fewer objects for the collector to walk per leaf)."""
    counter = event_counter(node)
    test = count_test(node)

    def leaf(
        c: EvaluationContext,
        counter: Callable[[EvaluationContext], int] = counter,
        test: Callable[[int], bool] = test,
    ) -> bool:
        return test(counter(c))

    def probe(
        c: EvaluationContext,
        counter: Callable[[EvaluationContext], int] = counter,
        test: Callable[[int], bool] = test,
    ) -> tuple[bool, Any]:
        found = counter(c)
        return test(found), found

    return leaf, probe


def segment_probe(leaf: Predicate) -> Probe:
    """The traced segment leaf: ``(held, None)`` (membership is the verdict itself)."""
    return lambda c: (leaf(c), None)
