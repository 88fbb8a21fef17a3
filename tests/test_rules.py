"""Routing rules: evaluation order, destinations, team memberships, validation, lint."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.conditions import (
    EvaluationContext,
    FieldCatalogue,
    all_of,
    any_of,
    compile_condition,
    event,
    not_,
    profile,
    segment,
    ticket,
)
from helpdesk_routing.decision import DecidedBy, RuleOutcome
from helpdesk_routing.errors import NaiveDatetimeError, ValidationError
from helpdesk_routing.model import Event, Profile, Team, Ticket
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet, SaveAsView, decide
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData

NOW = datetime(2026, 3, 30, 9, 0, tzinfo=UTC)

TEAMS = [
    Team(id="retention", name="Retention specialists", members=("a1",)),
    Team(id="france", name="France Support", members=("a2",)),
    Team(id="team-a", name="Team A", members=("a3",)),
    Team(id="returns", name="Returns", members=("a4",), tags=frozenset({"Return"})),
    Team(id="vip", name="VIP desk", members=("a5",), segments=frozenset({"vip"})),
]

RECIPES = RuleSet(
    rules=(
        RoutingRule(
            id="churn",
            name="Churn defense",
            when=profile("churn_risk") == "High",
            then=AssignToTeam(team="retention"),
        ),
        RoutingRule(
            id="urgent",
            name="Urgent order mod",
            when=event("Placed Order").at_least(1).in_last(hours=2),
            then=SaveAsView(view="Urgent changes"),
        ),
        RoutingRule(
            id="french",
            name="French speakers",
            when=profile("$country") == "France",
            then=AssignToTeam(team="france"),
        ),
        RoutingRule(
            id="sms-orders",
            name="SMS order problems",
            when=(ticket("channel") == "sms") & ticket("tags").contains("Order"),
            then=AssignToTeam(team="team-a"),
        ),
    )
)


def _ticket(
    tid: str = "t1",
    *,
    channel: str = "email",
    tags: set[str] | None = None,
    profile_id: str | None = "p1",
    subject: str = "",
    email: str | None = None,
    fields: dict[str, Any] | None = None,
) -> Ticket:
    return Ticket(
        id=tid,
        channel=channel,
        tags=frozenset(tags or ()),
        profile_id=profile_id,
        subject=subject,
        email=email,
        fields=fields or {},
        created_at=NOW - timedelta(minutes=1),
    )


def _data(*profiles: Profile, events: tuple[Event, ...] = ()) -> InMemoryCustomerData:
    return InMemoryCustomerData(profiles=profiles, events=events)


def test_churn_defense_recipe_assigns_high_risk_customers_to_retention() -> None:
    """Profile churn_risk equals High -> team Retention specialists."""
    data = _data(Profile(id="p1", properties={"churn_risk": "High"}))
    decision = decide(RECIPES, TEAMS, _ticket(), data, NOW)
    assert (decision.team, decision.rule_id, decision.decided_by) == (
        "retention",
        "churn",
        DecidedBy.RULE,
    )


def test_urgent_order_recipe_saves_recent_orders_to_view_without_assigning() -> None:
    """Placed Order at least once in the last 2 hours -> view Urgent changes, no team."""
    data = _data(
        Profile(id="p1"),
        events=(
            Event(profile_id="p1", metric="Placed Order", timestamp=NOW - timedelta(minutes=90)),
        ),
    )
    decision = decide(RECIPES, TEAMS, _ticket(), data, NOW)
    assert decision.views == ("Urgent changes",)
    assert decision.team is None


def test_urgent_order_recipe_ignores_orders_older_than_two_hours() -> None:
    """An order 2 h 1 min ago does not put the ticket in Urgent changes."""
    data = _data(
        Profile(id="p1"),
        events=(
            Event(
                profile_id="p1",
                metric="Placed Order",
                timestamp=NOW - timedelta(hours=2, minutes=1),
            ),
        ),
    )
    assert decide(RECIPES, TEAMS, _ticket(), data, NOW).views == ()


def test_french_speakers_recipe_routes_france_to_france_support() -> None:
    """Profile $country equals France -> team France Support."""
    data = _data(Profile(id="p1", properties={"$country": "France"}))
    assert decide(RECIPES, TEAMS, _ticket(), data, NOW).team == "france"


def test_sms_order_recipe_needs_both_channel_and_tag() -> None:
    """channel = sms AND tags contain Order -> Team A; either alone is not enough."""
    data = _data(Profile(id="p1"))
    both = decide(RECIPES, TEAMS, _ticket(channel="sms", tags={"Order"}), data, NOW)
    sms_only = decide(RECIPES, TEAMS, _ticket(channel="sms"), data, NOW)
    tag_only = decide(RECIPES, TEAMS, _ticket(tags={"Order"}), data, NOW)
    assert (both.team, sms_only.team, tag_only.team) == ("team-a", None, None)


def test_first_matching_team_rule_wins_and_later_ones_are_shadowed() -> None:
    """A French high-churn customer goes to Retention (first rule); the France rule is shadowed."""
    data = _data(Profile(id="p1", properties={"$country": "France", "churn_risk": "High"}))
    decision = decide(RECIPES, TEAMS, _ticket(), data, NOW)
    outcomes = {r.rule_id: r.outcome for r in decision.rules}
    assert decision.team == "retention"
    assert outcomes["french"] is RuleOutcome.SHADOWED
    assert outcomes["churn"] is RuleOutcome.APPLIED


def test_every_matching_view_rule_applies_and_views_accumulate() -> None:
    """Two matching view rules both apply, in rule order, alongside a team rule."""
    rules = RuleSet(
        rules=(
            RoutingRule(id="v1", when=ticket("channel") == "sms", then=SaveAsView(view="SMS")),
            RoutingRule(id="t1", when=ticket("channel") == "sms", then=AssignToTeam(team="team-a")),
            RoutingRule(
                id="v2", when=ticket("tags").contains("Order"), then=SaveAsView(view="Orders")
            ),
        )
    )
    decision = decide(rules, TEAMS, _ticket(channel="sms", tags={"Order"}), _data(), NOW)
    assert decision.views == ("SMS", "Orders")
    assert decision.team == "team-a"


def test_disabled_rules_are_skipped() -> None:
    """A disabled matching rule neither applies nor blocks a later rule."""
    rules = RuleSet(
        rules=(
            RoutingRule(
                id="off",
                enabled=False,
                when=ticket("channel") == "sms",
                then=AssignToTeam(team="france"),
            ),
            RoutingRule(id="on", when=ticket("channel") == "sms", then=AssignToTeam(team="team-a")),
        )
    )
    decision = decide(rules, TEAMS, _ticket(channel="sms"), _data(), NOW)
    assert decision.team == "team-a"
    assert decision.rules[0].outcome is RuleOutcome.DISABLED


def test_team_tag_membership_routes_when_no_rule_chose_a_team() -> None:
    """A ticket tagged Return goes to the Returns team through the team's tag membership."""
    decision = decide(RuleSet(), TEAMS, _ticket(tags={"Return"}), _data(), NOW)
    assert (decision.team, decision.decided_by, decision.membership) == (
        "returns",
        DecidedBy.TEAM_TAG,
        "Return",
    )


