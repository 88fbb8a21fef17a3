"""A SweepTable's slices, sums, multiples and copies are tables (they were plain lists,
without ``to_pandas``), and the spelling docs/simulation.md gives for the module's
functions works (``simulation.sweep`` is the function: ``simulation.sweep.to_pandas``
was no attribute)."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest
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


# ``+`` and ``*`` with an operand of any kind behave as a list's, to the message, but
# give tables: ``table + Other()`` asked ``Other.__radd__`` no question (list.__add__
# was called by name and raised), and ``table * 2.5`` said "'float' object cannot be
# interpreted as an integer" where a list says "can't multiply sequence by non-int of
# type 'float'".


class _Adds:
    """An operand that knows how to be added to, and to multiply, anything."""

    def __radd__(self, other: object) -> str:
        return f"radd {type(other).__name__} {len(other)}"  # type: ignore[arg-type]

    def __rmul__(self, other: object) -> str:
        return f"rmul {type(other).__name__} {len(other)}"  # type: ignore[arg-type]


class _Declines:
    """An operand whose reflected methods decline."""

    def __radd__(self, other: object) -> object:
        return NotImplemented

    def __rmul__(self, other: object) -> object:
        return NotImplemented


class _Refuses:
    """An operand whose class refuses ``+`` and ``*`` (None)."""

    __radd__ = None
    __rmul__ = None


class _Index:
    """An index that also multiplies: a list asks its ``__rmul__`` first."""

    def __index__(self) -> int:
        return 2

    def __rmul__(self, other: object) -> str:
        return "index rmul"


class _JustIndex:
    def __index__(self) -> int:
        return 3


class _Text(str):
    """A str subclass (its ``*`` is str's repetition)."""


def _operands() -> list[object]:
    import array
    import collections
    import fractions
    from decimal import Decimal

    return [
        0, 1, 3, -1, True, False, 2.5, -0.0, float("nan"), 1j, None, "a", b"a", bytearray(b"a"),
        _Text("a"), (), (_ROWS[0],), [], _ROWS[:2], SweepTable(_ROWS[:1]), {}, {1}, range(2),
        collections.deque([1]), array.array("i", [1]), Decimal(2), Decimal("NaN"),
        fractions.Fraction(3, 2),
        _Adds(), _Declines(), _Refuses(), _Index(), _JustIndex(), object(), len, dt_delta(),
    ]  # fmt: skip


def dt_delta() -> object:
    import datetime as dt

    return dt.timedelta(1)


def _outcome(do: Any, operand: object, rows: list[SweepRow]) -> tuple[str, object]:
    try:
        made = do(rows, operand)
    except Exception as error:
        return "raised", (type(error), str(error).replace("SweepTable", "list"))
    if isinstance(made, list):
        return type(made).__name__, list(made)
    if type(made).__module__ == "numpy":
        return "numpy", repr(made)
    if isinstance(made, str):  # (what _Adds says names the operand's type)
        return "made", made.replace("SweepTable", "list")
    return "made", made


_OPERATIONS = {
    "rows + x": lambda rows, x: rows + x,
    "rows * x": lambda rows, x: rows * x,
    "x * rows": lambda rows, x: x * rows,
    "x + rows": lambda rows, x: x + rows,
}


@pytest.mark.parametrize("name", list(_OPERATIONS))
def test_an_operand_of_any_kind_meets_a_table_as_a_list(name: str) -> None:
    """For every operand, a table and a list give the same (a table where the list's own
    ``+`` or ``*`` gives a list) or raise the same TypeError, message and all."""
    do = _OPERATIONS[name]
    for operand in _operands():
        as_list = _outcome(do, operand, list(_ROWS[:2]))
        as_table = _outcome(do, operand, SweepTable(_ROWS[:2]))
        if as_list[0] == "list" and not (name == "x + rows" and isinstance(operand, list)):
            # the list's own + or *: a table (``list + table`` is the list's, a list)
            assert as_table == ("SweepTable", as_list[1]), (name, operand)
        elif isinstance(operand, SweepTable) and as_list[0] == "list":
            assert as_table[1] == as_list[1], (name, operand)
        else:
            assert as_table == as_list, (name, operand)


def test_numpy_numbers_multiply_a_table_as_a_list() -> None:
    """A numpy integer repeats a table, as a list; a numpy float is refused as by a list
    (numpy's own method, asked, took the table for an array and failed on its rows).
    (``np.int64(2) * table`` is numpy's to answer first, and fails so on the rows.)"""
    import numpy as np  # a test dependency (through pandas): missing, it fails

    table = SweepTable(_ROWS[:2])
    made = table * np.int64(2)
    assert type(made) is SweepTable
    assert list(made) == list(_ROWS[:2]) * np.int64(2)
    for number in (np.float64(2.5), np.float32(2.5)):
        assert _outcome(_OPERATIONS["rows * x"], number, table) == _outcome(
            _OPERATIONS["rows * x"], number, list(_ROWS[:2])
        )


def test_the_reflected_method_is_given_the_table_itself() -> None:
    table = SweepTable(_ROWS[:2])
    assert table + _Adds() == "radd SweepTable 2"
    assert table * _Adds() == "rmul SweepTable 2"
    assert table * _Index() == "index rmul"  # (a list asks it first too)
    assert type(table * _JustIndex()) is SweepTable
    assert list(table * _JustIndex()) == _ROWS[:2] * 3


@given(
    st.one_of(
        st.integers(-3, 3),
        st.floats(),
        st.text(max_size=2),
        st.binary(max_size=2),
        st.none(),
        st.booleans(),
        st.tuples(st.sampled_from(_ROWS)),
        st.lists(st.sampled_from(_ROWS), max_size=3),
        st.lists(st.sampled_from(_ROWS), max_size=3).map(SweepTable),
        st.complex_numbers(),
        st.dictionaries(st.integers(), st.integers(), max_size=2),
    )
)
def test_any_operand_meets_a_table_as_a_list(operand: object) -> None:
    for name, do in _OPERATIONS.items():
        as_list = _outcome(do, operand, list(_ROWS[:2]))
        as_table = _outcome(do, operand, SweepTable(_ROWS[:2]))
        if as_list[0] == "list" and not (name == "x + rows" and isinstance(operand, list)):
            assert as_table == ("SweepTable", as_list[1]), name
        elif isinstance(operand, SweepTable) and as_list[0] == "list":
            assert as_table[1] == as_list[1], name
        else:
            assert as_table == as_list, name
