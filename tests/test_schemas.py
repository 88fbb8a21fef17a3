"""The JSON Schemas come from the models and agree with them: jsonschema (Draft 2020-12)
and pydantic accept and reject the same documents."""

from __future__ import annotations

import json
import re
from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

import helpdesk_routing as hr
from helpdesk_routing.calendar import OfficeHours
from helpdesk_routing.conditions import parse_condition
from helpdesk_routing.conditions.nodes import MAX_COUNT, TimeUnit, max_amount
from helpdesk_routing.configuration import Configuration
from helpdesk_routing.errors import ValidationError
from helpdesk_routing.model import Team
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.schemas import SCHEMA_NAMES, UnknownSchema, json_schema
from tests.conditions.strategies import conditions as valid_conditions

_VALIDATORS = {name: Draft202012Validator(json_schema(name)) for name in SCHEMA_NAMES}


def _schema_accepts(name: str, doc: Any) -> bool:
    return bool(_VALIDATORS[name].is_valid(doc))


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_schema_is_a_valid_draft_2020_12_schema(name: str) -> None:
    """Each schema passes the Draft 2020-12 meta-schema and declares its dialect."""
    schema = json_schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_ref_resolves_and_every_definition_is_used(name: str) -> None:
    """A tool that compiles or lists a schema's definitions meets none that points
    nowhere (the team and office-hours schemas carried a ``Condition`` whose seven
    ``$ref``s named definitions they did not have) and none left unused."""
    schema = json_schema(name)
    text = json.dumps(schema)
    refs = set(re.findall(r'"\$ref": "#/\$defs/([^"]+)"', text))
    defined = set(schema.get("$defs", {}))
    assert refs - defined == set()
    assert defined - refs == set()
    assert '"$ref"' not in text or refs  # every $ref is a local definition's


def test_unknown_schema_name_is_a_key_error_naming_the_known_ones() -> None:
    """An unknown name raises KeyError listing the names, unquoted (KeyError's own str
    would wrap the message in quotes)."""
    with pytest.raises(KeyError, match=r"^unknown schema 'rules': one of condition, rule-set"):
        json_schema("rules")


def test_unknown_schema_name_is_the_librarys_error_too() -> None:
    """``except hr.RoutingError`` catches an unknown name as every other error of the
    library; the error keeps the name asked for."""
    with pytest.raises(hr.RoutingError) as caught:
        json_schema("rules")
    assert isinstance(caught.value, UnknownSchema)
    assert caught.value.name == "rules"


@pytest.mark.parametrize("name", [None, 3, ["condition"], b"condition"])
def test_a_schema_name_that_is_not_text_is_a_type_error_naming_it(name: object) -> None:
    """Not text: the library's TypeError naming the value, not a bare ``unhashable``
    error or an unknown-name error for a name that merely looks like one."""
    with pytest.raises(hr.ArgumentTypeError, match=r"^a schema name is text, got "):
        json_schema(name)  # type: ignore[arg-type]


def test_a_bad_node_is_reported_at_its_own_path() -> None:
    """The condition union dispatches on type: the best error points into the bad node,
    not at the group that holds it."""
    doc = {
        "type": "all",
        "conditions": [
            {"type": "segment", "segment": "vip"},
            {"type": "profile", "property": "p", "op": "greater_than", "value": "x"},
        ],
    }
    error = best_match(_VALIDATORS["condition"].iter_errors(doc))
    assert error is not None
    assert list(error.absolute_path) == ["conditions", 1, "value"]


