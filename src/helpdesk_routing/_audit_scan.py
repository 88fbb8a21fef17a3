"""Reading a whole audit log fast, for the metrics report.

``Transaction.audit()`` gives validated :class:`~helpdesk_routing.records.AuditRecord`
models; for a SQLite file that costs a JSON parse, a pydantic validation and a copy per
record, ten times what the report does with it. The report reads a log as **fact rows**:
one plain tuple per record, the fields in :data:`FACT_COLUMNS` order (an
:class:`AuditFact` names them). A store may leave out the rows that change no figure
(:data:`REPORTED`): those without a ticket (but presence changes), and replies that
are not public.

A store that can read its log that way offers the optional port
:class:`~helpdesk_routing.ports.AuditFactSource`: ``store.audit_facts()`` streams the
rows, in a read-only unit of its own. The SQLite store does: since its schema 5 the
audit table keeps those fields as columns beside each record's JSON, and one query
(:data:`FACT_QUERY`) selects the rows, leaves the others out in SQLite, and hands the
``sqlite3`` module's own tuples through. :func:`scan` uses the port when offered and
``tx.audit()``'s records turned into rows otherwise (memory, PostgreSQL: all of them,
each by one C call). The two paths
are held equal by ``tests/metrics/test_audit_scan.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from operator import attrgetter
from typing import Any, NamedTuple

from helpdesk_routing.ports import AuditFactSource, offers, reading
from helpdesk_routing.records import AuditRecord

__all__ = ["FACT_COLUMNS", "FACT_QUERY", "AuditFact", "fact_rows", "scan"]


class AuditFact(NamedTuple):
    """The fields of an audit record the report reads, in :data:`FACT_COLUMNS` order.

    A fact row may be any tuple of this shape (the SQLite store yields the ``sqlite3``
    module's own): ``at`` an aware datetime or its ISO 8601 text; ``status`` a
    ``TicketStatus`` or its text; ``online``, ``automatic`` and ``public`` a bool or
    ``0``/``1`` (``public``: whether a reply is public, ``None`` when the record does
    not say so as a bool; or, in a row made from a record by :func:`fact_rows`, the
    record's ``detail`` mapping, whose ``"public"`` is read when it is ``True``).
    """

    at: datetime | str
    action: str
    ticket_id: str | None = None
    agent_id: str | None = None
    online: bool | int | None = None
    team: str | None = None
    assignee: str | None = None
    status: str | None = None
    automatic: bool | int = False
    public: bool | int | Mapping[str, Any] | None = None


FACT_COLUMNS = "at, action, ticket_id, agent_id, online, team, assignee, status, automatic, public"
"""The audit table's columns of a fact row, in order."""

REPORTED = "(ticket_id IS NOT NULL AND (action <> 'replied' OR public = 1)) OR action = 'presence'"
"""The records a report reads, as SQL: the rest changes no figure of it."""

FACT_QUERY = f"SELECT {FACT_COLUMNS} FROM audit WHERE {REPORTED} ORDER BY seq"
"""The SQLite query of the fact rows, in ``seq`` order."""


# The record's detail stands in the place of ``public``: reading it is the report's
# business (only for replies), and this way a record's row is made in C.
_FACT_OF_RECORD = attrgetter(
    *(name.strip() for name in FACT_COLUMNS.replace("public", "detail").split(","))
)


def fact_rows(records: Iterable[AuditRecord]) -> Iterator[tuple[Any, ...]]:
    """The fact row of each of ``records``, one per record, made in C (``attrgetter``);
    in the place of ``public`` each row holds the record's ``detail`` mapping."""
    return map(_FACT_OF_RECORD, records)


def scan(store: Any) -> Iterable[tuple[Any, ...]]:
    """Every fact row of ``store``'s audit log in ``seq`` order: streamed by the store
    when it is an :class:`~helpdesk_routing.ports.AuditFactSource`, else made from
    ``tx.audit()``'s records (read in one unit, which ends before the rows are made: a
    read-only one, ``read()``, when the store offers it, as views read, so that a report
    neither waits for the units that route nor makes them wait)."""
    if offers(store, AuditFactSource):
        return store.audit_facts()  # type: ignore[no-any-return]
    with reading(store) as tx:
        records: list[Any] = tx.audit()
    return fact_rows(records)
