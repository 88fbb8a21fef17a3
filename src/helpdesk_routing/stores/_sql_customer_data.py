"""The :class:`~helpdesk_routing.ports.CustomerData` logic both SQL adapters share:
reading profiles and events, changing a profile, written once for a
:class:`~helpdesk_routing.stores._sql.Dialect`. Writing profiles and events stays in each
adapter (batching differs).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, ClassVar, Protocol, TypeVar

import pydantic_core

from helpdesk_routing._sets import dump_json
from helpdesk_routing._storable import json_form
from helpdesk_routing._stored import STORED
from helpdesk_routing._time import require_aware
from helpdesk_routing.model import Event, Profile
from helpdesk_routing.ports import EventWhere
from helpdesk_routing.stores import _customer_args as _args
from helpdesk_routing.stores._customer_args import merge_profile
from helpdesk_routing.stores._event_where import push_down
from helpdesk_routing.stores._sql import Connection, Dialect, Reader

__all__ = [
    "INSERT_EVENT",
    "SqlCustomerReads",
    "count_events",
    "event_rows",
    "fill",
    "merge_profile",
    "properties_json",
    "select_events",
    "select_profile",
    "select_segment_members",
    "with_segment",
    "without_segment",
]


class _Filling(Protocol):
    def _seed(self, profiles: list[Profile], events: list[Event]) -> None: ...

    def close(self) -> None: ...


def fill(data: _Filling, profiles: Iterable[Profile], events: Iterable[Event]) -> None:
    """Seed a new adapter with ``profiles`` and ``events`` (all checked before any is
    stored, then written in one unit: :func:`seed`); close it if that fails."""
    try:
        checked_profiles = _args.profiles_arg(profiles, seed=True)
        checked_events = _args.events_arg(events)
        if checked_profiles or checked_events:
            data._seed(checked_profiles, checked_events)
    except BaseException:
        data.close()
        raise


def seed(conn: Any, d: Dialect, profiles: Sequence[Profile], events: Sequence[Event]) -> None:
    """Write a seed, inside the caller's unit of work, so that opening the adapter again
    with the same seed (a service restarting) changes nothing, as the stores' ``agents``
    seed does: a profile whose id is stored is kept as it is (what ``update_profile``
    changed since stays), and an event is added only as many times as the seed lists it
    beyond the equal events stored (same profile, metric, instant and properties, no
    ``unique_id``; one with a ``unique_id`` is added once, as ever). The caller holds
    the events' writes to itself meanwhile (two processes seeding at once add once)."""
    p = d.param
    for profile in profiles:
        added = conn.execute(
            f"INSERT INTO profiles (id, profile) VALUES ({p}, {p}) ON CONFLICT (id) DO NOTHING",
            (profile.id, dump_json(profile)),
        ).rowcount
        if added == 1:
            for segment in sorted(profile.segments):
                conn.execute(
                    f"INSERT INTO profile_segments (segment, profile_id) VALUES ({p}, {p}) "
                    "ON CONFLICT DO NOTHING",
                    (segment, profile.id),
                )
    rows = event_rows(d, events)
    if not rows:
        return
    insert = INSERT_EVENT.format(p=p)
    if conn.execute("SELECT 1 FROM events LIMIT 1").fetchone() is None:
        conn.cursor().executemany(insert, rows)  # the first start: nothing to compare with
        return
    # An event's properties are compared as JSON values, whatever the order their keys
    # were written in (a dict built another way is the same event); true is not 1.
    wanted: dict[tuple[Any, ...], list[Any]] = {}
    for row in rows:
        key = (*row[:3], _canonical(row[3]), row[4])
        wanted.setdefault(key, []).append(row)
    stored = _stored_alike(conn, p, [key[:3] for key in wanted if key[4] is None])
    added = []
    for key, same in wanted.items():
        count = len(same) - (stored.get(key[:4], 0) if key[4] is None else 0)
        added += same[: max(count, 0)]
    conn.cursor().executemany(insert, added)


