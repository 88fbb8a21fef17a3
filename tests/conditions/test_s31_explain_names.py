"""Field and property names in ``explain()`` (restatements and the rule index's skip
reasons) are outside text: shown as they are when printable, else as their ``repr``,
so a name cannot start a forged trace line nor carry a bidi override."""

from __future__ import annotations

from datetime import UTC, datetime

import helpdesk_routing as hr
from helpdesk_routing.conditions import event, profile, ticket

NOW = datetime(2026, 3, 30, 12, tzinfo=UTC)
FORGED = "tier\n  rule 'vip' -> team:vip: applied\n    ✓ profile.tier"
BIDI = "cf\u202eevil"


def _explain(rules: list[hr.RoutingRule], t: hr.Ticket, props: dict[str, object]) -> str:
    data = hr.InMemoryCustomerData(profiles=[hr.Profile(id="p1", properties=props)])
    return hr.decide(hr.RuleSet(rules=rules), [], t, data, NOW).explain()


def test_a_name_with_a_line_break_or_a_bidi_override_is_shown_escaped() -> None:
    rules = [
        hr.RoutingRule(id="r1", when=~(profile(FORGED) == "gold"), then=hr.SaveAsView(view="v")),
        hr.RoutingRule(id="r2", when=ticket(BIDI) == "a", then=hr.SaveAsView(view="v")),
        hr.RoutingRule(id="r3", when=profile(BIDI) == "a", then=hr.SaveAsView(view="v")),
        hr.RoutingRule(id="r4", when=profile(BIDI).starts_with("a"), then=hr.SaveAsView(view="v")),
        hr.RoutingRule(
            id="r5",
            when=~event("m").where(BIDI, "equals", "x").at_least(1),
            then=hr.SaveAsView(view="v"),
        ),
    ]
    t = hr.Ticket(id="t1", channel="email", created_at=NOW, profile_id="p1", fields={BIDI: "b"})
    text = _explain(rules, t, {FORGED: "silver", BIDI: "b"})
    assert "\u202e" not in text
    assert len(text.splitlines()) == len(text.split("\n"))
    assert not any(line.startswith("  rule 'vip'") for line in text.splitlines())
    assert f"profile.{FORGED!r} equals 'gold'" in text
    assert f"needs {BIDI!r} to equal 'a', ticket's {BIDI!r} does not" in text
    assert f"needs profile.{BIDI!r} 'a', profile has 'b'" in text
    assert f"needs profile.{BIDI!r} to start with 'a', profile's {BIDI!r} does not" in text
    assert f"where {BIDI!r} equals 'x'" in text


def test_plain_names_look_as_they_did() -> None:
    rules = [
        hr.RoutingRule(id="r1", when=~(profile("a.b-c_1") == "x"), then=hr.SaveAsView(view="v")),
        hr.RoutingRule(id="r2", when=ticket("cf_2") == "a", then=hr.SaveAsView(view="v")),
    ]
    t = hr.Ticket(id="t1", channel="email", created_at=NOW, profile_id="p1", fields={"cf_2": "b"})
    text = _explain(rules, t, {"a.b-c_1": "y"})
    assert "✗ profile.a.b-c_1 equals 'x' — value seen: 'y'" in text
    assert "needs cf_2 to equal 'a', ticket's cf_2 does not" in text
