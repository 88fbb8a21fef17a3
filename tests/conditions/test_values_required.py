"""Every test operator and count gets a value of its shape at parse time, everywhere.

A condition that parses must compile and evaluate without raising: a missing value,
a value of the wrong shape, a span longer than the calendar or a date-time outside
years 1 to 9999 is a ValidationError naming its JSON path, in parse_condition,
model_validate, RuleSet.from_json and the builders.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk_routing.conditions import (
    CountOp,
    EvaluationContext,
    EventCondition,
    Operator,
    ProfileCondition,
    TicketCondition,
    compile_condition,
    event,
    parse_condition,
    profile,
    ticket,
)
from helpdesk_routing.conditions.nodes import MAX_COUNT, TimeUnit, max_amount
from helpdesk_routing.errors import ValidationError
from helpdesk_routing.model import Event, Profile, Ticket
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData

VALUED_OPS = [op for op in Operator if op not in (Operator.IS_SET, Operator.IS_NOT_SET)]

# For each operator: one value of a shape it never takes.
WRONG_SHAPE: dict[Operator, object] = {
    Operator.EQUALS: [1],
    Operator.NOT_EQUALS: {"a": 1},
    Operator.CONTAINS: 3,
    Operator.NOT_CONTAINS: True,
    Operator.STARTS_WITH: ["a"],
    Operator.ENDS_WITH: 2.5,
    Operator.IS_SET: "x",
    Operator.IS_NOT_SET: 0,
    Operator.IN: "abc",
    Operator.NOT_IN: 5,
    Operator.GREATER_THAN: "5",
    Operator.GREATER_OR_EQUAL: True,
    Operator.LESS_THAN: [1],
    Operator.LESS_OR_EQUAL: "nan",
    Operator.BETWEEN: [1],
    Operator.BEFORE: 1700000000,
    Operator.AFTER: "yesterday",
    Operator.IN_LAST: 3,
    Operator.IN_NEXT: {"amount": 0, "unit": "days"},
}


def _rule_set(when: dict[str, Any]) -> str:
    return json.dumps(
        {
            "rules": [
                {
                    "id": "r1",
                    "name": "R",
                    "when": when,
                    "then": {"type": "save_as_view", "view": "v"},
                }
            ]
        }
    )


@pytest.mark.parametrize("op", VALUED_OPS, ids=str)
@pytest.mark.parametrize("kind", ["ticket", "profile"])
def test_operator_without_value_is_rejected_at_value_path(kind: str, op: Operator) -> None:
    """A ticket or profile test whose operator needs a value and has none fails at $.value."""
    key = "field" if kind == "ticket" else "property"
    doc = {"type": kind, key: "p", "op": op.value}
    with pytest.raises(ValidationError) as info:
        parse_condition(doc)
    assert info.value.paths == ("$.value",)
    assert info.value.details[0].message.startswith(f"{op.value} needs ")


@pytest.mark.parametrize("op", VALUED_OPS, ids=str)
def test_operator_without_value_fails_model_validate(op: Operator) -> None:
    """model_validate of a node class refuses a missing value too (pydantic's own entry)."""
    with pytest.raises(pydantic.ValidationError) as info:
        ProfileCondition.model_validate({"property": "p", "op": op.value})
    assert info.value.errors()[0]["loc"] == ("value",)
    with pytest.raises(pydantic.ValidationError):
        TicketCondition(field="f", op=op)


@pytest.mark.parametrize("op", VALUED_OPS, ids=str)
def test_operator_without_value_fails_rule_set_from_json_with_rule_id(op: Operator) -> None:
    """RuleSet.from_json reports the missing value at $.rules[0].when.value, naming rule r1."""
    text = _rule_set({"type": "profile", "property": "p", "op": op.value})
    with pytest.raises(ValidationError) as info:
        RuleSet.from_json(text)
    assert info.value.paths == ("$.rules[0].when.value",)
    assert info.value.errors()[0]["rule_id"] == "r1"
    assert info.value.errors()[0]["code"] == "condition_value"


@pytest.mark.parametrize("op", VALUED_OPS, ids=str)
def test_where_filter_without_value_is_rejected(op: Operator) -> None:
    """An event's where-filter without its value fails at $.where[0].value."""
    doc = {"type": "event", "metric": "m", "where": [{"property": "p", "op": op.value}]}
    with pytest.raises(ValidationError) as info:
        parse_condition(doc)
    assert info.value.paths == ("$.where[0].value",)


@pytest.mark.parametrize("op", list(Operator), ids=str)
def test_operator_with_wrong_shape_is_rejected(op: Operator) -> None:
    """A value of a shape the operator never takes fails at $.value."""
    doc = {"type": "profile", "property": "p", "op": op.value, "value": WRONG_SHAPE[op]}
    with pytest.raises(ValidationError) as info:
        parse_condition(doc)
    assert info.value.paths == ("$.value",)


@pytest.mark.parametrize("op", ["is_set", "is_not_set"])
def test_is_set_needs_no_value(op: str) -> None:
    """is_set and is_not_set parse without a value (and with an explicit null)."""
    assert parse_condition({"type": "profile", "property": "p", "op": op}).value is None
    doc = {"type": "profile", "property": "p", "op": op, "value": None}
    assert parse_condition(doc).value is None


@pytest.mark.parametrize("op", ["at_least", "at_most", "exactly"])
def test_count_without_value_is_rejected(op: str) -> None:
    """at_least, at_most and exactly without a number fail at $.count.value."""
    with pytest.raises(ValidationError) as info:
        parse_condition({"type": "event", "metric": "m", "count": {"op": op}})
    assert info.value.paths == ("$.count.value",)
    assert str(info.value).endswith(f"{op} needs a whole number from 0 to {MAX_COUNT}")


@pytest.mark.parametrize("op", ["at_least", "at_most", "exactly"])
@pytest.mark.parametrize("value", [-1, 1.5, "2", True, None, MAX_COUNT + 1, 10**30])
def test_count_with_wrong_value_is_rejected(op: str, value: object) -> None:
    """A count that is not a whole number from 0 to MAX_COUNT fails at $.count.value."""
    doc = {"type": "event", "metric": "m", "count": {"op": op, "value": value}}
    with pytest.raises(ValidationError) as info:
        parse_condition(doc)
    assert info.value.paths == ("$.count.value",)


def test_count_zero_takes_no_value() -> None:
    """zero parses without a value (or 0), and refuses any other number."""
    assert parse_condition({"type": "event", "metric": "m", "count": {"op": "zero"}}) is not None
    with pytest.raises(ValidationError, match="zero takes no value"):
        parse_condition({"type": "event", "metric": "m", "count": {"op": "zero", "value": 2}})


def test_count_at_the_bound_is_accepted() -> None:
    """A count of exactly MAX_COUNT is accepted and evaluates (no events: at_most holds)."""
    node = parse_condition(
        {"type": "event", "metric": "m", "count": {"op": "at_most", "value": MAX_COUNT}}
    )
    assert _evaluate(node, _ctx())


def test_builders_reject_missing_and_wrong_values() -> None:
    """The fluent builders raise ValidationError at once for a value that does not fit."""
    with pytest.raises(ValidationError, match=r"\$\.value: greater_than needs a number"):
        profile("p") > None  # noqa: B015
    with pytest.raises(ValidationError, match=r"\$\.value"):
        ticket("f").not_equals(None)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"\$\.count\.value"):
        event("m").at_least(None)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="longer than years 1 to 9999"):
        event("m").in_last(weeks=10**9)
    with pytest.raises(ValidationError, match="longer than years 1 to 9999"):
        profile("d").in_next(days=10**8)


