"""A small helpdesk for the Router's behaviour tests, built on every store adapter."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

import pytest

from helpdesk_routing.calendar import OfficeHours
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.model import Agent, Profile, Role, Team, Ticket
from helpdesk_routing.ports import Store
from helpdesk_routing.records import TicketQuery
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.adapters import StoreFactory

MONDAY_10 = datetime(2026, 3, 30, 10, tzinfo=UTC)  # a Monday, inside office hours
MONDAY_20 = datetime(2026, 3, 30, 20, tzinfo=UTC)  # the same Monday, after closing
OFFICE_HOURS = OfficeHours(
    timezone="UTC",
    weekly={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")},
)
AGENTS = (
    Agent(id="a1", name="Ann"),
    Agent(id="a2", name="Bo"),
    Agent(id="a3", name="Cy"),
    Agent(id="a4", name="Di"),
    Agent(id="m1", name="Max", role=Role.MANAGER),
    Agent(id="o1", name="Olga", role=Role.OWNER),
    Agent(id="ad1", name="Ada", role=Role.ADMIN),
)
TEAMS = (
    Team(
        id="retention",
        name="Retention specialists",
        members=("a2", "a3"),
        tags=frozenset({"Return"}),
    ),
    Team(id="france", name="France Support", members=("a4",), segments=frozenset({"fr"})),
)


class Desk:
    """A router with a manual clock, the agents above and helpers to make tickets."""

    def __init__(self, store: Store, router: Router, clock: ManualClock) -> None:
        self.store = store
        self.router = router
        self.clock = clock
        self._n = 0

    def ticket(self, tid: str | None = None, channel: str = "email", **kw: Any) -> Ticket:
        """A new ticket created now (ids t1, t2, ... unless given)."""
        self._n += 1
        return Ticket(id=tid or f"t{self._n}", channel=channel, created_at=self.clock.now(), **kw)

    def route(self, channel: str = "email", **kw: Any) -> str | None:
        """Route a new ticket one second after the last; return its assignee."""
        self.clock.advance(seconds=1)
        return self.router.route(self.ticket(channel=channel, **kw)).assignee

    def online(self, *agents: str, online: bool = True) -> None:
        """Set each agent Online (or Offline), by themselves."""
        for a in agents:
            self.router.set_online(a, online, actor=a)

    def assignee(self, tid: str) -> str | None:
        """The ticket's current assignee."""
        return self.router.ticket(tid).assignee

    def snapshot(self) -> tuple[object, ...]:
        """Everything the store holds, to compare before and after a failing call."""
        with self.store.transaction() as tx:
            return (
                tx.find_tickets(TicketQuery(statuses=None)),
                list(tx.online_agents()),
                [tx.rotation(p) for p in ("global", "team:retention", "team:france")],
                tx.audit(),
            )


MakeDesk = Callable[..., Desk]


@pytest.fixture
def make_desk(store_factory: StoreFactory, request: pytest.FixtureRequest) -> MakeDesk:
    """Build a Desk on the adapter under test; keyword arguments go to Router."""

    def make(
        *,
        agents: Sequence[Agent] = AGENTS,
        teams: Iterable[Team] = TEAMS,
        rules: RuleSet | None = None,
        profiles: Sequence[Profile] = (),
        start: datetime = MONDAY_10,
        **router_kw: Any,
    ) -> Desk:
        store = store_factory(request, agents)
        clock = ManualClock(start)
        router_kw.setdefault("office_hours", OFFICE_HOURS)
        router = Router(
            rules=rules or RuleSet(),
            teams=list(teams),
            store=store,
            customer_data=InMemoryCustomerData(profiles=profiles, events=[]),
            clock=clock,
            **router_kw,
        )
        return Desk(store, router, clock)

    return make


@pytest.fixture
def desk(make_desk: MakeDesk) -> Desk:
    """The default desk: round robin, office hours bound to webchat, nobody Online."""
    return make_desk()


def later(desk: Desk, **kw: float) -> None:
    """Advance the desk's clock."""
    desk.clock.advance(timedelta(**kw))


@runtime_checkable
class NeverOffered(Protocol):
    """An optional capability no transaction offers (``ports.offers`` answers ``False``)."""

    never_offered_by_anyone: int


@contextlib.contextmanager
def withheld(module: Any, capability: str) -> Iterator[None]:
    """Within the block, ``module`` asks for :class:`NeverOffered` where it asks for the
    ``ports`` capability named ``capability``: the path a store without it takes."""
    saved = getattr(module, capability)
    setattr(module, capability, NeverOffered)
    try:
        yield
    finally:
        setattr(module, capability, saved)
