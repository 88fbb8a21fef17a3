"""The write path of ``Router.route``: decide, store the ticket, hand it out, in one unit.

``route`` decides outside its unit of work (the rules read customer data), then opens
the unit and checks that the configuration version it decided with is still the stored
one; when it is not, it decides again with the new one (the last of :data:`ATTEMPTS`
tries decides inside the unit, so a route always ends however fast others reconfigure).

Inside the unit the ticket is inserted first (a stored id answers with its stored
decision, or ``ConflictError`` when its content differs), then handed out by
:mod:`helpdesk_routing.handout`, or, when the store has the
:class:`~helpdesk_routing.ports.RoundRobinInStore` capability and the allocator is
exactly ``RoundRobin``, by the store itself at commit. In a store whose units never
overlap (:class:`~helpdesk_routing.ports.SerialisedUnits`) the id is looked up first
and the ticket inserted once, with its assignee.

:class:`Router` (``router.py``) is the facade; this module is private.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any, Final, TypeGuard, cast

from helpdesk_routing._keeper import NOT_GIVEN, ConfigurationKeeper
from helpdesk_routing._keeper import Maybe as _Maybe
from helpdesk_routing._shown import shown
from helpdesk_routing._trusted import construct, updated
from helpdesk_routing.allocation import RoundRobin
from helpdesk_routing.audit import next_seq, routed
from helpdesk_routing.configuration import CompiledConfiguration
from helpdesk_routing.decision import AllocationTrace, RoutingDecision
from helpdesk_routing.errors import (
    ConflictError,
    StaleConfiguration,
    StoreError,
    ValidationError,
    race_lost,
)
from helpdesk_routing.handout import Gate, allocate, pool_name
from helpdesk_routing.model import Ticket
from helpdesk_routing.ports import (
    CustomerData,
    LocksAgents,
    RoundRobinInStore,
    SerialisedUnits,
    Store,
    Transaction,
    offers,
    reading,
)
from helpdesk_routing.records import TicketRecord
from helpdesk_routing.rules import RuleSet, decide_unchecked

__all__ = ["ATTEMPTS", "Routing"]

ATTEMPTS: Final = 5
"""How many times ``route`` decides before its unit of work: when the configuration keeps
changing under it, the last attempt decides inside the unit (so ``route`` never fails
because others reconfigure)."""

# The Router's logger: routing is the Router's work, wherever its code lives.
_NO_RULES: Final = RuleSet()
"""The rules of configuration version 0, the empty one (never stored)."""

_log = logging.getLogger("helpdesk_routing.router")


def _routes_in_store(tx: Transaction) -> TypeGuard[RoundRobinInStore]:
    """Whether ``tx`` has the :class:`RoundRobinInStore` capability (asked once per
    transaction class: :func:`~helpdesk_routing.ports.offers`)."""
    return offers(tx, RoundRobinInStore)


class _Stale(Exception):
    """Inside ``route``: the unit saw a newer configuration than the one that decided."""

    def __init__(self, compiled: CompiledConfiguration) -> None:
        self.compiled = compiled


class Routing:
    """Decides and stores routings for one Router (same store, keeper and settings)."""

    __slots__ = ("_customer_data", "_explain", "_keeper", "_store")

    def __init__(
        self,
        store: Store,
        keeper: ConfigurationKeeper,
        customer_data: CustomerData,
        *,
        explain: bool,
    ) -> None:
        self._store = store
        self._keeper = keeper
        self._customer_data = customer_data
        self._explain = explain

    def route(self, ticket: Ticket, now: datetime) -> RoutingDecision:
        """What :meth:`Router.route` does, at ``now``."""
        compiled = self._keeper.current
        for attempt in range(1, ATTEMPTS):
            try:
                decision = self.decide(compiled, ticket, now)
            except Exception:
                # A ticket routed before is answered by its stored decision (or refused
                # as different) whatever its rules read now: a client's retry after a
                # lost answer must not fail because the customer data is down.
                before = self._routed_before(ticket)
                if before is None:
                    raise
                return before
            try:
                return self._route_once(ticket, decision, compiled, now)
            except _Stale as stale:
                compiled = stale.compiled
            except StaleConfiguration:
                compiled = self._keeper.refresh()
            _log.warning(
                "configuration changed while routing %s; deciding again",
                shown(ticket.id),
                extra={
                    "ticket_id": ticket.id,
                    "configuration_version": compiled.version,
                    "attempt": attempt,
                },
            )
        # The configuration keeps changing: decide inside the unit, with the version it
        # reads, so the route ends however fast others reconfigure.
        decided = False
        try:
            with self._store.transaction() as tx:
                compiled = self._keeper.snapshot(tx)
                decision = self.decide(compiled, ticket, now)
                decided = True
                return self._write_route(tx, ticket, decision, Gate.at(compiled, now), now)
        except Exception:
            if decided:
                raise
            before = self._routed_before(ticket)  # as above: a stored ticket is answered
            if before is None:
                raise
            return before

    def _routed_before(self, ticket: Ticket) -> RoutingDecision | None:
        """The stored decision of ``ticket`` when its id is stored (``ConflictError``
        when with different content, as a route says), ``None`` when it is not, or when
        the store cannot tell (the caller raises its own error then)."""
        try:
            with reading(self._store) as tx:
                record = tx.get_ticket(ticket.id)
                return None if record is None else self._existing(tx, record, ticket)
        except ConflictError:
            raise
        except Exception:  # the store's own trouble: the decision's error is told
            return None

    def decide(
        self, compiled: CompiledConfiguration, ticket: Ticket, now: datetime
    ) -> RoutingDecision:
        """The rules of ``compiled`` applied to ``ticket`` (nothing is written)."""
        configuration = compiled.configuration
        # The checks of the public ``decide`` are the Router's own, made when it was given
        # these parts (and ``now`` is its clock's checked reading).
        return decide_unchecked(
            configuration.rules,
            configuration.teams,
            ticket,
            self._customer_data,
            now,
            self._explain,
            compiled.version,
        )

    def bound(self, tx: Transaction, decision: RoutingDecision) -> RoutingDecision:
        """The decision bound to the rules of the version that decided it, when it can be."""
        version = decision.configuration_version
        if version is None or version < 0:
            return decision
        if version == 0:
            # the empty configuration of a store that held none (never stored): its rules,
            # none, as the in-memory store's decision holds them (SQL's came back unbound)
            try:
                return decision.with_rules(_NO_RULES)
            except ValidationError:  # facts of rules no version 0 has: left as read
                return decision
        compiled = self._keeper.load(tx, version)
        if compiled is None:
            return decision
        return decision.with_rules(compiled.configuration.rules)

    def _route_once(
        self,
        ticket: Ticket,
        decision: RoutingDecision,
        compiled: CompiledConfiguration,
        now: datetime,
    ) -> RoutingDecision:
        team = decision.team
        gate = Gate.at(compiled, now)  # once per route: office hours are asked once
        early = gate.waits(ticket, team)
        name = pool_name(team)
        with self._store.transaction() as tx:
            in_store = None
            if early is None and type(compiled.allocator) is RoundRobin and _routes_in_store(tx):
                # The store takes the round-robin step itself, at commit: the pool's
                # rotation is locked only while the server works, and the store checks
                # the configuration version in the same call (StaleConfiguration).
                record = _new_record(ticket, decision)
                in_store = tx.route_round_robin(
                    pool=name,
                    members=None if team is None else compiled.members[team],
                    capacity=compiled.configuration.capacity,
                    record=record,
                    audit=routed(now, record, decision, compiled.version),
                    configuration_version=compiled.version,
                )
            if in_store is None:
                current = self._keeper.snapshot(tx)
                if current.version != compiled.version:
                    raise _Stale(current)
                return self._write_route(tx, ticket, decision, gate, now, early)
        stored, agent, reason = in_store()
        if stored is not None:
            with self._store.transaction() as tx:
                return self._existing(tx, stored, ticket)
        assert reason is not None
        trace = AllocationTrace(pool=name, assignee=agent, summary=reason, waiting=agent is None)
        final = decision.allocated(agent, trace)
        _log_decision(final, compiled.version)
        return final

    def _write_route(
        self,
        tx: Transaction,
        ticket: Ticket,
        decision: RoutingDecision,
        gate: Gate,
        now: datetime,
        early: AllocationTrace | _Maybe | None = NOT_GIVEN,
    ) -> RoutingDecision:
        """Insert the ticket (or answer for the stored one), hand it out, log it: in ``tx``.
        ``early`` is ``gate.waits(...)`` when the caller already asked it."""
        compiled = gate.compiled
        team = decision.team
        serialised = offers(tx, SerialisedUnits)
        if serialised:
            # Nobody else writes until this unit ends: the id looked up now is still
            # free when the ticket is inserted, once, with its assignee.
            existing = tx.get_ticket(ticket.id)
        else:
            # Insert first: a ticket id that is already stored (or being stored by
            # another process, which makes this insert wait) returns its decision at
            # once, and the pool's rotation is locked only after the insert.
            record = _new_record(ticket, decision)
            existing = tx.add_ticket(record)
        if existing is not None:
            return self._existing(tx, existing, ticket)
        if early is NOT_GIVEN:
            early = gate.waits(ticket, team)
        if early is None:
            assignee, trace = allocate(tx, compiled, ticket, team)
            if assignee is not None and team is not None and not serialised:
                _still_an_agent(tx, ticket.id, assignee)
        else:
            assignee, trace = None, early
        final = decision.allocated(assignee, trace)
        if serialised:
            stored = _new_record(ticket, final, assignee=assignee)
            if tx.add_ticket(stored) is not None:
                raise StoreError(
                    f"ticket {ticket.id!r} was stored by another unit of work, in a store "
                    "whose transactions declare SerialisedUnits"
                )
        else:
            stored = updated(record, assignee=assignee, decision=final)
            tx.update_ticket(stored)
        pool = None if assignee is None else trace.pool
        tx.append_audit(
            routed(now, stored, decision, compiled.version, pool=pool, seq=next_seq(tx))
        )
        _log_decision(final, compiled.version)
        return final

    def _existing(self, tx: Transaction, record: TicketRecord, ticket: Ticket) -> RoutingDecision:
        """The stored decision for a ticket routed again; ``ConflictError`` if it differs."""
        if not _same_ticket(record.ticket, ticket):
            _log.warning(
                "ticket %s routed again with different content",
                shown(ticket.id),
                extra={"ticket_id": ticket.id},
            )
            raise ConflictError(
                f"ticket {ticket.id!r} is already stored with different content; "
                "use router.reroute to apply the rules to an updated ticket"
            )
        if record.decision is None:
            raise ConflictError(f"ticket {record.id!r} is stored but was never routed")
        return self.bound(tx, record.decision)


def _still_an_agent(tx: Transaction, ticket_id: str, agent_id: str) -> None:
    """Where units overlap (PostgreSQL), a route that chose ``agent_id`` in a team's pool
    itself (not the store's round-robin step, which locks the agent's row): the agent
    held against removal (:class:`~helpdesk_routing.ports.LocksAgents`, one statement;
    else the agent's load lock and a look-up), and a retryable ``ConflictError`` (the
    Router routes the ticket again) when the agent is gone.

    ``Router.remove_agent`` locks the pools of the newest configuration only, so a route
    into a team that a configuration stored meanwhile dropped runs beside it. A removal
    that began first has ended, and the agent is found gone (the configuration that
    decided is no longer the newest: routed again, the ticket follows the newest); one
    that begins later deletes the agent's row after this unit has ended (or counts the
    agent's tickets under the load lock), finds this ticket and is refused."""
    if offers(tx, LocksAgents):
        here = cast(LocksAgents, tx).hold_agent(agent_id)
    else:
        tx.open_load(agent_id)
        here = tx.get_agent(agent_id) is not None
    if not here:
        raise race_lost(
            f"agent {agent_id!r} was removed while ticket {ticket_id!r} was routed to them"
        )


