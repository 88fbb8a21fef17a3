"""A small helpdesk for the handoff tests: a router with office hours and a manual clock;
ledgers of every adapter sharing one database; the fake Zendesk and Gorgias services
(``fake_services``), and the closing of the connectors ``http_helpers`` made."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from helpdesk_routing.calendar import OfficeHours
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.handoff import (
    Conversation,
    InMemoryLedger,
    Ledger,
    Message,
    PostgresLedger,
    SqliteLedger,
)
from helpdesk_routing.model import Agent, Profile
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.handoff.fake_services import FakeService, basic

MONDAY_10 = datetime(2026, 3, 30, 10, tzinfo=UTC)
MONDAY_20 = datetime(2026, 3, 30, 20, tzinfo=UTC)
TUESDAY_9 = datetime(2026, 3, 31, 9, tzinfo=UTC)
OFFICE_HOURS = OfficeHours(
    timezone="UTC",
    weekly={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")},
)


@dataclass
class Desk:
    """The router, its store, customer data and clock."""

    router: Router
    store: InMemoryStore
    data: InMemoryCustomerData
    clock: ManualClock


@pytest.fixture
def desk() -> Desk:
    """Agent a1 Online on Monday at 10:00 (inside office hours); webchat bound to them."""
    clock = ManualClock(MONDAY_10)
    store = InMemoryStore(agents=[Agent(id="a1")])
    data = InMemoryCustomerData(profiles=[Profile(id="p1")])
    router = Router(
        rules=RuleSet(rules=[]),
        teams=[],
        store=store,
        customer_data=data,
        clock=clock,
        office_hours=OFFICE_HOURS,
    )
    router.set_online("a1", True, actor="a1")
    return Desk(router, store, data, clock)


def conversation(
    cid: str = "c1",
    channel: str = "webchat",
    email: str | None = None,
    profile_id: str | None = None,
) -> Conversation:
    """A two-line conversation started at Monday 09:58."""
    return Conversation(
        id=cid,
        channel=channel,
        email=email,
        profile_id=profile_id,
        transcript=(
            Message(
                sender="visitor",
                text="Where is my refund?",
                at=datetime(2026, 3, 30, 9, 58, tzinfo=UTC),
            ),
            Message(
                sender="ai_agent",
                text="Let me find someone.",
                at=datetime(2026, 3, 30, 9, 59, tzinfo=UTC),
            ),
        ),
    )


LedgerFactory = Callable[[], Ledger]


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def ledgers(request: pytest.FixtureRequest, tmp_path: Path) -> LedgerFactory:
    """Per adapter, a factory of ledgers on one shared database (one per worker/process)."""
    if request.param == "memory":
        shared = InMemoryLedger()
        return lambda: shared
    if request.param == "sqlite":

        def sqlite() -> Ledger:
            ledger = SqliteLedger(tmp_path / "ledger.db")
            request.addfinalizer(ledger.close)
            return ledger

        return sqlite
    from tests.pg_server import fresh_schema_dsn

    dsn = fresh_schema_dsn(request)
    PostgresLedger(dsn).close()  # migrate once, before any race

    def postgres() -> Ledger:
        ledger = PostgresLedger(dsn)
        request.addfinalizer(ledger.close)
        return ledger

    return postgres


@pytest.fixture
def zendesk_service() -> Iterator[FakeService]:
    """An imitation of Zendesk accepting ann@shop.example/token:secret."""
    service = FakeService("zendesk", basic("ann@shop.example/token", "secret")).start()
    yield service
    service.stop()


@pytest.fixture
def gorgias_service() -> Iterator[FakeService]:
    """An imitation of Gorgias accepting ann@shop.example:key."""
    service = FakeService("gorgias", basic("ann@shop.example", "key")).start()
    yield service
    service.stop()


@pytest.fixture(params=["zendesk", "gorgias"])
def service(request: pytest.FixtureRequest) -> Iterator[FakeService]:
    """An imitation of Zendesk (ann@shop.example/token:secret) or Gorgias
    (ann@shop.example:key)."""
    kind = request.param
    user = "ann@shop.example/token" if kind == "zendesk" else "ann@shop.example"
    fake = FakeService(kind, basic(user, "secret" if kind == "zendesk" else "key")).start()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def _close_connectors() -> Iterator[None]:
    """Close every connector ``http_helpers`` made during the test (their HTTP clients
    hold sockets); nothing to do when no test imported it."""
    yield
    helpers = sys.modules.get("tests.handoff.http_helpers")
    if helpers is not None:
        helpers.close_connectors()
