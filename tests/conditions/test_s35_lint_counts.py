"""first_implied keys event conditions by their counts: rules that differ only in an
``at_least``, ``at_most`` or ``exactly`` count (under one shared window, or windows of
one span) are no longer compared with every earlier rule on the same metric, and what
is found is still what all pairs find."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing.conditions import Condition, _shadowing, all_of, event, not_, ticket
from helpdesk_routing.conditions._shadowing import first_implied
from tests.conditions.shadow_strategies import all_pairs as _all_pairs
from tests.conditions.shadow_strategies import assert_lint_agrees, count_ladders

_T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _day(n: int) -> datetime:
    return _T0 + timedelta(days=n)


def _scattered(i: int) -> int:
    return i * 7919 % 100_003


_WINDOWS: dict[str, Callable[[Any], Condition]] = {
    "all_time": lambda built: built,
    "between": lambda built: built.between(_day(0), _day(30)),
    "in_last": lambda built: built.in_last(days=30),
    "since": lambda built: built.since(_day(0)),
    "after": lambda built: built.after(_day(0)),
    "before": lambda built: built.before(_day(30)),
}

_N = 4_000

# Count ladders under one window, in the orders in which every rule used to be compared
# with every earlier one on the metric (none implies an earlier one: a lower at_least,
# a higher at_most, another exactly), and in those in which each is caught by the first.
_SHAPES: dict[str, Callable[[int], Condition]] = {}
for _name, _window in _WINDOWS.items():
    _SHAPES[f"at_least_descending_{_name}"] = lambda i, w=_window: w(
        event("order").at_least(_N - i)
    )
    _SHAPES[f"at_most_ascending_{_name}"] = lambda i, w=_window: w(event("order").at_most(i))
    _SHAPES[f"exactly_ascending_{_name}"] = lambda i, w=_window: w(event("order").exactly(i))
    _SHAPES[f"at_least_ascending_{_name}"] = lambda i, w=_window: w(event("order").at_least(i + 1))
    _SHAPES[f"at_most_descending_{_name}"] = lambda i, w=_window: w(event("order").at_most(_N - i))
_CAUGHT_BY_THE_FIRST = {
    name for name in _SHAPES if name.startswith(("at_least_ascending", "at_most_descending"))
}
_SHAPES |= {
    "exactly_shuffled": lambda i: event("order").exactly(_scattered(i)).in_last(days=30),
    "at_least_shuffled": lambda i: (
        event("order").at_least(_scattered(i)).between(_day(0), _day(30))
    ),
    "filtered_at_least_descending": lambda i: (
        event("order").where(kind="web").at_least(_N - i).between(_day(0), _day(30))
    ),
    "at_least_descending_in_last_or_between": lambda i: _WINDOWS["in_last" if i % 2 else "between"](
        event("order").at_least(_N - i)
    ),
    "at_least_descending_or_at_most_ascending": lambda i: (
        event("order").at_least(_N - i) if i % 2 else event("order").at_most(i)
    ).in_last(days=30),
    "at_least_descending_with_a_tag": lambda i: all_of(
        event("order").at_least(_N - i).in_last(days=30), ticket("tags").contains("vip")
    ),
}


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@pytest.mark.parametrize("shape", sorted(_SHAPES))
def test_count_ladders_attempt_at_most_one_proof_per_rule(
    shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """4,000 rules that differ only in their count attempt at most one proof each: none
    when no rule implies an earlier one, one when each is caught by the first (before,
    every earlier rule on the metric was tried: about eight million proofs; the count
    stops the run as soon as it passes the bound)."""
    calls: list[int] = []
    real: Callable[..., bool] = _shadowing.implies_normal

    def counted(a: Any, b: Any, memo: dict[int, Any]) -> bool:
        calls.append(1)
        if len(calls) > _N:
            raise AssertionError(f"more than {_N} proofs for {_N} rules")
        return real(a, b, memo)

    monkeypatch.setattr(_shadowing, "implies_normal", counted)
    conditions = [_SHAPES[shape](i) for i in range(_N)]
    found = first_implied(conditions)
    # Each caught rule cost a proof, and only the rules that catch were tried.
    assert len(calls) == sum(i is not None for i in found)
    if shape in _CAUGHT_BY_THE_FIRST:
        assert found == [None] + [0] * (_N - 1)
    elif "shuffled" not in shape:
        assert found == [None] * _N


def test_counts_are_caught_by_the_first_earlier_count_as_loose() -> None:
    """A count as tight as an earlier one's on the same metric (with a window inside its
    window for at_least, around it for at_most) is caught by the first such; zero and
    exactly 0 are at_most 0; an earlier at_least 0 catches any event condition on its
    metric."""
    order = event("order")
    conditions: list[Condition] = [
        order.at_least(3).in_last(days=30),  # 0
        order.at_least(2).in_last(days=30),  # 1: a lower count
        order.at_least(5).in_last(days=7),  # 2: a higher count, inside 0: caught by 0
        order.at_most(4).in_last(days=7),  # 3
        order.at_most(2).in_last(days=30),  # 4: a lower count, around 3: caught by 3
        order.at_most(2).in_last(days=3),  # 5: inside 3 and 4: neither is around it
        order.zero().in_last(days=7),  # 6: at_most 0: caught by 3
        order.exactly(0).in_last(days=7),  # 7: as zero: caught by 3
        order.exactly(3).in_last(days=7),  # 8: at_least 3 inside 0: caught by 0
        order.exactly(1).between(_day(0), _day(9)),  # 9
        order.exactly(1).between(_day(0), _day(9)),  # 10: equal to 9
        order.exactly(2).between(_day(0), _day(9)),  # 11: another count
        event("refund").at_most(7),  # 12: another metric
        event("refund").at_least(0),  # 13: at_most 7 is not at_least 0
        event("refund").exactly(4).in_last(days=1),  # 14: caught by 13, not 12
        not_(order.at_least(2).in_last(days=30)),  # 15
        not_(order.at_least(1).in_last(days=30)),  # 16: at_least 2 implies at_least 1
    ]
    expected = [None, None, 0, None, 3, None, 3, 3, 0, None, 9, None, None, None, 13, None, 15]
    assert _all_pairs(conditions) == expected
    assert first_implied(conditions) == expected


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@settings(max_examples=300, deadline=None)
@given(
    count_ladders(),
    st.sampled_from([0, 1, 64]),
    st.sampled_from([1, 16]),
    st.sampled_from([0, 4]),
)
def test_first_implied_agrees_with_all_pairs_on_count_ladders(
    conditions: list[Condition], gather: int, window: int, peek: int
) -> None:
    """Counts of every kind (at_least, at_most, exactly, zero, 0) in random order with
    duplicates, under shared and nested windows, some filtered, in groups and negated:
    the first earlier condition implied is the one all pairs find (also with the
    thresholds made tiny: window by window)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_shadowing, "_GATHER", gather)
        patch.setattr(_shadowing, "_WINDOW", window)
        patch.setattr(_shadowing, "_PEEK", peek)
        assert first_implied(conditions) == _all_pairs(conditions)


@settings(max_examples=100, deadline=None)
@given(count_ladders(most=15), st.lists(st.booleans(), min_size=15, max_size=15))
def test_rule_set_lint_agrees_with_all_pairs_on_count_ladders(
    conditions: list[Condition], enabled: list[bool]
) -> None:
    """RuleSet.lint's "can never fire" issues are those of the all-pairs lint."""
    assert_lint_agrees(conditions, enabled)


def test_conditions_are_walked_for_their_counts_only_where_counts_differ(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Choosing a count over a window takes a walk over what the later conditions have
    (``_Later``): taken when a metric is counted in more than one way, not when every
    rule counts alike (``at_least(1)`` in windows of every length: the window is the
    need, as before, at no extra cost)."""
    walks: list[int] = []
    real = _shadowing._Later

    def counted(has: Any) -> Any:
        walks.append(1)
        return real(has)

    monkeypatch.setattr(_shadowing, "_Later", counted)
    alike = [event("order").at_least(1).in_last(minutes=i + 1) for i in range(50)]
    assert first_implied(alike) == [None] * 50
    assert walks == []
    ladder = [event("order").at_least(50 - i).in_last(minutes=1) for i in range(50)]
    assert first_implied(ladder) == [None] * 50
    assert walks == [1]
