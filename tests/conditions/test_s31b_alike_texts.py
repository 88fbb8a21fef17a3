"""explain() never shows two different texts alike: invisible characters Python counts as
printable (default-ignorable code points, the Braille blank) are escaped in values and
names, and a decomposed (NFD) name reads apart from its composed twin."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from helpdesk_routing._shown import shown
from helpdesk_routing.conditions import EvaluationContext, compile_condition, profile
from helpdesk_routing.conditions._values import describe_value, first_difference, text_repr
from helpdesk_routing.model import Profile, Ticket
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData

NOW = datetime(2026, 3, 30, 12, tzinfo=UTC)

INVISIBLE = [
    "\u034f", "\ufe00", "\ufe0f", "\U000e0100", "\U000e01ef", "\u115f", "\u1160", "\u3164",
    "\uffa0", "\u2800", "\u17b4", "\u180b",
]  # fmt: skip


@pytest.mark.parametrize("c", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
def test_an_invisible_character_is_escaped(c: str) -> None:
    value = f"a{c}b"
    assert text_repr(value) != text_repr("ab")
    assert text_repr(value).isascii()
    assert eval(text_repr(value)) == value
    assert describe_value(value) == text_repr(value)
    assert describe_value([value]).isascii()
    assert shown(f"x{c}") != "x"
    assert shown(f"x{c}").isascii()
    assert c not in first_difference("ab", f"a{c}")


def test_a_trace_shows_the_value_apart_from_the_condition_text() -> None:
    p = Profile(id="p1", properties={"x": "a\u3164b"})
    t = Ticket(id="t1", channel="email", created_at=NOW, profile_id="p1")
    ctx = EvaluationContext(ticket=t, profile=p, customer_data=InMemoryCustomerData(), now=NOW)
    text = compile_condition(profile("x") == "ab").explain(ctx).render()
    assert "value seen: 'a\\u3164b'" in text


def test_a_decomposed_name_reads_apart_from_the_composed_one() -> None:
    assert shown("caf\u00e9") == "caf\u00e9"
    assert shown("cafe\u0301") == "'cafe\\u0301'"
    p = Profile(id="p1", properties={"caf\u00e9": "x"})
    t = Ticket(id="t1", channel="email", created_at=NOW, profile_id="p1")
    ctx = EvaluationContext(ticket=t, profile=p, customer_data=InMemoryCustomerData(), now=NOW)
    text = compile_condition(profile("cafe\u0301") == "x").explain(ctx).render()
    assert "profile.'cafe\\u0301' equals 'x' — not set" in text


@pytest.mark.parametrize(
    "text", ["café", "Règle d'or", "東京", "❤", "👍🏽", "🏳️‍🌈", "a b", "naïve"]
)  # fmt: skip
def test_ordinary_text_prints_as_before(text: str) -> None:
    if "\ufe0f" in text:  # an emoji's presentation selector is escaped, the rest kept
        assert text_repr(text) == repr(text).replace("\ufe0f", "\\ufe0f")
        return
    assert text_repr(text) == repr(text)
    assert shown(text) == text
