"""Sweeps give the same rows, in grid order, serially, on a process pool and on Dask."""

from __future__ import annotations

import importlib
import math
import pickle
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.errors import ArgumentTypeError, ValidationError
from helpdesk_routing.simulation import Cell, SweepRow, SweepTable, grid, sweep
from helpdesk_routing.simulation.sweep import by_name, to_pandas

from .conftest import mmc


def _grid() -> list[Cell]:
    scenarios = [mmc(2, 0.6, 800), mmc(3, 0.8, 800).model_copy(update={"name": "busier"})]
    return grid(scenarios, ["pooled", "round_robin", "random"], [1, 2])


def _same(a: list[SweepRow], b: list[SweepRow]) -> bool:
    def key(rows: list[SweepRow]) -> list[tuple[Any, ...]]:
        return [
            (
                r.scenario,
                r.policy,
                r.seed,
                {k: (None if math.isnan(v) else v) for k, v in r.figures.items()},
            )
            for r in rows
        ]

    return key(a) == key(b)


@pytest.fixture(scope="module")
def serial() -> list[SweepRow]:
    """The grid run here, one cell after another."""
    return sweep(_grid())


def test_grid_orders_scenarios_then_policies_then_seeds() -> None:
    """grid() is the full product with seeds innermost."""
    cells = _grid()
    assert len(cells) == 12
    assert [(c.scenario.name, c.policy, c.seed) for c in cells[:3]] == [
        ("M/M/2 rho=0.6", "pooled", 1),
        ("M/M/2 rho=0.6", "pooled", 2),
        ("M/M/2 rho=0.6", "round_robin", 1),
    ]


def test_process_pool_gives_the_serial_rows(serial: list[SweepRow]) -> None:
    """A ProcessPoolExecutor returns the same rows in the same order as a serial run."""
    with ProcessPoolExecutor(max_workers=2) as pool:
        rows = sweep(_grid(), pool)
    assert _same(rows, serial)


@pytest.fixture(scope="module")
def dask_executor() -> Iterator[Executor]:
    """A real two-worker Dask LocalCluster (threads), closed after the module."""
    import distributed  # the test extra installs it: a missing Dask fails, never skips

    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    )
    client = distributed.Client(cluster)
    try:
        yield client.get_executor()
    finally:
        client.close()
        cluster.close()


def test_dask_cluster_gives_the_serial_rows(
    serial: list[SweepRow], dask_executor: Executor
) -> None:
    """A Dask LocalCluster's executor returns the same rows in the same order."""
    rows = sweep(_grid(), dask_executor)
    assert _same(rows, serial)


def test_kept_results_and_the_table(serial: list[SweepRow]) -> None:
    """keep_results keeps whole results; the rows make a DataFrame keyed by cell."""
    kept = sweep(_grid()[:2], keep_results=True)
    assert kept[0].result is not None
    assert kept[0].result.summary.as_dict() == pytest.approx(serial[0].figures, nan_ok=True)
    frame = to_pandas(serial)
    assert len(frame) == 12
    assert list(frame.columns[:3]) == ["scenario", "policy", "seed"]
    assert by_name(serial)[("busier", "random", 2)] is serial[-1]


def test_a_sweep_returns_a_table_that_makes_its_frame(serial: list[SweepRow]) -> None:
    """sweep returns a SweepTable: a list of its rows (equal to one, picklable), whose
    to_pandas() is the frame of to_pandas(rows)."""
    assert isinstance(serial, SweepTable)
    assert serial == list(serial)
    frame = serial.to_pandas()
    assert frame.equals(to_pandas(list(serial)))
    assert frame.loc[11, ["scenario", "policy", "seed"]].tolist() == ["busier", "random", 2]
    assert frame["ttfr_mean"].tolist() == pytest.approx(
        [r.figures["ttfr_mean"] for r in serial], nan_ok=True
    )
    again = pickle.loads(pickle.dumps(serial))
    assert type(again) is SweepTable
    assert _same(again, serial)


def test_pooled_waits_least_in_every_scenario(serial: list[SweepRow]) -> None:
    """In each scenario and seed of the sweep, pooled waits less than random."""
    rows = by_name(serial)
    for scenario in ("M/M/2 rho=0.6", "busier"):
        for seed in (1, 2):
            pooled = rows[(scenario, "pooled", seed)].figures["ttfr_mean"]
            rand = rows[(scenario, "random", seed)].figures["ttfr_mean"]
            assert pooled < rand


def test_a_grid_takes_one_value_or_several() -> None:
    """One scenario, one policy name and one seed make one cell, as lists of one do."""
    s = mmc(2, 0.6, 100)
    assert grid(s, "pooled", 3) == grid([s], ["pooled"], [3]) == [Cell(s, "pooled", 3)]


