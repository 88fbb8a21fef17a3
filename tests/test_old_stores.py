"""Stores written by older commits open with today's code and read back as they did.

``tests/old_stores/<commit>/`` holds what ``tests/old_stores/make.py`` wrote with that
commit's own code: a SQLite store (``helpdesk.db.gz``), a SQLite handoff ledger
(``ledger.db.gz``, from the commit that had one), a PostgreSQL dump of a store and
ledger in one schema (``postgres.sql.gz``), and ``expected.json``: what the commit's
code read back from them (``tests/old_stores/readback.py``). Each test opens a copy with
today's ``SqliteStore``/``SqliteLedger`` or ``PostgresStore``/``PostgresLedger``
(which migrate it), checks that today's reading equals the old code's, then routes a
new ticket, configures a new version, hands a conversation on, and reopens to check
that nothing was lost.

The covered commits span the schema versions: 3e54137 (SQLite 3, PostgreSQL 4, no
ledger), f3470b4 (SQLite 4, PostgreSQL 6, ledger 1), 78c95d8 (SQLite 5, PostgreSQL 8,
ledger 2) and c5a8dc4 (SQLite 5, PostgreSQL 9, ledger 2).
"""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import helpdesk_routing as hr
from helpdesk_routing import handoff
from helpdesk_routing.handoff.sql_ledger import LEDGER_SCHEMA_VERSION
from helpdesk_routing.stores.postgres._schema import SCHEMA_VERSION as PG_SCHEMA_VERSION
from helpdesk_routing.stores.sqlite._schema import SCHEMA_VERSION as SQLITE_SCHEMA_VERSION
from tests.old_stores import readback
from tests.pg_server import fresh_schema_dsn

HERE = Path(__file__).parent / "old_stores"
PLACEHOLDER = "helpdesk_old_store"  # make.PLACEHOLDER: the schema the dumps were made in
COMMITS = sorted(p.name for p in HERE.iterdir() if (p / "expected.json").exists())


def test_the_old_stores_span_the_schema_versions() -> None:
    """The stores cover every SQLite and PostgreSQL schema before today's, and both
    ledger versions (a commit directory lost or a regenerated one of a narrower set of
    commits fails here)."""
    versions = [_expected(c)["schema_versions"] for c in COMMITS]
    assert {v["sqlite"] for v in versions} >= {3, 4, 5}
    assert {v["postgres"] for v in versions} >= {4, 6, 8, 9}
    # SQLite 6 and 7 and PostgreSQL 10 and 11 only add indexes (``tickets_waiting``,
    # ``tickets_waiting_channel``); PostgreSQL 12 only replaces the hand-out function
    # (tests/stores/test_postgres.py opens a schema at 11 with 11's function)
    assert SQLITE_SCHEMA_VERSION == 7
    assert PG_SCHEMA_VERSION == 12
    assert {v["sqlite_ledger"] for v in versions} >= {None, 1, LEDGER_SCHEMA_VERSION}
    assert {v["postgres_ledger"] for v in versions} >= {None, 1, LEDGER_SCHEMA_VERSION}


@dataclass
class Opened:
    store: Any
    data: Any
    ledger: Any  # None before the commit had a ledger

    def close(self) -> None:
        for closable in (self.ledger, self.data, self.store):
            if closable is not None:
                closable.close()


_UNFILLED = "SELECT count(*) FROM handoffs WHERE updated_at IS NULL"
"""Ledger rows whose ``updated_at`` (ledger 2's column, which ``stalled`` reads) the
migration from ledger 1 left unfilled."""


