"""The discrete-event engine: one heap of arrivals, work ends, closings, shifts and openings.

Time is seconds since the scenario's start. Each event is handled at its instant, in
(time, order of scheduling) order, so a run is a deterministic function of the scenario
and the seed. Who gets a ticket is never decided here: the backend (the Router, or in
queueing mode the allocator alone) says, and the engine plays the agents: each works the
tickets assigned to them one at a time, oldest first, while on shift; first response =
work start.
"""

from __future__ import annotations

import gc
import heapq
import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import SupportsIndex

from helpdesk_routing.calendar import OfficeHours
from helpdesk_routing.errors import ArgumentTypeError
from helpdesk_routing.model import Event

from ._args import seed_value
from ._backends import Backend, HandOuts, QueueBackend, RouterBackend
from ._draw import Arrivals, Mix, duration, stream
from ._quiet import quiet
from ._runnable import check_runnable
from .policies import policy_for
from .results import SimulationResult, TicketRecords
from .scenario import Handling, Scenario

__all__ = ["run"]

_ARRIVE, _WORK_END, _CLOSE, _SHIFT_ON, _SHIFT_OFF, _OPEN, _SHIFT_LOOK, _OPEN_LOOK = range(8)
_FIRST = {_SHIFT_OFF: 3 << 60, _SHIFT_ON: 2 << 60, _OPEN: 1 << 60}
"""How far ahead of the other events at its instant a calendar's change is handled (its
key in the heap is its agent's index lowered by that much, where the others' is their
scheduling count, which never reaches ``1 << 60``): a shift's end first, so that an agent
whose shift ends at ``t`` is Offline for everything at ``t`` (a shift's window holds its
start, not its end: given no ticket and starting no work there), then a shift's start,
then the office's opening, so that the opening hands the waiting tickets out among every
agent on shift at ``t`` and what arrives or ends at ``t`` sees them all. Shift changes of
one kind at one instant come in the agents' order, whenever each was scheduled (by its
order of scheduling, a shift beginning at an opening came before it on a run's first day
and after it on the next, where the last day's shift end had scheduled it)."""
_NAN = math.nan
_HORIZON = timedelta(days=400)
"""How far one search for a shift's or the office hours' next change looks ahead. Found
nothing, the engine looks again from the horizon's end (a ``_SHIFT_LOOK`` or
``_OPEN_LOOK`` event there): a change any time later is seen, a calendar that never
changes again costs one search per 400 simulated days, and the run ends as ever."""

_SETTLE_EVERY = 65_536
"""Steps between two settlings of a run's young objects (see :func:`run`)."""

_PROBE_AT = 16
"""The slices of a settling interval: each interval samples one slice, ``1/_PROBE_AT`` of
its steps, the next slice in the next interval (see :func:`run`)."""

Progress = Callable[[float], object]
"""Called now and then with the share of the arrivals' span simulated so far (0..1)."""


