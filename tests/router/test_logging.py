"""The Router logs through ``logging`` under ``helpdesk_routing``, silent by default."""

from __future__ import annotations

import logging

import pytest

import helpdesk_routing
from tests.router.conftest import Desk


def test_the_package_logger_is_silent_by_default() -> None:
    """The package's root logger has a NullHandler, so nothing reaches lastResort."""
    handlers = logging.getLogger(helpdesk_routing.__name__).handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)


def test_decisions_hand_outs_and_changes_are_logged_with_fields(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    """A decision at DEBUG, a hand-out and a configuration change at INFO, a conflict at
    WARNING, each with structured fields in ``extra``."""
    caplog.set_level(logging.DEBUG, logger="helpdesk_routing")
    desk.route()  # nobody Online: waits
    desk.online("a1")  # hands t1 out
    desk.router.configure(actor="m1", capacity=4)
    with pytest.raises(Exception, match="already stored with different content"):
        desk.router.route(desk.ticket("t1", channel="sms"))
    seen = [(r.name, r.levelname, r.getMessage()) for r in caplog.records]
    assert seen == [
        ("helpdesk_routing.router", "DEBUG", "routed t1: team None, assignee None"),
        ("helpdesk_routing.handout", "INFO", "handed out t1 to a1"),
        ("helpdesk_routing.configuration", "INFO", "configuration version 2 stored by m1"),
        ("helpdesk_routing.router", "WARNING", "ticket t1 routed again with different content"),
    ]
    routed, handed, configured, conflict = caplog.records
    assert routed.__dict__["configuration_version"] == 1
    assert handed.__dict__["pool"] == "global"
    assert handed.__dict__["assignee"] == "a1"
    assert configured.__dict__["fields"] == ["capacity"]
    assert conflict.__dict__["ticket_id"] == "t1"


def test_a_reroute_logs_its_decision(desk: Desk, caplog: pytest.LogCaptureFixture) -> None:
    """A reroute's record says the team, assignee and rule it decided, in its message
    and its fields (it said "rerouted t1", with the ticket and actor alone)."""
    from helpdesk_routing.conditions import ticket
    from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet

    desk.route()
    rule = RoutingRule(id="r", when=ticket("channel") == "email", then=AssignToTeam(team="france"))
    desk.router.configure(actor="m1", rules=RuleSet(rules=[rule]))
    caplog.set_level(logging.INFO, logger="helpdesk_routing.router")
    desk.router.reroute("t1", actor="m1")
    (record,) = [r for r in caplog.records if r.name == "helpdesk_routing.router"]
    assert record.getMessage() == "rerouted t1: team france, assignee None"
    fields = {k: record.__dict__[k] for k in ("ticket_id", "team", "assignee", "rule_id")}
    assert fields == {"ticket_id": "t1", "team": "france", "assignee": None, "rule_id": "r"}
    assert record.__dict__["configuration_version"] == 2
