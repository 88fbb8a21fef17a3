"""``helpdesk-routing check`` tells a configuration file from a bare rule set by its
members: a file with any member of a configuration besides ``rules`` is a configuration,
and one without ``rules`` is told so, as the demo tells it (``$.rules: Field required``),
not read as a rule set with a list of extra members."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from helpdesk_routing.cli import main

RULE = {
    "id": "r",
    "when": {"type": "ticket", "field": "channel", "op": "equals", "value": "sms"},
    "then": {"type": "save_as_view", "view": "v"},
}
HOURS = {"timezone": "UTC", "weekly": {"mon": [["09:00", "17:00"]]}}


def _check(tmp_path: Path, document: Any) -> tuple[int, Any]:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(document))
    out = io.StringIO()
    code = main(["check", str(path), "--json"], out)
    return code, json.loads(out.getvalue())


@pytest.mark.parametrize(
    "document",
    [
        {"agents": [{"id": "a1"}]},
        {"teams": [{"id": "t", "members": ["a1"]}]},
        {"office_hours": HOURS},
        {"office_hours_channels": ["webchat"]},
        {
            "agents": [{"id": "a1"}],
            "teams": [{"id": "t", "members": ["a1"]}],
            "office_hours": HOURS,
            "office_hours_channels": ["webchat"],
        },
    ],
    ids=["agents", "teams", "office_hours", "office_hours_channels", "all but rules"],
)
def test_a_configuration_without_rules_is_told_they_are_required(
    tmp_path: Path, document: dict[str, Any]
) -> None:
    assert _check(tmp_path, document) == (
        1,
        {
            "ok": False,
            "errors": [
                {"path": "$.rules", "code": "missing", "message": "Field required", "rule_id": None}
            ],
        },
    )


def test_the_text_names_the_file_and_the_demos_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"agents": [{"id": "a1"}], "teams": []}))
    assert main(["check", str(path)], io.StringIO()) == 1
    assert capsys.readouterr().err == (
        f"error: invalid configuration in {path}\n  $.rules: Field required\n"
    )


@pytest.mark.parametrize("document", [{"rules": [RULE]}, {"rules": []}, {}])
def test_a_bare_rule_set_is_still_a_rule_set(tmp_path: Path, document: dict[str, Any]) -> None:
    code, report = _check(tmp_path, document)
    assert (code, report["ok"], report["rules"]) == (0, True, len(document.get("rules", [])))


def test_a_stored_configuration_with_version_or_at_only_is_read_as_one(tmp_path: Path) -> None:
    """A stored Configuration lacking ``at`` says so (it was read as a rule set with
    ``$.version`` an extra member)."""
    code, report = _check(tmp_path, {"version": 1, "rules": {"rules": [RULE]}})
    assert (code, [(e["path"], e["code"]) for e in report["errors"]]) == (
        1,
        [("$.at", "missing")],
    )


def test_the_routers_own_document_is_checked_as_the_version_it_would_store(
    tmp_path: Path,
) -> None:
    """The Router's configuration document (a stored version's content, without
    ``version`` and ``at``) passes ``check`` with ``round_robin``, ``capacity`` and
    ``allocator`` (each was an "unknown member" of the demo's ``config.json``), and its
    problems are named as a stored version's are."""
    from datetime import UTC, datetime

    from helpdesk_routing.clock import ManualClock
    from helpdesk_routing.model import Agent, Team
    from helpdesk_routing.router import Router
    from helpdesk_routing.stores.memory import InMemoryStore
    from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData

    router = Router(
        store=InMemoryStore(agents=[Agent(id="a1")]),
        customer_data=InMemoryCustomerData(),
        clock=ManualClock(datetime(2026, 3, 30, 9, tzinfo=UTC)),
        teams=[Team(id="x", members=("a1",))],
        capacity=3,
        round_robin=False,
        allocator="least_loaded",
    )
    meta = {"version", "at", "actor", "comment"}
    document = router.configuration.model_dump(mode="json", exclude=meta)
    assert _check(tmp_path, document) == (0, {"ok": True, "rules": 0, "warnings": [], "errors": []})
    bad = {**document, "capacity": -1, "round_robin": 1}
    code, report = _check(tmp_path, bad)
    assert (code, [(e["path"], e["code"]) for e in report["errors"]]) == (
        1,
        [("$.round_robin", "bool_type"), ("$.capacity", "greater_than_equal")],
    )
    # A rule naming a team the document lacks, at its place, as for a stored version.
    unknown = {
        **document,
        "rules": {"rules": [{**RULE, "then": {"type": "assign_to_team", "team": "t9"}}]},
    }
    code, report = _check(tmp_path, unknown)
    assert (code, [(e["path"], e["code"]) for e in report["errors"]]) == (
        1,
        [("$.rules.rules[0].then.team", "unknown_team")],
    )
    # With agents, a file is the demo's config.json, which takes none of the three.
    code, report = _check(
        tmp_path, {"agents": [{"id": "a1"}], "rules": {"rules": []}, "capacity": 2}
    )
    assert (code, [(e["path"], e["code"]) for e in report["errors"]]) == (
        1,
        [("$.capacity", "extra_forbidden")],
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"teams": [], "rules": {"rules": []}, "capacity": NaN}', "$.capacity: "),
        ('{"teams": [], "teams": [], "rules": {"rules": []}}', "$.teams: "),
    ],
    ids=["NaN", "a key twice"],
)
def test_a_configurations_json_problem_is_titled_invalid_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, problem: str
) -> None:
    """The strict reader's problems in a configuration file are titled as its other
    problems are (they were "invalid document")."""
    path = tmp_path / "config.json"
    path.write_text(text)
    assert main(["check", str(path)], io.StringIO()) == 1
    head, line, *_ = capsys.readouterr().err.splitlines()
    assert head == f"error: invalid configuration in {path}"
    assert line.startswith(f"  {problem}")


def test_a_team_of_one_bad_member_is_not_also_told_it_has_none(tmp_path: Path) -> None:
    """Within a list of teams pydantic counts a team's members left after validation:
    a team whose one member is bad was told it had none too (``too_short``)."""
    team = {"id": "x", "members": ["a\x00"]}
    code, report = _check(tmp_path, {"teams": [team], "rules": {"rules": []}})
    assert (code, [(e["path"], e["code"]) for e in report["errors"]]) == (
        1,
        [("$.teams[0].members[0]", "storable_text")],
    )
    code, report = _check(tmp_path, {"teams": [{"id": "x", "members": []}], "rules": {"rules": []}})
    assert [(e["path"], e["code"]) for e in report["errors"]] == [
        ("$.teams[0].members", "too_short")
    ]
