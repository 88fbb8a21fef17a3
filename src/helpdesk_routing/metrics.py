"""Helpdesk metrics: time to first response, load per agent, fairness, AI-agent rates.

The statistics every report shares (:func:`percentile`, :class:`DurationStats`,
:func:`spread`, :func:`jain_index`, :func:`gini` in :class:`FairnessStats`) are those of
``helpdesk_routing._statistics``, given here: the metrics report and the simulator's
summary call these same functions, never a copy.

The report (semantics 7): :func:`report` reads a store's audit log once (or the
figures a store keeps of it as it logs, ``ports.PeriodFigureSource``: the same ones,
see ``helpdesk_routing._report_digest``), with the handoff ledger and the AI agent's
events, into a :class:`Report` (``to_dict``, ``to_pandas``); :func:`summarize` is its
pure part. See ``docs/metrics.md``.
"""

from __future__ import annotations

import importlib
import itertools
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, cast

from helpdesk_routing._audit_scan import AuditFact, fact_rows, scan
from helpdesk_routing._report_digest import PeriodFigures, figures
from helpdesk_routing._same_figures import same_fields
from helpdesk_routing._statistics import (
    DurationStats,
    FairnessStats,
    duration_stats,
    gini,
    jain_index,
    percentile,
    spread,
)
from helpdesk_routing._time import require_aware
from helpdesk_routing.errors import ArgumentTypeError, MissingExtra, ValidationError
from helpdesk_routing.events import DEFAULT_NAMES, EventNames, check_names
from helpdesk_routing.model import Event
from helpdesk_routing.ports import CustomerData, PeriodFigureSource, Store, offers, require_port
from helpdesk_routing.records import AuditRecord

__all__ = [
    "AgentLoad",
    "AiRates",
    "BusinessHours",
    "DurationStats",
    "EventSource",
    "FairnessStats",
    "HandoffSource",
    "Report",
    "gini",
    "jain_index",
    "percentile",
    "report",
    "spread",
    "summarize",
]


