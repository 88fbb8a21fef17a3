"""One configuration document, one path for each problem, whatever the door:
``Router(...)``, ``configure`` (rules as a ``RuleSet`` or as its JSON) and
``helpdesk-routing check`` (a stored Configuration and the demo's ``config.json``) name a
repeated team id at ``$.teams[i].id`` (the second one), a negative capacity at
``$.capacity`` and a rule's unknown team at ``$.rules.rules[i].then.team``: paths within
the configuration document (docs/configuration.md, "Where a problem is named")."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import helpdesk_routing as hr
from helpdesk_routing._stored import STORED
from helpdesk_routing.cli import main
from helpdesk_routing.configuration import check_against_agents

NOW = datetime(2026, 3, 30, 9, tzinfo=UTC)
AGENTS = [hr.Agent(id="a1"), hr.Agent(id="m1", role="manager")]
TEAM = {"id": "t", "members": ["a1"]}
OK_RULE = {
    "id": "ok",
    "when": {"type": "ticket", "field": "channel", "op": "equals", "value": "sms"},
    "then": {"type": "assign_to_team", "team": "t"},
}
GHOST_RULE = {**OK_RULE, "id": "ghost", "then": {"type": "assign_to_team", "team": "nope"}}

Found = list[tuple[str, str, str | None]]
"""(path, code, rule id) of each detail."""


def _found(error: hr.ValidationError) -> Found:
    return [(d.path, d.code, d.rule_id) for d in error.details]


def _router(**given: Any) -> hr.Router:
    return hr.Router(
        store=hr.InMemoryStore(agents=AGENTS),
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(NOW),
        **given,
    )


def _configured(**given: Any) -> hr.ValidationError:
    router = _router(teams=[hr.Team(**TEAM)])
    with pytest.raises(hr.ValidationError) as info:
        router.configure(actor="m1", **given)
    assert [c.version for c in router.configuration_history()] == [1]
    return info.value


def _built(**given: Any) -> hr.ValidationError:
    with pytest.raises(hr.ValidationError) as info:
        _router(**given)
    return info.value


def _checked(tmp_path: Path, document: dict[str, Any]) -> Found:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(document))
    out = io.StringIO()
    assert main(["check", str(path), "--json"], out) == 1
    return [(e["path"], e["code"], e["rule_id"]) for e in json.loads(out.getvalue())["errors"]]


def _stored(**content: Any) -> dict[str, Any]:
    return {"version": 1, "at": "2026-03-30T09:00:00Z", **content}


def _demo(**content: Any) -> dict[str, Any]:
    return {"agents": [{"id": "a1"}], "rules": {"rules": []}, **content}


def test_a_team_listed_twice_is_named_at_the_second_id(tmp_path: Path) -> None:
    teams = [hr.Team(**TEAM), hr.Team(id="u", members=["a1"]), hr.Team(**TEAM)]
    expected: Found = [("$.teams[2].id", "duplicate", None)]
    assert _found(_configured(teams=teams)) == expected
    assert _found(_built(teams=teams)) == expected
    as_json = [t.model_dump(mode="json") for t in teams]
    assert _checked(tmp_path, _stored(teams=as_json)) == expected
    assert _checked(tmp_path, _demo(teams=as_json)) == expected
    assert str(_configured(teams=teams)) == (
        "team 't' is listed twice\n  $.teams[2].id: team 't' is listed twice"
    )


def test_every_team_listed_twice_is_named() -> None:
    teams = [hr.Team(**TEAM), hr.Team(**TEAM), hr.Team(id="u", members=["a1"])] * 2
    error = _configured(teams=teams)
    assert error.message == "teams are listed twice"
    assert error.paths == ("$.teams[1].id", "$.teams[3].id", "$.teams[4].id", "$.teams[5].id")


@given(st.lists(st.sampled_from("abc"), max_size=6))
def test_a_configuration_built_directly_names_every_repeated_team(ids: list[str]) -> None:
    """Built from Python or from JSON, a configuration refuses each team whose id an
    earlier team has, at its own path (it was accepted, and refused only when stored)."""
    teams = [hr.Team(id=i, members=["a1"]) for i in ids]
    repeats = [f"$.teams[{n}].id" for n, i in enumerate(ids) if i in ids[:n]]
    document = _stored(teams=[t.model_dump(mode="json") for t in teams])
    for build in (
        lambda: hr.Configuration(**_stored(teams=teams)),
        lambda: hr.Configuration.model_validate_json(json.dumps(document)),
    ):
        if not repeats:
            assert [t.id for t in build().teams] == ids
            continue
        with pytest.raises(hr.ValidationError) as caught:
            build()
        assert caught.value.paths == tuple(repeats)
        assert {d.code for d in caught.value.details} == {"duplicate"}


def test_a_repeated_team_with_a_problem_of_its_own_is_named_with_it(tmp_path: Path) -> None:
    """A team given again that has a problem of its own (an agent listed twice, a field
    no team has): both are named, each at its path, from a mapping, JSON text and
    ``check`` (the team's own problem alone was, and the repeat only once it was
    mended); a stored configuration reads back as written."""
    bad = {"id": "t", "members": ["a1", "a1"]}
    teams = [TEAM, {"id": "u", "members": ["a1"]}, bad, {"id": "t", "oops": 1, "members": ["a1"]}]
    expected = [
        ("$.teams[2].members", "value_error"),
        ("$.teams[2].id", "duplicate"),
        ("$.teams[3].oops", "extra_forbidden"),
        ("$.teams[3].id", "duplicate"),
    ]
    document = _stored(teams=teams)
    for build in (
        lambda: hr.Configuration.model_validate(document),
        lambda: hr.Configuration.model_validate_json(json.dumps(document)),
    ):
        with pytest.raises(hr.ValidationError) as caught:
            build()
        assert [(d.path, d.code) for d in caught.value.details] == expected
        assert "$.teams[3].id: team 't' is listed twice" in str(caught.value)
    assert [p for p, _, _ in _checked(tmp_path, document)] == [p for p, _ in expected]
    with pytest.raises(hr.ValidationError) as stored:
        hr.Configuration.model_validate(document, context=STORED)
    assert [d.path for d in stored.value.details] == ["$.teams[2].members", "$.teams[3].oops"]


def test_a_stored_configuration_with_a_repeated_team_reads_back() -> None:
    """A configuration an older version could hold (built without validation) reads back
    from its stored form as written; the store's check still names the repeat."""
    document = _stored(teams=[TEAM, TEAM])
    kept = hr.Configuration.model_validate(document, context=STORED)
    assert [t.id for t in kept.teams] == ["t", "t"]
    with (
        hr.InMemoryStore(agents=AGENTS) as store,
        store.transaction() as tx,
        pytest.raises(hr.ValidationError, match=r"\$\.teams\[1\]\.id"),
    ):
        check_against_agents(tx, kept)


