"""A sweep that fails or is interrupted stops: the cells not started are cancelled (on a
thread pool, a process pool and a Dask cluster), and a cell that fails is named by its
position, scenario, policy and seed, its error keeping its class and carrying the rows
finished before it. (The interruption came 60-80 s late: every other cell ran first.)

The interruption is a real SIGINT, sent by the first cell once every cell is submitted:
the sweep waits in ``concurrent.futures.wait`` as well as in ``Future.result``, so a
``result`` that raises would not stand for Ctrl-C any more.)"""

from __future__ import annotations

import datetime as dt
import importlib
import multiprocessing
import os
import pickle
import signal
import sys
import time
import traceback
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

_INTERRUPT: int | None = None
"""The process to send SIGINT (Ctrl-C) to when the first gated cell runs, once every
cell is submitted (a file ``submitted``); None, none."""


_HELD = frozenset({0, 1})
"""The seeds of the gated cells that wait for the gate."""


def _gated(cell: Cell, keep: bool = False) -> Any:
    """``run_cell``, saying so in ``_DIR``; a cell of a seed in ``_HELD`` waits for the
    gate (the first, seed 0, interrupts the sweep first when ``_INTERRUPT`` says so)."""
    assert _DIR is not None
    (_DIR / f"ran-{cell.seed}").touch()
    if cell.seed == 0 and _INTERRUPT is not None:
        while not (_DIR / "submitted").exists():
            time.sleep(0.01)  # (waiting for the sweep, not timing anything)
        os.kill(_INTERRUPT, signal.SIGINT)
    while cell.seed in _HELD and not (_DIR / "go").exists():
        time.sleep(0.01)  # (waiting for the test, not timing anything)
    return _run_cell(cell, keep)


def _ran() -> set[int]:
    assert _DIR is not None
    return {int(p.name[4:]) for p in _DIR.glob("ran-*")}


