"""``wall_time_to_utc`` takes a wall time that is a ``datetime`` subclass's (a pandas
``Timestamp``) as the plain reading it is, nanoseconds cut, as every instant inside is
(docs/concepts.md): with a ``tz.tzstr`` zone it raised pandas' ``AttributeError``, and
with others it returned a ``Timestamp`` keeping its nanoseconds."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

import pandas as pd
import pytest
from dateutil import tz

from helpdesk_routing.calendar import wall_time_to_utc

ZONES: list[tzinfo | str] = [
    tz.tzstr("CET-1CEST,M3.5.0,M10.5.0/3"),
    tz.gettz("Europe/Amsterdam"),  # type: ignore[list-item]
    "Europe/Amsterdam",
]


class _Reading(datetime):
    """A datetime subclass of a caller's."""


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(
    ("wall", "utc"),
    [
        (pd.Timestamp("2026-06-01T12:00:00.000000999"), datetime(2026, 6, 1, 10, tzinfo=UTC)),
        (pd.Timestamp("2026-03-29T02:30:00"), datetime(2026, 3, 29, 1, tzinfo=UTC)),
        (_Reading(2026, 1, 5, 9, 0, 0, 7), datetime(2026, 1, 5, 8, 0, 0, 7, tzinfo=UTC)),
    ],
)
def test_a_subclass_s_wall_time_is_its_plain_reading(
    zone: tzinfo | str, wall: datetime, utc: datetime
) -> None:
    found = wall_time_to_utc(wall, zone)
    assert type(found) is datetime
    assert found == utc
    assert found == wall_time_to_utc(datetime.fromisoformat(wall.isoformat()[:26]), zone)
