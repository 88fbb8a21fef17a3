"""Router behaviours a review found wrong: each test fails on the code before its fix."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from helpdesk_routing.conditions import event
from helpdesk_routing.conditions.compile import compile_condition
from helpdesk_routing.conditions.context import EvaluationContext
from helpdesk_routing.errors import ValidationError
from helpdesk_routing.model import Event, Profile, Ticket, TicketStatus
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.router.conftest import MakeDesk

ROOT = Path(__file__).resolve().parents[2]


def test_routing_a_ticket_again_with_its_tags_in_another_order_returns_the_decision(
    make_desk: MakeDesk,
) -> None:
    """Equal tickets are the same ticket: routing one again returns the stored decision,
    whatever order its tags were given in (a JSON list of the tag set followed its hash
    order, and a ConflictError came in a quarter of processes)."""
    desk = make_desk()
    tags = [f"tag{i}" for i in range(40)]
    first = desk.router.route(desk.ticket("t1", tags=tags))
    again = desk.router.route(
        Ticket(id="t1", channel="email", created_at=desk.clock.now(), tags=tags[::-1])
    )
    assert again == first


def test_the_same_ticket_from_processes_of_other_hash_seeds_is_the_same(tmp_path: Path) -> None:
    """One SQLite store, the same ticket routed from processes whose string hashes differ
    (PYTHONHASHSEED 0 to 5): the first stores it, every other gets its decision back."""
    script = textwrap.dedent(
        f"""
        from datetime import UTC, datetime
        import helpdesk_routing as hr
        from helpdesk_routing.stores.sqlite import SqliteStore
        store = SqliteStore({str(tmp_path / "s.db")!r}, agents=[hr.Agent(id="a1")])
        router = hr.Router(store=store, customer_data=hr.InMemoryCustomerData(),
                           clock=hr.ManualClock(datetime(2026, 3, 30, 10, tzinfo=UTC)))
        tags = {{f"tag{{i}}" for i in range(12)}}
        ticket = hr.Ticket(id="t1", channel="email", tags=tags,
                           created_at=datetime(2026, 3, 30, 10, tzinfo=UTC))
        print(router.route(ticket).ticket_id)
        store.close()
        """
    )
    for seed in range(6):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=ROOT
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "t1"


@pytest.mark.parametrize("view", ["my_inbox", "team", "saved"])
def test_an_inbox_named_by_none_is_refused_not_every_ticket(make_desk: MakeDesk, view: str) -> None:
    """``my_inbox(None)`` (a host's missing current user) listed every ticket of the desk,
    as did ``team(None)`` and ``saved(None)``: now a ValidationError naming the argument."""
    desk = make_desk()
    desk.online("a1")
    desk.route()
    with pytest.raises(ValidationError, match=r"must be text, got None$"):
        getattr(desk.router.views, view)(None)


def test_bad_arguments_of_the_router_are_validation_errors(make_desk: MakeDesk) -> None:
    """A cursor no page gave, a team given as a list, teams or channels that are no list:
    ValidationError naming the argument (raw AttributeError and TypeError before)."""
    desk = make_desk()
    desk.router.route(desk.ticket("t1"))
    with pytest.raises(ValidationError, match="cursor must be the text a page gave"):
        desk.router.views.all_tickets(cursor=5)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"^team must be a team id \(text\)"):
        desk.router.assign_to_team("t1", team=["retention"], actor="m1")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"^teams must be a list, got None\n") as info:
        desk.router.configure(actor="o1", teams=None)  # type: ignore[arg-type]
    assert [d.path for d in info.value.details] == ["$.teams"]  # its place, not $
    with pytest.raises(ValidationError, match=r"^office_hours_channels must be a list, got 5\n"):
        desk.router.configure(actor="o1", office_hours_channels=5)  # type: ignore[arg-type]


@pytest.mark.parametrize("how", ["closed", "new team"])
def test_a_reroute_that_frees_the_assignee_hands_out_what_waits(
    make_desk: MakeDesk, how: str
) -> None:
    """Capacity one: t1 goes to a1, t2 waits. A reroute that closes t1 (its new content
    closed), or moves it to another team, frees a1, who gets t2 at once, as on a close
    (a1 stayed Online with an empty inbox and t2 waited)."""
    desk = make_desk(capacity=1)
    desk.online("a1")
    desk.router.route(desk.ticket("t1"))
    desk.clock.advance(seconds=1)
    desk.router.route(desk.ticket("t2"))
    assert (desk.assignee("t1"), desk.assignee("t2")) == ("a1", None)
    stored = desk.router.ticket("t1").ticket
    if how == "closed":
        changed = stored.model_copy(update={"status": TicketStatus.CLOSED})
    else:  # the Return tag sends it to the retention team (a2, a3: Offline)
        changed = stored.model_copy(update={"tags": frozenset({"Return"})})
    record = desk.router.reroute("t1", actor="m1", ticket=changed)
    assert desk.assignee("t2") == "a1"
    assert record.assignee == ("a1" if how == "closed" else None)


def test_event_windows_are_counted_on_the_utc_clock_whatever_the_zone_of_now() -> None:
    """'In the last day' is 24 hours: the same instant given in Amsterdam's zone on the
    day summer time starts gave a 23-hour window, and missed an event 23.5 hours back."""
    now = datetime(2026, 3, 29, 10, tzinfo=UTC)
    seen = Event(profile_id="p1", metric="Placed Order", timestamp=now - timedelta(hours=23.5))
    data = InMemoryCustomerData(profiles=[Profile(id="p1")], events=[seen])
    ticket = Ticket(id="t1", channel="email", created_at=now, profile_id="p1")
    condition = compile_condition(event("Placed Order").at_least(1).in_last(days=1))
    for at in (now, now.astimezone(ZoneInfo("Europe/Amsterdam"))):
        context = EvaluationContext.load(ticket, data, at)
        assert context.now == now
        assert condition(context)


def test_rules_on_true_and_on_one_are_different_configurations(make_desk: MakeDesk) -> None:
    """A rule on ``true`` is not a rule on ``1`` (Python's ``True == 1`` made them equal):
    a Router built with the other one on the same store is refused, and configuring it
    records a change of the rules."""
    from helpdesk_routing.conditions import profile
    from helpdesk_routing.errors import ConflictError
    from helpdesk_routing.router import Router
    from helpdesk_routing.rules import RoutingRule, RuleSet, SaveAsView

    def rules(value: object) -> RuleSet:
        rule = RoutingRule(id="vip", when=profile("vip") == value, then=SaveAsView(view="vip"))
        return RuleSet(rules=[rule])

    desk = make_desk(rules=rules(1))
    assert rules(True) != rules(1)  # nor as Python data (they were equal there)
    with pytest.raises(ConflictError, match="differs from the constructor arguments in: rules"):
        Router(
            rules=rules(True),
            store=desk.store,
            customer_data=InMemoryCustomerData(),
            clock=desk.clock,
        )
    new = desk.router.configure(actor="o1", rules=rules(True))
    assert new.version == 2
    assert desk.router.configuration.rules.model_dump_json() == rules(True).model_dump_json()


def test_assign_to_team_never_passes_an_older_ticket_waiting_in_the_team(
    make_desk: MakeDesk,
) -> None:
    """Capacity one. Retention's a2 and a3 hold x and y; w0 waits in its inbox, n in
    Unassigned. x is moved to a1 by hand, so a2 has room. Moving n to Retention hands out
    the older w0 to a2, and n waits (n went to a2 ahead of w0)."""
    desk = make_desk(capacity=1)
    desk.online("a2", "a3")
    for tid, tags in (("x", {"Return"}), ("y", {"Return"}), ("w0", {"Return"}), ("n", set())):
        desk.clock.advance(seconds=1)
        desk.router.route(desk.ticket(tid, tags=tags))
    assert [desk.assignee(t) for t in ("x", "y", "w0", "n")] == ["a2", "a3", None, None]
    desk.router.assign("x", to="a1", actor="m1")
    (moved,) = desk.router.assign_to_team(["n"], team="retention", actor="m1")
    assert (moved.id, moved.team, moved.assignee) == ("n", "retention", None)
    assert desk.assignee("w0") == "a2"


def test_assign_to_team_hands_out_the_moved_tickets_oldest_first(make_desk: MakeDesk) -> None:
    """Tickets moved together are handed out oldest first, whatever order they are named
    in (t2 went first, being named first), and come back in the order named."""
    desk = make_desk(capacity=1)
    desk.online("a2")
    for tid, tags in (("z", {"Return"}), ("t1", set()), ("t2", set())):
        desk.clock.advance(seconds=1)
        desk.router.route(desk.ticket(tid, tags=tags))
    assert [desk.assignee(t) for t in ("z", "t1", "t2")] == ["a2", None, None]
    desk.router.assign("z", to="a1", actor="m1")  # a2 has room; nothing handed out yet
    out = desk.router.assign_to_team(["t2", "t1"], team="retention", actor="m1")
    assert [(r.id, r.assignee) for r in out] == [("t2", None), ("t1", "a2")]


def test_a_router_given_not_given_keeps_the_stored_configuration() -> None:
    """docs/configuration.md: every configuration argument of ``Router(...)`` defaults to
    ``NOT_GIVEN``, so a wrapper may forward it; ``rules``, ``teams`` and ``allocator``
    refused it (``allocator must be 'round_robin', ... got _NotGiven``)."""
    from helpdesk_routing import Agent, InMemoryStore, ManualClock, Team
    from helpdesk_routing.router import NOT_GIVEN, Router
    from helpdesk_routing.rules import RuleSet

    store = InMemoryStore(agents=[Agent(id="a1")])
    clock = ManualClock(datetime(2026, 3, 30, 9, tzinfo=UTC))
    data = InMemoryCustomerData()
    first = Router(
        store=store,
        customer_data=data,
        clock=clock,
        rules=RuleSet(rules=[]),
        teams=[Team(id="tm", members=["a1"])],
        allocator="least_loaded",
    )
    stored = first.configuration
    for given in (NOT_GIVEN, None):
        again = Router(
            store=store,
            customer_data=data,
            clock=clock,
            rules=given,
            teams=given,
            allocator=given,
            office_hours=NOT_GIVEN,
            round_robin=NOT_GIVEN,
            office_hours_channels=NOT_GIVEN,
            capacity=NOT_GIVEN,
        )
        assert again.configuration == stored
    fresh = Router(
        store=InMemoryStore(),
        customer_data=data,
        clock=clock,
        rules=NOT_GIVEN,
        teams=NOT_GIVEN,
        allocator=NOT_GIVEN,
    )
    assert (fresh.configuration.version, fresh.configuration.allocator) == (0, "round_robin")
