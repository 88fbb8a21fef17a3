"""The fast audit scan of a SQLite store reads exactly what ``tx.audit()`` gives."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing import metrics
from helpdesk_routing._audit_scan import AuditFact, fact_rows, scan
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.model import Agent, Role, Team, Ticket, TicketStatus
from helpdesk_routing.ports import AuditFactSource
from helpdesk_routing.records import AuditRecord
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from helpdesk_routing.stores.sqlite import SqliteStore
from helpdesk_routing.stores.sqlite import _schema as _sqlite_schema

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)
AGENTS = [Agent(id="a1"), Agent(id="a2"), Agent(id="m1", role=Role.MANAGER)]

operation = st.one_of(
    st.tuples(st.just("route"), st.sampled_from(["email", "webchat", "sms"])),
    st.tuples(st.just("online"), st.sampled_from(["a1", "a2"])),
    st.tuples(st.just("reply"), st.booleans()),
    st.tuples(st.just("assign"), st.sampled_from(["a1", "a2"])),
    st.tuples(st.just("team"), st.just("billing")),
    st.tuples(st.just("close"), st.just("")),
    st.tuples(st.just("unassign"), st.just("")),
)


@settings(max_examples=25)
@given(st.lists(st.tuples(operation, st.integers(0, 90)), max_size=25))
def test_scan_of_sqlite_equals_the_records_and_the_report(
    ops: list[tuple[tuple[str, object], int]],
) -> None:
    """For any history, the scanned facts carry the records' fields, and the report from
    them equals the report from tx.audit() and from the same history in memory."""
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = SqliteStore(Path(tmp) / "s.db", agents=AGENTS)
        memory = InMemoryStore(agents=AGENTS)
        for store in (sqlite, memory):
            clock = ManualClock(T0)
            router = Router(
                rules=RuleSet(rules=[]),
                teams=[Team(id="billing", members=("a2",))],
                store=store,
                customer_data=InMemoryCustomerData(),
                clock=clock,
            )
            tickets: list[str] = []
            online: set[str] = set()
            for (kind, arg), minutes in ops:
                clock.advance(minutes=minutes)
                last = tickets[-1] if tickets else None
                if kind == "route":
                    tickets.append(f"t{len(tickets)}")
                    router.route(Ticket(id=tickets[-1], channel=str(arg), created_at=clock.now()))
                elif kind == "online":
                    agent = str(arg)
                    router.set_online(agent, agent not in online, actor=agent)
                    online ^= {agent}
                elif last is None:
                    continue
                elif kind == "reply":
                    router.reply(last, actor="a1", public=bool(arg))
                elif kind == "assign":
                    router.assign(last, to=str(arg), actor="m1")
                elif kind == "team":
                    router.assign_to_team(last, team="billing", actor="m1")
                elif kind == "close":
                    router.set_status(last, "closed", actor="m1")
                else:
                    router.unassign(last, actor="m1")
        facts = list(scan(sqlite))
        with sqlite.transaction() as tx:
            records = tx.audit()
        assert all(type(f) is tuple and len(f) == len(AuditFact._fields) for f in facts)
        assert [_read(f) for f in facts] == [_flag(r) for r in reported(fact_rows(records))]
        # Left out: the records without a ticket (but presence) and the private replies.
        kept = [
            r
            for r in records
            if (r.ticket_id is not None or r.action == "presence")
            and (r.action != "replied" or r.detail.get("public") is True)
        ]
        assert [(f[1], f[2]) for f in facts] == [(r.action, r.ticket_id) for r in kept]
        start, end = T0, T0 + timedelta(days=2)
        from_facts = metrics.summarize(facts, [], start, end).to_dict()
        assert from_facts == metrics.summarize(records, [], start, end).to_dict()
        # the memory store's report comes from its digest (the period ends after the log)
        assert memory.period_figures(start, end, spans=False) is not None
        assert from_facts == metrics.report(memory, None, start, end).to_dict()
        sqlite.close()


def test_in_memory_sqlite_streams_facts_through_its_own_connection() -> None:
    """A ':memory:' SQLite store (which cannot be opened twice) streams its facts too,
    in a read unit on its own connection; the memory store has no fact source."""
    with SqliteStore(":memory:", agents=AGENTS) as store:
        Router(
            rules=RuleSet(rules=[]),
            teams=[],
            store=store,
            customer_data=InMemoryCustomerData(),
            clock=ManualClock(T0),
        ).set_online("a1", True, actor="a1")
        assert isinstance(store, AuditFactSource)
        facts = list(scan(store))
        # The Router's first configuration version is audited before the presence change,
        # and left out (no figure of a report reads it).
        assert [AuditFact(*f).action for f in facts] == ["presence"]
    memory = InMemoryStore(agents=AGENTS)
    assert not isinstance(memory, AuditFactSource)
    assert list(scan(memory)) == []


def test_a_scan_takes_no_write_lock_and_reads_one_snapshot(tmp_path: Path) -> None:
    """While a scan is under way another thread routes (the scan holds no write lock),
    and the scan ends with the log as it was when it began."""
    import threading

    with SqliteStore(tmp_path / "s.db", agents=AGENTS, timeout=2) as store:
        router = Router(
            rules=RuleSet(rules=[]),
            teams=[],
            store=store,
            customer_data=InMemoryCustomerData(),
            clock=ManualClock(T0),
        )
        for n in range(5):
            router.route(Ticket(id=f"t{n}", channel="email", created_at=T0))
        facts = store.audit_facts()
        first = next(facts)
        errors: list[BaseException] = []

        def route_more() -> None:
            try:
                router.route(Ticket(id="late", channel="email", created_at=T0))
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        t = threading.Thread(target=route_more)
        t.start()
        t.join()
        rest = list(facts)
        assert errors == []
        assert [AuditFact(*f).ticket_id for f in [first, *rest]] == ["t0", "t1", "t2", "t3", "t4"]
        assert router.ticket("late").id == "late"


def reported(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """The rows of records' rows a store's scan keeps (``_audit_scan.REPORTED``): those
    with a ticket id, but for replies only public ones, and presence changes."""
    for row in rows:
        if row[2] is None:
            if row[1] == "presence":
                yield row
        elif row[1] != "replied" or row[9].get("public") is True:
            yield row


def _flag(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A record's row (its detail in the place of ``public``) as a store gives it."""
    value = row[9].get("public")
    return (*row[:9], value if isinstance(value, bool) else None)


