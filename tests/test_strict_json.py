"""RuleSet.from_json reads strict JSON: every malformed input is one ValidationError with a
path, and whatever it accepts round-trips."""

from __future__ import annotations

import json
from typing import Any

import pydantic
import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from helpdesk_routing._json import MAX_DEPTH, check_data, loads
from helpdesk_routing.errors import ValidationError
from helpdesk_routing.rules import RoutingRule, RuleSet, SaveAsView
from tests.conditions.strategies import conditions

SEGMENT = '{"type": "segment", "segment": "vip"}'
RULE = {"id": "r1", "name": "R", "when": {"type": "segment", "segment": "vip"}}


def _doc(when: str = SEGMENT) -> str:
    then = '{"type": "save_as_view", "view": "v"}'
    return f'{{"rules": [{{"id": "r1", "name": "R", "when": {when}, "then": {then}}}]}}'


def _error(text: str | bytes) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        RuleSet.from_json(text)
    assert info.value.message == "invalid rule set"
    return info.value


def test_invalid_utf8_bytes_are_a_validation_error() -> None:
    """Bytes that are not UTF-8 are refused at $, naming the offset."""
    error = _error(_doc().encode() + b"\xff")
    assert error.errors() == [
        {
            "path": "$",
            "code": "json_utf8",
            "message": f"not UTF-8: invalid byte at offset {len(_doc())}",
            "rule_id": None,
        }
    ]


def test_valid_utf8_bytes_are_read() -> None:
    """UTF-8 bytes (non-ASCII text included) are read like text."""
    text = _doc().replace('"R"', '"Équipe ☃"')
    assert RuleSet.from_json(text.encode()).rules[0].name == "Équipe ☃"


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "a\\udc00b"])
def test_lone_surrogate_escape_is_rejected_at_its_path(escape: str) -> None:
    """A lone surrogate escape in a value is refused at the value's path, with its rule id."""
    error = _error(_doc().replace('"R"', f'"{escape}"'))
    assert error.paths == ("$.rules[0].name",)
    assert error.errors()[0]["code"] == "json_surrogate"
    assert error.errors()[0]["rule_id"] == "r1"


def test_lone_surrogate_in_text_input_is_rejected() -> None:
    """A str argument holding a raw lone surrogate is refused like an escaped one."""
    error = _error(_doc().replace('"R"', '"\ud800"'))
    assert error.paths == ("$.rules[0].name",)


def test_lone_surrogate_in_a_key_is_rejected() -> None:
    """A key with a lone surrogate is refused at that key's path."""
    error = _error('{"rules": [], "\\ud800": 1}')
    assert error.errors()[0]["code"] == "json_surrogate"
    assert error.details[0].message.startswith("key: text with a lone surrogate")


def test_paired_surrogate_escape_is_accepted() -> None:
    """A surrogate pair escape (one emoji) is ordinary text."""
    assert RuleSet.from_json(_doc().replace('"R"', '"\\ud83d\\ude00"')).rules[0].name == "😀"


def test_duplicate_key_is_rejected_at_its_path() -> None:
    """A key given twice in one object is refused at the second one, never last-wins."""
    text = _doc().replace('"name": "R"', '"name": "R", "name": "S"')
    error = _error(text)
    assert error.errors() == [
        {
            "path": "$.rules[0].name",
            "code": "json_duplicate_key",
            "message": "rule 'r1': duplicate key 'name'",
            "rule_id": "r1",
        }
    ]


def test_duplicate_key_nested_in_a_condition_is_rejected() -> None:
    """Duplicates inside a condition are found at their own path."""
    when = '{"type": "ticket", "field": "channel", "op": "equals", "value": "a", "value": "b"}'
    assert _error(_doc(when)).paths == ("$.rules[0].when.value",)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "-1e999"])
def test_non_finite_number_is_rejected(number: str) -> None:
    """NaN, Infinity and numbers that overflow to infinity are not JSON numbers."""
    when = f'{{"type": "ticket", "field": "n", "op": "equals", "value": {number}}}'
    error = _error(_doc(when))
    assert error.paths == ("$.rules[0].when.value",)
    assert error.details[0].message == f"rule 'r1': not a finite number: {number}"


