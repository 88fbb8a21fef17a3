"""``model_copy(update=...)`` of the stored models and of ``Configuration`` is validated as
building the model with those values is: pydantic's own copy took the update unchecked,
so ``agent.model_copy(update={"capacity": "lots"})`` gave an ``Agent`` no JSON document
could be read as, which failed later, deep in the Router or a store. The library's own
copies on its hot paths stay unchecked (``helpdesk_routing._trusted.updated``)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

import helpdesk_routing as hr
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.conditions import ticket
from helpdesk_routing.configuration import Configuration
from helpdesk_routing.errors import ModelValidationError
from helpdesk_routing.model import MAX_CAPACITY, Agent, Event, Profile, Role, Team, Ticket
from helpdesk_routing.router import Router
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet
from helpdesk_routing.stores._customer_args import stored_event, stored_profile, stored_values
from tests.adapters import CustomerDataFactory, StoreFactory

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)
PARIS = timezone(timedelta(hours=2))

# One model of each kind: the values it is built with, and a valid update (with values
# the constructor converts: a list for a set, text for an enum, an instant in a zone).
VALID: dict[str, tuple[type[pydantic.BaseModel], dict[str, Any], dict[str, Any]]] = {
    "Ticket": (
        Ticket,
        {"id": "t1", "channel": "email", "created_at": T0, "fields": {"n": [1, {"a": 2}]}},
        {
            "tags": ["b", "a"],
            "status": "closed",
            "created_at": datetime(2026, 3, 30, 14, tzinfo=PARIS),
        },
    ),
    "Profile": (
        Profile,
        {"id": "p1", "properties": {"tier": "gold"}},
        {"segments": ["vip"], "properties": {"since": date(2026, 1, 2), "n": 3}},
    ),
    "Event": (
        Event,
        {"profile_id": "p1", "metric": "Placed Order", "timestamp": T0},
        {"timestamp": "2026-03-30T12:00:00+02:00", "properties": {"value": 120}},
    ),
    "Agent": (Agent, {"id": "a1", "name": "Ann"}, {"capacity": 3, "role": "admin"}),
    "Team": (Team, {"id": "t", "members": ("a1",)}, {"members": ["a1", "a2"], "tags": ["Return"]}),
    "Configuration": (
        Configuration,
        {"version": 1, "at": T0, "teams": (Team(id="t", members=("a1",)),)},
        {
            "capacity": 5,
            "allocator": "least_loaded",
            "teams": [{"id": "u", "members": ["a2"]}],
            "office_hours_channels": ["sms"],
            "office_hours": {"timezone": "UTC", "weekly": {"mon": [["09:00", "17:00"]]}},
        },
    ),
}


def _original(kind: str) -> tuple[pydantic.BaseModel, dict[str, Any], dict[str, Any]]:
    cls, values, update = VALID[kind]
    return cls(**values), values, update


@pytest.mark.parametrize("kind", list(VALID))
def test_a_valid_update_gives_what_building_with_those_values_gives(kind: str) -> None:
    """The copy equals the model built with the original's values and the update (its
    values converted as the constructor converts them), field for field, in JSON and in
    the fields set; the original is unchanged."""
    original, values, update = _original(kind)
    before = original.model_dump_json()
    cls = type(original)
    copied = original.model_copy(update=update)
    built = cls(**{**values, **update})
    assert type(copied) is cls
    assert copied == built
    assert copied.model_dump_json() == built.model_dump_json()
    assert copied.model_fields_set == built.model_fields_set == set(values) | set(update)
    assert [type(getattr(copied, n)) for n in cls.model_fields] == [
        type(getattr(built, n)) for n in cls.model_fields
    ]
    assert original.model_dump_json() == before
    assert original == cls(**values)
    assert original.model_fields_set == set(values)


_TICKET = Ticket(id="t1", channel="email", created_at=T0)
_PROFILE = Profile(id="p1")
_EVENT = Event(profile_id="p", metric="m", timestamp=T0)
_AGENT = Agent(id="a1")
_TEAM = Team(id="t", members=("a1",))
_CONFIGURATION = Configuration(version=1, at=T0)
_NAIVE = datetime(2026, 3, 30)
_LEAST = "greater than or equal to"

BAD: list[tuple[pydantic.BaseModel, dict[str, Any], list[str], str]] = [
    (_TICKET, {"created_at": _NAIVE}, ["$.created_at"], "timezone-aware"),
    (_TICKET, {"tags": 5}, ["$.tags"], "frozenset"),
    (_TICKET, {"fields": {"x": Decimal(1)}}, ["$.fields"], "at x: Decimal is not a JSON value"),
    (_TICKET, {"subject": "a\x00"}, ["$.subject"], "NUL"),
    (_TICKET, {"id": ""}, ["$.id"], "at least 1 character"),
    (_TICKET, {"status": "gone"}, ["$.status"], "'open'"),
    (_TICKET, {"bogus": 1}, ["$.bogus"], "Extra inputs"),
    (_PROFILE, {"properties": {1: object()}}, ["$.properties"], "a key must be text, got int"),
    (_PROFILE, {"properties": {"x": object()}}, ["$.properties"], "not a JSON value"),
    (_PROFILE, {"properties": {"n": 2**70}}, ["$.properties"], "signed 64 bits"),
    (_PROFILE, {"segments": ["a\x00"]}, ["$.segments[0]"], "NUL"),
    (_EVENT, {"properties": {"x": math.nan}}, ["$.properties"], "finite"),
    (_EVENT, {"timestamp": "yesterday"}, ["$.timestamp"], "datetime"),
    (_EVENT, {"unique_id": ""}, ["$.unique_id"], "at least 1 character"),
    (_AGENT, {"capacity": "lots"}, ["$.capacity"], "valid integer"),
    (_AGENT, {"capacity": "5"}, ["$.capacity"], "valid integer"),
    (_AGENT, {"capacity": True}, ["$.capacity"], "valid integer"),
    (_AGENT, {"capacity": -1}, ["$.capacity"], f"{_LEAST} 0"),
    (_AGENT, {"capacity": MAX_CAPACITY + 1}, ["$.capacity"], "less than or equal"),
    (_AGENT, {"role": "boss"}, ["$.role"], "'owner'"),
    (_AGENT, {"name": "\ud800"}, ["$.name"], "lone surrogate"),
    (_TEAM, {"members": ()}, ["$.members"], "at least 1 item"),
    (_TEAM, {"members": ("a1", "a1")}, ["$.members"], "listed twice"),
    (_TEAM, {"members": [5]}, ["$.members[0]"], "valid string"),
    (_CONFIGURATION, {"capacity": -3}, ["$.capacity"], "capacity must be at least 0, got -3"),
    (_CONFIGURATION, {"version": 0}, ["$.version"], f"{_LEAST} 1"),
    (_CONFIGURATION, {"at": _NAIVE}, ["$.at"], "timezone-aware"),
    (_CONFIGURATION, {"round_robin": "yes"}, ["$.round_robin"], "valid boolean"),
    (_CONFIGURATION, {"allocator": "fifo"}, ["$.allocator"], "'round_robin'"),
    (
        _CONFIGURATION,
        {"teams": [{"id": "t", "members": []}]},
        ["$.teams[0].members"],
        "at least 1 item",
    ),
    (
        _CONFIGURATION,
        {"office_hours": {"timezone": "Mars/Base"}},
        ["$.office_hours.timezone"],
        "unknown time zone",
    ),
    (_CONFIGURATION, {"office_hours_channels": ["a\x00"]}, ["$.office_hours_channels[0]"], "NUL"),
]


@pytest.mark.parametrize(
    ("original", "update", "paths", "message"),
    BAD,
    ids=[f"{type(m).__name__}-{'-'.join(map(str, u))}" for m, u, _, _ in BAD],
)
def test_a_bad_update_is_refused_at_its_path(
    original: pydantic.BaseModel, update: dict[str, Any], paths: list[str], message: str
) -> None:
    """A bad update raises the library's ``ModelValidationError`` (an ``hr.ValidationError``
    and a pydantic one) naming the field by its JSON path, as the constructor would; the
    original is unchanged."""
    before = original.model_dump_json()
    with pytest.raises(ModelValidationError) as info:
        original.model_copy(update=update)
    error = info.value
    assert isinstance(error, hr.ValidationError)
    assert isinstance(error, pydantic.ValidationError)
    assert list(error.paths) == paths
    assert message in error.details[0].message
    assert str(error).startswith(f"1 validation error for {type(original).__name__}\n")
    assert original.model_dump_json() == before
    with pytest.raises(ModelValidationError) as built:  # the constructor says the same
        type(original)(**{**_given(original), **update})
    assert built.value.details == error.details
    with pytest.raises(ModelValidationError):  # deep or not
        original.model_copy(update=update, deep=True)


def _given(model: pydantic.BaseModel) -> dict[str, Any]:
    return {name: getattr(model, name) for name in model.model_fields_set}


def test_deep_copies_the_original_values_and_still_validates() -> None:
    """``deep=True`` copies the values the update leaves (nested ones too) and validates
    the update as a shallow copy does; the original keeps its own values."""
    ticket = Ticket(id="t1", channel="email", created_at=T0, fields={"n": [1, {"a": 2}]})
    deep = ticket.model_copy(update={"tags": ["x"]}, deep=True)
    assert deep.tags == frozenset({"x"})
    assert deep.fields == ticket.fields
    assert deep.fields["n"] is not ticket.fields["n"]
    assert deep.model_fields_set == {"id", "channel", "created_at", "fields", "tags"}
    shallow = ticket.model_copy(update={"tags": ["x"]})
    # validated, the copy owns its custom values (a list is copied, as at construction)
    assert shallow.fields["n"] == ticket.fields["n"]
    assert shallow.fields["n"] is not ticket.fields["n"]

    team = Team(id="t", members=("a1",))
    configuration = Configuration(version=1, at=T0, teams=(team,))
    copied = configuration.model_copy(update={"capacity": 2}, deep=True)
    assert copied.teams == (team,)
    assert copied.teams[0] is not team
    assert configuration.model_copy(update={"capacity": 2}).teams[0] is team
    with pytest.raises(ModelValidationError, match=r"\$\.capacity"):
        configuration.model_copy(update={"capacity": -2}, deep=True)
    assert configuration.capacity is None


@pytest.mark.parametrize("kind", list(VALID))
def test_without_an_update_the_copy_is_pydantics_plain_copy(kind: str) -> None:
    """No update (or an empty one): pydantic's copy, shallow or deep, nothing validated
    again; an unknown field in an update is refused, not added."""
    original, _, _ = _original(kind)
    for copied in (
        original.model_copy(),
        original.model_copy(update={}),
        original.model_copy(deep=True),
        original.model_copy(update=None, deep=True),
    ):
        assert copied == original
        assert copied is not original
        assert copied.model_fields_set == original.model_fields_set
    with pytest.raises(ModelValidationError, match=r"\$\.nope: Extra inputs"):
        original.model_copy(update={"nope": 1})


def test_ticket_copy_in_the_documented_reroute() -> None:
    """The docs' example (a changed copy of a stored ticket, rerouted) still works, and a
    copy with a list of tags is a set of tags, as the constructor makes it."""
    store = hr.InMemoryStore(agents=[Agent(id="a1"), Agent(id="m1", role=Role.MANAGER)])
    router = Router(
        rules=RuleSet(
            rules=[
                RoutingRule(
                    id="r",
                    name="returns",
                    when=ticket("tags").contains("Return"),
                    then=AssignToTeam(team="t"),
                )
            ]
        ),
        teams=[Team(id="t", members=("a1",))],
        store=store,
        customer_data=hr.InMemoryCustomerData(),
        clock=ManualClock(T0),
    )
    router.route(Ticket(id="t2", channel="email", created_at=T0))
    updated = router.ticket("t2").ticket.model_copy(update={"tags": ["Return"]})
    assert updated.tags == frozenset({"Return"})
    assert router.reroute("t2", actor="m1", ticket=updated).team == "t"


# -- properties ----------------------------------------------------------------------

_TEXT = st.sampled_from(["", "a", "Ann", "a\x00", "\ud800", " x "])
_AGENT_UPDATES = st.fixed_dictionaries(
    {},
    optional={
        "id": _TEXT,
        "name": st.one_of(_TEXT, st.integers(), st.none()),
        "role": st.sampled_from([*Role, "admin", "boss", 1, None]),
        "capacity": st.one_of(
            st.none(),
            st.integers(min_value=-3, max_value=MAX_CAPACITY + 3),
            st.sampled_from([True, 2.0, "5", MAX_CAPACITY]),
        ),
    },
)
_MEMBERS = st.one_of(
    st.lists(_TEXT, max_size=3),
    st.lists(st.sampled_from(["a1", "a2", "a3"]), max_size=3).map(tuple),
    st.sampled_from([5, "a1", None, [1]]),
)
_TEAM_UPDATES = st.fixed_dictionaries(
    {},
    optional={
        "id": _TEXT,
        "name": _TEXT,
        "members": _MEMBERS,
        "tags": st.one_of(st.lists(_TEXT, max_size=2), st.sampled_from([5, "x", None])),
        "segments": st.frozensets(_TEXT, max_size=2),
    },
)
_AGENTS = st.builds(
    Agent,
    id=st.sampled_from(["a1", "b"]),
    name=st.sampled_from(["", "Ann"]),
    role=st.sampled_from(list(Role)),
    capacity=st.one_of(st.none(), st.integers(0, 10)),
)
_TEAMS = st.builds(
    Team,
    id=st.sampled_from(["t", "u"]),
    members=st.lists(st.sampled_from(["a1", "a2"]), min_size=1, max_size=2, unique=True).map(tuple),
    tags=st.frozensets(st.sampled_from(["Return", "VIP"])),
)


def _same_as_validating(model: pydantic.BaseModel, update: dict[str, Any]) -> None:
    """``model.model_copy(update=update)`` is ``model_validate`` of the model's given
    values with the update: equal with the same fields set, or refused at the same paths."""
    expected = _outcome(lambda: type(model).model_validate({**_given(model), **update}))
    copied = _outcome(lambda: model.model_copy(update=update))
    assert copied == expected


def _outcome(make: Callable[[], pydantic.BaseModel]) -> tuple[object, ...]:
    """What ``make`` gives, comparable: the model (its dump, keys in order, and fields set
    too) or the details of its ``ModelValidationError``. Not its JSON text: a set's
    members are written in the set's own order, which two equal sets need not share."""
    try:
        made = make()
    except ModelValidationError as error:
        return ("refused", error.details)
    dumped = made.model_dump()
    return ("made", made, list(dumped), dumped, made.model_fields_set)


