"""Simulation results equal their pickles and equal copies, NaN figures and all; the ones
holding dicts or lists are unhashable on purpose, the others hash as they compare."""

from __future__ import annotations

import copy
import math
import pickle
import struct
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing.metrics import DurationStats, FairnessStats
from helpdesk_routing.simulation import Scenario, SweepRow, grid, run, sweep
from helpdesk_routing.simulation.compare import Comparison, Estimate
from helpdesk_routing.simulation.results import SimulationResult, Summary, TicketRecords

from .conftest import mmc

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)

# NaNs of other signs and payloads are NaNs too: a figure that is one equals any other.
_NANS = [
    math.nan,
    -math.nan,
    struct.unpack("<d", struct.pack("<Q", 0x7FF8000000000123))[0],
    struct.unpack("<d", struct.pack("<Q", 0xFFF0000000000001))[0],
]
_figure = st.floats() | st.sampled_from(_NANS)


def _fresh(value: float) -> float:
    """An equal figure built apart: a NaN is another NaN object (Python's ``==`` on a
    tuple or a list spares only the very same one)."""
    return float("nan") if math.isnan(value) else value


def _other(value: float) -> float:
    """A figure unequal to ``value``: a number for a NaN, a NaN for a number."""
    return 1.5 if math.isnan(value) else math.nan


def _never_finishing() -> Scenario:
    """One agent, work that outlasts the run: no ticket resolves (mean handling NaN) and
    all but the first never start (NaN in the records)."""
    data = mmc(1, 0.5, 30, warmup=0).model_dump()
    data.update(handling={"type": "exponential", "mean_minutes": 100000}, drain_days=0.0)
    return Scenario.model_validate(data)


def _summary(f: list[float]) -> Summary:
    """A summary with the 14 figures ``f`` in its float places."""
    return Summary(
        tickets=3,
        started=2,
        resolved=1,
        ttfr=DurationStats(2, f[0], f[1], f[2], f[3]),
        over_target=f[4],
        mean_handling=f[5],
        per_agent={"a": 2, "b": 1},
        fairness=FairnessStats(2, 1, f[6], f[7]),
        utilisation={"a": f[8], "b": f[9]},
        mean_utilisation=f[10],
        mean_backlog=f[11],
        arrival_rate=f[12],
        horizon=f[13],
    )


def _result(f: list[float]) -> SimulationResult:
    """A result with the 12 figures ``f`` in its records, busy times and areas."""
    records = TicketRecords(
        created=[0.0, f[0]],
        channel=["email", "sms"],
        team=[None, "t"],
        decided_by=[None, "rule"],
        assignee=["a", None],
        assigned_at=[f[1], f[2]],
        started=[f[3], f[4]],
        resolved=[f[5], f[6]],
        closed=[f[7], f[8]],
    )
    return SimulationResult(
        scenario="s",
        policy="round_robin",
        seed=1,
        start=T0,
        horizon=3600.0,
        warmup=0,
        ttfr_target=600.0,
        agents=("a",),
        records=records,
        busy={"a": f[9]},
        sample_times=[0.0, f[10]],
        backlog=[0, 1],
        load={"a": [0, 1]},
        backlog_area=f[11],
    )


def test_a_run_with_nan_figures_equals_its_pickle_and_a_second_run() -> None:
    """A run whose mean handling is NaN (no ticket resolved) and whose records hold NaN
    equals its pickle, and the same run made again: so does its summary."""
    scenario = _never_finishing()
    result = run(scenario, 1)
    assert math.isnan(result.summary.mean_handling)
    assert math.isnan(result.records.resolved[0])
    back = pickle.loads(pickle.dumps(result))
    assert back == result
    assert back.summary == result.summary
    assert back.records == result.records
    again = run(scenario, 1)
    assert again == result
    assert again.summary == result.summary


def test_a_process_pool_sweep_with_nan_figures_equals_the_serial_one() -> None:
    """A sweep on a process pool gives rows equal to a serial run's, NaN figures and kept
    results too: the rows come back pickled."""
    cells = grid(_never_finishing(), ["round_robin", "pooled"], [1, 2])
    serial = sweep(cells, keep_results=True)
    assert all(math.isnan(row.figures["mean_handling"]) for row in serial)
    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = sweep(cells, pool, keep_results=True)
    assert pooled == serial
    assert [row.result for row in pooled] == [row.result for row in serial]


