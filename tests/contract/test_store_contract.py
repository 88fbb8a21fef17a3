"""The Store / Transaction contract of ``helpdesk_routing.ports``, run over every adapter.

Each store adapter registers a factory in ``tests/adapters.py``; every test here
builds its store through ``store_factory(request, agents)``.
"""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta

import pytest

from helpdesk_routing.errors import ArgumentTypeError, ConflictError, UnknownAgent, ValidationError
from helpdesk_routing.model import Agent, Role, Ticket, TicketStatus
from helpdesk_routing.ports import Store
from helpdesk_routing.records import AuditRecord, RotationState, TicketQuery, TicketRecord
from tests.adapters import StoreFactory

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)
AGENTS = [Agent(id="a3", name="Cy"), Agent(id="a1", name="Ann"), Agent(id="a2", role=Role.ADMIN)]


def record(
    tid: str,
    minutes: int = 0,
    *,
    assignee: str | None = None,
    team: str | None = None,
    views: frozenset[str] = frozenset(),
    status: TicketStatus = TicketStatus.OPEN,
    channel: str = "email",
) -> TicketRecord:
    """A ticket record created ``minutes`` after T0."""
    ticket = Ticket(
        id=tid, channel=channel, created_at=T0 + timedelta(minutes=minutes), status=status
    )
    return TicketRecord(ticket=ticket, team=team, assignee=assignee, views=views)


@pytest.fixture
def store(store_factory: StoreFactory, request: pytest.FixtureRequest) -> Store:
    """A fresh store of the adapter under test, with three Offline agents."""
    return store_factory(request, AGENTS)


# -- tickets ---------------------------------------------------------------------------


def test_add_ticket_inserts_and_returns_none(store: Store) -> None:
    """A new id is inserted: add_ticket returns None and get_ticket returns the record."""
    r = record("t1")
    with store.transaction() as tx:
        assert tx.add_ticket(r) is None
        assert tx.get_ticket("t1") == r
    with store.transaction() as tx:
        assert tx.get_ticket("t1") == r


def test_add_ticket_twice_returns_the_stored_record_unchanged(store: Store) -> None:
    """Adding an existing id returns the stored record and changes nothing."""
    first = record("t1", assignee="a1")
    with store.transaction() as tx:
        tx.add_ticket(first)
    with store.transaction() as tx:
        assert tx.add_ticket(record("t1", 5, team="x")) == first
        assert tx.get_ticket("t1") == first


def test_get_ticket_of_unknown_id_is_none(store: Store) -> None:
    """An id never stored reads as None."""
    with store.transaction() as tx:
        assert tx.get_ticket("nope") is None


def test_update_ticket_replaces_the_record(store: Store) -> None:
    """update_ticket stores the new record under the same id."""
    with store.transaction() as tx:
        tx.add_ticket(record("t1"))
    new = record("t1", assignee="a2", team="x", views=frozenset({"v"}))
    with store.transaction() as tx:
        tx.update_ticket(new)
    with store.transaction() as tx:
        assert tx.get_ticket("t1") == new


def test_find_tickets_orders_oldest_first_then_by_id(store: Store) -> None:
    """find_tickets returns (created_at, id) order, whatever the insertion order."""
    with store.transaction() as tx:
        for tid, minute in [("t3", 1), ("t2", 1), ("t9", 0), ("t1", 2)]:
            tx.add_ticket(record(tid, minute))
        found = tx.find_tickets(TicketQuery())
    assert [r.id for r in found] == ["t9", "t2", "t3", "t1"]


def test_find_tickets_default_query_shows_open_tickets_only(store: Store) -> None:
    """The default TicketQuery filters on status open."""
    with store.transaction() as tx:
        tx.add_ticket(record("t1"))
        tx.add_ticket(record("t2", 1, status=TicketStatus.CLOSED))
        tx.add_ticket(record("t3", 2, status=TicketStatus.PENDING))
        assert [r.id for r in tx.find_tickets(TicketQuery())] == ["t1"]
        assert [r.id for r in tx.find_tickets(TicketQuery(statuses=None))] == ["t1", "t2", "t3"]


def _random_records(rng: random.Random) -> list[TicketRecord]:
    """Up to 12 records with colliding times and every kind of filterable value."""
    ids = rng.sample([f"t{i}" for i in range(12)], rng.randint(0, 12))
    return [
        record(
            tid,
            rng.randint(0, 4),
            assignee=rng.choice([None, "a1", "a2"]),
            team=rng.choice([None, "x", "y"]),
            views=frozenset(v for v in ("u", "v") if rng.random() < 0.4),
            status=rng.choice(list(TicketStatus)),
            channel=rng.choice(["email", "sms", "webchat"]),
        )
        for tid in ids
    ]


