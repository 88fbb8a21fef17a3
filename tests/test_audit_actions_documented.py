"""The audit actions ``AuditRecord``'s docstring and docs/assignment.md list are the ones
the Router writes."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.conditions import ticket
from helpdesk_routing.model import Agent, Role, Team, Ticket
from helpdesk_routing.records import AuditRecord
from helpdesk_routing.router import Router
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)
DOCS = Path(__file__).resolve().parent.parent / "docs" / "assignment.md"


def written_actions() -> set[str]:
    """Every action one session of the Router writes, doing everything that is audited."""
    store = InMemoryStore(agents=[Agent(id="o1", role=Role.OWNER), Agent(id="a1")])
    router = Router(store=store, customer_data=InMemoryCustomerData(), clock=ManualClock(T0))
    router.add_agent(Agent(id="a2"), actor="o1")
    router.update_agent(Agent(id="a2", name="Bea"), actor="o1")
    router.remove_agent("a2", actor="o1")
    router.configure(
        actor="o1",
        teams=[Team(id="t", name="T", members=("a1",))],
        rules=RuleSet(
            rules=[
                RoutingRule(
                    id="r",
                    name="SMS",
                    when=ticket("channel") == "sms",
                    then=AssignToTeam(team="t"),
                )
            ]
        ),
    )
    router.set_online("a1", online=True, actor="a1")
    router.route(Ticket(id="k1", channel="sms", created_at=T0))
    router.reroute("k1", actor="o1")
    router.unassign("k1", actor="o1")
    router.assign("k1", to="a1", actor="o1")
    router.assign_to_team(["k1"], team="t", actor="o1")
    router.reply("k1", actor="a1")
    router.set_status("k1", "closed", actor="a1")
    with store.transaction() as tx:
        return {record.action for record in tx.audit()}


def listed(text: str) -> set[str]:
    """The ``names`` in double backticks or single ones of ``text``."""
    return set(re.findall(r"`+([a-z_]+)`+", text))


def test_the_docstring_lists_every_action_written_and_no_other() -> None:
    """``AuditRecord``'s docstring named ``rules``, ``teams`` and ``round_robin``, which
    nothing writes (a configuration edit is ``configured``), and left out ``rerouted``,
    ``configured`` and the three agent actions."""
    doc = AuditRecord.__doc__ or ""
    part = doc[doc.index("``action`` is one of:") : doc.index("The fields after")]
    named = listed(part) - {"action", "public", "detail"}
    assert named == written_actions()


def test_docs_assignment_lists_every_action_written() -> None:
    """docs/assignment.md's "Audit" paragraph names the same actions."""
    text = DOCS.read_text(encoding="utf-8")
    part = text[text.index("Every change appends one `AuditRecord`") :]
    part = part[: part.index("Every `routed` record")]
    named = listed(part) - {"AuditRecord", "detail", "name", "role", "capacity", "version"}
    named -= {"changed", "None"}
    assert named == written_actions()
