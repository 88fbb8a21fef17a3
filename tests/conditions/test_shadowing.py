"""first_implied (the grouped lint) finds exactly what comparing every pair finds."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.conditions import (
    Condition,
    all_of,
    any_of,
    event,
    implies,
    not_,
    profile,
    segment,
    ticket,
)
from helpdesk_routing.conditions._shadowing import first_implied
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet, SaveAsView

_CHANNELS = ["sms", "email", "webchat"]
_TEXTS = ["High", "Low", 1, True]

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
)
_condition = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda cs: all_of(*cs)),
        st.lists(inner, min_size=1, max_size=3).map(lambda cs: any_of(*cs)),
        inner.map(not_),
    ),
    max_leaves=5,
)


@st.composite
def _condition_lists(draw: st.DrawFn) -> list[Condition]:
    """Conditions, some repeated or narrowed versions of earlier ones."""
    out: list[Condition] = []
    for _ in range(draw(st.integers(min_value=1, max_value=10))):
        if out and draw(st.booleans()):
            earlier = draw(st.sampled_from(out))
            other = draw(_condition)
            out.append(
                draw(
                    st.sampled_from(
                        [earlier, all_of(earlier, other), any_of(earlier, other), any_of(earlier)]
                    )
                )
            )
        else:
            out.append(draw(_condition))
    return out


def _all_pairs(conditions: list[Condition]) -> list[int | None]:
    return [
        next((i for i in range(j) if implies(conditions[j], conditions[i])), None)
        for j in range(len(conditions))
    ]


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


def _lint_all_pairs(rules: RuleSet) -> list[tuple[str, str]]:
    """The lint as it was: every enabled team rule against every earlier one."""
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
    reported = [
        (issue.rule_id, issue.message.split("'")[1])
        for issue in rule_set.lint()
        if "can never fire" in issue.message
    ]
    assert reported == _lint_all_pairs(rule_set)
