"""A condition's list in an explanation: its first ten values and how many more (an
`in` of 100,000 values made an explanation line of a megabyte); the rule keeps them all."""

from __future__ import annotations

from datetime import UTC, datetime

import helpdesk_routing as hr
from helpdesk_routing.conditions import ticket
from helpdesk_routing.rules import decide

NOW = datetime(2026, 3, 30, 10, tzinfo=UTC)


def test_a_long_list_is_shown_by_its_first_values_and_its_length() -> None:
    values = [f"v{i}" for i in range(100_000)]
    rules = hr.RuleSet(
        rules=[
            hr.RoutingRule(
                id="r1",
                name="Listed",
                when=ticket("subject").is_in(values),
                then=hr.SaveAsView(view="Listed"),
            )
        ]
    )
    router = hr.Router(
        rules=rules,
        store=hr.InMemoryStore(),
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(NOW),
    )
    decision = router.route(hr.Ticket(id="t1", channel="email", subject="v99999", created_at=NOW))
    assert decision.views == ("Listed",)
    text = decision.explain()
    assert (
        "ticket.subject in ['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9', "
        "... 99,990 more]" in text
    )
    assert len(text) < 2_000
    assert len(router.configuration.rules.rules[0].when.value) == 100_000  # type: ignore[union-attr]
    short = ticket("subject").is_in(values[:10])
    ten = hr.RuleSet(
        rules=[hr.RoutingRule(id="r1", name="Ten", when=short, then=hr.SaveAsView(view="T"))]
    )
    decided = decide(
        ten,
        [],
        hr.Ticket(id="t2", channel="email", subject="v3", created_at=NOW),
        hr.InMemoryCustomerData(),
        NOW,
    )
    assert "'v9']" in decided.explain()
    assert "more" not in decided.explain()


def test_skip_reasons_and_lint_show_long_lists_by_their_first_values() -> None:
    """A skip reason's "needs" and "ticket has", and a lint message, cut alike."""
    from helpdesk_routing.conditions import FieldCatalogue

    values = [f"c{i:05}" for i in range(50_000)]
    rules = hr.RuleSet(
        rules=[
            hr.RoutingRule(
                id="r1",
                name="N",
                when=ticket("channel").is_in(values),
                then=hr.SaveAsView(view="v"),
            ),
            hr.RoutingRule(
                id="r2", name="T", when=ticket("tags").contains("zzz"), then=hr.SaveAsView(view="w")
            ),
        ]
    )
    tags = frozenset(f"tag{i:05}" for i in range(20_000))
    decided = decide(
        rules,
        [],
        hr.Ticket(id="t1", channel="email", tags=tags, created_at=NOW),
        hr.InMemoryCustomerData(),
        NOW,
    )
    text = decided.explain()
    assert len(text) < 2_000
    assert "'c00009' or ... 49,990 more, ticket has 'email'" in text
    assert "ticket has 'tag00000', " in text
    assert "'tag00009', ... 19,990 more" in text
    status = hr.RuleSet(
        rules=[
            hr.RoutingRule(
                id="r1",
                name="S",
                when=ticket("status").is_in([f"state{i}" for i in range(100_000)]),
                then=hr.SaveAsView(view="v"),
            )
        ]
    )
    [message] = [str(p) for p in status.lint(catalogue=FieldCatalogue())]
    assert len(message) < 1_000
    assert "'state9', ... 99,990 more]" in message


def test_a_set_of_conditions_is_refused() -> None:
    """`all`/`any` keep their children's order (evaluation, explanation, JSON): a set's
    order changes with PYTHONHASHSEED."""
    import pytest

    from helpdesk_routing.conditions import AllCondition, AnyCondition

    children = {ticket("channel") == "a", ticket("channel") == "b"}
    for kind in (AllCondition, AnyCondition):
        with pytest.raises(hr.ValidationError) as caught:
            kind(conditions=children)
        [detail] = caught.value.details
        assert (detail.path, detail.code) == ("$.conditions", "unordered_set")


def test_the_tags_a_trace_saw_are_shown_by_their_first_ten() -> None:
    tags = frozenset(f"t{i:05}" for i in range(20_000))
    rules = hr.RuleSet(
        rules=[
            hr.RoutingRule(
                id="r1",
                name="Not",
                when=~ticket("tags").contains("t00001"),
                then=hr.SaveAsView(view="v"),
            )
        ]
    )
    decided = decide(
        rules,
        [],
        hr.Ticket(id="t1", channel="email", tags=tags, created_at=NOW),
        hr.InMemoryCustomerData(),
        NOW,
    )
    text = decided.explain()
    assert len(text) < 2_000
    assert "value seen: {'t00000', 't00001', " in text
    assert "'t00009', ... 19,990 more}" in text