def test_team_segment_membership_routes_customers_in_the_segment() -> None:
    """A customer in segment vip goes to the VIP desk through the team's segment membership."""
    data = _data(Profile(id="p1", segments=frozenset({"vip"})))
    decision = decide(RuleSet(), TEAMS, _ticket(), data, NOW)
    assert (decision.team, decision.decided_by) == ("vip", DecidedBy.TEAM_SEGMENT)


def test_rule_team_takes_precedence_over_team_memberships() -> None:
    """Memberships are tried only when no rule chose a team."""
    data = _data(Profile(id="p1", properties={"churn_risk": "High"}, segments=frozenset({"vip"})))
    decision = decide(RECIPES, TEAMS, _ticket(tags={"Return"}), data, NOW)
    assert decision.team == "retention"


def test_memberships_are_tried_in_team_order() -> None:
    """With a tag of one team and a segment of an earlier one, the earlier team wins."""
    teams = [TEAMS[4], TEAMS[3]]  # vip first, then returns
    data = _data(Profile(id="p1", segments=frozenset({"vip"})))
    assert decide(RuleSet(), teams, _ticket(tags={"Return"}), data, NOW).team == "vip"


def test_ticket_without_profile_is_a_customer_with_no_data() -> None:
    """No profile: profile tests fail, is-not-set holds, no segments, no events."""
    rules = RuleSet(
        rules=(
            RoutingRule(
                id="set", when=profile("churn_risk").is_set(), then=AssignToTeam(team="retention")
            ),
            RoutingRule(
                id="unset", when=profile("churn_risk").is_not_set(), then=SaveAsView(view="new")
            ),
            RoutingRule(id="vip", when=segment("vip"), then=SaveAsView(view="vip")),
        )
    )
    decision = decide(rules, TEAMS, _ticket(profile_id=None), _data(), NOW)
    assert decision.team is None
    assert decision.views == ("new",)


def test_no_match_decides_nothing() -> None:
    """A ticket no rule or membership matches has no team, no views and no deciding rule."""
    decision = decide(RECIPES, TEAMS, _ticket(), _data(Profile(id="p1")), NOW)
    assert (decision.team, decision.views, decision.rule_id, decision.decided_by) == (
        None,
        (),
        None,
        DecidedBy.NONE,
    )


def test_explain_says_which_rule_decided_and_why_others_did_not_match() -> None:
    """The readable trace names the deciding rule and shows the failing condition of others."""
    data = _data(Profile(id="p1", properties={"$country": "France", "churn_risk": "Low"}))
    text = decide(RECIPES, TEAMS, _ticket(), data, NOW).explain()
    assert "team 'france' chosen by rule 'french'" in text
    assert (
        "rule 'churn' (Churn defense) -> team:retention: skipped — "
        "needs profile.churn_risk 'High', profile has 'Low'"
    ) in text
    assert "rule 'urgent' (Urgent order mod) -> view:Urgent changes: not matched" in text
    assert "    ✗ event 'Placed Order' at least 1 time in the last 2 hours — found 0 in [" in text
    assert "    ✓ profile.$country equals 'France' — value seen: 'France'" in text


def test_fast_path_agrees_with_explained_path() -> None:
    """explain=False gives the same team, views and deciding rule as explain=True."""
    data = _data(Profile(id="p1", properties={"$country": "France", "churn_risk": "High"}))
    fast = decide(RECIPES, TEAMS, _ticket(channel="sms", tags={"Order"}), data, NOW, explain=False)
    full = decide(RECIPES, TEAMS, _ticket(channel="sms", tags={"Order"}), data, NOW)
    assert (fast.team, fast.views, fast.rule_id) == (full.team, full.views, full.rule_id)
    assert [r.rule_id for r in fast.rules] == ["churn", "french", "sms-orders"]
    assert "decided without explain" in fast.explain()


