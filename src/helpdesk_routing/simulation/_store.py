"""The simulator's store: the in-memory store, with an audit log that is counted, not kept.

A simulation routes, hands out and closes every ticket through the real Router, which
builds and appends an audit record for each change (three or four a ticket), exactly as
in production. Nothing in a simulation reads them back: the results come from the
engine's own per-ticket records, and the metrics module computes the summary from those.
Kept, they were more than half of a run's memory (about 2,600 of 4,600 bytes a ticket
through the Router), so a million-ticket run needed some 4.6 GB.

:class:`SimulationStore` is :class:`~helpdesk_routing.stores.memory.InMemoryStore` in
every other respect (the same tickets, indexes, rotation and agents, the same units of
work and undo); its units give each appended record the ``seq`` the in-memory store
would (1, 2, 3, ..., a record undone with its unit gives its number back) and return it,
and keep only the count. Reading the log raises
:class:`~helpdesk_routing.errors.StoreError`, so no code can take an empty log for a
quiet one. The benchmark's full-default-Router rows keep the log
(``RouterBackend.report_digest``: the store's report digest reads it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from helpdesk_routing._trusted import updated
from helpdesk_routing.errors import StoreError
from helpdesk_routing.model import Agent
from helpdesk_routing.records import AuditRecord
from helpdesk_routing.stores._store_args import wrong_kind
from helpdesk_routing.stores.memory import InMemoryStore, InMemoryTransaction

__all__ = ["SimulationStore"]

NOT_KEPT = "the simulator's store counts its audit records and keeps none"
"""Why :meth:`_CountingTransaction.audit` raises."""


class SimulationStore(InMemoryStore):
    """:class:`~helpdesk_routing.stores.memory.InMemoryStore` whose audit log is counted
    and not kept (the module docstring says why); no report digest."""

    def __init__(self, *, agents: Iterable[Agent]) -> None:
        super().__init__(agents=agents, report_digest=False)
        self._logged = 0  # the records appended by units that committed, or running

    def transaction(self) -> InMemoryTransaction:
        """Begin a unit of work, as the in-memory store's (its log counted)."""
        return _CountingTransaction(self, False)

    def read(self) -> InMemoryTransaction:
        """Begin a read-only unit of work, as the in-memory store's."""
        return _CountingTransaction(self, True)


class _CountingTransaction(InMemoryTransaction):
    """A unit of :class:`SimulationStore`: the in-memory store's, but for the log."""

    def append_audit(self, record: AuditRecord) -> AuditRecord:
        """Count the record; return it with the ``seq`` the in-memory store would give."""
        if record.__class__ is not AuditRecord and not isinstance(record, AuditRecord):
            raise wrong_kind("record", "an AuditRecord", record)
        s = cast(SimulationStore, self._w)
        seq = s._logged + 1  # raises unless the unit may write
        stored = record if record.seq == seq else updated(record, seq=seq)
        s._logged = seq

        def undo() -> None:
            s._logged = seq - 1

        self._undo.append(undo)
        return stored

    def next_audit_seq(self) -> int:
        """The ``seq`` of the next record appended (``ports.NextAuditSeq``)."""
        return cast(SimulationStore, self._s)._logged + 1

    def audit(self, ticket_id: str | None = None) -> list[AuditRecord]:
        """Refused: :class:`~helpdesk_routing.errors.StoreError` (no record is kept)."""
        raise StoreError(NOT_KEPT)
