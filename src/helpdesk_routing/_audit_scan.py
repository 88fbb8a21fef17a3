"""Reading a whole audit log fast, for the metrics report.

``Transaction.audit()`` gives validated :class:`~helpdesk_routing.records.AuditRecord`
models; for a SQLite file that costs a JSON parse, a pydantic validation and a copy per
record, ten times what the report does with it. A store that can do better offers the
optional port :class:`~helpdesk_routing.ports.AuditFactSource`: ``store.audit_facts()``
streams the log as light :class:`AuditFact` values (the attribute names the report
reads), in a read-only unit of its own. The SQLite store does: since its schema 5 the
audit table keeps those fields as columns beside each record's JSON, and a scan reads the
columns (:func:`fact_from_row`), never the JSON. :func:`scan` uses the port when offered
and ``tx.audit()`` otherwise (memory, PostgreSQL). The two paths are held equal by
``tests/metrics/test_audit_scan.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from helpdesk_routing.ports import AuditFactSource

__all__ = ["FACT_COLUMNS", "AuditFact", "fact_from_row", "scan"]


@dataclass(slots=True)
class AuditFact:
    """The fields of an audit record the report reads.

    ``detail`` holds only ``public`` (a reply's), when the record's detail has it as a
    bool: the rest of a record's detail is not read by the report.
    """

    at: datetime
    action: str
    ticket_id: str | None = None
    agent_id: str | None = None
    online: bool | None = None
    team: str | None = None
    assignee: str | None = None
    status: str | None = None
    automatic: bool = False
    detail: Mapping[str, Any] = field(default_factory=dict)


_DETAIL: dict[int | None, Mapping[str, Any]] = {
    None: MappingProxyType({}),
    0: MappingProxyType({"public": False}),
    1: MappingProxyType({"public": True}),
}
_ONLINE: dict[int | None, bool | None] = {None: None, 0: False, 1: True}
_parse = datetime.fromisoformat

FACT_COLUMNS = "at, action, ticket_id, agent_id, online, team, assignee, status, automatic, public"
"""The columns :func:`fact_from_row` reads, in its order."""


def fact_from_row(
    at: str,
    action: str,
    ticket_id: str | None,
    agent_id: str | None,
    online: int | None,
    team: str | None,
    assignee: str | None,
    status: str | None,
    automatic: int,
    public: int | None,
) -> AuditFact:
    """The fact of one audit row read as :data:`FACT_COLUMNS` (booleans stored as 0/1)."""
    return AuditFact(
        _parse(at),
        action,
        ticket_id,
        agent_id,
        _ONLINE[online],
        team,
        assignee,
        status,
        automatic == 1,
        _DETAIL[public],
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
