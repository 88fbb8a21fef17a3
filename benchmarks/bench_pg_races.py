"""Races on one PostgreSQL store: processes mixing operations that lock the same rows.

Each of ``--procs`` processes opens its own ``PostgresStore`` and default ``Router`` on
one schema and runs ``--ops`` operations drawn from a seeded mix: routes (tickets tagged
for one of three teams whose members overlap, or for no team), closes, agents going
Online and Offline, moves of tickets to a team, and reroutes with another tag. Every agent has room for two
tickets, so hand-outs walk past full agents and take their load locks: the shape that
can deadlock (two units locking the same rows in different orders). PostgreSQL then
rolls one unit back, and the Router runs the operation again (``RACE_ATTEMPTS``).

Prints, per run: operations per second, the runs lost to a race and run again (from the
Router's log), the ``ConflictError``\\ s that still reached callers (every run of the
operation lost), any other error, and whether every agent's open load stayed within
capacity. The figures vary from run to run (the schedule of the processes decides which
units meet): compare several ``--rounds``.

    python benchmarks/bench_pg_races.py [--procs 6] [--ops 300] [--rounds 3]
    python benchmarks/bench_pg_races.py --quick --json out.json
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
import sys
import time
from collections import Counter
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from _parallel import new_schema, run_workers

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # for tests.pg_server, the throw-away server launcher
    sys.path.insert(0, str(ROOT))

AGENTS = tuple(f"a{i}" for i in range(8))
TEAMS = {"tx": AGENTS[0:4], "ty": AGENTS[2:6], "tz": (AGENTS[0], AGENTS[3], AGENTS[5], AGENTS[6])}
CAPACITY = 2


def _router(dsn: str) -> tuple[Any, Any, Any]:
    """A default Router (capacity 2) on a new ``PostgresStore`` of ``dsn``; with both."""
    from helpdesk_routing import (
        AssignToTeam,
        InMemoryCustomerData,
        Router,
        RoutingRule,
        RuleSet,
        SystemClock,
        Team,
    )
    from helpdesk_routing.conditions import ticket
    from helpdesk_routing.stores.postgres import PostgresStore

    rules = RuleSet(
        rules=[
            RoutingRule(
                id=f"to-{team}",
                name=f"To {team}",
                when=ticket("tags").contains(team),
                then=AssignToTeam(team=team),
            )
            for team in TEAMS
        ]
    )
    store, clock = PostgresStore(dsn), SystemClock()
    router = Router(
        rules=rules,
        teams=[Team(id=t, members=m) for t, m in TEAMS.items()],
        store=store,
        customer_data=InMemoryCustomerData(),
        clock=clock,
        capacity=CAPACITY,
    )
    return router, store, clock


def _prepare(dsn: str) -> None:
    from helpdesk_routing import Agent, Role
    from helpdesk_routing.stores.postgres import PostgresStore

    agents = [Agent(id="boss", role=Role.ADMIN), *(Agent(id=a) for a in AGENTS)]
    PostgresStore(dsn, agents=agents).close()
    router, store, _ = _router(dsn)  # writes configuration version 1
    for agent in AGENTS:
        router.set_online(agent, True, actor=agent)
    store.close()


class _LostRuns(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.by_operation: Counter[str] = Counter()
        self.why: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        if "lost a race" in record.getMessage():
            operation = getattr(record, "operation", "?")
            self.by_operation[operation] += 1
            self.why[f"{operation}: {_kinds(getattr(record, 'error', ''))}"] += 1


def _kinds(error: str) -> str:
    """The lock kinds a deadlock's detail names, in order ("advisory lock", "tuple"...),
    or the error's first line."""
    found = re.findall(r"waits for (\w+Lock) on ([a-z ]+?)(?: \d| \(| \[|;|$)", error)
    if not found:
        return error.splitlines()[0] if error else "?"
    return " / ".join(f"{mode} on {what}" for mode, what in found)


