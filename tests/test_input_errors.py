"""A model's bad input raises ``ModelValidationError``: this library's ``ValidationError``
(a ``RoutingError``, with JSON paths) and pydantic's ``ValidationError`` at once.

Only direct calls are wrapped (``Model(...)``, ``model_validate``, ``model_validate_json``,
``model_validate_strings``); a model validated as a part of another one, or through a
``TypeAdapter``, fails with pydantic's plain error as before, so web frameworks see what
they always saw.
"""

from __future__ import annotations

import json
import pickle
import sys
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pydantic
import pydantic_core
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import helpdesk_routing as hr
from helpdesk_routing import handoff, simulation
from helpdesk_routing._input import InputModel
from helpdesk_routing.errors import ModelNaiveDatetimeError, ModelValidationError
from helpdesk_routing.events import ConversationEscalated

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)

# (model, bad input, JSON path of the problem)
BAD: list[tuple[type[pydantic.BaseModel], dict[str, Any], str]] = [
    (hr.Ticket, {"id": "", "channel": "sms", "created_at": T0}, "$.id"),
    (hr.Profile, {"id": "p1", "segments": 3}, "$.segments"),
    (hr.Event, {"profile_id": "p1", "metric": "m", "timestamp": "soon"}, "$.timestamp"),
    (hr.Agent, {"id": "a1", "role": "boss"}, "$.role"),
    (hr.Team, {"id": "t", "members": []}, "$.members"),
    (hr.RoutingRule, {"id": "r", "when": {"type": "ticket"}, "then": {}}, "$.when"),
    (hr.OfficeHours, {"timezone": "Mars/Olympus"}, "$.timezone"),
    (handoff.Conversation, {"id": "c1", "channel": "sms", "email": "nope"}, "$.email"),
    (ConversationEscalated, {"conversation_id": "c1", "tag": "x"}, "$.channel"),
    (simulation.Scenario, {"name": "s", "days": -1}, "$.days"),
]


def _raised(call: Any) -> BaseException:
    with pytest.raises(ValueError) as caught:  # noqa: PT011 - every error here is one
        call()
    return caught.value


@pytest.mark.parametrize(("model", "data", "path"), BAD, ids=[m.__name__ for m, _, _ in BAD])
def test_every_door_raises_one_error_of_both_kinds(
    model: type[pydantic.BaseModel], data: dict[str, Any], path: str
) -> None:
    text = json.dumps(data, default=str)
    doors = [
        lambda: model(**data),
        lambda: model.model_validate(data),
        lambda: model.model_validate_json(text),
    ]
    for door in doors:
        error = _raised(door)
        assert type(error) in (ModelValidationError, ModelNaiveDatetimeError)
        assert isinstance(error, hr.ValidationError)
        assert isinstance(error, hr.RoutingError)
        assert isinstance(error, pydantic.ValidationError)
        assert isinstance(error, ValueError)
        assert any(p.startswith(path) for p in error.paths), (error.paths, path)
        assert error.title == model.__name__
        assert str(error).startswith(f"{error.error_count()} validation error")
        assert f"{path}" in str(error)


def test_validating_strings_is_wrapped_too() -> None:
    error = _raised(lambda: hr.Agent.model_validate_strings({"id": "a1", "role": "boss"}))
    assert isinstance(error, ModelValidationError)
    assert error.paths == ("$.role",)


def test_errors_answer_both_contracts() -> None:
    error = _raised(lambda: hr.Ticket(id="", channel="", created_at=T0))
    assert isinstance(error, ModelValidationError)
    entries = error.errors()
    assert [e["loc"] for e in entries] == [("id",), ("channel",)]
    assert [e["type"] for e in entries] == ["string_too_short", "string_too_short"]
    assert all("url" in e and e["input"] == "" for e in entries)
    assert [e["path"] for e in entries] == ["$.id", "$.channel"]
    assert [e["code"] for e in entries] == ["string_too_short", "string_too_short"]
    assert all(e["message"] == e["msg"] and e["rule_id"] is None for e in entries)
    assert "url" not in error.errors(include_url=False)[0]
    assert error.error_count() == 2
    assert json.loads(error.json())[0]["loc"] == ["id"]
    assert error.message == "2 validation errors for Ticket"
    assert error.paths == ("$.id", "$.channel")
    assert "ModelValidationError" in repr(error)
    assert "$.id" in repr(error)


