"""Results: records, the summary from the metrics module, pandas, plots, pickling."""

from __future__ import annotations

import dataclasses
import itertools
import math
import pickle
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing.errors import MissingExtra, ValidationError
from helpdesk_routing.metrics import DurationStats, FairnessStats
from helpdesk_routing.simulation import (
    AgentSpec,
    Exponential,
    PoissonArrivals,
    Scenario,
    run,
)
from helpdesk_routing.simulation.demo import webshop_week
from helpdesk_routing.simulation.results import clock_micros

from .conftest import mmc, zero_span


@pytest.fixture(scope="module")
def week():  # type: ignore[no-untyped-def]
    """Two days of the web shop."""
    return run(webshop_week().model_copy(update={"days": 2.0, "drain_days": 2.0}))


def test_summary_is_computed_by_the_metrics_module(week) -> None:  # type: ignore[no-untyped-def]
    """The TTFR figures are DurationStats and fairness is FairnessStats of the per-agent counts."""
    s = week.summary
    assert s.ttfr == DurationStats.of(week.records.waits())
    assert s.fairness == FairnessStats.of(s.per_agent)
    assert sum(s.per_agent.values()) == s.tickets
    assert 0 <= s.over_target <= 1


def test_report_names_the_figures(week) -> None:  # type: ignore[no-untyped-def]
    """The report gives TTFR, the share over target and fairness."""
    text = week.report()
    assert "time to first response" in text
    assert "over 60 min" in text
    assert "Jain" in text


def test_to_pandas_has_one_row_per_ticket(week) -> None:  # type: ignore[no-untyped-def]
    """The DataFrame has every record column and a wait equal to started - created."""
    frame = week.to_pandas()
    assert len(frame) == len(week.records)
    assert list(frame.columns) == [
        "created",
        "channel",
        "team",
        "decided_by",
        "assignee",
        "assigned_at",
        "started",
        "resolved",
        "closed",
        "wait",
    ]
    assert frame["created"].iloc[0] >= week.start
    waits = frame["wait"].dt.total_seconds().dropna().tolist()
    assert waits == pytest.approx(week.records.waits())


def test_to_pandas_times_are_the_clock_s_instants() -> None:
    """Each time is the instant the Router's clock was set to, to the microsecond: no
    float noise below it (a wait of exactly 600 s read 600.000000239 s, over a target of
    ten minutes), a replayed ticket's ``created`` is its ``created_at``, and ``wait`` is
    ``records.waits()`` exactly."""
    result = run(mmc(2, 0.8, 400), 5)
    frame = result.to_pandas()
    start = result.start
    for column, values in (
        ("created", result.records.created),
        ("started", result.records.started),
    ):
        for stamp, seconds in zip(frame[column], values, strict=True):
            if math.isnan(seconds):
                assert stamp is pd_nat()
                continue
            assert stamp.to_pydatetime() == start + timedelta(seconds=seconds)
            assert stamp.nanosecond == 0
    waits = [w.total_seconds() for w in frame["wait"].dropna()]
    assert waits == result.records.waits()


@given(
    st.floats(min_value=0, max_value=3e9)
    | st.integers(0, 3 * 10**15).map(lambda us: us / 1e6 + 5e-7)
)
@settings(max_examples=500, deadline=None)
def test_clock_micros_rounds_as_timedelta_does(seconds: float) -> None:
    """The instant of ``seconds`` is that of ``start + timedelta(seconds=...)``, near half
    a microsecond too (``round(seconds * 1e6)`` rounded a product that lost digits)."""
    assert clock_micros(seconds) == timedelta(seconds=seconds) // timedelta(microseconds=1)


def pd_nat():  # type: ignore[no-untyped-def]
    import pandas as pd

    return pd.NaT


