"""semantics.md section 3 (Assignment), sentence by sentence, on every store adapter."""

from __future__ import annotations

from collections import Counter

import pytest

from helpdesk_routing.allocation import LeastLoaded, RoundRobin
from helpdesk_routing.errors import PermissionDenied
from helpdesk_routing.model import Agent, Profile, TicketStatus
from tests.router.conftest import MONDAY_10, MONDAY_20, OFFICE_HOURS, Desk, MakeDesk

# -- "Three ways a ticket gets an assignee" ----------------------------------------------


def test_tag_routing_to_a_team_assigns_a_member_of_the_team(desk: Desk) -> None:
    """A ticket with one of a team's tags goes to that team and to one of its members."""
    desk.online("a1", "a2", "a3")
    decision = desk.router.route(desk.ticket(tags=frozenset({"Return"})))
    assert decision.team == "retention"
    assert decision.assignee in {"a2", "a3"}


def test_segment_routing_to_a_team_assigns_a_member_of_the_team(make_desk: MakeDesk) -> None:
    """A ticket from a customer in a team's segment goes to that team's member."""
    desk = make_desk(profiles=[Profile(id="p1", segments=frozenset({"fr"}))])
    desk.online("a1", "a4")
    decision = desk.router.route(desk.ticket(profile_id="p1"))
    assert (decision.team, decision.assignee) == ("france", "a4")


def test_round_robin_is_the_automatic_way(desk: Desk) -> None:
    """A ticket with no team is assigned automatically by round robin."""
    desk.online("a1")
    decision = desk.router.route(desk.ticket())
    assert decision.assignee == "a1"
    assert desk.router.history(decision.ticket_id)[-1].automatic


def test_manual_assignment_by_a_person_is_the_third_way(desk: Desk) -> None:
    """A person can assign a ticket; the audit records them, not round robin."""
    desk.router.route(desk.ticket("t1"))
    desk.router.assign("t1", to="a2", actor="m1")
    last = desk.router.history("t1")[-1]
    assert (desk.assignee("t1"), last.actor, last.automatic) == ("a2", "m1", False)


# -- Round robin -------------------------------------------------------------------------


def test_round_robin_gives_each_new_ticket_to_the_next_online_agent(desk: Desk) -> None:
    """New tickets go to the Online agents in rotating (id) order."""
    desk.online("a3", "a1", "a2")
    assert [desk.route() for _ in range(7)] == ["a1", "a2", "a3", "a1", "a2", "a3", "a1"]


def test_offline_agents_are_never_given_tickets(desk: Desk) -> None:
    """An Offline agent is skipped by round robin."""
    desk.online("a1", "a2", "a3")
    desk.online("a2", online=False)
    assert {desk.route() for _ in range(6)} == {"a1", "a3"}


def test_logged_out_agents_are_offline(desk: Desk) -> None:
    """Agents who never came Online get nothing: the ticket waits Unassigned."""
    decision = desk.router.route(desk.ticket("t1"))
    assert decision.assignee is None
    assert decision.allocation is not None
    assert decision.allocation.waiting
    assert desk.router.views.unassigned().ids == ["t1"]


def test_each_agent_sets_their_own_status(desk: Desk) -> None:
    """An agent may set themselves Online and Offline."""
    desk.router.set_online("a1", True, actor="a1")
    with desk.store.transaction() as tx:
        assert tx.is_online("a1")
    desk.router.set_online("a1", False, actor="a1")
    with desk.store.transaction() as tx:
        assert not tx.is_online("a1")


@pytest.mark.parametrize("actor", ["a2", "m1", "ad1", "o1"])
def test_nobody_can_set_another_agents_status(desk: Desk, actor: str) -> None:
    """Not even an owner can set another agent's status."""
    with pytest.raises(PermissionDenied) as info:
        desk.router.set_online("a1", True, actor=actor)
    assert str(info.value) == f"agent {actor!r} may not set the status of agent 'a1'"
    with desk.store.transaction() as tx:
        assert not tx.is_online("a1")


