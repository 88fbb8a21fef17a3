"""conditions.md and errors.md say what a rule set does with an empty ``all``/``any``
group (refuses it, code ``rule_empty_group``), in the words the code uses, and the
catch-all they give instead is taken and matches every ticket."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import helpdesk_routing as hr
from helpdesk_routing.conditions import all_of, any_of, parse_condition, segment

DOCS = Path(__file__).resolve().parent.parent / "docs"
NOW = datetime(2026, 3, 30, 9, tzinfo=UTC)


def _flat(name: str) -> str:
    return re.sub(r"\s+", " ", (DOCS / name).read_text("utf-8"))


def _refusal(when: hr.conditions.Condition) -> tuple[str, str, str]:
    try:
        hr.RuleSet(rules=[hr.RoutingRule(id="catch-all", when=when, then=hr.SaveAsView(view="v"))])
    except hr.ValidationError as error:
        detail = error.errors()[0]
        return detail["path"], detail["code"], detail["message"]
    raise AssertionError("an empty group was taken")


def test_the_docs_give_the_code_path_and_message_of_an_empty_group() -> None:
    path, code, message = _refusal(all_of())
    conditions, errors = _flat("conditions.md"), _flat("errors.md")
    assert code == "rule_empty_group"
    assert f"`{path}: {message}`" in conditions
    assert "`rule_empty_group`" in conditions
    generic = message.replace("'catch-all'", "'r'")
    assert "`rule_empty_group` (an `all`/`any` without conditions anywhere" in errors
    assert f"`{generic}`" in errors
    nested, _, _ = _refusal(segment("a") | all_of(segment("b"), any_of()))
    assert nested == "$.rules[0].when.conditions[1].conditions[1]"
    # parse_condition takes it: the docs no longer say it takes exactly what a rule set does.
    assert parse_condition({"type": "all", "conditions": []}) == all_of()
    assert "parse_condition` accepts exactly the conditions" not in conditions


def test_the_catch_all_the_docs_give_is_taken_and_written_as_they_say() -> None:
    conditions = _flat("conditions.md")
    text = '{"type": "ticket", "field": "id", "op": "is_set"}'
    assert f"`{text}`" in conditions
    assert '`ticket("id").is_set()`' in conditions
    rules = hr.RuleSet.from_dict(
        {
            "rules": [
                {
                    "id": "catch-all",
                    "when": json.loads(text),
                    "then": {"type": "save_as_view", "view": "v"},
                }
            ]
        }
    )
    assert rules.rules[0].when == hr.conditions.ticket("id").is_set()


@settings(max_examples=50, deadline=None)
@given(
    ticket_id=st.text(
        st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=20
    ),
    channel=st.sampled_from(["email", "sms", "chat"]),
    tags=st.frozensets(st.sampled_from(["a", "b"])),
)
def test_the_catch_all_matches_every_ticket(
    ticket_id: str, channel: str, tags: frozenset[str]
) -> None:
    rules = hr.RuleSet(
        rules=[
            hr.RoutingRule(id="vip", when=segment("vip"), then=hr.SaveAsView(view="vip")),
            hr.RoutingRule(
                id="catch-all",
                when=hr.conditions.ticket("id").is_set(),
                then=hr.SaveAsView(view="v"),
            ),
        ]
    )
    t = hr.Ticket(id=ticket_id, channel=channel, created_at=NOW, tags=tags)
    decision = hr.decide(rules, [], t, hr.InMemoryCustomerData(), NOW)
    assert "rule 'catch-all' -> view:v: applied" in decision.explain()
