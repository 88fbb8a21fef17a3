"""The audit log's seq order is the order in which conflicting units of work committed."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from helpdesk_routing.errors import ConflictError
from helpdesk_routing.model import Agent, Ticket
from helpdesk_routing.ports import Store
from helpdesk_routing.records import AuditRecord, TicketRecord
from tests.adapters import StoreFactory

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)
AGENTS = [Agent(id=f"a{i}") for i in range(4)]


@pytest.fixture
def store(store_factory: StoreFactory, request: pytest.FixtureRequest) -> Store:
    """A fresh store of the adapter under test, with four agents and ticket t1."""
    made = store_factory(request, AGENTS)
    with made.transaction() as tx:
        tx.add_ticket(TicketRecord(ticket=Ticket(id="t1", channel="email", created_at=T0)))
    return made


def _hammer(work: Callable[[str], None], threads: int = 4) -> None:
    def loop(name: str) -> None:
        for _ in range(25):
            while True:
                try:
                    work(name)
                    break
                except ConflictError:
                    continue

    pool = [threading.Thread(target=loop, args=(a.id,)) for a in AGENTS[:threads]]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


def test_rotation_steps_appear_in_the_log_in_the_order_they_were_taken(store: Store) -> None:
    """Read-modify-write of a pool, each logged: the log in seq order counts 1, 2, 3, ..."""

    def step(name: str) -> None:
        with store.transaction() as tx:
            state = tx.rotation("global")
            new = state.model_copy(update={"given": state.given + 1, "last": name})
            tx.set_rotation("global", new)
            tx.append_audit(
                AuditRecord(at=T0, actor=None, action="round_robin", detail={"given": new.given})
            )

    _hammer(step)
    given = [a.detail["given"] for a in _audit(store)]
    assert given == list(range(1, 101))


def test_replaying_a_contended_ticket_s_log_gives_its_final_state(store: Store) -> None:
    """Threads reassigning one ticket: the last record by seq names the stored assignee."""

    def assign(name: str) -> None:
        with store.transaction() as tx:
            record = tx.get_ticket("t1")
            assert record is not None
            counter = int(record.ticket.fields.get("n", 0)) + 1
            ticket = record.ticket.model_copy(update={"fields": {"n": counter}})
            tx.update_ticket(record.model_copy(update={"assignee": name, "ticket": ticket}))
            tx.append_audit(
                AuditRecord(
                    at=T0,
                    actor=name,
                    action="assigned",
                    ticket_id="t1",
                    assignee=name,
                    detail={"n": counter},
                )
            )

    _hammer(assign)
    log = _audit(store)
    assert [a.detail["n"] for a in log] == list(range(1, 101))
    with store.transaction() as tx:
        stored = tx.get_ticket("t1")
    assert stored is not None
    assert log[-1].assignee == stored.assignee


def _audit(store: Store) -> list[AuditRecord]:
    with store.transaction() as tx:
        return tx.audit()
