"""The SQLite :class:`~helpdesk_routing.ports.CustomerData`: :class:`SqliteCustomerData`."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Literal

from helpdesk_routing._process_bound import ProcessBound
from helpdesk_routing._sets import dump_json
from helpdesk_routing.model import Event, Profile
from helpdesk_routing.stores import _customer_args as _args
from helpdesk_routing.stores import _sql_customer_data as _data
from helpdesk_routing.stores._sql import (
    Closing,
)
from helpdesk_routing.stores.sqlite.store import _PATH

if TYPE_CHECKING:
    pass

from ._database import DIALECT, Database

__all__ = ["SqliteCustomerData"]


class SqliteCustomerData(_data.SqlCustomerReads, Closing, ProcessBound):
    """A :class:`~helpdesk_routing.ports.CustomerData` in a SQLite file (or ``":memory:"``).

    May share its file with a :class:`SqliteStore`. Events are indexed on
    (profile, metric, timestamp), so a windowed count is an index range scan; a
    ``where`` filter is applied to the events of that range only.

    >>> with SqliteCustomerData(":memory:", profiles=[Profile(id="p1")]) as data:
    ...     data.count_events("p1", "Placed Order", start=None, end=None)
    0
    """

    _elsewhere = "open a SqliteCustomerData on the same file in each process"

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        profiles: Iterable[Profile] = (),
        events: Iterable[Event] = (),
        timeout: float = 30.0,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
    ) -> None:
        self._db = Database(path, timeout, synchronous)
        _data.fill(self, profiles, events)

    def __repr__(self) -> str:
        closed = " (closed)" if self._db._closed else ""
        return f"<SqliteCustomerData {_PATH.repr(self.path)}{closed}>"

    @property
    def path(self) -> str:
        """The database file (``":memory:"`` for a private in-memory database)."""
        return self._db.path

    _dialect = DIALECT

    def _read(self) -> AbstractContextManager[Any]:
        """A connection for single-statement reads, given back after."""
        return self._db.read()

    def add_profiles(self, profiles: Iterable[Profile]) -> None:
        """Add profiles, or replace those with the same ids (events are kept); one transaction."""
        profiles = _args.profiles_arg(profiles)
        if profiles:
            with self._db.write() as conn:
                for p in profiles:
                    self._write_profile(conn, p)

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
        with self._db.write() as conn:
            current = _data.select_profile(conn, DIALECT, profile_id)
            updated = _data.merge_profile(current, profile_id, changes, names)
            self._write_profile(conn, updated)
        return updated

    def add_to_segment(self, profile_id: str, segment: str) -> None:
        """Put the profile in ``segment`` (an unknown id starts an empty profile)."""
        profile_id = _args.stored_id(profile_id, "profile_id")
        segment = _args.stored_id(segment, "segment")
        with self._db.write() as conn:
            current = _data.select_profile(conn, DIALECT, profile_id)
            updated = _data.with_segment(current, profile_id, segment)
            if updated is not None:
                self._write_profile(conn, updated)

    def remove_from_segment(self, profile_id: str, segment: str) -> None:
        """Take the profile out of ``segment`` (nothing happens when it is not in it)."""
        profile_id = _args.stored_id(profile_id, "profile_id")
        segment = _args.stored_id(segment, "segment")
        with self._db.write() as conn:
            current = _data.select_profile(conn, DIALECT, profile_id)
            updated = _data.without_segment(current, segment)
            if updated is not None:
                self._write_profile(conn, updated)

    @staticmethod
    def _write_profile(conn: sqlite3.Connection, p: Profile) -> None:
        conn.execute(
            "INSERT INTO profiles (id, profile) VALUES (?, ?) "
            "ON CONFLICT (id) DO UPDATE SET profile = excluded.profile",
            (p.id, dump_json(p)),
        )
        conn.execute("DELETE FROM profile_segments WHERE profile_id = ?", (p.id,))
        conn.executemany(
            "INSERT INTO profile_segments (segment, profile_id) VALUES (?, ?)",
            [(s, p.id) for s in sorted(p.segments)],
        )

    def _seed(self, profiles: list[Profile], events: list[Event]) -> None:
        """The constructor's seed (:func:`~helpdesk_routing.stores._sql_customer_data.
        seed`), under the file's write lock: processes opening it at once add it once."""
        with self._db.write() as conn:
            _data.seed(conn, DIALECT, profiles, events)

    def add_events(self, events: Iterable[Event]) -> None:
        """Record events (in any order of time), all in one transaction."""
        rows = _data.event_rows(DIALECT, events)
        if rows:
            with self._db.write() as conn:
                conn.executemany(_data.INSERT_EVENT.format(p="?"), rows)

    def record_event(self, event: Event) -> bool:
        """Record an event (the ``EventRecorder`` port); ``False``, recording nothing,
        when an event with the same ``unique_id`` is already recorded (by anyone: the
        unique index decides, under the write lock)."""
        (row,) = _data.event_rows(DIALECT, [_args.event_arg(event)])
        with self._db.write() as conn:
            return conn.execute(_data.INSERT_EVENT.format(p="?"), row).rowcount == 1

    @classmethod
    def _reader(cls, path: str | os.PathLike[str]) -> SqliteCustomerData:
        """The customer data in the file at ``path`` opened read only (what ``report``
        reads), as :meth:`SqliteStore._reader`."""
        data = cls.__new__(cls)
        data._db = Database(path, 30.0, "FULL", read_only=True)
        return data

    def close(self) -> None:
        """Close the connections."""
        self._db.close()