def test_huge_integer_literal_is_rejected() -> None:
    """An integer of more than 4300 digits is a ValidationError at its path (it was named
    at ``$`` as "not JSON"), not a ValueError."""
    when = '{"type": "ticket", "field": "n", "op": "equals", "value": ' + "9" * 5000 + "}"
    error = _error(_doc(when))
    assert error.paths == ("$.rules[0].when.value",)
    assert error.errors()[0]["code"] == "json_number"
    assert error.errors()[0]["message"] == "rule 'r1': integer beyond signed 64 bits (5,000 digits)"
    negative = '{"type": "ticket", "field": "n", "op": "in", "value": [1, -' + "9" * 4301 + "]}"
    error = _error(_doc(negative))
    assert error.paths == ("$.rules[0].when.value[1]",)
    assert error.errors()[0]["message"] == "rule 'r1': integer beyond signed 64 bits (4,301 digits)"


def _nested(depth: int) -> str:
    # ``depth`` levels of ``not`` nodes around a leaf: each adds one object.
    leaf = '{"type": "segment", "segment": "vip"}'
    return '{"type": "not", "condition": ' * depth + leaf + "}" * depth


def test_nesting_at_the_limit_is_accepted_and_round_trips() -> None:
    """A document exactly MAX_DEPTH levels deep is read and written back unchanged."""
    # $ (1), rules (2), rule (3), then one level per node: the leaf is at level MAX_DEPTH.
    rules = RuleSet.from_json(_doc(_nested(MAX_DEPTH - 4)))
    assert RuleSet.from_json(rules.model_dump_json()) == rules


def test_nesting_past_the_limit_is_rejected_at_the_path() -> None:
    """One level deeper than MAX_DEPTH is refused, at the first object too deep."""
    error = _error(_doc(_nested(MAX_DEPTH - 3)))
    assert error.errors()[0]["code"] == "json_depth"
    assert error.paths[0].startswith("$.rules[0].when.condition.condition")
    assert error.details[0].message == f"rule 'r1': nested deeper than {MAX_DEPTH} levels"


def test_nesting_deeper_than_the_parser_allows_is_a_validation_error() -> None:
    """Input deep enough to exhaust the parser's recursion is a ValidationError at $."""
    error = _error("[" * 100_000 + "]" * 100_000)
    assert error.errors() == [
        {
            "path": "$",
            "code": "json_depth",
            "message": "nested deeper than 100 levels",
            "rule_id": None,
        }
    ]


def test_syntax_error_is_reported_at_the_root() -> None:
    """Text that is not JSON is reported at $ with the parser's reason and line."""
    error = _error('{"rules": [}')
    assert error.errors()[0]["code"] == "json_syntax"
    assert error.details[0].message.startswith("not JSON: ")


def test_from_dict_applies_the_same_rules() -> None:
    """from_dict refuses NaN, lone surrogates and excessive depth in Python data too."""
    with pytest.raises(ValidationError, match="not a finite number: nan"):
        RuleSet.from_dict({"rules": [{**RULE, "name": float("nan")}]})
    with pytest.raises(ValidationError, match="lone surrogate"):
        RuleSet.from_dict({"rules": [{**RULE, "name": "\udc80"}]})
    deep: Any = []
    for _ in range(MAX_DEPTH):
        deep = [deep]
    with pytest.raises(ValidationError, match="nested deeper than"):
        check_data(deep)


def test_validation_error_entries_fit_an_http_422_body() -> None:
    """errors() is a JSON-serialisable list of {path, code, message, rule_id}."""
    when = '{"type": "profile", "property": "p", "op": "greater_than"}'
    body = json.loads(json.dumps(_error(_doc(when)).errors()))
    assert body == [
        {
            "path": "$.rules[0].when.value",
            "code": "condition_value",
            "message": "rule 'r1': greater_than needs a number, got nothing",
            "rule_id": "r1",
        }
    ]


@settings(max_examples=150)
@given(st.lists(conditions, min_size=1, max_size=3))
def test_accepted_rule_sets_round_trip(whens: list[Any]) -> None:
    """Every rule set built from valid conditions is written and read back unchanged,
    from text and from bytes."""
    try:
        rules = RuleSet(
            rules=[
                RoutingRule(id=f"r{i}", name=f"R{i}", when=w, then=SaveAsView(view="v"))
                for i, w in enumerate(whens)
            ]
        )
    except pydantic.ValidationError:
        reject()  # an empty all/any group somewhere: a rule set refuses it
    text = rules.model_dump_json()
    assert RuleSet.from_json(text) == rules
    assert RuleSet.from_json(text.encode()) == rules
    assert RuleSet.from_json(RuleSet.from_json(text).model_dump_json()) == rules


