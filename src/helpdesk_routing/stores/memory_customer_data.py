"""In-memory customer data: profiles, segments and events, for tests, notebooks and
single-process hosts. It implements the :class:`~helpdesk_routing.ports.CustomerData`
port and is checked by the same contract suite as the SQLite and PostgreSQL adapters.

Each profile's events are kept per metric in a list sorted by timestamp, so a
windowed count bisects to the window (cost grows with log(history)) and applies the
property filter only to the events inside it. Events may arrive in any order; events
with the same timestamp keep their arrival order (an arrival number breaks the tie when
several series are merged), as in the SQL adapters.

Properties are kept in their stored form, what the SQL adapters give back: JSON values,
so a ``datetime`` or ``date`` is kept as its ISO-8601 text and a tuple or set as a list
(text tests then agree on all three adapters; date tests read the text as the same
instant). Arguments are checked as the other adapters check them
(``stores._customer_args``). Reads and writes may come from several threads at once
(one lock).
"""

from __future__ import annotations

import itertools
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import datetime

from helpdesk_routing._process_bound import ProcessBound
from helpdesk_routing._time import require_aware
from helpdesk_routing.errors import StoreError
from helpdesk_routing.model import Event, Profile
from helpdesk_routing.ports import EventFilter
from helpdesk_routing.stores import _customer_args as _args
from helpdesk_routing.stores._sql import CLOSED, Closing

__all__ = ["InMemoryCustomerData"]


_ONE_BY_ONE = 16
"""``add_events`` inserts at most this many events of a series one by one (a bisect and
three list inserts each); more are merged into the series with one sort."""


