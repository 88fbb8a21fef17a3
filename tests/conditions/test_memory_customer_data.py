"""InMemoryCustomerData beyond the port: updates, segments, ordering, threads."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing.errors import NaiveDatetimeError
from helpdesk_routing.model import Event, Profile
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData

T = datetime(2026, 3, 30, 12, tzinfo=UTC)


def _event(minutes: int, **props: object) -> Event:
    return Event(
        profile_id="p1",
        metric="Placed Order",
        timestamp=T + timedelta(minutes=minutes),
        properties=props,
    )


def test_events_added_out_of_order_are_kept_sorted() -> None:
    """Events arriving in any order are listed by time, ties in arrival order."""
    data = InMemoryCustomerData()
    for m, tag in [(5, "a"), (1, "b"), (3, "c"), (1, "d"), (9, "e")]:
        data.add_event(_event(m, tag=tag))
    assert [e.properties["tag"] for e in data.events("p1")] == ["b", "d", "c", "a", "e"]
    assert (
        data.count_events(
            "p1", "Placed Order", start=T + timedelta(minutes=1), end=T + timedelta(minutes=5)
        )
        == 3
    )


def test_update_profile_merges_and_removes_properties() -> None:
    """update_profile merges properties, None removes one, segments are replaced."""
    data = InMemoryCustomerData(profiles=[Profile(id="p1", properties={"a": 1, "b": 2})])
    updated = data.update_profile("p1", properties={"b": None, "c": 3}, segments=["vip"])
    assert updated.properties == {"a": 1, "c": 3}
    assert data.profile("p1") == Profile(id="p1", properties={"a": 1, "c": 3}, segments={"vip"})


def test_segment_membership_changes() -> None:
    """add_to_segment and remove_from_segment change only that membership."""
    data = InMemoryCustomerData()
    data.add_to_segment("p9", "vip")
    data.add_to_segment("p9", "at-risk")
    data.remove_from_segment("p9", "vip")
    data.remove_from_segment("nobody", "vip")
    profile = data.profile("p9")
    assert profile is not None
    assert profile.segments == frozenset({"at-risk"})
    assert data.profile("nobody") is None


def test_replacing_a_profile_keeps_its_events() -> None:
    """add_profile with a known id replaces the profile; events are kept."""
    data = InMemoryCustomerData(profiles=[Profile(id="p1")], events=[_event(0)])
    data.add_profile(Profile(id="p1", properties={"x": 1}))
    assert data.count_events("p1", "Placed Order", start=None, end=None) == 1


def test_naive_bounds_are_rejected() -> None:
    """A naive window bound is an error, not a silent local-time guess."""
    data = InMemoryCustomerData()
    with pytest.raises(NaiveDatetimeError):
        data.count_events("p1", "Placed Order", start=datetime(2026, 1, 1), end=None)


def test_concurrent_writers_and_readers() -> None:
    """Threads adding events while others count never lose an event or crash."""
    data = InMemoryCustomerData()
    writers, per_writer = 4, 500
    errors: list[BaseException] = []
    stop = threading.Event()

    def write(w: int) -> None:
        for i in range(per_writer):
            data.add_event(_event(-(i * writers + w) % 997, w=w))

    def read() -> None:
        try:
            while not stop.is_set():
                n = data.count_events(
                    "p1", "Placed Order", start=None, end=None, where=lambda p: p["w"] >= 0
                )
                assert 0 <= n <= writers * per_writer
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    readers = [threading.Thread(target=read) for _ in range(2)]
    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for t in readers + threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    for t in readers:
        t.join()
    assert errors == []
    assert data.count_events("p1", "Placed Order", start=None, end=None) == writers * per_writer
    stamps = [e.timestamp for e in data.events("p1", "Placed Order")]
    assert stamps == sorted(stamps)


def test_record_event_is_idempotent_by_unique_id() -> None:
    """An event whose unique_id is recorded already records nothing and returns False."""
    data = InMemoryCustomerData()
    first = Event(profile_id="p1", metric="m", timestamp=T, unique_id="c1:started")
    assert data.record_event(first) is True
    assert data.record_event(first.model_copy(update={"timestamp": T + timedelta(1)})) is False
    assert data.record_event(Event(profile_id="p1", metric="m", timestamp=T)) is True
    assert data.count_events("p1", "m", start=None, end=None) == 2


_EVENTS = st.lists(
    st.builds(
        Event,
        profile_id=st.sampled_from(["p1", "p2"]),
        metric=st.sampled_from(["Placed Order", "Viewed"]),
        timestamp=st.integers(0, 40).map(
            lambda s: datetime(2026, 3, 30, tzinfo=UTC) + timedelta(seconds=s)
        ),
        properties=st.fixed_dictionaries({"n": st.integers(0, 3)}),
        unique_id=st.none() | st.sampled_from(["u1", "u2", "u3"]),
    ),
    max_size=80,
)


@given(before=_EVENTS, batch=_EVENTS)
@settings(max_examples=150, deadline=None)
def test_add_events_keeps_what_recording_one_by_one_keeps(
    before: list[Event], batch: list[Event]
) -> None:
    """A batch (merged into each series with one sort when large) leaves the same events,
    in the same order (by time, ties in arrival order), and the same counts, as recording
    each event in turn; repeated unique ids record once."""
    one_by_one = InMemoryCustomerData(events=before)
    for event in batch:
        one_by_one.record_event(event)
    batched = InMemoryCustomerData(events=before)
    batched.add_events(batch)
    start, end = (
        datetime(2026, 3, 30, 0, 0, 10, tzinfo=UTC),
        datetime(2026, 3, 30, 0, 0, 30, tzinfo=UTC),
    )
    for pid in ("p1", "p2"):
        assert batched.events(pid) == one_by_one.events(pid)
        for metric in ("Placed Order", "Viewed"):
            assert batched.count_events(
                pid, metric, start=start, end=end
            ) == one_by_one.count_events(pid, metric, start=start, end=end)
    assert batched.events_between(start, end) == one_by_one.events_between(start, end)


def test_a_history_given_newest_first_is_merged_in_one_sort(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A large batch of one series (a history paged newest first) is merged with one sort:
    each event used to be placed by a bisect and inserted at the front of three lists
    (quadratic: about 15 s for 200,000). What is checked is that no event of the batch is
    placed one by one (the bisects are counted), not the time."""
    import helpdesk_routing.stores.memory_customer_data as module

    placed: list[int] = []
    real = module.bisect_right

    def counting(*args: Any, **kwargs: Any) -> int:
        placed.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "bisect_right", counting)
    t0 = datetime(2026, 3, 30, tzinfo=UTC)
    history = [
        Event(profile_id="p1", metric="Placed Order", timestamp=t0 - timedelta(seconds=i))
        for i in range(5_000)
    ]
    data = InMemoryCustomerData()
    data.add_events(history)
    assert placed == []
    events = data.events("p1")
    assert [e.timestamp for e in events] == sorted(e.timestamp for e in history)
    data.add_events(history[:3])  # a few more are placed one by one, as before
    assert len(placed) == 3
