"""Every customer-data adapter refuses the same bad input with the same library error,
stores nothing of it, and gives back what it stores in one form (memory, SQLite and
PostgreSQL alike)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from helpdesk_routing.conditions import EvaluationContext, compile_condition, event, profile
from helpdesk_routing.conditions.nodes import Condition
from helpdesk_routing.errors import ArgumentTypeError, NaiveDatetimeError, ValidationError
from helpdesk_routing.model import Event, Profile, Ticket
from tests.adapters import CustomerDataFactory

NOW = datetime(2026, 3, 30, 12, tzinfo=UTC)
T = NOW - timedelta(hours=1)
GOOD = Event(profile_id="p1", metric="E", timestamp=T)
EVENT_DICT = {"profile_id": "p1", "metric": "E", "timestamp": "2026-03-30T10:00:00Z"}


def _data(request: pytest.FixtureRequest, factory: CustomerDataFactory) -> Any:
    return factory(request, [Profile(id="p1", segments={"vip"})], [GOOD])


def _unchanged(data: Any) -> None:
    assert data.profile("p1") == Profile(id="p1", segments={"vip"})
    assert data.events("p1") == [GOOD]
    assert data.segment_members("vip") == ["p1"]


@pytest.mark.parametrize(
    ("segment", "error", "message"),
    [
        (
            "v\x00ip",
            ValidationError,
            "segment 'v\\x00ip' cannot be stored: text must not contain NUL",
        ),
        (
            "\ud800",
            ValidationError,
            "segment '\\ud800' cannot be stored: text must not contain a lone",
        ),
        (123, ArgumentTypeError, "segment must be text, got int"),
        (None, ArgumentTypeError, "segment must be text, got NoneType"),
    ],
)
@pytest.mark.parametrize("method", ["add_to_segment", "remove_from_segment"])
def test_a_segment_no_store_can_keep_is_refused_and_nothing_is_stored(
    request: pytest.FixtureRequest,
    customer_data_factory: CustomerDataFactory,
    method: str,
    segment: Any,
    error: type[Exception],
    message: str,
) -> None:
    """add_to_segment / remove_from_segment check the segment before writing anything."""
    data = _data(request, customer_data_factory)
    for pid in ("p1", "p2"):
        with pytest.raises(error) as raised:
            getattr(data, method)(pid, segment)
        assert str(raised.value).startswith(message)
    _unchanged(data)
    assert data.profile("p2") is None
    data.update_profile("p1", properties={"x": 1})  # the profile still reads and writes
    assert data.profile("p1").properties == {"x": 1}


@pytest.mark.parametrize(
    "segments", [["ok", "v\x00ip"], ["v\x00ip", "ok"], "v\x00ip", ("zz", "v\x00ip", "aa")]
)
def test_update_profile_names_a_segment_no_store_can_keep_as_add_to_segment_does(
    request: pytest.FixtureRequest, customer_data_factory: CustomerDataFactory, segments: Any
) -> None:
    """The segment itself is named, with add_to_segment's message, whatever its place: it
    was a model error at ``$.segments[i]``, ``i`` its place in a frozenset, which the hash
    seed decides."""
    data = _data(request, customer_data_factory)
    for pid in ("p1", "p2"):
        with pytest.raises(ValidationError) as raised:
            data.update_profile(pid, properties={"x": 2}, segments=segments)
        assert str(raised.value) == (
            "segment 'v\\x00ip' cannot be stored: text must not contain NUL (\\x00)"
        )
    _unchanged(data)
    assert data.profile("p2") is None


def test_profile_segment_helpers_check_the_segment() -> None:
    """Profile.with_segment / without_segment check the segment (as model_copy does)."""
    p = Profile(id="p1", segments={"vip"})
    assert p.with_segment("fr").segments == {"vip", "fr"}
    assert p.with_segment("vip") is p
    assert p.without_segment("vip").segments == frozenset()
    assert p.without_segment("fr") is p
    with pytest.raises(ValidationError):
        p.with_segment("a\x00")
    with pytest.raises(ArgumentTypeError):
        p.without_segment(1)  # type: ignore[arg-type]


BAD_CALLS: dict[str, tuple[Callable[[Any], object], type[Exception], str]] = {
    "add_event(dict)": (
        lambda d: d.add_event(EVENT_DICT),
        ArgumentTypeError,
        "event must be an Event, got dict",
    ),
    "add_events([good, dict])": (
        lambda d: d.add_events([Event(profile_id="p1", metric="E", timestamp=NOW), EVENT_DICT]),
        ArgumentTypeError,
        "events[1] must be an Event, got dict",
    ),
    "add_events(None)": (
        lambda d: d.add_events(None),
        ArgumentTypeError,
        "events must be Events (an iterable), got NoneType",
    ),
    "record_event(dict)": (
        lambda d: d.record_event(EVENT_DICT),
        ArgumentTypeError,
        "event must be an Event, got dict",
    ),
    "add_profile(dict)": (
        lambda d: d.add_profile({"id": "p9"}),
        ArgumentTypeError,
        "profile must be a Profile, got dict",
    ),
    "update_profile(properties=list)": (
        lambda d: d.update_profile("p1", properties=[("x", 1)]),
        ArgumentTypeError,
        "properties must be a mapping of property names to values, got list",
    ),
    "update_profile(123)": (
        lambda d: d.update_profile(123, properties={"x": 1}),
        ArgumentTypeError,
        "profile_id must be text, got int",
    ),
    "update_profile(NUL)": (
        lambda d: d.update_profile("p\x00", properties={"x": 1}),
        ValidationError,
        "profile_id 'p\\x00' cannot be stored",
    ),
    "update_profile(segments=[1])": (
        lambda d: d.update_profile("p1", segments=[1]),
        ArgumentTypeError,
        "segments[0] must be text, got int",
    ),
    "profile(123)": (lambda d: d.profile(123), ArgumentTypeError, "profile_id must be text"),
    "count_events(1, ...)": (
        lambda d: d.count_events(1, "E", start=None, end=None),
        ArgumentTypeError,
        "profile_id must be text, got int",
    ),
    "count_events(metric=None)": (
        lambda d: d.count_events("p1", None, start=None, end=None),
        ArgumentTypeError,
        "metric must be text, got NoneType",
    ),
    "events(1)": (lambda d: d.events(1), ArgumentTypeError, "profile_id must be text"),
    "segment_members(1)": (lambda d: d.segment_members(1), ArgumentTypeError, "segment must be"),
    "events_between(metrics=[1])": (
        lambda d: d.events_between(T, NOW, metrics=[1]),
        ArgumentTypeError,
        "metrics[0] must be text, got int",
    ),
    "add_to_segment(1, ...)": (
        lambda d: d.add_to_segment(1, "vip"),
        ArgumentTypeError,
        "profile_id must be text, got int",
    ),
}


@pytest.mark.parametrize("call", list(BAD_CALLS))
def test_arguments_of_the_wrong_kind_raise_the_same_library_error(
    request: pytest.FixtureRequest, customer_data_factory: CustomerDataFactory, call: str
) -> None:
    """A dict as an event, a number as an id...: one library error, nothing stored."""
    fn, error, message = BAD_CALLS[call]
    data = _data(request, customer_data_factory)
    with pytest.raises(error) as raised:
        fn(data)
    assert str(raised.value).startswith(message)
    _unchanged(data)


@pytest.mark.parametrize(
    ("profiles", "events", "message"),
    [
        ([], [EVENT_DICT], "events[0] must be an Event, got dict"),
        ([{"id": "p1"}], [], "profiles[0] must be a Profile, got dict"),
        ([], "x", "events must be Events (an iterable), got str"),
    ],
)
def test_constructors_refuse_dicts_as_profiles_and_events(
    request: pytest.FixtureRequest,
    customer_data_factory: CustomerDataFactory,
    profiles: Any,
    events: Any,
    message: str,
) -> None:
    """InMemoryCustomerData(events=[dict]) and the SQL constructors name the argument."""
    with pytest.raises(ArgumentTypeError) as raised:
        customer_data_factory(request, profiles, events)
    assert str(raised.value) == message


def test_lookups_of_ids_no_store_can_hold_find_nothing(
    request: pytest.FixtureRequest, customer_data_factory: CustomerDataFactory
) -> None:
    """NUL or a lone surrogate in a looked-up id: None / 0 / [], never a StoreError."""
    data = _data(request, customer_data_factory)
    for bad in ("p\x00", "\ud800"):
        assert data.profile(bad) is None
        assert data.count_events(bad, "E", start=None, end=None) == 0
        assert data.count_events("p1", bad, start=None, end=None) == 0
        assert data.events(bad) == []
        assert data.events("p1", bad) == []
        assert data.segment_members(bad) == []
        assert data.events_between(T, NOW + timedelta(1), metrics=[bad]) == []


def test_add_events_with_a_bad_item_stores_none(
    request: pytest.FixtureRequest, customer_data_factory: CustomerDataFactory
) -> None:
    """add_events([good, bad]) is all or nothing on every adapter."""
    data = _data(request, customer_data_factory)
    new = Event(profile_id="p1", metric="E", timestamp=NOW)
    with pytest.raises(ArgumentTypeError):
        data.add_events([new, "bad"])
    assert data.events("p1") == [GOOD]


def test_events_and_profiles_made_without_validation_are_validated_where_taken(
    request: pytest.FixtureRequest, customer_data_factory: CustomerDataFactory
) -> None:
    """An Event or Profile made by ``model_construct`` is validated by every adapter
    before anything of the call is stored: bad values are refused naming the argument
    and the field (a naive timestamp alone a ``NaiveDatetimeError``), good ones stored as
    the validated model. They were taken as they were: memory kept half a batch and
    raised a bare ``TypeError``, PostgreSQL stored a naive timestamp, and a NaN was
    stored that no SQL adapter could read back."""
    data = _data(request, customer_data_factory)
    new = Event(profile_id="p1", metric="E", timestamp=NOW)
    naive = Event.model_construct(profile_id="p1", metric="E", timestamp=datetime(2026, 1, 1))
    with pytest.raises(NaiveDatetimeError) as naive_info:
        data.add_events([new, naive])
    assert str(naive_info.value).startswith("invalid events[1]\n  $.timestamp: must be")
    nan = Event.model_construct(
        profile_id="p1", metric="E", timestamp=NOW, properties={"a": float("nan")}
    )
    with pytest.raises(ValidationError) as info:
        data.add_event(nan)
    assert (info.value.message, info.value.paths) == ("invalid event", ("$.properties",))
    with pytest.raises(ValidationError) as info:
        data.add_profile(Profile.model_construct(id="p2", properties={"a": float("inf")}))
    assert (info.value.message, info.value.paths) == ("invalid profile", ("$.properties",))
    with pytest.raises(ValidationError) as info:
        data.add_profile(Profile.model_construct(properties={}))
    assert info.value.paths == ("$.id",)
    _unchanged(data)
    assert data.profile("p2") is None
    # good values made so are stored as the validated model
    made = Event.model_construct(
        profile_id="p1", metric="E", timestamp=NOW.astimezone(timezone(timedelta(hours=2)))
    )
    data.add_events([made])
    assert data.events("p1") == [GOOD, new]


@pytest.mark.parametrize(
    ("limit", "error", "message"),
    [
        (-1, ValidationError, "limit must be a whole number from 0 to 9223372036854775807, got -1"),
        (
            2**70,
            ValidationError,
            f"limit must be a whole number from 0 to {2**63 - 1}, got {2**70}",
        ),
        (True, ArgumentTypeError, "limit must be a whole number or None, got True"),
        ("1", ArgumentTypeError, "limit must be a whole number or None, got '1'"),
        (1.0, ArgumentTypeError, "limit must be a whole number or None, got 1.0"),
    ],
)
def test_count_events_checks_its_limit(
    request: pytest.FixtureRequest,
    customer_data_factory: CustomerDataFactory,
    limit: Any,
    error: type[Exception],
    message: str,
) -> None:
    """A limit that is no whole number from 0 to 2**63 - 1 is refused, the same everywhere."""
    data = _data(request, customer_data_factory)
    for where in (None, lambda props: True):
        with pytest.raises(error) as raised:
            data.count_events("p1", "E", start=None, end=None, where=where, limit=limit)
        assert str(raised.value) == message


@pytest.mark.parametrize("where", ["x", 5, {"a": 1}])
def test_count_events_refuses_a_where_that_is_no_filter(
    request: pytest.FixtureRequest, customer_data_factory: CustomerDataFactory, where: Any
) -> None:
    """A ``where`` that cannot be called is an ArgumentTypeError naming it, the same
    everywhere, also for a profile with no events and with ``limit=0``."""
    data = _data(request, customer_data_factory)
    kind = type(where).__name__
    for profile_id, limit in (("p1", None), ("nobody", None), ("p1", 0)):
        with pytest.raises(ArgumentTypeError) as raised:
            data.count_events(profile_id, "E", start=None, end=None, where=where, limit=limit)
        assert str(raised.value) == (
            "where must be an event filter (a callable of the properties, such as an "
            f"EventWhere) or None, got {kind}"
        )


def test_a_limit_of_zero_counts_nothing(
    request: pytest.FixtureRequest, customer_data_factory: CustomerDataFactory
) -> None:
    """limit=0 answers min(count, 0) = 0, with or without a where filter."""
    data = _data(request, customer_data_factory)
    data.add_events([Event(profile_id="p1", metric="E", timestamp=T) for _ in range(2)])
    for where in (None, lambda props: True):
        assert data.count_events("p1", "E", start=None, end=None, where=where, limit=0) == 0
        assert data.count_events("p1", "E", start=None, end=None, where=where, limit=2) == 2


def test_events_with_the_same_timestamp_come_back_in_arrival_order(
    request: pytest.FixtureRequest, customer_data_factory: CustomerDataFactory
) -> None:
    """Ties in events() and events_between() keep arrival order, across metrics too."""
    evs = [
        Event(profile_id="p1", metric=m, timestamp=NOW, properties={"n": n})
        for n, m in enumerate(["F", "E", "F", "E"])
    ]
    data = customer_data_factory(request, [Profile(id="p1")], evs)
    assert [e.properties["n"] for e in data.events("p1")] == [0, 1, 2, 3]
    between = data.events_between(NOW, NOW + timedelta(seconds=1))
    assert [e.properties["n"] for e in between] == [0, 1, 2, 3]


def test_a_plain_string_is_one_segment_or_one_metric(
    request: pytest.FixtureRequest, customer_data_factory: CustomerDataFactory
) -> None:
    """segments="vip" is the segment vip; metrics="E" the metric E (as a view's channel)."""
    data = _data(request, customer_data_factory)
    assert data.update_profile("p2", segments="vip").segments == {"vip"}
    assert data.profile("p2").segments == {"vip"}
    assert data.events_between(T, NOW, metrics="E") == [GOOD]
    assert data.events_between(T, NOW, metrics="EE") == []


SIGNUP = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
DAY = date(2026, 3, 30)


def _holds(cond: Condition, data: Any) -> tuple[bool, str]:
    ticket = Ticket(id="t", channel="sms", created_at=NOW, profile_id="p1")
    ctx = EvaluationContext.load(ticket, data, NOW)
    compiled = compile_condition(cond)
    return compiled(ctx), compiled.explain(ctx).render()


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        (profile("signup").starts_with("2026-03"), True),
        (profile("d") == "2026-03-30", True),
        (profile("d").not_contains("2026"), False),
        (profile("tags").contains("a"), True),
        (profile("signup").after(datetime(2026, 2, 1, tzinfo=UTC)), True),
        (profile("d").in_last(days=1), True),
        (event("E").where(at__startswith="2026-03"), True),
        (event("E").where(at__before=datetime(2026, 3, 2, tzinfo=UTC)), True),
    ],
    ids=[
        "starts_with",
        "equals",
        "not_contains",
        "list",
        "after",
        "in_last",
        "event_starts_with",
        "event_before",
    ],
)
def test_dates_and_tuples_come_back_in_their_stored_form_on_every_adapter(
    request: pytest.FixtureRequest,
    customer_data_factory: CustomerDataFactory,
    cond: Condition,
    expected: bool,
) -> None:
    """A datetime/date property is ISO text and a tuple a list everywhere: verdicts and
    explanations agree with what SQLite gives; date tests still read the text as instants."""
    props: dict[str, Any] = {"signup": SIGNUP, "d": DAY, "tags": ("a", "b")}
    ev = Event(profile_id="p1", metric="E", timestamp=T, properties={"at": SIGNUP})
    data = customer_data_factory(request, [Profile(id="p1", properties=props)], [ev])
    stored = data.profile("p1").properties
    assert stored == {"signup": "2026-03-01T09:30:00Z", "d": "2026-03-30", "tags": ["a", "b"]}
    assert data.events("p1")[0].properties == {"at": "2026-03-01T09:30:00Z"}
    assert data.update_profile("p1", properties={"x": DAY}).properties["x"] == "2026-03-30"
    data.update_profile("p1", properties={"x": None})
    assert data.profile("p1").properties == stored
    holds, trace = _holds(cond, data)
    assert holds is expected
    assert "wrong type" not in trace
