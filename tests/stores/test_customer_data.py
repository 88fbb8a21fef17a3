"""The SQL customer-data adapters: profiles, segments and windowed event counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import pytest

from helpdesk_routing.model import Event, Profile
from helpdesk_routing.stores.sqlite import SqliteCustomerData
from tests.adapters import CUSTOMER_DATA_FACTORIES

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)
PROFILES = [
    Profile(id="p1", properties={"$country": "France", "clv": 120.5}, segments={"vip", "fr"}),
    Profile(id="p2", segments={"vip"}),
]
EVENTS = [
    *(
        Event(
            profile_id="p1",
            metric="Placed Order",
            timestamp=T0 + timedelta(minutes=m),
            properties={"value": 10 * m, "items": ["a", "b"]},
        )
        for m in range(10)
    ),
    Event(profile_id="p1", metric="Opened Email", timestamp=T0),
    Event(profile_id="p2", metric="Placed Order", timestamp=T0),
]


class SqlCustomerData(Protocol):
    """What these tests use: the port plus the SQL adapters' own writers."""

    def profile(self, profile_id: str) -> Profile | None: ...

    def count_events(
        self,
        profile_id: str,
        metric: str,
        *,
        start: datetime | None,
        end: datetime | None,
        where: Any = None,
    ) -> int: ...

    def add_profile(self, profile: Profile) -> None: ...

    def update_profile(
        self,
        profile_id: str,
        *,
        properties: dict[str, object] | None = None,
        segments: Any = None,
    ) -> Profile: ...

    def add_to_segment(self, profile_id: str, segment: str) -> None: ...

    def remove_from_segment(self, profile_id: str, segment: str) -> None: ...

    def add_event(self, event: Event) -> None: ...

    def events(self, profile_id: str, metric: str | None = None) -> list[Event]: ...

    def segment_members(self, segment: str) -> list[str]: ...


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def data(request: pytest.FixtureRequest) -> SqlCustomerData:
    """A SQL customer-data adapter holding PROFILES and EVENTS."""
    made: Any = CUSTOMER_DATA_FACTORIES[request.param](request, PROFILES, EVENTS)
    return made  # type: ignore[no-any-return]


def test_profiles_round_trip(data: SqlCustomerData) -> None:
    """A stored profile reads back equal; an unknown id is None."""
    assert data.profile("p1") == PROFILES[0]
    assert data.profile("nobody") is None


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (None, None, 10),
        (T0, T0 + timedelta(minutes=3), 3),  # start inclusive, end exclusive
        (T0 + timedelta(minutes=3), None, 7),
        (None, T0 + timedelta(minutes=1), 1),
        (T0 + timedelta(minutes=3), T0 + timedelta(minutes=3), 0),
        (T0 + timedelta(minutes=3, microseconds=1), T0 + timedelta(minutes=4, microseconds=1), 1),
    ],
)
def test_counts_are_over_the_half_open_window(
    data: SqlCustomerData, start: datetime | None, end: datetime | None, expected: int
) -> None:
    """count_events counts start <= timestamp < end, for that profile and metric only."""
    assert data.count_events("p1", "Placed Order", start=start, end=end) == expected


def test_windows_in_other_time_zones_mean_the_same_instants(data: SqlCustomerData) -> None:
    """A window given in another zone counts the same events as in UTC."""
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    start = (T0 + timedelta(minutes=2)).astimezone(paris)
    assert data.count_events("p1", "Placed Order", start=start, end=None) == 8


def test_the_where_filter_sees_each_event_s_properties(data: SqlCustomerData) -> None:
    """Only events in the window whose properties pass ``where`` are counted."""

    def big(props: Any) -> bool:
        return bool(props.get("value", 0) > 50 and props["items"] == ["a", "b"])

    assert data.count_events("p1", "Placed Order", start=None, end=None, where=big) == 4
    assert data.count_events("p1", "Placed Order", start=T0, end=T0, where=big) == 0


def test_unknown_profiles_and_metrics_count_zero(data: SqlCustomerData) -> None:
    """Reads never raise for unknown profiles or metrics."""
    assert data.count_events("nobody", "Placed Order", start=None, end=None) == 0
    assert data.count_events("p1", "Never Happened", start=None, end=None) == 0