@settings(max_examples=200, deadline=None)
@given(figures=st.lists(_figure, min_size=14, max_size=14), where=st.integers(0, 13))
def test_summaries_equal_their_pickles_and_copies_with_nan_anywhere(
    figures: list[float], where: int
) -> None:
    """A summary equals its pickle, its copies and one built apart from equal figures,
    with NaN in any place; one figure changed (a NaN for a number or back) makes it
    unequal."""
    summary = _summary(figures)
    assert pickle.loads(pickle.dumps(summary)) == summary
    assert copy.copy(summary) == summary
    assert copy.deepcopy(summary) == summary
    assert _summary([_fresh(v) for v in figures]) == summary
    changed = _summary([*figures[:where], _other(figures[where]), *figures[where + 1 :]])
    assert changed != summary
    assert summary != changed


@settings(max_examples=200, deadline=None)
@given(figures=st.lists(_figure, min_size=12, max_size=12), where=st.integers(0, 11))
def test_results_and_records_equal_their_pickles_with_nan_anywhere(
    figures: list[float], where: int
) -> None:
    """A result (and its records) equals its pickle, its copies and one built apart,
    with NaN in any place of its records, busy times, samples or area; one changed
    figure makes it unequal."""
    result = _result(figures)
    back = pickle.loads(pickle.dumps(result))
    assert back == result
    assert back.records == result.records
    assert copy.deepcopy(result) == result
    assert _result([_fresh(v) for v in figures]) == result
    changed = _result([*figures[:where], _other(figures[where]), *figures[where + 1 :]])
    assert changed != result
    assert result != changed


@settings(max_examples=200, deadline=None)
@given(
    figures=st.dictionaries(st.sampled_from(["ttfr_mean", "jain", "horizon"]), _figure),
    keep=st.booleans(),
)
def test_sweep_rows_equal_their_pickles_with_nan_figures(
    figures: dict[str, float], keep: bool
) -> None:
    """A sweep row equals its pickle and one built apart, with NaN figures (and a kept
    result holding NaN); a figure changed makes it unequal."""
    result = _result([math.nan] * 12) if keep else None
    row = SweepRow("s", "round_robin", 1, figures, result)
    assert pickle.loads(pickle.dumps(row)) == row
    again = SweepRow(
        "s",
        "round_robin",
        1,
        {k: _fresh(v) for k, v in figures.items()},
        _result([float("nan")] * 12) if keep else None,
    )
    assert again == row
    assert SweepRow("s", "round_robin", 1, {**figures, "spread": 1.0}, result) != row


@settings(max_examples=200, deadline=None)
@given(figures=st.lists(_figure, min_size=3, max_size=3), n=st.integers(1, 5))
def test_estimates_and_comparisons_hash_as_they_compare(figures: list[float], n: int) -> None:
    """An estimate (and a comparison of them) with NaN in any place equals its pickle and
    one built apart, and equal ones hash alike (one member of a set)."""
    estimate = Estimate(*figures, n)
    again = Estimate(*map(_fresh, figures), n)
    back = pickle.loads(pickle.dumps(estimate))
    assert back == estimate == again
    assert hash(back) == hash(estimate) == hash(again)
    assert len({estimate, back, again}) == 1
    comparison = Comparison("ttfr_mean", estimate, again, back)
    assert pickle.loads(pickle.dumps(comparison)) == comparison
    assert hash(pickle.loads(pickle.dumps(comparison))) == hash(comparison)
    assert Estimate(_other(figures[0]), *figures[1:], n) != estimate


@pytest.mark.parametrize(
    "make",
    [
        lambda: _summary([math.nan] * 14),
        lambda: SweepRow("s", "round_robin", 1, {"ttfr_mean": 1.0}),
        lambda: _result([0.0] * 12),
        lambda: TicketRecords(),
    ],
    ids=["Summary", "SweepRow", "SimulationResult", "TicketRecords"],
)
def test_results_holding_dicts_or_lists_are_unhashable_by_name(make: object) -> None:
    """hash() of a summary, a sweep row, a result or records names its type (it failed
    inside, on a dict: "unhashable type: 'dict'"); each stays out of sets."""
    value = make()  # type: ignore[operator]
    name = type(value).__name__
    with pytest.raises(TypeError, match=rf"^unhashable type: '{name}'$"):
        hash(value)
    assert type(value).__hash__ is None


@settings(max_examples=200, deadline=None)
@given(figures=st.lists(_figure, min_size=4, max_size=4))
def test_estimates_built_by_hand_hash_as_they_compare_with_nan_in_any_field(
    figures: list[float],
) -> None:
    """An estimate built by hand with NaN in any field, its n too, equals one built apart
    and hashes alike (n was hashed as it is: a NaN n's hash is its object's)."""
    estimate = Estimate(*figures)  # type: ignore[arg-type]
    again = Estimate(*map(_fresh, figures))  # type: ignore[arg-type]
    assert estimate == again
    assert hash(estimate) == hash(again)
    assert len({estimate, again}) == 1