_json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(alphabet=st.characters(codec=None), max_size=5),
)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=8,
)


@settings(max_examples=200)
@given(st.one_of(st.binary(max_size=60), st.text(max_size=60), _json_values.map(json.dumps)))
def test_any_input_is_accepted_and_round_trips_or_is_a_validation_error(text: Any) -> None:
    """Random bytes, text and JSON-ish documents (NaN, surrogates, anything) never raise
    anything but ValidationError; whatever is accepted round-trips."""
    try:
        rules = RuleSet.from_json(text)
    except ValidationError:
        return
    assert RuleSet.from_json(rules.model_dump_json()) == rules


@settings(max_examples=200)
@given(st.one_of(st.binary(max_size=40), st.text(max_size=40), _json_values.map(json.dumps)))
def test_loads_accepts_exactly_what_it_can_write_back(text: Any) -> None:
    """Whatever loads accepts is dumped by the standard library and read back equal."""
    try:
        data = loads(text)
    except ValidationError:
        return
    assert loads(json.dumps(data, allow_nan=False)) == data


@given(st.dictionaries(st.text(max_size=5), st.integers(-(2**63), 2**63 - 1), max_size=3))
def test_a_leading_byte_order_mark_is_ignored_in_bytes_and_text(document: dict[str, int]) -> None:
    """A file saved with a UTF-8 byte-order mark (some Windows editors, Excel) reads as
    the same document, as bytes and as the text read from it (RFC 8259 lets a parser
    ignore it)."""
    text = json.dumps(document)
    assert loads(b"\xef\xbb\xbf" + text.encode(), "doc") == document
    assert loads("\ufeff" + text, "doc") == document


@pytest.mark.parametrize(
    "given", [b"\xef\xbb\xbf\xef\xbb\xbf{}", b"{}\xef\xbb\xbf", "\ufeff\ufeff{}", "{}\ufeff"]
)
def test_a_byte_order_mark_anywhere_else_is_not_json(given: str | bytes) -> None:
    with pytest.raises(ValidationError, match=r"not JSON"):
        loads(given, "doc")


def test_a_scenario_read_from_a_file_with_a_byte_order_mark_is_the_same() -> None:
    """``Scenario.from_json`` of a file's text (what ``helpdesk-routing simulate`` gives it)
    reads a scenario saved with a byte-order mark."""
    from helpdesk_routing.simulation import Scenario

    text = Scenario.model_validate(
        {
            "arrivals": {"type": "poisson", "per_hour": 2},
            "agents": [{"id": "a1"}],
            "handling": {"type": "exponential", "mean_minutes": 5},
        }
    ).model_dump_json()
    assert Scenario.from_json("\ufeff" + text) == Scenario.from_json(text)


@pytest.mark.parametrize(
    ("when", "code"),
    [
        (
            '{"type": "profile", "property": "a", "op": "equals", "value": "x", "value": "y"}',
            "json_duplicate_key",
        ),
        (
            '{"type": "profile", "property": "a", "op": "equals", "value": "\\ud800"}',
            "json_surrogate",
        ),
        ('{"type": "profile", "property": "a", "op": "greater_than", "value": NaN}', "json_number"),
        ('{"type": "segment", "segment": "vip"', "json_syntax"),
    ],
    ids=["duplicate-key", "surrogate", "nan", "syntax"],
)
def test_parse_condition_reads_text_as_strictly_as_a_rule_set(when: str, code: str) -> None:
    """A condition's text is refused alike by ``parse_condition`` and inside a rule set,
    with the same code at the same path (a duplicate key was accepted by
    ``parse_condition``, the last value silently winning)."""
    from helpdesk_routing.conditions import parse_condition

    in_rule = _error(_doc(when)).errors()[0]
    with pytest.raises(ValidationError) as info:
        parse_condition(when)
    alone = info.value.errors()[0]
    assert alone["code"] == in_rule["code"] == code
    assert in_rule["path"] == "$" or str(in_rule["path"]).endswith(
        str(alone["path"]).removeprefix("$")
    )
    with pytest.raises(ValidationError):
        parse_condition(when.encode())


