"""``helpdesk-routing report`` on PostgreSQL only reads: a schema that holds no store or
no ledger is refused, exit 2, and left empty (opening one created all its tables and
reported an empty helpdesk); one of an older schema version is refused unmigrated."""

from __future__ import annotations

import argparse
import io
from typing import Any

import psycopg
import pytest

from helpdesk_routing import metrics_cli
from helpdesk_routing.handoff.sql_ledger import LEDGER_SCHEMA_VERSION, PostgresLedger
from helpdesk_routing.model import Agent
from helpdesk_routing.stores.postgres import PostgresStore
from helpdesk_routing.stores.postgres._schema import SCHEMA_VERSION

PERIOD = ["--from", "2026-03-30T00:00:00+00:00", "--to", "2026-03-31T00:00:00+00:00"]


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="helpdesk-routing")
    metrics_cli.add_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def _url(dsn: str) -> str:
    """The key-value DSN as the URL ``report`` takes (``postgresql://?host=...&...``)."""
    from urllib.parse import quote, urlencode

    from psycopg.conninfo import conninfo_to_dict

    return "postgresql://?" + urlencode(
        {k: str(v) for k, v in conninfo_to_dict(dsn).items()}, quote_via=quote
    )


def _tables(dsn: str) -> list[str]:
    with psycopg.connect(dsn) as conn:
        rows: list[Any] = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchall()
    return sorted(r[0] for r in rows)


def test_a_schema_without_a_store_is_refused_and_left_empty(
    pg_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _url(pg_dsn)
    assert metrics_cli.run(_parse(["report", "--store", url, *PERIOD]), io.StringIO()) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no PostgreSQL store: schema ")
    assert "holds no helpdesk_routing store (missing tables: schema_version, tickets" in err
    assert _tables(pg_dsn) == []


def test_a_schema_without_a_ledger_is_refused_and_left_as_it_was(
    pg_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    PostgresStore(pg_dsn, agents=[Agent(id="a1")]).close()
    before = _tables(pg_dsn)
    url = _url(pg_dsn)
    argv = ["report", "--store", url, *PERIOD, "--ledger", url]
    assert metrics_cli.run(_parse(argv), io.StringIO()) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: PostgreSQL handoff ledger: schema ")
    assert "holds no handoff ledger (missing tables: handoff_ledger_schema, handoffs)" in err
    assert _tables(pg_dsn) == before
    PostgresLedger(pg_dsn).close()
    out = io.StringIO()
    assert metrics_cli.run(_parse([*argv, "--json"]), out) == 0


def test_a_store_or_ledger_of_an_older_schema_is_refused_unmigrated(
    pg_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    PostgresStore(pg_dsn, agents=[Agent(id="a1")]).close()
    PostgresLedger(pg_dsn).close()
    with psycopg.connect(pg_dsn) as conn:
        conn.execute("UPDATE schema_version SET version = %s", (SCHEMA_VERSION - 1,))
    url = _url(pg_dsn)
    argv = ["report", "--store", url, *PERIOD]
    assert metrics_cli.run(_parse(argv), io.StringIO()) == 2
    said = f"schema version {SCHEMA_VERSION - 1}, older than this library's {SCHEMA_VERSION}"
    assert said in capsys.readouterr().err
    with psycopg.connect(pg_dsn) as conn:
        (version,) = conn.execute("SELECT version FROM schema_version").fetchone() or (None,)
        conn.execute("UPDATE schema_version SET version = %s", (SCHEMA_VERSION,))
        conn.execute("DELETE FROM handoff_ledger_schema WHERE version > 1")
    assert version == SCHEMA_VERSION - 1  # not migrated
    assert metrics_cli.run(_parse([*argv, "--ledger", url]), io.StringIO()) == 2
    said = f"schema version 1, older than this library's {LEDGER_SCHEMA_VERSION}"
    assert said in capsys.readouterr().err


def test_a_ledger_opened_to_read_writes_nothing(pg_dsn: str) -> None:
    """``PostgresLedgerReader`` refuses ``create`` and ``replace`` (it inserted a row)."""
    from datetime import UTC, datetime

    from helpdesk_routing.errors import StoreError
    from helpdesk_routing.handoff import Conversation
    from helpdesk_routing.handoff.machine import State
    from helpdesk_routing.handoff.records import HandoffRecord, TransitionEntry, handoff_id
    from helpdesk_routing.handoff.sql_ledger import PostgresLedgerReader

    PostgresLedger(pg_dsn).close()
    at = datetime(2026, 3, 30, tzinfo=UTC)
    record = HandoffRecord(
        id=handoff_id("c1"),
        conversation=Conversation(id="c1", channel="sms"),
        destination="builtin",
        reason="knowledge_gap",
        state=State.REQUESTED,
        created_at=at,
        updated_at=at,
        transitions=(
            TransitionEntry(at=at, actor="ai_agent", source=None, target=State.REQUESTED, why="-"),
        ),
    )
    reader = PostgresLedgerReader(pg_dsn)
    try:
        with pytest.raises(StoreError, match="opened only to read"):
            reader.create(record)
        with pytest.raises(StoreError, match="opened only to read"):
            reader.replace(record)
    finally:
        reader.close()
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM handoffs").fetchone() == (0,)
