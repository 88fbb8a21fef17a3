"""A rule's problem inside a configuration names its rule (``rule_id``, and ``rule 'id':``
before the message) through every door, as the rule set's loader, ``Router(...)`` and
``configure`` name it: ``Configuration.model_validate_json``, ``Configuration(...)`` and
``helpdesk-routing check`` on a stored configuration gave ``rule_id`` None. And ``check``
reads a stored configuration as JSON text is read: a rules array or a string of
channels, refused by ``model_validate_json``, passed."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

import helpdesk_routing as hr
from helpdesk_routing.cli import main

BAD = {
    "id": "bc",
    "when": {"type": "profile", "property": "ltv", "op": "greater_than"},
    "then": {"type": "save_as_view", "view": "V"},
}
WANTED = ("bc", "rule 'bc': greater_than needs a number, got nothing")


def _first(error: hr.ValidationError) -> tuple[str, str | None, str]:
    d = error.details[0]
    return d.path, d.rule_id, d.message


def test_every_door_names_the_rule() -> None:
    doc = {"version": 1, "at": "2026-03-30T09:00:00Z", "rules": {"rules": [BAD]}}
    with pytest.raises(hr.ValidationError) as info:
        hr.Configuration.model_validate_json(json.dumps(doc))
    assert _first(info.value) == ("$.rules.rules[0].when.value", *WANTED)
    with pytest.raises(hr.ValidationError) as info:
        hr.Configuration(version=1, at=datetime(2026, 3, 30, tzinfo=UTC), rules=[BAD])
    assert _first(info.value) == ("$.rules[0].when.value", *WANTED)


def _check(tmp_path: Path, doc: dict[str, object]) -> tuple[int, dict[str, object]]:
    path = tmp_path / "stored.json"
    path.write_text(json.dumps(doc))
    out = io.StringIO()
    code = main(["check", str(path), "--json"], out=out)
    return code, json.loads(out.getvalue())


def test_check_names_the_rule_of_a_stored_configuration(tmp_path: Path) -> None:
    doc = {"version": 1, "at": "2026-03-30T09:00:00Z", "rules": {"rules": [BAD]}}
    code, body = _check(tmp_path, doc)
    assert code == 1
    [error] = body["errors"]  # type: ignore[misc]
    assert (error["path"], error["rule_id"], error["message"]) == (
        "$.rules.rules[0].when.value",
        *WANTED,
    )


@pytest.mark.parametrize(
    ("change", "path"),
    [({"rules": []}, "$.rules"), ({"office_hours_channels": "webchat"}, "$.office_hours_channels")],
)
def test_check_reads_a_stored_configuration_as_json_text(
    tmp_path: Path, change: dict[str, object], path: str
) -> None:
    doc = {"version": 1, "at": "2026-03-30T09:00:00Z", **change}
    with pytest.raises(hr.ValidationError):
        hr.Configuration.model_validate_json(json.dumps(doc))
    code, body = _check(tmp_path, doc)
    assert code == 1
    assert [e["path"] for e in body["errors"]] == [path]  # type: ignore[attr-defined]