class BusinessHours(Protocol):
    """What the report needs of :class:`~helpdesk_routing.calendar.OfficeHours`."""

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Open time between two instants."""
        ...


class EventSource(Protocol):
    """Customer data that can list the events recorded in a period (for the AI rates)."""

    def events_between(self, start: datetime, end: datetime) -> Iterable[Event]:
        """The events with ``start <= timestamp < end``."""
        ...


class HandoffSource(Protocol):
    """A handoff ledger, as the report reads it."""

    def created_between(self, start: datetime, end: datetime) -> Sequence[Any]:
        """The handoffs created in ``[start, end)`` (each with a ``state``)."""
        ...


@dataclass(frozen=True, slots=True)
class AgentLoad:
    """Tickets given to one agent in the period: by round robin, and by a person."""

    automatic: int = 0
    manual: int = 0

    @property
    def total(self) -> int:
        """Every assignment in the period."""
        return self.automatic + self.manual


@dataclass(frozen=True, slots=True)
class AiRates:
    """The AI agent's conversations started in the period, and how many of those were
    resolved and escalated in it; the rates resolved/started and escalated/started (at
    most 1; ``NaN`` when none started)."""

    started: int = 0
    resolved: int = 0
    escalated: int = 0

    @property
    def resolution_rate(self) -> float:
        """Resolved / started."""
        return self.resolved / self.started if self.started else math.nan

    @property
    def handoff_rate(self) -> float:
        """Escalated / started."""
        return self.escalated / self.started if self.started else math.nan


@dataclass(frozen=True, eq=False)
class Report:
    """Helpdesk figures over ``[start, end)``, built by :func:`report` (see ``docs/metrics.md``).

    - ``tickets``: tickets created (routed) in the period. ``ttfr`` / ``ttfr_business``:
      time to first public human reply, in seconds, elapsed and in business time (``None``
      without office hours), over the ``answered`` tickets, never negative (a reply logged
      before the creation, by a clock behind, counts as 0); ``unanswered`` had no reply by
      ``end`` and are left out of the figures. ``within_target``: share of answered
      tickets whose TTFR is at most ``target`` (elapsed; ``..._business`` in business time).
    - ``assigned``: per agent, assignments made in the period, automatic and manual apart.
      ``always_online``: agents Online for all of the period; ``fairness``: spread, Jain
      and Gini of their automatic assignments.
    - ``waiting_unassigned`` / ``waiting_by_team``: open tickets without an assignee at
      ``end``, in Unassigned or in each team's inbox.
    - ``resolution``: creation to first close (seconds) of tickets created and closed in
      the period; ``resolved`` counts them.
    - ``ai`` / ``ai_by_channel``: the AI agent's rates; ``handoffs``: ledger handoffs
      created in the period by final state.

    Two reports are equal when their figures are, a ``NaN`` (the TTFR mean over no
    tickets) equal to a ``NaN`` in the same place: a report equals its pickle. A report
    holds dicts, so it is not hashable (``hash(report)`` raises ``TypeError:
    unhashable type: 'Report'``).
    """

    start: datetime
    end: datetime
    target: timedelta
    tickets: int
    answered: int
    unanswered: int
    ttfr: DurationStats
    ttfr_business: DurationStats | None
    within_target: float
    within_target_business: float | None
    assigned: Mapping[str, AgentLoad]
    always_online: tuple[str, ...]
    fairness: FairnessStats
    waiting_unassigned: int
    waiting_by_team: Mapping[str, int]
    resolved: int
    resolution: DurationStats
    ai: AiRates
    ai_by_channel: Mapping[str, AiRates]
    handoffs: Mapping[str, int] = field(default_factory=dict)

    # Not hashable, on purpose: the hash a frozen dataclass generates failed inside, on
    # a dict ("unhashable type: 'dict'").
    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return same_fields(self, other)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (``NaN`` becomes ``None``, instants ISO 8601)."""

        def num(x: float | None) -> float | None:
            return None if x is None or math.isnan(x) else x

        def stats(s: DurationStats | None) -> dict[str, Any] | None:
            if s is None:
                return None
            return {"count": s.count, **{k: num(getattr(s, k)) for k in _STAT_FIELDS}}

        def rates(r: AiRates) -> dict[str, Any]:
            return {
                "started": r.started,
                "resolved": r.resolved,
                "escalated": r.escalated,
                "resolution_rate": num(r.resolution_rate),
                "handoff_rate": num(r.handoff_rate),
            }

        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "target_seconds": self.target.total_seconds(),
            "tickets": self.tickets,
            "answered": self.answered,
            "unanswered": self.unanswered,
            "ttfr_seconds": stats(self.ttfr),
            "ttfr_business_seconds": stats(self.ttfr_business),
            "within_target": num(self.within_target),
            "within_target_business": num(self.within_target_business),
            "assigned": {
                a: {"automatic": v.automatic, "manual": v.manual, "total": v.total}
                for a, v in sorted(self.assigned.items())
            },
            "always_online": list(self.always_online),
            "fairness": {
                "agents": self.fairness.agents,
                "spread": self.fairness.spread,
                "jain": self.fairness.jain,
                "gini": self.fairness.gini,
            },
            "waiting_unassigned": self.waiting_unassigned,
            "waiting_by_team": dict(sorted(self.waiting_by_team.items())),
            "resolved": self.resolved,
            "resolution_seconds": stats(self.resolution),
            "ai": rates(self.ai),
            "ai_by_channel": {c: rates(r) for c, r in sorted(self.ai_by_channel.items())},
            "handoffs": dict(sorted(self.handoffs.items())),
        }

    def to_pandas(self) -> dict[str, Any]:
        """The report as pandas DataFrames (extra ``pandas``): ``summary`` (figure, value),
        ``agents`` (one row per agent given a ticket or Online all the period),
        ``channels`` (one row per channel), ``teams``."""
        try:
            pd = importlib.import_module("pandas")
        except ImportError as exc:
            raise MissingExtra("Report.to_pandas", "pandas") from exc
        data = self.to_dict()
        summary = {
            k: v
            for k, v in _flatten(data).items()
            if not k.startswith(("assigned", "ai_by", "wait"))
        }
        summary["waiting_unassigned"] = self.waiting_unassigned
        # Every agent the report names: those given tickets, and those Online all the
        # period with none (fairness counts them; round robin passing one over shows).
        online = set(self.always_online)
        none = AgentLoad()
        agents = pd.DataFrame(
            [
                {
                    "agent": a,
                    "automatic": (v := self.assigned.get(a, none)).automatic,
                    "manual": v.manual,
                    "total": v.total,
                    "always_online": a in online,
                }
                for a in sorted(online.union(self.assigned))
            ],
            columns=["agent", "automatic", "manual", "total", "always_online"],
        )
        channels = pd.DataFrame(
            [{"channel": c, **r} for c, r in data["ai_by_channel"].items()],
            columns=[
                "channel",
                "started",
                "resolved",
                "escalated",
                "resolution_rate",
                "handoff_rate",
            ],
        )
        teams = pd.DataFrame(sorted(self.waiting_by_team.items()), columns=["team", "waiting"])
        return {
            "summary": pd.DataFrame(sorted(summary.items()), columns=["figure", "value"]),
            "agents": agents,
            "channels": channels,
            "teams": teams,
        }


