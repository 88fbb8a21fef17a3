"""The condition JSON: lossless round trips, schema, and errors that name JSON paths."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given

from helpdesk_routing.conditions import (
    Condition,
    EventCondition,
    Operator,
    TicketCondition,
    condition_json_schema,
    event,
    parse_condition,
    profile,
    segment,
    ticket,
)
from helpdesk_routing.errors import ValidationError
from helpdesk_routing.rules import RuleSet
from tests.conditions.strategies import conditions

ARCHITECTURE_EXAMPLE = {
    "type": "all",
    "conditions": [
        {"type": "ticket", "field": "channel", "op": "equals", "value": "sms"},
        {"type": "ticket", "field": "tags", "op": "contains", "value": "Order"},
        {"type": "profile", "property": "$country", "op": "equals", "value": "France"},
        {"type": "segment", "segment": "vip", "member": True},
        {
            "type": "event",
            "metric": "Placed Order",
            "count": {"op": "at_least", "value": 1},
            "window": {"type": "in_last", "amount": 2, "unit": "hours"},
            "where": [{"property": "value", "op": "greater_than", "value": 100}],
        },
        {"type": "any", "conditions": [{"type": "segment", "segment": "a", "member": False}]},
        {"type": "not", "condition": {"type": "segment", "segment": "b", "member": True}},
    ],
}


@given(conditions)
def test_random_conditions_round_trip_through_json_text(condition: Condition) -> None:
    """model_dump_json -> parse_condition gives an equal condition."""
    assert parse_condition(condition.model_dump_json()) == condition


@given(conditions)
def test_random_conditions_round_trip_through_json_dicts(condition: Condition) -> None:
    """model_dump(mode='json') -> parse_condition gives an equal condition, and dumps the same."""
    data = condition.model_dump(mode="json")
    again = parse_condition(data)
    assert again == condition
    assert again.model_dump(mode="json") == data
    assert json.loads(json.dumps(data)) == data


def test_the_architecture_example_parses_and_dumps_back_unchanged() -> None:
    """The JSON of architecture.md is read and written back key for key."""
    parsed = parse_condition(ARCHITECTURE_EXAMPLE)
    assert parsed.model_dump(mode="json") == ARCHITECTURE_EXAMPLE


def test_builders_produce_the_json_form() -> None:
    """A builder expression equals the node parsed from the JSON form."""
    built = (
        (ticket("channel") == "sms")
        & ticket("tags").contains("Order")
        & (profile("$country") == "France")
        & segment("vip")
        & event("Placed Order").at_least(1).in_last(hours=2).where(value__gt=100)
        & (segment("a", member=False) | segment("a", member=False))
    )
    expected = dict(ARCHITECTURE_EXAMPLE)
    expected["conditions"] = [
        *ARCHITECTURE_EXAMPLE["conditions"][:5],
        {
            "type": "any",
            "conditions": [{"type": "segment", "segment": "a", "member": False}] * 2,
        },
    ]
    assert built == parse_condition(expected)


def test_defaults_of_an_event_condition() -> None:
    """event("X") alone is at least once, over all time, with no filter."""
    parsed = parse_condition({"type": "event", "metric": "X"})
    assert parsed == event("X")
    assert parsed.model_dump(mode="json") == {
        "type": "event",
        "metric": "X",
        "count": {"op": "at_least", "value": 1},
        "window": {"type": "all_time"},
        "where": [],
    }


def test_datetimes_are_stored_in_utc_and_round_trip() -> None:
    """An aware datetime in another zone becomes the same instant in UTC."""
    cet = timezone(timedelta(hours=1))
    condition = event("X").since(datetime(2026, 3, 1, 10, tzinfo=cet))
    assert isinstance(condition, EventCondition)
    assert condition.model_dump(mode="json")["window"]["start"] == "2026-03-01T09:00:00Z"
    assert parse_condition(condition.model_dump_json()) == condition
    date_test = profile("signup").before(datetime(2026, 3, 1, 10, tzinfo=cet))
    assert date_test.value == datetime(2026, 3, 1, 9, tzinfo=UTC)
    assert parse_condition(date_test.model_dump_json()) == date_test


@pytest.mark.parametrize(
    ("data", "paths"),
    [
        (
            {
                "type": "all",
                "conditions": [
                    {"type": "ticket", "field": "channel", "op": "equals", "value": "sms"},
                    {"type": "ticket", "field": "channel", "op": "equalz", "value": "sms"},
                ],
            },
            ("$.conditions[1].op",),
        ),
        ({"type": "all", "conditions": [{"type": "tickt", "field": "x"}]}, ("$.conditions[0]",)),
        ({"field": "x"}, ("$",)),
        (
            {"type": "profile", "property": "ltv", "op": "greater_than", "value": "500"},
            ("$.value",),
        ),
        ({"type": "profile", "property": "ltv", "op": "is_set", "value": 1}, ("$.value",)),
        ({"type": "profile", "property": "", "op": "is_set"}, ("$.property",)),
        ({"type": "segment", "segment": "vip", "member": "yes"}, ("$.member",)),
        ({"type": "segment", "segment": 5}, ("$.segment",)),
        ({"type": "not", "condition": {"type": "segment", "segment": 5}}, ("$.condition.segment",)),
        (
            {"type": "event", "metric": "X", "count": {"op": "at_least", "value": -1}},
            ("$.count.value",),
        ),
        ({"type": "event", "metric": "X", "count": {"op": "zero", "value": 2}}, ("$.count.value",)),
        ({"type": "event", "metric": "X", "count": {"op": "often"}}, ("$.count.op",)),
        (
            {
                "type": "event",
                "metric": "X",
                "window": {"type": "in_last", "amount": 0, "unit": "hours"},
            },
            ("$.window.amount",),
        ),
        (
            {
                "type": "event",
                "metric": "X",
                "window": {"type": "in_last", "amount": 2, "unit": "years"},
            },
            ("$.window.unit",),
        ),
        ({"type": "event", "metric": "X", "window": {"type": "someday"}}, ("$.window",)),
        (
            {
                "type": "event",
                "metric": "X",
                "window": {"type": "since", "start": "2026-03-01T10:00:00"},
            },
            ("$.window.start",),
        ),
        (
            {"type": "event", "metric": "X", "where": [{"property": "v", "op": "gt", "value": 1}]},
            ("$.where[0].op",),
        ),
        ({"type": "event", "metric": "X", "extra": 1}, ("$.extra",)),
        (
            {
                "type": "any",
                "conditions": [
                    {
                        "type": "all",
                        "conditions": [{"type": "segment", "segment": "s", "member": 3}],
                    }
                ],
            },
            ("$.conditions[0].conditions[0].member",),
        ),
    ],
)
def test_validation_errors_name_the_json_path(data: object, paths: tuple[str, ...]) -> None:
    """One bad part gives one error, located by its JSON path."""
    with pytest.raises(ValidationError) as caught:
        parse_condition(data)  # type: ignore[arg-type]
    assert caught.value.paths == paths


def test_a_naive_datetime_is_rejected_with_a_clear_message() -> None:
    """A condition datetime without time zone is refused at its path."""
    with pytest.raises(ValidationError) as caught:
        parse_condition(
            {"type": "profile", "property": "d", "op": "before", "value": "2026-03-01T10:00:00"}
        )
    assert caught.value.details[0].path == "$.value"
    assert caught.value.details[0].message == "must be timezone-aware, got a naive datetime"


def test_invalid_json_text_is_a_validation_error() -> None:
    """Broken JSON text raises ValidationError, not a parser exception."""
    with pytest.raises(ValidationError):
        parse_condition('{"type": "all", ')


def test_unknown_type_message_lists_the_types() -> None:
    """A bad or missing type says which types exist."""
    with pytest.raises(ValidationError) as caught:
        parse_condition({"type": "tickets"})
    assert "'ticket'" in caught.value.details[0].message


def test_builder_errors_are_validation_errors_with_paths() -> None:
    """A builder given a value of the wrong kind raises at once, naming the value."""
    with pytest.raises(ValidationError) as caught:
        _ = profile("ltv") > "500"  # type: ignore[operator]
    assert caught.value.paths == ("$.value",)
    with pytest.raises(ValidationError):
        event("X").in_last(hours=2, days=1)
    with pytest.raises(ValidationError):
        event("X").since(datetime(2026, 1, 1))
    with pytest.raises(ValidationError):
        ticket("tags").is_in("Order")


def test_json_schema_describes_every_node_and_operator() -> None:
    """condition_json_schema() names each node type, operator, count and window."""
    schema = condition_json_schema()
    text = json.dumps(schema)
    defs = schema["$defs"]
    for name in (
        "TicketCondition",
        "ProfileCondition",
        "EventCondition",
        "SegmentCondition",
        "AllCondition",
        "AnyCondition",
        "NotCondition",
        "InLastWindow",
        "BetweenWindow",
    ):
        assert name in defs
    assert set(defs["Operator"]["enum"]) >= {"equals", "not_in", "in_last", "in_next", "between"}
    assert set(defs["CountOp"]["enum"]) == {"at_least", "at_most", "exactly", "zero"}
    assert "where" in defs["EventCondition"]["properties"]
    assert '"const": "ticket"' in text


def test_nodes_are_hashable_and_compare_structurally() -> None:
    """Equal data makes equal nodes with equal hashes; different data does not."""
    a = ticket("tags").is_in(["a", "b"])
    assert a == TicketCondition(field="tags", op="in", value=["a", "b"])
    assert hash(a) == hash(TicketCondition(field="tags", op="in", value=("a", "b")))
    assert a != ticket("tags").is_in(["b", "a"])


def test_condition_path_strips_union_tags_under_a_rule() -> None:
    """Error locations from a model holding a condition read as clean JSON paths."""
    from helpdesk_routing.conditions import condition_path

    loc = ("rules", 0, "when", "all", "conditions", 1, "segment", "segment")
    assert condition_path(loc) == "$.rules[0].when.conditions[1].segment"
    assert condition_path(("not", "condition", "event", "window", "since", "start")) == (
        "$.condition.window.start"
    )


def test_json_schema_ties_each_operator_to_its_value() -> None:
    """The schema's if/then rules say which value each operator takes."""
    rules = condition_json_schema()["$defs"]["ProfileCondition"]["allOf"]
    by_op = {op: rule["then"] for rule in rules for op in rule["if"]["properties"]["op"]["enum"]}
    assert set(by_op) == {op.value for op in Operator}
    assert by_op["greater_than"]["properties"]["value"] == {"type": "number"}
    assert by_op["is_set"]["properties"]["value"] == {"type": "null"}
    assert by_op["in_last"]["properties"]["value"]["required"] == ["amount", "unit"]
    assert by_op["in"]["required"] == ["value"]


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"type": "event", "metric": "m", "filters": []}, "$"),
        (
            {"type": "not", "condition": {"type": "event", "metric": "m", "filters": []}},
            "$.condition",
        ),
        ({"type": "event", "metric": "m", "where": [], "filters": []}, "$"),
    ],
)
def test_an_event_conditions_filters_are_where_in_json_never_filters(
    data: dict[str, object], path: str
) -> None:
    """The JSON key is ``where`` (the schema's, and every dump's); the attribute's name
    ``filters`` is an unknown member there, as text, as a mapping and inside a rule set."""
    message = "unknown member 'filters': an event condition's property filters are 'where'"
    for form in (data, json.dumps(data)):
        with pytest.raises(ValidationError) as caught:
            parse_condition(form)
        assert [(d.path, d.message) for d in caught.value.details] == [(path, message)]
    rules = {
        "rules": [
            {"id": "r", "name": "R", "when": data, "then": {"type": "save_as_view", "view": "v"}}
        ]
    }
    with pytest.raises(ValidationError) as caught:
        RuleSet.from_dict(rules)
    where = "$.rules[0].when" + path[1:]
    assert [(d.path, d.message) for d in caught.value.details] == [(where, f"rule 'r': {message}")]


def test_python_may_name_an_event_conditions_filters_either_way() -> None:
    """``EventCondition(filters=...)`` (the attribute) and ``where=`` (the JSON key) build
    the same node, which dumps ``where``."""
    spec = [{"property": "value", "op": "greater_than", "value": 100}]
    by_attribute = EventCondition(metric="m", filters=spec)
    by_key = EventCondition(metric="m", where=spec)
    assert by_attribute == by_key == event("m").where(value__gt=100)
    assert by_attribute.model_dump(mode="json")["where"] == spec
    assert "filters" not in by_attribute.model_dump(mode="json")
