"""A unit of work given an argument of the wrong kind refuses it alike on every store.

Each store adapter is public (``hr.InMemoryStore``, ``hr.SqliteStore``,
``hr.PostgresStore``) and so is its ``Transaction``: an argument of the wrong kind is an
``hr.ArgumentTypeError`` naming it, never a bare ``AttributeError`` or ``ValueError``,
and never kept (the memory store used to keep a ``dict`` as a rotation state, or the
text ``"no"`` as a presence, and the next route failed on it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.errors import ArgumentTypeError
from helpdesk_routing.model import Agent, Ticket
from helpdesk_routing.ports import Store, Transaction
from helpdesk_routing.records import RotationState, TicketQuery, TicketRecord
from helpdesk_routing.router import Router
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.adapters import StoreFactory

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)
AGENTS = [Agent(id="a1"), Agent(id="a2")]

WRONG: dict[str, tuple[Callable[[Transaction], object], str]] = {
    "add_ticket dict": (
        lambda tx: tx.add_ticket({"ticket": {"id": "t9"}}),  # type: ignore[arg-type]
        "record must be a TicketRecord, got dict",
    ),
    "add_ticket None": (
        lambda tx: tx.add_ticket(None),  # type: ignore[arg-type]
        "record must be a TicketRecord, got NoneType",
    ),
    "update_ticket Ticket": (
        lambda tx: tx.update_ticket(Ticket(id="t1", channel="sms", created_at=T0)),  # type: ignore[arg-type]
        "record must be a TicketRecord, got Ticket",
    ),
    "put_agent dict": (
        lambda tx: tx.put_agent({"id": "a1", "role": "owner"}),  # type: ignore[arg-type]
        "agent must be an Agent, got dict",
    ),
    "set_online text": (
        lambda tx: tx.set_online("a2", "no", T0),  # type: ignore[arg-type]
        "online must be a bool, got str",
    ),
    "set_online int": (
        lambda tx: tx.set_online("a2", 1, T0),  # type: ignore[arg-type]
        "online must be a bool, got int",
    ),
    "set_rotation dict": (
        lambda tx: tx.set_rotation("global", {"last": "a2"}),  # type: ignore[arg-type]
        "state must be a RotationState, got dict",
    ),
    "set_rotation pool None": (
        lambda tx: tx.set_rotation(None, RotationState(last="a2", given=5)),  # type: ignore[arg-type]
        "pool must be text, got NoneType",
    ),
    "append_audit None": (
        lambda tx: tx.append_audit(None),  # type: ignore[arg-type]
        "record must be an AuditRecord, got NoneType",
    ),
    "put_configuration None": (
        lambda tx: tx.put_configuration(None),  # type: ignore[arg-type]
        "configuration must be a Configuration, got NoneType",
    ),
    "find_tickets dict": (
        lambda tx: tx.find_tickets({"limit": 1}),  # type: ignore[arg-type]
        "query must be a TicketQuery, got dict",
    ),
}


def _snapshot(store: Store) -> tuple[object, ...]:
    with store.transaction() as tx:
        return (
            tx.find_tickets(TicketQuery(statuses=None)),
            tx.agents(),
            list(tx.online_agents()),
            tx.rotation("global"),
            tx.audit(),
            tx.configuration_version(),
        )


@pytest.mark.parametrize("case", sorted(WRONG))
def test_an_argument_of_the_wrong_kind_is_refused_and_nothing_changes(
    store_factory: StoreFactory, request: pytest.FixtureRequest, case: str
) -> None:
    """The store raises ArgumentTypeError naming the argument; what it held is unchanged."""
    store = store_factory(request, AGENTS)
    with store.transaction() as tx:
        tx.add_ticket(TicketRecord(ticket=Ticket(id="t1", channel="email", created_at=T0)))
        tx.set_online("a1", True, T0)
        tx.set_rotation("global", RotationState(last="a1", given=1))
    before = _snapshot(store)
    call, message = WRONG[case]
    with pytest.raises(ArgumentTypeError) as caught, store.transaction() as tx:
        call(tx)
    assert str(caught.value) == message
    assert _snapshot(store) == before


def test_a_router_routes_on_after_a_refused_rotation_state(
    store_factory: StoreFactory, request: pytest.FixtureRequest
) -> None:
    """A refused set_rotation leaves the rotation as it was: the next ticket goes to a2."""
    store = store_factory(request, AGENTS)
    router = Router(store=store, customer_data=InMemoryCustomerData(), clock=ManualClock(T0))
    router.set_online("a1", True, actor="a1")
    router.set_online("a2", True, actor="a2")
    assert router.route(Ticket(id="t1", channel="email", created_at=T0)).assignee == "a1"
    with pytest.raises(ArgumentTypeError), store.transaction() as tx:
        tx.set_rotation("global", {"last": "a2"})  # type: ignore[arg-type]
    assert router.route(Ticket(id="t2", channel="email", created_at=T0)).assignee == "a2"
