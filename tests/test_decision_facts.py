"""A stored decision keeps the facts it was made from: read back, it equals the one made
and explains the same; read from outside, its facts are checked before it explains."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import helpdesk_routing as hr
from helpdesk_routing._fact_codec import read_each, read_evaluated
from helpdesk_routing.conditions import Condition, all_of, any_of, not_, profile, segment, ticket
from helpdesk_routing.decision import _RECORDED, RoutingDecision
from helpdesk_routing.errors import ArgumentTypeError, ValidationError
from helpdesk_routing.model import Profile, Ticket
from helpdesk_routing.rules import RoutingRule, RuleSet, SaveAsView, decide
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.ids import stable_id

NOW = datetime(2026, 3, 30, 9, tzinfo=UTC)
_VIEW = SaveAsView(view="v")


def _back(decision: RoutingDecision) -> RoutingDecision:
    return RoutingDecision.model_validate_json(decision.model_dump_json())


def _rules(*conditions: Condition) -> RuleSet:
    return RuleSet(
        rules=[RoutingRule(id=f"r{i}", when=c, then=_VIEW) for i, c in enumerate(conditions)]
    )


class _AsGiven(InMemoryCustomerData):
    """Customer data that hands out its profiles as given (an adapter may keep a tuple, a
    set or a date where the in-memory one keeps their JSON form)."""

    def __init__(self, found: Profile | None) -> None:
        super().__init__()
        self._found = found

    def profile(self, profile_id: str) -> Profile | None:
        return self._found


def test_a_ticket_datetime_seen_explains_the_same_read_back() -> None:
    """``created_at contains 'x'`` saw a datetime: read back, it is still one (it read
    as the text '2026-03-30T09:00:00Z' and lost the wrong-type reason)."""
    rules = _rules(ticket("created_at").contains("x"))
    decision = decide(
        rules, [], Ticket(id="t1", channel="sms", created_at=NOW), _AsGiven(None), NOW
    )
    line = (
        "✗ ticket.created_at contains 'x' — value seen: 2026-03-30T09:00:00+00:00 "
        "(wrong type: text needed, saw datetime)"
    )
    assert line in decision.explain()
    back = _back(decision)
    assert back == decision
    assert back.with_rules(rules).explain() == decision.explain()


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 3, 30, 9, tzinfo=ZoneInfo("Europe/Amsterdam")),
        datetime(2026, 3, 30, 9).isoformat(),  # no offset: the wrong type for a date test
        date(2026, 3, 1),
        ("a", "b"),
        ["a", ("b",)],
        frozenset({"b", "a"}),
        {"x", 3},
        {"a": [1.0, ("t",)], "b": {"c": date(2026, 1, 1)}},
        1.0,
        -0.0,
        2**63 - 1,
        -(2**63),
        [],
        (),
        {},
    ],
    ids=stable_id,
)
def test_every_kind_of_value_seen_explains_the_same_read_back(value: object) -> None:
    """A custom field of each kind a ticket can hold, tested by text, number and date
    tests, explains the same after a JSON round trip."""
    field = ticket("f")
    rules = _rules(
        field.contains("a"),
        field == "a",
        field.is_in([1, "b"]),
        field > 0,
        field.before(NOW),
        field.is_set(),
    )
    t = Ticket(id="t1", channel="sms", fields={"f": value}, created_at=NOW)
    decision = decide(rules, [], t, _AsGiven(None), NOW)
    back = _back(decision)
    assert back == decision
    assert back.with_rules(rules).explain() == decision.explain()


def test_a_set_in_a_custom_field_is_decided_as_the_list_a_store_gives_back() -> None:
    """A set in a custom field is decided in its stored form, a sorted list, as the
    Router decides it; a frozenset seen (the tags) stays one (``saw frozenset``, not
    ``saw list``), written sorted."""
    rules = _rules(ticket("f") > 0)
    t = Ticket(id="t1", channel="sms", fields={"f": {"b", "a"}}, created_at=NOW)
    decision = decide(rules, [], t, _AsGiven(None), NOW)
    assert "['a', 'b'] (wrong type: number needed, saw list)" in (
        _back(decision).with_rules(rules).explain()
    )
    rules = _rules(ticket("tags") > 0)
    t = Ticket(id="t1", channel="sms", tags={"b", "a"}, created_at=NOW)
    decision = decide(rules, [], t, _AsGiven(None), NOW)
    assert "(wrong type: number needed, saw frozenset)" in (
        _back(decision).with_rules(rules).explain()
    )
    assert json.loads(decision.model_dump_json())["evaluated"][0][4] == {"frozenset": ["a", "b"]}


def test_a_stored_decision_explains_the_same_through_the_router_on_sqlite(
    tmp_path: Path,
) -> None:
    """The reviewer's case: a decision the Router stored in SQLite, read back by
    router.ticket(), explains as the decision the route returned."""
    from helpdesk_routing.stores.sqlite import SqliteStore

    agents = [hr.Agent(id="a1")]
    rules = RuleSet(
        rules=[
            RoutingRule(id="r1", when=ticket("channel") == "sms", then=hr.AssignToTeam(team="a")),
            RoutingRule(id="r2", when=ticket("created_at").contains("x"), then=_VIEW),
        ]
    )
    router = hr.Router(
        rules=rules,
        teams=[hr.Team(id="a", members=["a1"])],
        store=SqliteStore(str(tmp_path / "x.db"), agents=agents),
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(NOW),
    )
    decision = router.route(Ticket(id="t1", channel="sms", created_at=NOW))
    stored = router.ticket("t1").decision
    assert stored is not None
    assert stored.explain() == decision.explain()
    assert "saw datetime" in stored.explain()


_INT = st.one_of(st.integers(-(2**63), 2**63 - 1), st.sampled_from([0, 1, -1, 2**63 - 1]))
_FLOAT = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from([1.0, -0.0, 1e16])
_TEXT = st.text(alphabet="abcxé😀'\"\\", max_size=6)
_DATETIME = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2040, 1, 1),
    # Aware only: the models refuse a naive datetime in custom values.
    timezones=st.sampled_from([UTC, ZoneInfo("Europe/Amsterdam"), timezone(timedelta(hours=-3))]),
)
_SCALARS = st.one_of(st.none(), st.booleans(), _INT, _FLOAT, _TEXT, _DATETIME, st.dates())
_HASHABLE = st.one_of(st.booleans(), _INT, _TEXT, st.dates())
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.sets(_HASHABLE, max_size=4),
        st.frozensets(_HASHABLE, max_size=4),
        st.dictionaries(_TEXT, inner, max_size=3),
    ),
    max_leaves=8,
)
"""Every kind of value a ticket's custom field or a profile's property can hold."""


def _leaves(field: Any) -> list[st.SearchStrategy[Condition]]:
    texts = st.sampled_from(["a", "b", "abc", "2026"])
    return [
        texts.map(field.contains),
        texts.map(field.starts_with),
        texts.map(lambda x: field == x),
        st.sampled_from([1, 1.5, True]).map(lambda x: field == x),
        st.lists(st.sampled_from(["a", "b", 1, 2.5]), min_size=1, max_size=2).map(field.is_in),
        st.sampled_from([0, 2.5]).map(lambda x: field > x),
        st.just(field.between(0, 10)),
        st.just(field.before(NOW)),
        st.just(field.in_last(days=30)),
        st.just(field.is_set()),
        st.just(field.is_not_set()),
    ]


_LEAF = st.one_of(
    *_leaves(ticket("f")),
    *_leaves(ticket("g")),
    *_leaves(ticket("created_at")),
    *_leaves(ticket("tags")),
    *_leaves(profile("p")),
    *_leaves(profile("q")),
    st.sampled_from(["vip", "other"]).map(segment),
)
_CONDITION = st.recursive(
    _LEAF,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda cs: all_of(*cs)),
        st.lists(inner, min_size=1, max_size=3).map(lambda cs: any_of(*cs)),
        inner.map(not_),
    ),
    max_leaves=5,
)


@settings(max_examples=300, deadline=None)
@given(
    conditions=st.lists(_CONDITION, min_size=1, max_size=5),
    fields=st.dictionaries(st.sampled_from(["f", "g"]), _VALUES),
    properties=st.dictionaries(st.sampled_from(["p", "q"]), _VALUES),
    tags=st.frozensets(st.sampled_from(["a", "b", "abc", "Order"])),
    segments=st.frozensets(st.sampled_from(["vip", "other", "x"])),
    has_profile=st.booleans(),
    as_given=st.booleans(),
)
def test_any_decision_read_back_equals_it_and_explains_the_same(
    conditions: list[Condition],
    fields: dict[str, Any],
    properties: dict[str, Any],
    tags: frozenset[str],
    segments: frozenset[str],
    has_profile: bool,
    as_given: bool,
) -> None:
    """decision -> JSON -> back: equal, the same JSON, and rebound to its rules it explains
    word for word as the decision decide() returned (profiles as an adapter gives them,
    or as the in-memory one keeps them)."""
    rules = _rules(*conditions)
    found = Profile(id="p1", properties=properties, segments=segments) if has_profile else None
    data = _AsGiven(found) if as_given else InMemoryCustomerData(profiles=[found] if found else [])
    t = Ticket(id="t1", channel="sms", tags=tags, fields=fields, profile_id="p1", created_at=NOW)
    decision = decide(rules, [], t, data, NOW)
    text = decision.model_dump_json()
    back = RoutingDecision.model_validate_json(text)
    assert back == decision
    assert back.model_dump_json() == text
    assert back.with_rules(rules).explain() == decision.explain()
    assert RoutingDecision.model_validate(decision.model_dump()) == decision
    # The reader's fast path (checks in C over all entries) is the entry-by-entry one.
    stored = tuple(tuple(entry) for entry in json.loads(text)["evaluated"])
    assert read_evaluated(stored, True, _RECORDED) == read_each(stored, True, _RECORDED)


_SEED_SCRIPT = """
import sys
from datetime import UTC, date, datetime
import helpdesk_routing as hr
from helpdesk_routing.conditions import profile, ticket
now = datetime(2026, 3, 30, 9, tzinfo=UTC)
rules = hr.RuleSet(rules=[
    hr.RoutingRule(id="r1", when=ticket("tags").contains("b"), then=hr.SaveAsView(view="v")),
    hr.RoutingRule(id="r2", when=ticket("f").contains("x"), then=hr.SaveAsView(view="v")),
    hr.RoutingRule(id="r3", when=profile("p") == "x", then=hr.SaveAsView(view="v")),
])
t = hr.Ticket(id="t", channel="sms", tags={"a", "b", "c", "d", "e", "f"}, created_at=now,
              profile_id="p", fields={"f": [{"k", "l", "m", "n"}, frozenset({"o", "p", "q"})]})
