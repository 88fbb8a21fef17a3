"""Sweeps: scenarios x policies x seeds on any ``concurrent.futures.Executor``.

Each cell runs in whatever worker the executor picks (a ``ProcessPoolExecutor`` on one
machine, or ``distributed.Client(...).get_executor()`` across a Dask cluster); cells and
rows are plain picklable data, and the rows come back in the order of the grid whatever
order the workers finish in, so a sweep's result does not depend on the executor.
"""

from __future__ import annotations

import array
import collections
import contextlib
import copy
import numbers
import operator
import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import (
    ALL_COMPLETED,
    FIRST_EXCEPTION,
    CancelledError,
    Executor,
    Future,
    wait,
)
from dataclasses import dataclass, replace
from types import WrapperDescriptorType
from typing import Any, SupportsIndex, cast, overload

import pydantic_core

from helpdesk_routing._same_figures import same_fields
from helpdesk_routing._sets import set_refused
from helpdesk_routing.errors import ArgumentTypeError, RoutingError, ValidationError, _article

from ._args import integer, seed_value
from ._runnable import check_runnable
from .engine import run
from .results import _FIGURE_TYPES, SimulationResult
from .scenario import PolicyName, Scenario, check_policy

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
    """A sweep's rows, in the order of its grid: a plain list, and :meth:`to_pandas`.

    A slice, ``table + rows``, ``table * n`` and ``table.copy()`` are tables too (a
    list's own gave plain lists, without ``to_pandas``); ``rows + table`` with ``rows``
    a plain list is the list's own ``+``, a list. An operand a list's ``+`` or ``*``
    refuses meets a table as it meets a list: its reflected method is asked
    (``__radd__``, ``__rmul__``), and the TypeError is the list's.
    """

    __slots__ = ()

    def to_pandas(self) -> Any:
        """The rows as a DataFrame (extra ``pandas``): see :func:`to_pandas`."""
        return to_pandas(self)

    @overload
    def __getitem__(self, index: SupportsIndex) -> SweepRow: ...

    @overload
    def __getitem__(self, index: slice) -> SweepTable: ...

    def __getitem__(self, index: SupportsIndex | slice) -> SweepRow | SweepTable:
        if isinstance(index, slice):
            return SweepTable(list.__getitem__(self, index))
        return list.__getitem__(self, index)

    # ``+`` and ``*`` do what a list's do, to the letter, but give tables: an operand a
    # list takes gives a table; for any other, the operand's reflected method is asked
    # (``table + Other()`` is ``Other.__radd__``'s), and one that has none, or declines,
    # is refused with the list's own TypeError. (They called list.__add__ and __mul__
    # directly: Other.__radd__ was never asked, and ``table * 2.5`` said "'float' object
    # cannot be interpreted as an integer"; returning NotImplemented alone would say
    # "unsupported operand type(s)", a list's messages being no part of a subclass's.)

    def __add__(self, other: list[SweepRow]) -> SweepTable:  # type: ignore[override]
        if isinstance(other, list):
            return SweepTable(list.__add__(self, other))
        made = _reflected(other, "__radd__", self)
        if made is not NotImplemented:
            return cast(SweepTable, made)
        return list.__add__(self, other)  # (raises the list's)

    def __mul__(self, n: SupportsIndex) -> SweepTable:
        if type(n) is not int and not isinstance(n, SweepTable):  # (int's says NotImplemented)
            made = _reflected(n, "__rmul__", self)
            if made is not NotImplemented:
                return cast(SweepTable, made)
        return _repeat(self, n)

    def __rmul__(self, n: SupportsIndex) -> SweepTable:
        # (Python asked n's own __mul__ first, as for a list; a sequence that is no index
        # repeats itself by the table next, and refuses it, as by a list)
        if isinstance(n, _SEQUENCES) and not hasattr(type(n), "__index__"):
            return NotImplemented
        return _repeat(self, n)

    def copy(self) -> SweepTable:
        """A shallow copy, a table too."""
        return SweepTable(self)


_SEQUENCES = (str, bytes, bytearray, tuple, list, collections.deque, array.array)
"""C sequences that repeat themselves by a number (the table, given one, is refused)."""


