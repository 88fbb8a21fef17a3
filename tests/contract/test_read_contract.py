"""The ReadableStore contract (read-only units of work), run against every adapter."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from helpdesk_routing.errors import StoreError
from helpdesk_routing.model import Agent, Ticket
from helpdesk_routing.ports import ReadableStore, Store
from helpdesk_routing.records import AuditRecord, RotationState, TicketQuery, TicketRecord
from tests.adapters import StoreFactory

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)
READ_ONLY = "a read-only unit of work cannot write"


@pytest.fixture
def store(store_factory: StoreFactory, request: pytest.FixtureRequest) -> Store:
    return store_factory(request, [Agent(id="a1")])


def _record(tid: str) -> TicketRecord:
    return TicketRecord(ticket=Ticket(id=tid, channel="email", created_at=T0))


def test_every_store_offers_read_only_units(store: Store) -> None:
    """isinstance(store, ReadableStore) holds, and read() sees what was committed."""
    assert isinstance(store, ReadableStore)
    with store.transaction() as tx:
        tx.add_ticket(_record("t1"))
        tx.set_rotation("global", RotationState(last="a1", given=1))
    with store.read() as tx:
        assert [r.id for r in tx.find_tickets(TicketQuery())] == ["t1"]
        assert tx.get_ticket("t1") == _record("t1")
        assert tx.rotation("global") == RotationState(last="a1", given=1)
        assert tx.rotation("team:new") == RotationState()
        assert [a.id for a in tx.agents()] == ["a1"]


WRITES: list[tuple[str, Any]] = [
    ("add_ticket", lambda tx: tx.add_ticket(_record("t2"))),
    ("update_ticket", lambda tx: tx.update_ticket(_record("t1"))),
    ("set_rotation", lambda tx: tx.set_rotation("global", RotationState(given=9))),
    ("append_audit", lambda tx: tx.append_audit(AuditRecord(at=T0, actor=None, action="x"))),
    ("set_online", lambda tx: tx.set_online("a1", True, T0)),
    ("put_agent", lambda tx: tx.put_agent(Agent(id="a9"))),
]


@pytest.mark.parametrize(("name", "write"), WRITES, ids=[w[0] for w in WRITES])
def test_a_write_in_a_read_only_unit_raises_and_changes_nothing(
    store: Store, name: str, write: Any
) -> None:
    """Every write in read() raises StoreError('a read-only unit of work cannot write')."""
    assert isinstance(store, ReadableStore)
    with store.transaction() as tx:
        tx.add_ticket(_record("t1"))
    with pytest.raises(StoreError, match=READ_ONLY), store.read() as tx:
        write(tx)
    with store.transaction() as tx:
        assert [r.id for r in tx.find_tickets(TicketQuery(statuses=None))] == ["t1"]
        assert tx.rotation("global") == RotationState()
        assert tx.audit() == []
        assert not tx.is_online("a1")
        assert [a.id for a in tx.agents()] == ["a1"]
