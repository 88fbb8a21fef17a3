"""compile_condition of a wide condition: the cyclic collector is paused while the
closures (all of them long-lived) are built, and set back as it was; and each leaf
keeps fewer objects the collector tracks."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing.conditions import Condition, compile_condition, profile, ticket
from helpdesk_routing.conditions import compile as compile_module
from helpdesk_routing.conditions.nodes import AllCondition
from helpdesk_routing.errors import ValidationError
from tests.conditions.strategies import conditions as any_conditions


@pytest.fixture
def collector_on() -> Iterator[None]:
    """The collector enabled for the test, and left as it was found."""
    was = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not was:
            gc.disable()


def _wide(count: int, leaf: Callable[[int], Condition]) -> AllCondition:
    return AllCondition(conditions=[leaf(i) for i in range(count)])


def test_compiling_a_wide_all_sets_off_no_collection(collector_on: None) -> None:
    """A 5,000-wide "all" compiles setting off no collection while it builds (before:
    hundreds, each walking the closures built so far); the collector is on again
    afterwards: at most the one collection that its first allocation then sets off."""
    condition = _wide(5_000, lambda i: profile(f"p{i}") == i)
    collections: list[int] = []

    def seen(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.collect()
    gc.callbacks.append(seen)
    try:
        compiled = compile_condition(condition)
    finally:
        gc.callbacks.remove(seen)
    assert len(collections) <= 1
    assert gc.isenabled()
    assert compiled.condition is condition


def test_a_collector_the_host_turned_off_stays_off(collector_on: None) -> None:
    gc.disable()
    compile_condition(_wide(10, lambda i: ticket("tags").contains(f"t{i}")))
    assert not gc.isenabled()


def test_the_collector_is_set_back_when_compiling_raises(
    collector_on: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever raises while the collector is paused (a too-deep condition, or a
    failure while building), it is on again afterwards."""
    deep: Condition = profile("x") == 1
    for _ in range(200):
        deep = AllCondition.model_construct(conditions=[deep])
    with pytest.raises(ValidationError):
        compile_condition(deep)
    assert gc.isenabled()

    def broken(condition: Condition) -> Any:
        assert not gc.isenabled()  # paused while building
        raise RuntimeError("boom")

    monkeypatch.setattr(compile_module, "build_tree", broken)
    with pytest.raises(RuntimeError, match="boom"):
        compile_condition(profile("x") == 1)
    assert gc.isenabled()


@settings(max_examples=100)
@given(any_conditions, st.booleans())
def test_compiling_leaves_the_collector_as_it_was(condition: Condition, enabled: bool) -> None:
    was = gc.isenabled()
    try:
        if enabled:
            gc.enable()
        else:
            gc.disable()
        # A condition the compiler refuses (too deep) changes nothing either.
        with contextlib.suppress(ValidationError):
            compile_condition(condition)
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()


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
    [("profile_equals_number", 22), ("profile_equals_text", 15), ("tag", 10)],
)
def test_a_compiled_leaf_keeps_few_tracked_objects(name: str, most: int) -> None:
    """Leaves bind what their probe and recorder use as defaults, and a field leaf's
    probe reads through the tree's one reader (before: 29, 22 and 15 per leaf)."""
    leaves: dict[str, Callable[[int], Condition]] = {
        "profile_equals_number": lambda i: profile(f"p{i}") == i,
        "profile_equals_text": lambda i: profile(f"p{i}") == f"v{i}",
        "tag": lambda i: ticket("tags").contains(f"t{i}"),
    }
    assert _tracked_per_leaf(leaves[name]) <= most
