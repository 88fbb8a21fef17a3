"""A rule set's JSON problems found before the models (a lone surrogate, a number past
64 bits, bytes) name the rule in their message, as the models name a rule's own problems
(a NUL in the same place): ``rule 'r1': ...``, whichever loader read them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from helpdesk_routing import RuleSet, ValidationError


def _rule(value: Any) -> dict[str, Any]:
    return {
        "id": "r1",
        "when": {"type": "ticket", "field": "channel", "op": "equals", "value": value},
        "then": {"type": "assign_to_team", "team": "t"},
    }


@pytest.mark.parametrize(
    ("value", "code"),
    [("\ud800", "json_surrogate"), (2**70, "json_number"), ("a\x00b", "condition_value")],
)
def test_from_dict_names_the_rule_in_the_message(value: Any, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        RuleSet.from_dict({"rules": [_rule("ok"), _rule(value) | {"id": "r2"}]})
    [detail] = info.value.details
    assert (detail.path, detail.code, detail.rule_id) == ("$.rules[1].when.value", code, "r2")
    assert detail.message.startswith("rule 'r2': ")
    assert str(info.value).splitlines()[1].startswith("  $.rules[1].when.value: rule 'r2': ")


def test_from_json_names_the_rule_in_the_message() -> None:
    text = json.dumps({"rules": [_rule("\ud800")]}, ensure_ascii=True)
    with pytest.raises(ValidationError) as info:
        RuleSet.from_json(text)
    [detail] = info.value.details
    assert detail.code == "json_surrogate"
    assert detail.rule_id == "r1"
    assert detail.message.startswith("rule 'r1': ")
    assert detail.message.count("rule 'r1'") == 1


def test_a_rule_without_an_id_is_told_as_before() -> None:
    rule = _rule("\ud800")
    del rule["id"]
    with pytest.raises(ValidationError) as info:
        RuleSet.from_dict({"rules": [rule]})
    surrogate = [d for d in info.value.details if d.code == "json_surrogate"]
    assert [d.message for d in surrogate] == ["text with a lone surrogate \\ud800"]
