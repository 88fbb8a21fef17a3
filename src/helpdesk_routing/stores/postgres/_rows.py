"""Reading rows back: a ticket whose round-robin step the route function took keeps its
assignee and the step's facts in columns, and becomes one record here.

The route function stores the ticket's record as the client sent it (no assignee, no
allocation trace) and the step's facts in ``tickets.allocation``; the reason sentence is
rendered from those facts by :class:`~helpdesk_routing.allocation.RoundRobinStep`, the
same code that renders :class:`~helpdesk_routing.allocation.RoundRobin`'s reasons.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from helpdesk_routing._stored import STORED
from helpdesk_routing.allocation.steps import PassedOver, RoundRobinStep
from helpdesk_routing.decision import AllocationTrace
from helpdesk_routing.records import AuditRecord, TicketRecord

__all__ = ["audit_from_row", "record_from_row", "step_from_facts", "trace_from_facts"]


def step_from_facts(facts: Mapping[str, Any]) -> RoundRobinStep:
    """The :class:`RoundRobinStep` the route function answered as JSON facts."""
    shown = tuple(
        PassedOver(agent, online=bool(online), load=load, capacity=cap)
        for agent, online, load, cap in facts["shown"]
    )
    return RoundRobinStep(
        agent=facts["agent"],
        last=facts["last"],
        shown=shown,
        passed=int(facts["passed"]),
        all_offline=bool(facts["all_offline"]),
    )


def trace_from_facts(facts: Mapping[str, Any]) -> AllocationTrace:
    """The allocation trace of a step the route function took."""
    step = step_from_facts(facts)
    return AllocationTrace(
        pool=facts["pool"], assignee=step.agent, summary=step.reason(), waiting=step.agent is None
    )


def record_from_row(text: str, allocation: Mapping[str, Any] | None) -> TicketRecord:
    """A ticket row's record: its JSON, completed by the route function's facts if any."""
    record = TicketRecord.model_validate_json(text, context=STORED)
    if allocation is None or record.decision is None:
        return record
    trace = trace_from_facts(allocation)
    decision = record.decision.model_copy(update={"assignee": trace.assignee, "allocation": trace})
    return record.model_copy(update={"assignee": trace.assignee, "decision": decision})


def audit_from_row(seq: int, text: str, assignee: str | None) -> AuditRecord:
    """An audit row's record with its ``seq``, and the assignee the route function chose."""
    update: dict[str, Any] = {"seq": seq}
    if assignee is not None:
        update["assignee"] = assignee
    return AuditRecord.model_validate_json(text, context=STORED).model_copy(update=update)
