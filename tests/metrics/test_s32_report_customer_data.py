"""``metrics.report`` checks the kind of its ``customer_data`` as it checks the store's
and the ledger's: text, a number or another collaborator given there is an
``ArgumentTypeError`` naming it, not AI rates silently counting nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import helpdesk_routing as hr
from helpdesk_routing import events, metrics
from helpdesk_routing.handoff import InMemoryLedger
from helpdesk_routing.model import Event, Profile

START = datetime(2026, 3, 30, tzinfo=UTC)
END = START + timedelta(days=1)
WANTED = "customer_data must be a CustomerData or an EventSource (with events_between), or None"


class _ProfilesOnly:
    """A CustomerData adapter that offers no events_between (no AI events to read)."""

    def profile(self, profile_id: str) -> Profile | None:
        return None


class _EventsOnly:
    """An EventSource and nothing more."""

    def __init__(self, found: list[Event]) -> None:
        self.found = found

    def events_between(self, start: datetime, end: datetime) -> list[Event]:
        return self.found


@pytest.mark.parametrize(
    ("customer_data", "kind"),
    [
        ("x", "str"),
        (5, "int"),
        (InMemoryLedger(), "InMemoryLedger"),
        ({}, "dict"),
        (hr.InMemoryStore(), "InMemoryStore"),
    ],
)
def test_customer_data_of_the_wrong_kind_is_named(customer_data: Any, kind: str) -> None:
    """A str, an int, a ledger, a dict or a store in customer_data's place is refused."""
    message = f"{WANTED}, got {kind}"
    with pytest.raises(hr.errors.ArgumentTypeError, match=f"^{re.escape(message)}$") as info:
        metrics.report(hr.InMemoryStore(), customer_data, START, END)
    assert isinstance(info.value, TypeError)
    assert isinstance(info.value, hr.RoutingError)


def test_customer_data_is_checked_even_when_events_are_given() -> None:
    """events= replaces what customer_data would give, but a wrong customer_data is still
    a mistake and named."""
    with pytest.raises(hr.errors.ArgumentTypeError, match=r"^customer_data must be"):
        metrics.report(hr.InMemoryStore(), "x", START, END, events=[])  # type: ignore[arg-type]


def test_customer_data_of_every_accepted_kind_is_read() -> None:
    """None and a CustomerData without events_between count no AI conversations; the
    in-memory customer data and a bare EventSource give theirs."""
    data = hr.InMemoryCustomerData()
    started = events.ConversationStarted(conversation_id="c1", channel="sms")
    events.record(started, data, profile_id="p1", at=START + timedelta(hours=1))
    store = hr.InMemoryStore()
    assert metrics.report(store, None, START, END).ai.started == 0
    assert metrics.report(store, _ProfilesOnly(), START, END).ai.started == 0  # type: ignore[arg-type]
    assert metrics.report(store, data, START, END).ai.started == 1
    found = list(data.events_between(START, END))
    assert metrics.report(store, _EventsOnly(found), START, END).ai.started == 1
