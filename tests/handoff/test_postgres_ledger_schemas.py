"""PostgreSQL ledgers of several schemas (tenants sharing a database) open independently."""

from __future__ import annotations

import pytest

from helpdesk_routing.handoff import PostgresLedger, sql_ledger
from tests.pg_server import fresh_schema_dsn

pytestmark = pytest.mark.postgres


def test_a_ledger_opening_in_one_schema_does_not_wait_for_another_schemas(
    request: pytest.FixtureRequest,
) -> None:
    """Tenant A holding the lock a ledger takes while it opens (its migration) does not
    hold up tenant B's ledger. B's session waits at most 2 s for a lock (the key was the
    same for every schema: B failed after that wait), so the test fails fast."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    tenant_a, tenant_b = fresh_schema_dsn(request), fresh_schema_dsn(request)
    PostgresLedger(tenant_a).close()
    options = f"{conninfo_to_dict(tenant_b)['options']} -c lock_timeout=2000"
    with psycopg.connect(tenant_a) as held:
        held.execute(sql_ledger._MIGRATION_LOCK)
        PostgresLedger(make_conninfo(tenant_b, options=options)).close()
        held.rollback()


def test_a_newer_ledger_schema_names_the_database_and_schema(
    request: pytest.FixtureRequest,
) -> None:
    """A ledger written by a newer library is refused, naming where it was found: two
    tenants of one database differ only by their schema."""
    import psycopg

    from helpdesk_routing.errors import SchemaVersionError

    dsn = fresh_schema_dsn(request)
    PostgresLedger(dsn).close()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("INSERT INTO handoff_ledger_schema (version) VALUES (99)")
        row = conn.execute("SELECT current_database(), current_schema()").fetchone()
    assert row is not None
    dbname, schema = row
    with pytest.raises(SchemaVersionError) as err:
        PostgresLedger(dsn)
    message = str(err.value)
    assert message.startswith("the handoff ledger's schema is version 99 (PostgreSQL ")
    assert f"dbname={dbname!r}" in message
    assert message.endswith(
        f", schema {schema!r}); this library knows up to "
        f"{sql_ledger.LEDGER_SCHEMA_VERSION}: upgrade the library"
    )


def test_a_role_that_may_not_create_tables_opens_a_migrated_ledger(
    request: pytest.FixtureRequest,
) -> None:
    """Migrated by the schema's owner, the ledger is opened and used by a role given only
    the use of the schema and its tables (least privilege): it ran a CREATE TABLE IF NOT
    EXISTS, which PostgreSQL refuses without the right to create, whether or not the
    table exists. A stale ledger still needs that right, to migrate."""
    import uuid
    from datetime import UTC, datetime

    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    import helpdesk_routing as hr
    from helpdesk_routing.stores.postgres import PostgresCustomerData, PostgresStore

    dsn = fresh_schema_dsn(request)
    PostgresLedger(dsn).close()  # migrated by the owner, as are the store's tables
    PostgresStore(dsn, agents=[hr.Agent(id="a1")]).close()
    PostgresCustomerData(dsn).close()
    params = conninfo_to_dict(dsn)
    schema = str(params["options"]).split("search_path=")[1].split()[0]
    role = f"ledger_app_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN")
        conn.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
        conn.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}"
        )
        conn.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}")
        conn.execute(f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {schema} TO {role}")

    def drop() -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")

    request.addfinalizer(drop)
    app = make_conninfo(dsn, user=role)
    with PostgresLedger(app) as ledger:
        assert ledger.get("nothing") is None
    now = datetime(2026, 3, 30, 10, tzinfo=UTC)
    with PostgresStore(app) as store, PostgresCustomerData(app) as data:
        router = hr.Router(store=store, customer_data=data, clock=hr.ManualClock(now))
        router.set_online("a1", True, actor="a1")
        assert router.route(hr.Ticket(id="t1", channel="email", created_at=now)).assignee == "a1"


def test_a_fresh_schema_first_on_the_search_path_gets_its_own_ledger(
    request: pytest.FixtureRequest,
) -> None:
    """The tables go in the first schema of the search_path: another tenant's ledger
    further along the path is not taken for this one (it was opened, its tables
    written to, when the check of the ledger's tables looked along the whole path)."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    def schema_of(dsn: str) -> str:
        return str(conninfo_to_dict(dsn)["options"]).split("search_path=")[1].split()[0]

    tenant, shared = fresh_schema_dsn(request), fresh_schema_dsn(request)
    PostgresLedger(shared).close()
    both = make_conninfo(tenant, options=f"-c search_path={schema_of(tenant)},{schema_of(shared)}")
    PostgresLedger(both).close()
    with psycopg.connect(tenant) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY 1",
            (schema_of(tenant),),
        ).fetchall()
    assert [r[0] for r in rows] == ["handoff_ledger_schema", "handoffs"]
