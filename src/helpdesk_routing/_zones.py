"""Time zones: the IANA keys office hours accept, and the UTC instant a local
wall-clock reading stands for (:func:`wall_time_to_utc`, public in
``helpdesk_routing.calendar``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ._time import OUT_OF_RANGE
from .errors import ArgumentTypeError, ValidationError

__all__ = ["iana_zone", "iana_zone_keys", "wall_time_to_utc"]


_SECOND = timedelta(seconds=1)


_EPOCH = datetime(1970, 1, 1)


def wall_time_to_utc(wall: datetime, zone: tzinfo | str) -> datetime:
    """Return the UTC instant a local wall-clock reading in ``zone`` stands for.

    The rule for readings the clock skips or shows twice: the first instant at which
    the local clock reads at least ``wall``. For a skipped reading (02:30 on a
    spring-forward night) that is the transition instant; for a repeated one (02:30
    on a fall-back night) it is the first occurrence. ``wall`` must be naive (a
    reading, not an instant); an aware one raises
    :class:`~helpdesk_routing.errors.ValidationError`. ``zone`` is a ``tzinfo`` (a
    ``ZoneInfo``) or an IANA time-zone key, the text :attr:`OfficeHours.timezone`
    holds, checked as there (an unknown key is a ``ValidationError``). A ``wall`` that
    is no ``datetime``, or a ``zone`` that is neither, is an
    :class:`~helpdesk_routing.errors.ArgumentTypeError` naming it.
    """
    if not isinstance(wall, datetime):
        raise ArgumentTypeError(
            f"wall must be a naive datetime (a clock reading), got {type(wall).__name__} {wall!r}"
        )
    if isinstance(zone, str):
        known = iana_zone(zone)
        if known is None:
            raise ValidationError(f"unknown time zone {zone!r}")
        zone = known
    elif not isinstance(zone, tzinfo):
        raise ArgumentTypeError(
            "zone must be a tzinfo (a ZoneInfo) or an IANA time-zone key, "
            f"got {type(zone).__name__} {zone!r}"
        )
    if wall.tzinfo is not None:
        raise ValidationError("a wall time must be a naive datetime (a clock reading)")
    try:
        return _wall_time_to_utc(wall, zone)
    except OverflowError:
        raise ValidationError(f"wall {OUT_OF_RANGE}") from None


def _wall_time_to_utc(wall: datetime, zone: tzinfo) -> datetime:
    """:func:`wall_time_to_utc` of arguments of the right kinds."""
    before = wall.replace(tzinfo=zone, fold=0).utcoffset()
    after = wall.replace(tzinfo=zone, fold=1).utcoffset()
    if before is None or after is None:
        raise ValidationError(f"time zone {zone!r} gives no UTC offset")
    if before >= after:
        # Unambiguous, or repeated: fold=0 is the first occurrence.
        return (wall - before).replace(tzinfo=UTC)
    # Skipped: the transition lies after `wall - after` and at or before
    # `wall - before`. Transitions fall on whole seconds, so bisect on seconds for
    # the first instant whose local reading is at least `wall`.
    low = (wall - after - _EPOCH) // _SECOND
    high = -((_EPOCH - (wall - before)) // _SECOND)
    while high - low > 1:
        middle = (low + high) // 2
        instant = (_EPOCH + middle * _SECOND).replace(tzinfo=UTC)
        if instant.astimezone(zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return (_EPOCH + high * _SECOND).replace(tzinfo=UTC)


@lru_cache(maxsize=1)
def iana_zone_keys() -> frozenset[str]:
    """The time-zone keys :class:`OfficeHours` accepts: the IANA database's zone names as
    the ``tzdata`` package lists them (links such as ``US/Eastern`` included), without
    ``Factory``. A host's own files (``localtime``, ``posixrules``, ``right/...``) are not
    IANA keys: they mean different things on different machines, so they are refused."""
    names = resources.files("tzdata").joinpath("zones").read_text("utf-8").split()
    return frozenset(names) - {"Factory"}


def iana_zone(key: str) -> ZoneInfo | None:
    """The zone of an IANA time-zone key (:func:`iana_zone_keys`), or ``None`` for text
    that is none, or whose data cannot be loaded."""
    if key not in iana_zone_keys():
        return None
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
