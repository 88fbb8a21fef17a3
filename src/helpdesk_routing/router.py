"""The Router: the facade over rules, allocation, configuration and the store.

Every operation reads ``clock.now()`` once, checks its input (ids, permissions, time
zones) and does its work in one unit of work (``store.transaction()``): the pure parts
(``rules.decide``, the allocator) are called with the configuration in force and their
results written with one audit record per change. A call that raises leaves the store
as it was.

**The configuration is data in the store** (``helpdesk_routing.configuration``): every
unit of work reads the stored version number and, when it changed, loads and compiles
the new version (once per version, cached), so every Router on a store obeys the newest
version from its next operation on. ``route`` decides outside the unit (the rules read
customer data); when the version read inside the unit differs from the one that decided,
it decides again with the new one (the last of :data:`ATTEMPTS` tries decides inside the
unit, so a route always ends). Each routing's audit
record names the version that decided it (``detail["configuration_version"]``).

**A race the database broke is run again.** An operation whose unit of work PostgreSQL
rolled back to break a deadlock (or a serialization failure) is run again by the Router,
after a short random pause, up to :data:`RACE_ATTEMPTS` runs in all; only then does its
``ConflictError`` (``retryable=True``) reach the caller. Every writing operation is one
unit of work, so a run that lost kept nothing (``helpdesk_routing._retry``).

Seeding, following and writing the stored versions is ``_keeper.ConfigurationKeeper``'s
job; the route's unit of work (decide, insert, hand out, retry on a newer version) is
``_routing.Routing``'s; adding, changing and removing agents is
``_agents.AgentAdministration``'s; the hand-out policy (who may take a ticket now, the walk over
waiting tickets) lives in :mod:`helpdesk_routing.handout`; the audit records are shaped
in :mod:`helpdesk_routing.audit`.

A Router is thread-safe: threads may share one, and reconfigure it while others route.
Each operation works from one immutable compiled configuration, so a change made by
another thread (or process) takes effect between operations, never inside one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any, SupportsIndex

from helpdesk_routing._agents import AgentAdministration, stored_agent
from helpdesk_routing._input import as_model, integer_argument, plain_text
from helpdesk_routing._keeper import NOT_GIVEN, ConfigurationKeeper, changes
from helpdesk_routing._keeper import Maybe as _Maybe
from helpdesk_routing._retry import RACE_ATTEMPTS, retried
from helpdesk_routing._routing import ATTEMPTS, Routing
from helpdesk_routing._shown import shown
from helpdesk_routing._time import require_aware
from helpdesk_routing._trusted import SharedNames, updated
from helpdesk_routing.allocation import Allocator
from helpdesk_routing.audit import (
    next_seq,
    replied,
    routed,
    ticket_changed,
)
from helpdesk_routing.calendar import OfficeHours
from helpdesk_routing.configuration import (
    CONTENT_FIELDS,
    Configuration,
    RulesGiven,
    allocator_name,
)
from helpdesk_routing.decision import RoutingDecision
from helpdesk_routing.errors import (
    ArgumentTypeError,
    ErrorDetail,
    UnknownAgent,
    UnknownTeam,
    UnknownTicket,
    ValidationError,
)
from helpdesk_routing.handout import Gate, give, hand_out, lock_pools, may_wait
from helpdesk_routing.model import Agent, Team, Ticket, TicketStatus
from helpdesk_routing.permissions import Action, require, require_self
from helpdesk_routing.ports import (
    Clock,
    CustomerData,
    SerialisedUnits,
    Store,
    Transaction,
    offers,
    reading,
    require_clock,
    require_customer_data,
    require_port,
)
from helpdesk_routing.records import AuditRecord, TicketRecord
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores._customer_args import stored_ticket
from helpdesk_routing.views import Views

from ._process_bound import ProcessBound

__all__ = ["ATTEMPTS", "NOT_GIVEN", "RACE_ATTEMPTS", "NotGiven", "Router"]

NotGiven = _Maybe
"""The type of :data:`NOT_GIVEN`, the default of every configuration argument of
``Router(...)`` and ``Router.configure`` (``None`` means something there): a typed
wrapper annotates a parameter it forwards ``X | NotGiven = NOT_GIVEN`` to keep the
stored value when its caller gives none."""

_log = logging.getLogger("helpdesk_routing.router")


class Router(ProcessBound):
    """Routes, assigns and hands out tickets; the one object most users touch.

    Every port is a keyword argument (no hidden construction)::

        router = Router(store=SqliteStore("desk.db"), customer_data=data, clock=SystemClock())

    **Configuration arguments** (``rules``, ``teams``, ``round_robin``, ``office_hours``,
    ``office_hours_channels``, ``capacity``, ``allocator``) seed the stored configuration:

    - on a store that holds no configuration, the arguments given (defaults for the
      rest) are written as version 1; with no argument at all nothing is written and
      the Router starts from the empty configuration (no rules, no teams, round robin
      on), version 0, until someone calls :meth:`configure`;
    - on a store that holds one, the stored configuration is in force. Arguments equal
      to the stored values are accepted (a service restarting with the configuration it
      started with); an argument that differs raises ``ConflictError`` naming the stored
      version and the fields, and nothing is written: change a stored configuration with
      :meth:`configure`, never by constructing a Router.

    ``rules`` is a :class:`~helpdesk_routing.rules.RuleSet`, a list or tuple of rules
    (:class:`~helpdesk_routing.rules.RoutingRule` objects or their JSON data: the rule
    set of those rules, in that order) or a rule set's JSON data (a ``dict``); ``teams``
    a list or tuple of teams. ``office_hours=None`` means always open;
    ``office_hours_channels`` are the channels whose tickets are only handed out while
    open (default ``{"webchat"}``; a plain string is one channel).
    ``round_robin=False`` hands nothing out automatically.
    ``capacity`` is the default maximum of open tickets per agent for automatic
    assignment (``None``: no limit), overridden by ``Agent.capacity``.

    ``allocator`` is ``"round_robin"`` (the default) or ``"least_loaded"``, or an object:
    ``RoundRobin()`` and ``LeastLoaded()`` stand for their names; any other
    :class:`~helpdesk_routing.allocation.Allocator` is a *custom* allocator, which cannot
    be stored: this Router uses it whatever the stored configuration names, and it is
    not compared with the stored one. ``explain=False`` keeps only the applied rules in
    decisions (a per-process choice, not configuration).

    Raises ``ValidationError`` when a rule names an unknown team or a team id repeats,
    and ``UnknownAgent`` when a team lists an agent the store does not know.
    """

    _elsewhere = "make a Router in each process, over a store that process opens"

    def __init__(
        self,
        *,
        store: Store,
        customer_data: CustomerData,
        clock: Clock,
        rules: RulesGiven | _Maybe | None = NOT_GIVEN,
        teams: Sequence[Team | Mapping[str, Any]] | _Maybe | None = NOT_GIVEN,
        office_hours: OfficeHours | _Maybe | None = NOT_GIVEN,
        round_robin: bool | _Maybe = NOT_GIVEN,
        office_hours_channels: Iterable[str] | _Maybe = NOT_GIVEN,
        allocator: Allocator | str | _Maybe | None = NOT_GIVEN,
        capacity: int | _Maybe | None = NOT_GIVEN,
        explain: bool = True,
    ) -> None:
        require_port(store, "store", "transaction", "a Store (InMemoryStore, SqliteStore, ...)")
        require_clock(clock, "clock", "a Clock (SystemClock, ManualClock)")
        require_customer_data(
            customer_data,
            "customer_data",
            "a CustomerData (InMemoryCustomerData, SqliteCustomerData, ...)",
        )
        if not isinstance(explain, bool):
            raise ArgumentTypeError(f"explain must be a bool, got {explain!r}")
        self._store = store
        self._clock = clock
        # rules, teams and allocator given as None are left out too (None means nothing
        # else for them: an empty rule set is RuleSet(rules=[]), no teams is [])
        if rules is None:
            rules = NOT_GIVEN
        if teams is None:
            teams = NOT_GIVEN
        if allocator is None:
            allocator = NOT_GIVEN
        custom = None
        if allocator is not NOT_GIVEN and not isinstance(allocator, str):
            _require_allocator(allocator)
            name = allocator_name(allocator)
            custom = None if name is not None else allocator
            # a shipped allocator is stored by its name; a custom one is no configuration
            allocator = NOT_GIVEN if name is None else name
        # The keeper and the views get functions of the clock and the keeper, not bound
        # methods of this Router: a Router that referred to itself through them would be a
        # reference cycle, and so would hold its store (every record of an in-memory one)
        # until the cyclic collector next ran a full pass, instead of freeing it when the
        # last reference goes.
        self._keeper = ConfigurationKeeper(store, _reader(clock), custom)
        given = changes(
            rules=rules,
            teams=teams,
            round_robin=round_robin,
            office_hours=office_hours,
            office_hours_channels=office_hours_channels,
            capacity=capacity,
            allocator=allocator,
        )
        self._keeper.start(given)
        self._routing = Routing(store, self._keeper, customer_data, explain=explain)
        self._agents = AgentAdministration(store, self._keeper)
        self._views = Views(
            store, is_team=_team_test(self._keeper), bind=partial(_bound_records, self._routing)
        )

    def __repr__(self) -> str:
        """The store's kind and the newest configuration this Router has seen (no I/O)."""
        configuration = self._keeper.current.configuration
        return (
            f"<Router store={type(self._store).__name__} "
            f"configuration_version={configuration.version} "
            f"rules={len(configuration.rules.rules)} teams={len(configuration.teams)}>"
        )

    @property
    def configuration(self) -> Configuration:
        """The configuration in force, as stored (version ``0``: none is stored yet).

        Version ``0`` is no stored version: it is the empty configuration, and its JSON
        does not read back as a ``Configuration`` (a version is at least 1), nor does
        ``model_copy(update=...)`` check; give the parts to :meth:`configure`, which
        stores version 1."""
        return self._keeper.refresh().configuration

    def configuration_history(self) -> list[Configuration]:
        """Every stored configuration version, oldest first."""
        with reading(self._store) as tx:
            return tx.configurations()

    @property
    def rules(self) -> RuleSet:
        """The rule set in force."""
        return self.configuration.rules

    @property
    def teams(self) -> tuple[Team, ...]:
        """The teams in force, in the order memberships are tried."""
        return self.configuration.teams

    @property
    def round_robin(self) -> bool:
        """Whether tickets are handed out automatically."""
        return self.configuration.round_robin

    @property
    def views(self) -> Views:
        """My inbox, All tickets, Unassigned, team inboxes and saved views."""
        return self._views

    @retried
    def configure(
        self,
        *,
        actor: str,
        rules: RulesGiven | _Maybe = NOT_GIVEN,
        teams: Sequence[Team | Mapping[str, Any]] | _Maybe = NOT_GIVEN,
        round_robin: bool | _Maybe = NOT_GIVEN,
        office_hours: OfficeHours | _Maybe | None = NOT_GIVEN,
        office_hours_channels: Iterable[str] | _Maybe = NOT_GIVEN,
        capacity: int | _Maybe | None = NOT_GIVEN,
        allocator: str | Allocator | _Maybe = NOT_GIVEN,
        comment: str | None = None,
        expected_version: SupportsIndex | None = None,
    ) -> Configuration:
        """Store a new configuration version: the one in force with the fields given changed.

        Owner, admin and manager only. The new version and its ``configured`` audit
        record are written in one unit of work. ``expected_version`` is the version the
        editor started from: when another version has been stored since, nothing is
        written and :class:`~helpdesk_routing.errors.StaleConfiguration` (a
        ``ConflictError``) names the stored version. Without it the edit applies to
        whatever version is newest. Returns the stored version.
        """
        # Every method reads the ids it is given as plain text first (NumPy's str_ was
        # stored as given; an id with its own == and hash found another ticket or agent
        # in the in-memory store), testing the class so plain text costs the hot paths
        # (route, reply, close) no call.
        if actor.__class__ is not str:
            actor = plain_text(actor)
        if allocator is not NOT_GIVEN and not isinstance(allocator, str):
            name = allocator_name(allocator)
            if name is None:
                _require_allocator(allocator)
            if name is None:
                raise ValidationError(
                    "a custom allocator cannot be stored; pass it as Router(allocator=...)"
                )
            allocator = name
        edit = changes(
            rules=rules,
            teams=teams,
            round_robin=round_robin,
            office_hours=office_hours,
            office_hours_channels=office_hours_channels,
            capacity=capacity,
            allocator=allocator,
        )
        return self._keeper.write(actor, edit, comment, expected_version)

    @retried
    def rollback(
        self,
        version: SupportsIndex,
        *,
        actor: str,
        comment: str | None = None,
        expected_version: SupportsIndex | None = None,
    ) -> Configuration:
        """Store a new version equal in content to the stored ``version`` (owner, admin,
        manager); ``ValidationError`` when no such version is stored."""
        if actor.__class__ is not str:
            actor = plain_text(actor)
        whole = integer_argument(version)
        if whole is None:
            raise ValidationError(f"version must be a whole number, got {version!r}")
        version = whole
        with self._store.transaction() as tx:
            # a version beyond a 64-bit integer is never stored (SQL stores cannot look it up)
            old = tx.configuration(version) if 1 <= version < 2**63 else None
        if old is None:
            raise ValidationError(f"no configuration version {version} is stored")
        edit = {f: getattr(old, f) for f in CONTENT_FIELDS}
        return self._keeper.write(actor, edit, comment, expected_version, rollback_to=version)

    def set_rules(self, rules: RulesGiven, actor: str) -> None:
        """Replace the rule set (owner, admin, manager); every team it names must exist.

        ``rules`` is what :meth:`configure` takes for it: a :class:`RuleSet`, a sequence
        of rules, or a rule set's JSON data."""
        self.configure(actor=actor, rules=rules)

    def set_teams(self, teams: Sequence[Team | Mapping[str, Any]], actor: str) -> None:
        """Replace the teams (owner, admin, manager).

        Members must be known agents; the current rules must name only these teams.
        Tickets of a team that is removed keep its id and wait until moved.
        """
        self.configure(actor=actor, teams=teams)

    def set_round_robin(self, enabled: bool, actor: str) -> None:
        """Turn automatic hand-out on or off (owner, admin, manager).

        Turning it on hands nothing out by itself: call :meth:`assign_waiting`.
        """
        self.configure(actor=actor, round_robin=enabled)

    # -- agents ----------------------------------------------------------------------

    @retried
    def add_agent(self, agent: Agent | Mapping[str, Any], *, actor: str) -> Agent:
        """Add a new agent, Offline (owner, admin, manager); ``ConflictError`` if the id exists.

        ``PermissionDenied`` when the new agent's role ranks above the actor's
        (``helpdesk_routing.permissions.RANK``)."""
        if actor.__class__ is not str:
            actor = plain_text(actor)
        agent = _agent(agent)
        self._agents.add(agent, actor, self._now())
        _log.info("agent %s added", shown(agent.id), extra={"agent_id": agent.id, "actor": actor})
        return agent

    @retried
    def update_agent(self, agent: Agent | Mapping[str, Any], *, actor: str) -> Agent:
        """Replace a known agent's name, role or capacity (owner, admin, manager); presence
        is kept. ``UnknownAgent`` for an unknown id.

        ``PermissionDenied`` when the agent's role, before or after, ranks above the
        actor's (``helpdesk_routing.permissions.RANK``); ``ConflictError`` when the change
        would leave no agent who may manage agents."""
        if actor.__class__ is not str:
            actor = plain_text(actor)
        agent = _agent(agent)
        self._agents.update(agent, actor, self._now())
        _log.info("agent %s updated", shown(agent.id), extra={"agent_id": agent.id, "actor": actor})
        return agent

    @retried
    def remove_agent(self, agent_id: str, *, actor: str) -> None:
        """Remove an agent (owner, admin, manager); audited as ``agent_removed``.

        Refused with ``ConflictError`` while the agent is a member of a configured team
        (take them out with :meth:`configure` first) or has tickets that are not closed
        (reassign them first): nothing may point at an agent who is gone. Their audit
        history stays; an agent removed while Online is first set Offline, audited as
        ``presence`` in the same unit. ``UnknownAgent`` for an unknown id.
        ``PermissionDenied`` for an agent whose role ranks above the actor's;
        ``ConflictError`` for the last agent who may manage agents.
        """
        if agent_id.__class__ is not str:
            agent_id = plain_text(agent_id)
        if actor.__class__ is not str:
            actor = plain_text(actor)
        self._agents.remove(agent_id, actor, self._now())
        _log.info("agent %s removed", shown(agent_id), extra={"agent_id": agent_id, "actor": actor})

    # -- tickets ---------------------------------------------------------------------

    @retried
    def route(self, ticket: Ticket | Mapping[str, Any]) -> RoutingDecision:
        """Store a new ticket, apply the rules, and hand it out if someone may take it.

        ``ticket`` is a :class:`~helpdesk_routing.model.Ticket` or a mapping of its fields
        (validated: ``ValidationError`` with JSON paths). Returns the decision, with
        ``assignee`` and an ``allocation`` trace. The same ticket routed again returns the
        stored decision unchanged; a stored id with different content (anything but its
        status) raises ``ConflictError`` naming the ticket (use :meth:`reroute` for an
        updated ticket).
        """
        if type(ticket) is not Ticket or not _sound(ticket):
            ticket = _ticket(ticket)
        if ticket.fields:  # decided and stored in the form every store reads back
            ticket = stored_ticket(ticket)
        return self._routing.route(ticket, self._now())

    @retried
    def reroute(
        self, ticket_id: str, *, actor: str, ticket: Ticket | Mapping[str, Any] | None = None
    ) -> TicketRecord:
        """Apply the rules in force again to a stored ticket (owner, admin, manager, support).

        ``ticket``, when given, is the ticket's updated content (same id) and replaces the
        stored one, its ``created_at`` included (which moves it in the views' order). The
        team and views follow the new decision. While the team stays the same, the ticket
        keeps its assignee (the rotation does not move; a waiting ticket waits on, in its
        turn); when the team changes, the assignee is cleared and the ticket is handed out
        in its new pool if someone may take it (only then does a rotation move). Audited
        as ``rerouted`` (with the configuration version), then ``assigned`` when handed
        out. When the
        former assignee has room again (the ticket left their team, or its new content is
        closed), the waiting tickets they may take are handed out, as on a close. A ticket
        whose content is closed keeps its assignee even when its team changes (who handled
        it is its record, and nobody is handed a closed ticket).
        """
        if ticket_id.__class__ is not str:
            ticket_id = plain_text(ticket_id)
        if actor.__class__ is not str:
            actor = plain_text(actor)
        if ticket is not None:
            ticket = stored_ticket(_ticket(ticket))
        if ticket is not None and ticket.id != ticket_id:
            raise ValidationError(f"ticket id {ticket.id!r} does not match {ticket_id!r}")
        now = self._now()
        # Rerouting is rare: it decides inside its unit, with the version it reads there.
        with self._store.transaction() as tx:
            require(self._agent(tx, actor), Action.ASSIGN)
            compiled = self._keeper.snapshot(tx)
            # Every pool before the ticket (as assign_to_team): the ticket may be given in
            # its new pool and its former assignee's pools walked, and a hand-out holding
            # one of them while it gives this ticket must never wait for this unit.
            lock_pools(tx, compiled, for_agent=None)
            record = self._stored(tx, ticket_id)
            new_ticket = ticket if ticket is not None else record.ticket
            decision = self._routing.decide(compiled, new_ticket, now)
            # A closed ticket keeps who handled it, whatever its team: nobody is handed a
            # closed ticket, and its assignee is its record.
            closed_now = new_ticket.status is TicketStatus.CLOSED
            keep = decision.team == record.team or closed_now
            assignee = record.assignee if keep else None
            # (the pools this unit holds keep a removal out: no load lock needed)
            if not closed_now and _gone(tx, assignee, hold=False):
                assignee = None  # reopened, and its assignee was removed
            new = TicketRecord(
                ticket=new_ticket,
                team=decision.team,
                views=frozenset(decision.views),
                assignee=assignee,
                decision=decision.model_copy(update={"assignee": assignee}),
            )
            tx.update_ticket(new)
            tx.append_audit(
                routed(now, new, decision, compiled.version, action="rerouted", actor=actor)
            )
            gate = Gate.at(compiled, now)
            if (
                assignee is None
                and new.status is TicketStatus.OPEN
                and decision.team != record.team
            ):
                # Handed out in its new pool; in the same pool it waits its turn (handed
                # out at once, it passed the older tickets waiting there and moved the
                # rotation), as a ticket reopened by set_status does.
                new = give(tx, gate, now, new) or new
            # The former assignee has room again when the ticket left them (a new team)
            # or closed: the waiting tickets they may take are handed out, as on a close
            # (a removed one takes nothing: nothing is handed out for them).
            before = record.assignee
            closed = new.status is TicketStatus.CLOSED and record.status is not TicketStatus.CLOSED
            if (
                before is not None
                and (new.assignee != before or closed)
                and tx.get_agent(before) is not None
                and may_wait(tx)
            ):
                hand_out(tx, gate, now, for_agent=before)
            _log.info(
                "rerouted %s: team %s, assignee %s",
                shown(ticket_id),
                None if new.team is None else shown(new.team),
                None if new.assignee is None else shown(new.assignee),
                extra={
                    "ticket_id": ticket_id,
                    "actor": actor,
                    "team": new.team,
                    "assignee": new.assignee,
                    "rule_id": decision.rule_id,
                    "configuration_version": compiled.version,
                },
            )
            return self._bound_record(tx, new)

    @retried
    def assign_waiting(self) -> list[TicketRecord]:
        """Hand out every waiting ticket someone may take now, oldest first, in rotation.

        Call it when things change outside the router's view, above all when office
        hours open (``OfficeHours.next_open`` says when). Returns the tickets handed out.
        Its cost follows the tickets handed out, not the number waiting.
        """
        now = self._now()
        with self._store.transaction() as tx:
            gate = Gate.at(self._keeper.snapshot(tx), now)
            return self._bound_records(tx, hand_out(tx, gate, now, for_agent=None))

    @retried
    def set_online(self, agent: str, online: bool, actor: str) -> list[TicketRecord]:
        """Set the agent Online or Offline; only the agent may (``PermissionDenied``).

        ``online`` must be a ``bool`` (``ValidationError`` otherwise: ``"false"`` is not
        Offline). Going Offline keeps the agent's tickets. Coming Online hands out the
        waiting tickets the agent may take, oldest first, in rotation; they are returned.
        """
        if agent.__class__ is not str:
            agent = plain_text(agent)
        if actor.__class__ is not str:
            actor = plain_text(actor)
        if not isinstance(online, bool):
            raise ValidationError(f"online must be a bool, got {online!r}")
        now = self._now()
        with self._store.transaction() as tx:
            self._agent(tx, actor)
            self._agent(tx, agent, "agent")
            require_self(actor, agent)
            if tx.is_online(agent) == online:
                return []
            locked = None
            if online:
                compiled = self._keeper.snapshot(tx)
                if compiled.configuration.round_robin:
                    # Pools before the agent's row, the order every route takes them in.
                    locked = lock_pools(tx, compiled, for_agent=agent)
            tx.set_online(agent, online, now)
            tx.append_audit(
                AuditRecord(at=now, actor=actor, action="presence", agent_id=agent, online=online)
            )
            if not online:
                return []
            gate = Gate.at(self._keeper.snapshot(tx), now)
            given = hand_out(tx, gate, now, for_agent=agent, locked=locked)
            return self._bound_records(tx, given)

    @retried
    def assign(self, ticket_ids: str | Sequence[str], to: str, actor: str) -> list[TicketRecord]:
        """Assign one ticket or many to the agent ``to`` (oneself too); the rotation is untouched.

        A manual assignment may go to an Offline agent and past their capacity, at any
        hour; the tickets keep their team. Returns the records after the change.
        """
        if to.__class__ is not str:
            to = plain_text(to)
        if actor.__class__ is not str:
            actor = plain_text(actor)
        now = self._now()
        ids = _ids(ticket_ids)
        with self._store.transaction() as tx:
            require(self._agent(tx, actor), Action.ASSIGN)
            self._agent(tx, to, "to")
            records = self._tickets(tx, ids)
            if any(r.assignee != to for r in records) and _gone(tx, to):
                raise UnknownAgent(to)  # removed while this unit waited for the tickets
            out = []
            for r in records:
                if r.assignee != to:
                    r = r.model_copy(update={"assignee": to})
                    tx.update_ticket(r)
                    tx.append_audit(ticket_changed(now, actor, "assigned", r))
                out.append(r)
            return self._bound_records(tx, out)

    @retried
    def unassign(self, ticket_id: str, actor: str) -> TicketRecord:
        """Take the ticket from its assignee ("nobody"); the rotation is untouched.

        The ticket waits again: in its team's inbox when it has a team, else Unassigned.
        It is not handed out again at once (that would undo the choice of "nobody").
        """
        if ticket_id.__class__ is not str:
            ticket_id = plain_text(ticket_id)
        if actor.__class__ is not str:
            actor = plain_text(actor)
        now = self._now()
        with self._store.transaction() as tx:
            require(self._agent(tx, actor), Action.ASSIGN)
            record = self._stored(tx, ticket_id)
            if record.assignee is None:
                return self._bound_record(tx, record)
            record = record.model_copy(update={"assignee": None})
            tx.update_ticket(record)
            tx.append_audit(ticket_changed(now, actor, "unassigned", record))
            return self._bound_record(tx, record)

    @retried
    def assign_to_team(
        self, ticket_ids: str | Sequence[str], team: str, actor: str
    ) -> list[TicketRecord]:
        """Move tickets to a team's inbox and hand them out in turn to its Online members.

        A ticket's previous assignee is cleared (a closed ticket keeps it: it is the
        record of who handled it, and a closed ticket is handed to nobody); then waiting
        tickets are handed out as on a close, oldest first in each pool (a moved ticket
        never passes an older one already waiting in the team inbox), so tickets nobody
        can take (members Offline or full, office hours closed, round robin off) wait in
        the team inbox. Returns the records after the change, in the order given.
        """
        if team.__class__ is not str:
            team = plain_text(team)
        if actor.__class__ is not str:
            actor = plain_text(actor)
        now = self._now()
        ids = _ids(ticket_ids)
        if not isinstance(team, str):
            raise ValidationError(f"team must be a team id (text), got {team!r}")
        with self._store.transaction() as tx:
            require(self._agent(tx, actor), Action.ASSIGN)
            compiled = self._keeper.snapshot(tx)
            if team not in compiled.team_by_id:
                raise UnknownTeam(team)
            # The pools before the tickets, as every unit that hands out takes them: a
            # hand-out holding a pool while it gives a waiting ticket (whose row it then
            # locks) never waits for this unit while this one waits for that pool.
            locked = lock_pools(tx, compiled, for_agent=None)
            records = self._tickets(tx, ids)
            moved = []
            for r in records:
                if r.status is TicketStatus.CLOSED:
                    # Moved for the record: who handled it stays (nobody is handed it).
                    if r.team != team:
                        r = r.model_copy(update={"team": team})
                        tx.update_ticket(r)
                        tx.append_audit(ticket_changed(now, actor, "team_assigned", r))
                elif r.team != team or r.assignee is not None:
                    r = r.model_copy(update={"team": team, "assignee": None})
                    tx.update_ticket(r)
                    tx.append_audit(ticket_changed(now, actor, "team_assigned", r))
                moved.append(r)
            # Then the hand-out walk, as on a close: the waiting tickets, oldest first in
            # each pool, so a ticket moved in never passes one already waiting there, and
            # a previous assignee with room again takes what they may.
            hand_out(tx, Gate.at(compiled, now), now, for_agent=None, locked=locked)
            return self._bound_records(tx, [tx.get_ticket(r.id) or r for r in moved])

    def set_status(self, ticket_id: str, status: TicketStatus | str, actor: str) -> TicketRecord:
        """Set a ticket open, pending or closed.

        Closing frees capacity: the waiting tickets the freed agent may take are then
        handed out (the ticket keeps its assignee for the record).
        """
        return self._set_status(ticket_id, status, actor)[0]

    @retried
    def _set_status(
        self, ticket_id: str, status: TicketStatus | str, actor: str
    ) -> tuple[TicketRecord, list[TicketRecord]]:
        """:meth:`set_status`, and the waiting tickets its close handed out, in hand-out
        order (what the simulator's :class:`~helpdesk_routing.simulation._backends.
        RouterBackend` reports, without reading the store again)."""
        if ticket_id.__class__ is not str:
            ticket_id = plain_text(ticket_id)
        if actor.__class__ is not str:
            actor = plain_text(actor)
        now = self._now()
        new = _status(status)
        with self._store.transaction() as tx:
            require(self._agent(tx, actor), Action.SET_STATUS)
            record = self._stored(tx, ticket_id)
            if record.ticket.status is new:
                return self._bound_record(tx, record), []
            reopened = record.ticket.status is TicketStatus.CLOSED
            record = updated(record, ticket=updated(record.ticket, status=new))
            if new is not TicketStatus.CLOSED and _gone(tx, record.assignee, hold=reopened):
                # A removed agent's closed ticket, reopened: it waits for someone who
                # exists (nothing may point at an agent who is gone).
                record = updated(record, assignee=None)
            tx.update_ticket(record)
            gate: Gate | None = None
            pools: list[str | None] = []
            if new is TicketStatus.CLOSED and record.assignee is not None and may_wait(tx):
                gate = Gate.at(self._keeper.snapshot(tx), now)
                if gate.compiled.configuration.round_robin:
                    # The pools the hand-out walks, before the record: its seq is drawn
                    # after every lock the unit waits for, so it sorts after a hand-out
                    # that held a pool meanwhile (and did not see this close).
                    pools = lock_pools(tx, gate.compiled, for_agent=record.assignee)
            tx.append_audit(ticket_changed(now, actor, "status", record, seq=next_seq(tx)))
            given: list[TicketRecord] = []
            if gate is not None and pools:
                given = hand_out(tx, gate, now, for_agent=record.assignee, locked=pools)
            both = _bound_records(self._routing, tx, [record, *given])
            return both[0], both[1:]

    @retried
    def reply(self, ticket_id: str, *, actor: str, public: bool = True) -> AuditRecord:
        """Record a human agent's reply to the ticket (audited as ``replied``).

        The first *public* reply ends the ticket's time to first response
        (``helpdesk_routing.metrics``); private notes (``public=False``) are recorded but
        do not count. The AI agent's messages are not replies: they live in a handed-off
        conversation's transcript. Any known agent may reply (``UnknownAgent`` otherwise).
        Returns the stored audit record.
        """
        if ticket_id.__class__ is not str:
            ticket_id = plain_text(ticket_id)
        if actor.__class__ is not str:
            actor = plain_text(actor)
        now = self._now()
        if not isinstance(public, bool):
            raise ValidationError(f"public must be a bool, got {public!r}")
        with self._store.transaction() as tx:
            self._agent(tx, actor)
            record = self._stored(tx, ticket_id)
            return tx.append_audit(replied(now, actor, record, public, seq=next_seq(tx)))

    def ticket(self, ticket_id: str) -> TicketRecord:
        """The stored record of a ticket (``UnknownTicket`` if none), its decision bound to
        the rules of the configuration version that decided it."""
        if ticket_id.__class__ is not str:
            ticket_id = plain_text(ticket_id)
        with reading(self._store) as tx:
            return self._bound_record(tx, self._stored(tx, ticket_id))

    def _bound_records(self, tx: Transaction, records: list[TicketRecord]) -> list[TicketRecord]:
        """``records`` with their decisions bound (:meth:`_bound_record`)."""
        return _bound_records(self._routing, tx, records)

    def _bound_record(self, tx: Transaction, record: TicketRecord) -> TicketRecord:
        """``record`` with its decision bound to the rules of the configuration version
        that decided it, as every record the Router returns has it, whatever the store:
        one read back from SQL is unbound, one the in-memory store holds bound already."""
        return _bound_record(self._routing, tx, record)

    def history(self, ticket_id: str) -> list[AuditRecord]:
        """The ticket's audit trail, oldest first (``UnknownTicket`` if none)."""
        if ticket_id.__class__ is not str:
            ticket_id = plain_text(ticket_id)
        with reading(self._store) as tx:
            self._stored(tx, ticket_id)
            return tx.audit(ticket_id)

    def _now(self) -> datetime:
        return require_aware(self._clock.now(), "clock.now()")

    _agent = staticmethod(stored_agent)
    """The stored agent ``agent_id`` (the argument ``name``, ``"actor"`` unless given):
    ``ValidationError`` naming it when it is not text, ``UnknownAgent`` when none is
    stored."""

    @staticmethod
    def _tickets(tx: Transaction, ids: Sequence[str]) -> list[TicketRecord]:
        return [Router._stored(tx, tid) for tid in ids]

    @staticmethod
    def _stored(tx: Transaction, ticket_id: str) -> TicketRecord:
        """The stored record of one ticket id (``UnknownTicket`` if none)."""
        if not isinstance(ticket_id, str):
            raise ValidationError(f"a ticket id is text, got {ticket_id!r}")
        record = tx.get_ticket(ticket_id)
        if record is None:
            raise UnknownTicket(ticket_id)
        return record


