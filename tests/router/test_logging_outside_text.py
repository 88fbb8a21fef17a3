"""Ids from outside cannot forge log records: each call logs one line, the ids escaped."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

import helpdesk_routing as hr

NOW = datetime(2026, 3, 30, 10, tzinfo=UTC)
FORGED = "\nINFO helpdesk_routing.router: agent admin added"
TICKET = "t1" + FORGED
AGENT = "a1\u2028x\x1b[2J" + FORGED


@pytest.fixture
def logged() -> Iterator[io.StringIO]:
    """The package's records, formatted as ``%(message)s``, one a line."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(message)s"))
    package = logging.getLogger("helpdesk_routing")
    level = package.level
    package.addHandler(handler)
    package.setLevel(logging.DEBUG)
    try:
        yield buffer
    finally:
        package.removeHandler(handler)
        package.setLevel(level)


def _router() -> hr.Router:
    return hr.Router(
        rules=hr.RuleSet(rules=[]),
        teams=[],
        store=hr.InMemoryStore(agents=[hr.Agent(id="o1", role=hr.Role.OWNER)]),
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(NOW),
    )


def _lines(buffer: io.StringIO) -> list[str]:
    return buffer.getvalue().splitlines()


def test_a_ticket_id_with_a_line_break_logs_one_line_per_record(logged: io.StringIO) -> None:
    """Routing, a hand-out, a refused conflict and a reroute each log one line, the ticket's
    id as its repr when it holds a control character."""
    router = _router()
    router.add_agent(hr.Agent(id="a1"), actor="o1")
    router.route(hr.Ticket(id=TICKET, channel="email", created_at=NOW))
    router.set_online("a1", True, actor="a1")
    with pytest.raises(hr.ConflictError):
        router.route(hr.Ticket(id=TICKET, channel="sms", created_at=NOW))
    router.reroute(TICKET, actor="o1")
    assert _lines(logged)[2:] == [
        f"routed {TICKET!r}: team None, assignee None",
        f"handed out {TICKET!r} to a1",
        f"ticket {TICKET!r} routed again with different content",
        f"rerouted {TICKET!r}: team None, assignee a1",
    ]


def test_an_agent_id_with_a_line_break_logs_one_line_per_record(logged: io.StringIO) -> None:
    """Adding, updating, handing out to and removing an agent whose id holds line breaks
    and an escape sequence logs one line each; the structured field keeps the id."""
    router = _router()
    router.add_agent(hr.Agent(id=AGENT), actor="o1")
    router.update_agent(hr.Agent(id=AGENT, name="Ann"), actor="o1")
    router.route(hr.Ticket(id="t1", channel="email", created_at=NOW))  # nobody Online
    router.set_online(AGENT, True, actor=AGENT)
    router.add_agent(hr.Agent(id=AGENT + "2"), actor="o1")
    router.remove_agent(AGENT + "2", actor="o1")
    assert _lines(logged)[1:] == [
        f"agent {AGENT!r} added",
        f"agent {AGENT!r} updated",
        "routed t1: team None, assignee None",
        f"handed out t1 to {AGENT!r}",
        f"agent {AGENT + '2'!r} added",
        f"agent {AGENT + '2'!r} removed",
    ]


def test_plain_ids_are_logged_as_they_are(caplog: pytest.LogCaptureFixture) -> None:
    """An id without control characters reads as before, and ``extra`` keeps ids raw."""
    caplog.set_level(logging.DEBUG, logger="helpdesk_routing")
    router = _router()
    router.add_agent(hr.Agent(id=AGENT), actor="o1")
    router.route(hr.Ticket(id="t-1 é", channel="email", created_at=NOW))
    assert [r.getMessage() for r in caplog.records][1:] == [
        f"agent {AGENT!r} added",
        "routed t-1 é: team None, assignee None",
    ]
    assert caplog.records[1].__dict__["agent_id"] == AGENT