def test_a_rule_set_built_directly_reports_what_its_loader_reports() -> None:
    document = {
        "rules": [
            {
                "id": "big-spenders",
                "when": {"type": "profile", "property": "ltv", "op": "greater_than"},
                "then": {"type": "assign_to_team", "team": "vip"},
            }
        ]
    }
    with pytest.raises(hr.ValidationError) as loaded:
        hr.RuleSet.from_dict(document)
    direct = _raised(lambda: hr.RuleSet.model_validate(document))
    from_text = _raised(lambda: hr.RuleSet.model_validate_json(json.dumps(document)))
    assert isinstance(direct, ModelValidationError)
    assert isinstance(from_text, ModelValidationError)
    assert direct.details == from_text.details == loaded.value.details
    (detail,) = direct.details
    assert detail.path == "$.rules[0].when.value"
    assert detail.rule_id == "big-spenders"
    assert direct.errors()[0]["loc"] == ("rules", 0, "when", "profile", "value")


def test_a_naive_instant_is_a_naive_datetime_error() -> None:
    error = _raised(lambda: hr.Ticket(id="t", channel="sms", created_at=datetime(2026, 1, 1)))
    assert isinstance(error, hr.NaiveDatetimeError)
    assert isinstance(error, pydantic.ValidationError)
    assert error.paths == ("$.created_at",)
    # With another problem beside it, it is not only a naive datetime.
    mixed = _raised(lambda: hr.Ticket(id="", channel="sms", created_at=datetime(2026, 1, 1)))
    assert type(mixed) is ModelValidationError
    assert not isinstance(mixed, hr.NaiveDatetimeError)


def test_nested_and_adapter_validation_keep_pydantics_plain_error() -> None:
    class Body(pydantic.BaseModel):
        ticket: hr.Ticket

    nested = _raised(lambda: Body(ticket={"id": "", "channel": "sms", "created_at": T0}))
    assert type(nested) is pydantic.ValidationError
    assert nested.errors()[0]["loc"] == ("ticket", "id")
    adapted = _raised(
        lambda: pydantic.TypeAdapter(hr.Ticket).validate_python(
            {"id": "", "channel": "sms", "created_at": T0}
        )
    )
    assert type(adapted) is pydantic.ValidationError
    # A team inside a configuration: the outer call wraps, at the nested path.
    outer = _raised(lambda: hr.Configuration(version=1, at=T0, teams=[{"id": "t", "members": []}]))
    assert isinstance(outer, ModelValidationError)
    assert outer.paths == ("$.teams[0].members",)


def test_every_model_keeps_pydantics_own_validator_path() -> None:
    """The wrapping ``__init__`` is marked as pydantic's own: nested validation never
    calls it (pydantic would otherwise run every nested model through ``__init__``)."""
    models = [m for m in _subclasses(InputModel) if m.__module__.startswith("helpdesk_routing")]
    assert len(models) >= 40
    for model in models:
        assert model.__pydantic_custom_init__ is False, model


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_subclasses(sub))
    return out


def test_the_error_survives_pickling() -> None:
    error = _raised(lambda: hr.RuleSet.model_validate({"rules": [{"id": "r"}]}))
    assert isinstance(error, ModelValidationError)
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is ModelValidationError
    assert again.details == error.details
    assert again.errors(include_url=False) == error.errors(include_url=False)
    assert str(again) == str(error)
    naive = _raised(lambda: hr.Event(profile_id="p", metric="m", timestamp=datetime(2026, 1, 1)))
    assert type(pickle.loads(pickle.dumps(naive))) is ModelNaiveDatetimeError


def test_the_package_names_it() -> None:
    assert hr.ModelValidationError is ModelValidationError
    assert issubclass(hr.ModelValidationError, hr.ValidationError)
    assert issubclass(hr.ModelValidationError, pydantic.ValidationError)


