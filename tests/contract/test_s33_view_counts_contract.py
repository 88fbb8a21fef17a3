"""A view's ``count=True`` total, on every store: the number of records the view lists
(with the same filters), the same as the in-memory store's; and on the SQL stores a
count that reads no record (``count(*)``), however long the view."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk_routing.model import TicketStatus
from helpdesk_routing.ports import CountsTickets, Store, offers
from helpdesk_routing.records import TicketRecord
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.views import Page, Views
from tests.adapters import StoreFactory
from tests.contract.test_store_contract import AGENTS, _random_query, record

_VIEWS = [
    ("my_inbox", "a1"),
    ("my_inbox", "a2"),
    ("my_inbox", "a3"),
    ("all_tickets", None),
    ("unassigned", None),
    ("team", "x"),
    ("team", "y"),
    ("team", "z"),
    ("saved", "u"),
    ("saved", "v"),
    ("saved", "w"),
]
_CHANNELS = ["email", "sms", "webchat"]


def _records(seed: int, n: int = 40) -> list[TicketRecord]:
    """``n`` records with colliding times and every kind of filterable value."""
    rng = random.Random(seed)
    return [
        record(
            f"t{i}",
            rng.randint(0, 6),
            assignee=rng.choice([None, None, "a1", "a2"]),
            team=rng.choice([None, None, "x", "y"]),
            views=frozenset(v for v in ("u", "v") if rng.random() < 0.4),
            status=rng.choice(list(TicketStatus)),
            channel=rng.choice(_CHANNELS),
        )
        for i in range(n)
    ]


def _views(store: Store, records: list[TicketRecord]) -> Views:
    with store.transaction() as tx:
        for r in records:
            tx.add_ticket(r)
    return Views(store, is_team=lambda tx, team: True)


def _expected(records: list[TicketRecord], view: str, arg: str | None, kw: dict[str, Any]) -> int:
    """How many of ``records`` the view shows, by the views' documented meaning."""
    statuses = kw.get("statuses", "open")
    wanted = None if statuses is None else {statuses} if isinstance(statuses, str) else statuses
    channels = kw.get("channels")
    if isinstance(channels, str):
        channels = [channels]

    def shown(r: TicketRecord) -> bool:
        if view == "my_inbox" and r.assignee != arg:
            return False
        if view == "unassigned" and (r.assignee is not None or r.team is not None):
            return False
        if view == "team" and r.team != arg:
            return False
        if view == "saved" and arg not in r.views:
            return False
        if wanted is not None and r.ticket.status.value not in wanted:
            return False
        return channels is None or r.ticket.channel in channels

    return sum(map(shown, records))


def _open(views: Views, view: str, arg: str | None) -> Callable[..., Page]:
    method = getattr(views, view)
    return method if arg is None else lambda **kw: method(arg, **kw)


_statuses = st.one_of(
    st.just("open"),
    st.none(),
    st.sampled_from([s.value for s in TicketStatus]),
    st.lists(st.sampled_from([s.value for s in TicketStatus]), unique=True),
)
_channels = st.one_of(
    st.none(),
    st.sampled_from(_CHANNELS),
    st.lists(st.sampled_from([*_CHANNELS, "fax"]), unique=True),
)
_requests = st.tuples(
    st.sampled_from(_VIEWS),
    st.fixed_dictionaries(
        {},
        optional={
            "statuses": _statuses,
            "channels": _channels,
            "order": st.sampled_from(["oldest", "newest"]),
        },
    ),
    st.one_of(st.none(), st.integers(1, 5)),
    st.booleans(),
)


