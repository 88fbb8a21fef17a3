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
