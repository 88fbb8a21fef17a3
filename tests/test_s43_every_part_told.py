"""``check`` and ``demo --data`` tell every bad part of a ``config.json`` at once (docs
/errors.md: "Every hr.ValidationError names all of its problems"): each told only the
first bad part it read, a run at a time, and not the same part."""

from __future__ import annotations

import io
import json
import shutil
from importlib import resources
from pathlib import Path

from helpdesk_routing.cli import main

BAD_PATHS = {"$.rules.rules[0].when.op", "$.teams[0].members", "$.agents[1].role"}


def _bad_config(directory: Path) -> Path:
    source = resources.files("helpdesk_routing").joinpath("demo_data")
    for name in ("config.json", "customers.json", "tickets.json"):
        shutil.copyfile(str(source.joinpath(name)), directory / name)
    config = json.loads((directory / "config.json").read_text("utf-8"))
    config["agents"][1]["role"] = "boss"
    config["teams"][0]["members"] = []
    config["rules"]["rules"][0]["when"]["op"] = "equalz"
    path = directory / "config.json"
    path.write_text(json.dumps(config), "utf-8")
    return path


def _paths(argv: list[str]) -> set[str]:
    out = io.StringIO()
    assert main([*argv, "--json"], out=out) == 1
    return {error["path"] for error in json.loads(out.getvalue())["errors"]}


def test_check_and_demo_tell_every_bad_part(tmp_path: Path) -> None:
    config = _bad_config(tmp_path)
    assert _paths(["check", str(config)]) == BAD_PATHS
    assert _paths(["demo", "--data", str(tmp_path)]) == BAD_PATHS
