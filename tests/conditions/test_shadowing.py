"""first_implied (the grouped lint) finds exactly what comparing every pair finds."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing.conditions import (
    AllCondition,
    AnyCondition,
    Condition,
    NotCondition,
    _shadowing,
    all_of,
    any_of,
    event,
    not_,
    profile,
    segment,
    ticket,
)
from helpdesk_routing.conditions._shadowing import first_implied
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet, SaveAsView
from tests.conditions.shadow_strategies import all_pairs as _all_pairs
from tests.conditions.shadow_strategies import lint_all_pairs as _lint_all_pairs
from tests.conditions.shadow_strategies import narrowed_lists, never_fire, trees
from tests.conditions.strategies import conditions as any_conditions

_CHANNELS = ["sms", "email", "webchat"]
_TEXTS = ["High", "Low", 1, True]
_T0 = datetime(2026, 3, 30, tzinfo=UTC)
_TIER_SHAPES = ["ge_lt", "gt_le", "ge_le", "upper_first", "between"]


def _tier(low: int | None, high: int | None, shape: str, dates: bool) -> Condition:
    """A tier from ``low`` to ``high`` (``None``: open on that side) of ``ltv``, or of
    ``signup`` (``low`` and ``high`` days after ``_T0``), written as ``shape``: one
    ``between``, or a lower and an upper bound (``after``/``before`` for instants), the
    upper one first for ``upper_first``; ``is_set`` when open on both sides."""
    field = profile("signup" if dates else "ltv")

    def at(n: int | None) -> Any:
        return None if n is None else _T0 + timedelta(days=n) if dates else n

    lo, hi = at(low), at(high)
    if shape == "between" and lo is not None and hi is not None:
        return field.between(min(lo, hi), max(lo, hi))
    lower = upper = None
    if lo is not None:
        lower = field.after(lo) if dates else field > lo if shape == "gt_le" else field >= lo
    if hi is not None:
        inclusive = shape in ("gt_le", "ge_le")
        upper = field.before(hi) if dates else field <= hi if inclusive else field < hi
    parts = [c for c in (lower, upper) if c is not None]
    if not parts:
        return field.is_set()
    if shape == "upper_first":
        parts.reverse()
    return parts[0] if len(parts) == 1 else all_of(*parts)


_TIER_BOUNDS = st.sampled_from([None, 0, 5, 10, 15, 20])
# One tier on a few bounds: tiers that overlap, nest, touch, or are open-ended.
_one_tier = st.builds(
    _tier, _TIER_BOUNDS, _TIER_BOUNDS, st.sampled_from(_TIER_SHAPES), st.booleans()
)

# Few values, so that random conditions often imply one another.
_leaf = st.one_of(
    st.sampled_from(_CHANNELS).map(lambda c: ticket("channel") == c),
    st.lists(st.sampled_from(_CHANNELS), min_size=1, max_size=2).map(
        lambda cs: ticket("channel").is_in(cs)
    ),
    st.sampled_from(["Order", "Return"]).map(lambda t: ticket("tags").contains(t)),
    st.sampled_from(_TEXTS).map(lambda v: profile("risk") == v),
    st.lists(st.sampled_from(_TEXTS), min_size=1, max_size=3).map(
        lambda vs: profile("risk").is_in(vs)
    ),
    st.sampled_from(_TEXTS).map(lambda v: profile("risk") != v),
    st.just(profile("risk").is_set()),
    st.sampled_from([5, 10]).map(lambda n: profile("ltv") > n),
    st.sampled_from([5, 10]).map(lambda n: profile("ltv") >= n),
    st.sampled_from(["vip", "new"]).map(segment),
    st.sampled_from(["vip", "new"]).map(lambda s: segment(s, member=False)),
    st.sampled_from([1, 2]).map(lambda n: event("Placed Order").at_least(n)),
    st.sampled_from([0, 1]).map(lambda n: event("Placed Order").at_most(n)),
    _one_tier,
)
_condition = trees(_leaf, 5)


def _condition_lists() -> st.SearchStrategy[list[Condition]]:
    """Conditions, some repeated or narrowed versions of earlier ones."""
    return narrowed_lists(_condition, most=10, last=any_of)


@given(_condition_lists())
def test_first_implied_agrees_with_all_pairs(conditions: list[Condition]) -> None:
    """For each condition, the first earlier one it implies is the one all pairs find."""
    assert first_implied(conditions) == _all_pairs(conditions)


def test_first_implied_finds_narrowed_repeats_and_list_subsets() -> None:
    """Equal, narrower and in-list-subset conditions are caught by the first that covers them."""
    conditions: list[Condition] = [
        ticket("channel").is_in(["sms", "email"]),
        profile("risk") == "High",
        ticket("channel") == "sms",
        (profile("risk") == "High") & segment("vip"),
        profile("ltv") > 10,
        ~(profile("ltv") > 10),
        ~(profile("ltv") > 5),
    ]
    assert first_implied(conditions) == [None, None, 0, 1, None, None, 5]


@given(
    st.lists(st.tuples(_condition, st.booleans(), st.booleans()), min_size=1, max_size=10),
    st.data(),
)
def test_rule_set_lint_reports_what_the_all_pairs_lint_reported(
    drawn: list[tuple[Condition, bool, bool]], data: Any
) -> None:
    """RuleSet.lint's "can never fire" issues are exactly those of the all-pairs lint."""
    rules = []
    for i, (when, enabled, team) in enumerate(drawn):
        if rules and data.draw(st.booleans()):
            when = data.draw(st.sampled_from(rules)).when
        then: Any = AssignToTeam(team="t") if team else SaveAsView(view="v")
        rules.append(RoutingRule(id=f"r{i}", enabled=enabled, when=when, then=then))
    rule_set = RuleSet(rules=rules)
    assert never_fire(rule_set) == _lint_all_pairs(rule_set)


