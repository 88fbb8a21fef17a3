"""Sweeps: scenarios x policies x seeds on any ``concurrent.futures.Executor``.

Each cell runs in whatever worker the executor picks (a ``ProcessPoolExecutor`` on one
machine, or ``distributed.Client(...).get_executor()`` across a Dask cluster); cells and
rows are plain picklable data, and the rows come back in the order of the grid whatever
order the workers finish in, so a sweep's result does not depend on the executor.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from typing import Any

from helpdesk_routing._same_figures import same_fields
from helpdesk_routing._sets import set_refused
from helpdesk_routing.errors import ArgumentTypeError, ValidationError, _article

from ._args import integer, seed_value
from .engine import run
from .results import _FIGURE_TYPES, SimulationResult
from .scenario import PolicyName, Scenario, check_policy, check_runnable

__all__ = ["Cell", "SweepRow", "SweepTable", "grid", "sweep", "to_pandas"]


@dataclass(frozen=True, slots=True)
class Cell:
    """One run of a sweep: a scenario under a policy with a seed."""

    scenario: Scenario
    policy: PolicyName
    seed: int


@dataclass(frozen=True, slots=True, eq=False)
class SweepRow:
    """A cell's outcome: its scenario's name, policy, seed and summary figures.

    ``result`` is the whole :class:`SimulationResult` when the sweep kept it.

    Two rows are equal when their values are, a ``NaN`` figure equal to a ``NaN`` in the
    same place: the rows of a sweep on a process pool equal a serial run's. A row holds a
    dict, so it is not hashable (``hash(row)`` raises ``TypeError: unhashable type:
    'SweepRow'``).
    """

    scenario: str
    policy: str
    seed: int
    figures: dict[str, float]
    result: SimulationResult | None = None

    # Not hashable, on purpose: the hash a frozen dataclass generates failed inside, on
    # the dict ("unhashable type: 'dict'").
    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return same_fields(self, other)


class SweepTable(list[SweepRow]):
    """A sweep's rows, in the order of its grid: a plain list, and :meth:`to_pandas`."""

    __slots__ = ()

    def to_pandas(self) -> Any:
        """The rows as a DataFrame (extra ``pandas``): see :func:`to_pandas`."""
        return to_pandas(self)


def grid(
    scenarios: Scenario | Iterable[Scenario],
    policies: PolicyName | Sequence[PolicyName],
    seeds: int | Iterable[int],
) -> list[Cell]:
    """Every (scenario, policy, seed) combination, scenarios outermost, seeds innermost.

    Each argument may be one value or several; a seed is any integral number (a numpy
    integer, the items of ``np.arange(3)``). A policy that is none of ``PolicyName``
    raises ``ValidationError``, as does a seed beyond signed 64 bits; a scenario that
    is no :class:`Scenario`, or a seed that is no integer, ``TypeError``, each naming
    the value. A mapping is refused as any of them (its keys are no values of a grid):
    give a list, ``list(by_name.values())``; so is a set (a ``set``, ``frozenset`` or
    any other :class:`collections.abc.Set` but a mapping's keys), whose order, and so
    the cells', would change with ``PYTHONHASHSEED``: give a list or a tuple.
    """
    for name, given_value in (("scenarios", scenarios), ("policies", policies), ("seeds", seeds)):
        if isinstance(given_value, Mapping):
            raise ArgumentTypeError(
                f"grid takes a list of {name}, not a mapping ({type(given_value).__name__}: "
                f"its keys are no {name}); give list(mapping.values())"
            )
        _refuse_a_set(given_value, f"grid takes a list or a tuple of {name}", "cells")
    if isinstance(scenarios, Scenario):
        scenarios = [scenarios]
    elif not isinstance(scenarios, Iterable):
        raise ArgumentTypeError(f"grid takes a Scenario or several, got {type(scenarios).__name__}")
    chosen: list[Scenario] = []
    for s in scenarios:
        if not isinstance(s, Scenario):
            raise ArgumentTypeError(f"grid takes Scenarios, got {type(s).__name__}")
        chosen.append(s)
    one = isinstance(policies, str) or not isinstance(policies, Iterable)
    policy_list = [check_policy(p) for p in ([policies] if one else list(policies))]
    if isinstance(seeds, numbers.Integral) and not isinstance(seeds, bool):
        given: list[object] = [seeds]
    elif isinstance(seeds, Iterable) and not isinstance(seeds, str | bytes):
        given = list(seeds)
    else:
        raise ArgumentTypeError(f"seeds must be integers, got {seeds!r}")
    seed_list = [seed_value(k, "seeds", kind="integers") for k in given]
    return [Cell(s, p, k) for s in chosen for p in policy_list for k in seed_list]


def _refuse_a_set(value: object, takes: str, what: str) -> None:
    """``ArgumentTypeError`` when ``value`` is a set (:func:`set_refused`)."""
    said = set_refused(value, takes, what)
    if said is not None:
        raise ArgumentTypeError(said)


def _rows(rows: object, takes: str) -> list[SweepRow]:
    """``rows`` as a list of :class:`SweepRow`; ``ArgumentTypeError`` naming what is not
    several, or the first item that is no row."""
    if not isinstance(rows, Iterable) or isinstance(rows, str | bytes):
        raise ArgumentTypeError(
            f"{takes} takes SweepRows (simulation.sweep makes them), got {type(rows).__name__}"
        )
    out = list(rows)
    for i, row in enumerate(out):
        if not isinstance(row, SweepRow):
            raise ArgumentTypeError(
                f"{takes} takes SweepRows (simulation.sweep makes them); rows[{i}] is a "
                f"{type(row).__name__}"
            )
    return out