@pytest.mark.parametrize("unit", list(TimeUnit), ids=str)
def test_span_longer_than_the_calendar_is_rejected(unit: TimeUnit) -> None:
    """An in_last window or in_last/in_next value longer than years 1 to 9999 is refused;
    the longest accepted one evaluates at both ends of the calendar."""
    limit = max_amount(unit)
    too_long = {"type": "in_last", "amount": limit + 1, "unit": unit.value}
    with pytest.raises(ValidationError) as info:
        parse_condition({"type": "event", "metric": "m", "window": too_long})
    assert info.value.paths == ("$.window",)
    value = {"amount": limit + 1, "unit": unit.value}
    for op in ("in_last", "in_next"):
        with pytest.raises(ValidationError) as info:
            parse_condition({"type": "profile", "property": "d", "op": op, "value": value})
        assert info.value.paths == ("$.value",)
    longest = {"type": "in_last", "amount": limit, "unit": unit.value}
    node = parse_condition({"type": "event", "metric": "m", "window": longest})
    profile_node = parse_condition(
        {"type": "profile", "property": "d", "op": "in_next", "value": {**value, "amount": limit}}
    )
    for now in (EARLIEST, LATEST):
        ctx = _ctx(now=now, properties={"d": now}, event_at=now)
        assert _evaluate(node, ctx)
        assert _evaluate(profile_node, ctx)


