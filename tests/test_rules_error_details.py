"""Every way into a rule set names a bad rule the same way: JSON path, code and rule id."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

import helpdesk_routing as hr
from helpdesk_routing.conditions import ticket
from helpdesk_routing.errors import ValidationError
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet, SaveAsView

NOW = datetime(2026, 3, 30, 9, tzinfo=UTC)
TEAMS = [hr.Team(id="a", members=["a1"])]
SMS = ticket("channel") == "sms"
UNKNOWN_TEAM = {
    "path": "$.rules[1].then.team",
    "code": "unknown_team",
    "message": "rule 'bad-one': unknown team 'zzz'",
    "rule_id": "bad-one",
}


def _naming_zzz() -> RuleSet:
    return RuleSet(
        rules=[
            RoutingRule(id="ok", when=SMS, then=AssignToTeam(team="a")),
            RoutingRule(id="bad-one", when=SMS, then=AssignToTeam(team="zzz")),
        ]
    )


def _router(rules: RuleSet) -> hr.Router:
    agents = [hr.Agent(id="a1"), hr.Agent(id="m1", role="manager")]
    return hr.Router(
        rules=rules,
        teams=TEAMS,
        store=hr.InMemoryStore(agents=agents),
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(NOW),
    )


def test_validate_against_names_the_rule_with_an_unknown_team() -> None:
    """validate_against: the rule's id and the code unknown_team, not None and 'invalid'."""
    with pytest.raises(ValidationError) as info:
        _naming_zzz().validate_against(TEAMS)
    assert info.value.errors() == [UNKNOWN_TEAM]


# The Router's arguments and configure's are a configuration document: its rule set
# lies at $.rules (as helpdesk-routing check names it in a configuration file).
UNKNOWN_TEAM_IN_CONFIGURATION = {**UNKNOWN_TEAM, "path": "$.rules.rules[1].then.team"}


def test_router_names_the_rule_with_an_unknown_team() -> None:
    """Router(rules=...) refuses an unknown team with the same detail as validate_against,
    at the rule's path within the configuration."""
    with pytest.raises(ValidationError) as info:
        _router(_naming_zzz())
    assert info.value.errors() == [UNKNOWN_TEAM_IN_CONFIGURATION]


@pytest.mark.parametrize("as_dict", [False, True])
def test_configure_names_the_rule_with_an_unknown_team(as_dict: bool) -> None:
    """router.configure(rules=...), given a RuleSet or its JSON form, gives the same detail
    as Router(rules=...)."""
    router = _router(RuleSet())
    rules: Any = _naming_zzz()
    if as_dict:
        rules = rules.model_dump(mode="json")
    with pytest.raises(ValidationError) as info:
        router.configure(actor="m1", rules=rules)
    assert info.value.errors() == [UNKNOWN_TEAM_IN_CONFIGURATION]


_DUPLICATE = {
    "path": "$.rules[1].id",
    "code": "rule_duplicate_id",
    "message": "duplicate rule id 'a' (first at rules[0])",
    "rule_id": "a",
}


def _rule() -> RoutingRule:
    return RoutingRule(id="a", when=SMS, then=SaveAsView(view="v"))


def test_duplicate_ids_built_directly_name_the_rule() -> None:
    """RuleSet(rules=[r, r]), from a list or a tuple, names the repeated id as from_dict does."""
    rule = _rule()
    for rules in ([rule, rule], (rule, rule)):
        with pytest.raises(ValidationError) as info:
            RuleSet(rules=rules)
        assert [d.as_dict() for d in info.value.details] == [_DUPLICATE]
    with pytest.raises(ValidationError) as info:
        RuleSet.from_dict({"rules": [rule.model_dump(mode="json")] * 2})
    assert info.value.errors() == [_DUPLICATE]


def test_duplicate_ids_by_model_copy_are_located_at_the_id() -> None:
    """model_copy(update=...) puts a repeated id at $.rules[1].id with the rule id, not at $."""
    rule = _rule()
    with pytest.raises(ValidationError, match="invalid rule set") as info:
        RuleSet(rules=[rule]).model_copy(update={"rules": [rule, rule]})
    assert info.value.errors() == [_DUPLICATE]


