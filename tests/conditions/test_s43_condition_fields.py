"""``Condition`` as a field type of the caller's own models: optional, and its errors at
clean JSON paths whatever the field or key holding it is named; an unknown node type
named in the message."""

from __future__ import annotations

import typing

import pydantic
import pytest

from helpdesk_routing.conditions import (
    Condition,
    condition_error_details,
    condition_path,
    parse_condition,
)
from helpdesk_routing.errors import ValidationError

BAD_OP = {
    "type": "all",
    "conditions": [{"type": "ticket", "field": "channel", "op": "equalz", "value": "x"}],
}


def test_a_condition_field_may_be_optional() -> None:
    """``Condition | None`` raised ``TypeError: unhashable type: 'dict'`` when written."""

    class Alert(pydantic.BaseModel):
        when: Condition | None = None
        other: typing.Optional[Condition] = None  # noqa: UP045 - the spelling under test

    assert Alert().when is None
    built = Alert(when={"type": "segment", "segment": "vip"})
    assert built.when == parse_condition({"type": "segment", "segment": "vip"})
    with pytest.raises(pydantic.ValidationError):
        Alert(when={"type": "segment"})


def _paths(model: type[pydantic.BaseModel], data: dict[str, object]) -> list[str]:
    with pytest.raises(pydantic.ValidationError) as info:
        model.model_validate(data)
    return [d.path for d in condition_error_details(info.value)]


@pytest.mark.parametrize("field", ["trigger", "event", "all", "not", "segment", "condition"])
def test_a_fields_name_stays_in_the_path_and_the_tags_go(field: str) -> None:
    """parse_condition says ``$.conditions[0].op``; under a field ``F`` it is
    ``$.F.conditions[0].op`` (``trigger`` kept the tag, ``$.trigger.all...``; ``event``
    lost its own name, ``$.all...``)."""
    model = pydantic.create_model("Holder", **{field: (Condition, ...)})  # type: ignore[call-overload]
    assert _paths(model, {field: BAD_OP}) == [f"$.{field}.conditions[0].op"]
    # a key the node does not have, a field it lacks, an error about the node itself
    extra = {"type": "segment", "segment": "vip", "extra": 1}
    assert _paths(model, {field: extra}) == [f"$.{field}.extra"]
    assert _paths(model, {field: {"type": "event"}}) == [f"$.{field}.metric"]
    filters = {"type": "event", "metric": "m", "filters": []}
    assert _paths(model, {field: filters}) == [f"$.{field}"]
    assert _paths(model, {field: {"type": "nope"}}) == [f"$.{field}"]
    assert _paths(model, {}) == [f"$.{field}"]  # missing


def test_dict_keys_named_like_condition_types_stay_in_the_path() -> None:
    class Rules(pydantic.BaseModel):
        rules: dict[str, Condition]

    member = {"type": "segment", "segment": "vip", "member": "maybe"}
    assert _paths(Rules, {"rules": {"all": member}}) == ["$.rules.all.member"]
    wrapped = {"type": "not", "condition": member}
    assert _paths(Rules, {"rules": {"not": wrapped}}) == ["$.rules.not.condition.member"]


def test_condition_path_without_a_kind_keeps_its_reading() -> None:
    assert condition_path(("rules", 0, "when", "all", "conditions", 1, "ticket", "op")) == (
        "$.rules[0].when.conditions[1].op"
    )
    assert condition_path(("all",)) == "$"
    assert condition_path(("event", "missing_field")) == "$.event.missing_field"
    assert condition_path(("event",), "missing") == "$.event"


@pytest.mark.parametrize(
    ("given", "shown"),
    [("tickets", "'tickets'"), ("Ticket", "'Ticket'"), (5, "5"), (None, "None")],
)
def test_an_unknown_node_type_is_named(given: object, shown: str) -> None:
    """It read as if no type were given: ``a condition needs a 'type': ...``."""
    with pytest.raises(ValidationError) as info:
        parse_condition({"type": given, "field": "channel"})
    [detail] = info.value.details
    assert detail.path == "$"
    assert detail.message.startswith(f"unknown condition type {shown}: one of 'all', 'any'")


def test_a_missing_type_and_a_huge_one() -> None:
    with pytest.raises(ValidationError) as info:
        parse_condition({"field": "channel"})
    assert info.value.details[0].message.startswith("a condition needs a 'type': one of")
    with pytest.raises(ValidationError) as info:
        parse_condition({"type": "x" * 10_000})
    message = info.value.details[0].message
    assert "... (10002 characters): one of 'all'" in message
    assert len(message) < 300