def _reflected(operand: object, name: str, table: SweepTable) -> Any:
    """What ``operand``'s reflected method ``name`` (``__radd__``, ``__rmul__``) makes of
    ``table``, as Python asks it of an operand of a list's ``+`` or ``*``;
    ``NotImplemented`` when it has none that is its class's own (a method in Python)."""
    for klass in type(operand).__mro__:
        if name in vars(klass):
            method = vars(klass)[name]
            break
    else:
        return NotImplemented
    if isinstance(method, WrapperDescriptorType):
        # A type's own C method is not asked: the standard library's (int, float,
        # Decimal, ...) decline a list, and a list subclass alike, and numpy's, which
        # decline a list, take a list's subclass for an array and fail on its rows; a C
        # sequence's __rmul__ is its own repetition, which a list's * never asks.
        return NotImplemented
    getter = getattr(type(method), "__get__", None)
    bound = method if getter is None else getter(method, operand, type(operand))
    return bound(table)  # (None, a class's refusal, is not callable: TypeError, as Python's)


def _repeat(table: SweepTable, n: SupportsIndex) -> SweepTable:
    """``table * n`` as a table; for an ``n`` that is no index, the TypeError a list's
    ``*`` raises (``list.__mul__`` called by name says another)."""
    if not hasattr(type(n), "__index__"):
        try:
            operator.index(n)  # (it has no __index__: a TypeError naming its type as C does)
        except TypeError as error:
            said = str(error)
            kind = said[1 : said.index("' object")] if "' object" in said else type(n).__name__
            raise TypeError(f"can't multiply sequence by non-int of type '{kind}'") from None
    return SweepTable(list.__mul__(table, n))


