"""Hand-out cost against the backlog: one close with 10,000 vs 100 tickets waiting (issue 9).

Ten Online agents with a capacity of two each are full; N tickets wait Unassigned.
Closing one of an agent's tickets frees one place, so exactly one waiting ticket is
handed out. Before issue 9 every close tried every waiting ticket; now the walk reads
the waiting tickets a page at a time and stops once nobody can take more, so a close
should cost about the same whatever N is (target: < 2x from 100 to 10,000 waiting).
The verdict is on the CPU time of a close (the work it does); the wall time is printed
too, and on SQLite it moves with the disk's other writers.

In the same run, and on the same stores, the old exhaustive walk (every waiting ticket
tried, oldest first) is timed as the baseline.

After hours the same close, with N webchat tickets (a channel that follows office
hours) waiting for the office, on memory, SQLite and PostgreSQL (a throw-away server
started from the machine's binaries, or ``HELPDESK_TEST_POSTGRES_DSN``): the close hands
out nothing, and should not read the backlog either (target < 2x). Then the same with
newer email tickets waiting as well (handed out at any hour): each close hands one out,
still without reading the webchat backlog. PostgreSQL's verdict is on the wall time: the
statements run in the server, not in this process.

    python benchmarks/bench_handout_scaling.py            # 100 vs 10,000
    python benchmarks/bench_handout_scaling.py --quick    # 100 vs 1,000, fewer repeats
    python benchmarks/bench_handout_scaling.py --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from helpdesk_routing.calendar import OfficeHours
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.configuration import CompiledConfiguration
from helpdesk_routing.handout import Gate, give
from helpdesk_routing.model import Agent, Role, Ticket, TicketStatus
from helpdesk_routing.ports import Store, Transaction
from helpdesk_routing.records import TicketQuery, TicketRecord
from helpdesk_routing.router import Router
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from helpdesk_routing.stores.sqlite import SqliteStore

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # for tests.pg_server, the throw-away server launcher
    sys.path.insert(0, str(ROOT))

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)
AGENTS = [Agent(id=f"a{i}", capacity=2) for i in range(1, 11)] + [
    Agent(id="m1", role=Role.MANAGER, capacity=0)
]


def _fill(store: Store, waiting: int, closes: int, channel: str = "email") -> list[str]:
    """Ten full agents (their tickets to close) and ``waiting`` Unassigned tickets of
    ``channel``."""
    to_close = []
    with store.transaction() as tx:
        for a in AGENTS[:-1]:
            tx.set_online(a.id, True, T0)
        n = 0
        for round_ in range(closes + 2):
            for a in AGENTS[:-1]:
                n += 1
                ticket = Ticket(id=f"busy{n:06d}", channel="email", created_at=T0)
                # Two open tickets per agent fill them; the rest are pending behind them,
                # made open one by one so every close frees exactly one place.
                status = TicketStatus.OPEN if round_ < 2 else TicketStatus.CLOSED
                tx.add_ticket(
                    TicketRecord(ticket=ticket.model_copy(update={"status": status}), assignee=a.id)
                )
                if round_ < 2:
                    to_close.append(ticket.id)
        for i in range(waiting):
            at = T0 + timedelta(seconds=i + 1)
            tx.add_ticket(
                TicketRecord(ticket=Ticket(id=f"w{i:06d}", channel=channel, created_at=at))
            )
    return to_close


def _exhaustive(tx: Transaction, gate: Gate, now: datetime, agent: str) -> list[TicketRecord]:
    """The walk before issue 9: every waiting ticket tried, oldest first."""
    waiting = tx.find_tickets(TicketQuery(unassigned=True))
    tx.rotation("global")
    return [h for r in waiting if (h := give(tx, gate, now, r)) is not None]


@contextmanager
def _opened(kind: str, path: Path, dsn: str | None = None) -> Iterator[Any]:
    """A fresh store of ``kind`` (``"memory"``, ``"sqlite"``: a database at ``path``, or
    ``"postgres"``: a new schema on ``dsn``) holding the benchmark's agents, closed
    afterwards."""
    if kind == "memory":
        yield InMemoryStore(agents=AGENTS)
        return
    if kind == "postgres":
        from _parallel import new_schema
        from helpdesk_routing.stores.postgres import PostgresStore

        assert dsn is not None
        store: Any = PostgresStore(new_schema(dsn), agents=AGENTS)
    else:
        store = SqliteStore(path, agents=AGENTS)
    try:
        yield store
    finally:
        store.close()


def _measure(kind: str, waiting: int, closes: int, directory: Path) -> dict[str, float]:
    """Median seconds per close through the Router (``3 * closes`` of them: a few
    milliseconds each, so more samples steady the median on a busy machine), and of the
    old walk (``closes``), at ``waiting``."""
    with _opened(kind, directory / f"handout-{waiting}.db") as store:
        busy = _fill(store, waiting, closes)
        clock = ManualClock(T0 + timedelta(days=1))
        router = Router(store=store, customer_data=InMemoryCustomerData(), clock=clock)
        new: list[float] = []
        new_cpu: list[float] = []
        for tid in busy[: 3 * closes]:
            start, start_cpu = time.perf_counter(), time.process_time()
            router.set_status(tid, "closed", actor="m1")
            new.append(time.perf_counter() - start)
            new_cpu.append(time.process_time() - start_cpu)
        compiled = CompiledConfiguration.of(router.configuration)
        old: list[float] = []
        for tid in busy[3 * closes : 4 * closes]:
            with store.transaction() as tx:
                record = tx.get_ticket(tid)
                assert record is not None
                closed = record.ticket.model_copy(update={"status": TicketStatus.CLOSED})
                start = time.perf_counter()
                tx.update_ticket(record.model_copy(update={"ticket": closed}))
                gate = Gate.at(compiled, clock.now())
                handed = _exhaustive(tx, gate, clock.now(), record.assignee or "")
                old.append(time.perf_counter() - start)
            assert len(handed) == 1
        return {
            "new": statistics.median(new),
            "new_cpu": statistics.median(new_cpu),
            "old": statistics.median(old),
        }


OFFICE = OfficeHours(
    timezone="UTC", weekly={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
)


def _measure_night(
    kind: str,
    waiting: int,
    closes: int,
    directory: Path,
    dsn: str | None = None,
    *,
    email: bool = False,
) -> float:
    """Median seconds per close at 22:00 with ``waiting`` webchat tickets waiting for the
    office (a channel that follows office hours): a close frees a place and hands out
    nothing. Before the hand-out left those channels out of its query after hours, every
    close read them all; before the stores read a pool's waiting channels first (SQLite 7,
    PostgreSQL 10), the query walked them whenever they were the oldest. CPU seconds of
    this process, but wall seconds on PostgreSQL, whose work is the server's.

    ``email``: email tickets (handed out at any hour) wait too, each newer than the
    backlog, and each close hands one out. Before PostgreSQL's schema 11 its query
    walked the webchat backlog to reach them on every close."""
    name = f"night-{'email-' if email else ''}{waiting}.db"
    with _opened(kind, directory / name, dsn) as store:
        busy = _fill(store, waiting, closes, channel="webchat")
        if email:
            with store.transaction() as tx:
                for i in range(4 * closes):
                    at = T0 + timedelta(hours=12, seconds=i)  # after the webchat backlog
                    ticket = Ticket(id=f"e{i:06d}", channel="email", created_at=at)
                    tx.add_ticket(TicketRecord(ticket=ticket))
        clock = ManualClock(T0 + timedelta(days=1, hours=13))  # Tuesday 22:00 UTC
        router = Router(
            store=store, customer_data=InMemoryCustomerData(), clock=clock, office_hours=OFFICE
        )
        clock_of = time.perf_counter if kind == "postgres" else time.process_time
        spent: list[float] = []
        for tid in busy[: 3 * closes]:
            start = clock_of()
            router.set_status(tid, "closed", actor="m1")
            spent.append(clock_of() - start)
        if email:  # each close handed out one email ticket, none of the webchat ones
            with store.transaction() as tx:
                left = tx.find_tickets(TicketQuery(unassigned=True, limit=None))
            assert sum(r.ticket.channel == "email" for r in left) == closes
            assert sum(r.ticket.channel == "webchat" for r in left) == waiting
        return statistics.median(spent)


def main() -> None:
    """Measure, print the table, write the JSON figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 vs 1,000 waiting, 3 closes")
    parser.add_argument("--json", type=Path, help="write flat name -> number figures here")
    args = parser.parse_args()
    small, large = (100, 1_000) if args.quick else (100, 10_000)
    closes = 3 if args.quick else 5
    figures: dict[str, float] = {}
    print(
        f"one close with N tickets waiting (median of {3 * closes}, old walk {closes}; "
        "seconds per close)"
    )
    print(f"{'store':8} {'N':>7} {'walk':>10} {'walk cpu':>10} {'old walk':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("memory", "sqlite"):
            rows = {}
            for n in (small, large):
                rows[n] = row = _measure(kind, n, closes, Path(tmp))
                print(
                    f"{kind:8} {n:>7} {row['new']:>10.5f} {row['new_cpu']:>10.5f} "
                    f"{row['old']:>10.5f}"
                )
                figures[f"{kind}_close_{n}_s"] = row["new"]
                figures[f"{kind}_close_{n}_cpu_s"] = row["new_cpu"]
                figures[f"{kind}_close_{n}_old_s"] = row["old"]
            ratio = rows[large]["new"] / rows[small]["new"]
            cpu_ratio = rows[large]["new_cpu"] / rows[small]["new_cpu"]
            old_ratio = rows[large]["old"] / rows[small]["old"]
            figures[f"{kind}_close_ratio"] = ratio
            figures[f"{kind}_close_cpu_ratio"] = cpu_ratio
            figures[f"{kind}_close_old_ratio"] = old_ratio
            # The verdict is on CPU time, the work a close does: SQLite's wall time of a
            # few milliseconds moves with the disk's other writers on a shared machine.
            verdict = "ok" if cpu_ratio < 2 else "over the 2x target"
            print(
                f"{kind:8} ratio {large} vs {small}: CPU {cpu_ratio:.2f}x ({verdict}), "
                f"wall {ratio:.2f}x; old walk {old_ratio:.1f}x"
            )
    print()
    print("after hours: one close with N webchat tickets waiting for the office")
    print("(CPU s; PostgreSQL: wall s); '+ email': newer email tickets wait too, one handed out")
    server = None
    dsn = os.environ.get("HELPDESK_TEST_POSTGRES_DSN")
    if not dsn:
        from tests.pg_server import ThrowawayPostgres

        server = ThrowawayPostgres()
        dsn = server.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for kind in ("memory", "sqlite", "postgres"):
                for email in (False, True):
                    night = {
                        n: _measure_night(kind, n, closes, Path(tmp), dsn, email=email)
                        for n in (small, large)
                    }
                    unit = "s" if kind == "postgres" else "cpu_s"  # PostgreSQL: wall seconds
                    case = f"{kind}_night_{'email_' if email else ''}close"
                    for n, value in night.items():
                        figures[f"{case}_{n}_{unit}"] = value
                    ratio = night[large] / night[small]
                    figures[f"{case}_{'' if kind == 'postgres' else 'cpu_'}ratio"] = ratio
                    verdict = "ok" if ratio < 2 else "over the 2x target"
                    label = f"{kind}{' + email' if email else ''}"
                    print(
                        f"{label:16} {small}: {night[small]:.5f}  {large}: {night[large]:.5f}  "
                        f"ratio {ratio:.2f}x ({verdict})"
                    )
    finally:
        if server is not None:
            server.stop()
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
