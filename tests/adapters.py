"""Adapter factories for the contract suites and the Router's behaviour tests.

Each store issue adds its adapters here; tests take the ``store_factory`` and
``customer_data_factory`` fixtures (``tests/conftest.py``), parametrised over these.
A factory receives the pytest request (for session fixtures such as a PostgreSQL
server, and ``request.addfinalizer`` for clean-up) and the initial data.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

import pytest

from helpdesk_routing.model import Agent, Event, Profile
from helpdesk_routing.ports import CustomerData, Store

StoreFactory = Callable[[pytest.FixtureRequest, Sequence[Agent]], Store]
CustomerDataFactory = Callable[
    [pytest.FixtureRequest, Sequence[Profile], Sequence[Event]], CustomerData
]


def _memory_store(request: pytest.FixtureRequest, agents: Sequence[Agent]) -> Store:
    from helpdesk_routing.stores.memory import InMemoryStore

    return InMemoryStore(agents=agents)


def _memory_customer_data(
    request: pytest.FixtureRequest, profiles: Sequence[Profile], events: Sequence[Event]
) -> CustomerData:
    from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData

    return InMemoryCustomerData(profiles=profiles, events=events)


def _sqlite_store(request: pytest.FixtureRequest, agents: Sequence[Agent]) -> Store:
    from helpdesk_routing.stores.sqlite import SqliteStore

    tmp = request.getfixturevalue("tmp_path")
    store = SqliteStore(tmp / f"store-{uuid.uuid4().hex[:8]}.db", agents=agents)
    request.addfinalizer(store.close)
    return store


def _sqlite_customer_data(
    request: pytest.FixtureRequest, profiles: Sequence[Profile], events: Sequence[Event]
) -> CustomerData:
    from helpdesk_routing.stores.sqlite import SqliteCustomerData

    tmp = request.getfixturevalue("tmp_path")
    data = SqliteCustomerData(
        tmp / f"data-{uuid.uuid4().hex[:8]}.db", profiles=profiles, events=events
    )
    request.addfinalizer(data.close)
    return data


def _postgres_store(request: pytest.FixtureRequest, agents: Sequence[Agent]) -> Store:
    from helpdesk_routing.stores.postgres import PostgresStore
    from tests.pg_server import fresh_schema_dsn

    store = PostgresStore(fresh_schema_dsn(request), agents=agents)
    request.addfinalizer(store.close)
    return store


def _postgres_customer_data(
    request: pytest.FixtureRequest, profiles: Sequence[Profile], events: Sequence[Event]
) -> CustomerData:
    from helpdesk_routing.stores.postgres import PostgresCustomerData
    from tests.pg_server import fresh_schema_dsn

    data = PostgresCustomerData(fresh_schema_dsn(request), profiles=profiles, events=events)
    request.addfinalizer(data.close)
    return data


STORE_FACTORIES: dict[str, StoreFactory] = {
    "memory": _memory_store,
    "sqlite": _sqlite_store,
    "postgres": _postgres_store,
}
CUSTOMER_DATA_FACTORIES: dict[str, CustomerDataFactory] = {
    "memory": _memory_customer_data,
    "sqlite": _sqlite_customer_data,
    "postgres": _postgres_customer_data,
}
# Adapters whose tests need a PostgreSQL server get the `postgres` mark.
POSTGRES_ADAPTERS: frozenset[str] = frozenset({"postgres"})