def _no_tickets():  # type: ignore[no-untyped-def]
    """A run in which no ticket arrives."""
    data = mmc(1, 0.5, 10).model_dump()
    data.update(tickets=None, days=0.01, drain_days=0.0, warmup_tickets=0)
    data["arrivals"] = {"type": "poisson", "per_hour": 0.001}
    quiet = Scenario.model_validate(data)
    result = run(quiet, 4)
    assert len(result.records) == 0
    return result


def test_to_pandas_has_the_same_column_types_without_tickets(week) -> None:  # type: ignore[no-untyped-def]
    """Every column has its stated type in a run without tickets too, so replications
    concatenate cleanly (an empty run's text columns were floats, its times in another
    unit)."""
    frame, empty = week.to_pandas(), _no_tickets().to_pandas()
    assert len(empty) == 0
    assert list(empty.columns) == list(frame.columns)
    assert empty.dtypes.to_dict() == frame.dtypes.to_dict()
    assert str(frame.dtypes["created"]) == "datetime64[ns, UTC]"
    assert str(frame.dtypes["wait"]) == "timedelta64[ns]"
    assert frame.dtypes["assignee"] is np.dtype(object)
    assert frame["team"].map(lambda v: v is None or isinstance(v, str)).all()
    assert pd_concat_keeps_types(frame, empty)


def pd_concat_keeps_types(frame, empty) -> bool:  # type: ignore[no-untyped-def]
    import pandas as pd

    both = pd.concat([frame, empty], ignore_index=True)
    return bool(both.dtypes.to_dict() == frame.dtypes.to_dict())


def test_plot_of_a_run_without_started_tickets_draws_no_made_up_wait(tmp_path: Path) -> None:
    """With no wait to show, the histogram panel is empty and says so (it drew one ticket
    with a wait of 0 minutes)."""
    figure = _no_tickets().plot(tmp_path / "empty.png")
    waits_ax = figure.axes[0]
    assert len(waits_ax.patches) == 0  # no bar
    assert [t.get_text() for t in waits_ax.texts] == ["no ticket started"]
    assert (tmp_path / "empty.png").read_bytes()[:4] == b"\x89PNG"


