"""The handoff ledger port and its in-memory adapter.

The ledger is where a handoff's state lives between the visitor's answers, and the
record that keeps a conversation from producing two tickets. SQLite and PostgreSQL
adapters: :mod:`helpdesk_routing.handoff.sql_ledger`.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Protocol

from helpdesk_routing._input import integer_argument
from helpdesk_routing._process_bound import ProcessBound
from helpdesk_routing._storable import stored_text
from helpdesk_routing._time import require_aware
from helpdesk_routing.errors import ArgumentTypeError, ConflictError, ValidationError
from helpdesk_routing.handoff.machine import State
from helpdesk_routing.handoff.records import HandoffRecord

__all__ = [
    "STALLED_STATES",
    "InMemoryLedger",
    "Ledger",
    "check_key",
    "check_limit",
    "stale_write",
]

STALLED_STATES = frozenset({State.REQUESTED, State.HANDING_OFF, State.OUTCOME_UNKNOWN})
"""The states only the system moves on (no visitor's answer is awaited): a handoff left
in one of them by a process that died stays there until ``Handoff.recover``."""


def stale_write(
    handoff_id: str, expected: int, stored: HandoffRecord | None = None
) -> ConflictError:
    """The error every adapter raises when a write's expected version is not stored:
    the handoff is not stored at all, or its stored version is another (``stored``)."""
    if stored is None:
        return ConflictError(f"handoff {handoff_id!r} is not stored: create it first")
    if stored.version > expected >= 1:  # read at a version since replaced (versions start at 1)
        return ConflictError(
            f"handoff {handoff_id!r} changed: version {expected} is no longer stored "
            f"(it is at {stored.version})"
        )
    return ConflictError(
        f"handoff {handoff_id!r} is at version {stored.version}: its next is "
        f"{stored.version + 1}, not {expected + 1}"
    )


def id_taken(record: HandoffRecord) -> ConflictError:
    """The error every adapter raises when a new handoff's id is stored for another
    conversation (a hash collision, or a record built by hand)."""
    return ConflictError(f"handoff id {record.id!r} is already stored for another conversation")


def check_replacing(record: HandoffRecord, stored: HandoffRecord | None) -> None:
    """Refuse a ``replace`` of ``stored`` by ``record``: not the next version
    (:func:`stale_write`), or a handoff moved to another conversation (the ledger keeps
    one handoff per conversation: ``ValidationError``)."""
    if stored is None or stored.version != record.version - 1:
        raise stale_write(record.id, record.version - 1, stored)
    if stored.conversation_id != record.conversation_id:
        raise ValidationError(
            f"handoff {record.id!r} is conversation {stored.conversation_id!r}'s: a "
            f"replace cannot move it to conversation {record.conversation_id!r}"
        )


def check_record(record: object) -> HandoffRecord:
    """``record`` when it is a :class:`HandoffRecord`; else ``ArgumentTypeError``."""
    if not isinstance(record, HandoffRecord):
        raise ArgumentTypeError(f"record must be a HandoffRecord, got {type(record).__name__}")
    return record


def check_key(key: object, name: str) -> str:
    """``key`` when it is text every store can keep (no NUL, no lone surrogate); else
    ``ValidationError`` naming the argument, the same in every ledger (a list would be
    unhashable in memory and no SQL parameter; such text no SQL store can look up)."""
    return stored_text(key, name)


def check_limit(limit: int | None, name: str = "limit") -> int | None:
    """``limit`` when it is ``None`` or an ``int`` of at least 1; else ``ValidationError`` naming
    the argument, an ``ArgumentTypeError`` (a ``TypeError`` too) for one that is no
    ``int`` (a ``bool`` is not a count)."""
    if limit is not None:
        whole = integer_argument(limit)
        if whole is None:
            raise ArgumentTypeError(f"{name} must be a positive int or None, got {limit!r}")
        limit = whole
    if limit is not None and limit < 1:
        raise ValidationError(f"{name} must be a positive int or None, got {limit!r}")
    return limit


class Ledger(Protocol):
    """Where handoffs are kept. Called by :class:`~helpdesk_routing.handoff.Handoff`.

    Contract (every adapter, ``tests/handoff/test_ledger_contract.py``):

    - ``create(record)`` stores ``record`` unless a handoff for the same conversation is
      stored; it answers ``(stored record, True)`` when it stored it, else
      ``(the existing record, False)``. Concurrent creates for one conversation (threads,
      processes) store exactly one.
    - ``replace(record)`` stores ``record`` (``version`` one more than the stored one)
      only when the stored version is ``record.version - 1`` (compare and set); else
      :class:`~helpdesk_routing.errors.ConflictError` and nothing changes.
    - ``get`` / ``for_conversation`` answer ``None`` for unknown keys; a key that is not
      text every store can keep is a ``ValidationError`` naming the argument
      (:func:`check_key`).
    - ``created_between`` / ``stalled`` refuse a naive datetime
      (``NaiveDatetimeError`` naming the argument: ``start``, ``end``,
      ``updated_before``).
    - ``created_between(start, end)`` lists the handoffs with ``start <= created_at < end``,
      oldest first.
    - ``stalled(updated_before, *, limit=None)`` lists the handoffs in
      :data:`STALLED_STATES` whose ``updated_at`` is before ``updated_before`` (an aware
      datetime, else ``ValidationError``), least recently updated first (ties by id); with
      ``limit``, only the first ``limit`` of them (:func:`check_limit`: an ``int`` of at
      least 1, else ``ValueError``).

    Example::

        record, created = ledger.create(record)
    """

    def create(self, record: HandoffRecord) -> tuple[HandoffRecord, bool]:
        """Store a new handoff, or answer the conversation's existing one."""
        ...

    def replace(self, record: HandoffRecord) -> None:
        """Store the next version of a handoff (compare and set on ``version``)."""
        ...

    def get(self, handoff_id: str) -> HandoffRecord | None:
        """The handoff with this id, or ``None``."""
        ...

    def for_conversation(self, conversation_id: str) -> HandoffRecord | None:
        """The conversation's handoff, or ``None``."""
        ...

    def created_between(self, start: datetime, end: datetime) -> list[HandoffRecord]:
        """The handoffs created in ``[start, end)``, oldest first."""
        ...

    def stalled(self, updated_before: datetime, *, limit: int | None = None) -> list[HandoffRecord]:
        """The unfinished handoffs the system must move on, not updated since
        ``updated_before``; least recently updated first, at most ``limit``."""
        ...


class InMemoryLedger(ProcessBound):
    """A :class:`Ledger` in memory, safe across threads of one process."""

    _elsewhere = (
        "an InMemoryLedger lives in one process; to share handoffs, open a SqliteLedger or "
        "PostgresLedger on the same file or database in each"
    )

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_id: dict[str, HandoffRecord] = {}
        self._by_conversation: dict[str, str] = {}

    def create(self, record: HandoffRecord) -> tuple[HandoffRecord, bool]:
        """Store a new handoff, or answer the conversation's existing one."""
        record = check_record(record)
        with self._lock:
            existing = self._by_conversation.get(record.conversation_id)
            if existing is not None:
                return _own(self._by_id[existing]), False
            if record.id in self._by_id:
                raise id_taken(record)
            self._by_id[record.id] = _own(record)
            self._by_conversation[record.conversation_id] = record.id
            return record, True

    def replace(self, record: HandoffRecord) -> None:
        """Store the next version of a handoff (compare and set on ``version``)."""
        record = check_record(record)
        with self._lock:
            check_replacing(record, self._by_id.get(record.id))
            self._by_id[record.id] = _own(record)

    def get(self, handoff_id: str) -> HandoffRecord | None:
        """The handoff with this id, or ``None``."""
        key = check_key(handoff_id, "handoff_id")
        with self._lock:
            found = self._by_id.get(key)
            return None if found is None else _own(found)

    def for_conversation(self, conversation_id: str) -> HandoffRecord | None:
        """The conversation's handoff, or ``None``."""
        key = check_key(conversation_id, "conversation_id")
        with self._lock:
            found = self._by_conversation.get(key)
            return None if found is None else _own(self._by_id[found])

    def created_between(self, start: datetime, end: datetime) -> list[HandoffRecord]:
        """The handoffs created in ``[start, end)``, oldest first."""
        since, until = require_aware(start, "start"), require_aware(end, "end")
        with self._lock:
            found = [_own(r) for r in self._by_id.values() if since <= r.created_at < until]
        return sorted(found, key=lambda r: (r.created_at, r.id))

    def stalled(self, updated_before: datetime, *, limit: int | None = None) -> list[HandoffRecord]:
        """The unfinished handoffs the system must move on, not updated since
        ``updated_before``; least recently updated first, at most ``limit``."""
        before = require_aware(updated_before, "updated_before")
        count = check_limit(limit)
        with self._lock:
            found = [
                r
                for r in self._by_id.values()
                if r.state in STALLED_STATES and r.updated_at < before
            ]
        found.sort(key=lambda r: (r.updated_at, r.id))
        return [_own(r) for r in (found if count is None else found[:count])]

    def __repr__(self) -> str:
        count = len(self._by_id)
        return f"<InMemoryLedger: {count:,} handoff{'s' if count != 1 else ''}>"


def _own(record: HandoffRecord) -> HandoffRecord:
    """A copy of ``record`` sharing nothing mutable with it (its ``detail`` and the
    conversation's dicts): what the in-memory ledger keeps, and what it answers, so a
    caller changing a record it gave or got changes nothing stored, as with the SQL
    ledgers (it changed the stored record, without a replace or a new version)."""
    return record.model_copy(deep=True)
