"""Reading a whole audit log fast, for the metrics report.

``Transaction.audit()`` gives validated :class:`~helpdesk_routing.records.AuditRecord`
models; for a SQLite file that costs a pydantic validation and a copy per record, ten
times what the report does with it. A store that can do better offers the optional
port :class:`~helpdesk_routing.ports.AuditFactSource`: ``store.audit_facts()`` streams
the log as light :class:`AuditFact` values (the attribute names the report reads), in a
read-only unit of its own; the SQLite store does, parsing each record's stored JSON with
:func:`fact_from_json`. :func:`scan` uses it when offered and ``tx.audit()`` otherwise
(memory, PostgreSQL). The two paths are held equal by
``tests/metrics/test_audit_scan.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from typing import Any

from helpdesk_routing.ports import AuditFactSource

__all__ = ["AuditFact", "fact_from_json", "scan"]


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


def fact_from_json(text: str) -> AuditFact:
    """The fact of one audit record stored as the model's compact JSON text."""
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


def scan(store: Any) -> Iterable[Any]:
    """Every audit record of ``store`` in ``seq`` order: facts streamed by the store when
    it is an :class:`~helpdesk_routing.ports.AuditFactSource`, else ``tx.audit()``'s
    records (read in one unit, which ends before they are returned)."""
    if isinstance(store, AuditFactSource):
        return store.audit_facts()
    with store.transaction() as tx:
        records: list[Any] = tx.audit()
    return records
