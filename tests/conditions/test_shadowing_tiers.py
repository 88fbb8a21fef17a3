"""Tiers listed in no order: first_implied meets a tier's two bounds at once."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing.conditions import (
    Condition,
    _shadowing,
    all_of,
    any_of,
    implies,
    not_,
    profile,
    segment,
    ticket,
)
from helpdesk_routing.conditions._shadowing import first_implied
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet

_T0 = datetime(2026, 3, 30, tzinfo=UTC)
# Few bounds, so that tiers often share one (open on one side, closed on the other),
# ints and floats equal to each other, and ints a float cannot tell apart.
_NUMBERS = [-1, 0, 0.0, 0.5, 1, 2, 2.5, 3, 3.0, 2**53, 2**53 + 1, float(2**53)]
_DAYS = [0, 1, 2, 3]
_SHAPES = ["gt", "ge", "lt", "le", "between", "gt_lt", "ge_lt", "gt_le", "ge_le", "lt_ge"]


def _range(field: Any, shape: str, low: Any, high: Any) -> Condition:
    """``field`` tested as ``shape`` on ``low`` and ``high`` (one bound, a ``between``,
    or two bounds of either kind, the upper one first for ``lt_ge``)."""
    single: dict[str, Callable[[], Condition]] = {
        "gt": lambda: field > low,
        "ge": lambda: field >= low,
        "lt": lambda: field < high,
        "le": lambda: field <= high,
        "between": lambda: field.between(min(low, high), max(low, high)),
        "gt_lt": lambda: (field > low) & (field < high),
        "ge_lt": lambda: (field >= low) & (field < high),
        "gt_le": lambda: (field > low) & (field <= high),
        "ge_le": lambda: (field >= low) & (field <= high),
        "lt_ge": lambda: (field < high) & (field >= low),
    }
    return single[shape]()


def _date_range(shape: str, low: int, high: int) -> Condition:
    field = profile("signup")
    lo, hi = _T0 + timedelta(days=low), _T0 + timedelta(days=high)
    if shape == "between":
        return field.between(min(lo, hi), max(lo, hi))
    if shape == "after":
        return field.after(lo)
    if shape == "before":
        return field.before(hi)
    return field.after(lo) & field.before(hi)


_field = st.sampled_from([profile("ltv"), ticket("priority")])
_number_tier = st.builds(
    _range, _field, st.sampled_from(_SHAPES), st.sampled_from(_NUMBERS), st.sampled_from(_NUMBERS)
)
_date_tier = st.builds(
    _date_range,
    st.sampled_from(["between", "after", "before", "after_before"]),
    st.sampled_from(_DAYS),
    st.sampled_from(_DAYS),
)
_unrelated = st.one_of(
    st.sampled_from(["sms", "email"]).map(lambda c: ticket("channel") == c),
    st.sampled_from(["vip", "new"]).map(segment),
    st.just(profile("ltv").is_set()),
    st.sampled_from(["High", "Low"]).map(lambda v: profile("risk") == v),
)
_tier = st.one_of(_number_tier, _number_tier, _number_tier, _date_tier)
_rule = st.one_of(
    _tier,
    _tier,
    _unrelated,
    st.tuples(_unrelated, _tier).map(lambda pair: all_of(*pair)),
    st.tuples(_tier, _tier).map(lambda pair: all_of(*pair)),
    st.tuples(_tier, _tier).map(lambda pair: any_of(*pair)),
    _tier.map(not_),
)


def _every_pair(conditions: list[Condition]) -> list[int | None]:
    """The reference: each condition against every earlier one, in order."""
    found: list[int | None] = []
    for j, later in enumerate(conditions):
        first = None
        for i in range(j):
            if implies(later, conditions[i]):
                first = i
                break
        found.append(first)
    return found


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@settings(max_examples=500)
@given(st.lists(_rule, min_size=1, max_size=16).flatmap(st.permutations))
def test_tiers_in_no_order_find_what_every_pair_finds(conditions: list[Condition]) -> None:
    """Tiers of numbers (ints and floats, open and closed bounds, equal bounds, one
    bound, a ``between`` or two) and of instants, in any order, among unrelated rules:
    the first earlier condition implied is the one every pair finds."""
    assert first_implied(conditions) == _every_pair(conditions)


@settings(max_examples=300)
@given(
    st.lists(_rule, min_size=1, max_size=16).flatmap(st.permutations),
    st.sampled_from([0, 1, 4]),
    st.sampled_from([1, 2, 5]),
    st.sampled_from([0, 1, 2]),
)
def test_tiers_in_no_order_window_by_window_find_what_every_pair_finds(
    conditions: list[Condition], gather: int, window: int, peek: int
) -> None:
    """With the thresholds made tiny, a tier's earlier intervals are counted only in
    part and gathered window by window: still what every pair finds."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_shadowing, "_GATHER", gather)
        patch.setattr(_shadowing, "_WINDOW", window)
        patch.setattr(_shadowing, "_PEEK", peek)
        assert first_implied(conditions) == _every_pair(conditions)


