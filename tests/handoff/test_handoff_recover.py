"""Handoff.recover: handoffs a dead process left in requested, handing_off or
outcome_unknown are moved on, on every ledger, with at most one ticket per conversation."""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.handoff import (
    FINAL_STATES,
    BuiltinHelpdesk,
    Delivery,
    DeliveryRequest,
    Handoff,
    HandoffRecord,
    InMemoryLedger,
    Ledger,
    OtherDestination,
    OutcomeUnknown,
    SendMessage,
    SendToHelpdesk,
    State,
    TransitionEntry,
    handoff_id,
)
from helpdesk_routing.handoff.connectors._http import RetryPolicy
from helpdesk_routing.handoff.connectors.zendesk import ZendeskConnector
from helpdesk_routing.handoff.ledger import STALLED_STATES
from tests.handoff.conftest import MONDAY_10, OFFICE_HOURS, Desk, LedgerFactory, conversation

ESCALATED = "Conversation with Customer Agent Escalated"
HID = handoff_id("c1")


class ProcessDied(BaseException):
    """The process ended mid-call (a deploy's SIGTERM handler raising SystemExit, a kill)."""


@dataclass
class Remote:
    """An external helpdesk without an idempotency key (like Gorgias): every POST creates a
    ticket; tickets are found by external id. ``plan`` scripts the POSTs: ``ok``,
    ``die-before`` (the process dies before the POST leaves), ``die-after`` (the ticket is
    created, then the process dies), ``lost`` (the answer is lost, nothing created);
    ``failing_lookups`` look-ups answer HTTP 503; looking up a handoff of ``broken``
    raises a raw ``RuntimeError`` (a destination's bug); looking one of ``unanswered`` up
    answers HTTP 500 every time."""

    plan: list[str] = field(default_factory=list)
    failing_lookups: int = 0
    broken: set[str] = field(default_factory=set)
    unanswered: set[str] = field(default_factory=set)
    name: str = "remote"
    created: list[tuple[str, str]] = field(default_factory=list)
    lookups: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def deliver(self, request: DeliveryRequest) -> Delivery:
        with self.lock:
            what = self.plan.pop(0) if self.plan else "ok"
            if what == "die-before":
                raise ProcessDied
            if what == "lost":
                raise OutcomeUnknown(self.name, "connection dropped")
            ticket = f"T-{len(self.created) + 1}"
            self.created.append((request.handoff_id, ticket))
        if what == "die-after":
            raise ProcessDied
        return Delivery(ticket_id=ticket, continue_on="sms")

    def find(self, handoff_id: str) -> str | None:
        with self.lock:
            self.lookups.append(handoff_id)
            if handoff_id in self.broken:
                raise RuntimeError("the destination's own bug")
            if handoff_id in self.unanswered:
                raise OutcomeUnknown(self.name, "look-up answered HTTP 500")
            if self.failing_lookups:
                self.failing_lookups -= 1
                raise OutcomeUnknown(self.name, "look-up answered HTTP 503")
            return next((t for h, t in self.created if h == handoff_id), None)

    def tickets(self, handoff: str) -> int:
        """How many tickets carry this external id."""
        return sum(1 for h, _ in self.created if h == handoff)


def _worker(ledger: Ledger, remote: Remote, clock: ManualClock) -> Handoff:
    return Handoff(
        settings=SendToHelpdesk(helpdesk="gorgias"), ledger=ledger, clock=clock, destination=remote
    )


def _trail(record: HandoffRecord) -> list[tuple[str, State | None, State]]:
    return [(t.actor, t.source, t.target) for t in record.transitions]


def _left_in(
    ledger: Ledger,
    state: State,
    at: datetime,
    channel: str = "sms",
    *,
    cid: str = "c1",
    destination: str = "gorgias",
) -> HandoffRecord:
    """A handoff for ``cid`` (c1) as a process that died would leave it: ``state``, last
    written at ``at`` (written through the ledger, as the dead process did)."""
    record = HandoffRecord(
        id=handoff_id(cid),
        conversation=conversation(cid, channel=channel, profile_id="p1"),
        destination=destination,
        reason="knowledge_gap",
        state=State.REQUESTED,
        created_at=at,
        updated_at=at,
        transitions=(
            TransitionEntry(at=at, actor="ai_agent", source=None, target=State.REQUESTED, why="-"),
        ),
    )
    ledger.create(record)
    if state is State.REQUESTED:
        return record
    entry = TransitionEntry(at=at, actor="system", source=State.REQUESTED, target=state, why="-")
    moved = record.model_copy(
        update={
            "state": state,
            "version": 2,
            "attempts": 1 if state is State.HANDING_OFF else 0,
            "transitions": (*record.transitions, entry),
        }
    )
    ledger.replace(moved)
    return moved


def test_recover_finds_the_ticket_a_dead_process_created(ledgers: LedgerFactory) -> None:
    """The process died after the destination created the ticket: recover marks the answer
    lost (outcome_unknown, actor system, why naming the staleness), finds the ticket by
    external id and hands off, with no second POST."""
    clock = ManualClock(MONDAY_10)
    remote = Remote(plan=["die-after"])
    h = _worker(ledgers(), remote, clock)
    with pytest.raises(ProcessDied):
        h.request(conversation(channel="sms", profile_id="p1"))
    assert h.get(HID).state is State.HANDING_OFF
    clock.advance(minutes=10)

    steps = h.recover(older_than=timedelta(minutes=5))

    assert [(s.handoff_id, s.state, s.ticket_id) for s in steps] == [(HID, State.HANDED_OFF, "T-1")]
    assert remote.created == [(HID, "T-1")]
    record = h.get(HID)
    assert _trail(record)[-2:] == [
        ("system", State.HANDING_OFF, State.OUTCOME_UNKNOWN),
        ("system", State.OUTCOME_UNKNOWN, State.HANDED_OFF),
    ]
    assert record.transitions[-2].why == (
        "stalled in handing_off since 2026-03-30T10:00:00+00:00 (longer than 0:05:00)"
    )
    assert record.transitions[-1].why == "found ticket T-1"
    assert (record.ticket_id, record.attempts) == ("T-1", 1)
    assert record.transitions[-1].at == clock.now()


