"""``make demo`` runs its commands as modules (``python -m ...``): run exactly those.

Running a module as ``__main__`` gives it a second copy of its globals (a bug once made
``python -m helpdesk_routing.cli`` refuse its own subcommands while the console script
worked), so the Makefile's own recipe lines are executed here, not a stand-in.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _demo_commands() -> list[list[str]]:
    """The ``demo`` target's recipe lines, with ``$(BIN)/python`` as this interpreter."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"^demo\s*:", line))
    commands = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        words = line.strip().split()
        assert words[0] == "$(BIN)/python", f"unexpected demo command: {line.strip()}"
        commands.append([sys.executable, *words[1:]])
    return commands


def test_the_makefile_demo_has_commands() -> None:
    commands = _demo_commands()
    assert [c[1:3] for c in commands] == [
        ["-m", "helpdesk_routing.cli"],
        ["-m", "helpdesk_routing.simulation.demo"],
    ]


@pytest.mark.parametrize("command", _demo_commands(), ids=lambda c: c[2])
def test_each_demo_command_runs(command: list[str]) -> None:
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=300, check=False, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert len(done.stdout.splitlines()) > 10


def test_the_cli_module_runs_every_registered_subcommand() -> None:
    """``python -m helpdesk_routing.cli --help`` lists every subcommand of the registry."""
    done = subprocess.run(
        [sys.executable, "-m", "helpdesk_routing.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for name in ("demo", "check", "schema", "report", "simulate"):
        assert name in done.stdout
