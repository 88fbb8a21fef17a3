"""Plots of a simulation result (extra ``plot``: matplotlib, drawn by its Agg canvas).

The figure is made without pyplot: the process's backend is left as it is (a notebook's
inline one too) and no figure is registered with pyplot, so none is left open.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpdesk_routing.errors import ArgumentTypeError, ValidationError

from ._args import integer
from ._extras import require_figure

if TYPE_CHECKING:  # pragma: no cover
    from .results import SimulationResult

__all__ = ["MAX_BINS", "plot_path", "plot_result"]

MAX_BINS = 1_000
"""The most bins of the wait histogram: more than the panel has pixels across (it is
about 500 wide); matplotlib's time and memory grow with them (100,000 took a minute
and a half, 10**9 ran out of memory)."""


def plot_path(path: object) -> Path:
    """``path`` as the file a plot is saved to: a PNG, so a path ending in ``.png`` (in
    any case). ``ArgumentTypeError`` for no file path; ``ValidationError`` naming the
    path for another suffix or none (matplotlib took the suffix for the format, wrote
    a PDF to ``out.pdf``, ``outnoext.png`` for ``outnoext`` and failed on ``out.xyz``
    after the whole run), for a file named ``.png`` alone, and for a path holding NUL."""
    if not isinstance(path, str | os.PathLike) or not isinstance(os.fspath(path), str):
        raise ArgumentTypeError(f"path must be a file path (str or Path), got {path!r}")
    if "\x00" in os.fspath(path):  # no file is named so: matplotlib's bare ValueError
        raise ValidationError(f"path must not contain NUL (\\x00), got {os.fspath(path)!r}")
    # the name as given: Path("x.png/") is Path("x.png"), and a file x.png was written
    # where the caller named a folder
    name = os.path.basename(os.fspath(path)).lower()
    if name == ".png":  # a hidden file: a name left out ("$NAME.png")?
        raise ValidationError(f"a plot file needs a name before its .png; got {str(path)!r}")
    if not name.endswith(".png"):
        raise ValidationError(
            f"a plot is saved as PNG, to a path ending in .png; got {str(path)!r}"
        )
    return Path(path)


def _size(number: int) -> str:
    """``number`` as a message shows it: a huge one by its size, not its digits."""
    if abs(number) < 10**30:
        return f"{number:,}"
    return f"an integer of {number.bit_length()} bits"


def _literal(text: str) -> str:
    """``text`` as matplotlib draws it literally: a ``$`` escaped (``\\$``), so a pair of
    them is no math text (a scenario named ``refunds $\\frac$`` or an agent ``$$`` made
    ``plot`` fail with matplotlib's own ``ValueError``; ``cost $5 to $10`` was drawn as
    math, in italics)."""
    return text.replace("$", r"\$")


def plot_result(result: SimulationResult, path: str | Path | None = None, *, bins: int = 40) -> Any:
    """Three panels: waits (minutes), backlog over time (hours), tickets assigned per
    agent.

    Returns the ``Figure``; saves it as PNG at exactly ``path`` when given (see
    :func:`plot_path`). The figure is a ``matplotlib.figure.Figure`` on an Agg canvas,
    made without pyplot: the process's backend is not changed and pyplot does not hold
    the figure (a notebook shows it when it is a cell's value, or by ``display(fig)``;
    ``fig.savefig`` saves it). ``bins`` (the wait histogram's) is an integer from 1 to
    :data:`MAX_BINS`: ``TypeError`` or ``ValueError`` otherwise, as for a ``path`` that
    is no file path or does not end in ``.png``, before matplotlib is asked.
    """
    bins = integer(bins, "bins")  # a numpy integer too, as everywhere in the simulator
    if not 1 <= bins <= MAX_BINS:
        raise ValidationError(f"bins must be from 1 to {MAX_BINS:,}, got {_size(bins)}")
    target = None if path is None else plot_path(path)
    figure_class, canvas_class = require_figure("SimulationResult.plot")
    fig = figure_class(figsize=(15, 4.2))
    canvas_class(fig)  # the figure's canvas: Agg renders it, whatever pyplot's backend is
    waits_ax, backlog_ax, load_ax = fig.subplots(1, 3)
    waits = [w / 60 for w in result.records.waits(result.warmup)]
    if waits:
        waits_ax.hist(waits, bins=bins, color="#4C72B0")
    else:  # no ticket started after the warm-up: an empty panel that says so
        waits_ax.text(
            0.5, 0.5, "no ticket started", ha="center", va="center", transform=waits_ax.transAxes
        )
    waits_ax.set_xlabel("time to first response (min)")
    waits_ax.set_ylabel("tickets")
    mean = result.summary.ttfr.mean
    if not math.isnan(mean):
        waits_ax.axvline(mean / 60, color="#C44E52", label=f"mean {mean / 60:.1f} min")
        waits_ax.legend()
    waits_ax.set_title("Wait distribution")
    hours = [t / 3600 for t in result.sample_times]
    backlog = list(result.backlog)
    if backlog and result.horizon > result.sample_times[-1]:
        # the last step runs on to the run's end, which may fall between two grid points
        hours.append(result.horizon / 3600)
        backlog.append(backlog[-1])
    backlog_ax.step(hours, backlog, where="post", color="#55A868")
    backlog_ax.set_xlabel("hours since start")
    backlog_ax.set_ylabel("tickets waiting")
    backlog_ax.set_title("Backlog over time")
    per_agent = result.summary.per_agent
    load_ax.bar([_literal(a) for a in per_agent], list(per_agent.values()), color="#8172B2")
    load_ax.set_ylabel("tickets")
    # what summary.per_agent counts; "load" is the open and pending tickets over time
    load_ax.set_title("Tickets assigned per agent")
    load_ax.tick_params(axis="x", rotation=45)
    fig.suptitle(_literal(f"{result.scenario} · {result.policy} · seed {result.seed}"))
    fig.tight_layout()
    if target is not None:
        fig.savefig(target, dpi=100, format="png")
    return fig