@given(
    country=st.sampled_from(["France", "Spain", None]),
    risk=st.sampled_from(["High", "Low", None]),
    channel=st.sampled_from(["sms", "email", "webchat"]),
    tags=st.sets(st.sampled_from(["Order", "Return", "Other"])),
    order_minutes_ago=st.one_of(st.none(), st.integers(min_value=0, max_value=300)),
)
def test_fast_and_explained_decisions_agree_on_random_tickets(
    country: str | None,
    risk: str | None,
    channel: str,
    tags: set[str],
    order_minutes_ago: int | None,
) -> None:
    """For any ticket and profile, both evaluation paths reach the same decision."""
    props = {k: v for k, v in {"$country": country, "churn_risk": risk}.items() if v is not None}
    events = ()
    if order_minutes_ago is not None:
        ts = NOW - timedelta(minutes=order_minutes_ago)
        events = (Event(profile_id="p1", metric="Placed Order", timestamp=ts),)
    data = _data(Profile(id="p1", properties=props), events=events)
    t = _ticket(channel=channel, tags=tags)
    fast = decide(RECIPES, TEAMS, t, data, NOW, explain=False)
    full = decide(RECIPES, TEAMS, t, data, NOW)
    slim = {"evaluated", "presented", "explained"}
    assert fast.model_dump(exclude=slim) == full.model_dump(exclude=slim)


def test_decide_rejects_a_naive_now() -> None:
    """now must be timezone-aware."""
    with pytest.raises(NaiveDatetimeError, match="now must be timezone-aware"):
        decide(RECIPES, TEAMS, _ticket(), _data(), datetime(2026, 3, 30, 9))


def test_rule_set_round_trips_through_json_losslessly() -> None:
    """model_dump_json then model_validate_json gives an equal rule set, also after compiling."""
    RECIPES._prepare()
    text = RECIPES.model_dump_json()
    assert RuleSet.model_validate_json(text) == RECIPES
    assert RuleSet.from_json(text) == RECIPES


def test_duplicate_rule_ids_are_rejected_naming_both_places() -> None:
    """Two rules with one id: an error at the second one's id, naming the first, with the
    rule id, from the loaders and from the model alike (it was at ``$``, prefixed
    'Value error,', with no rule id)."""
    rule = RECIPES.rules[0].model_dump(mode="json")
    doc = {"rules": [rule, rule]}
    for load in (RuleSet.from_dict, RuleSet.model_validate):
        with pytest.raises(ValidationError) as info:
            load(doc)
        entry = info.value.errors()[0]
        assert {k: entry[k] for k in ("path", "code", "message", "rule_id")} == {
            "path": "$.rules[1].id",
            "code": "rule_duplicate_id",
            "message": "duplicate rule id 'churn' (first at rules[0])",
            "rule_id": "churn",
        }


def test_empty_group_is_rejected_naming_the_rule() -> None:
    """An all/any group with no conditions is an error naming the rule and the group's path."""
    data = {
        "rules": [
            {
                "id": "r1",
                "when": {"type": "all", "conditions": []},
                "then": {"type": "save_as_view", "view": "v"},
            }
        ]
    }
    with pytest.raises(ValidationError) as info:
        RuleSet.from_dict(data)
    assert "r1" in str(info.value)
    assert info.value.paths == ("$.rules[0].when",)
    assert info.value.details[0].rule_id == "r1"
    assert info.value.details[0].code == "rule_empty_group"


def test_bad_operator_error_names_json_path_and_rule_id() -> None:
    """A misspelt operator is one error at its JSON path, prefixed by the rule id."""
    data = {
        "rules": [
            RECIPES.rules[0].model_dump(mode="json"),
            {
                "id": "bad",
                "when": {"type": "ticket", "field": "channel", "op": "equalz", "value": "sms"},
                "then": {"type": "assign_to_team", "team": "team-a"},
            },
        ]
    }
    with pytest.raises(ValidationError) as info:
        RuleSet.from_dict(data)
    err = info.value
    assert err.paths == ("$.rules[1].when.op",)
    assert err.details[0].message.startswith("rule 'bad': ")


def test_nested_bad_field_path_has_no_union_tags() -> None:
    """A bad operator deep in a group is reported at its plain JSON path."""
    when = {"type": "all", "conditions": [{"type": "ticket", "field": "channel", "op": "nope"}]}
    data = {"rules": [{"id": "r", "when": when, "then": {"type": "save_as_view", "view": "v"}}]}
    with pytest.raises(ValidationError) as info:
        RuleSet.from_dict(data)
    assert info.value.paths == ("$.rules[0].when.conditions[0].op",)


def test_bad_destination_field_path_has_no_destination_tag() -> None:
    """An empty team name is reported at $.rules[0].then.team."""
    then = {"type": "assign_to_team", "team": ""}
    data = {"rules": [{"id": "r", "when": {"type": "segment", "segment": "v"}, "then": then}]}
    with pytest.raises(ValidationError) as info:
        RuleSet.from_dict(data)
    assert info.value.paths == ("$.rules[0].then.team",)