def _maybe(rng: random.Random, value: object) -> object:
    return value if rng.random() < 0.5 else None


def _random_query(rng: random.Random) -> TicketQuery:
    """A query setting a random subset of the filters."""
    statuses = frozenset(s for s in TicketStatus if rng.random() < 0.5)
    channels = frozenset(c for c in ("email", "sms", "webchat") if rng.random() < 0.5)
    excluded = frozenset(c for c in ("email", "webchat", "fax") if rng.random() < 0.3)
    after = (T0 + timedelta(minutes=rng.randint(0, 4)), rng.choice(["", "t3", "t7", "t99"]))
    return TicketQuery.model_validate(
        {
            "assignee": _maybe(rng, rng.choice(["a1", "a2"])),
            "unassigned": rng.random() < 0.3,
            "team": _maybe(rng, rng.choice(["x", "y"])),
            "no_team": rng.random() < 0.3,
            "view": _maybe(rng, rng.choice(["u", "v"])),
            "statuses": _maybe(rng, statuses),
            "channels": _maybe(rng, channels),
            "exclude_channels": excluded,
            "after": _maybe(rng, after),
            "limit": _maybe(rng, rng.randint(1, 5)),
            "newest_first": rng.random() < 0.4,
        }
    )


# Seeded pseudo-random cases rather than hypothesis: a store per example would leave
# adapters' background threads (connection pools) running while hypothesis draws.
@pytest.mark.parametrize("seed", range(12))
def test_find_tickets_agrees_with_ticketquery_matches(
    store_factory: StoreFactory, request: pytest.FixtureRequest, seed: int
) -> None:
    """find_tickets returns exactly the records TicketQuery.matches accepts, in the query's
    order (oldest or newest first), limited."""
    rng = random.Random(seed)
    records = _random_records(rng)
    store = store_factory(request, AGENTS)
    with store.transaction() as tx:
        for r in records:
            tx.add_ticket(r)
    with store.transaction() as tx:
        for _ in range(25):
            query = _random_query(rng)
            expected = sorted(
                (r for r in records if query.matches(r)),
                key=lambda r: (r.ticket.created_at, r.id),
                reverse=query.newest_first,
            )
            if query.limit is not None:
                expected = expected[: query.limit]
            assert tx.find_tickets(query) == expected, query


@pytest.mark.parametrize("newest_first", [False, True])
@pytest.mark.parametrize("seed", range(6))
def test_cursor_paging_visits_every_match_once(
    store_factory: StoreFactory, request: pytest.FixtureRequest, seed: int, newest_first: bool
) -> None:
    """Paging with ``after`` = the last key of the previous page yields the whole result
    once, oldest first and newest first."""
    rng = random.Random(seed)
    records = _random_records(rng)
    store = store_factory(request, AGENTS)
    with store.transaction() as tx:
        for r in records:
            tx.add_ticket(r)
        everything = tx.find_tickets(TicketQuery(statuses=None, newest_first=newest_first))
        oldest = tx.find_tickets(TicketQuery(statuses=None))
        assert everything == (oldest[::-1] if newest_first else oldest)
        for page in (1, 2, 3):
            seen: list[TicketRecord] = []
            after: tuple[datetime, str] | None = None
            while True:
                chunk = tx.find_tickets(
                    TicketQuery(statuses=None, after=after, limit=page, newest_first=newest_first)
                )
                seen.extend(chunk)
                if len(chunk) < page:
                    break
                after = (chunk[-1].ticket.created_at, chunk[-1].id)
            assert seen == everything


def test_find_tickets_sees_updates_in_every_index(store: Store) -> None:
    """After an update, queries by old assignee/team/view no longer find it; new ones do."""
    with store.transaction() as tx:
        tx.add_ticket(record("t1", assignee="a1", team="x", views=frozenset({"u"})))
        tx.update_ticket(record("t1", assignee="a2", team="y", views=frozenset({"v"})))
        assert tx.find_tickets(TicketQuery(assignee="a1")) == []
        assert tx.find_tickets(TicketQuery(team="x")) == []
        assert tx.find_tickets(TicketQuery(view="u")) == []
        assert [r.id for r in tx.find_tickets(TicketQuery(assignee="a2", team="y", view="v"))] == [
            "t1"
        ]


