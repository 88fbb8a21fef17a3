"""An id no store can keep (a NUL, a lone surrogate) names nothing stored: every adapter
answers a lookup of one as it answers any unknown id (``None``, empty, ``False``,
``UnknownTicket``, ``UnknownAgent``), never a driver's encoding error."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.errors import UnknownAgent, UnknownTicket
from helpdesk_routing.model import Agent, Role, Team, Ticket
from helpdesk_routing.records import RotationState, TicketQuery, TicketRecord
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.adapters import StoreFactory

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)
LONE = json.loads('"\\ud800"')  # a lone surrogate, as a JSON body can carry one
BAD = ["a\x00b", LONE, "t" + LONE, "\x00"]
AGENTS = [Agent(id="a1", name="Ann"), Agent(id="m1", name="Max", role=Role.MANAGER)]


def _record(tid: str, minute: int = 0, channel: str = "email") -> TicketRecord:
    ticket = Ticket(id=tid, channel=channel, created_at=T0 + timedelta(minutes=minute))
    return TicketRecord(ticket=ticket, assignee="a1", team="t", views=frozenset({"v"}))


@pytest.mark.parametrize("bad", BAD, ids=repr)
def test_a_unit_of_work_finds_nothing_under_an_id_no_store_keeps(
    store_factory: StoreFactory, request: pytest.FixtureRequest, bad: str
) -> None:
    """Each id lookup of a unit answers as for an unknown id, and the unit commits."""
    store = store_factory(request, AGENTS)
    with store.transaction() as tx:
        tx.add_ticket(_record("t1"))
    with store.transaction() as tx:
        assert tx.get_ticket(bad) is None
        assert tx.get_agent(bad) is None
        assert tx.is_online(bad) is False
        assert tx.open_load(bad) == 0
        assert tx.audit(bad) == []
        assert tx.rotation(bad) == RotationState()
        for query in (
            TicketQuery(assignee=bad, statuses=None),
            TicketQuery(team=bad, statuses=None),
            TicketQuery(view=bad, statuses=None),
            TicketQuery(channels=frozenset({bad}), statuses=None),
        ):
            assert tx.find_tickets(query) == []
        both = TicketQuery(channels=frozenset({bad, "email"}), statuses=None)
        assert [r.id for r in tx.find_tickets(both)] == ["t1"]
        with pytest.raises(UnknownAgent):
            tx.set_online(bad, True, T0)
        with pytest.raises(UnknownAgent):
            tx.remove_agent(bad)
        tx.set_online("a1", True, T0)  # the unit goes on and commits
    with store.transaction() as tx:
        assert tx.is_online("a1")


@pytest.mark.parametrize("newest_first", [False, True])
@pytest.mark.parametrize("after", ["t", "t\x00", "t\x00z", "t" + LONE, "t" + LONE + "z", LONE])
def test_a_keyset_cursor_no_store_keeps_pages_as_the_reference_semantics(
    store_factory: StoreFactory, request: pytest.FixtureRequest, after: str, newest_first: bool
) -> None:
    """``after`` naming an id no store can keep is still a place in (created_at, id)
    order: the page holds exactly the tickets ``TicketQuery.matches`` says."""
    store = store_factory(request, AGENTS)
    ids = ["t", "t\x01", "ta", "t\ud7ff", "t\ue000", "t\U0010ffff", "u", "\ud7ff", "\ue000"]
    records = [_record(tid) for tid in ids] + [_record("early", -1), _record("late", 1)]
    with store.transaction() as tx:
        for record in records:
            tx.add_ticket(record)
    query = TicketQuery(statuses=None, after=(T0, after), newest_first=newest_first)
    expected = sorted(
        (r for r in records if query.matches(r)),
        key=lambda r: (r.ticket.created_at, r.id),
        reverse=newest_first,
    )
    with store.transaction() as tx:
        assert [r.id for r in tx.find_tickets(query)] == [r.id for r in expected]


@pytest.mark.parametrize("bad", BAD, ids=repr)
def test_the_router_finds_no_ticket_or_agent_under_an_id_no_store_keeps(
    store_factory: StoreFactory, request: pytest.FixtureRequest, bad: str
) -> None:
    """Every Router operation and view given such an id answers UnknownTicket,
    UnknownAgent or an empty page, alike on every adapter."""
    store = store_factory(request, AGENTS)
    router = Router(
        rules=RuleSet(),
        teams=[Team(id="help", name="Help", members=("a1",))],
        store=store,
        customer_data=InMemoryCustomerData(profiles=[], events=[]),
        clock=ManualClock(T0),
    )
    router.route(Ticket(id="t1", channel="email", created_at=T0))
    ticket: list[Callable[[], object]] = [
        lambda: router.ticket(bad),
        lambda: router.assign(bad, to="a1", actor="m1"),
        lambda: router.unassign(bad, actor="m1"),
        lambda: router.set_status(bad, "closed", actor="m1"),
        lambda: router.reply(bad, actor="m1"),
        lambda: router.assign_to_team([bad], team="help", actor="m1"),
    ]
    agent: list[Callable[[], object]] = [
        lambda: router.assign("t1", to=bad, actor="m1"),
        lambda: router.assign("t1", to="a1", actor=bad),
        lambda: router.set_online(bad, True, actor="m1"),
        lambda: router.remove_agent(bad, actor="m1"),
    ]
    for call in ticket:
        with pytest.raises(UnknownTicket):
            call()
    for call in agent:
        with pytest.raises(UnknownAgent):
            call()
    with pytest.raises(UnknownTicket):
        router.history(bad)
    with pytest.raises(UnknownTicket):
        router.reroute(bad, actor="m1")
    with pytest.raises(UnknownAgent):
        router.views.my_inbox(bad)
    assert router.views.saved(bad).ids == []
    assert router.views.all_tickets(channels=bad).ids == []
