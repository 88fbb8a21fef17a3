"""Routed tickets per second, and ``route`` latency, on the memory, SQLite and PostgreSQL stores.

Each measurement starts N worker processes (spawn); each builds its own Router and
store on one shared database (a SQLite file; a PostgreSQL schema) with five Online
agents and no rules, routes a few warm-up tickets, waits for the others, then routes
``--tickets`` new tickets, timing each ``route`` call. Throughput is all tickets
divided by the time from the first start to the last finish.

The in-memory store cannot be shared between processes: its rows are N independent
stores, an upper bound for the Router's own cost.

``max/mean`` is the slowest ``route`` over the mean one: with processes queued on one
lock (SQLite's file lock, a pool's rotation row), how unfair the waits got.

PostgreSQL is a throw-away server started from the machine's binaries with its
default durability (``fsync`` and ``synchronous_commit`` on), over TCP on 127.0.0.1.
SQLite runs with ``synchronous=FULL`` (the store's default).

    python benchmarks/bench_stores.py              # the full table
    python benchmarks/bench_stores.py --quick      # a smoke run
    python benchmarks/bench_stores.py --json out.json
    python benchmarks/bench_stores.py --repeat 3   # best of 3 runs per row
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _parallel import latencies, p50_ms, p99_ms, run_workers

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # for tests.pg_server, the throw-away server launcher
    sys.path.insert(0, str(ROOT))

AGENT_IDS = [f"a{i}" for i in range(1, 6)]
T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)


def _open(kind: str, target: str) -> Any:
    from helpdesk_routing.model import Agent

    agents = [Agent(id=a) for a in AGENT_IDS]
    if kind == "memory":
        from helpdesk_routing.stores.memory import InMemoryStore

        return InMemoryStore(agents=agents)
    if kind == "sqlite":
        from helpdesk_routing.stores.sqlite import SqliteStore

        return SqliteStore(target, agents=agents)
    from helpdesk_routing.stores.postgres import PostgresStore

    return PostgresStore(target, agents=agents)


def _prepare(kind: str, target: str) -> None:
    store = _open(kind, target)
    try:
        with store.transaction() as tx:
            for a in AGENT_IDS:
                tx.set_online(a, True, T0)
    finally:
        if kind != "memory":
            store.close()


def _worker(kind: str, target: str, name: str, count: int, barrier: Any, out: Any) -> None:
    from helpdesk_routing.clock import SystemClock
    from helpdesk_routing.model import Ticket
    from helpdesk_routing.router import Router
    from helpdesk_routing.rules import RuleSet
    from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData

    store = _open(kind, target)
    if kind == "memory":
        with store.transaction() as tx:
            for a in AGENT_IDS:
                tx.set_online(a, True, T0)
    router = Router(
        rules=RuleSet(rules=[]),
        teams=[],
        store=store,
        customer_data=InMemoryCustomerData(),
        clock=SystemClock(),
    )

    def ticket(tid: str) -> Ticket:
        return Ticket(id=tid, channel="email", created_at=datetime.now(UTC))

    for n in range(20):
        router.route(ticket(f"{name}-warm-{n}"))
    barrier.wait()
    latencies = []
    start = time.perf_counter()
    for n in range(count):
        t = ticket(f"{name}-{n}")
        t0 = time.perf_counter()
        router.route(t)
        latencies.append(time.perf_counter() - t0)
    end = time.perf_counter()
    if kind != "memory":
        store.close()
    out.put((start, end, latencies))


def _measure(kind: str, target: str, procs: int, count: int) -> dict[str, float]:
    _prepare(kind, target)
    rate, latencies_ = latencies(run_workers(_worker, procs, (kind, target), count))
    mean = statistics.fmean(latencies_)
    return {
        "tps": rate,
        "p50_ms": p50_ms(latencies_),
        "p99_ms": p99_ms(latencies_),
        "mean_ms": mean * 1000,
        "max_ms": latencies_[-1] * 1000,
        # Fairness of the waits for the store's lock (issue 10 #11): how many times the
        # mean route the slowest one took. A route is mostly its wait when processes
        # queue on one lock, so this bounds the worst wait against the average one.
        "max_over_mean": latencies_[-1] / mean,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table, optionally write a flat JSON of the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny smoke run")
    parser.add_argument("--json", metavar="FILE", help="write name -> number as JSON")
    parser.add_argument("--tickets", type=int, help="tickets routed per process")
    parser.add_argument("--procs", default="1,2,4,8", help="process counts, comma-separated")
    parser.add_argument("--stores", default="memory,sqlite,postgres")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per row; the fastest is kept (shared machines)"
    )
    args = parser.parse_args(argv)
    count = args.tickets or (20 if args.quick else 400)
    procs_list = [int(p) for p in args.procs.split(",")]
    if args.quick:
        procs_list = [p for p in procs_list if p <= 2] or [1]
    kinds = args.stores.split(",")

    server = None
    base_dsn = os.environ.get("HELPDESK_TEST_POSTGRES_DSN")
    if "postgres" in kinds and not base_dsn:
        from tests.pg_server import ThrowawayPostgres

        server = ThrowawayPostgres(fsync=True)
        base_dsn = server.start()
    numbers: dict[str, float] = {}
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-stores-") as tmp:
            for kind in kinds:
                for procs in procs_list:
                    runs = []
                    for run in range(max(1, args.repeat)):
                        target = ""
                        if kind == "sqlite":
                            target = str(Path(tmp) / f"s{procs}-{run}.db")
                        elif kind == "postgres":
                            target = _new_schema(base_dsn or "")
                        runs.append(_measure(kind, target, procs, count))
                    m = max(runs, key=lambda r: r["tps"])
                    rows.append((kind, procs, m))
                    for key, value in m.items():
                        numbers[f"{kind}_{procs}p_{key}"] = round(value, 3)
    finally:
        if server is not None:
            server.stop()

    print(f"routed tickets per second and route latency ({count} tickets per process)")
    print(
        f"{'store':<10}{'procs':>6}{'tickets/s':>12}{'p50 ms':>10}{'p99 ms':>10}"
        f"{'max ms':>10}{'max/mean':>10}"
    )
    for kind, procs, m in rows:
        print(
            f"{kind:<10}{procs:>6}{m['tps']:>12.0f}{m['p50_ms']:>10.2f}{m['p99_ms']:>10.2f}"
            f"{m['max_ms']:>10.1f}{m['max_over_mean']:>10.1f}"
        )
    for kind in kinds:
        one, most = numbers.get(f"{kind}_1p_tps"), numbers.get(f"{kind}_{max(procs_list)}p_tps")
        if one and most and max(procs_list) > 1:
            numbers[f"{kind}_scaling_{max(procs_list)}p_vs_1p"] = round(most / one, 3)
            print(f"{kind}: {max(procs_list)} processes = {most / one:.2f}x one process")
    if args.json:
        Path(args.json).write_text(json.dumps(numbers, indent=2, sort_keys=True) + "\n")
    return 0


def _new_schema(base_dsn: str) -> str:
    import psycopg
    from psycopg.conninfo import make_conninfo

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return make_conninfo(base_dsn, options=f"-c search_path={schema}")


if __name__ == "__main__":
    sys.exit(main())