def test_agents_do_not_come_online_when_office_hours_begin(make_desk: MakeDesk) -> None:
    """Opening time changes nobody's presence: a waiting ticket still waits for an agent."""
    desk = make_desk(start=MONDAY_20)
    desk.router.route(desk.ticket("t1", channel="webchat"))
    desk.clock.set(MONDAY_10.replace(day=31))
    assert desk.router.assign_waiting() == []
    with desk.store.transaction() as tx:
        assert list(tx.online_agents()) == []
    assert desk.assignee("t1") is None


def test_one_agent_online_gets_every_ticket_until_another_comes_online(desk: Desk) -> None:
    """With one agent Online they get everything; once another comes, rotation resumes."""
    desk.online("a2")
    assert [desk.route() for _ in range(3)] == ["a2", "a2", "a2"]
    desk.online("a3")
    assert [desk.route() for _ in range(2)] == ["a3", "a2"]


def test_one_global_pool_for_every_channel(desk: Desk) -> None:
    """Tickets of different channels share one rotation, not one per channel."""
    desk.online("a1", "a2")
    got = [desk.route(channel=c) for c in ("email", "sms", "email", "sms")]
    assert got == ["a1", "a2", "a1", "a2"]


def test_a_team_ticket_rotates_among_the_teams_online_members(desk: Desk) -> None:
    """Team tickets go only to the team's Online members, in turn."""
    desk.online("a1", "a2", "a3")
    got = [desk.route(tags=frozenset({"Return"})) for _ in range(4)]
    assert got == ["a2", "a3", "a2", "a3"]


def test_a_team_ticket_skips_offline_members_and_says_so(desk: Desk) -> None:
    """An Offline member gets no team ticket, and the explanation names them."""
    desk.online("a1", "a2")
    assert desk.route(tags=frozenset({"Return"})) == "a2"
    decision = desk.router.route(desk.ticket(tags=frozenset({"Return"})))
    assert decision.assignee == "a2"
    assert decision.allocation is not None
    assert decision.allocation.summary == "a2: next online agent after a2 in rotation; a3 offline"


def test_team_and_global_rotations_do_not_disturb_each_other(desk: Desk) -> None:
    """Team hand-outs do not move the global rotation, nor the reverse."""
    desk.online("a1", "a2", "a3")
    assert desk.route() == "a1"
    assert desk.route(tags=frozenset({"Return"})) == "a2"
    assert desk.route() == "a2"
    assert desk.route(tags=frozenset({"Return"})) == "a3"
    assert desk.route() == "a3"


def test_mass_assignment_to_a_team_hands_out_in_turn(desk: Desk) -> None:
    """assign_to_team gives the tickets in turn to the team's Online members."""
    for i in range(1, 5):
        desk.router.route(desk.ticket(f"t{i}"))
    desk.online("a2", "a3")
    records = desk.router.assign_to_team(["t1", "t2", "t3", "t4"], team="retention", actor="m1")
    assert [(r.team, r.assignee) for r in records] == [
        ("retention", "a2"),
        ("retention", "a3"),
        ("retention", "a2"),
        ("retention", "a3"),
    ]


def test_mass_assignment_to_a_team_with_nobody_online_fills_its_inbox(desk: Desk) -> None:
    """Team tickets nobody can take wait in the team inbox, not in Unassigned."""
    desk.router.route(desk.ticket("t1"))
    desk.online("a1")
    records = desk.router.assign_to_team(["t1"], team="retention", actor="m1")
    assert [(r.team, r.assignee) for r in records] == [("retention", None)]
    assert desk.router.views.team("retention").ids == ["t1"]
    assert desk.router.views.unassigned().ids == []


def test_mass_assignment_to_a_team_clears_the_previous_assignee(desk: Desk) -> None:
    """A ticket moved to a team leaves its old assignee's inbox for a member's."""
    desk.online("a1", "a3")
    desk.router.route(desk.ticket("t1"))
    assert desk.assignee("t1") == "a1"
    desk.router.assign_to_team("t1", team="retention", actor="a1")
    assert desk.assignee("t1") == "a3"
    assert desk.router.views.my_inbox("a1").ids == []


