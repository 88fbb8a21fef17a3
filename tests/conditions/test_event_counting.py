"""Event conditions stop counting once the count test is decided and pass their filters
to the customer data as a structured EventWhere."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given

from helpdesk_routing.conditions import (
    EvaluationContext,
    EventCondition,
    compile_condition,
    event,
)
from helpdesk_routing.model import Event, Profile
from helpdesk_routing.ports import EventFilter, EventWhere
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.conditions import reference
from tests.conditions.helpers import NOW, make_ticket
from tests.conditions.strategies import event_conditions, events, profiles


class CountingSpy:
    """Customer data that records each ``count_events`` call and answers from memory."""

    def __init__(self, data: InMemoryCustomerData) -> None:
        self.data = data
        self.calls: list[dict[str, Any]] = []

    def profile(self, profile_id: str) -> Profile | None:
        """The wrapped data's profile."""
        return self.data.profile(profile_id)

    def count_events(
        self,
        profile_id: str,
        metric: str,
        *,
        start: datetime | None,
        end: datetime | None,
        where: EventFilter | None = None,
        limit: int | None = None,
    ) -> int:
        """Record the call, then count in the wrapped data."""
        self.calls.append({"where": where, "limit": limit})
        return self.data.count_events(
            profile_id, metric, start=start, end=end, where=where, limit=limit
        )


def _spy(evs: list[Event], profile: Profile | None = None) -> tuple[CountingSpy, EvaluationContext]:
    profile = profile or Profile(id="p1")
    spy = CountingSpy(InMemoryCustomerData(profiles=[profile], events=evs))
    ctx = EvaluationContext(ticket=make_ticket(), profile=profile, customer_data=spy, now=NOW)
    return spy, ctx


def _orders(count: int, value: int = 150) -> list[Event]:
    return [
        Event(
            profile_id="p1",
            metric="Placed Order",
            timestamp=NOW - timedelta(minutes=i + 1),
            properties={"value": value},
        )
        for i in range(count)
    ]


@pytest.mark.parametrize(
    ("condition", "limit", "verdict"),
    [
        (event("Placed Order").at_least(1), 1, True),
        (event("Placed Order").at_least(3), 3, True),
        (event("Placed Order").at_least(9), 9, False),
        (event("Placed Order").at_most(3), 4, False),
        (event("Placed Order").exactly(5), 6, True),
        (event("Placed Order").zero(), 1, False),
    ],
)
def test_each_count_test_asks_for_as_many_events_as_decide_it(
    condition: EventCondition, limit: int, verdict: bool
) -> None:
    """at_least(n) asks limit n; at_most(n) and exactly(n) n + 1; zero 1."""
    spy, ctx = _spy(_orders(5))
    assert compile_condition(condition)(ctx) is verdict
    assert [call["limit"] for call in spy.calls] == [limit]


def test_at_least_zero_never_counts() -> None:
    """at_least(0) holds whatever the events: the store is not asked."""
    spy, ctx = _spy(_orders(2))
    assert compile_condition(event("Placed Order").at_least(0))(ctx)
    assert spy.calls == []


def test_property_filters_reach_the_store_as_clauses() -> None:
    """.where(value__gt=100) arrives as EventWhere(("value", "greater_than", 100)) whose
    test is the filter's semantics."""
    spy, ctx = _spy(_orders(2, value=150) + _orders(2, value=50))
    condition = event("Placed Order").at_least(3).where(value__gt=100)
    assert not compile_condition(condition)(ctx)
    (call,) = spy.calls
    where = call["where"]
    assert isinstance(where, EventWhere)
    assert where.clauses == (("value", "greater_than", 100),)
    assert where({"value": 101})
    assert not where({"value": 100})
    assert not where({})


@given(event_conditions(), profiles, events)
def test_early_stop_decides_as_a_full_count(
    condition: EventCondition, profile: Profile | None, evs: list[Event]
) -> None:
    """With counting stopped at the limit, the verdict (plain and traced) is the one the
    reference reaches by counting every event in the window."""
    data = InMemoryCustomerData(profiles=[profile] if profile else [], events=evs)
    ctx = EvaluationContext(ticket=make_ticket(), profile=profile, customer_data=data, now=NOW)
    expected = reference.evaluate(condition, make_ticket(), profile, evs, NOW)
    compiled = compile_condition(condition)
    assert compiled(ctx) is expected
    assert compiled.explain(ctx).holds is expected