_NO_VIEWS: Final[frozenset[str]] = frozenset()
"""The views of a ticket in none, shared: an empty frozenset is not a singleton (each
``frozenset(())`` is a new 200-byte object), and most records are in no view."""


def _new_record(ticket: Ticket, decision: RoutingDecision, **assignee: str | None) -> TicketRecord:
    """The record of a ticket about to be stored, built from values already validated
    (the ticket by its model, the rest by ``decide`` and the allocation): validating them
    again would run the ticket's storable check a second time on every route.

    Without ``assignee`` it is the record inserted before the hand-out; with it (and the
    allocated decision), the record as the hand-out leaves it, the same fields given."""
    return construct(
        TicketRecord,
        ticket=ticket,
        team=decision.team,
        views=frozenset(decision.views) if decision.views else _NO_VIEWS,
        decision=decision,
        **assignee,
    )


def _content(ticket: Ticket) -> dict[str, Any]:
    """What must match for a ticket routed again to be the same ticket (not its status).

    Python values, not JSON: tags are sets, equal whatever order they were given or
    iterate in (a JSON list follows the set's hash order, which differs between equal
    sets and between processes), and instants compare as instants."""
    return ticket.model_dump(exclude={"status"})


def _same_ticket(stored: Ticket, given: Ticket) -> bool:
    """Whether ``given`` is the ticket ``stored``: the same content (not the status),
    custom values compared as a store keeps them (:func:`same_value`)."""
    a, b = _content(stored), _content(given)
    fields_a, fields_b = a.pop("fields"), b.pop("fields")
    return a == b and same_value(fields_a, fields_b)