def test_going_offline_does_not_reassign_existing_tickets(desk: Desk) -> None:
    """An agent's tickets stay theirs when they go Offline."""
    desk.online("a1", "a2")
    desk.route()
    desk.route()
    desk.online("a1", online=False)
    assert desk.router.views.my_inbox("a1").ids == ["t1"]
    assert desk.assignee("t1") == "a1"


def test_manual_assignment_does_not_disturb_the_rotation(desk: Desk) -> None:
    """Assigning by hand between routed tickets leaves the rotation where it was."""
    desk.online("a1", "a2", "a3")
    assert desk.route() == "a1"
    desk.router.route(desk.ticket("x1"))  # goes to a2 by rotation
    desk.router.assign("x1", to="a3", actor="m1")
    desk.router.unassign("x1", actor="m1")
    desk.router.assign("x1", to="a1", actor="a1")
    assert desk.route() == "a3"
    with desk.store.transaction() as tx:
        assert tx.rotation("global").given == 3


def test_self_assignment_outside_office_hours_does_not_disturb_rotation(
    make_desk: MakeDesk,
) -> None:
    """Taking a waiting webchat ticket oneself at night moves neither it nor the rotation."""
    desk = make_desk(start=MONDAY_20)
    desk.online("a1", "a2")
    desk.router.route(desk.ticket("w1", channel="webchat"))
    assert desk.assignee("w1") is None
    desk.router.assign("w1", to="a2", actor="a2")
    assert desk.assignee("w1") == "a2"
    with desk.store.transaction() as tx:
        assert tx.rotation("global").given == 0
    assert desk.route() == "a1"


@pytest.mark.parametrize("comings_and_goings", [["a4"], ["a4", "-a4", "a4"], ["-a3", "a3"]])
def test_fairness_counts_differ_by_at_most_one(desk: Desk, comings_and_goings: list[str]) -> None:
    """Agents who stay Online through a period get round-robin counts within one."""
    desk.online("a1", "a2", "a3")
    counts: Counter[str | None] = Counter()
    for change in comings_and_goings:
        for _ in range(4):
            counts[desk.route()] += 1
        agent = change.lstrip("-")
        desk.online(agent, online=not change.startswith("-"))
    for _ in range(5):
        counts[desk.route()] += 1
    stayed = [
        counts[a] for a in ("a1", "a2") + (("a3",) if "-a3" not in comings_and_goings else ())
    ]
    assert max(stayed) - min(stayed) <= 1


def test_rotation_continues_after_the_last_served_agent_goes_offline(desk: Desk) -> None:
    """When the agent served last goes Offline, the next in order after them is next."""
    desk.online("a1", "a2", "a3")
    assert [desk.route(), desk.route()] == ["a1", "a2"]
    desk.online("a2", online=False)
    assert [desk.route(), desk.route()] == ["a3", "a1"]


def test_office_hours_bind_webchat_by_default(make_desk: MakeDesk) -> None:
    """After hours a webchat ticket waits while an email ticket is assigned."""
    desk = make_desk(start=MONDAY_20)
    desk.online("a1")
    assert desk.route(channel="webchat") is None
    assert desk.route(channel="email") == "a1"


def test_office_hours_channels_is_a_setting(make_desk: MakeDesk) -> None:
    """Binding every channel makes every ticket wait after hours (seed 001's reading)."""
    desk = make_desk(start=MONDAY_20, office_hours_channels={"email", "sms", "webchat"})
    desk.online("a1")
    assert [desk.route(channel=c) for c in ("email", "sms", "social")] == [None, None, "a1"]


def test_office_hours_none_means_always_open(make_desk: MakeDesk) -> None:
    """Without office hours a bound channel is handed out at any hour."""
    desk = make_desk(start=MONDAY_20, office_hours=None)
    desk.online("a1")
    assert desk.route(channel="webchat") == "a1"


def test_bound_ticket_inside_office_hours_is_assigned(desk: Desk) -> None:
    """During office hours a webchat ticket is handed out at once."""
    desk.online("a1")
    assert desk.route(channel="webchat") == "a1"


