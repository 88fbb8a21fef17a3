"""Time rules, written once: aware datetimes only, UTC inside."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

from .errors import NaiveDatetimeError

__all__ = ["UtcDatetime", "require_aware", "to_utc"]


def require_aware(value: datetime, what: str = "datetime") -> datetime:
    """Return ``value`` in UTC; raise :class:`NaiveDatetimeError` when it has no time zone."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise NaiveDatetimeError(what)
    return value.astimezone(UTC)


def to_utc(value: datetime) -> datetime:
    """Convert an aware datetime to UTC (naive input raises :class:`NaiveDatetimeError`)."""
    return require_aware(value)


def _reject_naive(value: object) -> object:
    # pydantic reports a ValueError raised here as a normal validation error at the
    # field's path, with this message.
    if isinstance(value, datetime) and (
        value.tzinfo is None or value.tzinfo.utcoffset(value) is None
    ):
        raise ValueError("must be timezone-aware, got a naive datetime")
    return value


def _after(value: datetime) -> datetime:
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError("must be timezone-aware, got a naive datetime")
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, BeforeValidator(_reject_naive), AfterValidator(_after)]
"""A pydantic field type: an aware datetime (naive input is rejected), stored in UTC."""
