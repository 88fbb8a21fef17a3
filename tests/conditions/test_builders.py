"""The fluent builders: readable Python that builds exactly the JSON's nodes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from helpdesk_routing.conditions import (
    AllCondition,
    AnyCondition,
    EventCondition,
    NotCondition,
    ProfileCondition,
    PropertyFilter,
    SegmentCondition,
    TicketCondition,
    all_of,
    any_of,
    event,
    not_,
    profile,
    segment,
    ticket,
)
from helpdesk_routing.errors import ArgumentTypeError, ValidationError

T0 = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("built", "json"),
    [
        (ticket("channel") == "sms", {"field": "channel", "op": "equals", "value": "sms"}),
        (ticket("channel") != "sms", {"field": "channel", "op": "not_equals", "value": "sms"}),
        (ticket("tags").contains("Order"), {"field": "tags", "op": "contains", "value": "Order"}),
        (
            ticket("subject").not_contains("x"),
            {"field": "subject", "op": "not_contains", "value": "x"},
        ),
        (
            ticket("subject").starts_with("Re:"),
            {"field": "subject", "op": "starts_with", "value": "Re:"},
        ),
        (ticket("subject").ends_with("?"), {"field": "subject", "op": "ends_with", "value": "?"}),
        (ticket("priority").is_set(), {"field": "priority", "op": "is_set", "value": None}),
        (ticket("priority").is_not_set(), {"field": "priority", "op": "is_not_set", "value": None}),
        (
            ticket("channel").is_in(["sms", "email"]),
            {"field": "channel", "op": "in", "value": ["sms", "email"]},
        ),
        (
            ticket("channel").not_in(("sms",)),
            {"field": "channel", "op": "not_in", "value": ["sms"]},
        ),
        (ticket("seats") > 5, {"field": "seats", "op": "greater_than", "value": 5}),
        (ticket("seats") >= 5, {"field": "seats", "op": "greater_or_equal", "value": 5}),
        (ticket("seats") < 5, {"field": "seats", "op": "less_than", "value": 5}),
        (ticket("seats") <= 5.5, {"field": "seats", "op": "less_or_equal", "value": 5.5}),
        (ticket("seats").between(1, 9), {"field": "seats", "op": "between", "value": [1, 9]}),
        (
            ticket("created_at").before(T0),
            {"field": "created_at", "op": "before", "value": "2026-03-01T00:00:00Z"},
        ),
        (
            ticket("created_at").after(T0),
            {"field": "created_at", "op": "after", "value": "2026-03-01T00:00:00Z"},
        ),
        (
            ticket("created_at").in_last(minutes=30),
            {"field": "created_at", "op": "in_last", "value": {"amount": 30, "unit": "minutes"}},
        ),
        (
            ticket("due").in_next(weeks=2),
            {"field": "due", "op": "in_next", "value": {"amount": 2, "unit": "weeks"}},
        ),
        (ticket("vip").equals(True), {"field": "vip", "op": "equals", "value": True}),
        (ticket("vip").not_equals(0), {"field": "vip", "op": "not_equals", "value": 0}),
    ],
)
def test_ticket_builders_match_the_json(built: TicketCondition, json: dict[str, object]) -> None:
    """Each ticket-field builder produces the JSON node it stands for."""
    assert isinstance(built, TicketCondition)
    assert built.model_dump(mode="json") == {"type": "ticket", **json}
    assert TicketCondition.model_validate({"type": "ticket", **json}) == built


def test_profile_builders_use_the_property_key() -> None:
    """profile(...) builds profile nodes; $-prefixed names are fine."""
    built = profile("$country") == "France"
    assert isinstance(built, ProfileCondition)
    assert built.model_dump(mode="json") == {
        "type": "profile",
        "property": "$country",
        "op": "equals",
        "value": "France",
    }
    assert (profile("lifetime_value") > 500).op == "greater_than"


def test_event_builder_chain() -> None:
    """The fluent event chain sets count, window and filters."""
    built = event("Placed Order").at_least(1).in_last(hours=2).where(value__gt=100)
    assert built.model_dump(mode="json") == {
        "type": "event",
        "metric": "Placed Order",
        "count": {"op": "at_least", "value": 1},
        "window": {"type": "in_last", "amount": 2, "unit": "hours"},
        "where": [{"property": "value", "op": "greater_than", "value": 100}],
    }


def test_event_methods_return_copies() -> None:
    """A fluent method never changes the node it is called on."""
    base = event("X")
    refined = base.at_most(2).since(T0)
    assert base == event("X")
    assert refined.count.op == "at_most"
    assert refined.window.type == "since"


@pytest.mark.parametrize(
    ("built", "count", "window"),
    [
        (event("X"), {"op": "at_least", "value": 1}, {"type": "all_time"}),
        (event("X").exactly(3), {"op": "exactly", "value": 3}, {"type": "all_time"}),
        (event("X").zero(), {"op": "zero", "value": None}, {"type": "all_time"}),
        (
            event("X").since(T0),
            {"op": "at_least", "value": 1},
            {"type": "since", "start": "2026-03-01T00:00:00Z"},
        ),
        (
            event("X").after(T0),
            {"op": "at_least", "value": 1},
            {"type": "after", "start": "2026-03-01T00:00:00Z"},
        ),
        (
            event("X").before(T0),
            {"op": "at_least", "value": 1},
            {"type": "before", "end": "2026-03-01T00:00:00Z"},
        ),
        (
            event("X").between(T0, T0.replace(day=2)),
            {"op": "at_least", "value": 1},
            {"type": "between", "start": "2026-03-01T00:00:00Z", "end": "2026-03-02T00:00:00Z"},
        ),
        (
            event("X").in_last(days=7).all_time(),
            {"op": "at_least", "value": 1},
            {"type": "all_time"},
        ),
    ],
)
def test_event_counts_and_windows(built: EventCondition, count: object, window: object) -> None:
    """Each count and window method writes its JSON."""
    data = built.model_dump(mode="json")
    assert data["count"] == count
    assert data["window"] == window


def test_where_forms_agree() -> None:
    """Lookups, (property, op, value) with names or symbols, and PropertyFilter agree."""
    by_lookup = event("X").where(value__gte=100, currency="EUR")
    by_triples = event("X").where("value", ">=", 100).where("currency", "equals", "EUR")
    by_objects = event("X").where(
        PropertyFilter(property="value", op="greater_or_equal", value=100),
        PropertyFilter(property="currency", op="equals", value="EUR"),
    )
    assert by_lookup == by_triples == by_objects


def test_where_lookup_suffixes() -> None:
    """Every lookup suffix maps to its operator; a property whose name holds ``__`` is
    written as (property, operator, value)."""
    f = (
        event("X")
        .where(a__in=["x"], b__not_in=["y"], c__startswith="p", d__between=(1, 2), e__is_set=True)
        .where("order__id", "equals", "7")
        .filters
    )
    assert [(x.property, x.op.value) for x in f] == [
        ("a", "in"),
        ("b", "not_in"),
        ("c", "starts_with"),
        ("d", "between"),
        ("e", "is_set"),
        ("order__id", "equals"),
    ]


def test_where_refuses_an_unknown_lookup_and_an_is_set_that_is_not_a_bool() -> None:
    """A mistyped suffix is named (it silently became a filter on a property no event
    has, ``value__gtx``), and ``__is_set`` takes True or False only ("false" built an
    is_set filter)."""
    with pytest.raises(ValidationError, match=r"^unknown lookup 'gtx' in 'value__gtx': use one"):
        event("X").where(value__gtx=1)
    with pytest.raises(ValidationError, match=r"^value__is_set takes True or False, got 'false'$"):
        event("X").where(value__is_set="false")


def test_a_condition_has_no_truth_value() -> None:
    """``and`` / ``or`` / ``not`` and chained comparisons would keep one side of a
    condition silently (``1 < profile("x") < 5`` was ``less_than 5``): refused, as a
    TypeError and a library error, with the operators to use instead."""
    a, b = profile("x") == 1, ticket("channel") == "sms"
    for attempt in (lambda: a and b, lambda: a or b, lambda: not a, lambda: 1 < profile("x") < 5):
        with pytest.raises(ArgumentTypeError, match=r"^a condition has no truth value"):
            attempt()
    assert (a & b).conditions == (a, b)


def test_combining_with_something_that_is_not_a_condition_is_named() -> None:
    """``all_of(None)`` and ``cond & None`` name what was given, as a library error."""
    with pytest.raises(ValidationError, match=r"^expected a condition, got NoneType$"):
        all_of(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^expected a condition, got NoneType$"):
        segment("v") & None  # type: ignore[operator]


def test_where_rejects_unknown_operators() -> None:
    """where("v", "~", 1) names the valid operators."""
    with pytest.raises(ValidationError, match="unknown operator '~'"):
        event("X").where("v", "~", 1)


def test_combinators_flatten() -> None:
    """& and | flatten nested groups; all_of/any_of/not_ build the same nodes."""
    a, b, c = segment("a"), segment("b"), segment("c")
    assert (a & b) & c == AllCondition(conditions=(a, b, c)) == all_of(a, all_of(b, c))
    assert a | (b | c) == AnyCondition(conditions=(a, b, c)) == any_of(any_of(a, b), c)
    assert ~a == NotCondition(condition=a) == not_(a)
    assert (a | b) & c == AllCondition(conditions=(AnyCondition(conditions=(a, b)), c))


def test_segment_builder() -> None:
    """segment(name) is membership; member=False is non-membership."""
    assert segment("vip") == SegmentCondition(segment="vip", member=True)
    assert segment("vip", member=False).model_dump(mode="json") == {
        "type": "segment",
        "segment": "vip",
        "member": False,
    }


def test_field_references_are_not_conditions() -> None:
    """Using a field reference itself where a condition is needed is a clear TypeError."""
    with pytest.raises(TypeError):
        all_of(ticket("channel"))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        hash(ticket("channel"))


def test_node_equality_is_structural() -> None:
    """== on nodes compares data (only field references overload ==)."""
    assert (ticket("channel") == "sms") == (ticket("channel") == "sms")
    assert ((ticket("channel") == "sms") == (ticket("channel") == "email")) is False


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ({"type": "profile", "property": "vip", "op": "equals", "value": True}, 1),
        ({"type": "profile", "property": "vip", "op": "not_equals", "value": False}, 0),
        ({"type": "ticket", "field": "n", "op": "in", "value": [1, True]}, [1, 1]),
        ({"type": "ticket", "field": "n", "op": "equals", "value": 0}, False),
    ],
)
def test_a_bool_and_a_number_are_different_values(a: dict[str, object], b: object) -> None:
    """``equals true`` and ``equals 1`` test differently (a profile's True is no 1), so
    they are unequal nodes with different hashes, in an event's filters and in rule sets
    too (they were equal: a true written as 1 passed the round-trip check)."""
    from helpdesk_routing import RoutingRule, RuleSet, SaveAsView
    from helpdesk_routing.conditions import parse_condition

    first = parse_condition(a)
    second = parse_condition({**a, "value": b})
    assert first != second
    assert hash(first) != hash(second)
    assert len({first, second}) == 2
    assert first == parse_condition(dict(a))
    assert hash(first) == hash(parse_condition(dict(a)))
    where = {"property": "p", "op": a["op"], "value": a["value"]}
    on_event = parse_condition({"type": "event", "metric": "m", "where": [where]})
    other = parse_condition({"type": "event", "metric": "m", "where": [{**where, "value": b}]})
    assert on_event != other

    def rules(when: object) -> RuleSet:
        return RuleSet(rules=[RoutingRule(id="r", when=when, then=SaveAsView(view="v"))])

    assert rules(first) != rules(second)
    assert rules(first) == RuleSet.from_json(rules(first).model_dump_json())


def test_equal_numbers_of_two_kinds_are_still_equal_values() -> None:
    """1 and 1.0 test alike, so the nodes stay equal (only bools are told apart)."""
    assert (profile("n") == 1) == (profile("n") == 1.0)
    assert hash(profile("n") == 1) == hash(profile("n") == 1.0)