def test_valid_input_is_unchanged() -> None:
    ticket = hr.Ticket(id="t1", channel="sms", created_at=T0, tags={"Order"})
    assert hr.Ticket.model_validate_json(ticket.model_dump_json()) == ticket
    assert hr.Ticket.model_validate(ticket.model_dump()) == ticket


_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.text(max_size=4),
    st.lists(st.text(max_size=2), max_size=2),
    st.datetimes(timezones=st.none() | st.just(UTC)),
)


@settings(max_examples=150, deadline=None)
@given(
    data=st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(
            ("id", "channel", "created_at", "tags", "status", "priority", "fields"), _values
        ),
    )
)
def test_the_wrapped_error_holds_exactly_pydantics_errors(data: dict[str, Any]) -> None:
    """Whatever the input, a direct call fails exactly when pydantic's validator does,
    with the same errors (location, type, message, and input in its JSON form, so the
    entries can be an HTTP 422 body), each at its JSON path."""
    try:
        native = hr.Ticket.__pydantic_validator__.validate_python(data)
    except pydantic.ValidationError as error:
        expected = error.errors(include_url=False, include_context=False)
    else:
        assert hr.Ticket.model_validate(data) == native
        return
    wrapped = _raised(lambda: hr.Ticket.model_validate(data))
    assert isinstance(wrapped, ModelValidationError)
    got = wrapped.errors(include_url=False, include_context=False)
    expected = [
        {**e, "input": pydantic_core.to_jsonable_python(e["input"], fallback=repr)}
        for e in expected
    ]
    assert [{k: e[k] for k in ("type", "loc", "msg", "input")} for e in got] == expected
    json.dumps(got)
    assert list(wrapped.paths) == [hr.errors.json_path(e["loc"]) for e in expected]


def test_a_model_built_inside_a_validator_is_reported_by_the_outer_call() -> None:
    """A direct call inside another model's validator raises the wrapped error; pydantic
    takes its problems into the outer model's error, which is the one that surfaces."""

    class Outer(pydantic.BaseModel):
        n: int

        @pydantic.field_validator("n")
        @classmethod
        def _ticket(cls, n: int) -> int:
            hr.Ticket(id="", channel="sms", created_at=T0)
            return n

    error = _raised(lambda: Outer(n=1))
    assert type(error) is pydantic.ValidationError
    assert error.errors()[0]["type"] == "string_too_short"


# Methods that take a model take a mapping of its fields too, and refuse anything else
# with this library's error before anything is stored.


def _desk() -> tuple[hr.Router, hr.InMemoryStore, handoff.Handoff]:
    store = hr.InMemoryStore(agents=[hr.Agent(id="a1"), hr.Agent(id="m1", role="manager")])
    data = hr.InMemoryCustomerData()
    clock = hr.ManualClock(T0)
    router = hr.Router(
        rules=hr.RuleSet(rules=[]), teams=[], store=store, customer_data=data, clock=clock
    )
    h = handoff.Handoff(
        settings=handoff.SendToHelpdesk(helpdesk="builtin"),
        router=router,
        ledger=handoff.InMemoryLedger(),
        customer_data=data,
        clock=clock,
    )
    return router, store, h


def _everything(store: hr.InMemoryStore) -> tuple[Any, ...]:
    with store.transaction() as tx:
        return (
            tx.audit(),
            [a.model_dump() for a in tx.agents()],
            [r.model_dump() for r in tx.find_tickets(hr.TicketQuery(statuses=None))],
        )


TICKET = {"id": "t1", "channel": "sms", "created_at": T0.isoformat(), "tags": ["Order"]}