def test_open_load_counts_open_and_pending_assigned_tickets(store: Store) -> None:
    """open_load counts the agent's tickets that are not closed, and follows updates."""
    with store.transaction() as tx:
        tx.add_ticket(record("t1", assignee="a1"))
        tx.add_ticket(record("t2", assignee="a1", status=TicketStatus.PENDING))
        tx.add_ticket(record("t3", assignee="a1", status=TicketStatus.CLOSED))
        tx.add_ticket(record("t4", assignee="a2"))
        tx.add_ticket(record("t5"))
        assert (tx.open_load("a1"), tx.open_load("a2"), tx.open_load("a3")) == (2, 1, 0)
        tx.update_ticket(record("t1", assignee="a1", status=TicketStatus.CLOSED))
        tx.update_ticket(record("t4", assignee="a1"))
        assert (tx.open_load("a1"), tx.open_load("a2")) == (2, 0)


def test_open_load_of_unknown_agent_is_zero(store: Store) -> None:
    """An agent with no tickets (or unknown) has load 0."""
    with store.transaction() as tx:
        assert tx.open_load("nobody") == 0


# -- agents and presence ---------------------------------------------------------------


def test_agents_are_ordered_by_id(store: Store) -> None:
    """agents() lists every agent by ascending id."""
    with store.transaction() as tx:
        assert [a.id for a in tx.agents()] == ["a1", "a2", "a3"]
        assert tx.get_agent("a2") == AGENTS[2]
        assert tx.get_agent("zz") is None


def test_agents_start_offline(store: Store) -> None:
    """Initial agents are Offline; unknown agents read as Offline."""
    with store.transaction() as tx:
        assert list(tx.online_agents()) == []
        assert not tx.is_online("a1")
        assert not tx.is_online("zz")


def test_online_agents_are_ascending(store: Store) -> None:
    """online_agents lists the Online agents in ascending id order."""
    with store.transaction() as tx:
        for a in ["a3", "a1", "a2"]:
            tx.set_online(a, True, T0)
        tx.set_online("a2", False, T0)
    with store.transaction() as tx:
        assert list(tx.online_agents()) == ["a1", "a3"]
        assert tx.is_online("a3")
        assert not tx.is_online("a2")


def test_set_online_twice_is_harmless(store: Store) -> None:
    """Setting the same presence again keeps a single entry."""
    with store.transaction() as tx:
        tx.set_online("a1", True, T0)
        tx.set_online("a1", True, T0 + timedelta(minutes=1))
        assert list(tx.online_agents()) == ["a1"]


def test_put_agent_adds_an_offline_agent_and_keeps_presence_on_replace(store: Store) -> None:
    """A new agent starts Offline; replacing an Online agent keeps them Online."""
    with store.transaction() as tx:
        tx.set_online("a1", True, T0)
        tx.put_agent(Agent(id="a0"))
        tx.put_agent(Agent(id="a1", name="Ann B", capacity=3))
    with store.transaction() as tx:
        assert not tx.is_online("a0")
        assert tx.is_online("a1")
        agent = tx.get_agent("a1")
        assert agent is not None
        assert agent.capacity == 3
        assert [a.id for a in tx.agents()] == ["a0", "a1", "a2", "a3"]


# -- rotation --------------------------------------------------------------------------


def test_rotation_of_a_new_pool_is_fresh(store: Store) -> None:
    """A pool never written reads as RotationState()."""
    with store.transaction() as tx:
        assert tx.rotation("global") == RotationState()


def test_rotation_is_kept_per_pool(store: Store) -> None:
    """Writing one pool's state leaves the other pools alone, and persists."""
    with store.transaction() as tx:
        tx.set_rotation("global", RotationState(last="a1", given=1))
        tx.set_rotation("team:x", RotationState(last="a3", given=7, extra={"k": [1, 2]}))
    with store.transaction() as tx:
        assert tx.rotation("global") == RotationState(last="a1", given=1)
        assert tx.rotation("team:x") == RotationState(last="a3", given=7, extra={"k": [1, 2]})
        assert tx.rotation("team:y") == RotationState()


# -- audit log -------------------------------------------------------------------------


