"""PostgreSQL customer data reads back every instant it stores, whatever the session's
TimeZone in the DSN: the adapter's connections work in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from helpdesk_routing.model import Event, Profile

pytestmark = pytest.mark.postgres


def _with_time_zone(dsn: str, zone: str) -> str:
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(dsn)
    options = f"{params.get('options', '')} -c TimeZone={zone}".strip()
    return make_conninfo(dsn, options=options)


@pytest.mark.parametrize("zone", ["Europe/Amsterdam", "America/Los_Angeles"])
def test_events_near_year_1_and_9999_read_back_with_a_non_utc_session_time_zone(
    pg_dsn: str, zone: str
) -> None:
    """Instants at both ends of the calendar come back equal with TimeZone set in the DSN."""
    from helpdesk_routing.stores.postgres import PostgresCustomerData

    late = datetime(9999, 12, 31, 23, 30, tzinfo=UTC)
    early = datetime(1, 1, 1, 0, 30, tzinfo=UTC)
    events = [Event(profile_id="p1", metric="E", timestamp=t) for t in (early, late)]
    with PostgresCustomerData(
        _with_time_zone(pg_dsn, zone), profiles=[Profile(id="p1")], events=events
    ) as data:
        assert data.events("p1") == events
        assert data.events_between(early, late) == events[:1]
        assert data.count_events("p1", "E", start=late, end=None) == 1