def test_an_error_inside_a_rule_built_from_mappings_and_rules_names_its_id() -> None:
    """A mix of RoutingRules and mappings: the bad mapping's error carries its id."""
    bad = {
        "id": "q",
        "when": {"type": "all", "conditions": []},
        "then": {"type": "save_as_view", "view": "v"},
    }
    with pytest.raises(ValidationError) as info:
        RuleSet.model_validate({"rules": (_rule(), bad)})
    assert [(d.path, d.code, d.rule_id) for d in info.value.details] == [
        ("$.rules[1].when", "rule_empty_group", "q")
    ]


@pytest.mark.parametrize(
    ("window", "message"),
    [
        (
            {"amount": 2, "unit": "hours"},
            "a window needs a 'type': one of 'all_time', 'in_last', 'since', 'after', "
            "'before', 'between'",
        ),
        (
            {"type": "last"},
            "unknown window type 'last': one of 'all_time', 'in_last', 'since', 'after', "
            "'before', 'between'",
        ),
    ],
)
def test_a_window_without_a_known_type_lists_the_types(
    window: dict[str, Any], message: str
) -> None:
    """Not pydantic's "Unable to extract tag using discriminator 'type'": the message
    says what is missing and which types there are, as for a condition node."""
    from helpdesk_routing.conditions import parse_condition

    event = {"type": "event", "metric": "m", "count": {"op": "at_least", "value": 1}}
    with pytest.raises(ValidationError) as info:
        parse_condition({**event, "window": window})
    assert [(d["path"], d["message"]) for d in info.value.errors()] == [("$.window", message)]


@pytest.mark.parametrize(
    ("then", "message"),
    [
        ({"team": "x"}, "a destination needs a 'type': one of 'assign_to_team', 'save_as_view'"),
        (
            {"type": "route"},
            "unknown destination type 'route': one of 'assign_to_team', 'save_as_view'",
        ),
    ],
)
def test_a_destination_without_a_known_type_lists_the_types(
    then: dict[str, Any], message: str
) -> None:
    rule = {"id": "r", "name": "r", "when": {"type": "segment", "segment": "v"}, "then": then}
    with pytest.raises(ValidationError) as info:
        RuleSet.from_json(json.dumps({"rules": [rule]}))
    assert [(d["path"], d["message"]) for d in info.value.errors()] == [
        ("$.rules[0].then", f"rule 'r': {message}")
    ]
    with pytest.raises(ValidationError) as direct:
        RoutingRule.model_validate(rule)
    assert [d["message"] for d in direct.value.errors()] == [message]


def test_a_repeated_id_is_named_with_a_rules_own_problem_through_every_door() -> None:
    """A rule's own problem (a name of the wrong kind) stops the rule set's check of its
    ids; every door names the id given twice with it, as the loader does, in the rules'
    order (the model doors named only the bad name)."""

    def rule(rule_id: str, **more: Any) -> dict[str, Any]:
        return {
            "id": rule_id,
            "name": rule_id,
            "when": {"type": "ticket", "field": "channel", "op": "is_set"},
            "then": {"type": "save_as_view", "view": "V"},
            **more,
        }

    doc = {"rules": [rule("a"), rule("b", name=5), rule("a")]}
    expected = [("$.rules[1].name", "string_type"), ("$.rules[2].id", "rule_duplicate_id")]
    doors = {
        "from_dict": lambda: RuleSet.from_dict(doc),
        "from_json": lambda: RuleSet.from_json(json.dumps(doc)),
        "constructor": lambda: RuleSet(**doc),
        "model_validate": lambda: RuleSet.model_validate(doc),
        "model_validate_json": lambda: RuleSet.model_validate_json(json.dumps(doc)),
    }
    for door, call in doors.items():
        with pytest.raises(ValidationError) as info:
            call()
        found = [(e["path"], e["code"]) for e in info.value.errors()]
        assert found == expected, door
        assert info.value.errors()[1]["rule_id"] == "a", door
        assert info.value.errors()[1]["message"] == "duplicate rule id 'a' (first at rules[0])"
    configuration = {"version": 1, "at": "2026-03-30T10:00:00Z", "rules": doc, "teams": []}
    with pytest.raises(ValidationError) as info:
        hr.Configuration.model_validate(configuration)
    assert [(e["path"], e["code"]) for e in info.value.errors()] == [
        ("$.rules.rules[1].name", "string_type"),
        ("$.rules.rules[2].id", "rule_duplicate_id"),
    ]