def test_unknown_destination_type_is_one_error_at_then() -> None:
    """A destination with an unknown type is rejected at $.rules[0].then."""
    data = {
        "rules": [
            {"id": "r", "when": {"type": "segment", "segment": "vip"}, "then": {"type": "teleport"}}
        ]
    }
    with pytest.raises(ValidationError) as info:
        RuleSet.from_dict(data)
    assert info.value.paths == ("$.rules[0].then",)


def test_invalid_json_text_is_a_validation_error() -> None:
    """Text that is not JSON is reported at $."""
    with pytest.raises(ValidationError, match="not JSON"):
        RuleSet.from_json("{rules: ")


def test_validate_against_names_rule_and_unknown_team() -> None:
    """A rule naming a missing team is reported with the rule id and the team's path."""
    rules = RuleSet(
        rules=(RoutingRule(id="x", when=segment("vip"), then=AssignToTeam(team="ghosts")),)
    )
    with pytest.raises(ValidationError) as info:
        rules.validate_against(TEAMS)
    assert info.value.details[0].path == "$.rules[0].then.team"
    assert info.value.details[0].message == "rule 'x': unknown team 'ghosts'"
    RECIPES.validate_against(TEAMS)  # every recipe team exists: no error


def test_lint_reports_team_rule_shadowed_by_identical_earlier_rule() -> None:
    """A later team rule with the same condition as an earlier one can never fire."""
    rules = RuleSet(
        rules=(
            RoutingRule(id="a", when=ticket("channel") == "sms", then=AssignToTeam(team="team-a")),
            RoutingRule(id="b", when=ticket("channel") == "sms", then=AssignToTeam(team="france")),
        )
    )
    issues = rules.lint()
    assert [(i.rule_id, i.path) for i in issues] == [("b", "$.rules[1].when")]
    assert "earlier team rule 'a'" in issues[0].message


def test_lint_reports_team_rule_shadowed_by_broader_earlier_rule() -> None:
    """sms AND Order after plain sms can never fire."""
    rules = RuleSet(
        rules=(
            RoutingRule(id="a", when=ticket("channel") == "sms", then=AssignToTeam(team="team-a")),
            RoutingRule(
                id="b",
                when=(ticket("channel") == "sms") & ticket("tags").contains("Order"),
                then=AssignToTeam(team="france"),
            ),
        )
    )
    assert [i.rule_id for i in rules.lint()] == ["b"]


def test_lint_does_not_report_narrower_earlier_rule_or_view_rules() -> None:
    """A broader rule after a narrower one, and view rules, are fine."""
    rules = RuleSet(
        rules=(
            RoutingRule(
                id="a",
                when=(ticket("channel") == "sms") & ticket("tags").contains("Order"),
                then=AssignToTeam(team="team-a"),
            ),
            RoutingRule(id="b", when=ticket("channel") == "sms", then=AssignToTeam(team="france")),
            RoutingRule(id="c", when=ticket("channel") == "sms", then=SaveAsView(view="sms")),
        )
    )
    assert rules.lint() == []


def test_lint_ignores_disabled_earlier_rules() -> None:
    """A disabled earlier rule does not shadow anything."""
    rules = RuleSet(
        rules=(
            RoutingRule(
                id="a",
                enabled=False,
                when=ticket("channel") == "sms",
                then=AssignToTeam(team="team-a"),
            ),
            RoutingRule(id="b", when=ticket("channel") == "sms", then=AssignToTeam(team="france")),
        )
    )
    assert rules.lint() == []


def test_lint_with_catalogue_suggests_the_likely_property() -> None:
    """A misspelt profile property gets a did-you-mean suggestion naming the rule."""
    rules = RuleSet(
        rules=(
            RoutingRule(
                id="r", when=profile("churn_rsk") == "High", then=AssignToTeam(team="retention")
            ),
        )
    )
    catalogue = FieldCatalogue(profile_properties={"churn_risk", "$country"})
    issues = rules.lint(catalogue=catalogue, teams=TEAMS)
    assert len(issues) == 1
    assert issues[0].rule_id == "r"
    assert issues[0].path.startswith("$.rules[0].when")
    assert "did you mean 'churn_risk'?" in issues[0].message


def test_lint_with_teams_reports_unknown_team() -> None:
    """lint(teams=...) reports, rather than raises, a rule naming an unknown team."""
    rules = RuleSet(
        rules=(RoutingRule(id="x", when=segment("vip"), then=AssignToTeam(team="ghosts")),)
    )
    assert [str(i) for i in rules.lint(teams=TEAMS)] == [
        "rule 'x' ($.rules[0].then.team): unknown team 'ghosts'"
    ]


def test_rule_json_form_is_the_documented_shape() -> None:
    """A rule dumps to the JSON of architecture.md: when is condition JSON, then has a type."""
    dumped = json.loads(RECIPES.rules[3].model_dump_json())
    assert dumped["then"] == {"type": "assign_to_team", "team": "team-a"}
    assert dumped["when"]["type"] == "all"
    assert dumped["when"]["conditions"][0] == {
        "type": "ticket",
        "field": "channel",
        "op": "equals",
        "value": "sms",
    }


_CHANNELS = ["sms", "email", "webchat"]
_TAGS = ["Order", "Return", "VIP"]
_WITHIN = ["a", "ab", "ba", "abc", "cab", "bcab", "abcab", "ccc"]
_SUBJECTS = st.text(alphabet="abc", max_size=9)
_EMAILS = st.one_of(st.none(), st.sampled_from(["ab@x.io", "c@y.org", "a@x.io"]))
_HOLDERS = st.one_of(
    st.none(),
    _SUBJECTS,
    st.lists(_SUBJECTS, max_size=3),
    st.sets(_SUBJECTS, max_size=2).map(frozenset),
    st.sampled_from([7, 2.5, True, {"a": "abc"}]),
)
"""Values of a custom field or a profile property: a text, texts, or something else."""


