"""A report equals its pickle and an equal copy, NaN figures and all; it is unhashable on
purpose, and its statistics hash as they compare."""

from __future__ import annotations

import copy
import math
import pickle
import struct
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing import metrics
from helpdesk_routing.metrics import AgentLoad, AiRates, DurationStats, FairnessStats, Report
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData

START = datetime(2026, 3, 30, 9, tzinfo=UTC)
END = datetime(2026, 4, 6, 9, tzinfo=UTC)

_NANS = [
    math.nan,
    -math.nan,
    struct.unpack("<d", struct.pack("<Q", 0x7FF8000000000123))[0],
]
_figure = st.floats() | st.sampled_from(_NANS)
_PLACES = 16


def _fresh(value: float) -> float:
    """An equal figure built apart: a NaN is another NaN object."""
    return float("nan") if math.isnan(value) else value


def _other(value: float) -> float:
    """A figure unequal to ``value``: a number for a NaN, a NaN for a number."""
    return 1.5 if math.isnan(value) else math.nan


def _report(f: list[float]) -> Report:
    """A report with the figures ``f`` in its float places."""
    return Report(
        start=START,
        end=END,
        target=timedelta(hours=1),
        tickets=4,
        answered=2,
        unanswered=2,
        ttfr=DurationStats(2, f[0], f[1], f[2], f[3]),
        ttfr_business=DurationStats(2, f[4], f[5], f[6], f[7]),
        within_target=f[8],
        within_target_business=f[9],
        assigned={"a1": AgentLoad(2, 1), "a2": AgentLoad(1, 0)},
        always_online=("a1", "a2"),
        fairness=FairnessStats(2, 1, f[10], f[11]),
        waiting_unassigned=1,
        waiting_by_team={"billing": 1},
        resolved=1,
        resolution=DurationStats(1, f[12], f[13], f[14], f[15]),
        ai=AiRates(0, 0, 0),
        ai_by_channel={"webchat": AiRates(2, 1, 1)},
        handoffs={"handed_off": 1},
    )


def test_an_empty_periods_report_equals_its_pickle_and_a_second_report() -> None:
    """The report of a period without tickets (TTFR mean NaN, share within target NaN)
    equals its pickle and the same report made again."""
    store = InMemoryStore()
    report = metrics.report(store, InMemoryCustomerData(), START, END)
    assert math.isnan(report.ttfr.mean)
    assert math.isnan(report.within_target)
    assert pickle.loads(pickle.dumps(report)) == report
    assert metrics.report(store, InMemoryCustomerData(), START, END) == report


@settings(max_examples=300, deadline=None)
@given(figures=st.lists(_figure, min_size=_PLACES, max_size=_PLACES), where=st.integers(0, 15))
def test_reports_equal_their_pickles_and_copies_with_nan_anywhere(
    figures: list[float], where: int
) -> None:
    """A report equals its pickle, its copies and one built apart from equal figures,
    with NaN in any place; one figure changed (a NaN for a number or back) makes it
    unequal, either way round."""
    report = _report(figures)
    assert pickle.loads(pickle.dumps(report)) == report
    assert copy.copy(report) == report
    assert copy.deepcopy(report) == report
    assert _report([_fresh(v) for v in figures]) == report
    changed = _report([*figures[:where], _other(figures[where]), *figures[where + 1 :]])
    assert changed != report
    assert report != changed


def test_reports_differing_outside_their_figures_are_unequal() -> None:
    """Equality still looks at every field: another agent load, team or period differs."""
    report = _report([math.nan] * _PLACES)
    assert Report(**{**report.__dict__, "assigned": {"a1": AgentLoad(2, 1)}}) != report
    assert Report(**{**report.__dict__, "waiting_by_team": {}}) != report
    assert Report(**{**report.__dict__, "end": END + timedelta(days=1)}) != report
    assert report != object()
    assert report.__eq__(object()) is NotImplemented


def test_a_report_is_unhashable_by_name() -> None:
    """hash(report) names the type (it failed inside, on a dict: "unhashable type:
    'dict'")."""
    report = _report([math.nan] * _PLACES)
    with pytest.raises(TypeError, match=r"^unhashable type: 'Report'$"):
        hash(report)
    assert Report.__hash__ is None


@settings(max_examples=200, deadline=None)
@given(figures=st.lists(_figure, min_size=6, max_size=6), count=st.integers(0, 5))
def test_statistics_hash_as_they_compare_with_nan_anywhere(
    figures: list[float], count: int
) -> None:
    """Duration and fairness statistics with NaN in any place equal their pickles and
    ones built apart, and hash alike (one member of a set)."""
    durations = DurationStats(count, *figures[:4])
    fairness = FairnessStats(count, 0, *figures[4:])
    for stats, again in (
        (durations, DurationStats(count, *map(_fresh, figures[:4]))),
        (fairness, FairnessStats(count, 0, *map(_fresh, figures[4:]))),
    ):
        back = pickle.loads(pickle.dumps(stats))
        assert back == stats == again
        assert hash(back) == hash(stats) == hash(again)
        assert len({stats, back, again}) == 1
    assert DurationStats(count, _other(figures[0]), *figures[1:4]) != durations
    assert DurationStats.of([]) == pickle.loads(pickle.dumps(DurationStats.of([])))


@settings(max_examples=200, deadline=None)
@given(figures=st.lists(_figure, min_size=9, max_size=9))
def test_statistics_built_by_hand_hash_as_they_compare_with_nan_in_any_field(
    figures: list[float],
) -> None:
    """A statistic built by hand with NaN in any field, its counts too, equals one built
    apart and hashes alike (the counts were hashed as they are: a NaN count's hash is
    its object's, and equal statistics hashed apart)."""
    for stats, again in (
        (DurationStats(*figures[:5]), DurationStats(*map(_fresh, figures[:5]))),  # type: ignore[arg-type]
        (FairnessStats(*figures[5:]), FairnessStats(*map(_fresh, figures[5:]))),  # type: ignore[arg-type]
    ):
        assert stats == again
        assert hash(stats) == hash(again)
        assert len({stats, again}) == 1