def _has_empty_group(node: Condition) -> bool:
    if isinstance(node, AllCondition | AnyCondition):
        return not node.conditions or any(_has_empty_group(c) for c in node.conditions)
    if isinstance(node, NotCondition):
        return _has_empty_group(node.condition)
    return False


# Every leaf kind (ranges over numbers and instants, affixes, events with windows), no
# empty groups: what a rule set may hold.
_any_condition = any_conditions.filter(lambda c: not _has_empty_group(c))


@st.composite
def _related_lists(draw: st.DrawFn) -> list[Condition]:
    """Conditions of every kind, many derived from earlier ones: repeated, narrowed,
    widened, negated, or an earlier one's leaf."""
    out: list[Condition] = []
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        if out and draw(st.booleans()):
            earlier = draw(st.sampled_from(out))
            other = draw(_any_condition)
            out.append(
                draw(
                    st.sampled_from(
                        [
                            earlier,
                            all_of(earlier, other),
                            any_of(earlier, other),
                            not_(earlier),
                            not_(all_of(earlier, other)),
                            not_(any_of(earlier, other)),
                        ]
                    )
                )
            )
        else:
            out.append(draw(_any_condition))
    return out


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@settings(max_examples=400)
@given(_related_lists())
def test_first_implied_agrees_with_all_pairs_on_every_kind_of_condition(
    conditions: list[Condition],
) -> None:
    """Ranges, affixes, windows and negations of them: the index finds what all pairs find."""
    assert first_implied(conditions) == _all_pairs(conditions)


# A range on one property or an affix on one field, with bounds and texts that meet.
_range_or_affix = st.one_of(
    st.sampled_from([-1, 0, 5, 5.5, 10]).flatmap(
        lambda n: st.sampled_from(
            [
                profile("ltv") < n,
                profile("ltv") <= n,
                profile("ltv") > n,
                profile("ltv") >= n,
                profile("ltv").between(min(n, 5), max(n, 5)),
                not_(profile("ltv") < n),
                not_(profile("ltv") >= n),
            ]
        )
    ),
    st.sampled_from(["", "O", "Or", "Order", "der", "r"]).flatmap(
        lambda t: st.sampled_from(
            [
                ticket("subject").starts_with(t) if t else ticket("subject").is_set(),
                ticket("subject").ends_with(t) if t else ticket("subject").is_set(),
                ticket("subject").contains(t) if t else ticket("subject").is_set(),
                ticket("subject").not_contains(t) if t else ticket("subject").is_set(),
                ticket("subject") == t,
                ticket("subject") != t,
                not_(ticket("subject").starts_with(t or "x")),
            ]
        )
    ),
)
_ranges_and_affixes = st.lists(_range_or_affix, min_size=1, max_size=12)