_STAT_FIELDS = ("mean", "median", "p90", "p99")


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, f"{name}."))
        elif not isinstance(value, list):
            out[name] = value
    return out


def report(
    store: Store,
    customer_data: CustomerData | EventSource | None,
    start: datetime,
    end: datetime,
    *,
    office_hours: BusinessHours | None = None,
    ledger: HandoffSource | None = None,
    target: timedelta = timedelta(hours=1),
    events: Iterable[Event] | None = None,
    names: EventNames = DEFAULT_NAMES,
) -> Report:
    """The helpdesk report over ``[start, end)``, from the store's audit log (read once),
    the handoff ledger and the AI agent's events.

    ``store`` is a :class:`~helpdesk_routing.ports.Store`. The events come from ``events``
    when given, else from ``customer_data.events_between(start, end)`` when the adapter
    has it (:class:`EventSource`); otherwise (a ``CustomerData`` without it, or
    ``None``) the AI rates count nothing. ``names`` are
    the AI agent's metric names (as recorded). An argument of the wrong kind is an
    ``ArgumentTypeError`` naming it; so is an item of the wrong kind among ``events``,
    or among what ``customer_data.events_between`` or ``ledger.created_between`` return,
    named by where it came from and its index.
    """
    since, until = _period(start, end, office_hours, target)
    check_names(names)
    require_port(store, "store", "transaction", "a Store")
    if customer_data is not None and not (
        callable(getattr(customer_data, "events_between", None))
        or callable(getattr(customer_data, "profile", None))
    ):
        raise ArgumentTypeError(
            "customer_data must be a CustomerData or an EventSource (with events_between), "
            f"or None, got {type(customer_data).__name__}"
        )
    if ledger is not None:
        require_port(ledger, "ledger", "created_between", "a handoff ledger (or None)")
    if events is None:
        lister = getattr(customer_data, "events_between", None)
        events = (
            _events(lister(since, until), "customer_data.events_between(start, end)")
            if callable(lister)
            else ()
        )
    else:
        events = _events(events)
    states = (
        _handoff_states(ledger.created_between(since, until), "ledger.created_between(start, end)")
        if ledger is not None
        else {}
    )
    spans = office_hours is not None
    facts = (
        cast(PeriodFigureSource, store).period_figures(since, until, spans=spans)
        if offers(store, PeriodFigureSource)
        else None
    )
    if facts is None:
        facts = figures(scan(store), since, until, spans=spans)
    return _assemble(
        facts,
        events,
        since,
        until,
        office_hours=office_hours,
        target=target,
        states=states,
        names=names,
    )


