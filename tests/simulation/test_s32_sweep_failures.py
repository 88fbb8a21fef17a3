"""A sweep that fails or is interrupted stops: the cells not started are cancelled (on a
thread pool, a process pool and a Dask cluster), and a cell that fails is named by its
position, scenario, policy and seed, its error keeping its class and carrying the rows
finished before it. (The interruption came 60-80 s late: every other cell ran first.)"""

from __future__ import annotations

import datetime as dt
import importlib
import multiprocessing
import pickle
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from helpdesk_routing.errors import ValidationError
from helpdesk_routing.simulation import (
    AgentSpec,
    Cell,
    Exponential,
    PoissonArrivals,
    Scenario,
    grid,
    sweep,
)

from .conftest import mmc

sweep_module = importlib.import_module("helpdesk_routing.simulation.sweep")
_run_cell = sweep_module.run_cell

_DIR: Path | None = None
"""Where the gated cells say they ran (a file per seed), and the gate (a file ``go``):
set before a pool starts, so a forked worker process has it too."""


def _gated(cell: Cell, keep: bool = False) -> Any:
    """``run_cell``, saying so in ``_DIR``; a cell of seed below 2 waits for the gate."""
    assert _DIR is not None
    (_DIR / f"ran-{cell.seed}").touch()
    while cell.seed < 2 and not (_DIR / "go").exists():
        time.sleep(0.01)  # (waiting for the test, not timing anything)
    return _run_cell(cell, keep)


def _ran() -> set[int]:
    assert _DIR is not None
    return {int(p.name[4:]) for p in _DIR.glob("ran-*")}


