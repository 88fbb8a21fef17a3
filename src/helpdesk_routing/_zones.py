"""Time zones: the IANA keys office hours accept, and the UTC instant a local
wall-clock reading stands for (:func:`wall_time_to_utc`, public in
``helpdesk_routing.calendar``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ._time import OUT_OF_RANGE, plain
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
        # a datetime itself (a pandas Timestamp's nanoseconds cut, as every instant's are)
        return _wall_time_to_utc(plain(wall), zone)
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
        found = (wall - before).replace(tzinfo=UTC)
        if type(zone) in _FOLD_AWARE or found.astimezone(zone).replace(tzinfo=None) == wall:
            return found
        # Skipped, in a zone that gives a skipped reading one offset whatever its fold
        # (dateutil's): the transition lies within a day of that instant.
        low = (found - _DAY).replace(tzinfo=None)
        return _first_reading_at_least(wall, zone, low, low + 2 * _DAY)
    # Skipped: the transition lies after `wall - after` and at or before `wall - before`.
    return _first_reading_at_least(wall, zone, wall - after, wall - before)


_FOLD_AWARE = (ZoneInfo, timezone)
"""The zones whose offsets of a skipped reading differ by its fold (PEP 495), so that the
offsets alone tell it; any other ``tzinfo``'s answer is checked by converting it back."""

_DAY = timedelta(days=1)


def _first_reading_at_least(
    wall: datetime, zone: tzinfo, low: datetime, high: datetime
) -> datetime:
    """The first instant whose reading in ``zone`` is at least ``wall``, between the naive
    UTC instants ``low`` (its reading earlier) and ``high`` (its reading at least
    ``wall``). Transitions fall on whole seconds, so it bisects on seconds."""
    first = (low - _EPOCH) // _SECOND
    last = -((_EPOCH - high) // _SECOND)
    while last - first > 1:
        middle = (first + last) // 2
        instant = (_EPOCH + middle * _SECOND).replace(tzinfo=UTC)
        if instant.astimezone(zone).replace(tzinfo=None) >= wall:
            last = middle
        else:
            first = middle
    return (_EPOCH + last * _SECOND).replace(tzinfo=UTC)


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