def grid(
    scenarios: Scenario | Iterable[Scenario],
    policies: PolicyName | Sequence[PolicyName],
    seeds: SupportsIndex | Iterable[SupportsIndex],
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
    for s in _items(scenarios, "grid takes a Scenario or several"):
        if not isinstance(s, Scenario):
            raise ArgumentTypeError(f"grid takes Scenarios, got {type(s).__name__}")
        chosen.append(s)
    # bytes are one (bad) value, not a list of numbers
    one = isinstance(policies, str | bytes) or not isinstance(policies, Iterable)
    policy_list = [
        check_policy(p)
        for p in (
            [policies] if one else _items(policies, "policies must be a policy name or several")
        )
    ]
    if isinstance(seeds, numbers.Integral) and not isinstance(seeds, bool):
        given: list[object] = [seeds]
    elif isinstance(seeds, Iterable) and not isinstance(seeds, str | bytes):
        given = _items(seeds, "seeds must be integers")
    else:
        raise ArgumentTypeError(f"seeds must be integers, got {seeds!r}")
    seed_list = [seed_value(k, "seeds", kind="integers") for k in given]
    return [Cell(s, p, k) for s in chosen for p in policy_list for k in seed_list]


def _items(value: Iterable[Any], said: str) -> list[Any]:
    """``value``'s items; ``ArgumentTypeError`` (``said``, then what was given) for an
    iterable that cannot be iterated (a 0-d numpy array: Python's own ``TypeError``).
    Any other ``TypeError`` while iterating (a generator of the caller's failing) is
    theirs, and goes through as it is."""
    if getattr(value, "ndim", None) == 0:  # iterable to Python, but not to be iterated
        raise ArgumentTypeError(f"{said}, got a 0-d {type(value).__name__}")
    return list(value)  # (a TypeError of the caller's own generator is theirs)


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
    out = _items(rows, f"{takes} takes SweepRows (simulation.sweep makes them)")
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


_EXECUTOR = (
    "executor must be a concurrent.futures.Executor (a ProcessPoolExecutor, or a Dask "
    "client's get_executor())"
)


def _check_executor(executor: object) -> None:
    """``ArgumentTypeError`` for what is no executor: without ``submit``; the class
    itself (``ProcessPoolExecutor``, the call left out: its ``submit`` is unbound); a
    Dask ``Client`` (its ``submit`` gives Dask's futures, which ``concurrent.futures``
    cannot wait on: its ``get_executor()`` is the executor)."""
    if isinstance(executor, type):
        raise ArgumentTypeError(
            f"{_EXECUTOR}, got the class {executor.__name__} itself ({executor.__name__}() is one)"
        )
    kind = type(executor)
    if not isinstance(executor, Executor) and kind.__module__.split(".")[0] == "distributed":
        raise ArgumentTypeError(
            f"{_EXECUTOR}, got a Dask {kind.__name__}: pass its get_executor() (Dask's "
            "own futures are no concurrent.futures.Future)"
        )
    if not callable(getattr(executor, "submit", None)):
        raise ArgumentTypeError(f"{_EXECUTOR}, got {kind.__name__}")


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
    ``model_construct``), naming the cell by its position, scenario, policy and seed;
    and two cells whose scenarios differ but share a name (their rows could not be told
    apart: ``with_agent`` and ``model_copy`` keep the name), naming both.

    A cell that fails while running stops the sweep: it returns nothing, and the error
    it raised reaches the caller naming the cell the same way (a library error keeps
    its class and details, its message led by the cell, chained to the original, its
    ``__cause__``; any other error is itself, with a note, its own ``__cause__`` kept),
    and carrying ``finished_rows``, the rows of the cells before it in the grid, a
    :class:`SweepTable`. On an executor, the
    cells after it that have not started are cancelled, and when the wait is
    interrupted (``KeyboardInterrupt``) every cell not started is cancelled before the
    interruption reaches the caller, as ``Executor.map`` does: cells already running
    finish in their workers.
    """
    if executor is not None:
        _check_executor(executor)
    if not isinstance(keep_results, bool):  # "no" would keep them
        raise ArgumentTypeError(f"keep_results must be True or False, got {keep_results!r}")
    # text and a mapping iterate as something else (an empty one ran nothing, silently)
    if isinstance(cells, str | bytes | Mapping) or not isinstance(cells, Iterable):
        raise ArgumentTypeError(
            f"sweep takes Cells (simulation.grid(scenarios, policies, seeds) makes them), "
            f"got {type(cells).__name__}"
        )
    _refuse_a_set(cells, "sweep takes a list of Cells", "rows")
    cells = _items(
        cells, "sweep takes Cells (simulation.grid(scenarios, policies, seeds) makes them)"
    )
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
    _refuse_names_shared(cells)
    if executor is None:
        rows = SweepTable()
        for i, c in enumerate(cells):
            try:
                rows.append(run_cell(c, keep_results))
            except Exception as error:
                named = _named(error, i, c, rows)
                if named is error:
                    raise  # (itself, with a note: its own __cause__ kept)
                raise named from error
        return rows
    return _on(executor, cells, keep_results)


def _where(i: int, cell: Cell) -> str:
    """How a cell is named in an error: its position, scenario, policy and seed."""
    return f"cells[{i}] (scenario {cell.scenario.name!r}, policy {cell.policy}, seed {cell.seed})"


def _refuse_names_shared(cells: Sequence[Cell]) -> None:
    """``ValidationError`` naming the first two cells whose scenarios differ but share a
    name: their rows (named by scenario, policy and seed) could not be told apart."""
    first: dict[str, tuple[int, Scenario]] = {}  # a name's first cell and scenario
    same: set[tuple[int, int]] = set()  # (ids of) scenarios found equal
    for i, c in enumerate(cells):
        seen = first.setdefault(c.scenario.name, (i, c.scenario))
        j, other = seen
        if other is c.scenario or (id(other), id(c.scenario)) in same:
            continue
        if other != c.scenario:
            raise ValidationError(
                f"{_where(i, c)}: its scenario differs from that of {_where(j, cells[j])} "
                f"but has the same name, so their rows could not be told apart (with_agent "
                f"and model_copy keep the name): name each variant, "
                f"scenario.model_copy(update={{'name': ...}})"
            )
        same.add((id(other), id(c.scenario)))


def _named(error: Exception, i: int, cell: Cell, rows: Sequence[SweepRow]) -> Exception:
    """``error``, raised by running ``cells[i]``, as the error the sweep raises.

    A library error (:class:`~helpdesk_routing.RoutingError`) is copied, its class and
    attributes kept, its message led by the cell (``cells[4] (scenario 'week', policy
    pooled, seed 1): ...``) as the check before the runs names one; any other error is
    the same object with a note naming the cell. Either carries ``finished_rows``: the
    rows of the cells before ``cells[i]``, a :class:`SweepTable`."""
    where = _where(i, cell)
    named: Exception = error
    if (
        isinstance(error, RoutingError)
        and not isinstance(error, pydantic_core.ValidationError)  # its own str and pickle
        and error.args
        and isinstance(error.args[0], str)
    ):
        try:
            named = copy.copy(error)
            named.args = (f"{where}: {error.args[0]}", *error.args[1:])
            message = getattr(error, "message", None)
            if isinstance(message, str):
                setattr(named, "message", f"{where}: {message}")  # noqa: B010
        except (AttributeError, TypeError):  # an error whose attributes are fixed
            named = error
    if named is error:
        error.add_note(f"raised running {where} of the sweep")
    with contextlib.suppress(AttributeError, TypeError):  # an error without a __dict__
        setattr(named, "finished_rows", SweepTable(rows))  # noqa: B010
    return named


def _on(executor: Executor, cells: list[Cell], keep: bool) -> SweepTable:
    """The cells' rows, run on ``executor``: every cell submitted, the rows taken in grid
    order. When a cell fails, the futures after it that have not started are cancelled
    as soon as the wait sees it (those before it run on: the error is the first failing
    cell's in grid order, whichever finishes first); when waiting is interrupted
    (``KeyboardInterrupt``) or fails, every future not started is cancelled before the
    error reaches the caller, as ``Executor.map`` does, so neither a pool nor a Dask
    cluster keeps computing the sweep nobody waits for any more.

    Every cancel is made here, in the caller's thread, never in a future's done-callback:
    a Dask executor runs those on its event loop, where cancelling made a coroutine that
    was never awaited (the cells ran on), and marked the futures cancelled so that the
    cancel after it did nothing. A callback only notes a failure (submitting stops)."""
    futures: list[Future[SweepRow]] = []
    failed = threading.Event()  # a submitted cell failed: submit no more

    def note(future: Future[SweepRow]) -> None:
        if not future.cancelled() and future.exception() is not None:
            failed.set()

    try:
        for c in cells:
            if failed.is_set():  # the rest never run (behind a failure, raised below)
                break
            futures.append(executor.submit(run_cell, c, keep))  # (at once: Ctrl-C between
            # the two would leave a future out of those cancelled)
            futures[-1].add_done_callback(note)
        pending = _waited(futures, FIRST_EXCEPTION)
        failing = [i for i, f in enumerate(futures) if f.done() and _failure(f) is not None]
        if pending and failing:  # a cell failed: cancel those after the first failing
            # one, wait for those before it (one of them may fail too, and be the one named)
            first = failing[0]
            for f in futures[first + 1 :]:
                f.cancel()
            _waited(futures[:first], ALL_COMPLETED)
        rows = SweepTable()
        for i, future in enumerate(futures):
            try:
                rows.append(future.result())
            except CancelledError:
                raise  # (cancelled by someone else: no cell failed before it)
            except Exception as error:
                named = _named(error, i, cells[i], rows)
                if named is error:
                    raise  # (itself, with a note: its own __cause__ kept)
                raise named from error
        # (submission stops only behind a failure, raised above: every cell has its row)
        return rows
    except BaseException:
        for f in futures:
            f.cancel()
        raise


_POLL = 0.25
"""Seconds between looks at the futures while waiting for them (see :func:`_waited`)."""


def _waited(futures: list[Future[SweepRow]], until: str) -> set[Future[SweepRow]]:
    """``concurrent.futures.wait(futures, return_when=until)``'s pending futures, but
    given back as soon as one of them is cancelled by someone else (the executor shut
    down with ``cancel_futures=True``): ``Future.cancel`` does not wake a ``wait`` already
    waiting, and the sweep waited for ever where ``Executor.map`` raises
    ``CancelledError``."""
    while True:
        _, pending = wait(futures, timeout=_POLL, return_when=until)
        if not pending or any(f.cancelled() for f in pending):
            return pending
        if until == FIRST_EXCEPTION and any(f.done() and _failure(f) is not None for f in futures):
            return pending


def _failure(future: Future[SweepRow]) -> BaseException | None:
    """What a done future raised (None for a row, or one cancelled)."""
    return None if future.cancelled() else future.exception()


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
    :func:`to_pandas`). Two rows of one key (one cell swept twice, or the rows of two
    sweeps whose scenarios share a name) are a ``ValidationError`` naming both
    positions: a mapping would keep one of them only."""
    rows = _rows(rows, "by_name")
    out: dict[tuple[str, str, int], SweepRow] = {}
    at: dict[tuple[str, str, int], int] = {}
    for i, r in enumerate(rows):
        key = (r.scenario, r.policy, r.seed)
        if key in at:
            raise ValidationError(
                f"by_name: rows[{at[key]}] and rows[{i}] are both scenario {r.scenario!r}, "
                f"policy {r.policy}, seed {r.seed}: a mapping by name would keep one of "
                "them only (sweep each cell once; name scenarios that differ apart)"
            )
        at[key] = i
        out[key] = r
    return out
