"""What the in-memory store promises beyond the shared contract (tests/contract/)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from helpdesk_routing.errors import StoreError, UnknownAgent, UnknownTicket
from helpdesk_routing.model import Agent, Ticket
from helpdesk_routing.records import TicketRecord
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
