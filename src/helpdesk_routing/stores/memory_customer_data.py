"""In-memory customer data: profiles, segments and events, for tests, notebooks and
single-process hosts. It implements the :class:`~helpdesk_routing.ports.CustomerData`
port and is checked by the same contract suite as the SQLite and PostgreSQL adapters.

Each profile's events are kept per metric in a list sorted by timestamp, so a
windowed count bisects to the window (cost grows with log(history)) and applies the
property filter only to the events inside it. Events may arrive in any order.
Reads and writes may come from several threads at once (one lock).
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import datetime

from helpdesk_routing._time import require_aware
from helpdesk_routing.model import Event, Profile
from helpdesk_routing.ports import EventFilter

__all__ = ["InMemoryCustomerData"]


class InMemoryCustomerData:
    """Profiles and events held in memory.

    Example::

        data = InMemoryCustomerData(
            profiles=[Profile(id="p1", properties={"$country": "France"})],
            events=[Event(profile_id="p1", metric="Placed Order", timestamp=t)],
        )
        data.count_events("p1", "Placed Order", start=t - timedelta(hours=2), end=None)
    """

    def __init__(self, profiles: Iterable[Profile] = (), events: Iterable[Event] = ()) -> None:
        self._lock = threading.Lock()
        self._profiles: dict[str, Profile] = {}
        # profile id -> metric -> (timestamps, events), both sorted by timestamp;
        # the parallel timestamp list is what bisect searches.
        self._events: dict[str, dict[str, tuple[list[datetime], list[Event]]]] = {}
        self._unique_ids: set[str] = set()
        for profile in profiles:
            self.add_profile(profile)
        for event in events:
            self.add_event(event)

    def add_profile(self, profile: Profile) -> None:
        """Add a profile, or replace the one with the same id (its events are kept)."""
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
        replace its segments when given; an unknown id starts an empty profile."""
        with self._lock:
            current = self._profiles.get(profile_id) or Profile(id=profile_id)
            merged = dict(current.properties)
            for key, value in (properties or {}).items():
                if value is None:
                    merged.pop(key, None)
                else:
                    merged[key] = value
            updated = Profile(
                id=profile_id,
                properties=merged,
                segments=frozenset(segments) if segments is not None else current.segments,
            )
            self._profiles[profile_id] = updated
            return updated

    def add_to_segment(self, profile_id: str, segment: str) -> None:
        """Put the profile in ``segment`` (an unknown id starts an empty profile)."""
        with self._lock:
            current = self._profiles.get(profile_id) or Profile(id=profile_id)
            self._profiles[profile_id] = current.model_copy(
                update={"segments": current.segments | {segment}}
            )

    def remove_from_segment(self, profile_id: str, segment: str) -> None:
        """Take the profile out of ``segment`` (nothing happens when it is not in it)."""
        with self._lock:
            current = self._profiles.get(profile_id)
            if current is not None and segment in current.segments:
                self._profiles[profile_id] = current.model_copy(
                    update={"segments": current.segments - {segment}}
                )

    def add_events(self, events: Iterable[Event]) -> None:
        """Record events (in any order of time), as :meth:`add_event` does each."""
        for event in events:
            self.record_event(event)

    def add_event(self, event: Event) -> None:
        """Record an event; it may be older than events already recorded.

        Like :meth:`record_event`, without saying whether it was new.
        """
        self.record_event(event)

    def record_event(self, event: Event) -> bool:
        """Record an event (the ``EventRecorder`` port); ``False``, recording nothing,
        when an event with the same ``unique_id`` is already recorded."""
        with self._lock:
            if event.unique_id is not None:
                if event.unique_id in self._unique_ids:
                    return False
                self._unique_ids.add(event.unique_id)
            by_metric = self._events.setdefault(event.profile_id, {})
            stamps, events = by_metric.setdefault(event.metric, ([], []))
            # insort_right on the timestamps: after every equal one, so events with
            # the same timestamp keep their arrival order.
            index = bisect_right(stamps, event.timestamp)
            stamps.insert(index, event.timestamp)
            events.insert(index, event)
            return True

    def profile(self, profile_id: str) -> Profile | None:
        """The profile with this id, or ``None``."""
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
        if start is not None:
            start = require_aware(start, "start")
        if end is not None:
            end = require_aware(end, "end")
        with self._lock:
            series = self._events.get(profile_id, {}).get(metric)
            if series is None:
                return 0
            stamps, events = series
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
        given), oldest first: what the metrics report reads for the AI agent's rates.
        Bisects each (profile, metric) series to the window."""
        start, end = require_aware(start, "start"), require_aware(end, "end")
        wanted = None if metrics is None else set(metrics)
        found: list[Event] = []
        with self._lock:
            for by_metric in self._events.values():
                for metric, (stamps, events) in by_metric.items():
                    if wanted is not None and metric not in wanted:
                        continue
                    found.extend(events[bisect_left(stamps, start) : bisect_left(stamps, end)])
        return sorted(found, key=lambda e: e.timestamp)

    def events(self, profile_id: str, metric: str | None = None) -> list[Event]:
        """The profile's events (of one metric, or all), oldest first."""
        with self._lock:
            by_metric = self._events.get(profile_id, {})
            series = [by_metric[metric]] if metric in by_metric else []
            if metric is None:
                series = list(by_metric.values())
            found = [event for _, events in series for event in events]
        return sorted(found, key=lambda e: e.timestamp)
