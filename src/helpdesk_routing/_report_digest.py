"""What the metrics report needs of an audit log, kept as the log grows.

The report (``metrics.report``) reads a log into a few per-period figures
(:class:`PeriodFigures`): the tickets created in the period, each answered one's time
to first response, each closed one's time to resolution, the assignments per agent, the
agents Online throughout, and the tickets waiting at the end. :func:`figures` computes
them in one pass over the log's fact rows (``_audit_scan``), whatever the store.

A :class:`ReportDigest` keeps them ready instead. The in-memory store feeds it every
committed record, in ``seq`` order (:meth:`ReportDigest.take`): it notes each ticket's
routing, and on its first public reply and its first close the durations themselves,
so most of the report's work is done once, as the log is written, and a report is a
binary search and a few list passes in C (:meth:`ReportDigest.period`). The digest
answers exactly what :func:`figures` would over the same log (held equal by
``tests/metrics/test_report_digest.py``):

- for any period that ends after the log's latest record (a report "up to now");
- for a period that ends earlier, when the log is in time order (every record at or
  after the one before it, as a log written as time passes is) and at most a quarter of
  it comes at or after the end: the tickets of those later records are read from their
  own records before the end, and the rest from the digest.

Otherwise it declines (``None``) and the caller reads the log with :func:`figures`: a
log out of time order (a clock set back) cannot be cut at an instant, and when more of
the log is later, one pass over it costs about as much. Records out of time order are still
taken as they come, and a period that ends after them all is cut by a pass over the
times instead of a binary search. A ticket routed more than once is rare (a reroute is
its own action); its figures depend on where the period starts, so the digest keeps no
durations for it and reads its own records at report time.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain, compress
from operator import attrgetter
from typing import Any

from helpdesk_routing._slots_state import SlotsState
from helpdesk_routing.records import AuditRecord

__all__ = ["PeriodFigures", "ReportDigest", "figures"]

_CLOSED = "closed"
_CLOSING = frozenset({"status", "rerouted"})
"""The actions that may close a ticket: a status change, or a reroute whose new content
is closed (``Router.reroute(ticket=...)``)."""
_OPEN = "open"
_NOWHERE = (None, None, _OPEN)  # where a ticket stands before its first record

Span = tuple[datetime, datetime]
_AT = attrgetter("at")


@dataclass(slots=True)
class PeriodFigures(SlotsState):
    """The audit log's part of a report over ``[start, end)``.

    ``tickets``: tickets created (routed) in the period. ``elapsed``: seconds from
    creation to the first public reply, one per answered ticket; ``spans`` the same
    tickets' (creation, reply) instants when asked for (business time), else ``None``.
    ``resolution``: seconds from creation to the first close, per closed ticket.
    ``loads``: agent -> [automatic, manual] assignments in the period. ``always``: the
    agents Online at the start (their last change at or before it) with no presence
    change after it in the period, sorted.
    ``waiting_unassigned`` / ``waiting_by_team``: open tickets without an assignee at
    the end (no team / per team, only teams with some). Lists are in no set order.
    """

    tickets: int
    elapsed: list[float]
    spans: list[Span] | None
    resolution: list[float]
    loads: dict[str, list[int]]
    always: tuple[str, ...]
    waiting_unassigned: int
    waiting_by_team: dict[str, int]


def _always(online_at_start: dict[str, bool], changed: set[str]) -> tuple[str, ...]:
    return tuple(sorted(a for a, on in online_at_start.items() if on and a not in changed))


def figures(
    rows: Iterable[tuple[Any, ...]], start: datetime, end: datetime, *, spans: bool
) -> PeriodFigures:
    """One pass over fact rows (``_audit_scan.FACT_COLUMNS`` order, ``seq`` order).

    A row's ``at`` may be ISO 8601 text; ``public`` a flag, or a record's ``detail``
    mapping (``_audit_scan.fact_rows``). Records at or after ``end`` are skipped, not
    taken as the end of the log (a clock set back may log out of order).
    """
    created: dict[str, datetime] = {}  # tickets created in the period -> creation
    # Every routed ticket's first public reply and first close, whenever it was routed:
    # a ticket routed before the period, answered and routed again in it keeps its
    # reply (the answer must not depend on where the period starts).
    routed: set[str] = set()
    first_reply: dict[str, datetime] = {}
    closed: dict[str, datetime] = {}
    # team, assignee, status at end (a TicketStatus from records, a str from facts: equal)
    where: dict[str, tuple[str | None, str | None, str]] = {}
    loads: dict[str, list[int]] = {}
    online_at_start: dict[str, bool] = {}
    changed_in_period: set[str] = set()
    parse = datetime.fromisoformat
    for at, action, tid, agent, online, team, assignee, status, automatic, public in rows:
        if type(at) is str:
            at = parse(at)
        if at >= end:
            continue
        if action == "presence":
            if agent is not None:
                # A change at the start instant is the agent's state for all of the
                # half-open period, not a change within it (semantics 7: "Online for
                # all of it"): agents set Online as the period opens count.
                if at <= start:
                    online_at_start[agent] = bool(online)
                else:
                    changed_in_period.add(agent)
            continue
        if tid is None:
            continue
        if action == "replied":
            # public: a flag (0/1, a bool) or, in a record's row, its detail mapping
            if (
                (public == 1 or (type(public) is dict and public.get("public") is True))
                and tid in routed
                and tid not in first_reply
            ):
                first_reply[tid] = at
            continue
        if status is None:
            status = where.get(tid, _NOWHERE)[2]
        where[tid] = (team, assignee, status)
        if action == "routed":
            routed.add(tid)
        if at >= start:
            if action == "routed":
                created[tid] = at
            if assignee is not None and (action == "routed" or action == "assigned"):
                load = loads.get(assignee)
                if load is None:
                    load = loads[assignee] = [0, 0]
                load[0 if automatic else 1] += 1
        if action in _CLOSING and status == _CLOSED and tid in routed and tid not in closed:
            closed[tid] = at

    waiting_by_team: dict[str, int] = {}
    unassigned = 0
    for team, assignee, status in where.values():
        if assignee is None and status == _OPEN:
            if team is None:
                unassigned += 1
            else:
                waiting_by_team[team] = waiting_by_team.get(team, 0) + 1
    answered = [(t, at) for t, at in first_reply.items() if t in created]
    return PeriodFigures(
        tickets=len(created),
        elapsed=[(at - created[t]).total_seconds() for t, at in answered],
        spans=[(created[t], at) for t, at in answered] if spans else None,
        resolution=[(at - created[t]).total_seconds() for t, at in closed.items() if t in created],
        loads=loads,
        always=_always(online_at_start, changed_in_period),
        waiting_unassigned=unassigned,
        waiting_by_team=waiting_by_team,
    )


def _public(record: AuditRecord) -> bool:
    detail = record.detail
    return type(detail) is dict and detail.get("public") is True


def _one_ticket(
    records: Sequence[AuditRecord], start: datetime
) -> tuple[datetime, datetime | None, datetime | None] | None:
    """What :func:`figures` makes of one ticket's records (all before the period's end):
    ``None`` when it was not routed in the period, else its creation, first public reply
    and first close (``None`` when there is none)."""
    created: datetime | None = None
    routed = False  # at any time: a reply or close after it counts, in the period or not
    reply: datetime | None = None
    close: datetime | None = None
    status: str = _OPEN
    for r in records:
        if r.action == "replied":
            if routed and reply is None and _public(r):
                reply = r.at
            continue
        if r.status is not None:
            status = r.status
        if r.action == "routed":
            routed = True
            if r.at >= start:
                created = r.at
        if r.action in _CLOSING and status == _CLOSED and routed and close is None:
            close = r.at
    return None if created is None else (created, reply, close)


def _where(records: Sequence[AuditRecord]) -> tuple[str | None, str | None, str] | None:
    """Where :func:`figures` leaves a ticket after ``records`` (its own, in ``seq`` order):
    the team, assignee and status of its last record that is not a reply, the status
    carried over from before when that record has none; ``None`` without such a record."""
    where: tuple[str | None, str | None, str] | None = None
    for r in records:
        if r.action == "replied":
            continue
        status: str = _OPEN if where is None else where[2]
        if r.status is not None:
            status = r.status
        where = (r.team, r.assignee, status)
    return where


def _from(start: datetime, times: list[datetime], in_order: bool) -> int:
    """How many of ``times`` are at or after ``start`` (ascending when ``in_order``)."""
    if in_order:
        return len(times) - bisect_left(times, start)
    return sum(1 for t in times if t >= start)


class ReportDigest:
    """The report's figures of one audit log, kept up to date record by record.

    Feed it every record of the log once, in ``seq`` order (:meth:`take`); ask it for a
    period (:meth:`period`). Not thread-safe: the store that owns it calls both under
    its own lock.
    """

    __slots__ = (
        "_alive",
        "_at",
        "_broken",
        "_in_order",
        "_index",
        "_latest",
        "_loads",
        "_ordered",
        "_places",
        "_presence",
        "_replied",
        "_rerouted",
        "_resolution",
        "_ttfr",
        "_waiting",
        "_where",
        "seen",
    )

    def __init__(self) -> None:
        self.seen = 0  # records taken
        self._broken = False
        self._latest: datetime | None = None  # the latest ``at`` of the log
        self._ordered = True  # whether every record came at or after the one before
        # Whether the routing times and each agent's assignment times were appended in
        # ascending order (a log written as time passes): a period is then cut by
        # binary search, else by a pass over the times.
        self._in_order = True
        # Tickets in the order of their first routing, one column each: routed at, first
        # public reply at, seconds to it, seconds to the first close, and whether the
        # ticket is still routed once (False: see _rerouted).
        self._index: dict[str, int] = {}
        self._at: list[datetime] = []
        self._replied: list[datetime | None] = []
        self._ttfr: list[float | None] = []
        self._resolution: list[float | None] = []
        self._alive: list[bool] = []
        self._rerouted: dict[str, datetime] = {}  # routed twice or more -> latest routing
        self._where: dict[str, tuple[str | None, str | None, str]] = {}
        # Each distinct place, once: tickets share the tuple of where they stand (there
        # are few teams, agents and statuses; one tuple per ticket cost 64 bytes each).
        self._places: dict[
            tuple[str | None, str | None, str], tuple[str | None, str | None, str]
        ] = {}
        self._waiting: dict[str | None, int] = {}  # team (None: Unassigned) -> tickets
        self._loads: dict[str, tuple[list[datetime], list[datetime]]] = {}
        self._presence: list[tuple[datetime, str, bool]] = []

    def take(self, records: Sequence[AuditRecord]) -> None:
        """Take in ``records[self.seen:]``: the log's records not seen yet. Should one
        fail, the digest answers no period from then on (:meth:`period` gives ``None``)."""
        begin = self.seen
        self.seen = len(records)
        latest = self._latest
        try:
            for i in range(begin, len(records)):
                r = records[i]
                at = r.at
                if latest is None or at >= latest:
                    latest = at
                else:
                    self._ordered = False
                self._take(r, at)
        except BaseException:
            self._broken = True
            raise
        self._latest = latest

    def _take(self, r: AuditRecord, at: datetime) -> None:
        action = r.action
        tid = r.ticket_id
        if action == "presence":
            if r.agent_id is not None:
                self._presence.append((at, r.agent_id, bool(r.online)))
            return
        if tid is None:
            return
        if action == "replied":
            i = self._index.get(tid)
            if i is not None and self._ttfr[i] is None and _public(r):
                self._replied[i] = at
                self._ttfr[i] = (at - self._at[i]).total_seconds()
            return
        where = self._where
        old = where.get(tid)
        status: str = _OPEN if old is None else old[2]
        if r.status is not None:
            status = r.status
        team = r.team
        assignee = r.assignee
        waiting = self._waiting
        if old is not None and old[1] is None and old[2] == _OPEN:
            waiting[old[0]] -= 1
        if assignee is None and status == _OPEN:
            waiting[team] = waiting.get(team, 0) + 1
        place = (team, assignee, status)
        where[tid] = self._places.setdefault(place, place)
        if action == "routed":
            self._routed(tid, at)
        if assignee is not None and (action == "routed" or action == "assigned"):
            load = self._loads.get(assignee)
            if load is None:
                load = self._loads[assignee] = ([], [])
            times = load[0 if r.automatic else 1]
            if times and at < times[-1]:
                self._in_order = False
            times.append(at)
        elif action in _CLOSING and status == _CLOSED:
            i = self._index.get(tid)
            if i is not None and self._resolution[i] is None:
                self._resolution[i] = (at - self._at[i]).total_seconds()

    def _routed(self, tid: str, at: datetime) -> None:
        i = self._index.get(tid)
        if i is None:
            latest = self._rerouted.get(tid)
            if latest is not None:
                if at > latest:
                    self._rerouted[tid] = at
                return
            if self._at and at < self._at[-1]:
                self._in_order = False
            self._index[tid] = len(self._at)
            self._at.append(at)
            self._replied.append(None)
            self._ttfr.append(None)
            self._resolution.append(None)
            self._alive.append(True)
            return
        # Routed again: its figures now depend on the period's start (see _one_ticket).
        del self._index[tid]
        self._alive[i] = False
        self._rerouted[tid] = max(at, self._at[i])
        self._replied[i] = self._ttfr[i] = self._resolution[i] = None

    def period(
        self,
        start: datetime,
        end: datetime,
        *,
        spans: bool,
        log: Sequence[AuditRecord],
        history: Callable[[str], Sequence[AuditRecord]],
    ) -> PeriodFigures | None:
        """The figures over ``[start, end)`` of ``log`` (the records taken, in ``seq``
        order), or ``None`` when the digest cannot say (the module says when).
        ``history(ticket_id)`` gives a ticket's records in ``seq`` order: read for the
        tickets routed more than once, and for those with records at or after ``end``."""
        if self._broken:
            return None
        later: set[str] = set()  # tickets with records at or after the end
        if self._latest is not None and end <= self._latest:
            if not self._ordered:
                return None
            cut = bisect_left(log, end, key=_AT)  # the log is in time order: a suffix
            if 4 * (len(log) - cut) > len(log):
                # Over a quarter of the log is later: reading each of its tickets' own
                # records costs about what one pass over the whole log does.
                return None
            later = {r.ticket_id for r in log[cut:] if r.ticket_id is not None}
        in_order = self._in_order
        skip = {i for t in later if (i := self._index.get(t)) is not None}
        if in_order and not skip:
            lo, hi = bisect_left(self._at, start), bisect_left(self._at, end)
            at, replied = self._at[lo:hi], self._replied[lo:hi]
            ttfr, resolution = self._ttfr[lo:hi], self._resolution[lo:hi]
            alive = self._alive[lo:hi]
        else:
            keep = [start <= t < end for t in self._at]
            for i in skip:
                keep[i] = False
            at, replied = list(compress(self._at, keep)), list(compress(self._replied, keep))
            ttfr = list(compress(self._ttfr, keep))
            resolution = list(compress(self._resolution, keep))
            alive = list(compress(self._alive, keep))
        tickets = len(alive) - alive.count(False)
        elapsed = [s for s in ttfr if s is not None]
        closed = [s for s in resolution if s is not None]
        answered: list[Span] | None = None
        if spans:
            answered = [(c, r) for c, r in zip(at, replied, strict=True) if r is not None]
        # Read from their own records: tickets routed again, and those with later records
        # (each ticket's records before the end are read once, for both uses below).
        own: dict[str, list[AuditRecord]] = {}

        def before(tid: str) -> list[AuditRecord]:
            records = own.get(tid)
            if records is None:
                records = own[tid] = [r for r in history(tid) if r.at < end]
            return records

        again = [t for t, latest in self._rerouted.items() if latest >= start]
        for tid in chain(again, (t for t in later if t in self._index)):
            one = _one_ticket(before(tid), start)
            if one is None:
                continue
            created, reply, close = one
            tickets += 1
            if reply is not None:
                elapsed.append((reply - created).total_seconds())
                if answered is not None:
                    answered.append((created, reply))
            if close is not None:
                closed.append((close - created).total_seconds())
        loads: dict[str, list[int]] = {}
        for agent, (automatic, manual) in self._loads.items():
            a, m = _from(start, automatic, in_order), _from(start, manual, in_order)
            if later:
                a, m = a - _from(end, automatic, in_order), m - _from(end, manual, in_order)
            if a or m:
                loads[agent] = [a, m]
        online_at_start: dict[str, bool] = {}
        changed: set[str] = set()
        for t, agent, online in self._presence:
            if t <= start:  # as in ``figures``: a change at the start is the state then
                online_at_start[agent] = online
            elif t < end:
                changed.add(agent)
        waiting = self._waiting
        if later:
            waiting = dict(waiting)
            for tid in later:
                now = self._where.get(tid)
                if now is not None and now[1] is None and now[2] == _OPEN:
                    waiting[now[0]] -= 1
                then = _where(before(tid))
                if then is not None and then[1] is None and then[2] == _OPEN:
                    waiting[then[0]] = waiting.get(then[0], 0) + 1
        return PeriodFigures(
            tickets=tickets,
            elapsed=elapsed,
            spans=answered,
            resolution=closed,
            loads=loads,
            always=_always(online_at_start, changed),
            waiting_unassigned=waiting.get(None, 0),
            waiting_by_team={t: n for t, n in waiting.items() if t is not None and n},
        )
