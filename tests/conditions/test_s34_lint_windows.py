"""first_implied keys event conditions by their absolute windows (since, after, before,
between): rules that differ only in such a window are no longer compared with every
earlier rule on the same metric, and what is found is still what all pairs find."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing.conditions import Condition, _shadowing, all_of, event
from helpdesk_routing.conditions._shadowing import first_implied
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet
from tests.conditions.shadow_strategies import all_pairs as _all_pairs
from tests.conditions.shadow_strategies import narrowed_lists, trees

_T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _day(n: int) -> datetime:
    return _T0 + timedelta(days=n)


def _scattered(i: int) -> int:
    return i * 7919 % 100_003


# Rules that differ only in an event window and never imply one another (each window
# reaches outside every earlier one), in every order; and, with filters, rules that
# all share a filter (so only the window is selective).
_SHAPES: dict[str, Callable[[int], Condition]] = {
    "between_ascending": lambda i: event("order").at_least(1).between(_day(i), _day(i + 3)),
    "between_descending": lambda i: event("order").at_least(1).between(_day(-i), _day(-i + 3)),
    "between_shuffled": lambda i: (
        event("order").at_least(1).between(_day(_scattered(i)), _day(_scattered(i) + 3))
    ),
    "since_descending": lambda i: event("order").at_least(1).since(_day(-i)),
    "after_descending": lambda i: event("order").at_least(1).after(_day(-i)),
    "before_ascending": lambda i: event("order").at_least(1).before(_day(i)),
    "exactly_between": lambda i: event("order").exactly(2).between(_day(i), _day(i + 3)),
    "filtered_between": lambda i: (
        event("order")
        .where(kind="web")
        .at_least(1)
        .between(_day(_scattered(i)), _day(_scattered(i) + 3))
    ),
    "since_and_before": lambda i: all_of(
        event("order").at_least(1).since(_day(-i)),
        event("order").at_least(1).before(_day(i + 1)),
    ),
}


@pytest.mark.parametrize("shape", sorted(_SHAPES))
def test_rules_differing_only_in_an_absolute_event_window_attempt_no_proof(
    shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2,000 rules whose windows never nest in an earlier one's attempt no proof at
    all (before, every earlier rule on the metric was tried: about two million)."""
    calls: list[int] = []
    real: Callable[..., bool] = _shadowing.implies_normal

    def counted(a: Any, b: Any, memo: dict[int, Any]) -> bool:
        calls.append(1)
        return real(a, b, memo)

    monkeypatch.setattr(_shadowing, "implies_normal", counted)
    conditions = [_SHAPES[shape](i) for i in range(2_000)]
    assert first_implied(conditions) == [None] * 2_000
    assert len(calls) == 0


def test_windows_inside_an_earlier_one_are_caught_by_it() -> None:
    """A window inside an earlier one on the same metric (and with at least its
    filters) is caught by the first such; one reaching outside, or on another metric,
    or an in_last window against an absolute one, is not."""
    order = event("order").at_least(1)
    conditions: list[Condition] = [
        order.between(_day(0), _day(10)),  # 0
        order.between(_day(2), _day(5)),  # 1: inside 0
        order.between(_day(5), _day(12)),  # 2: reaches past 0
        order.since(_day(3)),  # 3
        order.after(_day(4)),  # 4: inside 3
        order.since(_day(4)),  # 5: inside 3
        order.before(_day(20)),  # 6
        order.before(_day(1)),  # 7: inside 6
        event("other").at_least(1).between(_day(2), _day(3)),  # 8: another metric
        order.in_last(days=1),  # 9
        order.where(kind="web").between(_day(6), _day(7)),  # 10: inside 0 (and 2)
        order.at_most(1).between(_day(6), _day(7)),  # 11: at_most implies no at_least
        all_of(order.since(_day(1)), order.before(_day(9))),  # 12: its before inside 6
        order.exactly(3).between(_day(3), _day(4)),  # 13: inside 0
    ]
    expected = [None, 0, None, None, 3, 3, None, 6, None, None, 0, None, 6, 0]
    assert first_implied(conditions) == expected
    assert _all_pairs(conditions) == expected