def test_a_negative_capacity_is_named_at_capacity(tmp_path: Path) -> None:
    expected: Found = [("$.capacity", "greater_than_equal", None)]
    assert _found(_configured(capacity=-1)) == expected
    assert _found(_built(capacity=-1)) == expected
    assert _checked(tmp_path, _stored(capacity=-1)) == expected
    assert str(_built(capacity=-1)) == (
        "capacity must be at least 0, got -1\n  $.capacity: capacity must be at least 0, got -1"
    )


@pytest.mark.parametrize("as_json", [False, True], ids=["RuleSet", "JSON"])
def test_an_unknown_team_is_named_within_the_configuration(tmp_path: Path, as_json: bool) -> None:
    """configure(rules=<dict>) put a bad condition under $.rules but an unknown team at
    $.rules[1].then.team, a path the document sent does not have."""
    document = {"rules": [OK_RULE, GHOST_RULE]}
    rules: Any = document if as_json else hr.RuleSet.from_dict(document)
    expected: Found = [("$.rules.rules[1].then.team", "unknown_team", "ghost")]
    assert _found(_configured(rules=rules)) == expected
    assert _found(_built(rules=rules, teams=[hr.Team(**TEAM)])) == expected
    assert _checked(tmp_path, _stored(rules=document, teams=[TEAM])) == expected
    assert _checked(tmp_path, _demo(rules=document, teams=[TEAM])) == expected


def test_a_bad_condition_sent_as_json_is_under_rules_too() -> None:
    """The path convention a rule set sent as a document already had."""
    when = {"type": "profile", "property": "n", "op": "greater_than"}
    bad = {**OK_RULE, "id": "bad", "when": when}
    error = _configured(rules={"rules": [OK_RULE, bad]})
    assert _found(error) == [("$.rules.rules[1].when.value", "condition_value", "bad")]


def test_a_rule_set_checked_alone_keeps_its_own_paths() -> None:
    """validate_against is about a rule set document: its paths start at its rules."""
    with pytest.raises(hr.ValidationError) as info:
        hr.RuleSet.from_dict({"rules": [GHOST_RULE]}).validate_against([])
    assert _found(info.value) == [("$.rules[0].then.team", "unknown_team", "ghost")]


@pytest.mark.parametrize("channels", [["webchat", "sms", 5], ("webchat", "sms", None)])
def test_a_bad_bound_channel_is_named_at_its_index(channels: Any) -> None:
    """The channels are validated in the order given: the bad one's index, whatever the
    hash seed (a frozenset made first gave its own iteration order's index)."""
    expected = ("$.office_hours_channels[2]",)
    assert _built(office_hours_channels=channels).paths == expected
    assert _configured(office_hours_channels=channels).paths == expected


def test_a_negative_capacity_is_said_alike_through_every_door(tmp_path: Path) -> None:
    """configure and Router(...) said "capacity must be at least 0, got -1"; the model, its
    JSON and so `check` said pydantic's "Input should be greater than or equal to 0"."""
    said = "capacity must be at least 0, got -1"
    data = {"version": 1, "at": "2026-03-30T10:00:00Z", "capacity": -1}
    for door in (
        lambda: hr.Configuration.model_validate(data),
        lambda: hr.Configuration.model_validate_json(json.dumps(data)),
    ):
        with pytest.raises(hr.ValidationError) as info:
            door()
        assert [(e["path"], e["message"]) for e in info.value.errors()] == [("$.capacity", said)]
    assert str(_built(capacity=-1)).endswith(f"$.capacity: {said}")
