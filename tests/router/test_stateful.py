"""A stateful test of the Router over random sequences of operations, on every adapter.

After every step: no automatic assignment to an Offline or full agent; no bound-channel
ticket handed out automatically outside office hours; every open ticket is in exactly
one of (assigned, team inbox waiting, unassigned waiting); round robin is fair to the
agents who stayed Online through any stretch of the log; the views agree with the
store; and the audit log replays to the current state.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from helpdesk_routing.allocation import Allocator, LeastLoaded, RoundRobin
from helpdesk_routing.audit import replay
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.errors import ConflictError
from helpdesk_routing.model import Agent, Role, Team, Ticket, TicketStatus
from helpdesk_routing.records import AuditRecord, TicketQuery
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.adapters import StoreFactory
from tests.router.conftest import OFFICE_HOURS

AGENT_IDS = ("a1", "a2", "a3", "a4", "a5")
AGENTS = [Agent(id=a) for a in AGENT_IDS] + [Agent(id="m1", role=Role.MANAGER)]
TEAMS = [
    Team(id="retention", members=("a2", "a3"), tags=frozenset({"Return"})),
    Team(id="france", members=("a1", "a4", "a5"), tags=frozenset({"FR"})),
]
MEMBERS = {f"team:{t.id}": frozenset(t.members) for t in TEAMS}
CHANNELS = ("email", "sms", "webchat")
START = datetime(2026, 3, 30, 7, tzinfo=UTC)  # Monday, two hours before opening


@dataclass
class _Stretch:
    """A period that began at some point of the log: who has stayed Online, and counts."""

    stayed: set[str]
    counts: Counter[str] = field(default_factory=Counter)


class RouterMachine(RuleBasedStateMachine):
    """Random operations on a Router; the invariants are checked against the audit log."""

    def __init__(
        self,
        store_factory: StoreFactory,
        request: pytest.FixtureRequest,
        allocator: Allocator,
        capacity: int | None,
    ) -> None:
        super().__init__()
        self.store = store_factory(request, AGENTS)
        self.clock = ManualClock(START)
        self.capacity = capacity
        self.fair = isinstance(allocator, RoundRobin) and capacity is None
        self.router = Router(
            rules=RuleSet(),
            teams=TEAMS,
            store=self.store,
            customer_data=InMemoryCustomerData(profiles=[], events=[]),
            clock=self.clock,
            office_hours=OFFICE_HOURS,
            allocator=allocator,
            capacity=capacity,
        )
        self.channels: dict[str, str] = {}
        self.tickets: dict[str, Ticket] = {}
        self.decisions: dict[str, object] = {}
        # The state the log describes so far, replayed one record at a time.
        self.seen = 0
        self.online: set[str] = set()
        self.assignee: dict[str, str | None] = {}
        self.status: dict[str, TicketStatus] = {}
        self.stretches: dict[str, list[_Stretch]] = {p: [] for p in ("global", *MEMBERS)}

    # -- operations --------------------------------------------------------------------

    @rule(channel=st.sampled_from(CHANNELS), tag=st.sampled_from([None, None, "Return", "FR"]))
    def route(self, channel: str, tag: str | None) -> None:
        """Route a new ticket created now."""
        tid = f"t{len(self.channels) + 1}"
        self.clock.advance(seconds=1)
        ticket = Ticket(
            id=tid,
            channel=channel,
            created_at=self.clock.now(),
            tags=frozenset({tag}) if tag else frozenset(),
        )
        self.channels[tid] = channel
        self.tickets[tid] = ticket
        self.decisions[tid] = self.router.route(ticket)

    @rule(channel=st.sampled_from(CHANNELS))
    def route_untagged(self, channel: str) -> None:
        """Route a new ticket without tags (the global pool, unless no one can take it)."""
        self.route(channel, None)

    @precondition(lambda self: self.channels)
    @rule(data=st.data())
    def route_again(self, data: st.DataObject) -> None:
        """Routing an existing ticket again returns its first decision; other content conflicts."""
        tid = data.draw(st.sampled_from(sorted(self.channels)))
        assert self.router.route(self.tickets[tid]) == self.decisions[tid]
        other = Ticket(id=tid, channel="email", subject="changed", created_at=self.clock.now())
        with pytest.raises(ConflictError, match=f"^ticket '{tid}' is already stored with"):
            self.router.route(other)

    @rule(agent=st.sampled_from(AGENT_IDS), online=st.booleans())
    def set_online(self, agent: str, online: bool) -> None:
        """An agent goes Online or Offline."""
        self.router.set_online(agent, online, actor=agent)

    @precondition(lambda self: self.channels)
    @rule(data=st.data(), to=st.sampled_from(AGENT_IDS), actor=st.sampled_from(["m1", "a1"]))
    def assign(self, data: st.DataObject, to: str, actor: str) -> None:
        """A person assigns one or more tickets."""
        ids = data.draw(st.lists(st.sampled_from(sorted(self.channels)), min_size=1, max_size=3))
        self.router.assign(ids, to=to, actor=actor)

    @precondition(lambda self: self.channels)
    @rule(data=st.data())
    def unassign(self, data: st.DataObject) -> None:
        """A person returns a ticket to nobody."""
        self.router.unassign(data.draw(st.sampled_from(sorted(self.channels))), actor="m1")

    @precondition(lambda self: self.channels)
    @rule(data=st.data(), team=st.sampled_from([t.id for t in TEAMS]))
    def assign_to_team(self, data: st.DataObject, team: str) -> None:
        """A manager moves tickets to a team."""
        ids = data.draw(st.lists(st.sampled_from(sorted(self.channels)), min_size=1, max_size=3))
        self.router.assign_to_team(ids, team=team, actor="m1")

    @precondition(lambda self: self.channels)
    @rule(data=st.data(), status=st.sampled_from(list(TicketStatus)))
    def set_status(self, data: st.DataObject, status: TicketStatus) -> None:
        """A ticket is opened, set pending or closed."""
        self.router.set_status(
            data.draw(st.sampled_from(sorted(self.channels))), status, actor="a2"
        )

    @rule(minutes=st.integers(1, 300))
    def clock_moves(self, minutes: int) -> None:
        """Time passes, across opening and closing times."""
        self.clock.advance(minutes=minutes)

    @rule()
    def assign_waiting(self) -> None:
        """The host hands out waiting tickets (for example at opening time)."""
        self.router.assign_waiting()

    # -- invariants --------------------------------------------------------------------

    @invariant()
    def log_respects_presence_capacity_office_hours_and_fairness(self) -> None:
        """Each new automatic assignment went to an Online agent with room, at a legal hour."""
        with self.store.transaction() as tx:
            log = tx.audit()
        for record in log[self.seen :]:
            for pool, stretches in self.stretches.items():
                eligible = self.online if pool == "global" else self.online & MEMBERS[pool]
                if len(eligible) >= 2:
                    stretches.append(_Stretch(set(eligible)))
            self._apply(record)
        self.seen = len(log)

    def _apply(self, r: AuditRecord) -> None:
        if r.action == "presence":
            assert r.agent_id is not None
            if r.online:
                self.online.add(r.agent_id)
            else:
                self.online.discard(r.agent_id)
                for pool, stretches in self.stretches.items():
                    for s in stretches:
                        s.stayed.discard(r.agent_id)
                    # A stretch with fewer than two agents left has nothing to compare.
                    self.stretches[pool] = [s for s in stretches if len(s.stayed) >= 2]
            return
        if r.ticket_id is None:
            return
        if r.automatic:
            agent, tid = r.assignee, r.ticket_id
            assert agent is not None
            assert agent in self.online, f"{tid} given to Offline {agent}"
            assert self.assignee.get(tid) is None or r.action == "routed"
            if self.capacity is not None:
                load = sum(
                    1
                    for t, a in self.assignee.items()
                    if a == agent and self.status[t] is not TicketStatus.CLOSED
                )
                assert load < self.capacity, f"{tid} given to full {agent}"
            if self.channels[tid] == "webchat":
                assert OFFICE_HOURS.is_open(r.at), f"{tid} handed out after hours"
            assert r.pool is not None
            for s in self.stretches[r.pool]:
                s.counts[agent] += 1
                if self.fair and s.stayed:
                    got = [s.counts[a] for a in s.stayed]
                    assert max(got) - min(got) <= 1, f"unfair in {r.pool}: {s}"
        self.assignee[r.ticket_id] = r.assignee
        assert r.status is not None
        self.status[r.ticket_id] = r.status

    @invariant()
    def views_partition_the_open_tickets_and_agree_with_the_log(self) -> None:
        """Open tickets split exactly into inboxes, team inboxes (waiting) and Unassigned."""
        views = self.router.views
        state = replay(self._log())
        open_ids = sorted(t for t, s in state.tickets.items() if s.status is TicketStatus.OPEN)
        assert sorted(views.all_tickets().ids) == open_ids
        assigned = [tid for a in (*AGENT_IDS, "m1") for tid in views.my_inbox(a).ids]
        team_waiting = [r.id for t in TEAMS for r in views.team(t.id).items if r.assignee is None]
        unassigned = views.unassigned().ids
        assert sorted(assigned + team_waiting + unassigned) == open_ids
        for tid in assigned:
            assert state.tickets[tid].assignee is not None
        for tid in team_waiting:
            assert state.tickets[tid].team is not None
        for tid in unassigned:
            assert (state.tickets[tid].assignee, state.tickets[tid].team) == (None, None)

    @invariant()
    def audit_log_replays_to_the_stored_state(self) -> None:
        """Replaying the audit log gives every ticket's team, assignee, status, and presence."""
        state = replay(self._log())
        with self.store.transaction() as tx:
            records = tx.find_tickets(TicketQuery(statuses=None))
            online = list(tx.online_agents())
        assert {r.id: (r.team, r.assignee, r.status, r.views) for r in records} == {
            tid: (s.team, s.assignee, s.status, s.views) for tid, s in state.tickets.items()
        }
        assert state.online_agents() == online

    def _log(self) -> list[AuditRecord]:
        with self.store.transaction() as tx:
            return tx.audit()


@pytest.mark.parametrize(
    ("allocator", "capacity"),
    [(RoundRobin(), None), (RoundRobin(), 2), (LeastLoaded(), None), (LeastLoaded(), 1)],
    ids=["round_robin", "round_robin-capacity", "least_loaded", "least_loaded-capacity"],
)
def test_router_state_machine(
    store_factory: StoreFactory,
    request: pytest.FixtureRequest,
    allocator: Allocator,
    capacity: int | None,
) -> None:
    """The invariants above hold after every step of random operation sequences."""
    # Adapters that persist get fewer examples: their round trips dominate the run time.
    in_memory = request.node.callspec.params["store_factory"] == "memory"
    examples = settings.default.max_examples
    run_state_machine_as_test(
        lambda: RouterMachine(store_factory, request, allocator, capacity),
        settings=settings(
            max_examples=examples if in_memory else max(5, examples // 10),
            stateful_step_count=40 if in_memory else 25,
            deadline=None,
        ),
    )