def _within_leaves(field: Any) -> list[st.SearchStrategy[Any]]:
    """Leaves testing a text within ``field`` (a ticket field or a profile property)."""
    texts = st.sampled_from(_WITHIN)
    return [
        texts.map(field.contains),
        texts.map(field.starts_with),
        texts.map(field.ends_with),
        texts.map(lambda x: field == x),
        st.lists(texts, min_size=1, max_size=2).map(field.is_in),
    ]


_leaf = st.one_of(
    st.sampled_from(_CHANNELS).map(lambda c: ticket("channel") == c),
    st.lists(st.sampled_from(_CHANNELS), min_size=1, max_size=2).map(
        lambda cs: ticket("channel").is_in(cs)
    ),
    st.sampled_from(_TAGS).map(lambda t: ticket("tags").contains(t)),
    st.lists(st.sampled_from(_TAGS), min_size=1, max_size=2).map(
        lambda ts: ticket("tags").is_in(ts)
    ),
    st.sampled_from(["High", "Low"]).map(lambda r: profile("churn_risk") == r),
    st.lists(st.sampled_from(["High", "Low", "Mid"]), min_size=1, max_size=2).map(
        lambda rs: profile("churn_risk").is_in(rs)
    ),
    st.sampled_from(["FR", "NL"]).map(lambda c: profile("langs") == c),
    st.sampled_from(["vip", "at-risk"]).map(segment),
    st.sampled_from(["vip", "at-risk"]).map(lambda s: segment(s, member=False)),
    st.sampled_from(["Placed Order"]).map(lambda m: event(m).at_least(1)),
    # Texts within the subject, the email, a custom ticket field and a profile property
    # (the index files them by their grams): short texts over a small alphabet, so that
    # the values (a text, texts, or something else) often hold them.
    *_within_leaves(ticket("subject")),
    *_within_leaves(ticket("note")),
    *_within_leaves(profile("company")),
    st.sampled_from(_WITHIN).map(lambda x: ticket("subject").not_contains(x)),
    st.sampled_from(["@x.io", "b@", "a"]).map(lambda x: ticket("email").contains(x)),
    st.sampled_from(["x.io", "io"]).map(lambda x: ticket("email").ends_with(x)),
)
_condition = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda cs: all_of(*cs)),
        st.lists(inner, min_size=1, max_size=3).map(lambda cs: any_of(*cs)),
        inner.map(not_),
    ),
    max_leaves=4,
)


@st.composite
def _rule_sets(draw: st.DrawFn) -> RuleSet:
    conditions = draw(st.lists(_condition, min_size=1, max_size=8))
    rules = []
    for i, cond in enumerate(conditions):
        then = draw(
            st.one_of(
                st.sampled_from(["retention", "france", "team-a"]).map(
                    lambda t: AssignToTeam(team=t)
                ),
                st.sampled_from(["v1", "v2"]).map(lambda v: SaveAsView(view=v)),
            )
        )
        rules.append(RoutingRule(id=f"r{i}", enabled=draw(st.booleans()), when=cond, then=then))
    return RuleSet(rules=tuple(rules))


class _Risk(StrEnum):
    HIGH = "High"


class _OddText(str):
    """Text that equals its content but hashes otherwise (as some str subclasses do)."""

    __slots__ = ()

    def __hash__(self) -> int:
        return 1


@pytest.mark.parametrize(
    ("when", "channel", "tags", "properties", "segments"),
    [
        pytest.param(ticket("channel") == "sms", "sms", set(), {}, set(), id="channel"),
        pytest.param(
            ticket("channel").is_in(["sms", "email"]), "email", set(), {}, set(), id="channel-in"
        ),
        pytest.param(
            ticket("tags").contains("Order"), "email", {"Order", "X"}, {}, set(), id="tag"
        ),
        pytest.param(
            ticket("tags").is_in(["A", "Order"]), "email", {"Order"}, {}, set(), id="tag-in"
        ),
        pytest.param(
            profile("lang") == "FR", "email", set(), {"lang": "FR"}, set(), id="profile-text"
        ),
        pytest.param(
            profile("lang") == "FR",
            "email",
            set(),
            {"lang": ["EN", "FR"]},
            set(),
            id="profile-list",
        ),
        pytest.param(
            profile("lang") == "FR", "email", set(), {"lang": ("FR",)}, set(), id="profile-tuple"
        ),
        pytest.param(
            profile("risk") == "High", "email", set(), {"risk": _Risk.HIGH}, set(), id="str-enum"
        ),
        pytest.param(
            profile("risk") == "High",
            "email",
            set(),
            {"risk": _OddText("High")},
            set(),
            id="str-sub",
        ),
        pytest.param(
            profile("risk").is_in(["Low", "High"]),
            "email",
            set(),
            {"risk": "High"},
            set(),
            id="profile-in",
        ),
        pytest.param(segment("vip"), "email", set(), {}, {"vip"}, id="segment"),
        pytest.param(
            (profile("risk") == "High") | (ticket("channel") == "fax"),
            "email",
            set(),
            {"risk": "High"},
            set(),
            id="any-of-keys",
        ),
        pytest.param(
            (profile("risk") == "High") & (ticket("channel") == "sms"),
            "sms",
            set(),
            {"risk": "High"},
            set(),
            id="all-narrowest",
        ),
    ],
)
def test_indexed_rule_is_still_found_when_it_matches(
    when: Any, channel: str, tags: set[str], properties: dict[str, Any], segments: set[str]
) -> None:
    """Each kind of index key still finds its rule on a matching ticket."""
    rules = RuleSet(
        rules=(
            RoutingRule(id="other", when=ticket("channel") == "never", then=SaveAsView(view="no")),
            RoutingRule(id="r", when=when, then=SaveAsView(view="yes")),
        )
    )
    data = _data(Profile(id="p1", properties=properties, segments=frozenset(segments)))
    fast = decide(rules, TEAMS, _ticket(channel=channel, tags=tags), data, NOW, explain=False)
    assert fast.views == ("yes",)