@pytest.mark.parametrize("seed", range(3))
def test_hundreds_of_tiers_in_no_order_find_what_every_pair_finds(seed: int) -> None:
    """Hundreds of tiers on a few bounds (each contained in many earlier ones, some
    only but for an open bound) at the real thresholds."""
    rng = random.Random(seed)
    conditions: list[Condition] = []
    for _ in range(300):
        low, high = sorted(rng.sample(_NUMBERS, 2))
        tier = _range(profile("ltv"), rng.choice(_SHAPES), low, high)
        if rng.random() < 0.2:
            tier = all_of(ticket("channel") == rng.choice(["sms", "email"]), tier)
        conditions.append(tier)
    assert first_implied(conditions) == _every_pair(conditions)


@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 6)).map(sorted),
        min_size=1,
        max_size=20,
    ),
    st.integers(0, 6),
    st.integers(0, 6),
    st.integers(0, 20),
    st.integers(0, 20),
)
def test_interval_index_finds_the_containing_intervals_in_order(
    intervals: list[list[int]], low: int, high: int, start: int, stop: int
) -> None:
    """The index of interval needs returns, in position order, exactly the positions
    from ``start`` to ``stop`` of those ``[low, high]`` meets (``low' <= low`` and
    ``high' >= high``), counted up to the number asked."""
    entries = [(position, lo, hi) for position, (lo, hi) in enumerate(intervals)]
    index = _shadowing._Intervals(entries)
    expected = [p for p, lo, hi in entries if start <= p < stop and lo <= low and hi >= high]
    assert index.meeting(low, high, start, stop, len(entries)) == expected
    assert index.meeting(low, high, start, stop, 2) == expected[:2]


def _tiers(count: int) -> dict[str, tuple[list[Condition], list[int | None]]]:
    """Tiers listed in a seeded random order: disjoint ones (each implies none), and
    nested ``between`` ones (each caught by the first earlier one at least as wide)."""
    order = list(range(count))
    random.Random(count).shuffle(order)
    ltv = profile("ltv")
    first_wider = [next((i for i in range(j) if order[i] >= order[j]), None) for j in range(count)]
    return {
        "two_bounds": ([(ltv >= 10 * k) & (ltv < 10 * k + 10) for k in order], [None] * count),
        "between": ([ltv.between(10 * k, 10 * k + 9) for k in order], [None] * count),
        "floats_open_closed": (
            [(ltv > 1.5 * k) & (ltv <= 1.5 * k + 1.5) for k in order],
            [None] * count,
        ),
        "dates": (
            [
                profile("signup").between(
                    _T0 - timedelta(days=k + 1), _T0 - timedelta(days=k, seconds=1)
                )
                for k in order
            ],
            [None] * count,
        ),
        "on_a_channel": (
            [(ticket("channel") == "email") & (ltv >= 10 * k) & (ltv < 10 * k + 10) for k in order],
            [None] * count,
        ),
        "nested": ([ltv.between(-k, k) for k in order], first_wider),
    }


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@pytest.mark.parametrize("shape", sorted(_tiers(1)))
def test_tiers_in_no_order_cost_n_log_n_operations(
    shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2,000 tiers in no order: the proofs attempted, the index nodes read and the
    candidates gathered add up to at most 8 n log2 n (comparing each tier with the
    earlier ones that meet one of its sides was about n^2 / 4 proofs)."""
    operations = [0]
    proof: Callable[..., bool] = _shadowing.implies_normal
    window = _shadowing._Ordered.window

    def counted_proof(a: Any, b: Any, memo: dict[int, Any]) -> bool:
        operations[0] += 1
        return proof(a, b, memo)

    def counted_window(self: Any, lo: int, hi: int) -> set[int]:
        found = window(self, lo, hi)
        operations[0] += len(found)
        return found

    monkeypatch.setattr(_shadowing, "implies_normal", counted_proof)
    monkeypatch.setattr(_shadowing._Ordered, "window", counted_window)
    holds = getattr(_shadowing, "_Intervals", None)
    if holds is not None:
        real_holds = holds.holds

        def counted_holds(self: Any, node: int, low: Any, high: Any) -> bool:
            operations[0] += 1
            return real_holds(self, node, low, high)

        monkeypatch.setattr(holds, "holds", counted_holds)
    count = 2_000
    conditions, expected = _tiers(count)[shape]
    assert first_implied(conditions) == expected
    assert operations[0] <= 8 * count * math.log2(count)


def test_lint_reports_tiers_in_no_order_as_every_pair_does() -> None:
    """RuleSet.lint on shuffled tiers, some nested or repeated, names the same rules in
    the same order as comparing every pair."""
    rng = random.Random(7)
    ltv = profile("ltv")
    whens: list[Condition] = [ltv.between(10 * k, 10 * k + 9) for k in range(40)]
    whens += [ltv.between(10 * k + 1, 10 * k + 5) for k in range(0, 40, 3)]
    whens += [(ltv >= 10 * k) & (ltv <= 10 * k + 9) for k in range(0, 40, 4)]
    whens += [(ltv > 10 * k) & (ltv < 10 * k + 10) for k in range(0, 40, 5)]
    rng.shuffle(whens)
    rules = RuleSet(
        rules=[
            RoutingRule(id=f"r{i}", when=when, then=AssignToTeam(team="t"))
            for i, when in enumerate(whens)
        ]
    )
    caught = _every_pair(whens)
    expected = [
        (f"r{j}", f"can never fire: earlier team rule 'r{i}' catches every ticket it matches")
        for j, i in enumerate(caught)
        if i is not None
    ]
    reported = [(issue.rule_id, issue.message) for issue in rules.lint()]
    assert expected
    assert reported == expected
