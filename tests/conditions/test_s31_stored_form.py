"""Custom values are decided in their stored form: a ``date`` or ``datetime`` in a
ticket field or a profile property is its ISO-8601 text to every test, as every store
gives it back, so ``decide``, ``Router.route`` and a condition evaluated on a live or
a read-back profile give one answer."""

from __future__ import annotations

from datetime import UTC, date, datetime

import helpdesk_routing as hr
from helpdesk_routing.conditions import EvaluationContext, compile_condition, profile, ticket
from helpdesk_routing.model import Profile, Ticket
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData

NOW = datetime(2026, 3, 30, 12, tzinfo=UTC)
FIELDS = {"cf": datetime(2026, 3, 30, 9, tzinfo=UTC), "cd": date(2026, 3, 30)}


def _rules() -> hr.RuleSet:
    return hr.RuleSet(
        rules=[
            hr.RoutingRule(
                id="dt-text", when=ticket("cf").starts_with("2026"), then=hr.SaveAsView(view="a")
            ),
            hr.RoutingRule(
                id="date-eq", when=ticket("cd") == "2026-03-30", then=hr.SaveAsView(view="b")
            ),
            hr.RoutingRule(
                id="date-after",
                when=ticket("cd").after(datetime(2026, 3, 29, tzinfo=UTC)),
                then=hr.SaveAsView(view="c"),
            ),
            hr.RoutingRule(
                id="prop-text",
                when=profile("since") == "2026-03-30",
                then=hr.SaveAsView(view="d"),
            ),
        ]
    )


class _Live(InMemoryCustomerData):
    """A customer-data adapter that answers the profile as it was given (not stored)."""

    def __init__(self, found: Profile) -> None:
        super().__init__()
        self._found = found

    def profile(self, profile_id: str) -> Profile | None:
        return self._found if profile_id == self._found.id else None


def test_decide_and_route_give_one_decision_for_a_date_in_a_custom_value() -> None:
    rules = _rules()
    t = Ticket(id="t1", channel="email", created_at=NOW, profile_id="p1", fields=FIELDS)
    p = Profile(id="p1", properties={"since": date(2026, 3, 30)})
    data = InMemoryCustomerData(profiles=[p])
    decided = hr.decide(rules, [], t, data, NOW)
    live = hr.decide(rules, [], t, _Live(p), NOW)
    router = hr.Router(
        rules=rules,
        teams=[],
        store=hr.InMemoryStore(),
        customer_data=data,
        clock=hr.ManualClock(NOW),
    )
    routed = router.route(t)
    assert decided.views == live.views == routed.views == ("a", "b", "c", "d")
    assert decided.explain() == live.explain()
    assert "✓ ticket.cd equals '2026-03-30' — value seen: '2026-03-30'" in decided.explain()


def test_a_condition_reads_a_live_profile_as_the_stored_one() -> None:
    live = Profile(
        id="p1",
        properties={"d": date(2026, 3, 30), "t": datetime(2026, 3, 30, 9, tzinfo=UTC)},
    )
    data = InMemoryCustomerData(profiles=[live])
    stored = data.profile("p1")
    assert stored is not None
    assert stored.properties["d"] == "2026-03-30"
    t = Ticket(id="t1", channel="email", created_at=NOW, profile_id="p1", fields=FIELDS)
    for cond in (
        profile("d") == "2026-03-30",
        profile("t").starts_with("2026-03-30T09"),
        profile("d").after(datetime(2026, 3, 29, tzinfo=UTC)),
        profile("t").before(NOW),
        ticket("cd").is_in(["2026-03-30"]),
        ticket("cf").contains("T09:00"),
    ):
        check = compile_condition(cond)
        contexts = [
            EvaluationContext(ticket=t, profile=p, customer_data=data, now=NOW)
            for p in (live, stored)
        ]
        assert [check(c) for c in contexts] == [True, True], cond
        assert contexts[0].properties == contexts[1].properties
        explained = [check.explain(c).render() for c in contexts]
        assert explained[0] == explained[1]


def test_plain_custom_values_are_read_as_given_without_a_copy() -> None:
    props = {"a": "x", "b": [1, 2.5, {"c": None}], "d": True}
    p = Profile(id="p1", properties=props)
    t = Ticket(id="t1", channel="email", created_at=NOW, fields={"f": ["x"]})
    ctx = EvaluationContext(ticket=t, profile=p, customer_data=InMemoryCustomerData(), now=NOW)
    assert ctx.properties is p.properties
    assert ctx.fields is t.fields
