"""The Router's and the PostgreSQL adapters' reprs: what they are, never a password."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.model import Agent, Role, Team
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)


def test_a_router_repr_names_its_store_and_configuration() -> None:
    router = Router(
        store=InMemoryStore(agents=[Agent(id="a1"), Agent(id="m1", role=Role.MANAGER)]),
        customer_data=InMemoryCustomerData(),
        clock=ManualClock(T0),
    )
    assert repr(router) == "<Router store=InMemoryStore configuration_version=0 rules=0 teams=0>"
    router.configure(actor="m1", teams=[Team(id="x", members=["a1"])], rules=RuleSet())
    assert repr(router) == "<Router store=InMemoryStore configuration_version=1 rules=0 teams=1>"


def test_a_connection_string_is_shown_without_its_password() -> None:
    from helpdesk_routing.stores.postgres._database import where

    url = "postgresql://app:s3cret@db.example:5433/helpdesk?options=-csearch_path%3Ddesk1"
    assert where(url) == "host='db.example', dbname='helpdesk', schema='desk1'"
    text = "host=/tmp port=5 dbname=hd user=app password=s3cret options='-c search_path=s2'"
    assert where(text) == "host='/tmp', dbname='hd', schema='s2'"
    assert where("dbname=hd password=s3cret") == "dbname='hd'"


@pytest.mark.postgres
def test_postgres_adapters_repr_never_show_a_password(request: pytest.FixtureRequest) -> None:
    """A DSN with a user and a password (which the test server does not need): the
    adapters' reprs show the host, database and schema only."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    from helpdesk_routing.stores.postgres import PostgresCustomerData, PostgresStore
    from tests.pg_server import fresh_schema_dsn

    base = fresh_schema_dsn(request)
    dsn = make_conninfo(base, password="s3cret-pw")
    params = conninfo_to_dict(base)
    schema = str(params["options"]).split("=")[-1]
    for adapter in (PostgresStore(dsn), PostgresCustomerData(dsn)):
        with adapter:
            shown = repr(adapter)
        assert shown == (
            f"{type(adapter).__name__}(host={params['host']!r}, "
            f"dbname={params['dbname']!r}, schema={schema!r})"
        )
        assert "s3cret" not in shown


@pytest.mark.postgres
@pytest.mark.parametrize(
    "search_path",
    ["nonexistent_schema,{schema}", '"$user",{schema}', "{schema},public"],
    ids=["missing_first", "user_first", "plain"],
)
def test_postgres_adapters_repr_names_the_schema_the_tables_are_in(
    request: pytest.FixtureRequest, search_path: str
) -> None:
    """The repr named the first text of the DSN's search_path, which may not exist (the
    tables then live in the next) or be "$user", quotes and all: it names the schema the
    connection found, as the adapters' errors do."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    from helpdesk_routing.stores.postgres import PostgresCustomerData, PostgresStore
    from tests.pg_server import fresh_schema_dsn

    base = fresh_schema_dsn(request)
    schema = str(conninfo_to_dict(base)["options"]).split("=")[-1]
    dsn = make_conninfo(base, options=f"-csearch_path={search_path.format(schema=schema)}")
    for adapter in (PostgresStore(dsn), PostgresCustomerData(dsn)):
        with adapter:
            assert repr(adapter).endswith(f"schema={schema!r})")
