"""Event filters on numbers decide as Python does, an ``int`` against a ``float`` exactly,
on every customer-data adapter, also beyond 2**53 where a float's shortest text is not
its value (``2.0**60`` is written ``1.152921504606847e18``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk_routing.conditions import EvaluationContext, compile_condition, event
from helpdesk_routing.conditions.nodes import EventCondition
from helpdesk_routing.model import Event, Profile, Ticket
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.adapters import CustomerDataFactory
from tests.stores.test_event_where import where_of

NOW = datetime(2026, 3, 30, 12, tzinfo=UTC)


def _holds(cond: EventCondition, data: Any) -> bool:
    ticket = Ticket(id="t", channel="sms", created_at=NOW, profile_id="p1")
    return compile_condition(cond)(EvaluationContext.load(ticket, data, NOW))


@pytest.mark.parametrize(
    ("stored", "cond", "expected"),
    [
        (2.0**60, event("Order").where("value", "==", 2**60), True),
        (2.0**60, event("Order").where("value", "<", 2**60 + 10), True),
        (2.0**60, event("Order").where("value", "==", 1152921504606847000), False),
        (2.0**60, event("Order").where("value", ">", 2**60 - 1), True),
        (2.0**60, event("Order").where("value", "!=", 1152921504606847000), True),
        (2.0**60, event("Order").where(value__in=[7, 2**60]), True),
        (2.0**60, event("Order").where(value__in=[1152921504606847000]), False),
        (2.0**60, event("Order").where(value__between=[2**60, 2**60]), True),
        (2**60, event("Order").where("value", "==", 2.0**60), True),
        (1152921504606847000, event("Order").where("value", "==", 2.0**60), False),
        (1152921504606847000, event("Order").where("value", "<", 2.0**60), False),
        (2**60 + 1, event("Order").where("value", ">", 2.0**60), True),
        ([1, 2.0**60], event("Order").where("value", "==", 2**60), True),
        (2.0**63, event("Order").where("value", ">", 2**63 - 1), True),
        (0.1, event("Order").where("value", "==", 0.1), True),
        (0.1, event("Order").where("value", ">", 0), True),
    ],
)
def test_number_filters_compare_int_and_float_exactly_on_every_adapter(
    request: pytest.FixtureRequest,
    customer_data_factory: CustomerDataFactory,
    stored: Any,
    cond: EventCondition,
    expected: bool,
) -> None:
    """A stored float against an int (and the reverse) holds exactly when Python says so."""
    events = [
        Event(
            profile_id="p1",
            metric="Order",
            timestamp=NOW - timedelta(hours=1),
            properties={"value": stored},
        )
    ]
    data = customer_data_factory(request, [Profile(id="p1")], events)
    assert _holds(cond, data) is expected


_profiles = count()
OPS = st.sampled_from(
    ["equals", "not_equals", "greater_than", "greater_or_equal", "less_than", "less_or_equal"]
)


def _near(n: int) -> st.SearchStrategy[Any]:
    """Ints and floats at and around ``n`` and its float (within signed 64 bits)."""
    f = float(n)
    ints = [m for m in (n, n + 1, n - 1, int(f), int(f) + 1, int(f) - 1) if -(2**63) <= m < 2**63]
    return st.sampled_from([*ints, f, -f])


@st.composite
def numbers_near(draw: st.DrawFn) -> tuple[list[Any], Any]:
    """Stored values and a filter value, all close to one big (or small) number."""
    n = draw(st.integers(2**53, 2**63 - 1) | st.integers(-5, 5))
    n = draw(st.sampled_from([n, -n]))
    stored = _near(n) | st.floats(allow_nan=False, allow_infinity=False)
    return draw(st.lists(stored, min_size=1, max_size=4)), draw(_near(n))


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=numbers_near(), op=OPS)
def test_number_filters_count_as_the_memory_adapter_does(
    request: pytest.FixtureRequest,
    customer_data_factory: CustomerDataFactory,
    case: tuple[list[Any], Any],
    op: str,
) -> None:
    """Random big ints and floats near each other: every adapter counts what memory counts."""
    stored, value = case
    # One adapter for all the examples of a test (a PostgreSQL schema each would be slow).
    data: Any = getattr(request.node, "_customer_data", None)
    if data is None:
        data = customer_data_factory(request, [], [])
        request.node._customer_data = data
    profile = f"p{next(_profiles)}"
    events = [
        Event(profile_id=profile, metric="m", timestamp=NOW, properties={"v": s}) for s in stored
    ]
    data.add_events(events)
    reference = InMemoryCustomerData(events=events)
    where = where_of([("v", op, value)])
    expected = sum(1 for s in stored if where({"v": s}))
    kwargs: dict[str, Any] = {"start": None, "end": None, "where": where}
    assert reference.count_events(profile, "m", **kwargs) == expected
    assert data.count_events(profile, "m", **kwargs) == expected