def test_parse_condition_ignores_a_byte_order_mark_as_a_rule_set_does() -> None:
    from helpdesk_routing.conditions import parse_condition

    assert parse_condition("\ufeff" + SEGMENT) == parse_condition(SEGMENT)
    assert parse_condition(b"\xef\xbb\xbf" + SEGMENT.encode()) == parse_condition(SEGMENT)
    assert RuleSet.from_json("\ufeff" + _doc()).rules[0].when == parse_condition(SEGMENT)


# The pydantic door (``model_validate_json``) holds JSON text to the same strict JSON as
# the loaders: pydantic's own parser let the last of two equal keys win, refused a leading
# byte-order mark and told a lone surrogate as "unexpected end of hex escape".
_RULE = (
    '{"id":"r1","when":{"type":"segment","segment":"vip"},'
    '"then":{"type":"save_as_view","view":"v"}}'
)


@pytest.mark.parametrize(
    ("model", "text", "path"),
    [
        ("RuleSet", '{"rules":[' + _RULE + '],"rules":[]}', "$.rules"),
        ("Conversation", '{"id":"c1","id":"c2","channel":"sms"}', "$.id"),
        (
            "ConversationEscalated",
            '{"conversation_id":"c1","conversation_id":"c2","channel":"w","reason":"other"}',
            "$.conversation_id",
        ),
        (
            "Ticket",
            '{"id":"t1","channel":"sms","channel":"email","created_at":"2026-03-30T10:00:00Z"}',
            "$.channel",
        ),
    ],
)
def test_model_validate_json_refuses_a_key_given_twice(model: str, text: str, path: str) -> None:
    import helpdesk_routing as hr
    from helpdesk_routing import events, handoff

    cls = {
        "RuleSet": RuleSet,
        "Conversation": handoff.Conversation,
        "ConversationEscalated": events.ConversationEscalated,
        "Ticket": hr.Ticket,
    }[model]
    with pytest.raises(hr.ModelValidationError) as refused:
        cls.model_validate_json(text)
    assert [(d.path, d.code) for d in refused.value.details] == [(path, "json_duplicate_key")]
    assert isinstance(refused.value, pydantic.ValidationError)


def test_model_validate_json_reads_past_a_byte_order_mark_and_names_a_lone_surrogate() -> None:
    import helpdesk_routing as hr

    text = '{"rules":[' + _RULE + "]}"
    plain = RuleSet.model_validate_json(text)
    assert RuleSet.model_validate_json("\ufeff" + text) == plain
    assert RuleSet.model_validate_json(b"\xef\xbb\xbf" + text.encode()) == plain
    with pytest.raises(hr.ModelValidationError, match=r"\$\.id: text with a lone surrogate"):
        hr.Agent.model_validate_json('{"id":"a\\ud800"}')


def test_a_stored_row_read_back_is_not_checked_again() -> None:
    """A store's own rows (context STORED) were checked when written: pydantic alone."""
    from helpdesk_routing._stored import STORED

    text = '{"rules":[' + _RULE + '],"rules":[]}'
    assert RuleSet.model_validate_json(text, context=STORED).rules == ()


_RULE = (
    '{"id":"r1","name":"n","when":{"type":"ticket","field":"channel","op":"equals",'
    '"value":"sms"},"then":{"type":"save_as_view","view":"v"}}'
)


@pytest.mark.parametrize(
    ("text", "path", "code"),
    [
        (
            _RULE.replace('"name":"n"', '"name":"n","name":"m"'),
            "$.rules[0].name",
            "json_duplicate_key",
        ),
        (_RULE.replace('"value":"sms"', '"value":NaN'), "$.rules[0].when.value", "json_number"),
        (
            _RULE.replace('"value":"sms"', '"value":"\\ud800"'),
            "$.rules[0].when.value",
            "json_surrogate",
        ),
    ],
)
def test_a_rule_sets_strict_json_problem_names_the_rule_by_either_door(
    text: str, path: str, code: str
) -> None:
    """``RuleSet.model_validate_json`` names the rule of a strict-JSON problem by its id,
    as ``from_json`` does (docs/errors.md: a rule set's errors carry the rule id)."""
    document = '{"rules":[' + text + "]}"
    for door in (RuleSet.from_json, RuleSet.model_validate_json):
        with pytest.raises(ValidationError) as refused:
            door(document)
        [detail] = refused.value.details
        assert (detail.path, detail.code, detail.rule_id) == (path, code, "r1")
