"""The simulator at the edges of time: the sample grid to the run's end, calendar changes
far apart, historical UTC offsets of seconds, and ``--days`` leaving a replay empty."""

from __future__ import annotations

import argparse
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from helpdesk_routing.calendar import OfficeHours
from helpdesk_routing.simulation import (
    AgentSpec,
    Empirical,
    Exponential,
    Pending,
    PoissonArrivals,
    ReplayArrivals,
    ReplayTicket,
    Scenario,
    TicketMix,
    cli,
    run,
)

from .conftest import mmc


def _nobody_works() -> Scenario:
    """A day of arrivals no one can take, and a day of drain that cuts the run."""
    return Scenario(
        name="no one works",
        arrivals=PoissonArrivals(per_hour=6),
        days=1,
        drain_days=1,
        agents=[AgentSpec(id="a", capacity=0)],
        handling=Exponential(mean_minutes=5),
        sample_minutes=60,
    )


def test_samples_cover_a_drain_that_cut_the_run() -> None:
    """Every grid point up to the drain's end is sampled, once, with the tickets waiting."""
    result = run(_nobody_works(), 1)
    every = 3600.0
    waiting = sum(1 for s in result.records.started if s != s)
    assert waiting > 0
    assert result.horizon == 2 * 86400.0  # the drain's end: a day after the day of arrivals
    count = int(result.horizon // every) + 1
    assert result.sample_times == [k * every for k in range(count)]
    assert result.backlog[-1] == waiting
    assert all(len(v) == count for v in result.load.values())
    assert len(result.backlog) == count


def test_samples_cover_a_drain_that_cut_the_run_with_only_pending_closes_left() -> None:
    """Both tickets were answered and wait 100 minutes pending when the drain ends the
    run at minute 75: the grid still runs to the drain's end, both tickets in the load
    (it stopped at minute 0, the last work's end)."""
    start = datetime(2026, 11, 23, 10, tzinfo=UTC)
    tickets = [
        ReplayTicket(created_at=start + timedelta(minutes=m), channel="email") for m in (0, 3)
    ]
    result = run(
        Scenario(
            name="pending past the drain",
            start=start,
            arrivals=ReplayArrivals(tickets=tickets),
            days=None,
            agents=[AgentSpec(id="a")],
            handling=Empirical(minutes=[1]),
            pending=Pending(probability=1, duration=Empirical(minutes=[100])),
            sample_minutes=5,
            drain_days=0.05,  # 72 minutes from the last ticket: minute 75
        ),
        1,
    )
    assert all(c != c for c in result.records.closed)  # the drain cut both closes
    assert result.sample_times == [k * 300.0 for k in range(16)]
    assert result.load["a"] == [1] + [2] * 15
    assert result.horizon == 4 * 60.0  # measured to the last work's end, as documented


def _monday_morning_only() -> Scenario:
    """Tickets on Monday 09:00-10:00 only; the one agent works on Sundays."""
    rates = [0.0] * 168
    rates[9] = 5.0
    return Scenario(
        name="weekend crew",
        arrivals=PoissonArrivals(per_hour=rates),
        days=7.0,
        drain_days=1.0,
        agents=[
            AgentSpec(
                id="sunday", shift=OfficeHours(timezone="UTC", weekly={"sun": [("09:00", "17:00")]})
            )
        ],
        handling=Exponential(mean_minutes=10),
    )


def test_the_drain_is_counted_from_the_end_of_days_not_from_the_last_ticket() -> None:
    """Arrivals end after ``days`` (a week with only Monday's tickets still ends on the
    next Monday), and the drain counts from there: the Sunday shift inside the week
    works them (the run stopped a day after Monday's last ticket, none started)."""
    scenario = _monday_morning_only()
    result = run(scenario, 1)
    records = result.records
    assert len(records) > 0
    assert max(records.created) < 10 * 3600
    sunday_9 = (6 * 24 + 9) * 3600.0
    assert all(sunday_9 <= s < sunday_9 + 8 * 3600 for s in records.started)
    # nobody to work them: the run is cut at the drain's end, days + drain_days
    idle = scenario.model_copy(update={"agents": (AgentSpec(id="a", capacity=0),)})
    cut = run(idle, 1)
    assert cut.horizon == 8 * 86400.0
    assert cut.sample_times[-1] == 8 * 86400.0


def _replay(hours: list[float], days: float | None) -> Scenario:
    start = datetime(2026, 11, 23, tzinfo=UTC)
    return Scenario(
        name="replayed",
        arrivals=ReplayArrivals(
            tickets=[
                ReplayTicket(created_at=start + timedelta(hours=h), channel="email") for h in hours
            ]
        ),
        days=days,
        drain_days=1.0,
        agents=[AgentSpec(id="a", capacity=0)],
        handling=Empirical(minutes=[60]),
        sample_minutes=60,
    )


def test_a_drain_after_counted_or_replayed_arrivals_counts_from_their_last_ticket() -> None:
    """Arrivals bounded by their count (``tickets``, or a replay without ``days``) end
    with their last ticket; a replay with ``days`` ends with ``days``."""
    counted = _nobody_works().model_copy(update={"days": None, "tickets": 5})
    result = run(counted, 1)
    assert result.horizon == max(result.records.created) + 86400.0
    assert run(_replay([1.0, 3.5], None), 1).horizon == 3.5 * 3600 + 86400.0
    assert run(_replay([1.0, 3.5], 2.0), 1).horizon == 3 * 86400.0


def test_a_sample_at_an_event_s_instant_shows_the_state_after_it() -> None:
    """A ticket arriving at a grid instant is in that instant's backlog, work starting
    there in its load, and work ending at the run's last instant out of it (the samples
    showed the state before the instant's events)."""
    waits = run(_replay([1.0], None), 1)
    assert waits.sample_times[:3] == [0.0, 3600.0, 7200.0]
    assert waits.backlog[:3] == [0, 1, 1]
    works = _replay([1.0], None).model_copy(update={"agents": (AgentSpec(id="a"),)})
    result = run(works, 1)
    assert (result.records.started[0], result.records.resolved[0]) == (3600.0, 7200.0)
    assert result.sample_times == [0.0, 3600.0, 7200.0]
    assert result.load["a"] == [0, 1, 0]
    assert result.backlog == [0, 0, 0]


def test_a_last_pending_close_on_a_grid_point_is_sampled() -> None:
    """Samples run to the last event handled when it is later than the end: a pending
    close exactly on a grid point is sampled there, after it (the grid stopped one point
    short, and the load never showed the close)."""
    works = _replay([0.0], None).model_copy(
        update={
            "agents": (AgentSpec(id="a"),),
            "pending": Pending(probability=1, duration=Empirical(minutes=[60])),
        }
    )
    result = run(works, 1)
    assert (result.records.resolved[0], result.records.closed[0]) == (3600.0, 7200.0)
    assert result.horizon == 3600.0
    assert result.sample_times == [0.0, 3600.0, 7200.0]
    assert result.load["a"] == [1, 1, 0]


def test_a_replay_without_days_reports_progress_by_its_tickets() -> None:
    """A replay with ``"days": null`` has no span to measure: its progress counts its
    tickets (it stayed at 0 until the end)."""
    hours = [i / 100 for i in range(20_000)]
    scenario = _replay(hours, None).model_copy(
        update={"agents": (AgentSpec(id="a"),), "handling": Empirical(minutes=[0.1])}
    )
    seen: list[float] = []
    run(scenario, 1, progress=seen.append)
    assert seen[-1] == 1.0
    assert 0.0 < seen[0] < 0.5
    assert seen == sorted(seen)
    assert len(set(seen)) > 3


def test_samples_end_with_the_last_work_when_nothing_was_cut() -> None:
    """Without a cut the grid runs to the end of the last work, each point at k * every
    (a running sum drifted off it), to the microsecond as a ``timedelta`` holds it: no
    point missing or doubled."""
    scenario = mmc(2, 0.6, 300).model_copy(update={"sample_minutes": 7.01})
    result = run(scenario, 3)
    every = 7.01 * 60
    assert result.horizon == max(result.records.resolved)
    times = result.sample_times
    assert times == [timedelta(minutes=k * 7.01).total_seconds() for k in range(len(times))]
    assert times[-1] <= result.horizon < times[-1] + every
    assert result.backlog[-1] == 0


def test_plot_shows_the_backlog_to_the_run_s_end() -> None:
    """The backlog panel's steps run on to the drain's end."""
    result = run(_nobody_works(), 1)
    fig = result.plot()
    try:
        backlog_ax = fig.axes[1]
        (line,) = backlog_ax.get_lines()
        hours = list(line.get_xdata())
        assert max(hours) == result.horizon / 3600
        assert list(line.get_ydata())[-1] == result.backlog[-1]
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)


