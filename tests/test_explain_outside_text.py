"""``explain()`` shows text from outside (ticket ids, rule names, teams, views, agents) so
that it cannot start a line of its own or carry a control character: as it is when it is
printable, else as its ``repr``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import helpdesk_routing as hr
from helpdesk_routing.conditions import ticket
from helpdesk_routing.rules import decide

NOW = datetime(2026, 3, 30, 9, tzinfo=UTC)
FORGED = "\n  rule 'vip' (VIP) -> team:vip: applied"
VIEW = "Billing\x1b[2J"
TEAM = "support\u2028" + FORGED


def _router(agents: list[str], allocator: str) -> hr.Router:
    """A router sending every email to team ``TEAM`` of ``agents``."""
    rule = hr.RoutingRule(
        id="r", when=ticket("channel") == "email", then=hr.AssignToTeam(team=TEAM)
    )
    return hr.Router(
        rules=hr.RuleSet(rules=[rule]),
        teams=[hr.Team(id=TEAM, members=agents)],
        store=hr.InMemoryStore(agents=[hr.Agent(id=a) for a in agents]),
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(NOW),
        allocator=allocator,
    )


def _no_line_forged(text: str) -> None:
    lines = text.split("\n")
    assert all(line.isprintable() for line in lines)
    assert not [line for line in lines if line.startswith("  rule 'vip'")]


def test_ticket_id_rule_name_and_destinations_cannot_forge_lines() -> None:
    """A ticket id, a rule name, a team and a view holding line breaks and ESC are shown
    as their repr, on the line they belong to."""
    rules = hr.RuleSet(
        rules=[
            hr.RoutingRule(
                id="billing",
                name="Billing" + FORGED,
                when=ticket("channel") == "email",
                then=hr.SaveAsView(view=VIEW),
            ),
            hr.RoutingRule(
                id="fallback",
                when=ticket("channel") == "email",
                then=hr.AssignToTeam(team=TEAM),
            ),
        ]
    )
    teams = [hr.Team(id=TEAM, members=["a1"])]
    tid = "T-1:\n  team 'vip' chosen by rule 'vip'\nticket T-1"
    data = hr.InMemoryCustomerData()
    text = decide(rules, teams, hr.Ticket(id=tid, channel="email", created_at=NOW), data, NOW)
    explained = text.explain()
    _no_line_forged(explained)
    lines = explained.split("\n")
    assert lines[0] == f"ticket {tid!r}:"
    assert lines[3] == (f"  rule 'billing' ({'Billing' + FORGED!r}) -> view:{VIEW!r}: applied")
    assert lines[5] == f"  rule 'fallback' -> team:{TEAM!r}: applied"
    assert [r.destination for r in text.rules] == [
        f"view:{VIEW!r}",
        f"team:{TEAM!r}",
    ]


@pytest.mark.parametrize("allocator", ["round_robin", "least_loaded"])
def test_agent_ids_in_the_allocation_line_cannot_forge_lines(allocator: str) -> None:
    """The agent chosen, the one before it in rotation and the agents passed over are
    shown as their repr when they hold a control character."""
    first, second, off = "a1" + FORGED, "a2\x1b[2J" + FORGED, "a0\x85" + FORGED
    router = _router([off, first, second], allocator)
    router.set_online(first, True, actor=first)
    router.set_online(second, True, actor=second)
    one = router.route(hr.Ticket(id="t1", channel="email", created_at=NOW)).explain()
    two = router.route(hr.Ticket(id="t2", channel="email", created_at=NOW)).explain()
    three = router.route(hr.Ticket(id="t3", channel="email", created_at=NOW)).explain()
    for text in (one, two, three):
        _no_line_forged(text)
    pool = f"  allocation (team:{TEAM!r}): "
    if allocator == "round_robin":
        assert one.split("\n")[-1] == (
            f"{pool}{first!r}: first online agent in rotation; {off!r} offline"
        )
        assert (
            two.split("\n")[-1]
            == f"{pool}{second!r}: next online agent after {first!r} in rotation"
        )
    else:
        assert two.split("\n")[-1] == (
            f"{pool}{second!r}: fewest open tickets (0); ties broken by rotation after {first!r}"
        )


def test_a_stored_allocation_and_pool_are_shown_on_their_line() -> None:
    """A summary stored with a raw line break (a custom allocator's reason, an older
    version) and a team pool's id are shown as their repr."""
    summary = "a1: mine" + FORGED
    decision = hr.RoutingDecision.model_validate(
        {
            "ticket_id": "t1",
            "at": NOW,
            "allocation": {"pool": "team:x\ny", "assignee": "a1", "summary": summary},
        }
    )
    assert decision.explain().split("\n")[-1] == f"  allocation (team:'x\\ny'): {summary!r}"


def test_plain_text_is_shown_as_it_is() -> None:
    """Printable ids, names and destinations (accents, quotes, spaces) read as before."""
    rules = hr.RuleSet(
        rules=[
            hr.RoutingRule(
                id="r",
                name="Règle d'or",
                when=ticket("channel") == "email",
                then=hr.AssignToTeam(team="équipe a"),
            )
        ]
    )
    teams = [hr.Team(id="équipe a", members=["a1"])]
    data = hr.InMemoryCustomerData()
    made = hr.Ticket(id="T 1 é", channel="email", created_at=NOW)
    lines = decide(rules, teams, made, data, NOW).explain().split("\n")
    assert lines[0] == "ticket T 1 é:"
    assert lines[2] == "  rule 'r' (Règle d'or) -> team:équipe a: applied"
