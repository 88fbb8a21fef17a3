"""Removing an agent on PostgreSQL while other units give them a ticket or a team.

Memory and SQLite run one writer at a time; PostgreSQL runs units side by side. Each
test stops one unit at a chosen point with a lock a plain connection holds, runs the
other meanwhile, and checks the outcome a serial order would give: nothing may point
at an agent who is gone (``docs/assignment.md``, Agents). On the old code each removal
succeeded, leaving an open ticket assigned to, or a team member who is, a removed agent.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.errors import ConflictError, UnknownAgent
from helpdesk_routing.model import Agent, Team, Ticket, TicketStatus
from helpdesk_routing.records import TicketQuery
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from helpdesk_routing.stores.postgres import PostgresStore
from tests.stores.pg_locking import Run, waiting

pytestmark = [pytest.mark.postgres, pytest.mark.serial]

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)
_LOAD_LOCK = (
    "SELECT pg_advisory_xact_lock(1212696663, "
    "hashtext(json_build_array(current_schema(), %s::text)::text))"
)
"""An agent's load lock, keyed as ``stores/postgres/_transaction.py`` keys it."""


@pytest.fixture
def store(pg_dsn: str) -> Iterator[PostgresStore]:
    agents = [Agent(id="a1"), Agent(id="a3"), Agent(id="m1", role="manager")]
    with PostgresStore(pg_dsn, agents=agents, max_size=6) as store:
        yield store


@pytest.fixture
def router(store: PostgresStore) -> Router:
    return Router(
        rules=RuleSet(),
        teams=[Team(id="x", members=["a1"])],
        store=store,
        customer_data=InMemoryCustomerData(),
        clock=ManualClock(T0),
    )


@pytest.fixture
def other(pg_dsn: str) -> Iterator[Any]:
    """A plain connection to the store's schema, in a transaction the test ends."""
    import psycopg

    with psycopg.connect(pg_dsn) as conn:
        yield conn
        conn.rollback()


def _scan(tx: Any, known: set[str]) -> list[str]:
    """The tickets not closed whose assignee is no stored agent."""
    query = TicketQuery(statuses=frozenset({TicketStatus.OPEN, TicketStatus.PENDING}))
    return [r.id for r in tx.find_tickets(query) if r.assignee not in known | {None}]


def test_a_removal_waits_for_a_route_that_gives_the_agent_a_ticket(
    store: PostgresStore, router: Router, other: Any
) -> None:
    """A route has chosen a3 (Online) and not committed. ``remove_agent("a3")`` must wait
    for it and then refuse: a3 has an open ticket. (It counted a3's tickets before the
    route committed, then removed a3 under the new open ticket.)"""
    router.set_online("a3", True, actor="a3")
    # The route's insert of t1 waits for this uncommitted row of the same id: the route
    # has taken its round-robin step (a3 chosen, the global rotation locked) by then.
    other.execute(
        "INSERT INTO tickets (id, created, status, channel, record) "
        "VALUES ('t1', now(), 'open', 'email', '{}')"
    )
    route = Run(lambda: router.route(Ticket(id="t1", channel="email", created_at=T0)))
    waiting(other, 1, "route")
    remove = Run(lambda: router.remove_agent("a3", actor="m1"))
    waiting(other, 2, "remove_agent")
    other.rollback()
    decision = route.result()
    assert getattr(decision, "assignee", None) == "a3"
    refused = remove.result()
    assert isinstance(refused, ConflictError)
    assert str(refused) == "agent 'a3' has 1 ticket(s) that are not closed; reassign them first"
    assert router.ticket("t1").assignee == "a3"
    with store.transaction() as tx:
        assert tx.get_agent("a3") is not None
        assert _scan(tx, {a.id for a in tx.agents()}) == []