@pytest.mark.parametrize("seed", range(3))
def test_count_is_the_number_of_records_the_view_lists(
    store_factory: StoreFactory, request: pytest.FixtureRequest, seed: int
) -> None:
    """Differential over random views and filters: ``total`` equals the length of the
    whole listing, the in-memory store's total and the reference count, on any page
    (a first page or one after a cursor)."""
    records = _records(seed)
    views = _views(store_factory(request, AGENTS), records)
    reference = _views(InMemoryStore(agents=AGENTS), records)

    # One store per test (a store per example would leave adapters' pools running while
    # hypothesis draws); the examples draw the views and filters.
    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(_requests)
    def check(drawn: tuple[tuple[str, str | None], dict[str, Any], int | None, bool]) -> None:
        (view, arg), kw, limit, second_page = drawn
        listing = _open(views, view, arg)
        whole = listing(**kw)
        expected = _expected(records, view, arg, kw)
        assert len(whole) == expected
        page = listing(**kw, limit=limit, count=True)
        if second_page and page.next_cursor is not None:
            page = listing(**kw, limit=limit, cursor=page.next_cursor, count=True)
        assert page.total == expected
        assert _open(reference, view, arg)(**kw, limit=limit, count=True).total == expected
        assert listing(**kw, limit=limit).total is None

    check()


@pytest.mark.parametrize("limit", [1, 7])
def test_a_sql_count_reads_no_record(
    store_factory: StoreFactory,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    limit: int,
) -> None:
    """On the SQL stores ``count=True`` decodes only the page (and the one record that
    tells another page follows), not every record of the view: it was a walk, 1.9 s at
    20,000 tickets. The in-memory store walks its own index (unchanged)."""
    store = store_factory(request, AGENTS)
    if isinstance(store, InMemoryStore):
        pytest.skip("the in-memory store keeps its records decoded")
    records = [record(f"t{i:03}", i % 50, team="x", channel=_CHANNELS[i % 3]) for i in range(120)]
    views = _views(store, records)
    decoded = 0
    real = TicketRecord.model_validate_json

    def counted(*args: Any, **kwargs: Any) -> TicketRecord:
        nonlocal decoded
        decoded += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(TicketRecord, "model_validate_json", counted)
    for kw in ({}, {"channels": "sms"}, {"statuses": None, "order": "newest"}):
        decoded = 0
        page = views.team("x", limit=limit, count=True, **kw)
        assert page.total == _expected(records, "team", "x", kw)
        assert decoded <= limit + 1


def test_a_count_in_a_writing_unit_takes_no_view_of_the_rows(
    store_factory: StoreFactory, request: pytest.FixtureRequest
) -> None:
    """A count asked in an ordinary unit of work (a store without read-only units, or a
    view over ``transaction()``) still answers, and the unit goes on writing."""
    store = store_factory(request, AGENTS)
    views = Views(_Writing(store), is_team=lambda tx, team: True)
    with store.transaction() as tx:
        for i in range(4):
            tx.add_ticket(record(f"t{i}", i, assignee="a1"))
    assert views.my_inbox("a1", limit=2, count=True).total == 4
    with store.transaction() as tx:
        tx.add_ticket(record("t9", 9, assignee="a1"))
    assert views.my_inbox("a1", count=True).total == 5


class _Writing:
    """A store seen without its ``read()`` units: views take ``transaction()``."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def transaction(self) -> Any:
        return self._store.transaction()

    def __getattr__(self, name: str) -> Any:
        if name == "read":
            raise AttributeError(name)
        return getattr(self._store, name)


@pytest.mark.parametrize("seed", range(4))
def test_count_tickets_is_the_length_of_find_tickets(
    store_factory: StoreFactory, request: pytest.FixtureRequest, seed: int
) -> None:
    """``CountsTickets.count_tickets(q) == len(find_tickets(q))`` for random queries (with
    cursors, limits, either order), also inside the unit that added the tickets."""
    store = store_factory(request, AGENTS)
    rng = random.Random(seed)
    records = _records(seed, 25)
    with store.transaction() as tx:
        if not offers(tx, CountsTickets):
            pytest.skip("the store counts by reading the view")
        counter: Any = tx
        for r in records:
            tx.add_ticket(r)
        for _ in range(30):
            query = _random_query(rng)
            assert counter.count_tickets(query) == len(tx.find_tickets(query)), query
    with store.transaction() as tx:
        counter = tx
        for _ in range(30):
            query = _random_query(rng)
            assert counter.count_tickets(query) == len(tx.find_tickets(query)), query
