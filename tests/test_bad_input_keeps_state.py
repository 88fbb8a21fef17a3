"""Bad input gets one of the library's own errors naming the bad part, and loses nothing.

Every public mutating operation of the Router and of the handoff service is called with
bad input on a populated store (``tests/keeps_state.py``): the error must be a
``RoutingError`` whose message names what is wrong, and everything the public API shows
(tickets, views, the audit log, configuration versions, agents, presence, rotations, the
handoff ledger, customer events) must be as it was. Memory and SQLite run every case,
PostgreSQL the cases marked ``PG``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import helpdesk_routing as hr
from helpdesk_routing import handoff
from helpdesk_routing.conditions import ticket as ticket_field
from helpdesk_routing.model import MAX_ID_LENGTH
from tests.adapters import STORE_FACTORIES
from tests.keeps_state import (
    MONDAY_10,
    TEAMS,
    BreakableAllocator,
    Failing,
    World,
    build,
    snapshot,
)

Call = Callable[[World], object]

NAIVE = datetime(2026, 3, 30, 10)


def wide(n: int, seed: int = 1) -> str:
    """``n`` characters of 4 bytes each in UTF-8, varied enough that PostgreSQL cannot
    compress them: the worst case of an index entry."""
    return "".join(chr(0x10000 + (i * 7919 + seed * 104729) % 60000) for i in range(n))


LONG = wide(MAX_ID_LENGTH + 1)


def _ledger_factory(kind: str, request: pytest.FixtureRequest) -> Callable[[], Any]:
    if kind == "memory":
        return handoff.InMemoryLedger
    if kind == "sqlite":
        tmp = request.getfixturevalue("tmp_path")

        def sqlite() -> Any:
            ledger = handoff.SqliteLedger(tmp / f"ledger-{uuid.uuid4().hex[:8]}.db")
            request.addfinalizer(ledger.close)
            return ledger

        return sqlite
    from tests.pg_server import fresh_schema_dsn

    def postgres() -> Any:
        ledger = handoff.PostgresLedger(fresh_schema_dsn(request))
        request.addfinalizer(ledger.close)
        return ledger

    return postgres


def make_world(kind: str, request: pytest.FixtureRequest, **kw: Any) -> World:
    """A populated world on the adapter ``kind``."""
    return build(request, STORE_FACTORIES[kind], _ledger_factory(kind, request), **kw)


def _ticket(w: World, tid: str = "new", **kw: Any) -> hr.Ticket:
    return w.ticket(tid, **kw)


def _rule(team: str) -> hr.RoutingRule:
    return hr.RoutingRule(
        id="to-" + team,
        name=team,
        when=ticket_field("channel") == "sms",
        then=hr.AssignToTeam(team=team),
    )


# (id, call, error class, words the message must contain, run on PostgreSQL too)
CASES: list[tuple[str, Call, type[Exception], str, bool]] = [
    # -- route ------------------------------------------------------------------------
    (
        "route a stored id with other content",
        lambda w: w.router.route(_ticket(w, "t1", subject="changed")),
        hr.ConflictError,
        "ticket 't1' is already stored with different content",
        True,
    ),
    (
        "route a mapping with a wrong type",
        lambda w: w.router.route({"id": "n1", "channel": 5, "created_at": MONDAY_10}),
        hr.ValidationError,
        "channel",
        True,
    ),
    (
        "route a mapping with a naive instant",
        lambda w: w.router.route({"id": "n1", "channel": "sms", "created_at": NAIVE}),
        hr.ValidationError,
        "created_at",
        False,
    ),
    (
        "route a mapping with an unknown field",
        lambda w: w.router.route(
            {"id": "n1", "channel": "sms", "created_at": MONDAY_10, "prio": 1}
        ),
        hr.ValidationError,
        "prio",
        False,
    ),
    (
        "route None",
        lambda w: w.router.route(None),  # type: ignore[arg-type]
        hr.ValidationError,
        "ticket must be a Ticket or a mapping of its fields, got NoneType",
        False,
    ),
    (
        "route text with NUL",
        lambda w: w.router.route(
            {"id": "n1", "channel": "sms", "created_at": MONDAY_10, "subject": "a\x00b"}
        ),
        hr.ValidationError,
        "subject",
        True,
    ),
    (
        "route a lone surrogate in a tag",
        lambda w: w.router.route(
            {"id": "n1", "channel": "sms", "created_at": MONDAY_10, "tags": ["\ud800"]}
        ),
        hr.ValidationError,
        "tags",
        False,
    ),
    (
        "route a field beyond 64 bits",
        lambda w: w.router.route(
            {"id": "n1", "channel": "sms", "created_at": MONDAY_10, "fields": {"n": 2**64}}
        ),
        hr.ValidationError,
        "64 bits",
        True,
    ),
    (
        "route a field that is NaN",
        lambda w: w.router.route(
            {"id": "n1", "channel": "sms", "created_at": MONDAY_10, "fields": {"x": float("nan")}}
        ),
        hr.ValidationError,
        "fields",
        False,
    ),
    (
        "route an instant beyond year 9999",
        lambda w: w.router.route(
            {"id": "n1", "channel": "sms", "created_at": "9999-12-31T23:59:59-05:00"}
        ),
        hr.ValidationError,
        "created_at",
        False,
    ),
    (
        "route a copy with a naive instant",
        lambda w: w.router.route(
            hr.Ticket.model_construct(
                id="n1", channel="sms", created_at=NAIVE, tags=frozenset(), fields={}
            )
        ),
        hr.ValidationError,
        "created_at",
        False,
    ),
    (
        "route a model_construct ticket without its instant",
        lambda w: w.router.route(hr.Ticket.model_construct(id="n1", channel="sms")),
        hr.ValidationError,
        "$.created_at: Field required",
        False,
    ),
    (
        "reroute with a model_construct ticket without its instant",
        lambda w: w.router.reroute(
            "t1", actor="m1", ticket=hr.Ticket.model_construct(id="t1", channel="sms")
        ),
        hr.ValidationError,
        "$.created_at: Field required",
        False,
    ),
    (
        "route a ticket id longer than an index holds",
        lambda w: w.router.route({"id": LONG, "channel": "sms", "created_at": MONDAY_10}),
        hr.ValidationError,
        "$.id: String should have at most 255 characters",
        True,
    ),
    # -- reroute ----------------------------------------------------------------------
    (
        "reroute an unknown ticket",
        lambda w: w.router.reroute("t99", actor="m1"),
        hr.UnknownTicket,
        "unknown ticket 't99'",
        True,
    ),
    (
        "reroute with another id",
        lambda w: w.router.reroute("t1", actor="m1", ticket=_ticket(w, "t2")),
        hr.ValidationError,
        "ticket id 't2' does not match 't1'",
        False,
    ),
    (
        "reroute by an unknown actor",
        lambda w: w.router.reroute("t1", actor="zz"),
        hr.UnknownAgent,
        "unknown agent 'zz'",
        False,
    ),
    (
        "reroute with a bad mapping",
        lambda w: w.router.reroute("t1", actor="m1", ticket={"id": "t1", "channel": ""}),
        hr.ValidationError,
        "channel",
        False,
    ),
    # -- assign, unassign, assign_to_team ---------------------------------------------
    (
        "assign good and unknown ids",
        lambda w: w.router.assign(["t1", "t2", "t99"], to="a1", actor="m1"),
        hr.UnknownTicket,
        "unknown ticket 't99'",
        True,
    ),
    (
        "assign good ids and one that is no text",
        lambda w: w.router.assign(["t1", 7], to="a1", actor="m1"),  # type: ignore[list-item]
        hr.ValidationError,
        "a ticket id is text, got 7",
        False,
    ),
    (
        "assign to an unknown agent",
        lambda w: w.router.assign(["t1", "t2"], to="zz", actor="m1"),
        hr.UnknownAgent,
        "unknown agent 'zz'",
        False,
    ),
    (
        "assign to a removed agent",
        lambda w: w.router.assign("t1", to="tmp", actor="m1"),
        hr.UnknownAgent,
        "unknown agent 'tmp'",
        False,
    ),
    (
        "assign by an unknown actor",
        lambda w: w.router.assign("t1", to="a1", actor="zz"),
        hr.UnknownAgent,
        "unknown agent 'zz'",
        False,
    ),
    (
        "assign with ids that are a number",
        lambda w: w.router.assign(5, to="a1", actor="m1"),  # type: ignore[arg-type]
        hr.ValidationError,
        "5",
        False,
    ),
    (
        "unassign an unknown ticket",
        lambda w: w.router.unassign("t99", actor="m1"),
        hr.UnknownTicket,
        "unknown ticket 't99'",
        False,
    ),
    (
        "unassign by nobody known",
        lambda w: w.router.unassign("t1", actor="zz"),
        hr.UnknownAgent,
        "unknown agent 'zz'",
        False,
    ),
    (
        "assign_to_team with the third id unknown",
        lambda w: w.router.assign_to_team(["t4", "t7", "t99"], team="night", actor="m1"),
        hr.UnknownTicket,
        "unknown ticket 't99'",
        True,
    ),
    (
        "assign_to_team to an unknown team",
        lambda w: w.router.assign_to_team(["t4", "t7"], team="nope", actor="m1"),
        hr.UnknownTeam,
        "unknown team 'nope'",
        True,
    ),
    (
        "assign_to_team with a team that is no text",
        lambda w: w.router.assign_to_team(["t4"], team=None, actor="m1"),  # type: ignore[arg-type]
        hr.ValidationError,
        "team must be a team id",
        False,
    ),
    (
        "assign_to_team by an unknown actor",
        lambda w: w.router.assign_to_team(["t4"], team="night", actor="zz"),
        hr.UnknownAgent,
        "unknown agent 'zz'",
        False,
    ),
    # -- set_status, reply, set_online ------------------------------------------------
    (
        "set_status to no status",
        lambda w: w.router.set_status("t1", "done", actor="m1"),
        hr.ValidationError,
        "invalid status 'done'",
        True,
    ),
    (
        "set_status of an unknown ticket",
        lambda w: w.router.set_status("t99", "closed", actor="m1"),
        hr.UnknownTicket,
        "unknown ticket 't99'",
        False,
    ),
    (
        "set_status by an unknown actor",
        lambda w: w.router.set_status("t1", "closed", actor="zz"),
        hr.UnknownAgent,
        "unknown agent 'zz'",
        False,
    ),
    (
        "set_status with a status that is a list",
        lambda w: w.router.set_status("t1", [], actor="m1"),  # type: ignore[arg-type]
        hr.ValidationError,
        "invalid status",
        False,
    ),
    (
        "reply to an unknown ticket",
        lambda w: w.router.reply("t99", actor="a1"),
        hr.UnknownTicket,
        "unknown ticket 't99'",
        False,
    ),
    (
        "reply by an unknown agent",
        lambda w: w.router.reply("t1", actor="zz"),
        hr.UnknownAgent,
        "unknown agent 'zz'",
        True,
    ),
    (
        "reply with public as text",
        lambda w: w.router.reply("t1", actor="a1", public="no"),  # type: ignore[arg-type]
        hr.ValidationError,
        "public must be a bool, got 'no'",
        False,
    ),
    (
        "set_online for another agent",
        lambda w: w.router.set_online("a1", True, actor="a2"),
        hr.PermissionDenied,
        "agent 'a2' may not set the status of agent 'a1'",
        True,
    ),
    (
        "set_online with text",
        lambda w: w.router.set_online("a1", "true", actor="a1"),  # type: ignore[arg-type]
        hr.ValidationError,
        "online must be a bool",
        False,
    ),
    (
        "set_online of a removed agent",
        lambda w: w.router.set_online("tmp", True, actor="tmp"),
        hr.UnknownAgent,
        "unknown agent 'tmp'",
        False,
    ),
    # -- configure ----------------------------------------------------------------------
    (
        "configure with a stale expected_version",
        lambda w: w.router.configure(actor="m1", capacity=3, expected_version=1),
        hr.StaleConfiguration,
        "configuration version 1 is stale: version 2 is stored",
        True,
    ),
    (
        "configure by support",
        lambda w: w.router.configure(actor="a1", capacity=3),
        hr.PermissionDenied,
        "agent 'a1' (support) may not",
        False,
    ),
    (
        "configure rules naming an unknown team",
        lambda w: w.router.configure(actor="m1", rules=hr.RuleSet(rules=[_rule("ghost")])),
        hr.ValidationError,
        "rule 'to-ghost': unknown team 'ghost'",
        True,
    ),
    (
        "configure rules as bad JSON-shaped data",
        lambda w: w.router.configure(actor="m1", rules={"rules": [{"id": "r", "when": {}}]}),  # type: ignore[arg-type]
        hr.ValidationError,
        "$.rules",
        False,
    ),
    (
        "configure rules as text",
        lambda w: w.router.configure(actor="m1", rules='{"rules": [}'),  # type: ignore[arg-type]
        hr.ValidationError,
        "rules",
        False,
    ),
    (
        "configure a team id longer than an index holds",
        lambda w: w.router.configure(actor="m1", teams=[*TEAMS, {"id": LONG, "members": ["a1"]}]),  # type: ignore[list-item]
        hr.ValidationError,
        "$.teams[3].id: String should have at most 255 characters",
        True,
    ),
    (
        "configure a view name longer than an index holds",
        lambda w: w.router.configure(
            actor="m1",
            rules={
                "rules": [
                    {
                        "id": "v",
                        "when": {
                            "type": "ticket",
                            "field": "channel",
                            "op": "equals",
                            "value": "fax",
                        },
                        "then": {"type": "save_as_view", "view": LONG},
                    }
                ]
            },  # type: ignore[arg-type]
        ),
        hr.ValidationError,
        "$.rules.rules[0].then.view: rule 'v': String should have at most 255 characters",
        True,
    ),
    (
        "configure teams dropping one a rule names",
        lambda w: w.router.configure(actor="m1", teams=[TEAMS[1], TEAMS[2]]),
        hr.ValidationError,
        "unknown team 'retention'",
        False,
    ),
    (
        "configure a team with an unknown member",
        lambda w: w.router.configure(
            actor="m1", teams=[*TEAMS, hr.Team(id="x", members=("a1", "zz"))]
        ),
        hr.UnknownAgent,
        "unknown agent 'zz'",
        False,
    ),
    (
        "configure a team listed twice",
        lambda w: w.router.configure(actor="m1", teams=[*TEAMS, TEAMS[0]]),
        hr.ValidationError,
        "team 'retention' is listed twice",
        False,
    ),
    (
        "configure teams as dicts with bad members",
        lambda w: w.router.configure(actor="m1", teams=[{"id": "x", "members": []}]),  # type: ignore[list-item]
        hr.ValidationError,
        "members",
        False,
    ),
    (
        "configure office hours in an unknown zone",
        lambda w: w.router.configure(
            actor="m1",
            office_hours={"timezone": "Mars/Olympus", "weekly": {}},  # type: ignore[arg-type]
        ),
        hr.ValidationError,
        "Mars/Olympus",
        True,
    ),
    (
        "configure office hours as text",
        lambda w: w.router.configure(actor="m1", office_hours="9 to 5"),  # type: ignore[arg-type]
        hr.ValidationError,
        "office_hours",
        False,
    ),
    (
        "configure office hours with a bad shift",
        lambda w: w.router.configure(
            actor="m1",
            office_hours={"timezone": "UTC", "weekly": {"mon": [["25:00", "26:00"]]}},  # type: ignore[arg-type]
        ),
        hr.ValidationError,
        "mon",
        False,
    ),
    (
        "configure a negative capacity",
        lambda w: w.router.configure(actor="m1", capacity=-1),
        hr.ValidationError,
        "capacity",
        True,
    ),
    (
        "configure a capacity as text",
        lambda w: w.router.configure(actor="m1", capacity="5"),  # type: ignore[arg-type]
        hr.ValidationError,
        "capacity",
        False,
    ),
    (
        "configure a capacity beyond 32 bits",
        lambda w: w.router.configure(actor="m1", capacity=2**31),
        hr.ValidationError,
        "capacity",
        False,
    ),
    (
        "configure an unknown allocator name",
        lambda w: w.router.configure(actor="m1", allocator="fastest"),
        hr.ValidationError,
        "allocator",
        True,
    ),
    (
        "configure a custom allocator",
        lambda w: w.router.configure(
            actor="m1",
            allocator=BreakableAllocator(Failing()),
        ),
        hr.ValidationError,
        "custom allocator cannot be stored",
        False,
    ),
    (
        "configure office-hours channels as a number",
        lambda w: w.router.configure(actor="m1", office_hours_channels=5),  # type: ignore[arg-type]
        hr.ValidationError,
        "office_hours_channels",
        False,
    ),
    (
        "configure round robin as text",
        lambda w: w.router.configure(actor="m1", round_robin="off"),  # type: ignore[arg-type]
        hr.ValidationError,
        "round_robin",
        False,
    ),
    (
        "configure with expected_version as text",
        lambda w: w.router.configure(actor="m1", capacity=3, expected_version="2"),  # type: ignore[arg-type]
        hr.ValidationError,
        "expected_version",
        False,
    ),
    (
        "configure with a comment holding NUL",
        lambda w: w.router.configure(actor="m1", capacity=3, comment="a\x00b"),
        hr.ValidationError,
        "comment",
        True,
    ),
    (
        "rollback to a version never stored",
        lambda w: w.router.rollback(9, actor="m1"),
        hr.ValidationError,
        "no configuration version 9 is stored",
        False,
    ),
    (
        "rollback by support",
        lambda w: w.router.rollback(1, actor="a1"),
        hr.PermissionDenied,
        "agent 'a1' (support) may not",
        False,
    ),
    # -- agents -------------------------------------------------------------------------
    (
        "add an agent whose id exists",
        lambda w: w.router.add_agent(hr.Agent(id="a1"), actor="m1"),
        hr.ConflictError,
        "agent 'a1' already exists",
        True,
    ),
    (
        "add an agent with an id longer than an index holds",
        lambda w: w.router.add_agent({"id": LONG}, actor="m1"),
        hr.ValidationError,
        "$.id: String should have at most 255 characters",
        True,
    ),
    (
        "add an agent with an unknown role",
        lambda w: w.router.add_agent({"id": "n", "role": "god"}, actor="m1"),
        hr.ValidationError,
        "role",
        False,
    ),
    (
        "add an agent with a capacity as text",
        lambda w: w.router.add_agent({"id": "n", "capacity": "3"}, actor="m1"),
        hr.ValidationError,
        "capacity",
        False,
    ),
    (
        "add an owner as a manager",
        lambda w: w.router.add_agent(hr.Agent(id="n", role="owner"), actor="m1"),
        hr.PermissionDenied,
        "may not give the role owner",
        False,
    ),
    (
        "add an agent as support",
        lambda w: w.router.add_agent(hr.Agent(id="n"), actor="a1"),
        hr.PermissionDenied,
        "agent 'a1' (support) may not",
        False,
    ),
    (
        "update an unknown agent",
        lambda w: w.router.update_agent(hr.Agent(id="zz"), actor="m1"),
        hr.UnknownAgent,
        "unknown agent 'zz'",
        False,
    ),
    (
        "update the owner as a manager",
        lambda w: w.router.update_agent(hr.Agent(id="o1", role="support"), actor="m1"),
        hr.PermissionDenied,
        "may not change agent 'o1' (owner)",
        True,
    ),
    (
        "promote oneself",
        lambda w: w.router.update_agent(hr.Agent(id="m1", role="owner"), actor="m1"),
        hr.PermissionDenied,
        "may not give the role owner",
        False,
    ),
    (
        "remove an agent with open tickets",
        lambda w: w.router.remove_agent("a4", actor="m1"),
        hr.ConflictError,
        "agent 'a4' is a member of team(s) 'france'",
        True,
    ),
    (
        "remove an unknown agent",
        lambda w: w.router.remove_agent("zz", actor="m1"),
        hr.UnknownAgent,
        "unknown agent 'zz'",
        False,
    ),
    (
        "remove an admin as a manager",
        lambda w: w.router.remove_agent("ad1", actor="m1"),
        hr.PermissionDenied,
        "may not change agent 'ad1' (admin)",
        False,
    ),
    # -- handoff ------------------------------------------------------------------------
    (
        "handoff request with a bad conversation mapping",
        lambda w: w.handoff.request({"id": "c9", "channel": ""}),
        hr.ValidationError,
        "channel",
        True,
    ),
    (
        "handoff request with an unknown reason",
        lambda w: w.handoff.request({"id": "c9", "channel": "sms"}, reason="bored"),  # type: ignore[arg-type]
        hr.ValidationError,
        "reason must be one of",
        False,
    ),
    (
        "handoff request with a tag holding NUL",
        lambda w: w.handoff.request({"id": "c9", "channel": "sms"}, tag="a\x00"),
        hr.ValidationError,
        "tag",
        False,
    ),
    (
        "handoff request with a malformed e-mail",
        lambda w: w.handoff.request({"id": "c9", "channel": "sms", "email": "nope"}),
        hr.ValidationError,
        "email",
        False,
    ),
    (
        "handoff confirm of an unknown conversation",
        lambda w: w.handoff.confirm("c99", yes=True),
        hr.RoutingError,
        "c99",
        True,
    ),
    (
        "handoff confirm with text",
        lambda w: w.handoff.confirm("c-asked", yes="no"),  # type: ignore[arg-type]
        hr.ValidationError,
        "yes must be a bool, got 'no'",
        False,
    ),
    (
        "handoff confirm when it waits for an e-mail",
        lambda w: w.handoff.confirm("c-email", yes=True),
        hr.RoutingError,
        "confirm",
        False,
    ),
    (
        "handoff confirm after it was handed off",
        lambda w: w.handoff.confirm("c-done", yes=False),
        hr.RoutingError,
        "confirm",
        True,
    ),
    (
        "handoff provide_email that is no text",
        lambda w: w.handoff.provide_email("c-email", None),  # type: ignore[arg-type]
        hr.ValidationError,
        "email must be text, got None",
        False,
    ),
    (
        "handoff provide_email before confirmation",
        lambda w: w.handoff.provide_email("c-asked", "ann@example.com"),
        hr.RoutingError,
        "provide_email",
        False,
    ),
    (
        "handoff provide_email for an unknown conversation",
        lambda w: w.handoff.provide_email("c99", "ann@example.com"),
        hr.RoutingError,
        "c99",
        False,
    ),
    (
        "handoff reconcile an unknown handoff",
        lambda w: w.handoff.reconcile("h-nope"),
        hr.RoutingError,
        "h-nope",
        False,
    ),
    (
        "handoff reconcile one that is handed off",
        lambda w: w.handoff.reconcile(w.handoff.get(w.ledger.for_conversation("c-done").id).id),
        hr.RoutingError,
        "reconcile",
        False,
    ),
    (
        "handoff recover with a negative age",
        lambda w: w.handoff.recover(timedelta(seconds=-1)),
        hr.ValidationError,
        "older_than must be positive",
        False,
    ),
    (
        "handoff recover with a limit of 0",
        lambda w: w.handoff.recover(timedelta(hours=1), limit=0),
        hr.RoutingError,
        "limit",
        False,
    ),
]


def _params(with_postgres: bool) -> list[Any]:
    out = []
    for name, call, error, words, on_pg in CASES:
        for kind in ("memory", "sqlite", "postgres"):
            if kind == "postgres" and not (on_pg and with_postgres):
                continue
            marks = [pytest.mark.postgres] if kind == "postgres" else []
            out.append(pytest.param(kind, call, error, words, id=f"{kind}-{name}", marks=marks))
    return out


@pytest.mark.parametrize(("kind", "call", "error", "words"), _params(True))
def test_bad_input_raises_a_library_error_and_changes_nothing(
    request: pytest.FixtureRequest, kind: str, call: Call, error: type[Exception], words: str
) -> None:
    """The call raises its ``RoutingError`` naming the bad part; nothing observable changed."""
    world = make_world(kind, request)
    before = snapshot(world)
    with pytest.raises(error) as info:
        call(world)
    assert isinstance(info.value, hr.RoutingError), repr(info.value)
    assert words in str(info.value)
    assert snapshot(world) == before


# (id, how many allocator calls go through before one raises, call)
MIDWAY: list[tuple[str, int, Call]] = [
    ("route", 0, lambda w: w.router.route(_ticket(w, "n1"))),
    ("route to a team", 0, lambda w: w.router.route(_ticket(w, "n1", profile_id="p1"))),
    (
        "assign_to_team, the third hand-out raises",
        2,
        lambda w: w.router.assign_to_team(["t4", "t7", "t1"], team="retention", actor="m1"),
    ),
    (
        "assign_to_team, the first hand-out raises",
        0,
        lambda w: w.router.assign_to_team(["t4", "t7", "t1"], team="retention", actor="m1"),
    ),
    ("set_online hands out", 0, lambda w: w.router.set_online("a1", True, actor="a1")),
    ("closing hands out", 0, lambda w: w.router.set_status("t2", "closed", actor="a4")),
    ("assign_waiting", 0, lambda w: w.router.assign_waiting()),
    (
        "reroute to another team",
        0,
        lambda w: w.router.reroute(
            "t4",
            actor="m1",
            ticket=w.router.ticket("t4").ticket.model_copy(update={"tags": frozenset({"Return"})}),
        ),
    ),
]


@pytest.mark.parametrize(
    "kind", ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
@pytest.mark.parametrize(("after", "call"), [m[1:] for m in MIDWAY], ids=[m[0] for m in MIDWAY])
def test_an_allocator_that_raises_midway_changes_nothing(
    request: pytest.FixtureRequest, kind: str, after: int, call: Call
) -> None:
    """A user's allocator raising in the middle of an operation: its error goes through,
    and the store is as it was (the allocator is known to be called: a call that hands
    nothing out would prove nothing)."""
    world = make_world(kind, request, breakable=True)
    before = snapshot(world)
    world.allocator_switch.arm(after)
    with pytest.raises(RuntimeError, match="allocator broke"):
        call(world)
    world.allocator_switch.armed = False
    assert snapshot(world) == before


@pytest.mark.parametrize(
    "kind", ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
@pytest.mark.parametrize(
    "call",
    [
        lambda w: w.router.reroute("t1", actor="m1"),
        lambda w: w.router.route(_ticket(w, "n1", profile_id="p1")),
    ],
    ids=["reroute", "route"],
)
def test_customer_data_that_raises_midway_changes_nothing(
    request: pytest.FixtureRequest, kind: str, call: Call
) -> None:
    """The customer-data port raising while the rules read it: the store is as it was."""
    world = make_world(kind, request)
    before = snapshot(world)
    world.data_switch.arm()
    with pytest.raises(RuntimeError, match="customer data broke"):
        call(world)
    world.data_switch.armed = False
    assert snapshot(world) == before


@pytest.mark.parametrize(
    "kind", ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_the_longest_ids_route_and_assign_on_every_store(
    request: pytest.FixtureRequest, kind: str
) -> None:
    """Ids of MAX_ID_LENGTH characters of 4 bytes each, two to an index entry (a team's
    and a ticket's, an assignee's and a ticket's), and a view of that length: every store
    keeps them (PostgreSQL refuses an index entry of more than 2704 bytes)."""
    world = make_world(kind, request)
    agent, team, view, tid = (wide(MAX_ID_LENGTH, seed) for seed in range(1, 5))
    r = world.router
    r.add_agent(hr.Agent(id=agent), actor="m1")
    rule = hr.RoutingRule(
        id="fax", when=ticket_field("channel") == "fax", then=hr.SaveAsView(view=view)
    )
    to_team = hr.RoutingRule(
        id="team", when=ticket_field("channel") == "fax", then=hr.AssignToTeam(team=team)
    )
    r.configure(
        actor="m1",
        teams=[*TEAMS, hr.Team(id=team, members=(agent,))],
        rules=hr.RuleSet(rules=[*r.rules.rules, rule, to_team]),
    )
    r.set_online(agent, True, actor=agent)
    decision = r.route(world.ticket(tid, channel="fax"))
    assert (decision.team, decision.assignee, decision.views) == (team, agent, (view,))
    assert r.views.saved(view).ids == [tid]
    assert tid in r.views.my_inbox(agent).ids


@pytest.mark.parametrize(
    "kind", ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_a_handoff_whose_routing_breaks_leaves_the_store_and_records_the_loss(
    request: pytest.FixtureRequest, kind: str
) -> None:
    """The built-in helpdesk's route raising (the user's allocator) mid-handoff: the error
    goes through, the store keeps nothing of the route, and the ledger records the
    handoff as ``outcome_unknown`` (docs/handoff.md: never a blind second request)."""
    world = make_world(kind, request, breakable=True)
    before = snapshot(world)
    world.allocator_switch.arm()
    with pytest.raises(RuntimeError, match="allocator broke"):
        world.handoff.request({"id": "c-new", "channel": "sms", "email": "v@example.com"})
    world.allocator_switch.armed = False
    after = snapshot(world)
    for key in ("ledger", "ledger_created"):
        after.pop(key), before.pop(key)
    assert after == before
    record = world.ledger.for_conversation("c-new")
    assert record.state is handoff.State.OUTCOME_UNKNOWN
    assert "allocator broke" in record.detail["error"]


def _random_history(world: World, steps: list[tuple[str, int]]) -> None:
    r, agents = world.router, ("a1", "a2", "a3", "a4")
    for n, (op, k) in enumerate(steps):
        world.clock.advance(seconds=3)
        a = agents[k % 4]
        if op == "route":
            profile_id = (None, "p1", "p2", "p3")[k % 4]
            r.route(
                world.ticket(f"h{n}", ("email", "sms", "webchat")[k % 3], profile_id=profile_id)
            )
        elif op == "presence":
            r.set_online(a, not r.views.my_inbox(a).ids and k % 2 == 0, actor=a)
        elif op == "close":
            open_ = r.views.all_tickets().ids
            if open_:
                r.set_status(open_[k % len(open_)], "closed", actor="m1")
        elif op == "assign":
            open_ = r.views.all_tickets().ids
            if open_:
                r.assign(open_[k % len(open_)], to=a, actor="m1")
        else:
            r.assign_waiting()


@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["route", "presence", "close", "assign", "waiting"]),
            st.integers(0, 11),
        ),
        max_size=12,
    ),
    case=st.sampled_from(CASES),
)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_after_any_history_a_bad_call_changes_nothing(
    request: pytest.FixtureRequest, steps: list[tuple[str, int]], case: Any
) -> None:
    """A random valid history on the populated memory store, then one bad call from
    ``CASES``: its error, and nothing observable changed."""
    _, call, error, words, _ = case
    world = make_world("memory", request)
    _random_history(world, steps)
    before = snapshot(world)
    with pytest.raises(error) as info:
        call(world)
    assert isinstance(info.value, hr.RoutingError)
    assert words in str(info.value)
    assert snapshot(world) == before