@settings(max_examples=200)
@given(_ranges_and_affixes)
def test_first_implied_agrees_with_all_pairs_on_ranges_and_affixes(
    conditions: list[Condition],
) -> None:
    """Bounds met by bisection and affixes met by length agree with all pairs."""
    assert first_implied(conditions) == _all_pairs(conditions)


def test_first_implied_meets_ranges_affixes_and_negations_exactly() -> None:
    """Tighter bounds, longer affixes, negated values and excluding channels are caught."""
    conditions: list[Condition] = [
        profile("ltv") < 10,
        profile("ltv") < 5,
        profile("ltv") > 100,
        profile("ltv").between(200, 300),
        ticket("subject").starts_with("Ord"),
        ticket("subject").starts_with("Order"),
        ticket("subject").ends_with("der"),
        ticket("subject").not_contains("refund"),
        ~(ticket("subject").contains("refund")),
        ticket("channel") != "sms",
        ticket("channel") == "email",
        ticket("subject").ends_with("Order"),
    ]
    assert first_implied(conditions) == [None, 0, None, 2, None, 4, None, None, 7, None, 9, 6]
    assert first_implied(conditions) == _all_pairs(conditions)


@st.composite
def _tier_lists(draw: st.DrawFn) -> list[Condition]:
    """Tiers of one field (numbers or instants) written in every shape: disjoint ones
    (the lowest and the highest maybe open-ended), nested ones, or any, listed from the
    bottom up, from the top down or as drawn; some on a channel too."""
    dates = draw(st.booleans())
    kind = draw(st.sampled_from(["disjoint", "nested", "any"]))
    spans: list[tuple[int | None, int | None]]
    if kind == "disjoint":
        starts = sorted(draw(st.lists(st.integers(0, 20), min_size=1, max_size=12, unique=True)))
        spans = [(5 * k, 5 * k + 5) for k in starts]
        if draw(st.booleans()):
            spans[0] = (None, spans[0][1])
        if draw(st.booleans()):
            spans[-1] = (spans[-1][0], None)
    elif kind == "nested":
        widths = sorted(draw(st.lists(st.integers(0, 6), min_size=1, max_size=12)), reverse=True)
        spans = [(10 - w, 10 + w) for w in widths]
        if draw(st.booleans()):
            spans.insert(0, (None, None) if draw(st.booleans()) else (None, 20))
    else:
        spans = draw(st.lists(st.tuples(_TIER_BOUNDS, _TIER_BOUNDS), min_size=1, max_size=12))
    order = draw(st.sampled_from(["ascending", "descending", "as drawn"]))
    if order == "descending":
        spans.reverse()
    elif order == "as drawn":
        spans = draw(st.permutations(spans))
    out: list[Condition] = []
    for low, high in spans:
        tier = _tier(low, high, draw(st.sampled_from(_TIER_SHAPES)), dates)
        if draw(st.integers(0, 3)) == 0:
            tier = all_of(ticket("channel") == draw(st.sampled_from(["email", "sms"])), tier)
        out.append(tier)
    return out


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@settings(max_examples=400)
@given(_tier_lists())
def test_first_implied_agrees_with_all_pairs_on_tiers(conditions: list[Condition]) -> None:
    """Tiers as two bounds or one "between", in either order, disjoint, overlapping,
    nested or open-ended: each need's side is chosen by the later tiers, and the first
    earlier tier implied is still the one all pairs find."""
    assert first_implied(conditions) == _all_pairs(conditions)