def run_cell(cell: Cell, keep: bool = False) -> SweepRow:
    """Run one cell (what each worker does; importable so any executor can pickle it)."""
    result = run(cell.scenario.with_policy(cell.policy), cell.seed)
    return SweepRow(
        scenario=cell.scenario.name,
        policy=cell.policy,
        seed=cell.seed,
        figures=result.summary.as_dict(),
        result=result if keep else None,
    )


def sweep(
    cells: Sequence[Cell], executor: Executor | None = None, *, keep_results: bool = False
) -> SweepTable:
    """Run every cell, on ``executor`` when given (else here, one after another).

    Returns one row per cell, in the order of ``cells``, as a :class:`SweepTable` (a
    list; ``table.to_pandas()`` gives the DataFrame). Every cell is checked before any
    runs, as :func:`grid` checks its arguments: ``TypeError`` names ``cells`` that are
    not several, the first item that is no :class:`Cell` (``grid(scenarios, policies,
    seeds)`` makes them), or whose scenario is no :class:`Scenario` or seed no integer
    (any integral number), an ``executor`` that has no ``submit``, ``keep_results``
    that is no ``bool``, or a set of cells (its order, and the rows', would change with
    ``PYTHONHASHSEED``: give a list); ``ValidationError`` the first cell whose policy is
    none of ``PolicyName``, whose seed leaves signed 64 bits, or whose scenario cannot
    run (the check :func:`~helpdesk_routing.simulation.run` makes first: one made with
    ``model_construct``), naming the cell by its position, scenario, policy and seed.
    """
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise ArgumentTypeError(
            f"executor must be a concurrent.futures.Executor (a ProcessPoolExecutor, or a "
            f"Dask client's get_executor()), got {type(executor).__name__}"
        )
    if not isinstance(keep_results, bool):  # "no" would keep them
        raise ArgumentTypeError(f"keep_results must be True or False, got {keep_results!r}")
    if not isinstance(cells, Iterable):
        raise ArgumentTypeError(
            f"sweep takes Cells (simulation.grid(scenarios, policies, seeds) makes them), "
            f"got {type(cells).__name__}"
        )
    _refuse_a_set(cells, "sweep takes a list of Cells", "rows")
    cells = list(cells)
    runnable: set[int] = set()  # the ids of the scenarios checked (the cells hold them)
    for i, c in enumerate(cells):
        if not isinstance(c, Cell):
            raise ArgumentTypeError(
                f"sweep takes Cells (simulation.grid(scenarios, policies, seeds) makes "
                f"them); cells[{i}] is {_article(type(c).__name__)} {type(c).__name__}"
            )
        if not isinstance(c.scenario, Scenario):
            raise ArgumentTypeError(
                f"sweep takes Cells of a Scenario; cells[{i}].scenario is a "
                f"{type(c.scenario).__name__}"
            )
        try:
            seed = integer(c.seed, f"cells[{i}].seed")
        except ArgumentTypeError:
            raise ArgumentTypeError(
                f"sweep takes integer seeds; cells[{i}].seed is {c.seed!r}"
            ) from None
        try:
            check_policy(c.policy)
            seed_value(seed)
        except ValidationError as error:
            raise ValidationError(f"cells[{i}]: {error.message}") from None
        if id(c.scenario) not in runnable:  # run's own check, once a scenario
            try:
                check_runnable(c.scenario)
            except ValidationError as error:
                raise ValidationError(
                    f"cells[{i}] (scenario {c.scenario.name!r}, policy {c.policy}, seed {seed}): "
                    f"{error.message}",
                    error.details,
                ) from None
            runnable.add(id(c.scenario))
        if type(c.seed) is not int:  # a numpy integer: the row says seed as an int
            cells[i] = replace(c, seed=seed)
    if executor is None:
        return SweepTable(run_cell(c, keep_results) for c in cells)
    futures = [executor.submit(run_cell, c, keep_results) for c in cells]
    return SweepTable(f.result() for f in futures)


def to_pandas(rows: Sequence[SweepRow]) -> Any:
    """The rows as a DataFrame: ``scenario, policy, seed`` and every figure (extra ``pandas``).

    No rows (a grid filtered down to nothing) give the same columns with the same types
    (text, ``int64`` seeds and counts, ``float64`` figures), so a ``groupby`` or ``concat``
    that follows works as on any other sweep's frame. ``ArgumentTypeError`` for ``rows``
    that are not several, or the first that is no :class:`SweepRow`, before pandas is
    asked.
    """
    rows = _rows(rows, "to_pandas")
    from ._extras import require_pandas

    pd = require_pandas("simulation.sweep.to_pandas")
    data: list[dict[str, Any]] = [
        {"scenario": r.scenario, "policy": r.policy, "seed": r.seed, **r.figures} for r in rows
    ]
    if not data:  # columns and types as a sweep's rows give them
        types = {"scenario": str, "policy": str, "seed": int, **_FIGURE_TYPES}
        dtype = {str: str, int: "int64", float: "float64"}
        return pd.DataFrame({name: pd.Series([], dtype=dtype[t]) for name, t in types.items()})
    return pd.DataFrame(data)


def by_name(rows: Sequence[SweepRow]) -> Mapping[tuple[str, str, int], SweepRow]:
    """The rows keyed by ``(scenario, policy, seed)`` (``ArgumentTypeError`` as
    :func:`to_pandas`)."""
    rows = _rows(rows, "by_name")
    return {(r.scenario, r.policy, r.seed): r for r in rows}
