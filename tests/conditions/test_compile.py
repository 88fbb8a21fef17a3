"""compile_condition and EvaluationContext: the callable the rules engine uses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from helpdesk_routing.conditions import (
    CompiledCondition,
    EvaluationContext,
    all_of,
    any_of,
    compile_condition,
    segment,
    ticket,
)
from helpdesk_routing.errors import NaiveDatetimeError
from helpdesk_routing.model import Profile
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.conditions.helpers import NOW, context, make_ticket


def test_compiled_condition_carries_its_node_and_explain() -> None:
    """The compiled predicate is a CompiledCondition with .condition and .explain."""
    cond = ticket("channel") == "sms"
    compiled = compile_condition(cond)
    assert isinstance(compiled, CompiledCondition)
    assert compiled.condition is cond
    assert compiled.explain(context(make_ticket(channel="sms"))).holds


def test_two_compilations_do_not_share_state() -> None:
    """Each compilation is its own callable carrying its own node."""
    a = ticket("channel") == "sms"
    first, second = compile_condition(a), compile_condition(all_of(a))
    assert first is not compile_condition(a)
    assert first.condition is a
    assert second.condition == all_of(a)


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 5, 7])
def test_groups_of_every_size(size: int) -> None:
    """all/any of n children: the specialised 2-, 3-, 4-way closures and the loop agree."""
    names = [f"s{i}" for i in range(size)]
    members = {"s1", "s3", "s6"}
    ctx = context(segments=sorted(members))
    conds = [segment(n) for n in names]
    assert compile_condition(all_of(*conds))(ctx) is all(n in members for n in names)
    assert compile_condition(any_of(*conds))(ctx) is any(n in members for n in names)


def test_now_must_be_aware() -> None:
    """A naive now is refused when the context is made."""
    with pytest.raises(NaiveDatetimeError):
        EvaluationContext(
            ticket=make_ticket(),
            profile=None,
            customer_data=InMemoryCustomerData(),
            now=datetime(2026, 3, 30, 12),
        )


def test_load_looks_the_profile_up() -> None:
    """EvaluationContext.load fetches the ticket's profile; unknown or absent ids give None."""
    data = InMemoryCustomerData(profiles=[Profile(id="p1", properties={"a": 1})])
    assert EvaluationContext.load(make_ticket(), data, NOW).properties == {"a": 1}
    assert EvaluationContext.load(make_ticket(profile_id="zz"), data, NOW).profile is None
    assert EvaluationContext.load(make_ticket(profile_id=None), data, NOW).properties == {}


@pytest.mark.parametrize(
    "head",
    [
        ticket("channel") == "sms",
        ticket("channel").is_in(["sms", "webchat"]),
        ticket("tags").contains("Order"),
        ticket("tags") == "Order",
    ],
)
@pytest.mark.parametrize("channel", ["sms", "email"])
@pytest.mark.parametrize("vip", [True, False])
def test_groups_with_an_inlined_first_test(head: Any, channel: str, vip: bool) -> None:
    """A group whose first child is a channel or tag test means the same as written."""
    tags = {"Order"} if channel == "sms" else set()
    ctx = context(make_ticket(channel=channel, tags=tags), segments=["vip"] if vip else [])
    first = compile_condition(head)(ctx)
    for size in (1, 2, 4):
        rest = [segment("vip")] * size
        assert compile_condition(all_of(head, *rest))(ctx) is (first and vip)
        assert compile_condition(any_of(head, *rest))(ctx) is (first or vip)


def test_an_unchecked_node_of_the_wrong_kind_is_named_at_its_path() -> None:
    """A node made by ``model_construct`` is compiled without its check; a part of the
    wrong kind is the ValidationError its data gets as input, at the part's JSON path,
    not the compiler's AttributeError."""
    from helpdesk_routing.conditions.nodes import AllCondition, TicketCondition
    from helpdesk_routing.errors import ValidationError

    cases: list[tuple[Any, str, str]] = [
        (
            TicketCondition.model_construct(
                type="ticket", field="channel", op="equals", value=object()
            ),
            "$.value",
            "equals needs text, a number or true/false, got object",
        ),
        (
            TicketCondition.model_construct(
                type="ticket", field="priority", op="greater_than", value="high"
            ),
            "$.value",
            "greater_than needs a number, got text",
        ),
        (
            AllCondition.model_construct(type="all", conditions=[ticket("channel") == "sms", 5]),
            "$.conditions[1]",
            "a condition needs a 'type'",
        ),
    ]
    for node, path, message in cases:
        with pytest.raises(ValidationError) as err:
            compile_condition(node)
        assert [d.path for d in err.value.details] == [path]
        assert err.value.details[0].message.startswith(message)


def test_an_unchecked_node_with_good_data_compiles_as_the_checked_one() -> None:
    """An operator given as its text to ``model_construct`` compiles as if validated."""
    from helpdesk_routing.conditions.nodes import TicketCondition

    node = TicketCondition.model_construct(type="ticket", field="channel", op="equals", value="sms")
    compiled = compile_condition(node)
    assert compiled.condition == (ticket("channel") == "sms")
    assert compiled(context(make_ticket(channel="sms")))
    assert not compiled(context(make_ticket(channel="email")))