@pytest.mark.parametrize(
    "moment",
    ["0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00"],
)
def test_datetime_outside_the_calendar_in_utc_is_rejected(moment: str) -> None:
    """A date-time whose UTC reading is before year 1 or after 9999 fails at its path."""
    for doc, path in [
        ({"type": "event", "metric": "m", "window": {"type": "since", "start": moment}}, "start"),
        ({"type": "event", "metric": "m", "window": {"type": "before", "end": moment}}, "end"),
    ]:
        with pytest.raises(ValidationError) as info:
            parse_condition(doc)
        assert info.value.paths == (f"$.window.{path}",)
        assert "must lie in years 1 to 9999 in UTC" in str(info.value)
    for op in ("before", "after"):
        with pytest.raises(ValidationError, match="must lie in years 1 to 9999 in UTC"):
            parse_condition({"type": "profile", "property": "d", "op": op, "value": moment})
    with pytest.raises(ValidationError, match="must lie in years 1 to 9999 in UTC"):
        parse_condition(
            {"type": "profile", "property": "d", "op": "between", "value": [moment, moment]}
        )


def test_builder_rejects_datetime_outside_the_calendar() -> None:
    """A builder given an aware datetime that overflows UTC raises ValidationError."""
    early = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))
    with pytest.raises(ValidationError, match="must lie in years 1 to 9999 in UTC"):
        event("m").since(early)
    with pytest.raises(ValidationError, match="must lie in years 1 to 9999 in UTC"):
        profile("d").before(early)


EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


def _ctx(
    *,
    now: datetime = datetime(2026, 3, 30, 12, tzinfo=UTC),
    properties: dict[str, Any] | None = None,
    event_at: datetime | None = None,
) -> EvaluationContext:
    p = Profile(id="p1", properties=properties or {})
    events = [] if event_at is None else [Event(profile_id="p1", metric="m", timestamp=event_at)]
    ticket_ = Ticket(id="t", channel="sms", created_at=now, profile_id="p1")
    data = InMemoryCustomerData(profiles=[p], events=events)
    return EvaluationContext(ticket=ticket_, profile=p, customer_data=data, now=now)


def _evaluate(node: Any, ctx: EvaluationContext) -> bool:
    compiled = compile_condition(node)
    verdict = compiled(ctx)
    assert compiled.explain(ctx).holds is verdict
    return verdict


# -- every accepted document evaluates --------------------------------------------------

_texts = st.sampled_from(["", "a", "Order", "2026-03-30", "2026-03-30T12:00:00+00:00"])
_numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
)
_moment_texts = st.sampled_from(
    [
        "0001-01-01T00:00:00+00:00",
        "0001-01-01T00:30:00+01:00",
        "9999-12-31T23:59:59.999999+00:00",
        "9999-12-31T23:30:00-01:00",
        "2026-03-30T12:00:00+02:00",
        "2026-03-30T12:00:00",
    ]
)
_spans = st.fixed_dictionaries(
    {},
    optional={
        "amount": st.one_of(st.integers(min_value=-1, max_value=2**64), st.just(5_259_487_679)),
        "unit": st.sampled_from([*(u.value for u in TimeUnit), "years"]),
    },
)
_anything: st.SearchStrategy[Any] = st.recursive(
    st.one_of(st.none(), st.booleans(), _texts, _numbers, _moment_texts, _spans),
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=4,
)
_test_value = st.one_of(_anything, st.tuples(_numbers, _numbers).map(list))


