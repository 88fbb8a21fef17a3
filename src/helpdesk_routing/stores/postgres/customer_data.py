"""The PostgreSQL :class:`~helpdesk_routing.ports.CustomerData`: :class:`PostgresCustomerData`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, TypeVar

from helpdesk_routing._process_bound import ProcessBound
from helpdesk_routing._sets import dump_json
from helpdesk_routing.model import Event, Profile
from helpdesk_routing.stores import _customer_args as _args
from helpdesk_routing.stores import _sql_customer_data as _data
from helpdesk_routing.stores._sql import Closing

from ._database import DIALECT, Database

_R = TypeVar("_R")

if TYPE_CHECKING:
    import psycopg
    from psycopg_pool import ConnectionPool

__all__ = ["PostgresCustomerData"]


def _write_profiles(conn: psycopg.Connection[Any], profiles: Sequence[Profile]) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO profiles (id, profile) VALUES (%s, %s) "
            "ON CONFLICT (id) DO UPDATE SET profile = EXCLUDED.profile",
            [(p.id, dump_json(p)) for p in profiles],
        )
        cur.execute(
            "DELETE FROM profile_segments WHERE profile_id = ANY(%s)", ([p.id for p in profiles],)
        )
        cur.executemany(
            "INSERT INTO profile_segments (segment, profile_id) VALUES (%s, %s) "
            "ON CONFLICT DO NOTHING",
            [(s, p.id) for p in profiles for s in sorted(p.segments)],
        )


class PostgresCustomerData(_data.SqlCustomerReads, Closing, ProcessBound):
    """A :class:`~helpdesk_routing.ports.CustomerData` in PostgreSQL.

    Takes ``dsn`` or ``pool`` like :class:`PostgresStore` and may share its database.
    Events are indexed on (profile, metric, timestamp), so a windowed count is an
    index range scan; a ``where`` filter is applied to the events of that range only.
    """

    _elsewhere = "open a PostgresCustomerData on the same database in each process"

    def __init__(
        self,
        dsn: str | None = None,
        *,
        pool: ConnectionPool[Any] | None = None,
        profiles: Iterable[Profile] = (),
        events: Iterable[Event] = (),
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        attempts: int = 3,
        min_size: int = 1,
        max_size: int = 4,
    ) -> None:
        self._db = Database(
            "PostgresCustomerData",
            dsn,
            pool,
            timeout=timeout,
            connect_timeout=connect_timeout,
            attempts=attempts,
            min_size=min_size,
            max_size=max_size,
        )
        _data.fill(self, profiles, events)

    _dialect = DIALECT

    def _read(self) -> AbstractContextManager[Any]:
        """A connection for single-statement reads, given back after."""
        return self._db.read()

    def _again(self, read: Callable[[], _R]) -> _R:
        """``read`` run again on a fresh connection when its own was found dead (a
        server restart), up to ``attempts`` times, as a unit of work is."""
        return self._db.read_again(read)

    def add_profiles(self, profiles: Iterable[Profile]) -> None:
        """Add profiles, or replace those with the same ids (events are kept); one transaction."""
        profiles = _args.profiles_arg(profiles)
        if profiles:
            with self._db.unit() as conn:
                _write_profiles(conn, profiles)

    def update_profile(
        self,
        profile_id: str,
        *,
        properties: dict[str, object] | None = None,
        segments: Iterable[str] | None = None,
    ) -> Profile:
        """Merge ``properties`` into the profile (a ``None`` value removes the key) and
        replace its segments when given (a plain string is one segment); an unknown id
        starts an empty profile."""
        profile_id = _args.stored_id(profile_id, "profile_id")
        changes = _args.properties_arg(properties)
        names = _args.segments_arg(segments)
        with self._db.unit() as conn:
            current = _data.select_profile(conn, DIALECT, profile_id, lock=True)
            updated = _data.merge_profile(current, profile_id, changes, names)
            _write_profiles(conn, [updated])
        return updated

    def add_to_segment(self, profile_id: str, segment: str) -> None:
        """Put the profile in ``segment`` (an unknown id starts an empty profile)."""
        profile_id = _args.stored_id(profile_id, "profile_id")
        segment = _args.stored_id(segment, "segment")
        with self._db.unit() as conn:
            current = _data.select_profile(conn, DIALECT, profile_id, lock=True)
            updated = _data.with_segment(current, profile_id, segment)
            if updated is not None:
                _write_profiles(conn, [updated])

    def remove_from_segment(self, profile_id: str, segment: str) -> None:
        """Take the profile out of ``segment`` (nothing happens when it is not in it)."""
        profile_id = _args.stored_id(profile_id, "profile_id")
        segment = _args.stored_id(segment, "segment")
        with self._db.unit() as conn:
            current = _data.select_profile(conn, DIALECT, profile_id, lock=True)
            updated = _data.without_segment(current, segment)
            if updated is not None:
                _write_profiles(conn, [updated])

    def _seed(self, profiles: list[Profile], events: list[Event]) -> None:
        """The constructor's seed (:func:`~helpdesk_routing.stores._sql_customer_data.
        seed`) in one unit; the events' table locked against other writers meanwhile,
        so that processes opening the data at once add each seeded event once."""
        with self._db.unit() as conn:
            if events:
                conn.execute("LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE")
            _data.seed(conn, DIALECT, profiles, events)

    def add_events(self, events: Iterable[Event]) -> None:
        """Record events (in any order of time), all in one transaction."""
        rows = _data.event_rows(DIALECT, events)
        if rows:
            with self._db.unit() as conn, conn.cursor() as cur:
                cur.executemany(_data.INSERT_EVENT.format(p="%s"), rows)

    def record_event(self, event: Event) -> bool:
        """Record an event (the ``EventRecorder`` port); ``False``, recording nothing,
        when an event with the same ``unique_id`` is already recorded. A concurrent
        insert of the same id waits for the other to end on the unique index, then
        inserts nothing: the event is recorded once."""
        (row,) = _data.event_rows(DIALECT, [_args.event_arg(event)])
        with self._db.unit() as conn:
            return conn.execute(_data.INSERT_EVENT.format(p="%s"), row).rowcount == 1

    def __repr__(self) -> str:
        """Where the PostgresCustomerData points (host, database, schema), never its password."""
        return f"PostgresCustomerData({self._db.where})"

    def close(self) -> None:
        """Close the connection pool (not a pool that was passed in)."""
        self._db.close()
