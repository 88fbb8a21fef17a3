"""What a condition reads when it is evaluated: the :class:`EvaluationContext`."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pydantic_core

from helpdesk_routing._storable import stored_form
from helpdesk_routing._time import require_aware
from helpdesk_routing._trusted import SharedNames
from helpdesk_routing.errors import ArgumentTypeError, ValidationError
from helpdesk_routing.model import Profile, Ticket

if TYPE_CHECKING:
    # ports imports the records, which import the decision: no runtime import from here.
    from helpdesk_routing.ports import CustomerData

__all__ = ["EvaluationContext"]  # CUSTOMER_DATA, profile_of and read_back serve decide

_NO_PROPERTIES: Mapping[str, Any] = {}


@dataclass(frozen=True, slots=True)
class EvaluationContext:
    """Everything a condition may read: the ticket, its customer's profile (``None``
    for a ticket without a known profile: no properties, no events, no segments),
    the customer data (for event counts) and the instant of the decision (aware).

    Custom values (the ticket's ``fields``, the profile's ``properties``) are read in
    their stored form, as every store gives them back: a ``date`` or ``datetime`` is its
    ISO-8601 text, a tuple or a set a list. So a condition decides a ticket or a profile
    built in Python as it decides the same one read back from any store."""

    ticket: Ticket
    profile: Profile | None
    customer_data: CustomerData
    now: datetime
    fields: Mapping[str, Any] = field(init=False, repr=False, compare=False)
    """The ticket's custom fields in their stored form: what ``ticket(name)`` reads for a
    name that is not a built-in field."""
    properties: Mapping[str, Any] = field(init=False, repr=False, compare=False)
    """The profile's properties in their stored form (empty without a profile): what
    ``profile(...)`` reads."""

    def __post_init__(self) -> None:
        # ports imports the records, which import the decision: imported when called.
        from helpdesk_routing.ports import require_port

        # Each argument of the wrong kind is named here, not met as an AttributeError
        # at the first condition that reads it.
        _require(self.ticket, Ticket, "ticket must be a Ticket")
        if self.profile is not None:
            _require(self.profile, Profile, "profile must be a Profile (or None)")
        require_port(self.customer_data, "customer_data", "count_events", CUSTOMER_DATA)
        # Windows are counted on the UTC clock ("the last day" is 24 hours, months follow
        # the UTC calendar), whatever zone the instant was given in.
        object.__setattr__(self, "now", require_aware(self.now, "EvaluationContext.now"))
        object.__setattr__(self, "fields", read_back(self.ticket.fields))
        props = self.profile.properties if self.profile is not None else _NO_PROPERTIES
        object.__setattr__(self, "properties", read_back(props))

    @classmethod
    def _stored(
        cls,
        ticket: Ticket,
        profile: Profile | None,
        customer_data: CustomerData,
        now: datetime,
    ) -> EvaluationContext:
        """The context of a ticket and a profile whose custom values the caller has
        already put in their stored form (as :func:`~helpdesk_routing.rules.decide`
        does, once per decision), ``now`` in UTC: they are read as they are, not walked
        again."""
        ctx = object.__new__(cls)
        set_ = object.__setattr__
        set_(ctx, "ticket", ticket)
        set_(ctx, "profile", profile)
        set_(ctx, "customer_data", customer_data)
        set_(ctx, "now", now)
        set_(ctx, "fields", ticket.fields)
        set_(ctx, "properties", profile.properties if profile is not None else _NO_PROPERTIES)
        return ctx

    @classmethod
    def load(cls, ticket: Ticket, customer_data: CustomerData, now: datetime) -> EvaluationContext:
        """The context of ``ticket`` at ``now``, its profile looked up in ``customer_data``."""
        _require(ticket, Ticket, "ticket must be a Ticket")
        found = profile_of(customer_data, ticket.profile_id)
        return cls(ticket=ticket, profile=found, customer_data=customer_data, now=now)


CUSTOMER_DATA = "a CustomerData (InMemoryCustomerData, SqliteCustomerData, ...)"


def _require(value: object, kind: type, said: str) -> None:
    if not isinstance(value, kind):
        raise ArgumentTypeError(f"{said}, got {type(value).__name__}")


def read_back(values: Mapping[str, Any], names: Collection[str] | None = None) -> Mapping[str, Any]:
    """Custom ``values`` as every store gives them back (a ``date`` or ``datetime`` as
    its ISO text, a tuple or a set as a list), those at ``names`` only when given:
    ``values`` itself when they are already in that form (the common case: no copy).
    Values no store could write (a model built without validation) are read as given:
    evaluation never raises on data."""
    if not values or not isinstance(values, dict):
        return values
    try:
        return stored_form(values, names)
    except (pydantic_core.PydanticSerializationError, ValueError, TypeError, RecursionError):
        return values


def profile_of(customer_data: CustomerData, profile_id: str | None) -> Profile | None:
    """The profile ``customer_data`` knows by ``profile_id`` (``None`` without an id or
    when it knows none), its answer held to the port's contract: anything but a
    :class:`Profile` or ``None`` is refused, naming the adapter."""
    if not profile_id:
        return None
    found = customer_data.profile(profile_id)
    if found is None:
        return found
    if found.__class__ is Profile and found.__pydantic_fields_set__.__class__ is SharedNames:
        return found  # validation made it (its mark): every built-in adapter's, per route
    if isinstance(found, Profile):
        # one a custom adapter built with model_construct, or a subclass's, checked as
        # the model (a properties of None raised Python's AttributeError deep in the
        # rule index)
        from helpdesk_routing.stores._customer_args import profile_arg

        return profile_arg(
            found, f"customer data {type(customer_data).__name__}.profile({profile_id!r})"
        )
    raise ValidationError(
        f"customer data {type(customer_data).__name__}.profile({profile_id!r}) returned "
        f"{type(found).__name__}, not a Profile or None"
    )