def test_bound_ticket_after_hours_stays_unassigned_and_says_why(make_desk: MakeDesk) -> None:
    """The decision explains that the channel follows office hours, which are closed."""
    desk = make_desk(start=MONDAY_20)
    desk.online("a1")
    decision = desk.router.route(desk.ticket("w1", channel="webchat"))
    assert decision.allocation is not None
    assert decision.allocation.summary == (
        "channel 'webchat' follows office hours, which are closed; the ticket waits"
    )
    assert desk.router.views.unassigned().ids == ["w1"]


def test_waiting_bound_tickets_are_handed_out_oldest_first_in_rotation_at_opening(
    make_desk: MakeDesk,
) -> None:
    """assign_waiting at opening time hands out the night's tickets oldest first, in rotation."""
    desk = make_desk(start=MONDAY_20)
    desk.online("a1", "a2")
    for tid in ("w1", "w2", "w3"):
        desk.clock.advance(minutes=5)
        desk.router.route(desk.ticket(tid, channel="webchat"))
    assert desk.router.assign_waiting() == []  # still closed
    desk.clock.set(MONDAY_10.replace(day=31, hour=9))
    handed = desk.router.assign_waiting()
    assert [(r.id, r.assignee) for r in handed] == [("w1", "a1"), ("w2", "a2"), ("w3", "a1")]


def test_host_calls_assign_waiting_at_next_open(make_desk: MakeDesk) -> None:
    """The library has no timers: OfficeHours.next_open tells the host when to call."""
    desk = make_desk(start=MONDAY_20)
    desk.online("a1")
    desk.router.route(desk.ticket("w1", channel="webchat"))
    opening = OFFICE_HOURS.next_open(desk.clock.now())
    assert opening == MONDAY_10.replace(day=31, hour=9)
    desk.clock.set(opening)
    assert [r.id for r in desk.router.assign_waiting()] == ["w1"]


def test_waiting_tickets_are_handed_out_when_an_agent_comes_online(desk: Desk) -> None:
    """An agent coming Online during office hours receives the waiting tickets, oldest first."""
    desk.router.route(desk.ticket("t1", channel="webchat"))
    desk.clock.advance(minutes=1)
    desk.router.route(desk.ticket("t2"))
    handed = desk.router.set_online("a3", True, actor="a3")
    assert [(r.id, r.assignee) for r in handed] == [("t1", "a3"), ("t2", "a3")]


def test_coming_online_hands_out_only_tickets_the_agent_may_take(desk: Desk) -> None:
    """A team ticket is not handed out when a non-member comes Online."""
    desk.router.route(desk.ticket("t1", tags=frozenset({"Return"})))
    desk.router.route(desk.ticket("t2"))
    handed = desk.router.set_online("a1", True, actor="a1")
    assert [r.id for r in handed] == ["t2"]
    assert desk.assignee("t1") is None
    assert [r.id for r in desk.router.set_online("a2", True, actor="a2")] == ["t1"]


def test_coming_online_after_hours_leaves_bound_tickets_waiting(make_desk: MakeDesk) -> None:
    """A bound ticket is not eligible outside office hours, even when an agent comes Online."""
    desk = make_desk(start=MONDAY_20)
    desk.router.route(desk.ticket("w1", channel="webchat"))
    assert desk.router.set_online("a1", True, actor="a1") == []
    assert desk.assignee("w1") is None