def summarize(
    records: Iterable[AuditRecord] | Iterable[Any],
    events: Iterable[Event],
    start: datetime,
    end: datetime,
    *,
    office_hours: BusinessHours | None = None,
    target: timedelta = timedelta(hours=1),
    handoffs: Iterable[Any] = (),
    names: EventNames = DEFAULT_NAMES,
) -> Report:
    """The pure part of :func:`report`: one pass over the audit ``records`` (``seq`` order):
    :class:`~helpdesk_routing.records.AuditRecord` values, or fact rows (tuples in
    ``helpdesk_routing._audit_scan.FACT_COLUMNS`` order, what a store's
    ``audit_facts()`` yields), all of the first one's kind. ``handoffs`` are handoffs
    (each with a ``state``). Its period and options are checked as :func:`report`'s; an
    argument of the wrong kind is an ``ArgumentTypeError`` naming it, or naming an item
    of the wrong kind by its index (``records[3]``: a fact row's fields are read as they
    are, not checked)."""
    start, end = _period(start, end, office_hours, target)
    check_names(names)
    events = _events(events)
    rows = _records(records)
    states = _handoff_states(handoffs, "handoffs")
    return _assemble(
        figures(rows, start, end, spans=office_hours is not None),
        events,
        start,
        end,
        office_hours=office_hours,
        target=target,
        states=states,
        names=names,
    )


_CHUNK = 4096
_FACT_FIELDS = len(AuditFact._fields)
_TUPLE = frozenset({tuple})
_RECORD = frozenset({AuditRecord})


def _records(records: object) -> Iterator[tuple[Any, ...]]:
    """:func:`summarize`'s ``records`` as fact rows, read lazily and checked by kind
    (:class:`_RecordCheck`) a chunk at a time; ``ArgumentTypeError`` when they are no
    iterable."""
    if not isinstance(records, Iterable) or isinstance(records, (str, bytes, Mapping)):
        raise ArgumentTypeError(
            "records must be audit records or fact rows (an iterable), "
            f"got {type(records).__name__}"
        )
    it = iter(records)
    chunks = iter(lambda: tuple(itertools.islice(it, _CHUNK)), ())
    return itertools.chain.from_iterable(map(_RecordCheck(), chunks))


class _RecordCheck:
    """Checks :func:`summarize`'s records a chunk at a time: the first one says whether
    they are AuditRecords or fact rows, and every other must be of its kind.

    A generator checking a record at a time adds a Python step per record (about
    0.2 µs, a seventh of the pass over an ``AuditRecord``): a chunk's types (and a fact
    row's lengths) are gathered in C instead (about 0.05 µs a record), and its items are
    looked at one by one only when the chunk holds one of another type (a subclass, such
    as an ``AuditFact``, or one of the wrong kind, named by its index).
    """

    def __init__(self) -> None:
        self.seen = 0
        self.rows: bool | None = None

    def __call__(self, chunk: tuple[Any, ...]) -> Iterable[tuple[Any, ...]]:
        if self.rows is None:
            self.rows = isinstance(chunk[0], tuple)
        if self.rows:
            if not (set(map(type, chunk)) <= _TUPLE and set(map(len, chunk)) == {_FACT_FIELDS}):
                self._each(chunk)
            self.seen += len(chunk)
            return chunk
        if not set(map(type, chunk)) <= _RECORD:
            self._each(chunk)
        self.seen += len(chunk)
        return fact_rows(chunk)

    def _each(self, chunk: tuple[Any, ...]) -> None:
        for i, item in enumerate(chunk, self.seen):
            kind = type(item).__name__
            if i == 0 and not isinstance(item, (tuple, AuditRecord)):
                raise ArgumentTypeError(
                    "records[0] must be an AuditRecord or a fact row "
                    f"(a tuple of {_FACT_FIELDS} fields), got {kind}"
                )
            if not self.rows:
                if not isinstance(item, AuditRecord):
                    raise ArgumentTypeError(
                        f"records[{i}] must be an AuditRecord, as records[0] is, got {kind}"
                    )
            elif not isinstance(item, tuple):
                raise ArgumentTypeError(
                    f"records[{i}] must be a fact row (a tuple of {_FACT_FIELDS} fields), "
                    f"as records[0] is, got {kind}"
                )
            elif len(item) != _FACT_FIELDS:
                raise ArgumentTypeError(
                    f"records[{i}] must be a fact row of {_FACT_FIELDS} fields, "
                    f"got a tuple of {len(item)}"
                )


