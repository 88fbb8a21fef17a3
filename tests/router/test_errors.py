"""Bad input raises its error from errors.py with an exact message, and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pydantic
import pytest

from helpdesk_routing.conditions import profile
from helpdesk_routing.errors import (
    ConflictError,
    NaiveDatetimeError,
    PermissionDenied,
    RoutingError,
    UnknownAgent,
    UnknownTeam,
    UnknownTicket,
    ValidationError,
)
from helpdesk_routing.model import Profile, Team, Ticket
from helpdesk_routing.router import Router
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.router.conftest import TEAMS, Desk, MakeDesk

CHURN = RoutingRule(
    id="churn",
    name="Churn defense",
    when=profile("churn_risk") == "High",
    then=AssignToTeam(team="retention"),
)
GHOST = RoutingRule(
    id="ghost", name="Ghost", when=profile("x") == 1, then=AssignToTeam(team="nowhere")
)


@pytest.fixture
def desk(make_desk: MakeDesk) -> Desk:
    """Two routed tickets (t1 to a1, t2 waiting), a1 Online, the churn rule in force."""
    d = make_desk(rules=RuleSet(rules=[CHURN]))
    d.online("a1")
    d.router.route(d.ticket("t1"))
    d.online("a1", online=False)
    d.router.route(d.ticket("t2"))
    return d


CASES: list[tuple[str, Callable[[Router], object], type[RoutingError], str]] = [
    (
        "set_online unknown actor",
        lambda r: r.set_online("a1", True, actor="zz"),
        UnknownAgent,
        "unknown agent 'zz'",
    ),
    (
        "set_online unknown agent",
        lambda r: r.set_online("zz", True, actor="a1"),
        UnknownAgent,
        "unknown agent 'zz'",
    ),
    (
        "set_online another agent",
        lambda r: r.set_online("a2", True, actor="a1"),
        PermissionDenied,
        "agent 'a1' may not set the status of agent 'a2'",
    ),
    (
        "assign unknown ticket among known",
        lambda r: r.assign(["t2", "t9"], to="a2", actor="m1"),
        UnknownTicket,
        "unknown ticket 't9'",
    ),
    (
        "assign to unknown agent",
        lambda r: r.assign("t2", to="zz", actor="m1"),
        UnknownAgent,
        "unknown agent 'zz'",
    ),
    (
        "assign by unknown actor",
        lambda r: r.assign("t2", to="a2", actor="zz"),
        UnknownAgent,
        "unknown agent 'zz'",
    ),
    (
        "unassign unknown ticket",
        lambda r: r.unassign("t9", actor="m1"),
        UnknownTicket,
        "unknown ticket 't9'",
    ),
    (
        "unassign by unknown actor",
        lambda r: r.unassign("t1", actor="zz"),
        UnknownAgent,
        "unknown agent 'zz'",
    ),
    (
        "assign_to_team unknown team",
        lambda r: r.assign_to_team(["t1", "t2"], team="nope", actor="m1"),
        UnknownTeam,
        "unknown team 'nope'",
    ),
    (
        "assign_to_team unknown ticket",
        lambda r: r.assign_to_team(["t2", "t9"], team="retention", actor="m1"),
        UnknownTicket,
        "unknown ticket 't9'",
    ),
    (
        "set_status unknown ticket",
        lambda r: r.set_status("t9", "closed", actor="m1"),
        UnknownTicket,
        "unknown ticket 't9'",
    ),
    (
        "set_status bad status",
        lambda r: r.set_status("t1", "done", actor="m1"),
        ValidationError,
        "invalid status 'done': expected one of open, pending, closed",
    ),
    (
        "set_rules by support",
        lambda r: r.set_rules(RuleSet(), actor="a1"),
        PermissionDenied,
        "agent 'a1' (support) may not edit rules",
    ),
    (
        "set_rules naming an unknown team",
        lambda r: r.set_rules(RuleSet(rules=[GHOST]), actor="m1"),
        ValidationError,
        "rule set names unknown teams\n"
        "  $.rules.rules[0].then.team: rule 'ghost': unknown team 'nowhere'",
    ),
    (
        "set_teams by support",
        lambda r: r.set_teams([], actor="a3"),
        PermissionDenied,
        "agent 'a3' (support) may not edit teams",
    ),
    (
        "set_teams dropping a team a rule names",
        lambda r: r.set_teams([TEAMS[1]], actor="o1"),
        ValidationError,
        "rule set names unknown teams\n"
        "  $.rules.rules[0].then.team: rule 'churn': unknown team 'retention'",
    ),
    (
        "set_teams with an unknown member",
        lambda r: r.set_teams([*TEAMS, Team(id="x", members=("a1", "zz"))], actor="o1"),
        UnknownAgent,
        "unknown agent 'zz' (team 'x', $.teams[2].members[1])",
    ),
    (
        "set_teams listing a team twice",
        lambda r: r.set_teams([*TEAMS, TEAMS[0]], actor="o1"),
        ValidationError,
        "team 'retention' is listed twice\n  $.teams[2].id: team 'retention' is listed twice",
    ),
    (
        "set_round_robin by support",
        lambda r: r.set_round_robin(False, actor="a2"),
        PermissionDenied,
        "agent 'a2' (support) may not change round robin",
    ),
    ("history unknown ticket", lambda r: r.history("t9"), UnknownTicket, "unknown ticket 't9'"),
    ("ticket unknown ticket", lambda r: r.ticket("t9"), UnknownTicket, "unknown ticket 't9'"),
]


@pytest.mark.parametrize(
    ("call", "error", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_raises_its_error_and_changes_nothing(
    desk: Desk, call: Callable[[Router], object], error: type[RoutingError], message: str
) -> None:
    """The call raises its error with the exact message; store and configuration are unchanged."""
    before = desk.snapshot()
    config = (desk.router.rules, desk.router.teams, desk.router.round_robin)
    with pytest.raises(error) as info:
        call(desk.router)
    assert str(info.value) == message
    assert desk.snapshot() == before
    assert (desk.router.rules, desk.router.teams, desk.router.round_robin) == config


class _NaiveClock:
    def now(self) -> datetime:
        return datetime(2026, 3, 30, 10)


def test_a_naive_clock_is_refused_before_anything_is_written(desk: Desk) -> None:
    """A clock that returns a naive datetime raises NaiveDatetimeError; nothing is stored."""
    router = Router(
        store=desk.store,
        customer_data=InMemoryCustomerData(profiles=[], events=[]),
        clock=_NaiveClock(),
    )
    before = desk.snapshot()
    with pytest.raises(NaiveDatetimeError) as info:
        router.route(desk.ticket("t7"))
    assert str(info.value) == "clock.now() must be timezone-aware, got a naive datetime"
    assert desk.snapshot() == before


def test_router_refuses_rules_naming_unknown_teams(make_desk: MakeDesk) -> None:
    """Constructing a Router whose rules name a missing team raises ValidationError."""
    with pytest.raises(ValidationError) as info:
        make_desk(rules=RuleSet(rules=[GHOST]))
    assert str(info.value) == (
        "rule set names unknown teams\n"
        "  $.rules.rules[0].then.team: rule 'ghost': unknown team 'nowhere'"
    )


def test_router_refuses_teams_with_unknown_members(make_desk: MakeDesk) -> None:
    """Constructing a Router whose team lists an unknown agent raises UnknownAgent."""
    with pytest.raises(UnknownAgent) as info:
        make_desk(teams=[Team(id="x", members=("a1", "ghost"))])
    assert str(info.value) == "unknown agent 'ghost' (team 'x', $.teams[0].members[1])"
    assert (info.value.agent_id, info.value.where) == ("ghost", "team 'x', $.teams[0].members[1]")


def test_router_refuses_a_negative_capacity(make_desk: MakeDesk) -> None:
    """capacity below 0 raises ValidationError."""
    with pytest.raises(ValidationError) as info:
        make_desk(capacity=-1)
    assert str(info.value) == (
        "capacity must be at least 0, got -1\n  $.capacity: capacity must be at least 0, got -1"
    )


def test_routing_the_same_ticket_again_returns_the_stored_decision(desk: Desk) -> None:
    """A second route of the same ticket returns the first decision and changes nothing."""
    first = desk.router.history("t1")
    stored = desk.router.ticket("t1").ticket
    desk.online("a2")
    again = desk.router.route(stored)
    assert again.assignee == "a1"
    assert desk.router.history("t1") == first


def test_routing_a_known_id_with_different_content_raises_conflict(desk: Desk) -> None:
    """Issue 10 #10: a stored id routed with other content is a ConflictError; nothing changes."""
    before = desk.snapshot()
    with pytest.raises(ConflictError) as info:
        desk.router.route(desk.ticket("t1", channel="sms"))
    assert str(info.value) == (
        "ticket 't1' is already stored with different content; "
        "use router.reroute to apply the rules to an updated ticket"
    )
    assert desk.snapshot() == before


