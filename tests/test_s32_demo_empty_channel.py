"""``helpdesk-routing demo --data DIR`` names an empty office-hours channel by its file
and entry, once, as ``check`` does (the Router's own message came out, its text twice
and no file named)."""

from __future__ import annotations

import io
import json
import shutil
from importlib import resources
from pathlib import Path

import pytest

from helpdesk_routing import ValidationError
from helpdesk_routing.cli import main
from helpdesk_routing.demo import load_demo

ENTRY = "$.office_hours_channels"
MESSAGE = "a channel is at least one character, got ''"


def _demo_dir(tmp_path: Path, channels: list[str]) -> Path:
    """A copy of the bundled demo data whose config.json binds ``channels``."""
    source = resources.files("helpdesk_routing").joinpath("demo_data")
    for name in ("config.json", "customers.json", "tickets.json"):
        shutil.copyfile(str(source.joinpath(name)), tmp_path / name)
    config = json.loads((tmp_path / "config.json").read_text("utf-8"))
    config["office_hours_channels"] = channels
    (tmp_path / "config.json").write_text(json.dumps(config), "utf-8")
    return tmp_path


@pytest.mark.parametrize("channels", [[""], ["webchat", ""]])
def test_demo_names_the_file_and_entry_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], channels: list[str]
) -> None:
    """The error's first line names config.json; its one detail the entry; nothing else."""
    out = io.StringIO()
    assert main(["demo", "--data", str(_demo_dir(tmp_path, channels))], out=out) == 1
    assert out.getvalue() == ""
    assert capsys.readouterr().err == f"error: invalid config.json\n  {ENTRY}: {MESSAGE}\n"


def test_demo_json_names_the_entry_once(tmp_path: Path) -> None:
    """With --json the one error is at the entry, with check's code and message."""
    out = io.StringIO()
    assert main(["demo", "--data", str(_demo_dir(tmp_path, [""])), "--json"], out=out) == 1
    errors = json.loads(out.getvalue())["errors"]
    assert [(e["path"], e["code"], e["message"]) for e in errors] == [
        (ENTRY, "string_too_short", MESSAGE)
    ]


def test_check_and_demo_agree_on_the_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """check refuses the same file with the same detail; load_demo raises the demo's
    ValidationError before any Router is built."""
    directory = _demo_dir(tmp_path, [""])
    assert main(["check", str(directory / "config.json")], out=io.StringIO()) == 1
    check_lines = capsys.readouterr().err.splitlines()
    with pytest.raises(ValidationError) as info:
        load_demo(directory)
    assert info.value.message == "invalid config.json"
    assert [f"  {d.path}: {d.message}" for d in info.value.details] == check_lines[1:]
