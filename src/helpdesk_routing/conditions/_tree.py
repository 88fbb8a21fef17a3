"""The compiled tree of a condition: one node per condition node, built once.

Each :class:`CompiledNode` carries its JSON path, the condition node it compiles (what
it needs to describe itself) and, for a leaf, its predicate and its probe: the same
leaf evaluated for a trace, returning ``(held, seen)``. :meth:`CompiledNode.record`
evaluates the tree the way the fast predicate does (short-circuit, in order) and
appends, per evaluated leaf, ``number, held, seen`` to a flat list: everything a
readable explanation needs that cannot be recomputed later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._leaves import (
    Predicate,
    Probe,
    event_leaf,
    event_probe,
    field_leaf,
    field_probe,
    segment_leaf,
    segment_probe,
)
from .nodes import Condition

if TYPE_CHECKING:
    from .context import EvaluationContext

__all__ = ["CompiledNode", "build_tree"]

ALL, ANY, NOT, LEAF = "all", "any", "not", "leaf"


class CompiledNode:
    """One compiled condition node. ``kind`` is ``all``, ``any``, ``not`` or ``leaf``;
    ``number`` is a leaf's position among the leaves in document order (``-1`` for a
    group); ``leaf`` and ``probe`` are set on leaves only."""

    __slots__ = ("children", "condition", "kind", "leaf", "number", "path", "probe")

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
    ) -> None:
        self.kind = kind
        self.path = path
        self.condition = condition
        self.children = children
        self.number = number
        self.leaf = leaf
        self.probe = probe

    def record(self, ctx: EvaluationContext, out: list[Any]) -> bool:
        """Evaluate as the fast predicate does, appending ``number, held, seen`` for
        each leaf evaluated; returns the verdict."""
        kind = self.kind
        if kind is LEAF:
            held, seen = self.probe(ctx)  # type: ignore[misc]
            out += (self.number, held, seen)
            return held
        # Plain loops: cheaper than all()/any() over a generator on this hot path.
        if kind is ALL:
            for child in self.children:  # noqa: SIM110
                if not child.record(ctx, out):
                    return False
            return True
        if kind is ANY:
            for child in self.children:  # noqa: SIM110
                if child.record(ctx, out):
                    return True
            return False
        return not self.children[0].record(ctx, out)

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
    if kind == "ticket" or kind == "profile":
        leaf = field_leaf(node)  # type: ignore[arg-type]
        probe = field_probe(node, leaf)  # type: ignore[arg-type]
    elif kind == "event":
        leaf = event_leaf(node)  # type: ignore[arg-type]
        probe = event_probe(node)  # type: ignore[arg-type]
    else:
        leaf = segment_leaf(node)  # type: ignore[arg-type]
        probe = segment_probe(leaf)
    return CompiledNode(LEAF, path, node, number=number, leaf=leaf, probe=probe)
