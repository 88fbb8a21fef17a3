"""compile_condition of a wide condition: each leaf keeps few objects the cyclic
collector tracks."""

from __future__ import annotations

import gc
from collections.abc import Callable

import pytest

from helpdesk_routing.conditions import Condition, compile_condition, event, profile, ticket
from helpdesk_routing.conditions.nodes import AllCondition


def _wide(count: int, leaf: Callable[[int], Condition]) -> AllCondition:
    return AllCondition(conditions=[leaf(i) for i in range(count)])


def _tracked_per_leaf(leaf: Callable[[int], Condition]) -> float:
    """Objects the collector tracks that a compiled 1,000-wide "all" keeps, per leaf."""
    count = 1_000
    condition = _wide(count, leaf)
    gc.collect()
    gc.disable()
    try:
        before = gc.get_objects()  # kept alive: no id of theirs is reused
        known = {id(o) for o in before}
        compiled = compile_condition(condition)
        gc.collect()
        made = [o for o in gc.get_objects() if id(o) not in known and o is not known]
        del before
    finally:
        gc.enable()
    assert compiled.condition is condition
    return len(made) / count


@pytest.mark.parametrize(
    ("name", "most"),
    [
        ("profile_equals_number", 22),
        ("profile_equals_text", 15),
        ("tag", 10),
        ("event", 12),
        ("event_with_filter", 26),
    ],
)
def test_a_compiled_leaf_keeps_few_tracked_objects(name: str, most: int) -> None:
    """Leaves bind what their probe and recorder use as defaults, and a field leaf's
    probe reads through the tree's one reader (before: 29, 22 and 15 per leaf). An event
    leaf and its probe share one counter (before stop 35: 27 per event leaf, 65 with a
    property filter)."""
    leaves: dict[str, Callable[[int], Condition]] = {
        "profile_equals_number": lambda i: profile(f"p{i}") == i,
        "profile_equals_text": lambda i: profile(f"p{i}") == f"v{i}",
        "tag": lambda i: ticket("tags").contains(f"t{i}"),
        "event": lambda i: event(f"m{i}").at_least(i + 1).in_last(hours=2),
        "event_with_filter": lambda i: (
            event(f"m{i}").at_least(1).in_last(days=i + 1).where(total=i)
        ),
    }
    assert _tracked_per_leaf(leaves[name]) <= most