_NO_STATE = object()


def _handoff_states(handoffs: object, name: str) -> dict[str, int]:
    """How many of ``handoffs`` are in each state; ``ArgumentTypeError`` naming ``name``
    when they are no iterable, or a handoff without a ``state`` by its index."""
    if not isinstance(handoffs, Iterable) or isinstance(handoffs, (str, bytes, Mapping)):
        raise ArgumentTypeError(
            f"{name} must be handoffs (an iterable), got {type(handoffs).__name__}"
        )
    states: dict[str, int] = {}
    for i, handoff in enumerate(handoffs):
        state = getattr(handoff, "state", _NO_STATE)
        if state is _NO_STATE:
            raise ArgumentTypeError(
                f"{name}[{i}] must be a handoff (with a state), got {type(handoff).__name__}"
            )
        key = str(getattr(state, "value", state))
        states[key] = states.get(key, 0) + 1
    return states


def _period(
    start: datetime, end: datetime, office_hours: BusinessHours | None, target: object
) -> tuple[datetime, datetime]:
    """The period, aware and not empty, and the options that shape the figures, checked:
    first their kinds, each named (``ArgumentTypeError``, a ``TypeError``: text, a
    ``date`` or ``None`` for an instant, a number for the target), then their values
    (``NaiveDatetimeError``, ``ValidationError``: a naive instant, an empty period, a
    negative target)."""
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, datetime):
            raise ArgumentTypeError(
                f"{name} must be an aware datetime, got {type(value).__name__} {value!r}"
            )
    if not isinstance(target, timedelta):
        raise ArgumentTypeError(f"target must be a timedelta, got {type(target).__name__}")
    if office_hours is not None:
        require_port(office_hours, "office_hours", "business_time_between", "OfficeHours (or None)")
    since = require_aware(start, "start")
    until = require_aware(end, "end")
    if until <= since:
        raise ValidationError(f"end must be after start, got {since} .. {until}")
    if target < timedelta(0):
        raise ValidationError(f"target must be a timedelta of at least 0, got {target!r}")
    return since, until


def _events(events: object, name: str = "events") -> Iterator[Event]:
    """``events`` read lazily, each checked to be an :class:`Event` (named by ``name``
    and its index)."""
    if not isinstance(events, Iterable) or isinstance(events, (str, bytes, Mapping)):
        raise ArgumentTypeError(f"{name} must be Events (an iterable), got {type(events).__name__}")
    return _checked(events, name)


def _checked(events: Iterable[object], name: str) -> Iterator[Event]:
    for i, event in enumerate(events):
        if not isinstance(event, Event):
            raise ArgumentTypeError(f"{name}[{i}] must be an Event, got {type(event).__name__}")
        yield event


