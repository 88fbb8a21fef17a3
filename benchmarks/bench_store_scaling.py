"""Costs that must stay flat as stores grow: a view page, and a filtered event count.

Each figure is a ratio between two sizes measured in the same run (issue 9's targets):

- a view page (50 tickets of the Unassigned view, oldest and newest first, from the
  start and from a cursor in the middle) with 100,000 vs 1,000 stored tickets, on the
  memory and SQLite stores: target < 2x;
- a filtered ``at_least(1)`` event count (``count_events(limit=1)`` with an
  ``EventWhere`` clause ``value > 100``) over 100,000 vs 100 events in the window, half
  of which match, on memory, SQLite and PostgreSQL: target < 2x. The same run also
  measures the path before issue 9 as the baseline: a plain Python filter and no limit.

Times are the median of ``--repeat`` calls (the machine may be shared and noisy).

    python benchmarks/bench_store_scaling.py
    python benchmarks/bench_store_scaling.py --quick --json out.json
    python benchmarks/bench_store_scaling.py --stores memory,sqlite
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _parallel import new_schema

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # for tests.pg_server, the throw-away server launcher
    sys.path.insert(0, str(ROOT))

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)


def _median(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _fill_tickets(store: Any, n: int) -> None:
    from helpdesk_routing.model import Ticket
    from helpdesk_routing.records import TicketRecord

    with store.transaction() as tx:
        for i in range(n):
            ticket = Ticket(id=f"t{i:07d}", channel="email", created_at=T0 + timedelta(seconds=i))
            # Every third is assigned, every fifth in a team: the Unassigned view holds
            # about half of the tickets, interleaved with the others.
            tx.add_ticket(
                TicketRecord(
                    ticket=ticket,
                    assignee="a1" if i % 3 == 0 else None,
                    team="x" if i % 5 == 0 else None,
                )
            )


def _view_page(kind: str, n: int, tmp: str, repeat: int) -> float:
    from helpdesk_routing.records import TicketQuery
    from helpdesk_routing.stores.memory import InMemoryStore
    from helpdesk_routing.stores.sqlite import SqliteStore

    store: Any = InMemoryStore() if kind == "memory" else SqliteStore(str(Path(tmp) / f"v{n}.db"))
    try:
        _fill_tickets(store, n)
        middle = (T0 + timedelta(seconds=n // 2), f"t{n // 2:07d}")
        queries = [
            TicketQuery(unassigned=True, no_team=True, limit=50),
            TicketQuery(unassigned=True, no_team=True, limit=50, newest_first=True),
            TicketQuery(unassigned=True, no_team=True, limit=50, after=middle),
            TicketQuery(unassigned=True, no_team=True, limit=50, after=middle, newest_first=True),
        ]

        def pages() -> None:
            with store.transaction() as tx:
                for q in queries:
                    assert len(tx.find_tickets(q)) == 50
            return

        return _median(pages, repeat) / len(queries)
    finally:
        if kind == "sqlite":
            store.close()


def _open_data(kind: str, tmp: str, dsn: str | None, n: int) -> Any:
    if kind == "memory":
        from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData

        return InMemoryCustomerData()
    if kind == "sqlite":
        from helpdesk_routing.stores.sqlite import SqliteCustomerData

        return SqliteCustomerData(str(Path(tmp) / f"e{n}.db"))
    from helpdesk_routing.stores.postgres import PostgresCustomerData

    assert dsn is not None
    return PostgresCustomerData(new_schema(dsn))


def _event_counts(kind: str, n: int, tmp: str, dsn: str | None, repeat: int) -> dict[str, float]:
    from helpdesk_routing.model import Event
    from helpdesk_routing.ports import EventWhere

    data = _open_data(kind, tmp, dsn, n)
    try:
        data.add_events(
            Event(
                profile_id="p1",
                metric="Placed Order",
                timestamp=T0 + timedelta(seconds=i),
                properties={"value": 200 if i % 2 else 50, "currency": "EUR"},
            )
            for i in range(n)
        )

        def big(props: Any) -> bool:
            value = props.get("value")
            return isinstance(value, int | float) and not isinstance(value, bool) and value > 100

        where = EventWhere(clauses=(("value", "greater_than", 100),), test=big)
        window = {"start": T0, "end": T0 + timedelta(seconds=n)}

        def at_least_one() -> None:
            assert data.count_events("p1", "Placed Order", where=where, limit=1, **window) == 1

        def before() -> None:
            found = data.count_events("p1", "Placed Order", where=big, **window)
            assert found == n // 2

        return {
            "at_least_1_s": _median(at_least_one, repeat),
            "python_filter_no_limit_s": _median(before, max(1, repeat // 4)),
        }
    finally:
        if kind != "memory":
            data.close()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table, optionally write a flat JSON of the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny smoke run")
    parser.add_argument("--json", metavar="FILE", help="write name -> number as JSON")
    parser.add_argument("--stores", default="memory,sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=21, help="timed calls per figure")
    args = parser.parse_args(argv)
    kinds = args.stores.split(",")
    small_view, big_view = (1_000, 3_000) if args.quick else (1_000, 100_000)
    small_events, big_events = (100, 2_000) if args.quick else (100, 100_000)
    repeat = 5 if args.quick else args.repeat

    server = None
    dsn = os.environ.get("HELPDESK_TEST_POSTGRES_DSN")
    if "postgres" in kinds and not dsn:
        from tests.pg_server import ThrowawayPostgres

        server = ThrowawayPostgres()
        dsn = server.start()
    numbers: dict[str, float] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-scaling-") as tmp:
            print(f"view page of 50 (Unassigned): {big_view:,} vs {small_view:,} stored tickets")
            print(f"{'store':<10}{'small ms':>10}{'big ms':>10}{'ratio':>8}")
            for kind in (k for k in kinds if k in ("memory", "sqlite")):
                small = _view_page(kind, small_view, tmp, repeat)
                big = _view_page(kind, big_view, tmp, repeat)
                numbers[f"view_page_{kind}_small_ms"] = round(small * 1000, 4)
                numbers[f"view_page_{kind}_big_ms"] = round(big * 1000, 4)
                numbers[f"view_page_{kind}_ratio"] = round(big / small, 3)
                print(f"{kind:<10}{small * 1000:>10.3f}{big * 1000:>10.3f}{big / small:>8.2f}")
            print()
            print(
                f"filtered at_least(1): {big_events:,} vs {small_events:,} events in the "
                "window, half match"
            )
            print(
                f"{'store':<10}{'small ms':>10}{'big ms':>10}{'ratio':>8}"
                f"{'baseline big ms':>18}{'baseline ratio':>16}"
            )
            for kind in kinds:
                small_e = _event_counts(kind, small_events, tmp, dsn, repeat)
                big_e = _event_counts(kind, big_events, tmp, dsn, repeat)
                s, b = small_e["at_least_1_s"], big_e["at_least_1_s"]
                bs, bb = small_e["python_filter_no_limit_s"], big_e["python_filter_no_limit_s"]
                numbers[f"events_{kind}_small_ms"] = round(s * 1000, 4)
                numbers[f"events_{kind}_big_ms"] = round(b * 1000, 4)
                numbers[f"events_{kind}_ratio"] = round(b / s, 3)
                numbers[f"events_{kind}_baseline_big_ms"] = round(bb * 1000, 4)
                numbers[f"events_{kind}_baseline_ratio"] = round(bb / bs, 3)
                print(
                    f"{kind:<10}{s * 1000:>10.3f}{b * 1000:>10.3f}{b / s:>8.2f}"
                    f"{bb * 1000:>18.1f}{bb / bs:>16.1f}"
                )
    finally:
        if server is not None:
            server.stop()
    if args.json:
        Path(args.json).write_text(json.dumps(numbers, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