# (name, call with the given value, a valid mapping, a bad mapping, its JSON path)
DOORS: list[tuple[str, Any, dict[str, Any], dict[str, Any], str]] = [
    (
        "route",
        lambda r, h, v: r.route(v),
        TICKET,
        {**TICKET, "created_at": "soon"},
        "$.created_at",
    ),
    (
        "reroute",
        lambda r, h, v: (r.route({**TICKET, "id": "t9"}), r.reroute("t9", actor="m1", ticket=v)),
        {**TICKET, "id": "t9", "subject": "new"},
        {**TICKET, "id": "t9", "tags": 3},
        "$.tags",
    ),
    (
        "add_agent",
        lambda r, h, v: r.add_agent(v, actor="m1"),
        {"id": "a2", "name": "Bo"},
        {"id": "a2", "role": "boss"},
        "$.role",
    ),
    (
        "update_agent",
        lambda r, h, v: r.update_agent(v, actor="m1"),
        {"id": "a1", "name": "Ann"},
        {"id": "a1", "capacity": -1},
        "$.capacity",
    ),
    (
        "Handoff.request",
        lambda r, h, v: h.request(v, reason="knowledge_gap"),
        {"id": "c1", "channel": "sms", "email": "ann@example.com"},
        {"id": "c1", "channel": "sms", "email": "ann at example"},
        "$.email",
    ),
]


@pytest.mark.parametrize(("name", "call", "good", "bad", "path"), DOORS, ids=[d[0] for d in DOORS])
def test_a_method_taking_a_model_takes_its_fields(
    name: str, call: Any, good: dict[str, Any], bad: dict[str, Any], path: str
) -> None:
    """A mapping of the fields does what the model does; a bad one raises the model's
    error with its JSON path, and any other value this library's error naming the
    argument; neither stores anything."""
    kinds = {"route": hr.Ticket, "reroute": hr.Ticket, "Handoff.request": handoff.Conversation}
    model = kinds.get(name, hr.Agent)
    with_model, store_a, h_a = _desk()
    with_fields, store_b, h_b = _desk()
    from_model = call(with_model, h_a, model.model_validate(good))
    from_fields = call(with_fields, h_b, good)
    assert from_fields == from_model
    assert _everything(store_b) == _everything(store_a)

    router, store, h = _desk()
    if name == "reroute":
        router.route({**TICKET, "id": "t9"})
    before = _everything(store)
    error = _raised(lambda: call(router, h, bad))
    assert isinstance(error, ModelValidationError)
    assert path in error.paths
    wrong = _raised(lambda: call(router, h, ["not", "a", "mapping"]))
    assert type(wrong) is hr.ValidationError
    argument = {"add_agent": "agent", "update_agent": "agent"}.get(name)
    argument = argument or ("conversation" if name == "Handoff.request" else "ticket")
    article = "an" if model.__name__[0] in "AEIOU" else "a"  # an Agent, a Ticket
    assert str(wrong) == (
        f"{argument} must be {article} {model.__name__} or a mapping of its fields, got list"
    )
    assert _everything(store) == before


@pytest.mark.parametrize(
    ("loc", "data", "code", "path"),
    [
        (
            ("handling", "lognormal", "sigma"),
            {"handling": {"type": "lognormal", "sigma": -1}},
            "gt",
            "$.handling.sigma",
        ),
        (("per_hour", "float"), {"per_hour": {"mon": 1}}, "float_type", "$.per_hour"),
        (("per_hour", "float"), {"per_hour": "x"}, "float_parsing", "$.per_hour"),
        (("a", 1, "b"), {"a": [{}, {"b": 3}]}, "int_type", "$.a[1].b"),
        (("a", "replay", "tickets"), {"a": {"type": "replay"}}, "missing", "$.a.tickets"),
        (("a", 5, "b"), {"a": [1]}, "int_type", "$.a[5].b"),
        (("t", "id"), {"t": hr.Agent(id="a1")}, "string_type", "$.t.id"),
        (("x",), None, "missing", "$.x"),
        # a condition's value its operator needs, left out: named as a missing field is
        (
            ("when", "ticket", "value"),
            {"when": {"type": "ticket", "field": "channel", "op": "equals"}},
            "condition_value",
            "$.when.value",
        ),
        # a window's own check below its tag stays at the window
        (
            ("window", "between"),
            {"window": {"type": "between", "start": 2, "end": 1}},
            "condition_value",
            "$.window",
        ),
    ],
)
def test_an_input_path_follows_the_input(loc: Any, data: Any, code: str, path: str) -> None:
    """A location is followed through the input: union labels leave, a missing field's
    name stays, and where the location leaves the input the rest is kept."""
    assert hr.errors.input_path(loc, data, code) == path


