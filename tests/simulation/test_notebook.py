"""The example notebook runs as a script and produces its table and plots."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_simulation_notebook_runs_and_saves_its_plots(tmp_path: Path) -> None:
    """examples/simulation_notebook.py prints the pooling table and writes three PNGs;
    run again on the same directory, it prints the same."""
    command = [sys.executable, str(ROOT / "examples" / "simulation_notebook.py"), str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    again = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert again.stdout == done.stdout
    assert "round_robin" in done.stdout
    assert "theory" in done.stdout
    assert "overnight webchat tickets" in done.stdout
    table = [
        line.split()
        for line in done.stdout.splitlines()
        if line.split()[:1] in (["2"], ["4"], ["8"]) and "±" in line
    ]
    assert len(table) == 12  # three (c, rho) cells by four policies
    # every theory value inside its 99% interval, and the simulated means in the order
    # the issue states: pooled <= least loaded <= round robin <= random
    assert all(row[-1] == "yes" for row in table), done.stdout
    for c in ("2", "4", "8"):
        means = {row[2]: float(row[4]) for row in table if row[0] == c}
        order = ["pooled", "least_loaded", "round_robin", "random"]
        assert [means[p] for p in order] == sorted(means.values()), done.stdout
    for name in ("pooling.png", "overnight.png", "week.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
