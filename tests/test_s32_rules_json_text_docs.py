"""configuration.md: a problem in ``rules`` is named at its place in the configuration
whether ``rules`` is a RuleSet or its JSON data (a dict); JSON text is refused as a whole,
as the page says, and ``RuleSet.from_json`` reads it."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import helpdesk_routing as hr
from helpdesk_routing.conditions import segment

NOW = datetime(2026, 3, 30, 9, tzinfo=UTC)
DOCS = Path(__file__).resolve().parent.parent / "docs"
AGENTS = [hr.Agent(id="a2"), hr.Agent(id="m1", role="manager")]
TEAMS = [hr.Team(id="sms", members=["a2"])]
BAD = hr.RuleSet(
    rules=[
        hr.RoutingRule(id="ok", when=segment("x"), then=hr.AssignToTeam(team="sms")),
        hr.RoutingRule(id="bad", when=segment("x"), then=hr.AssignToTeam(team="nope")),
    ]
)


def _router(rules: Any = None) -> hr.Router:
    return hr.Router(
        rules=hr.RuleSet() if rules is None else rules,
        teams=TEAMS,
        store=hr.InMemoryStore(agents=AGENTS),
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(NOW),
    )


def _problems(rules: Any, door: str) -> list[tuple[str, str, str]]:
    if door == "configure":
        router = _router()
        with pytest.raises(hr.ValidationError) as caught:
            router.configure(actor="m1", rules=rules)
    else:
        with pytest.raises(hr.ValidationError) as caught:
            _router(rules)
    return [(d["path"], d["code"], d["message"]) for d in caught.value.errors()]


@pytest.mark.parametrize("door", ["configure", "Router"])
def test_a_rule_set_and_its_json_data_name_the_rule_json_text_is_refused_whole(door: str) -> None:
    text = BAD.model_dump_json()
    named = [("$.rules.rules[1].then.team", "unknown_team", "rule 'bad': unknown team 'nope'")]
    assert _problems(BAD, door) == named
    assert _problems(json.loads(text), door) == named
    [(path, code, message)] = _problems(text, door)
    assert (path, code) == ("$.rules", "model_type")
    assert _problems(hr.RuleSet.from_json(text), door) == named
    page = re.sub(r"\s+", " ", (DOCS / "configuration.md").read_text("utf-8"))
    assert f"(`{path}: {message}`, code `{code}`)" in page


def test_the_page_says_json_data_not_json() -> None:
    page = re.sub(r"\s+", " ", (DOCS / "configuration.md").read_text("utf-8"))
    assert "was given as a `RuleSet` or as its JSON, " not in page
    assert "was given as a `RuleSet` or as its JSON data, a `dict`" in page
    assert "`hr.RuleSet.from_json(text)`" in page
