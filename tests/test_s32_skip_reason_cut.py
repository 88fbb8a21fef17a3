"""A skip reason cuts long texts as a trace does (explain.md: a text longer than 60
characters is shown by its first 57 and ``...``), and a decision read back explains
word for word the same."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import assume, given, settings
from hypothesis import strategies as st

import helpdesk_routing as hr
from helpdesk_routing.conditions import profile, segment, ticket

NOW = datetime(2026, 3, 30, 9, tzinfo=UTC)


def _decide(rules: list[hr.RoutingRule], **properties: object) -> hr.RoutingDecision:
    data = hr.InMemoryCustomerData(
        profiles=[hr.Profile(id="p1", properties=properties, segments=frozenset({"s" * 90}))]
    )
    t = hr.Ticket(
        id="t1", channel="c" * 80, created_at=NOW, profile_id="p1", subject="hello", tags=["t" * 70]
    )
    return hr.decide(hr.RuleSet(rules=rules), [], t, data, NOW)


def _rule(rule_id: str, when: hr.conditions.Condition) -> hr.RoutingRule:
    return hr.RoutingRule(id=rule_id, when=when, then=hr.SaveAsView(view="v"))


def _skip_line(decision: hr.RoutingDecision, rule_id: str) -> str:
    [line] = [ln for ln in decision.explain().splitlines() if f"rule '{rule_id}'" in ln]
    assert "skipped —" in line
    return line


def test_a_huge_profile_value_in_a_skip_reason_is_cut() -> None:
    decision = _decide([_rule("r", profile("big") == "x")], big="y" * 100_000)
    line = _skip_line(decision, "r")
    assert line.endswith(f"needs profile.big 'x', profile has '{'y' * 57}...'")
    assert len(decision.explain()) < 300


def test_every_text_in_a_skip_reason_is_cut() -> None:
    decision = _decide(
        [
            _rule("p", profile("q") == "b" * 70),
            _rule("kw", ticket("subject").contains("x" * 70)),
            _rule("ch", ticket("channel") == "d" * 70),
            _rule("tag", ticket("tags").contains("u" * 70)),
            _rule("seg", segment("g" * 70)),
            _rule("list", profile("l") == "z"),
        ],
        q="c" * 70,
        l=["w" * 70, "v" * 70],
    )
    b, c, x, d, u, g = (ch * 57 + "..." for ch in "bcxdug")
    assert _skip_line(decision, "p").endswith(f"needs profile.q '{b}', profile has '{c}'")
    assert _skip_line(decision, "kw").endswith(
        f"needs subject to contain '{x}', ticket's subject does not"
    )
    assert _skip_line(decision, "ch").endswith(f"needs channel '{d}', ticket has '{'c' * 57}...'")
    assert _skip_line(decision, "tag").endswith(f"needs tag '{u}', ticket has '{'t' * 57}...'")
    assert _skip_line(decision, "seg").endswith(
        f"needs segment '{g}', profile is in '{'s' * 57}...'"
    )
    # A list is shown as a trace shows a value seen that is no text: 80 characters at most.
    has = _skip_line(decision, "list").split("profile has ", 1)[1]
    assert has == ("['" + "w" * 70 + "', '" + "v" * 70 + "']")[:77] + "..."


def test_texts_cut_alike_say_where_they_differ() -> None:
    a = "a" * 60
    line = _skip_line(_decide([_rule("r", profile("q") == a + "1")], q=a + "2"), "r")
    assert line.endswith(
        f"needs profile.q '{'a' * 57}...', profile has '{'a' * 57}...'"
        " (differs from the condition's text at character 61: '2', not '1')"
    )
    # Texts shown differently need no note.
    line = _skip_line(_decide([_rule("r", profile("q") == "b" + a)], q=a + "2"), "r")
    assert "differs" not in line


def test_a_decision_read_back_explains_the_same() -> None:
    rules = [
        _rule("r", profile("q") == "b" * 70),
        _rule("kw", ticket("subject").contains("x" * 70)),
    ]
    decision = _decide(rules, q="c" * 100_000)
    back = hr.RoutingDecision.model_validate_json(decision.model_dump_json())
    # The stored facts keep the value whole; only the rendering cuts it.
    assert "c" * 100_000 in decision.model_dump_json()
    assert back.with_rules(hr.RuleSet(rules=rules)).explain() == decision.explain()
    assert len(decision.explain()) < 500


_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")


def _display(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


_TAILS = st.text(alphabet="ab.", max_size=70)


@settings(max_examples=100, deadline=None)
@given(shared=st.integers(0, 70), wanted_tail=_TAILS, value_tail=_TAILS)
def test_no_text_in_a_skip_reason_is_longer_than_60(
    shared: int, wanted_tail: str, value_tail: str
) -> None:
    wanted, value = "a" * shared + wanted_tail, "a" * shared + value_tail
    assume(wanted and wanted != value)  # the rule is skipped
    decision = _decide([_rule("r", profile("q") == wanted)], q=value)
    line = _skip_line(decision, "r")
    texts = _QUOTED.findall(line.split("skipped —", 1)[1].split(" (differs", 1)[0])
    assert texts == [_display(wanted), _display(value)]
    assert ("differs from the condition's text" in line) == (_display(wanted) == _display(value))