class _Recording(Executor):
    """``inner``, keeping the futures it gave; once the sweep holds all ``expect`` of
    them (it has given the last its done-callback) it says so (a file ``submitted`` in
    ``_DIR``): an interruption then finds every future in the sweep's hands."""

    def __init__(self, inner: Executor, expect: int = 10) -> None:
        self.inner = inner
        self.expect = expect
        self.futures: list[Future[Any]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = self.inner.submit(fn, *args, **kwargs)
        self.futures.append(future)
        if len(self.futures) == self.expect and _DIR is not None:
            gate, add = _DIR, future.add_done_callback

            def added(callback: Callable[[Future[Any]], object]) -> None:
                add(callback)
                (gate / "submitted").touch()

            future.add_done_callback = added  # type: ignore[method-assign]
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


@pytest.fixture
def held_after(gated: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``gated``, the cells of seed 3 and more (those after the failing one of
    ``_failing_grid``) held at the gate instead: a cell that started after the failure
    cannot finish before the sweep has raised, so what ran is not a race."""
    monkeypatch.setattr(sys.modules[__name__], "_HELD", frozenset(range(3, 100)))
    return gated


@pytest.fixture
def interrupting(gated: Path) -> Iterator[Path]:
    """``gated``, the first cell sending this process SIGINT (Ctrl-C) when it runs."""
    global _INTERRUPT
    _INTERRUPT = os.getpid()
    try:
        yield gated
    finally:
        _INTERRUPT = None


def _cells(n: int = 10) -> list[Cell]:
    return grid(mmc(2, 0.5, 200), "pooled", list(range(n)))


def _interrupted_sweep(pool: Executor, gate: Path) -> list[Future[Any]]:
    """Sweep ten cells on ``pool``, interrupted (SIGINT) while the first runs; the
    futures, after the pool finished what it did not cancel."""
    executor = _Recording(pool)
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


def test_an_interrupt_on_a_thread_pool_cancels_every_cell_not_started(
    interrupting: Path,
) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        futures = _interrupted_sweep(pool, interrupting)
    # the one worker held the first cell: every other was cancelled, none ran
    assert [f.cancelled() for f in futures] == [False] + [True] * 9
    assert _ran() == {0}


def test_an_interrupt_on_a_process_pool_cancels_every_cell_not_started(
    interrupting: Path,
) -> None:
    fork = multiprocessing.get_context("fork")  # the worker has the test's run_cell
    with ProcessPoolExecutor(max_workers=1, mp_context=fork) as pool:
        futures = _interrupted_sweep(pool, interrupting)
    # a process pool's call queue holds max_workers + 1 cells besides the one running,
    # already marked running (the interruption comes once the first cell runs, so the
    # queue may be full): those three at most ran, the rest were cancelled
    assert sum(f.cancelled() for f in futures) >= 7
    assert _ran() <= {0, 1, 2}


def _until_let_go(client: Any, count: Callable[..., int]) -> None:
    """Waits until the worker holds at most one cell (the one at the gate): Dask cancels
    by message, which a loaded machine may deliver late. Fails saying so after
    ``_LET_GO`` seconds (the gate is not opened before: a cell that then ran would read
    as one never cancelled)."""
    deadline = time.monotonic() + _LET_GO
    while True:
        held = client.run(count)
        if max(held.values()) <= 1:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"the Dask worker still held {held} cells {_LET_GO:.0f} s after the cancel")
        time.sleep(0.01)


_LET_GO = 300.0


def test_an_interrupt_on_a_dask_cluster_cancels_its_tasks(interrupting: Path) -> None:
    import distributed

    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    )
    client = distributed.Client(cluster)
    try:
        executor = _Recording(client.get_executor())
        try:
            with pytest.raises(KeyboardInterrupt):
                sweep(_cells(), executor)
            cancelled = [f.cancelled() for f in executor.futures]
            assert cancelled == [True] * 10  # (a Dask future is pending until it is done)
            # Dask cancels by message: wait until the worker has let go of the cells it
            # was given (the gated one excepted), as the cluster does soon after
            _until_let_go(client, lambda dask_worker: len(dask_worker.state.tasks))
        finally:
            (interrupting / "go").touch()
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


def _failing_grid(later: range = range(3, 5)) -> list[Cell]:
    """Two cells, one that fails (the third, seed 0), and the ``later`` seeds after it."""
    ok = mmc(2, 0.5, 200)
    return grid(ok, "pooled", [1, 2]) + grid(_edge(), "round_robin", 0) + grid(ok, "pooled", later)


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
    held_after: Path,
) -> None:
    cells = _failing_grid()
    executor = _Recording(ThreadPoolExecutor(max_workers=1), expect=len(cells))
    try:
        with pytest.raises(ValidationError) as caught:
            sweep(cells, executor)
    finally:
        (held_after / "go").touch()
        executor.inner.shutdown(wait=True)
    _check_named(caught.value, cells)
    # one worker runs the cells in order; the sweep cancels from its own thread, so the
    # worker may have taken the next cell (seed 3) meanwhile, never the one after it
    assert executor.futures[-1].cancelled()
    assert {0, 1, 2} <= _ran() <= {0, 1, 2, 3}


def _unfinished(dask_worker: Any) -> int:
    """How many tasks a Dask worker holds that are not done (in memory, or failed)."""
    return sum(t.state not in ("memory", "error") for t in dask_worker.state.tasks.values())


def test_a_failing_cell_on_a_dask_cluster_cancels_the_cells_after_it(held_after: Path) -> None:
    """The failure's done-callback cancelled the later cells on Dask's event loop, where
    cancelling is a coroutine (never awaited: "coroutine 'Client._cancel' was never
    awaited"), and marked them cancelled, so the final cancel did nothing: every cell
    after the failing one ran on the cluster (39 cells of 40)."""
    import distributed

    cells = _failing_grid(later=range(3, 12))
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    )
    client = distributed.Client(cluster)
    try:
        executor = _Recording(client.get_executor(), expect=len(cells))
        try:
            with pytest.raises(ValidationError) as caught:
                sweep(cells, executor)
            assert [f.cancelled() for f in executor.futures[3:]] == [True] * 9
            # Dask cancels by message: wait until the worker has let go of the cells it
            # was given to run (the one it may be running, held at the gate, excepted;
            # those done keep their row or error while the futures are held)
            _until_let_go(client, _unfinished)
        finally:
            (held_after / "go").touch()
        # a cell submitted after the cancelled ones runs, so they were not just late
        assert client.submit(lambda: 1).result() == 1
        client.run(lambda: None)
    finally:
        client.close()
        cluster.close()
    _check_named(caught.value, cells)
    # the one thread may have taken the cell after the failing one (seed 3), held at the
    # gate until the sweep raised. Dask cancels by message: on a loaded machine the cells
    # the worker had been handed before the message came ran too (one more in a run of
    # 2026-12-06, four in one of 2026-12-07 with seven other jobs on the machine); before
    # the fix every one of the nine ran. The futures' cancels are asserted above.
    assert {0, 1, 2} <= _ran()
    assert len(_ran() - {0, 1, 2}) < 9, _ran()


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


def _fails_twice(cell: Cell, keep: bool = False) -> Any:
    """Once every cell is submitted, seed 1 fails; seed 0 fails once the sweep has
    cancelled the last cell (so after seed 1, and after the sweep saw seed 1 fail); seeds
    2 and on are held at the gate (a worker that took one cannot finish it before the
    sweep raised)."""
    assert _DIR is not None
    assert _EXECUTOR is not None
    (_DIR / f"ran-{cell.seed}").touch()
    while cell.seed < 2 and not (_DIR / "submitted").exists():
        time.sleep(0.01)  # (waiting for the sweep, not timing anything)
    if cell.seed == 1:
        raise ValueError("seed 1 fails first")
    if cell.seed == 0:
        for _ in range(60000):  # (a bound, should the sweep never cancel: it fails below)
            if _EXECUTOR.futures[-1].cancelled():
                break
            time.sleep(0.01)  # (waiting for the sweep, not timing anything)
        raise ZeroDivisionError("seed 0 fails after")
    while not (_DIR / "go").exists():
        time.sleep(0.01)
    return _run_cell(cell, keep)


_EXECUTOR: _Recording | None = None


def test_the_first_failing_cell_in_grid_order_is_named_whichever_fails_first(
    gated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A later cell failing first cancels the cells after it at once, and the sweep waits
    for those before it: the error raised is the first failing cell's in grid order."""
    global _EXECUTOR
    monkeypatch.setattr(sweep_module, "run_cell", _fails_twice)
    _EXECUTOR = executor = _Recording(ThreadPoolExecutor(max_workers=2))
    try:
        with pytest.raises(ZeroDivisionError) as caught:
            sweep(_cells(), executor)
    finally:
        (gated / "go").touch()
        executor.inner.shutdown(wait=True)
        _EXECUTOR = None
    assert caught.value.__notes__ == [
        "raised running cells[0] (scenario 'M/M/2 rho=0.5', policy pooled, seed 0) of the sweep"
    ]
    assert caught.value.finished_rows == []  # type: ignore[attr-defined]
    # the second worker took seed 2 after seed 1 failed, at most: the rest were cancelled
    assert all(f.cancelled() for f in executor.futures[3:])
    assert {0, 1} <= _ran() <= {0, 1, 2}


def _fails_with_a_cause(cell: Cell, keep: bool = False) -> Any:
    """Seed 2 fails with an error of another kind, raised from a KeyError."""
    if cell.seed == 2:
        try:
            {}["missing"]
        except KeyError as error:
            raise ValueError("boom in the cell") from error
    return _run_cell(cell, keep)


@pytest.mark.parametrize("where", ["serial", "threads", "processes"])
def test_an_error_of_another_kind_keeps_its_own_cause(
    where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The error passed on as itself (with a note) keeps its __cause__: ``raise error
    from error`` made it its own cause, and the KeyError it was raised from (or, from a
    process pool, the worker's traceback) was lost."""
    monkeypatch.setattr(sweep_module, "run_cell", _fails_with_a_cause)
    cells = _cells(4)
    pool: Executor | None = None
    if where == "threads":
        pool = ThreadPoolExecutor(max_workers=2)
    elif where == "processes":
        pool = ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork"))
    try:
        with pytest.raises(ValueError, match=r"^boom in the cell") as caught:
            sweep(cells, pool)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    error = caught.value
    assert str(error) == "boom in the cell"
    assert error.__cause__ is not error
    assert error.__notes__ == [
        "raised running cells[2] (scenario 'M/M/2 rho=0.5', policy pooled, seed 2) of the sweep"
    ]
    assert [r.seed for r in error.finished_rows] == [0, 1]  # type: ignore[attr-defined]
    told = "".join(traceback.format_exception(error))
    if where == "processes":  # (a pickled error has no cause: the worker's traceback is it)
        assert type(error.__cause__).__name__ == "_RemoteTraceback"
        assert "_fails_with_a_cause" in told
    else:
        assert isinstance(error.__cause__, KeyError)
        assert "KeyError: 'missing'" in told


def test_a_library_error_from_a_process_pool_keeps_the_workers_traceback() -> None:
    """The named copy is chained to the error the pool gave, which keeps its own cause,
    the worker's traceback."""
    cells = _failing_grid()
    fork = multiprocessing.get_context("fork")
    with (
        ProcessPoolExecutor(max_workers=2, mp_context=fork) as pool,
        pytest.raises(ValidationError) as caught,
    ):
        sweep(cells, pool)
    original = caught.value.__cause__
    assert isinstance(original, ValidationError)
    assert original is not caught.value
    assert type(original.__cause__).__name__ == "_RemoteTraceback"


def test_a_sweep_whose_executor_cancels_its_cells_raises_cancelled() -> None:
    """A pool shut down with ``cancel_futures=True`` elsewhere in the program: the sweep
    raises ``CancelledError``, as ``Executor.map`` does (``Future.cancel`` does not wake
    a ``wait`` already waiting, and the sweep waited for ever). The cell running when
    the pool shut down finishes; the sweep is run in a thread here so that a hang fails
    the test rather than the suite."""
    import threading
    from concurrent.futures import CancelledError, ThreadPoolExecutor

    from helpdesk_routing.simulation import grid, sweep

    cells = grid(mmc(2, 0.7, 300), "pooled", list(range(12)))
    pool = ThreadPoolExecutor(1)
    outcome: list[BaseException | None] = []
    started = threading.Event()
    original = pool.submit

    submitted: list[object] = []
    # The running cell waits until the pool has shut down: on a busy machine the one
    # worker had run every cell before the shutdown came, and nothing was cancelled.
    shut = threading.Event()

    def held(fn: Any, *args: object, **kwargs: object) -> object:
        shut.wait(30)
        return fn(*args, **kwargs)

    def submit(fn: object, *args: object, **kwargs: object) -> object:
        future = original(held, fn, *args, **kwargs)
        submitted.append(future)
        if len(submitted) == len(cells):  # every cell queued: now the pool shuts down
            started.set()
        return future

    pool.submit = submit  # type: ignore[method-assign]

    def go() -> None:
        try:
            sweep(cells, pool)
            outcome.append(None)
        except BaseException as error:  # what the sweep raised is the answer
            outcome.append(error)

    runner = threading.Thread(target=go, daemon=True)
    runner.start()
    started.wait(30)
    pool.shutdown(wait=False, cancel_futures=True)
    shut.set()
    runner.join(120)  # a hang, not a speed: the sweep raises within a look at its futures
    assert not runner.is_alive(), "the sweep kept waiting for cancelled cells"
    assert len(outcome) == 1
    assert isinstance(outcome[0], CancelledError)