_START = datetime(2026, 1, 1, tzinfo=UTC)
_ALL_DAY = {d: [("00:00", "24:00")] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def _hours(holidays: list[date]) -> OfficeHours:
    """Open around the clock in UTC but for ``holidays``."""
    return OfficeHours(timezone="UTC", weekly=_ALL_DAY, holidays=holidays)


def _day(result_seconds: float) -> date:
    return (_START + timedelta(seconds=result_seconds)).date()


def _at(day: date) -> float:
    return (datetime(day.year, day.month, day.day, tzinfo=UTC) - _START).total_seconds()


def _webchat(hours: OfficeHours, days: float) -> Scenario:
    return Scenario(
        name="webchat in office hours",
        arrivals=PoissonArrivals(per_hour=0.5),
        days=days,
        start=_START,
        mix=TicketMix(channels={"webchat": 1.0}),
        agents=[AgentSpec(id="x")],
        handling=Exponential(mean_minutes=1),
        configuration={
            "office_hours": hours.model_dump(mode="json"),
            "office_hours_channels": ["webchat"],
        },
    )


def test_a_shift_ending_more_than_400_days_on_still_ends() -> None:
    """A day off 420 days after the last shift change: the agent goes Offline for it (the
    engine's search stopped at 400 days and never looked again: six tickets were started
    on the day off)."""
    off = date(2027, 2, 25)
    scenario = Scenario(
        name="a day off",
        arrivals=PoissonArrivals(per_hour=0.5),
        days=423,
        start=_START,
        agents=[AgentSpec(id="x", shift=_hours([off]))],
        handling=Exponential(mean_minutes=1),
    )
    r = run(scenario, 1).records
    assert any(_day(c) == off for c in r.created)
    assert not [s for s in r.started if s == s and _day(s) == off]
    # the day's tickets are started as the shift begins again, at midnight
    assert min(s for c, s in zip(r.created, r.started, strict=True) if _day(c) == off) == _at(
        off + timedelta(days=1)
    )


def test_a_shift_beginning_after_more_than_400_days_off_begins() -> None:
    """A shift closed for the first 410 days comes Online as it opens, at the first instant."""
    closed = [date(2026, 1, 1) + timedelta(days=k) for k in range(410)]
    opens = _at(closed[-1] + timedelta(days=1))
    scenario = Scenario(
        name="a long leave",
        arrivals=PoissonArrivals(per_hour=0.05),
        days=412,
        start=_START,
        agents=[AgentSpec(id="x", shift=_hours(closed))],
        handling=Exponential(mean_minutes=1),
    )
    r = run(scenario, 2).records
    started = [s for s in r.started if s == s]
    assert started
    assert min(started) == opens
    assert all(s >= opens for s in started)


def test_office_hours_opening_more_than_400_days_on_hand_out_the_waiting() -> None:
    """Webchat tickets of a day closed 420 days in are handed out as the office reopens."""
    off = date(2027, 2, 25)
    r = run(_webchat(_hours([off]), 423), 1).records
    that_day = [i for i, c in enumerate(r.created) if _day(c) == off]
    assert that_day
    assert {r.assigned_at[i] for i in that_day} == {_at(off + timedelta(days=1))}


def test_office_hours_closed_for_more_than_400_days_open_at_last() -> None:
    """Office hours closed from the start for 410 days hand the waiting tickets out at
    their first opening (none found within 400 days of the close, none was scheduled)."""
    closed = [date(2026, 1, 1) + timedelta(days=k) for k in range(410)]
    opens = _at(closed[-1] + timedelta(days=1))
    r = run(_webchat(_hours(closed), 411).model_copy(update={"drain_days": 3.0}), 1).records
    assert min(r.assigned_at) == opens
    waited = [a for c, a in zip(r.created, r.assigned_at, strict=True) if c < opens]
    assert waited
    assert set(waited) == {opens}


def test_calendars_that_never_change_do_not_hold_up_a_long_run() -> None:
    """Around-the-clock shifts and office hours over three years give the run without them
    (the engine looks again every 400 days, and nothing changes)."""
    plain = _webchat(_hours([]), 1100).model_copy(
        update={"arrivals": PoissonArrivals(per_hour=0.05), "configuration": {}}
    )
    always = _webchat(_hours([]), 1100).model_copy(
        update={
            "arrivals": PoissonArrivals(per_hour=0.05),
            "agents": [AgentSpec(id="x", shift=_hours([]))],
        }
    )
    a, b = run(plain, 4), run(always, 4)
    assert len(a.records.created) > 1000
    assert a.records == b.records
    assert a.horizon == b.horizon


_KOLKATA = ZoneInfo("Asia/Kolkata")
_CHANGE = datetime(1905, 12, 31, 18, 38, 50, tzinfo=UTC)  # +05:21:10 to +05:30


def _kolkata_1906(hour_of_week: int) -> list[datetime]:
    """Arrivals of 10 a second in one local hour of the week only, around Kolkata's change
    from +05:21:10 to +05:30 (local Monday 1906-01-01 00:08:50), on no UTC quarter hour."""
    start = datetime(1905, 12, 31, 17, 30, tzinfo=UTC)  # Sunday 22:51:10 local
    rates = [0.0] * 168
    rates[hour_of_week] = 36000.0
    scenario = Scenario(
        name="kolkata 1906",
        arrivals=PoissonArrivals(per_hour=rates),
        days=0.1,
        timezone="Asia/Kolkata",
        start=start,
        agents=[AgentSpec(id="a")],
        handling=Exponential(mean_minutes=0.0001),
        mode="queueing",
    )
    return [start + timedelta(seconds=s) for s in run(scenario, 1).records.created]


def test_a_local_hour_begun_by_an_offset_change_off_the_quarter_hour_gets_its_rate() -> None:
    """Monday 00:00 local begins (at 00:08:50, the clock jumping) at 18:38:50 UTC: its
    rate holds from there (the 6 min 10 s up to 18:45 UTC had Sunday's rate, 0)."""
    created = _kolkata_1906(0)
    assert _CHANGE.astimezone(_KOLKATA).utcoffset() == timedelta(hours=5, minutes=30)
    assert min(created) >= _CHANGE
    assert all(c.astimezone(_KOLKATA).hour == 0 for c in created)
    early = sum(1 for c in created if c < datetime(1905, 12, 31, 18, 45, tzinfo=UTC))
    assert 3400 < early < 4000  # 370 seconds at 10 a second
    assert 29_500 < len(created) < 31_900  # 51 min 10 s at 10 a second


def test_a_local_hour_ended_by_an_offset_change_off_the_quarter_hour_ends_there() -> None:
    """Sunday 23:00 local ends at the change, 18:38:50 UTC: no arrival of its rate falls
    in Monday (they ran on to 18:45 UTC)."""
    created = _kolkata_1906(6 * 24 + 23)
    assert created
    assert max(created) < _CHANGE
    assert all(c.astimezone(_KOLKATA).weekday() == 6 for c in created)
    assert 34_000 < len(created) < 38_000  # the local hour's 3,600 seconds


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="helpdesk-routing")
    sub = parser.add_subparsers(dest="command", required=True)
    cli.add_parser(sub)
    return parser.parse_args(argv)


