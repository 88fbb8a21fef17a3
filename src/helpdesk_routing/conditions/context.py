"""What a condition reads when it is evaluated: the :class:`EvaluationContext`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from helpdesk_routing.errors import NaiveDatetimeError, ValidationError
from helpdesk_routing.model import Profile, Ticket

if TYPE_CHECKING:
    # ports imports the records, which import the decision: no runtime import from here.
    from helpdesk_routing.ports import CustomerData

__all__ = ["EvaluationContext"]

_NO_PROPERTIES: Mapping[str, Any] = {}


@dataclass(frozen=True, slots=True)
class EvaluationContext:
    """Everything a condition may read: the ticket, its customer's profile (``None``
    for a ticket without a known profile: no properties, no events, no segments),
    the customer data (for event counts) and the instant of the decision (aware)."""

    ticket: Ticket
    profile: Profile | None
    customer_data: CustomerData
    now: datetime
    properties: Mapping[str, Any] = field(init=False, repr=False, compare=False)
    """The profile's properties (empty without a profile): what ``profile(...)`` reads."""

    def __post_init__(self) -> None:
        if self.now.tzinfo is None or self.now.tzinfo.utcoffset(self.now) is None:
            raise NaiveDatetimeError("EvaluationContext.now")
        # Windows are counted on the UTC clock ("the last day" is 24 hours, months follow
        # the UTC calendar), whatever zone the instant was given in.
        object.__setattr__(self, "now", self.now.astimezone(UTC))
        props = self.profile.properties if self.profile is not None else _NO_PROPERTIES
        object.__setattr__(self, "properties", props)

    @classmethod
    def load(cls, ticket: Ticket, customer_data: CustomerData, now: datetime) -> EvaluationContext:
        """The context of ``ticket`` at ``now``, its profile looked up in ``customer_data``."""
        found = profile_of(customer_data, ticket.profile_id)
        return cls(ticket=ticket, profile=found, customer_data=customer_data, now=now)


def profile_of(customer_data: CustomerData, profile_id: str | None) -> Profile | None:
    """The profile ``customer_data`` knows by ``profile_id`` (``None`` without an id or
    when it knows none), its answer held to the port's contract: anything but a
    :class:`Profile` or ``None`` is refused, naming the adapter."""
    if not profile_id:
        return None
    found = customer_data.profile(profile_id)
    if found is None or isinstance(found, Profile):
        return found
    raise ValidationError(
        f"customer data {type(customer_data).__name__}.profile({profile_id!r}) returned "
        f"{type(found).__name__}, not a Profile or None"
    )
