"""semantics.md section 4 (Views), sentence by sentence, and view paging."""

from __future__ import annotations

import pytest

from helpdesk_routing.conditions import ticket
from helpdesk_routing.errors import UnknownAgent, UnknownTeam, ValidationError
from helpdesk_routing.model import Team, TicketStatus
from helpdesk_routing.rules import RoutingRule, RuleSet, SaveAsView
from tests.router.conftest import Desk, MakeDesk

URGENT = RuleSet(
    rules=[
        RoutingRule(
            id="urgent",
            name="Urgent changes",
            when=ticket("subject").contains("urgent"),
            then=SaveAsView(view="Urgent changes"),
        )
    ]
)


@pytest.fixture
def busy(make_desk: MakeDesk) -> Desk:
    """t1 -> a1, t2 Unassigned (sms), t3 in the retention inbox, t4 closed, t5 urgent view."""
    desk = make_desk(rules=URGENT)
    desk.online("a1")
    desk.router.route(desk.ticket("t1"))
    desk.online("a1", online=False)
    desk.clock.advance(minutes=1)
    desk.router.route(desk.ticket("t2", channel="sms"))
    desk.clock.advance(minutes=1)
    desk.router.route(desk.ticket("t3", tags=frozenset({"Return"})))
    desk.clock.advance(minutes=1)
    desk.router.route(desk.ticket("t4"))
    desk.router.set_status("t4", TicketStatus.CLOSED, actor="m1")
    desk.clock.advance(minutes=1)
    desk.router.route(desk.ticket("t5", subject="urgent: change my order"))
    return desk


def test_my_inbox_shows_the_tickets_assigned_to_the_user(busy: Desk) -> None:
    """My inbox lists exactly the agent's tickets."""
    assert busy.router.views.my_inbox("a1").ids == ["t1"]
    assert busy.router.views.my_inbox("a2").ids == []


def test_all_tickets_shows_every_ticket(busy: Desk) -> None:
    """All tickets lists every (open) ticket, assigned or not, team or not."""
    assert busy.router.views.all_tickets().ids == ["t1", "t2", "t3", "t5"]


def test_unassigned_shows_tickets_with_no_assignee_and_no_team(busy: Desk) -> None:
    """Unassigned leaves out assigned tickets and team tickets."""
    assert busy.router.views.unassigned().ids == ["t2", "t5"]


def test_team_inbox_shows_the_teams_tickets(busy: Desk) -> None:
    """The team inbox lists the tickets routed to the team."""
    assert busy.router.views.team("retention").ids == ["t3"]
    assert busy.router.views.team("france").ids == []


def test_saved_view_shows_the_tickets_its_rule_marked(busy: Desk) -> None:
    """A Save-as-view rule's view lists the tickets it matched; they stay unassigned."""
    page = busy.router.views.saved("Urgent changes")
    assert page.ids == ["t5"]
    assert page.items[0].assignee is None


def test_views_show_open_tickets_only_by_default(busy: Desk) -> None:
    """A closed ticket is in no default view, and pending ones neither."""
    busy.router.set_status("t2", "pending", actor="a1")
    assert "t4" not in busy.router.views.all_tickets().ids
    assert "t2" not in busy.router.views.unassigned().ids


def test_views_filter_by_status(busy: Desk) -> None:
    """statuses= widens or narrows the view; None shows every status."""
    views = busy.router.views
    assert views.all_tickets(statuses=["closed"]).ids == ["t4"]
    assert views.all_tickets(statuses=None).ids == ["t1", "t2", "t3", "t4", "t5"]
    assert views.all_tickets(statuses=[TicketStatus.OPEN, TicketStatus.CLOSED]).ids == [
        "t1",
        "t2",
        "t3",
        "t4",
        "t5",
    ]


def test_views_filter_by_channel(busy: Desk) -> None:
    """channels= keeps the tickets of those channels."""
    assert busy.router.views.all_tickets(channels={"sms"}).ids == ["t2"]
    assert busy.router.views.unassigned(channels={"email"}).ids == ["t5"]


def test_views_are_oldest_first_and_page_with_a_cursor(busy: Desk) -> None:
    """limit pages the view; next_cursor continues it; the last page has no cursor."""
    views = busy.router.views
    first = views.all_tickets(statuses=None, limit=2)
    assert (first.ids, first.next_cursor is not None) == (["t1", "t2"], True)
    second = views.all_tickets(statuses=None, limit=2, cursor=first.next_cursor)
    assert second.ids == ["t3", "t4"]
    third = views.all_tickets(statuses=None, limit=2, cursor=second.next_cursor)
    assert (third.ids, third.next_cursor) == (["t5"], None)


def test_a_page_that_ends_exactly_has_no_cursor(busy: Desk) -> None:
    """When the view has exactly ``limit`` tickets, there is no next page."""
    page = busy.router.views.unassigned(limit=2)
    assert (page.ids, page.next_cursor) == (["t2", "t5"], None)


def test_my_inbox_of_an_unknown_agent_raises(busy: Desk) -> None:
    """my_inbox of an unknown id raises UnknownAgent."""
    with pytest.raises(UnknownAgent) as info:
        busy.router.views.my_inbox("zz")
    assert str(info.value) == "unknown agent 'zz'"


def test_team_view_of_an_unknown_team_raises(busy: Desk) -> None:
    """team() of an unknown id raises UnknownTeam."""
    with pytest.raises(UnknownTeam) as info:
        busy.router.views.team("nope")
    assert str(info.value) == "unknown team 'nope'"


def test_a_bad_cursor_raises(busy: Desk) -> None:
    """A cursor that is not one of ours raises ValidationError."""
    with pytest.raises(ValidationError) as info:
        busy.router.views.all_tickets(limit=1, cursor="garbage")
    assert str(info.value) == "invalid cursor 'garbage'"


def test_a_bad_limit_or_status_raises(busy: Desk) -> None:
    """limit below 1 and unknown statuses raise ValidationError."""
    with pytest.raises(ValidationError) as info:
        busy.router.views.all_tickets(limit=0)
    assert str(info.value) == "limit must be at least 1, got 0"
    with pytest.raises(ValidationError) as info:
        busy.router.views.all_tickets(statuses=["done"])
    assert str(info.value) == (
        "invalid status filter: 'done' is no status; one of 'open', 'pending', 'closed'"
    )


def test_views_follow_team_changes(busy: Desk) -> None:
    """A Views object obtained before set_teams knows the new teams."""
    views = busy.router.views
    busy.router.set_teams([*busy.router.teams, Team(id="vip", members=("a1",))], actor="o1")
    assert views.team("vip").ids == []


def test_a_huge_bad_cursor_is_not_repeated_in_full_by_the_error(busy: Desk) -> None:
    """A 10 MB cursor's error names its first 64 characters and its length, not all of it
    (the message and ``errors()`` were 10 MB)."""
    cursor = "A" * 10_000_000
    with pytest.raises(ValidationError) as info:
        busy.router.views.all_tickets(limit=1, cursor=cursor)
    assert str(info.value) == f"invalid cursor {'A' * 64!r}... (10,000,000 characters)"
    assert len(str(info.value.errors())) < 300