@pytest.mark.parametrize(
    "doc",
    [
        {"type": "ticket", "field": "a\x00", "op": "is_set"},
        {"type": "ticket", "field": "subject", "op": "contains", "value": "x\x00"},
        {"type": "ticket", "field": "channel", "op": "in", "value": ["sms", "\x00"]},
        {"type": "profile", "property": "\x00p", "op": "is_set"},
        {"type": "profile", "property": "p", "op": "equals", "value": "x\x00"},
        {"type": "event", "metric": "orders\x00"},
        {
            "type": "event",
            "metric": "orders",
            "where": [{"property": "p", "op": "equals", "value": "\x00"}],
        },
        {"type": "segment", "segment": "v\x00ip"},
    ],
)
def test_nul_in_a_conditions_text_is_refused_by_the_schema_as_by_the_parser(doc: Any) -> None:
    """Text with NUL in a condition's names or values is refused by the schema, as
    parse_condition refuses it (the schema accepted it)."""
    assert not _pydantic_accepts_condition(doc)
    assert not _schema_accepts("condition", doc)
    clean = json.loads(json.dumps(doc).replace("\\u0000", ""))
    assert _pydantic_accepts_condition(clean)
    assert _schema_accepts("condition", clean)
    rules = {
        "rules": [
            {"id": "r", "name": "R", "when": doc, "then": {"type": "save_as_view", "view": "v"}}
        ]
    }
    assert not _schema_accepts("rule-set", rules)


_RULE: dict[str, Any] = {
    "id": "r",
    "name": "R",
    "when": {"type": "segment", "segment": "v"},
    "then": {"type": "save_as_view", "view": "v"},
}
_AT = "2026-03-30T00:00:00Z"


def _document_accepted(name: str, doc: Any) -> bool:
    load = {
        "rule-set": RuleSet.from_dict,
        "team": Team.model_validate,
        "configuration": Configuration.model_validate,
        "office-hours": OfficeHours.from_dict,
    }[name]
    try:
        load(doc)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    ("name", "doc"),
    [
        ("rule-set", {"rules": [{**_RULE, "id": "a\x00"}]}),
        ("rule-set", {"rules": [{**_RULE, "name": "a\x00"}]}),
        ("rule-set", {"rules": [{**_RULE, "then": {"type": "save_as_view", "view": "v\x00"}}]}),
        ("rule-set", {"rules": [{**_RULE, "then": {"type": "assign_to_team", "team": "t\x00"}}]}),
        ("team", {"id": "a\x00", "members": ["a"]}),
        ("team", {"id": "t", "members": ["a\x00"]}),
        ("team", {"id": "t", "members": ["a"], "tags": ["a\x00"]}),
        ("team", {"id": "t", "name": "a\x00", "members": ["a"]}),
        ("configuration", {"version": 1, "at": _AT, "office_hours_channels": ["a\x00"]}),
        ("configuration", {"version": 1, "at": _AT, "actor": "a\x00"}),
        ("configuration", {"version": 1, "at": _AT, "comment": "a\x00"}),
        ("configuration", {"version": 1, "at": _AT, "teams": [{"id": "t\x00", "members": ["a"]}]}),
    ],
)
def test_nul_in_any_documents_text_is_refused_by_its_schema_as_by_its_model(
    name: str, doc: Any
) -> None:
    """Text with NUL outside a condition (a rule's id or view, a team's members, a
    configuration's actor) was accepted by the schemas and refused by the models."""
    assert not _document_accepted(name, doc)
    assert not _schema_accepts(name, doc)
    clean = json.loads(json.dumps(doc).replace("\\u0000", ""))
    assert _document_accepted(name, clean)
    assert _schema_accepts(name, clean)


@pytest.mark.parametrize(
    ("name", "doc"),
    [
        ("condition", {"type": "ticket", "field": "created_at", "op": "before", "value": _AT}),
        ("configuration", {"version": 1, "at": _AT}),
        (
            "office-hours",
            {
                "timezone": "UTC",
                "weekly": {"mon": [["09:00", "17:00"]]},
                "holidays": ["2026-12-25"],
            },
        ),
    ],
)
def test_a_final_newline_after_a_patterned_text_is_refused_by_the_schema(
    name: str, doc: dict[str, Any]
) -> None:
    """``"2026-03-30T00:00:00Z\\n"``, ``"09:00\\n"``, ``"2026-12-25\\n"``: jsonschema
    searches patterns with Python's ``re``, whose ``$`` also matches before a final
    newline, so the schemas took texts the models refuse."""
    assert _schema_accepts(name, doc)
    text = json.dumps(doc)
    for value in re.findall(r'"([0-9][0-9:T\-Z]+)"', text):
        bad = json.loads(text.replace(f'"{value}"', json.dumps(value + "\n"), 1))
        assert not _schema_accepts(name, bad), value
        if name == "condition":
            assert not _pydantic_accepts_condition(bad)
        else:
            assert not _document_accepted(name, bad), value