_TRIPLES_A_QUERY = 300
"""How many (profile, metric, instant) a query of stored events asks for at once (three
parameters each: under SQLite's oldest limit of 999 a statement)."""


def _stored_alike(conn: Any, p: str, triples: list[tuple[Any, ...]]) -> dict[tuple[Any, ...], int]:
    """How many events with no ``unique_id`` are stored for each (profile, metric,
    instant, canonical properties) among ``triples`` (distinct), a few hundred triples
    a query rather than a round trip each."""
    counts: dict[tuple[Any, ...], int] = {}
    for start in range(0, len(triples), _TRIPLES_A_QUERY):
        chunk = triples[start : start + _TRIPLES_A_QUERY]
        values = ", ".join([f"({p}, {p}, {p})"] * len(chunk))
        found = conn.execute(
            "SELECT profile_id, metric, ts, properties FROM events "
            f"WHERE unique_id IS NULL AND (profile_id, metric, ts) IN (VALUES {values})",
            [value for triple in chunk for value in triple],
        ).fetchall()
        for profile_id, metric, ts, text in found:
            key = (profile_id, metric, ts, _canonical(text))
            counts[key] = counts.get(key, 0) + 1
    return counts


def _canonical(text: str) -> str:
    """JSON text written one way: keys sorted, no spaces, a whole number one way whether
    written ``1`` or ``1.0`` (one number, as conditions compare them; ``true`` stays
    ``true``)."""
    return json.dumps(json.loads(text, parse_float=_number), sort_keys=True, separators=(",", ":"))


def _number(text: str) -> float | int:
    """A JSON number written with a fraction or an exponent, as the ``int`` it equals
    when it is whole (``1.0`` is ``1``, ``-0.0`` is ``0``)."""
    value = float(text)
    return int(value) if value.is_integer() else value


def properties_json(event: Event) -> str:
    """An event's properties as JSON text (what a ``where`` filter is given back)."""
    return pydantic_core.to_json(json_form(event.properties)).decode()  # a set sorted


def with_segment(current: Profile | None, profile_id: str, segment: str) -> Profile | None:
    """``current`` (or a new empty profile) in ``segment``; ``None`` if it already was."""
    if current is None:
        return Profile(id=profile_id).with_segment(segment)
    updated = current.with_segment(segment)
    return None if updated is current else updated


def without_segment(current: Profile | None, segment: str) -> Profile | None:
    """``current`` out of ``segment``; ``None`` if there is nothing to change."""
    if current is None:
        return None
    updated = current.without_segment(segment)
    return None if updated is current else updated


def select_profile(
    conn: Connection, d: Dialect, profile_id: str, *, lock: bool = False
) -> Profile | None:
    """The stored profile, or ``None``; ``lock``: row-locked until the unit of work ends."""
    sql = f"SELECT profile FROM profiles WHERE id = {d.param}"
    row = conn.execute(sql + d.lock if lock else sql, (profile_id,)).fetchone()
    return None if row is None else Profile.model_validate_json(row[0], context=STORED)


def select_segment_members(read: Reader, d: Dialect, segment: str) -> list[str]:
    """The ids of the profiles in ``segment``, ascending."""
    if not _args.lookup_id(segment, "segment"):
        return []
    with read() as conn:
        rows = conn.execute(
            f"SELECT profile_id FROM profile_segments WHERE segment = {d.param} "
            "ORDER BY profile_id",
            (segment,),
        ).fetchall()
    return [row[0] for row in rows]


INSERT_EVENT = (
    "INSERT INTO events (profile_id, metric, ts, properties, unique_id) "
    "VALUES ({p}, {p}, {p}, {p}, {p}) ON CONFLICT DO NOTHING"
)
"""The insert of one event row (``format(p=dialect.param)``): an event whose
``unique_id`` is stored already is not inserted (the ``EventRecorder`` rule)."""


