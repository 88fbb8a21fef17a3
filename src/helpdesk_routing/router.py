"""The Router: what happens to a ticket after the rules have spoken.

Every operation reads ``clock.now()`` once, checks all its input (ids, permissions,
time zones) before writing anything, then does its work in one unit of work
(``store.transaction()``): the pure parts (``rules.decide``, the allocator) are called
inside it and their results written with one audit record per change. A call that
raises leaves the store as it was. ``route`` with the default ``RoundRobin`` lets a
store that can take the round-robin step itself do the whole unit
(``ports.RoundRobinInStore``: the PostgreSQL store, in one SQL function call), so the
pool's rotation is not locked across a round trip to this process.

When a ticket is handed out automatically (``route``, an agent coming Online, a
ticket closing, ``assign_to_team``, ``assign_waiting``), the eligible pool is:

- for a team ticket, the team's Online members (rotation pool ``"team:<id>"``);
- for any other ticket, every Online agent (rotation pool ``"global"``);

minus agents at capacity. A ticket whose channel is bound to office hours is only
handed out while they are open; with round robin off nothing is handed out. A
ticket nobody can take waits: in its team's inbox, or Unassigned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from helpdesk_routing._time import require_aware
from helpdesk_routing.allocation import Allocator, Pool, RoundRobin
from helpdesk_routing.decision import AllocationTrace, RoutingDecision
from helpdesk_routing.errors import (
    ConflictError,
    UnknownAgent,
    UnknownTeam,
    UnknownTicket,
    ValidationError,
)
from helpdesk_routing.model import Agent, Team, Ticket, TicketStatus
from helpdesk_routing.permissions import Action, require, require_self
from helpdesk_routing.ports import Clock, CustomerData, RoundRobinRoute, Store, Transaction
from helpdesk_routing.records import AuditRecord, TicketQuery, TicketRecord
from helpdesk_routing.rules import RuleSet, decide
from helpdesk_routing.views import Views

__all__ = ["OpeningHours", "Router"]

_WAITING = TicketQuery(unassigned=True, statuses=frozenset({TicketStatus.OPEN}))


class OpeningHours(Protocol):
    """What the Router needs of :class:`~helpdesk_routing.calendar.OfficeHours`."""

    def is_open(self, at: datetime) -> bool:
        """Whether the helpdesk is open at the instant ``at``."""
        ...


class Router:
    """Routes, assigns and hands out tickets; the one object most users touch.

    Every port is a keyword argument (no hidden construction)::

        router = Router(rules=rules, teams=teams, store=InMemoryStore(agents=agents),
                        customer_data=InMemoryCustomerData(), clock=SystemClock(),
                        office_hours=OfficeHours(...), office_hours_channels={"webchat"})

    - ``office_hours=None`` means always open; ``office_hours_channels`` are the
      channels whose tickets are only handed out while open (default ``{"webchat"}``).
    - ``round_robin=False`` hands nothing out automatically (tickets wait).
    - ``allocator`` chooses among eligible agents (``RoundRobin()`` by default, or
      ``LeastLoaded()``); ``capacity`` is the default maximum of open tickets per
      agent for automatic assignment (``None``: no limit), overridden by ``Agent.capacity``.
    - ``explain=False`` keeps only the applied rules in decisions (faster at volume).

    Raises ``ValidationError`` when a rule names an unknown team or a team id repeats,
    and ``UnknownAgent`` when a team lists an agent the store does not know.
    """

    def __init__(
        self,
        *,
        rules: RuleSet,
        teams: Sequence[Team],
        store: Store,
        customer_data: CustomerData,
        clock: Clock,
        office_hours: OpeningHours | None = None,
        round_robin: bool = True,
        office_hours_channels: Iterable[str] = frozenset({"webchat"}),
        allocator: Allocator | None = None,
        capacity: int | None = None,
        explain: bool = True,
    ) -> None:
        if capacity is not None and capacity < 0:
            raise ValidationError(f"capacity must be at least 0, got {capacity}")
        self._store = store
        self._customer_data = customer_data
        self._clock = clock
        self._office_hours = office_hours
        self._bound_channels = (
            frozenset({office_hours_channels})
            if isinstance(office_hours_channels, str)
            else frozenset(office_hours_channels)
        )
        self._allocator: Allocator = allocator if allocator is not None else RoundRobin()
        self._capacity = capacity
        self._explain = explain
        teams = tuple(teams)
        with store.transaction() as tx:
            self._check_teams(tx, teams, rules)
        self._rules = rules
        self._set_team_index(teams)
        self._round_robin = round_robin
        self._views = Views(store, is_team=lambda team_id: team_id in self._team_by_id)

    @property
    def rules(self) -> RuleSet:
        """The rule set in force."""
        return self._rules

    @property
    def teams(self) -> tuple[Team, ...]:
        """The teams, in the order memberships are tried."""
        return self._teams

    @property
    def round_robin(self) -> bool:
        """Whether tickets are handed out automatically."""
        return self._round_robin

    @property
    def views(self) -> Views:
        """My inbox, All tickets, Unassigned, team inboxes and saved views."""
        return self._views

    def route(self, ticket: Ticket) -> RoutingDecision:
        """Store a new ticket, apply the rules, and hand it out if someone may take it.

        Returns the decision, with ``assignee`` and an ``allocation`` trace; the same
        ticket id routed again returns the stored decision unchanged.
        """
        now = self._now()
        decision = decide(
            self._rules, self._teams, ticket, self._customer_data, now, explain=self._explain
        )
        pool_name = "global" if decision.team is None else f"team:{decision.team}"
        early = self._not_handed_out(ticket, decision.team, pool_name, now)
        record = TicketRecord(
            ticket=ticket, team=decision.team, views=frozenset(decision.views), decision=decision
        )
        audit = AuditRecord(
            at=now,
            actor=None,
            action="routed",
            ticket_id=ticket.id,
            team=decision.team,
            assignee=None,
            status=ticket.status,
            automatic=False,
            pool=None,
            detail=_routed_detail(decision),
        )
        with self._store.transaction() as tx:
            in_store: Callable[[], RoundRobinRoute] | None = None
            route_in_store = getattr(tx, "route_round_robin", None)
            if early is None and route_in_store is not None and type(self._allocator) is RoundRobin:
                # The store takes the round-robin step itself, at commit: the pool's
                # rotation is locked only while the server works (RoundRobinInStore).
                in_store = route_in_store(
                    pool=pool_name,
                    members=None if decision.team is None else self._members[decision.team],
                    capacity=self._capacity,
                    record=record,
                    audit=audit,
                )
            if in_store is None:
                # Insert first: a ticket id that is already stored (or being stored by
                # another process, which makes this insert wait) returns its decision at
                # once, and the pool's rotation is locked only after the insert.
                existing = tx.add_ticket(record)
                if existing is not None:
                    return _stored_decision(existing)
                assignee, trace = self._allocate(tx, ticket, decision.team, now)
                final = decision.model_copy(update={"assignee": assignee, "allocation": trace})
                tx.update_ticket(
                    record.model_copy(update={"assignee": assignee, "decision": final})
                )
                tx.append_audit(_handed_out(audit, assignee, trace))
                return final
        stored, agent, reason = in_store()
        if stored is not None:
            return _stored_decision(stored)
        assert reason is not None
        trace = AllocationTrace(
            pool=pool_name, assignee=agent, summary=reason, waiting=agent is None
        )
        return decision.model_copy(update={"assignee": agent, "allocation": trace})

    def assign_waiting(self) -> list[TicketRecord]:
        """Hand out every waiting ticket someone may take now, oldest first, in rotation.

        Call it when things change outside the router's view, above all when office
        hours open (``OfficeHours.next_open`` says when). Returns the tickets handed out.
        """
        now = self._now()
        with self._store.transaction() as tx:
            return self._hand_out(tx, now, for_agent=None)

    def set_online(self, agent: str, online: bool, actor: str) -> list[TicketRecord]:
        """Set the agent Online or Offline; only the agent may (``PermissionDenied``).

        Going Offline keeps the agent's tickets. Coming Online hands out the waiting
        tickets the agent may take, oldest first, in rotation; they are returned.
        """
        now = self._now()
        with self._store.transaction() as tx:
            self._agent(tx, actor)
            self._agent(tx, agent)
            require_self(actor, agent)
            if tx.is_online(agent) == online:
                return []
            tx.set_online(agent, online, now)
            tx.append_audit(
                AuditRecord(at=now, actor=actor, action="presence", agent_id=agent, online=online)
            )
            return self._hand_out(tx, now, for_agent=agent) if online else []

    def assign(self, ticket_ids: str | Sequence[str], to: str, actor: str) -> list[TicketRecord]:
        """Assign one ticket or many to the agent ``to`` (oneself too); the rotation is untouched.

        A manual assignment may go to an Offline agent and past their capacity, at any
        hour; the tickets keep their team. Returns the records after the change.
        """
        now = self._now()
        ids = _ids(ticket_ids)
        with self._store.transaction() as tx:
            require(self._agent(tx, actor), Action.ASSIGN)
            self._agent(tx, to)
            records = self._tickets(tx, ids)
            out = []
            for r in records:
                if r.assignee != to:
                    r = r.model_copy(update={"assignee": to})
                    tx.update_ticket(r)
                    self._audit_ticket(tx, now, actor, "assigned", r)
                out.append(r)
            return out

    def unassign(self, ticket_id: str, actor: str) -> TicketRecord:
        """Take the ticket from its assignee ("nobody"); the rotation is untouched.

        The ticket waits again: in its team's inbox when it has a team, else Unassigned.
        It is not handed out again at once (that would undo the choice of "nobody").
        """
        now = self._now()
        with self._store.transaction() as tx:
            require(self._agent(tx, actor), Action.ASSIGN)
            (record,) = self._tickets(tx, [ticket_id])
            if record.assignee is None:
                return record
            record = record.model_copy(update={"assignee": None})
            tx.update_ticket(record)
            self._audit_ticket(tx, now, actor, "unassigned", record)
            return record

    def assign_to_team(
        self, ticket_ids: str | Sequence[str], team: str, actor: str
    ) -> list[TicketRecord]:
        """Move tickets to a team's inbox and hand them out in turn to its Online members.

        A ticket's previous assignee is cleared; tickets nobody can take (members
        Offline or full, office hours closed, round robin off) wait in the team inbox.
        Returns the records after the change, in the order given.
        """
        now = self._now()
        ids = _ids(ticket_ids)
        with self._store.transaction() as tx:
            require(self._agent(tx, actor), Action.ASSIGN)
            if team not in self._team_by_id:
                raise UnknownTeam(team)
            records = self._tickets(tx, ids)
            out = []
            for r in records:
                if r.team != team or r.assignee is not None:
                    r = r.model_copy(update={"team": team, "assignee": None})
                    tx.update_ticket(r)
                    self._audit_ticket(tx, now, actor, "team_assigned", r)
                if r.assignee is None and r.status is TicketStatus.OPEN:
                    r = self._give(tx, now, r) or r
                out.append(r)
            return out

    def set_status(self, ticket_id: str, status: TicketStatus | str, actor: str) -> TicketRecord:
        """Set a ticket open, pending or closed.

        Closing frees capacity: the waiting tickets the freed agent may take are then
        handed out (the ticket keeps its assignee for the record).
        """
        now = self._now()
        new = _status(status)
        with self._store.transaction() as tx:
            require(self._agent(tx, actor), Action.SET_STATUS)
            (record,) = self._tickets(tx, [ticket_id])
            if record.status is new:
                return record
            record = record.model_copy(
                update={"ticket": record.ticket.model_copy(update={"status": new})}
            )
            tx.update_ticket(record)
            self._audit_ticket(tx, now, actor, "status", record)
            if new is TicketStatus.CLOSED and record.assignee is not None:
                self._hand_out(tx, now, for_agent=record.assignee)
            return record

    def reply(self, ticket_id: str, *, actor: str, public: bool = True) -> AuditRecord:
        """Record a human agent's reply to the ticket (audited as ``replied``).

        The first *public* reply ends the ticket's time to first response
        (``helpdesk_routing.metrics``); private notes (``public=False``) are recorded but
        do not count. The AI agent's messages are not replies: they live in a handed-off
        conversation's transcript. Any known agent may reply (``UnknownAgent`` otherwise).
        Returns the stored audit record.
        """
        now = self._now()
        if not isinstance(public, bool):
            raise ValidationError(f"public must be a bool, got {public!r}")
        with self._store.transaction() as tx:
            self._agent(tx, actor)
            (record,) = self._tickets(tx, [ticket_id])
            return tx.append_audit(
                AuditRecord(
                    at=now,
                    actor=actor,
                    action="replied",
                    ticket_id=record.id,
                    team=record.team,
                    assignee=record.assignee,
                    status=record.status,
                    detail={"public": public},
                )
            )

    def set_rules(self, rules: RuleSet, actor: str) -> None:
        """Replace the rule set (owner, admin, manager); every team it names must exist."""
        now = self._now()
        with self._store.transaction() as tx:
            require(self._agent(tx, actor), Action.EDIT_RULES)
            rules.validate_against(self._teams)
            tx.append_audit(
                AuditRecord(
                    at=now,
                    actor=actor,
                    action="rules",
                    detail={"rules": [r.id for r in rules.rules]},
                )
            )
        self._rules = rules

    def set_teams(self, teams: Sequence[Team], actor: str) -> None:
        """Replace the teams (owner, admin, manager).

        Members must be known agents; the current rules must name only these teams.
        Tickets of a team that is removed keep its id and wait until moved.
        """
        now = self._now()
        teams = tuple(teams)
        with self._store.transaction() as tx:
            require(self._agent(tx, actor), Action.EDIT_TEAMS)
            self._check_teams(tx, teams, self._rules)
            tx.append_audit(
                AuditRecord(
                    at=now, actor=actor, action="teams", detail={"teams": [t.id for t in teams]}
                )
            )
        self._set_team_index(teams)

    def set_round_robin(self, enabled: bool, actor: str) -> None:
        """Turn automatic hand-out on or off (owner, admin, manager).

        Turning it on hands nothing out by itself: call :meth:`assign_waiting`.
        """
        now = self._now()
        with self._store.transaction() as tx:
            require(self._agent(tx, actor), Action.SET_ROUND_ROBIN)
            tx.append_audit(
                AuditRecord(at=now, actor=actor, action="round_robin", detail={"enabled": enabled})
            )
        self._round_robin = enabled

    def ticket(self, ticket_id: str) -> TicketRecord:
        """The stored record of a ticket (``UnknownTicket`` if none)."""
        with self._store.transaction() as tx:
            (record,) = self._tickets(tx, [ticket_id])
            return record

    def history(self, ticket_id: str) -> list[AuditRecord]:
        """The ticket's audit trail, oldest first (``UnknownTicket`` if none)."""
        with self._store.transaction() as tx:
            self._tickets(tx, [ticket_id])
            return tx.audit(ticket_id)

    def _set_team_index(self, teams: tuple[Team, ...]) -> None:
        self._teams: tuple[Team, ...] = teams
        self._team_by_id = {t.id: t for t in teams}
        self._members = {t.id: tuple(sorted(t.members)) for t in teams}

    def _now(self) -> datetime:
        return require_aware(self._clock.now(), "clock.now()")

    @staticmethod
    def _agent(tx: Transaction, agent_id: str) -> Agent:
        agent = tx.get_agent(agent_id)
        if agent is None:
            raise UnknownAgent(agent_id)
        return agent

    @staticmethod
    def _tickets(tx: Transaction, ids: Sequence[str]) -> list[TicketRecord]:
        out = []
        for tid in ids:
            record = tx.get_ticket(tid)
            if record is None:
                raise UnknownTicket(tid)
            out.append(record)
        return out

    @staticmethod
    def _check_teams(tx: Transaction, teams: Sequence[Team], rules: RuleSet) -> None:
        seen: set[str] = set()
        for team in teams:
            if team.id in seen:
                raise ValidationError(f"team {team.id!r} is listed twice")
            seen.add(team.id)
            for member in team.members:
                if tx.get_agent(member) is None:
                    raise UnknownAgent(member)
        rules.validate_against(teams)

    @staticmethod
    def _audit_ticket(
        tx: Transaction,
        now: datetime,
        actor: str | None,
        action: str,
        record: TicketRecord,
        pool: str | None = None,
    ) -> None:
        tx.append_audit(
            AuditRecord(
                at=now,
                actor=actor,
                action=action,
                ticket_id=record.id,
                team=record.team,
                assignee=record.assignee,
                status=record.status,
                automatic=pool is not None,
                pool=pool,
            )
        )

    def _pool(self, tx: Transaction, team: str | None) -> Pool:
        """The pool for a ticket: every Online agent, or a team's members (sorted once)."""

        def capacity(agent_id: str) -> int | None:
            agent = tx.get_agent(agent_id)
            if agent is not None and agent.capacity is not None:
                return agent.capacity
            return self._capacity

        if team is None:
            return Pool("global", tx.online_agents(), tx.open_load, capacity)
        return Pool(f"team:{team}", self._members[team], tx.open_load, capacity, tx.is_online)

    def _not_handed_out(
        self, ticket: Ticket, team: str | None, pool_name: str, now: datetime
    ) -> tuple[None, AllocationTrace] | None:
        """Why a ticket is not handed out before any pool is looked at (``None``: it may be)."""

        def waits(why: str) -> tuple[None, AllocationTrace]:
            return None, AllocationTrace(pool=pool_name, assignee=None, summary=why, waiting=True)

        if ticket.status is not TicketStatus.OPEN:
            return None, AllocationTrace(
                pool=pool_name,
                assignee=None,
                summary=f"not handed out: the ticket is {ticket.status.value}",
            )
        if not self._round_robin:
            return waits("round robin is off; the ticket waits")
        if ticket.channel in self._bound_channels and not self._is_open(now):
            return waits(
                f"channel {ticket.channel!r} follows office hours, which are closed; "
                "the ticket waits"
            )
        if team is not None and team not in self._team_by_id:
            return waits(f"team {team!r} is no longer configured; the ticket waits")
        return None

    def _allocate(
        self, tx: Transaction, ticket: Ticket, team: str | None, now: datetime
    ) -> tuple[str | None, AllocationTrace]:
        """Choose an assignee for a waiting ticket and move its pool's rotation."""
        pool_name = "global" if team is None else f"team:{team}"
        early = self._not_handed_out(ticket, team, pool_name, now)
        if early is not None:
            return early
        # Lock the rotation first: a store may read the pool's agents in the same round
        # trip (the PostgreSQL store does), and the choice sees presence as of the lock.
        state = tx.rotation(pool_name)
        result = self._allocator.allocate(ticket, self._pool(tx, team), state)
        if result.agent is None:
            return None, AllocationTrace(
                pool=pool_name, assignee=None, summary=result.reason, waiting=True
            )
        tx.set_rotation(pool_name, result.state)
        return result.agent, AllocationTrace(
            pool=pool_name, assignee=result.agent, summary=result.reason
        )

    def _is_open(self, now: datetime) -> bool:
        return self._office_hours is None or self._office_hours.is_open(now)

    def _give(self, tx: Transaction, now: datetime, record: TicketRecord) -> TicketRecord | None:
        """Hand one waiting ticket out; the updated record, or ``None`` if it still waits."""
        assignee, trace = self._allocate(tx, record.ticket, record.team, now)
        if assignee is None:
            return None
        record = record.model_copy(update={"assignee": assignee})
        tx.update_ticket(record)
        self._audit_ticket(tx, now, None, "assigned", record, pool=trace.pool)
        return record

    def _hand_out(
        self, tx: Transaction, now: datetime, *, for_agent: str | None
    ) -> list[TicketRecord]:
        """Hand out waiting tickets, oldest first; only those ``for_agent`` may take, if given."""
        if not self._round_robin:
            return []
        waiting = [
            r
            for r in tx.find_tickets(_WAITING)
            if for_agent is None or self._may_take(for_agent, r)
        ]
        # Lock every pool this may touch in one global order, so that two hand-outs in
        # different processes cannot each hold a pool the other one waits for.
        for pool in sorted({"global" if r.team is None else f"team:{r.team}" for r in waiting}):
            tx.rotation(pool)
        given = []
        for record in waiting:
            handed = self._give(tx, now, record)
            if handed is not None:
                given.append(handed)
        return given

    def _may_take(self, agent: str, record: TicketRecord) -> bool:
        if record.team is None:
            return True
        team = self._team_by_id.get(record.team)
        return team is not None and agent in team.members


def _stored_decision(record: TicketRecord) -> RoutingDecision:
    if record.decision is None:
        raise ConflictError(f"ticket {record.id!r} is stored but was never routed")
    return record.decision


def _handed_out(audit: AuditRecord, assignee: str | None, trace: AllocationTrace) -> AuditRecord:
    """The routing audit record once the allocation is known."""
    if assignee is None:
        return audit
    return audit.model_copy(update={"assignee": assignee, "automatic": True, "pool": trace.pool})


def _routed_detail(decision: RoutingDecision) -> dict[str, Any]:
    detail: dict[str, Any] = {}
    if decision.views:
        detail["views"] = list(decision.views)
    if decision.rule_id is not None:
        detail["rule_id"] = decision.rule_id
    return detail


def _ids(ticket_ids: str | Sequence[str]) -> list[str]:
    ids = [ticket_ids] if isinstance(ticket_ids, str) else list(ticket_ids)
    return list(dict.fromkeys(ids))


def _status(status: Any) -> TicketStatus:
    try:
        return TicketStatus(status)
    except ValueError:
        raise ValidationError(
            f"invalid status {status!r}: expected one of open, pending, closed"
        ) from None