def _assemble(
    facts: PeriodFigures,
    events: Iterable[Event],
    start: datetime,
    end: datetime,
    *,
    office_hours: BusinessHours | None,
    target: timedelta,
    states: dict[str, int],
    names: EventNames,
) -> Report:
    """The report of the log's figures, the events and the handoffs by state.

    A duration is never negative: a reply (or a close) logged before the ticket's routing
    comes from processes sharing a store whose clocks differ by a few seconds, and counts
    as at once, 0 seconds, elapsed and in business time (the ticket stays answered).
    Both ways of reading the log (the digest and the pass) meet here, so the rule holds
    for either."""
    elapsed = _never_negative(facts.elapsed)
    business: list[float] = []
    if office_hours is not None and facts.spans is not None:
        between = office_hours.business_time_between
        business = [
            between(opened, replied).total_seconds() if replied > opened else 0.0
            for opened, replied in facts.spans
        ]
    limit = target.total_seconds()
    automatic = {a: facts.loads.get(a, [0, 0])[0] for a in facts.always}
    ai, by_channel = _ai_rates(events, start, end, names)

    return Report(
        start=start,
        end=end,
        target=target,
        tickets=facts.tickets,
        answered=len(elapsed),
        unanswered=facts.tickets - len(elapsed),
        ttfr=duration_stats(elapsed),
        ttfr_business=duration_stats(business) if office_hours is not None else None,
        within_target=_share(elapsed, limit),
        within_target_business=_share(business, limit) if office_hours is not None else None,
        assigned={a: AgentLoad(v[0], v[1]) for a, v in facts.loads.items()},
        always_online=facts.always,
        fairness=FairnessStats.of(automatic),
        waiting_unassigned=facts.waiting_unassigned,
        waiting_by_team=facts.waiting_by_team,
        resolved=len(facts.resolution),
        resolution=duration_stats(_never_negative(facts.resolution)),
        ai=ai,
        ai_by_channel=by_channel,
        handoffs=states,
    )


def _never_negative(seconds: list[float]) -> list[float]:
    """``seconds`` with each negative one as 0 (see :func:`_assemble`); the list itself
    when none is, as is usual (one pass in C to tell)."""
    if seconds and min(seconds) < 0:
        return [s if s > 0 else 0.0 for s in seconds]
    return seconds


def _share(values: Sequence[float], limit: float) -> float:
    return sum(1 for v in values if v <= limit) / len(values) if values else math.nan


def _ai_rates(
    events: Iterable[Event], start: datetime, end: datetime, names: EventNames
) -> tuple[AiRates, dict[str, AiRates]]:
    """The AI agent's conversations started in the period, and how many of them were
    resolved or escalated in it, overall and by the channel they started on.

    Conversations, not events: each is known by its ``conversation_id``, an event kind
    of one conversation counts once however often it was recorded, and an outcome counts
    only for a conversation started in the period (one started before it is no part of
    its rates; else they could pass 100%). A start without a conversation id counts as a
    conversation of its own; an outcome without one cannot be matched and is left out.
    """
    # conversation -> when it started and on which channel: its earliest start, whatever
    # order the events come in (a store lists them oldest first, its pages newest first)
    started: dict[str | tuple[str, int], tuple[datetime, str]] = {}
    outcomes: dict[str, set[str]] = {}
    anonymous = 0
    for e in events:
        if not start <= e.timestamp < end:
            continue
        metric = e.metric
        found = e.properties.get("conversation_id")
        conversation = None if found is None else str(found)
        if metric == names.started:
            given = e.properties.get("channel")
            channel = "unknown" if given is None else str(given)
            if conversation is None:
                anonymous += 1
                started[("anonymous", anonymous)] = (e.timestamp, channel)
            else:
                earlier = started.get(conversation)
                # the earliest; of starts at one instant, the channel first in code-point
                # order (the list's order gives none: a store's pages list newest first)
                if earlier is None or (e.timestamp, channel) < earlier:
                    started[conversation] = (e.timestamp, channel)
        elif metric in (names.resolved, names.escalated) and conversation is not None:
            outcomes.setdefault(conversation, set()).add(metric)
    total = [0, 0, 0]
    per: dict[str, list[int]] = {}
    for key, (_, channel) in started.items():
        done = outcomes.get(key, set()) if isinstance(key, str) else set()
        counts = per.setdefault(channel, [0, 0, 0])
        for i, happened in enumerate((True, names.resolved in done, names.escalated in done)):
            if happened:
                total[i] += 1
                counts[i] += 1
    return AiRates(*total), {c: AiRates(*v) for c, v in per.items()}