def _require_allocator(allocator: object) -> None:
    """``ArgumentTypeError`` at ``$.allocator`` for an allocator argument that is neither
    a name nor an Allocator, alike from ``Router(...)`` and ``configure`` (which said
    ``ValidationError`` at ``$``)."""
    if isinstance(allocator, type) or not callable(getattr(allocator, "allocate", None)):
        got = (
            f"the class {allocator.__name__} itself ({allocator.__name__}() is one)"
            if isinstance(allocator, type)
            else type(allocator).__name__
        )
        said = (
            "allocator must be 'round_robin', 'least_loaded' or an Allocator (with "
            f"allocate()), got {got}"
        )
        raise ArgumentTypeError(said, [ErrorDetail("$.allocator", said, "allocator_type")])


def _gone(tx: Transaction, agent_id: str | None, *, hold: bool = True) -> bool:
    """Whether ``agent_id`` names an agent who was removed (``None`` names nobody).

    Asked before a unit gives the agent a ticket outside a hand-out (``assign``, a
    reopen). With ``hold``, where units overlap (PostgreSQL), it first takes the agent's
    load lock (``open_load``; its count is not needed), which
    :meth:`Router.remove_agent` holds from before it counts the agent's tickets until it
    ends: a removal that began first has ended, and the agent is found gone; one that
    begins later counts this unit's ticket and is refused. Taken after the unit's ticket
    rows, as every hand-out takes an agent's load lock after the tickets it walks."""
    if agent_id is None:
        return False
    if hold and not offers(tx, SerialisedUnits):
        tx.open_load(agent_id)
    return tx.get_agent(agent_id) is None


