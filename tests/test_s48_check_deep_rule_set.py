"""``check`` tells a bare rule set nested too deep as ``RuleSet.from_json`` tells it, at
any depth: the rule set's heading and limit (100 levels), at the first level past it.
From 102 levels on it was read as a configuration (``invalid document``, deeper than 101
levels, one level further down). A configuration keeps its own limit."""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

import pytest

from helpdesk_routing import RuleSet, ValidationError, cli


def _condition(levels: int) -> dict[str, Any]:
    c: dict[str, Any] = {"type": "segment", "segment": "vip"}
    for _ in range(levels - 1):
        c = {"type": "not", "condition": c}
    return c


def _rule(levels: int) -> dict[str, Any]:
    return {"id": "r", "when": _condition(levels), "then": {"type": "save_as_view", "view": "v"}}


@pytest.mark.parametrize("levels", [98, 99, 100, 150])
@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
def test_a_bare_rule_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], levels: int, bom: bytes
) -> None:
    text = json.dumps({"rules": [_rule(levels)]})
    path = tmp_path / "rules.json"
    path.write_bytes(bom + text.encode())
    with pytest.raises(ValidationError) as info:
        RuleSet.from_json(text)
    [expected] = info.value.details
    assert cli.main(["check", str(path)]) == 1
    head, line, *_ = capsys.readouterr().err.splitlines()
    assert head == f"error: invalid rule set in {path}"
    assert line == f"  {expected}"
    assert "nested deeper than 100 levels" in line


def test_a_configuration_keeps_its_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"rules": {"rules": [_rule(150)]}, "teams": []}))
    assert cli.main(["check", str(path)]) == 1
    head, line, *_ = capsys.readouterr().err.splitlines()
    assert head == f"error: invalid document in {path}"
    assert "nested deeper than 101 levels" in line
