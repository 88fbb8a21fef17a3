"""The report's text table keeps every figure readable, whatever its size: durations as
``H:MM:SS`` with the hours counted on past a day (never ``N days, ...``), and cells
always apart, their columns widened to fit (a count ran into a duration of days)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing import metrics
from helpdesk_routing.metrics_cli import render_text

START = datetime(2026, 3, 30, tzinfo=UTC)
MINUTE, HOUR, DAY = 60, 3600, 86400
DURATION_ROWS = ("TTFR", "TTFR business", "resolution")
SOME_AI = metrics.AiRates(3, 1, 1)
AI_HEADER = ("started", "resolved", "escalated", "resolution", "handoff")
_HMS = re.compile(r"(\d+):([0-5]\d):([0-5]\d)")


def _report(
    ttfr: metrics.DurationStats,
    business: metrics.DurationStats,
    resolution: metrics.DurationStats,
    ai: metrics.AiRates = SOME_AI,
    by_channel: dict[str, metrics.AiRates] | None = None,
) -> metrics.Report:
    return metrics.Report(
        start=START,
        end=START + timedelta(days=90),
        target=timedelta(hours=1),
        tickets=ttfr.count,
        answered=ttfr.count,
        unanswered=0,
        ttfr=ttfr,
        ttfr_business=business,
        within_target=0.5,
        within_target_business=0.5,
        assigned={},
        always_online=(),
        fairness=metrics.FairnessStats(0, 0, 1.0, 0.0),
        waiting_unassigned=0,
        waiting_by_team={},
        resolved=resolution.count,
        resolution=resolution,
        ai=ai,
        ai_by_channel=by_channel if by_channel is not None else {"sms": ai},
    )


def _seconds(text: str) -> int:
    """A cell ``H:MM:SS`` read back as whole seconds."""
    match = _HMS.fullmatch(text)
    assert match is not None, f"not H:MM:SS: {text!r}"
    hours, minutes, secs = map(int, match.groups())
    return hours * HOUR + minutes * MINUTE + secs


def _block(text: str, header: str, labels: list[str], cells: int) -> dict[str, list[str]]:
    """The rows of the table under ``header``, each label with its ``cells`` cells (split
    on white space from the right: a label may hold spaces); the cells of each column
    end at one place on every row (the columns are aligned)."""
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = lines[first : first + 1 + len(labels)]
    found: dict[str, list[str]] = {}
    ends: list[list[int]] = []
    for line, label in zip(rows, [header, *labels], strict=True):
        assert line.startswith(label)
        parts = line[len(label) :].split()
        assert len(parts) == cells, f"{cells} cells wanted, got {parts} in {line!r}"
        found[label] = parts
        ends.append([m.end() for m in re.finditer(r"\S+", line)][-cells:])
    assert all(row == ends[0] for row in ends), f"columns not aligned:\n{text}"
    return found


def _check_durations(report: metrics.Report) -> None:
    text = render_text(report)
    rows = _block(text, "durations", list(DURATION_ROWS), 5)
    assert rows["durations"] == ["count", "mean", "median", "p90", "p99"]
    for label, stats in zip(
        DURATION_ROWS, [report.ttfr, report.ttfr_business, report.resolution], strict=True
    ):
        assert stats is not None
        count, *figures = rows[label]
        assert int(count) == stats.count
        wanted = [stats.mean, stats.median, stats.p90, stats.p99]
        assert [_seconds(f) for f in figures] == [round(s) for s in wanted]


def test_durations_of_seconds_hours_days_and_months_read_back() -> None:
    """Every duration figure, from seconds to months, is one H:MM:SS cell that reads back
    to its value; the count before it stays a cell of its own (it ran into "4 days, ...")."""
    seconds = metrics.DurationStats(7, 5.0, 59.4, 61.0, 3599.0)
    hours = metrics.DurationStats(12, 2 * HOUR + 1, 5 * HOUR, 23 * HOUR + 59 * MINUTE, 86399.0)
    days = metrics.DurationStats(2, 102 * HOUR, 4 * DAY + 6 * HOUR, 5 * DAY + 0.6, 99 * HOUR)
    months = metrics.DurationStats(2_000_000, 31 * DAY, 62 * DAY + 7, 95 * DAY, 400 * DAY + 1)
    _check_durations(_report(seconds, hours, days))
    _check_durations(_report(days, months, seconds))
    _check_durations(_report(months, days, hours))


def test_a_day_or_more_is_counted_in_hours() -> None:
    """66 hours print as 66:00:00 and 100 hours as 100:00:00 (the report's TTFR of
    documented form H:MM:SS), with a space before each."""
    stats = metrics.DurationStats(24, 66 * HOUR, 100 * HOUR, 100 * HOUR, 1000 * HOUR + 1)
    lines = render_text(_report(stats, stats, stats)).splitlines()
    assert "TTFR                          24  66:00:00 100:00:00 100:00:00 1000:00:01" in lines


def test_the_table_of_short_durations_is_unchanged() -> None:
    """Durations under a day and counts of a few digits keep the columns of ten."""
    stats = metrics.DurationStats(4, 10950.0, 4950.0, 24300.0, 31590.0)
    lines = render_text(_report(stats, stats, stats)).splitlines()
    assert "durations                  count      mean    median       p90       p99" in lines
    assert "TTFR                           4   3:02:30   1:22:30   6:45:00   8:46:30" in lines


def test_huge_ai_counts_stay_apart() -> None:
    """The AI agent's counts widen their columns too (a 12-digit count filled its cell)."""
    big = metrics.AiRates(123_456_789_012, 123_456_789_011, 1)
    stats = metrics.DurationStats(1, 1.0, 1.0, 1.0, 1.0)
    text = render_text(_report(stats, stats, stats, big, {"webchat": big}))
    rows = _block(text, "AI agent", ["  all channels", "  webchat"], 5)
    assert rows["AI agent"] == list(AI_HEADER)
    for label in ("  all channels", "  webchat"):
        started, resolved, escalated, *rates = rows[label]
        assert (int(started), int(resolved), int(escalated)) == (big.started, big.resolved, 1)
        assert rates == [f"{big.resolution_rate:.1%}", f"{big.handoff_rate:.1%}"]


