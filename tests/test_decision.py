"""Decisions keep ids, outcomes and facts; the rule set that decided renders the rest."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.conditions import ConditionTrace, profile, segment, ticket
from helpdesk_routing.decision import AllocationTrace, RoutingDecision, RuleOutcome, RuleTrace
from helpdesk_routing.model import Event, Profile
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet, SaveAsView, decide
from tests.test_rules import _CHANNELS, _TAGS, NOW, RECIPES, TEAMS, _data, _rule_sets, _ticket


def _french() -> RoutingDecision:
    data = _data(Profile(id="p1", properties={"$country": "France", "churn_risk": "Low"}))
    return decide(RECIPES, TEAMS, _ticket(), data, NOW)


def test_decide_returns_a_decision_bound_to_its_rules() -> None:
    """The decision from decide() explains every rule with its name and destination."""
    decision = _french()
    assert decision.bound
    assert [(r.rule_id, r.outcome) for r in decision.rules] == [
        ("churn", RuleOutcome.SKIPPED),
        ("urgent", RuleOutcome.NOT_MATCHED),
        ("french", RuleOutcome.APPLIED),
        ("sms-orders", RuleOutcome.SKIPPED),
    ]
    assert decision.rules[2].name == "French speakers"
    assert decision.rules[2].destination == "team:france"


def test_stored_decisions_keep_no_rule_names_destinations_or_condition_text() -> None:
    """The JSON holds rule ids, outcomes and leaf facts, nothing the rule set knows."""
    text = _french().model_dump_json()
    for known in ("French speakers", "Churn defense", "team:france", "equals", "Placed Order"):
        assert known not in text
    assert json.loads(text)["evaluated"] == [
        ["urgent", "not_matched", 0, False, 0],
        ["french", "applied", 0, True, "France"],
    ]


def test_a_decision_read_back_equals_the_one_decided() -> None:
    """The JSON round trip gives an equal decision, unbound until given its rules."""
    decision = _french()
    back = RoutingDecision.model_validate_json(decision.model_dump_json())
    assert back == decision
    assert not back.bound
    assert back.with_rules(RECIPES).explain() == decision.explain()


def test_an_unbound_decision_explains_outcomes_by_id_and_says_what_is_missing() -> None:
    """Without its rule set a decision still names each evaluated rule and its outcome."""
    back = RoutingDecision.model_validate_json(_french().model_dump_json())
    assert back.explain().splitlines() == [
        "ticket t1:",
        "  team 'france' chosen by rule 'french'",
        "  rule 'urgent': not matched",
        "  rule 'french': applied",
        "  (rule names, destinations, conditions and the rules not evaluated need the rule "
        "set that decided: decision.with_rules(rules))",
    ]
    assert back.rules == (
        RuleTrace(rule_id="urgent", outcome=RuleOutcome.NOT_MATCHED),
        RuleTrace(rule_id="french", outcome=RuleOutcome.APPLIED),
    )


def test_binding_to_a_rule_set_that_lacks_a_rule_is_refused() -> None:
    """A decision naming a rule the set does not have cannot be explained by it."""
    decision = _french().with_rules(RuleSet())
    with pytest.raises(
        ValueError,
        match=r"^decision for ticket 't1' names rules this rule "
        r"set does not have: 'urgent', 'french'$",
    ):
        decision.explain()


def test_a_record_of_an_older_version_still_loads() -> None:
    """A stored decision with the old full "rules" trace loads, without explanation."""
    old = {
        "ticket_id": "t1",
        "at": "2026-03-30T09:00:00Z",
        "team": "france",
        "rule_id": "french",
        "decided_by": "rule",
        "rules": [
            {
                "rule_id": "french",
                "name": "x",
                "destination": "team:france",
                "outcome": "applied",
                "condition": None,
            }
        ],
    }
    decision = RoutingDecision.model_validate(old)
    assert (decision.team, decision.explained, decision.evaluated) == ("france", False, ())


def test_decisions_made_with_less_detail_list_only_applied_and_shadowed_rules() -> None:
    """explain=False keeps the rules that applied or were shadowed, without facts."""
    data = _data(Profile(id="p1", properties={"$country": "France", "churn_risk": "High"}))
    decision = decide(RECIPES, TEAMS, _ticket(), data, NOW, explain=False)
    assert [(r.rule_id, r.outcome, r.condition) for r in decision.rules] == [
        ("churn", RuleOutcome.APPLIED, None),
        ("french", RuleOutcome.SHADOWED, None),
    ]
    assert "decided without explain" in decision.explain()


_view = SaveAsView(view="v")


@pytest.mark.parametrize(
    ("when", "ticket_changes", "found", "reason"),
    [
        (ticket("channel") == "sms", {}, None, "needs channel 'sms', ticket has 'email'"),
        (
            ticket("channel").is_in(["sms", "webchat"]),
            {},
            None,
            "needs channel 'sms' or 'webchat', ticket has 'email'",
        ),
        (ticket("tags").contains("Order"), {}, None, "needs tag 'Order', ticket has no tags"),
        (
            ticket("tags").contains("Order"),
            {"tags": {"B", "A"}},
            None,
            "needs tag 'Order', ticket has 'A', 'B'",
        ),
        (segment("vip"), {"profile_id": None}, None, "needs segment 'vip', no profile"),
        (segment("vip"), {}, Profile(id="p1"), "needs segment 'vip', profile is in no segment"),
        (
            segment("vip"),
            {},
            Profile(id="p1", segments=frozenset({"b", "a"})),
            "needs segment 'vip', profile is in 'a', 'b'",
        ),
        (profile("risk") == "High", {}, Profile(id="p1"), "needs profile.risk 'High', not set"),
        (
            profile("risk") == "High",
            {},
            Profile(id="p1", properties={"risk": "Low"}),
            "needs profile.risk 'High', profile has 'Low'",
        ),
        (
            profile("risk").is_in(["High", "Mid"]),
            {},
            Profile(id="p1", properties={"risk": ["Low", "None"]}),
            "needs profile.risk 'High' or 'Mid', profile has ['Low', 'None']",
        ),
        (
            (ticket("channel") == "fax") | (profile("risk") == "High"),
            {"profile_id": None},
            None,
            "needs channel 'fax', ticket has 'email'; needs profile.risk 'High', no profile",
        ),
        (
            ticket("subject").contains("refund"),
            {"subject": "Where is my order?"},
            None,
            "needs subject to contain 'refund', ticket's subject does not",
        ),
        (
            ticket("subject").starts_with("RE:") | ticket("subject").ends_with("[urgent]"),
            {},
            None,
            "needs subject to start with 'RE:' or end with '[urgent]', ticket's subject does not",
        ),
        (
            ticket("email").ends_with("@acme.com"),
            {"email": "jo@example.org"},
            None,
            "needs email to end with '@acme.com', ticket's email does not",
        ),
        (
            ticket("note").contains("gift"),
            {"fields": {"note": ["wrap it", "quickly"]}},
            None,
            "needs note to contain 'gift', ticket's note does not",
        ),
        (
            profile("company").contains("Acme"),
            {},
            Profile(id="p1", properties={"company": "Globex"}),
            "needs profile.company to contain 'Acme', profile's company does not",
        ),
        (
            profile("company").starts_with("Acme"),
            {"profile_id": None},
            None,
            "needs profile.company to start with 'Acme', no profile",
        ),
        (
            ticket("id") == "closed",
            {},
            None,
            "needs id to equal 'closed', ticket's id does not",
        ),
        (
            ticket("priority").is_in(["High", "Urgent"]),
            {},
            None,
            "needs priority to equal 'High' or 'Urgent', ticket's priority does not",
        ),
        (
            ticket("subject").starts_with("RE:") | ticket("subject").contains("RE:"),
            {},
            None,
            "needs subject to contain 'RE:' or start with 'RE:', ticket's subject does not",
        ),
        (
            profile("company").ends_with("Inc"),
            {},
            Profile(id="p1", properties={"company": "Globex"}),
            "needs profile.company to end with 'Inc', profile's company does not",
        ),
        (
            (ticket("subject") == "hi") | (ticket("channel") == "sms"),
            {"subject": "hello"},
            None,
            "needs channel 'sms', ticket has 'email'; needs subject to equal 'hi', "
            "ticket's subject does not",
        ),
    ],
)
def test_rules_the_index_skipped_are_explained_from_their_key(
    when: Any, ticket_changes: dict[str, Any], found: Profile | None, reason: str
) -> None:
    """A skipped rule's reason names the key it needs and what the ticket had instead."""
    rules = RuleSet(rules=(RoutingRule(id="r", name="R", when=when, then=_view),))
    data = _data(found) if found else _data()
    decision = decide(rules, TEAMS, _ticket(**ticket_changes), data, NOW)
    (trace,) = decision.rules
    assert (trace.outcome, trace.reason) == (RuleOutcome.SKIPPED, reason)
    assert f"  rule 'r' (R) -> view:v: skipped — {reason}" in decision.explain()
    back = RoutingDecision.model_validate_json(decision.model_dump_json())
    assert back.with_rules(rules).rules == decision.rules


