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

The compiled condition is also a tree (:mod:`._tree`) built once, whose leaves are
the very closures the predicate calls. ``compiled.record(ctx, facts)`` evaluates it the
same way (in order, short-circuit) and appends, per evaluated leaf, ``number, held,
seen`` to ``facts``: the value read or the events counted, nothing rendered.
``compiled.render(facts, now=..., has_profile=...)`` turns such facts into a
:class:`~helpdesk_routing.conditions.trace.ConditionTrace` when someone asks;
``compiled.explain(ctx)`` does both at once.

Event conditions ask the customer data to stop counting once the count test is decided
(``at_least(n)``: ``n`` events; ``at_most(n)``, ``exactly(n)``: ``n + 1``; ``zero``: 1)
and pass their property filters as a structured
:class:`~helpdesk_routing.ports.EventWhere` that SQL stores can push down.

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

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from helpdesk_routing._time import require_aware
from helpdesk_routing.errors import ArgumentTypeError, ErrorDetail, ValidationError

from ._depth import depth_message, node_too_deep
from ._leaves import Predicate, inline_head
from ._tree import ALL, ANY, LEAF, CompiledNode, build_recorder, build_tree
from .context import EvaluationContext
from .nodes import Condition, parse_condition, require_condition
from .trace import ConditionTrace, trace_from_facts

__all__ = ["CompiledCondition", "EvaluationContext", "compile_condition"]


@runtime_checkable
class CompiledCondition(Protocol):
    """A compiled condition: ``compiled(ctx) -> bool`` (never raises on data), its
    node (``condition``) and compiled tree (``tree``), ``record`` (a traced evaluation
    keeping facts only), ``render`` (facts -> :class:`ConditionTrace`) and ``explain``.

    :func:`compile_condition` returns the root closure itself, carrying these
    attributes, so a call on the routing hot path costs no wrapper frame.
    """

    condition: Condition
    tree: CompiledNode

    def __call__(self, ctx: EvaluationContext, /) -> bool:
        """Whether the condition holds in ``ctx``."""
        ...

    def record(self, ctx: EvaluationContext, facts: list[Any], /) -> bool:
        """Evaluate as ``__call__`` does, appending ``number, held, seen`` per evaluated
        leaf to ``facts``; returns the verdict."""
        ...

    def render(
        self, facts: Sequence[Any], /, *, now: datetime, has_profile: bool
    ) -> ConditionTrace:
        """The readable trace of facts that ``record`` kept."""
        ...

    def explain(self, ctx: EvaluationContext, /) -> ConditionTrace:
        """Evaluate with a trace and render it: each node, whether it held and why."""
        ...


def compile_condition(condition: Condition) -> CompiledCondition:
    """Compile ``condition`` to a predicate over an :class:`EvaluationContext`.

    A condition nested deeper than
    :data:`~helpdesk_routing.conditions.MAX_CONDITION_DEPTH` levels (which validation
    refuses, but ``model_construct`` can build) raises
    :class:`~helpdesk_routing.errors.ValidationError` at ``$`` (``condition_depth``).
    Anything but a condition node (its JSON as a ``dict``, a bare field reference) is an
    :class:`~helpdesk_routing.errors.ArgumentTypeError`: read JSON with ``parse_condition``.
    """
    require_condition(
        condition, "condition must be a condition node (JSON is read with parse_condition)"
    )
    where = node_too_deep(condition)
    if where is not None:
        raise ValidationError(
            "invalid condition", [ErrorDetail("$", depth_message(where), "condition_depth")]
        )
    try:
        tree = build_tree(condition)
    except (AttributeError, TypeError, ValueError, LookupError):
        condition = _checked(condition)
        tree = build_tree(condition)
    predicate = _fast(tree)
    # Never let two compilations share (and relabel) one closure.
    if "condition" in getattr(predicate, "__dict__", ()):
        inner = predicate
        predicate = lambda c: inner(c)  # noqa: E731
    fn: Any = predicate
    fn.condition = condition
    fn.tree = tree
    record = fn.record = build_recorder(tree)

    def render(facts: Sequence[Any], /, *, now: datetime, has_profile: bool) -> ConditionTrace:
        if not isinstance(facts, list | tuple):
            raise ArgumentTypeError(
                f"facts must be the list this condition's recorder kept, got {type(facts).__name__}"
            )
        # checked first: a bad one was blamed on the facts below
        when = require_aware(now, "now")
        if not isinstance(has_profile, bool):
            raise ArgumentTypeError(f"has_profile must be a bool, got {has_profile!r}")
        try:
            return trace_from_facts(tree, facts, now=when, has_profile=has_profile)
        except (IndexError, KeyError, TypeError, AttributeError):
            raise ValidationError(
                "facts are not those this condition's recorder kept (too few, or of "
                "another shape: facts of another condition of the same shape are not told)"
            ) from None

    def explain(ctx: EvaluationContext, /) -> ConditionTrace:
        if not isinstance(ctx, EvaluationContext):
            raise ArgumentTypeError(
                "explain takes an EvaluationContext (EvaluationContext.load(ticket, "
                f"customer_data, now)), got {type(ctx).__name__}"
            )
        facts: list[Any] = []
        record(ctx, facts)
        return render(facts, now=ctx.now, has_profile=ctx.profile is not None)

    fn.render = render
    fn.explain = explain
    return fn  # type: ignore[no-any-return]


def _checked(condition: Condition) -> Condition:
    """``condition`` read again from its data, as input: a node made by
    ``model_construct`` (or changed in place) is compiled unchecked, and a part of the
    wrong kind fails in the compiler. Bad data is the
    :class:`~helpdesk_routing.errors.ValidationError` :func:`parse_condition` gives, at
    the part's JSON path, not the compiler's ``AttributeError``; good data (an operator
    given as its text) compiles as the validated node."""
    return parse_condition(condition.model_dump(warnings=False))


def _fast(node: CompiledNode) -> Predicate:
    """The predicate of a compiled node, from the same leaf closures as the tree."""
    kind = node.kind
    if kind is LEAF:
        assert node.leaf is not None
        return node.leaf
    if kind is ALL or kind is ANY:
        children = node.children
        head = inline_head(children[0].condition) if len(children) > 1 else None
        if head is not None:
            return _with_head(head, [_fast(child) for child in children[1:]], kind is ALL)
        fs = [_fast(child) for child in children]
        return _all(fs) if kind is ALL else _any(fs)
    inner = _fast(node.children[0])
    return lambda c: not inner(c)


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