@pytest.mark.parametrize(
    "fields",
    [
        {"d": date(2026, 3, 30)},
        {"dt": datetime(2026, 3, 30, 10, tzinfo=UTC)},
        {"s": frozenset({"x", "y", "z"}), "n": {1, 2}},
        {"v": (1, (2, "b")), "nested": {"when": [date(2026, 1, 1)]}},
    ],
    ids=["date", "datetime", "sets", "tuples"],
)
def test_routing_again_with_dates_sets_or_tuples_in_fields_is_idempotent(
    desk: Desk, fields: dict[str, Any]
) -> None:
    """The same ticket routed again gets its stored decision on every store, though a
    SQL store reads a date back as text and a set or tuple as a list (a ConflictError
    there before); the same values sent as a client's JSON would be are the same too."""
    ticket = desk.ticket("f1", fields=fields)
    first = desk.router.route(ticket)
    history = desk.router.history("f1")
    assert desk.router.route(ticket) == first
    as_json = Ticket.model_validate_json(ticket.model_dump_json())
    assert desk.router.route(as_json) == first
    assert desk.router.route(desk.router.ticket("f1").ticket) == first
    assert desk.router.history("f1") == history


@pytest.mark.parametrize(
    "fields",
    [
        {"d": "2026-03-31"},
        {"dt": "2026-03-30T10:00:01+00:00"},
        {"s": ["x", "y"]},
        {"v": [1, [2, "c"]]},
        {"flag": 1},
    ],
)
def test_routing_again_with_other_field_values_is_a_conflict(
    desk: Desk, fields: dict[str, Any]
) -> None:
    """Values that differ (another date, instant, item; 1 for True) still conflict."""
    desk.router.route(
        desk.ticket(
            "f1",
            fields={
                "d": date(2026, 3, 30),
                "dt": datetime(2026, 3, 30, 10, tzinfo=UTC),
                "s": {"x", "y", "z"},
                "v": (1, (2, "b")),
                "flag": True,
            },
        )
    )
    stored = desk.router.ticket("f1").ticket
    changed = Ticket.model_validate({**stored.model_dump(), "fields": {**stored.fields, **fields}})
    with pytest.raises(ConflictError):
        desk.router.route(changed)


