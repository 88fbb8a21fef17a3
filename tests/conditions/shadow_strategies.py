"""What the tests of ``first_implied`` (``RuleSet.lint``'s "can never fire") share:
condition trees over a leaf strategy, lists in which later conditions repeat or narrow
earlier ones, and the all-pairs answer the index must give."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from helpdesk_routing.conditions import Condition, all_of, any_of, event, not_
from helpdesk_routing.conditions.analysis import implies
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet


def trees(leaf: st.SearchStrategy[Condition], max_leaves: int) -> st.SearchStrategy[Condition]:
    """``all``, ``any`` (one to three children) and ``not`` over ``leaf``."""
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.lists(inner, min_size=1, max_size=3).map(lambda cs: all_of(*cs)),
            st.lists(inner, min_size=1, max_size=3).map(lambda cs: any_of(*cs)),
            inner.map(not_),
        ),
        max_leaves=max_leaves,
    )


@st.composite
def narrowed_lists(
    draw: st.DrawFn,
    condition: st.SearchStrategy[Condition],
    *,
    most: int,
    last: Callable[[Condition], Condition] = not_,
    one_in: int = 2,
) -> list[Condition]:
    """One to ``most`` conditions; about one in ``one_in`` after the first repeats an
    earlier one as it is, inside an ``all`` or an ``any`` with another, or as ``last``
    of it (its negation unless told)."""
    out: list[Condition] = []
    for _ in range(draw(st.integers(min_value=1, max_value=most))):
        if out and draw(st.integers(0, one_in - 1)) == 0:
            earlier = draw(st.sampled_from(out))
            other = draw(condition)
            out.append(
                draw(
                    st.sampled_from(
                        [earlier, all_of(earlier, other), any_of(earlier, other), last(earlier)]
                    )
                )
            )
        else:
            out.append(draw(condition))
    return out


def all_pairs(conditions: list[Condition]) -> list[int | None]:
    """For each condition, the first earlier one it implies, by trying every pair."""
    return [
        next((i for i in range(j) if implies(conditions[j], conditions[i])), None)
        for j in range(len(conditions))
    ]


def lint_all_pairs(rules: RuleSet) -> list[tuple[str, str]]:
    """``RuleSet.lint``'s "can never fire" as it was: every enabled team rule against
    every earlier one, ``(rule id, the earlier rule's id)``."""
    found: list[tuple[str, str]] = []
    earlier: list[RoutingRule] = []
    for rule in rules.rules:
        if isinstance(rule.then, AssignToTeam) and rule.enabled:
            for other in earlier:
                if implies(rule.when, other.when):
                    found.append((rule.id, other.id))
                    break
            earlier.append(rule)
    return found


def never_fire(rules: RuleSet) -> list[tuple[str, str]]:
    """``RuleSet.lint``'s "can never fire" issues, as ``(rule id, the earlier rule's id)``."""
    return [
        (issue.rule_id, issue.message.split("'")[1])
        for issue in rules.lint()
        if "can never fire" in issue.message
    ]


def assert_lint_agrees(conditions: list[Condition], enabled: list[bool]) -> None:
    """Team rules ``r0, r1, ...`` with these conditions, each enabled or not: the lint's
    "can never fire" issues are those of the all-pairs lint."""
    rules = RuleSet(
        rules=[
            RoutingRule(id=f"r{i}", enabled=on, when=when, then=AssignToTeam(team="t"))
            for i, (when, on) in enumerate(zip(conditions, enabled, strict=False))
        ]
    )
    assert never_fire(rules) == lint_all_pairs(rules)


def windowed(built: Any, drawn: tuple[Any, ...]) -> Any:
    """The event condition ``built`` under a drawn window ``(kind, *args)``: ``"all"``
    keeps it as it is, ``"in_last"`` takes keyword arguments, the others positional."""
    kind, *args = drawn
    if kind == "all":
        return built
    if kind == "in_last":
        return built.in_last(**args[0])
    return getattr(built, kind)(*args)


_COUNT_T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _count_day(n: int) -> datetime:
    return _COUNT_T0 + timedelta(days=n)


# A few shared windows, some nested in others: all time; in_last of two spans; since,
# after and before one instant; two betweens, the second inside the first.
_COUNT_WINDOWS: list[Callable[[Condition], Condition]] = [
    lambda built: built,
    lambda built: built.in_last(days=30),
    lambda built: built.in_last(days=7),
    lambda built: built.since(_count_day(0)),
    lambda built: built.after(_count_day(0)),
    lambda built: built.before(_count_day(30)),
    lambda built: built.between(_count_day(0), _count_day(30)),
    lambda built: built.between(_count_day(5), _count_day(10)),
]


@st.composite
def count_leaves(draw: st.DrawFn, *, most: int = 6) -> Condition:
    """An event condition on ``order`` (now and then ``refund``) whose count is drawn
    from every count test (``at_least``, ``at_most``, ``exactly`` from 0 to ``most``,
    ``zero``), with one of a few shared windows, some nested, and now and then a filter:
    rules that differ mostly in their count."""
    built = event(draw(st.sampled_from(["order", "order", "order", "refund"])))
    if draw(st.integers(0, 3)) == 0:
        built = built.where(kind=draw(st.sampled_from(["web", "app"])))
    op = draw(st.sampled_from(["at_least", "at_least", "at_most", "at_most", "exactly", "zero"]))
    built = built.zero() if op == "zero" else getattr(built, op)(draw(st.integers(0, most)))
    return draw(st.sampled_from(_COUNT_WINDOWS))(built)


@st.composite
def count_ladders(draw: st.DrawFn, *, most: int = 40) -> list[Condition]:
    """One to ``most`` conditions, mostly count leaves (in random order, with duplicates:
    counts are drawn from few values), some of them inside an ``all``, an ``any`` or a
    ``not`` with another count leaf."""
    out: list[Condition] = []
    for _ in range(draw(st.integers(min_value=1, max_value=most))):
        leaf = draw(count_leaves())
        shape = draw(st.integers(0, 7))
        if shape == 0:
            leaf = all_of(leaf, draw(count_leaves()))
        elif shape == 1:
            leaf = any_of(leaf, draw(count_leaves()))
        elif shape == 2:
            leaf = not_(leaf)
        out.append(leaf)
    return out