def test_audit_seq_is_strictly_increasing_and_log_is_in_seq_order(store: Store) -> None:
    """append_audit sets increasing seq numbers; audit() returns them in that order."""
    appended = []
    with store.transaction() as tx:
        for i in range(3):
            appended.append(
                tx.append_audit(AuditRecord(at=T0, actor="a1", action="status", ticket_id=f"t{i}"))
            )
    with store.transaction() as tx:
        appended.append(
            tx.append_audit(AuditRecord(at=T0, actor=None, action="presence", agent_id="a1"))
        )
        log = tx.audit()
    seqs = [r.seq for r in appended]
    assert all(s is not None for s in seqs)
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == 4
    assert log == appended


def test_audit_of_one_ticket_is_filtered(store: Store) -> None:
    """audit(ticket_id) returns only that ticket's records, in seq order."""
    with store.transaction() as tx:
        a = tx.append_audit(AuditRecord(at=T0, actor=None, action="routed", ticket_id="t1"))
        tx.append_audit(AuditRecord(at=T0, actor=None, action="routed", ticket_id="t2"))
        b = tx.append_audit(
            AuditRecord(at=T0, actor="a1", action="assigned", ticket_id="t1", assignee="a1")
        )
        assert tx.audit("t1") == [a, b]
        assert tx.audit("t404") == []


# -- atomicity -------------------------------------------------------------------------


class _Boom(Exception):
    pass


def _snapshot(store: Store) -> tuple[object, ...]:
    with store.transaction() as tx:
        return (
            tx.find_tickets(TicketQuery(statuses=None)),
            tx.agents(),
            list(tx.online_agents()),
            [tx.open_load(a) for a in ("a1", "a2", "a3")],
            tx.rotation("global"),
            tx.rotation("team:x"),
            tx.audit(),
            tx.audit("t1"),
            tx.audit("t2"),
            tx.find_tickets(TicketQuery(assignee="a1", statuses=None)),
            tx.find_tickets(TicketQuery(team="x", statuses=None)),
            tx.find_tickets(TicketQuery(view="u", statuses=None)),
            tx.find_tickets(TicketQuery(unassigned=True, statuses=None)),
        )


def test_a_block_that_raises_keeps_nothing(store: Store) -> None:
    """Every kind of write inside a failing transaction is undone; the error propagates."""
    with store.transaction() as tx:
        tx.add_ticket(record("t1", assignee="a1", team="x"))
        tx.set_online("a2", True, T0)
        tx.set_rotation("global", RotationState(last="a2", given=1))
        tx.append_audit(AuditRecord(at=T0, actor=None, action="routed", ticket_id="t1"))
    before = _snapshot(store)

    def failing_unit() -> None:
        with store.transaction() as tx:
            tx.add_ticket(record("t2", assignee="a1", views=frozenset({"u"})))
            tx.update_ticket(record("t1", 3, assignee="a3", views=frozenset({"u"})))
            tx.update_ticket(record("t1", 4, team="x"))
            tx.set_online("a1", True, T0)
            tx.set_online("a2", False, T0)
            tx.put_agent(Agent(id="a0"))
            tx.put_agent(Agent(id="a3", capacity=1))
            tx.set_rotation("global", RotationState(last="a1", given=2))
            tx.set_rotation("team:x", RotationState(last="a1", given=1))
            tx.append_audit(AuditRecord(at=T0, actor=None, action="routed", ticket_id="t2"))
            tx.append_audit(AuditRecord(at=T0, actor="a1", action="status", ticket_id="t1"))
            tx.append_audit(AuditRecord(at=T0, actor="a1", action="status", ticket_id="t1"))
            raise _Boom

    with pytest.raises(_Boom):
        failing_unit()
    assert _snapshot(store) == before


def test_changes_commit_when_the_block_ends(store: Store) -> None:
    """Writes of a transaction that ends normally are visible to the next one."""
    with store.transaction() as tx:
        tx.add_ticket(record("t1"))
        tx.set_online("a1", True, T0)
    with store.transaction() as tx:
        assert tx.get_ticket("t1") is not None
        assert tx.is_online("a1")


def test_concurrent_transactions_do_not_lose_rotation_steps(store: Store) -> None:
    """Threads that each read-modify-write a pool's rotation are serialised: no step is lost."""
    per_thread, threads = 20, 4

    def work() -> None:
        for _ in range(per_thread):
            while True:
                try:
                    with store.transaction() as tx:
                        state = tx.rotation("global")
                        tx.set_rotation(
                            "global", state.model_copy(update={"given": state.given + 1})
                        )
                    break
                except ConflictError:
                    continue

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    with store.transaction() as tx:
        assert tx.rotation("global").given == per_thread * threads


