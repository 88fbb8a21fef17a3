"""The explaining entry points refuse an argument of the wrong kind as the library's
``ArgumentTypeError`` (they raised ``AttributeError`` or ``IndexError`` from inside)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from helpdesk_routing.conditions import all_of, compile_condition, profile, ticket
from helpdesk_routing.errors import ArgumentTypeError, ValidationError
from helpdesk_routing.model import Ticket
from helpdesk_routing.rules import RoutingRule, RuleSet, SaveAsView

NOW = datetime(2026, 3, 30, 10, tzinfo=UTC)


@pytest.mark.parametrize("decision", [None, {"ticket_id": "t1"}, "t1"])
def test_rule_parts_takes_a_decision(decision: Any) -> None:
    rules = RuleSet(rules=[RoutingRule(id="r", when=profile("x") > 5, then=SaveAsView(view="v"))])
    with pytest.raises(ArgumentTypeError, match="decision must be a RoutingDecision"):
        rules.rule_parts(decision)


@pytest.mark.parametrize("ctx", [None, Ticket(id="t", channel="sms", created_at=NOW), {"now": NOW}])
def test_explain_takes_an_evaluation_context(ctx: Any) -> None:
    with pytest.raises(ArgumentTypeError, match="explain takes an EvaluationContext"):
        compile_condition(profile("x") > 5).explain(ctx)


def test_render_takes_the_facts_its_recorder_kept() -> None:
    compiled = compile_condition(all_of(profile("x") > 5, ticket("channel") == "sms"))
    with pytest.raises(ArgumentTypeError, match="facts must be the list"):
        compiled.render("x", now=NOW, has_profile=True)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="facts are not those this condition's recorder"):
        compiled.render([object()], now=NOW, has_profile=True)


def test_render_names_a_now_that_is_no_aware_datetime() -> None:
    """A bad ``now`` is named as such (it was blamed on the facts)."""
    compiled = compile_condition(profile("x") > 5)
    for now in (None, "2026-03-30T10:00:00Z"):
        with pytest.raises(ArgumentTypeError, match="now must be an aware datetime"):
            compiled.render([], now=now, has_profile=True)  # type: ignore[arg-type]