def test_a_close_after_hours_hands_out_other_channels_behind_the_webchat_backlog(
    make_desk: MakeDesk,
) -> None:
    """After hours a close hands the freed agent the oldest ticket of a channel that does
    not wait for the office (email, sms), passing the older webchat backlog by, in
    age order across those channels, on every store (the SQL stores read each kept
    channel's page from an index and merge them)."""
    desk = make_desk(start=MONDAY_20, agents=[Agent(id="a1", capacity=1)], teams=[])
    for n in range(12):
        desk.clock.advance(seconds=1)
        desk.router.route(desk.ticket(f"w{n:02d}", channel="webchat"))
    desk.online("a1")
    desk.clock.advance(seconds=1)
    desk.router.route(desk.ticket("busy", channel="email"))
    assert desk.assignee("busy") == "a1"
    for tid, channel in [("s1", "sms"), ("e1", "email"), ("s2", "sms"), ("e2", "email")]:
        desk.clock.advance(seconds=1)
        desk.router.route(desk.ticket(tid, channel=channel))
    handed = []
    current = "busy"
    for _ in range(4):
        desk.clock.advance(seconds=1)
        desk.router.set_status(current, TicketStatus.CLOSED, actor="a1")
        [current] = [r.id for r in desk.router.views.my_inbox("a1")]  # capacity 1
        handed.append(current)
    assert handed == ["s1", "e1", "s2", "e2"]
    desk.router.set_status(current, TicketStatus.CLOSED, actor="a1")
    assert [r.id for r in desk.router.views.my_inbox("a1")] == []
    waiting = desk.router.views.unassigned(limit=100)
    assert [r.id for r in waiting] == [f"w{n:02d}" for n in range(12)]


@pytest.mark.parametrize("actor", ["o1", "ad1", "m1"])
def test_enabling_round_robin_is_for_owner_admin_and_manager(
    make_desk: MakeDesk, actor: str
) -> None:
    """Owner, admin and manager may turn round robin on."""
    desk = make_desk(round_robin=False)
    desk.online("a1")
    assert desk.route() is None
    desk.router.set_round_robin(True, actor=actor)
    assert desk.router.round_robin
    assert desk.route() == "a1"


def test_support_may_not_enable_round_robin(make_desk: MakeDesk) -> None:
    """A support agent may not change round robin; nothing changes."""
    desk = make_desk(round_robin=False)
    before = desk.snapshot()
    with pytest.raises(PermissionDenied) as info:
        desk.router.set_round_robin(True, actor="a1")
    assert str(info.value) == "agent 'a1' (support) may not change round robin"
    assert not desk.router.round_robin
    assert desk.snapshot() == before


def test_with_round_robin_off_tickets_wait(make_desk: MakeDesk) -> None:
    """round_robin=False hands nothing out, not even when an agent comes Online."""
    desk = make_desk(round_robin=False)
    desk.online("a1")
    decision = desk.router.route(desk.ticket("t1"))
    assert decision.allocation is not None
    assert decision.allocation.summary == "round robin is off; the ticket waits"
    desk.online("a2")
    assert desk.router.assign_waiting() == []
    assert desk.assignee("t1") is None


# -- Manual assignment -------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["o1", "ad1", "m1", "a1"])
def test_every_role_may_assign_manually(desk: Desk, actor: str) -> None:
    """Owner, admin, manager and support may assign tickets."""
    desk.router.route(desk.ticket("t1"))
    desk.router.assign("t1", to="a2", actor=actor)
    assert desk.assignee("t1") == "a2"


def test_assign_one_ticket_to_a_user(desk: Desk) -> None:
    """A ticket can be assigned to another user."""
    desk.router.route(desk.ticket("t1"))
    [record] = desk.router.assign("t1", to="a3", actor="a1")
    assert record.assignee == "a3"
    assert desk.router.views.my_inbox("a3").ids == ["t1"]


def test_assign_many_tickets_at_once(desk: Desk) -> None:
    """Many tickets can be assigned in one call, all or none."""
    for tid in ("t1", "t2", "t3"):
        desk.router.route(desk.ticket(tid))
    desk.router.assign(["t1", "t3"], to="a2", actor="m1")
    assert desk.router.views.my_inbox("a2").ids == ["t1", "t3"]


def test_assign_to_oneself(desk: Desk) -> None:
    """An agent may assign a ticket to themselves."""
    desk.router.route(desk.ticket("t1"))
    desk.router.assign("t1", to="a4", actor="a4")
    assert desk.router.history("t1")[-1].actor == "a4"
    assert desk.assignee("t1") == "a4"


