"""An error about a file's content names the file on its first line, once (check,
report --office-hours, simulate; demo --data names its own files)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from helpdesk_routing.cli import main

RULE = {
    "id": "r",
    "when": {"type": "ticket", "field": "channel", "op": "equals", "value": "sms"},
    "then": {"type": "assign_to_team", "team": "sales"},
}


def _err(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv), io.StringIO())
    return code, capsys.readouterr().err


def test_check_names_a_rule_set_file_that_is_not_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A malformed rule set: "invalid document in FILE" (it said "invalid document")."""
    path = tmp_path / "rules.json"
    path.write_text("{")
    assert _err(capsys, "check", str(path)) == (
        1,
        f"error: invalid document in {path}\n  $: not JSON: Expecting property name "
        "enclosed in double quotes at line 1, column 2\n",
    )


def test_check_names_the_rule_set_or_the_teams_file_at_fault(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad teams file is named as the teams; a rule naming a team the teams file lacks
    is the rule set's fault, named as the rule set's file."""
    rules, teams = tmp_path / "rules.json", tmp_path / "teams.json"
    rules.write_text(json.dumps({"rules": [RULE]}))
    teams.write_text('[{"id": 5}]')
    code, err = _err(capsys, "check", str(rules), "--teams", str(teams))
    assert (code, err.splitlines()[0]) == (1, f"error: invalid teams in {teams}")
    teams.write_text("[]")
    code, err = _err(capsys, "check", str(rules), "--teams", str(teams))
    assert (code, err.splitlines()[0]) == (1, f"error: rule set names unknown teams in {rules}")
    assert "$.rules[0].then.team" in err


def test_report_names_an_office_hours_file_that_is_not_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """report --office-hours FILE that is not UTF-8: "invalid office hours in FILE"."""
    hours = tmp_path / "hours.json"
    hours.write_bytes(b"\xff")
    code, err = _err(
        capsys,
        "report",
        "--store",
        f"sqlite:///{tmp_path / 'none.db'}",
        "--from",
        "2026-03-30T00:00:00+00:00",
        "--to",
        "2026-03-31T00:00:00+00:00",
        "--office-hours",
        str(hours),
    )
    assert (code, err) == (
        1,
        f"error: invalid office hours in {hours}\n  $: not UTF-8: invalid byte at offset 0\n",
    )


def test_a_file_name_with_a_line_break_adds_no_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A path holding a line break is shown quoted with its escapes, in ``check``'s and
    ``simulate``'s headings and in ``simulate``'s cannot-read and cannot-write lines: a
    name could add a detail line or a second ``error:`` line (docs/cli.md)."""
    bad = tmp_path / "x.json\n  $.rules[0].id: forged"
    bad.write_text("{")
    missing = tmp_path / "missing\nerror: forged"
    from tests.simulation.test_cli import _mmc_file

    scenario = _mmc_file(tmp_path)
    out_json = tmp_path / "nodir\nerror: forged" / "x.json"
    same = tmp_path / "both\nerror: forged.png"
    for argv, lines in (
        (["check", str(bad)], 2),
        (["simulate", str(bad)], 2),
        (["simulate", str(missing)], 1),
        (["simulate", str(scenario), "--json", str(out_json)], 1),
        (["simulate", str(scenario), "--plot", str(same), "--json", str(same)], 1),
    ):
        code, err = _err(capsys, *argv)
        assert code in (1, 2)
        assert len(err.splitlines()) == lines, err
        assert "\\n" in err  # the escape, shown
