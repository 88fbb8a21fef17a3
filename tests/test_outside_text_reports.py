"""Outside text in the simulation's report and the configuration's log line is shown as
``explain()`` shows it (``_shown.shown``): a line break in a scenario name, an agent id
or an actor cannot start a line of its own."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

import helpdesk_routing as hr
from helpdesk_routing.simulation import AgentSpec, run
from tests.simulation.conftest import mmc


def test_a_simulation_report_shows_a_name_and_agent_ids_on_their_lines() -> None:
    scenario = mmc(2, 0.5, 40).model_copy(
        update={
            "name": "shop\n  per agent: mallory 999",
            "agents": (AgentSpec(id="a0"), AgentSpec(id="bob\n  fairness: spread 0")),
        }
    )
    report = run(scenario, seed=1).report()
    lines = report.splitlines()
    assert len(lines) == 7
    assert lines[0].startswith("'shop\\n  per agent: mallory 999' · policy")
    assert "'bob\\n  fairness: spread 0' " in lines[5]


def test_a_configuration_log_line_shows_its_actor_on_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    actor = "m1\nINFO helpdesk_routing.router: agent admin added"
    router = hr.Router(
        store=hr.InMemoryStore(agents=[hr.Agent(id=actor, role="manager")]),
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(datetime(2026, 3, 30, 9, tzinfo=UTC)),
    )
    with caplog.at_level(logging.INFO, logger="helpdesk_routing"):
        router.configure(actor=actor, round_robin=False)
    [message] = [r.getMessage() for r in caplog.records if "stored by" in r.getMessage()]
    assert "\n" not in message
    assert message.endswith(repr(actor))
