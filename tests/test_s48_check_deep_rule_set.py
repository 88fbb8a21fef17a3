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
    assert head == f"error: invalid configuration in {path}"  # as its other problems
    assert "nested deeper than 101 levels" in line


def test_past_python_s_parser(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A bare rule set too deep for Python's parser is still told as a rule set."""
    path = tmp_path / "rules.json"
    path.write_text(
        json.dumps({"rules": [{"id": "r", "when": None}]}).replace("null", "[" * 3000 + "]" * 3000)
    )
    assert cli.main(["check", str(path)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"error: invalid rule set in {path}",
        "  $: nested deeper than 100 levels",
    ]


def test_two_byte_order_marks_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only a leading mark is read as none; a second one is a character, not JSON."""
    path = tmp_path / "rules.json"
    path.write_bytes(codecs.BOM_UTF8 * 2 + json.dumps({"rules": [_rule(2)]}).encode())
    assert cli.main(["check", str(path)]) == 1
    assert "Unexpected UTF-8 BOM" in capsys.readouterr().err


@pytest.mark.parametrize("configuration", [False, True])
def test_a_json_problem_in_a_rule_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], configuration: bool
) -> None:
    """A lone surrogate is told with its rule, as a NUL in the same place is, in a bare
    rule set and in a configuration (and by ``Configuration.model_validate_json``)."""
    rule = _rule(1) | {"when": {"type": "segment", "segment": "\ud800"}}
    document: dict[str, Any] = {"rules": [rule]}
    at = "$.rules[0].when.segment"
    if configuration:
        document = {"rules": document, "teams": []}
        at = "$.rules.rules[0].when.segment"
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(document, ensure_ascii=True))
    assert cli.main(["check", str(path)]) == 1
    line = capsys.readouterr().err.splitlines()[1]
    assert line == f"  {at}: rule 'r': text with a lone surrogate \\ud800"
    if configuration:
        from helpdesk_routing.configuration import Configuration

        with pytest.raises(ValidationError) as info:
            Configuration.model_validate_json(path.read_text())
        [detail] = info.value.details
        assert (detail.path, detail.rule_id) == (at, "r")
        assert detail.message == "rule 'r': text with a lone surrogate \\ud800"