def _agent(value: object) -> Agent:
    """``value`` as a sound Agent: one given as an object is validated again from its
    values (agents are added and changed rarely: what ``model_construct`` made, which
    checks nothing, must not reach a store that cannot read it back)."""
    if type(value) is Agent:
        return Agent.model_validate(dict(value))
    return as_model(Agent, value, "agent")


def _ticket(value: object) -> Ticket:
    """``value`` as a sound Ticket: validated when a mapping, or when an instance that
    is not :func:`_sound` (then from its own field values)."""
    ticket = as_model(Ticket, value, "ticket")
    return ticket if _sound(ticket) else Ticket.model_validate(dict(ticket))


def _sound(ticket: Ticket) -> bool:
    """Whether a ``Ticket`` instance holds values of its fields' kinds where routing and
    the stores rely on them: a copy made with ``model_copy(update=...)`` is not
    validated, and a naive ``created_at`` or a list of tags would fail deep in a store.
    A few type checks, so the common case costs nothing; an unsound ticket is validated
    again (its errors name the field)."""
    # validated (its fields-set is a shared one, Ticket's own check makes it so): a
    # ticket made by model_construct holds whatever it was given (an empty channel a
    # SQL store then could not read back), or lacks a field it was not given
    if type(ticket.__pydantic_fields_set__) is not SharedNames:
        return False
    created = ticket.created_at
    return (
        type(ticket.id) is str
        and type(ticket.channel) is str
        and type(created) is datetime
        and (created.tzinfo is UTC or created.utcoffset() is not None)  # UTC: the clock's zone
        and type(ticket.tags) is frozenset
        and type(ticket.fields) is dict
        and isinstance(ticket.status, TicketStatus)
    )


