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
``rerouted``     the current rules were applied again (``router.reroute``)
``presence``     an agent went Online or Offline (agent_id, online)
``replied``      a human agent replied (``detail["public"]``)
``configured``   a new configuration version (``detail["version"]``, the
                 fields it changed in ``detail["changed"]``)
``agent_added``, ``agent_updated``  an agent was added or changed (agent_id; the
                 agent after it in ``detail``: ``name``, ``role``, ``capacity``)
``agent_removed``  an agent was removed (agent_id)
===============  ===========================================================

Every ``routed`` and ``rerouted`` record names the configuration version that decided
it in ``detail["configuration_version"]``. The builders below are the one place these
records are shaped; the Router calls them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from helpdesk_routing._slots_state import SlotsState
from helpdesk_routing._time import require_aware
from helpdesk_routing._trusted import construct
from helpdesk_routing.decision import RoutingDecision
from helpdesk_routing.errors import ArgumentTypeError
from helpdesk_routing.model import Agent, TicketStatus
from helpdesk_routing.ports import NextAuditSeq, offers
from helpdesk_routing.records import AuditRecord, TicketRecord

__all__ = [
    "ReplayedState",
    "TicketState",
    "agent_changed",
    "agent_removed",
    "configured",
    "next_seq",
    "replay",
    "replied",
    "routed",
    "ticket_changed",
]

_TICKET_ACTIONS = frozenset(
    {"routed", "rerouted", "assigned", "unassigned", "team_assigned", "status"}
)


def routed(
    now: datetime,
    record: TicketRecord,
    decision: RoutingDecision,
    version: int,
    *,
    action: str = "routed",
    actor: str | None = None,
    pool: str | None = None,
    seq: int | None = None,
) -> AuditRecord:
    """The record of a routing: team, assignee, views, deciding rule and version; ``pool``
    set means round robin (not a person) gave ``record``'s assignee from that pool.
    ``seq`` (every builder here takes it): the one :func:`next_seq` answered, or none."""
    detail: dict[str, Any] = {}
    if decision.views:
        detail["views"] = list(decision.views)
    if decision.rule_id is not None:
        detail["rule_id"] = decision.rule_id
    detail["configuration_version"] = version
    extra: dict[str, Any] = {} if pool is None else {"automatic": True, "pool": pool}
    if seq is not None:
        extra["seq"] = seq
    ticket = record.ticket  # the record's id and status are properties of its ticket
    return construct(
        AuditRecord,
        at=_utc(now),
        actor=actor,
        action=action,
        ticket_id=ticket.id,
        team=record.team,
        assignee=record.assignee,
        status=ticket.status,
        detail=detail,
        **extra,
    )


def _utc(now: datetime) -> datetime:
    # The builders' values come from stored records and the Router (its clock's reading,
    # already checked and in UTC), so they are not validated again: only the instant is
    # brought to UTC here when a caller passes another zone.
    return now if now.tzinfo is UTC else require_aware(now, "now")


def replied(
    now: datetime, actor: str, record: TicketRecord, public: bool, seq: int | None = None
) -> AuditRecord:
    """A human agent's reply to the ticket (``detail["public"]``)."""
    ticket = record.ticket
    return construct(
        AuditRecord,
        at=_utc(now),
        actor=actor,
        action="replied",
        ticket_id=ticket.id,
        team=record.team,
        assignee=record.assignee,
        status=ticket.status,
        detail={"public": public},
        **(_NO_SEQ if seq is None else {"seq": seq}),
    )


def ticket_changed(
    now: datetime,
    actor: str | None,
    action: str,
    record: TicketRecord,
    pool: str | None = None,
    seq: int | None = None,
) -> AuditRecord:
    """A change to one ticket; ``pool`` set means round robin (not a person) assigned it."""
    ticket = record.ticket
    return construct(
        AuditRecord,
        at=_utc(now),
        actor=actor,
        action=action,
        ticket_id=ticket.id,
        team=record.team,
        assignee=record.assignee,
        status=ticket.status,
        automatic=pool is not None,
        pool=pool,
        **(_NO_SEQ if seq is None else {"seq": seq}),
    )


_NO_SEQ: dict[str, int] = {}  # unpacked, never changed


def next_seq(tx: object) -> int | None:
    """The ``seq`` of the next audit record ``tx`` appends, when it knows it ahead
    (:class:`~helpdesk_routing.ports.NextAuditSeq`; the record is then built with it and
    stored as it is), else ``None`` (the store sets it on a copy)."""
    if not offers(tx, NextAuditSeq):
        return None
    # Not typing.cast: a function call at run time, three per ticket routed and closed.
    seq: int = tx.next_audit_seq()  # type: ignore[attr-defined]  # offers() said it has it
    return seq


def configured(
    now: datetime,
    actor: str | None,
    version: int,
    changed: Sequence[str],
    comment: str | None,
    rolled_back_to: int | None = None,
) -> AuditRecord:
    """A new configuration version: which one, what changed, and the editor's comment."""
    detail: dict[str, Any] = {"version": version, "changed": list(changed)}
    if comment is not None:
        detail["comment"] = comment
    if rolled_back_to is not None:
        detail["rollback_to"] = rolled_back_to
    return AuditRecord(at=now, actor=actor, action="configured", detail=detail)


def agent_changed(now: datetime, actor: str, action: str, agent: Agent) -> AuditRecord:
    """An agent added (``agent_added``) or changed (``agent_updated``) through the
    Router, with the agent as stored after it: ``detail`` holds their ``name``, ``role``
    and ``capacity`` (``None``: the configured default), so the log says who was given
    which role and capacity when."""
    detail = {"name": agent.name, "role": agent.role.value, "capacity": agent.capacity}
    return AuditRecord(at=now, actor=actor, action=action, agent_id=agent.id, detail=detail)


def agent_removed(now: datetime, actor: str, agent_id: str) -> AuditRecord:
    """An agent removed through the Router (``agent_removed``): nothing is left to hold."""
    return AuditRecord(at=now, actor=actor, action="agent_removed", agent_id=agent_id)


@dataclass(frozen=True, slots=True)
class TicketState:
    """Where one ticket stands: its team, assignee, status and views."""

    team: str | None
    assignee: str | None
    status: TicketStatus
    views: frozenset[str] = frozenset()


@dataclass(slots=True)
class ReplayedState(SlotsState):
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
    Anything but an iterable of :class:`AuditRecord` (text, a mapping, ``None``; an item
    of another kind) is an :class:`~helpdesk_routing.errors.ArgumentTypeError` naming it.
    """
    if isinstance(records, str | bytes | Mapping) or not isinstance(records, Iterable):
        raise ArgumentTypeError(
            f"records must be AuditRecords (an iterable), got {type(records).__name__}"
        )
    state = ReplayedState()
    for i, r in enumerate(records):
        if not isinstance(r, AuditRecord):
            raise ArgumentTypeError(f"records[{i}] must be an AuditRecord, got {type(r).__name__}")
        if r.action in _TICKET_ACTIONS and r.ticket_id is not None:
            before = state.tickets.get(r.ticket_id)
            if r.action in ("routed", "rerouted"):
                views = frozenset(r.detail.get("views", ()))
            else:
                views = before.views if before is not None else frozenset()
            status = r.status or (before.status if before is not None else TicketStatus.OPEN)
            state.tickets[r.ticket_id] = TicketState(r.team, r.assignee, status, views)
        elif r.action == "presence" and r.agent_id is not None and r.online is not None:
            state.online[r.agent_id] = r.online
    return state
