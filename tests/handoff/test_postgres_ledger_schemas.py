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
