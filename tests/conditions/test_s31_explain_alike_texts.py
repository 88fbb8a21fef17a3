"""Two different texts are never shown alike in a trace: a text not in NFC form is
shown with ``ascii`` escapes, and a value seen cut to the same prefix as the
condition's text says where it first differs."""

from __future__ import annotations

from datetime import UTC, datetime

import helpdesk_routing as hr
from helpdesk_routing.conditions import EvaluationContext, compile_condition, profile

NOW = datetime(2026, 3, 30, 12, tzinfo=UTC)


def _render(cond: hr.conditions.Condition, seen: object) -> str:
    p = hr.Profile(id="p", properties={"x": seen})
    ctx = EvaluationContext(
        ticket=hr.Ticket(id="t", channel="e", created_at=NOW, profile_id="p"),
        profile=p,
        customer_data=hr.InMemoryCustomerData(profiles=[p]),
        now=NOW,
    )
    return compile_condition(cond).explain(ctx).render()


def test_nfd_text_is_escaped_and_nfc_text_is_shown_as_it_is() -> None:
    assert _render(profile("x") == "caf\u00e9", "cafe\u0301") == (
        "✗ profile.x equals 'café' — value seen: 'cafe\\u0301'"
    )
    assert _render(profile("x") == "cafe\u0301", "caf\u00e9") == (
        "✗ profile.x equals 'cafe\\u0301' — value seen: 'café'"
    )


def test_long_texts_cut_alike_say_where_they_differ() -> None:
    a = "a" * 60
    assert _render(profile("x") == a + "1", a + "2").endswith(
        " (differs from the condition's text at character 61: '2', not '1')"
    )
    assert _render(profile("x").is_in(["b", a + "12"]), a + "1").endswith(
        " (differs from the condition's text at character 62: the value seen ends there,"
        " the condition's text has '2')"
    )
    assert _render(profile("x") != a + "1", a + "1\u0301").endswith(
        "(differs from the condition's text at character 62: '\\u0301', where the"
        " condition's text ends)"
    )


def test_ordinary_output_is_unchanged() -> None:
    a = "a" * 70
    assert _render(profile("x") == "café", "thé") == (
        "✗ profile.x equals 'café' — value seen: 'thé'"
    )
    assert _render(profile("x") == "b" * 70, a) == (
        f"✗ profile.x equals '{'b' * 57}...' — value seen: '{'a' * 57}...'"
    )


def test_a_skip_reason_shows_an_nfd_text_escaped() -> None:
    rules = hr.RuleSet(
        rules=[
            hr.RoutingRule(id="r", when=profile("x") == "caf\u00e9", then=hr.SaveAsView(view="v"))
        ]
    )
    p = hr.Profile(id="p", properties={"x": "cafe\u0301"})
    t = hr.Ticket(id="t", channel="e", created_at=NOW, profile_id="p")
    text = hr.decide(rules, [], t, hr.InMemoryCustomerData(profiles=[p]), NOW).explain()
    assert "skipped — needs profile.x 'café', profile has 'cafe\\u0301'" in text
