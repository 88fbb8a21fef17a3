"""How fast OfficeHours answers: is_open, next_open, business_time_between.

The schedule has three windows a day (one crossing midnight) and 20 holidays, in
Europe/Amsterdam; instants are spread over a month (2026-03-10 to 2026-04-10) that
holds a DST change. The per-day interval cache is warm after the first round, as it
is in a service that asks about "now" again and again.
Prints calls per second (and microseconds per call) as a table; ``--json FILE``
writes the figures as a flat JSON object; ``--quick`` is a smoke run.

    python benchmarks/bench_calendar.py [--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import timeit
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from helpdesk_routing._open_time import _day_intervals
from helpdesk_routing.calendar import OfficeHours

MONTH_START = datetime(2026, 3, 10, tzinfo=UTC)
MONTH = timedelta(days=31)


def schedule() -> OfficeHours:
    """Three windows every day (the last one overnight) and 20 holidays, some in the month."""
    day = (("07:00", "12:00"), ("13:00", "17:30"), ("22:00", "02:00"))
    holidays = [date(2026, 1, 1) + timedelta(days=18 * k) for k in range(20)]
    return OfficeHours(
        timezone="Europe/Amsterdam",
        weekly=dict.fromkeys(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), day),
        holidays=holidays,
    )


def instants(count: int) -> list[datetime]:
    """Instants spread over the month, whole seconds, in a fixed random order."""
    rng = random.Random(3)
    seconds = int(MONTH.total_seconds())
    return [MONTH_START + timedelta(seconds=rng.randrange(seconds)) for _ in range(count)]


def rate(call: Callable[[], object], calls_per_round: int, quick: bool) -> float:
    """Calls per second: the best of several rounds, so noise only ever slows it down."""
    timer = timeit.Timer(call)
    if quick:
        return calls_per_round / timer.timeit(number=1)
    rounds, _ = timer.autorange()
    rounds = max(1, int(rounds * 2.5))
    best = min(timer.repeat(repeat=3, number=rounds))
    return rounds * calls_per_round / best


def run(quick: bool) -> dict[str, float]:
    """Measure every figure; ``quick`` shortens the rounds to a smoke run."""
    hours = schedule()
    points = instants(50 if quick else 1000)
    pairs = list(zip(points[::2], points[1::2], strict=True))
    year_from = datetime(2026, 1, 1, tzinfo=UTC)
    year_to = datetime(2027, 1, 1, tzinfo=UTC)

    def is_open_all() -> None:
        for point in points:
            hours.is_open(point)

    def next_open_all() -> None:
        for point in points:
            hours.next_open(point)

    def between_in_month() -> None:
        for a, b in pairs:
            hours.business_time_between(a, b)

    def between_whole_month() -> None:
        hours.business_time_between(MONTH_START, MONTH_START + MONTH)

    def between_a_year() -> None:
        hours.business_time_between(year_from, year_to)

    def between_a_year_cold() -> None:
        # Emptying the per-day cache shows the cost of resolving 366 days' windows.
        _day_intervals.cache_clear()
        hours.business_time_between(year_from, year_to)

    figures = {
        "is_open_calls_per_s": rate(is_open_all, len(points), quick),
        "next_open_calls_per_s": rate(next_open_all, len(points), quick),
        "business_time_between_month_calls_per_s": rate(between_in_month, len(pairs), quick),
        "business_time_between_whole_month_calls_per_s": rate(between_whole_month, 1, quick),
        "business_time_between_year_calls_per_s": rate(between_a_year, 1, quick),
        "business_time_between_year_cold_cache_calls_per_s": rate(between_a_year_cold, 1, quick),
    }
    for name in list(figures):
        figures[name.replace("calls_per_s", "us_per_call")] = 1e6 / figures[name]
    return figures


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print a table, optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a tiny smoke run")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures here")
    args = parser.parse_args(argv)
    figures = run(args.quick)
    print(f"{'operation':<42} {'calls/s':>12} {'µs/call':>10}")
    for name, value in figures.items():
        if name.endswith("calls_per_s"):
            operation = name.removesuffix("_calls_per_s")
            per_call = figures[f"{operation}_us_per_call"]
            print(f"{operation:<42} {value:>12,.0f} {per_call:>10.2f}")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
