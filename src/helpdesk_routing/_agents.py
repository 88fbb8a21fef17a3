"""The agent administration the Router offers (add, change, remove an agent): each one
unit of work that checks the actor's role and rank, keeps someone who may manage
agents, and never leaves a ticket or a team pointing at an agent who is gone.

:class:`~helpdesk_routing.router.Router` gives these operations (their documentation,
argument checks, retries and logs are its own); this module does the unit of work.
Where units overlap (PostgreSQL) every such unit takes the store's agent
administration lock first (:func:`administering`), so they run one after the other.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from helpdesk_routing._keeper import ConfigurationKeeper
from helpdesk_routing.audit import agent_changed, agent_removed
from helpdesk_routing.configuration import CompiledConfiguration
from helpdesk_routing.errors import ConflictError, UnknownAgent, ValidationError
from helpdesk_routing.handout import lock_pools
from helpdesk_routing.model import Agent, Role
from helpdesk_routing.permissions import Action, allowed, require, require_rank
from helpdesk_routing.ports import (
    InsertsAgents,
    LocksAgents,
    SerialisedUnits,
    Store,
    Transaction,
    offers,
)
from helpdesk_routing.records import AuditRecord

__all__ = ["AgentAdministration", "stored_agent"]


def stored_agent(tx: Transaction, agent_id: str, name: str = "actor") -> Agent:
    """The stored agent ``agent_id`` (the argument ``name``): ``ValidationError``
    naming the argument when it is not text, ``UnknownAgent`` when none is stored."""
    if not isinstance(agent_id, str):
        raise ValidationError(f"{name} must be text, got {agent_id!r}")
    agent = tx.get_agent(agent_id)
    if agent is None:
        raise UnknownAgent(agent_id)
    return agent


class AgentAdministration:
    """Adds, changes and removes agents on ``store``, under the configuration ``keeper``
    keeps (a removal refuses a member of a configured team)."""

    __slots__ = ("_keeper", "_store")

    def __init__(self, store: Store, keeper: ConfigurationKeeper) -> None:
        self._store = store
        self._keeper = keeper

    def add(self, agent: Agent, actor: str, now: datetime) -> None:
        """What :meth:`Router.add_agent` does, at ``now``."""
        with self._store.transaction() as tx:
            administering(tx)
            boss = stored_agent(tx, actor)
            require(boss, Action.MANAGE_AGENTS)
            require_rank(boss, gives=agent.role)
            if offers(tx, InsertsAgents):
                # Units overlap: the look-up and the write are one step in the store.
                if not cast(InsertsAgents, tx).insert_agent(agent):
                    raise ConflictError(f"agent {agent.id!r} already exists")
            else:
                if tx.get_agent(agent.id) is not None:
                    raise ConflictError(f"agent {agent.id!r} already exists")
                tx.put_agent(agent)
            tx.append_audit(agent_changed(now, actor, "agent_added", agent))

    def update(self, agent: Agent, actor: str, now: datetime) -> None:
        """What :meth:`Router.update_agent` does, at ``now``."""
        with self._store.transaction() as tx:
            # First (PostgreSQL): the agent and the managers are read as the agent
            # administration before this unit left them, so a removal that committed
            # meanwhile is seen (UnknownAgent), never undone by the write below.
            administering(tx)
            boss = stored_agent(tx, actor)
            require(boss, Action.MANAGE_AGENTS)
            before = stored_agent(tx, agent.id)
            require_rank(boss, gives=agent.role, of=before)
            _keeps_a_manager(tx, before, agent.role)
            tx.put_agent(agent)
            tx.append_audit(agent_changed(now, actor, "agent_updated", agent))

    def remove(self, agent_id: str, actor: str, now: datetime) -> None:
        """What :meth:`Router.remove_agent` does, at ``now``."""
        with self._store.transaction() as tx:
            administering(tx)  # first: before every lock below (see administering)
            boss = stored_agent(tx, actor)
            require(boss, Action.MANAGE_AGENTS)
            gone = stored_agent(tx, agent_id, "agent_id")
            require_rank(boss, of=gone)
            _keeps_a_manager(tx, gone, None)
            compiled = self._keeper.snapshot(tx)
            _not_a_member(compiled, agent_id)
            # Where units overlap (PostgreSQL), every pool first, in the order every
            # hand-out takes them (pools before the load and the agent's row): a
            # hand-out that may give the agent a ticket ends before the load is counted,
            # and one that starts later finds the agent gone.
            lock_pools(tx, compiled, for_agent=None)
            # The agent's load lock too, which assign(to=) and a reopen take before
            # they look the agent up again (see router._gone).
            _no_open_tickets(agent_id, tx.open_load(agent_id))
            if tx.is_online(agent_id):
                # Gone is Offline: the log says so, or every later period would read the
                # agent as Online throughout (metrics' "Online for all of it").
                tx.set_online(agent_id, False, now)
                tx.append_audit(
                    AuditRecord(
                        at=now, actor=actor, action="presence", agent_id=agent_id, online=False
                    )
                )
            tx.remove_agent(agent_id)
            # The removal waited for every unit holding the agent's row (PostgreSQL),
            # which has committed since: one storing a configuration that names the
            # agent (PostgresStore locks the members' rows), so the newest one again;
            # and a route that chose the agent in a pool this unit did not lock (a team
            # a configuration stored meanwhile dropped: the store's round-robin step
            # locks each candidate's row, a route the Router allocates holds the agent
            # chosen, see _routing), so the agent's tickets again.
            _not_a_member(self._keeper.snapshot(tx), agent_id)
            if not offers(tx, SerialisedUnits):
                _no_open_tickets(agent_id, tx.open_load(agent_id))
            tx.append_audit(agent_removed(now, actor, agent_id))


def _keeps_a_manager(tx: Transaction, agent: Agent, role: Role | None) -> None:
    """``ConflictError`` when giving ``agent`` the role ``role`` (``None``: removing them)
    would leave no agent who may manage agents: nobody could then add or change an
    agent, or configure anything, through the Router."""
    manage = Action.MANAGE_AGENTS
    if not allowed(agent.role, manage) or (role is not None and allowed(role, manage)):
        return
    if not any(allowed(a.role, manage) for a in tx.agents() if a.id != agent.id):
        raise ConflictError(
            f"agent {agent.id!r} is the last agent who may manage agents (owner, admin or "
            "manager): give another agent such a role first"
        )


def administering(tx: Transaction) -> None:
    """Take the store's agent administration lock, where units overlap (PostgreSQL:
    :class:`~helpdesk_routing.ports.LocksAgents`): the first thing every
    unit that adds, changes or removes an agent does, so that such units run one after
    the other and each reads the agents (the last managers, the agent changed) as the
    one before left them. Taken before any other lock (and by no unit that hands
    tickets out): it never closes a cycle with the pool, ticket or load locks."""
    if offers(tx, LocksAgents):
        cast(LocksAgents, tx).lock_agent_administration()


def _no_open_tickets(agent_id: str, load: int) -> None:
    """``ConflictError`` when the agent about to be removed has ``load`` tickets that
    are not closed."""
    if load:
        raise ConflictError(
            f"agent {agent_id!r} has {load} ticket(s) that are not closed; reassign them first"
        )


def _not_a_member(compiled: CompiledConfiguration, agent_id: str) -> None:
    """``ConflictError`` when ``agent_id`` is a member of a team of ``compiled``."""
    teams = [t.id for t in compiled.configuration.teams if agent_id in t.members]
    if teams:
        raise ConflictError(
            f"agent {agent_id!r} is a member of team(s) {', '.join(map(repr, teams))}; "
            "remove them from the team first"
        )
