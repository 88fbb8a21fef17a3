"""Condition values hold integers in signed 64 bits, as documents and custom values do: a
larger one compared differently in SQLite (a lossy float) than in memory."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import helpdesk_routing as hr
from helpdesk_routing._json import MAX_INT, MIN_INT
from helpdesk_routing.conditions import (
    EvaluationContext,
    compile_condition,
    event,
    parse_condition,
    profile,
    ticket,
)
from helpdesk_routing.errors import ValidationError

NOW = datetime(2026, 3, 30, 12, tzinfo=UTC)


def _ticket_test(op: str, value: Any) -> dict[str, Any]:
    return {"type": "ticket", "field": "priority", "op": op, "value": value}


@pytest.mark.parametrize(
    ("when", "path", "message"),
    [
        (_ticket_test("equals", 2**70), "$.value", "equals: integer beyond signed 64 bits"),
        (_ticket_test("not_equals", MIN_INT - 1), "$.value", "not_equals: integer beyond"),
        (_ticket_test("greater_than", MAX_INT + 1), "$.value", "greater_than: integer beyond"),
        (_ticket_test("in", [1, 2**64]), "$.value[1]", "in item 1: integer beyond signed 64 bits"),
        (
            _ticket_test("between", [0, 2**64]),
            "$.value[1]",
            "between's high bound: integer beyond signed 64",
        ),
        (
            {"type": "profile", "property": "clv", "op": "less_or_equal", "value": -(2**80)},
            "$.value",
            "less_or_equal: integer beyond",
        ),
        (
            {
                "type": "event",
                "metric": "m",
                "where": [{"property": "value", "op": "equals", "value": 2**70 + 1}],
            },
            "$.where[0].value",
            "equals: integer beyond signed 64 bits",
        ),
    ],
)
def test_integers_beyond_64_bits_are_refused_in_condition_values(
    when: dict[str, Any], path: str, message: str
) -> None:
    """parse_condition (dict and text) and RuleSet.from_dict refuse a value beyond signed
    64 bits at its path: a dict naming the operator (and the item of a list), text as
    RuleSet.from_json reads it (its strict reader names the number, at the item)."""
    with pytest.raises(ValidationError) as info:
        parse_condition(when)
    (detail,) = info.value.details
    assert detail.path == path
    assert detail.message.startswith(message)
    with pytest.raises(ValidationError) as info:
        parse_condition(json.dumps(when))
    (detail,) = info.value.details
    assert detail.path.startswith(path)
    assert (detail.code, detail.message) == ("json_number", "integer beyond signed 64 bits")
    doc = {"rules": [{"id": "r", "when": when, "then": {"type": "save_as_view", "view": "v"}}]}
    with pytest.raises(ValidationError) as info:
        hr.RuleSet.from_dict(doc)
    # The strict-JSON check comes first: it names the list item itself (json_number).
    assert info.value.details[0].path.startswith("$.rules[0].when" + path[1:])
    assert "integer beyond signed 64 bits" in info.value.details[0].message


def test_builders_refuse_integers_beyond_64_bits() -> None:
    """The fluent builders refuse such a value at once."""
    for build in (
        lambda: ticket("priority") == 2**70,
        lambda: profile("clv") > MAX_INT + 1,
        lambda: ticket("priority").is_in([1, MIN_INT - 1]),
        lambda: event("m").where(value__gte=2**70),
    ):
        with pytest.raises(ValidationError, match="integer beyond signed 64 bits"):
            build()


@pytest.mark.parametrize("bound", [MAX_INT, MIN_INT])
def test_the_64_bit_bounds_are_accepted_and_round_trip(bound: int) -> None:
    """The bounds themselves are values, and a rule set holding them reads back."""
    cond = parse_condition(_ticket_test("in", [bound, 0]))
    rules = hr.RuleSet(rules=[hr.RoutingRule(id="r", when=cond, then=hr.SaveAsView(view="v"))])
    assert hr.RuleSet.from_json(rules.model_dump_json()) == rules


def test_sqlite_and_memory_agree_on_an_event_filter_at_the_bound() -> None:
    """An event filter on the largest integer counts the same in SQLite (pushed into SQL)
    as in memory: the value that made them differ (2**70 + 1 against a stored 2.0**70,
    equal to SQLite's lossy float, not to Python) is refused instead."""
    stored = float(2**70)
    p = hr.Profile(id="p1")
    ev = hr.Event(
        profile_id="p1", metric="m", timestamp=NOW - timedelta(hours=1), properties={"v": stored}
    )
    memory = hr.InMemoryCustomerData(profiles=[p], events=[ev])
    sqlite = hr.SqliteCustomerData(":memory:")
    sqlite.add_profiles([p])
    sqlite.add_events([ev])
    t = hr.Ticket(id="t1", channel="sms", profile_id="p1", created_at=NOW)
    with pytest.raises(ValidationError):
        event("m").where("v", "==", 2**70 + 1)
    for op in ("==", ">=", "<=", "!="):
        compiled = compile_condition(event("m").where("v", op, MAX_INT))
        verdicts = {
            compiled(EvaluationContext(ticket=t, profile=p, customer_data=data, now=NOW))
            for data in (memory, sqlite)
        }
        assert len(verdicts) == 1, op