class _Run:
    """The mutable state of one run."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.scenario = scenario
        self.seed = seed
        policy = policy_for(scenario, seed)
        self.policy = policy
        self.backend: Backend = (
            QueueBackend(scenario, policy)
            if scenario.mode == "queueing"
            else RouterBackend(scenario, policy)
        )
        self.arrivals = Arrivals(scenario, seed)
        self.mix = Mix(scenario, seed)
        self.handling_rng = stream(seed, "handling")
        self.after_rng = stream(seed, "after")
        self.records = TicketRecords()
        self.u: list[float] = []  # each ticket's handling draw, used when work starts
        # each ticket's time pending after work (0: closed at once), drawn as it arrives so
        # that every policy sees the same (common random numbers); kept with a pending
        self.hold: list[float] = []
        self.notify_start = not isinstance(self.backend, QueueBackend)
        # One distribution for every ticket: skip the per-ticket lookup of channel and team.
        self.one_handling: Handling | None = (
            None if scenario.handling_by_channel or scenario.handling_by_team else scenario.handling
        )
        self.no_tags: frozenset[str] = frozenset()
        self.pending = scenario.pending
        ids = tuple(a.id for a in scenario.agents)
        self.agents = ids
        self.queues: dict[str, list[int]] = {a: [] for a in ids}
        self.busy_with: dict[str, int] = {}
        self.on_shift: dict[str, bool] = {
            a: spec.shift is None for a, spec in zip(ids, scenario.agents, strict=True)
        }
        self.load: dict[str, int] = dict.fromkeys(ids, 0)
        # busy seconds inside the measured span, which begins as the first ticket after
        # the warm-up arrives (at the start without a warm-up): until then ``t0`` is None
        self.busy: dict[str, float] = dict.fromkeys(ids, 0.0)
        self.warmup = scenario.warmup_tickets
        self.t0: float | None = 0.0 if self.warmup == 0 else None
        self.area0 = 0.0  # the backlog's integral up to t0
        self.unresolved = 0  # arrived and work not ended
        self.last_end = 0.0  # the latest end of work
        self.waiting: set[int] = set()  # unassigned, open, not started
        self.backlog = 0  # arrived and not started
        self.area = 0.0
        self.last_t = 0.0
        self.unfinished = 0  # arrived and not closed
        self.heap: list[tuple[float, int, int, int]] = []
        self.seq = 0
        self.sample_minutes = scenario.sample_minutes
        self.next_sample = 0.0
        self.sample_times: list[float] = []
        self.backlog_samples: list[int] = []
        self.load_samples: dict[str, list[int]] = {a: [] for a in ids}
        self.arrivals_done = False

    def push(self, t: float, kind: int, arg: int) -> None:
        self.seq += 1
        first = _FIRST.get(kind)
        heapq.heappush(self.heap, (t, self.seq if first is None else arg - first, kind, arg))

    def handling_for(self, index: int) -> Handling:
        s = self.scenario
        team = self.records.team[index]
        if team is not None and team in s.handling_by_team:
            return s.handling_by_team[team]
        return s.handling_by_channel.get(self.records.channel[index], s.handling)


def run(
    scenario: Scenario, seed: SupportsIndex | None = None, progress: Progress | None = None
) -> SimulationResult:
    """Simulate the scenario once; ``seed`` defaults to ``scenario.seed``.

    ``TypeError`` when ``scenario`` is not a :class:`Scenario` (build one with
    ``Scenario(...)`` or ``Scenario.from_json(text)``), ``seed`` is not an integer (any
    integral number, a numpy integer too) or ``progress`` is not callable;
    ``ValidationError`` for a seed beyond signed 64 bits, a scenario whose span or
    ticket bounds no document could have (made with ``model_construct``: ``days`` NaN ran
    forever),
    or when Poisson arrivals of a ticket count draw a span longer than a run may have
    (``Scenario.arrival_limit``: the scenario was read with their mean span).
    """
    if not isinstance(scenario, Scenario):
        raise ArgumentTypeError(
            f"scenario must be a Scenario (Scenario.from_json reads one), "
            f"got {type(scenario).__name__}"
        )
    check_runnable(scenario)  # one made with model_construct may never end
    if seed is not None:
        seed = seed_value(seed)
    if progress is not None and not callable(progress):
        raise ArgumentTypeError(
            f"progress must be a function of the share done (or None), "
            f"got {type(progress).__name__}"
        )
    seed = scenario.seed if seed is None else seed
    with quiet():  # the simulated helpdesk's hand-outs are no host's (simulation._quiet)
        return _simulated(scenario, seed, progress)


def _simulated(scenario: Scenario, seed: int, progress: Progress | None) -> SimulationResult:
    """:func:`run` once its arguments are checked."""
    st = _Run(scenario, seed)
    _schedule_calendar(st)
    first = st.arrivals.next()
    if first is None:
        st.arrivals_done = True
    else:
        st.push(first, _ARRIVE, 0)
    span = (scenario.days or 0) * 86400.0
    # A run keeps every ticket it routes (the store, the records): objects that live to
    # its end, which the cyclic garbage collector would otherwise walk again and again
    # (a quarter of a year's Router run). So the collector is paused during the run and
    # instead, every _SETTLE_EVERY steps, the objects made since the last time are moved
    # out of its sight (gc.freeze). Before that they are collected (cycles among them
    # freed), but only once a run has been seen to make cyclic garbage: the Router makes
    # none, and walking every object it keeps once was a twentieth of a year's run. So
    # each interval is sampled: the objects of one slice of it (1/_PROBE_AT of its
    # steps) are collected, the first slice in the first interval, the second in the
    # next, and so on round (the steps before the slice are frozen unwalked as it
    # begins), so garbage made at any point of an interval is seen within _PROBE_AT
    # intervals. From the first sample that frees anything on, every settling collects
    # first. When the run ends the objects are given back (gc.unfreeze) and the
    # collector resumes. Not done when the collector was off or the host froze objects
    # of its own (unfreezing would give those back too).
    settle = gc.isenabled() and gc.get_freeze_count() == 0
    if settle:
        gc.disable()
        # The host's young garbage and the set-up's: a sample must judge the run's own.
        gc.collect(0)
    try:
        start, end = _loop(st, progress, span, settle)
    finally:
        if settle:
            gc.unfreeze()
            gc.enable()
    return SimulationResult(
        scenario=scenario.name,
        policy=scenario.policy,
        seed=seed,
        start=scenario.start,
        horizon=end,
        measured_from=start,
        warmup=scenario.warmup_tickets,
        # to the microsecond, as the waits are: 0.57 min is 34.2 s, which 0.57 * 60.0
        # falls short of (a wait equal to the target would count as over it)
        ttfr_target=timedelta(minutes=scenario.ttfr_target_minutes).total_seconds(),
        agents=st.agents,
        records=st.records,
        busy=st.busy,
        sample_times=st.sample_times,
        backlog=st.backlog_samples,
        load=st.load_samples,
        backlog_area=st.area - st.area0,
    )


def _loop(st: _Run, progress: Progress | None, span: float, settle: bool) -> tuple[float, float]:
    """Handle the events until the run ends; returns the measured span ``(t0, t1)``."""
    scenario = st.scenario
    stop = math.inf
    heap = st.heap
    steps = 0
    collecting = False  # whether a settling collects first: once a sample freed anything
    interval = 0
    aside, sample = _sampled_slice(interval)
    cut = False  # whether the drain's end stopped the run with events still to come
    while heap:
        t, _, kind, arg = heapq.heappop(heap)
        if t > stop:
            cut = True
            break
        if t > st.next_sample:  # the grid's instants before t; one at t once t is handled
            _sample(st, t, before=True)
        st.area += st.backlog * (t - st.last_t)
        st.last_t = t
        if kind == _ARRIVE:
            _arrive(st, t, arg)
            nxt = st.arrivals.next()
            if nxt is None:
                st.arrivals_done = True
                # the drain runs from the arrivals' end (``days``, or the last ticket
                # when they were counted), not from the last ticket that came
                stop = max(t, st.arrivals.ended) + scenario.drain_days * 86400.0
            else:
                st.seq += 1
                heapq.heappush(heap, (nxt, st.seq, _ARRIVE, arg + 1))
        elif kind == _WORK_END:
            _work_end(st, t, arg)
        elif kind == _CLOSE:
            agent, index = st.agents[arg >> 32], arg & 0xFFFFFFFF
            st.records.closed[index] = t
            _give_all(st, t, st.backend.closed(index, agent, t, st.waiting))
            st.unfinished -= 1
            st.load[agent] -= 1
        else:
            _calendar(st, t, kind, arg)
        if st.arrivals_done and st.unfinished == 0:
            break
        steps += 1
        if settle:
            phase = steps % _SETTLE_EVERY
            if phase == 0:
                if collecting:
                    gc.collect(0)
                elif sample == 0:  # the interval's last slice: its settling samples it
                    collecting = gc.collect(0) > 0
                gc.freeze()
                interval += 1
                aside, sample = _sampled_slice(interval)
            elif not collecting:
                if phase == aside:  # the steps before the sampled slice, unwalked
                    gc.freeze()
                elif phase == sample:  # the objects made in the slice
                    collecting = gc.collect(0) > 0
        if progress is not None and steps % 4096 == 0:
            progress(_share(t, span, len(st.records.created), st.arrivals.count))
    if progress is not None:
        progress(1.0)
    start, end = _measured(st, stop)
    # the state after the last event handled holds to the run's end: the grid runs there
    # (a drain that cut the run is sampled up to the drain's end, not only up to its last
    # event, even when only pending closes were left: the tickets then were still open;
    # else up to the last event handled when it is later than the end, a pending close,
    # whose own instant, a grid point too, is sampled after it)
    _sample(st, max(end, stop) if cut else max(end, st.last_t))
    return start, end


def _sampled_slice(interval: int) -> tuple[int, int]:
    """Where the settling interval ``interval`` (0, 1, ...) samples its objects: the
    phase (steps since the interval began, mod ``_SETTLE_EVERY``) at the end of which the
    objects made so far are frozen unwalked (0: none, the slice is the first), and the
    phase at the end of which those made since are collected (0: at the settling)."""
    width = max(1, _SETTLE_EVERY // _PROBE_AT)
    slices = -(-_SETTLE_EVERY // width)  # the last one shorter when width does not divide
    first = (interval % slices) * width
    end = first + width
    return first, end if end < _SETTLE_EVERY else 0


def _measured(st: _Run, stop: float) -> tuple[float, float]:
    """The measured span, and the busy times and backlog integral brought to its end.

    It ends with the last ticket's work when every ticket's work ended (a pending close
    after that changes nothing measured: it only frees capacity nobody waits for), else
    at the drain's end, which cut the run: the work then in hand counts up to there, and
    the tickets still waiting were waiting until there.
    """
    if st.unresolved == 0:
        end = max(st.last_end, st.records.created[-1] if st.records.created else 0.0)
    else:
        end = stop if math.isfinite(stop) else st.last_t
    if end > st.last_t:
        st.area += st.backlog * (end - st.last_t)
    start = end if st.t0 is None else min(st.t0, end)
    if st.t0 is None:
        # the warm-up took every ticket: the span measured is empty, and so is its
        # backlog integral (it was the whole run's)
        st.area0 = st.area
    started = st.records.started
    for agent, index in st.busy_with.items():
        st.busy[agent] += max(0.0, end - max(started[index], start))
    return start, end


def _share(t: float, span: float, arrived: int, tickets: int | None) -> float:
    """How far the arrivals have come: the larger of the time and the ticket shares."""
    by_time = t / span if span > 0 else 0.0
    by_count = arrived / tickets if tickets else 0.0
    return min(max(by_time, by_count), 1.0)


def _sample(st: _Run, t: float, *, before: bool = False) -> None:
    """Samples the grid's instants up to ``t`` (``before``: before it) not yet sampled,
    with the state now held.

    The loop samples before it handles an event at ``t``: the state then held is the
    state of every instant before ``t``, not of ``t`` itself, whose events (a ticket
    arriving, work starting or ending) belong in its sample. The k-th instant is
    ``k * sample_minutes`` minutes (not a running sum, which drifts), so the grid's points, the
    last one at a run's end too, are where they are documented: as an instant, to the
    microsecond as a ``timedelta`` of ``k * sample_minutes`` minutes holds it, as replayed
    tickets' and the TTFR target's are (``0.57 * 60.0`` is 34.199999999999996 s, and a
    ticket replayed at 34.2 s, the first point, was not counted there)."""
    times = st.sample_times
    while st.next_sample < t or (st.next_sample == t and not before):
        times.append(st.next_sample)
        st.backlog_samples.append(st.backlog)
        for a in st.agents:
            st.load_samples[a].append(st.load[a])
        st.next_sample = timedelta(minutes=len(times) * st.sample_minutes).total_seconds()


def _arrive(st: _Run, t: float, index: int) -> None:
    r = st.records
    events: list[Event]
    if st.mix.trivial:
        channel, tags, profile, events = st.mix.draw_channel(), st.no_tags, None, []
    else:
        channel, tags, profile, events = st.mix.draw(index, t)
    st.u.append(st.handling_rng.random())
    if index == st.warmup and index:  # the first ticket after the warm-up: measuring begins
        st.t0 = t
        st.area0 = st.area
    st.unresolved += 1
    pending = st.pending
    if pending is not None:
        chance, length = st.after_rng.random(), st.after_rng.random()
        st.hold.append(duration(pending.duration, length) if chance < pending.probability else 0.0)
    r.created.append(t)
    r.channel.append(channel)
    r.started.append(_NAN)
    r.resolved.append(_NAN)
    r.closed.append(_NAN)
    st.backlog += 1
    st.unfinished += 1
    agent, team, decided_by = st.backend.arrive(index, t, channel, tags, profile, events)
    r.team.append(team)
    r.decided_by.append(decided_by)
    if agent is None:
        r.assignee.append(None)
        r.assigned_at.append(_NAN)
        st.waiting.add(index)
        return
    r.assignee.append(agent)
    r.assigned_at.append(t)
    _take(st, t, index, agent)


def _give(st: _Run, t: float, index: int, agent: str) -> None:
    r = st.records
    r.assignee[index] = agent
    r.assigned_at[index] = t
    _take(st, t, index, agent)


def _take(st: _Run, t: float, index: int, agent: str) -> None:
    """The agent has the ticket: they start on their oldest assigned ticket when free and
    on shift (a ticket handed out as work ends or a shift begins may be newer than ones
    already waiting in their queue), else it waits in their queue."""
    st.load[agent] += 1
    queue = st.queues[agent]
    if agent not in st.busy_with and st.on_shift[agent]:
        _start(st, t, heapq.heappushpop(queue, index) if queue else index, agent)
    else:
        heapq.heappush(queue, index)


def _give_all(st: _Run, t: float, handed: HandOuts) -> None:
    for index, agent in handed:
        st.waiting.discard(index)
        _give(st, t, index, agent)


def _start(st: _Run, t: float, index: int, agent: str) -> None:
    st.busy_with[agent] = index
    st.records.started[index] = t
    st.backlog -= 1
    if st.notify_start:
        st.backend.started(index, agent, t)
    dist = st.one_handling
    work = duration(st.handling_for(index) if dist is None else dist, st.u[index])
    st.seq += 1
    heapq.heappush(st.heap, (t + work, st.seq, _WORK_END, index))


def _work_end(st: _Run, t: float, index: int) -> None:
    agent = st.records.assignee[index]
    assert agent is not None
    st.records.resolved[index] = t
    del st.busy_with[agent]
    st.unresolved -= 1
    st.last_end = t
    if st.t0 is not None:  # the share of the work inside the measured span
        st.busy[agent] += t - max(st.records.started[index], st.t0)
    hold = 0.0 if st.pending is None else st.hold[index]
    if hold > 0:
        st.backend.finished(index, agent, t, True, st.waiting)
        st.push(t + hold, _CLOSE, (st.agents.index(agent) << 32) | index)
    else:
        st.records.closed[index] = t
        st.unfinished -= 1
        st.load[agent] -= 1
        _give_all(st, t, st.backend.finished(index, agent, t, False, st.waiting))
    _next_ticket(st, t, agent)


def _next_ticket(st: _Run, t: float, agent: str) -> None:
    queue = st.queues[agent]
    if queue and agent not in st.busy_with and st.on_shift[agent]:
        _start(st, t, heapq.heappop(queue), agent)


def _schedule_calendar(st: _Run) -> None:
    """Agents without a shift come Online at the start; shifts and openings are scheduled."""
    s = st.scenario
    if s.mode == "queueing":
        return
    for i, spec in enumerate(s.agents):
        if spec.shift is None:
            st.push(0.0, _SHIFT_ON, i)
        else:
            _next_shift_change(st, 0.0, i, spec.shift, coming=True)
    hours = s.configuration.office_hours
    if hours is not None and s.configuration.office_hours_channels:
        _next_opening(st, 0.0, hours)


def _seconds(st: _Run, at: datetime) -> float:
    return (at - st.scenario.start).total_seconds()


def _next_shift_change(st: _Run, t: float, i: int, shift: OfficeHours, *, coming: bool) -> None:
    """Schedules agent ``i``'s next shift beginning (``coming``) or end after ``t``; none
    within the horizon, a look again at its end."""
    at = st.scenario.start + timedelta(seconds=t)
    when = (
        shift.next_open(at, horizon=_HORIZON) if coming else shift.next_close(at, horizon=_HORIZON)
    )
    if when is None:
        st.push(_seconds(st, at + _HORIZON), _SHIFT_LOOK, (i << 1) | coming)
    else:
        st.push(_seconds(st, when), _SHIFT_ON if coming else _SHIFT_OFF, i)


def _next_opening(st: _Run, t: float, hours: OfficeHours, *, closed: bool = False) -> None:
    """Schedules the office hours' next opening after ``t``: the first open instant after
    they next close (``closed``: they are closed at ``t``). Either not found within the
    horizon, a look again at its end."""
    at = st.scenario.start + timedelta(seconds=t)
    closes = at if closed else hours.next_close(at, horizon=_HORIZON)
    if closes is None:
        st.push(_seconds(st, at + _HORIZON), _OPEN_LOOK, 0)
        return
    opens = hours.next_open(closes, horizon=_HORIZON)
    if opens is None:
        st.push(_seconds(st, closes + _HORIZON), _OPEN_LOOK, 1)
    else:
        st.push(_seconds(st, opens), _OPEN, 0)


def _calendar(st: _Run, t: float, kind: int, arg: int) -> None:
    if kind in (_OPEN, _OPEN_LOOK):
        hours = st.scenario.configuration.office_hours
        assert hours is not None
        if kind == _OPEN:
            _give_all(st, t, st.backend.opening(t))
        _next_opening(st, t, hours, closed=kind == _OPEN_LOOK and arg == 1)
        return
    if kind == _SHIFT_LOOK:  # no change within the last search's horizon: search on
        i = arg >> 1
        shift = st.scenario.agents[i].shift
        assert shift is not None
        _next_shift_change(st, t, i, shift, coming=bool(arg & 1))
        return
    agent = st.agents[arg]
    shift = st.scenario.agents[arg].shift
    online = kind == _SHIFT_ON
    st.on_shift[agent] = online
    handed = st.backend.presence(agent, online, t)
    _give_all(st, t, handed)
    if online:
        _next_ticket(st, t, agent)
    if shift is not None:
        _next_shift_change(st, t, arg, shift, coming=not online)