_durations = st.floats(min_value=0, max_value=10_000 * DAY, allow_nan=False)
_stats = st.builds(
    metrics.DurationStats,
    st.integers(min_value=0, max_value=10**15),
    _durations,
    _durations,
    _durations,
    _durations,
)


@given(_stats, _stats, _stats)
def test_every_duration_figure_reads_back_from_the_table(
    ttfr: metrics.DurationStats,
    business: metrics.DurationStats,
    resolution: metrics.DurationStats,
) -> None:
    """Whatever the durations and counts, each row splits into its five cells, the
    columns are aligned, and each figure reads back to its value in whole seconds."""
    _check_durations(_report(ttfr, business, resolution))


@given(st.integers(min_value=0, max_value=10**15), st.text(min_size=1, max_size=40))
def test_a_long_channel_label_keeps_its_cells_apart(started: int, channel: str) -> None:
    """A channel shown wider than the label column still leaves every cell its own."""
    rates = metrics.AiRates(started, started, 0)
    stats = metrics.DurationStats(1, 1.0, 1.0, 1.0, 1.0)
    report = _report(stats, stats, stats, rates, {channel: rates})
    text = render_text(replace(report, ttfr_business=None, within_target_business=None))
    lines = text.splitlines()
    first = lines.index(next(line for line in lines if line.startswith("AI agent")))
    for line in lines[first + 1 : first + 3]:
        cells = line.split()[-5:]
        assert [int(c) for c in cells[:3]] == [started, started, 0]