def test_concurrent_add_of_one_id_stores_it_once(store: Store) -> None:
    """Two threads adding the same ticket id: exactly one inserts, the other gets its record."""
    results: list[TicketRecord | None] = []
    barrier = threading.Barrier(2)

    def work(assignee: str) -> None:
        barrier.wait()
        while True:
            try:
                with store.transaction() as tx:
                    got = tx.add_ticket(record("t1", assignee=assignee))
                results.append(got)
                return
            except ConflictError:
                continue

    pool = [threading.Thread(target=work, args=(a,)) for a in ("a1", "a2")]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert sorted(results, key=lambda r: r is not None)[0] is None
    inserted = [r for r in results if r is not None]
    assert len(inserted) == 1
    with store.transaction() as tx:
        assert tx.get_ticket("t1") == inserted[0]


def test_remove_agent_forgets_the_agent_and_their_presence(store: Store) -> None:
    """remove_agent deletes an agent (Online or not); an unknown id raises UnknownAgent and a
    failed unit keeps the agent."""
    with store.transaction() as tx:
        tx.set_online("a1", True, T0)
        tx.remove_agent("a1")
        assert tx.get_agent("a1") is None
        assert not tx.is_online("a1")
    with store.transaction() as tx:
        assert [a.id for a in tx.agents()] == ["a2", "a3"]
        assert list(tx.online_agents()) == []
    with pytest.raises(UnknownAgent), store.transaction() as tx:
        tx.remove_agent("a1")

    def fail() -> None:
        with store.transaction() as tx:
            tx.remove_agent("a2")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail()
    with store.transaction() as tx:
        assert tx.get_agent("a2") is not None


@pytest.mark.parametrize(
    ("agents", "error", "message"),
    [
        (None, ArgumentTypeError, "agents must be Agents (an iterable), got NoneType"),
        ("a1", ArgumentTypeError, "agents must be Agents (an iterable), got str"),
        (
            {"a1": Agent(id="a1")},
            ArgumentTypeError,
            "agents must be Agents (an iterable), got dict",
        ),
        ([Agent(id="a1"), {"id": "a2"}], ArgumentTypeError, "agents[1] must be an Agent, got dict"),
        (
            [Agent(id="a1"), Agent(id="a2"), Agent(id="a1", name="again")],
            ValidationError,
            "invalid agents\n  $[2].id: agent 'a1' is listed twice (agents[0] and agents[2])",
        ),
        (
            [
                Agent(id="a1"),
                Agent.model_construct(id="a\x00b", name="Ann", role=Role.SUPPORT, capacity=None),
                Agent.model_construct(id="a\ud800", name="Bo", role="boss", capacity=-1),
            ],
            ValidationError,
            "invalid agents\n  $[1].id: text must not contain NUL (\\x00)\n"
            "  $[2].id: text must not contain a lone surrogate (\\ud800)\n"
            "  $[2].role: Input should be 'owner', 'admin', 'manager' or 'support'\n"
            "  $[2].capacity: Input should be greater than or equal to 0",
        ),
    ],
    ids=["none", "text", "mapping", "dict_item", "repeated_id", "constructed"],
)
def test_a_store_refuses_agents_it_cannot_take_alike(
    store_factory: StoreFactory,
    request: pytest.FixtureRequest,
    agents: object,
    error: type,
    message: str,
) -> None:
    """Every store checks its initial agents the same way before it keeps any: a library
    error naming the argument (and the item), never an AttributeError at the first
    route, nor one agent silently replacing another."""
    with pytest.raises(error) as info:
        store_factory(request, agents)  # type: ignore[arg-type]
    assert str(info.value) == message


def test_a_stores_agents_are_validated_agents(
    store_factory: StoreFactory, request: pytest.FixtureRequest
) -> None:
    """An agent made by model_construct with sound values, or a subclass's, is kept as the
    Agent validation makes (SQLite's store wrote a constructed one with a NUL in its id
    and could then not read its agents back; the memory store kept it)."""

    class Special(Agent):
        pass

    given = [
        Agent.model_construct(id="a1", name="Ann", role=Role.MANAGER, capacity=2),
        Special(id="a2", name="Bo"),
    ]
    store = store_factory(request, given)  # type: ignore[arg-type]
    with store.transaction() as tx:
        agents = tx.agents()
    assert agents == [
        Agent(id="a1", name="Ann", role=Role.MANAGER, capacity=2),
        Agent(id="a2", name="Bo"),
    ]
    assert [type(a) for a in agents] == [Agent, Agent]
