"""A page of a view holds a list: it is explicitly unhashable (``__hash__ = None``), so
``hash()`` raises the plain "unhashable type: 'Page'" TypeError rather than failing
inside the hash a frozen dataclass generates; equality is unchanged."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import helpdesk_routing as hr
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.views import Page

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)


def _record() -> hr.TicketRecord:
    router = hr.Router(
        rules=RuleSet(),
        teams=[],
        customer_data=hr.InMemoryCustomerData(),
        store=InMemoryStore(),
        clock=ManualClock(T0),
    )
    return router.route(hr.Ticket(id="t1", channel="sms", created_at=T0))


def test_a_page_is_explicitly_unhashable_and_keeps_its_equality() -> None:
    records = [_record()]
    with pytest.raises(TypeError, match="unhashable type: 'Page'"):
        hash(Page(items=records))
    assert Page.__hash__ is None
    assert Page(items=records, total=1) == Page(items=list(records), total=1)
    assert Page(items=records) != Page(items=records, next_cursor="x")
