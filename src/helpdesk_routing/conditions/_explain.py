"""``explain``: evaluate every node of a condition and say why each held or not.

Slower than the compiled predicate (it does not short-circuit and builds a
:class:`~helpdesk_routing.conditions.trace.ConditionTrace` per node) but it uses
the same leaf predicates, so it always agrees with the fast path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._leaves import count_test, event_counter, field_leaf, segment_leaf, value_reader
from ._values import as_instant, describe_value, type_mismatch
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
    Window,
)
from .trace import ConditionTrace

if TYPE_CHECKING:
    from .compile import EvaluationContext

__all__ = ["describe", "explain"]


def explain(condition: Condition, ctx: EvaluationContext) -> ConditionTrace:
    """The trace of ``condition`` evaluated in ``ctx`` (root path ``$``)."""
    return _explain(condition, ctx, "$")


def describe(node: Condition) -> str:
    """A one-line restatement of a node: ``ticket.channel equals 'sms'``."""
    if isinstance(node, AllCondition):
        return f"all of {len(node.conditions)}"
    if isinstance(node, AnyCondition):
        return f"any of {len(node.conditions)}"
    if isinstance(node, NotCondition):
        return "not"
    if isinstance(node, TicketCondition):
        return f"ticket.{node.field} {_op_text(node.op, node.value)}"
    if isinstance(node, ProfileCondition):
        return f"profile.{node.property} {_op_text(node.op, node.value)}"
    if isinstance(node, SegmentCondition):
        return f"{'in' if node.member else 'not in'} segment {node.segment!r}"
    text = f"event {node.metric!r} {node.count.describe()} {_window_text(node.window)}"
    if node.filters:
        text += " where " + " and ".join(
            f"{f.property} {_op_text(f.op, f.value)}" for f in node.filters
        )
    return text


def _op_text(op: Operator, value: Any) -> str:
    if op in (Operator.IS_SET, Operator.IS_NOT_SET):
        return op.value
    if op in (Operator.IN_LAST, Operator.IN_NEXT):
        return f"{op.value} {value.amount} {value.unit.value}"
    if isinstance(value, tuple):
        return f"{op.value} [{', '.join(describe_value(v) for v in value)}]"
    return f"{op.value} {describe_value(value)}"


def _window_text(window: Window) -> str:
    if isinstance(window, AllTimeWindow):
        return "over all time"
    if isinstance(window, InLastWindow):
        return f"in the last {window.amount} {window.unit.value}"
    if isinstance(window, SinceWindow):
        return f"since {window.start.isoformat()}"
    if isinstance(window, AfterWindow):
        return f"after {window.start.isoformat()}"
    if isinstance(window, BeforeWindow):
        return f"before {window.end.isoformat()}"
    return f"between {window.start.isoformat()} and {window.end.isoformat()}"


def _explain(node: Condition, ctx: EvaluationContext, path: str) -> ConditionTrace:
    if isinstance(node, AllCondition | AnyCondition):
        children = tuple(
            _explain(child, ctx, f"{path}.conditions[{i}]")
            for i, child in enumerate(node.conditions)
        )
        held = sum(1 for child in children if child.holds)
        total = len(children)
        holds = held == total if isinstance(node, AllCondition) else held > 0
        reason = f"{held} of {total} held"
        return ConditionTrace(
            path=path, description=describe(node), holds=holds, reason=reason, children=children
        )
    if isinstance(node, NotCondition):
        child = _explain(node.condition, ctx, f"{path}.condition")
        reason = "the inner condition held" if child.holds else "the inner condition did not hold"
        return ConditionTrace(
            path=path,
            description="not",
            holds=not child.holds,
            reason=reason,
            children=(child,),
        )
    if isinstance(node, TicketCondition | ProfileCondition):
        return _explain_field(node, ctx, path)
    if isinstance(node, EventCondition):
        return _explain_event(node, ctx, path)
    holds = segment_leaf(node)(ctx)
    if ctx.profile is None:
        reason = "no profile: in no segment"
    else:
        reason = (
            "the profile is in it"
            if node.segment in ctx.profile.segments
            else ("the profile is not in it")
        )
    return ConditionTrace(path=path, description=describe(node), holds=holds, reason=reason)


def _explain_field(
    node: TicketCondition | ProfileCondition, ctx: EvaluationContext, path: str
) -> ConditionTrace:
    holds = field_leaf(node)(ctx)
    value = value_reader(node)(ctx)
    if isinstance(node, ProfileCondition) and ctx.profile is None:
        reason = "no profile: not set"
    elif value is None:
        reason = "not set"
    else:
        reason = f"value seen: {describe_value(value)}"
        mismatch = (
            None
            if node.op in (Operator.IS_SET, Operator.IS_NOT_SET)
            else type_mismatch(node.op, node.value, value)
        )
        if mismatch is not None:
            reason += f" ({mismatch})"
        elif node.op in (Operator.IN_LAST, Operator.IN_NEXT, Operator.BEFORE, Operator.AFTER):
            instant = as_instant(value)
            if instant is not None:
                reason += f", read as {instant.isoformat()} (now {ctx.now.isoformat()})"
    return ConditionTrace(path=path, description=describe(node), holds=holds, reason=reason)


def _explain_event(node: EventCondition, ctx: EvaluationContext, path: str) -> ConditionTrace:
    found, start, end = event_counter(node)(ctx)
    holds = count_test(node)(found)
    if ctx.profile is None:
        reason = "no profile: 0 events"
    else:
        low = "-∞" if start is None else start.isoformat()
        high = "+∞" if end is None else end.isoformat()
        reason = f"found {found} in [{low}, {high})"
    return ConditionTrace(path=path, description=describe(node), holds=holds, reason=reason)