@given(
    rules=_rule_sets(),
    channel=st.sampled_from(_CHANNELS),
    tags=st.sets(st.sampled_from([*_TAGS, "Other"])),
    risk=st.sampled_from(["High", "Low", None, _Risk.HIGH, 3, ["Low", "Mid"]]),
    langs=st.sampled_from([None, "FR", ["FR", "EN"], ("NL",), 7]),
    segments=st.sets(st.sampled_from(["vip", "at-risk", "other"])),
    has_profile=st.booleans(),
    ordered=st.booleans(),
    subject=_SUBJECTS,
    email=_EMAILS,
    note=_HOLDERS,
    company=_HOLDERS,
)
def test_indexed_paths_agree_with_plain_evaluation_of_every_rule(
    rules: RuleSet,
    channel: str,
    tags: set[str],
    risk: object,
    langs: object,
    segments: set[str],
    has_profile: bool,
    ordered: bool,
    subject: str,
    email: str | None,
    note: object,
    company: object,
) -> None:
    """The rule index never drops a rule that matches: both detail levels decide as a plain
    first-match loop over every rule, and each rule the index skipped really does not hold."""
    props = {
        k: v
        for k, v in {"churn_risk": risk, "langs": langs, "company": company}.items()
        if v is not None
    }
    events = (Event(profile_id="p1", metric="Placed Order", timestamp=NOW),) if ordered else ()
    data = _data(Profile(id="p1", properties=props, segments=frozenset(segments)), events=events)
    t = _ticket(
        channel=channel,
        tags=tags,
        profile_id="p1" if has_profile else None,
        subject=subject,
        email=email,
        fields={} if note is None else {"note": note},
    )
    plain = _plain_outcomes(rules, t, data)
    fast = decide(rules, TEAMS, t, data, NOW, explain=False)
    full = decide(rules, TEAMS, t, data, NOW)
    applied = [i for i, o in plain.items() if o in (RuleOutcome.APPLIED, RuleOutcome.SHADOWED)]
    assert [r.rule_id for r in fast.rules] == applied
    assert (fast.team, fast.views, fast.rule_id) == (full.team, full.views, full.rule_id)
    for trace in full.rules:
        if trace.outcome is RuleOutcome.SKIPPED:
            assert plain[trace.rule_id] is RuleOutcome.NOT_MATCHED
            assert trace.reason.startswith("needs ")
        else:
            assert trace.outcome is plain[trace.rule_id]
        if trace.condition is not None:
            assert trace.condition.holds is (trace.outcome is not RuleOutcome.NOT_MATCHED)


def _plain_outcomes(rules: RuleSet, t: Ticket, data: InMemoryCustomerData) -> dict[str, Any]:
    """Each rule's outcome by a first-match loop over every rule, without the index."""
    ctx = EvaluationContext.load(t, data, NOW)
    team: str | None = None
    outcomes: dict[str, Any] = {}
    for rule in rules.rules:
        if not rule.enabled:
            outcomes[rule.id] = RuleOutcome.DISABLED
        elif not compile_condition(rule.when)(ctx):
            outcomes[rule.id] = RuleOutcome.NOT_MATCHED
        elif isinstance(rule.then, AssignToTeam) and team is not None:
            outcomes[rule.id] = RuleOutcome.SHADOWED
        else:
            outcomes[rule.id] = RuleOutcome.APPLIED
            if isinstance(rule.then, AssignToTeam):
                team = rule.then.team
    return outcomes


@st.composite
def _texts_and_holder(draw: st.DrawFn) -> tuple[list[str], object]:
    """Texts, and a value that holds one of them about half the time: a text with one
    inside, or a list with one as an element (or inside one)."""
    texts = draw(st.lists(st.text(alphabet="abc", min_size=1, max_size=5), min_size=1, max_size=8))
    text = draw(st.text(alphabet="abc", max_size=8))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(texts)) + text[at:]
    shape = draw(st.sampled_from(["text", "list", "tuple", "frozenset", "number", "unset"]))
    if shape == "text":
        return texts, text
    if shape in ("list", "tuple", "frozenset"):
        items = [*draw(st.lists(st.text(alphabet="abc", max_size=4), max_size=2)), text, 7]
        return texts, {"list": list, "tuple": tuple, "frozenset": frozenset}[shape](items)
    return texts, (3 if shape == "number" else None)


_HOLDING_OPS = {
    "ticket": ["contains", "starts_with", "ends_with", "equals", "is_in"],
    "profile": ["contains", "starts_with", "ends_with"],
}


