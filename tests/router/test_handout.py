"""The hand-out walk: the same tickets, in the same order, as trying every waiting ticket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing.allocation import LeastLoaded, RoundRobin
from helpdesk_routing.configuration import CompiledConfiguration, Configuration
from helpdesk_routing.handout import FIRST_PAGE, PAGE, Gate, give, hand_out, pool_name
from helpdesk_routing.model import Agent, Team, Ticket, TicketStatus
from helpdesk_routing.ports import Transaction
from helpdesk_routing.records import TicketQuery, TicketRecord
from helpdesk_routing.stores.memory import InMemoryStore
from tests.router.conftest import MakeDesk

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)
IDS = ("a1", "a2", "a3", "a4", "a5")


def _exhaustive(tx: Transaction, gate: Gate, *, for_agent: str | None) -> list[TicketRecord]:
    """The walk before issue 9: every waiting ticket tried, oldest first, in its pool."""
    if not gate.compiled.configuration.round_robin:
        return []
    waiting = [
        r
        for r in tx.find_tickets(TicketQuery(unassigned=True))
        if for_agent is None
        or r.team is None
        or (r.team in gate.compiled.members and for_agent in gate.compiled.members[r.team])
    ]
    for pool in sorted({pool_name(r.team) for r in waiting}):
        tx.rotation(pool)
    return [h for r in waiting if (h := give(tx, gate, T0, r)) is not None]


scenarios = st.fixed_dictionaries(
    {
        "capacities": st.lists(st.sampled_from([None, 0, 1, 2, 3]), min_size=5, max_size=5),
        "online": st.sets(st.sampled_from(IDS)),
        "team_a": st.sets(st.sampled_from(IDS), min_size=1),
        "team_b": st.sets(st.sampled_from(IDS), min_size=1),
        "tickets": st.lists(
            st.tuples(
                st.integers(0, 20),  # minutes after T0 (ties happen)
                st.sampled_from([None, None, "a", "b", "gone"]),  # team
                st.sampled_from(["email", "email", "webchat"]),
                st.sampled_from([None, None, None, *IDS]),  # already assigned to
                st.sampled_from(list(TicketStatus)),
            ),
            max_size=40,
        ),
        "open_now": st.booleans(),
        "round_robin": st.booleans(),
        "least_loaded": st.booleans(),
        "capacity": st.sampled_from([None, 1, 2]),
        "for_agent": st.sampled_from([None, *IDS]),
    }
)


def _build(s: dict[str, Any]) -> tuple[InMemoryStore, Gate]:
    agents = [Agent(id=a, capacity=c) for a, c in zip(IDS, s["capacities"], strict=True)]
    store = InMemoryStore(agents=agents)
    with store.transaction() as tx:
        for a in sorted(s["online"]):
            tx.set_online(a, True, T0)
        for n, (minute, team, channel, assignee, status) in enumerate(s["tickets"]):
            ticket = Ticket(
                id=f"t{n:04d}",
                channel=channel,
                status=status,
                created_at=T0 + timedelta(minutes=minute),
            )
            tx.add_ticket(TicketRecord(ticket=ticket, team=team, assignee=assignee))
    configuration = Configuration(
        version=1,
        at=T0,
        teams=(
            Team(id="a", members=tuple(sorted(s["team_a"]))),
            Team(id="b", members=tuple(sorted(s["team_b"]))),
        ),
        round_robin=s["round_robin"],
        capacity=s["capacity"],
        allocator="least_loaded" if s["least_loaded"] else "round_robin",
    )
    return store, Gate(CompiledConfiguration.of(configuration), s["open_now"])


def _run(s: dict[str, Any], walk: Any) -> tuple[list[tuple[str, str | None]], object]:
    store, gate = _build(s)
    with store.transaction() as tx:
        given = walk(tx, gate, for_agent=s["for_agent"])
        state = (
            tx.find_tickets(TicketQuery(statuses=None)),
            [tx.rotation(p) for p in ("global", "team:a", "team:b")],
            tx.audit(),
        )
    return [(r.id, r.assignee) for r in given], state


@settings(max_examples=300, deadline=None)
@given(s=scenarios)
def test_the_walk_hands_out_what_trying_every_ticket_would(s: dict[str, Any]) -> None:
    """Per-pool pages stopped when a pool is full hand out the same tickets, in the same
    order, to the same agents, leaving the same rotations and log, as the exhaustive walk."""
    walked = _run(s, lambda tx, gate, for_agent: hand_out(tx, gate, T0, for_agent=for_agent))
    assert walked == _run(s, _exhaustive)


class _Counting:
    """A transaction wrapper that counts the records ``find_tickets`` returns."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx
        self.read = 0

    def find_tickets(self, query: TicketQuery) -> list[TicketRecord]:
        found = self._tx.find_tickets(query)
        self.read += len(found)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)


