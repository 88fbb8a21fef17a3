"""The example notebook runs as a script and produces its table and plots."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_simulation_notebook_runs_and_saves_its_plots(tmp_path: Path) -> None:
    """examples/simulation_notebook.py prints the pooling table and writes three PNGs."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "simulation_notebook.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "round_robin" in done.stdout
    assert "theory" in done.stdout
    assert "overnight webchat tickets" in done.stdout
    for name in ("pooling.png", "overnight.png", "week.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
