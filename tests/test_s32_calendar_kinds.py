"""The calendar names an argument of the wrong kind with an ``ArgumentTypeError`` (a
``TypeError`` and a library ``ValidationError``), as ``metrics`` does: a number where a
``timedelta`` belongs, text where ``wall_time_to_utc`` wants a wall time, ``None`` as its
zone. ``wall_time_to_utc`` also takes a zone by its IANA key, checked as
``OfficeHours.timezone`` is."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import helpdesk_routing as hr
from helpdesk_routing.calendar import OfficeHours, iana_zone_keys, wall_time_to_utc
from helpdesk_routing.errors import ArgumentTypeError, ValidationError

HOURS = OfficeHours(timezone="Europe/Amsterdam", weekly={"mon": [("09:00", "17:00")]})
AT = datetime(2026, 3, 30, tzinfo=UTC)
WALL = datetime(2026, 3, 29, 2, 30)  # skipped in Amsterdam: the jump, 01:00 UTC
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ZONE_KINDS = "zone must be a tzinfo (a ZoneInfo) or an IANA time-zone key"


def _wrong_kind(call: Callable[[], object], message: str) -> None:
    """``call()`` raises an ArgumentTypeError whose whole message is ``message``."""
    with pytest.raises(ArgumentTypeError, match=f"^{re.escape(message)}$") as info:
        call()
    assert isinstance(info.value, TypeError)
    assert isinstance(info.value, hr.RoutingError)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: HOURS.next_open(AT, horizon=5), "horizon must be a timedelta, got int"),
        (lambda: HOURS.next_close(AT, horizon=5.0), "horizon must be a timedelta, got float"),
        (lambda: HOURS.add_business_time(AT, 5), "duration must be a timedelta, got int"),
        (lambda: HOURS.add_business_time(AT, None), "duration must be a timedelta, got NoneType"),
        (
            lambda: HOURS.add_business_time(AT, timedelta(hours=1), horizon="P1D"),
            "horizon must be a timedelta, got str",
        ),
    ],
)
def test_a_number_where_a_timedelta_belongs_is_an_argument_type_error(
    call: Callable[[], object], message: str
) -> None:
    """The same mistake metrics.report(target=5) names as an ArgumentTypeError (a plain
    ValidationError in the calendar before)."""
    _wrong_kind(call, message)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: HOURS.next_open(AT, horizon=timedelta(0)), "horizon must be positive"),
        (lambda: HOURS.add_business_time(AT, -timedelta(1)), "duration must not be negative"),
    ],
)
def test_a_timedelta_out_of_range_stays_a_value_error(
    call: Callable[[], object], message: str
) -> None:
    """A timedelta of the right kind but a wrong value is a ValidationError, no TypeError."""
    with pytest.raises(ValidationError, match=f"^{re.escape(message)}") as info:
        call()
    assert not isinstance(info.value, TypeError)


@pytest.mark.parametrize(
    ("wall", "shown"),
    [
        ("2026-03-29T02:30", "str '2026-03-29T02:30'"),
        (date(2026, 3, 29), "date datetime.date(2026, 3, 29)"),
        (None, "NoneType None"),
        (1774751400, "int 1774751400"),
    ],
)
def test_a_wall_time_that_is_no_datetime_is_named(wall: Any, shown: str) -> None:
    """Text, a date, None or a number as the wall time (an AttributeError before)."""
    message = f"wall must be a naive datetime (a clock reading), got {shown}"
    _wrong_kind(lambda: wall_time_to_utc(wall, AMSTERDAM), message)


@pytest.mark.parametrize(
    ("zone", "shown"),
    [(None, "NoneType None"), (5, "int 5"), (b"UTC", "bytes b'UTC'"), (HOURS, "OfficeHours")],
)
def test_a_zone_that_is_no_tzinfo_nor_text_is_named(zone: Any, shown: str) -> None:
    """None, a number, bytes or office hours as the zone (a TypeError from datetime, or
    "time zone None gives no UTC offset", before)."""
    with pytest.raises(ArgumentTypeError, match=f"^{re.escape(ZONE_KINDS)}, got ") as info:
        wall_time_to_utc(WALL, zone)
    assert str(info.value).startswith(f"{ZONE_KINDS}, got {shown}")


def test_the_wall_time_is_checked_before_the_zone() -> None:
    """Both wrong: the wall time is named first (the arguments in order)."""
    _wrong_kind(
        lambda: wall_time_to_utc("02:30", None),  # type: ignore[arg-type]
        "wall must be a naive datetime (a clock reading), got str '02:30'",
    )


def test_a_zone_key_is_the_zone_office_hours_hold() -> None:
    """The text OfficeHours.timezone holds gives what its ZoneInfo gives (a TypeError from
    datetime before): the gap rule applies the same."""
    assert wall_time_to_utc(WALL, HOURS.timezone) == wall_time_to_utc(WALL, HOURS.zone)
    assert wall_time_to_utc(WALL, "Europe/Amsterdam") == datetime(2026, 3, 29, 1, tzinfo=UTC)


@pytest.mark.parametrize("key", ["Mars/Olympus", "", "Factory", "localtime", "europe/amsterdam"])
def test_an_unknown_zone_key_is_refused_as_office_hours_refuse_it(key: str) -> None:
    """Text that is no IANA key is a wrong value, not a wrong kind: OfficeHours's message."""
    with pytest.raises(
        ValidationError, match=f"^{re.escape(f'unknown time zone {key!r}')}$"
    ) as info:
        wall_time_to_utc(WALL, key)
    assert not isinstance(info.value, TypeError)
    with pytest.raises(ValidationError, match=re.escape(f"unknown time zone {key!r}")):
        OfficeHours(timezone=key)


@pytest.mark.parametrize(
    ("wall", "key"),
    [(datetime(1, 1, 1, 0, 30), "Asia/Tokyo"), (datetime.max, "America/New_York")],
)
def test_a_wall_time_whose_instant_is_out_of_range_is_named(wall: datetime, key: str) -> None:
    """A reading whose UTC instant falls outside years 1 to 9999 is a ValidationError
    (an OverflowError before)."""
    with pytest.raises(ValidationError, match=r"^wall must lie in years 1 to 9999 in UTC$"):
        wall_time_to_utc(wall, key)


@given(
    st.sampled_from(sorted(iana_zone_keys())),
    st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31)),
)
def test_a_zone_key_answers_as_its_zone_info(key: str, wall: datetime) -> None:
    """For every IANA key and any wall time, the key and its ZoneInfo give one instant."""
    assert wall_time_to_utc(wall, key) == wall_time_to_utc(wall, ZoneInfo(key))