def test_recover_sends_once_what_a_dead_process_never_sent(ledgers: LedgerFactory) -> None:
    """The process died before the POST left: recover finds nothing and sends it, once."""
    clock = ManualClock(MONDAY_10)
    remote = Remote(plan=["die-before"])
    h = _worker(ledgers(), remote, clock)
    with pytest.raises(ProcessDied):
        h.request(conversation(channel="sms", profile_id="p1"))
    clock.advance(hours=1)

    [step] = h.recover(older_than=timedelta(minutes=5))

    assert (step.state, step.ticket_id) == (State.HANDED_OFF, "T-1")
    assert remote.created == [(HID, "T-1")]
    record = h.get(HID)
    assert _trail(record)[-3:] == [
        ("system", State.HANDING_OFF, State.OUTCOME_UNKNOWN),
        ("system", State.OUTCOME_UNKNOWN, State.HANDING_OFF),
        ("system", State.HANDING_OFF, State.HANDED_OFF),
    ]
    assert record.transitions[-2].why == "no ticket found"
    assert record.attempts == 2


def test_recover_after_the_ledger_alone_says_handing_off(ledgers: LedgerFactory) -> None:
    """A handing_off written straight into the ledger, its ticket already at the destination
    (created by the dead process): recover finds it and creates nothing."""
    clock = ManualClock(MONDAY_10 + timedelta(hours=1))
    ledger = ledgers()
    _left_in(ledger, State.HANDING_OFF, MONDAY_10)
    remote = Remote(created=[(HID, "T-7")])
    [step] = _worker(ledger, remote, clock).recover(older_than=timedelta(minutes=5))
    assert (step.state, step.ticket_id) == (State.HANDED_OFF, "T-7")
    assert remote.created == [(HID, "T-7")]


@pytest.mark.parametrize(
    ("channel", "state", "tell", "tickets"),
    [
        ("sms", State.HANDED_OFF, ["human_will_follow", "continue_by_sms"], 1),
        ("webchat", State.AWAITING_CONFIRMATION, ["confirm_handoff"], 0),
    ],
)
def test_recover_advances_a_requested_handoff_as_request_would(
    ledgers: LedgerFactory, channel: str, state: State, tell: list[str], tickets: int
) -> None:
    """A handoff the dead process left in requested takes the Start input: identified SMS is
    sent, webchat asks the visitor to confirm (the step carries what to tell them)."""
    clock = ManualClock(MONDAY_10 + timedelta(hours=1))
    ledger = ledgers()
    _left_in(ledger, State.REQUESTED, MONDAY_10, channel=channel)
    remote = Remote()
    h = _worker(ledger, remote, clock)

    [step] = h.recover(older_than=timedelta(minutes=5))

    assert (step.state, [m.key.value for m in step.tell_visitor]) == (state, tell)
    assert remote.tickets(HID) == tickets
    record = h.get(HID)
    assert _trail(record)[1][:2] == ("system", State.REQUESTED)
    assert record.transitions[1].why == (
        "stalled in requested since 2026-03-30T10:00:00+00:00 (longer than 0:05:00)"
    )


def test_recover_leaves_a_handoff_updated_within_older_than_alone(ledgers: LedgerFactory) -> None:
    """A handing_off last written exactly older_than ago may still be waiting for its answer:
    untouched, no look-up; a microsecond later it is recovered."""
    clock = ManualClock(MONDAY_10)
    remote = Remote(plan=["die-after"])
    h = _worker(ledgers(), remote, clock)
    with pytest.raises(ProcessDied):
        h.request(conversation(channel="sms", profile_id="p1"))
    before = h.get(HID)
    clock.advance(minutes=5)

    assert h.recover(older_than=timedelta(minutes=5)) == []
    assert h.get(HID) == before
    assert remote.lookups == []

    clock.advance(timedelta(microseconds=1))
    assert [s.state for s in h.recover(older_than=timedelta(minutes=5))] == [State.HANDED_OFF]


@pytest.mark.parametrize("state", sorted(set(State) - STALLED_STATES))
def test_recover_never_touches_final_or_visitor_states(
    ledgers: LedgerFactory, state: State
) -> None:
    """Final states and the states waiting for the visitor are left as they are, however old."""
    assert state in FINAL_STATES or state in (State.AWAITING_CONFIRMATION, State.AWAITING_EMAIL)
    clock = ManualClock(MONDAY_10 + timedelta(days=30))
    ledger = ledgers()
    before = _left_in(ledger, state, MONDAY_10)
    remote = Remote()
    assert _worker(ledger, remote, clock).recover(older_than=timedelta(minutes=5)) == []
    assert ledger.get(HID) == before
    assert (remote.created, remote.lookups) == ([], [])


def test_recover_reconciles_a_stale_outcome_unknown(ledgers: LedgerFactory) -> None:
    """A lost answer nobody reconciled is reconciled by recover: not found, sent again once."""
    clock = ManualClock(MONDAY_10)
    remote = Remote(plan=["lost"])
    h = _worker(ledgers(), remote, clock)
    assert h.request(conversation(channel="sms", profile_id="p1")).state is State.OUTCOME_UNKNOWN
    clock.advance(minutes=10)
    [step] = h.recover(older_than=timedelta(minutes=5))
    assert (step.state, step.ticket_id) == (State.HANDED_OFF, "T-1")
    assert remote.created == [(HID, "T-1")]
    assert h.get(HID).transitions[-2].why.startswith("stalled in outcome_unknown since ")


