"""OfficeHours takes its zone as an IANA key or, from Python, as the ZoneInfo of one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import tzdata

import helpdesk_routing as hr

WEEK = {day: [("09:00", "17:00")] for day in ("mon", "tue", "wed", "thu", "fri")}


def test_a_zoneinfo_is_read_as_its_key() -> None:
    """ZoneInfo("Europe/Amsterdam") gives the schedule the key would: equal, same JSON."""
    given = hr.OfficeHours(timezone=ZoneInfo("Europe/Amsterdam"), weekly=WEEK)  # type: ignore[arg-type]
    assert given == hr.OfficeHours(timezone="Europe/Amsterdam", weekly=WEEK)
    assert given.timezone == "Europe/Amsterdam"
    assert hr.OfficeHours.from_json(given.model_dump_json()) == given
    assert given.is_open(datetime(2026, 3, 30, 7, tzinfo=UTC))  # 09:00 CEST


def test_a_zoneinfo_without_a_key_is_refused_at_the_field() -> None:
    """A ZoneInfo read from a file has no key to store: a ValidationError at $.timezone."""
    path = Path(tzdata.__file__).parent / "zoneinfo" / "Europe" / "Amsterdam"
    with path.open("rb") as file:
        keyless = ZoneInfo.from_file(file)
    with pytest.raises(hr.ValidationError) as caught:
        hr.OfficeHours(timezone=keyless)  # type: ignore[arg-type]
    assert "$.timezone" in str(caught.value)
    assert "a ZoneInfo read from a file has no IANA key" in str(caught.value)


def test_a_zoneinfo_is_not_taken_from_json() -> None:
    """JSON has no ZoneInfo: text that is no key stays an unknown time zone."""
    with pytest.raises(hr.ValidationError, match="unknown time zone"):
        hr.OfficeHours.from_json('{"timezone": "zoneinfo.ZoneInfo(key=\'UTC\')"}')
