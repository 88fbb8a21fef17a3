"""A notebook's use of results and sweeps: plots that leave pyplot alone."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpdesk_routing.simulation import (
    AgentSpec,
    Exponential,
    PoissonArrivals,
    Scenario,
    run,
)


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
    matplotlib = pytest.importorskip("matplotlib")
    plt = pytest.importorskip("matplotlib.pyplot")
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