def test_disabled_rules_are_explained_as_disabled() -> None:
    """A disabled rule is listed as disabled, with no condition trace."""
    rules = RuleSet(
        rules=(
            RoutingRule(
                id="off",
                enabled=False,
                when=ticket("channel") == "email",
                then=AssignToTeam(team="france"),
            ),
        )
    )
    (trace,) = decide(rules, TEAMS, _ticket(), _data(), NOW).rules
    assert (trace.outcome, trace.condition) == (RuleOutcome.DISABLED, None)


def _marks(trace: ConditionTrace | None) -> list[bool | None]:
    if trace is None:
        return []
    return [trace.holds, *(m for child in trace.children for m in _marks(child))]


@given(
    rules=_rule_sets(),
    channel=st.sampled_from(_CHANNELS),
    tags=st.sets(st.sampled_from([*_TAGS, "Other"])),
    risk=st.sampled_from(["High", "Low", None, ["Low", "Mid"]]),
    segments=st.sets(st.sampled_from(["vip", "at-risk", "other"])),
    has_profile=st.booleans(),
    ordered=st.booleans(),
)
def test_a_decision_read_back_and_rebound_explains_the_same(
    rules: RuleSet,
    channel: str,
    tags: set[str],
    risk: object,
    segments: set[str],
    has_profile: bool,
    ordered: bool,
) -> None:
    """After a JSON round trip, the rebound decision gives every rule the same outcome,
    reason and per-node verdicts as the decision fresh from decide()."""
    props = {} if risk is None else {"churn_risk": risk}
    events = (Event(profile_id="p1", metric="Placed Order", timestamp=NOW),) if ordered else ()
    data = _data(Profile(id="p1", properties=props, segments=frozenset(segments)), events=events)
    t = _ticket(channel=channel, tags=tags, profile_id="p1" if has_profile else None)
    decision = decide(rules, TEAMS, t, data, NOW)
    back = RoutingDecision.model_validate_json(decision.model_dump_json()).with_rules(rules)
    assert back == decision
    assert [(r.rule_id, r.outcome, r.reason, _marks(r.condition)) for r in back.rules] == [
        (r.rule_id, r.outcome, r.reason, _marks(r.condition)) for r in decision.rules
    ]
    assert len(decision.rules) == len(rules.rules)


