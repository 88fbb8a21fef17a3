"""What the in-memory store promises beyond the shared contract (tests/contract/)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.errors import StoreError, UnknownAgent, UnknownTicket
from helpdesk_routing.model import Agent, Ticket, TicketStatus
from helpdesk_routing.ports import NoAssigneeProbe, offers
from helpdesk_routing.records import AuditRecord, TicketQuery, TicketRecord
from helpdesk_routing.stores.memory import InMemoryStore

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)


def test_a_nested_transaction_in_one_thread_is_refused() -> None:
    """Opening a transaction inside another on the same thread raises StoreError."""
    store = InMemoryStore()
    with store.transaction(), pytest.raises(StoreError) as info, store.transaction():
        pass
    assert str(info.value) == "nested transaction: this thread already holds the store"


def test_a_transaction_is_unusable_after_its_block() -> None:
    """Using a transaction object after its block raises StoreError."""
    store = InMemoryStore()
    with store.transaction() as tx:
        pass
    with pytest.raises(StoreError) as info:
        tx.get_ticket("t1")
    assert str(info.value) == "the transaction has ended"


def test_a_transaction_is_unusable_before_its_block_and_cannot_be_entered_twice() -> None:
    """The object ``store.transaction()`` answers holds no lock until its block begins:
    using it before raises StoreError, as does entering it again after its block."""
    store = InMemoryStore(agents=[Agent(id="a1")])
    unit = store.transaction()
    with pytest.raises(StoreError):
        unit.get_ticket("t1")
    with pytest.raises(StoreError):
        unit.set_online("a1", True, T0)
    with unit as tx:
        assert tx is unit
        tx.set_online("a1", True, T0)
    with pytest.raises(StoreError, match="the transaction has ended"), unit:
        pass
    with store.read() as tx:  # the store's lock was released each time
        assert tx.is_online("a1")


def test_update_of_an_unknown_ticket_raises() -> None:
    """update_ticket of an id never added raises UnknownTicket."""
    store = InMemoryStore()
    record = TicketRecord(ticket=Ticket(id="t1", channel="email", created_at=T0))
    with store.transaction() as tx, pytest.raises(UnknownTicket):
        tx.update_ticket(record)


def test_presence_of_an_unknown_agent_raises() -> None:
    """set_online of an unknown agent raises UnknownAgent."""
    store = InMemoryStore(agents=[Agent(id="a1")])
    with store.transaction() as tx, pytest.raises(UnknownAgent):
        tx.set_online("zz", True, T0)


def test_the_store_is_usable_after_a_rolled_back_block() -> None:
    """After a failing block the lock is released and the next transaction works."""
    store = InMemoryStore(agents=[Agent(id="a1")])

    def failing() -> None:
        with store.transaction() as tx:
            tx.set_online("a1", True, T0)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        failing()
    with store.transaction() as tx:
        assert not tx.is_online("a1")


# -- ordered view indexes and atomic units of work (hypothesis) ---------------------

_T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)
_IDS = [f"t{i}" for i in range(8)]


@st.composite
def _records(draw: st.DrawFn) -> TicketRecord:
    ticket = Ticket(
        id=draw(st.sampled_from(_IDS)),
        channel=draw(st.sampled_from(["email", "sms"])),
        created_at=_T0 + timedelta(minutes=draw(st.integers(0, 3))),
        status=draw(st.sampled_from(list(TicketStatus))),
    )
    return TicketRecord(
        ticket=ticket,
        assignee=draw(st.none() | st.sampled_from(["a1", "a2"])),
        team=draw(st.none() | st.sampled_from(["x", "y"])),
        views=frozenset(draw(st.sets(st.sampled_from(["u", "v"])))),
    )


_QUERIES = st.builds(
    TicketQuery,
    assignee=st.none() | st.sampled_from(["a1", "a2"]),
    unassigned=st.booleans(),
    team=st.none() | st.sampled_from(["x", "y"]),
    no_team=st.booleans(),
    view=st.none() | st.sampled_from(["u", "v"]),
    statuses=st.none() | st.frozensets(st.sampled_from(list(TicketStatus))),
    channels=st.none() | st.frozensets(st.sampled_from(["email", "sms", "fax"])),
    exclude_channels=st.frozensets(st.sampled_from(["email", "sms", "fax"])),
    after=st.none()
    | st.tuples(st.integers(0, 3).map(lambda m: _T0 + timedelta(minutes=m)), st.sampled_from(_IDS)),
    limit=st.none() | st.integers(1, 4),
    newest_first=st.booleans(),
)


def _expected(records: dict[str, TicketRecord], query: TicketQuery) -> list[TicketRecord]:
    found = sorted(
        (r for r in records.values() if query.matches(r)),
        key=lambda r: (r.ticket.created_at, r.id),
        reverse=query.newest_first,
    )
    return found if query.limit is None else found[: query.limit]


class _Boom(Exception):
    pass


@given(
    units=st.lists(
        st.tuples(st.lists(_records(), max_size=4), st.booleans()), min_size=1, max_size=6
    ),
    queries=st.lists(_QUERIES, min_size=1, max_size=8),
)
def test_view_indexes_answer_every_query_like_the_reference_after_commits_and_rollbacks(
    units: list[tuple[list[TicketRecord], bool]], queries: list[TicketQuery]
) -> None:
    """After units that add or replace tickets, some failing half-way (undone), every query
    answers exactly the reference (TicketQuery.matches, sorted in the query's order), and
    the probe ``any_without_assignee`` (ports.NoAssigneeProbe) answers whether any has none."""
    store = InMemoryStore()
    model: dict[str, TicketRecord] = {}
    for writes, fails in units:
        staged = dict(model)
        try:
            with store.transaction() as tx:
                for r in writes:
                    if tx.add_ticket(r) is not None:
                        tx.update_ticket(r)
                    staged[r.id] = r
                if fails:
                    raise _Boom
        except _Boom:
            continue
        model = staged
    with store.transaction() as tx:
        for query in queries:
            assert tx.find_tickets(query) == _expected(model, query), query
        assert offers(tx, NoAssigneeProbe)
        assert tx.any_without_assignee() == any(r.assignee is None for r in model.values())


def _indexes(store: InMemoryStore) -> tuple[object, ...]:
    """The store's ordered indexes and its non-zero open loads."""
    return (*store._indexes, {agent: n for agent, n in store._load.items() if n})


@given(
    units=st.lists(
        st.tuples(st.lists(_records(), max_size=4), st.booleans()), min_size=1, max_size=6
    )
)
def test_replacing_records_leaves_the_indexes_and_loads_of_a_store_built_afresh(
    units: list[tuple[list[TicketRecord], bool]],
) -> None:
    """After units that add or replace tickets (moving only the indexes whose membership
    changed), some undone, the indexes and open loads are those of a new store given
    the surviving records, and open_load counts the open and pending assigned tickets."""
    store = InMemoryStore()
    model: dict[str, TicketRecord] = {}
    for writes, fails in units:
        staged = dict(model)
        try:
            with store.transaction() as tx:
                for r in writes:
                    if tx.add_ticket(r) is not None:
                        tx.update_ticket(r)
                    staged[r.id] = r
                if fails:
                    raise _Boom
        except _Boom:
            continue
        model = staged
    fresh = InMemoryStore()
    with fresh.transaction() as tx:
        for r in model.values():
            tx.add_ticket(r)
    assert _indexes(store) == _indexes(fresh)
    with store.transaction() as tx:
        for agent in ("a1", "a2"):
            expected = sum(
                1
                for r in model.values()
                if r.assignee == agent and r.ticket.status is not TicketStatus.CLOSED
            )
            assert tx.open_load(agent) == expected


def test_a_unit_failing_after_every_kind_of_write_leaves_nothing() -> None:
    """A unit that adds and updates tickets, changes presence, agents, rotation, the audit
    log and the configuration, then raises, leaves the store exactly as it was."""
    from helpdesk_routing.configuration import Configuration
    from helpdesk_routing.records import AuditRecord, RotationState

    store = InMemoryStore(agents=[Agent(id="a1")])
    first = TicketRecord(ticket=Ticket(id="t0", channel="email", created_at=_T0))
    with store.transaction() as tx:
        tx.add_ticket(first)

    def snapshot() -> tuple[object, ...]:
        with store.transaction() as tx:
            return (
                tx.find_tickets(TicketQuery(statuses=None)),
                tx.find_tickets(TicketQuery(unassigned=True, no_team=True)),
                tx.agents(),
                list(tx.online_agents()),
                tx.open_load("a1"),
                tx.rotation("global"),
                tx.audit(),
                tx.configurations(),
            )

    before = snapshot()

    def failing_unit() -> None:
        with store.transaction() as tx:
            tx.update_ticket(first.model_copy(update={"assignee": "a1", "team": "x"}))
            ticket = Ticket(id="t1", channel="sms", created_at=_T0)
            tx.add_ticket(TicketRecord(ticket=ticket, views=frozenset({"u"})))
            tx.put_agent(Agent(id="a2"))
            tx.set_online("a1", True, _T0)
            tx.set_rotation("global", RotationState(last="a1", given=1))
            tx.append_audit(AuditRecord(at=_T0, actor=None, action="routed", ticket_id="t1"))
            tx.put_configuration(Configuration(version=1, at=_T0))
            raise _Boom

    with pytest.raises(_Boom):
        failing_unit()
    assert snapshot() == before


def test_stored_records_share_fields_sets_and_stay_correct() -> None:
    """The memory store shares one fields-set per shape; copies of stored records are unharmed."""
    store = InMemoryStore(agents=[Agent(id="a1")])
    with store.transaction() as tx:
        for n in range(2):
            tid = f"t{n}"
            tx.add_ticket(TicketRecord(ticket=Ticket(id=tid, channel="email", created_at=T0)))
            tx.append_audit(AuditRecord(at=T0, actor=None, action="routed", ticket_id=tid))
        first, second = tx.audit()
        assert first.__pydantic_fields_set__ is second.__pydantic_fields_set__
        assert (first.seq, second.seq) == (1, 2)
        assert first.model_copy(update={"assignee": "a1"}).assignee == "a1"
        assert second.assignee is None
        r0, r1 = tx.get_ticket("t0"), tx.get_ticket("t1")
        assert r0 is not None
        assert r1 is not None
        assert r0.__pydantic_fields_set__ is r1.__pydantic_fields_set__
        assert r0.model_copy(update={"assignee": "a1"}).assignee == "a1"
        assert r1.assignee is None


def test_stored_tickets_share_fields_sets_and_stay_correct() -> None:
    """A ticket validated from a request shares the set of the names it was given with
    every ticket of its shape (the mark of a validated ticket, ``router._sound``), as
    it does stored; reads, dumps and copies of it are unchanged."""
    store = InMemoryStore(agents=[Agent(id="a1")])
    given = {"channel": "email", "created_at": T0, "tags": ["Order"], "subject": "Hi"}
    tickets = [Ticket(id=f"t{n}", **given) for n in range(2)]
    dumps = [t.model_dump(exclude_unset=True) for t in tickets]
    assert tickets[0].__pydantic_fields_set__ is tickets[1].__pydantic_fields_set__
    with store.transaction() as tx:
        for t in tickets:
            tx.add_ticket(TicketRecord(ticket=t))
        r0, r1 = tx.get_ticket("t0"), tx.get_ticket("t1")
    assert r0 is not None
    assert r1 is not None
    assert r0.ticket.__pydantic_fields_set__ is r1.ticket.__pydantic_fields_set__
    assert [
        r0.ticket.model_dump(exclude_unset=True),
        r1.ticket.model_dump(exclude_unset=True),
    ] == dumps
    copy = r0.ticket.model_copy(update={"subject": "Changed"})
    assert copy.subject == "Changed"
    assert "subject" in copy.model_fields_set
    assert r1.ticket.subject == "Hi"
    assert r1.ticket.model_fields_set == {"id", "channel", "created_at", "tags", "subject"}


def test_a_committed_unit_leaves_no_cycle_for_the_collector() -> None:
    """After a unit of work that wrote, its transaction is freed at once, not by the
    cyclic garbage collector (its undo steps no longer refer back to it)."""
    import gc
    import weakref

    store = InMemoryStore(agents=[Agent(id="a1")])
    record = TicketRecord(ticket=Ticket(id="t1", channel="email", created_at=T0))
    gc.disable()
    try:
        with store.transaction() as tx:
            tx.add_ticket(record)
            tx.update_ticket(record.model_copy(update={"assignee": "a1"}))
            tx.set_online("a1", True, T0)
            tx.append_audit(AuditRecord(at=T0, actor=None, action="status", ticket_id="t1"))
            ref = weakref.ref(tx)
        del tx
        assert ref() is None
    finally:
        gc.enable()
    with store.transaction() as tx:
        assert tx.get_ticket("t1") is not None
        assert tx.open_load("a1") == 1


def test_replacing_the_assignee_of_an_open_ticket_moves_its_load() -> None:
    """An open ticket given to another agent counts for the new agent, no longer the old."""
    store = InMemoryStore()
    record = TicketRecord(
        ticket=Ticket(id="t1", channel="email", created_at=T0), assignee="a1", views={"v"}
    )
    with store.transaction() as tx:
        tx.add_ticket(record)
        tx.update_ticket(record.model_copy(update={"assignee": "a2", "team": "x"}))
        assert (tx.open_load("a1"), tx.open_load("a2")) == (0, 1)
        assert [r.id for r in tx.find_tickets(TicketQuery(assignee="a2"))] == ["t1"]
        assert tx.find_tickets(TicketQuery(assignee="a1")) == []
        assert [r.id for r in tx.find_tickets(TicketQuery(team="x"))] == ["t1"]


def test_an_inbox_of_open_tickets_never_reads_the_closed_history(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An agent with 1,000 closed tickets and two open ones: My inbox (open tickets), the
    team inbox and the All view read the open tickets' index lists, not the history (as
    the SQL stores' indexes leading with the status do)."""
    store = InMemoryStore()
    with store.transaction() as tx:
        for i in range(1002):
            status = TicketStatus.CLOSED if i < 1000 else TicketStatus.OPEN
            ticket = Ticket(
                id=f"t{i:04d}",
                channel="email",
                created_at=_T0 + timedelta(minutes=i),
                status=status,
            )
            tx.add_ticket(TicketRecord(ticket=ticket, assignee="a1", team="x", views={"u"}))
    read = 0
    matches = TicketQuery.matches

    def counting(self: TicketQuery, record: TicketRecord) -> bool:
        nonlocal read
        read += 1
        return matches(self, record)

    monkeypatch.setattr(TicketQuery, "matches", counting)
    for query in (
        TicketQuery(assignee="a1"),
        TicketQuery(team="x"),
        TicketQuery(view="u"),
        TicketQuery(),
        TicketQuery(assignee="a1", newest_first=True),
    ):
        read = 0
        with store.read() as tx:
            found = tx.find_tickets(query)
        assert [r.id for r in found] == (
            ["t1001", "t1000"] if query.newest_first else ["t1000", "t1001"]
        )
        assert read == 2, query
    with store.read() as tx:  # the closed ones are there when asked for, in order
        closed = tx.find_tickets(TicketQuery(assignee="a1", statuses=None, limit=3))
    assert [r.id for r in closed] == ["t0000", "t0001", "t0002"]


def test_a_pool_s_waiting_tickets_of_channels_left_out_are_not_stepped_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After hours a hand-out asks for a pool's waiting tickets but the channels that wait
    for the office: the store finds the one email among 1,000 webchat tickets without
    checking the webchat ones (it checked each, on every hand-out of the night)."""
    store = InMemoryStore()
    with store.transaction() as tx:
        for n in range(1000):
            ticket = Ticket(id=f"w{n:04d}", channel="webchat", created_at=_T0)
            tx.add_ticket(TicketRecord(ticket=ticket, team="x" if n % 2 else None))
        for team in (None, "x"):
            ticket = Ticket(id=f"e-{team}", channel="email", created_at=_T0)
            tx.add_ticket(TicketRecord(ticket=ticket, team=team))
    checked: list[str] = []
    matches = TicketQuery.matches

    def counting(self: TicketQuery, record: TicketRecord) -> bool:
        checked.append(record.id)
        return matches(self, record)

    monkeypatch.setattr(TicketQuery, "matches", counting)
    with store.read() as tx:
        for team in (None, "x"):
            query = TicketQuery(
                unassigned=True,
                team=team,
                no_team=team is None,
                exclude_channels=frozenset({"webchat"}),
                limit=8,
            )
            assert [r.id for r in tx.find_tickets(query)] == [f"e-{team}"]
    assert sorted(checked) == ["e-None", "e-x"]
