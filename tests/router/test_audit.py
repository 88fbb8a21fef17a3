"""The audit trail: history, replay, and routing the same id from two threads."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from helpdesk_routing.audit import TicketState, replay
from helpdesk_routing.decision import RoutingDecision
from helpdesk_routing.model import TicketStatus
from helpdesk_routing.records import AuditRecord, TicketQuery
from tests.router.conftest import Desk

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)


def test_history_lists_every_change_of_a_ticket_in_order(desk: Desk) -> None:
    """history() holds one record per change, with the state after it and who acted."""
    desk.online("a1", "a2", "a3")
    desk.router.route(desk.ticket("t1"))
    desk.router.assign("t1", to="a4", actor="m1")
    desk.router.set_status("t1", "pending", actor="a4")
    desk.router.unassign("t1", actor="a4")
    desk.router.assign_to_team("t1", team="retention", actor="m1")
    trail = [
        (r.action, r.actor, r.team, r.assignee, r.status, r.automatic, r.pool)
        for r in desk.router.history("t1")
    ]
    assert trail == [
        ("routed", None, None, "a1", TicketStatus.OPEN, True, "global"),
        ("assigned", "m1", None, "a4", TicketStatus.OPEN, False, None),
        ("status", "a4", None, "a4", TicketStatus.PENDING, False, None),
        ("unassigned", "a4", None, None, TicketStatus.PENDING, False, None),
        ("team_assigned", "m1", "retention", None, TicketStatus.PENDING, False, None),
    ]


def test_configuration_changes_are_audited(desk: Desk) -> None:
    """The first version and each of set_round_robin, set_teams and set_rules append one
    ``configured`` record naming the actor, the version and the fields that changed."""
    desk.router.set_round_robin(False, actor="o1")
    desk.router.set_teams(list(desk.router.teams)[:1], actor="ad1")
    desk.router.set_rules(desk.router.rules, actor="m1")
    with desk.store.transaction() as tx:
        log = tx.audit()
    assert [(r.action, r.actor, r.detail) for r in log] == [
        ("configured", None, {"version": 1, "changed": ["rules", "teams", "office_hours"]}),
        ("configured", "o1", {"version": 2, "changed": ["round_robin"]}),
        ("configured", "ad1", {"version": 3, "changed": ["teams"]}),
        ("configured", "m1", {"version": 4, "changed": []}),
    ]


def test_unchanged_state_writes_no_record(desk: Desk) -> None:
    """Setting the presence, assignee or status a ticket already has writes nothing."""
    desk.online("a1")
    desk.router.route(desk.ticket("t1"))
    with desk.store.transaction() as tx:
        before = tx.audit()
    assert desk.router.set_online("a1", True, actor="a1") == []
    desk.router.assign("t1", to="a1", actor="a1")
    desk.router.set_status("t1", "open", actor="a1")
    with desk.store.transaction() as tx:
        assert tx.audit() == before


def test_replay_rebuilds_tickets_and_presence(desk: Desk) -> None:
    """Replaying the log gives the stored team, assignee, status, views and presence."""
    desk.online("a1", "a2")
    desk.router.route(desk.ticket("t1"))
    desk.router.route(desk.ticket("t2", tags=frozenset({"Return"})))
    desk.online("a2", online=False)
    desk.router.set_status("t1", "closed", actor="a1")
    with desk.store.transaction() as tx:
        state = replay(tx.audit())
        records = tx.find_tickets(TicketQuery(statuses=None))
    assert state.tickets == {
        r.id: TicketState(r.team, r.assignee, r.status, r.views) for r in records
    }
    assert state.online_agents() == ["a1"]


def test_replay_of_hand_made_records() -> None:
    """replay applies records in order, each carrying the state after its change."""
    log = [
        AuditRecord(at=T0, actor="a1", action="presence", agent_id="a1", online=True),
        AuditRecord(
            at=T0,
            actor=None,
            action="routed",
            ticket_id="t1",
            assignee="a1",
            status=TicketStatus.OPEN,
            detail={"views": ["urgent"]},
        ),
        AuditRecord(
            at=T0,
            actor="m1",
            action="team_assigned",
            ticket_id="t1",
            team="x",
            status=TicketStatus.OPEN,
        ),
        AuditRecord(at=T0, actor="m1", action="rules", detail={"rules": []}),
        AuditRecord(at=T0, actor="a1", action="presence", agent_id="a1", online=False),
    ]
    state = replay(log)
    assert state.tickets == {"t1": TicketState("x", None, TicketStatus.OPEN, frozenset({"urgent"}))}
    assert state.online == {"a1": False}
    assert state.online_agents() == []


def test_two_threads_routing_one_id_store_one_decision(desk: Desk) -> None:
    """Routing the same ticket from two threads at once stores it once; both get one decision."""
    desk.online("a1", "a2")
    ticket = desk.ticket("t1")
    barrier = threading.Barrier(2)
    decisions: list[RoutingDecision] = []

    def work() -> None:
        barrier.wait()
        decisions.append(desk.router.route(ticket))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(decisions) == 2
    assert decisions[0] == decisions[1]
    assert [r.action for r in desk.router.history("t1")] == ["routed"]
    with desk.store.transaction() as tx:
        assert tx.rotation("global").given == 1


def test_a_reply_is_audited_with_whether_it_was_public(desk: Desk) -> None:
    """reply() appends one 'replied' record naming the agent and saying public or not."""
    desk.online("a1")
    desk.router.route(desk.ticket("t1"))
    note = desk.router.reply("t1", actor="a1", public=False)
    answer = desk.router.reply("t1", actor="a1")
    assert (note.action, note.actor, note.detail) == ("replied", "a1", {"public": False})
    assert answer.detail == {"public": True}
    assert [r.action for r in desk.router.history("t1")] == ["routed", "replied", "replied"]
