"""A view's ``statuses`` or ``channels`` given as a mapping is refused: its keys were
iterated, so ``statuses={"closed": False}`` listed the closed tickets and
``channels={"email": False}`` the email ones (``assign`` refuses a mapping of ids)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import MappingProxyType

import pytest

import helpdesk_routing as hr

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def router() -> hr.Router:
    r = hr.Router(
        store=hr.InMemoryStore(agents=[hr.Agent(id="o1", role="owner")]),
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(NOW),
    )
    r.route(hr.Ticket(id="t1", channel="email", created_at=NOW))
    r.set_status("t1", "closed", actor="o1")
    return r


@pytest.mark.parametrize("kind", [dict, MappingProxyType])
def test_a_mapping_of_statuses_is_refused(router: hr.Router, kind: type) -> None:
    with pytest.raises(hr.ValidationError, match=r"invalid status filter: .* is no status"):
        router.views.all_tickets(statuses=kind({"closed": False}))


@pytest.mark.parametrize("kind", [dict, MappingProxyType])
def test_a_mapping_of_channels_is_refused(router: hr.Router, kind: type) -> None:
    with pytest.raises(hr.ValidationError, match="channels must be a channel or several"):
        router.views.all_tickets(statuses=None, channels=kind({"email": False}))


def test_sets_and_lists_still_filter(router: hr.Router) -> None:
    assert router.views.all_tickets(statuses={"closed"}).ids == ["t1"]
    assert router.views.all_tickets(statuses=None, channels=["email"]).ids == ["t1"]
    assert router.views.all_tickets(statuses=None, channels={"sms"}).ids == []