def worker(dsn: str, name: str, count: int, barrier: Barrier, out: Queue[Any]) -> None:
    """Run ``count`` operations of the mix; put (start, end, lost runs, errors)."""
    from helpdesk_routing import ConflictError, Ticket, TicketStatus

    lost = _LostRuns()
    log = logging.getLogger("helpdesk_routing.router")
    log.addHandler(lost)
    log.setLevel(logging.INFO)
    log.propagate = False
    router, store, clock = _router(dsn)
    rng = random.Random(name)
    own: list[str] = []
    created: dict[str, Any] = {}
    errors: Counter[str] = Counter()
    barrier.wait()
    start = time.perf_counter()
    for i in range(count):
        r = rng.random()
        try:
            if r < 0.55 or not own:
                tid = f"{name}-{i}"
                tag = rng.choice([*TEAMS, "none"])
                created[tid] = clock.now()
                router.route(Ticket(id=tid, channel="email", created_at=created[tid], tags={tag}))
                own.append(tid)
            elif r < 0.80:
                router.set_status(rng.choice(own), TicketStatus.CLOSED, actor="boss")
            elif r < 0.90:
                agent = rng.choice(AGENTS)
                router.set_online(agent, rng.random() < 0.75, actor=agent)
            elif r < 0.95:
                moved = rng.sample(own, min(len(own), rng.randint(1, 3)))
                router.assign_to_team(moved, rng.choice(list(TEAMS)), actor="boss")
            else:  # new content with another tag: another team, or none
                tid = rng.choice(own)
                tag = rng.choice([*TEAMS, "none"])
                router.reroute(
                    tid,
                    actor="boss",
                    ticket=Ticket(id=tid, channel="email", created_at=created[tid], tags={tag}),
                )
        except ConflictError as error:
            errors["race" if error.retryable else "conflict"] += 1
        except Exception as error:  # counted and shown: the run goes on
            errors[type(error).__name__] += 1
    end = time.perf_counter()
    store.close()
    out.put((start, end, dict(lost.by_operation), dict(errors), dict(lost.why)))


def _loads_within_capacity(dsn: str) -> bool:
    import psycopg

    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT assignee, count(*) FROM tickets WHERE assignee IS NOT NULL "
            "AND status IN ('open', 'pending') GROUP BY assignee"
        ).fetchall()
    return all(n <= CAPACITY for _, n in rows)


def _round(base_dsn: str, procs: int, ops: int, show_why: bool) -> dict[str, float]:
    dsn = new_schema(base_dsn)
    _prepare(dsn)
    results = run_workers(worker, procs, (dsn,), ops)
    wall = max(r[1] for r in results) - min(r[0] for r in results)
    lost: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    why: Counter[str] = Counter()
    for _, _, by_op, errs, kinds in results:
        lost.update(by_op)
        errors.update(errs)
        why.update(kinds)
    if show_why:
        for kind, n in why.most_common(12):
            print(f"        {n:>4}  {kind}")
    return {
        "ops_per_s": procs * ops / wall,
        "lost_runs": sum(lost.values()),
        "lost_runs_route": lost["route"],
        "lost_runs_set_status": lost["set_status"],
        "lost_runs_set_online": lost["set_online"],
        "lost_runs_assign_to_team": lost["assign_to_team"],
        "race_errors_to_callers": errors["race"],
        "other_errors": sum(n for k, n in errors.items() if k != "race"),
        "capacity_held": float(_loads_within_capacity(dsn)),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the rounds, print the table, optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny smoke run")
    parser.add_argument("--json", metavar="FILE", help="write name -> number as JSON")
    parser.add_argument("--procs", type=int, default=6, help="processes at once")
    parser.add_argument("--ops", type=int, default=300, help="operations per process")
    parser.add_argument("--rounds", type=int, default=3, help="independent runs")
    parser.add_argument("--why", action="store_true", help="tally the locks of lost runs")
    args = parser.parse_args(argv)
    procs, ops, rounds = (2, 20, 1) if args.quick else (args.procs, args.ops, args.rounds)

    from tests.pg_server import ThrowawayPostgres

    server = ThrowawayPostgres()
    base_dsn = server.start()
    figures: dict[str, float] = {}
    try:
        print(f"{procs} processes x {ops} operations on one PostgreSQL store, {rounds} round(s)")
        print(
            f"{'round':>5}  {'ops/s':>7}  {'lost runs':>9}  {'to callers':>10}  {'other':>5}  capacity"
        )
        for k in range(1, rounds + 1):
            row = _round(base_dsn, procs, ops, args.why)
            for key, value in row.items():
                figures[f"round{k}_{key}"] = round(value, 3)
            print(
                f"{k:>5}  {row['ops_per_s']:>7.1f}  {row['lost_runs']:>9.0f}  "
                f"{row['race_errors_to_callers']:>10.0f}  {row['other_errors']:>5.0f}  "
                f"{'held' if row['capacity_held'] else 'BREACHED'}"
            )
        for key in ("lost_runs", "race_errors_to_callers", "other_errors"):
            figures[f"mean_{key}"] = round(
                sum(figures[f"round{k}_{key}"] for k in range(1, rounds + 1)) / rounds, 3
            )
        print(
            f"mean: {figures['mean_lost_runs']:.1f} runs lost and run again, "
            f"{figures['mean_race_errors_to_callers']:.1f} race errors reached callers"
        )
    finally:
        server.stop()
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
