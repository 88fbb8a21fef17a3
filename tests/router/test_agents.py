"""Agents are managed through the Router: audited and role-checked."""

from __future__ import annotations

import pytest

from helpdesk_routing import metrics
from helpdesk_routing.audit import replay
from helpdesk_routing.errors import ConflictError, PermissionDenied, UnknownAgent
from helpdesk_routing.model import Agent, Role
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.router.conftest import Desk


def test_add_agent_stores_an_offline_agent_and_audits_it(desk: Desk) -> None:
    """A manager adds an agent: stored, Offline, one ``agent_added`` record naming both."""
    desk.router.add_agent(Agent(id="a9", name="Ida"), actor="m1")
    with desk.store.transaction() as tx:
        assert tx.get_agent("a9") == Agent(id="a9", name="Ida")
        assert not tx.is_online("a9")
        record = tx.audit()[-1]
    assert (record.action, record.actor, record.agent_id) == ("agent_added", "m1", "a9")
    desk.online("a9")
    assert desk.route() == "a9"


def test_update_agent_keeps_presence(desk: Desk) -> None:
    """An admin changes an Online agent's capacity; they stay Online, the change is audited."""
    desk.online("a1")
    desk.router.update_agent(Agent(id="a1", name="Ann", capacity=0), actor="ad1")
    with desk.store.transaction() as tx:
        assert tx.is_online("a1")
        assert tx.get_agent("a1") == Agent(id="a1", name="Ann", capacity=0)
        assert tx.audit()[-1].action == "agent_updated"
    assert desk.route() is None  # capacity 0: nobody may take it


def test_agent_changes_are_refused_cleanly(desk: Desk) -> None:
    """Support may not manage agents; an existing id cannot be added, an unknown one not
    updated; nothing is written."""
    before = desk.snapshot()
    with pytest.raises(PermissionDenied, match=r"^agent 'a1' \(support\) may not manage agents$"):
        desk.router.add_agent(Agent(id="a9"), actor="a1")
    with pytest.raises(ConflictError, match=r"^agent 'a2' already exists$"):
        desk.router.add_agent(Agent(id="a2", role=Role.ADMIN), actor="o1")
    with pytest.raises(UnknownAgent, match=r"^unknown agent 'zz'$"):
        desk.router.update_agent(Agent(id="zz"), actor="o1")
    assert desk.snapshot() == before


def test_remove_agent_forgets_an_online_agent_and_audits_it(desk: Desk) -> None:
    """An owner removes an Online agent with no open tickets and no team: gone from the
    store and the pool, one ``agent_removed`` record; their history stays."""
    desk.online("a1")
    tid = desk.router.route(desk.ticket()).ticket_id
    desk.router.set_status(tid, "closed", actor="a1")
    desk.router.remove_agent("a1", actor="o1")
    with desk.store.transaction() as tx:
        assert tx.get_agent("a1") is None
        assert "a1" not in tx.online_agents()
        presence, record = tx.audit()[-2:]
    assert (record.action, record.actor, record.agent_id) == ("agent_removed", "o1", "a1")
    # gone is Offline, in the log too: else every later report reads them as Online
    assert (presence.action, presence.agent_id, presence.online) == ("presence", "a1", False)
    assert [r.action for r in desk.router.history(tid)] == ["routed", "status"]
    assert desk.route() is None  # nobody Online any more: the next ticket waits
    desk.router.add_agent(Agent(id="a1"), actor="o1")  # back as a new agent, Offline
    start = desk.clock.now()
    desk.clock.advance(hours=1)
    report = metrics.report(desk.store, InMemoryCustomerData(), start, desk.clock.now())
    assert "a1" not in report.always_online


def test_removing_an_offline_agent_writes_no_presence(desk: Desk) -> None:
    """An agent removed while Offline: only ``agent_removed``."""
    desk.router.remove_agent("a1", actor="o1")
    with desk.store.transaction() as tx:
        assert [r.action for r in tx.audit()[-1:]] == ["agent_removed"]
        assert "presence" not in [r.action for r in tx.audit() if r.agent_id == "a1"]


def test_remove_agent_is_refused_while_anything_points_at_them(desk: Desk) -> None:
    """A team member or an agent with a ticket not closed cannot be removed; support may
    not remove; an unknown id is UnknownAgent; nothing is written."""
    desk.online("a1")
    desk.route()  # a1 takes it
    before = desk.snapshot()
    with pytest.raises(
        ConflictError,
        match=r"^agent 'a2' is a member of team\(s\) 'retention'; remove them from the team first$",
    ):
        desk.router.remove_agent("a2", actor="m1")
    with pytest.raises(
        ConflictError, match=r"^agent 'a1' has 1 ticket\(s\) that are not closed; reassign"
    ):
        desk.router.remove_agent("a1", actor="m1")
    with pytest.raises(PermissionDenied, match=r"may not manage agents$"):
        desk.router.remove_agent("a4", actor="a1")
    with pytest.raises(UnknownAgent, match=r"^unknown agent 'zz'$"):
        desk.router.remove_agent("zz", actor="o1")
    assert desk.snapshot() == before


