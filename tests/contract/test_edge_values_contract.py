"""Every adapter stores and reads back the same edge values (issue 10, input item 6):
unicode text, integers up to the 64-bit bound, and floats, in ids, tags, subjects,
custom fields, profile properties and event properties. No store accepts what another
refuses; none returns a value of another type (a float stays a float)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from helpdesk_routing.model import Agent, Event, Profile, Ticket
from helpdesk_routing.records import TicketQuery, TicketRecord
from tests.adapters import CustomerDataFactory, StoreFactory

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)
# Text PostgreSQL cannot hold (NUL) and lone surrogates are refused when the models are
# built (the validation work of issue 10); everything here must round-trip everywhere.
TEXTS = [
    "é",
    "Ünïcödé",
    "😀 emoji",
    "\u2028line\u2029separators",
    "עברית",
    "e\u0301 combining",
    'quote" back\\slash',
    "'single'",
    "%s %% {}",
    "tab\tnew\nline",
    "",
]
INTS = [0, -1, 2**31, -(2**31) - 1, 2**53 + 1, 2**63 - 1, -(2**63)]
FLOATS = [0.0, -0.0, 1e16, 1.5e-07, 5e-324, 1.7976931348623157e308, 0.1, -2.5]
VALUES: dict[str, Any] = {
    **{f"text{i}": t for i, t in enumerate(TEXTS)},
    **{f"int{i}": n for i, n in enumerate(INTS)},
    **{f"float{i}": x for i, x in enumerate(FLOATS)},
    "list": [1, 2.0, "x", True, None, [1.5e-07]],
    "nested": {"é": {"😀": [2**63 - 1]}},
    "bool": False,
    "none": None,
}


def _same_types(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (1.0 is not 1, True is not 1)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same_types(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same_types(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return repr(a) == repr(b)  # -0.0 stays -0.0
    return bool(a == b)


@pytest.mark.parametrize("text", TEXTS[:-1])
def test_tickets_with_edge_values_round_trip(
    store_factory: StoreFactory, request: pytest.FixtureRequest, text: str
) -> None:
    """A ticket whose id, tags, subject and fields carry edge values reads back equal,
    also through a view; an agent's name likewise."""
    store = store_factory(request, [Agent(id=f"a-{text}", name=text)])
    ticket = Ticket(
        id=f"t-{text}",
        channel="email",
        tags={text, "Order"},
        subject=text,
        created_at=T0,
        fields=VALUES,
    )
    record = TicketRecord(ticket=ticket, team=f"team-{text}", views=frozenset({text}))
    with store.transaction() as tx:
        assert tx.add_ticket(record) is None
    with store.transaction() as tx:
        stored = tx.get_ticket(ticket.id)
        assert stored == record
        assert stored is not None
        assert _same_types(stored.ticket.fields, VALUES)
        assert tx.find_tickets(TicketQuery(view=text)) == [record]
        assert tx.find_tickets(TicketQuery(team=f"team-{text}")) == [record]
        assert [a.name for a in tx.agents()] == [text]


def test_profiles_and_events_with_edge_values_round_trip(
    customer_data_factory: CustomerDataFactory, request: pytest.FixtureRequest
) -> None:
    """Profile properties and event properties with edge values read back equal, types kept."""
    profile = Profile(id="p-é😀", properties=VALUES, segments={"vip", "é"})
    event = Event(profile_id=profile.id, metric="m-😀", timestamp=T0, properties=VALUES)
    data: Any = customer_data_factory(request, [profile], [event])
    stored = data.profile(profile.id)
    assert stored == profile
    assert _same_types(stored.properties, VALUES)
    (back,) = data.events(profile.id)
    assert back == event
    assert _same_types(back.properties, VALUES)
    assert data.count_events(profile.id, "m-😀", start=None, end=None) == 1


def test_a_ticket_handed_out_after_waiting_keeps_its_values(
    store_factory: StoreFactory, request: pytest.FixtureRequest
) -> None:
    """A ticket that waited and is handed out when its agent comes Online (PostgreSQL:
    one call of the hand-out function) reads back with its values as routed: the
    function set the assignee through ``jsonb``, which rewrote ``1e16`` as an integer,
    ``-0.0`` as ``0.0`` and ``1e300`` as 301 digits no reader took (the ticket, and every
    view listing it, then failed), and reordered keys."""
    from helpdesk_routing.clock import ManualClock
    from helpdesk_routing.router import Router

    store = store_factory(request, [Agent(id="a1")])
    from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData

    router = Router(store=store, clock=ManualClock(T0), customer_data=InMemoryCustomerData())
    fields = {**VALUES, "huge": 1e300, "pow": 2.0**60, "order": {"z": 1, "a": 2}}
    decision = router.route(Ticket(id="t1", channel="email", created_at=T0, fields=fields))
    assert decision.assignee is None  # nobody Online: it waits
    router.set_online("a1", True, actor="a1")
    stored = router.ticket("t1")
    assert stored.assignee == "a1"
    assert _same_types(stored.ticket.fields, fields)
    assert list(stored.ticket.fields["order"]) == ["z", "a"]
    assert stored.decision == decision
    assert [r.ticket.id for r in router.views.my_inbox("a1")] == ["t1"]