def test_a_removal_that_counted_first_refuses_a_team_stored_meanwhile(
    store: PostgresStore, router: Router, other: Any
) -> None:
    """``remove_agent("a3")`` has checked the teams and waits for a3's load lock; a
    ``configure`` making a3 a member of team x commits meanwhile. The removal must then
    refuse (it removed a member of a stored team, and every later ``configure`` carrying
    the teams over was refused with ``UnknownAgent``)."""
    other.execute(_LOAD_LOCK, ("a3",))
    remove = Run(lambda: router.remove_agent("a3", actor="m1"))
    waiting(other, 1, "remove_agent")
    stored = router.configure(actor="m1", teams=[Team(id="x", members=["a1", "a3"])])
    other.commit()
    refused = remove.result()
    assert isinstance(refused, ConflictError)
    assert str(refused) == "agent 'a3' is a member of team(s) 'x'; remove them from the team first"
    with store.transaction() as tx:
        assert tx.get_agent("a3") is not None
    assert router.configuration.version == stored.version
    router.configure(actor="m1", round_robin=False)  # the teams still name known agents


def test_a_configuration_naming_an_agent_being_removed_waits_and_is_refused(
    store: PostgresStore, router: Router, other: Any
) -> None:
    """Another unit has removed a3 and not committed. ``configure`` making a3 a member
    must wait for it and then refuse with ``UnknownAgent`` (it looked a3 up before the
    removal committed and stored a team naming a removed agent)."""
    before = router.configuration.version
    other.execute("DELETE FROM agents WHERE id = 'a3'")
    edit = Run(lambda: router.configure(actor="m1", teams=[Team(id="x", members=["a1", "a3"])]))
    waiting(other, 1, "configure")
    other.commit()
    refused = edit.result()
    assert isinstance(refused, UnknownAgent)
    assert str(refused) == "unknown agent 'a3'"
    assert router.configuration.version == before


def test_an_assignment_to_an_agent_being_removed_waits_and_is_refused(
    store: PostgresStore, router: Router, other: Any
) -> None:
    """``remove_agent("a3")`` has counted a3's tickets and waits to delete a3's row
    (which ``other`` holds). ``assign(t0, to="a3")`` must wait for the removal and then
    refuse with ``UnknownAgent`` (it assigned t0 to a3, then a3 was removed)."""
    router.route(Ticket(id="t0", channel="email", created_at=T0))
    other.execute("SELECT 1 FROM agents WHERE id = 'a3' FOR KEY SHARE")
    remove = Run(lambda: router.remove_agent("a3", actor="m1"))
    waiting(other, 1, "remove_agent")
    assign = Run(lambda: router.assign("t0", to="a3", actor="m1"))
    try:
        waiting(other, 2, "assign")
    finally:
        other.commit()
    assert remove.result() is None
    refused = assign.result()
    assert isinstance(refused, UnknownAgent)
    assert router.ticket("t0").assignee is None
    with store.transaction() as tx:
        assert _scan(tx, {a.id for a in tx.agents()}) == []


def test_a_reopen_while_the_assignee_is_removed_waits_and_drops_them(
    store: PostgresStore, router: Router, other: Any
) -> None:
    """t0 is closed, a3 its assignee. While ``remove_agent("a3")`` waits to delete a3's
    row, reopening t0 must wait for the removal and then leave t0 unassigned, as a
    reopen after the removal does (it kept a3, who was then removed under it)."""
    router.route(Ticket(id="t0", channel="email", created_at=T0))
    router.assign("t0", to="a3", actor="m1")
    router.set_status("t0", "closed", actor="m1")
    other.execute("SELECT 1 FROM agents WHERE id = 'a3' FOR KEY SHARE")
    remove = Run(lambda: router.remove_agent("a3", actor="m1"))
    waiting(other, 1, "remove_agent")
    reopen = Run(lambda: router.set_status("t0", "open", actor="m1"))
    try:
        waiting(other, 2, "set_status")
    finally:
        other.commit()
    assert remove.result() is None
    reopened = reopen.result()
    assert getattr(reopened, "assignee", "?") is None
    assert router.ticket("t0").assignee is None
    with store.transaction() as tx:
        assert _scan(tx, {a.id for a in tx.agents()}) == []