@given(_AGENTS, _AGENT_UPDATES)
def test_an_agent_copy_is_what_validating_its_values_gives(
    agent: Agent, update: dict[str, Any]
) -> None:
    _same_as_validating(agent, update)


@given(_TEAMS, _TEAM_UPDATES)
def test_a_team_copy_is_what_validating_its_values_gives(
    team: Team, update: dict[str, Any]
) -> None:
    _same_as_validating(team, update)


# -- the library's own copies stay unchecked ------------------------------------------

_CHECKED = (Ticket, Profile, Event, Agent, Team, Configuration)


@pytest.fixture
def checked_copies(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every ``model_copy`` with an update of the checked models, by model name."""
    calls: list[str] = []

    def spy(cls: type[pydantic.BaseModel]) -> Callable[..., Any]:
        original = cls.model_copy

        def model_copy(self: Any, *, update: Any = None, deep: bool = False) -> Any:
            if update:
                calls.append(f"{cls.__name__}{sorted(update)}")
            return original(self, update=update, deep=deep)

        return model_copy

    for cls in _CHECKED:
        monkeypatch.setattr(cls, "model_copy", spy(cls))
    return calls


def test_the_router_and_stores_never_copy_through_the_validated_path(
    checked_copies: list[str],
    store_factory: StoreFactory,
    customer_data_factory: CustomerDataFactory,
    request: pytest.FixtureRequest,
) -> None:
    """Routing, handing out, status changes, reroutes and the customer-data writes copy
    the checked models only through ``_trusted.updated`` (their values are valid already):
    a route must not pay a validation per copy. Profiles and events with dates (whose
    stored form is a copy) take that path in every adapter."""
    agents = [Agent(id="a1"), Agent(id="a2"), Agent(id="m1", role=Role.MANAGER)]
    store = store_factory(request, agents)
    data: Any = customer_data_factory(  # the adapters write too (add_profile, ...)
        request,
        [Profile(id="p1", properties={"since": date(2026, 1, 2)})],
        [Event(profile_id="p1", metric="m", timestamp=T0, properties={"at": T0})],
    )
    clock = ManualClock(T0)
    router = Router(
        rules=RuleSet(),
        teams=[Team(id="t", members=("a1", "a2"), tags=frozenset({"Return"}))],
        store=store,
        customer_data=data,
        clock=clock,
    )
    data.add_profile(Profile(id="p2", properties={"on": date(2026, 2, 3)}))
    data.add_event(Event(profile_id="p2", metric="m", timestamp=T0, properties={"d": T0}))
    data.update_profile("p1", properties={"next": date(2026, 5, 6)}, segments=["vip"])
    router.route(Ticket(id="t1", channel="email", created_at=T0, profile_id="p1"))
    router.set_online("a1", True, actor="a1")
    router.set_online("a2", True, actor="a2")
    clock.advance(timedelta(seconds=1))
    router.route(Ticket(id="t2", channel="sms", created_at=clock.now(), tags=frozenset({"Return"})))
    router.assign_waiting()
    router.set_status("t2", "pending", actor="m1")
    router.set_status("t2", "closed", actor="m1")
    router.set_status("t2", "open", actor="m1")
    router.assign("t1", to="a2", actor="m1")
    router.unassign("t1", actor="m1")
    router.assign_to_team("t1", "t", actor="m1")
    router.reply("t1", actor="a1")
    stored = router.ticket("t1").ticket
    router.reroute("t1", actor="m1", ticket=stored)
    assert data.profile("p1") is not None
    assert checked_copies == []


def test_the_trusted_stored_form_is_what_the_validated_copy_gives() -> None:
    """``stored_profile`` / ``stored_event`` copy through ``_trusted.updated``: the result
    is the validated copy, field for field, in JSON and in the fields set."""
    profile = Profile(id="p1", properties={"since": date(2026, 1, 2), "tags": ("a", "b")})
    event = Event(profile_id="p1", metric="m", timestamp=T0, properties={"at": T0})
    pairs: list[tuple[Profile | Event, Profile | Event]] = [
        (profile, stored_profile(profile)),
        (event, stored_event(event)),
    ]
    for model, stored in pairs:
        values = stored_values(model.properties)
        assert values != model.properties
        checked = model.model_copy(update={"properties": values})
        assert stored == checked
        assert stored.model_dump_json() == checked.model_dump_json()
        assert stored.model_fields_set == checked.model_fields_set
