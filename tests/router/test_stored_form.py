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


def test_a_custom_instant_is_its_text_for_the_same_ticket_and_for_equality(
    make_desk: MakeDesk,
) -> None:
    """A ``datetime`` among custom values is kept as its ISO text, offset included, which
    text conditions read: the same instant written in another zone, at any depth, is
    other content (a ``ConflictError``), and the two tickets compare unequal, as ``route``
    judges them (``==`` compared the instants while ``route`` refused the resend). Text
    given as text against a ``datetime`` is other content in either order (for a while
    the order of the two decided it). The same instant in the same zone, and
    ``created_at`` in any zone, is the same ticket."""
    desk = make_desk(rules=RULES)
    cet = timezone(timedelta(hours=1))
    fields = {"signup": SIGNUP, "dates": [SIGNUP], "nested": {"at": SIGNUP}}
    first = desk.router.route(desk.ticket("t1", fields=fields))
    assert desk.router.route(desk.ticket("t1", fields=dict(fields))) == first
    for key in fields:
        local = {**fields, key: _in_zone(fields[key], cet)}
        again = desk.ticket("t1", fields=local)
        assert again != desk.ticket("t1", fields=fields)
        with pytest.raises(ConflictError):
            desk.router.route(again)
    assert desk.router.ticket("t1").ticket.fields["signup"] == "2026-03-30T10:00:00Z"
    as_text = {"signup": "2026-03-30T11:00:00+01:00"}
    as_instant = {"signup": SIGNUP}
    for order, (one, other) in enumerate([(as_text, as_instant), (as_instant, as_text)]):
        tid = f"t{order + 2}"
        desk.router.route(desk.ticket(tid, fields=one))
        assert desk.ticket(tid, fields=one) != desk.ticket(tid, fields=other)
        with pytest.raises(ConflictError):
            desk.router.route(desk.ticket(tid, fields=other))
    # a value and the very text it is kept as are one value to route, as documented,
    # though == tells a datetime from text
    kept = desk.router.route(desk.ticket("t9", fields=as_instant))
    exact = desk.ticket("t9", fields={"signup": "2026-03-30T10:00:00Z"})
    assert exact != desk.ticket("t9", fields=as_instant)
    assert desk.router.route(exact) == kept


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
