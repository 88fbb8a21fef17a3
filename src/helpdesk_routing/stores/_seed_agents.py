"""The ``agents`` a store opens with: a seed, never an override (``docs/stores.md``).

The rule of the configuration arguments (``docs/configuration.md``), for agents: a
process that restarts with its old seed must never silently undo what a manager changed
since through the Router. For each seeded agent:

- the store never held it: it is added, Offline (not audited: nobody did it);
- the store holds it with the same fields (presence is no field): nothing is written;
- the store holds it with other fields, or it was removed (an ``agent_removed`` record
  in the audit log): :class:`~helpdesk_routing.errors.ConflictError` naming each such
  agent and field, and nothing of the seed is written.

Agents the store holds that the seed does not list are kept. :func:`plan` is the rule,
a pure function; :func:`seed_agents` reads and writes the SQL stores' tables around it,
in the caller's unit of work (the memory store is always new: it holds nothing).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any, Protocol

from helpdesk_routing._sets import dump_json
from helpdesk_routing._stored import STORED
from helpdesk_routing.errors import ConflictError
from helpdesk_routing.model import Agent
from helpdesk_routing.stores._sql import Dialect

__all__ = ["REMOVED", "differences", "plan", "seed_agents"]

REMOVED = "agent_removed"
"""The audit action of an agent removed through the Router (``Router.remove_agent``)."""

_FIELDS = tuple(name for name in Agent.model_fields if name != "id")
# Ids per statement: far below SQLite's smallest limit on parameters (999 before 3.32).
_CHUNK = 500
# An agent_removed record's agent id, in the audit rows of one family's table: SQLite
# keeps it in the agent_id and action columns (schema 5); PostgreSQL in the JSON only.
_REMOVED_IDS = {
    "sqlite": (
        "SELECT DISTINCT agent_id FROM audit "
        "WHERE ticket_id IS NULL AND action = '{removed}' AND agent_id IN ({ids})"
    ),
    "postgres": (
        "SELECT DISTINCT record::jsonb ->> 'agent_id' FROM audit "
        "WHERE ticket_id IS NULL AND record::jsonb ->> 'action' = '{removed}' "
        "AND record::jsonb ->> 'agent_id' IN ({ids})"
    ),
}


def differences(seeded: Agent, held: Agent) -> list[str]:
    """The fields (in ``Agent``'s order, ``id`` aside) in which two agents differ."""
    return [f for f in _FIELDS if getattr(seeded, f) != getattr(held, f)]


def plan(
    agents: Sequence[Agent], held: Mapping[str, Agent], removed: Collection[str]
) -> list[Agent]:
    """The seeded ``agents`` to add, in their order, given the stored agents among them
    (``held``, by id) and the ids among the others that were removed.

    Raises :class:`~helpdesk_routing.errors.ConflictError` naming every seeded agent
    that differs from the stored one (and the fields) or was removed.
    """
    problems: list[str] = []
    new: list[Agent] = []
    for agent in agents:
        stored = held.get(agent.id)
        if stored is not None:
            fields = differences(agent, stored)
            if fields:
                problems.append(f"agent {agent.id!r} in {', '.join(fields)}")
        elif agent.id in removed:
            problems.append(f"agent {agent.id!r} was removed")
        else:
            new.append(agent)
    if problems:
        raise ConflictError(
            f"the agents argument differs from the store: {'; '.join(problems)}; the store "
            "keeps what managers change (router.update_agent, router.add_agent)"
        )
    return new


class _Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchall(self) -> list[Any]: ...


class _Connection(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> _Cursor: ...


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _held(conn: _Connection, d: Dialect, ids: Sequence[str]) -> dict[str, Agent]:
    held: dict[str, Agent] = {}
    for chunk in _chunks(ids):
        marks = ", ".join([d.param] * len(chunk))
        rows = conn.execute(f"SELECT agent FROM agents WHERE id IN ({marks})", chunk)
        for (text,) in rows.fetchall():
            agent = Agent.model_validate_json(text, context=STORED)
            held[agent.id] = agent
    return held


def _removed(conn: _Connection, d: Dialect, ids: Sequence[str]) -> set[str]:
    # Only records without a ticket: the audit_ticket index (ticket_id, seq) narrows the
    # search to presence, configuration and agent records, never the tickets' log.
    removed: set[str] = set()
    for chunk in _chunks(ids):
        sql = _REMOVED_IDS[d.family].format(removed=REMOVED, ids=", ".join([d.param] * len(chunk)))
        removed.update(row[0] for row in conn.execute(sql, chunk).fetchall())
    return removed


def seed_agents(conn: _Connection, d: Dialect, agents: Sequence[Agent]) -> None:
    """Apply :func:`plan` to a SQL store, in the caller's unit of work on ``conn`` (the
    caller rolls it back when this raises).

    One query reads the stored agents among the seeded ids; the audit log is searched
    only for the seeded ids the store does not hold (none, when a service restarts with
    the seed it started with), in one query. An agent is added only if no one added its
    id meanwhile (``ON CONFLICT DO NOTHING``): on PostgreSQL another process opening at
    the same moment may have, and its agent is then compared as a stored one.
    """
    if not agents:
        return
    ids = [a.id for a in agents]
    held = _held(conn, d, ids)
    absent = [i for i in ids if i not in held]
    removed = _removed(conn, d, absent) if absent else set()
    lost: list[Agent] = []
    for agent in plan(agents, held, removed):
        cur = conn.execute(
            f"INSERT INTO agents (id, agent) VALUES ({d.param}, {d.param}) "
            "ON CONFLICT (id) DO NOTHING",
            (agent.id, dump_json(agent)),
        )
        if cur.rowcount != 1:
            lost.append(agent)
    if lost:
        # Added by a unit that committed after this one read (READ COMMITTED: this
        # statement sees it). Compared as stored; gone again (removed meanwhile), it
        # counts as removed.
        again = _held(conn, d, [a.id for a in lost])
        plan(lost, again, {a.id for a in lost if a.id not in again})
