"""The simulator's store counts its audit log instead of keeping it, and is the in-memory
store in every other respect: a run's records are those a plain ``InMemoryStore`` gives,
the Router's audit records carry the same ``seq`` (undone units giving theirs back), and
reading the log is refused rather than answered empty."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.errors import StoreError, UnknownAgent
from helpdesk_routing.model import Agent, Role, Ticket
from helpdesk_routing.records import AuditRecord
from helpdesk_routing.router import Router
from helpdesk_routing.simulation import _backends, run
from helpdesk_routing.simulation._backends import RouterBackend
from helpdesk_routing.simulation._store import NOT_KEPT, SimulationStore
from helpdesk_routing.simulation.demo import webshop_week
from helpdesk_routing.simulation.policies import policy_for
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData

from .conftest import mmc

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)
AGENTS = [Agent(id="a1"), Agent(id="a2"), Agent(id="m1", role=Role.MANAGER, capacity=0)]


def _plain(*, agents: Any) -> InMemoryStore:
    return InMemoryStore(agents=agents, report_digest=False)


@pytest.mark.parametrize(
    "scenario",
    [webshop_week(), mmc(3, 0.9, 2_000, mode="router", policy="pooled")],
    ids=["webshop week", "M/M/3 pooled"],
)
def test_a_run_gives_the_records_a_plain_in_memory_store_gives(
    scenario: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The week of the demo (rules, teams, office hours, shifts, pending tickets) and a
    busy pooled queue give the same per-ticket records, loads and backlog on the
    simulator's store as on an ``InMemoryStore`` (the store the simulator used before)."""
    counted = run(scenario, seed=3)
    monkeypatch.setattr(_backends, "SimulationStore", _plain)
    kept = run(scenario, seed=3)
    assert counted.records == kept.records
    assert counted.summary == kept.summary
    assert counted.backlog == kept.backlog


def test_a_run_keeps_no_audit_record_and_counts_them_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """After a run the store holds no audit record, and its count is the number of
    records an ``InMemoryStore`` keeps for the same run (three or more a ticket)."""
    stores: list[InMemoryStore] = []
    init = RouterBackend.__init__

    def kept(self: RouterBackend, *args: Any) -> None:
        init(self, *args)
        stores.append(self._store)

    monkeypatch.setattr(RouterBackend, "__init__", kept)
    scenario = mmc(2, 0.8, 500, mode="router", policy="round_robin")
    run(scenario, seed=1)
    monkeypatch.setattr(_backends, "SimulationStore", _plain)
    run(scenario, seed=1)
    counting, plain = stores
    assert isinstance(counting, SimulationStore)
    assert counting._audit == []
    assert counting._audit_by_ticket == {}
    assert len(plain._audit) >= 3 * 500
    assert counting._logged == len(plain._audit)


def _routers() -> list[tuple[Router, ManualClock]]:
    made = []
    for store in (SimulationStore(agents=AGENTS), InMemoryStore(agents=AGENTS)):
        clock = ManualClock(T0)
        made.append((Router(store=store, customer_data=InMemoryCustomerData(), clock=clock), clock))
    return made


def test_the_router_gets_the_seqs_an_in_memory_store_gives() -> None:
    """Replies (which return their stored record) carry the same ``seq`` on both stores,
    after routes, presence changes, a close that hands out and a failed operation, whose
    unit is undone and takes nothing of the count."""
    seqs: list[list[int]] = []
    for router, clock in _routers():
        got = []
        router.set_online("a1", online=True, actor="a1")
        for i in range(4):
            clock.set(T0 + timedelta(minutes=i))
            router.route(Ticket(id=f"t{i}", channel="email", created_at=clock.now()))
            got.append(router.reply(f"t{i}", actor="a1").seq)
        router.set_status("t0", "closed", actor="a1")
        with pytest.raises(UnknownAgent):  # its unit is undone
            router.assign("t1", to="nobody", actor="m1")
        got.append(router.reply("t1", actor="m1", public=False).seq)
        router.set_online("a2", online=True, actor="a2")
        got.append(router.reply("t2", actor="a2").seq)
        seqs.append(got)
    counted, kept = seqs
    assert counted == kept
    assert counted == sorted(set(counted))  # rising, none given twice


def _append_two_then_fail(store: InMemoryStore, record: AuditRecord) -> None:
    with store.transaction() as tx:
        assert tx.append_audit(record).seq == 2
        assert tx.append_audit(record).seq == 3
        assert tx.next_audit_seq() == 4
        raise RuntimeError("undo")


def test_an_undone_unit_gives_its_seqs_back() -> None:
    """Records appended in a unit that raises are not counted: the next unit's first
    record takes the first of their numbers, as on the in-memory store."""
    for store in (SimulationStore(agents=AGENTS), InMemoryStore(agents=AGENTS)):
        record = AuditRecord(at=T0, actor="a1", action="presence", agent_id="a1")
        with store.transaction() as tx:
            assert tx.append_audit(record).seq == 1
        with pytest.raises(RuntimeError, match=r"^undo$"):
            _append_two_then_fail(store, record)
        with store.transaction() as tx:
            assert tx.next_audit_seq() == 2
            assert tx.append_audit(record).seq == 2


def test_reading_the_log_is_refused_not_answered_empty() -> None:
    """The log is not kept, so reading it raises ``StoreError`` (``Router.history`` too):
    an empty answer would read as a ticket nothing happened to."""
    router, _ = _routers()[0]
    router.route(Ticket(id="t1", channel="email", created_at=T0))
    with pytest.raises(StoreError, match=f"^{NOT_KEPT}$"):
        router.history("t1")
    with pytest.raises(StoreError, match=f"^{NOT_KEPT}$"), router._store.read() as tx:  # type: ignore[attr-defined]
        tx.audit()


def test_the_log_is_written_only_inside_a_unit_that_may_write() -> None:
    """As on the in-memory store: after its unit ended, or in a read-only unit, appending
    raises ``StoreError`` and counts nothing; a record of the wrong kind is refused."""
    store = SimulationStore(agents=AGENTS)
    record = AuditRecord(at=T0, actor="a1", action="presence", agent_id="a1")
    with store.transaction() as tx:
        pass
    with pytest.raises(StoreError):
        tx.append_audit(record)
    with pytest.raises(StoreError, match="read-only"), store.read() as tx:
        tx.append_audit(record)
    with pytest.raises(TypeError, match="record must be an AuditRecord"), store.transaction() as tx:
        tx.append_audit({"action": "presence"})  # type: ignore[arg-type]
    assert store._logged == 0


def test_the_full_default_routers_rows_keep_the_log() -> None:
    """With the report digest on (the benchmark's full default Router), the backend uses
    a plain ``InMemoryStore``, whose digest reads the log."""
    scenario = mmc(2, 0.5, 10, mode="router")
    policy = policy_for(scenario, 1)
    assert type(RouterBackend(scenario, policy)._store) is SimulationStore
    RouterBackend.report_digest = True
    try:
        store = RouterBackend(scenario, policy)._store
    finally:
        RouterBackend.report_digest = False
    assert type(store) is InMemoryStore
    assert store._digest is not None