def test_routing_a_known_ticket_again_ignores_its_status(desk: Desk) -> None:
    """A client re-sending a ticket that was closed since gets the stored decision."""
    stored = desk.router.ticket("t1")
    desk.router.set_status("t1", "closed", actor="m1")
    assert desk.router.route(stored.ticket) == stored.decision


def test_a_failing_step_inside_an_operation_rolls_back_everything(make_desk: MakeDesk) -> None:
    """If allocation fails half-way, the ticket, rotation and audit of the call are not kept."""

    class Exploding:
        def allocate(self, *args: object) -> object:
            raise RuntimeError("boom")

    desk = make_desk(allocator=Exploding())
    desk.online("a1")
    before = desk.snapshot()
    with pytest.raises(RuntimeError, match=r"^boom$"):
        desk.router.route(desk.ticket("t1"))
    assert desk.snapshot() == before


def test_explain_covers_rules_and_allocation(make_desk: MakeDesk) -> None:
    """explain() names the deciding rule and the allocation sentence."""
    desk = make_desk(
        rules=RuleSet(rules=[CHURN]),
        profiles=[Profile(id="p1", properties={"churn_risk": "High"})],
    )
    desk.online("a2", "a3")
    desk.router.route(desk.ticket("t1", profile_id="p1"))
    desk.online("a3", online=False)
    decision = desk.router.route(desk.ticket("t2", profile_id="p1"))
    text = decision.explain()
    assert "team 'retention' chosen by rule 'churn'" in text
    assert text.endswith(
        "allocation (team:retention): a2: next online agent after a2 in rotation; a3 offline"
    )


@pytest.mark.parametrize(
    ("update", "path"),
    [
        ({"created_at": datetime(2026, 3, 30)}, "$.created_at"),
        ({"tags": 5}, "$.tags"),
        ({"fields": [1]}, "$.fields"),
        ({"id": 7}, "$.id"),
    ],
)
def test_a_ticket_copied_with_values_of_the_wrong_kind_is_refused(
    desk: Desk, update: dict[str, Any], path: str
) -> None:
    """pydantic's own ``model_copy`` does not validate (the library's ``Ticket.model_copy``
    does, and refuses these): a copy holding a naive instant, or values of the wrong
    kind, is validated by route and refused at its field, with nothing stored (the
    in-memory store kept half a ticket, out of its views, before)."""
    before = desk.snapshot()
    bad = pydantic.BaseModel.model_copy(desk.ticket("c1"), update=update)
    with pytest.raises(ValidationError) as info:
        desk.router.route(bad)
    assert path in info.value.paths
    assert desk.snapshot() == before
    with pytest.raises(UnknownTicket):
        desk.router.ticket("c1")


def test_a_ticket_copied_with_a_list_of_tags_is_routed_as_validated(desk: Desk) -> None:
    """An unchecked copy (pydantic's own ``model_copy``) whose tags are a list (the JSON
    shape) is validated, so routing reads a set of tags as for any ticket (a TypeError
    from the rules before)."""
    copy = pydantic.BaseModel.model_copy(desk.ticket("c2"), update={"tags": ["Return"]})
    assert isinstance(copy.tags, list)
    desk.router.route(copy)
    stored = desk.router.ticket("c2").ticket
    assert stored.tags == frozenset({"Return"})
    assert desk.router.views.all_tickets().ids.count("c2") == 1
