"""How deep a condition may nest: one limit, counted the way the rule-set loader counts.

A condition's depth is the nesting of objects and arrays in its JSON form, the
condition's own object being level 1 (as :func:`helpdesk_routing._json.loads` counts):
a ``not`` node adds one level, an ``all``/``any`` node two (its object and its
``conditions`` array), a leaf one to four (its object; a list or span value; an event's
``count`` and ``window`` objects, ``where`` array, filters and their values).

:data:`MAX_CONDITION_DEPTH` is :data:`~helpdesk_routing._json.MAX_DEPTH` less the three
levels above a rule's ``when`` in a rule-set document (the document, its ``rules``
array, the rule), so a condition :func:`~.nodes.parse_condition` accepts is one
``RuleSet.from_dict`` accepts in a rule, and the other way round, and a rule set
written as JSON reads back.

:func:`too_deep` measures without recursion (its own stack, one entry per open level,
stopping one level past the limit), so neither a deep condition nor a deep caller
stack can make it raise ``RecursionError``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel

from helpdesk_routing._json import MAX_DEPTH, short_path

__all__ = ["MAX_CONDITION_DEPTH", "depth_message", "node_too_deep", "too_deep"]

MAX_CONDITION_DEPTH = MAX_DEPTH - 3
"""How many levels of JSON objects and arrays a condition may nest (97): the condition's
object is level 1, a ``not`` adds one level and an ``all``/``any`` two, so a chain of 96
``not`` nodes around a leaf, or of 48 ``all``/``any`` groups, is the deepest there is. Inside a
rule set this is exactly ``MAX_DEPTH`` (100) levels of the whole document."""

_Loc = list[str | int]
_DONE: Any = object()

# A leaf node's JSON nests at most this deep (an event, its ``where`` array, a filter, and
# the filter's list value): a leaf this far from the limit is not looked into.
_LEAF_DEPTH = 4


_PLAIN = frozenset({dict, list, tuple})
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _is_container(value: Any) -> bool:
    kind = type(value)
    if kind in _PLAIN:  # JSON's own, asked of every member: no ABC check for them
        return True
    if kind in _SCALARS:
        return False
    return isinstance(value, Mapping | list | tuple | set | frozenset | BaseModel)


def _members(value: Any) -> Iterator[tuple[str | int, Any]]:
    """The (key or index, member) pairs of a JSON object or array, or of a model as its
    JSON form has them (fields by their JSON names, every field written)."""
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        return (
            ((fields[name].alias or name) if name in fields else name, member)
            for name, member in value.__dict__.items()
        )
    if isinstance(value, Mapping):
        return iter(value.items())
    return enumerate(value)


def _leaf_depth(value: Any) -> int:
    """How deep ``value``'s JSON form nests at least, beyond what it holds: a raw event
    condition whose ``count`` and ``window`` are left out is written with both objects."""
    if isinstance(value, Mapping) and value.get("type") == "event":
        return 2
    return 1


def too_deep(condition: Any, limit: int = MAX_CONDITION_DEPTH) -> _Loc | None:
    """The location (below ``condition``) of the first object or array of ``condition``'s
    JSON form that lies deeper than ``limit`` levels, or ``None`` when none does.

    ``condition`` is a node, or its JSON form as Python data (dicts and lists, which may
    hold nodes), or anything else (which nests no deeper than it is). A node's JSON form
    is measured as :meth:`~pydantic.BaseModel.model_dump_json` writes it. ``limit`` is
    at least 2 (the deepest a condition can be alone: an event with its ``count``).
    """
    from .nodes import EventCondition, ProfileCondition, SegmentCondition, TicketCondition

    leaves = (TicketCondition, ProfileCondition, SegmentCondition, EventCondition)
    if not _is_container(condition):
        return None
    # One entry per open level: the members left to look at, and the level's location.
    stack: list[tuple[Iterator[tuple[str | int, Any]], _Loc]] = [(_members(condition), [])]
    while stack:
        members, loc = stack[-1]
        member = next(members, _DONE)
        if member is _DONE:
            stack.pop()
            continue
        key, item = member
        if not _is_container(item):
            continue
        level = len(stack) + 1
        if isinstance(item, leaves) and level + _LEAF_DEPTH - 1 <= limit:
            continue  # a validated leaf this shallow cannot reach the limit
        if level + _leaf_depth(item) - 1 > limit:
            where: _Loc = [*loc, key]
            return where if level > limit else [*where, "count"]
        stack.append((_members(item), [*loc, key]))
    return None


def depth_message(where: _Loc, limit: int = MAX_CONDITION_DEPTH) -> str:
    """The message of a condition nested too deep, naming where (below the condition's
    own path, shortened as :func:`~helpdesk_routing._json.short_path` does) the first
    level past the limit is: ``nested deeper than 97 levels (level 98 at
    .condition.condition…(85 steps left out)….condition)``."""
    return f"nested deeper than {limit} levels (level {limit + 1} at {short_path(where, '')})"


def node_too_deep(condition: Any, limit: int = MAX_CONDITION_DEPTH) -> _Loc | None:
    """:func:`too_deep` of a condition node, asked cheaply first: the levels its ``all``,
    ``any`` and ``not`` nodes nest (two, two and one), plus the most a leaf can add, bound
    its depth from above; only a node whose bound passes ``limit`` (one built with
    ``model_construct``, or deep enough to be near it) is measured exactly."""
    from .nodes import AllCondition, AnyCondition, NotCondition

    if not isinstance(condition, BaseModel):
        return too_deep(condition, limit)
    deepest = 0
    stack: list[tuple[Any, int]] = [(condition, 0)]
    while stack:
        node, level = stack.pop()
        kind = type(node)
        if kind is NotCondition:
            stack.append((node.condition, level + 1))
        elif kind is AllCondition or kind is AnyCondition:
            children = node.conditions
            if not isinstance(children, tuple | list):
                return too_deep(condition, limit)  # not as validation builds it
            stack.extend((child, level + 2) for child in children)
        else:
            if level > deepest:
                deepest = level
            if deepest + _LEAF_DEPTH > limit:
                return too_deep(condition, limit)
    return None