def test_a_grid_and_a_sweep_refuse_what_they_cannot_run() -> None:
    """A policy name that is none is refused before anything runs (a string of names is
    one name, never its letters); a scenario or seed of the wrong kind, and anything but
    cells given to sweep, are named."""
    s = mmc(2, 0.6, 100)
    with pytest.raises(
        ValidationError, match=r"^policy must be one of configured, .*got 'fastest'$"
    ):
        grid(s, ["pooled", "fastest"], [1])
    with pytest.raises(ValidationError, match="got 'roundrobin'"):
        grid(s, "roundrobin", [1])
    with pytest.raises(TypeError, match="grid takes Scenarios, got dict"):
        grid([s, {"name": "x"}], "pooled", [1])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="seeds must be integers, got '1'"):
        grid(s, "pooled", ["1"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"cells\[1\] is a Scenario"):
        sweep([Cell(s, "pooled", 1), s])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="got 'fastest'"):
        sweep([Cell(s, "fastest", 1)])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^executor must be a concurrent.futures.Executor .*str$"):
        sweep([Cell(s, "pooled", 1)], executor="processes")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: grid(None, "pooled", 1), "grid takes a Scenario or several, got NoneType"),
        (lambda s: grid(s, "pooled", 1.5), "seeds must be integers, got 1.5"),
        (lambda s: grid(s, "pooled", None), "seeds must be integers, got None"),
        (lambda s: grid(s, "pooled", "12"), "seeds must be integers, got '12'"),
        (
            lambda s: grid(s, "pooled", [np.float64(1)]),
            "seeds must be integers, got np.float64(1.0)",
        ),
        (
            lambda s: sweep(None),
            "sweep takes Cells (simulation.grid(scenarios, policies, seeds) "
            "makes them), got NoneType",
        ),
        (
            lambda s: sweep(Cell(s, "pooled", 1)),
            "sweep takes Cells (simulation.grid(scenarios, policies, seeds) makes them), got Cell",
        ),
    ],
)
def test_arguments_of_the_wrong_kind_are_the_librarys_type_error(call: Any, message: str) -> None:
    """No argument ends in Python's own TypeError ("'NoneType' object is not iterable"):
    each is an ``ArgumentTypeError`` naming what was given."""
    with pytest.raises(ArgumentTypeError) as info:
        call(mmc(2, 0.6, 50))
    assert info.value.message == message


def test_a_policy_of_the_wrong_kind_is_refused_listing_the_names() -> None:
    """A policy that is no name (None, a number) is refused as any unknown name is."""
    s = mmc(2, 0.6, 50)
    with pytest.raises(ValidationError, match=r"^policy must be one of configured, .*got None$"):
        grid(s, None, 1)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"^policy must be one of .*got 5$"):
        grid(s, 5, 1)  # type: ignore[arg-type]


def test_numpy_integers_are_seeds_as_ints_are() -> None:
    """A numpy integer, or an array of them, is a seed: the same cells and rows, with
    ``int`` seeds (they were refused as no integers)."""
    s = mmc(2, 0.6, 50)
    assert grid(s, "pooled", np.arange(3)) == grid(s, "pooled", [0, 1, 2])
    assert grid(s, "pooled", np.int64(7)) == grid(s, "pooled", 7)
    assert all(type(c.seed) is int for c in grid(s, "pooled", np.arange(3)))
    rows = sweep([Cell(s, "pooled", np.int64(2))])  # type: ignore[arg-type]
    assert type(rows[0].seed) is int
    assert _same(rows, sweep(grid(s, "pooled", 2)))


@given(
    seeds=st.lists(st.integers(-(2**63), 2**63 - 1), max_size=5),
    dtype=st.sampled_from([np.int64, np.uint64, np.int32, np.int8]),
)
def test_any_array_of_seeds_gives_the_cells_of_its_ints(seeds: list[int], dtype: Any) -> None:
    """Whatever numpy integer type holds the seeds, the cells are those of the same
    ``int``s (values the type cannot hold are left out)."""
    info = np.iinfo(dtype)
    kept = [k for k in seeds if info.min <= k <= info.max]
    s = mmc(2, 0.6, 50)
    cells = grid(s, "pooled", np.array(kept, dtype=dtype))
    assert cells == grid(s, "pooled", kept)
    assert all(type(c.seed) is int for c in cells)


def test_seeds_past_64_bits_are_refused_before_any_cell_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A seed no run takes is found by grid and by sweep's check of every cell, not
    when its cell's turn comes (the cells before it ran)."""
    sweep_module = importlib.import_module("helpdesk_routing.simulation.sweep")
    ran: list[Cell] = []
    monkeypatch.setattr(sweep_module, "run_cell", lambda c, keep=False: ran.append(c))
    s = mmc(2, 0.6, 50)
    with pytest.raises(
        ValidationError, match=r"^seeds must lie in signed 64 bits, got 1180591620717411303424$"
    ):
        grid(s, "pooled", [1, 2**70])
    with pytest.raises(
        ValidationError,
        match=r"^cells\[1\]: seed must lie in signed 64 bits, got -9223372036854775809$",
    ):
        sweep([Cell(s, "pooled", 1), Cell(s, "pooled", -(2**63) - 1)])
    assert ran == []


