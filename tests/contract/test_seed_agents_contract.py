"""A store's ``agents`` only seed it (``docs/stores.md``), alike on memory, SQLite and
PostgreSQL: a store reopened with its old seed never undoes what a manager changed
through the Router since. An ``InMemoryStore`` is always new, so only the first open
applies to it; the reopening tests run on the stores that can be reopened."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime

import pytest

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.errors import ConflictError
from helpdesk_routing.model import Agent, Role
from helpdesk_routing.ports import Store
from helpdesk_routing.records import AuditRecord
from helpdesk_routing.router import Router
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.adapters import StoreFactory

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)
SEED = (
    Agent(id="o1", role=Role.OWNER),
    Agent(id="ad1", name="Ada", role=Role.ADMIN),
    Agent(id="a1", name="Ann", capacity=3),
)
HINT = "the store keeps what managers change (router.update_agent, router.add_agent)"

Open = Callable[[Sequence[Agent]], Store]


@pytest.fixture(
    params=[pytest.param("sqlite"), pytest.param("postgres", marks=[pytest.mark.postgres])]
)
def reopen(request: pytest.FixtureRequest) -> Iterator[Open]:
    """Opens a store that can be reopened (SQLite, PostgreSQL) at one place, each call
    anew (as a service restarting would); every store it opened is closed after the test.
    An ``InMemoryStore`` is always new: there is nothing to reopen."""
    opened: list[Store] = []
    if request.param == "sqlite":
        from helpdesk_routing.stores.sqlite import SqliteStore

        path = request.getfixturevalue("tmp_path") / "seeded.db"

        def open_store(agents: Sequence[Agent]) -> Store:
            store = SqliteStore(path, agents=agents)
            opened.append(store)
            return store
    else:
        from helpdesk_routing.stores.postgres import PostgresStore
        from tests.pg_server import fresh_schema_dsn

        dsn = fresh_schema_dsn(request)

        def open_store(agents: Sequence[Agent]) -> Store:
            store = PostgresStore(dsn, agents=agents)
            opened.append(store)
            return store

    yield open_store
    for store in opened:
        store.close()  # type: ignore[attr-defined]


def _router(store: Store) -> Router:
    return Router(store=store, customer_data=InMemoryCustomerData(), clock=ManualClock(T0))


def _state(store: Store) -> tuple[list[Agent], list[str], list[AuditRecord]]:
    """The agents, who is Online and the audit log."""
    with store.transaction() as tx:
        return tx.agents(), list(tx.online_agents()), tx.audit()


def test_a_new_store_holds_the_seeded_agents_offline_and_audits_nothing(
    store_factory: StoreFactory, request: pytest.FixtureRequest
) -> None:
    """Every seeded agent is added as given, Offline; seeding is no one's action: no
    audit record."""
    store = store_factory(request, SEED)
    with store.transaction() as tx:
        assert tx.agents() == sorted(SEED, key=lambda a: a.id)
        assert list(tx.online_agents()) == []
        assert tx.audit() == []


def test_reopening_with_the_same_seed_writes_nothing_and_keeps_presence(reopen: Open) -> None:
    """A restart with the seed the store was opened with is accepted: an Online agent stays
    Online, agents and log are as they were."""
    first = reopen(SEED)
    _router(first).set_online("a1", True, actor="a1")
    before = _state(first)
    assert _state(reopen(SEED)) == before
    assert _state(reopen(list(reversed(SEED)))) == before


def test_a_demoted_admin_stays_demoted_when_the_old_seed_comes_back(reopen: Open) -> None:
    """An admin demoted through the Router (audited) is not made admin again by a restart
    with the old seed: ConflictError naming the agent and the field, nothing written."""
    first = reopen(SEED)
    _router(first).update_agent(Agent(id="ad1", name="Ada"), actor="o1")
    before = _state(first)
    with pytest.raises(ConflictError) as caught:
        reopen(SEED)
    assert str(caught.value) == (
        f"the agents argument differs from the store: agent 'ad1' in role; {HINT}"
    )
    assert _state(reopen([])) == before


def test_every_agent_that_differs_is_named_with_its_fields(reopen: Open) -> None:
    """Each seeded agent that differs from the stored one is named with the fields that
    differ, in the seed's order and the Agent's field order."""
    reopen(SEED)
    changed = [
        Agent(id="a1", name="Anne", role=Role.MANAGER, capacity=3),
        SEED[0],
        Agent(id="ad1", name="Ada", role=Role.ADMIN, capacity=1),
    ]
    message = (
        "the agents argument differs from the store: agent 'a1' in name, role; "
        f"agent 'ad1' in capacity; {HINT}"
    )
    with pytest.raises(ConflictError) as caught:
        reopen(changed)
    assert str(caught.value) == message


def test_a_removed_agent_does_not_come_back_with_the_old_seed(reopen: Open) -> None:
    """An agent removed through the Router (``agent_removed``) is a ConflictError in a
    later seed; the agent stays removed, and nothing of the seed is written."""
    first = reopen(SEED)
    _router(first).remove_agent("a1", actor="o1")
    before = _state(first)
    with pytest.raises(ConflictError) as caught:
        reopen([*SEED, Agent(id="a9")])
    assert str(caught.value) == (
        f"the agents argument differs from the store: agent 'a1' was removed; {HINT}"
    )
    after = _state(reopen([]))
    assert after == before
    assert "a9" not in [a.id for a in after[0]]


def test_a_removed_agent_added_again_through_the_router_is_seeded_like_any_other(
    reopen: Open,
) -> None:
    """Once a manager adds a removed agent again, the seed is compared with the agent
    the store holds, as for any agent: equal is accepted, different a ConflictError."""
    first = reopen(SEED)
    router = _router(first)
    router.remove_agent("a1", actor="o1")
    router.add_agent(SEED[2], actor="o1")
    before = _state(first)
    assert _state(reopen(SEED)) == before
    with pytest.raises(ConflictError, match=r"agent 'a1' in capacity;"):
        reopen([Agent(id="a1", name="Ann")])


def test_a_new_agent_in_the_seed_is_added_and_unseeded_agents_are_kept(reopen: Open) -> None:
    """A seed that lists an agent the store never held adds it, Offline, unaudited; the
    stored agents it does not list (seeded before, or added through the Router) stay."""
    first = reopen(SEED)
    router = _router(first)
    router.add_agent(Agent(id="a5"), actor="o1")
    router.set_online("a1", True, actor="a1")
    agents, online, log = _state(first)
    second = reopen([SEED[0], Agent(id="a7", name="Ivo")])
    assert _state(second) == (
        sorted([*agents, Agent(id="a7", name="Ivo")], key=lambda a: a.id),
        online,
        log,
    )