@given(
    texts_and_holder=_texts_and_holder(),
    where=st.sampled_from(["ticket", "profile"]),
    op=st.sampled_from(["contains", "starts_with", "ends_with", "equals", "is_in"]),
)
def test_every_rule_holding_on_a_custom_field_or_property_is_looked_at(
    texts_and_holder: tuple[list[str], object], where: str, op: str
) -> None:
    """On a custom ticket field or a profile property holding a text, texts, or anything
    else, the gram filter never drops a rule whose condition holds."""
    texts, value = texts_and_holder
    if op not in _HOLDING_OPS[where]:
        op = "contains"
    subject = ticket("note") if where == "ticket" else profile("company")

    def leaf(text: str) -> Any:
        if op == "equals":
            return subject == text
        if op == "is_in":
            return subject.is_in([text, "zzzz"])
        return getattr(subject, op)(text)

    rules = RuleSet(
        rules=[
            RoutingRule(id=f"r{i}", when=leaf(text), then=_no_view) for i, text in enumerate(texts)
        ]
    )
    held = {} if value is None else {"note": value, "company": value}
    t = _ticket(fields={k: v for k, v in held.items() if k == "note"})
    found = Profile(id="p1", properties={k: v for k, v in held.items() if k == "company"})
    data = _data(found)
    ctx = EvaluationContext.load(t, data, NOW)
    holds = {rule.id for rule in rules.rules if compile_condition(rule.when)(ctx)}
    looked = {rule.id for rule, _ in rules._candidates(t, found)}
    assert holds <= looked
    assert decide(rules, TEAMS, t, data, NOW).views == (("no",) if holds else ())


@pytest.mark.parametrize(
    ("when", "subject", "email"),
    [
        pytest.param(ticket("subject").contains("refund"), "a refund, please", None, id="middle"),
        pytest.param(ticket("subject").contains("refund"), "refund", None, id="whole"),
        pytest.param(ticket("subject").starts_with("RE: "), "RE: your order", None, id="start"),
        pytest.param(ticket("subject").ends_with("?"), "where is it?", None, id="one-char"),
        pytest.param(ticket("subject").contains("ab"), "xxab", None, id="two-chars"),
        pytest.param(ticket("subject") == "Hello", "Hello", None, id="equals"),
        pytest.param(ticket("subject").is_in(["nope", "Hello"]), "Hello", None, id="in"),
        pytest.param(ticket("subject").contains("é€😀"), "x é€😀 y", None, id="non-ascii"),
        pytest.param(ticket("email").ends_with("@acme.com"), "", "jo@acme.com", id="email"),
        pytest.param(ticket("note").contains("gift"), "", None, id="custom-field-list"),
        pytest.param(ticket("note").starts_with("Please"), "", None, id="custom-field-list-prefix"),
        pytest.param(
            ticket("subject").contains("refund") & (ticket("channel") == "email"),
            "refund",
            None,
            id="all-of",
        ),
        pytest.param(
            ticket("subject").contains("refund") | ticket("email").contains("acme"),
            "",
            "jo@acme.com",
            id="any-of-fields",
        ),
    ],
)
def test_a_rule_keyed_on_a_text_within_a_field_is_found_when_it_matches(
    when: Any, subject: str, email: str | None
) -> None:
    """A text required within the subject or the email is found wherever it stands, and
    a ticket whose value lacks it does not evaluate the rule."""
    rules = RuleSet(
        rules=(
            RoutingRule(id="other", when=ticket("subject").contains("zzz"), then=_no_view),
            RoutingRule(id="r", when=when, then=SaveAsView(view="yes")),
        )
    )
    hit = _ticket(
        subject=subject, email=email, fields={"note": ["gift", "Please wrap it"], "other": 3}
    )
    assert [rule.id for rule, _ in rules._candidates(hit, None)] == ["r"]
    for explain in (False, True):
        assert decide(rules, TEAMS, hit, _data(), NOW, explain=explain).views == ("yes",)
    assert rules._candidates(_ticket(subject="nothing here", email="x@y.z"), None) == []


_no_view = SaveAsView(view="no")


@st.composite
def _texts_and_subject(draw: st.DrawFn) -> tuple[list[str], str]:
    """Texts over a small alphabet and a subject that holds one of them about half the time."""
    texts = draw(st.lists(st.text(alphabet="abc", min_size=1, max_size=5), min_size=1, max_size=12))
    subject = draw(st.text(alphabet="abc", max_size=10))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(subject)))
        subject = subject[:at] + draw(st.sampled_from(texts)) + subject[at:]
    return texts, subject


@given(texts_and_subject=_texts_and_subject())
def test_every_rule_whose_text_is_in_the_subject_is_looked_at(
    texts_and_subject: tuple[list[str], str],
) -> None:
    """The gram filter never drops a rule whose text is in the subject, and lets through
    exactly those among rules with texts of up to three characters (filed under
    themselves)."""
    texts, subject = texts_and_subject
    rules = RuleSet(
        rules=[
            RoutingRule(id=f"r{i}", when=ticket("subject").contains(text), then=_no_view)
            for i, text in enumerate(texts)
        ]
    )
    looked = {rule.id for rule, _ in rules._candidates(_ticket(subject=subject), None)}
    within = {f"r{i}" for i, text in enumerate(texts) if text in subject}
    assert within <= looked
    short = {f"r{i}" for i, text in enumerate(texts) if len(text) <= 3}
    assert looked & short == within & short