def test_rule_set_lint_reports_a_window_inside_an_earlier_one() -> None:
    """RuleSet.lint says so of the later rule."""
    order = event("order").at_least(1)
    rules = RuleSet(
        rules=[
            RoutingRule(
                id="q1", when=order.between(_day(0), _day(90)), then=AssignToTeam(team="a")
            ),
            RoutingRule(id="x", when=order.since(_day(100)), then=AssignToTeam(team="b")),
            RoutingRule(
                id="feb", when=order.between(_day(31), _day(58)), then=AssignToTeam(team="c")
            ),
        ]
    )
    never = [(i.rule_id, i.message) for i in rules.lint() if "can never fire" in i.message]
    assert [rule for rule, _ in never] == ["feb"]
    assert "'q1'" in never[0][1]


_days = st.integers(0, 4)
_windows = st.one_of(
    st.none(),
    st.tuples(st.sampled_from(["since", "after", "before"]), _days),
    st.tuples(_days, _days).map(lambda ds: ("between", min(ds), max(ds))),
    st.sampled_from([{"hours": 1}, {"days": 1}, {"days": 31}, {"months": 1}]),
)


def _windowed(args: tuple[str, str, int, list[str], Any]) -> Condition:
    metric, op, n, filters, window = args
    built = event(metric)
    if filters:
        built = built.where(**dict.fromkeys(filters, 1))
    built = getattr(built, op)(n)
    if window is None:
        return built
    if isinstance(window, dict):
        return built.in_last(**window)
    kind, *days = window
    return getattr(built, kind)(*(_day(d) for d in days))


_event_leaf = st.tuples(
    st.sampled_from(["order", "order", "refund"]),
    st.sampled_from(["at_least", "at_least", "exactly", "at_most"]),
    st.sampled_from([1, 1, 2]),
    st.lists(st.sampled_from(["a", "b"]), max_size=2, unique=True),
    _windows,
).map(_windowed)
_event_condition = trees(_event_leaf, 4)


def _event_lists() -> st.SearchStrategy[list[Condition]]:
    """Event conditions with windows of every kind, many narrowed or repeated."""
    return narrowed_lists(_event_condition, most=12)


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@settings(max_examples=400)
@given(_event_lists(), st.sampled_from([0, 1, 64]), st.sampled_from([1, 16]))
def test_first_implied_agrees_with_all_pairs_on_event_windows(
    conditions: list[Condition], gather: int, window: int
) -> None:
    """Events with all-time, in_last, since, after, before and between windows, with
    filters and counts, in groups and negated: the first earlier condition implied is
    the one all pairs find (also with the thresholds made tiny: window by window)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_shadowing, "_GATHER", gather)
        patch.setattr(_shadowing, "_WINDOW", window)
        assert first_implied(conditions) == _all_pairs(conditions)


@settings(max_examples=200)
@given(
    st.lists(st.tuples(_days, _days), min_size=1, max_size=15),
    st.sampled_from(["between", "since_before", "before_since"]),
)
def test_first_implied_agrees_with_all_pairs_on_event_window_tiers(
    spans: list[tuple[int, int]], shape: str
) -> None:
    """Window tiers (one between, or a since and a before conjunct) in any order,
    nesting, touching or disjoint: chosen sides and intervals find what all pairs find."""
    order = event("order").at_least(1)
    conditions: list[Condition] = []
    for a, b in spans:
        low, high = _day(min(a, b)), _day(max(a, b))
        if shape == "between":
            conditions.append(order.between(low, high))
        else:
            parts = [order.since(low), order.before(high)]
            conditions.append(all_of(*(parts if shape == "since_before" else parts[::-1])))
    assert first_implied(conditions) == _all_pairs(conditions)
