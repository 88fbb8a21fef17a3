"""Every benchmark still runs: a tiny ``--quick`` run writes its flat JSON figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = sorted(p.name for p in (ROOT / "benchmarks").glob("bench_*.py"))


@pytest.mark.slow
@pytest.mark.parametrize("name", [b for b in BENCHMARKS if b != "bench_calendar.py"])
def test_benchmark_quick_run_writes_flat_json(name: str, tmp_path: Path) -> None:
    """The benchmark exits 0, prints a table and writes a flat name -> number JSON object."""
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / name), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()
    figures = json.loads(out.read_text())
    assert figures
    assert all(isinstance(v, int | float) for v in figures.values())


def test_the_bare_loop_anchor_simulates_the_same_queue() -> None:
    """The bare heapq M/M/4 of ``bench_simulation`` (the machine's speed anchor) is the
    queue the others simulate: its mean wait is Erlang C's (rho 0.8, four agents) within
    5%, the shortfall of runs that start empty."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from bench_simulation import heapq_mm4
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    from helpdesk_routing.simulation.theory import erlang_c_wait

    waits = [heapq_mm4(200_000, seed) for seed in (1, 2, 3)]
    assert sum(waits) / len(waits) == pytest.approx(erlang_c_wait(4, 0.8), rel=0.05)
    assert heapq_mm4(1_000, 7) == heapq_mm4(1_000, 7)
