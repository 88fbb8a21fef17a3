"""Seeded random streams: arrivals, ticket mix, handling and after-work draws.

Each stream has its own ``random.Random`` seeded from the run's seed and the stream's
name (string seeds hash the same in every process), and every ticket draws from each
stream in creation order whatever the policy does. Two policies run on one scenario and
seed therefore see the same tickets, arriving at the same instants, needing the same
work: common random numbers.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from statistics import NormalDist
from zoneinfo import ZoneInfo

from helpdesk_routing.errors import ValidationError
from helpdesk_routing.model import Event

from .scenario import (
    Empirical,
    Exponential,
    Handling,
    PoissonArrivals,
    ReplayArrivals,
    ReplayTicket,
    Scenario,
)

__all__ = ["Arrivals", "Mix", "duration", "replayed", "stream"]

_UNIT = NormalDist()
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def stream(seed: int, name: str) -> random.Random:
    """The seeded stream ``name`` of a run."""
    return random.Random(f"helpdesk-routing/{seed}/{name}")


def duration(dist: Handling, u: float) -> float:
    """Seconds of the distribution at the uniform draw ``u`` in [0, 1) (inverse CDF)."""
    if isinstance(dist, Exponential):
        return -dist.mean_minutes * 60.0 * math.log1p(-u)
    if isinstance(dist, Empirical):
        return dist.minutes[int(u * len(dist.minutes))] * 60.0
    mu = math.log(dist.mean_minutes * 60.0) - dist.sigma**2 / 2
    return math.exp(mu + dist.sigma * _UNIT.inv_cdf(min(max(u, 1e-300), 1 - 1e-16)))


def replayed(scenario: Scenario) -> list[ReplayTicket]:
    """The recorded tickets a replay simulates: those created at or after the start."""
    arrivals = scenario.arrivals
    if not isinstance(arrivals, ReplayArrivals):
        return []
    return [t for t in arrivals.tickets if t.created_at >= scenario.start]


class Arrivals:
    """Arrival instants (seconds after the start), one per :meth:`next`; ``None`` at the end."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self._rng = stream(seed, "arrivals")
        self._t = 0.0
        self._count = 0
        self._limit = scenario.tickets
        # the span's end as the scenario reads it (start + timedelta(days=days), to the
        # microsecond), so a replayed ticket at that very instant, which the scenario
        # counted in the span, is simulated: days * 86400.0 may round below it (0.037)
        self._until = (
            math.inf if scenario.days is None else timedelta(days=scenario.days).total_seconds()
        )
        # Poisson arrivals of a ticket count may draw a span longer than any run may have
        # (the scenario was read with their mean span): past it the run stops, said why.
        self._latest, self._why = math.inf, ""
        if scenario.days is None and isinstance(scenario.arrivals, PoissonArrivals):
            self._latest, self._why = scenario.arrival_limit()
            self._until = self._latest
        self._scenario, self._seed = scenario.name, seed
        self._start = scenario.start
        self._zone = ZoneInfo(scenario.timezone)
        arrivals = scenario.arrivals
        self._replay: list[float] | None = None
        self._rates: tuple[float, ...] = ()
        if isinstance(arrivals, ReplayArrivals):
            self._replay = [
                (r.created_at - self._start).total_seconds() for r in replayed(scenario)
            ]
        elif isinstance(arrivals, PoissonArrivals):  # pragma: no branch
            rates = arrivals.per_hour
            self._rates = rates if isinstance(rates, tuple) else (rates,)
        self._offset = (self._start - _EPOCH).total_seconds()
        # One rate for every hour; a rate so small it is 0 an hour's second (below about
        # 1e-320 an hour) means no arrival in any finite time, not the weekly path.
        self._single = len(self._rates) == 1
        self._per_second = self._rates[0] / 3600.0 if self._single else 0.0

    @property
    def count(self) -> int | None:
        """How many tickets arrive at most, when that is known before they do: the
        scenario's ``tickets``, a replay's length (the fewer of the two); ``None`` for
        Poisson arrivals bounded by ``days`` alone."""
        if self._replay is None:
            return self._limit
        return len(self._replay) if self._limit is None else min(self._limit, len(self._replay))

    @property
    def ended(self) -> float:
        """When the arrivals ended, once :meth:`next` gave ``None``: the last ticket's
        instant when ``tickets`` were counted, or a replay without ``days`` ran out; else
        the end of ``days``, however long before it the last ticket came (a quiet
        weekend, a replay that stops early), so a drain is counted from there."""
        if math.isinf(self._until) or (self._limit is not None and self._count >= self._limit):
            return self._t
        return self._until

    def next(self) -> float | None:
        """The next arrival instant, or ``None`` when the scenario's arrivals are over."""
        if self._limit is not None and self._count >= self._limit:
            return None
        if self._replay is not None:
            if self._count >= len(self._replay):
                return None
            t = self._replay[self._count]
        elif self._single:
            t = self._t + self._rng.expovariate(self._per_second) if self._per_second else math.inf
        else:
            t = self._weekly(self._rng.expovariate(1.0))
        if t > self._until:
            if t > self._latest:
                raise ValidationError(
                    f"scenario {self._scenario!r}, seed {self._seed}: ticket {self._count + 1} "
                    f"of {self._limit} would arrive more than {self._latest / 86400.0:g} days "
                    f"after the start, and {self._why}"
                )
            return None
        self._t = t
        self._count += 1
        return t

    def _weekly(self, budget: float) -> float:
        """Spend ``budget`` units of integrated rate from ``self._t`` through hourly rates.

        The rates are those of the local hours of the week, so each segment ends where the
        local hour does (in a zone half an hour or 45 minutes off UTC, not on a UTC hour).
        When the zone's offset changes before that (a daylight-saving change), the segment
        ends at the next UTC quarter hour, or at the change when that comes first: today's
        changes fall on quarter hours, historical ones at any second (Kolkata's from
        +05:21:10 at 18:38:50 UTC), and up to the change the local hour is the one of the
        segment's start. Ending at the quarter hour first keeps today's draws as they were.
        """
        t = self._t
        while True:
            absolute = self._offset + t
            local = datetime.fromtimestamp(absolute, UTC).astimezone(self._zone)
            offset = local.utcoffset()
            shift = 0.0 if offset is None else offset.total_seconds()
            # whole seconds on both sides (the offsets too): the edge is exact
            boundary = (math.floor((absolute + shift) / 3600.0) + 1) * 3600.0 - shift
            boundary -= self._offset
            ahead = datetime.fromtimestamp(self._offset + boundary, UTC).astimezone(self._zone)
            if ahead.utcoffset() != offset:
                quarter = (math.floor(absolute / 900.0) + 1) * 900.0
                boundary = self._change(absolute, quarter, offset) - self._offset
            if boundary <= t:  # a float's rounding at the very edge of an hour
                boundary = math.nextafter(t, math.inf)
            rate = self._rates[local.weekday() * 24 + local.hour] / 3600.0
            room = rate * (boundary - t)
            if rate > 0 and budget <= room:
                return t + budget / rate
            budget -= room
            t = boundary
            if t > self._until:
                return t

    def _change(self, absolute: float, quarter: float, offset: timedelta | None) -> float:
        """``quarter`` (seconds since the epoch) if the zone's offset is still ``offset``
        there, else the first whole second after ``absolute`` at which it is not.

        Offset changes fall on whole seconds; one within the quarter hour is found by
        bisection, a dozen look-ups at most.
        """
        zone = self._zone
        if datetime.fromtimestamp(quarter, UTC).astimezone(zone).utcoffset() == offset:
            return quarter
        low, high = math.floor(absolute), int(quarter)  # offset at low, another at high
        while high - low > 1:
            middle = (low + high) // 2
            if datetime.fromtimestamp(middle, UTC).astimezone(zone).utcoffset() == offset:
                low = middle
            else:
                high = middle
        return float(high)