def same_value(a: Any, b: Any) -> bool:
    """Whether two custom values are one value as every store keeps it.

    A SQL store writes a ``date`` or ``datetime`` as ISO-8601 text and a set or tuple as
    a list (``helpdesk_routing._storable``), and reads back the text and the list: so an
    instant equals its ISO text (in any zone), a date its ISO text, a set a list of the
    same items in any order, a tuple a list; ``True`` is not ``1``. Symmetric.
    """
    if isinstance(a, (set, frozenset)) or isinstance(b, (set, frozenset)):
        return _same_items(a, b)
    if isinstance(a, datetime) or isinstance(b, datetime):
        return _instant_of(a) is not None and _instant_of(a) == _instant_of(b)
    if isinstance(a, date) or isinstance(b, date):
        return _date_of(a) is not None and _date_of(a) == _date_of(b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def _same_items(a: Any, b: Any) -> bool:
    """A set against a set or list: the same items, each matched once, in any order."""
    if not isinstance(a, (set, frozenset, list, tuple)) or not isinstance(
        b, (set, frozenset, list, tuple)
    ):
        return False
    rest = list(b)
    if len(rest) != len(a):
        return False
    for x in a:
        for i, y in enumerate(rest):
            if same_value(x, y):
                del rest[i]
                break
        else:
            return False
    return True


def _instant_of(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            read = datetime.fromisoformat(value)
        except ValueError:
            return None
        return read if read.tzinfo is not None else None
    return None


def _date_of(value: Any) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _log_decision(decision: RoutingDecision, version: int) -> None:
    if not _log.isEnabledFor(logging.DEBUG):  # the extra dict costs more than the check
        return
    _log.debug(
        "routed %s: team %s, assignee %s",
        shown(decision.ticket_id),
        None if decision.team is None else shown(decision.team),
        None if decision.assignee is None else shown(decision.assignee),
        extra={
            "ticket_id": decision.ticket_id,
            "team": decision.team,
            "assignee": decision.assignee,
            "rule_id": decision.rule_id,
            "configuration_version": version,
        },
    )
