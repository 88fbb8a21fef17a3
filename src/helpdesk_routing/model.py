"""The nouns of a helpdesk: tickets, customer profiles and events, agents, teams.

All are immutable pydantic models that round-trip through JSON. Datetimes must be
timezone-aware (a naive one is rejected at its field) and are kept in UTC.

Everything a model holds can be kept by every store, with one rule for all of them
(``helpdesk_routing._storable``): text has no NUL and no lone surrogate; custom values
(``Ticket.fields``, ``Profile.properties``, ``Event.properties``) are JSON values (plus
dates and date-times), integers in signed 64 bits, floats finite. Numbers and booleans
are strict: ``capacity="5"`` or ``capacity=True`` is refused, never converted. A copy
changed with ``model_copy(update=...)`` is validated as one built with those values is.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    WrapValidator,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from helpdesk_routing._input import CheckedCopy
from helpdesk_routing._trusted import share_fields_set

from ._sets import SortedSet, set_refused
from ._storable import (
    CustomValues,
    StoredText,
    check_set_text,
    check_text,
    stored_json,
    stored_text,
    surrogate_first,
)
from ._stored import at_least, at_most, schema_max_length
from ._time import UtcDatetime

__all__ = [
    "MAX_CAPACITY",
    "MAX_ID_LENGTH",
    "MAX_UNIQUE_ID_LENGTH",
    "Agent",
    "Channel",
    "Event",
    "Profile",
    "Role",
    "Team",
    "Ticket",
    "TicketStatus",
]


MAX_ID_LENGTH = 255
"""The most characters of an id (of a ticket, agent, team, profile; a channel, a metric,
a view's name): PostgreSQL indexes them, two to an index entry, and refuses an entry of
more than 2704 bytes (255 characters are at most 1020 bytes in UTF-8). Longer ids were
kept by the memory and SQLite stores and failed there with a ``StoreError``, or, for a
team or view named by the configuration, at every later route to it."""

# The length bound is an input rule: a store's own rows read back (context STORED) keep
# what an older version wrote (helpdesk_routing._stored). The length bounds read the
# plain text first, so an empty id is refused with pydantic's wording for text ("String
# should have at least 1 character"), not its wording for a collection.
_ID_LENGTH = (
    Field(min_length=1, json_schema_extra=schema_max_length(MAX_ID_LENGTH)),
    AfterValidator(at_most(MAX_ID_LENGTH)),
    AfterValidator(check_text),
    # Before the length bound reads the text: a lone surrogate gets the library's error.
    BeforeValidator(surrogate_first),
)
IdText = Annotated[str, *_ID_LENGTH]
"""An id: one to :data:`MAX_ID_LENGTH` characters (the bound an input rule) of text
every store can keep."""
_ProfileId = Annotated[
    str,
    Field(json_schema_extra={"minLength": 1, **schema_max_length(MAX_ID_LENGTH)}),
    # Input rules both: a ticket a store wrote before they held reads back as written.
    AfterValidator(at_least(1)),
    AfterValidator(at_most(MAX_ID_LENGTH)),
    AfterValidator(check_text),
]
"""A ticket's profile id: an id, as ``Event.profile_id`` (the empty text too an input
rule, as the length bound is: ``Ticket.profile_id`` once took any text)."""
_Id = IdText
_Segment = Annotated[  # PostgreSQL keys segments too (their text checked as a set's)
    str,
    Field(json_schema_extra=schema_max_length(MAX_ID_LENGTH)),
    AfterValidator(at_most(MAX_ID_LENGTH)),
]

MAX_UNIQUE_ID_LENGTH = 512
"""The most characters of an event's ``unique_id`` (at most 2048 bytes in UTF-8, under
PostgreSQL's 2704 for its unique index): room for a conversation id (an id, at most
:data:`MAX_ID_LENGTH`) and the kind the conversation events add to it."""
UNORDERED = "unordered_set"
"""The error code of a set given where the order matters (rules, teams, members)."""


def unordered(name: str, value: object) -> str | None:
    """Why ``value``, given for the ordered collection ``name`` (``"rules"``,
    ``"teams"``), is refused (:func:`~helpdesk_routing._sets.set_refused`: it is a set),
    or ``None``."""
    return set_refused(value, f"{name} takes a list or a tuple", name)


def in_given_order(name: str) -> BeforeValidator:
    """A before-validator of an ordered field ``name``: a set is refused
    (:func:`unordered`, code :data:`UNORDERED`), anything else left to the field's type."""

    def refuse_a_set(value: Any) -> Any:
        said = unordered(name, value)
        if said is not None:
            raise PydanticCustomError(UNORDERED, said)
        return value

    return BeforeValidator(refuse_a_set)


