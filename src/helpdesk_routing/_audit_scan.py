"""Reading a whole audit log fast, for the metrics report.

``Transaction.audit()`` gives validated :class:`~helpdesk_routing.records.AuditRecord`
models; for a SQLite file that costs a pydantic validation and a copy per record, ten
times what the report does with it. :func:`scan` reads a :class:`SqliteStore`'s
``audit`` table in one read-only query and parses each record's JSON into a light
:class:`AuditFact` (the same attribute names the report reads); any other store (memory,
PostgreSQL, an in-memory SQLite database) is read through ``tx.audit()``. The two
paths are held equal by ``tests/metrics/test_audit_scan.py``.

This reads the SQLite store's table layout (``audit(seq, ticket_id, record)``, the record
as the model's JSON) from outside the store: a port method for it would be cleaner.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

__all__ = ["AuditFact", "scan"]


@dataclass(slots=True)
class AuditFact:
    """The fields of an audit record the report reads."""

    at: datetime
    action: str
    ticket_id: str | None = None
    agent_id: str | None = None
    online: bool | None = None
    team: str | None = None
    assignee: str | None = None
    status: str | None = None
    automatic: bool = False
    detail: dict[str, Any] = field(default_factory=dict)


_decode = json.JSONDecoder().raw_decode  # the stored JSON is compact: no whitespace to skip
_FIELDS = itemgetter(
    "at", "action", "ticket_id", "agent_id", "online", "team", "assignee", "status", "automatic"
)


def _fact(text: str) -> AuditFact:
    d: dict[str, Any] = _decode(text)[0]
    try:  # the store writes every field: one C-level look-up for all of them
        at, action, tid, agent, online, team, assignee, status, automatic = _FIELDS(d)
    except KeyError:
        return _fact_of_partial(d)
    return AuditFact(
        datetime.fromisoformat(at),
        action,
        tid,
        agent,
        online,
        team,
        assignee,
        status,
        bool(automatic),
        d.get("detail") or {},
    )


def _fact_of_partial(d: dict[str, Any]) -> AuditFact:
    """A record written without some fields (their defaults apply)."""
    return AuditFact(
        at=datetime.fromisoformat(d["at"]),
        action=d["action"],
        ticket_id=d.get("ticket_id"),
        agent_id=d.get("agent_id"),
        online=d.get("online"),
        team=d.get("team"),
        assignee=d.get("assignee"),
        status=d.get("status"),
        automatic=bool(d.get("automatic", False)),
        detail=d.get("detail") or {},
    )


def _sqlite_rows(path: str) -> Iterator[AuditFact]:
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True)
    try:
        for (text,) in conn.execute("SELECT record FROM audit ORDER BY seq"):
            yield _fact(text)
    finally:
        conn.close()


def scan(store: Any) -> Iterable[Any]:
    """Every audit record of ``store`` in ``seq`` order (facts or records)."""
    from helpdesk_routing.stores.sqlite import SqliteStore

    if isinstance(store, SqliteStore) and store.path not in (":memory:", ""):
        return _sqlite_rows(store.path)
    with store.transaction() as tx:
        records: list[Any] = tx.audit()
    return records
