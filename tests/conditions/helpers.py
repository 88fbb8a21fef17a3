"""Small builders of tickets, profiles and contexts for the condition tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from helpdesk_routing.conditions import Condition, EvaluationContext, compile_condition
from helpdesk_routing.model import Event, Profile, Ticket
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData

NOW = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)


def make_ticket(**changes: Any) -> Ticket:
    """A ticket of profile p1 created at NOW, with ``changes`` applied."""
    data: dict[str, Any] = {"id": "t1", "channel": "email", "created_at": NOW, "profile_id": "p1"}
    data.update(changes)
    return Ticket(**data)


def context(
    ticket: Ticket | None = None,
    properties: dict[str, Any] | None = None,
    *,
    segments: Sequence[str] = (),
    events: Sequence[Event] = (),
    no_profile: bool = False,
    now: datetime = NOW,
) -> EvaluationContext:
    """A context for ``ticket`` (default: a plain email ticket) and profile p1."""
    profile = (
        None
        if no_profile
        else Profile(id="p1", properties=properties or {}, segments=frozenset(segments))
    )
    data = InMemoryCustomerData(profiles=[profile] if profile else [], events=events)
    return EvaluationContext(
        ticket=ticket or make_ticket(), profile=profile, customer_data=data, now=now
    )


def holds(condition: Condition, ctx: EvaluationContext) -> bool:
    """Evaluate through the compiled predicate and check that explain agrees."""
    compiled = compile_condition(condition)
    verdict = compiled(ctx)
    assert compiled.explain(ctx).holds is verdict
    return verdict
