"""The in-memory store's report digest gives exactly the report a pass over its log gives.

``metrics.report`` reads a store's digest when it offers one (``ports.PeriodFigureSource``)
and the log otherwise: the same store filled the same way, with and without the digest,
must give equal reports, for any log (out of time order, rerouted tickets, replies
before routing, statuses carried over, units undone) and any period.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpdesk_routing import metrics
from helpdesk_routing._report_digest import ReportDigest
from helpdesk_routing.calendar import OfficeHours
from helpdesk_routing.model import Agent, TicketStatus
from helpdesk_routing.records import AuditRecord
from helpdesk_routing.stores.memory import InMemoryStore

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)  # a Monday
AGENTS = [Agent(id="a1"), Agent(id="a2"), Agent(id="a3")]
HOURS = OfficeHours.model_validate(
    {
        "timezone": "Europe/Paris",
        "weekly": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    }
)

tickets = st.sampled_from(["t1", "t2", "t3", "t4"])
agents = st.sampled_from(["a1", "a2", "a3"])
maybe_agent = st.none() | agents
maybe_team = st.none() | st.sampled_from(["billing", "vip"])
maybe_status = st.none() | st.sampled_from(list(TicketStatus))
detail = st.sampled_from([{}, {"public": True}, {"public": False}, {"public": 1}])


def _record(action: str, **fields: Any) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"action": st.just(action), **fields})


record_fields = st.one_of(
    _record("presence", agent_id=maybe_agent, online=st.booleans()),
    _record(
        "routed",
        ticket_id=tickets,
        team=maybe_team,
        assignee=maybe_agent,
        status=maybe_status,
        automatic=st.booleans(),
    ),
    _record(
        "assigned",
        ticket_id=tickets,
        team=maybe_team,
        assignee=maybe_agent,
        automatic=st.booleans(),
    ),
    _record("unassigned", ticket_id=tickets, team=maybe_team),
    _record("team_assigned", ticket_id=tickets, team=maybe_team, assignee=maybe_agent),
    _record("rerouted", ticket_id=tickets, team=maybe_team, assignee=maybe_agent),
    _record(
        "status",
        ticket_id=tickets,
        team=maybe_team,
        assignee=maybe_agent,
        status=maybe_status,
    ),
    _record("replied", ticket_id=tickets, detail=detail),
    _record("configured"),
)

# A unit of work: its records, each at minutes from T0 (so out of order at times), and
# whether it raises (and is undone) instead of committing.
units = st.lists(
    st.tuples(
        st.lists(st.tuples(record_fields, st.integers(0, 600)), min_size=1, max_size=5),
        st.booleans(),
    ),
    max_size=12,
)


class Undo(Exception):
    """Raised in a unit to have it undone."""


def fill(store: InMemoryStore, plan: list[tuple[list[tuple[dict[str, Any], int]], bool]]) -> None:
    for records, undone in plan:
        try:
            with store.transaction() as tx:
                for fields, minutes in records:
                    at = T0 + timedelta(minutes=minutes, seconds=7 * minutes % 60)
                    tx.append_audit(AuditRecord(at=at, actor=None, **fields))
                if undone:
                    raise Undo
        except Undo:
            pass


def both(plan: Any) -> tuple[InMemoryStore, InMemoryStore]:
    """The same log in a store with the digest and in one without."""
    with_digest, without = (
        InMemoryStore(agents=AGENTS),
        InMemoryStore(agents=AGENTS, report_digest=False),
    )
    fill(with_digest, plan)
    fill(without, plan)
    return with_digest, without


def latest(store: InMemoryStore) -> datetime | None:
    """The latest ``at`` of the store's log (``None`` when it is empty)."""
    with store.read() as tx:
        return max((r.at for r in tx.audit()), default=None)


def in_time_order(plan: Any) -> Any:
    """The plan with its records' minutes made to run forward (a log written as time
    passes), many at the same minute."""
    minute = 0
    out = []
    for records, undone in plan:
        steps = []
        for fields, raw in records:
            minute += raw % 15
            steps.append((fields, minute))
        out.append((steps, undone))
    return out


def digest_answers(store: InMemoryStore, end: datetime) -> bool:
    """Whether the digest should answer a period ending at ``end`` (the module's rule):
    the log ends before it, or the log is in time order and at most a quarter is later."""
    with store.read() as tx:
        times = [r.at for r in tx.audit()]
    if not times or end > max(times):
        return True
    later = sum(1 for t in times if t >= end)
    return times == sorted(times) and 4 * later <= len(times)


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@settings(max_examples=400, deadline=None)
@given(
    units,
    st.booleans(),
    st.integers(-60, 700),
    st.integers(1, 800),
    st.booleans(),
)
def test_the_digest_gives_the_report_a_pass_over_the_log_gives(
    plan: Any, ordered: bool, start_minute: int, length: int, business: bool
) -> None:
    """For any log (in time order or not) and period, the report with the digest equals
    the report without it, and the digest answers itself when its rule says it can."""
    fast, slow = both(in_time_order(plan) if ordered else plan)
    start = T0 + timedelta(minutes=start_minute)
    end = start + timedelta(minutes=length)
    hours = HOURS if business else None
    got = metrics.report(fast, None, start, end, office_hours=hours).to_dict()
    assert got == metrics.report(slow, None, start, end, office_hours=hours).to_dict()
    answered = fast.period_figures(start, end, spans=business)
    assert (answered is not None) == digest_answers(fast, end)