def event_rows(d: Dialect, events: Iterable[Event]) -> list[tuple[str, str, Any, str, str | None]]:
    """The ``events`` rows ``(profile_id, metric, ts, properties, unique_id)`` to insert
    (every item checked as an ``Event`` first: ``ArgumentTypeError`` naming it)."""
    return [
        (e.profile_id, e.metric, d.to_db(e.timestamp), properties_json(e), e.unique_id)
        for e in _args.events_arg(events)
    ]


def select_events_between(
    read: Reader, d: Dialect, start: datetime, end: datetime, metrics: Iterable[str] | None
) -> list[Event]:
    """Every profile's events with ``start <= ts < end`` (of ``metrics`` when given),
    oldest first (ties in arrival order); a plain string is one metric."""
    names = _args.names_arg(metrics, "metrics")
    sql = (
        "SELECT profile_id, metric, ts, properties, unique_id FROM events "
        f"WHERE ts >= {d.param} AND ts < {d.param}"
    )
    params: list[Any] = [d.to_db(start), d.to_db(end)]
    if names is not None:
        names = [n for n in names if _args.lookup_id(n, "metrics")]
        if not names:
            return []
        sql += f" AND metric IN ({', '.join([d.param] * len(names))})"
        params.extend(names)
    with read() as conn:
        rows = conn.execute(f"{sql} ORDER BY ts, {d.arrival}", params).fetchall()
    return [
        Event(
            profile_id=pid,
            metric=m,
            timestamp=d.from_db(ts),
            properties=json.loads(props),
            unique_id=unique_id,
        )
        for pid, m, ts, props, unique_id in rows
    ]


def select_events(read: Reader, d: Dialect, profile_id: str, metric: str | None) -> list[Event]:
    """The profile's events (of one metric, or all), oldest first (ties in arrival order)."""
    known = _args.lookup_id(profile_id, "profile_id")
    if metric is not None:
        known &= _args.lookup_id(metric, "metric")
    if not known:
        return []
    sql = f"SELECT metric, ts, properties, unique_id FROM events WHERE profile_id = {d.param}"
    params: list[Any] = [profile_id]
    if metric is not None:
        sql += f" AND metric = {d.param}"
        params.append(metric)
    with read() as conn:
        rows = conn.execute(f"{sql} ORDER BY ts, {d.arrival}", params).fetchall()
    return [
        Event(
            profile_id=profile_id,
            metric=m,
            timestamp=d.from_db(ts),
            properties=json.loads(props),
            unique_id=unique_id,
        )
        for m, ts, props, unique_id in rows
    ]


def count_events(
    read: Reader,
    d: Dialect,
    profile_id: str,
    metric: str,
    start: datetime | None,
    end: datetime | None,
    where: Callable[[Mapping[str, Any]], bool] | None,
    limit: int | None = None,
) -> int:
    """Count the profile's ``metric`` events in ``[start, end)`` that pass ``where``,
    stopping at ``limit`` (the answer is then ``min(count, limit)``).

    The window is an index range scan. With ``limit`` the database stops there too (a
    count over a ``LIMIT``ed subquery). A ``where`` that is an ``EventWhere`` has the
    clauses it can state exactly pushed into the query (``_event_where``); any other
    filter, or a clause that cannot be pushed, runs in Python on the rows the query
    lets through, which stop being read once ``limit`` of them passed.
    """
    known = _args.lookup_id(profile_id, "profile_id") & _args.lookup_id(metric, "metric")
    bounds = f"profile_id = {d.param} AND metric = {d.param}"
    params: list[Any] = [profile_id, metric]
    if start is not None:
        bounds += f" AND ts >= {d.param}"
        params.append(d.to_db(require_aware(start, "start")))
    if end is not None:
        bounds += f" AND ts < {d.param}"
        params.append(d.to_db(require_aware(end, "end")))
    limit = _args.limit_arg(limit)
    where = _args.where_arg(where)
    if not known or limit == 0:
        return 0
    source = "events"
    rest = where is not None
    if isinstance(where, EventWhere):
        pushed, rest = push_down(d.family, where.clauses)
        if pushed:
            bounds += "".join(f" AND {p}" for p in pushed)
            if d.family == "postgres":
                source = "events, LATERAL (SELECT properties::json AS p) j0"
    if not rest:
        inner = f"SELECT 1 FROM {source} WHERE {bounds}"
        if limit is not None:
            inner += f" LIMIT {d.param}"
            params.append(limit)
        with read() as conn:
            row = conn.execute(f"SELECT count(*) FROM ({inner}) counted", params).fetchone()
        return int(row[0])
    assert where is not None
    found = 0
    with read() as conn:
        cursor = conn.execute(f"SELECT properties FROM {source} WHERE {bounds}", params)
        while found != limit:
            row = cursor.fetchone()
            if row is None:
                break
            if where(json.loads(row[0])):
                found += 1
    return found