def test_segment_members_follow_profile_updates(data: SqlCustomerData) -> None:
    """Replacing a profile replaces its segments; members are listed by id."""
    assert data.segment_members("vip") == ["p1", "p2"]
    data.add_profile(Profile(id="p1", segments={"churned"}))
    assert data.segment_members("vip") == ["p2"]
    assert data.segment_members("churned") == ["p1"]
    assert data.profile("p1") == Profile(id="p1", segments={"churned"})


def test_events_added_later_are_counted(data: SqlCustomerData) -> None:
    """add_event makes the event count at once."""
    data.add_event(Event(profile_id="p3", metric="Placed Order", timestamp=T0))
    assert data.count_events("p3", "Placed Order", start=T0, end=None) == 1


def test_sqlite_customer_data_persists_in_its_file(tmp_path: Path) -> None:
    """Profiles and events written to a file are there when it is opened again."""
    path = tmp_path / "data.db"
    SqliteCustomerData(path, profiles=PROFILES, events=EVENTS).close()
    with SqliteCustomerData(path) as data:
        assert data.profile("p2") == PROFILES[1]
        assert data.count_events("p1", "Placed Order", start=None, end=None) == 10


def test_update_profile_merges_properties_and_removes_none(data: SqlCustomerData) -> None:
    """update_profile merges properties, drops keys set to None, keeps segments unless given."""
    updated = data.update_profile("p1", properties={"clv": None, "churn_risk": "High"})
    assert updated == Profile(
        id="p1", properties={"$country": "France", "churn_risk": "High"}, segments={"vip", "fr"}
    )
    assert data.profile("p1") == updated
    fresh = data.update_profile("p9", segments=["new"])
    assert fresh == Profile(id="p9", segments={"new"})
    assert data.segment_members("new") == ["p9"]


def test_segments_are_joined_and_left(data: SqlCustomerData) -> None:
    """add_to_segment and remove_from_segment change one membership, also of unknown ids."""
    data.add_to_segment("p2", "fr")
    data.add_to_segment("p7", "fr")
    data.remove_from_segment("p1", "fr")
    data.remove_from_segment("nobody", "fr")
    assert data.segment_members("fr") == ["p2", "p7"]
    assert data.profile("p7") == Profile(id="p7", segments={"fr"})
    assert data.profile("nobody") is None


def test_events_are_listed_oldest_first_with_ties_in_arrival_order(data: SqlCustomerData) -> None:
    """events() sorts by timestamp; events with equal timestamps keep their arrival order."""
    late = Event(
        profile_id="p5", metric="m", timestamp=T0 + timedelta(hours=1), properties={"n": 1}
    )
    tie_a = Event(profile_id="p5", metric="m", timestamp=T0, properties={"n": 2})
    tie_b = Event(profile_id="p5", metric="m", timestamp=T0, properties={"n": 3})
    other = Event(profile_id="p5", metric="x", timestamp=T0 - timedelta(hours=1))
    for e in (late, tie_a, tie_b, other):
        data.add_event(e)
    assert data.events("p5", "m") == [tie_a, tie_b, late]
    assert data.events("p5") == [other, tie_a, tie_b, late]


def test_the_sql_adapters_answer_like_the_in_memory_one(data: SqlCustomerData) -> None:
    """After the same writes, profile(), events() and count_events() agree with memory."""
    from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData

    memory = InMemoryCustomerData(profiles=PROFILES, events=EVENTS)
    for target in (memory, data):
        target.update_profile("p2", properties={"$country": "Sweden"})
        target.add_to_segment("p3", "vip")
        target.add_event(Event(profile_id="p3", metric="Placed Order", timestamp=T0))
    for pid in ("p1", "p2", "p3", "p4"):
        assert data.profile(pid) == memory.profile(pid)
        assert data.events(pid) == memory.events(pid)
        for start in (None, T0, T0 + timedelta(minutes=5)):
            assert data.count_events(pid, "Placed Order", start=start, end=None) == (
                memory.count_events(pid, "Placed Order", start=start, end=None)
            )


