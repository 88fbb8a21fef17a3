"""The compiled tree of a condition: one node per condition node, built once.

Each :class:`CompiledNode` carries its JSON path, the condition node it compiles (what
it needs to describe itself) and, for a leaf, its predicate and its probe: the same
leaf evaluated for a trace, returning ``(held, seen)``. Recording
is not a method: :func:`build_recorder` compiles the tree into closures (as the fast
predicate is compiled) that evaluate it the way the predicate does (short-circuit, in
order) and append, per evaluated leaf, ``number, held, seen`` to a flat list: everything
a readable explanation needs that cannot be recomputed later.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._leaves import (
    Predicate,
    Probe,
    event_parts,
    field_leaf,
    segment_leaf,
    segment_probe,
    value_reader,
)
from .nodes import Condition

if TYPE_CHECKING:
    from .context import EvaluationContext

__all__ = ["CompiledNode", "Recorder", "build_recorder", "build_tree"]

Recorder = Callable[["EvaluationContext", list[Any]], bool]
"""A traced evaluation: appends ``number, held, seen`` per evaluated leaf to the list and
returns the verdict."""

ALL, ANY, NOT, LEAF = "all", "any", "not", "leaf"


class CompiledNode:
    """One compiled condition node. ``kind`` is ``all``, ``any``, ``not`` or ``leaf``;
    ``number`` is a leaf's position among the leaves in document order (``-1`` for a
    group); ``leaf`` and ``probe`` are set on leaves only, ``read`` (the value a ticket
    or profile test reads) on those leaves."""

    __slots__ = ("children", "condition", "kind", "leaf", "number", "path", "probe", "read")

    def __init__(
        self,
        kind: str,
        path: str,
        condition: Condition,
        children: tuple[CompiledNode, ...] = (),
        *,
        number: int = -1,
        leaf: Predicate | None = None,
        probe: Probe | None = None,
        read: Callable[[EvaluationContext], Any] | None = None,
    ) -> None:
        self.kind = kind
        self.path = path
        self.condition = condition
        self.children = children
        self.number = number
        self.leaf = leaf
        self.probe = probe
        self.read = read

    def leaves(self) -> list[CompiledNode]:
        """The leaves under this node, in document order."""
        if self.kind is LEAF:
            return [self]
        found: list[CompiledNode] = []
        for child in self.children:
            found.extend(child.leaves())
        return found


def build_tree(condition: Condition) -> CompiledNode:
    """Compile ``condition`` into its tree (root path ``$``)."""
    counter = [0]
    return _build(condition, "$", counter)


def _build(node: Condition, path: str, counter: list[int]) -> CompiledNode:
    kind = node.type
    if (kind == "all" or kind == "any") and not node.conditions:  # type: ignore[union-attr]
        # An empty group decides alone (all: holds, any: does not): a leaf, so that a
        # trace can tell whether the evaluation reached it.
        verdict = kind == "all"
        number = counter[0]
        counter[0] += 1
        return CompiledNode(
            LEAF,
            path,
            node,
            number=number,
            leaf=lambda c: verdict,
            probe=lambda c: (verdict, None),
        )
    if kind == "all" or kind == "any":
        children = tuple(
            _build(child, f"{path}.conditions[{i}]", counter)
            for i, child in enumerate(node.conditions)  # type: ignore[union-attr]
        )
        return CompiledNode(ALL if kind == "all" else ANY, path, node, children)
    if kind == "not":
        inner = _build(node.condition, f"{path}.condition", counter)  # type: ignore[union-attr]
        return CompiledNode(NOT, path, node, (inner,))
    number = counter[0]
    counter[0] += 1
    leaf: Predicate
    probe: Probe
    read = None
    if kind == "ticket" or kind == "profile":
        leaf = field_leaf(node)  # type: ignore[arg-type]
        read = value_reader(node)  # type: ignore[arg-type]
        probe = _field_probe(leaf, read)
    elif kind == "event":
        leaf, probe = event_parts(node)  # type: ignore[arg-type]
    else:
        leaf = segment_leaf(node)  # type: ignore[arg-type]
        probe = segment_probe(leaf)
    return CompiledNode(LEAF, path, node, number=number, leaf=leaf, probe=probe, read=read)


# A compiled condition keeps every closure it is made of for as long as it lives, and
# the cyclic garbage collector walks each of them at every full collection (a 100,000
# leaf condition holds millions). So the closures kept per leaf bind what they use as
# parameter defaults, not as closure cells: a function and one tuple, instead of a
# function, a tuple and a cell per name, each an object the collector tracks (and the
# defaults are locals, read as fast as cells).


def _field_probe(leaf: Predicate, read: Callable[[EvaluationContext], Any]) -> Probe:
    """The traced ticket or profile leaf: ``(held, value read)``, read by the same
    reader as the tree's ``read``."""

    def probe(
        c: EvaluationContext, leaf: Predicate = leaf, read: Callable[..., Any] = read
    ) -> tuple[bool, Any]:
        return leaf(c), read(c)

    return probe


def build_recorder(node: CompiledNode) -> Recorder:
    """The traced evaluation of ``node`` as nested closures (no dispatch per node)."""
    kind = node.kind
    if kind is LEAF:
        probe = node.probe
        number = node.number
        test, read = node.leaf, node.read
        assert probe is not None
        assert test is not None
        if read is not None:
            # A ticket or profile test: the verdict, then the value it read.
            def field(
                c: EvaluationContext,
                out: list[Any],
                test: Predicate = test,
                read: Callable[..., Any] = read,
                number: int = number,
            ) -> bool:
                held = test(c)
                out += (number, held, read(c))
                return held

            return field

        def leaf(
            c: EvaluationContext, out: list[Any], probe: Probe = probe, number: int = number
        ) -> bool:
            held, seen = probe(c)
            out += (number, held, seen)
            return held

        return leaf
    if kind is NOT:
        inner = build_recorder(node.children[0])
        return lambda c, out: not inner(c, out)
    children = [build_recorder(child) for child in node.children]
    if len(children) == 1:
        return children[0]
    if len(children) == 2:
        a, b = children
        if kind is ALL:
            return lambda c, out: a(c, out) and b(c, out)
        return lambda c, out: a(c, out) or b(c, out)
    every = tuple(children)
    if kind is ALL:

        def all_hold(c: EvaluationContext, out: list[Any]) -> bool:
            for r in every:  # noqa: SIM110 - a plain loop is cheaper than all(generator)
                if not r(c, out):
                    return False
            return True

        return all_hold

    def any_holds(c: EvaluationContext, out: list[Any]) -> bool:
        for r in every:  # noqa: SIM110 - a plain loop is cheaper than any(generator)
            if r(c, out):
                return True
        return False

    return any_holds