def test_a_full_pool_stops_the_walk_after_one_page() -> None:
    """With 1,000 tickets waiting and room for one, the walk reads one first page (a short
    one) per pool."""
    s: dict[str, Any] = {
        "capacities": [1, 0, 0, 0, 0],
        "online": {"a1"},
        "team_a": {"a2"},
        "team_b": {"a3"},
        "tickets": [(m % 20, None, "email", None, TicketStatus.OPEN) for m in range(1000)],
        "open_now": True,
        "round_robin": True,
        "least_loaded": False,
        "capacity": None,
        "for_agent": None,
    }
    store, gate = _build(s)
    with store.transaction() as tx:
        counting = _Counting(tx)
        given = hand_out(counting, gate, T0, for_agent=None)  # type: ignore[arg-type]
    assert [(r.id, r.assignee) for r in given] == [("t0000", "a1")]
    assert counting.read == FIRST_PAGE < PAGE


def test_least_loaded_allocator_is_used_by_the_walk() -> None:
    """The compiled configuration's allocator decides (least loaded: fewest open first)."""
    configuration = Configuration(version=1, at=T0, allocator="least_loaded")
    assert isinstance(CompiledConfiguration.of(configuration).allocator, LeastLoaded)
    assert isinstance(CompiledConfiguration.of(configuration.model_copy()).allocator, LeastLoaded)
    assert isinstance(
        CompiledConfiguration.of(Configuration(version=1, at=T0)).allocator, RoundRobin
    )


def test_the_first_page_query_is_built_once_and_equals_a_fresh_one() -> None:
    """The cached first-page query of a pool is the query the walk built each time before."""
    from helpdesk_routing.handout import _first_page

    for team in (None, "x", "team:y"):
        for closed in (frozenset(), frozenset({"webchat"})):
            fresh = TicketQuery(
                unassigned=True,
                team=team,
                no_team=team is None,
                statuses=frozenset({TicketStatus.OPEN}),
                exclude_channels=closed,
                after=None,
                limit=FIRST_PAGE,
            )
            assert _first_page(team, closed) == fresh
            assert _first_page(team, closed) is _first_page(team, closed)


class _HandsOut:
    """A transaction class that offers the store's own round-robin hand-out."""

    def hand_out_round_robin(self, **kwargs: Any) -> str | None:
        return None


def test_the_in_store_hand_out_is_used_only_by_a_capable_store_under_exact_round_robin() -> None:
    """in_store answers the transaction when its class offers the hand-out and the allocator
    is exactly RoundRobin, asked again for each class (the answer is cached per class)."""
    from helpdesk_routing.handout import in_store

    round_robin = CompiledConfiguration.of(Configuration(version=1, at=T0))
    least_loaded = CompiledConfiguration.of(
        Configuration(version=1, at=T0, allocator="least_loaded")
    )
    capable = _HandsOut()
    for _ in range(2):
        assert in_store(capable, round_robin) is capable  # type: ignore[arg-type]
        assert in_store(capable, least_loaded) is None  # type: ignore[arg-type]
        with InMemoryStore().transaction() as tx:
            assert in_store(tx, round_robin) is None


class _Overlapping:
    """A transaction whose units may overlap (no ``units_serialised``): it records the
    rotations a hand-out locks."""

    def __init__(self) -> None:
        self.locked: list[str] = []

    def rotation(self, pool: str) -> object:
        self.locked.append(pool)
        return None


class _Serialised(_Overlapping):
    units_serialised = True