def test_a_sweep_checks_every_cell_before_running_any(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad policy, scenario or seed in the last cell is refused before the first runs
    (the first two cells ran, then the third raised)."""
    sweep_module = importlib.import_module("helpdesk_routing.simulation.sweep")
    ran: list[Cell] = []
    monkeypatch.setattr(sweep_module, "run_cell", lambda c, keep=False: ran.append(c))
    s = mmc(2, 0.6, 50)
    good = [Cell(s, "pooled", 1), Cell(s, "pooled", 2)]
    with pytest.raises(ValidationError, match=r"^cells\[2\]: policy must be one of .*got 'nope'$"):
        sweep([*good, Cell(s, "nope", 3)])  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match=r"^sweep takes Cells of a Scenario; cells\[2\].scenario is a str$"
    ):
        sweep([*good, Cell("s", "pooled", 3)])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^sweep takes integer seeds; cells\[2\].seed is '3'$"):
        sweep([*good, Cell(s, "pooled", "3")])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"cells\[0\].seed is True"):
        sweep([Cell(s, "pooled", True)])
    with pytest.raises(TypeError, match=r"\); cells\[0\] is an int$"):
        sweep([1])  # type: ignore[list-item]
    assert ran == []


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda s: grid({"week": s}, "pooled", 1), "scenarios"),
        (lambda s: grid(s, {"pooled": 1}, 1), "policies"),
        (lambda s: grid(s, "pooled", {1: "a", 2: "b"}), "seeds"),
    ],
)
def test_a_grid_refuses_a_mapping_saying_so(call: Any, name: str) -> None:
    """A mapping is refused as a mapping (its keys were taken: ``{"week": scenario}``
    said "grid takes Scenarios, got str", and a mapping of seeds gave its keys' cells)."""
    with pytest.raises(ArgumentTypeError) as info:
        call(mmc(2, 0.6, 50))
    assert info.value.message == (
        f"grid takes a list of {name}, not a mapping (dict: its keys are no {name}); "
        "give list(mapping.values())"
    )


@pytest.mark.parametrize(
    ("call", "name", "kind"),
    [
        (lambda s: grid({s}, "pooled", 1), "scenarios", "set"),
        (lambda s: grid(s, {"pooled", "random"}, 1), "policies", "set"),
        (lambda s: grid(s, frozenset({"pooled", "random"}), 1), "policies", "frozenset"),
        (lambda s: grid(s, "pooled", {1, 2}), "seeds", "set"),
    ],
)
def test_a_grid_refuses_a_set_whose_order_the_hash_seed_decides(
    call: Any, name: str, kind: str
) -> None:
    """A set is refused as a mapping is (its order, and so the cells' and rows', changed
    with PYTHONHASHSEED: {"pooled", "random", ...} gave another order in each process)."""
    with pytest.raises(ArgumentTypeError) as info:
        call(mmc(2, 0.6, 50))
    assert info.value.message == (
        f"grid takes a list or a tuple of {name}, not a {kind} (a set's order changes with "
        "PYTHONHASHSEED, and the cells' order with it)"
    )


def test_a_grid_takes_a_mappings_keys_in_its_order() -> None:
    """A dict's keys keep the dict's order: they are taken, as a list of them is."""
    s = mmc(2, 0.6, 50)
    by_policy = {"random": 1, "pooled": 2}
    assert grid(s, by_policy.keys(), 1) == grid(s, ["random", "pooled"], 1)  # type: ignore[arg-type]


def test_a_sweep_refuses_a_set_of_cells_before_any_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A set of cells is refused by name (its rows came in an order PYTHONHASHSEED chose),
    and so is a keep_results that is no bool ("no" kept the results)."""
    sweep_module = importlib.import_module("helpdesk_routing.simulation.sweep")
    ran: list[Cell] = []
    monkeypatch.setattr(sweep_module, "run_cell", lambda c, keep=False: ran.append(c))
    cells = grid(mmc(2, 0.6, 50), ["pooled", "random"], [1, 2])
    with pytest.raises(ArgumentTypeError) as info:
        sweep(set(cells))  # type: ignore[arg-type]
    assert info.value.message == (
        "sweep takes a list of Cells, not a set (a set's order changes with PYTHONHASHSEED, "
        "and the rows' order with it)"
    )
    with pytest.raises(ArgumentTypeError) as info:
        sweep(cells, keep_results="no")  # type: ignore[arg-type]
    assert info.value.message == "keep_results must be True or False, got 'no'"
    assert ran == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda rows: to_pandas(None),
            "to_pandas takes SweepRows (simulation.sweep makes them), got NoneType",
        ),
        (
            lambda rows: to_pandas([*rows, {"policy": "pooled"}]),
            "to_pandas takes SweepRows (simulation.sweep makes them); rows[1] is a dict",
        ),
        (
            lambda rows: by_name(rows[0]),
            "by_name takes SweepRows (simulation.sweep makes them), got SweepRow",
        ),
        (
            lambda rows: by_name("rows"),
            "by_name takes SweepRows (simulation.sweep makes them), got str",
        ),
    ],
)
def test_rows_of_the_wrong_kind_are_the_librarys_type_error(call: Any, message: str) -> None:
    """to_pandas and by_name name what is no list of rows (it was Python's own
    AttributeError or TypeError)."""
    rows = sweep(grid(mmc(2, 0.6, 50), "pooled", 1))
    with pytest.raises(ArgumentTypeError) as info:
        call(rows)
    assert info.value.message == message


class _DaskLikeClient:
    """Stands for ``distributed.Client``: a ``submit`` whose futures are Dask's own."""

    def submit(self, fn: Any, *args: Any) -> object:
        raise AssertionError("nothing is submitted to what is no executor")


_DaskLikeClient.__module__ = "distributed.client"
_DaskLikeClient.__name__ = "Client"


@pytest.mark.parametrize(
    ("executor", "said"),
    [
        (ProcessPoolExecutor, "got the class ProcessPoolExecutor itself"),
        (_DaskLikeClient(), "got a Dask Client: pass its get_executor()"),
    ],
)
def test_what_is_no_executor_is_refused_before_anything_runs(executor: Any, said: str) -> None:
    """The executor's class (the call left out) and a Dask client itself (whose futures
    ``concurrent.futures`` cannot wait on) are refused up front: an ``AttributeError``
    came from inside, after every cell was sent."""
    with pytest.raises(ArgumentTypeError, match=r"^executor must be a concurrent") as info:
        sweep(grid(mmc(2, 0.5, 50), "pooled", [1, 2]), executor=executor)
    assert said in str(info.value)


@pytest.mark.parametrize(
    ("policies", "seeds", "said"),
    [
        ("pooled", np.array(3), "seeds must be integers, got a 0-d ndarray"),
        (np.array("pooled"), 1, "policies must be a policy name or several, got a 0-d ndarray"),
        (b"pooled", 1, "policy must be one of "),
    ],
)
def test_grid_names_what_cannot_be_gone_through(policies: Any, seeds: Any, said: str) -> None:
    """A 0-d numpy array is iterable to Python but cannot be gone through (``TypeError:
    iteration over a 0-d array``); bytes are one bad policy, not its numbers (the first
    byte, ``112``, was named)."""
    with pytest.raises(ValidationError) as info:
        grid(mmc(2, 0.5, 50), policies, seeds)
    assert said in str(info.value)
    if isinstance(policies, bytes):
        assert "b'pooled'" in str(info.value)


def test_a_0_d_array_of_cells_rows_or_values_is_the_librarys_error() -> None:
    """``sweep``, ``to_pandas``, ``by_name`` and ``estimate`` given a 0-d numpy array (an
    iterable Python cannot go through) raise ``ArgumentTypeError`` naming what they
    take: Python's own ``TypeError: iteration over a 0-d array`` came from inside."""
    from helpdesk_routing.simulation import estimate
    from helpdesk_routing.simulation.sweep import by_name, to_pandas

    cell = grid(mmc(2, 0.5, 20), "pooled", 1)[0]
    (row,) = sweep([cell])
    for call, said in (
        (lambda: sweep(np.array(cell, dtype=object)), "sweep takes Cells"),
        (lambda: to_pandas(np.array(row, dtype=object)), "to_pandas takes SweepRows"),
        (lambda: by_name(np.array(row, dtype=object)), "by_name takes SweepRows"),
        (lambda: estimate(np.array(3.0)), "estimate takes several numbers"),
    ):
        with pytest.raises(ArgumentTypeError, match=said) as info:
            call()
        assert "got a 0-d ndarray" in str(info.value)
        assert "\n" not in str(info.value)


def test_a_type_error_of_the_callers_own_generator_is_theirs() -> None:
    """A ``TypeError`` raised while the caller's generator is gone through is not taken
    for a 0-d array (it was told "cannot be iterated (a 0-d array?)")."""
    from helpdesk_routing.simulation import estimate

    rows = [{"wait": 1.0}, {"wait": None}]
    with pytest.raises(TypeError, match="float\\(\\) argument must be") as info:
        estimate(float(r["wait"]) for r in rows)  # type: ignore[arg-type]
    assert not isinstance(info.value, ArgumentTypeError)
