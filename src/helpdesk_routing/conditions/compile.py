"""Compile a condition to a plain Python predicate, and explain an evaluation.

:func:`compile_condition` turns a node tree into nested closures chosen at compile
time: a direct attribute read for a built-in ticket field, ``properties.get`` for a
profile property with the common type tested inline, a two-, three- or four-way
``and``/``or`` for small ``all``/``any`` nodes. Nothing is ever
``eval``-ed or ``exec``-ed. The result is called with an :class:`EvaluationContext`
and returns a ``bool``; it never raises on any ticket, profile or event data
(missing data is *not set*, a wrong type fails that one test). Only a failure of
the customer-data adapter itself (a lost database connection) propagates: turning
an outage into "condition false" would misroute tickets silently.

``compiled.explain(ctx)`` evaluates every node (no short-circuit) and returns a
:class:`~helpdesk_routing.conditions.trace.ConditionTrace` saying, for each node,
whether it held and why: the value seen, a type mismatch, the count found in the
window. It agrees with the fast path.

Event windows are clipped to ``now`` and their boundaries are (``t`` is the event's
timestamp; the port counts ``start <= t < end`` at 1 µs resolution):

=========  =====================================  ===================================
window     holds for                              port bounds
=========  =====================================  ===================================
all_time   ``t <= now``                           ``(None, now+1µs)``
in_last    ``now - span <= t <= now``             ``(now-span, now+1µs)``
since      ``start <= t <= now``                  ``(start, now+1µs)``
after      ``start < t <= now``                   ``(start+1µs, now+1µs)``
before     ``t < end`` and ``t <= now``           ``(None, min(end, now+1µs))``
between    ``start <= t <= end`` and ``t <= now`` ``(start, min(end+1µs, now+1µs))``
=========  =====================================  ===================================
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from helpdesk_routing.errors import NaiveDatetimeError
from helpdesk_routing.model import Profile, Ticket

from ._explain import explain
from ._leaves import Predicate, event_leaf, field_leaf, inline_head, segment_leaf
from .nodes import Condition
from .trace import ConditionTrace

if TYPE_CHECKING:
    # ports imports the records, which import the trace: no runtime import from here.
    from helpdesk_routing.ports import CustomerData

__all__ = ["CompiledCondition", "EvaluationContext", "compile_condition"]

_NO_PROPERTIES: Mapping[str, Any] = {}


@dataclass(frozen=True, slots=True)
class EvaluationContext:
    """Everything a condition may read: the ticket, its customer's profile (``None``
    for a ticket without a known profile: no properties, no events, no segments),
    the customer data (for event counts) and the instant of the decision (aware)."""

    ticket: Ticket
    profile: Profile | None
    customer_data: CustomerData
    now: datetime
    properties: Mapping[str, Any] = field(init=False, repr=False, compare=False)
    """The profile's properties (empty without a profile): what ``profile(...)`` reads."""

    def __post_init__(self) -> None:
        if self.now.tzinfo is None or self.now.tzinfo.utcoffset(self.now) is None:
            raise NaiveDatetimeError("EvaluationContext.now")
        props = self.profile.properties if self.profile is not None else _NO_PROPERTIES
        object.__setattr__(self, "properties", props)

    @classmethod
    def load(cls, ticket: Ticket, customer_data: CustomerData, now: datetime) -> EvaluationContext:
        """The context of ``ticket`` at ``now``, its profile looked up in ``customer_data``."""
        found = customer_data.profile(ticket.profile_id) if ticket.profile_id else None
        return cls(ticket=ticket, profile=found, customer_data=customer_data, now=now)


@runtime_checkable
class CompiledCondition(Protocol):
    """A compiled condition: ``compiled(ctx) -> bool`` (never raises on data),
    ``compiled.explain(ctx) -> ConditionTrace``, and ``compiled.condition``, the node.

    :func:`compile_condition` returns the root closure itself, carrying these
    attributes, so a call on the routing hot path costs no wrapper frame.
    """

    condition: Condition

    def __call__(self, ctx: EvaluationContext, /) -> bool:
        """Whether the condition holds in ``ctx``."""
        ...

    def explain(self, ctx: EvaluationContext, /) -> ConditionTrace:
        """Evaluate every node and say, for each, whether it held and why."""
        ...


def compile_condition(condition: Condition) -> CompiledCondition:
    """Compile ``condition`` to a predicate over an :class:`EvaluationContext`."""
    predicate = _compile(condition)
    # Never let two compilations share (and relabel) one closure.
    if "condition" in getattr(predicate, "__dict__", ()):
        inner = predicate
        predicate = lambda c: inner(c)  # noqa: E731
    fn: Any = predicate
    fn.condition = condition
    fn.explain = functools.partial(explain, condition)
    return fn  # type: ignore[no-any-return]


def _compile(node: Condition) -> Predicate:
    kind = node.type
    if kind == "ticket" or kind == "profile":
        return field_leaf(node)  # type: ignore[arg-type]
    if kind == "all" or kind == "any":
        children = node.conditions  # type: ignore[union-attr]
        head = inline_head(children[0]) if len(children) > 1 else None
        if head is not None:
            return _with_head(head, [_compile(child) for child in children[1:]], kind == "all")
        fs = [_compile(child) for child in children]
        return _all(fs) if kind == "all" else _any(fs)
    if kind == "not":
        inner = _compile(node.condition)  # type: ignore[union-attr]
        return lambda c: not inner(c)
    if kind == "event":
        return event_leaf(node)  # type: ignore[arg-type]
    return segment_leaf(node)  # type: ignore[arg-type]


def _with_head(head: tuple[str, Any], fs: list[Predicate], every: bool) -> Predicate:
    """A group whose first child (a channel or tag test) is inlined: when it decides the
    group, as it does for most tickets, no other frame is entered."""
    test, x = head
    rest = _all(fs) if every else _any(fs)
    if every:
        if test == "channel_equals":
            return lambda c: c.ticket.channel == x and rest(c)
        if test == "channel_in":
            return lambda c: c.ticket.channel in x and rest(c)
        return lambda c: x in c.ticket.tags and rest(c)
    if test == "channel_equals":
        return lambda c: c.ticket.channel == x or rest(c)
    if test == "channel_in":
        return lambda c: c.ticket.channel in x or rest(c)
    return lambda c: x in c.ticket.tags or rest(c)


def _all(fs: list[Predicate]) -> Predicate:
    if not fs:
        return lambda c: True
    if len(fs) == 1:
        return fs[0]
    if len(fs) == 2:
        a, b = fs
        return lambda c: a(c) and b(c)
    if len(fs) == 3:
        a, b, d = fs
        return lambda c: a(c) and b(c) and d(c)
    if len(fs) == 4:
        a, b, d, e = fs
        return lambda c: a(c) and b(c) and d(c) and e(c)
    every = tuple(fs)

    def all_hold(c: EvaluationContext) -> bool:
        return all(f(c) for f in every)

    return all_hold


def _any(fs: list[Predicate]) -> Predicate:
    if not fs:
        return lambda c: False
    if len(fs) == 1:
        return fs[0]
    if len(fs) == 2:
        a, b = fs
        return lambda c: a(c) or b(c)
    if len(fs) == 3:
        a, b, d = fs
        return lambda c: a(c) or b(c) or d(c)
    if len(fs) == 4:
        a, b, d, e = fs
        return lambda c: a(c) or b(c) or d(c) or e(c)
    some = tuple(fs)

    def any_holds(c: EvaluationContext) -> bool:
        return any(f(c) for f in some)

    return any_holds
