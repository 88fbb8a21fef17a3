"""Why a route's rotation lock must not span a round trip: three ways to move a shared
rotation row in PostgreSQL, from 1 and 8 processes.

Each process routes ``--tickets`` tickets with plain psycopg (no library code), in a
schema shaped like the store's: insert the ticket, move the global rotation row,
write the assignment and an audit row, commit without waiting for the flush, then
wait for the flush (as ``release_locks_before_flush`` does).

- ``lock_across_round_trip``: ``SELECT ... FOR UPDATE`` on the rotation row in the
  first round trip, the writes and ``COMMIT`` in the second. Every other process waits
  while the holder's answer travels to it and back: what the store did when the client
  chose the agent, with the least possible client work in that window.
- ``lock_inside_server``: the row is read without a lock and written in the round trip
  that commits, so it is locked only while the server works: the shape of the store's
  ``helpdesk_route_round_robin`` function. (This variant does not re-check what it
  read, so it measures the lock's cost, not a correct rotation.)
- ``compare_and_set``: read without a lock, then in the round trip that commits write
  the row ``WHERE state = <what was read>`` and the assignment only if that matched;
  when another process got there first, read again and retry (``retries``).

The throw-away server runs with ``fsync`` on, over TCP on 127.0.0.1.

    python benchmarks/bench_pg_lock_window.py              # the table
    python benchmarks/bench_pg_lock_window.py --quick      # a smoke run
    python benchmarks/bench_pg_lock_window.py --json out.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from _parallel import latencies, p50_ms, p99_ms, run_workers

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # for tests.pg_server, the throw-away server launcher
    sys.path.insert(0, str(ROOT))

SCHEMA = (
    'CREATE TABLE tickets (id text COLLATE "C" PRIMARY KEY, created timestamptz NOT NULL, '
    "assignee text, record text NOT NULL)",
    "CREATE INDEX tickets_assignee ON tickets (assignee, created, id)",
    'CREATE TABLE rotation (pool text COLLATE "C" PRIMARY KEY, state bigint NOT NULL) '
    "WITH (fillfactor = 50)",
    "INSERT INTO rotation VALUES ('global', 0)",
    "CREATE TABLE audit (seq bigserial PRIMARY KEY, ticket_id text, record text NOT NULL)",
)
RECORD = '{"ticket": {"id": "%s", "channel": "email"}, "decision": {"rules": []}}'
INSERT = (
    "INSERT INTO tickets (id, created, record) VALUES (%s, now(), %s) "
    "ON CONFLICT (id) DO NOTHING RETURNING 1"
)
WRITE = (
    "WITH t AS (UPDATE tickets SET assignee = %s WHERE id = %s), "
    "a AS (INSERT INTO audit (ticket_id, record) VALUES (%s, '{}')) "
    "SELECT set_config('synchronous_commit', 'off', true)"
)
FLUSH = "SELECT pg_logical_emit_message(true, 'bench', 'flush')"
AGENTS = ("a1", "a2", "a3", "a4", "a5")
KINDS = ("lock_across_round_trip", "lock_inside_server", "compare_and_set")


CAS = (
    "WITH r AS (UPDATE rotation SET state = %s WHERE pool = 'global' AND state = %s "
    "RETURNING 1), "
    "t AS (UPDATE tickets SET assignee = %s WHERE id = %s AND EXISTS (SELECT FROM r)), "
    "a AS (INSERT INTO audit (ticket_id, record) SELECT %s, '{}' WHERE EXISTS (SELECT FROM r)) "
    "SELECT count(*), set_config('synchronous_commit', 'off', true) FROM r"
)


def _route(conn: Any, kind: str, tid: str) -> int:
    """One route; returns how many times it had to start over."""
    lock = " FOR UPDATE" if kind == "lock_across_round_trip" else ""
    with conn.pipeline():
        conn.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
        conn.execute(INSERT, (tid, RECORD % tid))
        cur = conn.execute(f"SELECT state FROM rotation WHERE pool = 'global'{lock}")
    retries = 0
    while True:
        row = cur.fetchone()
        state = int(row[0])
        agent = AGENTS[state % len(AGENTS)]
        with conn.pipeline():
            if kind == "compare_and_set":
                moved = conn.execute(CAS, (state + 1, state, agent, tid, tid))
            else:
                # The rotation row is written here, in the round trip that commits.
                conn.execute("UPDATE rotation SET state = %s WHERE pool = 'global'", (state + 1,))
                conn.execute(WRITE, (agent, tid, tid))
            conn.execute("COMMIT")
            conn.execute(FLUSH)
        if kind != "compare_and_set" or moved.fetchone()[0] == 1:
            return retries
        retries += 1  # another process moved the rotation first: read it again
        with conn.pipeline():
            conn.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
            cur = conn.execute("SELECT state FROM rotation WHERE pool = 'global'")


def _worker(dsn: str, kind: str, name: str, count: int, barrier: Any, out: Any) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        for n in range(10):
            _route(conn, kind, f"{name}-warm-{n}")
        barrier.wait()
        latencies, retries = [], 0
        start = time.perf_counter()
        for n in range(count):
            t0 = time.perf_counter()
            retries += _route(conn, kind, f"{name}-{n}")
            latencies.append(time.perf_counter() - t0)
        out.put((start, time.perf_counter(), latencies, retries))


def _schema(base_dsn: str) -> str:
    import psycopg
    from psycopg.conninfo import make_conninfo

    name = f"lock_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
        conn.execute(f"SET search_path = {name}")
        for statement in SCHEMA:
            conn.execute(statement)
    return make_conninfo(base_dsn, options=f"-c search_path={name}")


def _measure(base_dsn: str, kind: str, procs: int, count: int) -> dict[str, float]:
    results = run_workers(_worker, procs, (_schema(base_dsn), kind), count)
    rate, each = latencies(results)
    return {
        "tps": rate,
        "p99_ms": p99_ms(each),
        "p50_ms": p50_ms(each),
        "retries_per_ticket": sum(r[3] for r in results) / len(each),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the three patterns at 1 and N processes, print the table, optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny smoke run")
    parser.add_argument("--json", metavar="FILE", help="write name -> number as JSON")
    parser.add_argument("--tickets", type=int, help="tickets routed per process")
    parser.add_argument("--procs", type=int, default=8, help="the many-process row")
    args = parser.parse_args(argv)
    count = args.tickets or (20 if args.quick else 400)
    many = 2 if args.quick else args.procs

    from tests.pg_server import ThrowawayPostgres

    server = ThrowawayPostgres(fsync=True)
    base_dsn = server.start()
    numbers: dict[str, float] = {}
    try:
        for kind in KINDS:
            for procs in (1, many):
                for key, value in _measure(base_dsn, kind, procs, count).items():
                    numbers[f"{kind}_{procs}p_{key}"] = round(value, 3)
            ratio = numbers[f"{kind}_{many}p_tps"] / numbers[f"{kind}_1p_tps"]
            numbers[f"{kind}_{many}p_vs_1p"] = round(ratio, 3)
    finally:
        server.stop()

    print(f"a shared rotation row, {count} tickets per process (PostgreSQL, fsync on)")
    header = f"{'pattern':<24}{'1p t/s':>9}{f'{many}p t/s':>9}{'ratio':>7}"
    print(f"{header}{f'p99 {many}p ms':>12}{'retries/ticket':>16}")
    for kind in KINDS:
        print(
            f"{kind:<24}{numbers[f'{kind}_1p_tps']:>9.0f}{numbers[f'{kind}_{many}p_tps']:>9.0f}"
            f"{numbers[f'{kind}_{many}p_vs_1p']:>7.2f}{numbers[f'{kind}_{many}p_p99_ms']:>12.2f}"
            f"{numbers[f'{kind}_{many}p_retries_per_ticket']:>16.2f}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(numbers, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
