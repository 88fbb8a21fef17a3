"""The simulator at the edges of time: the sample grid to the run's end, calendar changes
far apart, historical UTC offsets of seconds, and ``--days`` leaving a replay empty."""

from __future__ import annotations

from helpdesk_routing.simulation import (
    AgentSpec,
    Exponential,
    PoissonArrivals,
    Scenario,
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
    assert result.horizon > 36 * 3600  # the drain's end, well past the last arrival
    count = int(result.horizon // every) + 1
    assert result.sample_times == [k * every for k in range(count)]
    assert result.backlog[-1] == waiting
    assert all(len(v) == count for v in result.load.values())
    assert len(result.backlog) == count


def test_samples_end_with_the_last_work_when_nothing_was_cut() -> None:
    """Without a cut the grid runs to the end of the last work, each point at k * every
    (a running sum drifted off it): no point missing or doubled."""
    scenario = mmc(2, 0.6, 300).model_copy(update={"sample_minutes": 7.01})
    result = run(scenario, 3)
    every = 7.01 * 60
    assert result.horizon == max(result.records.resolved)
    times = result.sample_times
    assert times == [k * every for k in range(len(times))]
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
