"""Adversarial checks of first_implied's count keys against all pairs: count ladders
(at_least, at_most, exactly, zero, 0 and counts near the maximum) on a few metrics, in
nested windows of every kind, with filters, several count leaves of one metric in one
condition, counts under ``not`` (which turns a lower bound into an upper one) and inside
``all``/``any``, beside ticket ranges; with the search thresholds made tiny; and
RuleSet.lint's report against the all-pairs lint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing.conditions import Condition, _shadowing, all_of, any_of, event, not_, ticket
from helpdesk_routing.conditions._shadowing import first_implied
from helpdesk_routing.conditions.nodes import MAX_COUNT
from tests.conditions.shadow_strategies import all_pairs as _all_pairs
from tests.conditions.shadow_strategies import assert_lint_agrees, narrowed_lists, trees, windowed

_T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _day(n: int) -> datetime:
    return _T0 + timedelta(days=n)


# Counts bunched so that ladders share values and meet at their ends: 0, 1 and 2 (where
# at_least 0 asks nothing and at_most 0 is zero), and the largest counts there are.
_COUNTS = [0, 0, 1, 1, 2, 3, MAX_COUNT - 1, MAX_COUNT]


@st.composite
def _window(draw: st.DrawFn) -> tuple[Any, ...]:
    """Windows nested in each other: in_last of a few spans and units, absolute windows
    on a few days (a between from a day to itself included)."""
    kind = draw(st.sampled_from(["all", "in_last", "since", "after", "before", "between"]))
    if kind == "all":
        return ("all",)
    if kind == "in_last":
        unit = draw(st.sampled_from(["hours", "days", "days", "weeks"]))
        return ("in_last", {unit: draw(st.sampled_from([1, 7, 30]))})
    if kind == "between":
        a, b = draw(st.integers(0, 3)), draw(st.integers(0, 3))
        return ("between", _day(min(a, b)), _day(max(a, b)))
    return (kind, _day(draw(st.integers(0, 3))))


@st.composite
def _count_leaf(draw: st.DrawFn) -> Condition:
    built = event(draw(st.sampled_from(["order", "order", "order", "refund", "visit"])))
    for prop, value in draw(
        st.lists(st.sampled_from([("kind", "web"), ("kind", "app"), ("store", "eu")]), max_size=2)
    ):
        built = built.where(**{prop: value})
    op = draw(st.sampled_from(["at_least", "at_least", "at_most", "at_most", "exactly", "zero"]))
    built = built.zero() if op == "zero" else getattr(built, op)(draw(st.sampled_from(_COUNTS)))
    return windowed(built, draw(_window()))


_ticket_leaf = st.one_of(
    st.sampled_from([0, 1, 2, 3]).map(lambda n: ticket("priority_score") >= n),
    st.sampled_from([0, 1, 2, 3]).map(lambda n: ticket("priority_score") <= n),
    st.sampled_from(["vip", "spam"]).map(lambda t: ticket("tags").contains(t)),
)

_leaf = st.one_of(_count_leaf(), _count_leaf(), _count_leaf(), _ticket_leaf)


def _mixed(most: int) -> st.SearchStrategy[list[Condition]]:
    """Trees of count leaves (and some ticket leaves), later ones often repeating,
    narrowing, widening or negating an earlier one."""
    return narrowed_lists(trees(_leaf, 4), most=most, one_in=3)


@st.composite
def _ladders(draw: st.DrawFn) -> list[Condition]:
    """Many rules on one metric that differ mostly in their count (a few values) and
    window (a few nested ones): ladders of every count kind in any order, some filtered,
    some with a second count leaf on the metric (``all``: a band; ``any``), some negated."""
    counts = draw(st.lists(st.sampled_from(_COUNTS), min_size=1, max_size=4))
    windows = draw(st.lists(_window(), min_size=1, max_size=3))

    def leaf() -> Condition:
        built = event("order")
        if draw(st.integers(0, 4)) == 0:
            built = built.where(kind="web")
        op = draw(st.sampled_from(["at_least", "at_most", "exactly", "zero"]))
        built = built.zero() if op == "zero" else getattr(built, op)(draw(st.sampled_from(counts)))
        kind, *args = draw(st.sampled_from(windows))
        if kind == "all":
            return built
        if kind == "in_last":
            return built.in_last(**args[0])
        return getattr(built, kind)(*args)

    out: list[Condition] = []
    for _ in range(draw(st.integers(min_value=1, max_value=60))):
        shape = draw(st.integers(0, 9))
        if shape == 0:
            out.append(all_of(leaf(), leaf()))
        elif shape == 1:
            out.append(any_of(leaf(), leaf()))
        elif shape == 2:
            out.append(not_(leaf()))
        elif shape == 3:
            out.append(not_(all_of(leaf(), leaf())))
        else:
            out.append(leaf())
    return out


def test_count_directions_with_windows_and_negation() -> None:
    """at_least is implied by a count at least as high in a window inside its own;
    at_most (zero, exactly) by a count at most as high in a window around its own;
    under ``not`` the other way round; at_least 0 asks nothing of its count."""
    order = event("order")
    conditions: list[Condition] = [
        order.at_least(3).in_last(days=7),  # 0
        order.at_least(2).in_last(days=30),  # 1: a lower count, a wider window
        order.at_least(2).in_last(days=1),  # 2: inside 1
        order.at_most(1).in_last(days=1),  # 3
        order.at_most(0).in_last(days=7),  # 4: around 3
        order.at_most(0).in_last(hours=1),  # 5: inside 3: not caught
        order.exactly(2).in_last(days=1),  # 6: at_least 2 inside 1
        order.exactly(1).in_last(days=30),  # 7: at_most 1 around 3
        order.zero().in_last(days=30),  # 8: at_most 0 around 3
        not_(order.at_most(3).in_last(days=7)),  # 9
        not_(order.at_most(5).in_last(days=1)),  # 10: at_most 3 in 7 days is at_most 5 in 1
        not_(order.at_least(2).in_last(days=1)),  # 11
        not_(order.at_least(3).in_last(days=7)),  # 12: at_least 2 in 1 day is not 3 in 7
        not_(order.at_least(1).in_last(days=1)),  # 13: at_least 2 is at_least 1
        order.at_least(0).where(kind="web"),  # 14: implies no count
        event("refund").at_most(2),  # 15: another metric
        all_of(order.at_least(2).in_last(days=30), order.at_most(9).in_last(days=1)),  # 16
        order.exactly(MAX_COUNT).in_last(days=1),  # 17: the largest count, inside 0
    ]
    expected = [None, None, 1, None, 3, None, 1, 3, 3, None, 9, None, None, 11, None, None, 1, 0]
    assert _all_pairs(conditions) == expected
    assert first_implied(conditions) == expected


_thresholds = st.tuples(
    st.sampled_from([0, 1, 2, 64]),
    st.sampled_from([1, 2, 16]),
    st.sampled_from([0, 1, 4]),
    st.sampled_from([0, 1, 2]),
)


def _agree(conditions: list[Condition], thresholds: tuple[int, int, int, int]) -> None:
    gather, window, peek, scan = thresholds
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_shadowing, "_GATHER", gather)
        patch.setattr(_shadowing, "_WINDOW", window)
        patch.setattr(_shadowing, "_PEEK", peek)
        patch.setattr(_shadowing, "_SCAN", scan)
        assert first_implied(conditions) == _all_pairs(conditions)


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@settings(max_examples=50, deadline=None)
@given(_mixed(30), _thresholds)
def test_first_implied_agrees_with_all_pairs_on_count_trees(
    conditions: list[Condition], thresholds: tuple[int, int, int, int]
) -> None:
    """Count leaves of every kind in all/any/not trees, on several metrics, with ticket
    ranges: the first earlier condition implied is the one all pairs find."""
    _agree(conditions, thresholds)


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@settings(max_examples=80, deadline=None)
@given(_ladders(), _thresholds)
def test_first_implied_agrees_with_all_pairs_on_count_ladders_in_shared_windows(
    conditions: list[Condition], thresholds: tuple[int, int, int, int]
) -> None:
    """Ladders on one metric over a few counts and windows (bands, alternatives and
    negations of two count leaves among them)."""
    _agree(conditions, thresholds)


@settings(max_examples=40, deadline=None)
@given(_mixed(15), st.lists(st.booleans(), min_size=15, max_size=15))
def test_rule_set_lint_agrees_with_all_pairs_on_count_trees(
    conditions: list[Condition], enabled: list[bool]
) -> None:
    """RuleSet.lint's "can never fire" issues are those of the all-pairs lint."""
    assert_lint_agrees(conditions, enabled)
