"""What a sweep of a replay pays per cell to send its scenario: pickling a replay.

A sweep pickles each cell, scenario included, for the worker that runs it (a process
pool or a Dask cluster), in the process that submits the cells, and the worker unpickles
it. A replay now pickles as columns of plain values; the baseline, measured in the same
run on the same tickets, is pydantic's pickle of each ticket as a model (how a replay
pickled before). Times are the best of ``--repeat`` rounds, in a process holding the
replay (as a notebook does).

    python benchmarks/bench_replay_pickle.py                # 100,000 tickets
    python benchmarks/bench_replay_pickle.py --quick --json out.json
"""

from __future__ import annotations

import argparse
import json
import pickle
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from helpdesk_routing.simulation import ReplayArrivals

T0 = datetime(2026, 1, 5, tzinfo=UTC)


def replay(count: int) -> ReplayArrivals:
    """``count`` recorded tickets, one every 30 seconds, a fifth of them tagged, half of
    them with a profile."""
    return ReplayArrivals.model_validate(
        {
            "tickets": [
                {
                    "created_at": T0 + timedelta(seconds=30 * i),
                    "channel": ("email", "sms", "webchat")[i % 3],
                    **({"tags": ["vip"]} if i % 5 == 0 else {}),
                    **({"profile_id": f"p{i % 1000}"} if i % 2 == 0 else {}),
                }
                for i in range(count)
            ]
        }
    )


def best(fn: Callable[[], Any], repeat: int) -> float:
    """The fastest of ``repeat`` timed calls of ``fn`` (seconds)."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 tickets, 2 rounds")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, help="write flat name -> number figures here")
    args = parser.parse_args()
    count = 10_000 if args.quick else 100_000
    repeat = 2 if args.quick else args.repeat
    data = replay(count)
    now = pickle.dumps(data)
    before = pickle.dumps(data.tickets)  # each ticket as a pydantic model, as it was
    assert pickle.loads(now) == data
    figures = {
        "tickets": float(count),
        "dump_s": best(lambda: pickle.dumps(data), repeat),
        "load_s": best(lambda: pickle.loads(now), repeat),
        "bytes": float(len(now)),
        "baseline_dump_s": best(lambda: pickle.dumps(data.tickets), repeat),
        "baseline_load_s": best(lambda: pickle.loads(before), repeat),
        "baseline_bytes": float(len(before)),
    }
    for name in ("dump_s", "load_s", "bytes"):
        figures[f"{name.removesuffix('_s')}_ratio"] = figures[name] / figures[f"baseline_{name}"]
    print(f"pickling a replay of {count:,} tickets (best of {repeat})")
    print(f"{'':10} {'columns':>12} {'models':>12} {'ratio':>8}")
    for name, unit in (("dump_s", "s"), ("load_s", "s"), ("bytes", "B")):
        now_v, old_v = figures[name], figures[f"baseline_{name}"]
        shown = (lambda v: f"{v:.3f} s") if unit == "s" else (lambda v: f"{v:,.0f} B")
        label = name.removesuffix("_s")
        print(f"{label:10} {shown(now_v):>12} {shown(old_v):>12} {now_v / old_v:>7.2f}x")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