def _ids(ticket_ids: str | Sequence[str]) -> list[str]:
    """One id or several, in the order named, each once. Bytes (an iterable of numbers)
    and a mapping (whose keys a loop would take as the ids) are refused."""
    if not isinstance(ticket_ids, (str, Iterable)) or isinstance(
        ticket_ids, (bytes, bytearray, memoryview, Mapping)
    ):
        raise ValidationError(f"ticket ids are one id or several (text), got {ticket_ids!r}")
    ids = [ticket_ids] if isinstance(ticket_ids, str) else list(ticket_ids)
    for tid in ids:
        if not isinstance(tid, str):
            raise ValidationError(f"a ticket id is text, got {tid!r}")
    # each once as plain text: a subclass's own == and hash made "T1" a repeat of "t1"
    return list(dict.fromkeys(map(plain_text, ids)))


def _status(status: Any) -> TicketStatus:
    if type(status) is TicketStatus:
        return status  # what TicketStatus(status) answers, without the enum's two calls
    try:
        return TicketStatus(status)
    except ValueError:
        raise ValidationError(
            f"invalid status {status!r}: expected one of open, pending, closed"
        ) from None


def _reader(clock: Clock) -> Callable[[], datetime]:
    """``clock.now()``, refused when naive (what :meth:`Router._now` reads)."""

    def now() -> datetime:
        return require_aware(clock.now(), "clock.now()")

    return now