class _Interrupted(Executor):
    """``inner``, whose first future's ``result()`` raises ``KeyboardInterrupt`` (Ctrl-C
    while the sweep waits for it); the futures it gave are kept."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner
        self.futures: list[Future[Any]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = self.inner.submit(fn, *args, **kwargs)
        if not self.futures:

            def interrupted(timeout: float | None = None) -> Any:
                raise KeyboardInterrupt

            future.result = interrupted  # type: ignore[method-assign]
        self.futures.append(future)
        return future


@pytest.fixture
def gated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    global _DIR
    _DIR = tmp_path
    monkeypatch.setattr(sweep_module, "run_cell", _gated)
    try:
        yield tmp_path
    finally:
        (tmp_path / "go").touch()  # never leave a worker waiting
        _DIR = None


def _cells(n: int = 10) -> list[Cell]:
    return grid(mmc(2, 0.5, 200), "pooled", list(range(n)))


def _interrupted_sweep(pool: Executor, gate: Path) -> list[Future[Any]]:
    """Sweep ten cells on ``pool`` interrupted while waiting for the first; the futures,
    after the pool finished what it did not cancel."""
    executor = _Interrupted(pool)
    try:
        with pytest.raises(KeyboardInterrupt):
            sweep(_cells(), executor)
        # no cell waits in the pool's queue: each is cancelled, or was handed to a worker
        waiting = [f for f in executor.futures if not (f.cancelled() or f.running() or f.done())]
    finally:
        (gate / "go").touch()  # (the pool's shutdown would wait for the gated cell)
    pool.shutdown(wait=True)
    assert waiting == []
    return executor.futures


def test_an_interrupt_on_a_thread_pool_cancels_every_cell_not_started(gated: Path) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        futures = _interrupted_sweep(pool, gated)
    # the one worker held the first cell: every other was cancelled, none ran
    assert [f.cancelled() for f in futures] == [False] + [True] * 9
    assert _ran() == {0}


def test_an_interrupt_on_a_process_pool_cancels_every_cell_not_started(gated: Path) -> None:
    fork = multiprocessing.get_context("fork")  # the worker has the test's run_cell
    with ProcessPoolExecutor(max_workers=1, mp_context=fork) as pool:
        futures = _interrupted_sweep(pool, gated)
    # a process pool hands a worker one cell more than it runs (its call queue): those
    # two at most ran, the rest were cancelled
    assert sum(f.cancelled() for f in futures) >= 8
    assert _ran() <= {0, 1}


def test_an_interrupt_on_a_dask_cluster_cancels_its_tasks(gated: Path) -> None:
    import distributed

    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    )
    client = distributed.Client(cluster)
    try:
        executor = _Interrupted(client.get_executor())
        try:
            with pytest.raises(KeyboardInterrupt):
                sweep(_cells(), executor)
            cancelled = [f.cancelled() for f in executor.futures]
            assert cancelled == [True] * 10  # (a Dask future is pending until it is done)
            # Dask cancels by message: wait until the worker has let go of the cells it
            # was given (the gated one excepted), as the cluster does soon after
            for _ in range(6000):
                held = client.run(lambda dask_worker: len(dask_worker.state.tasks))
                if max(held.values()) <= 1:
                    break
                time.sleep(0.01)
        finally:
            (gated / "go").touch()
        # a cell submitted after the cancelled ones runs, so they were not just late
        assert client.submit(lambda: 1).result() == 1
        client.run(lambda: None)
    finally:
        client.close()
        cluster.close()
    assert _ran() <= {0, 1}


def _edge() -> Scenario:
    """Poisson arrivals of a ticket count near the last instant a run may reach: seed 0
    draws its tenth ticket past it, and the run stops with ValidationError midway."""
    return Scenario(
        name="edge",
        arrivals=PoissonArrivals(per_hour=10 / 23.0),
        start=dt.datetime(2261, 12, 31, tzinfo=dt.UTC),
        days=None,
        tickets=10,
        drain_days=0.01,
        agents=[AgentSpec(id="ann")],
        handling=Exponential(mean_minutes=1.5),
        policy="round_robin",
    )


def _failing_grid() -> list[Cell]:
    ok = mmc(2, 0.5, 200)
    return grid(ok, "pooled", [1, 2]) + grid(_edge(), "round_robin", 0) + grid(ok, "pooled", [3, 4])


def _check_named(error: ValidationError, cells: list[Cell]) -> None:
    prefix = "cells[2] (scenario 'edge', policy round_robin, seed 0): "
    assert str(error).startswith(prefix + "scenario 'edge', seed 0: ticket 10 of 10")
    assert error.message.startswith(prefix)
    assert isinstance(error.__cause__, ValidationError)
    assert str(error) == prefix + str(error.__cause__)
    finished = error.finished_rows  # type: ignore[attr-defined]
    assert finished == sweep(cells[:2])
    assert finished.to_pandas()["seed"].tolist() == [1, 2]
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert str(again) == str(error)
    assert again.finished_rows == finished


def test_a_failing_cell_is_named_and_stops_the_sweep_here() -> None:
    cells = _failing_grid()
    with pytest.raises(ValidationError) as caught:
        sweep(cells)
    _check_named(caught.value, cells)


def test_a_failing_cell_on_a_thread_pool_cancels_the_cells_after_it(
    gated: Path,
) -> None:
    cells = _failing_grid()
    (gated / "go").touch()
    with ThreadPoolExecutor(max_workers=1) as pool, pytest.raises(ValidationError) as caught:
        sweep(cells, pool)
    _check_named(caught.value, cells)
    # one worker runs the cells in order: the failure cancelled the two after it
    assert _ran() == {0, 1, 2}


def test_a_failing_cell_on_a_process_pool_is_named() -> None:
    cells = _failing_grid()
    with ProcessPoolExecutor(max_workers=2) as pool, pytest.raises(ValidationError) as caught:
        sweep(cells, pool)
    _check_named(caught.value, cells)


def test_an_error_of_another_kind_is_itself_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(cell: Cell, keep: bool = False) -> Any:
        if cell.seed == 3:
            raise ZeroDivisionError("float division by zero")
        return _run_cell(cell, keep)

    monkeypatch.setattr(sweep_module, "run_cell", broken)
    cells = _cells(5)
    with pytest.raises(ZeroDivisionError) as caught:
        sweep(cells)
    assert str(caught.value) == "float division by zero"
    assert caught.value.__notes__ == [
        "raised running cells[3] (scenario 'M/M/2 rho=0.5', policy pooled, seed 3) of the sweep"
    ]
    assert [r.seed for r in caught.value.finished_rows] == [0, 1, 2]  # type: ignore[attr-defined]


def test_a_sweep_refuses_scenarios_that_differ_under_one_name() -> None:
    base = mmc(2, 0.5, 100)
    plus = base.with_agent(AgentSpec(id="cy"))
    cells = grid([base, plus], "pooled", [1, 2])
    with pytest.raises(ValidationError) as caught:
        sweep(cells)
    assert str(caught.value).startswith(
        "cells[2] (scenario 'M/M/2 rho=0.5', policy pooled, seed 1): its scenario differs "
        "from that of cells[0] (scenario 'M/M/2 rho=0.5', policy pooled, seed 1) but has "
        "the same name"
    )
    # named apart, or one scenario twice (equal, or the same object), they run
    renamed = plus.model_copy(update={"name": "plus cy"})
    assert len(sweep(grid([base, renamed], "pooled", [1]))) == 2
    assert len(sweep(grid([base, base.model_copy()], "pooled", [1]))) == 2


def test_by_name_refuses_two_rows_of_one_key() -> None:
    by_name = sweep_module.by_name
    rows = sweep(grid(mmc(2, 0.5, 100), "pooled", [1, 2]))
    assert list(by_name(rows)) == [("M/M/2 rho=0.5", "pooled", 1), ("M/M/2 rho=0.5", "pooled", 2)]
    with pytest.raises(ValidationError, match=r"rows\[0\] and rows\[2\] are both scenario"):
        by_name(rows + rows)
