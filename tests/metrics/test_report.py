"""The metrics report: TTFR (elapsed and business), load per agent, fairness, waiting
tickets, resolution, AI rates and handoffs, with the edge cases named."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing import events, metrics
from helpdesk_routing.calendar import OfficeHours
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.errors import (
    ArgumentTypeError,
    MissingExtra,
    NaiveDatetimeError,
    RoutingError,
    ValidationError,
)
from helpdesk_routing.handoff import Conversation, Handoff, InMemoryLedger, SendToHelpdesk
from helpdesk_routing.model import Agent, Event, Role, Team, Ticket, TicketStatus
from helpdesk_routing.ports import Store
from helpdesk_routing.records import AuditRecord
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from helpdesk_routing.stores.sqlite import SqliteStore
from tests.adapters import CustomerDataFactory

MONDAY_8 = datetime(2026, 3, 30, 8, tzinfo=UTC)
MONDAY_10 = datetime(2026, 3, 30, 10, tzinfo=UTC)
START = datetime(2026, 3, 30, 9, tzinfo=UTC)
END = datetime(2026, 4, 6, 9, tzinfo=UTC)
HOURS = OfficeHours(
    timezone="UTC",
    weekly={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")},
)
AGENTS = [Agent(id="a1"), Agent(id="a2"), Agent(id="a3"), Agent(id="m1", role=Role.MANAGER)]
TEAMS = [Team(id="billing", name="Billing", members=("a3",))]

StoreMaker = Callable[[], Store]


@pytest.fixture(params=["memory", "sqlite"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreMaker:
    """An empty store with the agents above, in memory or in SQLite."""

    def make() -> Store:
        if request.param == "memory":
            return InMemoryStore(agents=AGENTS)
        store = SqliteStore(tmp_path / "store.db", agents=AGENTS)
        request.addfinalizer(store.close)
        return store

    return make


def _router(store: Store, clock: ManualClock, channels: frozenset[str] = frozenset()) -> Router:
    return Router(
        rules=RuleSet(rules=[]),
        teams=TEAMS,
        store=store,
        customer_data=InMemoryCustomerData(),
        clock=clock,
        office_hours=HOURS,
        office_hours_channels=channels,
    )


def _ticket(clock: ManualClock, tid: str, channel: str = "email") -> Ticket:
    return Ticket(id=tid, channel=channel, created_at=clock.now())


def test_no_tickets_gives_empty_figures(make_store: StoreMaker) -> None:
    """An empty period: zero counts, NaN statistics, None in to_dict, Jain 1 and Gini 0."""
    r = metrics.report(make_store(), InMemoryCustomerData(), START, END, office_hours=HOURS)
    assert (r.tickets, r.answered, r.unanswered, r.resolved) == (0, 0, 0, 0)
    assert r.ttfr.count == 0
    assert math.isnan(r.ttfr.mean)
    assert math.isnan(r.within_target)
    d = r.to_dict()
    assert d["ttfr_seconds"]["mean"] is None
    assert d["within_target"] is None
    assert d["ai"]["resolution_rate"] is None
    json.dumps(d, allow_nan=False)
    assert (r.fairness.jain, r.fairness.gini, r.fairness.spread) == (1.0, 0.0, 0)


def test_ttfr_counts_the_first_public_human_reply(make_store: StoreMaker) -> None:
    """TTFR runs from routing to the first public reply; private notes do not count; a
    ticket without a reply is left out and counted as unanswered."""
    clock = ManualClock(MONDAY_10)
    store = make_store()
    router = _router(store, clock)
    router.set_online("a1", True, actor="a1")
    router.route(_ticket(clock, "t1"))
    clock.advance(minutes=10)
    router.route(_ticket(clock, "t2"))
    router.route(_ticket(clock, "t3"))
    clock.advance(minutes=5)
    router.reply("t2", actor="a1", public=False)  # 10:15, a note
    clock.set(MONDAY_10 + timedelta(minutes=30))
    router.reply("t1", actor="a1")  # 1800 s
    router.reply("t1", actor="a1")  # a second reply changes nothing
    clock.set(MONDAY_10 + timedelta(minutes=90))
    router.reply("t2", actor="a1")  # 10:10 -> 11:30 = 4800 s
    r = metrics.report(store, None, START, END, office_hours=HOURS)
    assert (r.tickets, r.answered, r.unanswered) == (3, 2, 1)
    assert r.ttfr.mean == 3300
    assert r.ttfr.median == 3300
    assert r.ttfr.p90 == pytest.approx(1800 + 0.9 * 3000)
    assert r.within_target == 0.5
    assert r.ttfr_business is not None
    assert r.ttfr_business.mean == 3300  # all inside office hours


def test_reply_outside_office_hours_counts_only_open_time_in_business_ttfr(
    make_store: StoreMaker,
) -> None:
    """Routed Monday 16:30, answered Tuesday 09:30: 17 h elapsed, 1 h of business time."""
    clock = ManualClock(datetime(2026, 3, 30, 16, 30, tzinfo=UTC))
    store = make_store()
    router = _router(store, clock)
    router.route(_ticket(clock, "t1"))
    clock.set(datetime(2026, 3, 31, 9, 30, tzinfo=UTC))
    router.reply("t1", actor="a1")
    r = metrics.report(store, None, START, END, office_hours=HOURS)
    assert r.ttfr.mean == 17 * 3600
    assert r.ttfr_business is not None
    assert r.ttfr_business.mean == 3600
    assert r.within_target == 0.0
    assert r.within_target_business == 1.0


def test_without_office_hours_there_are_no_business_figures(make_store: StoreMaker) -> None:
    """office_hours=None leaves the business-time figures None."""
    r = metrics.report(make_store(), None, START, END)
    assert r.ttfr_business is None
    assert r.within_target_business is None


def test_reassigned_ticket_counts_for_both_agents_and_keeps_its_ttfr(
    make_store: StoreMaker,
) -> None:
    """Round robin gives t1 to a1, a manager reassigns it to a2: a1 has one automatic, a2
    one manual assignment; the reply by a2 ends TTFR once."""
    clock = ManualClock(MONDAY_10)
    store = make_store()
    router = _router(store, clock)
    router.set_online("a1", True, actor="a1")
    assert router.route(_ticket(clock, "t1")).assignee == "a1"
    clock.advance(minutes=5)
    router.assign("t1", to="a2", actor="m1")
    clock.advance(minutes=5)
    router.reply("t1", actor="a2")
    r = metrics.report(store, None, START, END)
    assert r.assigned["a1"] == metrics.AgentLoad(automatic=1, manual=0)
    assert r.assigned["a2"] == metrics.AgentLoad(automatic=0, manual=1)
    assert (r.answered, r.ttfr.mean) == (1, 600)


def test_fairness_is_over_agents_online_all_period(make_store: StoreMaker) -> None:
    """a1 and a2 were Online before the period and stayed; a3 came Online during it and is
    left out. Round robin over a1/a2 differs by at most one."""
    clock = ManualClock(MONDAY_8)
    store = make_store()
    router = _router(store, clock)
    router.set_online("a1", True, actor="a1")
    router.set_online("a2", True, actor="a2")
    clock.set(MONDAY_10)
    for i in range(5):
        router.route(_ticket(clock, f"t{i}"))
    router.set_online("a3", True, actor="a3")
    r = metrics.report(store, None, START, END)
    assert r.always_online == ("a1", "a2")
    assert r.fairness.agents == 2
    assert r.fairness.spread <= 1
    assert sum(r.assigned[a].automatic for a in ("a1", "a2")) == 5


def test_waiting_at_end_in_unassigned_and_team_inboxes(make_store: StoreMaker) -> None:
    """Open tickets nobody holds at the end: webchat after hours in Unassigned, a team
    ticket whose member is Offline in the team inbox; a closed one is not waiting."""
    clock = ManualClock(datetime(2026, 3, 30, 20, tzinfo=UTC))
    store = make_store()
    router = _router(store, clock, channels=frozenset({"webchat"}))
    router.set_online("a1", True, actor="a1")
    router.route(_ticket(clock, "w1", "webchat"))
    router.route(_ticket(clock, "w2", "webchat"))
    router.route(_ticket(clock, "b1"))
    router.assign_to_team("b1", team="billing", actor="m1")
    router.set_status("w2", "closed", actor="m1")
    r = metrics.report(store, None, START, END)
    assert r.waiting_unassigned == 1
    assert r.waiting_by_team == {"billing": 1}


def test_time_to_resolution(make_store: StoreMaker) -> None:
    """Creation to first close: one ticket closed after two hours; an open one is not counted."""
    clock = ManualClock(MONDAY_10)
    store = make_store()
    router = _router(store, clock)
    router.route(_ticket(clock, "t1"))
    router.route(_ticket(clock, "t2"))
    clock.advance(hours=2)
    router.set_status("t1", "closed", actor="m1")
    r = metrics.report(store, None, START, END)
    assert (r.resolved, r.resolution.mean) == (1, 7200)


@pytest.mark.parametrize("kind", ["memory", "memory-log", "sqlite"])
def test_a_reply_logged_before_the_routing_counts_as_at_once(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Clocks a few seconds apart (processes sharing a store): routed at 10:00:00, replied
    at 09:59:58 and closed at 09:59:59 by another clock: TTFR and resolution are 0, never
    negative, elapsed and in business time, and the ticket stays answered; the same from
    the digest (memory), a pass over the log (memory-log) and SQLite's fact rows."""
    store: Store
    if kind == "sqlite":
        store = SqliteStore(tmp_path / "store.db", agents=AGENTS)
        request.addfinalizer(store.close)
    else:
        store = InMemoryStore(agents=AGENTS, report_digest=kind == "memory")
    clock = ManualClock(MONDAY_10)
    router = _router(store, clock)
    router.route(_ticket(clock, "t1"))
    router.route(_ticket(clock, "t2"))
    clock.set(MONDAY_10 - timedelta(seconds=2))
    router.reply("t1", actor="a1")
    clock.advance(seconds=1)
    router.set_status("t1", "closed", actor="m1")
    clock.set(MONDAY_10 + timedelta(seconds=30))
    router.reply("t2", actor="a1")
    r = metrics.report(store, None, START, END, office_hours=HOURS)
    assert (r.tickets, r.answered, r.unanswered) == (2, 2, 0)
    assert (r.ttfr.mean, r.ttfr.median, r.ttfr.p90) == (15.0, 15.0, 27.0)
    assert r.ttfr_business is not None
    assert (r.ttfr_business.mean, r.ttfr_business.median) == (15.0, 15.0)
    assert (r.within_target, r.within_target_business) == (1.0, 1.0)
    assert (r.resolved, r.resolution.mean) == (1, 0.0)


