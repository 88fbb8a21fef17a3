"""A ticket is decided and stored in the form every store gives back: its ``fields``
through JSON (a ``datetime`` as ISO text, a set or tuple as a list), in a dict of the
store's own. Before, the in-memory store kept the caller's values as given: ``route``
tested a ``datetime`` where a SQLite ``reroute`` of the same ticket tested its text (a
text test decided differently by store and by call), and a change to the caller's dict
after ``route`` changed what the in-memory store held, with no audit record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from helpdesk_routing.conditions import ticket
from helpdesk_routing.errors import ConflictError
from helpdesk_routing.model import Profile
from helpdesk_routing.rules import RoutingRule, RuleSet, SaveAsView
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.router.conftest import MakeDesk

SIGNUP = datetime(2026, 3, 30, 10, tzinfo=UTC)
RULES = RuleSet(
    rules=[
        RoutingRule(
            id="march",
            when=ticket("signup").starts_with("2026-03"),
            then=SaveAsView(view="march signups"),
        ),
        RoutingRule(id="gold", when=ticket("skus").contains("A1"), then=SaveAsView(view="A1")),
    ]
)


def test_route_and_reroute_decide_on_the_stored_form(make_desk: MakeDesk) -> None:
    desk = make_desk(rules=RULES)
    routed = desk.router.route(desk.ticket("t1", fields={"signup": SIGNUP, "skus": {"A1"}}))
    stored = desk.router.ticket("t1")
    assert stored.ticket.fields == {"signup": "2026-03-30T10:00:00Z", "skus": ["A1"]}
    assert set(routed.views) == {"march signups", "A1"}
    rerouted = desk.router.reroute("t1", actor="m1")
    assert rerouted.views == stored.views == frozenset(routed.views)


def test_routing_the_same_ticket_again_is_the_same_ticket(make_desk: MakeDesk) -> None:
    """The stored form compared with the stored form: no conflict, the first decision."""
    desk = make_desk(rules=RULES)
    given = desk.ticket("t1", fields={"signup": SIGNUP, "pair": (1, 2)})
    first = desk.router.route(given)
    assert desk.router.route(given) == first


def test_an_instant_of_a_custom_value_is_the_same_in_any_zone(make_desk: MakeDesk) -> None:
    """A ticket equal to the stored one (``==``) with a custom instant written in another
    zone, at any depth, is the same ticket: the first decision, the first form kept
    (its stored text kept the first offset, and the two texts were compared: a
    ``ConflictError``). Text given as text is compared as text, and another instant is
    other content."""
    desk = make_desk(rules=RULES)
    cet = timezone(timedelta(hours=1))
    fields = {"signup": SIGNUP, "dates": [SIGNUP], "nested": {"at": SIGNUP}}
    first = desk.router.route(desk.ticket("t1", fields=fields))
    local = {k: _in_zone(v, cet) for k, v in fields.items()}
    again = desk.ticket("t1", fields=local)
    assert again == desk.ticket("t1", fields=fields)
    assert desk.router.route(again) == first
    assert desk.router.ticket("t1").ticket.fields["signup"] == "2026-03-30T10:00:00Z"
    later = {**fields, "signup": SIGNUP + timedelta(seconds=1)}
    with pytest.raises(ConflictError):
        desk.router.route(desk.ticket("t1", fields=later))
    desk.router.route(desk.ticket("t2", fields={"signup": "2026-03-30T10:00:00Z"}))
    with pytest.raises(ConflictError):
        desk.router.route(desk.ticket("t2", fields={"signup": "2026-03-30T11:00:00+01:00"}))


def _in_zone(value: object, zone: timezone) -> object:
    if isinstance(value, datetime):
        return value.astimezone(zone)
    if isinstance(value, list):
        return [_in_zone(v, zone) for v in value]
    if isinstance(value, dict):
        return {k: _in_zone(v, zone) for k, v in value.items()}
    return value


def test_reroute_with_new_content_stores_its_stored_form(make_desk: MakeDesk) -> None:
    desk = make_desk(rules=RULES)
    desk.router.route(desk.ticket("t1"))
    new = desk.router.ticket("t1").ticket.model_copy(update={"fields": {"signup": SIGNUP}})
    record = desk.router.reroute("t1", actor="m1", ticket=new)
    assert record.ticket.fields == {"signup": "2026-03-30T10:00:00Z"}
    assert record.views == frozenset({"march signups"})


def test_the_callers_dict_changed_after_route_changes_nothing_stored(
    make_desk: MakeDesk,
) -> None:
    desk = make_desk(rules=RULES)
    given = desk.ticket("t1", fields={"plan": "basic", "skus": ["A1"]})
    desk.router.route(given)
    given.fields["plan"] = "gold"
    given.fields["skus"].append("B2")
    given.fields["injected"] = True
    assert desk.router.ticket("t1").ticket.fields == {"plan": "basic", "skus": ["A1"]}


def test_a_profile_changed_after_it_was_given_changes_nothing_held() -> None:
    given = Profile(id="p1", properties={"tier": "basic"})
    data = InMemoryCustomerData(profiles=[given])
    given.properties["tier"] = "HACK"
    found = data.profile("p1")
    assert found is not None
    assert found.properties == {"tier": "basic"}
