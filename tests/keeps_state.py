"""A populated helpdesk and a snapshot of everything its public API shows.

``tests/test_bad_input_keeps_state.py`` builds a :class:`World` on each store adapter,
snapshots it, makes one call with bad input (or with a collaborator that fails midway)
and asserts that the library raised one of its own errors and that the snapshot is
unchanged: bad input loses nothing that was already stored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import helpdesk_routing as hr
from helpdesk_routing import handoff
from helpdesk_routing.conditions import event, profile
from helpdesk_routing.records import TicketQuery
from tests.adapters import StoreFactory

MONDAY_10 = datetime(2026, 3, 30, 10, tzinfo=UTC)  # inside office hours
OFFICE_HOURS = hr.OfficeHours(
    timezone="Europe/Amsterdam",
    weekly={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")},
)
AGENTS = (
    hr.Agent(id="a1", name="Ann"),
    hr.Agent(id="a2", name="Bo"),
    hr.Agent(id="a3", name="Cy", capacity=2),
    hr.Agent(id="a4", name="Di"),
    hr.Agent(id="m1", name="Max", role="manager"),
    hr.Agent(id="ad1", name="Ada", role="admin"),
    hr.Agent(id="o1", name="Olga", role="owner"),
)
TEAMS = (
    hr.Team(id="retention", name="Retention", members=("a2", "a3"), tags=frozenset({"Return"})),
    hr.Team(id="france", name="France Support", members=("a4",), segments=frozenset({"fr"})),
    hr.Team(id="night", name="Night desk", members=("a1",)),
)
RULES = hr.RuleSet(
    rules=[
        hr.RoutingRule(
            id="churn",
            name="Churn defense",
            when=profile("churn_risk") == "High",
            then=hr.AssignToTeam(team="retention"),
        ),
        hr.RoutingRule(
            id="urgent",
            name="Urgent order mod",
            when=event("Placed Order").at_least(1).in_last(hours=2),
            then=hr.SaveAsView(view="Urgent changes"),
        ),
        hr.RoutingRule(
            id="french",
            name="French speakers",
            when=profile("$country") == "France",
            then=hr.AssignToTeam(team="france"),
        ),
    ]
)
PROFILES = (
    hr.Profile(id="p1", properties={"churn_risk": "High", "$email": "p1@example.com"}),
    hr.Profile(id="p2", properties={"$country": "France"}, segments=frozenset({"fr"})),
    hr.Profile(id="p3", properties={"$country": "Spain"}),
)
EVENTS = (
    hr.Event(
        profile_id="p3",
        metric="Placed Order",
        timestamp=MONDAY_10 - timedelta(minutes=30),
        properties={"value": 120},
    ),
)
POOLS = ("global", *(f"team:{t.id}" for t in TEAMS))
CONVERSATIONS = ("c-asked", "c-email", "c-done")


class Failing:
    """A switch for a collaborator that raises once it is armed (after set-up)."""

    def __init__(self) -> None:
        self.armed = False
        self.after = 0  # calls let through once armed, before the one that raises
        self.calls = 0

    def arm(self, after: int = 0) -> None:
        """Raise from the ``after``-th call on (0: the next one)."""
        self.armed, self.after, self.calls = True, after, 0

    def check(self, what: str) -> None:
        """Raise ``RuntimeError`` when armed and past ``after`` calls."""
        if not self.armed:
            return
        self.calls += 1
        if self.calls > self.after:
            raise RuntimeError(f"{what} broke")


class BreakableAllocator:
    """Round robin, except that it raises when its switch says so (a user's allocator)."""

    def __init__(self, switch: Failing) -> None:
        self._inner = hr.RoundRobin()
        self._switch = switch

    def allocate(self, ticket: Any, pool: Any, state: Any) -> Any:
        """The round-robin choice, or ``RuntimeError`` when armed."""
        self._switch.check("allocator")
        return self._inner.allocate(ticket, pool, state)


class BreakableCustomerData(hr.InMemoryCustomerData):
    """Customer data whose profile and event look-ups raise when its switch says so."""

    def __init__(self, switch: Failing, **kw: Any) -> None:
        super().__init__(**kw)
        self._switch = switch

    def profile(self, profile_id: str) -> hr.Profile | None:
        """The profile, or ``RuntimeError`` when armed."""
        self._switch.check("customer data")
        return super().profile(profile_id)

    def count_events(self, *args: Any, **kw: Any) -> int:
        """The count, or ``RuntimeError`` when armed."""
        self._switch.check("customer data")
        return super().count_events(*args, **kw)


@dataclass
class World:
    """A router on one store, populated by a realistic history, with a handoff service."""

    store: Any
    router: hr.Router
    clock: hr.ManualClock
    data: BreakableCustomerData
    ledger: Any
    handoff: handoff.Handoff
    allocator_switch: Failing
    data_switch: Failing
    extra_routers: list[hr.Router] = field(default_factory=list)

    def ticket(self, tid: str, channel: str = "email", **kw: Any) -> hr.Ticket:
        """A ticket created now."""
        return hr.Ticket(id=tid, channel=channel, created_at=self.clock.now(), **kw)

    def other_router(self, **kw: Any) -> hr.Router:
        """Another Router on the same store (another process, in effect)."""
        return hr.Router(store=self.store, customer_data=self.data, clock=self.clock, **kw)


def populate(world: World) -> None:
    """Agents Online and Offline, tickets routed to teams, views and Unassigned, assigned
    by hand, moved, pending, closed, replied to, rerouted; a second configuration
    version; an agent added and removed; handoffs in three states."""
    r, clock = world.router, world.clock
    for a in ("a1", "a2", "a3", "a4"):
        r.set_online(a, True, actor=a)

    def route(tid: str, channel: str = "email", **kw: Any) -> None:
        clock.advance(seconds=7)
        r.route(world.ticket(tid, channel, **kw))

    route("t1", profile_id="p1")  # churn: retention
    route("t2", profile_id="p2")  # french: france
    route("t3", profile_id="p3")  # urgent view, global
    route("t4", channel="sms", tags=frozenset({"Order"}))
    route("t5", tags=frozenset({"Return"}))  # retention by tag
    route("t6", channel="webchat")
    r.assign("t4", to="m1", actor="m1")
    r.set_status("t5", "pending", actor="a2")
    r.set_status("t3", "closed", actor="a1")
    r.reply("t2", actor="a4")
    r.reply("t1", actor="a2", public=False)
    r.assign_to_team(["t6"], team="night", actor="m1")
    r.configure(actor="m1", capacity=5, comment="five each", expected_version=1)
    r.set_online("a1", False, actor="a1")
    route("t7", channel="webchat", subject="after a1 left")  # waits in Unassigned
    r.unassign("t4", actor="m1")
    r.add_agent(hr.Agent(id="tmp", name="Temp"), actor="m1")
    r.update_agent(hr.Agent(id="tmp", name="Temp", capacity=1), actor="m1")
    r.remove_agent("tmp", actor="m1")
    t2 = r.ticket("t2").ticket
    r.reroute("t2", actor="m1", ticket=t2.model_copy(update={"tags": frozenset({"vip"})}))
    h = world.handoff
    clock.advance(seconds=5)
    h.request(_conversation("c-asked"), reason="knowledge_gap")  # awaiting confirmation
    h.request(_conversation("c-email"), reason="other")
    h.confirm("c-email", yes=True)  # awaiting e-mail
    h.request(_conversation("c-done", profile_id="p1"), reason="explicit_ask")
    h.confirm("c-done", yes=True)  # handed off: ticket hoff-... routed
    clock.advance(seconds=5)


def _conversation(cid: str, **kw: Any) -> handoff.Conversation:
    return handoff.Conversation(
        id=cid,
        channel="webchat",
        transcript=(
            handoff.Message(sender="visitor", text="Where is my parcel?", at=MONDAY_10),
            handoff.Message(sender="ai_agent", text="Let me check.", at=MONDAY_10),
        ),
        **kw,
    )


def snapshot(world: World) -> dict[str, Any]:
    """Everything observable through the public API: every ticket record (as stored and
    as ``router.ticket`` binds it) and its history, every view, the audit log, the
    configuration in force and its history, agents, presence and loads, rotations,
    the handoff ledger and the customer events."""
    r = world.router
    out: dict[str, Any] = {}
    everything = r.views.all_tickets(statuses=None, limit=10_000)
    out["tickets"] = [(rec, r.ticket(rec.id), r.history(rec.id)) for rec in everything]
    with world.store.transaction() as tx:
        out["audit"] = tx.audit()
        agents = tx.agents()
        out["agents"] = agents
        out["online"] = list(tx.online_agents())
        out["presence"] = {a.id: tx.is_online(a.id) for a in agents}
        out["load"] = {a.id: tx.open_load(a.id) for a in agents}
        out["rotation"] = {p: tx.rotation(p) for p in POOLS}
        out["configuration_version"] = tx.configuration_version()
        out["found"] = tx.find_tickets(TicketQuery(statuses=None))
    out["configuration"] = r.configuration
    out["history"] = r.configuration_history()
    out["views"] = {
        "unassigned": r.views.unassigned(statuses=None).ids,
        "saved": r.views.saved("Urgent changes", statuses=None).ids,
        "inboxes": {a.id: r.views.my_inbox(a.id, statuses=None).ids for a in agents},
        "teams": {t.id: r.views.team(t.id, statuses=None).ids for t in r.teams},
    }
    ledger = world.ledger
    out["ledger"] = [ledger.for_conversation(c) for c in CONVERSATIONS]
    out["ledger_created"] = ledger.created_between(
        MONDAY_10 - timedelta(days=1), MONDAY_10 + timedelta(days=1)
    )
    out["events"] = {p.id: world.data.events(p.id) for p in PROFILES}
    return out


def build(
    request: pytest.FixtureRequest,
    factory: StoreFactory,
    ledger: Callable[[], Any],
    agents: Sequence[hr.Agent] = AGENTS,
    *,
    breakable: bool = False,
) -> World:
    """A populated :class:`World` on the store the factory makes; ``breakable``: with
    a custom allocator that raises when ``world.allocator_switch`` is armed (else the
    stored round robin, which PostgreSQL runs in the store)."""
    store = factory(request, agents)
    clock = hr.ManualClock(MONDAY_10)
    allocator_switch, data_switch = Failing(), Failing()
    data = BreakableCustomerData(data_switch, profiles=PROFILES, events=EVENTS)
    router = hr.Router(
        store=store,
        customer_data=data,
        clock=clock,
        rules=RULES,
        teams=list(TEAMS),
        office_hours=OFFICE_HOURS,
        allocator=BreakableAllocator(allocator_switch) if breakable else None,
    )
    the_ledger = ledger()
    service = handoff.Handoff(
        settings=handoff.SendToHelpdesk(helpdesk="builtin"),
        router=router,
        ledger=the_ledger,
        customer_data=data,
        clock=clock,
        office_hours=OFFICE_HOURS,
    )
    world = World(store, router, clock, data, the_ledger, service, allocator_switch, data_switch)
    populate(world)
    return world
