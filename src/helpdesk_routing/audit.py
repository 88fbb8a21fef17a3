"""Reading the audit log: :func:`replay` rebuilds where every ticket and agent stands.

The Router appends one :class:`~helpdesk_routing.records.AuditRecord` per change, holding
the state *after* it:

===============  ===========================================================
action           what changed (fields set)
===============  ===========================================================
``routed``       a ticket arrived (ticket_id, team, assignee, status; views in
                 ``detail["views"]``); ``automatic`` and ``pool`` when round
                 robin assigned it at once
``assigned``     an assignee was set (by a person, or ``automatic`` by round robin)
``unassigned``   the assignee was removed
``team_assigned``  the ticket moved to a team (its assignee cleared)
``status``       the ticket's status changed
``presence``     an agent went Online or Offline (agent_id, online)
``rules``, ``teams``, ``round_robin``  configuration changes (ids in ``detail``)
===============  ===========================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from helpdesk_routing.model import TicketStatus
from helpdesk_routing.records import AuditRecord

__all__ = ["ReplayedState", "TicketState", "replay"]

_TICKET_ACTIONS = frozenset({"routed", "assigned", "unassigned", "team_assigned", "status"})


@dataclass(frozen=True, slots=True)
class TicketState:
    """Where one ticket stands: its team, assignee, status and views."""

    team: str | None
    assignee: str | None
    status: TicketStatus
    views: frozenset[str] = frozenset()


@dataclass(slots=True)
class ReplayedState:
    """The state the log describes: every ticket's, and every agent's presence."""

    tickets: dict[str, TicketState] = field(default_factory=dict)
    online: dict[str, bool] = field(default_factory=dict)

    def online_agents(self) -> list[str]:
        """The ids of the agents the log leaves Online, ascending."""
        return sorted(a for a, on in self.online.items() if on)


def replay(records: Iterable[AuditRecord]) -> ReplayedState:
    """Rebuild tickets' team/assignee/status/views and agents' presence from the log.

    Records are applied in the order given (use ``seq`` order, as ``Transaction.audit``
    returns it). Agents that never changed presence do not appear (they are Offline).
    """
    state = ReplayedState()
    for r in records:
        if r.action in _TICKET_ACTIONS and r.ticket_id is not None:
            before = state.tickets.get(r.ticket_id)
            if r.action == "routed":
                views = frozenset(r.detail.get("views", ()))
            else:
                views = before.views if before is not None else frozenset()
            status = r.status or (before.status if before is not None else TicketStatus.OPEN)
            state.tickets[r.ticket_id] = TicketState(r.team, r.assignee, status, views)
        elif r.action == "presence" and r.agent_id is not None and r.online is not None:
            state.online[r.agent_id] = r.online
    return state