def test_a_failed_look_up_is_retried_by_the_next_recover(ledgers: LedgerFactory) -> None:
    """When the look-up fails the handoff waits in outcome_unknown; a later recover,
    once the destination answers, finds the ticket: still one ticket."""
    clock = ManualClock(MONDAY_10)
    remote = Remote(plan=["die-after"], failing_lookups=1)
    h = _worker(ledgers(), remote, clock)
    with pytest.raises(ProcessDied):
        h.request(conversation(channel="sms", profile_id="p1"))
    clock.advance(minutes=10)
    assert [s.state for s in h.recover(older_than=timedelta(minutes=5))] == [State.OUTCOME_UNKNOWN]
    assert h.recover(older_than=timedelta(minutes=5)) == []  # updated just now
    clock.advance(minutes=10)
    assert [s.state for s in h.recover(older_than=timedelta(minutes=5))] == [State.HANDED_OFF]
    assert remote.created == [(HID, "T-1")]


def test_one_handoff_s_unexpected_error_does_not_stop_the_batch(
    ledgers: LedgerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """A look-up raising a raw error for one handoff: that handoff is logged at ERROR and
    left for a later recover; the others of the batch are still recovered."""
    clock = ManualClock(MONDAY_10)
    ledger = ledgers()
    _left_in(ledger, State.OUTCOME_UNKNOWN, MONDAY_10, cid="c1")
    _left_in(ledger, State.OUTCOME_UNKNOWN, MONDAY_10 + timedelta(seconds=1), cid="c2")
    remote = Remote(broken={HID})
    h = _worker(ledger, remote, clock)
    clock.advance(minutes=10)
    caplog.set_level(logging.ERROR, logger="helpdesk_routing.handoff")
    [step] = h.recover(older_than=timedelta(minutes=5))
    assert (step.handoff_id, step.state) == (handoff_id("c2"), State.HANDED_OFF)
    assert h.get(HID).state is State.OUTCOME_UNKNOWN
    [logged] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert logged.handoff_id == HID  # type: ignore[attr-defined]
    assert logged.exc_info is not None
    assert logged.exc_info[0] is RuntimeError
    remote.broken.clear()
    clock.advance(minutes=10)
    [step] = h.recover(older_than=timedelta(minutes=5))
    assert (step.handoff_id, step.state) == (HID, State.HANDED_OFF)


@pytest.mark.parametrize("older_than", [timedelta(0), timedelta(minutes=-1)])
def test_recover_refuses_an_older_than_that_is_not_positive(older_than: timedelta) -> None:
    """older_than must be positive: zero would take handoffs still being sent."""
    h = _worker(InMemoryLedger(), Remote(), ManualClock(MONDAY_10))
    with pytest.raises(ValueError, match=f"^older_than must be positive, got {older_than}$"):
        h.recover(older_than=older_than)


# Five handoffs a dead process left, by conversation: their last write, minutes after 10:00.
BACKLOG = {"c-a": 40, "c-b": 10, "c-c": 50, "c-d": 20, "c-e": 30}


def _backlog(ledger: Ledger) -> list[str]:
    """The handoffs of BACKLOG left in handing_off; their ids, least recently updated first."""
    for cid, minute in BACKLOG.items():
        _left_in(ledger, State.HANDING_OFF, MONDAY_10 + timedelta(minutes=minute), cid=cid)
    return [handoff_id(c) for c in sorted(BACKLOG, key=BACKLOG.__getitem__)]


def test_recover_with_a_limit_moves_the_oldest_first(ledgers: LedgerFactory) -> None:
    """recover(limit=2) moves the two least recently updated handoffs and nothing else: the
    others are not looked up, not written."""
    clock = ManualClock(MONDAY_10 + timedelta(hours=2))
    ledger = ledgers()
    oldest_first = _backlog(ledger)
    before = {hid: ledger.get(hid) for hid in oldest_first}
    remote = Remote(created=[(hid, f"T-{hid}") for hid in oldest_first])

    # any integral number is a whole number (a NumPy integer too), as 2 is
    import numpy as np  # the test extra holds it: missing, this fails, never skips

    two = np.int64(2)
    steps = _worker(ledger, remote, clock).recover(older_than=timedelta(minutes=5), limit=two)

    assert [(s.handoff_id, s.state) for s in steps] == [
        (hid, State.HANDED_OFF) for hid in oldest_first[:2]
    ]
    assert remote.lookups == oldest_first[:2]
    assert remote.created == [(hid, f"T-{hid}") for hid in oldest_first]  # nothing sent
    for hid in oldest_first[2:]:
        assert ledger.get(hid) == before[hid]


def test_repeated_recovers_with_a_limit_drain_the_backlog(ledgers: LedgerFactory) -> None:
    """Calls of recover(limit=2) take the backlog two at a time, oldest first, until nothing
    is left; every handoff is sent once."""
    clock = ManualClock(MONDAY_10 + timedelta(hours=2))
    ledger = ledgers()
    oldest_first = _backlog(ledger)
    remote = Remote()
    h = _worker(ledger, remote, clock)

    batches = []
    for _ in range(4):
        batches.append([s.handoff_id for s in h.recover(older_than=timedelta(minutes=5), limit=2)])
        clock.advance(minutes=1)

    assert batches == [oldest_first[:2], oldest_first[2:4], oldest_first[4:], []]
    assert [hid for hid, _ in remote.created] == oldest_first
    assert all(h.get(hid).state is State.HANDED_OFF for hid in oldest_first)


class NeverListed(InMemoryLedger):
    """A ledger that must not be asked for stalled handoffs (and checks no limit itself)."""

    def stalled(self, updated_before: datetime, *, limit: int | None = None) -> list[HandoffRecord]:
        raise AssertionError("stalled was called")


@pytest.mark.parametrize("limit", [0, -3, True, 2.0, "2"])
def test_recover_refuses_a_limit_that_is_not_a_positive_int(limit: object) -> None:
    """limit is None or an int of at least 1 (a bool is not): ValueError naming it, before
    anything is listed (whatever the ledger would make of it)."""
    h = _worker(NeverListed(), Remote(), ManualClock(MONDAY_10))
    with pytest.raises(ValueError, match=r"^limit must be a positive int or None, got "):
        h.recover(older_than=timedelta(minutes=5), limit=limit)  # type: ignore[arg-type]


def _skipped(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str, str, str]]:
    """The warnings of handoffs left for another destination: (id, its destination, the
    service's, message)."""
    return [
        (r.handoff_id, r.destination, r.service_destination, r.getMessage())  # type: ignore[attr-defined]
        for r in caplog.records
        if r.name == "helpdesk_routing.handoff" and r.levelno == logging.WARNING
    ]


