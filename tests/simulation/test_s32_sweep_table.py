"""A SweepTable's slices, sums, multiples and copies are tables (they were plain lists,
without ``to_pandas``), and the spelling docs/simulation.md gives for the module's
functions works (``simulation.sweep`` is the function: ``simulation.sweep.to_pandas``
was no attribute)."""

from __future__ import annotations

import copy
import pickle

from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.simulation import SweepRow, SweepTable

_ROWS = [SweepRow(f"s{i}", "pooled", i, {"ttfr_mean": float(i)}) for i in range(6)]
_TABLE = SweepTable(_ROWS)

_INDEX = st.none() | st.integers(-8, 8)


@given(_INDEX, _INDEX, st.none() | st.integers(-3, 3).filter(bool))
def test_a_slice_is_a_table_of_the_lists_slice(start: int, stop: int, step: int) -> None:
    part = _TABLE[start:stop:step]
    assert type(part) is SweepTable
    assert list(part) == _ROWS[start:stop:step]


@given(st.integers(-2, 3), st.integers(0, 6))
def test_sums_multiples_and_copies_are_tables(n: int, k: int) -> None:
    for made, expected in [
        (_TABLE * n, _ROWS * n),
        (n * _TABLE, _ROWS * n),
        (_TABLE + _ROWS[:k], _ROWS + _ROWS[:k]),
        (_TABLE + _TABLE[:k], _ROWS + _ROWS[:k]),
        (_TABLE.copy(), _ROWS),
        (copy.copy(_TABLE), _ROWS),
        (pickle.loads(pickle.dumps(_TABLE)), _ROWS),
    ]:
        assert type(made) is SweepTable
        assert list(made) == expected
    assert _TABLE[k - 3] is _ROWS[k - 3]  # an index is a row, as a list's
    assert len(_TABLE) == 6  # (nothing changed the table)


def test_a_slice_makes_its_frame() -> None:
    assert _TABLE[1:3].to_pandas()["seed"].tolist() == [1, 2]
    assert (_TABLE[:1] + _TABLE[-1:]).to_pandas()["seed"].tolist() == [0, 5]


def test_the_documented_spelling_of_the_frame_and_the_mapping() -> None:
    from helpdesk_routing.simulation.sweep import by_name, to_pandas

    assert to_pandas(_ROWS)["scenario"].tolist() == [f"s{i}" for i in range(6)]
    assert next(iter(by_name(_TABLE))) == ("s0", "pooled", 0)
