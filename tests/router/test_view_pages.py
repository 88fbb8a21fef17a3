"""Pages behave like sequences, count when asked, and read newest first as well (issue 9)."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.errors import ValidationError
from helpdesk_routing.model import Agent, Team, Ticket, TicketStatus
from helpdesk_routing.router import Router
from helpdesk_routing.rules import decide
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from helpdesk_routing.views import Page
from tests.router.conftest import MONDAY_10, Desk


@pytest.fixture
def five(desk: Desk) -> Desk:
    """t1..t5 Unassigned, one minute apart; t2 and t4 by sms."""
    for n in range(1, 6):
        desk.clock.advance(minutes=1)
        desk.router.route(desk.ticket(f"t{n}", channel="sms" if n % 2 == 0 else "email"))
    return desk


def test_a_page_is_a_sequence_of_records(five: Desk) -> None:
    """A page iterates its records, has len(), indexes, and is falsy only when empty."""
    page = five.router.views.unassigned(limit=2)
    assert [r.id for r in page] == ["t1", "t2"] == page.ids
    assert len(page) == 2
    assert page[1].id == "t2"
    assert page
    assert not five.router.views.saved("nothing")
    assert len(Page([])) == 0


def test_a_page_is_a_collections_sequence(five: Desk) -> None:
    """Page is a collections.abc.Sequence: slices, in, reversed, index and count work as
    on its items."""
    page = five.router.views.unassigned(limit=3)
    assert isinstance(page, Sequence)
    first, second, third = page.items
    assert page[1:] == [second, third]
    assert second in page
    assert first.ticket not in page
    assert list(reversed(page)) == [third, second, first]
    assert (page.index(third), page.count(second), page.count(first.ticket)) == (2, 1, 0)


def test_count_gives_the_total_of_the_whole_view(five: Desk) -> None:
    """count=True sets Page.total to the size of the whole view; without it total is None."""
    page = five.router.views.unassigned(limit=2, count=True)
    assert (len(page), page.total) == (2, 5)
    assert five.router.views.unassigned(limit=2).total is None
    assert five.router.views.unassigned(channels="sms", count=True).total == 2


def test_a_plain_string_channel_is_one_channel(five: Desk) -> None:
    """channels="sms" means the sms channel, not the channels 's' and 'm'."""
    assert five.router.views.unassigned(channels="sms").ids == ["t2", "t4"]
    assert five.router.views.all_tickets(statuses="open", channels="email").ids == [
        "t1",
        "t3",
        "t5",
    ]


def test_channels_may_be_any_iterable_even_a_generator(five: Desk) -> None:
    """A generator of channels is read once, as a list would be."""
    assert five.router.views.unassigned(channels=(c for c in ["sms"])).ids == ["t2", "t4"]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"limit": "5"}, "limit must be a whole number (or None), got '5'"),
        ({"limit": True}, "limit must be a whole number (or None), got True"),
        ({"limit": 2.5}, "limit must be a whole number (or None), got 2.5"),
        ({"limit": 0}, "limit must be at least 1, got 0"),
        ({"count": "yes"}, "count must be a bool, got 'yes'"),
        # 1 == True and 0.0 == False: they were taken as bools
        ({"count": 1}, "count must be a bool, got 1"),
        ({"count": 0.0}, "count must be a bool, got 0.0"),
        ({"channels": 3}, "channels must be a channel or several (text), got 3"),
        (
            {"channels": ["sms", None]},
            "channels must be a channel or several (text), got ['sms', None]",
        ),
        ({"statuses": 3}, "invalid status filter: 3 is no status"),
        # bytes iterate as numbers: b"open" was read as the statuses 111, 112, ...
        ({"statuses": b"open"}, "invalid status filter: b'open' is no status"),
        ({"channels": b"sms"}, "channels must be a channel or several (text), got b'sms'"),
        (
            {"channels": bytearray(b"sms")},
            "channels must be a channel or several (text), got bytearray(b'sms')",
        ),
    ],
)
def test_a_view_names_a_filter_of_the_wrong_kind(
    five: Desk, given: dict[str, object], message: str
) -> None:
    """Each filter of the wrong kind is a ValidationError naming it, in every view."""
    views = five.router.views
    for view in (views.all_tickets, views.unassigned, lambda **k: views.my_inbox("a1", **k)):
        with pytest.raises(ValidationError) as info:
            view(**given)
        assert str(info.value) == message


def test_newest_first_pages_through_the_view_backwards(five: Desk) -> None:
    """order="newest" lists newest first and its cursor continues backwards."""
    views = five.router.views
    first = views.unassigned(limit=2, order="newest")
    assert first.ids == ["t5", "t4"]
    second = views.unassigned(limit=2, order="newest", cursor=first.next_cursor)
    assert second.ids == ["t3", "t2"]
    third = views.unassigned(limit=2, order="newest", cursor=second.next_cursor)
    assert (third.ids, third.next_cursor) == (["t1"], None)
    with pytest.raises(ValidationError, match=r"^invalid order 'sideways': expected"):
        views.unassigned(order="sideways")  # type: ignore[arg-type]


def test_an_order_that_is_no_text_is_refused_whatever_its_equality(five: Desk) -> None:
    """An order whose ``==`` answers no bool (pandas' NA, a NumPy array) is the library's
    ``ValidationError``: it raised ``TypeError`` or ``ValueError`` from the comparison,
    or a one-item array passed and failed building the cursor."""
    import numpy as np
    import pandas as pd

    for order in (pd.NA, np.array(["oldest", "newest"]), np.array(["newest"])):
        with pytest.raises(ValidationError, match=r"^invalid order .*: expected 'oldest'"):
            five.router.views.unassigned(order=order)


@settings(max_examples=25, deadline=None)
@given(
    minutes=st.lists(st.integers(0, 5), max_size=40),
    limit=st.integers(1, 7),
)
def test_newest_first_pages_are_oldest_first_reversed(minutes: list[int], limit: int) -> None:
    """Paging newest first, for any creation times (ties too), reads the oldest-first view
    reversed, every ticket once."""
    store = InMemoryStore(agents=[Agent(id="a1")])
    router = Router(store=store, customer_data=InMemoryCustomerData(), clock=ManualClock(MONDAY_10))
    for n, minute in enumerate(minutes):
        at = MONDAY_10 + timedelta(minutes=minute)
        router.route(Ticket(id=f"t{n:03d}", channel="email", created_at=at))
    oldest = router.views.all_tickets().ids
    seen: list[str] = []
    cursor = None
    while True:
        page = router.views.all_tickets(limit=limit, order="newest", cursor=cursor)
        seen += page.ids
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == oldest[::-1]


@pytest.mark.parametrize(
    "when",
    [
        "9999-12-31T23:59:59-05:00",  # year 10000 in UTC
        "0001-01-01T00:00:00+05:00",  # year 0 in UTC
        "2026-03-30T10:00:00",  # naive
        "not a date",
    ],
)
def test_a_client_cursor_with_an_impossible_instant_is_a_validation_error(
    five: Desk, when: str
) -> None:
    """A cursor a client made up, with an instant no store can keep, fails as bad input."""
    cursor = base64.urlsafe_b64encode(json.dumps([when, "t1"]).encode()).decode()
    with pytest.raises(ValidationError, match="invalid cursor"):
        five.router.views.unassigned(limit=2, cursor=cursor)


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,  # nested past the parser's recursion
        json.dumps(["2026-03-30T10:00:00Z", "t\ud800"]).encode(),  # a lone surrogate
        json.dumps(["2026-03-30T10:00:00Z", "t\u0000"]).encode(),  # NUL
    ],
    ids=["deep", "surrogate", "nul"],
)
def test_a_client_cursor_no_page_gave_is_a_validation_error(five: Desk, raw: bytes) -> None:
    """A made-up cursor that nests deeply or names an id no store keeps fails as bad
    input on every store (a RecursionError, UnicodeEncodeError or StoreError before)."""
    cursor = base64.urlsafe_b64encode(raw).decode()
    with pytest.raises(ValidationError, match="invalid cursor"):
        five.router.views.all_tickets(limit=2, cursor=cursor)


def test_a_cursor_continues_only_the_listing_that_gave_it(five: Desk) -> None:
    """A cursor names the view, filters and order of its page: given to another view,
    another status or channel filter, another agent's inbox or the other order, it is a
    ValidationError saying so (it was taken as a position anywhere, and paged another
    listing from a ticket of this one). The message names the cursor."""
    views = five.router.views
    cursor = views.unassigned(limit=2).next_cursor
    assert cursor is not None
    elsewhere = [
        lambda: views.all_tickets(limit=2, cursor=cursor),
        lambda: views.unassigned(limit=2, cursor=cursor, order="newest"),
        lambda: views.unassigned(limit=2, cursor=cursor, statuses=None),
        lambda: views.unassigned(limit=2, cursor=cursor, channels="sms"),
        lambda: views.team("retention", limit=2, cursor=cursor),
        lambda: views.saved("Urgent changes", limit=2, cursor=cursor),
        lambda: views.my_inbox("a1", limit=2, cursor=cursor),
    ]
    for other in elsewhere:
        with pytest.raises(ValidationError, match="another view, order or filter") as info:
            other()
        assert f"cursor {cursor[:64]!r}" in str(info.value)
    assert views.unassigned(limit=2, cursor=cursor).ids == ["t3", "t4"]


def test_a_cursor_of_an_inbox_is_refused_by_another_inbox(desk: Desk) -> None:
    """Two agents' inboxes are two listings (the agent is part of the view)."""
    for n in range(1, 5):
        desk.clock.advance(minutes=1)
        desk.router.route(desk.ticket(f"t{n}"))
        desk.router.assign(f"t{n}", "a1" if n <= 2 else "a2", actor="ad1")
    first = desk.router.views.my_inbox("a1", limit=1)
    assert first.next_cursor is not None
    assert desk.router.views.my_inbox("a1", limit=1, cursor=first.next_cursor).ids == ["t2"]
    with pytest.raises(ValidationError, match="another view, order or filter"):
        desk.router.views.my_inbox("a2", limit=1, cursor=first.next_cursor)


def test_a_cursor_keeps_its_listing_whatever_limit_count_or_filter_spelling(
    five: Desk,
) -> None:
    """The limit and count may change from page to page, and the filters may be spelt
    another way (a set in another order, a status as text or as the enum): the same
    listing, the same cursor."""
    views = five.router.views
    first = views.all_tickets(statuses=None, channels={"email", "sms"}, limit=2)
    assert first.ids == ["t1", "t2"]
    second = views.all_tickets(
        statuses=[TicketStatus.CLOSED, "pending", "open"],
        channels=("sms", "email"),
        limit=3,
        count=True,
        cursor=first.next_cursor,
    )
    assert (second.ids, second.total) == (["t3", "t4", "t5"], 5)


def test_a_cursor_made_before_cursors_named_their_listing_still_continues(five: Desk) -> None:
    """A two-item cursor (what pages gave before) is still a position in any listing."""
    third = five.router.views.all_tickets().items[2]
    raw = json.dumps([third.ticket.created_at.isoformat(), third.id]).encode()
    old = base64.urlsafe_b64encode(raw).decode()
    assert five.router.views.unassigned(limit=5, cursor=old).ids == ["t4", "t5"]


@pytest.mark.parametrize("tail", [[1], ["a", "b"], [None]], ids=["number", "two-more", "null"])
def test_a_cursor_with_a_listing_no_page_gave_is_invalid(five: Desk, tail: list[object]) -> None:
    raw = json.dumps(["2026-03-30T10:00:00Z", "t1", *tail]).encode()
    with pytest.raises(ValidationError, match="invalid cursor"):
        five.router.views.all_tickets(limit=2, cursor=base64.urlsafe_b64encode(raw).decode())


def test_a_limit_beyond_any_store_asks_for_everything(five: Desk) -> None:
    """A limit larger than a 64-bit integer is a page of every ticket, with no next
    cursor, on every store (SQLite raised OverflowError, PostgreSQL a StoreError)."""
    everything = five.router.views.all_tickets()
    for limit in (2**63 - 1, 2**80):
        page = five.router.views.all_tickets(limit=limit)
        assert page.ids == everything.ids
        assert page.next_cursor is None


def test_whole_numbers_of_any_integral_kind_are_taken_where_a_method_takes_one(
    five: Desk,
) -> None:
    """A NumPy integer is a whole number where a method takes one, as an ``int`` is: a
    view's ``limit``, ``count_events``'s ``limit``, ``rollback``'s version and an edit's
    ``expected_version`` (each was refused as "no whole number", which it is); a
    ``bool`` and a float still are not."""
    import numpy as np  # the test extra holds it: missing, this fails, never skips

    two = np.int64(2)
    assert (
        five.router.views.all_tickets(limit=two).ids == five.router.views.all_tickets(limit=2).ids
    )
    version = five.router.configuration.version
    five.router.configure(actor="m1", capacity=4, expected_version=np.int64(version))
    back = five.router.rollback(np.int64(version), actor="o1")
    assert back.version == version + 2
    assert type(back.version) is int
    data = InMemoryCustomerData()
    assert data.count_events("p1", "m", start=None, end=None, limit=np.uint8(1)) == 0
    decision = decide(
        five.router.rules,
        list(five.router.teams),
        five.ticket("t9"),
        data,
        MONDAY_10,
        configuration_version=np.int64(2),
    )
    assert type(decision.configuration_version) is int
    for bad in (True, 2.0, np.float64(2.0)):
        with pytest.raises(ValidationError, match=r"^limit must be a whole number"):
            five.router.views.all_tickets(limit=bad)


def test_every_bad_status_of_a_set_is_named_sorted() -> None:
    """A set of statuses, iterated in its hash order, named one bad value, another in
    each process: every bad one is named, sorted."""
    import helpdesk_routing as hr

    router = hr.Router(
        store=hr.InMemoryStore(agents=[hr.Agent(id="a1")]),
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(datetime(2026, 1, 1, tzinfo=UTC)),
    )
    with pytest.raises(hr.ValidationError) as raised:
        router.views.all_tickets(statuses={"zz", "nope", "open", "yy"})
    assert str(raised.value) == (
        "invalid status filter: 'nope', 'yy', 'zz' are no statuses; "
        "one of 'open', 'pending', 'closed'"
    )


_VIEWS = ("all", "unassigned", "inbox a1", "team retention")


@settings(max_examples=40, deadline=None)
@given(
    spec=st.lists(
        st.tuples(
            st.sampled_from(["email", "sms", "webchat"]),
            st.integers(0, 3),  # minutes after the previous ticket (ties too)
            st.sampled_from([None, "a1", "retention"]),  # assigned, team, or neither
            st.sampled_from(["open", "pending", "closed"]),
        ),
        max_size=25,
    ),
    view=st.sampled_from(_VIEWS),
    statuses=st.one_of(
        st.none(), st.sets(st.sampled_from(["open", "pending", "closed"]), min_size=1)
    ),
    channels=st.one_of(st.none(), st.sets(st.sampled_from(["email", "sms", "webchat"]))),
    order=st.sampled_from(["oldest", "newest"]),
    limits=st.lists(st.integers(1, 6), min_size=1, max_size=8),
)
def test_paging_any_listing_with_its_cursors_reads_it_whole(
    spec: list[tuple[str, int, str | None, str]],
    view: str,
    statuses: set[str] | None,
    channels: set[str] | None,
    order: str,
    limits: list[int],
) -> None:
    """For any view, status and channel filters and order, paging with the cursors the
    pages give (the filters respelt on every page: a new set, the statuses as a list in
    another order; the limit changing from page to page) reads the listing unpaged, every
    ticket once: a cursor's listing is the same for equal filters however they are
    spelt."""
    store = InMemoryStore(agents=[Agent(id="a1"), Agent(id="a2"), Agent(id="m1", role="manager")])
    router = Router(
        store=store,
        customer_data=InMemoryCustomerData(),
        clock=(clock := ManualClock(MONDAY_10)),
        round_robin=False,
        teams=[Team(id="retention", name="Retention", members=("a2",))],
    )
    for n, (channel, minutes, owner, status) in enumerate(spec):
        clock.advance(minutes=minutes)
        tid = f"t{n:02d}"
        router.route(Ticket(id=tid, channel=channel, created_at=clock.now()))
        if owner == "a1":
            router.assign(tid, to="a1", actor="m1")
        elif owner == "retention":
            router.assign_to_team(tid, team="retention", actor="m1")
        if status != "open":
            router.set_status(tid, status, actor="m1")

    def listing(**page: Any) -> Page:
        kind, _, name = view.partition(" ")
        filters: dict[str, Any] = {
            "statuses": None if statuses is None else sorted(statuses, reverse=bool(page)),
            "channels": None if channels is None else set(channels),
            "order": order,
            **page,
        }
        if kind == "all":
            return router.views.all_tickets(**filters)
        if kind == "unassigned":
            return router.views.unassigned(**filters)
        if kind == "inbox":
            return router.views.my_inbox(name, **filters)
        return router.views.team(name, **filters)

    whole = listing().ids
    seen: list[str] = []
    cursor = None
    for turn in range(len(spec) + 2):
        page = listing(limit=limits[turn % len(limits)], cursor=cursor)
        seen += page.ids
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == whole