_R = TypeVar("_R")


class SqlCustomerReads(ABC):
    """What both SQL :class:`~helpdesk_routing.ports.CustomerData` adapters read the
    same way: through the adapter's read connections (:meth:`_read`) in its
    :attr:`_dialect`. ``add_event`` and ``add_profile`` go through the adapter's own
    batch writes."""

    _dialect: ClassVar[Dialect]

    @abstractmethod
    def _read(self) -> AbstractContextManager[Connection]:
        """A connection for single-statement reads, given back after."""

    def _again(self, read: Callable[[], _R]) -> _R:
        """Run ``read`` (a read through :meth:`_read`); an adapter whose connections may
        be found dead (PostgreSQL's, after a server restart) runs it again on a fresh one."""
        return read()

    @abstractmethod
    def add_profiles(self, profiles: Iterable[Profile]) -> None:
        """Add profiles, or replace those with the same ids; one transaction."""

    @abstractmethod
    def add_events(self, events: Iterable[Event]) -> None:
        """Record events; one transaction."""

    def add_profile(self, profile: Profile) -> None:
        """Add a profile, or replace the one with the same id (its events are kept)."""
        self.add_profiles([_args.profile_arg(profile)])

    def add_event(self, event: Event) -> None:
        """Record an event; it may be older than events already recorded."""
        self.add_events([_args.event_arg(event)])

    def events(self, profile_id: str, metric: str | None = None) -> list[Event]:
        """The profile's events (of one metric, or all), oldest first (ties in arrival order)."""
        return self._again(lambda: select_events(self._read, self._dialect, profile_id, metric))

    def events_between(
        self, start: datetime, end: datetime, metrics: Iterable[str] | None = None
    ) -> list[Event]:
        """Every profile's events with ``start <= timestamp < end`` (of ``metrics`` when
        given), oldest first: what the metrics report reads for the AI agent's rates."""
        start, end = require_aware(start, "start"), require_aware(end, "end")
        return self._again(
            lambda: select_events_between(self._read, self._dialect, start, end, metrics)
        )

    def profile(self, profile_id: str) -> Profile | None:
        """The profile with this id, or ``None``."""
        if not _args.lookup_id(profile_id, "profile_id"):
            return None
        return self._again(lambda: self._select_profile(profile_id))

    def _select_profile(self, profile_id: str) -> Profile | None:
        with self._read() as conn:
            return select_profile(conn, self._dialect, profile_id)

    def segment_members(self, segment: str) -> list[str]:
        """The ids of the profiles in ``segment``, ascending."""
        return self._again(lambda: select_segment_members(self._read, self._dialect, segment))

    def count_events(
        self,
        profile_id: str,
        metric: str,
        *,
        start: datetime | None,
        end: datetime | None,
        where: Callable[[Mapping[str, Any]], bool] | None = None,
        limit: int | None = None,
    ) -> int:
        """Count the profile's ``metric`` events in ``[start, end)`` that pass ``where``
        (up to ``limit``)."""
        return self._again(
            lambda: count_events(
                self._read, self._dialect, profile_id, metric, start, end, where, limit
            )
        )
