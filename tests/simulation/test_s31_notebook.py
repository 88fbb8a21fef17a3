"""A notebook's use of results and sweeps: plots that leave pyplot alone, equality and
reprs that do not depend on what was looked at, an empty sweep's frame, a sweep that
checks every cell's scenario before running any."""

from __future__ import annotations

import importlib
import pickle
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpdesk_routing.errors import ValidationError
from helpdesk_routing.simulation import (
    AgentSpec,
    Exponential,
    PoissonArrivals,
    Scenario,
    grid,
    run,
    sweep,
)
from helpdesk_routing.simulation.sweep import Cell, SweepRow

from .conftest import mmc


def _small() -> Scenario:
    return Scenario(
        name="t",
        arrivals=PoissonArrivals(per_hour=30),
        days=0.1,
        agents=[AgentSpec(id="ann")],
        handling=Exponential(mean_minutes=1),
    )


@pytest.fixture
def svg_backend() -> Iterator[None]:
    """pyplot on another backend than Agg (as a notebook's inline one is), restored after."""
    import matplotlib
    import matplotlib.pyplot as plt

    before = matplotlib.get_backend()
    plt.close("all")
    matplotlib.use("svg")
    try:
        yield
    finally:
        plt.close("all")
        matplotlib.use(before)


@pytest.mark.usefixtures("svg_backend")
def test_plot_leaves_the_backend_and_pyplot_s_figures_alone(tmp_path: Path) -> None:
    """plot() switched the process to Agg (a notebook's inline display went blank) and
    each figure made without a path stayed open in pyplot ("More than 20 figures")."""
    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    result = run(_small(), 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figures = [result.plot() for _ in range(30)]
        saved = result.plot(tmp_path / "r.png")
    assert matplotlib.get_backend() == "svg"
    assert plt.get_fignums() == []
    assert all(isinstance(f, Figure) and len(f.axes) == 3 for f in figures)
    assert saved.axes
    assert (tmp_path / "r.png").read_bytes()[:4] == b"\x89PNG"
    # the figure returned without a path can still be saved as PNG by the caller
    figures[0].savefig(tmp_path / "later.png", format="png")
    assert (tmp_path / "later.png").read_bytes()[:4] == b"\x89PNG"


def test_equality_does_not_depend_on_reading_the_summary() -> None:
    """The cached summary was a compared field: a result whose summary had been read
    (each a sweep keeps) equalled no fresh run of the same cell."""
    scenario = _small()
    a, b = run(scenario, 1), run(scenario, 1)
    a.summary  # noqa: B018  (read: cached)
    assert a == b
    assert pickle.loads(pickle.dumps(a)) == b
    kept = sweep(grid(scenario, "configured", 1), keep_results=True)[0].result
    assert kept == run(scenario.with_policy("configured"), 1)
    assert run(scenario, 2) != b


def test_a_result_s_repr_is_one_short_line() -> None:
    """The dataclass repr printed every record (12 MB for 100,000 tickets)."""
    result = run(mmc(2, 0.5, 20_000, policy="pooled", warmup=0), 3)
    text = repr(result)
    assert len(text) < 300
    assert "\n" not in text
    assert "'M/M/2 rho=0.5'" in text
    assert "pooled" in text
    assert "seed 3" in text
    assert "20,000 tickets" in text
    assert "TTFR mean" in text
    assert repr(result.records) == "<TicketRecords: 20,000 tickets>"
    table = sweep(grid(mmc(2, 0.5, 20_000), "pooled", [3, 4]), keep_results=True)
    assert len(repr(table[0])) < 1_000  # the figures and the result's line, no records
    assert len(repr(table)) < 2_000


def test_an_empty_sweep_s_frame_keeps_its_columns_and_types() -> None:
    """No rows gave a frame without columns: groupby("policy") raised KeyError."""
    import pandas as pd

    empty = sweep([]).to_pandas()
    full = sweep(grid(_small(), ["pooled", "random"], 1)).to_pandas()
    assert list(empty.columns) == list(full.columns)
    assert list(empty.columns)[:3] == ["scenario", "policy", "seed"]
    assert empty.dtypes.to_dict() == full.dtypes.to_dict()
    assert len(empty.groupby("policy")["ttfr_mean"].mean()) == 0
    assert pd.concat([empty, full]).dtypes.to_dict() == full.dtypes.to_dict()


def test_figure_types_are_the_summary_s_figures() -> None:
    """The empty frame's columns are those of Summary.as_dict, in order."""
    from helpdesk_routing.simulation.results import _FIGURE_TYPES

    figures = run(_small(), 1).summary.as_dict()
    assert list(_FIGURE_TYPES) == list(figures)
    assert all(type(figures[k]) is t for k, t in _FIGURE_TYPES.items())


def test_sweep_checks_every_cell_s_scenario_before_running_any(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A scenario that cannot run (made with model_construct) was found only at its
    cell's turn, after the cells before it ran, and the error named no cell."""
    sweep_module = importlib.import_module("helpdesk_routing.simulation.sweep")

    good = _small()
    broken = Scenario.model_construct(**{**dict(good), "days": float("nan")})
    ran: list[Cell] = []

    def counted(cell: Cell, keep: bool = False) -> SweepRow:
        ran.append(cell)
        raise AssertionError("no cell runs")

    monkeypatch.setattr(sweep_module, "run_cell", counted)
    cells = grid([good, broken], ["pooled", "random"], [1, 2])
    with pytest.raises(ValidationError) as info:
        sweep(cells)
    assert ran == []
    assert info.value.message.startswith(
        "cells[4] (scenario 't', policy pooled, seed 1): scenario 't' cannot run"
    )
    assert info.value.paths == ("$.days",)
