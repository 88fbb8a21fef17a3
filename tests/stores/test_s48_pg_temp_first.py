"""A ``search_path`` that names the session's temporary schema before any schema that
exists is refused, naming it: PostgreSQL makes an unqualified table there although
``current_schema()`` skips it while the session has made none, so the store's tables
became temporary and its first read failed with ``relation "agents" does not exist``
(also after ``"$user"``, PostgreSQL's usual first name, which seldom names a schema)."""

from __future__ import annotations

import pytest
from psycopg.conninfo import make_conninfo

from helpdesk_routing.errors import StoreError
from helpdesk_routing.handoff import PostgresLedger
from helpdesk_routing.model import Agent
from helpdesk_routing.stores.postgres import PostgresCustomerData, PostgresStore
from helpdesk_routing.stores.postgres._database import temporary_first

pytestmark = pytest.mark.postgres


def _schema(dsn: str) -> str:
    return dsn.split("search_path=", 1)[1].split("'", 1)[0].split()[0]


@pytest.mark.parametrize(
    "first", ["pg_temp", "PG_TEMP", '"pg_temp"', '"$user",pg_temp', "nosuch,pg_temp"]
)
def test_refused_by_every_adapter(pg_dsn: str, first: str) -> None:
    from tests.stores.test_postgres import _sql

    schema = _schema(pg_dsn)
    dsn = make_conninfo(pg_dsn, options=f"-c search_path={first},{schema}")
    for make in (
        lambda: PostgresStore(dsn, agents=[Agent(id="a1")], min_size=1, max_size=1),
        lambda: PostgresCustomerData(dsn, min_size=1, max_size=1),
        lambda: PostgresLedger(dsn),
    ):
        with pytest.raises(StoreError, match="temporary schema before any schema that exists"):
            make()
    tables = _sql(
        pg_dsn, f"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{schema}'"
    )
    assert tables == [(0,)]


@pytest.mark.parametrize(
    ("path", "current", "temporary"),
    [
        ("pg_temp, s", "s", True),
        ("pg_temp_3, s", "s", True),
        ('"pg_temp"', None, True),
        ('"$user", pg_temp, s', "s", True),
        ('"$user", pg_temp, s', "me", False),  # a schema named as the user exists
        ("nosuch, pg_temp, s", "s", True),
        ("s, pg_temp", "s", False),
        ('"$user", public', "public", False),
        ('"pg_temp,x", s', "pg_temp,x", False),
        ("pg_temporary, s", "pg_temporary", False),
        ("", None, False),
    ],
)
def test_where_tables_go(path: str, current: str | None, temporary: bool) -> None:
    assert temporary_first(path, current, "me") is temporary
