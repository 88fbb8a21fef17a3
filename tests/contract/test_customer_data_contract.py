"""The CustomerData contract, run against every adapter (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from helpdesk_routing.errors import ValidationError
from helpdesk_routing.model import MAX_ID_LENGTH, MAX_UNIQUE_ID_LENGTH, Event, Profile
from helpdesk_routing.ports import EventWhere
from tests.adapters import CustomerDataFactory

T = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)
US = timedelta(microseconds=1)


def _event(at: datetime, metric: str = "Placed Order", profile: str = "p1", **props: Any) -> Event:
    return Event(profile_id=profile, metric=metric, timestamp=at, properties=props)


def test_profile_lookup(
    customer_data_factory: CustomerDataFactory, request: pytest.FixtureRequest
) -> None:
    """profile(id) returns the stored profile, and None for an unknown id."""
    stored = Profile(id="p1", properties={"$country": "France", "ltv": 120.5}, segments={"vip"})
    data = customer_data_factory(request, [stored], [])
    assert data.profile("p1") == stored
    assert data.profile("nobody") is None


def test_counts_are_half_open(
    customer_data_factory: CustomerDataFactory, request: pytest.FixtureRequest
) -> None:
    """count_events counts start <= timestamp < end, at microsecond resolution."""
    data = customer_data_factory(request, [], [_event(T - US), _event(T), _event(T + US)])
    assert data.count_events("p1", "Placed Order", start=T, end=T + US) == 1
    assert data.count_events("p1", "Placed Order", start=T, end=T) == 0
    assert data.count_events("p1", "Placed Order", start=T - US, end=T + US) == 2
    assert data.count_events("p1", "Placed Order", start=T + US, end=None) == 1
    assert data.count_events("p1", "Placed Order", start=None, end=T) == 1
    assert data.count_events("p1", "Placed Order", start=None, end=None) == 3


def test_an_empty_or_reversed_range_counts_nothing(
    customer_data_factory: CustomerDataFactory, request: pytest.FixtureRequest
) -> None:
    """start >= end holds no event."""
    data = customer_data_factory(request, [], [_event(T)])
    assert data.count_events("p1", "Placed Order", start=T + US, end=T - US) == 0


def test_unknown_profiles_and_metrics_count_zero(
    customer_data_factory: CustomerDataFactory, request: pytest.FixtureRequest
) -> None:
    """Reads never raise for unknown profiles or metrics: the count is 0."""
    data = customer_data_factory(request, [], [_event(T)])
    assert data.count_events("nobody", "Placed Order", start=None, end=None) == 0
    assert data.count_events("p1", "Refunded", start=None, end=None) == 0


def test_counts_are_per_profile_and_metric(
    customer_data_factory: CustomerDataFactory, request: pytest.FixtureRequest
) -> None:
    """Events of other profiles and other metrics are not counted."""
    events = [_event(T), _event(T, profile="p2"), _event(T, metric="Viewed Product")]
    data = customer_data_factory(request, [], events)
    assert data.count_events("p1", "Placed Order", start=None, end=None) == 1
    assert data.count_events("p2", "Placed Order", start=None, end=None) == 1
    assert data.count_events("p1", "Viewed Product", start=None, end=None) == 1


def test_where_filters_the_window_only(
    customer_data_factory: CustomerDataFactory, request: pytest.FixtureRequest
) -> None:
    """where(properties) is applied to the events inside the window."""
    events = [_event(T - timedelta(days=2), value=500), _event(T, value=120), _event(T, value=80)]
    data = customer_data_factory(request, [], events)
    seen: list[Mapping[str, Any]] = []

    def big(props: Mapping[str, Any]) -> bool:
        seen.append(props)
        return isinstance(props.get("value"), int) and props["value"] > 100

    assert (
        data.count_events("p1", "Placed Order", start=T - timedelta(hours=1), end=None, where=big)
        == 1
    )
    assert sorted(p["value"] for p in seen) == [80, 120]
    assert data.count_events("p1", "Placed Order", start=None, end=None, where=big) == 2


def test_out_of_order_events_count_like_sorted_ones(
    customer_data_factory: CustomerDataFactory, request: pytest.FixtureRequest
) -> None:
    """Events given in any order give the same windowed counts as a linear scan."""
    rng = random.Random(7)
    stamps = [T - timedelta(minutes=rng.randrange(0, 10_000)) for _ in range(300)]
    stamps += stamps[:20]  # duplicates on purpose
    events = [_event(s, value=i) for i, s in enumerate(stamps)]
    rng.shuffle(events)
    data = customer_data_factory(request, [], events)
    for _ in range(50):
        a, b = sorted(rng.sample(stamps, 2))
        expected = sum(1 for s in stamps if a <= s < b)
        assert data.count_events("p1", "Placed Order", start=a, end=b) == expected
        even = sum(1 for e in events if a <= e.timestamp < b and e.properties["value"] % 2 == 0)
        assert (
            data.count_events(
                "p1", "Placed Order", start=a, end=b, where=lambda p: p["value"] % 2 == 0
            )
            == even
        )


def test_bounds_in_other_time_zones_are_instants(
    customer_data_factory: CustomerDataFactory, request: pytest.FixtureRequest
) -> None:
    """An aware bound in another zone means the same instant."""
    data = customer_data_factory(request, [], [_event(T)])
    paris = T.astimezone(datetime(2026, 3, 30, tzinfo=UTC).astimezone().tzinfo)
    assert data.count_events("p1", "Placed Order", start=paris, end=paris + US) == 1


@pytest.mark.parametrize(("limit", "expected"), [(None, 3), (1, 1), (2, 2), (3, 3), (10, 3)])
def test_a_limit_caps_the_count(
    customer_data_factory: CustomerDataFactory,
    request: pytest.FixtureRequest,
    limit: int | None,
    expected: int,
) -> None:
    """With limit, count_events answers min(count, limit), with and without a filter."""
    events = [_event(T + timedelta(minutes=m), value=m) for m in range(5)]
    data = customer_data_factory(request, [], events)
    everything = 5 if limit is None else min(5, limit)
    assert data.count_events("p1", "Placed Order", start=T, end=None, limit=limit) == everything
    big = EventWhere(clauses=(("value", "greater_than", 1),), test=lambda p: p["value"] > 1)
    assert data.count_events("p1", "Placed Order", start=T, end=None, where=big, limit=limit) == (
        expected
    )


def test_events_between_lists_every_profile_in_the_window(
    customer_data_factory: CustomerDataFactory, request: pytest.FixtureRequest
) -> None:
    """events_between(start, end) lists all profiles' events with start <= t < end, oldest
    first, round-tripping every field; ``metrics`` narrows it to those metric names."""
    events = [
        _event(T - US, profile="p1"),
        _event(T, profile="p2", value=1),
        _event(T + timedelta(minutes=1), metric="Viewed", profile="p1"),
        Event(
            profile_id="p3",
            metric="Placed Order",
            timestamp=T + timedelta(minutes=2),
            unique_id="u1",
            properties={"a": [1, 2]},
        ),
        _event(T + timedelta(hours=1), profile="p1"),
    ]
    data = customer_data_factory(request, [], events)
    assert data.events_between(T, T + timedelta(hours=1)) == events[1:4]
    assert data.events_between(T, T + timedelta(hours=1), metrics=["Viewed"]) == [events[2]]
    assert data.events_between(T, T + timedelta(hours=1), metrics=[]) == []


def _wide(n: int, seed: int = 1) -> str:
    """``n`` characters of 4 bytes each in UTF-8 that PostgreSQL cannot compress: the
    largest index entry ids of that length can make."""
    return "".join(chr(0x10000 + (i * 7919 + seed * 104729) % 60000) for i in range(n))


def test_the_longest_segment_and_unique_id_are_kept(
    customer_data_factory: CustomerDataFactory, request: pytest.FixtureRequest
) -> None:
    """A segment of MAX_ID_LENGTH characters and a unique id of MAX_UNIQUE_ID_LENGTH, 4
    bytes each: every adapter keeps them (PostgreSQL keys both, and refuses an index
    entry of more than 2704 bytes); one character more is refused by the model, naming
    the field, so no adapter meets it."""
    segment, unique = _wide(MAX_ID_LENGTH), _wide(MAX_UNIQUE_ID_LENGTH, 2)
    at = datetime(2026, 3, 30, 9, tzinfo=UTC)
    data = customer_data_factory(request, [Profile(id="p1", segments={segment})], [])
    assert data.profile("p1") == Profile(id="p1", segments={segment})
    event = Event(profile_id="p1", metric="Placed Order", timestamp=at, unique_id=unique)
    assert data.record_event(event) is True
    assert data.record_event(event) is False  # the same unique id: recorded once
    with pytest.raises(
        ValidationError,
        match=r"\$\.segments: item .*\.\.\. \(256 characters\): String should have at most",
    ):
        Profile(id="p1", segments={_wide(MAX_ID_LENGTH + 1)})
    with pytest.raises(ValidationError, match=r"\$\.unique_id: String should have at most"):
        Event(profile_id="p1", metric="m", timestamp=at, unique_id=_wide(513))
