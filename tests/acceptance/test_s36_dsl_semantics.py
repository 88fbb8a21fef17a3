"""Acceptance probe (s36, DSL): the stated invariants of semantics.md section 1 and
docs/conditions.md, checked from the public names only.

- the negative operators are exactly the negation of their positive twins, on any
  value (missing, None, wrong type, lists), so they hold on a missing property;
- every positive test fails on a missing property, ``is_not_set`` holds;
- a rule set's JSON round trip is lossless, and the documents' recipes route as written.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import helpdesk_routing as hr
from helpdesk_routing.conditions import (
    EvaluationContext,
    compile_condition,
    event,
    profile,
    segment,
    ticket,
)

NOW = datetime(2026, 3, 30, 12, tzinfo=UTC)
DATA = hr.InMemoryCustomerData()

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet="abAB1 ", max_size=4),
    st.sampled_from(["2026-03-30", "2026-03-30T11:00:00Z", "2026-03-30T11:00:00"]),
)
VALUES = st.one_of(_scalars, st.lists(_scalars, max_size=3))
TEXT = st.text(alphabet="abAB1", min_size=0, max_size=3)
PAIRS = st.one_of(
    TEXT.map(lambda x: (profile("x") == x, profile("x") != x)),
    st.integers(-3, 3).map(lambda x: (profile("x") == x, profile("x") != x)),
    TEXT.map(lambda x: (profile("x").contains(x), profile("x").not_contains(x))),
    st.lists(st.one_of(TEXT, st.integers(-3, 3), st.booleans()), max_size=3).map(
        lambda xs: (profile("x").is_in(xs), profile("x").not_in(xs))
    ),
    st.just((profile("x").is_set(), profile("x").is_not_set())),
)


def _holds(cond: Any, properties: dict[str, Any] | None) -> bool:
    t = hr.Ticket(id="t1", channel="sms", created_at=NOW, profile_id="p1")
    p = None if properties is None else hr.Profile(id="p1", properties=properties)
    return compile_condition(cond)(EvaluationContext(t, p, DATA, NOW))


@settings(max_examples=300, deadline=None)
@given(pair=PAIRS, value=VALUES, present=st.booleans())
def test_negative_operators_are_the_exact_negation_of_their_twins(
    pair: tuple[Any, Any], value: Any, present: bool
) -> None:
    positive, negative = pair
    properties = {"x": value} if present else {}
    assert _holds(negative, properties) is not _holds(positive, properties)
    assert _holds(~positive, properties) is _holds(negative, properties)


POSITIVE = [
    profile("x") == "a",
    profile("x") == 0,
    profile("x").contains("a"),
    profile("x").starts_with(""),
    profile("x").ends_with(""),
    profile("x").is_in(["a", 0, False]),
    profile("x") > -(10**9),
    profile("x") >= 0,
    profile("x") < 10**9,
    profile("x") <= 0,
    profile("x").between(-1, 1),
    profile("x").before(NOW + timedelta(days=1)),
    profile("x").after(datetime(1, 1, 1, tzinfo=UTC)),
    profile("x").in_last(months=1),
    profile("x").in_next(days=1),
    profile("x").is_set(),
]


def test_every_positive_test_fails_on_a_missing_property_and_its_negation_holds() -> None:
    for properties in ({}, {"x": None}, None):
        for cond in POSITIVE:
            assert _holds(cond, properties) is False, (cond, properties)
            assert _holds(~cond, properties) is True, (cond, properties)
        assert _holds(profile("x").is_not_set(), properties) is True


def test_not_in_holds_for_an_unknown_country_unless_is_set_is_added() -> None:
    # The trap semantics.md names: "is not one of" holds on a missing property.
    not_in = profile("$country").not_in(["France", "Spain"])
    assert _holds(not_in, {}) is True
    assert _holds(profile("$country").is_set() & not_in, {}) is False
    assert _holds(profile("$country").is_set() & not_in, {"$country": "Italy"}) is True


@settings(max_examples=100, deadline=None)
@given(
    channel=st.sampled_from(["sms", "email", "webchat"]),
    tag=st.sampled_from(["Order", "order", "Orders"]),
    hours=st.integers(1, 48),
    count=st.integers(0, 5),
    value=st.integers(-(2**63), 2**63 - 1),
    start=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    ),
)
def test_a_rule_set_json_round_trip_is_lossless(
    channel: str, tag: str, hours: int, count: int, value: int, start: datetime
) -> None:
    when = (
        ((ticket("channel") == channel) & ticket("tags").contains(tag))
        | event("Placed Order").at_most(count).in_last(hours=hours).where(value__gt=value)
        | ~segment("vip")
        | event("Placed Order").zero().since(start)
    )
    rules = hr.RuleSet(
        rules=[
            hr.RoutingRule(id="r1", name="R", when=when, then=hr.SaveAsView(view="v")),
            hr.RoutingRule(id="r2", enabled=False, when=when, then=hr.AssignToTeam(team="t")),
        ]
    )
    text = rules.model_dump_json()
    assert hr.RuleSet.model_validate_json(text) == rules
    assert hr.RuleSet.from_json(text) == rules
    assert hr.RuleSet.from_dict(rules.model_dump(mode="json")) == rules
    assert hr.RuleSet.from_json(text).model_dump_json() == text


def test_the_documents_recipes_route_as_written() -> None:
    retention = hr.Team(id="retention", name="Retention specialists", members=["a1"])
    france = hr.Team(id="france", name="France Support", members=["a1"])
    team_a = hr.Team(id="team-a", name="Team A", members=["a1"])
    rules = hr.RuleSet(
        rules=[
            hr.RoutingRule(
                id="urgent",
                name="Urgent order mod",
                when=event("Placed Order").at_least(1).in_last(hours=2),
                then=hr.SaveAsView(view="Urgent changes"),
            ),
            hr.RoutingRule(
                id="churn",
                name="Churn defense",
                when=profile("churn_risk") == "High",
                then=hr.AssignToTeam(team="retention"),
            ),
            hr.RoutingRule(
                id="french",
                when=profile("$country") == "France",
                then=hr.AssignToTeam(team="france"),
            ),
            hr.RoutingRule(
                id="sms-order",
                when=(ticket("channel") == "sms") & ticket("tags").contains("Order"),
                then=hr.AssignToTeam(team="team-a"),
            ),
        ]
    )
    data = hr.InMemoryCustomerData(
        profiles=[
            hr.Profile(id="p1", properties={"churn_risk": "High", "$country": "France"}),
            hr.Profile(id="p2", properties={"$country": "France"}),
        ],
        events=[
            hr.Event(profile_id="p1", metric="Placed Order", timestamp=NOW - timedelta(hours=2)),
            hr.Event(profile_id="p2", metric="Placed Order", timestamp=NOW - timedelta(hours=3)),
        ],
    )
    teams = [retention, france, team_a]

    def decided(**fields: Any) -> hr.RoutingDecision:
        t = hr.Ticket(id="t", created_at=NOW, **fields)
        return hr.decide(rules, teams, t, data, NOW)

    first = decided(channel="sms", tags={"Order"}, profile_id="p1")
    # The 2-hour window includes its start; the first team rule wins; views accumulate.
    assert (first.team, first.rule_id, first.views) == ("retention", "churn", ("Urgent changes",))
    second = decided(channel="sms", tags={"Order"}, profile_id="p2")
    assert (second.team, second.rule_id, second.views) == ("france", "french", ())
    third = decided(channel="sms", tags={"order"})
    assert (third.team, third.rule_id) == (None, None)  # tags are case-sensitive
    fourth = decided(channel="sms", tags={"Order", "Other"})
    assert (fourth.team, fourth.rule_id) == ("team-a", "sms-order")
