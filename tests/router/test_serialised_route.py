"""``ports.SerialisedUnits``: a store whose units never overlap routes a new ticket by
looking its id up and inserting it once, with its assignee, instead of inserting it and
then updating it. Both paths must leave exactly the same store: records (to their JSON
and fields-sets), audit log, rotations and decisions.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing import _routing
from helpdesk_routing.allocation import LeastLoaded, RoundRobin
from helpdesk_routing.calendar import OfficeHours
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.conditions import ticket as ticket_field
from helpdesk_routing.errors import ConflictError, StoreError
from helpdesk_routing.model import Agent, Team, Ticket
from helpdesk_routing.ports import SerialisedUnits, Store, offers
from helpdesk_routing.records import TicketQuery
from helpdesk_routing.router import Router
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet, SaveAsView
from helpdesk_routing.stores.memory import InMemoryStore, InMemoryTransaction
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from helpdesk_routing.stores.sqlite import SqliteStore
from tests.router.conftest import withheld

START = datetime(2026, 3, 30, 8, 30, tzinfo=UTC)  # a Monday, half an hour before opening
AGENTS = ("a1", "a2", "a3", "a4")
TEAMS = (Team(id="t", members=("a2", "a3")),)
RULES = RuleSet(
    rules=[
        RoutingRule(id="chat", when=ticket_field("channel") == "chat", then=AssignToTeam(team="t")),
        RoutingRule(
            id="vip", when=ticket_field("tags").contains("vip"), then=SaveAsView(view="vip")
        ),
    ]
)
HOURS = OfficeHours(
    timezone="UTC", weekly={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
)


def _insert_then_update() -> contextlib.AbstractContextManager[None]:
    """The Router takes the insert-then-update path of a store whose units overlap."""
    return withheld(_routing, "SerialisedUnits")


def _router(store: Store, clock: ManualClock, allocator: Any, capacity: int | None) -> Router:
    return Router(
        rules=RULES,
        teams=TEAMS,
        store=store,
        customer_data=InMemoryCustomerData(),
        clock=clock,
        office_hours=HOURS,
        office_hours_channels=("chat",),
        allocator=allocator,
        capacity=capacity,
    )


def _state(store: Store) -> tuple[object, ...]:
    """Everything stored, with each record's JSON and fields-set."""
    with store.transaction() as tx:
        records = tx.find_tickets(TicketQuery(statuses=None))
        return (
            [(r.model_dump_json(), sorted(r.__pydantic_fields_set__)) for r in records],
            [(a.model_dump_json(), sorted(a.__pydantic_fields_set__)) for a in tx.audit()],
            {p: tx.rotation(p).model_dump_json() for p in ("global", "team:t")},
            {a: tx.open_load(a) for a in AGENTS},
        )


_steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("route"),
            st.integers(0, 6),  # ticket number: repeats route an id again
            st.sampled_from(("chat", "email", "sms")),
            st.booleans(),  # tagged vip
        ),
        st.tuples(st.just("presence"), st.sampled_from(AGENTS), st.booleans()),
        st.tuples(st.just("close"), st.integers(0, 6)),
        st.tuples(st.just("wait"), st.integers(1, 120)),  # minutes
    ),
    max_size=30,
)


def _play(store: Store, steps: list[tuple[Any, ...]], allocator: Any, capacity: int | None) -> Any:
    clock = ManualClock(START)
    router = _router(store, clock, allocator, capacity)
    answers: list[object] = []
    for step in steps:
        clock.advance(seconds=1)
        kind = step[0]
        try:
            if kind == "route":
                _, n, channel, vip = step
                ticket = Ticket(
                    id=f"x{n}",
                    channel=channel,
                    created_at=START,
                    tags=frozenset({"vip"} if vip else ()),
                )
                decision = router.route(ticket)
                answers.append(decision.model_dump_json())
            elif kind == "presence":
                _, agent, online = step
                given = router.set_online(agent, online, actor=agent)
                answers.append([r.model_dump_json() for r in given])
            elif kind == "close":
                record = router.set_status(f"x{step[1]}", "closed", actor="a1")
                answers.append(record.model_dump_json())
            else:
                clock.advance(minutes=step[1])
        except (ConflictError, LookupError) as error:
            answers.append(type(error).__name__)
    return answers


@settings(max_examples=60, deadline=None)
@given(
    steps=_steps,
    allocator=st.sampled_from((RoundRobin(), LeastLoaded())),
    capacity=st.none() | st.integers(0, 2),
)
def test_the_serialised_route_stores_what_insert_then_update_stores(
    steps: list[tuple[Any, ...]], allocator: Any, capacity: int | None
) -> None:
    agents = [Agent(id=a) for a in AGENTS]
    serialised = InMemoryStore(agents=agents)
    answers = _play(serialised, steps, allocator, capacity)
    with _insert_then_update():
        other = InMemoryStore(agents=agents)
        other_answers = _play(other, steps, allocator, capacity)
    assert answers == other_answers
    assert _state(serialised) == _state(other)


def test_sqlite_routes_the_same_both_ways(tmp_path: Path) -> None:
    steps: list[tuple[Any, ...]] = [
        ("presence", "a1", True),
        ("presence", "a2", True),
        ("route", 1, "email", True),
        ("route", 2, "chat", False),  # bound channel, before opening: waits
        ("route", 1, "email", True),  # the same ticket again
        ("wait", 40),
        ("route", 3, "chat", False),
        ("route", 4, "sms", False),
        ("close", 1),
    ]
    agents = [Agent(id=a) for a in AGENTS]
    serialised = SqliteStore(tmp_path / "one.db", agents=agents)
    answers = _play(serialised, steps, RoundRobin(), None)
    with _insert_then_update():
        other = SqliteStore(tmp_path / "two.db", agents=agents)
        other_answers = _play(other, steps, RoundRobin(), None)
    assert answers == other_answers
    assert _state(serialised) == _state(other)
    with serialised.transaction() as tx:
        assert offers(tx, SerialisedUnits)


def test_the_shipped_stores_say_whether_their_units_overlap() -> None:
    from helpdesk_routing.stores.postgres._transaction import PostgresTransaction
    from helpdesk_routing.stores.sqlite._transaction import SqliteTransaction

    assert InMemoryTransaction.units_serialised is True
    assert SqliteTransaction.units_serialised is True
    # PostgreSQL units overlap: a route inserts first, so a second process routing the
    # same id waits for the first one's insert.
    assert not hasattr(PostgresTransaction, "units_serialised")
    store = InMemoryStore()
    with store.transaction() as tx:
        assert isinstance(tx, SerialisedUnits)


def test_a_store_that_declares_it_wrongly_gets_a_store_error_and_keeps_everything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A transaction that says its units never overlap, yet finds the id stored when it
    inserts (another unit wrote it): the route fails with ``StoreError`` and its unit is
    undone, the stored ticket and the rotation as they were."""
    store = InMemoryStore(agents=[Agent(id=a) for a in AGENTS])
    clock = ManualClock(START + timedelta(hours=1))
    router = _router(store, clock, RoundRobin(), None)
    router.set_online("a1", True, actor="a1")
    ticket = Ticket(id="x1", channel="email", created_at=START)
    router.route(ticket)
    before = _state(store)
    monkeypatch.setattr(InMemoryTransaction, "get_ticket", lambda self, tid: None)
    with pytest.raises(StoreError, match=r"x1.*SerialisedUnits"):
        router.route(ticket)
    monkeypatch.undo()
    assert _state(store) == before