def _opener(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A function opening one SQL customer-data adapter's place again with a seed."""
    if kind == "sqlite":
        path = tmp_path / "seeded.db"

        def sqlite(profiles: list[Profile], events: list[Event]) -> Any:
            return SqliteCustomerData(path, profiles=profiles, events=events)

        return sqlite
    from helpdesk_routing.stores.postgres import PostgresCustomerData
    from tests.pg_server import fresh_schema_dsn

    dsn = fresh_schema_dsn(request)

    def postgres(profiles: list[Profile], events: list[Event]) -> Any:
        return PostgresCustomerData(dsn, profiles=profiles, events=events)

    return postgres


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_opening_again_with_the_same_seed_changes_nothing(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """``profiles=`` and ``events=`` seed the data, as a store's ``agents=`` do: a
    service restarting with them must not add the events again (counts grew by the seed
    at every restart) nor undo a profile's update since (the seed overwrote it)."""
    open_data = _opener(kind, request, tmp_path)
    order = Event(profile_id="p1", metric="Placed Order", timestamp=T0, properties={"v": 1})
    keyed = Event(profile_id="p1", metric="Signed Up", timestamp=T0, unique_id="u1")
    seed_profiles = [Profile(id="p1", properties={"plan": "free"}, segments={"new"})]
    seed_events = [order, order, keyed]  # two equal orders: both are kept
    with open_data(seed_profiles, seed_events) as data:
        assert data.count_events("p1", "Placed Order", start=None, end=None) == 2
        data.update_profile("p1", properties={"plan": "pro"}, segments={"paying"})
    for _ in range(2):
        with open_data(seed_profiles, seed_events) as data:
            assert data.count_events("p1", "Placed Order", start=None, end=None) == 2
            assert data.count_events("p1", "Signed Up", start=None, end=None) == 1
            stored = data.profile("p1")
            assert stored is not None
            assert (stored.properties, stored.segments) == ({"plan": "pro"}, {"paying"})
            assert data.segment_members("new") == []
    later = Event(profile_id="p1", metric="Placed Order", timestamp=T0 + timedelta(hours=1))
    more = [*seed_events, order, later, Event(profile_id="p2", metric="m", timestamp=T0)]
    with open_data([*seed_profiles, Profile(id="p2")], more) as data:
        # a third equal order and a later one are new; p2 is a new profile
        assert data.count_events("p1", "Placed Order", start=None, end=None) == 4
        assert data.count_events("p2", "m", start=None, end=None) == 1
        assert data.profile("p2") == Profile(id="p2")
        assert data.events("p1", "Placed Order") == [order, order, order, later]


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_seeded_event_is_the_same_whatever_the_order_of_its_properties(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Equal events are compared as JSON values: the same properties written in another
    key order are the same event (the text differed, so it was added again); a true is
    not a 1."""
    open_data = _opener(kind, request, tmp_path)
    first = Event(profile_id="p1", metric="m", timestamp=T0, properties={"a": 1, "b": True})
    with open_data([], [first]):
        pass
    reordered = Event(profile_id="p1", metric="m", timestamp=T0, properties={"b": True, "a": 1})
    one = Event(profile_id="p1", metric="m", timestamp=T0, properties={"a": 1, "b": 1})
    with open_data([], [reordered, one]) as data:
        assert data.count_events("p1", "m", start=None, end=None) == 2
        assert [e.properties for e in data.events("p1")] == [first.properties, one.properties]


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_seed_of_many_instants_is_compared_with_what_is_stored_a_few_hundred_at_a_time(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Reopening with a seed of more (profile, metric, instant) than one query asks for
    (300) finds the stored equals of every one of them: those at the edges of each batch,
    an event stored more often than seeded, and seeded more often than stored."""
    open_data = _opener(kind, request, tmp_path)

    def event(i: int, v: int = 0) -> Event:
        return Event(
            profile_id=f"p{i % 7}",
            metric=("m", "n")[i % 2],
            timestamp=T0 + timedelta(seconds=i),
            properties={"v": v},
        )

    first = [event(i) for i in range(700)] + [event(299), event(300), event(599)]
    with open_data([], first):
        pass
    # the same seed, in another order, with one more of #0 and #699 and a new value
    again = [*reversed(first), event(0), event(699), event(350, v=1)]
    with open_data([], again) as data:
        stored = [e for pid in range(7) for e in data.events(f"p{pid}")]
        assert len(stored) == 700 + 3 + 3
        counts = dict.fromkeys(range(700), 0)
        for e in stored:
            counts[int((e.timestamp - T0).total_seconds())] += 1
        assert {i for i, n in counts.items() if n != 1} == {0, 299, 300, 350, 599, 699}
        assert counts[350] == 2
        assert counts[299] == counts[0] == 2


def _open_data(kind: str, where: str, **seed: Any) -> Any:
    if kind == "sqlite":
        return SqliteCustomerData(where, **seed)
    from helpdesk_routing.stores.postgres import PostgresCustomerData

    return PostgresCustomerData(where, **seed)


def _seed_at_once(kind: str, where: str, barrier: Any, out: Any) -> None:
    try:
        barrier.wait(timeout=60)
        seed = [Event(profile_id="p1", metric="m", timestamp=T0)] * 3
        _open_data(kind, where, profiles=[Profile(id="p1")], events=seed).close()
        out.put("ok")
    except Exception as exc:  # reported, so the test shows it
        out.put(f"{type(exc).__name__}: {exc}")


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_processes_seeding_at_once_add_the_seed_once(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Four processes open one place's customer data with the same seed at the same
    moment: the seed's three equal events are stored three times, not twelve (SQLite:
    the write lock; PostgreSQL: the events table locked for the seeding unit). The
    opens' own set-up spreads them out, so this holds the outcome; it rarely catches
    two seeding units at the same instant (without PostgreSQL's lock it passed 5 runs
    of 5): the test after it holds the lock itself."""
    import multiprocessing

    if kind == "sqlite":
        where = str(tmp_path / "shared.db")
    else:
        from tests.pg_server import fresh_schema_dsn

        where = fresh_schema_dsn(request)
    _open_data(kind, where).close()  # the schema, so the race is the seed's alone
    context = multiprocessing.get_context("spawn")
    out: Any = context.Queue()
    barrier = context.Barrier(4)
    procs = [
        context.Process(target=_seed_at_once, args=(kind, where, barrier, out)) for _ in range(4)
    ]
    for proc in procs:
        proc.start()
    try:
        assert [out.get(timeout=120) for _ in procs] == ["ok"] * 4
    finally:
        for proc in procs:
            proc.join(timeout=60)
    with _open_data(kind, where) as data:
        assert data.count_events("p1", "m", start=None, end=None) == 3
        assert data.profile("p1") == Profile(id="p1")


@pytest.mark.postgres
def test_a_postgres_seed_waits_for_another_seeding_unit_and_then_adds_nothing(
    request: pytest.FixtureRequest,
) -> None:
    """The PostgreSQL lock itself: while another unit holds the events table as a seed
    does, with the seed's events written and not yet committed, a second seeding open
    waits for it, then finds them stored and adds none (without the lock it saw an empty
    table and added the seed again: six events)."""
    import threading

    import psycopg

    from tests.pg_server import fresh_schema_dsn, wait_until_another_waits_for_a_lock

    dsn = fresh_schema_dsn(request)
    _open_data("postgres", dsn).close()  # the schema
    seed = [Event(profile_id="p1", metric="m", timestamp=T0)] * 3
    failed: list[BaseException] = []

    def open_seeded() -> None:
        try:
            _open_data("postgres", dsn, events=seed).close()
        except BaseException as exc:  # reported below
            failed.append(exc)

    with psycopg.connect(dsn) as other, psycopg.connect(dsn, autocommit=True) as watcher:
        other.execute("LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE")
        for _ in range(3):
            other.execute(
                "INSERT INTO events (profile_id, metric, ts, properties) VALUES (%s, %s, %s, %s)",
                ("p1", "m", T0, "{}"),
            )
        second = threading.Thread(target=open_seeded)
        second.start()
        try:
            wait_until_another_waits_for_a_lock(watcher, "the second seed")
        finally:
            other.commit()
            second.join(timeout=60)
    assert failed == []
    with _open_data("postgres", dsn) as data:
        assert data.count_events("p1", "m", start=None, end=None) == 3
