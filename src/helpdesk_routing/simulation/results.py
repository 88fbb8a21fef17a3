"""What a simulation returns: per-ticket records, load and backlog over time, a summary.

Everything is plain data (lists, dicts, frozen dataclasses), so a
:class:`SimulationResult` pickles across processes and machines. Times are seconds
since ``result.start``; ``NaN`` marks what did not happen (a ticket never started).
The summary's statistics are those of :mod:`helpdesk_routing.metrics`, not a copy.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from helpdesk_routing._same_figures import same_fields
from helpdesk_routing._shown import shown
from helpdesk_routing._slots_state import SlotsState
from helpdesk_routing.errors import ValidationError
from helpdesk_routing.metrics import DurationStats, FairnessStats

from ._args import integer
from ._args import shown as shown_number

__all__ = ["SimulationResult", "Summary", "TicketRecords"]


def clock_micros(seconds: float) -> int:
    """The microseconds after the start of the instant the Router's clock was set to at
    ``seconds`` (``start + timedelta(seconds=seconds)``), rounded as ``timedelta``
    rounds: the whole seconds, then the fraction (exact) to the nearest microsecond, half
    to even. ``round(seconds * 1e6)`` rounds a product that has lost digits (from about
    a week on), so a time near half a microsecond could land on the other one."""
    whole = math.floor(seconds)
    return whole * 1_000_000 + round((seconds - whole) * 1e6)


@dataclass(slots=True, repr=False, eq=False)
class TicketRecords(SlotsState):
    """Per-ticket columns, one entry per ticket in creation order.

    ``decided_by`` is the rule id, ``"membership:<tag or segment>"``, or ``None``;
    ``assigned_at`` is when the ticket got its assignee, ``started`` its first response
    (work start), ``resolved`` the end of work, ``closed`` when the ticket closed: at the end
    of work, or when the pending time that followed it ended (``NaN`` while still pending
    when the run ended). A ticket's wait is ``started - created``.

    Records are equal when their columns are, a ``NaN`` (what did not happen) equal to a
    ``NaN`` in the same place; they are not hashable (lists, which change).
    """

    created: list[float] = field(default_factory=list)
    channel: list[str] = field(default_factory=list)
    team: list[str | None] = field(default_factory=list)
    decided_by: list[str | None] = field(default_factory=list)
    assignee: list[str | None] = field(default_factory=list)
    assigned_at: list[float] = field(default_factory=list)
    started: list[float] = field(default_factory=list)
    resolved: list[float] = field(default_factory=list)
    closed: list[float] = field(default_factory=list)

    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return same_fields(self, other)

    def __len__(self) -> int:
        return len(self.created)

    def __repr__(self) -> str:
        return f"<TicketRecords: {len(self):,} tickets>"

    def waits(self, skip: int = 0) -> list[float]:
        """The waits (seconds) of the started tickets, leaving out the first ``skip``.

        A wait is measured between the two instants the Router's clock was set to, to
        the microsecond: a ticket started exactly ten minutes after it arrived waits
        600.0 s, not the 600.0000000000005 s that subtracting seconds since the start can
        leave (which would count a wait equal to the TTFR target as over it). ``skip``
        is a count (an integral number, a numpy integer too) of at least 0: a negative
        one would keep only the last tickets (``ValidationError``).
        """
        skip = integer(skip, "skip")
        if skip < 0:
            raise ValidationError(f"skip must be at least 0, got {shown_number(skip)}")
        return [
            (clock_micros(s) - clock_micros(c)) / 1e6
            for c, s in zip(self.created[skip:], self.started[skip:], strict=True)
            if not math.isnan(s)
        ]


@dataclass(frozen=True, slots=True, eq=False)
class Summary:
    """The figures of one run, the warm-up left out of every one of them.

    The ticket figures are those of the tickets after the warm-up; the time figures are
    over the *measured span*: from the arrival of the first ticket after the warm-up (the
    start, without one) to the end of the last ticket's work, or to the drain's end when
    that cut the run (a pending ticket closing later changes nothing measured).
    ``horizon`` is that span's length in seconds.

    ``ttfr`` is time to first response (= wait) in seconds; ``over_target`` the share of
    started tickets whose wait exceeded the scenario's target; ``per_agent`` tickets
    assigned per agent, with its ``fairness``; ``utilisation`` the share of the span
    each agent was at work (never over 1: work running past the span's end counts up to
    there); ``mean_backlog`` the time-average number of tickets that had arrived and not
    started; ``arrival_rate`` tickets per second (``NaN`` when tickets came in a span of no
    length, 0 when none came).

    Two summaries are equal when their figures are, a ``NaN`` (the TTFR mean of a run
    that started no ticket) equal to a ``NaN`` in the same place: a summary equals its
    pickle. A summary holds dicts, so it is not hashable (``hash(summary)`` raises
    ``TypeError: unhashable type: 'Summary'``).
    """

    tickets: int
    started: int
    resolved: int
    ttfr: DurationStats
    over_target: float
    mean_handling: float
    per_agent: dict[str, int]
    fairness: FairnessStats
    utilisation: dict[str, float]
    mean_utilisation: float
    mean_backlog: float
    arrival_rate: float
    horizon: float
    closed: int = 0
    """Tickets closed by the run's end (``resolved`` counts those whose work ended; a
    ticket pending after work closes later, or not within the run)."""

    # Not hashable, on purpose: the hash a frozen dataclass generates failed inside, on
    # a dict ("unhashable type: 'dict'").
    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return same_fields(self, other)

    def as_dict(self) -> dict[str, float]:
        """The scalar figures as a flat ``name -> number`` mapping."""
        return {
            "tickets": self.tickets,
            "started": self.started,
            "resolved": self.resolved,
            "closed": self.closed,
            "ttfr_mean": self.ttfr.mean,
            "ttfr_median": self.ttfr.median,
            "ttfr_p90": self.ttfr.p90,
            "ttfr_p99": self.ttfr.p99,
            "over_target": self.over_target,
            "mean_handling": self.mean_handling,
            "spread": self.fairness.spread,
            "jain": self.fairness.jain,
            "gini": self.fairness.gini,
            "mean_utilisation": self.mean_utilisation,
            "mean_backlog": self.mean_backlog,
            "arrival_rate": self.arrival_rate,
            "horizon": self.horizon,
        }


@dataclass(slots=True, repr=False, eq=False)
class SimulationResult(SlotsState):
    """One run: the scenario's name, policy and seed, records, samples and busy times.

    ``sample_times`` are the instants (seconds) at which ``backlog`` (tickets arrived
    and not started) and ``load`` (each agent's open and pending tickets) were sampled,
    over the whole run: the k-th at ``k * sample_minutes`` minutes, every one up to
    ``horizon`` (the drain's end when that cut the run) or up to the last event handled
    (a pending close) when that is later. The measured span (see :class:`Summary`) is
    ``[measured_from, horizon]`` in seconds since the start; ``backlog_area`` is the
    integral of the backlog over it, and ``busy`` each agent's seconds at work within it.

    Two results are equal when their data are, a ``NaN`` (a ticket never started) equal
    to a ``NaN`` in the same place (a result equals its pickle, as a sweep's rows from
    other processes equal a serial run's), whether or not either's :attr:`summary` has
    been read; a result is not hashable. The ``repr`` is one line (scenario, policy,
    seed, tickets and the key figures), not the records: :meth:`report` gives more,
    :meth:`to_pandas` every ticket.
    """

    scenario: str
    policy: str
    seed: int
    start: datetime
    horizon: float
    warmup: int
    ttfr_target: float
    agents: tuple[str, ...]
    records: TicketRecords
    busy: dict[str, float]
    sample_times: list[float]
    backlog: list[int]
    load: dict[str, list[int]]
    backlog_area: float
    measured_from: float = 0.0
    # a cache, no part of the data: left out of ==, as it is of the repr
    _summary: Summary | None = field(default=None, compare=False, repr=False)

    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return same_fields(self, other)

    @property
    def summary(self) -> Summary:
        """The summary of the run (computed once)."""
        if self._summary is None:
            self._summary = self._summarise()
        return self._summary

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"<SimulationResult {self.scenario!r} · policy {self.policy} · seed {self.seed}: "
            f"{s.tickets:,} tickets, {s.started:,} started, TTFR mean {_m(s.ttfr.mean)} min, "
            f"p90 {_m(s.ttfr.p90)} min, mean utilisation {_pct(s.mean_utilisation)}>"
        )

    def _summarise(self) -> Summary:
        r = self.records
        skip = self.warmup
        waits = r.waits(skip)
        handled = [
            e - s for s, e in zip(r.started[skip:], r.resolved[skip:], strict=True) if e == e
        ]
        counts = Counter(a for a in r.assignee[skip:] if a is not None)
        per_agent = {a: counts.get(a, 0) for a in self.agents}
        horizon = self.horizon - self.measured_from  # the measured span's length
        utilisation = {a: (self.busy[a] / horizon if horizon > 0 else 0.0) for a in self.agents}
        target = self.ttfr_target
        return Summary(
            tickets=len(r) - min(skip, len(r)),
            started=len(waits),
            resolved=len(handled),
            closed=sum(1 for c in r.closed[skip:] if c == c),
            ttfr=DurationStats.of(waits),
            over_target=(sum(1 for w in waits if w > target) / len(waits)) if waits else math.nan,
            mean_handling=math.fsum(handled) / len(handled) if handled else math.nan,
            per_agent=per_agent,
            fairness=FairnessStats.of(per_agent),
            utilisation=utilisation,
            mean_utilisation=math.fsum(utilisation.values()) / len(utilisation),
            mean_backlog=self.backlog_area / horizon if horizon > 0 else 0.0,
            arrival_rate=_rate(len(r) - min(skip, len(r)), horizon),
            horizon=horizon,
        )

    def report(self) -> str:
        """A short readable report of the summary."""
        s = self.summary
        lines = [
            f"{shown(self.scenario)} · policy {self.policy} · seed {self.seed}",
            f"  tickets {s.tickets}, started {s.started}, resolved {s.resolved}"
            + ("" if s.closed == s.resolved else f", closed {s.closed}"),
            "  time to first response (min): "
            f"mean {_m(s.ttfr.mean)}, median {_m(s.ttfr.median)}, "
            f"p90 {_m(s.ttfr.p90)}, p99 {_m(s.ttfr.p99)}",
            f"  over {self.ttfr_target / 60:g} min: {_pct(s.over_target)}",
            f"  mean backlog {s.mean_backlog:.2f}, mean utilisation {_pct(s.mean_utilisation)}",
            f"  per agent: {', '.join(f'{shown(a)} {n}' for a, n in s.per_agent.items())}",
            f"  fairness: spread {s.fairness.spread}, Jain {s.fairness.jain:.3f}, "
            f"Gini {s.fairness.gini:.3f}",
        ]
        return "\n".join(lines)

    def to_pandas(self) -> Any:
        """The per-ticket records as a DataFrame (extra ``pandas``), times as UTC datetimes.

        Columns: ``created, channel, team, decided_by, assignee, assigned_at, started,
        resolved, closed`` and ``wait`` (a ``Timedelta``). The times are ``datetime64[ns, UTC]``
        (``NaT`` for what did not happen), ``wait`` is ``timedelta64[ns]``, the others are
        ``object`` columns of ``str`` or ``None``, on every pandas and for a run without
        tickets too. Each time is the instant the Router's clock was set to, to the
        microsecond (:func:`clock_micros`; a replayed ticket's ``created`` is its
        ``created_at``), so ``wait`` is :meth:`TicketRecords.waits`' wait.
        """
        from ._extras import require_pandas

        pd = require_pandas("SimulationResult.to_pandas")
        import numpy as np  # pandas' own dependency, there when pandas is

        r = self.records
        origin = pd.Timestamp(self.start)

        # Each column's type is stated, so a run without tickets has the columns (and
        # types) of any other, and replications concatenate cleanly.
        def when(values: list[float]) -> Any:
            # clock_micros over the column: whole seconds, then the exact fraction
            # rounded half to even; integer nanoseconds, NaT for NaN (no float noise
            # below the microsecond, as a float number of seconds gave)
            seconds = np.asarray(values, dtype="float64")
            missing = np.isnan(seconds)
            whole = np.floor(np.where(missing, 0.0, seconds))
            micros = whole.astype("int64") * 1_000_000 + np.rint(
                (np.where(missing, 0.0, seconds) - whole) * 1e6
            ).astype("int64")
            nanos = np.where(missing, np.iinfo("int64").min, micros * 1000)
            return (origin + pd.Series(nanos.view("timedelta64[ns]"))).astype("datetime64[ns, UTC]")

        def text(values: Sequence[str | None]) -> Any:
            return pd.Series(values, dtype="object")  # str or None, on every pandas

        frame = pd.DataFrame(
            {
                "created": when(r.created),
                "channel": text(r.channel),
                "team": text(r.team),
                "decided_by": text(r.decided_by),
                "assignee": text(r.assignee),
                "assigned_at": when(r.assigned_at),
                "started": when(r.started),
                "resolved": when(r.resolved),
                "closed": when(r.closed),
            }
        )
        frame["wait"] = (frame["started"] - frame["created"]).astype("timedelta64[ns]")
        return frame

    def plot(self, path: str | Path | None = None, *, bins: int = 40) -> Any:
        """Draw the wait distribution, the backlog over time and the tickets assigned
        per agent.

        Returns the matplotlib ``Figure`` (extra ``plot``); with ``path`` also saves it
        as PNG there: a path ending in ``.png``, else ``ValidationError`` naming it.
        ``bins``, the wait histogram's, is an integer from 1 to
        :data:`~helpdesk_routing.simulation.plot.MAX_BINS` (1,000), else
        ``ValidationError`` naming ``bins`` and the maximum.
        """
        from .plot import plot_result

        return plot_result(self, path, bins=bins)


_FIGURE_TYPES: dict[str, type[int] | type[float]] = {
    "tickets": int,
    "started": int,
    "resolved": int,
    "closed": int,
    "ttfr_mean": float,
    "ttfr_median": float,
    "ttfr_p90": float,
    "ttfr_p99": float,
    "over_target": float,
    "mean_handling": float,
    "spread": int,
    "jain": float,
    "gini": float,
    "mean_utilisation": float,
    "mean_backlog": float,
    "arrival_rate": float,
    "horizon": float,
}
"""The figures of :meth:`Summary.as_dict`, in its order, with their types: the columns
of a sweep's frame, an empty one's too."""


def _m(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds / 60:.1f}"


def _pct(share: float) -> str:
    return "-" if math.isnan(share) else f"{share:.1%}"


def _rate(count: int, horizon: float) -> float:
    """``count`` tickets per second of ``horizon``: 0 when none came, NaN when some came
    in a span of no length (a rate of no meaning; 0 read as nothing arriving)."""
    if horizon > 0:
        return count / horizon
    return 0.0 if count == 0 else math.nan