def test_plot_writes_a_png(week, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """plot(path) saves a PNG with the three panels."""
    path = tmp_path / "week.png"
    figure = week.plot(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(figure.axes) == 3


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"bins": 0}, ValueError, "bins must be from 1 to 1,000, got 0"),
        ({"bins": 1001}, ValueError, "bins must be from 1 to 1,000, got 1,001"),
        ({"bins": 10**9}, ValueError, "bins must be from 1 to 1,000, got 1,000,000,000"),
        (
            {"bins": 10**400},
            ValueError,
            "bins must be from 1 to 1,000, got an integer of 1329 bits",
        ),
        ({"bins": "auto"}, TypeError, "bins must be an integer, got 'auto'"),
        ({"bins": True}, TypeError, "bins must be an integer, got True"),
        ({"path": 123}, TypeError, "path must be a file path (str or Path), got 123"),
        # matplotlib's bare ValueError before: embedded null byte
        (
            {"path": "o\x00.png"},
            ValidationError,
            "path must not contain NUL (\\x00), got 'o\\x00.png'",
        ),
    ],
)
def test_plot_refuses_bad_arguments_by_name(  # type: ignore[no-untyped-def]
    week, kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    """A bad bins or path is named by the plot, not by matplotlib deep inside; bins has
    a maximum (100,000 took a minute and a half, 10**9 ran out of memory)."""
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        week.plot(**kwargs)


def test_plot_takes_bins_as_a_numpy_integer(week) -> None:  # type: ignore[no-untyped-def]
    """As every count of the simulator, ``bins`` may be a numpy integer."""
    import numpy as np

    figure = week.plot(bins=np.int64(5))
    assert len(figure.axes[0].patches) == 5


def test_waits_skip_is_a_count_of_at_least_zero(week) -> None:  # type: ignore[no-untyped-def]
    """``waits(skip)`` leaves out the first ``skip`` tickets: a numpy integer counts; a
    negative count (it kept only the last tickets), a bool or a float is refused."""
    import numpy as np

    records = week.records
    assert records.waits(np.int64(3)) == records.waits(3)
    assert len(records.waits(3)) < len(records.waits())
    with pytest.raises(ValueError, match=r"^skip must be at least 0, got -1$"):
        records.waits(-1)
    for bad in (True, 1.5, "2"):
        with pytest.raises(TypeError, match=r"^skip must be an integer, got "):
            records.waits(bad)


@pytest.mark.parametrize("name", ["x.xyz", "x.pdf", "xnoext", "x.png.bak"])
def test_plot_refuses_a_path_not_ending_in_png_by_name(  # type: ignore[no-untyped-def]
    week, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """The plot is saved as PNG: a path with another suffix (or none) is a
    ``ValidationError`` naming it, before matplotlib is asked (it raised its own
    ValueError for x.xyz, wrote a PDF for x.pdf and xnoext.png for xnoext)."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # never reached
    target = tmp_path / name
    with pytest.raises(ValidationError) as info:
        week.plot(target)
    assert info.value.message == (
        f"a plot is saved as PNG, to a path ending in .png; got {str(target)!r}"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", [".png", ".PNG"])
def test_plot_refuses_a_file_named_png_alone(  # type: ignore[no-untyped-def]
    week, tmp_path: Path, name: str
) -> None:
    """A file named .png has no name before its suffix (an empty "$NAME.png"?): refused
    saying so, where it was said not to end in .png."""
    target = tmp_path / name
    with pytest.raises(ValidationError) as info:
        week.plot(target)
    assert info.value.message == f"a plot file needs a name before its .png; got {str(target)!r}"
    assert list(tmp_path.iterdir()) == []


def test_the_third_panel_is_titled_for_what_it_shows(week) -> None:  # type: ignore[no-untyped-def]
    """The bars are the tickets assigned per agent (summary.per_agent), not the load
    (open and pending tickets over time), which the panel was titled."""
    figure = week.plot()
    assert figure.axes[2].get_title() == "Tickets assigned per agent"
    heights = [bar.get_height() for bar in figure.axes[2].patches]
    assert heights == list(week.summary.per_agent.values())


def test_plot_writes_png_at_exactly_the_path_given(week, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Whatever the suffix's case, the PNG is written at the path given, as text or Path."""
    for target in (tmp_path / "a.PNG", str(tmp_path / "b.Png")):
        week.plot(target)
        assert Path(target).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.PNG", "b.Png"]


def test_missing_pandas_names_the_extra(week, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Without pandas, to_pandas raises MissingExtra naming the 'pandas' extra."""
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(MissingExtra, match=r"pip install 'helpdesk-routing\[pandas\]'"):
        week.to_pandas()


def test_missing_matplotlib_names_the_extra(week, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Without matplotlib, plot raises MissingExtra naming the 'plot' extra."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingExtra, match=r"pip install 'helpdesk-routing\[plot\]'"):
        week.plot()


def test_results_pickle_round_trip() -> None:
    """A result survives pickling unchanged (sweeps send them between processes)."""
    result = run(mmc(2, 0.6, 500), 1)
    again = pickle.loads(pickle.dumps(result))
    assert again.records == result.records
    assert again.summary == result.summary


def test_backlog_samples_follow_the_grid() -> None:
    """Samples are taken every sample_minutes from the start, one load series per agent."""
    result = run(mmc(2, 0.6, 2000), 1)
    times = result.sample_times
    assert times[0] == 0
    assert all(b - a == pytest.approx(3600) for a, b in itertools.pairwise(times))
    assert all(len(v) == len(times) for v in result.load.values())
    assert len(result.backlog) == len(times)


def _replay(hours: list[float], **fields: object) -> Scenario:
    start = datetime(2026, 11, 23, tzinfo=UTC)
    tickets = [
        {"created_at": (start + timedelta(hours=h)).isoformat(), "channel": "email"} for h in hours
    ]
    data: dict[str, object] = {
        "start": start.isoformat(),
        "days": None,
        "tickets": len(hours),
        "arrivals": {"type": "replay", "tickets": tickets},
        "agents": [{"id": "a"}],
        "handling": {"type": "empirical", "minutes": [10]},
        "mode": "queueing",
    }
    data.update(fields)
    return Scenario.model_validate(data)


def test_the_warm_up_is_left_out_of_the_time_figures_too() -> None:
    """40 tickets at once (the warm-up), then 20 an hour apart from hour 10; one agent,
    10 minutes each. The span runs from hour 10 to the last ticket's end: 20 arrivals,
    3 h 20 min of work, no backlog (the arrival rate, utilisation and backlog counted
    the warm-up's burst before)."""
    result = run(_replay([0.0] * 40 + [10.0 + h for h in range(20)], warmup_tickets=40), 0)
    s = result.summary
    span = (19 + 10 / 60) * 3600
    assert result.measured_from == 10 * 3600
    assert s.horizon == pytest.approx(span)
    assert s.arrival_rate * s.horizon == pytest.approx(20)
    assert s.utilisation["a"] == pytest.approx(20 * 600 / span)
    assert s.mean_backlog == 0
    assert s.tickets == 20


def test_work_past_the_drain_counts_up_to_its_end() -> None:
    """A ticket of 10 hours starts at hour 1 and the drain ends at hour 2: the agent was
    busy for one hour of the two; the other ticket, waiting since hour 1.5, waited half an
    hour of them (utilisation was 5.5, the horizon the last event, not the drain's end)."""
    result = run(
        _replay([1.0, 1.5], handling={"type": "empirical", "minutes": [600]}, drain_days=0.5 / 24),
        0,
    )
    s = result.summary
    assert result.horizon == 2 * 3600
    assert s.horizon == 2 * 3600
    assert s.utilisation["a"] == pytest.approx(0.5)
    assert s.mean_backlog == pytest.approx(0.25)
    assert s.started == 1


def test_pending_times_change_no_time_figure() -> None:
    """Tickets pending for days after work close long after the last work ends: the span
    ends with the work, so utilisation, backlog and arrival rate are those of the same
    run without pending (they were three times smaller)."""
    base = mmc(4, 0.7, 2000, warmup=200).model_dump()
    pending = {
        **base,
        "pending": {"probability": 1.0, "duration": {"type": "exponential", "mean_minutes": 3000}},
    }
    plain, held = run(Scenario.model_validate(base), 3), run(Scenario.model_validate(pending), 3)
    assert held.records.started == plain.records.started
    assert held.records.resolved == plain.records.resolved
    assert plain.records.closed == plain.records.resolved  # nothing pending: closed at once
    assert held.summary == dataclasses.replace(plain.summary, closed=held.summary.closed)
    assert held.summary.closed < held.summary.resolved == plain.summary.closed == 1800
    for end, closed in zip(held.records.resolved, held.records.closed, strict=True):
        assert math.isnan(closed) or closed > end  # closed after its pending time


def test_closed_is_when_a_pending_ticket_closed() -> None:
    """Work of 10 minutes, then pending for an hour: resolved at the end of work, closed
    an hour later (the close was recorded nowhere); a report line says how many closed
    when it differs from the resolved ones."""
    result = run(
        _replay(
            [1.0, 2.0],
            pending={"probability": 1.0, "duration": {"type": "empirical", "minutes": [60]}},
        ),
        0,
    )
    r = result.records
    assert [x / 3600 for x in r.resolved] == pytest.approx([1 + 1 / 6, 2 + 1 / 6])
    assert [x / 3600 for x in r.closed] == pytest.approx([2 + 1 / 6, 3 + 1 / 6])
    assert result.summary.closed == 2
    cut = run(
        _replay(
            [1.0, 2.0],
            pending={"probability": 1.0, "duration": {"type": "empirical", "minutes": [60]}},
            drain_days=1 / 24,  # from the last arrival: the run ends at hour 3
        ),
        0,
    )
    assert math.isnan(cut.records.closed[1])  # still pending when the drain ended
    assert cut.summary.closed == 1
    assert cut.summary.resolved == 2
    assert "resolved 2, closed 1" in cut.report()
    assert cut.to_pandas()["closed"].isna().tolist() == [False, True]


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=1000),
    agents=st.integers(min_value=1, max_value=4),
    capacity=st.sampled_from([None, 1, 2]),
    mean=st.sampled_from([5.0, 60.0, 900.0]),
    drain_days=st.sampled_from([0.0, 0.1, 7.0]),
    shift=st.booleans(),
    pending=st.booleans(),
)
def test_time_figures_are_shares_and_little_holds_when_all_was_done(
    seed: int,
    agents: int,
    capacity: int | None,
    mean: float,
    drain_days: float,
    shift: bool,
    pending: bool,
) -> None:
    """Through the Router, with shifts, capacities, pending times and drains that cut the
    run or not: each utilisation lies in [0, 1]; busy time never exceeds the span; and
    when every ticket was started, the backlog's integral is the sum of the waits (Little's
    law on the sample path, the span being where they happen)."""
    data = mmc(agents, 0.5, 150, mode="router", warmup=0).model_dump(mode="json")
    data.update(
        handling={"type": "exponential", "mean_minutes": mean},
        drain_days=drain_days,
        configuration={"capacity": capacity},
    )
    if shift:
        week = ("mon", "tue", "wed", "thu", "fri")
        data["agents"] = [
            {
                "id": f"a{i}",
                "shift": {"timezone": "UTC", "weekly": {d: [["08:00", "16:00"]] for d in week}},
            }
            for i in range(agents)
        ]
    if pending:
        data["pending"] = {
            "probability": 0.5,
            "duration": {"type": "exponential", "mean_minutes": 600},
        }
    result = run(Scenario.model_validate(data), seed)
    s = result.summary
    assert s.horizon > 0
    for agent, share in s.utilisation.items():
        assert 0 <= share <= 1 + 1e-9
        assert result.busy[agent] <= s.horizon * (1 + 1e-9)
    if s.started == s.tickets:
        waits = math.fsum(result.records.waits())
        assert result.backlog_area == pytest.approx(waits, rel=1e-9, abs=1e-6)


def test_tickets_in_a_measured_span_of_no_length_have_no_arrival_rate() -> None:
    """One measured ticket arriving with the warm-up one and handled in 0 minutes: the
    span measured lasts 0 s, and 1 ticket in 0 s is no rate (NaN), not 0.0, which reads
    as nothing arriving; with no ticket measured the rate stays 0."""
    scenario = zero_span()
    summary = run(scenario, 1).summary
    assert (summary.tickets, summary.horizon) == (1, 0.0)
    assert math.isnan(summary.arrival_rate)
    assert summary.mean_backlog == 0.0


@pytest.mark.parametrize("mode", ["router", "queueing"])
def test_a_warm_up_of_every_ticket_measures_an_empty_span_with_no_backlog(mode: str) -> None:
    """When the warm-up takes every ticket that arrives (days bound the run), the span
    measured is empty: busy is 0, and the backlog integral over it is 0 too (it was the
    whole run's, 5,847.5 s here)."""
    base = Scenario(
        name="x",
        arrivals=PoissonArrivals(per_hour=2),
        days=1.0,
        agents=[AgentSpec(id="a"), AgentSpec(id="b")],
        handling=Exponential(mean_minutes=30),
        policy="random",
        mode=mode,
    )
    whole = run(base, 1)
    assert whole.backlog_area > 0
    for warmup in (len(whole.records), 500):
        result = run(base.model_copy(update={"warmup_tickets": warmup}), 1)
        assert result.measured_from == result.horizon
        assert set(result.busy.values()) == {0.0}
        assert result.backlog_area == 0.0
