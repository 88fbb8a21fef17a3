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


@pytest.mark.parametrize("autocommit", [True, False])
def test_a_callers_pool_in_another_zone_works_in_utc_and_gets_its_zone_back(
    pg_dsn: str, autocommit: bool
) -> None:
    """A pool passed in whose sessions are in another zone: the adapters' units run in UTC
    (instants near year 1 and 9999 read back, tickets too), and each connection goes back
    to the pool in the caller's zone."""
    from psycopg_pool import ConnectionPool

    from helpdesk_routing.model import Ticket
    from helpdesk_routing.records import TicketRecord
    from helpdesk_routing.stores.postgres import PostgresCustomerData, PostgresStore

    zone = "Pacific/Kiritimati"  # UTC+14: year 9999's last hours lie beyond datetime.max
    late = datetime(9999, 12, 31, 23, 30, tzinfo=UTC)
    early = datetime(1, 1, 1, 0, 30, tzinfo=UTC)
    events = [Event(profile_id="p1", metric="E", timestamp=t) for t in (early, late)]
    with ConnectionPool(
        _with_time_zone(pg_dsn, zone),
        min_size=1,
        max_size=1,
        kwargs={"autocommit": autocommit},
        open=True,
    ) as pool:
        with PostgresCustomerData(pool=pool, profiles=[Profile(id="p1")], events=events) as data:
            assert data.events("p1") == events
            assert data.count_events("p1", "E", start=late, end=None) == 1
        with PostgresStore(pool=pool) as store:
            ticket = Ticket(id="t-late", channel="email", created_at=late)
            with store.transaction() as tx:
                tx.add_ticket(TicketRecord(ticket=ticket))
            with store.transaction() as tx:
                stored = tx.get_ticket("t-late")
            assert stored is not None
            assert stored.ticket.created_at == late
        with pool.connection() as conn:
            row = conn.execute("SHOW TimeZone").fetchone()
            assert row is not None
            assert row[0] == zone
            assert conn.autocommit is autocommit
