"""The report's table of agents keeps each figure under its header whatever the names:
the names' column was 12 characters, so a longer name, or one shown quoted with its
escapes (``'mallory\\nbob'``), moved that row's figures a column to the right."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing import metrics
from helpdesk_routing._shown import shown
from helpdesk_routing.metrics_cli import _columns, render_text

from .test_s32_report_table import _report

ZERO = metrics.DurationStats(0, 0.0, 0.0, 0.0, 0.0)
HEADERS = ("automatic", "manual", "total")


def _table(lines: list[str]) -> tuple[str, list[str]]:
    start = next(i for i, line in enumerate(lines) if line.startswith("agent "))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("always online"))
    return lines[start], lines[start + 1 : end]


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=30),
        st.tuples(st.integers(0, 10**12), st.integers(0, 10**12)),
        min_size=1,
        max_size=5,
    )
)
def test_every_figure_ends_under_its_header(loads: dict[str, tuple[int, int]]) -> None:
    assigned = {a: metrics.AgentLoad(auto, manual) for a, (auto, manual) in loads.items()}
    report = replace(_report(ZERO, ZERO, ZERO), assigned=assigned)
    header, rows = _table(render_text(report).split("\n"))
    ends = [header.index(h) + len(h) for h in HEADERS]  # the header is ASCII
    assert len(rows) == len(assigned)
    for row, (agent, load) in zip(rows, sorted(assigned.items()), strict=True):
        name = shown(agent)
        assert row.startswith(name + " ")
        # the figures as a terminal shows them: the name takes its columns, not its length
        shift = _columns(name) - len(name)
        for end, figure in zip(ends, (load.automatic, load.manual, load.total), strict=True):
            at = end - shift
            assert row[at - len(str(figure)) : at] == str(figure)
            assert row[at - len(str(figure)) - 1] == " "


def test_short_names_keep_the_table_as_it_was() -> None:
    report = replace(
        _report(ZERO, ZERO, ZERO),
        assigned={"ann": metrics.AgentLoad(3, 1), "bob": metrics.AgentLoad(12, 0)},
    )
    header, rows = _table(render_text(report).split("\n"))
    assert header == "agent        automatic  manual  total"
    assert rows == [
        "ann                  3       1      4",
        "bob                 12       0     12",
    ]


def test_a_wide_name_takes_its_columns() -> None:
    """ "山田太郎" takes 8 columns on a terminal: its row's figures stood 4 columns right of
    the others' (review)."""
    report = replace(
        _report(ZERO, ZERO, ZERO),
        assigned={"山田太郎": metrics.AgentLoad(3, 1), "bob": metrics.AgentLoad(12, 0)},
    )
    header, rows = _table(render_text(report).split("\n"))
    assert header == "agent        automatic  manual  total"
    assert rows == [
        "bob                 12       0     12",
        "山田太郎" + " " * 13 + "3       1      4",  # 8 columns + 4: as wide as "bob" + 9
    ]
    assert _columns("山田太郎") == 8
    assert _columns("e\u0301") == 1


def test_marks_drawn_over_a_letter_take_no_column() -> None:
    """Thai's U+0E34 and Devanagari's U+0902 have combining class 0 but take no column:
    their names' rows stood left of the headers (review)."""
    assert _columns("สมศักดิ์") == 5
    assert _columns("संजय") == 3
    report = replace(
        _report(ZERO, ZERO, ZERO),
        assigned={"สมศักดิ์": metrics.AgentLoad(5, 2), "ann": metrics.AgentLoad(3, 1)},
    )
    header, rows = _table(render_text(report).split("\n"))
    assert {_columns(row) for row in rows} == {_columns(header)}
