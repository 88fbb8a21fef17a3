"""Routing a stored ticket again answers from the store, whatever the rules would read:
a client's retry after a lost answer does not fail because the customer data is down."""

from __future__ import annotations

import pytest

from helpdesk_routing.conditions import profile
from helpdesk_routing.errors import ConflictError
from helpdesk_routing.model import Profile
from helpdesk_routing.router import Router
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.router.conftest import Desk

GOLD = RuleSet(
    rules=[
        RoutingRule(
            id="gold",
            name="Gold",
            when=profile("tier") == "gold",
            then=AssignToTeam(team="retention"),
        )
    ]
)


class Flaky(InMemoryCustomerData):
    """Customer data whose look-ups fail once ``down`` is set (a database gone)."""

    down = False

    def profile(self, profile_id: str) -> Profile | None:
        if self.down:
            raise ConnectionError("customer database unreachable")
        return super().profile(profile_id)

    def count_events(self, *args: object, **kwargs: object) -> int:
        if self.down:
            raise ConnectionError("customer database unreachable")
        return super().count_events(*args, **kwargs)  # type: ignore[arg-type]


def test_a_retried_route_is_answered_by_the_stored_decision_when_customer_data_fails(
    desk: Desk,
) -> None:
    """The first route stored the ticket; with the customer data down, the same ticket
    routed again returns the stored decision (it raised ``ConnectionError``), the same
    id with other content is the ``ConflictError`` a route says, and a new ticket still
    raises the customer data's own error, storing nothing."""
    data = Flaky(profiles=[Profile(id="p1", properties={"tier": "gold"})])
    router = Router(store=desk.store, customer_data=data, clock=desk.clock)
    router.configure(actor="m1", rules=GOLD)
    desk.online("a2")
    ticket = desk.ticket("t1", profile_id="p1")
    first = router.route(ticket)
    assert (first.team, first.rule_id) == ("retention", "gold")
    data.down = True
    again = router.route(ticket)
    assert (again.team, again.rule_id, again.assignee) == ("retention", "gold", first.assignee)
    with pytest.raises(ConflictError, match="already stored with different content"):
        router.route(ticket.model_copy(update={"subject": "other"}))
    before = desk.snapshot()
    with pytest.raises(ConnectionError, match="customer database unreachable"):
        router.route(desk.ticket("t2", profile_id="p1"))
    assert desk.snapshot() == before


def test_the_route_deciding_inside_its_unit_answers_a_stored_ticket_too(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last way a route goes (the configuration kept changing: it decides inside its
    unit) answers a stored ticket from the store as well when deciding fails."""
    from helpdesk_routing import _routing

    data = Flaky(profiles=[Profile(id="p1", properties={"tier": "gold"})])
    router = Router(store=desk.store, customer_data=data, clock=desk.clock)
    router.configure(actor="m1", rules=GOLD)
    ticket = desk.ticket("t1", profile_id="p1")
    first = router.route(ticket)
    monkeypatch.setattr(_routing, "ATTEMPTS", 1)  # straight to the unit that decides
    data.down = True
    assert router.route(ticket).team == first.team == "retention"
    with pytest.raises(ConnectionError):
        router.route(desk.ticket("t2", profile_id="p1"))