@pytest.mark.parametrize("kind", ["memory", "memory-log", "sqlite"])
def test_a_ticket_routed_again_keeps_a_reply_from_before_the_period(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Routed at 08:00 (before the period), replied and closed at 09:40 (in it), routed
    again at 10:00: answered and resolved at once from its latest routing, the answer of
    a period from 00:00 too (the reply and close were dropped as they came before any
    routing in the period, so the ticket read as unanswered); the same from the digest,
    a pass over the log, SQLite's fact rows and ``summarize``."""
    store: Store
    if kind == "sqlite":
        store = SqliteStore(tmp_path / "store.db", agents=AGENTS)
        request.addfinalizer(store.close)
    else:
        store = InMemoryStore(agents=AGENTS, report_digest=kind == "memory")
    rows = [
        (MONDAY_8, "routed", None, {}, "open"),
        (START + timedelta(minutes=40), "replied", "a1", {"public": True}, "open"),
        (START + timedelta(minutes=41), "status", "m1", {}, "closed"),
        (MONDAY_10, "routed", None, {}, "closed"),
        (MONDAY_10 + timedelta(minutes=30), "replied", "a1", {"public": True}, "closed"),
    ]
    records = []
    with store.transaction() as tx:
        for seq, (at, action, actor, detail, status) in enumerate(rows, 1):
            record = AuditRecord(
                seq=seq,
                at=at,
                actor=actor,
                action=action,
                ticket_id="t1",
                status=status,
                detail=detail,
            )
            tx.append_audit(record)
            records.append(record)
    for start in (START, MONDAY_8 - timedelta(hours=8)):
        for r in (
            metrics.report(store, None, start, END),
            metrics.summarize(records, [], start, END),
        ):
            assert (r.tickets, r.answered, r.unanswered) == (1, 1, 0)
            assert r.ttfr.mean == 0.0
            assert (r.resolved, r.resolution.mean) == (1, 0.0)


def test_period_bounds_are_half_open(make_store: StoreMaker) -> None:
    """Tickets routed before start or at end are outside the period."""
    clock = ManualClock(MONDAY_8)
    store = make_store()
    router = _router(store, clock)
    router.route(_ticket(clock, "early"))
    clock.set(START)
    router.route(_ticket(clock, "first"))
    clock.set(END)
    router.route(_ticket(clock, "late"))
    assert metrics.report(store, None, START, END).tickets == 1


def test_end_before_start_is_refused() -> None:
    """An empty or reversed period raises ValidationError."""
    with pytest.raises(ValidationError, match="end must be after start"):
        metrics.report(InMemoryStore(), None, END, START)


@pytest.mark.parametrize(
    ("start", "end", "options", "error", "message"),
    [
        (END, START, {}, ValidationError, "end must be after start"),
        (START, START, {}, ValidationError, "end must be after start"),
        (START.replace(tzinfo=None), END, {}, NaiveDatetimeError, "start"),
        (START, END, {"target": 60}, TypeError, "target must be a timedelta, got int"),
        (START, END, {"office_hours": "9-5"}, TypeError, "office_hours must be OfficeHours"),
    ],
)
def test_summarize_checks_its_period_as_report_does(
    start: datetime, end: datetime, options: dict[str, object], error: type[Exception], message: str
) -> None:
    """The pure summarize refuses what report refuses (a reversed period gave an empty
    report, a naive instant a TypeError from a comparison)."""
    with pytest.raises(error, match=message):
        metrics.summarize([], [], start, end, **options)  # type: ignore[arg-type]


def _ai_events() -> list[Event]:
    out = []
    for cid, channel, resolved, escalated in [
        ("c1", "webchat", True, False),
        ("c2", "webchat", False, True),
        ("c3", "sms", True, False),
        ("c4", "webchat", False, False),
    ]:
        at = MONDAY_10
        kinds: list[events.ConversationEvent] = [
            events.ConversationStarted(conversation_id=cid, channel=channel)
        ]
        if resolved:
            kinds.append(events.ConversationResolved(conversation_id=cid, channel=channel))
        if escalated:
            kinds.append(
                events.ConversationEscalated(
                    conversation_id=cid, channel=channel, reason="knowledge_gap"
                )
            )
        out += [k.to_event(profile_id="p1", at=at) for k in kinds]
    return out


def test_ai_resolution_and_handoff_rates_overall_and_per_channel() -> None:
    """Resolved/started and escalated/started, overall and per channel; events outside the
    period are ignored."""
    outside = events.ConversationStarted(conversation_id="old", channel="sms").to_event(
        profile_id="p1", at=MONDAY_8
    )
    r = metrics.report(InMemoryStore(), None, START, END, events=[*_ai_events(), outside])
    assert (r.ai.started, r.ai.resolved, r.ai.escalated) == (4, 2, 1)
    assert (r.ai.resolution_rate, r.ai.handoff_rate) == (0.5, 0.25)
    web = r.ai_by_channel["webchat"]
    assert (web.resolution_rate, web.handoff_rate) == (pytest.approx(1 / 3), pytest.approx(1 / 3))
    assert r.ai_by_channel["sms"].resolution_rate == 1.0


def test_ai_rates_count_conversations_not_events() -> None:
    """An event recorded twice counts once; an outcome of a conversation started before the
    period is no part of its rates (they reached 200%); a start without a conversation id
    is a conversation of its own, an outcome without one is left out."""

    def at(kind: type[events.ConversationEvent], cid: str, when: datetime, **kw: str) -> Event:
        return kind(conversation_id=cid, channel="webchat", **kw).to_event(profile_id="p1", at=when)

    started = at(events.ConversationStarted, "c1", MONDAY_10)
    resolved = at(events.ConversationResolved, "c1", MONDAY_10 + timedelta(minutes=5))
    before = at(events.ConversationStarted, "c0", START - timedelta(minutes=10))
    late = at(events.ConversationResolved, "c0", START + timedelta(minutes=5))
    escalated = at(events.ConversationEscalated, "c0", MONDAY_10, reason="knowledge_gap")
    bare_start = Event(profile_id="p1", metric=started.metric, timestamp=MONDAY_10)
    bare_end = Event(profile_id="p1", metric=resolved.metric, timestamp=MONDAY_10)
    recorded = [started, resolved, resolved, started, before, late, escalated]
    r = metrics.report(InMemoryStore(), None, START, END, events=[*recorded, bare_start, bare_end])
    assert (r.ai.started, r.ai.resolved, r.ai.escalated) == (2, 1, 0)
    assert r.ai.resolution_rate == 0.5
    assert r.ai_by_channel == {
        "webchat": metrics.AiRates(1, 1, 0),
        "unknown": metrics.AiRates(1, 0, 0),
    }


def test_a_conversations_channel_is_its_earliest_starts_in_any_order() -> None:
    """A conversation started twice (recorded without a unique id, or imported) counts
    under the channel of its earliest start, whatever order the events are given in (a
    store's pages list them newest first); a start whose channel is null is `unknown`,
    as one without a channel."""

    def start(cid: str, channel: str | None, when: datetime) -> Event:
        return Event(
            profile_id="p1",
            metric=events.DEFAULT_NAMES.started,
            timestamp=when,
            properties={"conversation_id": cid, "channel": channel},
        )

    first = start("c1", "sms", MONDAY_10)
    later = start("c1", "webchat", MONDAY_10 + timedelta(hours=1))
    null = start("c2", None, MONDAY_10)
    tied = start("c3", "webchat", MONDAY_10)
    also = start("c3", "email", MONDAY_10)
    for listed in (
        [first, later, null, tied, also],
        [later, first, null, also, tied],
        [also, null, later, tied, first],
    ):
        r = metrics.summarize([], listed, START, END)
        assert r.ai_by_channel == {
            "sms": metrics.AiRates(1, 0, 0),
            "unknown": metrics.AiRates(1, 0, 0),
            "email": metrics.AiRates(1, 0, 0),  # of starts at one instant, the first
        }


def test_events_come_from_customer_data_that_can_list_them() -> None:
    """Without events=, the report asks customer_data.events_between(start, end)."""

    class Listing:
        def events_between(self, start: datetime, end: datetime) -> list[Event]:
            return _ai_events()

    r = metrics.report(InMemoryStore(), Listing(), START, END)
    assert r.ai.started == 4


def test_the_ai_rates_come_from_every_customer_data_adapter(
    customer_data_factory: CustomerDataFactory, request: pytest.FixtureRequest
) -> None:
    """Memory, SQLite and PostgreSQL customer data list their events for the report."""
    outside = events.ConversationStarted(conversation_id="old", channel="sms").to_event(
        profile_id="p1", at=MONDAY_8
    )
    data = customer_data_factory(request, [], [*_ai_events(), outside])
    r = metrics.report(InMemoryStore(), data, START, END)
    assert (r.ai.started, r.ai.resolved, r.ai.escalated) == (4, 2, 1)
    assert r.ai_by_channel["sms"].resolution_rate == 1.0


def test_handoffs_from_the_ledger_by_state() -> None:
    """Handoffs created in the period are counted by state; the handed-off ticket's TTFR
    starts at the handoff."""
    clock = ManualClock(MONDAY_10)
    store = InMemoryStore(agents=AGENTS)
    data = InMemoryCustomerData()
    router = _router(store, clock)
    router.set_online("a1", True, actor="a1")
    ledger = InMemoryLedger()
    h = Handoff(
        settings=SendToHelpdesk(), router=router, ledger=ledger, customer_data=data, clock=clock
    )
    step = h.request(Conversation(id="c1", channel="sms", profile_id="p1"))
    h.request(Conversation(id="c2", channel="webchat", profile_id="p2"))
    clock.advance(minutes=3)
    assert step.ticket_id is not None
    router.reply(step.ticket_id, actor="a1")
    r = metrics.report(store, data, START, END, ledger=ledger)
    assert r.handoffs == {"awaiting_confirmation": 1, "handed_off": 1}
    assert (r.answered, r.ttfr.mean) == (1, 180)


def test_to_pandas_frames() -> None:
    """to_pandas gives summary, agents, channels and teams frames."""
    clock = ManualClock(MONDAY_10)
    store = InMemoryStore(agents=AGENTS)
    router = _router(store, clock)
    router.set_online("a1", True, actor="a1")
    router.route(_ticket(clock, "t1"))
    frames = metrics.report(store, None, START, END, events=_ai_events()).to_pandas()
    assert set(frames) == {"summary", "agents", "channels", "teams"}
    assert frames["agents"].to_dict("records") == [
        {"agent": "a1", "automatic": 1, "manual": 0, "total": 1, "always_online": False}
    ]
    summary = dict(zip(frames["summary"]["figure"], frames["summary"]["value"], strict=True))
    assert summary["tickets"] == 1
    assert list(frames["channels"]["channel"]) == ["sms", "webchat"]


def test_to_pandas_agents_include_the_always_online_given_nothing() -> None:
    """An agent Online all the period with no ticket has a row of zeros: fairness
    counts them, so the agents frame shows them too."""
    clock = ManualClock(START)
    store = InMemoryStore(agents=AGENTS)
    router = _router(store, clock)
    router.set_online("a1", True, actor="a1")
    router.set_online("a2", True, actor="a2")
    clock.set(MONDAY_10)
    router.route(_ticket(clock, "t1"))
    r = metrics.report(store, None, START, END)
    assert r.always_online == ("a1", "a2")
    rows = r.to_pandas()["agents"].to_dict("records")
    assert rows == [
        {"agent": "a1", "automatic": 1, "manual": 0, "total": 1, "always_online": True},
        {"agent": "a2", "automatic": 0, "manual": 0, "total": 0, "always_online": True},
    ]


def test_to_pandas_without_pandas_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without pandas, to_pandas raises MissingExtra naming 'pandas'."""
    real = metrics.importlib.import_module

    def fake(name: str, package: str | None = None) -> object:
        if name == "pandas":
            raise ImportError("No module named 'pandas'")
        return real(name, package)

    monkeypatch.setattr(metrics.importlib, "import_module", fake)
    r = metrics.report(InMemoryStore(), None, START, END)
    with pytest.raises(MissingExtra, match=r"optional extra 'pandas'"):
        r.to_pandas()


@given(
    agents=st.integers(min_value=1, max_value=5),
    tickets=st.integers(min_value=0, max_value=30),
    manual=st.lists(st.tuples(st.integers(0, 29), st.integers(0, 4)), max_size=5),
)
def test_round_robin_report_invariants(
    agents: int, tickets: int, manual: list[tuple[int, int]]
) -> None:
    """For any number of always-online agents and tickets (with some manual reassignments):
    the automatic assignments sum to the tickets, their spread is at most one, answered +
    unanswered = tickets, and every assignment is counted once."""
    ids = [f"a{i}" for i in range(agents)]
    store = InMemoryStore(agents=[*(Agent(id=a) for a in ids), Agent(id="m1", role=Role.MANAGER)])
    clock = ManualClock(MONDAY_8)
    router = Router(
        rules=RuleSet(rules=[]),
        teams=[],
        store=store,
        customer_data=InMemoryCustomerData(),
        clock=clock,
    )
    for a in ids:
        router.set_online(a, True, actor=a)
    clock.set(MONDAY_10)
    for i in range(tickets):
        router.route(_ticket(clock, f"t{i}"))
    reassignments = 0
    for t, a in manual:
        if t < tickets and a < agents:
            before = router.ticket(f"t{t}").assignee
            router.assign(f"t{t}", to=ids[a], actor="m1")
            reassignments += before != ids[a]
    r = metrics.report(store, None, START, END)
    assert sum(v.automatic for v in r.assigned.values()) == tickets
    assert sum(v.manual for v in r.assigned.values()) == reassignments
    assert r.fairness.spread <= 1
    assert r.fairness.agents == agents
    assert r.answered + r.unanswered == r.tickets == tickets


def test_a_report_refuses_arguments_it_cannot_read() -> None:
    """A store, office hours or target of the wrong kind is named before anything is
    read (office hours were only touched when a ticket had been answered)."""
    store = InMemoryStore(agents=[Agent(id="a1")])
    start = datetime(2026, 3, 30, tzinfo=UTC)
    end = start + timedelta(days=1)
    with pytest.raises(TypeError, match=r"^store must be a Store, got NoneType$"):
        metrics.report(None, None, start, end)
    with pytest.raises(TypeError, match=r"^office_hours must be OfficeHours \(or None\), got str$"):
        metrics.report(store, None, start, end, office_hours="9-5")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^ledger must be a handoff ledger \(or None\), got str$"):
        metrics.report(store, None, start, end, ledger="ledger.db")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"^target must be a timedelta of at least 0"):
        metrics.report(store, None, start, end, target=timedelta(minutes=-5))
    with pytest.raises(TypeError, match=r"^target must be a timedelta, got int$"):
        metrics.report(store, None, start, end, target=60)  # type: ignore[arg-type]
    assert metrics.report(store, None, start, end, target=timedelta(0)).tickets == 0
    # each is also a library error, so `except RoutingError` catches a wrong argument
    with pytest.raises(ValidationError, match=r"^store must be a Store, got dict$"):
        metrics.report({}, None, start, end)


def test_a_report_refuses_events_and_names_of_the_wrong_kind() -> None:
    """Events that are not Events are named by index, metric names that are not
    EventNames by argument: errors that are TypeErrors and library errors alike."""
    store = InMemoryStore(agents=[Agent(id="a1")])
    start = datetime(2026, 3, 30, tzinfo=UTC)
    end = start + timedelta(days=1)
    event = Event(profile_id="p1", metric="m", timestamp=start)

    def summarize(
        _store: object, _data: object, start: datetime, end: datetime, **k: Any
    ) -> object:
        return metrics.summarize([], k.pop("events"), start, end, **k)

    for call in (metrics.report, summarize):
        with pytest.raises(ArgumentTypeError, match=r"^events\[1\] must be an Event, got dict$"):
            call(store, None, start, end, events=[event, {"a": 1}])
        with pytest.raises(TypeError, match=r"^events must be Events \(an iterable\), got int$"):
            call(store, None, start, end, events=5)
        with pytest.raises(RoutingError, match=r"^names must be EventNames, got str$"):
            call(store, None, start, end, events=[], names="x")


def test_a_ticket_closed_by_a_reroute_is_resolved(make_store: StoreMaker) -> None:
    """``reroute(ticket=...)`` with closed content closes the ticket (audited ``rerouted``):
    it is resolved, at that instant, by the digest, the log pass and SQLite alike (it was
    never counted)."""
    store = make_store()
    clock = ManualClock(MONDAY_10)
    router = _router(store, clock)
    ticket = _ticket(clock, "t1")
    router.route(ticket)
    clock.advance(hours=2)
    closed = ticket.model_copy(update={"status": TicketStatus.CLOSED})
    router.reroute("t1", actor="a1", ticket=closed)
    report = metrics.report(store, None, START, END)
    assert report.resolved == 1
    assert report.resolution.mean == 2 * 3600
    with store.transaction() as tx:
        records = tx.audit()
    assert metrics.summarize(records, [], START, END).resolved == 1


def test_a_reroute_is_no_new_routing_for_the_ttfr(make_store: StoreMaker) -> None:
    """A ``reroute`` (audited ``rerouted``) applies the rules again but is no routing:
    the TTFR of a ticket answered after it runs from its routing, by the digest, the log
    pass and every store alike (docs/metrics.md says so)."""
    store = make_store()
    clock = ManualClock(MONDAY_10)
    router = _router(store, clock)
    router.route(_ticket(clock, "t1"))
    clock.advance(hours=1)
    router.reroute("t1", actor="a1")
    clock.advance(minutes=30)
    router.reply("t1", actor="a1")
    report = metrics.report(store, None, START, END)
    assert (report.answered, report.ttfr.mean) == (1, 90 * 60)
    with store.transaction() as tx:
        records = tx.audit()
    assert [r.action for r in records if r.ticket_id == "t1"][:2] == ["routed", "rerouted"]
    assert metrics.summarize(records, [], START, END).ttfr.mean == 90 * 60


def test_names_that_give_two_kinds_one_metric_are_refused_by_the_report() -> None:
    """Names whose resolved and escalated events share a metric (made without
    validation) are refused by report and summarize: a conversation only resolved was
    counted as escalated too."""
    names = events.DEFAULT_NAMES.model_copy(update={"escalated": events.DEFAULT_NAMES.resolved})
    only_resolved = [
        kind(conversation_id="c1", channel="webchat").to_event(
            profile_id="p1", at=MONDAY_10, names=events.DEFAULT_NAMES
        )
        for kind in (events.ConversationStarted, events.ConversationResolved)
    ]
    message = r"^escalated and resolved must be different metric names, both are 'Conversation"
    with pytest.raises(ValidationError, match=message):
        metrics.report(InMemoryStore(), None, START, END, events=only_resolved, names=names)
    with pytest.raises(ValidationError, match=message):
        metrics.summarize([], only_resolved, START, END, names=names)


_KINDS = ("started", "resolved", "escalated", "product_recommendation")


@given(
    texts=st.lists(st.text(alphabet="ab", min_size=1, max_size=3), min_size=4, max_size=4),
    outcomes=st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans()), max_size=8),
)
def test_each_outcome_counts_for_its_own_kind_under_any_names(
    texts: list[str], outcomes: list[tuple[bool, bool, bool]]
) -> None:
    """Under any EventNames that can be built, a conversation counts as resolved exactly
    when it was resolved and as escalated exactly when it was escalated (a product
    recommendation is neither)."""
    try:
        names = events.EventNames(**dict(zip(_KINDS, texts, strict=True)))
    except ValidationError:
        assert len(set(texts)) < 4
        return
    recorded: list[Event] = []
    for i, (resolved, escalated, recommended) in enumerate(outcomes):
        cid = f"c{i}"
        kinds: list[events.ConversationEvent] = [
            events.ConversationStarted(conversation_id=cid, channel="sms")
        ]
        if resolved:
            kinds.append(events.ConversationResolved(conversation_id=cid, channel="sms"))
        if escalated:
            kinds.append(events.ConversationEscalated(conversation_id=cid, channel="sms"))
        if recommended:
            kinds.append(events.ProductRecommendationReceived(conversation_id=cid, channel="sms"))
        recorded += [k.to_event(profile_id="p1", at=MONDAY_10, names=names) for k in kinds]
    ai = metrics.summarize([], recorded, START, END, names=names).ai
    assert ai.started == len(outcomes)
    assert ai.resolved == sum(r for r, _, _ in outcomes)
    assert ai.escalated == sum(e for _, e, _ in outcomes)
