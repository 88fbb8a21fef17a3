"""The compiled predicate, its explain trace and the reference interpreter agree."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given

from helpdesk_routing.conditions import (
    AllCondition,
    AnyCondition,
    Condition,
    ConditionTrace,
    EvaluationContext,
    NotCondition,
    Operator,
    TicketCondition,
    compile_condition,
)
from helpdesk_routing.model import Event, Profile, Ticket
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.conditions import reference
from tests.conditions.strategies import NOW, conditions, events, leaves, profiles, tickets


def _context(ticket: Ticket, profile: Profile | None, evs: list[Event]) -> EvaluationContext:
    data = InMemoryCustomerData(profiles=[profile] if profile else [], events=evs)
    return EvaluationContext(ticket=ticket, profile=profile, customer_data=data, now=NOW)


@given(leaves, tickets, profiles, events)
def test_every_leaf_agrees_with_the_reference(
    condition: Condition, ticket: Ticket, profile: Profile | None, evs: list[Event]
) -> None:
    """Each leaf test gives the reference interpreter's answer, on every value type."""
    ctx = _context(ticket, profile, evs)
    expected = reference.evaluate(condition, ticket, profile, evs, NOW)
    assert compile_condition(condition)(ctx) is expected


@given(conditions, tickets, profiles, events)
def test_compiled_trees_agree_with_the_reference(
    condition: Condition, ticket: Ticket, profile: Profile | None, evs: list[Event]
) -> None:
    """Random condition trees evaluate as the reference interpreter says."""
    ctx = _context(ticket, profile, evs)
    expected = reference.evaluate(condition, ticket, profile, evs, NOW)
    assert compile_condition(condition)(ctx) is expected


@given(conditions, tickets, profiles, events)
def test_explain_agrees_with_the_fast_path(
    condition: Condition, ticket: Ticket, profile: Profile | None, evs: list[Event]
) -> None:
    """explain() reaches the same verdict as the compiled predicate, at the root."""
    ctx = _context(ticket, profile, evs)
    compiled = compile_condition(condition)
    trace = compiled.explain(ctx)
    assert trace.holds is compiled(ctx)
    assert trace.path == "$"


@given(conditions, tickets, profiles, events)
def test_the_rendered_explanation_names_the_reference_outcome_of_every_node(
    condition: Condition, ticket: Ticket, profile: Profile | None, evs: list[Event]
) -> None:
    """Every node the traced evaluation reached is rendered with the verdict the reference
    gives that node; a node it did not reach is one whose group was already decided."""
    ctx = _context(ticket, profile, evs)
    trace = compile_condition(condition).explain(ctx)
    lines = trace.render().splitlines()
    checked: list[tuple[ConditionTrace, Condition]] = [(trace, condition)]
    rendered = []
    while checked:
        node_trace, node = checked.pop(0)
        if node_trace.holds is None:
            mark = "·"
        else:
            assert node_trace.holds is reference.evaluate(node, ticket, profile, evs, NOW)
            mark = "✓" if node_trace.holds else "✗"
        rendered.append(mark)
        children = _children(node)
        assert len(node_trace.children) == len(children)
        reached = [c.holds for c in node_trace.children if c.holds is not None]
        if node_trace.holds is None:
            assert not reached
        elif isinstance(node, AllCondition | AnyCondition):
            # Short-circuit: children are reached in order until one decides the group.
            deciding = isinstance(node, AnyCondition)
            assert all(v is not deciding for v in reached[:-1])
            assert len(reached) == len(children) or reached[-1] is deciding
        checked.extend(zip(node_trace.children, children, strict=True))
    assert sorted(line.strip()[0] for line in lines) == sorted(rendered)


def _children(node: Condition) -> list[Condition]:
    if isinstance(node, AllCondition | AnyCondition):
        return list(node.conditions)
    if isinstance(node, NotCondition):
        return [node.condition]
    return []


@given(conditions, tickets, profiles, events)
def test_the_profile_lookup_does_not_change_the_verdict(
    condition: Condition, ticket: Ticket, profile: Profile | None, evs: list[Event]
) -> None:
    """EvaluationContext.load finds the same profile the caller would pass."""
    data = InMemoryCustomerData(profiles=[profile] if profile else [], events=evs)
    loaded = EvaluationContext.load(ticket, data, NOW)
    given_ctx = EvaluationContext(ticket=ticket, profile=profile, customer_data=data, now=NOW)
    compiled = compile_condition(condition)
    assert compiled(loaded) is compiled(given_ctx)


_TEXT_OPERATORS = (
    Operator.EQUALS,
    Operator.NOT_EQUALS,
    Operator.CONTAINS,
    Operator.NOT_CONTAINS,
    Operator.STARTS_WITH,
    Operator.ENDS_WITH,
)
_SUBJECTS = ("", "Order", "Where is my Order?", "Order 55", "a")


@pytest.mark.parametrize("field", ["subject", "channel", "id", "status"])
@pytest.mark.parametrize("op", _TEXT_OPERATORS)
def test_the_text_leaves_of_built_in_fields_agree_with_the_reference(
    field: str, op: Operator
) -> None:
    """Every text test of a field that always holds a text, on every sample value, each
    of which is found at the start, in the middle, at the end, whole or not at all.
    (These leaves have their own closures; a random tree meets each combination rarely.)"""
    for subject, value in itertools.product(_SUBJECTS, ("Order", "der", "Ord", "Order?")):
        t = Ticket(
            id=subject or "t1",
            channel=subject or "webchat",
            subject=subject,
            created_at=NOW,
        )
        condition = TicketCondition(field=field, op=op, value=value)
        expected = reference.evaluate(condition, t, None, [], NOW)
        ctx = _context(t, None, [])
        compiled = compile_condition(condition)
        assert compiled(ctx) is expected, (field, op, subject, value)
        assert compiled.explain(ctx).holds is expected


@pytest.mark.parametrize(
    ("field", "given", "seen"),
    [
        ("subject", {"subject": ""}, "not set"),
        ("subject", {"subject": "Order 55"}, "value seen: 'Order 55'"),
        ("tags", {}, "not set"),
        ("tags", {"tags": ["Order"]}, "value seen: "),
        ("channel", {}, "value seen: 'sms'"),
        ("priority", {}, "not set"),
        ("priority", {"priority": "High"}, "value seen: 'High'"),
        ("plan", {}, "not set"),
        ("plan", {"fields": {"plan": "Order"}}, "value seen: 'Order'"),
    ],
)
def test_an_explained_leaf_reports_the_value_it_read(
    field: str, given: dict[str, Any], seen: str
) -> None:
    """What a ticket leaf read, as its trace says: an empty subject or tag set, a missing
    priority or custom field read as not set."""
    t = Ticket(id="t1", channel="sms", created_at=NOW, **given)
    trace = compile_condition(TicketCondition(field=field, op="contains", value="Order")).explain(
        _context(t, None, [])
    )
    assert trace.reason.startswith(seen), trace.reason
    assert trace.holds is reference.evaluate(
        TicketCondition(field=field, op="contains", value="Order"), t, None, [], NOW
    )
