"""Arguments of a kind the Router took and a store then could not keep or read: a
subclass of a model with a field of its own, a ticket made by ``model_construct``, a
port or allocator given as its class, one Team given as the teams."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk_routing.allocation import LeastLoaded
from helpdesk_routing.clock import ManualClock, SystemClock
from helpdesk_routing.errors import ArgumentTypeError, ValidationError
from helpdesk_routing.model import Agent, Role, Ticket
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RuleSet, decide
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from helpdesk_routing.stores.sqlite import SqliteStore
from tests.router.conftest import AGENTS, MONDAY_10, TEAMS, Desk


class _LeadAgent(Agent):
    team_lead: bool = False


class _NotedTicket(Ticket):
    note: str = ""


class _PlainTicket(Ticket):
    """A subclass without a field of its own: stored as the Ticket it is."""


def test_a_model_subclass_with_a_field_of_its_own_is_refused_at_that_field(desk: Desk) -> None:
    """Validated as the model itself: an extra field is refused at its path, nothing is
    stored (a SQL store wrote it and could then read the agent no more)."""
    before = desk.snapshot()
    with pytest.raises(ValidationError) as info:
        desk.router.add_agent(_LeadAgent(id="a9", team_lead=True), actor="m1")
    assert [(d.path, d.code) for d in info.value.details] == [("$.team_lead", "extra_forbidden")]
    with pytest.raises(ValidationError) as info:
        desk.router.route(_NotedTicket(id="t1", channel="sms", created_at=MONDAY_10, note="x"))
    assert [d.path for d in info.value.details] == ["$.note"]
    assert desk.snapshot() == before
    with desk.store.transaction() as tx:
        assert sorted(a.id for a in tx.agents()) == sorted(a.id for a in AGENTS)


def test_a_subclass_without_a_field_of_its_own_is_stored_as_the_model(desk: Desk) -> None:
    """Every store keeps a ``Ticket`` (the in-memory store kept the subclass, so the same
    ticket sent again as a plain one was "different content" there and not in SQLite)."""
    desk.router.route(_PlainTicket(id="t1", channel="sms", created_at=MONDAY_10))
    assert type(desk.router.ticket("t1").ticket) is Ticket
    again = desk.router.route(Ticket(id="t1", channel="sms", created_at=MONDAY_10))
    assert again.ticket_id == "t1"


@pytest.mark.parametrize(
    "ticket",
    [
        Ticket.model_construct(id="t1", channel="", created_at=MONDAY_10),
        Ticket.model_construct(id="t\x00", channel="sms", created_at=MONDAY_10),
        Ticket.model_construct(id="t1", channel="sms", created_at=MONDAY_10, profile_id=""),
    ],
)
def test_a_ticket_made_without_validation_is_validated_by_route_and_reroute(
    desk: Desk, ticket: Ticket
) -> None:
    """A ticket made by ``model_construct`` holds whatever it was given: it is validated
    where the Router takes it (an empty channel was stored, and a SQL store could then
    read neither the ticket nor any view listing it)."""
    desk.router.route(Ticket(id="t1", channel="sms", created_at=MONDAY_10))
    before = desk.snapshot()
    with pytest.raises(ValidationError):
        desk.router.route(ticket)
    if ticket.id == "t1":
        with pytest.raises(ValidationError):
            desk.router.reroute("t1", actor="m1", ticket=ticket)
    assert desk.snapshot() == before
    assert [r.id for r in desk.router.views.all_tickets()] == ["t1"]


@pytest.mark.parametrize(
    ("argument", "value", "said"),
    [
        ("store", InMemoryStore, "store must be a Store"),
        ("store", SqliteStore, "store must be a Store"),
        ("clock", SystemClock, "clock must be a Clock"),
        ("clock", ManualClock, "clock must be a Clock"),
        ("customer_data", InMemoryCustomerData, "customer_data must be a CustomerData"),
        ("allocator", LeastLoaded, "allocator must be 'round_robin', 'least_loaded' or an"),
    ],
)
def test_a_port_or_allocator_given_as_its_class_is_named(
    argument: str, value: type, said: str
) -> None:
    """The class itself, the call left out, is refused when the Router is made (its
    unbound methods passed the check and failed at their first use, ``TypeError``)."""
    given: dict[str, Any] = {
        "store": InMemoryStore(agents=AGENTS),
        "customer_data": InMemoryCustomerData(),
        "clock": ManualClock(MONDAY_10),
        "teams": list(TEAMS),
        argument: value,
    }
    with pytest.raises(ArgumentTypeError) as info:
        Router(**given)
    assert str(info.value).startswith(said)
    assert f"the class {value.__name__} itself" in str(info.value)


def test_one_team_given_as_the_teams_is_named(desk: Desk) -> None:
    """One Team where a list belongs is named as such (its fields were taken as six bad
    items, ``$.teams[0]`` to ``$.teams[5]``)."""
    before = desk.snapshot()
    for call in (
        lambda: desk.router.set_teams(TEAMS[0], actor="m1"),  # type: ignore[arg-type]
        lambda: desk.router.configure(actor="m1", teams=TEAMS[0]),
    ):
        with pytest.raises(ValidationError) as info:
            call()
        assert [(d.path, d.message) for d in info.value.details] == [
            ("$.teams", "teams must be a list, got one Team (a list of one is [it])")
        ]
    assert desk.snapshot() == before


@pytest.mark.parametrize(
    ("given", "path"),
    [
        ({"capacity": -1}, "$.capacity"),
        ({"capacity": True}, "$.capacity"),
        ({"role": "god"}, "$.role"),
        ({"name": "A\x00"}, "$.name"),
        ({"id": ""}, "$.id"),
    ],
)
def test_an_agent_made_without_validation_is_validated(
    desk: Desk, given: dict[str, Any], path: str
) -> None:
    """``add_agent`` and ``update_agent`` validate an agent made by ``model_construct``
    (a capacity of -1 was stored, and a SQL store could then read, nor remove, that
    agent no more; a role given as text leaked ``AttributeError``)."""
    before = desk.snapshot()
    fields: dict[str, Any] = {"id": "x1", "name": "", "role": "support", "capacity": None}
    with pytest.raises(ValidationError) as info:
        desk.router.add_agent(Agent.model_construct(**{**fields, **given}), actor="m1")
    assert [d.path for d in info.value.details] == [path]
    if "id" not in given:
        with pytest.raises(ValidationError):
            desk.router.update_agent(
                Agent.model_construct(**{**fields, "id": "a1", **given}), actor="m1"
            )
    assert desk.snapshot() == before
    with desk.store.transaction() as tx:
        assert sorted(a.id for a in tx.agents()) == sorted(a.id for a in AGENTS)
    # a role given as its text is the role (validated, not kept as text)
    added = desk.router.add_agent(
        Agent.model_construct(**{**fields, "role": "manager"}), actor="o1"
    )
    assert added.role is Role.MANAGER


class _ProfilesOnly:
    def profile(self, profile_id: str) -> None:
        return None


class _CountsOnly:
    def count_events(self, *args: Any, **kwargs: Any) -> int:
        return 0


def test_customer_data_without_one_of_its_two_members_is_named() -> None:
    """Routing reads both ``profile`` and ``count_events``: the Router checked the first
    only and ``decide`` the second only, so the other failed as ``AttributeError`` at the
    first ticket that needed it."""
    with pytest.raises(ArgumentTypeError, match=r"got _ProfilesOnly \(it has no count_events"):
        Router(
            store=InMemoryStore(agents=AGENTS),
            customer_data=_ProfilesOnly(),  # type: ignore[arg-type]
            clock=ManualClock(MONDAY_10),
        )
    ticket = Ticket(id="t1", channel="sms", created_at=MONDAY_10)
    with pytest.raises(ArgumentTypeError, match=r"^customer_data must be a CustomerData"):
        decide(RuleSet(), [], ticket, _CountsOnly(), MONDAY_10)  # type: ignore[arg-type]


def test_rules_made_without_validation_are_read_again_before_a_version_is_stored(
    tmp_path: Any,
) -> None:
    """A rule (or its condition) made by ``model_construct`` with bad data, enabled or
    not, is refused at its path with the rule's id by ``Router(...)`` on an empty store
    and by ``configure``, and nothing is stored: it was stored, and a SQLite store could
    not open its configuration again (every later Router failed); valid data built so is
    stored as the validated rule."""
    from helpdesk_routing.conditions.nodes import ProfileCondition
    from helpdesk_routing.rules import RoutingRule, SaveAsView

    bad = ProfileCondition.model_construct(type="profile", property="p", op="in", value=["a", None])
    good = ProfileCondition.model_construct(type="profile", property="p", op="in", value=["a"])

    def rules(when: Any, enabled: bool) -> RuleSet:
        rule = RoutingRule.model_construct(
            id="r", name="r", when=when, then=SaveAsView(view="v"), enabled=enabled
        )
        return RuleSet(rules=[rule])

    path = str(tmp_path / "desk.db")
    clock = ManualClock(MONDAY_10)
    for enabled in (True, False):
        store = SqliteStore(path, agents=AGENTS)
        with pytest.raises(ValidationError) as info:
            Router(
                store=store,
                customer_data=InMemoryCustomerData(),
                clock=clock,
                rules=rules(bad, enabled),
            )
        assert info.value.paths == ("$.rules.rules[0].when.value[1]",)
        assert info.value.details[0].rule_id == "r"
        router = Router(store=SqliteStore(path), customer_data=InMemoryCustomerData(), clock=clock)
        assert router.configuration.version == 0
        with pytest.raises(ValidationError) as info:
            router.configure(actor="o1", rules=rules(bad, enabled))
        assert info.value.paths == ("$.rules.rules[0].when.value[1]",)
        with pytest.raises(ValidationError):
            router.configure(actor="o1", rules=list(rules(bad, enabled).rules))
        assert router.configuration.version == 0
    router.configure(actor="o1", rules=rules(good, True))
    again = Router(store=SqliteStore(path), customer_data=InMemoryCustomerData(), clock=clock)
    assert again.configuration.version == 1
    assert again.rules.rules[0].when == ProfileCondition(property="p", op="in", value=["a"])
