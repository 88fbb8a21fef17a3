"""A ticket is decided and stored in the form every store gives back: its ``fields``
through JSON (a ``datetime`` as ISO text, a set or tuple as a list), in a dict of the
store's own. Before, the in-memory store kept the caller's values as given: ``route``
tested a ``datetime`` where a SQLite ``reroute`` of the same ticket tested its text (a
text test decided differently by store and by call), and a change to the caller's dict
after ``route`` changed what the in-memory store held, with no audit record."""

from __future__ import annotations

from datetime import UTC, datetime

from helpdesk_routing.conditions import ticket
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