def test_texts_are_filed_under_the_gram_the_fewest_of_them_share() -> None:
    """Of 100 keyword rules a subject holding none of the keywords evaluates none, and one
    holding a keyword evaluates only the rules filed under the same gram."""
    rules = RuleSet(
        rules=[
            RoutingRule(id=f"k{i}", when=ticket("subject").contains(f"keyword-{i}"), then=_no_view)
            for i in range(100)
        ]
    )
    assert rules._candidates(_ticket(subject="where is my order"), None) == []
    assert rules._candidates(_ticket(subject="keyword-"), None) == []
    # 'keyword-57' is filed under '-57', its own; 'keyword-5' under 'd-5', which it shares
    # with 'keyword-50'..'keyword-59' (each filed under a gram of its own), and it is in
    # 'keyword-57' too.
    found = [rule.id for rule, _ in rules._candidates(_ticket(subject="about keyword-57"), None)]
    assert found == ["k5", "k57"]
    found = [rule.id for rule, _ in rules._candidates(_ticket(subject="keyword-5"), None)]
    assert found == ["k5"]
    full = decide(rules, TEAMS, _ticket(subject="about keyword-57"), _data(), NOW)
    assert [entry[:2] for entry in full.evaluated] == [
        ("k5", RuleOutcome.APPLIED),
        ("k57", RuleOutcome.APPLIED),
    ]
    decision = decide(rules, TEAMS, _ticket(subject="where is my order"), _data(), NOW)
    assert decision.evaluated == ()
    assert decision.rules[57].reason == (
        "needs subject to contain 'keyword-57', ticket's subject does not"
    )


def test_a_channel_first_rule_is_keyed_on_its_tag() -> None:
    """channel == sms & tags contain Order is looked at only for tickets tagged Order, so an
    sms ticket without the tag never evaluates it (the index says why)."""
    rules = RuleSet(
        rules=(
            RoutingRule(
                id="sms-orders",
                when=(ticket("channel") == "sms") & ticket("tags").contains("Order"),
                then=AssignToTeam(team="team-a"),
            ),
        )
    )
    sms = _ticket(channel="sms", tags={"Other"})
    assert rules._candidates(sms, None) == []
    assert rules._candidates(_ticket(channel="email", tags={"Order"}), None) != []
    (trace,) = decide(rules, TEAMS, sms, _data(), NOW).rules
    assert trace.outcome is RuleOutcome.SKIPPED
    assert trace.reason == "needs tag 'Order', ticket has 'Other'"


def _views_rule(rule_id: str, view: str) -> RoutingRule:
    return RoutingRule(id=rule_id, when=ticket("channel") == "sms", then=SaveAsView(view=view))


def _views_of(rules: RuleSet) -> tuple[str, ...]:
    at = datetime(2026, 3, 30, 9, tzinfo=UTC)
    sms = Ticket(id="t", channel="sms", created_at=at)
    return decide(rules, [], sms, InMemoryCustomerData(), at).views


def test_a_rule_set_derived_by_model_copy_routes_with_its_own_rules() -> None:
    """Issue 10 #4: model_copy(update=...), a deep copy or a shallow copy of a rule set that
    has routed never routes with the compiled rules of the one it came from."""
    original = RuleSet(rules=[_views_rule("a", "A")])
    assert _views_of(original) == ("A",)  # compiles and caches
    assert _views_of(original.model_copy(update={"rules": [_views_rule("b", "B")]})) == ("B",)
    both = original.model_copy(update={"rules": (*original.rules, _views_rule("b", "B"))})
    assert _views_of(both) == ("A", "B")
    assert _views_of(original.model_copy(update={"rules": []})) == ()
    assert _views_of(original.model_copy(deep=True)) == ("A",)
    assert _views_of(copy.copy(original)) == ("A",)
    assert _views_of(original) == ("A",)


def test_model_copy_with_an_update_validates_like_any_rule_set() -> None:
    """A copy whose update repeats a rule id is refused, as RuleSet(...) would refuse it."""
    original = RuleSet(rules=[_views_rule("a", "A")])
    with pytest.raises(ValidationError, match="invalid rule set"):
        original.model_copy(update={"rules": [_views_rule("a", "A"), _views_rule("a", "B")]})


def test_a_bad_condition_does_not_hide_a_rule_id_given_twice() -> None:
    """Every problem of a rule set at once: a rule's own problem stopped the rule set's
    check of its ids, so a repeated id was told only once the condition was mended."""
    sms = {"type": "ticket", "field": "channel", "op": "equals", "value": "sms"}
    bad = {**sms, "value": [1]}
    then = {"type": "assign_to_team", "team": "t1"}
    rules = [
        {"id": "a", "when": sms, "then": then},
        {"id": "b", "when": bad, "then": then},
        {"id": "a", "when": sms, "then": then},
    ]
    with pytest.raises(ValidationError) as info:
        RuleSet.from_dict({"rules": rules})
    assert [(d.path, d.code, d.rule_id) for d in info.value.details] == [
        ("$.rules[1].when.value", "condition_value", "b"),
        ("$.rules[2].id", "rule_duplicate_id", "a"),
    ]
    assert info.value.details[1].message == "duplicate rule id 'a' (first at rules[0])"
    twice = [{"id": "a", "when": sms, "then": then}] * 2
    with pytest.raises(ValidationError) as alone:
        RuleSet.from_dict({"rules": twice})
    assert [d.path for d in alone.value.details] == ["$.rules[1].id"]  # named once
