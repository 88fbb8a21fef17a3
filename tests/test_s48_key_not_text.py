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


@pytest.mark.parametrize("key", [5, None])
@pytest.mark.parametrize(
    "node",
    [
        {"type": "segment", "segment": "vip"},
        {"type": "all", "conditions": [{"type": "segment", "segment": "vip"}]},
        {
            "type": "event",
            "metric": "m",
            "window": {"type": "in_last", "amount": 2, "unit": "hours"},
        },
    ],
)
def test_a_condition_in_a_field_of_any_name(node: dict[Any, Any], key: object) -> None:
    """condition_error_details names the node, whatever field of a caller's model holds
    it (the tag stayed after a field not named ``condition`` or ``when``)."""
    import pydantic

    from helpdesk_routing.conditions import Condition, condition_error_details

    class Mine(pydantic.BaseModel):
        match: Condition

    with pytest.raises(pydantic.ValidationError) as info:
        Mine.model_validate({"match": {**node, key: 1}})
    assert [(d.path, d.code) for d in condition_error_details(info.value)] == [
        ("$.match", "invalid_key")
    ]
    window = {**node, "window": {**node.get("window", {}), key: 1}} if "window" in node else None
    if window is not None:
        with pytest.raises(pydantic.ValidationError) as info:
            Mine.model_validate({"match": window})
        assert [d.path for d in condition_error_details(info.value)] == ["$.match.window"]