def _leaf_doc(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    key = {"ticket": "field", "profile": "property"}[kind]
    return st.fixed_dictionaries(
        {"type": st.just(kind), key: st.sampled_from(["d", "n", "channel", "tags"])},
        optional={"op": st.sampled_from([op.value for op in Operator]), "value": _test_value},
    )


_windows = st.one_of(
    st.builds(lambda s: {"type": "in_last", **s}, _spans),
    st.builds(lambda m: {"type": "since", "start": m}, _moment_texts),
    st.builds(lambda m: {"type": "after", "start": m}, _moment_texts),
    st.builds(lambda m: {"type": "before", "end": m}, _moment_texts),
    st.builds(lambda a, b: {"type": "between", "start": a, "end": b}, _moment_texts, _moment_texts),
)
_event_doc = st.fixed_dictionaries(
    {"type": st.just("event"), "metric": st.just("m")},
    optional={
        "count": st.fixed_dictionaries(
            {"op": st.sampled_from([c.value for c in CountOp])},
            optional={"value": st.one_of(_numbers, st.none(), st.just(MAX_COUNT))},
        ),
        "window": _windows,
        "where": st.lists(
            st.fixed_dictionaries(
                {"property": st.just("d"), "op": st.sampled_from([op.value for op in Operator])},
                optional={"value": _test_value},
            ),
            max_size=2,
        ),
    },
)
_docs = st.one_of(_leaf_doc("ticket"), _leaf_doc("profile"), _event_doc)
_property_values = st.one_of(
    st.none(),
    _texts,
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([EARLIEST, LATEST, datetime(2026, 3, 30, tzinfo=UTC)]),
)
_nows = st.sampled_from(
    [EARLIEST, LATEST, datetime(2026, 3, 30, 12, tzinfo=UTC), EARLIEST + timedelta(hours=1)]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(doc=_docs, value=_property_values, now=_nows, event_at=_nows)
def test_every_accepted_condition_evaluates_without_raising(
    doc: dict[str, Any], value: object, now: datetime, event_at: datetime
) -> None:
    """Whatever parse_condition accepts compiles and evaluates (and explains) without
    raising, at any instant of the calendar, on any property value; whatever it refuses
    is a ValidationError, never another exception."""
    try:
        node = parse_condition(doc)
    except ValidationError:
        return
    event_time = min(event_at, now)
    ctx = _ctx(now=now, properties={"d": value, "n": value}, event_at=event_time)
    _evaluate(node, ctx)
    assert parse_condition(json.loads(json.dumps(node.model_dump(mode="json")))) == node


def test_event_condition_defaults_need_no_value() -> None:
    """The default count (at least once) and window (all time) are valid and evaluate."""
    node = EventCondition(metric="m")
    assert _evaluate(node, _ctx(event_at=datetime(2026, 3, 30, tzinfo=UTC)))


@pytest.mark.parametrize(
    ("doc", "path"),
    [
        ({"type": "ticket", "field": "a\x00", "op": "is_set"}, "$.field"),
        ({"type": "profile", "property": "p", "op": "equals", "value": "x\x00"}, "$.value"),
        ({"type": "profile", "property": "p", "op": "contains", "value": "\ud800"}, "$.value"),
        ({"type": "profile", "property": "p", "op": "in", "value": ["ok", "\x00"]}, "$.value[1]"),
        ({"type": "event", "metric": "\x00"}, "$.metric"),
        ({"type": "segment", "segment": "v\x00ip"}, "$.segment"),
    ],
)
def test_condition_text_no_store_can_keep_is_rejected(doc: dict[str, Any], path: str) -> None:
    """NUL or a lone surrogate in a condition's names or text values is refused at its
    path: a rule set is stored (PostgreSQL jsonb cannot hold NUL)."""
    with pytest.raises(ValidationError) as info:
        parse_condition(doc)
    assert info.value.paths == (path,)
    assert "text must not contain" in str(info.value)


def test_every_bad_item_of_an_in_list_is_named_at_its_index() -> None:
    """A list's (or a tuple's) bad items are each named at their own index, all at once,
    whether the condition is a dict, built fluently or a rule in a rule set; a set's
    items, which have no index, are named at the value."""
    doc = {"type": "profile", "property": "p", "op": "in", "value": ["ok", None, float("inf")]}
    with pytest.raises(ValidationError) as info:
        parse_condition(doc)
    assert info.value.paths == ("$.value[1]", "$.value[2]")
    assert "got nothing" in info.value.details[0].message
    assert "finite number" in info.value.details[1].message
    with pytest.raises(ValidationError) as info:
        profile("p").is_in(("ok", "a\x00"))
    assert info.value.paths == ("$.value[1]",)
    with pytest.raises(ValidationError) as info:
        profile("p").is_in({"ok", "a\x00"})
    assert info.value.paths == ("$.value",)
    where = {"property": "p", "op": "in", "value": ["ok", None, {}]}
    rules = {
        "rules": [
            {
                "id": "r",
                "when": {"type": "event", "metric": "m", "where": [where]},
                "then": {"type": "save_as_view", "view": "v"},
            }
        ]
    }
    with pytest.raises(ValidationError) as info:
        RuleSet.from_dict(rules)
    assert info.value.paths == (
        "$.rules[0].when.where[0].value[1]",
        "$.rules[0].when.where[0].value[2]",
    )