def _replay_file(tmp_path: Path, **fields: object) -> Path:
    """A replay of two tickets, the first an hour after the start: it runs as it is."""
    data: dict[str, object] = {
        "name": "replay",
        "start": "2026-10-24T22:00:00+00:00",
        "arrivals": {
            "type": "replay",
            "tickets": [
                {"created_at": "2026-10-24T23:00:00+00:00", "channel": "email"},
                {"created_at": "2026-10-25T05:00:00+00:00", "channel": "email"},
            ],
        },
        "agents": [{"id": "a"}],
        "handling": {"type": "exponential", "mean_minutes": 1},
        "days": None,
        **fields,
    }
    path = tmp_path / "replay.json"
    path.write_text(json.dumps(data))
    return path


def test_a_days_leaving_a_replay_without_tickets_is_a_usage_error(tmp_path: Path) -> None:
    """``--days`` too short for any replayed ticket exits 2 naming ``--days`` and the
    problem's path (it exited 1, "invalid scenario in" the file, which runs as it is)."""
    path = _replay_file(tmp_path)
    assert cli.run(_parse(["simulate", str(path)]), io.StringIO(), io.StringIO()) == 0
    err = io.StringIO()
    assert cli.run(_parse(["simulate", str(path), "--days", "0.01"]), io.StringIO(), err) == 2
    assert err.getvalue().startswith(
        "error: bad --days 0.01: $.arrivals.tickets: no replayed ticket was created in "
    )
    assert err.getvalue().count("\n") == 1


