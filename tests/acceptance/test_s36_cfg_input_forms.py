"""Acceptance probe (s36, configuration input): the forms a user writes for ``rules``
and ``office_hours_channels`` are taken alike by ``hr.Router(...)``, ``configure`` and
``hr.Configuration(...)``: a list or tuple of rules is the rule set of those rules, a
plain string one channel; what stays refused is refused with a ``RoutingError`` naming
what is wrong and where."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import helpdesk_routing as hr
from helpdesk_routing.conditions import ticket
from helpdesk_routing.schemas import json_schema

NOW = datetime(2026, 3, 30, 9, tzinfo=UTC)
TEAMS = [hr.Team(id="sms", members=["a1"]), hr.Team(id="mail", members=["a1"])]


def _rule(rule_id: str, team: str = "sms", channel: str = "sms") -> hr.RoutingRule:
    return hr.RoutingRule(
        id=rule_id, when=ticket("channel") == channel, then=hr.AssignToTeam(team=team)
    )


def _router(**arguments: Any) -> hr.Router:
    agents = [hr.Agent(id="a1"), hr.Agent(id="m1", role="manager")]
    return hr.Router(
        store=hr.InMemoryStore(agents=agents),
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(NOW),
        **arguments,
    )


def _configure(**arguments: Any) -> hr.Configuration:
    return _router(teams=TEAMS).configure(actor="m1", **arguments)


def _configuration(**arguments: Any) -> hr.Configuration:
    return hr.Configuration(version=1, at=NOW, teams=TEAMS, **arguments)


def _rules_of(door: str, rules: Any) -> hr.RuleSet:
    if door == "Router":
        return _router(rules=rules, teams=TEAMS).rules
    if door == "configure":
        return _configure(rules=rules).rules
    return _configuration(rules=rules).rules


DOORS = ["Router", "configure", "Configuration"]
RULES = [_rule("sms"), _rule("mail", team="mail", channel="email")]


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("form", [list, tuple])
def test_a_sequence_of_rules_is_the_rule_set_of_those_rules(door: str, form: Any) -> None:
    assert _rules_of(door, form(RULES)) == hr.RuleSet(rules=RULES)


@pytest.mark.parametrize("door", DOORS)
def test_rules_as_json_data_in_a_list_and_an_empty_list(door: str) -> None:
    data = [rule.model_dump(mode="json") for rule in RULES]
    assert _rules_of(door, data) == hr.RuleSet(rules=RULES)
    assert _rules_of(door, [RULES[0], data[1]]) == hr.RuleSet(rules=RULES)
    assert _rules_of(door, []) == hr.RuleSet()


@settings(max_examples=30, deadline=None)
@given(
    picks=st.lists(
        st.tuples(st.sampled_from(["sms", "mail"]), st.sampled_from(["sms", "email", "chat"])),
        max_size=6,
    ),
    as_data=st.booleans(),
)
def test_a_list_agrees_with_the_rule_set_it_stands_for(
    picks: list[tuple[str, str]], as_data: bool
) -> None:
    rules = [_rule(f"r{i}", team, channel) for i, (team, channel) in enumerate(picks)]
    given_rules: list[Any] = [r.model_dump(mode="json") for r in rules] if as_data else rules
    reference = hr.RuleSet(rules=rules)
    assert _configuration(rules=given_rules).rules == reference
    assert _router(rules=given_rules, teams=TEAMS).rules == reference


# A list given as rules is the configuration document's "rules" itself: a rule of it is
# at $.rules[i], as in RuleSet(rules=[...]); a rule set's JSON data puts it at
# $.rules.rules[i].
@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("form", [list, tuple])
def test_a_duplicate_rule_id_in_a_list_is_named_at_its_path(door: str, form: Any) -> None:
    with pytest.raises(hr.RoutingError) as info:
        _rules_of(door, form([RULES[0], RULES[1], RULES[0]]))
    assert isinstance(info.value, hr.ValidationError)
    assert [(e["path"], e["code"]) for e in info.value.errors()] == [
        ("$.rules[2].id", "rule_duplicate_id")
    ]
    assert "duplicate rule id 'sms' (first at rules[0])" in str(info.value)


@pytest.mark.parametrize("door", DOORS)
def test_a_bad_rule_in_a_list_is_named_at_its_path(door: str) -> None:
    data = [RULES[0], {**RULES[1].model_dump(mode="json"), "then": {"type": "assign"}}]
    with pytest.raises(hr.ValidationError) as info:
        _rules_of(door, data)
    assert [e["path"] for e in info.value.errors()] == ["$.rules[1].then"]


@pytest.mark.parametrize("door", ["Router", "configure"])
def test_a_list_naming_an_unknown_team_is_named_at_its_path(door: str) -> None:
    with pytest.raises(hr.ValidationError) as info:
        _rules_of(door, [RULES[0], _rule("x", team="nobody")])
    assert [(e["path"], e["code"], e["rule_id"]) for e in info.value.errors()] == [
        ("$.rules[1].then.team", "unknown_team", "x")
    ]
    data = {"rules": [RULES[0], _rule("x", team="nobody")]}
    with pytest.raises(hr.ValidationError) as info:
        _rules_of(door, data)
    assert [e["path"] for e in info.value.errors()] == ["$.rules.rules[1].then.team"]


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize(
    ("rules", "code", "said"),
    [
        ('{"rules": []}', "model_type", "rules takes a RuleSet, a list or tuple of rules"),
        (b"[]", "model_type", "got bytes"),
        (5, "model_type", "got int"),
        (frozenset(RULES), "unordered_set", "rules takes a list or a tuple"),
        ({"rule": []}, "extra_forbidden", "Extra inputs are not permitted"),
    ],
)
def test_what_is_no_rule_set_stays_refused_at_rules(
    door: str, rules: Any, code: str, said: str
) -> None:
    with pytest.raises(hr.RoutingError) as info:
        _rules_of(door, rules)
    assert isinstance(info.value, hr.ValidationError)
    (error,) = info.value.errors()
    assert error["path"].startswith("$.rules")
    assert error["code"] == code
    assert said in error["message"]


def _channels_of(door: str, channels: Any) -> frozenset[str]:
    if door == "Router":
        return _router(office_hours_channels=channels).configuration.office_hours_channels
    if door == "configure":
        return _configure(office_hours_channels=channels).office_hours_channels
    return _configuration(office_hours_channels=channels).office_hours_channels


@pytest.mark.parametrize("door", DOORS)
def test_a_plain_string_is_one_channel_everywhere(door: str) -> None:
    assert _channels_of(door, "sms") == {"sms"}


def test_a_plain_string_is_one_channel_in_a_configuration_copy() -> None:
    copy = _configuration().model_copy(update={"office_hours_channels": "sms"})
    assert copy.office_hours_channels == {"sms"}
    data = {"version": 1, "at": "2026-03-30T09:00:00Z", "office_hours_channels": "sms"}
    assert hr.Configuration.model_validate(data).office_hours_channels == {"sms"}


@pytest.mark.parametrize("door", DOORS)
def test_an_empty_string_is_an_empty_channel_everywhere(door: str) -> None:
    with pytest.raises(hr.ValidationError) as info:
        _channels_of(door, "")
    assert [(e["path"], e["code"]) for e in info.value.errors()] == [
        ("$.office_hours_channels", "string_too_short")
    ]


def test_json_text_takes_the_channels_as_an_array() -> None:
    # The JSON form is the one written (an array); JSON text is read as written.
    text = '{"version": 1, "at": "2026-03-30T09:00:00Z", "office_hours_channels": "sms"}'
    with pytest.raises(hr.ValidationError) as info:
        hr.Configuration.model_validate_json(text)
    assert [e["path"] for e in info.value.errors()] == ["$.office_hours_channels"]


def test_json_text_takes_the_rules_as_a_rule_set_as_its_schema_says() -> None:
    # A list of rules is a Python convenience; JSON text is read as written and as the
    # configuration's JSON Schema describes it (rules: a rule set's object), so a
    # document the schema refuses is refused by the model too.
    doc = {"version": 1, "at": "2026-03-30T09:00:00Z", "rules": []}
    assert not Draft202012Validator(json_schema("configuration")).is_valid(doc)
    with pytest.raises(hr.ValidationError) as info:
        hr.Configuration.model_validate_json(json.dumps(doc))
    assert [e["path"] for e in info.value.errors()] == ["$.rules"]
    assert "JSON text writes rules as a rule set" in str(info.value)
    assert hr.Configuration.model_validate(doc).rules == hr.RuleSet(rules=[])
