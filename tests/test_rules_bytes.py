"""A rule set document, as JSON, holds no bytes: from_dict refuses them where they are."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk_routing.conditions import parse_condition
from helpdesk_routing.errors import ValidationError
from helpdesk_routing.rules import RuleSet

GOOD: dict[str, Any] = {
    "id": "r1",
    "name": "R",
    "when": {"type": "ticket", "field": "channel", "op": "equals", "value": "sms"},
    "then": {"type": "assign_to_team", "team": "a"},
}
BYTES = "Input should be a valid string, not bytes"
WHEN = GOOD["when"]


@pytest.mark.parametrize("kind", [bytes, bytearray])
@pytest.mark.parametrize(
    ("rule", "path", "rule_id"),
    [
        (GOOD | {"id": "x"}, "$.rules[0].id", None),
        (GOOD | {"name": "x"}, "$.rules[0].name", "r1"),
        (GOOD | {"when": WHEN | {"field": "x"}}, "$.rules[0].when.field", "r1"),
        (GOOD | {"when": WHEN | {"op": "x"}}, "$.rules[0].when.op", "r1"),
        (GOOD | {"when": WHEN | {"value": "x"}}, "$.rules[0].when.value", "r1"),
        (GOOD | {"when": {"type": "segment", "segment": "x"}}, "$.rules[0].when.segment", "r1"),
        (GOOD | {"then": {"type": "save_as_view", "view": "x"}}, "$.rules[0].then.view", "r1"),
        (GOOD | {"then": {"type": "x", "team": "a"}}, "$.rules[0].then.type", "r1"),
    ],
)
def test_from_dict_refuses_bytes_at_their_path(
    kind: type, rule: dict[str, Any], path: str, rule_id: str | None
) -> None:
    """bytes or a bytearray where text belongs is string_type at its path, never decoded."""
    rule = _with_bytes(rule, kind)
    with pytest.raises(ValidationError, match="invalid rule set") as info:
        RuleSet.from_dict({"rules": [rule]})
    # a rule's problem names its rule before the message, as the models' own do
    message = BYTES if rule_id is None else f"rule {rule_id!r}: {BYTES}"
    assert info.value.errors() == [
        {"path": path, "code": "string_type", "message": message, "rule_id": rule_id}
    ]


def _with_bytes(node: Any, kind: type) -> Any:
    """``node`` with its text ``"x"`` as ``kind``."""
    if isinstance(node, dict):
        return {k: _with_bytes(v, kind) for k, v in node.items()}
    return kind(b"x") if node == "x" else node


def test_from_dict_refuses_bytes_in_a_list_value_with_other_problems() -> None:
    """bytes inside an in-list are found with the document's other JSON problems."""
    rule = GOOD | {"name": "\ud800", "when": WHEN | {"op": "in", "value": ["sms", b"x"]}}
    with pytest.raises(ValidationError) as info:
        RuleSet.from_dict({"rules": [rule]})
    assert [(d.path, d.code, d.rule_id) for d in info.value.details] == [
        ("$.rules[0].name", "json_surrogate", "r1"),
        ("$.rules[0].when.value[1]", "string_type", "r1"),
    ]


def test_parse_condition_refuses_bytes_in_a_dict() -> None:
    """The condition parser holds a dict to JSON's rules too: a bytes field name is refused."""
    with pytest.raises(ValidationError, match="invalid condition") as info:
        parse_condition(WHEN | {"field": b"channel"})
    assert info.value.errors() == [
        {"path": "$.field", "code": "string_type", "message": BYTES, "rule_id": None}
    ]