def _shapes(count: int) -> dict[str, list[Condition]]:
    top = 10 * count
    return {
        "not_contains": [ticket("subject").not_contains(f"keyword-{i}") for i in range(count)],
        "not_equals": [not_(profile("$country") == f"C{i}") for i in range(count)],
        "less_than": [profile("ltv") < i for i in range(count)],
        "not_in": [ticket("channel").not_in([f"ch{i}"]) for i in range(count)],
        "starts_with": [ticket("subject").starts_with(f"kw{i}:") for i in range(count)],
        # Tiers that never nest, as two bounds or as one "between", from either end.
        "tiers_two_bounds": [
            (profile("ltv") >= 10 * i) & (profile("ltv") < 10 * i + 10) for i in range(count)
        ],
        "tiers_two_bounds_from_the_top": [
            (profile("ltv") >= top - 10 * i) & (profile("ltv") < top - 10 * i + 10)
            for i in range(count)
        ],
        "tiers_overlapping": [
            (profile("ltv") > i) & (profile("ltv") < i + 10) for i in range(count)
        ],
        "tiers_between_from_the_top": [
            profile("ltv").between(top - 10 * i, top - 10 * i + 9) for i in range(count)
        ],
        "tiers_dates_from_the_top": [
            profile("signup").between(
                _T0 - timedelta(days=i + 1), _T0 - timedelta(days=i, seconds=1)
            )
            for i in range(count)
        ],
        "tiers_after_before": [
            profile("signup").after(_T0 + timedelta(days=i))
            & profile("signup").before(_T0 + timedelta(days=i + 1))
            for i in range(count)
        ],
        "tiers_on_a_channel": [
            (ticket("channel") == "email")
            & (profile("ltv") >= 10 * i)
            & (profile("ltv") < 10 * i + 10)
            for i in range(count)
        ],
    }


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@pytest.mark.parametrize("shape", sorted(_shapes(1)))
def test_first_implied_proves_few_pairs_on_rules_of_one_field(
    shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2,000 rules on one field with distinct values (negated, or bounds that never
    nest, as tiers from either end) attempt no proof at all: no quadratic comparison
    of every pair."""
    calls = []
    real: Callable[..., bool] = _shadowing.implies_normal

    def counted(a: Any, b: Any, memo: dict[int, Any]) -> bool:
        calls.append(1)
        return real(a, b, memo)

    monkeypatch.setattr(_shadowing, "implies_normal", counted)
    conditions = _shapes(2_000)[shape]
    assert first_implied(conditions) == [None] * 2_000
    assert len(calls) == 0


# Alternatives and conjunctions of ranges and affixes, some repeated: "any" forms whose
# alternatives' candidates are intersected.
_grouped_ranges_and_affixes = st.lists(
    st.one_of(
        _range_or_affix,
        st.lists(_range_or_affix, min_size=1, max_size=3).map(lambda cs: any_of(*cs)),
        st.lists(_range_or_affix, min_size=1, max_size=3).map(lambda cs: all_of(*cs)),
    ),
    min_size=1,
    max_size=12,
).flatmap(lambda cs: st.permutations(cs + cs[: len(cs) // 2]))


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@settings(max_examples=400)
@given(
    st.one_of(
        _condition_lists(),
        _related_lists(),
        _ranges_and_affixes,
        _grouped_ranges_and_affixes,
        _tier_lists(),
    ),
    st.sampled_from([0, 1, 4]),
    st.sampled_from([1, 2, 5]),
    st.sampled_from([0, 1, 2]),
)
def test_first_implied_window_by_window_agrees_with_all_pairs(
    conditions: list[Condition], gather: int, window: int, scan: int
) -> None:
    """With the thresholds made tiny, short lists take the path of many candidates:
    gathered window by window, range slices read in position order (or sorted when
    that reads too much), the alternatives of an "any" intersected window by window.
    The first earlier condition implied is still the one all pairs find."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_shadowing, "_GATHER", gather)
        patch.setattr(_shadowing, "_WINDOW", window)
        patch.setattr(_shadowing, "_SCAN", scan)
        assert first_implied(conditions) == _all_pairs(conditions)


@given(
    st.lists(
        st.lists(
            st.tuples(st.sampled_from(["upper", "lower"]), st.integers(0, 5)),
            min_size=1,
            max_size=2,
        ),
        min_size=1,
        max_size=20,
    )
)
def test_postings_keep_the_first_position_of_every_prefix_and_suffix_of_bounds(
    needs: list[list[tuple[str, int]]],
) -> None:
    """Per range key, the first position of each suffix (upper bounds) or prefix (lower
    bounds) of the sorted bounds, kept as positions arrive, is their minimum."""
    postings = _shadowing._Postings()
    for position, ranges in enumerate(needs):
        need = _shadowing._Marks(
            ranges=[((side, ("profile", "ltv"), "number"), bound) for side, bound in ranges]
        )
        postings.add(position, need)
    for key, (_, positions) in postings.ranges.items():
        if key[0] == "upper":
            expected = [min(positions[k:]) for k in range(len(positions))]
        else:
            expected = [min(positions[: k + 1]) for k in range(len(positions))]
        assert postings.firsts[key] == expected
        in_order, bounds = postings.arrivals[key]
        assert in_order == sorted(positions)
        assert sorted(zip(in_order, bounds, strict=True)) == sorted(
            zip(positions, postings.ranges[key][0], strict=True)
        )


def _caught_by_early_ones(count: int) -> dict[str, tuple[list[Condition], list[int | None]]]:
    channels = ["sms", "email", "webchat", "social"]
    return {
        "looser_bounds": (
            [profile("ltv") > i for i in range(count)],
            [None] + [0] * (count - 1),
        ),
        "one_prefix": (
            [ticket("subject").starts_with(f"P{i % 10}") for i in range(count)],
            [None] * 10 + [i % 10 for i in range(10, count)],
        ),
        "one_tag": (
            [
                ticket("tags").contains("billing") & (ticket("channel") == channels[i % 4])
                for i in range(count)
            ],
            [None] * 4 + [i % 4 for i in range(4, count)],
        ),
        "any_tag": (
            [any_of(ticket("tags").contains("billing"), segment(f"s{i}")) for i in range(count)],
            [None] * count,
        ),
    }


@pytest.mark.parametrize("shape", sorted(_caught_by_early_ones(1)))
def test_first_implied_gathers_one_window_for_rules_caught_early(
    shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2,000 rules each caught by one of the first few (or, for "any" forms, with an
    alternative no earlier rule meets): each search gathers at most one window of
    candidates, however many earlier rules could be caught by them."""
    gathered: list[int] = []
    real = _shadowing._Ordered.window

    def counted(self: Any, lo: int, hi: int) -> set[int]:
        found = real(self, lo, hi)
        gathered.append(len(found))
        return found

    monkeypatch.setattr(_shadowing._Ordered, "window", counted)
    conditions, expected = _caught_by_early_ones(2_000)[shape]
    assert first_implied(conditions) == expected
    assert len(gathered) <= 2_000
    assert max(gathered, default=0) <= _shadowing._WINDOW


@pytest.mark.parametrize("seed", range(3))
def test_first_implied_on_hundreds_of_rules_agrees_with_all_pairs(seed: int) -> None:
    """Hundreds of rules on a few fields (many candidates each, so the searches go
    window by window at the real thresholds) find what all pairs find."""
    rng = random.Random(seed)
    bounds = [0, 1, 2, 3, 5, 8, 13]
    makers: list[Callable[[], Condition]] = [
        lambda: profile("ltv") > rng.choice(bounds),
        lambda: profile("ltv") >= rng.choice(bounds),
        lambda: profile("ltv") < rng.choice(bounds),
        lambda: profile("ltv") <= rng.choice(bounds),
        lambda: profile("ltv").between(rng.choice(bounds), 20 + rng.choice(bounds)),
        lambda: ticket("subject").starts_with(rng.choice(["R", "Re", "Re:", "Ref"])),
        lambda: ticket("tags").contains(rng.choice(["billing", "refund"])),
        lambda: segment(rng.choice(["vip", "new"])),
    ]
    conditions: list[Condition] = []
    for _ in range(300):
        kind = rng.random()
        if kind < 0.5:
            conditions.append(rng.choice(makers)())
        elif kind < 0.75:
            conditions.append(all_of(rng.choice(makers)(), rng.choice(makers)()))
        else:
            conditions.append(any_of(rng.choice(makers)(), rng.choice(makers)()))
    assert first_implied(conditions) == _all_pairs(conditions)


def _event(
    args: tuple[int, str, list[int], dict[str, int] | tuple[Any, ...] | None],
) -> Condition:
    n, op, values, window = args
    built = event("Placed Order")
    if values:
        built = built.where(**{f"v{v}": v for v in values})
    built = getattr(built, op)(n)
    if window is None:
        return built
    if isinstance(window, dict):
        return built.in_last(**window)
    # An absolute window: its kind and its bounds, in days after _T0.
    kind, *days = window
    return getattr(built, kind)(*(_T0 + timedelta(days=d) for d in days))


# Events that differ in their filters, windows and counts, and in_last tests on a
# property: the index keys them by filter, by window length and by the bounds of an
# absolute window (they were compared with every earlier condition on the same metric
# or property).
_spans = st.sampled_from(
    [{"minutes": 30}, {"hours": 1}, {"days": 28}, {"days": 31}, {"months": 1}, {"months": 2}]
)
# Absolute windows on a few days, so that they nest, overlap, touch or are equal.
_days = st.sampled_from([0, 1, 2, 3])
_fixed_windows = st.one_of(
    st.tuples(st.sampled_from(["since", "after", "before"]), _days),
    st.tuples(_days, _days).map(lambda ds: ("between", min(ds), max(ds))),
)
_events = st.tuples(
    st.sampled_from([1, 1, 2, 0]),
    st.sampled_from(["at_least", "at_least", "at_most", "exactly"]),
    st.lists(st.sampled_from([1, 2, 3]), max_size=2, unique=True),
    st.sampled_from([None, ("all_time",), *[{"minutes": 30}, {"hours": 1}, {"days": 28}]])
    | _spans
    | _fixed_windows,
).map(_event)
_event_or_window = st.one_of(
    _events,
    _events,
    _events,
    _spans.map(lambda span: profile("seen").in_last(**span)),
    _spans.map(lambda span: profile("seen").in_next(**span)),
    st.just(profile("seen").is_set()),
)


@settings(max_examples=300)
@given(
    st.lists(
        st.one_of(_event_or_window, _event_or_window, _event_or_window.map(not_)),
        min_size=2,
        max_size=12,
    )
)
def test_first_implied_agrees_with_all_pairs_on_event_filters_and_windows(
    conditions: list[Condition],
) -> None:
    assert first_implied(conditions) == _all_pairs(conditions)


@given(
    st.lists(
        st.lists(
            st.tuples(st.sampled_from(["upper", "lower"]), st.integers(0, 5)),
            max_size=3,
        ),
        min_size=1,
        max_size=15,
    ),
    st.integers(-1, 6),
)
def test_later_counts_the_later_conditions_that_meet_a_bound(
    ranges: list[list[tuple[str, int]]], bound: int
) -> None:
    """Walking from the last condition, how many of those added meet a need's bound
    (an upper bound at most it, a lower bound at least it): what choosing a need's side
    compares."""
    marks = [
        _shadowing._Marks(ranges=[((side, ("profile", "ltv"), "number"), b) for side, b in rs])
        for rs in ranges
    ]
    later = _shadowing._Later(marks)
    for k in reversed(range(len(marks))):
        later.add(marks[k])
        for side in ("upper", "lower"):
            key = (side, ("profile", "ltv"), "number")
            expected = sum(
                any(
                    mark_key == key and (b <= bound if side == "upper" else b >= bound)
                    for mark_key, b in m.ranges
                )
                for m in marks[k:]
            )
            assert later.meeting(key, bound) == expected
