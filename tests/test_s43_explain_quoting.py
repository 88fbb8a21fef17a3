"""explain() shows every text from outside so that two different texts never look
alike (docs/explain.md): the chosen team, the views, the rule ids and the tag or segment
that chose a team were written with plain ``repr``, which leaves U+3164, U+2800, U+FE0F
and decomposed text as they are. And a decision bound to a rule set where a rule it
recorded is disabled is a ValidationError, not a bare AssertionError."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import helpdesk_routing as hr
from helpdesk_routing.conditions import ticket

NOW = datetime(2026, 3, 30, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "escaped"),
    [("a\u3164b", r"'a\u3164b'"), ("a\u2800b", r"'a\u2800b'"), ("cafe\u0301", r"'cafe\u0301'")],
)
def test_every_name_in_explain_is_escaped(name: str, escaped: str) -> None:
    rules = hr.RuleSet(
        rules=[
            hr.RoutingRule(
                id=name, when=ticket("channel") == "email", then=hr.SaveAsView(view=name)
            ),
            hr.RoutingRule(
                id="r2", when=ticket("channel") == "email", then=hr.AssignToTeam(team=name)
            ),
        ]
    )
    team = hr.Team(id=name, members=["a1"], tags={name}, segments={name})
    email = hr.Ticket(id="t1", channel="email", created_at=NOW)
    text = hr.decide(rules, [team], email, hr.InMemoryCustomerData(), NOW).explain()
    assert f"  team {escaped} chosen by rule 'r2'" in text
    assert f"  views: {escaped}" in text
    assert f"  rule {escaped} -> view:{escaped}: applied" in text
    assert name not in text
    tagged = hr.Ticket(id="t2", channel="email", tags={name}, created_at=NOW)
    text = hr.decide(hr.RuleSet(), [team], tagged, hr.InMemoryCustomerData(), NOW).explain()
    assert f"  team {escaped} chosen by its tag {escaped}" in text
    assert name not in text


def test_a_composed_and_a_decomposed_team_read_apart() -> None:
    lines = set()
    for name in ("caf\u00e9", "cafe\u0301"):
        team = hr.Team(id=name, members=["a1"], tags={"x"})
        tagged = hr.Ticket(id="t", channel="email", tags={"x"}, created_at=NOW)
        decision = hr.decide(hr.RuleSet(), [team], tagged, hr.InMemoryCustomerData(), NOW)
        lines.add(decision.explain().splitlines()[1])
    assert len(lines) == 2


def test_a_rule_disabled_since_is_a_validation_error_when_rendered() -> None:
    rule = hr.RoutingRule(id="b", when=ticket("channel") == "email", then=hr.SaveAsView(view="v"))
    email = hr.Ticket(id="t1", channel="email", created_at=NOW)
    made = hr.decide(hr.RuleSet(rules=[rule]), [], email, hr.InMemoryCustomerData(), NOW)
    back = hr.RoutingDecision.model_validate_json(made.model_dump_json())
    later = hr.RuleSet(rules=[rule.model_copy(update={"enabled": False})])
    message = r"records rule 'b' as evaluated, but this rule set has it disabled"
    with pytest.raises(hr.ValidationError, match=message):
        back.with_rules(later).explain()
    with pytest.raises(hr.ValidationError, match=message):
        later.rule_parts(back)