def test_a_trusted_decision_is_the_validated_one() -> None:
    """RoutingDecision.trusted (no validation) equals the validated model, dumps, copies
    and updates like it, and is bound to the rules it was given."""
    fields: dict[str, Any] = {"ticket_id": "t9", "at": NOW, "team": "france", "views": ("v",)}
    trusted = RoutingDecision.trusted(RECIPES, **fields)
    validated = RoutingDecision(**fields)
    assert trusted == validated
    assert trusted.model_dump() == validated.model_dump()
    assert trusted.bound
    assert not validated.bound
    moved = trusted.model_copy(update={"assignee": "a1"})
    assert (moved.assignee, moved.team, moved.bound) == ("a1", "france", True)
    assert trusted.assignee is None


def test_allocated_is_model_copy_with_assignee_and_allocation() -> None:
    """allocated() gives what model_copy(update=...) gives, still bound, original unchanged."""
    decision = _french()
    trace = AllocationTrace(pool="team:france", assignee="a2", summary="a2: next online")
    moved = decision.allocated("a2", trace)
    assert moved == decision.model_copy(update={"assignee": "a2", "allocation": trace})
    assert (moved.assignee, moved.allocation, moved.bound) == ("a2", trace, True)
    assert decision.assignee is None
    assert moved.explain().endswith("allocation (team:france): a2: next online")
    assert moved.model_fields_set == decision.model_fields_set == {"ticket_id", "at"}
    unbound = RoutingDecision(ticket_id="t9", at=NOW)
    assert not unbound.allocated("a2", trace).bound
    assert unbound.allocated("a2", trace) == unbound.model_copy(
        update={"assignee": "a2", "allocation": trace}
    )


def test_a_trusted_decision_dumps_the_same_json_text() -> None:
    """The JSON text of a trusted decision (what stores persist) is the validated one's,
    field for field in the same order."""
    decision = _french()
    text = decision.model_dump_json()
    assert text == RoutingDecision.model_validate_json(text).model_dump_json()
    assert text.startswith('{"ticket_id":"t1","at":')


def test_decisions_and_used_rule_sets_pickle() -> None:
    """A bound decision (and the rule set it carries, compiled or not) survives pickling,
    still bound (a process pool returns decisions this way)."""
    import pickle

    decision = _french()
    back = pickle.loads(pickle.dumps(decision))
    assert back == decision
    assert back.explain() == decision.explain()
    rules = pickle.loads(pickle.dumps(RECIPES))
    assert rules == RECIPES
    assert [rule.id for rule, _ in rules._candidates(_ticket(), None)] == ["urgent"]


def test_a_rule_that_can_match_no_ticket_says_why_it_was_skipped() -> None:
    """``in []`` is keyed by nothing: the index skips the rule, and its line says why (it
    said "skipped" and nothing more)."""
    rules = RuleSet(
        rules=[
            RoutingRule(id="none", when=ticket("tags").is_in([]), then=SaveAsView(view="v")),
            RoutingRule(id="sms", when=ticket("channel") == "sms", then=SaveAsView(view="w")),
        ]
    )
    decision = decide(rules, [], _ticket(tags={"a"}), _data(), NOW)
    assert decision.views == ()
    assert "rule 'none' -> view:v: skipped — its condition can match no ticket" in (
        decision.explain()
    )
