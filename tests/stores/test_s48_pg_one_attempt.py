"""With ``attempts=1`` the first dead connection found still has the pool test its idle
ones (docs/stores.md): after a server restart at most the unit (or the read) that found
it fails, not one unit for every dead connection the pool held (four failed in a row)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from helpdesk_routing.errors import StoreError
from helpdesk_routing.model import Agent, Profile
from helpdesk_routing.stores.postgres import PostgresCustomerData, PostgresStore
from tests.stores.test_postgres import _kill, _with_app_name

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)


def test_a_store_s_units(pg_dsn: str) -> None:
    name = "victim-one-attempt"
    dsn = _with_app_name(pg_dsn, name)
    with PostgresStore(dsn, agents=[Agent(id="a1")], min_size=4, attempts=1) as store:
        store._db.pool.wait()
        with store.transaction() as tx:
            tx.set_online("a1", True, T0)
        assert _kill(pg_dsn, name) >= 4
        failed = 0
        for _ in range(6):
            try:
                with store.transaction() as tx:
                    assert list(tx.online_agents()) == ["a1"]
            except StoreError:
                failed += 1
        assert failed <= 1


def test_customer_data_reads(pg_dsn: str) -> None:
    name = "victim-one-attempt-data"
    dsn = _with_app_name(pg_dsn, name)
    profile = Profile(id="p1", properties={"plan": "pro"})
    with PostgresCustomerData(dsn, profiles=[profile], min_size=4, attempts=1) as data:
        data._db.pool.wait()
        assert data.profile("p1") == profile
        assert _kill(pg_dsn, name) >= 4
        failed = 0
        for _ in range(6):
            try:
                assert data.profile("p1") == profile
            except StoreError:
                failed += 1
        assert failed <= 1