class Mix:
    """Draws each ticket's channel, tags, profile and customer events from the mix stream."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        mix = scenario.mix
        self._rng = stream(seed, "mix")
        self._replay = replayed(scenario) if isinstance(scenario.arrivals, ReplayArrivals) else None
        self._channels = list(mix.channels)
        self._channel_cum = list(accumulate(mix.channels.values()))
        self._tags = sorted(mix.tags.items())
        self._profiles: list[str | None] = [None, *mix.profiles]
        self._profile_cum = list(accumulate([mix.no_profile, *mix.profiles.values()]))
        self._events = mix.events
        self._start = scenario.start
        self.trivial = (
            self._replay is None
            and len(self._channels) == 1
            and not self._tags
            and not mix.profiles
            and not self._events
        )

    def draw_channel(self) -> str:
        """The one channel of a trivial mix (no draw needed)."""
        return self._channels[0]

    def draw(
        self, index: int, created: float
    ) -> tuple[str, frozenset[str], str | None, list[Event]]:
        """Channel, tags, profile id and the customer events recorded just before it."""
        rng = self._rng
        if self._replay is not None:
            row = self._replay[index]
            channel, tags, profile = row.channel, row.tags, row.profile_id
        else:
            channel = self._channels[
                bisect_right(self._channel_cum, rng.random() * self._channel_cum[-1])
            ]
            tags = frozenset(t for t, p in self._tags if rng.random() < p)
            pick = bisect_right(self._profile_cum, rng.random() * self._profile_cum[-1])
            profile = self._profiles[min(pick, len(self._profiles) - 1)]
        events = []
        for spec in self._events:
            happened, back = rng.random() < spec.probability, rng.random()
            if happened and profile is not None:
                at = created - back * spec.within_hours * 3600.0
                events.append(
                    Event(
                        profile_id=profile,
                        metric=spec.metric,
                        timestamp=self._at(at),
                        properties=dict(spec.properties),
                    )
                )
        return channel, tags, profile, events

    def _at(self, seconds: float) -> datetime:
        return self._start + timedelta(seconds=seconds)