def test_services_of_different_destinations_recover_only_their_own(
    ledgers: LedgerFactory, desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    """One ledger, three services (Gorgias, the built-in helpdesk, a custom message): each
    recovers the handoffs of its own destination only, requested ones included; the
    others are left as they are (same version, no look-up, no ticket) and each is
    logged once at WARNING naming the handoff and both destinations."""
    caplog.set_level(logging.WARNING, logger="helpdesk_routing.handoff")
    ledger = ledgers()
    left = {
        "c-g-handing": (State.HANDING_OFF, "gorgias"),
        "c-b-handing": (State.HANDING_OFF, "builtin"),
        "c-g-requested": (State.REQUESTED, "gorgias"),
        "c-b-requested": (State.REQUESTED, "builtin"),
        "c-m-requested": (State.REQUESTED, "message"),
    }
    for minute, (cid, (state, where)) in enumerate(left.items()):
        _left_in(ledger, state, MONDAY_10 + timedelta(minutes=minute), cid=cid, destination=where)
    hid = {cid: handoff_id(cid) for cid in left}
    before = {cid: ledger.get(hid[cid]) for cid in left}
    desk.clock.advance(hours=2)
    remote = Remote()
    gorgias = _worker(ledgers(), remote, desk.clock)
    builtin = Handoff(
        settings=SendToHelpdesk(helpdesk="builtin"),
        ledger=ledgers(),
        clock=desk.clock,
        router=desk.router,
        office_hours=OFFICE_HOURS,
    )
    message = Handoff(
        settings=SendMessage(text="Write to help@example.com"), ledger=ledgers(), clock=desk.clock
    )
    older_than = timedelta(minutes=5)

    steps = gorgias.recover(older_than=older_than)

    assert [(s.handoff_id, s.state) for s in steps] == [
        (hid["c-g-handing"], State.HANDED_OFF),
        (hid["c-g-requested"], State.HANDED_OFF),
    ]
    assert remote.lookups == [hid["c-g-handing"]]
    assert [h for h, _ in remote.created] == [hid["c-g-handing"], hid["c-g-requested"]]
    for cid in ("c-b-handing", "c-b-requested", "c-m-requested"):
        assert ledger.get(hid[cid]) == before[cid]
    assert desk.router.views.all_tickets().items == []
    assert _skipped(caplog) == [
        (
            hid[cid],
            where,
            "gorgias",
            f"handoff {hid[cid]} not recovered: its destination is {where}, this service's is"
            " gorgias",
        )
        for cid, where in [
            ("c-b-handing", "builtin"),
            ("c-b-requested", "builtin"),
            ("c-m-requested", "message"),
        ]
    ]

    caplog.clear()
    steps = builtin.recover(older_than=older_than)

    assert [(s.handoff_id, s.state) for s in steps] == [
        (hid["c-b-handing"], State.HANDED_OFF),
        (hid["c-b-requested"], State.HANDED_OFF),
    ]
    assert [t.id for t in desk.router.views.all_tickets().items] == [
        hid["c-b-handing"],
        hid["c-b-requested"],
    ]
    assert ledger.get(hid["c-m-requested"]) == before["c-m-requested"]
    assert [(h, d, s) for h, d, s, _ in _skipped(caplog)] == [
        (hid["c-m-requested"], "message", "builtin")
    ]

    caplog.clear()
    [shown] = message.recover(older_than=older_than)

    assert (shown.handoff_id, shown.state) == (hid["c-m-requested"], State.MESSAGE_SHOWN)
    assert _skipped(caplog) == []
    assert len(remote.created) == 2


def test_other_destinations_never_fill_a_limited_batch(
    ledgers: LedgerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """Older handoffs of another destination do not count against limit: however many come
    first, each call still moves limit handoffs of its own; each one passed over is logged
    once per call, none after the batch's last."""
    caplog.set_level(logging.WARNING, logger="helpdesk_routing.handoff")
    ledger = ledgers()
    order = ["c-b1", "c-b2", "c-b3", "c-g1", "c-b4", "c-g2", "c-b5"]
    for minute, cid in enumerate(order):
        where = "gorgias" if cid.startswith("c-g") else "builtin"
        at = MONDAY_10 + timedelta(minutes=minute)
        _left_in(ledger, State.HANDING_OFF, at, cid=cid, destination=where)
    before = {cid: ledger.get(handoff_id(cid)) for cid in order if cid.startswith("c-b")}
    remote = Remote()
    h = _worker(ledgers(), remote, ManualClock(MONDAY_10 + timedelta(hours=2)))

    calls = []
    for _ in range(3):
        caplog.clear()
        moved = [s.handoff_id for s in h.recover(older_than=timedelta(minutes=5), limit=1)]
        calls.append((moved, [skipped[0] for skipped in _skipped(caplog)]))

    b = [handoff_id(c) for c in ("c-b1", "c-b2", "c-b3", "c-b4", "c-b5")]
    assert calls == [
        ([handoff_id("c-g1")], b[:3]),
        ([handoff_id("c-g2")], b[:4]),
        ([], b),
    ]
    assert remote.lookups == [handoff_id("c-g1"), handoff_id("c-g2")]
    for cid, record in before.items():
        assert ledger.get(handoff_id(cid)) == record


SMALL = RetryPolicy(attempts=2, max_total_wait=1.0, timeout=0.5)
"""A connector policy whose longest delivery is short: Zendesk, 2 * (2 * 5 * 0.5 + 1) = 12 s."""


def _zendesk(tickets: dict[str, int] | None = None) -> ZendeskConnector:
    """A Zendesk connector on SMALL through a MockTransport (no network): look-ups find
    ``tickets`` (handoff id -> ticket id); any other request fails the test."""
    found = tickets or {}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == "/api/v2/tickets":
            hid = request.url.params["external_id"]
            answer = [{"id": found[hid], "external_id": hid}] if hid in found else []
            return httpx.Response(200, json={"tickets": answer})
        raise AssertionError(f"unexpected request {request.method} {request.url}")

    return ZendeskConnector(
        base_url="https://shop.zendesk.example",
        oauth_token="t",
        policy=SMALL,
        transport=httpx.MockTransport(handler),
    )


@pytest.mark.parametrize("older_than", [timedelta(seconds=10), timedelta(seconds=12)])
def test_recover_refuses_an_older_than_not_longer_than_the_longest_delivery(
    older_than: timedelta,
) -> None:
    """A destination with longest_delivery (a connector) needs an older_than longer than it:
    a shorter or equal one is a ValueError naming both, before anything is listed."""
    connector = _zendesk()
    assert connector.longest_delivery == timedelta(seconds=12)
    h = Handoff(
        settings=SendToHelpdesk(helpdesk="zendesk"),
        ledger=NeverListed(),
        clock=ManualClock(MONDAY_10),
        destination=connector,
    )
    expected = (
        f"older_than ({older_than}) must be longer than zendesk's longest delivery (0:00:12): "
        "a handoff still being delivered would be reconciled, and maybe sent, twice"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        h.recover(older_than=older_than)


def test_recover_takes_an_older_than_just_longer_than_the_longest_delivery(
    ledgers: LedgerFactory,
) -> None:
    """A microsecond past the connector's longest delivery is enough: the stalled Zendesk
    handoff is looked up (through the mock transport) and handed off."""
    ledger = ledgers()
    _left_in(ledger, State.HANDING_OFF, MONDAY_10, destination="zendesk")
    h = Handoff(
        settings=SendToHelpdesk(helpdesk="zendesk"),
        ledger=ledger,
        clock=ManualClock(MONDAY_10 + timedelta(seconds=13)),
        destination=_zendesk({HID: 9}),
    )
    [step] = h.recover(older_than=timedelta(seconds=12, microseconds=1))
    assert (step.handoff_id, step.state, step.ticket_id) == (HID, State.HANDED_OFF, "9")


def test_a_destination_without_longest_delivery_takes_any_positive_older_than() -> None:
    """The built-in helpdesk and other destinations without longest_delivery are only held
    to a positive older_than."""
    clock = ManualClock(MONDAY_10 + timedelta(hours=1))
    ledger = InMemoryLedger()
    _left_in(ledger, State.HANDING_OFF, MONDAY_10)
    remote = Remote(created=[(HID, "T-1")])
    assert not hasattr(remote, "longest_delivery")
    [step] = _worker(ledger, remote, clock).recover(older_than=timedelta(microseconds=1))
    assert step.state is State.HANDED_OFF


@dataclass
class Vague(Remote):
    """A destination whose longest_delivery is not a timedelta."""

    longest_delivery: float = 12.0


def test_a_longest_delivery_that_is_not_a_timedelta_is_refused_when_the_service_is_made() -> None:
    """A longest_delivery that is not a timedelta is refused by ``Handoff(...)`` (it was
    read at the first lost answer, and every reconcile and recover failed from then on,
    leaving the handoff ``outcome_unknown`` for good), and so is a negative one."""
    from helpdesk_routing.errors import ArgumentTypeError, ValidationError

    with pytest.raises(
        ArgumentTypeError,
        match=r"^remote's longest_delivery must be a timedelta or None, got 12\.0$",
    ):
        _worker(NeverListed(), Vague(), ManualClock(MONDAY_10))
    with pytest.raises(
        ValidationError, match=r"^remote's longest_delivery must not be negative, got -1 day"
    ):
        _worker(NeverListed(), Vague(longest_delivery=-timedelta(1)), ManualClock(MONDAY_10))  # type: ignore[arg-type]


def test_recover_refuses_a_longest_delivery_changed_to_no_timedelta() -> None:
    """A longest_delivery that stops being a timedelta after the service was made cannot
    be compared: TypeError naming it, when recover reads it."""
    vague = Vague(longest_delivery=timedelta(seconds=12))  # type: ignore[arg-type]
    h = _worker(NeverListed(), vague, ManualClock(MONDAY_10))
    vague.longest_delivery = 12.0
    from helpdesk_routing.errors import ArgumentTypeError

    with pytest.raises(
        ArgumentTypeError, match=r"^remote's longest_delivery must be a timedelta, got 12\.0$"
    ):
        h.recover(older_than=timedelta(hours=1))


class MeetAfterListing:
    """A worker's ledger whose ``stalled`` waits for the other worker to have listed too, so
    both hold the same stale record before either writes."""

    def __init__(self, inner: Ledger, barrier: threading.Barrier) -> None:
        self.inner = inner
        self.barrier = barrier

    def create(self, record: HandoffRecord) -> tuple[HandoffRecord, bool]:
        return self.inner.create(record)

    def replace(self, record: HandoffRecord) -> None:
        self.inner.replace(record)

    def get(self, handoff_id: str) -> HandoffRecord | None:
        return self.inner.get(handoff_id)

    def for_conversation(self, conversation_id: str) -> HandoffRecord | None:
        return self.inner.for_conversation(conversation_id)

    def created_between(self, start: datetime, end: datetime) -> list[HandoffRecord]:
        return self.inner.created_between(start, end)

    def stalled(self, updated_before: datetime, *, limit: int | None = None) -> list[HandoffRecord]:
        found = self.inner.stalled(updated_before, limit=limit)
        self.barrier.wait(timeout=30)
        return found


@pytest.mark.parametrize("stuck", [State.REQUESTED, State.HANDING_OFF])
def test_two_workers_recovering_at_once_send_once(ledgers: LedgerFactory, stuck: State) -> None:
    """Two workers list the same stalled handoff at once: one moves it on and sends, the
    other loses the compare and set and skips it; one ticket, one recovery trail."""
    clock = ManualClock(MONDAY_10 + timedelta(hours=1))
    _left_in(ledgers(), stuck, MONDAY_10)
    remote = Remote()
    barrier = threading.Barrier(2)
    workers = [_worker(MeetAfterListing(ledgers(), barrier), remote, clock) for _ in range(2)]
    results: list[int] = []
    errors: list[BaseException] = []

    def go(h: Handoff) -> None:
        try:
            results.append(len(h.recover(older_than=timedelta(minutes=5))))
        except BaseException as exc:  # surfaced below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(h,)) for h in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == [0, 1]
    assert remote.created == [(HID, "T-1")]
    record = ledgers().get(HID)
    assert record is not None
    assert record.state is State.HANDED_OFF
    recovered = [t for t in record.transitions if t.why.startswith("stalled in ")]
    assert len(recovered) == 1


class DiesAfterRouting:
    """The built-in helpdesk, in a process that dies once the ticket is routed."""

    name = "builtin"

    def __init__(self, inner: BuiltinHelpdesk) -> None:
        self.inner = inner
        self.die = True

    def deliver(self, request: DeliveryRequest) -> Delivery:
        delivery = self.inner.deliver(request)
        if self.die:
            raise ProcessDied
        return delivery

    def find(self, handoff_id: str) -> str | None:
        return self.inner.find(handoff_id)


def test_recover_with_the_builtin_helpdesk_keeps_one_ticket_and_one_event(desk: Desk) -> None:
    """Built-in helpdesk: the ticket was routed before the process died; recover finds it
    in the router's store, routes nothing again, and records the Escalated event once."""
    destination = DiesAfterRouting(BuiltinHelpdesk(desk.router, office_hours=OFFICE_HOURS))
    h = Handoff(
        settings=SendToHelpdesk(helpdesk="builtin"),
        ledger=InMemoryLedger(),
        clock=desk.clock,
        customer_data=desk.data,
        destination=destination,
    )
    with pytest.raises(ProcessDied):
        h.request(conversation(channel="sms", profile_id="p1"))
    assert desk.data.count_events("p1", ESCALATED, start=None, end=None) == 0
    desk.clock.advance(minutes=10)
    [step] = h.recover(older_than=timedelta(minutes=5))
    assert (step.state, step.ticket_id) == (State.HANDED_OFF, HID)
    assert [t.id for t in desk.router.views.all_tickets().items] == [HID]
    assert desk.data.count_events("p1", ESCALATED, start=None, end=None) == 1


class CrashingLedger(InMemoryLedger):
    """An in-memory ledger in a process that may die around each write: ``plan`` scripts
    the writes (``ok``, ``die-before``: nothing written, ``die-after``: written)."""

    def __init__(self, plan: list[str]) -> None:
        super().__init__()
        self.plan = plan

    def _next(self) -> str:
        return self.plan.pop(0) if self.plan else "ok"

    def create(self, record: HandoffRecord) -> tuple[HandoffRecord, bool]:
        what = self._next()
        if what == "die-before":
            raise ProcessDied
        stored = super().create(record)
        if what == "die-after":
            raise ProcessDied
        return stored

    def replace(self, record: HandoffRecord) -> None:
        what = self._next()
        if what == "die-before":
            raise ProcessDied
        super().replace(record)
        if what == "die-after":
            raise ProcessDied


CRASHES = st.lists(st.sampled_from(["ok", "die-before", "die-after"]), max_size=30)


@given(
    channels=st.lists(st.sampled_from(["sms", "webchat"]), min_size=1, max_size=4),
    ledger_plan=CRASHES,
    remote_plan=st.lists(st.sampled_from(["ok", "die-before", "die-after", "lost"]), max_size=10),
    crashing_recovers=st.integers(min_value=0, max_value=3),
)
def test_crashes_anywhere_then_recover_leave_nothing_stuck_and_one_ticket(
    channels: list[str], ledger_plan: list[str], remote_plan: list[str], crashing_recovers: int
) -> None:
    """Processes dying around any ledger write or POST, during requests and during recovers:
    once a recover runs undisturbed, every handoff is handed off (SMS) or waits for the
    visitor (webchat), and each conversation has exactly the tickets its state says."""
    clock = ManualClock(MONDAY_10)
    ledger = CrashingLedger(ledger_plan)
    remote = Remote(plan=remote_plan)
    h = _worker(ledger, remote, clock)
    cids = [f"c{i}" for i in range(len(channels))]
    for cid, channel in zip(cids, channels, strict=True):
        with contextlib.suppress(ProcessDied):
            h.request(conversation(cid, channel=channel, profile_id="p1"))
        clock.advance(minutes=1)
    for _ in range(crashing_recovers):
        clock.advance(hours=1)
        with contextlib.suppress(ProcessDied):
            h.recover(older_than=timedelta(minutes=30))
    ledger.plan.clear()
    remote.plan.clear()
    clock.advance(hours=1)
    h.recover(older_than=timedelta(minutes=30))

    for cid, channel in zip(cids, channels, strict=True):
        record = ledger.for_conversation(cid)
        hid = handoff_id(cid)
        if record is None:  # died before the ledger took it: nothing was sent
            assert remote.tickets(hid) == 0
        elif channel == "sms":
            assert record.state is State.HANDED_OFF
            assert remote.tickets(hid) == 1
        else:
            assert record.state is State.AWAITING_CONFIRMATION
            assert remote.tickets(hid) == 0


def test_reconcile_refuses_a_handoff_of_another_destination(
    ledgers: LedgerFactory, desk: Desk
) -> None:
    """Called directly, reconcile follows recover's rule: a handoff sent to another
    destination is neither looked up nor sent from here; the error names both."""
    ledger = ledgers()
    left = _left_in(ledger, State.OUTCOME_UNKNOWN, MONDAY_10, destination="builtin")
    remote = Remote()
    worker = _worker(ledger, remote, desk.clock)
    with pytest.raises(OtherDestination) as info:
        worker.reconcile(left.id)
    assert (info.value.handoff_id, info.value.destination, info.value.service_destination) == (
        left.id,
        "builtin",
        "gorgias",
    )
    assert "'builtin'" in str(info.value)
    assert "'gorgias'" in str(info.value)
    assert remote.lookups == []
    assert remote.created == []
    assert ledger.get(left.id) == left
    own = _left_in(ledger, State.OUTCOME_UNKNOWN, MONDAY_10, cid="c2")
    assert worker.reconcile(own.id).state is State.HANDED_OFF  # not found: sent again
    assert remote.lookups == [own.id]


@pytest.mark.parametrize("settings", ["message", "other helpdesk"])
def test_a_handoff_of_another_destination_is_not_moved_on_by_the_visitor_s_answers(
    ledgers: LedgerFactory, desk: Desk, settings: str
) -> None:
    """``confirm`` and ``provide_email`` follow reconcile's rule: a handoff a service of
    another destination requested is not moved on here (it was sent here, under a record
    naming the other one, or failed an assertion half-way, left ``handing_off``); the
    ledger is left as it was and nothing is sent."""
    ledger = ledgers()
    remote = Remote()
    worker = (
        Handoff(settings=SendMessage(text="Mail us"), ledger=ledger, clock=desk.clock)
        if settings == "message"
        else _worker(ledger, remote, desk.clock)
    )
    ours = "message" if settings == "message" else "gorgias"
    asked = _left_in(ledger, State.AWAITING_CONFIRMATION, MONDAY_10, "webchat", destination="b")
    emailed = _left_in(
        ledger, State.AWAITING_EMAIL, MONDAY_10, "webchat", cid="c2", destination="b"
    )
    for call, refused in (
        ("confirm", lambda: worker.confirm("c1", yes=True)),
        ("confirm", lambda: worker.confirm("c1", yes=False)),
        ("provide_email", lambda: worker.provide_email("c2", "ann@example.com")),
    ):
        with pytest.raises(OtherDestination) as info:
            refused()
        assert (info.value.destination, info.value.service_destination) == ("b", ours)
        assert str(info.value).endswith(f": {call} it with a service of its destination")
    assert ledger.get(asked.id) == asked
    assert ledger.get(emailed.id) == emailed
    assert remote.created == []


@dataclass
class Slow(Remote):
    """A destination whose answer comes (or is lost) ``takes`` after the request is sent,
    with a longest delivery of ``longest``."""

    clock: ManualClock | None = None
    takes: timedelta = timedelta(seconds=2)
    longest_delivery: timedelta = timedelta(seconds=2.5)

    def deliver(self, request: DeliveryRequest) -> Delivery:
        assert self.clock is not None
        self.clock.advance(self.takes)
        return super().deliver(request)


def test_a_lost_answer_is_recorded_when_it_was_lost_not_when_the_request_left(
    ledgers: LedgerFactory,
) -> None:
    """The ``outcome_unknown`` record is written at the time the answer was lost (the
    clock read again after ``deliver``), so reconcile's window of the destination's
    ``longest_delivery`` starts there: 1 s after an answer lost 2 s into a delivery,
    nothing found proves nothing and nothing is sent again (it was sent: the window had
    run from the request, 3 s before)."""
    clock = ManualClock(MONDAY_10)
    remote = Slow(plan=["lost"], clock=clock)
    h = Handoff(
        settings=SendToHelpdesk(helpdesk="gorgias"),
        ledger=ledgers(),
        clock=clock,
        destination=remote,
    )
    step = h.request(conversation("c1", channel="sms", email="ann@example.com"))
    record = h.get(step.handoff_id)
    lost_at = MONDAY_10 + timedelta(seconds=2)
    assert (record.state, record.updated_at, record.transitions[-1].at) == (
        State.OUTCOME_UNKNOWN,
        lost_at,
        lost_at,
    )
    assert record.transitions[-2].at == MONDAY_10  # handing_off: when the request left
    clock.advance(timedelta(seconds=1))
    assert h.reconcile(step.handoff_id).state is State.OUTCOME_UNKNOWN
    assert remote.created == []  # not sent again inside the window
    clock.advance(timedelta(seconds=2))  # 3 s after the lost answer: sent again, once
    assert h.reconcile(step.handoff_id).state is State.HANDED_OFF
    assert len(remote.created) == 1


def test_a_delivered_handoff_is_recorded_when_the_answer_came(ledgers: LedgerFactory) -> None:
    """``handed_off`` is recorded at the answer's time, ``failed`` too."""
    clock = ManualClock(MONDAY_10)
    remote = Slow(clock=clock)
    h = Handoff(
        settings=SendToHelpdesk(helpdesk="gorgias"),
        ledger=ledgers(),
        clock=clock,
        destination=remote,
    )
    step = h.request(conversation("c1", channel="sms", email="ann@example.com"))
    record = h.get(step.handoff_id)
    assert (record.state, record.updated_at) == (
        State.HANDED_OFF,
        MONDAY_10 + timedelta(seconds=2),
    )


@pytest.mark.parametrize("failing", ["unanswered", "broken"])
def test_a_handoff_whose_look_up_keeps_failing_does_not_hold_back_the_others(
    ledgers: LedgerFactory, failing: str
) -> None:
    """With ``limit``, the least recently updated come first: a handoff whose look-up
    fails every time (HTTP 500 for its id alone, or a raw error) was written nothing, so
    it headed every batch and a newer stalled handoff was never recovered. A failed
    attempt is recorded on it (a transition to its own state): the next call takes the
    one behind it, and it is tried again once ``older_than`` has passed again."""
    clock = ManualClock(MONDAY_10)
    ledger = ledgers()
    _left_in(ledger, State.OUTCOME_UNKNOWN, MONDAY_10, cid="c1")
    _left_in(ledger, State.OUTCOME_UNKNOWN, MONDAY_10 + timedelta(seconds=1), cid="c2")
    remote = Remote()
    getattr(remote, failing).add(HID)
    h = _worker(ledger, remote, clock)
    clock.advance(minutes=10)
    older = timedelta(minutes=5)
    assert h.recover(older_than=older, limit=1) == []
    tried = h.get(HID)
    assert (tried.state, tried.updated_at, tried.version) == (State.OUTCOME_UNKNOWN, clock.now(), 3)
    last = tried.transitions[-1]
    assert (last.actor, last.source, last.target) == (
        "system",
        State.OUTCOME_UNKNOWN,
        State.OUTCOME_UNKNOWN,
    )
    assert last.why.startswith("stalled in outcome_unknown since ")
    expected = "failed" if failing == "unanswered" else "an unexpected RuntimeError"
    assert expected in last.why
    [step] = h.recover(older_than=older, limit=1)
    assert (step.handoff_id, step.state) == (handoff_id("c2"), State.HANDED_OFF)
    assert h.recover(older_than=older, limit=1) == []  # c1 was tried just now
    assert remote.lookups == [HID, handoff_id("c2")]
    getattr(remote, failing).clear()
    clock.advance(minutes=10)
    [step] = h.recover(older_than=older, limit=1)
    assert (step.handoff_id, step.state) == (HID, State.HANDED_OFF)
    assert remote.tickets(HID) == 1


def test_a_failed_attempt_after_this_call_s_own_write_is_not_recorded_twice(
    ledgers: LedgerFactory,
) -> None:
    """A handoff left in handing_off is written outcome_unknown by the recover itself
    before its look-up: that write already makes it the most recently updated, and a
    failed look-up adds nothing to its transitions."""
    clock = ManualClock(MONDAY_10)
    ledger = ledgers()
    _left_in(ledger, State.HANDING_OFF, MONDAY_10)
    remote = Remote(unanswered={HID})
    h = _worker(ledger, remote, clock)
    clock.advance(minutes=10)
    [step] = h.recover(older_than=timedelta(minutes=5))
    assert step.state is State.OUTCOME_UNKNOWN
    assert _trail(h.get(HID))[-1] == ("system", State.HANDING_OFF, State.OUTCOME_UNKNOWN)


def test_failed_attempts_keep_one_entry_and_the_record_does_not_grow(
    ledgers: LedgerFactory,
) -> None:
    """Each failed attempt replaces the last one's entry (review: a look-up failing for
    weeks added an entry every call, each write rewriting the whole growing body); the
    why still names when the handoff came into outcome_unknown."""
    clock = ManualClock(MONDAY_10)
    ledger = ledgers()
    _left_in(ledger, State.OUTCOME_UNKNOWN, MONDAY_10)
    remote = Remote(unanswered={HID})
    h = _worker(ledger, remote, clock)
    older = timedelta(minutes=5)
    sizes = []
    for _ in range(30):
        clock.advance(minutes=10)
        assert h.recover(older_than=older) == []
        record = h.get(HID)
        sizes.append(len(record.transitions))
        assert record.transitions[-1].why.startswith(
            f"stalled in outcome_unknown since {MONDAY_10.isoformat()} "
        )
    assert set(sizes) == {sizes[0]}
    assert h.get(HID).version == 2 + 30
    assert len(remote.lookups) == 30


class _Slow(Remote):
    """A destination whose one delivery may take up to ten minutes (a connector's
    ``longest_delivery``)."""

    longest_delivery = timedelta(minutes=10)


def test_reconcile_counts_its_window_from_the_lost_answer_not_a_failed_attempt(
    ledgers: LedgerFactory,
) -> None:
    """A recover's failed attempt moves ``updated_at``; ``reconcile``'s window (no second
    send within ``longest_delivery`` of the lost answer) still counts from the lost
    answer (review: a failed attempt a minute before kept reconcile from sending a
    handoff lost two hours earlier)."""
    clock = ManualClock(MONDAY_10)
    ledger = ledgers()
    _left_in(ledger, State.OUTCOME_UNKNOWN, MONDAY_10)
    remote = _Slow(unanswered={HID})
    h = _worker(ledger, remote, clock)
    clock.advance(hours=2)
    assert h.recover(older_than=timedelta(minutes=15)) == []  # its look-up fails
    remote.unanswered.clear()
    clock.advance(minutes=1)
    step = h.reconcile(HID)
    assert step.state is State.HANDED_OFF
    assert remote.tickets(HID) == 1
