"""Round robin as semantics.md section 3 states it, over random days of operations.

A reference log is kept from what the Router returns (its decisions and hand-outs), and
checked against the stated invariants: offline agents never get tickets automatically;
a ticket bound to office hours is never handed out while they are closed; over any
stretch of the log in which a set of agents stays Online, round robin gave them numbers
of tickets that differ by at most one (manual assignment and going Offline included).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

import helpdesk_routing as hr

T0 = datetime(2026, 3, 30, 6, tzinfo=UTC)  # Monday 06:00 UTC: the office opens at 09:00
HOURS = hr.OfficeHours(
    timezone="UTC",
    weekly={day: [("09:00", "17:00")] for day in ("mon", "tue", "wed", "thu", "fri")},
)
AGENTS = ("a1", "a2", "a3", "a4")

operations = st.lists(
    st.one_of(
        st.tuples(st.just("presence"), st.sampled_from(AGENTS)),
        st.tuples(st.just("route"), st.sampled_from(("email", "sms", "webchat"))),
        st.tuples(st.just("manual"), st.sampled_from(AGENTS)),
        st.tuples(st.just("waiting"), st.none()),
    ),
    max_size=60,
)
pauses = st.sampled_from((1, 1, 60, 3600, 4 * 3600))


@dataclass
class Log:
    """What the Router did, step by step."""

    presence: list[tuple[int, str, bool]] = field(default_factory=list)
    automatic: list[tuple[int, str]] = field(default_factory=list)

    def online_throughout(self, agent: str, first: int, last: int) -> bool:
        state = False
        for step, who, online in self.presence:
            if who != agent:
                continue
            if step <= first:
                state = online
            elif step <= last:
                return False
        return state


def _run(steps: list[tuple[str, str | None]], waits: list[int]) -> Log:
    clock = hr.ManualClock(T0)
    agents = [hr.Agent(id=a) for a in AGENTS] + [hr.Agent(id="m1", role="manager")]
    router = hr.Router(
        store=hr.InMemoryStore(agents=agents),
        customer_data=hr.InMemoryCustomerData(),
        clock=clock,
        office_hours=HOURS,
    )
    log = Log()
    online: set[str] = set()
    routed = 0
    for step, ((kind, arg), wait) in enumerate(zip(steps, waits, strict=False)):
        clock.advance(seconds=wait)
        open_now = HOURS.is_open(clock.now())
        handed: list[hr.TicketRecord] = []
        if kind == "presence":
            assert arg is not None
            going_online = arg not in online
            handed = router.set_online(arg, going_online, actor=arg)
            (online.add if going_online else online.discard)(arg)
            log.presence.append((step, arg, going_online))
        elif kind == "route":
            assert arg is not None
            decision = router.route(hr.Ticket(id=f"t{routed}", channel=arg, created_at=clock.now()))
            routed += 1
            if decision.assignee is not None:
                assert decision.assignee in online, "an Offline agent got a ticket"
                assert arg != "webchat" or open_now, "webchat handed out after hours"
                log.automatic.append((step, decision.assignee))
            else:
                assert not online or (arg == "webchat" and not open_now)
        elif kind == "manual" and routed:
            assert arg is not None
            router.assign(f"t{step % routed}", to=arg, actor="m1")
        elif kind == "waiting":
            handed = router.assign_waiting()
        for record in handed:
            assert record.assignee in online, "an Offline agent got a waiting ticket"
            assert record.ticket.channel != "webchat" or open_now
            log.automatic.append((step, record.assignee))
    return log


@settings(max_examples=150, deadline=None)
@given(operations, st.lists(pauses, min_size=60, max_size=60))
def test_round_robin_is_fair_to_agents_who_stay_online(
    steps: list[tuple[str, str | None]], waits: list[int]
) -> None:
    """In every stretch of steps, agents Online throughout got counts within one of each other."""
    log = _run(steps, waits)
    for first in range(len(steps)):
        for last in range(first, len(steps)):
            stayed = [a for a in AGENTS if log.online_throughout(a, first, last)]
            if len(stayed) < 2:
                continue
            counts = dict.fromkeys(stayed, 0)
            for step, agent in log.automatic:
                if first <= step <= last and agent in counts:
                    counts[agent] += 1
            assert max(counts.values()) - min(counts.values()) <= 1, (first, last, counts)


def test_manual_assignment_does_not_move_the_rotation() -> None:
    """a1 got t1; t1 reassigned by hand to a3; the next ticket still goes to a2."""
    clock = hr.ManualClock(T0)
    agents = [hr.Agent(id=a) for a in AGENTS] + [hr.Agent(id="m1", role="manager")]
    router = hr.Router(
        store=hr.InMemoryStore(agents=agents), customer_data=hr.InMemoryCustomerData(), clock=clock
    )
    for agent in ("a1", "a2", "a3"):
        router.set_online(agent, True, actor=agent)
    assert router.route(hr.Ticket(id="t1", channel="email", created_at=T0)).assignee == "a1"
    router.assign("t1", to="a3", actor="m1")
    router.assign("t1", to="a4", actor="a4")  # to oneself, Offline
    later = T0 + timedelta(minutes=1)
    assert router.route(hr.Ticket(id="t2", channel="email", created_at=later)).assignee == "a2"
    assert router.ticket("t1").assignee == "a4"