data = hr.InMemoryCustomerData(profiles=[hr.Profile(
    id="p", segments={"s1", "s2", "s3", "s4"}, properties={"p": ["u", "v"]})])
d = hr.decide(rules, [], t, data, now)
if sys.argv[1] == "dump":
    sys.stdout.write(d.model_dump_json() + "\\n" + d.explain())
else:
    text, explained = sys.stdin.read().split("\\n", 1)
    back = hr.RoutingDecision.model_validate_json(text)
    print(back == d, back.model_dump_json() == text == d.model_dump_json(),
          back.with_rules(rules).explain() == explained == d.explain())
"""


def test_a_decision_is_the_same_under_any_hash_seed() -> None:
    """Dumped under one PYTHONHASHSEED and read under another, a decision with tags,
    segments and sets is equal, dumps the same JSON text and explains the same (sets were
    written in iteration order, which the hash seed decides)."""

    def run(seed: str, *args: str, given: str | None = None) -> str:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _SEED_SCRIPT, *args],
            input=given,
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return done.stdout

    dumped = run("1", "dump")
    assert run("2", "dump") == dumped
    assert run("3", "load", given=dumped).split() == ["True", "True", "True"]


_BASE: dict[str, Any] = {"ticket_id": "t", "at": "2026-03-30T09:00:00Z"}


@pytest.mark.parametrize(
    ("fields", "path", "message"),
    [
        (
            {"evaluated": [[]]},
            "$.evaluated[0]",
            "an evaluated rule is [rule id, outcome, then number, held, seen per test]",
        ),
        (
            {"evaluated": [["r1", "applied", 0, True]]},
            "$.evaluated[0]",
            "an evaluated rule is [rule id, outcome, then number, held, seen per test]",
        ),
        (
            {"evaluated": [["r1", "bogus", 0, True, "sms"]]},
            "$.evaluated[0][1]",
            "an evaluated rule's outcome is one of applied, not_matched, shadowed",
        ),
        (
            {"evaluated": [["r1", "skipped", 0, True, "sms"]]},
            "$.evaluated[0][1]",
            "an evaluated rule's outcome is one of applied, not_matched, shadowed",
        ),
        (
            {"evaluated": [[5, "applied", 0, True, "x"]]},
            "$.evaluated[0][0]",
            "a rule id is non-empty text",
        ),
        (
            {"evaluated": [["r1", "not_matched", 0, "yes", "x"]]},
            "$.evaluated[0][3]",
            "whether a test held is true or false",
        ),
        (
            {"evaluated": [["r1", "not_matched", 1, True, "x", 0, False, "y"]]},
            "$.evaluated[0][5]",
            "a test's number is a whole number above the one before",
        ),
        (
            {"evaluated": [["r1", "not_matched", True, True, "x"]]},
            "$.evaluated[0][2]",
            "a test's number is a whole number above the one before",
        ),
        (
            {"evaluated": [["r1", "applied", 0, True, "sms"], ["r1", "not_matched", 0, False, 1]]},
            "$.evaluated[1][0]",
            "rule 'r1' is listed twice",
        ),
        *(
            (
                {"evaluated": [["r1", "not_matched", 0, False, stored]]},
                "$.evaluated[0][4]",
                "a value seen of a kind JSON lacks is an object of one key naming it (tuple, "
                "set, frozenset, dict, datetime, date or float) and its stored form: " + said,
            )
            # what is wrong with each, not only the shape it already has
            for stored, said in (
                (
                    {"datetime": "soon"},
                    "a stored datetime is ISO 8601 text of a moment that exists, with its "
                    "offset, got 'soon'",
                ),
                (
                    {"datetime": "2026-03-30T09:00:00"},
                    "a stored datetime is ISO 8601 text of a moment that exists, with its "
                    "offset, got '2026-03-30T09:00:00'",
                ),
                (
                    {"date": "2026-02-30"},
                    "a stored date is ISO 8601 text of a day that exists (YYYY-MM-DD), got "
                    "'2026-02-30'",
                ),
                (
                    {"float": 1.5},
                    "a stored float is the text of a float JSON lacks: 'nan', 'inf' or "
                    "'-inf', got 1.5",
                ),
                (
                    {"set": [[1]]},
                    "a stored set is an array of values a set can hold (no array nor object "
                    "among them), got [[1]]",
                ),
                ({"tuple": "ab"}, "a stored tuple is an array, got 'ab'"),
            )
        ),
        (
            {"explained": False, "evaluated": [["r1", "not_matched"]]},
            "$.evaluated[0][1]",
            "an evaluated rule's outcome is one of applied, shadowed",
        ),
        (
            {"explained": False, "evaluated": [["r1", "applied", 0, True, "x"]]},
            "$.evaluated[0]",
            "an evaluated rule is [rule id, outcome, nothing more]",
        ),
        (
            {"evaluated": [["r1", "applied", 0, True, "sms"]], "presented": [5]},
            "$.presented",
            "presented is [channel, tags, segments or null, then property, value pairs]",
        ),
        ({"presented": [5, [], None]}, "$.presented[0]", "a channel is text"),
        ({"presented": ["sms", 5, None]}, "$.presented[1]", "tags are a list of texts"),
        ({"presented": ["sms", [], [3]]}, "$.presented[2]", "segments are a list of texts"),
        ({"presented": ["sms", [], None, 3, "x"]}, "$.presented[3]", "a property name is text"),
        ({"decided_by": "rule"}, "$.decided_by", "a decision by a rule names its team and rule_id"),
        (
            {"decided_by": "team_tag", "team": "a"},
            "$.decided_by",
            "a decision by team_tag names its team and membership",
        ),
    ],
)
def test_a_malformed_decision_is_refused_at_its_json_path(
    fields: dict[str, Any], path: str, message: str
) -> None:
    """Read from outside, a decision whose facts are not of their shape is a
    ValidationError at the bad part (explain() crashed or rendered nonsense)."""
    for load in (
        lambda: RoutingDecision.model_validate(_BASE | fields),
        lambda: RoutingDecision.model_validate_json(json.dumps(_BASE | fields)),
    ):
        with pytest.raises(ValidationError) as caught:
            load()
        assert [(d.path, d.message) for d in caught.value.details] == [(path, message)]


def test_a_value_nested_too_deep_is_refused_not_a_recursion_error() -> None:
    """A value seen nested deeper than stored values may be is refused."""
    deep: Any = "x"
    for _ in range(150):
        deep = [deep]
    with pytest.raises(ValidationError, match="nests deeper than 100 levels"):
        RoutingDecision.model_validate(_BASE | {"evaluated": [["r1", "applied", 0, True, deep]]})


def test_facts_that_do_not_fit_the_bound_rule_are_refused_at_rendering() -> None:
    """Facts of a shape that do not fit the rule of the bound set (a leaf it does not
    have, an outcome its facts contradict) raise the library's ValidationError (a
    ValueError), as a missing rule does: ``except hr.RoutingError`` catches each."""
    rules = _rules(ticket("channel") == "sms")
    stray = RoutingDecision.model_validate(_BASE | {"evaluated": [["r0", "applied", 7, True, "x"]]})
    with pytest.raises(hr.RoutingError):
        stray.with_rules(rules).explain()
    missing = RoutingDecision.model_validate(
        _BASE | {"evaluated": [["gone", "applied", 0, True, "sms"]]}
    )
    with pytest.raises(hr.ValidationError, match=r"names rules this rule set does not have"):
        missing.with_rules(rules).explain()
    with pytest.raises(
        ValidationError, match=r"^decision for ticket 't' records facts that do not fit rule 'r0' "
    ):
        stray.with_rules(rules).explain()
    contradicted = RoutingDecision.model_validate(
        _BASE | {"evaluated": [["r0", "not_matched", 0, True, "sms"]]}
    )
    with pytest.raises(
        ValidationError,
        match=r"^decision for ticket 't' records rule 'r0' as not matched, but its facts say "
        r"its condition held$",
    ):
        contradicted.with_rules(rules).explain()


def test_a_plain_object_seen_as_earlier_versions_stored_it_reads_as_a_dict() -> None:
    """Before values seen kept their kind, a dict seen was stored as a plain object: such
    a record still loads, the object read as a dict (and is stored the new way)."""
    stored = _BASE | {"evaluated": [["r1", "not_matched", 0, False, {"a": [1], "b": "c"}]]}
    d = RoutingDecision.model_validate_json(json.dumps(stored))
    assert d.evaluated[0][4] == {"a": [1], "b": "c"}
    assert json.loads(d.model_dump_json())["evaluated"][0][4] == {"dict": {"a": [1], "b": "c"}}


def test_a_decision_given_in_python_keeps_values_json_lacks() -> None:
    """model_validate of Python values takes a tuple, a set or a date as it is."""
    seen = (frozenset({"a"}), date(2026, 1, 1))
    d = RoutingDecision.model_validate(_BASE | {"evaluated": [["r0", "applied", 0, True, seen]]})
    assert d.evaluated[0][4] == seen


@pytest.mark.parametrize("given", [[], "x", {"rules": []}, None, RuleSet, 5])
def test_with_rules_refuses_anything_but_a_rule_set(given: object) -> None:
    """with_rules of a list, text, a dict, None or the class is an ArgumentTypeError
    naming the argument (explain() raised AttributeError; None left it unbound)."""
    decision = decide(
        _rules(ticket("channel") == "sms"),
        [],
        Ticket(id="t", channel="sms", created_at=NOW),
        InMemoryCustomerData(),
        NOW,
    )
    with pytest.raises(ArgumentTypeError, match=r"^rules must be a RuleSet, got \w+$"):
        decision.with_rules(given)  # type: ignore[arg-type]


_EXPLAIN_RULES = RuleSet(
    rules=[
        RoutingRule(
            id="urgent",
            name="Urgent order mod",
            when=hr.conditions.event("Placed Order").at_least(1).in_last(hours=2),
            then=SaveAsView(view="Urgent changes"),
        ),
        RoutingRule(
            id="french",
            name="French speakers",
            when=profile("$country") == "France",
            then=hr.AssignToTeam(team="france"),
        ),
    ]
)
_NAIVE = "2026-03-30T09:00:00"
_STORED: dict[str, Any] = {
    "ticket_id": "t1",
    "at": "2026-03-30T09:00:00Z",
    "team": "france",
    "views": [],
    "rule_id": "french",
    "decided_by": "rule",
    "membership": None,
    "evaluated": [["urgent", "not_matched", 0, False, 0], ["french", "applied", 0, True, "France"]],
    "presented": ["email", [], [], "$country", "France"],
    "explained": True,
    "configuration_version": 3,
    "assignee": None,
    "allocation": None,
}


def test_the_stored_decision_of_the_docs_reads_back_and_binds() -> None:
    """The shape the tests below spoil, read back as it is (the control)."""
    back = RoutingDecision.model_validate_json(json.dumps(_STORED))
    assert "✓ profile.$country equals 'France' — value seen: 'France'" in (
        back.with_rules(_EXPLAIN_RULES).explain()
    )


def test_without_what_the_ticket_presented_the_facts_are_shown_as_recorded() -> None:
    """A decision read without ``presented`` (optional in input) does not say "no
    profile" of a test whose recorded value held: it said ``✓ profile.$country equals
    'France' — no profile: not set``."""
    back = RoutingDecision.model_validate_json(json.dumps({**_STORED, "presented": []}))
    text = back.with_rules(_EXPLAIN_RULES).explain()
    assert "✓ profile.$country equals 'France' — value seen: 'France'" in text
    assert "no profile" not in text


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (
            {"evaluated": [["french", "applied", 0, True, {"datetime": "2026-03-30T09:00:00"}]]},
            None,
        ),
        ({"evaluated": [["french", "applied", 0, True, {"datetime": "2026-03-30"}]]}, None),
    ],
)
def test_facts_an_explained_decision_cannot_have_are_refused_when_read(
    change: dict[str, Any], path: str | None
) -> None:
    """An explained decision without what the ticket presented (the shape of an
    unexplained one), and a stored date-time without its offset (read as a naive value),
    are refused at their path: ``explain()`` said a test held on a value "not set", or
    "of the wrong type"."""
    with pytest.raises(ValidationError) as info:
        RoutingDecision.model_validate_json(json.dumps({**_STORED, **change}))
    where = path or "$.evaluated[0][4]"
    assert [d.path for d in info.value.details] == [where]


@pytest.mark.parametrize("count", ["many", -3, 1.5, True, None, {"float": "nan"}])
def test_an_event_leaf_records_a_count_or_its_facts_do_not_fit(count: object) -> None:
    """The count an event leaf found is a whole number of at least 0: anything else was
    rendered as one (``found many in ...``, ``found at least True``); binding refuses it
    as facts that do not fit the rule."""
    stored = json.loads(json.dumps(_STORED))
    stored["evaluated"][0][4] = count
    back = RoutingDecision.model_validate_json(json.dumps(stored))
    with pytest.raises(ValidationError, match=r"records facts that do not fit rule 'urgent'"):
        back.with_rules(_EXPLAIN_RULES).explain()


def test_a_decisions_chosen_rule_must_have_chosen_in_the_bound_rule_set() -> None:
    """docs/explain.md: with_rules refuses a rule set the decision does not fit. One
    edited since with the same rule ids (another team), or a decision whose rule_id names
    a rule it records nowhere, was explained with a rule that did not choose the team."""
    teams = [hr.Team(id="t1", members=["a1"]), hr.Team(id="t2", members=["a1"])]

    def rule(rule_id: str, channel: str, team: str) -> RoutingRule:
        return RoutingRule(
            id=rule_id, when=ticket("channel") == channel, then=hr.AssignToTeam(team=team)
        )

    old = RuleSet(rules=[rule("sms", "sms", "t1"), rule("em", "email", "t2")])
    edited = RuleSet(rules=[rule("sms", "sms", "t2"), rule("em", "email", "t1")])
    made = decide(
        old, teams, Ticket(id="k", channel="sms", created_at=NOW), InMemoryCustomerData(), NOW
    )
    back = RoutingDecision.model_validate_json(made.model_dump_json())
    assert "team 't1' chosen by rule 'sms'" in back.with_rules(old).explain()
    with pytest.raises(
        ValidationError,
        match=r"^decision for ticket 'k' says rule 'sms' chose team 't1', but in this rule "
        r"set that rule goes to team:t2: bind the rule set that decided$",
    ):
        back.with_rules(edited).explain()
    data = json.loads(made.model_dump_json())
    for rule_id, said in (("em", "records no outcome for it"), ("x", "records no outcome")):
        wrong = RoutingDecision.model_validate(data | {"rule_id": rule_id})
        with pytest.raises(
            ValidationError, match=f"says rule '{rule_id}' chose team 't1', but {said}"
        ):
            wrong.with_rules(old).explain()
    fast = decide(
        old,
        teams,
        Ticket(id="k", channel="sms", created_at=NOW),
        InMemoryCustomerData(),
        NOW,
        explain=False,
    )
    with pytest.raises(ValidationError, match="that rule goes to team:t2"):
        fast.with_rules(edited).explain()  # without explanation, alike
    # a decision recording no rule (stored by an earlier version, unexplained) explains
    # its outcome fields only: the rule it names must still be the set's and choose so
    legacy = RoutingDecision.model_validate(data | {"evaluated": [], "explained": False})
    assert "team 't1' chosen by rule 'sms'" in legacy.with_rules(old).explain()
    with pytest.raises(ValidationError, match="that rule goes to team:t2"):
        legacy.with_rules(edited).explain()
    ghost = RoutingDecision.model_validate(
        data | {"evaluated": [], "explained": False, "rule_id": "ghost"}
    )
    with pytest.raises(ValidationError, match="names rules this rule set does not have: 'ghost'"):
        ghost.with_rules(old).explain()
    # one that says it is explained and records no rule is checked as any explained one
    hollow = RoutingDecision.model_validate(data | {"evaluated": []})
    with pytest.raises(ValidationError, match="but records no outcome for it"):
        hollow.with_rules(old).explain()
