"""Every file the command line reads is read up to MAX_INPUT_BYTES (256 MiB): a larger or
endless one (``/dev/zero``) is a usage error naming it and the cap, exit 2, never a
MemoryError traceback (docs/cli.md)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from helpdesk_routing import _files
from helpdesk_routing.cli import main

TOO_LARGE = "[Errno 27] File too large: more than {}, the most an input file may hold: '{}'"
PERIOD = ["--from", "2026-03-30T00:00:00+00:00", "--to", "2026-03-31T00:00:00+00:00"]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(list(argv), out)
    return code, out.getvalue(), capsys.readouterr().err


@pytest.fixture
def small_cap(monkeypatch: pytest.MonkeyPatch) -> int:
    """A cap of 1 KiB, so that an endless file is refused after 1,025 bytes."""
    monkeypatch.setattr(_files, "MAX_INPUT_BYTES", 1024)
    return 1024


def test_check_refuses_an_endless_file_at_256_mib(capsys: pytest.CaptureFixture[str]) -> None:
    """``check /dev/zero`` read until memory ran out (a MemoryError traceback): it is one
    line naming the file and the cap, exit 2, after 256 MiB and one byte."""
    assert _run(capsys, "check", "/dev/zero") == (
        2,
        "",
        "error: " + TOO_LARGE.format("256 MiB (268435456 bytes)", "/dev/zero") + "\n",
    )


def test_check_refuses_a_file_past_the_cap_by_its_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A regular file larger than the cap is refused by its size, unread (a sparse file of
    256 MiB and a byte), with --json too: the usage error's JSON object."""
    path = tmp_path / "rules.json"
    with path.open("wb") as file:
        file.truncate(_files.MAX_INPUT_BYTES + 1)
    code, out, err = _run(capsys, "check", str(path), "--json")
    message = TOO_LARGE.format("256 MiB (268435456 bytes)", path)
    assert (code, json.loads(out), err) == (
        2,
        {
            "ok": False,
            "errors": [{"path": "$", "code": "usage", "message": message, "rule_id": None}],
        },
        "",
    )


def test_a_file_of_exactly_the_cap_is_read(
    tmp_path: Path, small_cap: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """The cap is inclusive: a rule set of 1,024 bytes is checked, one of 1,025 refused."""
    path = tmp_path / "rules.json"
    path.write_text('{"rules": []}'.ljust(small_cap))
    assert _run(capsys, "check", str(path))[0] == 0
    path.write_text('{"rules": []}'.ljust(small_cap + 1))
    assert _run(capsys, "check", str(path)) == (
        2,
        "",
        f"error: {TOO_LARGE.format('1024 bytes', path)}\n",
    )


def test_check_teams_refuses_an_endless_file(
    tmp_path: Path, small_cap: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """``check --teams /dev/zero``: the same usage error, about the teams file."""
    rules = tmp_path / "rules.json"
    rules.write_text('{"rules": []}')
    assert _run(capsys, "check", str(rules), "--teams", "/dev/zero") == (
        2,
        "",
        f"error: {TOO_LARGE.format('1024 bytes', '/dev/zero')}\n",
    )


def test_simulate_refuses_an_endless_scenario(
    small_cap: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """``simulate /dev/zero``: the scenario that cannot be read, exit 2."""
    assert _run(capsys, "simulate", "/dev/zero") == (
        2,
        "",
        f"error: cannot read scenario /dev/zero: {TOO_LARGE.format('1024 bytes', '/dev/zero')}\n",
    )


def test_report_refuses_an_endless_office_hours_file(
    tmp_path: Path, small_cap: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """``report --office-hours /dev/zero``: exit 2 before the store is opened."""
    store = f"sqlite:///{tmp_path / 'none.db'}"
    argv = ["report", "--store", store, *PERIOD, "--office-hours", "/dev/zero"]
    assert _run(capsys, *argv) == (
        2,
        "",
        f"error: {TOO_LARGE.format('1024 bytes', '/dev/zero')}\n",
    )


def test_demo_data_refuses_a_file_past_the_cap(
    tmp_path: Path, small_cap: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """``demo --data DIR`` whose config.json is past the cap: exit 2 naming it."""
    (tmp_path / "config.json").write_text(" " * (small_cap + 1))
    config = tmp_path / "config.json"
    assert _run(capsys, "demo", "--data", str(tmp_path)) == (
        2,
        "",
        f"error: {TOO_LARGE.format('1024 bytes', config)}\n",
    )
