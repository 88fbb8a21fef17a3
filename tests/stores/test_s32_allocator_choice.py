"""A custom allocator's choice in a team's pool on the stores whose units never overlap
(memory, SQLite): nothing can change presence between the allocator's look and the
check of its answer, so choosing an Offline member is always the allocator's fault, a
``ValidationError`` (not retryable), whether it looked at presence or not; the race
PostgreSQL can have (``test_s32_pg_allocator_races.py``) never shows here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk_routing.allocation import Allocation, Pool
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.conditions import ticket as field
from helpdesk_routing.errors import ConflictError, ValidationError
from helpdesk_routing.model import Agent, Team, Ticket
from helpdesk_routing.ports import Store
from helpdesk_routing.records import RotationState
from helpdesk_routing.router import Router
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from helpdesk_routing.stores.sqlite import SqliteStore

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)
MEMBERS = ["a1", "a2", "a3"]


class Chooses:
    """Chooses ``agent``; if ``looks``, after reading every member's presence."""

    def __init__(self, agent: str, looks: bool) -> None:
        self.agent = agent
        self.looks = looks
        self.calls = 0

    def allocate(self, ticket: Ticket, pool: Pool, state: RotationState) -> Allocation:
        self.calls += 1
        if self.looks:
            for member in pool.ids:
                pool.online(member)
        return Allocation(self.agent, RotationState(last=self.agent, given=1), "told to")


@contextmanager
def _memory() -> Iterator[Store]:
    yield InMemoryStore(agents=[Agent(id=a) for a in MEMBERS])


@contextmanager
def _sqlite() -> Iterator[Store]:
    with SqliteStore(":memory:", agents=[Agent(id=a) for a in MEMBERS]) as store:
        yield store


STORES: dict[str, Callable[[], AbstractContextManager[Store]]] = {
    "memory": _memory,
    "sqlite": _sqlite,
}


def _router(store: Store, allocator: Chooses, online: set[str]) -> Router:
    rule = RoutingRule(
        id="to_x", name="email to x", when=field("channel") == "email", then=AssignToTeam(team="x")
    )
    router = Router(
        store=store,
        customer_data=InMemoryCustomerData(),
        clock=ManualClock(T0),
        rules=RuleSet(rules=[rule]),
        teams=[Team(id="x", members=MEMBERS)],
        allocator=allocator,
    )
    for agent in sorted(online):
        router.set_online(agent, True, actor=agent)
    return router


@pytest.mark.parametrize("kind", sorted(STORES))
@pytest.mark.parametrize("looks", [True, False])
def test_an_offline_member_chosen_is_the_allocators_fault(kind: str, looks: bool) -> None:
    """Choosing a3, who is Offline (and was so when the allocator looked): the message
    blames the allocator, as it did; nothing is stored; the route ran once."""
    with STORES[kind]() as store:
        allocator = Chooses("a3", looks)
        router = _router(store, allocator, {"a1"})
        with pytest.raises(ValidationError) as err:
            router.route(Ticket(id="t1", channel="email", created_at=T0))
        assert str(err.value) == (
            "allocator Chooses chose 'a3', who is Offline or has no room in pool 'team:x'"
        )
        assert allocator.calls == 1
        with store.transaction() as tx:
            assert tx.get_ticket("t1") is None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(sorted(STORES)),
    online=st.sets(st.sampled_from(MEMBERS)),
    chosen=st.sampled_from(MEMBERS),
    looks=st.booleans(),
)
def test_a_choice_is_refused_exactly_when_the_member_is_offline(
    kind: str, online: set[str], chosen: str, looks: bool
) -> None:
    """On a store whose units never overlap, a member chosen is taken when Online and
    refused with a ValidationError (never a retryable ConflictError, which would make
    the Router run the route again for nothing) when Offline; one run either way."""
    with STORES[kind]() as store:
        allocator = Chooses(chosen, looks)
        router = _router(store, allocator, online)
        ticket = Ticket(id="t1", channel="email", created_at=T0)
        if chosen in online:
            assert router.route(ticket).assignee == chosen
        else:
            with pytest.raises(ValidationError) as err:
                router.route(ticket)
            assert not isinstance(err.value, ConflictError)
            assert "who is Offline or has no room in pool 'team:x'" in str(err.value)
        assert allocator.calls == 1