def test_the_schemas_own_text_holds_no_nul() -> None:
    """The NUL rule is written as the escape, so the schema's own text holds no NUL."""
    schema = json_schema("condition")
    assert "\x00" not in json.dumps(schema, ensure_ascii=False)
    segment = schema["$defs"]["SegmentCondition"]["properties"]["segment"]
    assert segment["pattern"] == "^[^\\u0000]*$"


# -- generated documents: valid and invalid ---------------------------------------------

_date_times = st.sampled_from(
    [
        "2026-03-30T12:00:00+00:00",
        "2026-03-30T12:00:00Z",
        "2026-03-30T12:00:00.5+02:00",
        "2026-03-30 12:00+01:00",
        "2026-03-30T12:00:00",  # naive: refused by both
        "yesterday",
        "0001-01-01T00:00:00+00:00",
    ]
)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=5),
    st.sampled_from([0.5, -2.25]),
    st.sampled_from(["", "a", "sms", "s\x00ms"]),
)
_units = st.sampled_from([*(u.value for u in TimeUnit), "years"])
_amounts = st.one_of(
    st.integers(min_value=-1, max_value=3),
    st.sampled_from([max_amount(u) + d for u in TimeUnit for d in (0, 1)]),
    st.just("2"),
)


def _maybe(options: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with any subset of ``options`` and now and then an unknown member."""
    extra = st.sampled_from([{}, {}, {}, {"surprise": 1}])
    return st.builds(lambda d, e: {**d, **e}, st.fixed_dictionaries({}, optional=options), extra)


_spans = _maybe({"amount": _amounts, "unit": _units})
_values = st.one_of(
    _scalars,
    _date_times,
    _spans,
    st.lists(_scalars, max_size=3),
    st.lists(st.integers(-3, 3), min_size=2, max_size=2).map(sorted),
    st.lists(_date_times.filter(lambda t: t.endswith("+00:00")), min_size=2, max_size=2).map(
        sorted
    ),
)
_ops = st.sampled_from(
    [
        "equals",
        "not_equals",
        "contains",
        "not_contains",
        "starts_with",
        "ends_with",
        "is_set",
        "is_not_set",
        "in",
        "not_in",
        "greater_than",
        "greater_or_equal",
        "less_than",
        "less_or_equal",
        "between",
        "before",
        "after",
        "in_last",
        "in_next",
        "matches",
    ]
)
_names = st.sampled_from(["p", "", "$country", "p\x00"])


def _test(kind: str, key: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda d: {"type": kind, **d} if kind else d,
        _maybe({key: _names, "op": _ops, "value": _values}),
    )


_windows = st.one_of(
    st.builds(lambda d: {"type": "in_last", **d}, _spans),
    st.builds(lambda d: {"type": "all_time", **d}, _maybe({})),
    st.builds(lambda d: {"type": "since", **d}, _maybe({"start": _date_times})),
    st.builds(lambda d: {"type": "after", **d}, _maybe({"start": _date_times})),
    st.builds(lambda d: {"type": "before", **d}, _maybe({"end": _date_times})),
    st.builds(lambda d: {"type": "someday", **d}, _maybe({"end": _date_times})),
)
_counts = _maybe(
    {
        "op": st.sampled_from(["at_least", "at_most", "exactly", "zero", "many"]),
        "value": st.one_of(
            st.none(),
            st.integers(min_value=-1, max_value=3),
            st.sampled_from([MAX_COUNT, MAX_COUNT + 1, 1.5, "1", True]),
        ),
    }
)
_leaves = st.one_of(
    valid_conditions.map(lambda c: c.model_dump(mode="json", by_alias=True)),
    _test("ticket", "field"),
    _test("profile", "property"),
    st.builds(
        lambda d: {"type": "event", **d},
        _maybe(
            {
                "metric": _names,
                "count": _counts,
                "window": _windows,
                "where": st.lists(_test("", "property"), max_size=2),
            }
        ),
    ),
    st.builds(
        lambda d: {"type": "segment", **d},
        _maybe({"segment": _names, "member": st.one_of(st.booleans(), st.just("false"))}),
    ),
    st.just({"type": "unknown"}),
    st.just({"field": "channel", "op": "equals", "value": "sms"}),
)


def _groups(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(lambda cs: {"type": "all", "conditions": cs}, st.lists(children, max_size=3)),
        st.builds(lambda cs: {"type": "any", "conditions": cs}, st.lists(children, max_size=3)),
        st.builds(lambda c: {"type": "not", "condition": c}, children),
        st.builds(lambda c: {"type": "not", "conditions": [c]}, children),
    )


condition_documents = st.recursive(_leaves, _groups, max_leaves=6)


def _pydantic_accepts_condition(doc: Any) -> bool:
    try:
        parse_condition(doc)
    except ValidationError:
        return False
    return True


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(condition_documents)
def test_condition_schema_agrees_with_the_models(doc: Any) -> None:
    """A generated condition (valid or not) is accepted by the schema exactly when
    parse_condition accepts it."""
    doc = json.loads(json.dumps(doc))
    assert _schema_accepts("condition", doc) == _pydantic_accepts_condition(doc), doc


_clock = st.sampled_from(["09:00", "17:00", "24:00", "00:00", "9:00", "25:00", "12:60"])
_window_pairs = st.lists(_clock, min_size=1, max_size=3).map(lambda w: w[:2] if len(w) > 1 else w)
_days = st.sampled_from(["mon", "tue", "sat", "someday"])
_dates = st.sampled_from(["2026-12-25", "2026-12-24", "2026-13-01", "25-12-2026"])
office_hours_documents = _maybe(
    {
        "timezone": st.sampled_from(
            ["Europe/Amsterdam", "UTC", "US/Eastern", "localtime", "Factory", "Mars/Base"]
        ),
        "weekly": st.dictionaries(_days, st.lists(_window_pairs, max_size=1), max_size=2),
        "holidays": st.lists(_dates, max_size=2),
        "exceptions": st.dictionaries(_dates, st.lists(_window_pairs, max_size=1), max_size=1),
    }
)


def _office_hours_beyond_schema(doc: dict[str, Any]) -> bool:
    """Documents breaking a rule only the model checks: a bad calendar date, a date both
    holiday and exception, overlapping windows (at most one window a day is generated)."""
    dates = [*doc.get("holidays", []), *doc.get("exceptions", {})]
    if any(d == "2026-13-01" for d in dates if isinstance(d, str)):
        return True
    return bool(set(doc.get("holidays", [])) & set(doc.get("exceptions", {})))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(office_hours_documents)
def test_office_hours_schema_agrees_with_the_model(doc: dict[str, Any]) -> None:
    """A generated office-hours document is accepted by the schema exactly when the model
    accepts it (outside the few rules only the model can check)."""
    if _office_hours_beyond_schema(doc):
        return
    try:
        OfficeHours.from_dict(doc)
        accepted = True
    except ValidationError:
        accepted = False
    assert _schema_accepts("office-hours", doc) == accepted, doc


team_documents = _maybe(
    {
        "id": st.sampled_from(["t", ""]),
        "name": st.sampled_from(["Team", 3]),
        "members": st.lists(st.sampled_from(["a1", "a2", "", 7]), max_size=3),
        "tags": st.lists(st.sampled_from(["Order", "Order", None]), max_size=3),
        "segments": st.one_of(st.lists(st.just("vip"), max_size=2), st.just("vip")),
    }
)


@settings(max_examples=300)
@given(team_documents)
def test_team_schema_agrees_with_the_model(doc: dict[str, Any]) -> None:
    """A generated team document is accepted by the schema exactly when Team accepts it
    (repeated tags collapse in both; a member listed twice is refused by both)."""
    try:
        Team.model_validate(doc)
        accepted = True
    except pydantic.ValidationError:
        accepted = False
    assert _schema_accepts("team", doc) == accepted, doc


rule_set_documents = _maybe(
    {
        "rules": st.lists(
            _maybe(
                {
                    "id": st.sampled_from(["r1", "r2", ""]),
                    "name": st.just("R"),
                    "when": condition_documents,
                    "then": st.sampled_from(
                        [
                            {"type": "save_as_view", "view": "v"},
                            {"type": "assign_to_team", "team": "t"},
                            {"type": "assign_to_team"},
                            {"type": "elsewhere"},
                        ]
                    ),
                    "enabled": st.booleans(),
                }
            ),
            max_size=2,
        )
    }
)


def _rule_set_beyond_schema(doc: dict[str, Any]) -> bool:
    """Rule sets breaking a rule only the model checks: repeated ids, empty groups."""
    rules = doc.get("rules", [])
    ids = [r.get("id") for r in rules if isinstance(r, dict) and "id" in r]
    text = json.dumps(doc)
    return len(ids) != len(set(ids)) or '"conditions": []' in text


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(rule_set_documents)
def test_rule_set_schema_agrees_with_the_model(doc: dict[str, Any]) -> None:
    """A generated rule set is accepted by the schema exactly when RuleSet.from_dict
    accepts it (outside repeated ids and empty groups, which only the model checks)."""
    if _rule_set_beyond_schema(doc):
        return
    try:
        RuleSet.from_dict(doc)
        accepted = True
    except ValidationError:
        accepted = False
    assert _schema_accepts("rule-set", doc) == accepted, doc


configuration_documents = _maybe(
    {
        "version": st.sampled_from([1, 2, 0, -1, "1", 1.5, True]),
        # Text only: the models also read a number as a Unix timestamp, which the schema
        # (a date-time string) does not describe.
        "at": st.sampled_from(["2026-03-30T09:00:00Z", "2026-03-30T09:00:00", "soon"]),
        "actor": st.sampled_from(["m1", None, 4]),
        "comment": st.sampled_from(["night shift", None, ["x"]]),
        "round_robin": st.sampled_from([True, False, "false", 0, None]),
        "capacity": st.sampled_from([None, 0, 3, -1, "3", 2.5, False]),
        "allocator": st.sampled_from(["round_robin", "least_loaded", "pooled", None]),
        "office_hours_channels": st.sampled_from(
            [["webchat"], [], "webchat", [1], ["webchat", ""], [""]]
        ),
        "teams": st.lists(st.just({"id": "t", "members": ["a1"]}), max_size=1),
        "rules": st.sampled_from([{"rules": []}, {"rules": "none"}, []]),
    }
)


@settings(max_examples=300)
@given(configuration_documents)
def test_configuration_schema_agrees_with_the_model(doc: dict[str, Any]) -> None:
    """A generated configuration document is accepted by the schema exactly when
    Configuration accepts it (strict bools and integers in both)."""
    try:
        Configuration.model_validate_json(json.dumps(doc))
        accepted = True
    except pydantic.ValidationError:
        accepted = False
    assert _schema_accepts("configuration", doc) == accepted, doc


@pytest.mark.parametrize("channels", [[""], ["webchat", ""]])
def test_an_empty_bound_channel_is_refused_by_the_configuration_schema_as_by_the_model(
    channels: list[str],
) -> None:
    doc = {"version": 1, "at": "2026-03-30T09:00:00Z", "office_hours_channels": channels}
    assert not _schema_accepts("configuration", doc)
    with pytest.raises(pydantic.ValidationError):
        Configuration.model_validate_json(json.dumps(doc))
    assert _schema_accepts("configuration", {**doc, "office_hours_channels": ["webchat"]})


def _model_accepts(doc: Any) -> bool:
    try:
        parse_condition(doc)
    except ValidationError:
        return False
    return True


_OVER_A_SPAN = {"amount": max_amount(TimeUnit.MONTHS) + 1, "unit": "months"}
_AT_A_SPAN = {"amount": max_amount(TimeUnit.MONTHS), "unit": "months"}
_T1, _T2 = "2026-03-30T12:00:00Z", "2026-03-31T12:00:00Z"


@pytest.mark.parametrize(
    ("doc", "accepted"),
    [
        # an in_last / in_next value is bounded per unit, as an event window is
        ({"type": "profile", "property": "p", "op": "in_last", "value": _OVER_A_SPAN}, False),
        ({"type": "profile", "property": "p", "op": "in_next", "value": _AT_A_SPAN}, True),
        # a window names its type (the models read the tag to choose)
        ({"type": "event", "metric": "m", "window": {}}, False),
        ({"type": "event", "metric": "m", "window": {"amount": 2, "unit": "hours"}}, False),
        ({"type": "event", "metric": "m", "window": {"end": _T1}}, False),
        (
            {
                "type": "event",
                "metric": "m",
                "window": {"type": "in_last", "amount": 2, "unit": "hours"},
            },
            True,
        ),
        # between takes two numbers or two date-times, never one of each
        ({"type": "profile", "property": "p", "op": "between", "value": [1, _T1]}, False),
        ({"type": "profile", "property": "p", "op": "between", "value": [1, 2]}, True),
        ({"type": "profile", "property": "p", "op": "between", "value": [_T1, _T2]}, True),
    ],
)
def test_the_schema_and_the_model_agree_where_they_did_not(doc: Any, accepted: bool) -> None:
    """Shapes a reviewer found the schema accepting and the model refusing: spans of an
    in_last value past their unit's bound, windows without a type, a mixed between."""
    assert _schema_accepts("condition", doc) is accepted
    assert _model_accepts(doc) is accepted


def test_a_destination_without_its_type_is_refused_by_the_rule_set_schema() -> None:
    """A rule's ``then`` names its type, in the schema as in the model."""
    rule = {"id": "r", "when": {"type": "segment", "segment": "v", "member": True}}
    assert not _schema_accepts("rule-set", {"rules": [{**rule, "then": {"team": "t"}}]})
    typed = {"rules": [{**rule, "then": {"type": "assign_to_team", "team": "t"}}]}
    assert _schema_accepts("rule-set", typed)
    assert RuleSet.from_dict(typed).rules[0].then.describe() == "team:t"


@pytest.mark.parametrize(
    "document",
    [
        {"version": 2.0, "at": "2026-03-30T09:00:00Z"},
        {"version": 1, "at": "2026-03-30T09:00:00Z", "capacity": 3.0},
        {"version": 1, "at": "2026-03-30T09:00:00Z", "teams": [{"id": "t", "members": ["a"]}] * 2},
    ],
)
def test_what_only_the_configuration_model_refuses_is_listed_in_the_schema(
    document: dict[str, Any],
) -> None:
    """The schema takes these and the model refuses them; the schema's ``$comment`` says
    so (it said only 'everything listed for its parts')."""
    schema = json_schema("configuration")
    assert not list(Draft202012Validator(schema).iter_errors(document))
    with pytest.raises(ValidationError):
        Configuration.model_validate_json(json.dumps(document))
    comment = schema["$comment"]
    assert "each team id listed once" in comment
    assert "version and capacity written as whole numbers" in comment


def _nodes(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        return [node, *(n for value in node.values() for n in _nodes(value))]
    if isinstance(node, list):
        return [n for value in node for n in _nodes(value)]
    return []


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_date_times_are_the_models_pattern_without_rfc_3339s_format(name: str) -> None:
    """An instant's schema is the pattern of the text the models read, with no
    ``"format": "date-time"``: RFC 3339's format is narrower (no ``+02``, no ``10:00Z``,
    no space for the ``T``), so a validator that asserts formats refused text every model
    accepts. Such text validates, and the model reads it."""
    nodes = _nodes(json_schema(name))
    assert not [n for n in nodes if n.get("format") == "date-time"]
    if name == "configuration":
        for at in ("2026-03-30T14:00:00+02", "2026-03-30T10:00Z", "2026-03-30 10:00:00+0200"):
            doc = {"version": 1, "at": at}
            assert _schema_accepts(name, doc), at
            Configuration.model_validate_json(json.dumps(doc))


def test_a_configuration_version_beyond_64_bits_is_refused_by_schema_and_model() -> None:
    """The schema bounds ``version`` as the models do (it took ``2**63``), and a
    ``Configuration`` built from Python refuses it too (it kept it, for no store to
    write)."""
    top = {"version": 2**63 - 1, "at": "2026-03-30T09:00:00Z"}
    assert _schema_accepts("configuration", top)
    assert Configuration.model_validate(top).version == 2**63 - 1
    beyond = {**top, "version": 2**63}
    assert not _schema_accepts("configuration", beyond)
    for build in (
        lambda: Configuration.model_validate(beyond),
        lambda: Configuration.model_validate_json(json.dumps(beyond)),
    ):
        with pytest.raises(ValidationError) as info:
            build()
        assert info.value.paths == ("$.version",)
