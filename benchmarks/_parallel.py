"""What the multi-process benchmarks share: start N worker processes together, collect
their timings, summarise the latencies; and a fresh PostgreSQL schema per measurement.

A worker is called as ``worker(*head, name, count, barrier, out)``: it waits at
``barrier`` (so all start together), does ``count`` operations, and puts
``(start, end, latencies, *extra)`` on ``out`` (``perf_counter`` seconds).
"""

from __future__ import annotations

import multiprocessing
import queue
import statistics
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any


def run_workers(
    worker: Callable[..., None], procs: int, head: tuple[Any, ...], count: int
) -> list[tuple[Any, ...]]:
    """Run ``procs`` spawned workers at once; their results, one tuple per worker."""
    ctx = multiprocessing.get_context("spawn")
    out: Any = ctx.Queue()
    barrier = ctx.Barrier(procs)
    workers = [
        ctx.Process(target=worker, args=(*head, f"p{i}", count, barrier, out)) for i in range(procs)
    ]
    for w in workers:
        w.start()
    results: list[tuple[Any, ...]] = []
    deadline = time.monotonic() + 600
    try:
        while len(results) < procs:
            try:
                results.append(out.get(timeout=1))
            except queue.Empty:
                # A worker that died (an import error, a crash) never reaches the barrier
                # and the others wait on it: say so at once instead of waiting 10 minutes.
                dead = [w for w in workers if w.exitcode not in (None, 0)]
                if dead:
                    codes = ", ".join(f"{w.name} exited {w.exitcode}" for w in dead)
                    raise RuntimeError(f"a benchmark worker failed: {codes}") from None
                if time.monotonic() > deadline:
                    raise RuntimeError("benchmark workers gave no result in 600 s") from None
    finally:
        for w in workers:
            if w.exitcode is None and len(results) < procs:
                w.terminate()
            w.join()
    return results


def latencies(results: Sequence[tuple[Any, ...]]) -> tuple[float, list[float]]:
    """Operations per second over the whole run, and every latency, ascending."""
    each = sorted(x for r in results for x in r[2])
    wall = max(r[1] for r in results) - min(r[0] for r in results)
    return len(each) / wall, each


def p50_ms(each: Sequence[float]) -> float:
    """The median latency in milliseconds."""
    return statistics.median(each) * 1000


def p99_ms(each: Sequence[float]) -> float:
    """The 99th percentile latency (nearest rank) in milliseconds; ``each`` ascending."""
    return each[min(len(each) - 1, int(len(each) * 0.99))] * 1000


def new_schema(base_dsn: str) -> str:
    """A DSN whose ``search_path`` is a new, empty schema on ``base_dsn``'s database."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return make_conninfo(base_dsn, options=f"-c search_path={schema}")