_CustomValues = CustomValues
"""Custom values: JSON values, a set written sorted."""
_TextSet = Annotated[SortedSet[str], WrapValidator(check_set_text)]
"""Tags: a set of text every store can keep, a bad item named at its index as sent."""
_SegmentSet = Annotated[SortedSet[_Segment], WrapValidator(check_set_text)]
"""Segments: as :data:`_TextSet`, each an id's length at most."""


class _Stored(CheckedCopy):
    """A model every store can keep (``helpdesk_routing._storable``). Each field checks
    its own text and custom values, so a model with several problems names them all at
    once (a NUL in the subject with a bad tag, a naive ``created_at`` with a ``NaN``
    custom value): a check of the whole model after its fields would not run once a field
    failed. A copy changed with ``model_copy(update=...)`` is validated too
    (``CheckedCopy``)."""


class _TypedValues:
    """``==`` of a model holding custom values: pydantic's, with ``True`` told from ``1``
    and ``False`` from ``0`` at any depth of the custom values, as conditions tell them
    apart and the JSON writes them (``{"vip": true}`` and ``{"vip": 1}`` made equal
    tickets, one member of a set, that route differently), and a ``datetime`` told by
    the ISO text it is kept as, offset included (one instant written in two zones is two
    texts, which text conditions read apart: ``route`` takes them for other content).
    The hash is the model's (equal models still hash equal)."""

    __slots__ = ()
    _custom: ClassVar[str]

    def __eq__(self, other: object) -> bool:
        same: bool = super().__eq__(other)
        if same is not True:
            return same
        name = self._custom
        return typed_value(getattr(self, name)) == typed_value(getattr(other, name))

    def __hash__(self) -> int:
        return super().__hash__()


def typed_value(value: object) -> object:
    """``value`` with every ``bool`` in it marked, so that ``==`` tells ``True`` from
    ``1``, and every ``datetime`` as the JSON text it is kept as (the rest compares as it
    does)."""
    if value is True or value is False:
        return (_TypedValues, value)
    if isinstance(value, datetime):
        return (datetime, stored_json(value))
    if isinstance(value, dict):
        return {key: typed_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed_value(item) for item in value]
    if isinstance(value, tuple):
        return tuple(typed_value(item) for item in value)
    if isinstance(value, set | frozenset):
        return frozenset(typed_value(item) for item in value)
    return value


class Channel(StrEnum):
    """The channels the product documents name. ``Ticket.channel`` accepts any other text too."""

    EMAIL = "email"
    SMS = "sms"
    WEBCHAT = "webchat"
    SOCIAL = "social"
    WHATSAPP = "whatsapp"
    PHONE = "phone"


class Role(StrEnum):
    """An agent's role; it decides what they may do (see ``helpdesk_routing.permissions``)."""

    OWNER = "owner"
    ADMIN = "admin"
    MANAGER = "manager"
    SUPPORT = "support"


class TicketStatus(StrEnum):
    """A ticket's status. Views show ``open`` tickets unless asked otherwise."""

    OPEN = "open"
    PENDING = "pending"
    CLOSED = "closed"


