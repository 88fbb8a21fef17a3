"""The call of the round-robin route function (``route_round_robin.sql``) and its answer.

The function takes the texts of the ticket's record (no assignee, no allocation trace)
and of its audit record, and answers facts; :func:`route_answer` turns them into what
``ports.RoundRobinInStore`` promises, with the reason rendered in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from helpdesk_routing._sets import dump_json
from helpdesk_routing.errors import StaleConfiguration
from helpdesk_routing.ports import RoundRobinRoute
from helpdesk_routing.records import AuditRecord, TicketRecord
from helpdesk_routing.stores._sql import audit_to_json, ticket_columns

from ._database import DIALECT
from ._rows import record_from_row, step_from_facts

__all__ = ["RouteCall", "route_answer", "route_call"]

_SQL = (
    "SELECT r.agent, r.last, r.shown, r.passed, r.all_offline, r.stored, "
    "r.stored_allocation, r.stale FROM helpdesk_route_round_robin("
    "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) r"
)


@dataclass(frozen=True, slots=True)
class RouteCall:
    """One call of the route function: its SQL and parameters, and what the answer needs."""

    sql: str
    params: tuple[Any, ...]
    configuration_version: int | None


def route_call(
    *,
    pool: str,
    members: Sequence[str] | None,
    capacity: int | None,
    record: TicketRecord,
    audit: AuditRecord,
    configuration_version: int | None,
) -> RouteCall | None:
    """The call that routes ``record`` in ``pool``, or ``None`` for a record without a
    decision (the function completes a decision; the Router routes such a ticket itself)."""
    decision = record.decision
    if decision is None:
        return None
    bare = record.model_copy(
        update={
            "assignee": None,
            "decision": decision.model_copy(update={"assignee": None, "allocation": None}),
        }
    )
    given = audit.model_copy(update={"assignee": None, "automatic": True, "pool": pool})
    created, status, channel, team, _ = ticket_columns(DIALECT, record)
    params = (
        pool,
        None if members is None else list(members),
        capacity,
        record.id,
        created,
        status,
        channel,
        team,
        sorted(record.views),
        dump_json(bare),
        audit_to_json(given),
        audit_to_json(audit),
        configuration_version,
    )
    return RouteCall(_SQL, params, configuration_version)


def route_answer(call: RouteCall, row: Sequence[Any]) -> RoundRobinRoute:
    """What the route answered: the stored record, or the agent (``None``: the ticket
    waits) and the reason. Raises ``StaleConfiguration`` when the function wrote nothing
    because another configuration version is stored."""
    agent, last, shown, passed, all_offline, stored, stored_allocation, stale = row
    if stale is not None:
        assert call.configuration_version is not None
        raise StaleConfiguration(call.configuration_version, int(stale))
    if stored is not None:
        return record_from_row(stored, stored_allocation), None, None
    step = step_from_facts(
        {
            "agent": agent,
            "last": last,
            "shown": shown,
            "passed": passed,
            "all_offline": all_offline,
        }
    )
    return None, step.agent, step.reason()