def test_a_custom_error_named_as_a_built_in_one_is_wrapped_after_the_built_in() -> None:
    """A custom error may reuse a built-in type's name without its context (the
    simulator reports a Ticket's own "string_too_short" at a scenario's path). Once the
    built-in one had been wrapped, the custom one was rebuilt as built-in and raised
    TypeError ('min_length' required in context): the full suite's order found it."""
    from pydantic_core import InitErrorDetails, PydanticCustomError
    from pydantic_core import ValidationError as CoreError

    from helpdesk_routing.errors import ModelValidationError

    with pytest.raises(pydantic.ValidationError) as built_in:
        pydantic.TypeAdapter(hr.Ticket).validate_python(
            {"id": "", "channel": "email", "created_at": "2026-01-01T00:00:00Z"}
        )
    assert ModelValidationError.of(built_in.value).paths == ("$.id",)
    custom = CoreError.from_exception_data(
        "Scenario",
        [
            InitErrorDetails(
                type=PydanticCustomError("string_too_short", "too short here"),
                loc=("mix", "channels", ""),
                input="",
            )
        ],
    )
    wrapped = ModelValidationError.of(custom)
    assert wrapped.errors()[0]["msg"] == "too short here"
    assert wrapped.paths == ('$.mix.channels[""]',)


def test_a_model_built_directly_names_the_value_its_operator_needs() -> None:
    """A condition without the value its operator needs, in a rule built directly or
    from its own JSON, is named at that value, as parse_condition names it (the path
    stopped at ``$.when``)."""
    when = {"type": "all", "conditions": [{"type": "ticket", "field": "channel", "op": "in"}]}
    then = hr.SaveAsView(view="v")
    with pytest.raises(hr.ValidationError) as built:
        hr.RoutingRule(id="r", when=when, then=then)
    assert built.value.paths == ("$.when.conditions[0].value",)
    text = json.dumps({"id": "r", "when": when, "then": then.model_dump()})
    with pytest.raises(hr.ValidationError) as read:
        hr.RoutingRule.model_validate_json(text)
    assert read.value.paths == ("$.when.conditions[0].value",)


@pytest.mark.parametrize(
    ("model", "text"),
    [
        (
            hr.RuleSet,
            '{"rules":[{"id":"r1","when":'
            + '{"type":"not","condition":' * 1000
            + '{"type":"segment","segment":"vip"}'
            + "}" * 1000
            + ',"then":{"type":"save_as_view","view":"v"}}]}',
        ),
        (hr.OfficeHours, '{"x":' + "[" * 3000 + "]" * 3000 + "}"),
        (hr.Ticket, '{"id":"t","fields":' + "[" * 3000 + "]" * 3000 + "}"),
        (hr.Configuration, '{"x":' + "[" * 5000 + "]" * 5000 + "}"),
        (hr.Team, '{"x":' + "[" * 5000 + "]" * 5000 + "}"),
        (simulation.Scenario, '{"x":' + "[" * 5000 + "]" * 5000 + "}"),
    ],
    ids=["rule_set", "office_hours", "ticket", "configuration", "team", "scenario"],
)
def test_model_validate_json_of_text_nested_past_pythons_limit_is_a_validation_error(
    model: type[InputModel], text: str
) -> None:
    """Such text is refused as too deep, never with Python's RecursionError: by the strict
    JSON the pydantic door holds text to (as the loaders do), before pydantic's parser.
    Under Python's default recursion limit the parser gives up first: the error is at
    ``$``. Under a raised one (mypy's API leaves 16,384 behind) the text is parsed and
    the walk places the error where the nesting passes the library's limit."""
    for limit, placed in ((1000, "$"), (2**14, "$.")):
        before = sys.getrecursionlimit()
        sys.setrecursionlimit(limit)
        try:
            with pytest.raises(ModelValidationError) as info:
                model.model_validate_json(text)
        finally:
            sys.setrecursionlimit(before)
        ((path, code),) = [(d.path, d.code) for d in info.value.details]
        assert code == "json_depth"
        assert path == "$" if placed == "$" else path.startswith(placed)
        assert "nested deeper than" in info.value.details[0].message


