"""The ``helpdesk-routing`` command: the demo day, rule-set checks, the schema."""

from __future__ import annotations

import io
import json
import shutil
from importlib import resources
from pathlib import Path

import pytest

from helpdesk_routing.cli import load_demo, main, run_demo
from helpdesk_routing.model import TicketStatus


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_demo_routes_every_bundled_ticket_and_prints_a_summary() -> None:
    """The demo explains each ticket of the day and ends with per-agent counts and views."""
    code, text = _run("demo")
    day = load_demo()
    assert code == 0
    for t in day.tickets:
        assert f"{t.id} via {t.channel}" in text
    assert "== Summary" in text
    assert "team 'retention' chosen by rule 'churn'" in text


def test_demo_day_follows_the_routing_and_office_hours_rules() -> None:
    """Webchat before opening waits and is handed out later; webchat after closing stays waiting."""
    router = run_demo(load_demo(), io.StringIO())
    early = router.ticket("T-1001")
    late = router.ticket("T-1010")
    assert early.assignee is not None
    assert early.views == frozenset({"Urgent changes"})
    assert late.assignee is None
    assert late.status is TicketStatus.OPEN
    assert [r.id for r in router.views.unassigned().items] == ["T-1010"]
    assert router.ticket("T-1004").team == "team-a"  # sms + Order
    assert router.ticket("T-1005").team == "retention"  # segment membership at-risk
    assert router.ticket("T-1009").team == "returns"  # tag membership Return


def test_demo_reads_a_configuration_directory(tmp_path: Path) -> None:
    """--data points the demo at a directory with the same three files."""
    source = resources.files("helpdesk_routing").joinpath("demo_data")
    for name in ("config.json", "customers.json", "tickets.json"):
        shutil.copyfile(str(source.joinpath(name)), tmp_path / name)
    tickets = json.loads((tmp_path / "tickets.json").read_text())
    tickets["tickets"] = tickets["tickets"][:2]
    (tmp_path / "tickets.json").write_text(json.dumps(tickets))
    code, text = _run("demo", "--data", str(tmp_path))
    assert code == 0
    assert "T-1002" in text
    assert "T-1003" not in text


def test_check_reports_a_shadowed_rule_as_a_warning(tmp_path: Path) -> None:
    """check prints one warning per lint issue and exits 0 for a valid rule set."""
    rule = {
        "when": {"type": "ticket", "field": "channel", "op": "equals", "value": "sms"},
        "then": {"type": "assign_to_team", "team": "a"},
    }
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"rules": [{"id": "first", **rule}, {"id": "second", **rule}]}))
    code, text = _run("check", str(path))
    assert code == 0
    assert "warning: rule 'second' ($.rules[1].when): can never fire" in text
    assert text.strip().endswith("2 rule(s), 1 warning(s)")


def test_check_fails_on_an_invalid_rule_set_naming_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An invalid rule set exits 1 with the JSON path on stderr."""
    path = tmp_path / "rules.json"
    path.write_text('{"rules": [{"id": "r", "when": {"type": "segment"}, "then": {"type": "x"}}]}')
    code, _ = _run("check", str(path))
    assert code == 1
    assert "$.rules[0]" in capsys.readouterr().err


def test_check_with_teams_fails_on_an_unknown_team(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--teams validates the rules' teams: an unknown one exits 1 naming the rule."""
    rules = tmp_path / "rules.json"
    rules.write_text(
        json.dumps(
            {
                "rules": [
                    {
                        "id": "r",
                        "when": {"type": "segment", "segment": "vip"},
                        "then": {"type": "assign_to_team", "team": "ghosts"},
                    }
                ]
            }
        )
    )
    teams = tmp_path / "teams.json"
    teams.write_text(json.dumps([{"id": "real", "members": ["a1"]}]))
    code, _ = _run("check", str(rules), "--teams", str(teams))
    assert code == 1
    assert "rule 'r': unknown team 'ghosts'" in capsys.readouterr().err


def test_schema_prints_the_condition_json_schema() -> None:
    """schema prints a JSON Schema that knows every node type."""
    code, text = _run("schema")
    assert code == 0
    schema_text = json.dumps(json.loads(text))
    for node_type in ("ticket", "profile", "event", "segment", "all", "any", "not"):
        assert f'"{node_type}"' in schema_text