def _expected(commit: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((HERE / commit / "expected.json").read_text("utf-8"))
    return loaded


def _gunzip(src: Path, dst: Path) -> None:
    with gzip.open(src, "rb") as f:
        dst.write_bytes(f.read())


def _sqlite_version(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        row = conn.execute(f"SELECT max(version) FROM {table}").fetchone()
    finally:
        conn.close()
    return int(row[0])


def _normalised(reading: dict[str, Any]) -> dict[str, Any]:
    """``reading`` with what legitimately reads differently today made alike.

    * Sets (a configuration's ``office_hours_channels``, a team's ``tags`` and
      ``segments``, a ticket's ``tags``, a profile's ``segments``) are dumped sorted
      today; the old code dumped a frozenset in hash order.
    * Office hours have had ``recurring_exceptions`` and ``recurring_holidays`` since
      f3470b4; a version stored before has none of either, and reads them as empty.
    """
    out = json.loads(json.dumps(reading))

    def sort(holder: dict[str, Any], key: str) -> None:
        if isinstance(holder.get(key), list):
            holder[key] = sorted(holder[key])

    for configuration in out["configurations"]:
        sort(configuration, "office_hours_channels")
        if configuration["office_hours"] is not None:
            configuration["office_hours"].setdefault("recurring_exceptions", [])
            configuration["office_hours"].setdefault("recurring_holidays", [])
        for team in configuration["teams"]:
            sort(team, "tags")
            sort(team, "segments")
    for ticket in out["tickets"].values():
        sort(ticket["ticket"], "tags")
    for profile in out["profiles"].values():
        if profile is not None:
            sort(profile, "segments")
    return out


def _check_reading(opened: Opened, expected: dict[str, Any], commit: str) -> hr.Router:
    """Today's reading of ``opened`` equals the old code's; returns the Router."""
    meta = expected["_meta"]
    clock = hr.ManualClock(datetime.fromisoformat(meta["now"]))
    router = hr.Router(store=opened.store, customer_data=opened.data, clock=clock)
    today = readback.read(router, opened.store, opened.data, opened.ledger, meta)
    old = {k: v for k, v in expected.items() if k != "_meta"}
    assert set(today) == set(old)
    today, old = _normalised(today), _normalised(old)
    for key in sorted(old):
        assert today[key] == old[key], f"{commit}: {key} reads differently today"
    return router


def _operate(opened: Opened, router: hr.Router, expected: dict[str, Any]) -> dict[str, Any]:
    """Route a new ticket, configure a new version, hand a conversation on; what to find
    after reopening."""
    meta = expected["_meta"]
    now = datetime.fromisoformat(meta["now"]) + timedelta(minutes=5)
    versions = len(expected["configurations"])
    configured = router.configure(
        actor="mgr", capacity=7, comment="after the upgrade", expected_version=versions
    )
    assert configured.version == versions + 1
    router.set_online("a2", online=True, actor="a2")  # offline in the old store; a1 is full
    decision = router.route(hr.Ticket(id="t-new", channel="email", created_at=now, profile_id="p1"))
    assert decision.team == "retention"  # the churn rule of the stored configuration
    assert decision.assignee == "a2"
    router.set_status("t1", "open", actor="mgr")  # a ticket closed by the old code, reopened
    handed: str | None = None
    if opened.ledger is not None:
        service = handoff.Handoff(
            settings=handoff.SendToHelpdesk(helpdesk="builtin"),
            router=router,
            ledger=opened.ledger,
            customer_data=opened.data,
            clock=hr.ManualClock(now),
        )
        step = service.confirm("c2", yes=True)  # awaiting confirmation in the old store
        assert step.state.value == "awaiting_email"
        step = service.provide_email("c2", "zoe@example.com")
        assert step.state.value == "handed_off"
        handed = step.ticket_id
    return {"decision": decision, "version": configured.version, "handed": handed}


def _check_after_reopen(opened: Opened, expected: dict[str, Any], done: dict[str, Any]) -> None:
    """The old rows and the new ones are all there after reopening."""
    meta = expected["_meta"]
    router = hr.Router(
        store=opened.store,
        customer_data=opened.data,
        clock=hr.ManualClock(datetime.fromisoformat(meta["now"]) + timedelta(minutes=10)),
    )
    today = readback.read(router, opened.store, opened.data, opened.ledger, meta)
    history = today["configurations"]
    assert [c["version"] for c in history] == list(range(1, done["version"] + 1))
    assert history[-1]["capacity"] == 7
    assert history[-1]["comment"] == "after the upgrade"
    old = {k: v for k, v in _normalised(expected).items() if k != "_meta"}
    today["configurations"] = history[:-1]
    today = _normalised(today)
    assert today["configurations"] == old["configurations"]
    # The old audit log is a prefix of today's; the new records follow it.
    assert today["audit"][: old["audit_length"]] == old["audit"]
    new_audit = [(row[3], row[4]) for row in today["audit"][old["audit_length"] :]]
    assert ("routed", "t-new") in new_audit
    assert ("configured", None) in new_audit
    assert ("status", "t1") in new_audit
    record = router.ticket("t-new")
    assert record.assignee == "a2"
    assert record.team == "retention"
    assert today["online"] == {**old["online"], "a2": True}
    # t1 was reopened; the tickets waiting in the old store were handed out when a2 came
    # online; every other ticket reads as the old code left it.
    assert today["tickets"]["t1"]["ticket"]["status"] == "open"
    waiting = old["views"]["open"]["unassigned"]
    for tid in meta["tickets"]:
        if tid in waiting:
            assert today["tickets"][tid]["assignee"] is not None, tid
        elif tid != "t1":
            assert today["tickets"][tid] == old["tickets"][tid], tid
    assert today["profiles"] == old["profiles"]
    assert today["events"] == old["events"]
    if opened.ledger is not None:
        record = opened.ledger.for_conversation("c2")
        assert record is not None
        assert record.state.value == "handed_off"
        assert record.ticket_id == done["handed"]
        for c in meta["conversations"]:
            if c != "c2":
                assert today["ledger"][c] == old["ledger"][c], c


def _run(open_: Any, expected: dict[str, Any], commit: str) -> None:
    opened = open_()
    try:
        router = _check_reading(opened, expected, commit)
        done = _operate(opened, router, expected)
    finally:
        opened.close()
    reopened = open_()
    try:
        _check_after_reopen(reopened, expected, done)
    finally:
        reopened.close()


# -- SQLite ----------------------------------------------------------------------------


@pytest.mark.parametrize("commit", COMMITS)
def test_a_sqlite_store_written_by_an_older_commit(commit: str, tmp_path: Path) -> None:
    expected = _expected(commit)
    _gunzip(HERE / commit / "helpdesk.db.gz", tmp_path / "helpdesk.db")
    has_ledger = (HERE / commit / "ledger.db.gz").exists()
    if has_ledger:
        _gunzip(HERE / commit / "ledger.db.gz", tmp_path / "ledger.db")

    def open_() -> Opened:
        db = str(tmp_path / "helpdesk.db")
        ledger = handoff.SqliteLedger(str(tmp_path / "ledger.db")) if has_ledger else None
        return Opened(hr.SqliteStore(db), hr.SqliteCustomerData(db), ledger)

    _run(open_, expected["sqlite"], commit)
    assert _sqlite_version(tmp_path / "helpdesk.db", "schema_version") == SQLITE_SCHEMA_VERSION
    if has_ledger:
        found = _sqlite_version(tmp_path / "ledger.db", "handoff_ledger_schema")
        assert found == LEDGER_SCHEMA_VERSION
        conn = sqlite3.connect(tmp_path / "ledger.db")
        try:
            assert conn.execute(_UNFILLED).fetchone() == (0,)
        finally:
            conn.close()


# -- PostgreSQL ------------------------------------------------------------------------


def _load_dump(dsn: str, commit: str) -> None:
    """The commit's dump, loaded into ``dsn``'s (empty) schema: every object the dump
    qualifies with the placeholder schema is put in the test's schema instead."""
    import psycopg

    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT current_schema()").fetchone()
    assert row is not None
    assert row[0]
    schema = str(row[0])
    with gzip.open(HERE / commit / "postgres.sql.gz", "rt", encoding="utf-8") as f:
        sql = f.read()
    qualified = re.compile(rf"\b{PLACEHOLDER}\.")
    assert qualified.search(sql)
    sql = qualified.sub(f"{schema}.", sql)
    statements = [line for line in sql.splitlines() if not line.startswith("--")]
    assert not [line for line in statements if PLACEHOLDER in line], "unqualified placeholder"
    with psycopg.connect(dsn) as conn:  # one transaction: all of the dump or nothing
        conn.execute(sql)


@pytest.mark.postgres
@pytest.mark.parametrize("commit", COMMITS)
def test_a_postgres_store_written_by_an_older_commit(
    commit: str, request: pytest.FixtureRequest
) -> None:
    expected_all = _expected(commit)
    expected = {**expected_all["sqlite"], **expected_all["postgres"]}
    dsn = fresh_schema_dsn(request)
    _load_dump(dsn, commit)
    has_ledger = expected_all["schema_versions"]["postgres_ledger"] is not None

    def open_() -> Opened:
        ledger = handoff.PostgresLedger(dsn) if has_ledger else None
        return Opened(hr.PostgresStore(dsn), hr.PostgresCustomerData(dsn), ledger)

    _run(open_, expected, commit)
    import psycopg

    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT max(version) FROM schema_version").fetchone() == (
            PG_SCHEMA_VERSION,
        )
        if has_ledger:
            assert conn.execute(_UNFILLED).fetchone() == (0,)
