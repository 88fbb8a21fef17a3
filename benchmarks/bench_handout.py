"""Hand-outs per second on PostgreSQL: a close that frees capacity hands a waiting
ticket out, in SQL (``helpdesk_hand_out_round_robin``) against the Python walk.

Each measurement starts N worker processes (spawn) on one PostgreSQL schema with one
agent per process (capacity 1, Online, holding one open ticket) and enough waiting
tickets in the global pool. Each process then, ``--closes`` times, closes its agent's
ticket with ``Router.set_status``: the close frees the agent, and the hand-out walk of
the same unit gives the oldest waiting ticket to the agent. Throughput is all closes
divided by the time from the first start to the last finish.

Two allocators, in the same run: ``sql`` is ``RoundRobin`` (the store's function takes
each hand-out); ``python`` is a subclass of ``RoundRobin`` that chooses identically but
takes the Python path (the baseline: rotation read, load counts and writes from the
client). PostgreSQL is a throw-away server with its default durability.

    python benchmarks/bench_handout.py --procs 1,8 --closes 100
    python benchmarks/bench_handout.py --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _parallel import latencies, new_schema, p50_ms, p99_ms, run_workers

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # for tests.pg_server, the throw-away server launcher
    sys.path.insert(0, str(ROOT))

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)


def _router(target: str, path: str) -> Any:
    from helpdesk_routing.allocation import RoundRobin
    from helpdesk_routing.clock import SystemClock
    from helpdesk_routing.router import Router
    from helpdesk_routing.rules import RuleSet
    from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
    from helpdesk_routing.stores.postgres import PostgresStore

    class PythonRoundRobin(RoundRobin):
        """RoundRobin's choice, on the Python path (not exactly RoundRobin)."""

    store = PostgresStore(target)
    router = Router(
        rules=RuleSet(rules=[]),
        teams=[],
        store=store,
        customer_data=InMemoryCustomerData(),
        clock=SystemClock(),
        capacity=1,
        allocator=RoundRobin() if path == "sql" else PythonRoundRobin(),
    )
    return store, router


def _prepare(target: str, procs: int, waiting: int) -> None:
    from helpdesk_routing.model import Agent, Ticket
    from helpdesk_routing.records import TicketRecord
    from helpdesk_routing.stores.postgres import PostgresStore

    store = PostgresStore(target)
    try:
        with store.transaction() as tx:
            for i in range(procs):
                tx.put_agent(Agent(id=f"p{i}"))
                tx.set_online(f"p{i}", True, T0)
                t = Ticket(id=f"held{i}", channel="email", created_at=T0)
                tx.add_ticket(TicketRecord(ticket=t, assignee=f"p{i}"))
            for n in range(waiting):
                t = Ticket(id=f"w{n:06d}", channel="email", created_at=T0 + timedelta(seconds=n))
                tx.add_ticket(TicketRecord(ticket=t))
    finally:
        store.close()


def _worker(target: str, path: str, me: str, count: int, barrier: Any, out: Any) -> None:
    from helpdesk_routing.model import TicketStatus
    from helpdesk_routing.records import TicketQuery

    store, router = _router(target, path)
    barrier.wait()
    latencies = []
    start = time.perf_counter()
    for _ in range(count):
        with store.read() as tx:
            mine = tx.find_tickets(TicketQuery(assignee=me, limit=1))
        if not mine:
            router.assign_waiting()
            continue
        t0 = time.perf_counter()
        router.set_status(mine[0].id, TicketStatus.CLOSED, me)
        latencies.append(time.perf_counter() - t0)
    end = time.perf_counter()
    store.close()
    out.put((start, end, latencies))


def _measure(target: str, path: str, procs: int, count: int) -> dict[str, float]:
    _prepare(target, procs, procs * count + 10)
    rate, each = latencies(run_workers(_worker, procs, (target, path), count))
    return {"closes_per_s": rate, "p50_ms": p50_ms(each), "p99_ms": p99_ms(each)}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table, optionally write a flat JSON of the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="FILE", help="write name -> number as JSON")
    parser.add_argument("--closes", type=int, default=100, help="closes per process")
    parser.add_argument("--procs", default="1,8", help="process counts, comma-separated")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 10 closes, 1 and 2 processes"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.closes, args.procs = 10, "1,2"
    procs_list = [int(p) for p in args.procs.split(",")]
    server = None
    base_dsn = os.environ.get("HELPDESK_TEST_POSTGRES_DSN")
    if not base_dsn:
        from tests.pg_server import ThrowawayPostgres

        server = ThrowawayPostgres(fsync=True)
        base_dsn = server.start()
    numbers: dict[str, float] = {}
    rows = []
    try:
        for procs in procs_list:
            for path in ("python", "sql"):
                m = _measure(new_schema(base_dsn), path, procs, args.closes)
                rows.append((path, procs, m))
                for key, value in m.items():
                    numbers[f"{path}_{procs}p_{key}"] = round(value, 3)
    finally:
        if server is not None:
            server.stop()
    print(f"closes (each hands one ticket out) per second ({args.closes} per process)")
    print(f"{'path':<8}{'procs':>6}{'closes/s':>12}{'p50 ms':>10}{'p99 ms':>10}")
    for path, procs, m in rows:
        print(
            f"{path:<8}{procs:>6}{m['closes_per_s']:>12.0f}{m['p50_ms']:>10.2f}{m['p99_ms']:>10.2f}"
        )
    for procs in procs_list:
        base, new = numbers[f"python_{procs}p_closes_per_s"], numbers[f"sql_{procs}p_closes_per_s"]
        numbers[f"sql_vs_python_{procs}p"] = round(new / base, 3)
        print(f"{procs} processes: sql = {new / base:.2f}x python")
    if args.json:
        Path(args.json).write_text(json.dumps(numbers, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
