"""The report's text table shows agent ids, team ids and AI-event channels so that none
can start a row of its own: as they are when printable, else as their ``repr``."""

from __future__ import annotations

from datetime import UTC, datetime

import helpdesk_routing as hr
from helpdesk_routing import events, metrics
from helpdesk_routing.conditions import ticket
from helpdesk_routing.metrics_cli import render_text

START = datetime(2026, 3, 30, 10, 0, 30, tzinfo=UTC)
END = datetime(2026, 3, 30, 11, tzinfo=UTC)
EVIL = "mallory        0       0      0\nbob\x1b[2J"
TEAM = "sales\n       1 in support"
CHANNEL = "sms\x1b[31m\n  webchat      99          99           0      100.0%        0.0%"


def _report() -> metrics.Report:
    clock = hr.ManualClock(datetime(2026, 3, 30, 10, tzinfo=UTC))
    sms = hr.RoutingRule(id="r", when=ticket("channel") == "sms", then=hr.AssignToTeam(team=TEAM))
    data = hr.InMemoryCustomerData()
    store = hr.InMemoryStore(agents=[hr.Agent(id=a) for a in (EVIL, "bob", "nobody")])
    router = hr.Router(
        rules=hr.RuleSet(rules=[sms]),
        teams=[hr.Team(id=TEAM, members=["nobody"])],
        store=store,
        customer_data=data,
        clock=clock,
    )
    router.set_online(EVIL, True, actor=EVIL)
    clock.advance(minutes=1)  # the report starts after EVIL came Online: always online
    for i in range(5):
        router.route(hr.Ticket(id=f"t{i}", channel="email", created_at=clock.now()))
    router.route(hr.Ticket(id="s1", channel="sms", created_at=clock.now()))  # waits
    started = events.ConversationStarted(conversation_id="c1", channel=CHANNEL, starting_skill="s")
    events.record(started, data, profile_id="p1", at=clock.now())
    return metrics.report(store, data, START, END)


def test_ids_and_channels_with_line_breaks_stay_on_their_row() -> None:
    """Each agent's figures are on the line naming that agent; a team waiting and a
    channel are shown as their repr; no control character reaches the text."""
    report = _report()
    text = render_text(report)
    lines = text.splitlines()
    assert all(line.isprintable() for line in lines)
    assert f"{EVIL!r}         5       0      5" in lines
    assert not [line for line in lines if line.startswith(("mallory", "bob", "  webchat"))]
    assert f", 1 in {TEAM!r}" in text
    assert f"always online          {EVIL!r}" in lines
    assert any(line.startswith(f"  {CHANNEL!r}") for line in lines)


def test_plain_ids_read_as_they_are() -> None:
    """The table of ordinary ids is unchanged: ids padded to their column."""
    clock = hr.ManualClock(datetime(2026, 3, 30, 10, tzinfo=UTC))
    store = hr.InMemoryStore(agents=[hr.Agent(id="ann é")])
    router = hr.Router(
        rules=hr.RuleSet(rules=[]),
        teams=[],
        store=store,
        customer_data=hr.InMemoryCustomerData(),
        clock=clock,
    )
    router.set_online("ann é", True, actor="ann é")
    clock.advance(minutes=1)
    router.route(hr.Ticket(id="t1", channel="email", created_at=clock.now()))
    lines = render_text(metrics.report(store, hr.InMemoryCustomerData(), START, END))
    assert "ann é                1       0      1" in lines.splitlines()
