"""Adversarial checks of first_implied's event-window index against all pairs: every
window kind (all time, in_last in every unit, since, after, before, between with start
== end) at instants given in several time zones that meet at the boundaries, every
count test, filters on event properties (some holding instants in other zones), beside
instant ranges on ticket and profile fields, inside all/any/not, in lists long enough
to be searched window by window; and RuleSet.lint's report against the all-pairs lint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing.conditions import (
    Condition,
    _shadowing,
    all_of,
    event,
    profile,
    ticket,
)
from helpdesk_routing.conditions._shadowing import first_implied
from tests.conditions.shadow_strategies import all_pairs as _all_pairs
from tests.conditions.shadow_strategies import assert_lint_agrees, narrowed_lists, trees, windowed

_T0 = datetime(2026, 1, 1, tzinfo=UTC)
_ZONES = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]


def _at(hours: int, zone: int) -> datetime:
    """``hours`` after ``_T0``, written in one of ``_ZONES`` (the same instant)."""
    return (_T0 + timedelta(hours=hours)).astimezone(_ZONES[zone])


_instants = st.builds(_at, st.integers(0, 4), st.integers(0, len(_ZONES) - 1))


@st.composite
def _window(draw: st.DrawFn) -> tuple[Any, ...]:
    kind = draw(st.sampled_from(["all", "in_last", "since", "after", "before", "between"]))
    if kind == "all":
        return ("all",)
    if kind == "in_last":
        unit = draw(st.sampled_from(["minutes", "hours", "days", "weeks", "months"]))
        return ("in_last", {unit: draw(st.sampled_from([1, 2, 4, 31]))})
    if kind == "between":
        a, b = draw(_instants), draw(_instants)
        return ("between", min(a, b), max(a, b))
    return (kind, draw(_instants))


_filters = st.lists(
    st.sampled_from(
        [
            ("kind", "equals", "web"),
            ("kind", "in", ("web", "app")),
            ("value", ">", 10),
            ("value", ">=", 10),
            ("at", "after", _at(1, 0)),
            ("at", "after", _at(1, 1)),
            ("at", "before", _at(3, 2)),
        ]
    ),
    max_size=2,
    unique=True,
)


@st.composite
def _event_leaf(draw: st.DrawFn) -> Condition:
    built = event(draw(st.sampled_from(["order", "order", "refund"])))
    for prop, op, value in draw(_filters):
        built = built.where(prop, op, list(value) if isinstance(value, tuple) else value)
    count = draw(st.sampled_from(["at_least", "at_least", "exactly", "at_most", "zero"]))
    if count == "zero":
        built = built.zero()
    else:
        built = getattr(built, count)(draw(st.sampled_from([0, 1, 1, 2])))
    return windowed(built, draw(_window()))


_field_leaf = st.one_of(
    _instants.map(lambda t: ticket("created_at").before(t)),
    _instants.map(lambda t: ticket("created_at").after(t)),
    _instants.map(lambda t: profile("order").after(t)),
    st.tuples(_instants, _instants).map(lambda ts: profile("order").between(min(ts), max(ts))),
)

_leaf = st.one_of(_event_leaf(), _event_leaf(), _event_leaf(), _field_leaf)

_condition = trees(_leaf, 5)


def _lists(most: int = 30) -> st.SearchStrategy[list[Condition]]:
    return narrowed_lists(_condition, most=most, one_in=3)


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@settings(max_examples=300, deadline=None)
@given(_lists(), st.sampled_from([0, 1, 64]), st.sampled_from([1, 16]), st.sampled_from([0, 4]))
def test_first_implied_agrees_with_all_pairs_on_mixed_windows(
    conditions: list[Condition], gather: int, window: int, peek: int
) -> None:
    """The first earlier condition implied is the one all pairs find, with the
    thresholds as they are and made tiny (searched window by window)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_shadowing, "_GATHER", gather)
        patch.setattr(_shadowing, "_WINDOW", window)
        patch.setattr(_shadowing, "_PEEK", peek)
        assert first_implied(conditions) == _all_pairs(conditions)


@st.composite
def _same_window_lists(draw: st.DrawFn) -> list[Condition]:
    """Many rules on one metric whose windows share a few instants (so ties in the
    count of later rules meeting each side are common), some with a filter."""
    instants = draw(st.lists(_instants, min_size=1, max_size=3))
    out: list[Condition] = []
    for _ in range(draw(st.integers(min_value=1, max_value=60))):
        a, b = draw(st.sampled_from(instants)), draw(st.sampled_from(instants))
        kind = draw(st.sampled_from(["since", "after", "before", "between", "between"]))
        built = event("order")
        if draw(st.booleans()):
            built = built.where(kind=draw(st.sampled_from(["web", "app"])))
        built = built.at_least(draw(st.sampled_from([1, 2])))
        bounds = (min(a, b), max(a, b)) if kind == "between" else (a,)
        leaf = getattr(built, kind)(*bounds)
        if draw(st.integers(0, 3)) == 0:
            leaf = all_of(leaf, event("order").at_least(1).before(draw(st.sampled_from(instants))))
        out.append(leaf)
    return out


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@settings(max_examples=200, deadline=None)
@given(_same_window_lists(), st.sampled_from([1, 64]), st.sampled_from([1, 16]))
def test_first_implied_agrees_with_all_pairs_on_shared_window_instants(
    conditions: list[Condition], gather: int, window: int
) -> None:
    """Windows that meet at the same instants (inclusive and exclusive sides)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_shadowing, "_GATHER", gather)
        patch.setattr(_shadowing, "_WINDOW", window)
        assert first_implied(conditions) == _all_pairs(conditions)


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@settings(max_examples=100, deadline=None)
@given(_lists(most=15), st.lists(st.booleans(), min_size=15, max_size=15))
def test_rule_set_lint_agrees_with_all_pairs_on_mixed_windows(
    conditions: list[Condition], enabled: list[bool]
) -> None:
    """RuleSet.lint's "can never fire" issues are those of the all-pairs lint."""
    assert_lint_agrees(conditions, enabled)