@settings(max_examples=100, deadline=None)
@given(units, st.integers(-60, 700))
def test_a_report_up_to_now_always_reads_the_digest(plan: Any, start_minute: int) -> None:
    """Periods that end after the log are the digest's: equal to the log's pass."""
    fast, slow = both(plan)
    start = T0 + timedelta(minutes=start_minute)
    last = latest(fast)
    end = (last or start) + timedelta(microseconds=1)
    if end <= start:
        end = start + timedelta(hours=1)
    assert fast.period_figures(start, end, spans=True) is not None
    got = metrics.report(fast, None, start, end, office_hours=HOURS).to_dict()
    assert got == metrics.report(slow, None, start, end, office_hours=HOURS).to_dict()


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@settings(max_examples=200, deadline=None)
@given(units, st.integers(-60, 300), st.floats(0.0, 1.0), st.booleans())
def test_a_period_ending_in_the_last_quarter_of_a_log_in_time_order(
    plan: Any, start_minute: int, where: float, business: bool
) -> None:
    """A log in time order, a period ending among its last quarter of records: the
    digest answers, with the later records' tickets read as of the end, as the log does."""
    fast, slow = both(in_time_order(plan))
    with fast.read() as tx:
        times = [r.at for r in tx.audit()]
    if not times:
        return
    first_later = len(times) - len(times) // 4  # at most a quarter from here on
    end = times[min(first_later + int(where * (len(times) - first_later)), len(times) - 1)]
    start = min(T0 + timedelta(minutes=start_minute), end - timedelta(minutes=1))
    assume(4 * sum(1 for t in times if t >= end) <= len(times))  # ties may push it over
    hours = HOURS if business else None
    assert fast.period_figures(start, end, spans=business) is not None
    got = metrics.report(fast, None, start, end, office_hours=hours).to_dict()
    assert got == metrics.report(slow, None, start, end, office_hours=hours).to_dict()


def test_replies_and_closes_after_the_end_do_not_count() -> None:
    """A ticket answered and closed only after the period's end is unanswered and open
    in it (the digest reads it from its own records before the end)."""
    plan = [
        (
            [
                ({"action": "routed", "ticket_id": t, "assignee": "a1"}, m)
                for t, m in (("t1", 0), ("t2", 5), ("t3", 10), ("t4", 15))
            ]
            + [
                ({"action": "replied", "ticket_id": "t1", "detail": {"public": True}}, 20),
                ({"action": "status", "ticket_id": "t1", "status": "closed"}, 25),
                ({"action": "replied", "ticket_id": "t2", "detail": {"public": True}}, 90),
                ({"action": "status", "ticket_id": "t2", "status": "closed"}, 95),
            ],
            False,
        )
    ]
    fast, slow = both(plan)
    end = T0 + timedelta(minutes=60)
    assert fast.period_figures(T0, end, spans=False) is not None
    rep = metrics.report(fast, None, T0, end)
    assert (rep.tickets, rep.answered, rep.unanswered, rep.resolved) == (4, 1, 3, 1)
    assert rep.to_dict() == metrics.report(slow, None, T0, end).to_dict()


def test_a_rerouted_ticket_is_read_from_its_own_records() -> None:
    """A ticket routed twice: created at its latest routing in the period, answered by
    its first public reply after its first routing, in the period or before it (what a
    ticket's figures are does not depend on where the period starts)."""
    plan = [
        (
            [
                ({"action": "routed", "ticket_id": "t1", "assignee": "a1"}, 0),
                ({"action": "replied", "ticket_id": "t1", "detail": {"public": True}}, 10),
                ({"action": "routed", "ticket_id": "t1", "assignee": "a2"}, 30),
                ({"action": "replied", "ticket_id": "t1", "detail": {"public": True}}, 40),
                ({"action": "status", "ticket_id": "t1", "status": "closed"}, 50),
            ],
            False,
        )
    ]
    fast, slow = both(plan)
    for start in (T0, T0 + timedelta(minutes=20)):
        end = T0 + timedelta(hours=2)
        rep = metrics.report(fast, None, start, end)
        assert rep.to_dict() == metrics.report(slow, None, start, end).to_dict()
    whole = metrics.report(fast, None, T0, T0 + timedelta(hours=2))
    # created at 00:30:30 (the latest routing), first reply at 00:10:10 (the first after
    # the first routing): 20 minutes before the creation. A duration is never negative
    # (docs/metrics.md): a reply before the creation counts as at once, 0 seconds, and
    # the ticket stays answered; the digest and the pass over the log agree on it
    assert whole.tickets == 1
    assert whole.answered == 1
    assert whole.resolved == 1
    assert whole.ttfr.mean == 0.0
    assert whole.resolution.mean == (50 * 60 + 50) - (30 * 60 + 30)
    later = metrics.report(fast, None, T0 + timedelta(minutes=20), T0 + timedelta(hours=2))
    # only the second routing is in the period, but the first reply is still the one at
    # 00:10, before it: at once, as from the whole log (it read 00:40 from here, so a
    # ticket's TTFR depended on where the period started)
    assert later.tickets == 1
    assert later.answered == 1
    assert later.ttfr == whole.ttfr
    assert later.ttfr.mean == 0.0


