"""The EventRecorder contract, run against every adapter (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import pytest

from helpdesk_routing.model import Event
from helpdesk_routing.ports import CustomerData, EventRecorder, EventWhere
from tests.adapters import CustomerDataFactory

T = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)


class _Recording(CustomerData, EventRecorder, Protocol):
    def events(self, profile_id: str, metric: str | None = None) -> list[Event]: ...


def _data(factory: CustomerDataFactory, request: pytest.FixtureRequest) -> _Recording:
    data: Any = factory(request, [], [])
    return data  # type: ignore[no-any-return]


def _event(unique_id: str | None, profile: str = "p1", minutes: int = 0) -> Event:
    return Event(
        profile_id=profile,
        metric="Escalated",
        timestamp=T + timedelta(minutes=minutes),
        properties={"tag": "refund"},
        unique_id=unique_id,
    )


def _count(data: CustomerData, profile: str = "p1") -> int:
    return data.count_events(profile, "Escalated", start=None, end=None)


def test_an_event_is_recorded_once_per_unique_id(
    customer_data_factory: CustomerDataFactory, request: pytest.FixtureRequest
) -> None:
    """record_event answers True the first time, False (recording nothing) after, for
    any profile; events without a unique_id are always recorded."""
    data = _data(customer_data_factory, request)
    assert data.record_event(_event("c1:escalated")) is True
    assert data.record_event(_event("c1:escalated", minutes=5)) is False
    assert data.record_event(_event("c1:escalated", profile="p2")) is False
    assert data.record_event(_event(None)) is True
    assert data.record_event(_event(None)) is True
    assert _count(data) == 3
    assert _count(data, "p2") == 0


def test_an_event_round_trips_with_its_unique_id(
    customer_data_factory: CustomerDataFactory, request: pytest.FixtureRequest
) -> None:
    """The stored event, read back, equals the recorded one, unique_id included."""
    data = _data(customer_data_factory, request)
    recorded = [_event("c2:started"), _event(None, minutes=1)]
    for event in recorded:
        data.record_event(event)
    assert data.events("p1") == recorded


def test_adding_events_skips_a_unique_id_already_recorded(
    customer_data_factory: CustomerDataFactory, request: pytest.FixtureRequest
) -> None:
    """add_event follows the same rule: a unique_id already stored adds nothing."""
    data: Any = _data(customer_data_factory, request)
    data.record_event(_event("c3:resolved"))
    data.add_event(_event("c3:resolved", minutes=9))
    assert _count(data) == 1


def test_concurrent_records_of_one_unique_id_record_it_once(
    customer_data_factory: CustomerDataFactory, request: pytest.FixtureRequest
) -> None:
    """Eight threads recording the same unique_id at once: one True, seven False, one event."""
    data = _data(customer_data_factory, request)
    barrier = threading.Barrier(8)
    answers: list[bool] = []
    errors: list[BaseException] = []

    def record(n: int) -> None:
        barrier.wait()
        try:
            answers.append(data.record_event(_event("c4:escalated", minutes=n)))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=record, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(answers) == [False] * 7 + [True]
    assert _count(data) == 1


def test_counting_stops_once_the_limit_is_reached(
    customer_data_factory: CustomerDataFactory, request: pytest.FixtureRequest
) -> None:
    """With limit=1 a Python filter is asked about events only until the first match."""
    data: Any = _data(customer_data_factory, request)
    data.add_events(
        Event(profile_id="p1", metric="Escalated", timestamp=T, properties={"n": n})
        for n in range(50)
    )
    seen: list[Mapping[str, Any]] = []

    def passes(props: Mapping[str, Any]) -> bool:
        seen.append(props)
        return True

    assert data.count_events("p1", "Escalated", start=None, end=None, where=passes, limit=1) == 1
    assert len(seen) == 1
    pushed = EventWhere(clauses=(("n", "greater_or_equal", 10),), test=lambda p: p["n"] >= 10)
    assert data.count_events("p1", "Escalated", start=None, end=None, where=pushed, limit=3) == 3
    assert data.count_events("p1", "Escalated", start=None, end=None, where=pushed) == 40
