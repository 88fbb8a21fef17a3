"""An instant given as a datetime subclass with nanoseconds (a pandas Timestamp) is cut
to a plain datetime at microseconds where the library takes it, as the SQL stores cut
it: the in-memory store kept the nanoseconds, so a window test and a resent ticket
answered one way in memory and another on SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

import helpdesk_routing as hr
from helpdesk_routing.conditions import event
from helpdesk_routing.stores.sqlite import SqliteStore

AT = pd.Timestamp("2026-03-30T08:00:00.000000500Z")


def _router(store: hr.InMemoryStore | SqliteStore) -> hr.Router:
    data = hr.InMemoryCustomerData(
        profiles=[hr.Profile(id="p1")],
        events=[
            hr.Event(
                profile_id="p1",
                metric="Placed Order",
                timestamp=datetime(2026, 3, 30, 6, tzinfo=UTC),
            )
        ],
    )
    rule = hr.RoutingRule(
        id="urgent",
        when=event("Placed Order").at_least(1).in_last(hours=2),
        then=hr.SaveAsView(view="urgent"),
    )
    return hr.Router(
        rules=hr.RuleSet(rules=[rule]),
        store=store,
        customer_data=data,
        clock=hr.ManualClock(AT),
    )


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_an_instant_with_nanoseconds_is_the_same_on_every_store(kind: str, tmp_path: Path) -> None:
    store = hr.InMemoryStore() if kind == "memory" else SqliteStore(tmp_path / "h.db")
    router = _router(store)
    ticket = hr.Ticket(id="t1", channel="email", profile_id="p1", created_at=AT)
    assert type(ticket.created_at) is datetime
    assert ticket.created_at == datetime(2026, 3, 30, 8, tzinfo=UTC)
    first = router.route(ticket)
    assert first.views == ("urgent",)  # the event exactly 2 h before is in the window
    assert router.route(ticket) == first  # the same ticket again, not a ConflictError
    (routed,) = router.history("t1")
    assert type(routed.at) is datetime
    assert routed.at == datetime(2026, 3, 30, 8, tzinfo=UTC)


def test_office_hours_answer_plain_datetimes_for_a_timestamp() -> None:
    """Open at the instant given, next_open answers that instant: it was the Timestamp
    itself, nanoseconds and all."""
    hours = hr.OfficeHours(timezone="UTC", weekly={"mon": [("09:00", "17:00")]})
    inside = pd.Timestamp("2026-03-30T10:00:00.000000500Z")
    opening = hours.next_open(inside)
    assert type(opening) is datetime
    assert opening == datetime(2026, 3, 30, 10, tzinfo=UTC)


def test_a_condition_values_timestamp_is_cut_as_its_json_cuts_it() -> None:
    """A before/after/between value given as a Timestamp with nanoseconds kept them: the
    rule's JSON drops them, so the rule read back tested a ticket at that instant the
    other way."""
    from helpdesk_routing.conditions import ticket

    rule = hr.RoutingRule(
        id="r", when=ticket("created_at").before(AT), then=hr.SaveAsView(view="v")
    )
    rules = hr.RuleSet(rules=[rule])
    back = hr.RuleSet.from_json(rules.model_dump_json())
    assert back == rules
    at = hr.Ticket(id="t", channel="email", created_at=datetime(2026, 3, 30, 8, tzinfo=UTC))
    data = hr.InMemoryCustomerData()
    live = hr.decide(rules, [], at, data, datetime(2026, 3, 30, 9, tzinfo=UTC))
    read = hr.decide(back, [], at, data, datetime(2026, 3, 30, 9, tzinfo=UTC))
    assert live.views == read.views == ()
