"""Every store and customer-data adapter is a context manager with ``close()``
(``docs/stores.md``): after it, a new unit of work or a call that reads or writes raises
``StoreError`` (``the store is closed``), alike on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from helpdesk_routing.errors import StoreError
from helpdesk_routing.model import Agent, Event, Profile
from tests.adapters import CustomerDataFactory, StoreFactory

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)


def test_a_store_is_a_context_manager_and_refuses_units_once_closed(
    store_factory: StoreFactory, request: pytest.FixtureRequest
) -> None:
    """``with store`` gives the store and closes it at the end; a unit running when it is
    closed finishes; later units (and reads) are refused; closing again is
    harmless."""
    store = store_factory(request, [Agent(id="a1")])
    with store as entered:  # type: ignore[attr-defined]
        assert entered is store
        with store.transaction() as tx:
            store.close()  # type: ignore[attr-defined]
            tx.set_online("a1", True, T0)
    for begin in (store.transaction, getattr(store, "read", store.transaction)):
        with pytest.raises(StoreError, match=r"^the store is closed$"), begin():
            pass
    store.close()  # type: ignore[attr-defined]


def test_customer_data_is_a_context_manager_and_refuses_calls_once_closed(
    customer_data_factory: CustomerDataFactory, request: pytest.FixtureRequest
) -> None:
    """``with data`` gives the adapter and closes it at the end; then reads and writes
    raise StoreError; closing again is harmless."""
    data = customer_data_factory(request, [Profile(id="p1")], [])
    with data as entered:  # type: ignore[attr-defined]
        assert entered is data
        assert data.profile("p1") == Profile(id="p1")
    event = Event(profile_id="p1", metric="E", timestamp=T0)
    for call in (
        lambda: data.profile("p1"),
        lambda: data.count_events("p1", "E", start=None, end=None),
        lambda: data.add_event(event),
        lambda: data.update_profile("p1", properties={"a": 1}),
    ):
        with pytest.raises(StoreError, match=r"^the store is closed$"):
            call()
    data.close()  # type: ignore[attr-defined]
