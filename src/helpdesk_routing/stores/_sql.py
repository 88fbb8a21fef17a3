"""What the SQL stores (SQLite, PostgreSQL) share: encodings, the schema-version rule.

Records are persisted as their pydantic JSON (lossless for the records' own fields;
values under ``Ticket.fields``, ``Profile.properties`` and ``Event.properties`` come
back as JSON values), next to the few columns that queries filter and sort on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

import pydantic_core

from helpdesk_routing.errors import SchemaVersionError
from helpdesk_routing.model import Event, Profile
from helpdesk_routing.records import AuditRecord, TicketQuery

__all__ = [
    "Migration",
    "audit_from_json",
    "audit_to_json",
    "check_schema_version",
    "from_micros",
    "merge_profile",
    "properties_json",
    "status_values",
    "to_micros",
]

Migration = tuple[int, Sequence[str]]
"""One step of a schema: the version it brings the database to, and its statements."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def to_micros(value: datetime) -> int:
    """An aware datetime as integer microseconds since the Unix epoch (sorts like the instant)."""
    return (value - _EPOCH) // _MICRO


def from_micros(value: int) -> datetime:
    """The inverse of :func:`to_micros`: an aware UTC datetime."""
    return _EPOCH + value * _MICRO


def check_schema_version(found: int, known: int) -> None:
    """Refuse a database whose schema is newer than the code knows, before touching it."""
    if found > known:
        raise SchemaVersionError(
            f"database schema version {found} is newer than this helpdesk_routing knows "
            f"({known}); upgrade the library"
        )


def status_values(query: TicketQuery) -> list[str] | None:
    """The query's statuses as sorted column values (``None`` when any status matches)."""
    if query.statuses is None:
        return None
    return sorted(s.value for s in query.statuses)


def audit_to_json(record: AuditRecord) -> str:
    """The audit record without its ``seq`` (the store assigns that)."""
    return record.model_dump_json(exclude={"seq"})


def audit_from_json(seq: int, text: str) -> AuditRecord:
    """An audit record read back, with the ``seq`` the store gave it."""
    return AuditRecord.model_validate_json(text).model_copy(update={"seq": seq})


def properties_json(event: Event) -> str:
    """An event's properties as JSON text (what a ``where`` filter is given back)."""
    return pydantic_core.to_json(event.properties).decode()


def merge_profile(
    current: Profile | None,
    profile_id: str,
    properties: dict[str, object] | None,
    segments: Iterable[str] | None,
) -> Profile:
    """``current`` with ``properties`` merged in (``None`` removes a key) and new ``segments``."""
    base = current or Profile(id=profile_id)
    merged = dict(base.properties)
    for key, value in (properties or {}).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return Profile(
        id=profile_id,
        properties=merged,
        segments=frozenset(segments) if segments is not None else base.segments,
    )
