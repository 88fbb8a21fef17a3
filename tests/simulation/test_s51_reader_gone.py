"""``simulate --json out.json | head -1``: the reader of the reports going away stopped
the command before its outputs were written (exit 141, no ``out.json``, the runs lost).
With outputs asked for, the runs go on and the files are written; the exit status still
says the pipe broke. Without outputs the command stops as any other does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from helpdesk_routing import cli as main_cli

from .conftest import mmc


def _env() -> dict[str, str]:
    src = str(Path(main_cli.__file__).resolve().parents[1])
    return {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}


def _run_with_its_reader_gone(*args: str) -> int:
    """The command's exit status, its stdout a pipe whose reader closed before it began."""
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "helpdesk_routing", "simulate", *args],
            env=_env(),
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(write)
    assert done.stderr == ""
    return done.returncode


def test_the_outputs_are_written_when_the_reports_reader_is_gone(tmp_path: Path) -> None:
    scenario = tmp_path / "s.json"
    scenario.write_text(mmc(2, 0.7, 200).model_dump_json())
    out = tmp_path / "out.json"
    code = _run_with_its_reader_gone(str(scenario), "--replications", "3", "--json", str(out))
    assert code == main_cli.EXIT_BROKEN_PIPE
    seed = mmc(2, 0.7, 200).seed
    assert [row["seed"] for row in json.loads(out.read_text())] == [seed, seed + 1, seed + 2]


def test_without_outputs_the_command_stops(tmp_path: Path) -> None:
    scenario = tmp_path / "s.json"
    scenario.write_text(mmc(2, 0.7, 200).model_dump_json())
    assert _run_with_its_reader_gone(str(scenario)) == main_cli.EXIT_BROKEN_PIPE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


def test_json_to_its_own_stdout_whose_reader_left_after_the_reports_is_141(
    tmp_path: Path,
) -> None:
    """The reader of ``--json /dev/stdout`` read the reports, then left before the JSON:
    ``error: cannot write --json /dev/stdout: [Errno 32] Broken pipe``, exit 2 (review);
    a reader gone is 141, nothing said."""
    scenario = tmp_path / "s.json"
    scenario.write_text(mmc(2, 0.7, 200).model_dump_json())
    command = [sys.executable, "-m", "helpdesk_routing", "simulate", str(scenario)]
    with subprocess.Popen(
        [*command, "--replications", "120", "--json", "/dev/stdout"],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        for line in process.stdout:
            if line.startswith(b"mean time to first response"):
                break
        process.stdout.close()  # the JSON, next, has no reader
        err = process.stderr.read().decode()
        assert process.wait(timeout=60) == main_cli.EXIT_BROKEN_PIPE
    assert err == ""
