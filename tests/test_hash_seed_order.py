"""Output that must not depend on PYTHONHASHSEED: a bad set item's path, sets inside custom
values, and ordered collections (rules, teams) given as a set.

Each check runs a small script under several hash seeds (a set of text iterates in
another order in each) and compares what they print.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

import helpdesk_routing as hr
from helpdesk_routing.handoff import Conversation

SRC = str(Path(__file__).resolve().parents[1] / "src")
NOW = datetime(2026, 3, 30, 10, tzinfo=UTC)
SEEDS = ("0", "1", "2", "3", "7")

PRELUDE = """
import json
from datetime import UTC, datetime
import helpdesk_routing as hr
now = datetime(2026, 3, 30, 10, tzinfo=UTC)
def paths(make):
    try:
        make()
    except hr.RoutingError as error:
        return [[d.path, d.message] for d in error.details]
    return "accepted"
"""


def _under_seeds(script: str) -> list[str]:
    """What ``script`` prints under each hash seed (it must succeed)."""
    outputs = []
    for seed in SEEDS:
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": SRC}
        done = subprocess.run(
            [sys.executable, "-c", PRELUDE + textwrap.dedent(script)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    return outputs


def _same(script: str) -> str:
    outputs = _under_seeds(script)
    assert outputs == [outputs[0]] * len(outputs), outputs
    return outputs[0]


# -- 1. a bad item of a set field: its index in the input as sent ------------------------

BAD = ["ok1", "bad\x00one", "ok2", "ok3", "ok4", "ok5", "ok6", "ok7"]


@pytest.mark.parametrize("kind", ["list", "tuple", "json"])
def test_a_bad_set_item_is_named_at_its_index_as_sent(kind: str) -> None:
    out = _same(
        f"""
        tags = {BAD!r}
        kind = {kind!r}
        given = tuple(tags) if kind == "tuple" else tags
        def ticket():
            if kind == "json":
                return hr.Ticket.model_validate_json(json.dumps(
                    {{"id": "t", "channel": "c", "created_at": "2026-03-30T10:00:00Z",
                      "tags": tags}}))
            return hr.Ticket(id="t", channel="c", created_at=now, tags=given)
        print(paths(ticket))
        print(paths(lambda: hr.Team(id="tm", members=["a"], tags=given)))
        print(paths(lambda: hr.Team(id="tm", members=["a"], segments=given)))
        print(paths(lambda: hr.Profile(id="p", segments=given)))
        print(paths(lambda: hr.Configuration(version=1, at=now,
            teams=[{{"id": "tm", "members": ["a"], "tags": given}}])))
        """
    )
    nul = "text must not contain NUL (\\\\x00)"
    assert out.splitlines() == [
        f"[['$.tags[1]', '{nul}']]",
        f"[['$.tags[1]', '{nul}']]",
        f"[['$.segments[1]', '{nul}']]",
        f"[['$.segments[1]', '{nul}']]",
        f"[['$.teams[0].tags[1]', '{nul}']]",
    ]


def test_every_bad_item_of_a_list_is_named_at_its_index() -> None:
    with pytest.raises(hr.ValidationError) as caught:
        hr.Ticket(
            id="t",
            channel="c",
            created_at=NOW,
            tags=["a", "\ud800", "b", "c\x00"],
        )
    assert caught.value.paths == ("$.tags[1]", "$.tags[3]")


def test_text_no_store_keeps_is_named_with_items_of_another_kind() -> None:
    """A NUL in one item and a number in another: both named, at their indexes, from
    Python and JSON, in every set-of-text field (the NUL went unnamed)."""
    ticket = (
        '{"id":"t","channel":"c","created_at":"2026-03-30T10:00:00Z","tags":["ok","a\\u0000",5]}'
    )
    calls = [
        lambda: hr.Ticket(id="t", channel="c", created_at=NOW, tags=["ok", "a\x00", 5]),
        lambda: hr.Ticket.model_validate_json(ticket),
        lambda: hr.Profile(id="p", segments=("ok", "a\x00", 5)),
        lambda: hr.Team(id="t", members=["a1"], segments=["ok", "a\x00", 5]),
    ]
    for call in calls:
        with pytest.raises(hr.ValidationError) as caught:
            call()
        found = [(e["path"][-3:], e["code"]) for e in caught.value.errors()]
        assert found == [("[1]", "storable_text"), ("[2]", "string_type")]
        assert caught.value.details[0].message == "text must not contain NUL (\\x00)"
    # a set has no order: the NUL named by value at the field, as when it is alone
    with pytest.raises(hr.ValidationError) as caught:
        hr.Ticket(id="t", channel="c", created_at=NOW, tags={"ok", "a\x00", 5})
    found = [(e["path"], e["code"]) for e in caught.value.errors()]
    # both by value, in the set's one order (numbers before text): the number was named
    # at its place in the set's iteration order
    assert found == [("$.tags", "string_type"), ("$.tags", "storable_text")]
    assert [d.message for d in caught.value.details] == [
        "item 5: Input should be a valid string",
        "item 'a\\x00': text must not contain NUL (\\x00)",
    ]


def test_a_bad_item_of_a_set_is_named_by_its_value_in_sorted_order() -> None:
    out = _same(
        """
        tags = {"ok1", "zz\\x00", "ok2", "ok3", "aa\\x00", "ok4"}
        print(paths(lambda: hr.Ticket(id="t", channel="c", created_at=now, tags=tags)))
        print(paths(lambda: hr.Profile(id="p", segments=frozenset(tags))))
        """
    )
    first, second = out.splitlines()
    assert first == (
        "[['$.tags', \"item 'aa\\\\x00': text must not contain NUL (\\\\x00)\"], "
        "['$.tags', \"item 'zz\\\\x00': text must not contain NUL (\\\\x00)\"]]"
    )
    assert second == first.replace("$.tags", "$.segments")


# -- 2. sets inside custom values: written sorted, everywhere ----------------------------


def test_sets_in_custom_values_are_written_and_stored_sorted() -> None:
    out = _same(
        """
        from helpdesk_routing.conditions import profile
        t = hr.Ticket(id="t1", channel="email", created_at=now,
                      fields={"s": {"d", "b", "e", "a", "c"}, "n": [{"x": frozenset("qwerty")}]})
        print(t.model_dump_json())
        print(json.dumps(t.model_dump(mode="json")))
        p = hr.Profile(id="p1", properties={"interests": {"tennis", "chess", "golfing", "run"}})
        print(p.model_dump_json())
        e = hr.Event(profile_id="p1", metric="m", timestamp=now,
                     properties={"s": {"k", "l", "m", "n"}, "mixed": {1, "a", 2.5, None, True}})
        print(e.model_dump_json())
        data = hr.InMemoryCustomerData(profiles=[p], events=[e])
        print(data.profile("p1").properties)
        print(data.events("p1")[0].properties)
        rs = hr.RuleSet(rules=[hr.RoutingRule(id="golf", name="golf",
            when=profile("interests").contains("golf"), then=hr.SaveAsView(view="golf"))])
        d = hr.decide(rs, [], hr.Ticket(id="t2", channel="email", created_at=now,
                                        profile_id="p1"), data, now)
        print(d.model_dump_json())
        print(d.explain())
        store = hr.InMemoryStore(agents=[hr.Agent(id="a1")])
        r = hr.Router(rules=hr.RuleSet(), teams=[], store=store, customer_data=data,
                      clock=hr.ManualClock(now))
        r.route(t)
        print(r.ticket("t1").model_dump_json())
        """
    )
    assert '"fields":{"s":["a","b","c","d","e"],"n":[{"x":["e","q","r","t","w","y"]}]}' in out
    assert '"properties":{"interests":["chess","golfing","run","tennis"]}' in out
    assert "{'interests': ['chess', 'golfing', 'run', 'tennis']}" in out
    assert "'s': ['k', 'l', 'm', 'n']" in out


def test_sets_in_custom_values_keep_their_python_form() -> None:
    ticket = hr.Ticket(
        id="t",
        channel="c",
        created_at=NOW,
        fields={"s": {"b", "a"}},
    )
    assert ticket.fields["s"] == {"a", "b"}
    assert ticket.model_dump()["fields"]["s"] == {"a", "b"}
    assert hr.Ticket.model_validate_json(ticket.model_dump_json()).fields["s"] == ["a", "b"]


# -- 3. ordered collections refuse a set -------------------------------------------------

WHY = "(a set's order changes with PYTHONHASHSEED, and the {0}' order with it)"


def _team(i: int) -> hr.Team:
    return hr.Team(id=f"team{i}", members=["a1"], tags={"VIP"})


def _rules() -> list[hr.RoutingRule]:
    from helpdesk_routing.conditions import ticket

    return [
        hr.RoutingRule(
            id=f"r{i}",
            name="",
            when=ticket("channel") == "sms",
            then=hr.AssignToTeam(team=f"team{i}"),
        )
        for i in range(4)
    ]


def _router(**kwargs: object) -> hr.Router:
    return hr.Router(
        store=hr.InMemoryStore(agents=[hr.Agent(id="a1", role=hr.Role.OWNER)]),
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(NOW),
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("kind", [set, frozenset])
def test_ordered_collections_refuse_a_set(kind: type) -> None:
    name = kind.__name__
    cases = [
        ("rules", lambda: hr.RuleSet(rules=kind(_rules()))),
        ("rules", lambda: hr.RuleSet.from_dict({"rules": kind(_rules())})),
        (
            "teams",
            lambda: hr.Configuration(
                version=1,
                at=NOW,
                teams=kind(map(_team, range(4))),
            ),
        ),
        ("teams", lambda: _router(teams=kind(map(_team, range(4))))),
        ("teams", lambda: _router().configure(actor="a1", teams=kind(map(_team, range(4))))),
        ("members", lambda: hr.Team(id="x", members=kind({"a1", "a2", "a3"}))),
        ("skills", lambda: Conversation(id="c", channel="webchat", skills=kind({"a", "b"}))),
    ]
    for field, make in cases:
        with pytest.raises(hr.ValidationError) as caught:
            make()
        said = f"{field} takes a list or a tuple, not a {name} {WHY.format(field)}"
        assert [(d.path, d.message, d.code) for d in caught.value.details] == [
            (f"$.{field}", said, "unordered_set")
        ]


def test_ordered_collections_take_lists_and_tuples() -> None:
    assert [r.id for r in hr.RuleSet(rules=tuple(_rules())).rules] == ["r0", "r1", "r2", "r3"]
    router = _router(teams=[_team(2), _team(0)])
    assert [t.id for t in router.configuration.teams] == ["team2", "team0"]
    assert hr.Team(id="x", members=("b", "a")).members == ("b", "a")
    assert Conversation(id="c", channel="webchat", skills=["b", "a"]).skills == ("b", "a")


def test_an_events_properties_are_stored_by_the_sql_stores_with_sets_sorted() -> None:
    """SQLite and PostgreSQL write an event's properties with ``properties_json``: a set
    inside them as a sorted list, as the models write it."""
    from helpdesk_routing.model import Event
    from helpdesk_routing.stores._sql_customer_data import properties_json

    words = [f"w{i:02}" for i in range(12)]
    event = Event(
        profile_id="p1",
        metric="m",
        timestamp=datetime(2026, 3, 30, tzinfo=UTC),
        properties={"s": frozenset(words)},
    )
    assert properties_json(event) == '{"s":[' + ",".join(f'"{w}"' for w in words) + "]}"


@pytest.mark.parametrize("kind", [set, frozenset])
def test_decide_refuses_a_set_of_teams(kind: type) -> None:
    """``decide`` tries the teams' memberships in the order given: a set's order, and so
    the team a ticket went to, changed from process to process."""
    teams = kind(hr.Team(id=f"team{i}", members=("a1",), tags=frozenset({"VIP"})) for i in range(4))
    ticket = hr.Ticket(id="t", channel="sms", created_at=NOW, tags={"VIP"})
    with pytest.raises(hr.ArgumentTypeError) as raised:
        hr.decide(hr.RuleSet(), teams, ticket, hr.InMemoryCustomerData(), NOW)
    assert str(raised.value).startswith(f"teams takes a list or a tuple, not a {kind.__name__}")
    as_list = sorted(teams, key=lambda t: t.id)
    decided = hr.decide(hr.RuleSet(), as_list, ticket, hr.InMemoryCustomerData(), NOW)
    assert decided.team == "team0"
