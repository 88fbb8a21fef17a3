"""What a store keeps: ticket records, rotation state, audit records, and ticket queries.

These are plain immutable data; every store adapter (memory, SQLite, PostgreSQL)
persists exactly these shapes (as JSON where a column would not fit).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, Field, Strict, ValidationInfo

from helpdesk_routing._input import CheckedCopy, InputModel

from ._sets import SortedSet
from ._storable import check_json_values, check_text
from ._stored import at_least, is_stored, not_negative
from ._time import UtcDatetime
from .decision import RoutingDecision
from .model import Ticket, TicketStatus

__all__ = ["AuditRecord", "RotationState", "TicketQuery", "TicketRecord"]


class TicketRecord(InputModel):
    """A stored ticket and where it stands.

    ``ticket.status`` is the current status. A ticket is *waiting* when it is open
    and has no assignee: in its team's inbox when ``team`` is set, else Unassigned.
    ``decision`` is the routing decision (``None`` for a ticket stored without routing).
    ``team`` and ``assignee`` are a team's and an agent's id, or ``None``: an empty one is
    refused at ``$.team`` or ``$.assignee``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    ticket: Ticket
    # A team's id and an agent's, never empty (an input rule: a record stored before reads back).
    team: Annotated[str, AfterValidator(at_least(1))] | None = None
    assignee: Annotated[str, AfterValidator(at_least(1))] | None = None
    views: SortedSet[str] = frozenset()
    decision: RoutingDecision | None = None

    @property
    def id(self) -> str:
        """The ticket's id."""
        return self.ticket.id

    @property
    def status(self) -> TicketStatus:
        """The ticket's current status."""
        return self.ticket.status


def _json_values(values: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
    # An input rule: what a store wrote before the rule reads back as it was (_stored).
    return values if is_stored(info) else check_json_values(values)


class RotationState(CheckedCopy):
    """The rotation state of one pool (``"global"`` or ``"team:<id>"``).

    ``last`` is the agent the pool last gave a ticket to automatically (an empty id, or
    one with text no store keeps, a NUL or a lone surrogate, is refused at ``$.last``);
    ``given`` counts the automatic hand-outs of the pool (an integer: a negative count,
    a bool or a float is refused at ``$.given``).
    Allocators may add fields of their own in ``extra``: it is persisted as JSON and read
    back raw, so its values are JSON values that read back as themselves on every store
    (``None``, booleans, integers in signed 64 bits, finite floats, text, lists, objects
    with text keys); a ``NaN``, a tuple, a set or a ``datetime`` is refused, naming the
    key (``extra.seen``). A changed copy (``model_copy(update=...)``) is validated the
    same way.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    # An agent's id, never empty, and a count, never negative nor a bool (input rules: a
    # state stored before reads back as written).
    last: Annotated[str, AfterValidator(at_least(1)), AfterValidator(check_text)] | None = None
    given: Annotated[int, Strict(), AfterValidator(not_negative)] = 0
    extra: Annotated[dict[str, Any], AfterValidator(_json_values)] = Field(default_factory=dict)


class AuditRecord(InputModel):
    """One append-only entry of the audit log.

    ``seq`` is given by the store on append (strictly increasing within a store).
    ``action`` is one of: ``routed``, ``rerouted``, ``assigned``, ``unassigned``,
    ``team_assigned``, ``status``, ``presence``, ``replied`` (a human agent's reply;
    ``detail["public"]`` says whether the customer saw it), ``agent_added``,
    ``agent_updated``, ``agent_removed`` and ``configured`` (a new configuration version;
    docs/assignment.md, "Audit"). The fields after
    it hold the state *after* the action, so replaying the log rebuilds every ticket's
    team, assignee and status and every agent's presence.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    seq: int | None = None
    at: UtcDatetime
    actor: str | None  # None for the system (round robin, routing)
    action: str
    ticket_id: str | None = None
    agent_id: str | None = None
    team: str | None = None
    assignee: str | None = None
    status: TicketStatus | None = None
    online: bool | None = None
    automatic: bool = False  # True when round robin (not a person) chose the assignee
    pool: str | None = None  # the rotation pool that gave an automatic assignment
    detail: dict[str, Any] = Field(default_factory=dict)


class TicketQuery(InputModel):
    """A filter over stored tickets; results are ordered oldest first by (created_at, id),
    or newest first with ``newest_first``.

    Every set filter must hold (AND). ``statuses=None`` means any status; ``channels``
    keeps only those channels, ``exclude_channels`` leaves those out (a hand-out after
    hours leaves out the channels that follow office hours). ``after`` is a keyset
    cursor: only tickets strictly after that (created_at, id) in the query's order (so,
    with ``newest_first``, strictly before it).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    assignee: str | None = None
    unassigned: bool = False  # assignee is None
    team: str | None = None
    no_team: bool = False  # team is None
    view: str | None = None
    statuses: SortedSet[TicketStatus] | None = frozenset({TicketStatus.OPEN})
    channels: SortedSet[str] | None = None
    exclude_channels: SortedSet[str] = frozenset()
    after: tuple[UtcDatetime, str] | None = None
    limit: int | None = Field(default=None, ge=1)
    newest_first: bool = False

    def matches(self, record: TicketRecord) -> bool:
        """Whether ``record`` passes every filter except ``limit`` (the reference semantics)."""
        t = record.ticket
        if self.assignee is not None and record.assignee != self.assignee:
            return False
        if self.unassigned and record.assignee is not None:
            return False
        if self.team is not None and record.team != self.team:
            return False
        if self.no_team and record.team is not None:
            return False
        if self.view is not None and self.view not in record.views:
            return False
        if self.statuses is not None and t.status not in self.statuses:
            return False
        if self.channels is not None and t.channel not in self.channels:
            return False
        if t.channel in self.exclude_channels:
            return False
        if self.after is None:
            return True
        if self.newest_first:
            return (t.created_at, t.id) < self.after
        return (t.created_at, t.id) > self.after
