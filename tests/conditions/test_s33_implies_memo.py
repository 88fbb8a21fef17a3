"""implies on alternating all/any trees: each pair of subtrees compared once, each leaf's
key computed once, and the same answers as the plain recursion."""

from __future__ import annotations

from itertools import count
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing.conditions import (
    AllCondition,
    AnyCondition,
    Condition,
    NotCondition,
    ProfileCondition,
    all_of,
    analysis,
    any_of,
    implies,
    not_,
    profile,
)
from helpdesk_routing.conditions.analysis import (
    EventCondition,
    _excludes,
    _key,
    _Neg,
    _normal,
    _same_field,
    _value_implies,
)
from tests.conditions.strategies import conditions, leaves


def _plain(a: Any, b: Any) -> bool:
    """The recursion as it stood before the pair memo (no memo at all): the reference."""
    if _key(a) == _key(b):
        return True
    if isinstance(b, tuple) and b[0] == "all":
        return all(_plain(a, child) for child in b[1])
    if isinstance(a, tuple) and a[0] == "any":
        return all(_plain(child, b) for child in a[1])
    if isinstance(b, tuple) and b[0] == "any" and any(_plain(a, child) for child in b[1]):
        return True
    if isinstance(a, tuple) and a[0] == "all" and any(_plain(child, b) for child in a[1]):
        return True
    if isinstance(a, _Neg) and isinstance(b, _Neg):
        return _plain(b.inner, a.inner)
    if isinstance(a, tuple) or isinstance(b, tuple) or isinstance(a, _Neg):
        return False
    if isinstance(b, _Neg):
        return _excludes(a, b.inner)
    if isinstance(a, EventCondition) and isinstance(b, EventCondition):
        return analysis._event_implies(a, b)
    if _same_field(a, b):
        return _value_implies(a.op, a.value, b.op, b.value)
    return False


def _alternating(depth: int, start: int, width: int = 2) -> Condition:
    """A full tree of ``depth`` alternating all/any levels over ``width**depth`` leaves
    drawn from a small vocabulary (so many subtrees imply each other)."""
    counter = count(start)

    def build(level: int) -> Condition:
        if level == 0:
            k = next(counter)
            return profile(f"p{k % 7}") == k % 5
        group = all_of if level % 2 == 0 else any_of
        return group(*[build(level - 1) for _ in range(width)])

    return build(depth)


def _nodes(node: Condition) -> int:
    if isinstance(node, AllCondition | AnyCondition):
        return 1 + sum(_nodes(c) for c in node.conditions)
    if isinstance(node, NotCondition):
        return 1 + _nodes(node.condition)
    return 1


def _leaves(node: Condition) -> int:
    if isinstance(node, AllCondition | AnyCondition):
        return sum(_leaves(c) for c in node.conditions)
    if isinstance(node, NotCondition):
        return _leaves(node.condition)
    return 1


# Trees that share leaves and subtrees (the same objects at several places) and alternate
# all/any, beside the shared random trees.
_shared = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=3).map(lambda cs: all_of(*cs, *cs[:1])),
        st.lists(children, min_size=1, max_size=3).map(lambda cs: any_of(*cs, *cs[-1:])),
        children.map(not_),
    ),
    max_leaves=10,
)
_trees = st.one_of(conditions, _shared)


@settings(max_examples=300)
@given(_trees, _trees)
def test_same_answers_as_the_plain_recursion(a: Condition, b: Condition) -> None:
    for x, y in ((a, b), (b, a), (a, a), (a, any_of(b, a)), (all_of(a, b), b), (not_(a), not_(b))):
        assert implies(x, y) is _plain(_normal(x), _normal(y))


@given(st.integers(0, 6), st.integers(0, 40), st.integers(0, 40))
def test_same_answers_on_alternating_trees(depth: int, start_a: int, start_b: int) -> None:
    a, b = _alternating(depth, start_a), _alternating(depth, start_b)
    for x, y in ((a, b), (a, a), (not_(a), not_(b)), (a, any_of(b, a))):
        assert implies(x, y) is _plain(_normal(x), _normal(y))


@pytest.mark.parametrize("depth", [4, 6, 8, 10])
def test_each_leaf_is_serialised_once(depth: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A leaf's comparison key (its JSON) is computed once per call, however many pairs
    it takes part in: the work grows linearly in leaves for the keys."""
    a, b = _alternating(depth, 0), _alternating(depth, 3)
    dumps = 0
    real = ProfileCondition.model_dump_json

    def counted(self: ProfileCondition, **kwargs: Any) -> str:
        nonlocal dumps
        dumps += 1
        return real(self, **kwargs)

    monkeypatch.setattr(ProfileCondition, "model_dump_json", counted)
    assert implies(a, b) is False
    assert dumps <= _leaves(a) + _leaves(b)


@pytest.mark.parametrize("depth", [4, 6, 8, 10])
def test_pairs_are_compared_at_most_once(depth: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """``_key`` is asked twice per compared pair and once per node inside a key: with each
    pair of subtrees compared at most once, the calls stay within the product of the tree
    sizes (quadratic in leaves), not exponential in depth."""
    a, b = _alternating(depth, 0), _alternating(depth, 3)
    calls = 0
    real = analysis._key

    def counted(x: Any, memo: dict[int, Any] | None = None) -> Any:
        nonlocal calls
        calls += 1
        return real(x, memo)

    monkeypatch.setattr(analysis, "_key", counted)
    for x, y in ((a, b), (not_(a), not_(b))):
        calls = 0
        implies(x, y)
        n_a, n_b = _nodes(x), _nodes(y)
        assert calls <= 2 * n_a * n_b + 2 * (n_a + n_b)