class InMemoryCustomerData(Closing, ProcessBound):
    """Profiles and events held in memory.

    A context manager with :meth:`close`, as the SQL adapters are: after ``close()``
    every call that would read or write raises
    :class:`~helpdesk_routing.errors.StoreError` (``the store is closed``), as theirs do.

    Example::

        data = InMemoryCustomerData(
            profiles=[Profile(id="p1", properties={"$country": "France"})],
            events=[Event(profile_id="p1", metric="Placed Order", timestamp=t)],
        )
        data.count_events("p1", "Placed Order", start=t - timedelta(hours=2), end=None)
    """

    _elsewhere = (
        "make one in each process from the same seed, or share a SqliteCustomerData or "
        "PostgresCustomerData"
    )

    def __init__(self, profiles: Iterable[Profile] = (), events: Iterable[Event] = ()) -> None:
        self._lock = threading.Lock()
        self._closed = False
        self._profiles: dict[str, Profile] = {}
        # profile id -> metric -> (timestamps, arrival numbers, events), sorted by
        # timestamp (ties in arrival order); the timestamp list is what bisect searches.
        self._events: dict[str, dict[str, tuple[list[datetime], list[int], list[Event]]]] = {}
        self._unique_ids: set[str] = set()
        self._count = 0  # events recorded (read by the repr without the lock: one int)
        self._arrival = itertools.count()
        # each checked, an id listed twice refused, all before any is kept
        self.add_profiles(_args.profiles_arg(profiles, seed=True))
        self.add_events(events)

    def __repr__(self) -> str:
        profiles, events = len(self._profiles), self._count  # no lock: a glance
        closed = ", closed" if self._closed else ""
        return (
            f"<InMemoryCustomerData: {profiles:,} profile{'s' if profiles != 1 else ''}, "
            f"{events:,} event{'s' if events != 1 else ''}{closed}>"
        )

    def close(self) -> None:
        """Refuse every later read or write (``StoreError``), as a closed SQL adapter
        does; a call already running finishes. Nothing else is held: the data stays in
        memory until the object is dropped. Closing twice is harmless."""
        self._closed = True

    def add_profiles(self, profiles: Iterable[Profile]) -> None:
        """Add profiles, or replace those with the same ids (events are kept); all or none."""
        checked = [_args.stored_profile(p) for p in _args.profiles_arg(profiles)]
        if self._closed:
            raise StoreError(CLOSED)
        with self._lock:
            for profile in checked:
                self._profiles[profile.id] = profile

    def add_profile(self, profile: Profile) -> None:
        """Add a profile, or replace the one with the same id (its events are kept)."""
        profile = _args.stored_profile(_args.profile_arg(profile))
        if self._closed:
            raise StoreError(CLOSED)
        with self._lock:
            self._profiles[profile.id] = profile

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
        if self._closed:
            raise StoreError(CLOSED)
        with self._lock:
            updated = _args.merge_profile(
                self._profiles.get(profile_id), profile_id, changes, names
            )
            self._profiles[profile_id] = updated
            return updated

    def add_to_segment(self, profile_id: str, segment: str) -> None:
        """Put the profile in ``segment`` (an unknown id starts an empty profile)."""
        profile_id = _args.stored_id(profile_id, "profile_id")
        segment = _args.stored_id(segment, "segment")
        if self._closed:
            raise StoreError(CLOSED)
        with self._lock:
            current = self._profiles.get(profile_id) or Profile(id=profile_id)
            self._profiles[profile_id] = current.with_segment(segment)

    def remove_from_segment(self, profile_id: str, segment: str) -> None:
        """Take the profile out of ``segment`` (nothing happens when it is not in it)."""
        profile_id = _args.stored_id(profile_id, "profile_id")
        segment = _args.stored_id(segment, "segment")
        if self._closed:
            raise StoreError(CLOSED)
        with self._lock:
            current = self._profiles.get(profile_id)
            if current is not None:
                self._profiles[profile_id] = current.without_segment(segment)

    def segment_members(self, segment: str) -> list[str]:
        """The ids of the profiles in ``segment``, ascending."""
        if not _args.lookup_id(segment, "segment"):
            return []
        if self._closed:
            raise StoreError(CLOSED)
        with self._lock:
            return sorted(p.id for p in self._profiles.values() if segment in p.segments)

    def add_events(self, events: Iterable[Event]) -> None:
        """Record events (in any order of time), as :meth:`add_event` does each; every
        one is checked first, so a bad one records none."""
        checked = [_args.stored_event(e) for e in _args.events_arg(events)]
        if self._closed:
            raise StoreError(CLOSED)
        with self._lock:
            added: dict[tuple[str, str], list[tuple[datetime, int, Event]]] = {}
            for event in checked:
                if self._first_of_its_id(event):
                    added.setdefault((event.profile_id, event.metric), []).append(
                        (event.timestamp, next(self._arrival), event)
                    )
            for (profile_id, metric), new in added.items():
                self._place(profile_id, metric, new)

    def add_event(self, event: Event) -> None:
        """Record an event; it may be older than events already recorded.

        Like :meth:`record_event`, without saying whether it was new.
        """
        self.record_event(event)

    def record_event(self, event: Event) -> bool:
        """Record an event (the ``EventRecorder`` port); ``False``, recording nothing,
        when an event with the same ``unique_id`` is already recorded."""
        event = _args.stored_event(_args.event_arg(event))
        if self._closed:
            raise StoreError(CLOSED)
        with self._lock:
            return self._record(event)

    def _record(self, event: Event) -> bool:
        if not self._first_of_its_id(event):
            return False
        self._place(event.profile_id, event.metric, [(event.timestamp, next(self._arrival), event)])
        return True

    def _first_of_its_id(self, event: Event) -> bool:
        """Whether ``event`` is to be recorded: no ``unique_id``, or one not seen yet
        (which is then remembered)."""
        if event.unique_id is None:
            return True
        if event.unique_id in self._unique_ids:
            return False
        self._unique_ids.add(event.unique_id)
        return True

    def _place(self, profile_id: str, metric: str, new: list[tuple[datetime, int, Event]]) -> None:
        """Put ``new`` (timestamp, arrival, event) triples, in arrival order, into their
        series, kept sorted by time and then arrival (events with the same timestamp keep
        their arrival order). A few are placed one by one (a bisect after every equal
        timestamp, three list inserts); more are merged with one sort: inserting a
        history given newest first one by one moved the whole list every time."""
        self._count += len(new)
        by_metric = self._events.setdefault(profile_id, {})
        stamps, arrivals, events = by_metric.setdefault(metric, ([], [], []))
        if len(new) <= _ONE_BY_ONE:
            for stamp, arrival, event in new:
                index = bisect_right(stamps, stamp)
                stamps.insert(index, stamp)
                arrivals.insert(index, arrival)
                events.insert(index, event)
            return
        merged = sorted(
            [*zip(stamps, arrivals, events, strict=True), *new],
            key=lambda item: (item[0], item[1]),
        )
        stamps[:] = [item[0] for item in merged]
        arrivals[:] = [item[1] for item in merged]
        events[:] = [item[2] for item in merged]

    def profile(self, profile_id: str) -> Profile | None:
        """The profile with this id, or ``None``."""
        if not _args.lookup_id(profile_id, "profile_id"):
            return None
        if self._closed:
            raise StoreError(CLOSED)
        with self._lock:
            return self._profiles.get(profile_id)

    def count_events(
        self,
        profile_id: str,
        metric: str,
        *,
        start: datetime | None,
        end: datetime | None,
        where: EventFilter | None = None,
        limit: int | None = None,
    ) -> int:
        """Count the profile's ``metric`` events with ``start <= timestamp < end`` that
        pass ``where`` (``None`` bounds are open), stopping at ``limit`` when given.
        Bisects; filters only the window."""
        known = _args.lookup_id(profile_id, "profile_id") & _args.lookup_id(metric, "metric")
        if start is not None:
            start = require_aware(start, "start")
        if end is not None:
            end = require_aware(end, "end")
        limit = _args.limit_arg(limit)
        where = _args.where_arg(where)
        if not known or limit == 0:
            return 0
        if self._closed:
            raise StoreError(CLOSED)
        with self._lock:
            series = self._events.get(profile_id, {}).get(metric)
            if series is None:
                return 0
            stamps, _, events = series
            low = 0 if start is None else bisect_left(stamps, start)
            high = len(stamps) if end is None else bisect_left(stamps, end)
            if high <= low:
                return 0
            if where is None:
                return high - low if limit is None else min(high - low, limit)
            # The filter (the condition compiler's pure predicate) runs under the lock,
            # walking the window in place: no copy of it, and with ``limit`` the walk
            # stops at the limit-th match, so at_least(1) costs O(log n + first match).
            found = 0
            for i in range(low, high):
                if where(events[i].properties):
                    found += 1
                    if found == limit:
                        break
            return found

    def events_between(
        self, start: datetime, end: datetime, metrics: Iterable[str] | None = None
    ) -> list[Event]:
        """Every profile's events with ``start <= timestamp < end`` (of ``metrics`` when
        given; a plain string is one metric), oldest first, ties in arrival order: what
        the metrics report reads for the AI agent's rates. Bisects each (profile,
        metric) series to the window."""
        start, end = require_aware(start, "start"), require_aware(end, "end")
        names = _args.names_arg(metrics, "metrics")
        wanted = None if names is None else set(names)
        found: list[tuple[datetime, int, Event]] = []
        if self._closed:
            raise StoreError(CLOSED)
        with self._lock:
            for by_metric in self._events.values():
                for metric, (stamps, arrivals, events) in by_metric.items():
                    if wanted is not None and metric not in wanted:
                        continue
                    low, high = bisect_left(stamps, start), bisect_left(stamps, end)
                    found.extend(
                        zip(stamps[low:high], arrivals[low:high], events[low:high], strict=True)
                    )
        found.sort(key=lambda item: item[:2])
        return [event for _, _, event in found]

    def events(self, profile_id: str, metric: str | None = None) -> list[Event]:
        """The profile's events (of one metric, or all), oldest first, ties in arrival
        order."""
        known = _args.lookup_id(profile_id, "profile_id")
        if metric is not None:
            known &= _args.lookup_id(metric, "metric")
        if not known:
            return []
        if self._closed:
            raise StoreError(CLOSED)
        with self._lock:
            by_metric = self._events.get(profile_id, {})
            if metric is None:
                series = list(by_metric.values())
            else:
                series = [by_metric[metric]] if metric in by_metric else []
            found = [
                item
                for stamps, arrivals, events in series
                for item in zip(stamps, arrivals, events, strict=True)
            ]
        found.sort(key=lambda item: item[:2])
        return [event for _, _, event in found]