def test_an_undone_unit_never_reaches_the_digest() -> None:
    """Records of a unit that raised are not in the figures; committed ones are."""
    store = InMemoryStore(agents=AGENTS)
    routed = {"action": "routed", "ticket_id": "t1", "assignee": "a1", "automatic": True}
    fill(store, [([(routed, 0)], True)])
    end = T0 + timedelta(days=1)
    assert metrics.report(store, None, T0, end).tickets == 0
    fill(store, [([(routed, 0)], False)])
    rep = metrics.report(store, None, T0, end)
    assert rep.tickets == 1
    assert rep.assigned["a1"].automatic == 1


def test_a_period_ending_before_later_records_undoes_their_tickets() -> None:
    """A log in time order: a period that ends before its last records is answered by
    the digest with those records' tickets read as of the end; out of order, or with
    over a quarter of the log later, the report reads the log. Both are right."""
    routed = {"action": "routed", "ticket_id": "t1", "status": "open"}
    assigned = {"action": "assigned", "ticket_id": "t1", "assignee": "a1"}
    other = {"action": "routed", "ticket_id": "t2", "assignee": "a2", "automatic": True}
    note = {"action": "replied", "ticket_id": "t2", "detail": {"public": True}}
    for plan, answers in (
        ([([(routed, 0), (other, 10), (note, 20), (assigned, 90)], False)], True),
        # out of time order
        ([([(routed, 0), (other, 10), (assigned, 90), (note, 20)], False)], False),
        # over a quarter of the log later
        ([([(routed, 0), (other, 10), (assigned, 90), (note, 95)], False)], False),
    ):
        fast, slow = both(plan)
        end = T0 + timedelta(minutes=60)
        assert (fast.period_figures(T0, end, spans=False) is not None) is answers
        rep = metrics.report(fast, None, T0, end)
        assert rep.waiting_unassigned == 1  # t1 as of the end: the assignment is later
        assert rep.to_dict() == metrics.report(slow, None, T0, end).to_dict()


def test_presence_after_the_end_changes_nothing_in_the_period() -> None:
    """An agent Online from before the start whose next change comes after the end was
    Online all period, read from the digest as from the log."""
    online = {"action": "presence", "agent_id": "a1", "online": True}
    offline = {"action": "presence", "agent_id": "a1", "online": False}
    routed = {"action": "routed", "ticket_id": "t1", "assignee": "a1", "automatic": True}
    again = {"action": "presence", "agent_id": "a2", "online": True}
    fast, slow = both([([(online, 0), (again, 5), (routed, 20), (offline, 90)], False)])
    start, end = T0 + timedelta(minutes=10), T0 + timedelta(minutes=60)
    assert fast.period_figures(start, end, spans=False) is not None
    rep = metrics.report(fast, None, start, end)
    assert rep.always_online == ("a1", "a2")
    assert rep.fairness.agents == 2
    assert rep.to_dict() == metrics.report(slow, None, start, end).to_dict()


def test_a_digest_takes_only_the_records_it_has_not_seen() -> None:
    """``take`` reads from where it stopped: feeding the same log twice counts once."""
    log = [
        AuditRecord(at=T0, actor=None, action="routed", ticket_id="t1", assignee="a1"),
        AuditRecord(at=T0, actor=None, action="routed", ticket_id="t2", assignee="a1"),
    ]
    digest = ReportDigest()
    digest.take(log[:1])
    digest.take(log)
    digest.take(log)
    figures = digest.period(T0, T0 + timedelta(1), spans=False, log=log, history=lambda _: [])
    assert figures is not None
    assert figures.tickets == 2
    assert figures.loads == {"a1": [0, 2]}


def test_a_digest_that_failed_answers_no_period() -> None:
    """A record the digest cannot take leaves it answering nothing (never half the log)."""
    good = AuditRecord(at=T0, actor=None, action="routed", ticket_id="t1", assignee="a1")
    digest = ReportDigest()
    broken = good.model_construct(**{**dict(good), "ticket_id": "t2", "at": "not an instant"})
    with pytest.raises(TypeError):
        digest.take([good, broken])
    later = T0 + timedelta(1)
    assert digest.period(T0, later, spans=False, log=[good], history=lambda _: []) is None