def test_a_validators_own_message_reaches_the_user_without_pydantics_prefix() -> None:
    """A ValueError raised in a validator is reported with the validator's message (the
    library's ``details`` and ``str``), while pydantic's own ``msg`` keeps its prefix."""
    with pytest.raises(ModelValidationError) as info:
        hr.Ticket(id="t", channel="email", created_at=5)  # type: ignore[arg-type]
    (detail,) = info.value.details
    assert detail.code == "value_error"
    assert detail.message.startswith("must be an ISO 8601 date-time with a time zone")
    assert "Value error" not in str(info.value)
    (entry,) = info.value.errors()
    assert entry["message"] == detail.message
    assert entry["msg"] == "Value error, " + detail.message
    assert hr.errors.ErrorDetail("$", "Value error, x", "value_error").message == "x"
    assert hr.errors.ErrorDetail("$", "Value error, x").message == "Value error, x"


@pytest.mark.parametrize(
    ("build", "paths"),
    [
        (lambda: hr.Team(id="t", name="T", members=[5]), ["$.members[0]"]),
        (
            lambda: hr.Configuration.model_validate(
                {"version": 1, "at": "2026-01-01T00:00:00Z", "teams": [{"id": "t", "members": [5]}]}
            ),
            ["$.teams[0].members[0]"],
        ),
        (
            lambda: hr.Configuration.model_validate_json(
                '{"version": 1, "at": "2026-01-01T00:00:00Z",'
                ' "teams": [{"id": "t", "members": [5, "a1", null]}]}'
            ),
            ["$.teams[0].members[0]", "$.teams[0].members[2]"],
        ),
        (lambda: hr.Team(id="t", name="T", members=[]), ["$.members"]),
    ],
    ids=["team", "configuration", "configuration_json", "empty_is_still_too_short"],
)
def test_a_list_whose_items_fail_is_not_also_reported_too_short(
    build: Any, paths: list[str]
) -> None:
    """pydantic counts the items that validated, so a list of one bad member was also
    "too short"; only the real problems are reported, and an empty list still is."""
    with pytest.raises(ModelValidationError) as info:
        build()
    assert [d.path for d in info.value.details] == paths
    assert info.value.error_count() == len(paths)
    assert ("too_short" in [d.code for d in info.value.details]) == (paths == ["$.members"])


def test_an_object_read_from_its_attributes_is_named_by_path_as_a_mapping_is() -> None:
    """``model_validate(obj, from_attributes=True)`` names each problem at its field's
    path through the object's attributes, in the words a mapping of the same fields gets
    (a capacity below 0 was at ``$`` in pydantic's words)."""
    team = SimpleNamespace(id="x", name="X", members=["a1", 3], tags=frozenset(), segments=())
    fields = {"version": 1, "at": T0, "capacity": -1, "teams": [team]}
    with pytest.raises(ModelValidationError) as info:
        hr.Configuration.model_validate(SimpleNamespace(**fields), from_attributes=True)
    from_object = [(d.path, d.message) for d in info.value.details]
    assert from_object == [
        ("$.teams[0].members[1]", "Input should be a valid string"),
        ("$.capacity", "capacity must be at least 0, got -1"),
    ]
    as_mapping = {**fields, "teams": [vars(team)]}
    with pytest.raises(ModelValidationError) as info:
        hr.Configuration.model_validate(as_mapping)
    assert [(d.path, d.message) for d in info.value.details] == from_object
    agent = SimpleNamespace(id="a1", name="A", role="support", capacity=-3, online=False)
    with pytest.raises(ModelValidationError) as info:
        hr.Agent.model_validate(agent, from_attributes=True)
    assert info.value.paths == ("$.capacity",)
