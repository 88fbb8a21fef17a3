"""The compiled predicate, its explain trace and the reference interpreter agree."""

from __future__ import annotations

from hypothesis import given

from helpdesk_routing.conditions import Condition, EvaluationContext, compile_condition
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
    """explain() reaches the same verdict as the compiled predicate, at every node."""
    ctx = _context(ticket, profile, evs)
    compiled = compile_condition(condition)
    trace = compiled.explain(ctx)
    assert trace.holds is compiled(ctx)
    assert trace.path == "$"


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