@pytest.mark.parametrize("status", ["open", "pending"])
def test_a_removed_agents_closed_ticket_reopened_waits_for_someone_who_exists(
    desk: Desk, status: str
) -> None:
    """Reopening a closed ticket of a removed agent (by status or by reroute) clears its
    assignee: it waits, in the views, instead of being open for nobody who exists (it was
    in no view, and the store counted it as the removed agent's load)."""
    desk.online("a1")
    desk.router.route(desk.ticket("t1"))
    desk.router.route(desk.ticket("t2"))
    for tid in ("t1", "t2"):
        desk.router.set_status(tid, "closed", actor="m1")
    desk.router.remove_agent("a1", actor="m1")
    record = desk.router.set_status("t1", status, actor="m1")
    assert record.assignee is None
    assert desk.router.ticket("t1").assignee is None
    reopened = desk.router.ticket("t2").ticket.model_copy(update={"status": status})
    assert desk.router.reroute("t2", actor="m1", ticket=reopened).assignee is None
    waiting = desk.router.views.unassigned(statuses=None).ids
    assert {"t1", "t2"} <= set(waiting)
    with desk.store.transaction() as tx:
        assert tx.open_load("a1") == 0
        assert replay(tx.audit()).tickets["t1"].assignee is None


def test_a_closed_ticket_of_an_agent_still_here_keeps_its_assignee_when_reopened(
    desk: Desk,
) -> None:
    """Only a removed agent is let go of: reopening keeps an existing assignee."""
    desk.online("a1")
    desk.router.route(desk.ticket("t1"))
    desk.router.set_status("t1", "closed", actor="m1")
    assert desk.router.set_status("t1", "open", actor="m1").assignee == "a1"


def test_managing_agents_stays_within_the_actors_rank(desk: Desk) -> None:
    """A manager may not make anyone (themselves included) admin or owner, nor change or
    remove the owner or an admin; nothing is written. Within their rank they may."""
    before = desk.snapshot()
    with desk.store.transaction() as tx:
        agents = tx.agents()
    refused = [
        (
            lambda: desk.router.update_agent(Agent(id="m1", role=Role.OWNER), actor="m1"),
            r"^agent 'm1' \(manager\) may not give the role owner$",
        ),
        (
            lambda: desk.router.add_agent(Agent(id="boss", role=Role.ADMIN), actor="m1"),
            r"^agent 'm1' \(manager\) may not give the role admin$",
        ),
        (
            lambda: desk.router.update_agent(Agent(id="o1", role=Role.SUPPORT), actor="m1"),
            r"^agent 'm1' \(manager\) may not change agent 'o1' \(owner\)$",
        ),
        (
            lambda: desk.router.remove_agent("ad1", actor="m1"),
            r"^agent 'm1' \(manager\) may not change agent 'ad1' \(admin\)$",
        ),
        (
            lambda: desk.router.update_agent(Agent(id="o1", role=Role.OWNER), actor="ad1"),
            r"^agent 'ad1' \(admin\) may not change agent 'o1' \(owner\)$",
        ),
    ]
    for call, message in refused:
        with pytest.raises(PermissionDenied, match=message):
            call()
    assert desk.snapshot() == before
    with desk.store.transaction() as tx:
        assert tx.agents() == agents
    desk.router.add_agent(Agent(id="m2", role=Role.MANAGER), actor="m1")
    desk.router.update_agent(Agent(id="a1", role=Role.MANAGER), actor="m1")
    desk.router.update_agent(Agent(id="ad1", role=Role.SUPPORT), actor="o1")
    desk.router.remove_agent("m2", actor="m1")
    with desk.store.transaction() as tx:
        roles = {a.id: a.role for a in tx.agents()}
    assert (roles["a1"], roles["ad1"], "m2" in roles) == (Role.MANAGER, Role.SUPPORT, False)


def test_the_last_agent_who_may_manage_agents_stays(desk: Desk) -> None:
    """Demoting or removing the last owner, admin or manager is a ConflictError: nobody
    could manage agents or configure after it. With another one left, it is allowed."""
    desk.router.update_agent(Agent(id="m1", role=Role.SUPPORT), actor="o1")
    desk.router.update_agent(Agent(id="ad1", role=Role.SUPPORT), actor="o1")
    before = desk.snapshot()
    last = r"^agent 'o1' is the last agent who may manage agents"
    with pytest.raises(ConflictError, match=last):
        desk.router.update_agent(Agent(id="o1", role=Role.SUPPORT), actor="o1")
    with pytest.raises(ConflictError, match=last):
        desk.router.remove_agent("o1", actor="o1")
    assert desk.snapshot() == before
    desk.router.update_agent(Agent(id="a1", role=Role.MANAGER), actor="o1")
    desk.router.update_agent(Agent(id="o1", role=Role.SUPPORT), actor="o1")  # a1 remains
    with desk.store.transaction() as tx:
        assert {a.id for a in tx.agents() if a.role is not Role.SUPPORT} == {"a1"}
