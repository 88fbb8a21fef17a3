"""Explanations of evaluated conditions, rendered from recorded facts on demand.

A traced evaluation (``compiled.record``, built by ``_tree.build_recorder``)
keeps, per evaluated leaf, only ``number, held, seen``. :func:`trace_from_facts` turns
those facts and the compiled tree into a :class:`ConditionTrace`: for each node its
JSON path, a restatement (``ticket.channel equals 'sms'``), its verdict and the reason
(the value seen, the events counted in the window, a type mismatch). Nodes the
evaluation never reached (their group was already decided) are marked not evaluated.
Nothing here evaluates a condition: this is the one place reason sentences are written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from helpdesk_routing._condition_trace import ConditionTrace
from helpdesk_routing._shown import shown
from helpdesk_routing._time import shift_clamped

from ._leaves import _MICROSECOND, count_limit, event_bounds
from ._tree import ALL, ANY, LEAF, NOT, CompiledNode
from ._values import (
    SEQUENCES,
    as_instant,
    cut_rendering,
    describe_value,
    first_difference,
    listed,
    text_repr,
    type_mismatch,
)
from .nodes import (
    AfterWindow,
    AllCondition,
    AllTimeWindow,
    AnyCondition,
    BeforeWindow,
    Condition,
    EventCondition,
    InLastWindow,
    NotCondition,
    Operator,
    ProfileCondition,
    SegmentCondition,
    SinceWindow,
    TicketCondition,
    TimeUnit,
    Window,
)

__all__ = ["ConditionTrace"]  # describe and trace_from_facts serve compile

_NOT_EVALUATED = "not evaluated: decided before it was reached"


def describe(node: Condition) -> str:
    """A one-line restatement of a node: ``ticket.channel equals 'sms'``."""
    if isinstance(node, AllCondition):
        return f"all of {len(node.conditions)}"
    if isinstance(node, AnyCondition):
        return f"any of {len(node.conditions)}"
    if isinstance(node, NotCondition):
        return "not"
    if isinstance(node, TicketCondition):
        return f"ticket.{shown(node.field)} {_op_text(node.op, node.value)}"
    if isinstance(node, ProfileCondition):
        return f"profile.{shown(node.property)} {_op_text(node.op, node.value)}"
    if isinstance(node, SegmentCondition):
        # names quoted as texts are (text_repr): a decomposed 'cafe\u0301' looked like
        # the composed 'café' a profile is in
        return f"{'in' if node.member else 'not in'} segment {text_repr(node.segment)}"
    text = f"event {text_repr(node.metric)} {node.count.describe()} {_window_text(node.window)}"
    if node.filters:
        text += " where " + " and ".join(
            f"{shown(f.property)} {_op_text(f.op, f.value)}" for f in node.filters
        )
    return text


def _op_text(op: Operator, value: Any) -> str:
    if op in (Operator.IS_SET, Operator.IS_NOT_SET):
        return op.value
    if op in (Operator.IN_LAST, Operator.IN_NEXT):
        return f"{op.value} {_span_text(value.amount, value.unit)}"
    if isinstance(value, tuple):
        # a list of many values by its first ones and its length: an `in` of 100,000
        # values made a condition line (and an explanation) of a megabyte
        shown_values = listed(value, describe_value)
        return f"{op.value} [{', '.join(shown_values)}]"
    return f"{op.value} {describe_value(value)}"


def _span_text(amount: int, unit: TimeUnit) -> str:
    """``amount`` of ``unit`` as read aloud: "1 day", "2 days" (every unit's name is its
    plural)."""
    return f"{amount} {unit.value[:-1] if amount == 1 else unit.value}"


def _window_text(window: Window) -> str:
    if isinstance(window, AllTimeWindow):
        return "over all time"
    if isinstance(window, InLastWindow):
        return f"in the last {_span_text(window.amount, window.unit)}"
    if isinstance(window, SinceWindow):
        return f"since {window.start.isoformat()}"
    if isinstance(window, AfterWindow):
        return f"after {window.start.isoformat()}"
    if isinstance(window, BeforeWindow):
        return f"before {window.end.isoformat()}"
    return f"between {window.start.isoformat()} and {window.end.isoformat()}"


def trace_from_facts(
    tree: CompiledNode, facts: Sequence[Any], *, now: datetime, has_profile: bool
) -> ConditionTrace:
    """The readable trace of one traced evaluation of ``tree``.

    ``facts`` is the flat ``number, held, seen, ...`` list the evaluation recorded;
    ``now`` the instant it ran at; ``has_profile`` whether the ticket had a profile.
    """
    by_leaf = {facts[i]: (facts[i + 1], facts[i + 2]) for i in range(0, len(facts), 3)}
    return _trace(tree, by_leaf, now, has_profile)


def _trace(
    node: CompiledNode,
    by_leaf: dict[Any, tuple[Any, Any]],
    now: datetime,
    has_profile: bool,
) -> ConditionTrace:
    kind = node.kind
    if kind is LEAF:
        fact = by_leaf.get(node.number)
        if fact is None:
            return _unreached(node)
        held, seen = bool(fact[0]), fact[1]
        if isinstance(node.condition, EventCondition) and not (type(seen) is int and seen >= 0):
            # An event leaf records the count it found: anything else (text, a negative
            # or a fractional number, a bool) is no fact of it, and the trace says the
            # leaf was not evaluated, so binding refuses the facts as not fitting.
            return _unreached(node)
        reason = _leaf_reason(node.condition, held, seen, now, has_profile)
        return ConditionTrace(
            path=node.path, description=describe(node.condition), holds=held, reason=reason
        )
    children = tuple(_trace(child, by_leaf, now, has_profile) for child in node.children)
    if kind is NOT:
        inner = children[0].holds
        if inner is None:
            return _unreached(node)
        reason = "the inner condition held" if inner else "the inner condition did not hold"
        return ConditionTrace(
            path=node.path, description="not", holds=not inner, reason=reason, children=children
        )
    verdicts = [child.holds for child in children if child.holds is not None]
    if not verdicts and children:
        return _unreached(node)
    held_count = sum(1 for v in verdicts if v)
    total = len(children)
    holds = held_count == total if kind is ALL else held_count > 0
    assert kind is ALL or kind is ANY
    reason = f"{held_count} of {total} held"
    if len(verdicts) < total:
        reason += f", {total - len(verdicts)} not evaluated"
    return ConditionTrace(
        path=node.path,
        description=describe(node.condition),
        holds=holds,
        reason=reason,
        children=children,
    )


def _unreached(node: CompiledNode) -> ConditionTrace:
    return ConditionTrace(
        path=node.path,
        description=describe(node.condition),
        holds=None,
        reason=_NOT_EVALUATED,
        children=tuple(_unreached(child) for child in node.children),
    )


def _leaf_reason(node: Condition, held: bool, seen: Any, now: datetime, has_profile: bool) -> str:
    if isinstance(node, TicketCondition | ProfileCondition):
        return _field_reason(node, seen, now, has_profile)
    if isinstance(node, EventCondition):
        return _event_reason(node, seen, now, has_profile)
    if isinstance(node, AllCondition | AnyCondition):
        return "an empty group: " + ("always holds" if held else "never holds")
    assert isinstance(node, SegmentCondition)
    if not has_profile:
        return "no profile: in no segment"
    member = held if node.member else not held
    return "the profile is in it" if member else "the profile is not in it"


def _field_reason(
    node: TicketCondition | ProfileCondition, value: Any, now: datetime, has_profile: bool
) -> str:
    if isinstance(node, ProfileCondition) and not has_profile:
        return "no profile: not set"
    if value is None:
        return "not set"
    if isinstance(value, list) and isinstance(node, TicketCondition) and node.field == "tags":
        value = frozenset(value)  # stored by earlier versions as a list: tags are a set
    reason = f"value seen: {seen_text(value)}"
    if isinstance(value, str):
        reason += _alike(node.value, value)
    mismatch = (
        None
        if node.op in (Operator.IS_SET, Operator.IS_NOT_SET)
        else type_mismatch(node.op, node.value, value)
    )
    if mismatch is not None:
        if isinstance(value, SEQUENCES) and not value:
            # Not "saw nothing" (no element had a kind): the value is there, and empty.
            mismatch = mismatch.rsplit(" saw ", 1)[0] + f" saw {_empty(value)}"
        reason += f" ({mismatch})"
    elif node.op in (Operator.IN_LAST, Operator.IN_NEXT, Operator.BEFORE, Operator.AFTER):
        instant = as_instant(value)
        if instant is not None:
            reason += f", read as {instant.isoformat()} (now {now.isoformat()})"
    return reason


def _alike(expected: Any, seen: str) -> str:
    """`` (differs from ... at character N: ...)`` when the text ``seen`` is shown as one
    of the condition's texts is but is not that text (a difference beyond the cut), so
    the reader can see why an equality failed; empty otherwise."""
    shown = describe_value(seen)
    for x in expected if isinstance(expected, tuple) else (expected,):
        if isinstance(x, str) and x != seen and describe_value(x) == shown:
            return f" ({first_difference(x, seen)})"
    return ""


def _empty(value: Any) -> str:
    if isinstance(value, list):
        return "an empty list"
    return "an empty tuple" if isinstance(value, tuple) else "an empty set"


_CONTAINERS = (*SEQUENCES, dict)


def seen_text(value: Any) -> str:
    """A value seen, for a trace: as :func:`describe_value` shows it, with what a value
    holds shown in an order, and a form, that a stored decision read back has too (the
    members of a set sorted, a date-time as ISO text, a ``str`` subclass as its text)."""
    if isinstance(value, set | frozenset):
        # a ticket's tags, a profile's segments: the first ten and how many more (20,000
        # tags made a line of 200 KB)
        members = sorted(_inner_text(v) for v in value)
        return "{" + ", ".join(listed(members, str)) + "}"
    if isinstance(value, _CONTAINERS):
        return cut_rendering(_inner_text(value))
    return describe_value(value)


def _inner_text(value: Any) -> str:
    if isinstance(value, str):
        return text_repr(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return "{" + ", ".join(sorted(_inner_text(v) for v in value)) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_inner_text(v) for v in value) + "]"
    if isinstance(value, tuple):
        return (
            "(" + ", ".join(_inner_text(v) for v in value) + ("," if len(value) == 1 else "") + ")"
        )
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{_inner_text(k)}: {_inner_text(v)}" for k, v in value.items()) + "}"
        )
    return repr(value)


_LAST_INSTANT = datetime.max.replace(tzinfo=UTC)
"""The last instant there is: every window ends at ``now`` at the latest."""


def _event_reason(node: EventCondition, found: Any, now: datetime, has_profile: bool) -> str:
    limit = count_limit(node)
    if limit == 0:
        return "any number of events passes: not counted"
    start, end, possible = event_bounds(node.window, now)
    if not has_profile and not found and possible:
        # Counted, none found, and no profile: no id to count under, or one the customer
        # data holds no profile for; events found under such an id are shown below.
        return "no profile: 0 events"
    if not possible:
        # A window that starts after now (or after the last instant there is) counts
        # nothing: there is no first and last instant to show, only that.
        if start is None:
            return f"found {found} (the window counts no instant)"
        return (
            f"found {found} (the window counts no instant yet: "
            f"it starts at {start.isoformat()}, after now)"
        )
    low = "[-∞" if start is None else f"[{start.isoformat()}"
    # The port's bound is exclusive; a reader wants the last instant counted (``now``
    # for a window up to now), not the microsecond after it. Without a bound (``now`` is
    # the last instant there is: no microsecond after it), that last instant.
    last = _LAST_INSTANT if end is None else shift_clamped(end, -_MICROSECOND)
    high = f"{last.isoformat()}]"
    if found == limit:
        return f"found at least {found} in {low}, {high} (counting stopped: decided)"
    return f"found {found} in {low}, {high}"
