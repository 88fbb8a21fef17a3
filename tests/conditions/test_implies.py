"""implies(a, b): conservative syntactic implication, sound on every context."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from helpdesk_routing.conditions import (
    Condition,
    EventCondition,
    ProfileCondition,
    TicketCondition,
    all_of,
    any_of,
    compile_condition,
    event,
    implies,
    not_,
    profile,
    segment,
    ticket,
)
from helpdesk_routing.model import Event, Profile, Ticket
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet
from tests.conditions.strategies import (
    conditions,
    event_conditions,
    events,
    leaves,
    profile_conditions,
    profiles,
    ticket_conditions,
    tickets,
)
from tests.conditions.test_differential import _context

T0 = datetime(2026, 3, 1, tzinfo=UTC)
T1 = datetime(2026, 3, 2, tzinfo=UTC)
sms = ticket("channel") == "sms"
order = ticket("tags").contains("Order")
france = profile("$country") == "France"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (sms, sms),
        (sms & order & france, order & sms),
        (sms & order, order),
        (sms, sms | france),
        (sms & order, sms | france),
        (sms | (sms & order), sms),
        (sms, ticket("channel").is_in(["sms", "email"])),
        (ticket("channel").is_in(["sms"]), ticket("channel").is_in(["sms", "email"])),
        (ticket("channel").is_in(["sms", "sms"]), sms),
        (ticket("channel").not_in(["sms", "email"]), ticket("channel") != "sms"),
        (ticket("channel").not_in(["sms", "email"]), ticket("channel").not_in(["sms"])),
        (sms, ticket("channel") != "email"),
        (sms, ticket("channel").not_in(["email", "webchat"])),
        (profile("ltv") > 10, profile("ltv") > 5),
        (profile("ltv") > 10, profile("ltv") >= 10),
        (profile("ltv") >= 11, profile("ltv") > 10),
        (profile("ltv").between(5, 8), profile("ltv") < 9),
        (profile("ltv").between(5, 8), profile("ltv").between(0, 8)),
        (profile("ltv") < 3, profile("ltv") <= 3),
        (profile("d").before(T0), profile("d").before(T1)),
        (profile("d").after(T1), profile("d").after(T0)),
        (profile("d").between(T0, T1), profile("d").before(T1.replace(day=3))),
        (profile("p").starts_with("abc"), profile("p").starts_with("ab")),
        (profile("p").ends_with("xyz"), profile("p").ends_with("z")),
        (france, profile("$country").is_set()),
        (profile("$country").is_not_set(), profile("$country") != "France"),
        (profile("$country").is_not_set(), profile("$country").not_in(["France"])),
        (not_(profile("$country").is_set()), profile("$country").is_not_set()),
        (not_(not_(sms)), sms),
        (not_(sms | order), not_(sms)),
        (event("Placed Order").at_least(2), event("Placed Order").at_least(1)),
        (event("Placed Order").exactly(2), event("Placed Order").at_least(2)),
        (event("Placed Order").exactly(2), event("Placed Order").at_most(5)),
        (event("Placed Order").zero(), event("Placed Order").at_most(0)),
        (event("Placed Order").at_most(0), event("Placed Order").zero()),
        (event("Placed Order").in_last(hours=2), event("Placed Order").in_last(days=1)),
        (event("Placed Order").in_last(hours=2), event("Placed Order")),
        (event("Placed Order").where(value__gt=100), event("Placed Order")),
        (event("Placed Order").since(T1), event("Placed Order").since(T0)),
        (event("Placed Order").between(T0, T1), event("Placed Order").since(T0)),
        (event("Placed Order").zero(), event("Placed Order").where(value__gt=1).zero()),
        (event("Placed Order").zero(), event("Placed Order").in_last(days=2).zero()),
        (segment("vip", member=False), ~segment("vip")),
        (all_of(), all_of()),
        (any_of(), sms),
        (sms, all_of()),
    ],
)
def test_implication_is_found(a: Condition, b: Condition) -> None:
    """Each listed rule of implication is recognised."""
    assert implies(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (order, sms),
        (sms | france, sms),
        (ticket("channel").is_in(["sms", "email"]), sms),
        (profile("ltv") > 5, profile("ltv") > 10),
        (profile("ltv") >= 10, profile("ltv") > 10),
        (profile("ltv") > 5, profile("ltv").is_not_set()),
        (profile("lang") == "fr", profile("lang") != "en"),  # a list can hold both
        (profile("ltv") == 20, profile("ltv") > 10),  # a list [20] is not a number
        (profile("p").contains("abc"), profile("p").contains("ab")),  # list membership
        (profile("$country") != "France", profile("$country").is_not_set()),
        (event("Placed Order").at_least(1), event("Placed Order").at_least(2)),
        (event("Placed Order").at_least(1), event("Viewed").at_least(1)),
        (event("Placed Order"), event("Placed Order").where(value__gt=100)),
        (event("Placed Order").in_last(days=1), event("Placed Order").in_last(hours=2)),
        (event("Placed Order").in_last(days=1), event("Placed Order").since(T0)),
        (event("Placed Order").at_most(1), event("Placed Order").in_last(days=1).at_most(0)),
        (event("Placed Order").in_last(days=1).zero(), event("Placed Order").zero()),
        (sms, all_of(sms, order)),
        (all_of(), sms),
        (segment("vip"), segment("vip", member=False)),
        (profile("x") == 0, profile("x") == False),  # noqa: E712  0 is not false
        (profile("x") == 1, profile("x").is_in([True])),
        (profile("x").is_in([1]), profile("x").is_in([True])),
        (
            event("Placed Order").where(flag=1).at_least(1),
            event("Placed Order").where(flag=True).at_least(1),
        ),
    ],
)
def test_non_implication_is_not_claimed(a: Condition, b: Condition) -> None:
    """Pairs where a does not (provably) imply b give False."""
    assert not implies(a, b)


# Pairs built to meet often: b from the same small vocabulary as a, or a weakening of a.
_small = st.one_of(leaves, event_conditions())


@st.composite
def _same_field(draw: st.DrawFn, a: Condition) -> Condition:
    """Another test of the same field or metric as the leaf ``a`` (or ``a`` itself)."""
    if isinstance(a, TicketCondition | ProfileCondition):
        other = draw(
            ticket_conditions() if isinstance(a, TicketCondition) else profile_conditions()
        )
        return a.model_copy(update={"op": other.op, "value": other.value})
    if isinstance(a, EventCondition):
        other = draw(event_conditions())
        return other.model_copy(update={"metric": a.metric})
    return a


@st.composite
def _pairs(draw: st.DrawFn) -> tuple[Condition, Condition]:
    a = draw(st.one_of(conditions, _small))
    options = [draw(_small), draw(conditions), draw(_same_field(a))]
    if hasattr(a, "conditions") and a.conditions:
        options.append(draw(st.sampled_from(a.conditions)))
    options.extend([a | draw(_small), all_of(a, draw(_small))])
    return a, draw(st.sampled_from(options))


# Most random pairs are no implication and are filtered out by ``assume``: a run that
# draws few that are is no failure of the property, and must not fail the suite.
@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@settings(suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(_pairs(), st.lists(st.tuples(tickets, profiles, events), min_size=1, max_size=4))
def test_implies_is_sound(
    pair: tuple[Condition, Condition],
    worlds: list[tuple[Ticket, Profile | None, list[Event]]],
) -> None:
    """Whenever implies(a, b), every random context where a holds makes b hold."""
    a, b = pair
    assume(implies(a, b))
    fa, fb = compile_condition(a), compile_condition(b)
    for ticket_, profile_, events_ in worlds:
        ctx = _context(ticket_, profile_, events_)
        assert not fa(ctx) or fb(ctx)


@given(leaves, st.lists(st.tuples(tickets, profiles, events), min_size=1, max_size=4))
def test_weakenings_of_leaves_are_sound(
    a: Condition, worlds: list[tuple[Ticket, Profile | None, list[Event]]]
) -> None:
    """Leaf pairs on one field from the shared vocabulary: claimed implications hold."""
    for b in (a, all_of(a), any_of(a, sms), not_(not_(a))):
        assert implies(a, b)
    fa = compile_condition(a)
    for ticket_, profile_, events_ in worlds:
        ctx = _context(ticket_, profile_, events_)
        assert fa(ctx) == compile_condition(not_(not_(a)))(ctx)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (profile("x") == 5, profile("x") == 5.0),
        (ticket("n") != 0, ticket("n") != 0.0),
        (not_(profile("x") == 5), not_(profile("x") == 5.0)),
        (
            event("Placed Order").where("value", "equals", 5).at_least(1).in_last(days=1),
            event("Placed Order").where("value", "equals", 5.0).at_least(1).in_last(days=1),
        ),
    ],
)
def test_a_number_written_as_int_or_float_is_one_test(one: Condition, other: Condition) -> None:
    """``5`` and ``5.0`` are one number (docs/conditions.md): equal nodes imply each other
    (the JSON text, which tells them apart, was the key), and lint sees the duplicate;
    ``true`` is still not ``1``."""
    assert one == other
    assert implies(one, other)
    assert implies(other, one)
    assert not implies(profile("x") == 1, profile("x") == True)  # noqa: E712
    rules = RuleSet(
        rules=[
            RoutingRule(id="first", when=one, then=AssignToTeam(team="t1")),
            RoutingRule(id="again", when=other, then=AssignToTeam(team="t2")),
        ]
    )
    assert [issue.rule_id for issue in rules.lint()] == ["again"]