def test_lock_pools_locks_in_one_global_order_unless_units_never_overlap() -> None:
    """A store whose units overlap has every pool the hand-out may touch locked, sorted
    by name (no two hand-outs wait for each other in opposite orders); one whose units
    never overlap has nothing to lock. Both get the same pools to walk."""
    from helpdesk_routing.handout import lock_pools

    teams = [
        Team(id="zeta", name="Z", members=("a1", "a2")),
        Team(id="alpha", name="A", members=("a1",)),
        Team(id="mid", name="M", members=("a2",)),
    ]
    compiled = CompiledConfiguration.of(Configuration(version=1, at=T0, teams=teams))
    overlapping, serialised = _Overlapping(), _Serialised()
    for for_agent, expected in (
        ("a1", ["global", "team:alpha", "team:zeta"]),
        (None, ["global", "team:alpha", "team:mid", "team:zeta"]),
    ):
        overlapping.locked.clear()
        walked = lock_pools(overlapping, compiled, for_agent=for_agent)  # type: ignore[arg-type]
        assert overlapping.locked == expected
        assert sorted(pool_name(t) for t in walked) == expected
        assert lock_pools(serialised, compiled, for_agent=for_agent) == walked  # type: ignore[arg-type]
        assert serialised.locked == []


def test_a_close_hands_out_what_waits_and_skips_the_walk_when_nothing_can(
    make_desk: MakeDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On every store, a ticket closing hands the freed agent the oldest waiting ticket.
    A store that tells at once that every ticket has an assignee (the memory store's
    ``NoAssigneeProbe``) spares the close the walk; the others walk, and find none."""
    import helpdesk_routing.handout as handout_module
    from helpdesk_routing.ports import NoAssigneeProbe, offers

    desk = make_desk(capacity=1)
    with desk.store.transaction() as tx:
        probes = offers(tx, NoAssigneeProbe)
    router = desk.router
    desk.online("a1")
    assert desk.route() == "a1"  # t1
    assert desk.route() is None  # t2 waits: a1 is at capacity
    router.set_status("t1", TicketStatus.CLOSED, actor="a1")
    assert desk.assignee("t2") == "a1"  # the freed agent took it

    walks: list[object] = []
    real = handout_module._pools
    monkeypatch.setattr(handout_module, "_pools", lambda *a: walks.append(a) or real(*a))
    router.set_status("t2", TicketStatus.CLOSED, actor="a1")
    assert len(walks) == (0 if probes else 1)  # nothing without an assignee
    assert desk.route() == "a1"  # t3
    router.set_status("t3", TicketStatus.PENDING, actor="a1")
    assert desk.route() is None  # t4 waits: a1's pending ticket counts
    walks.clear()
    router.set_status("t3", TicketStatus.CLOSED, actor="a1")
    assert len(walks) == 1
    assert desk.assignee("t4") == "a1"


def test_after_hours_the_walk_does_not_read_the_tickets_waiting_for_the_office() -> None:
    """With the office closed, 1,000 webchat tickets (a channel that follows office
    hours) waiting and room for one, a hand-out reads only the email ticket it can give:
    it read all 1,000 on every hand-out of the night before, a quadratic night."""
    s: dict[str, Any] = {
        "capacities": [1, 0, 0, 0, 0],
        "online": {"a1"},
        "team_a": {"a2"},
        "team_b": {"a3"},
        "tickets": [
            *[(m % 20, None, "webchat", None, TicketStatus.OPEN) for m in range(1000)],
            (20, None, "email", None, TicketStatus.OPEN),
        ],
        "open_now": False,
        "round_robin": True,
        "least_loaded": False,
        "capacity": None,
        "for_agent": None,
    }
    store, gate = _build(s)
    assert "webchat" in gate.compiled.configuration.office_hours_channels
    with store.transaction() as tx:
        counting = _Counting(tx)
        given = hand_out(counting, gate, T0, for_agent=None)  # type: ignore[arg-type]
    assert [(r.id, r.assignee) for r in given] == [("t1000", "a1")]
    assert counting.read == 1
    with store.transaction() as tx:
        counting = _Counting(tx)
        assert hand_out(counting, gate, T0, for_agent="a1") == []  # type: ignore[arg-type]
    assert counting.read == 0
