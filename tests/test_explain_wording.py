"""``explain()`` wording: a rule without a name prints no empty ``()``; an event window
that counts no instant (it starts after now) says so, where it printed an inverted
interval (``found 0 in [13:00, 12:00]``); the JSON form of the trace says the same."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

import helpdesk_routing as hr
from helpdesk_routing.conditions import Condition, event
from helpdesk_routing.rules import decide

NOW = datetime(2026, 3, 30, 12, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


def _explained(when: Condition, name: str = "") -> hr.RoutingDecision:
    rules = hr.RuleSet(
        rules=[hr.RoutingRule(id="r", name=name, when=when, then=hr.SaveAsView(view="v"))]
    )
    data = hr.InMemoryCustomerData(profiles=[hr.Profile(id="p1")])
    ticket = hr.Ticket(id="t1", channel="email", profile_id="p1", created_at=NOW)
    return decide(rules, [], ticket, data, NOW)


def test_a_rule_without_a_name_prints_no_empty_brackets() -> None:
    when = event("Placed Order").in_last(hours=1).zero()
    assert "\n  rule 'r' -> view:v: applied\n" in _explained(when).explain() + "\n"
    assert "\n  rule 'r' (Quiet) -> view:v: applied\n" in _explained(when, "Quiet").explain() + "\n"


@pytest.mark.parametrize(
    ("when", "first"),
    [
        (event("Placed Order").between(LATER, LATER + timedelta(hours=1)).zero(), LATER),
        (event("Placed Order").since(LATER).zero(), LATER),
        (event("Placed Order").after(LATER).zero(), LATER + timedelta(microseconds=1)),
    ],
    ids=["between", "since", "after"],
)
def test_a_window_after_now_says_it_counts_nothing(when: Condition, first: datetime) -> None:
    decision = _explained(when)
    reason = (
        f"found 0 (the window counts no instant yet: it starts at {first.isoformat()}, after now)"
    )
    assert decision.explain().endswith(f" — {reason}")
    # The JSON form of the trace carries the same reason (no inverted interval there).
    trace = json.loads(decision.rules[0].model_dump_json())
    assert trace["condition"]["reason"] == reason
    assert trace["name"] == ""


def test_a_window_up_to_now_still_shows_its_first_and_last_instant() -> None:
    when = event("Placed Order").since(NOW - timedelta(hours=1)).zero()
    assert (
        _explained(when)
        .explain()
        .endswith(" — found 0 in [2026-03-30T11:00:00+00:00, 2026-03-30T12:00:00+00:00]")
    )


def test_a_window_starting_now_counts_now() -> None:
    when = event("Placed Order").since(NOW).zero()
    assert (
        _explained(when)
        .explain()
        .endswith(" — found 0 in [2026-03-30T12:00:00+00:00, 2026-03-30T12:00:00+00:00]")
    )