def test_reassign_to_another_user(desk: Desk) -> None:
    """An assigned ticket can be reassigned."""
    desk.online("a1")
    desk.router.route(desk.ticket("t1"))
    desk.router.assign("t1", to="a2", actor="a1")
    assert desk.router.views.my_inbox("a1").ids == []
    assert desk.router.views.my_inbox("a2").ids == ["t1"]


def test_choosing_nobody_returns_the_ticket_to_unassigned(desk: Desk) -> None:
    """Unassigning a ticket without a team puts it back in Unassigned, and it is not re-given."""
    desk.online("a1")
    desk.router.route(desk.ticket("t1"))
    desk.router.unassign("t1", actor="a1")
    assert desk.assignee("t1") is None
    assert desk.router.views.unassigned().ids == ["t1"]


def test_choosing_nobody_for_a_team_ticket_returns_it_to_the_team_inbox(desk: Desk) -> None:
    """An unassigned team ticket waits in its team's inbox."""
    desk.online("a2")
    desk.router.route(desk.ticket("t1", tags=frozenset({"Return"})))
    desk.router.unassign("t1", actor="a2")
    assert desk.router.views.team("retention").ids == ["t1"]
    assert desk.router.views.unassigned().ids == []


# -- Capacity (the allocation issue) -------------------------------------------------------


@pytest.mark.parametrize("allocator", [RoundRobin(), LeastLoaded()], ids=["rr", "ll"])
def test_full_agents_get_no_more_and_tickets_wait(make_desk: MakeDesk, allocator: object) -> None:
    """With capacity 1 and two agents, the third ticket waits until a ticket closes."""
    desk = make_desk(capacity=1, allocator=allocator)
    desk.online("a1", "a2")
    assert {desk.route(), desk.route()} == {"a1", "a2"}
    decision = desk.router.route(desk.ticket("t3"))
    assert decision.assignee is None
    assert decision.allocation is not None
    assert decision.allocation.summary.startswith("every eligible agent is at capacity")
    holder = desk.assignee("t1")
    desk.router.set_status("t1", TicketStatus.CLOSED, actor="m1")
    assert desk.assignee("t3") == holder


def test_agent_capacity_overrides_the_default(make_desk: MakeDesk) -> None:
    """Agent.capacity wins over the router's default capacity."""
    desk = make_desk(agents=[Agent(id="a1", capacity=3), Agent(id="a2")], teams=[], capacity=1)
    desk.online("a1", "a2")
    assert [desk.route() for _ in range(5)] == ["a1", "a2", "a1", "a1", None]


def test_pending_tickets_still_count_toward_capacity(make_desk: MakeDesk) -> None:
    """Setting a ticket pending does not free capacity; closing does."""
    desk = make_desk(capacity=1)
    desk.online("a1")
    desk.route()
    desk.router.set_status("t1", "pending", actor="a1")
    decision = desk.router.route(desk.ticket("t2"))
    assert decision.assignee is None
    # The explanation counts what holds the agent: a pending ticket, not only open ones.
    assert decision.allocation is not None
    assert "a1 full (1/1 open or pending)" in decision.allocation.summary
    desk.router.set_status("t1", "closed", actor="a1")
    assert desk.assignee("t2") == "a1"


def test_manual_assignment_may_exceed_capacity(make_desk: MakeDesk) -> None:
    """Capacity limits automatic hand-out only; a person may assign past it."""
    desk = make_desk(capacity=1)
    desk.online("a1")
    desk.route()
    desk.router.route(desk.ticket("x"))
    desk.router.assign("x", to="a1", actor="m1")
    assert desk.router.views.my_inbox("a1").ids == ["t1", "x"]


def test_least_loaded_gives_the_ticket_to_the_agent_with_fewest_open(
    make_desk: MakeDesk,
) -> None:
    """LeastLoaded prefers the agent with fewer open tickets over the rotation."""
    desk = make_desk(allocator=LeastLoaded())
    desk.online("a1", "a2")
    for tid in ("x1", "x2"):
        desk.router.route(desk.ticket(tid))
    desk.router.assign(["x1", "x2"], to="a1", actor="m1")
    assert [desk.route() for _ in range(3)] == ["a2", "a2", "a1"]
