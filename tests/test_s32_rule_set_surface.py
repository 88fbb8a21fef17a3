"""A RuleSet's public methods are the documented ones: the rule index's internals
(compiled rules, the index, the candidates of a ticket) are private, and hiding them
changed neither its fields nor its JSON."""

from __future__ import annotations

import json
import pickle
import re
from datetime import UTC, datetime
from pathlib import Path

import pydantic

import helpdesk_routing as hr
from helpdesk_routing.conditions import profile, ticket
from helpdesk_routing.rules import decide
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 3, 30, 10, tzinfo=UTC)
RULES = hr.RuleSet(
    rules=[
        hr.RoutingRule(
            id="sms",
            name="SMS orders",
            when=(ticket("channel") == "sms") & ticket("tags").contains("Order"),
            then=hr.AssignToTeam(team="a"),
        ),
        hr.RoutingRule(
            id="churn",
            name="Churn defense",
            when=profile("churn_risk") == "High",
            then=hr.SaveAsView(view="urgent"),
        ),
    ]
)


def _public_methods() -> list[str]:
    """The public names a RuleSet has beyond pydantic's and its fields."""
    base = set(dir(pydantic.BaseModel)) | set(hr.RuleSet.model_fields)
    return sorted(n for n in dir(hr.RuleSet) if not n.startswith("_") and n not in base)


def test_the_rule_index_internals_are_not_public() -> None:
    """compiled(), index(), prepared() and candidates() are no public methods of a
    RuleSet (they were undocumented internals of the rule index)."""
    for name in ("compiled", "index", "prepared", "candidates"):
        assert not hasattr(hr.RuleSet, name), name
        assert not hasattr(RULES, name), name


def test_every_public_method_of_a_rule_set_is_documented() -> None:
    """Each public method of a RuleSet is named in docs/ or the README, as
    ``RuleSet.name`` or ``.name(`` (a demanding user finds no undocumented one)."""
    docs = "\n".join(
        p.read_text("utf-8") for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    )
    names = _public_methods()
    assert {"from_json", "from_dict", "validate_against", "lint", "rule_parts"} <= set(names)
    undocumented = [n for n in names if not re.search(rf"(RuleSet\.{n}\b|\.{n}\()", docs)]
    assert undocumented == []


def test_hiding_them_changes_no_field_json_or_cache() -> None:
    """The fields, the private cache, the JSON and the JSON Schema are as they were:
    ``rules`` is the only field, ``_prepared`` the only private attribute (the compiled
    rules are built once and kept in it), and a rule set round trips through JSON and
    pickle after routing."""
    assert list(hr.RuleSet.model_fields) == ["rules"]
    assert set(hr.RuleSet.__private_attributes__) == {"_prepared"}
    assert list(hr.RuleSet.model_json_schema()["properties"]) == ["rules"]
    rules = hr.RuleSet.model_validate_json(RULES.model_dump_json())
    first = rules._prepare()
    assert rules._prepare() is first
    assert rules.__pydantic_private__ == {"_prepared": first}
    sms = hr.Ticket(id="t1", channel="sms", tags={"Order"}, created_at=NOW)
    decision = decide(rules, [], sms, InMemoryCustomerData(), NOW)
    assert decision.team == "a"
    assert json.loads(rules.model_dump_json()) == json.loads(RULES.model_dump_json())
    assert rules.model_dump() == RULES.model_dump()
    assert hr.RuleSet.from_json(rules.model_dump_json()) == RULES
    assert pickle.loads(pickle.dumps(rules)) == RULES
    assert [rule.id for rule, _ in rules._candidates(sms, None)] == ["sms"]