def _read(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A SQLite fact row with its instant read (the rest compares equal as stored: the
    status text to its TicketStatus, 0/1 to the bools)."""
    return (datetime.fromisoformat(row[0]), *row[1:])


def test_a_version_4_file_gets_the_fact_columns_of_its_records(tmp_path: Path) -> None:
    """Schema 5 fills the fact columns of the records already stored (complete ones, and
    one written without some fields, which read with the model's defaults); the scan of
    the migrated file equals the records, and new records are scanned alike."""
    path = tmp_path / "v4.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    conn.execute("INSERT INTO schema_version (version) VALUES (4)")
    for _, statements in _sqlite_schema.MIGRATIONS[:4]:
        for statement in statements:
            conn.execute(statement)
    old = [
        AuditRecord(at=T0, actor="a1", action="presence", agent_id="a1", online=True),
        AuditRecord(
            at=T0 + timedelta(minutes=1),
            actor=None,
            action="routed",
            ticket_id="t1",
            assignee="a1",
            status=TicketStatus.OPEN,
            automatic=True,
            pool="global",
            detail={"configuration_version": 1, "views": ["v"]},
        ),
        AuditRecord(
            at=T0 + timedelta(minutes=2),
            actor="a1",
            action="replied",
            ticket_id="t1",
            detail={"public": True},
        ),
        AuditRecord(
            at=T0 + timedelta(minutes=3),
            actor="a1",
            action="replied",
            ticket_id="t1",
            detail={"public": False},
        ),
        AuditRecord(
            at=T0 + timedelta(minutes=4),
            actor="m1",
            action="status",
            ticket_id="t1",
            team="billing",
            status=TicketStatus.CLOSED,
            detail={"public": 1},  # not a bool: no public fact
        ),
    ]
    for record in old:
        conn.execute(
            "INSERT INTO audit (ticket_id, record) VALUES (?, ?)",
            (record.ticket_id, record.model_dump_json()),
        )
    partial = '{"at":"2026-03-30T10:05:00Z","actor":null,"action":"presence","agent_id":"a2"}'
    conn.execute("INSERT INTO audit (ticket_id, record) VALUES (NULL, ?)", (partial,))
    conn.close()
    with SqliteStore(path, agents=AGENTS) as store:
        with store.transaction() as tx:
            tx.append_audit(
                AuditRecord(
                    at=T0 + timedelta(minutes=6),
                    actor="a2",
                    action="replied",
                    ticket_id="t1",
                    detail={"public": True, "words": 3},
                )
            )
            records = tx.audit()
        facts = list(store.audit_facts())
    assert len(records) == 7
    assert [_read(f) for f in facts] == [_flag(r) for r in reported(fact_rows(records))]
    # the private reply is left out; the partial presence record reads with the defaults
    assert len(facts) == 6
    assert _read(facts[4]) == AuditFact(
        at=T0 + timedelta(minutes=5), action="presence", agent_id="a2"
    )
    assert [AuditFact(*f).public for f in facts] == [None, None, True, None, None, True]
    end = T0 + timedelta(days=1)
    assert (
        metrics.summarize(facts, [], T0, end).to_dict()
        == metrics.summarize(records, [], T0, end).to_dict()
    )


def test_summarize_reads_fact_rows_of_any_origin_as_it_reads_records() -> None:
    """Rows made elsewhere may keep what a store leaves out (a private reply, a record
    without a ticket): the report still ignores it, and reads text instants and 0/1
    flags as a store gives them."""
    rows = [
        AuditFact(T0 - timedelta(hours=1), "presence", agent_id="a1", online=1),
        AuditFact(T0, "configured"),
        AuditFact(T0, "routed", "t1", assignee="a1", status="open", automatic=1),
        AuditFact((T0 + timedelta(minutes=5)).isoformat(), "replied", "t1", "a1", public=0),
        AuditFact(T0 + timedelta(minutes=6), "replied", "t1", "a1", public=False),
        AuditFact(T0 + timedelta(minutes=9), "replied", "t1", "a1", public=None),
        AuditFact((T0 + timedelta(minutes=10)).isoformat(), "replied", "t1", "a1", public=1),
        AuditFact(T0 + timedelta(minutes=20), "status", "t1", assignee="a1", status="closed"),
    ]
    report = metrics.summarize(rows, [], T0, T0 + timedelta(days=1))
    assert report.tickets == report.answered == report.resolved == 1
    assert report.ttfr.mean == 600.0
    assert report.always_online == ("a1",)
    assert report.assigned["a1"].automatic == 1
    records = [
        AuditRecord(
            at=datetime.fromisoformat(r.at) if isinstance(r.at, str) else r.at,
            actor=r.agent_id,
            action=r.action,
            ticket_id=r.ticket_id,
            agent_id=r.agent_id if r.action == "presence" else None,
            online=None if r.online is None else bool(r.online),
            assignee=r.assignee,
            status=r.status,
            automatic=bool(r.automatic),
            detail={} if r.public is None else {"public": bool(r.public)},
        )
        for r in rows
    ]
    assert metrics.summarize(records, [], T0, T0 + timedelta(days=1)) == report


class _Units:
    """A store offering ``read()`` but no audit facts (a host's adapter): every unit it
    is asked for is named in ``used``."""

    def __init__(self, inner: InMemoryStore) -> None:
        self.inner = inner
        self.used: list[str] = []

    def transaction(self) -> Any:
        self.used.append("transaction")
        return self.inner.transaction()

    def read(self) -> Any:
        self.used.append("read")
        return self.inner.read()


def test_a_readable_store_is_scanned_in_a_read_only_unit() -> None:
    """The log of a store that offers ``read()`` (docs: "for views and reports") is read
    in such a unit, not in a write unit, which waited for the units that route and held
    the write lock itself; a store without one is read in an ordinary unit."""
    inner = InMemoryStore(agents=AGENTS)
    router = Router(
        rules=RuleSet(),
        teams=[],
        store=inner,
        customer_data=InMemoryCustomerData(),
        clock=ManualClock(T0),
    )
    router.set_online("a1", True, actor="a1")
    router.route(Ticket(id="t1", channel="email", created_at=T0))
    store = _Units(inner)
    with inner.transaction() as tx:
        expected = list(fact_rows(tx.audit()))
    assert list(scan(store)) == expected
    assert store.used == ["read"]
    report = metrics.report(store, None, T0, T0 + timedelta(hours=1))
    assert report.tickets == 1
    assert store.used == ["read", "read"]
    plain = _Units(inner)
    plain.read = None  # type: ignore[assignment, method-assign]
    assert list(scan(plain)) == expected
    assert plain.used == ["transaction"]
