"""Acceptance probe (s36, configuration input): a rule set reports every problem of its
own (a rule id given again, an empty all/any group), each at its path, not only the
first: built directly, loaded, copied, and nested in a configuration (under
``$.rules``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import helpdesk_routing as hr
from helpdesk_routing.conditions import all_of, any_of, not_, ticket

NOW = datetime(2026, 3, 30, 9, tzinfo=UTC)
TEAMS = [hr.Team(id="sms", members=["a1"])]
SMS = hr.RoutingRule(id="a", when=ticket("channel") == "sms", then=hr.AssignToTeam(team="sms"))
EMPTY = hr.RoutingRule(
    id="e",
    when=all_of(ticket("channel") == "sms", not_(any_of())),
    then=hr.AssignToTeam(team="sms"),
)
THREE_COPIES = [SMS, SMS, SMS]
THREE_COPIES_FOUND = [
    ("$.rules[1].id", "rule_duplicate_id", "duplicate rule id 'a' (first at rules[0])"),
    ("$.rules[2].id", "rule_duplicate_id", "duplicate rule id 'a' (first at rules[0])"),
]
MIXED = [SMS, EMPTY, SMS]
MIXED_FOUND = [
    (
        "$.rules[1].when.conditions[1].condition",
        "rule_empty_group",
        "rule 'e': empty all/any group (it decides nothing)",
    ),
    ("$.rules[2].id", "rule_duplicate_id", "duplicate rule id 'a' (first at rules[0])"),
]


def _found(error: hr.ValidationError, under: str = "") -> list[tuple[str, str, str]]:
    return [
        (e["path"].replace(under, "$", 1) if under else e["path"], e["code"], e["message"])
        for e in error.errors()
    ]


def _data(rules: list[hr.RoutingRule]) -> dict[str, Any]:
    return {"rules": [rule.model_dump(mode="json") for rule in rules]}


def _router(**arguments: Any) -> hr.Router:
    agents = [hr.Agent(id="a1"), hr.Agent(id="m1", role="manager")]
    return hr.Router(
        store=hr.InMemoryStore(agents=agents),
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(NOW),
        teams=TEAMS,
        **arguments,
    )


@pytest.mark.parametrize(
    ("rules", "found"), [(THREE_COPIES, THREE_COPIES_FOUND), (MIXED, MIXED_FOUND)]
)
def test_a_rule_set_reports_every_problem(rules: list[hr.RoutingRule], found: Any) -> None:
    with pytest.raises(hr.ValidationError) as info:
        hr.RuleSet(rules=rules)
    assert _found(info.value) == found
    with pytest.raises(hr.ValidationError) as info:
        hr.RuleSet.from_dict(_data(rules))
    assert _found(info.value) == found
    with pytest.raises(hr.ValidationError) as info:
        hr.RuleSet.from_json(json.dumps(_data(rules)))
    assert _found(info.value) == found
    with pytest.raises(hr.ValidationError) as info:
        hr.RuleSet().model_copy(update={"rules": rules})
    assert _found(info.value) == found
    rule_ids = [e["rule_id"] for e in info.value.errors()]
    assert rule_ids == [rules[int(path[8])].id for path, _, _ in found]


@pytest.mark.parametrize(
    ("rules", "found"), [(THREE_COPIES, THREE_COPIES_FOUND), (MIXED, MIXED_FOUND)]
)
def test_every_problem_is_reported_under_a_configuration(
    rules: list[hr.RoutingRule], found: Any
) -> None:
    data = _data(rules)
    with pytest.raises(hr.ValidationError) as info:
        hr.Configuration(version=1, at=NOW, rules=data)
    assert _found(info.value, "$.rules") == found
    text = json.dumps({"version": 1, "at": "2026-03-30T09:00:00Z", "rules": data})
    with pytest.raises(hr.ValidationError) as info:
        hr.Configuration.model_validate_json(text)
    assert _found(info.value, "$.rules") == found
    with pytest.raises(hr.ValidationError) as info:
        _router(rules=data)
    assert _found(info.value, "$.rules") == found
    with pytest.raises(hr.ValidationError) as info:
        _router().configure(actor="m1", rules=data)
    assert _found(info.value, "$.rules") == found


@settings(max_examples=60, deadline=None)
@given(rules=st.lists(st.tuples(st.sampled_from("abc"), st.booleans()), min_size=1, max_size=8))
def test_the_problems_found_agree_with_a_reference(rules: list[tuple[str, bool]]) -> None:
    """Every repeated id and every empty group, in rule order (an id before a group),
    as a plain walk over the rules finds them."""
    built = [
        hr.RoutingRule(
            id=rule_id,
            when=any_of() if empty else ticket("channel") == "sms",
            then=hr.AssignToTeam(team="sms"),
        )
        for rule_id, empty in rules
    ]
    expected: list[str] = []
    for i, (rule_id, empty) in enumerate(rules):
        if rule_id in [earlier for earlier, _ in rules[:i]]:
            expected.append(f"$.rules[{i}].id")
        if empty:
            expected.append(f"$.rules[{i}].when")
    if not expected:
        assert hr.RuleSet(rules=built).rules == tuple(built)
        return
    with pytest.raises(hr.ValidationError) as info:
        hr.RuleSet(rules=built)
    assert list(info.value.paths) == expected
    with pytest.raises(hr.ValidationError) as info:
        hr.Configuration(version=1, at=NOW, rules=_data(built))
    assert [p.replace("$.rules.rules", "$.rules", 1) for p in info.value.paths] == expected
