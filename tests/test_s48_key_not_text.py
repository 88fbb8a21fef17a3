"""A key that is no text is named at the mapping holding it, with the key in the message
(``a key must be text, got int 5``), wherever it is: pydantic puts the key into the
location, so a condition's error showed its union's tag (``$.ticket[5]``, a member the
input does not have), and a model's named the key as an index (``$[5]``)."""

from __future__ import annotations

from typing import Any

import pytest

import helpdesk_routing as hr
from helpdesk_routing.conditions import parse_condition

LEAF: dict[Any, Any] = {"type": "ticket", "field": "channel", "op": "equals", "value": "sms"}
KEYS = [5, 1.5, (1, 2), None, True]


def _said(key: object) -> str:
    return f"a key must be text, got {type(key).__name__} {key!r}"


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize(
    "node",
    [
        LEAF,
        {"type": "all", "conditions": [{"type": "segment", "segment": "vip"}]},
        {"type": "not", "condition": {"type": "segment", "segment": "vip"}},
        {"type": "event", "metric": "m"},
    ],
)
def test_a_condition_names_its_node(node: dict[Any, Any], key: object) -> None:
    with pytest.raises(hr.ValidationError) as info:
        parse_condition({**node, key: 1})
    assert [(d.path, d.code, d.message) for d in info.value.details] == [
        ("$", "invalid_key", _said(key))
    ]


@pytest.mark.parametrize("key", KEYS)
def test_a_rule_s_condition_names_its_node(key: object) -> None:
    when = {"type": "all", "conditions": [{"type": "segment", "segment": "v"}, {**LEAF, key: 1}]}
    rule = {"id": "r", "when": when, "then": {"type": "save_as_view", "view": "v"}}
    with pytest.raises(hr.ValidationError) as info:
        hr.RuleSet.from_dict({"rules": [rule]})
    [detail] = info.value.details
    assert (detail.path, detail.code, detail.rule_id) == (
        "$.rules[0].when.conditions[1]",
        "invalid_key",
        "r",
    )
    assert detail.message.endswith(_said(key))


@pytest.mark.parametrize("key", KEYS)
def test_a_model_names_its_mapping(key: object) -> None:
    data = {"id": "t", "channel": "sms", "created_at": "2026-01-01T00:00:00Z", key: 1}
    with pytest.raises(hr.ValidationError) as info:
        hr.Ticket.model_validate(data)
    assert [(d.path, d.code, d.message) for d in info.value.details] == [
        ("$", "invalid_key", _said(key))
    ]
