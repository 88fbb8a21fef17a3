"""Acceptance probe (s36, DSL): ``decide`` evaluates only the rules its index cannot rule
out (docs/explain.md), and that never changes a decision: a reference that evaluates
every enabled rule with ``compile_condition``, in order (semantics.md section 1: every
matching view applies, the first matching team rule wins, then the teams' tags and
segments), decides the same team, rule and views for any ticket and profile."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import helpdesk_routing as hr
from helpdesk_routing.conditions import (
    EvaluationContext,
    all_of,
    any_of,
    compile_condition,
    not_,
    profile,
    segment,
    ticket,
)

NOW = datetime(2026, 3, 30, 12, tzinfo=UTC)
WORDS = ["ab", "abc", "bca", "Order", "order", "refund", "re", "", "xyz", "a\u0301"]
TEXT = st.sampled_from(WORDS)
TEXTS = st.lists(st.sampled_from([w for w in WORDS if w]), max_size=3)
FIELDS = st.sampled_from(["channel", "subject", "email", "priority", "status", "id", "plan"])

LEAVES = st.one_of(
    st.builds(lambda f, x: ticket(f) == x, FIELDS, TEXT),
    st.builds(lambda f, x: ticket(f).contains(x), FIELDS, TEXT),
    st.builds(lambda f, x: ticket(f).starts_with(x), FIELDS, TEXT),
    st.builds(lambda f, x: ticket(f).ends_with(x), FIELDS, TEXT),
    st.builds(lambda f, xs: ticket(f).is_in(xs), FIELDS, TEXTS),
    st.builds(lambda x: ticket("tags").contains(x), TEXT),
    st.builds(lambda xs: ticket("tags").is_in(xs), TEXTS),
    st.builds(lambda x: profile("p") == x, TEXT),
    st.builds(lambda xs: profile("p").is_in(xs), TEXTS),
    st.builds(lambda x: profile("p").contains(x), TEXT),
    st.builds(lambda x: profile("p").starts_with(x), TEXT),
    st.builds(lambda x: profile("p").ends_with(x), TEXT),
    st.builds(lambda x: profile("p") != x, TEXT),
    st.builds(
        lambda x, m: segment(x, member=m), st.sampled_from(["vip", "at-risk"]), st.booleans()
    ),
)
CONDITIONS = st.recursive(
    LEAVES,
    lambda kids: st.one_of(
        st.lists(kids, min_size=1, max_size=3).map(
            lambda cs: cs[0] if len(cs) == 1 else all_of(*cs)
        ),
        st.lists(kids, min_size=1, max_size=3).map(lambda cs: any_of(*cs)),
        kids.map(not_),
    ),
    max_leaves=6,
)


TEAMS = [
    hr.Team(id="t1", name="T1", members=["a1"], tags={"Order"}),
    hr.Team(id="t2", name="T2", members=["a1"], segments={"vip"}),
]


@st.composite
def rule_sets(draw: st.DrawFn) -> hr.RuleSet:
    rules = []
    for i in range(draw(st.integers(1, 8))):
        then: Any = draw(
            st.sampled_from([hr.AssignToTeam(team="t1"), hr.AssignToTeam(team="t2")])
            | st.builds(lambda v: hr.SaveAsView(view=v), st.sampled_from(["v1", "v2"]))
        )
        rules.append(
            hr.RoutingRule(
                id=f"r{i}", when=draw(CONDITIONS), then=then, enabled=draw(st.booleans())
            )
        )
    return hr.RuleSet(rules=rules)


TICKETS = st.builds(
    lambda channel, subject, email, priority, status, tags, plan, with_profile: hr.Ticket(
        id="t" + subject,
        channel=channel or "sms",
        subject=subject,
        email=email,
        priority=priority,
        status=status,
        tags=set(tags),
        fields={} if plan is None else {"plan": plan},
        profile_id="p1" if with_profile else None,
        created_at=NOW,
    ),
    TEXT,
    TEXT,
    st.none() | TEXT,
    st.none() | TEXT,
    st.sampled_from(["open", "pending", "closed"]),
    TEXTS,
    st.none() | TEXT | TEXTS,
    st.booleans(),
)
PROFILES = st.builds(
    lambda value, segments: hr.Profile(
        id="p1", properties={} if value is None else {"p": value}, segments=set(segments)
    ),
    st.none() | TEXT | TEXTS | st.integers(0, 2),
    st.lists(st.sampled_from(["vip", "at-risk"]), max_size=2),
)


def _reference(
    rules: hr.RuleSet, t: hr.Ticket, p: hr.Profile
) -> tuple[str | None, str | None, tuple[str, ...]]:
    data = hr.InMemoryCustomerData(profiles=[p])
    ctx = EvaluationContext.load(t, data, NOW)
    team: str | None = None
    rule_id: str | None = None
    views: list[str] = []
    for rule in rules.rules:
        if not rule.enabled or not compile_condition(rule.when)(ctx):
            continue
        if isinstance(rule.then, hr.SaveAsView):
            if rule.then.view not in views:
                views.append(rule.then.view)
        elif team is None:
            team, rule_id = rule.then.team, rule.id
    if team is None:
        segments = ctx.profile.segments if ctx.profile is not None else frozenset()
        for candidate in TEAMS:
            if candidate.tags & t.tags or candidate.segments & segments:
                team = candidate.id
                break
    return team, rule_id, tuple(views)


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@settings(max_examples=400, deadline=None)
@given(rules=rule_sets(), t=TICKETS, p=PROFILES)
def test_decide_through_its_index_agrees_with_evaluating_every_rule(
    rules: hr.RuleSet, t: hr.Ticket, p: hr.Profile
) -> None:
    data = hr.InMemoryCustomerData(profiles=[p])
    for explain in (True, False):
        decision = hr.decide(rules, TEAMS, t, data, NOW, explain=explain)
        assert (decision.team, decision.rule_id, decision.views) == _reference(rules, t, p)