def test_a_file_bad_on_its_own_is_still_the_file_s_fault_with_days(tmp_path: Path) -> None:
    """A file with problems of its own exits 1 naming the file, ``--days`` or not."""
    path = _replay_file(tmp_path, agents=[])
    for extra in ([], ["--days", "0.01"]):
        err = io.StringIO()
        assert cli.run(_parse(["simulate", str(path), *extra]), io.StringIO(), err) == 1
        assert err.getvalue().startswith(f"error: invalid scenario in {path}\n")
        assert "$.agents: Tuple should have at least 1 item" in err.getvalue()


def test_a_ticket_replayed_on_a_grid_point_counts_there() -> None:
    """The k-th point is ``k * sample_minutes`` as an instant to the microsecond, as a
    replayed ticket's time is: a ticket at 0.57 minutes (34.2 s) is in the first point's
    sample (the grid's point was 0.57 * 60.0 = 34.199999999999996 s, before it)."""
    start = datetime(2026, 11, 23, tzinfo=UTC)
    scenario = Scenario(
        name="grid",
        start=start,
        days=None,
        sample_minutes=0.57,
        arrivals=ReplayArrivals(
            tickets=[ReplayTicket(created_at=start + timedelta(minutes=0.57), channel="email")]
        ),
        agents=[AgentSpec(id="a", capacity=0)],
        handling=Exponential(mean_minutes=1),
        drain_days=0.001,
    )
    result = run(scenario, 1)
    assert result.sample_times[:3] == [0.0, 34.2, 68.4]
    assert result.backlog[:3] == [0, 1, 1]


def test_a_grid_finer_than_a_microsecond_is_refused() -> None:
    """The grid's points are instants to the microsecond: a finer step put every point
    of a span on one instant (``[0.0, 0.0, ...]``)."""
    import pytest

    from helpdesk_routing.errors import ValidationError

    short = mmc(2, 0.6, 30).model_copy(update={"drain_days": 0.0, "days": 1e-8, "tickets": None})
    with pytest.raises(ValidationError) as caught:  # 14,400 samples: few enough
        short.model_copy(update={"sample_minutes": 1e-9})
    assert caught.value.paths == ("$.sample_minutes",)
    assert "greater than or equal to" in caught.value.details[0].message
    fine = short.model_copy(update={"sample_minutes": 1 / 60_000_000})
    assert fine.sample_minutes == 1 / 60_000_000