def _bound_record(routing: Routing, tx: Transaction, record: TicketRecord) -> TicketRecord:
    """:meth:`Router._bound_record` (a function: the views hold it without the Router)."""
    return _bound_records(routing, tx, [record])[0]


def _bound_records(
    routing: Routing, tx: Transaction, records: list[TicketRecord]
) -> list[TicketRecord]:
    """:meth:`Router._bound_records` (a function: the views hold it without the Router).

    A decision already bound (the in-memory store holds the one the route made) is
    passed over by a look at its private slot, not through ``decision.bound`` (a
    property call and pydantic's ``__getattr__`` each): a close pays a few calls for it."""
    out = records
    for i, record in enumerate(records):
        decision = record.decision
        if decision is None:
            continue
        private = decision.__pydantic_private__
        if private is not None and private.get("_book") is not None:
            continue
        bound = routing.bound(tx, decision)
        if bound is not decision:
            if out is records:
                out = list(records)
            out[i] = record.model_copy(update={"decision": bound})
    return out


def _team_test(keeper: ConfigurationKeeper) -> Callable[[Transaction, str], bool]:
    """Whether a team id is configured, as of ``tx`` (the views' test)."""

    def is_team(tx: Transaction, team_id: str) -> bool:
        return team_id in keeper.snapshot(tx).team_by_id

    return is_team