class Ticket(_TypedValues, _Stored):
    """An inbound ticket, as routing sees it.

    ``fields`` holds custom ticket fields (read by ``ticket("name")`` conditions when
    the name is not one of the built-in fields). ``profile_id`` links the customer
    profile (an id of 1 to :data:`MAX_ID_LENGTH` characters, as ``Event.profile_id``); a
    ticket without one is treated as a customer with no data.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)
    id: _Id
    channel: _Id
    created_at: UtcDatetime
    tags: _TextSet = frozenset()
    subject: StoredText = ""
    status: TicketStatus = TicketStatus.OPEN
    priority: StoredText | None = None
    profile_id: _ProfileId | None = None
    email: StoredText | None = None
    _custom: ClassVar[str] = "fields"
    fields: _CustomValues = Field(default_factory=dict)

    @model_validator(mode="after")
    def _shared_values(self) -> Self:
        # A helpdesk's tickets come on a few channels with a few combinations of tags:
        # each ticket parsed from a request holds its own copies (a channel's text, a
        # frozenset and its tags' texts: ~330 of the ~3 KB a stored ticket costs). Equal
        # immutable values are shared instead, through tables with a bound (tags from
        # outside must not grow a process-wide table without end).
        # Only plain texts: a table must never hand a str subclass (an enum member) to a
        # ticket given the plain text.
        values = self.__dict__
        if type(self.channel) is str:
            values["channel"] = _shared(_CHANNELS, self.channel)
        tags = self.tags
        if tags and all(type(tag) is str for tag in tags):
            values["tags"] = _shared(_TAG_SETS, tags)
        # The fields-set of its shape, shared: it also marks a ticket that was validated
        # (``Router`` validates one that was not: ``model_construct`` checks nothing)
        share_fields_set(self)
        return self


_CHANNELS: dict[str, str] = {}
_TAG_SETS: dict[frozenset[str], frozenset[str]] = {}
_MAX_SHARED = 4096


def _shared(table: dict[Any, Any], value: Any) -> Any:
    """The value equal to ``value`` that ``table`` holds (``value`` itself the first
    time, while the table has room). ``setdefault`` is atomic under the GIL: two threads
    meeting a new value share one."""
    found = table.get(value)
    if found is not None:
        return found
    return table.setdefault(value, value) if len(table) < _MAX_SHARED else value


class _Validated:
    """A model whose validation marks it: its fields-set is the shared one of its shape
    (:func:`~helpdesk_routing._trusted.share_fields_set`), which one made by
    ``model_construct`` lacks, so that the customer-data adapters validate that one where
    they take it (it checked nothing) and take a validated one as it is."""

    __slots__ = ()

    @model_validator(mode="after")
    def _mark_validated(self) -> Self:
        share_fields_set(self)  # type: ignore[arg-type]
        return self


class Profile(_TypedValues, _Validated, _Stored):
    """A customer profile: properties (``$country``, ``churn_risk``, custom ones) and segments."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)
    id: _Id
    _custom: ClassVar[str] = "properties"
    properties: _CustomValues = Field(default_factory=dict)
    segments: _SegmentSet = frozenset()

    def with_segment(self, segment: str) -> Profile:
        """This profile in ``segment`` too (itself when it already is). A ``segment`` that
        is not text is an ``ArgumentTypeError``; text no store can keep (NUL, a lone
        surrogate) a ``ValidationError`` naming it."""
        segment = stored_text(segment, "segment")
        if segment in self.segments:
            return self
        return Profile(id=self.id, properties=self.properties, segments=self.segments | {segment})

    def without_segment(self, segment: str) -> Profile:
        """This profile out of ``segment`` (itself when it is not in it); ``segment`` is
        checked as :meth:`with_segment` checks it."""
        segment = stored_text(segment, "segment")
        if segment not in self.segments:
            return self
        return Profile(id=self.id, properties=self.properties, segments=self.segments - {segment})


class Event(_TypedValues, _Validated, _Stored):
    """Something a customer did, at an instant: ``Placed Order`` with ``{"value": 120}``."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)
    profile_id: _Id
    metric: _Id
    timestamp: UtcDatetime
    _custom: ClassVar[str] = "properties"
    properties: _CustomValues = Field(default_factory=dict)
    unique_id: (
        Annotated[
            str,
            Field(min_length=1, json_schema_extra=schema_max_length(MAX_UNIQUE_ID_LENGTH)),
            AfterValidator(at_most(MAX_UNIQUE_ID_LENGTH)),
            AfterValidator(check_text),
            BeforeValidator(surrogate_first),
        ]
        | None
    ) = None
    """Recording an event whose ``unique_id`` is already stored records nothing."""


MAX_CAPACITY = 2**31 - 1
"""The largest capacity (open tickets per agent) an agent or a configuration may state:
the PostgreSQL store keeps capacities as 32-bit integers, and every store takes the same."""


class Agent(_Stored):
    """A helpdesk user. ``capacity`` overrides the router's default maximum of open tickets."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)
    id: _Id
    name: StoredText = ""
    role: Role = Role.SUPPORT
    capacity: int | None = Field(default=None, ge=0, le=MAX_CAPACITY, strict=True)


class Team(_Stored):
    """A team: its members (at least one agent) and the tags and segments routed to it."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)
    id: _Id
    name: StoredText = ""
    description: StoredText = ""
    members: Annotated[tuple[_Id, ...], in_given_order("members")] = Field(min_length=1)
    tags: _TextSet = frozenset()
    segments: _SegmentSet = frozenset()

    @field_validator("members")
    @classmethod
    def _unique_members(cls, members: tuple[str, ...]) -> tuple[str, ...]:
        seen: set[str] = set()
        for m in members:
            if m in seen:
                raise ValueError(f"agent {m!r} is listed twice")
            seen.add(m)
        return members
