"""The AI customer-service agent's four conversation events (semantics 7).

Each event is a typed, immutable model. Recording one writes a
:class:`~helpdesk_routing.model.Event` on the customer's profile through the
:class:`~helpdesk_routing.ports.EventRecorder` port, so segments and routing rules can
use it (``event("Conversation with Customer Agent Escalated").at_least(1).in_last(days=7)``).

- The metric names default to the product's (:data:`DEFAULT_NAMES`) and are
  configurable with an :class:`EventNames`.
- Every event has a unique id, ``"<conversation id>:<kind>"``: recording it again (a
  replay, a retry) records nothing, because the recorder is idempotent by that id.
- :meth:`ConversationEvent.to_klaviyo_event` renders the Klaviyo Events API body
  (``POST /api/events``) for hosts that forward the events.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import ConfigDict, Field, model_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from helpdesk_routing._email import is_valid_email
from helpdesk_routing._input import CheckedCopy, InputModel
from helpdesk_routing._storable import NonEmptyStoredText, StoredText
from helpdesk_routing._time import require_aware
from helpdesk_routing.errors import ArgumentTypeError, ValidationError
from helpdesk_routing.model import Event, IdText, in_given_order
from helpdesk_routing.ports import EventRecorder, require_port

__all__ = [
    "DEFAULT_NAMES",
    "ConversationEscalated",
    "ConversationEvent",
    "ConversationResolved",
    "ConversationStarted",
    "EscalationReason",
    "EventKind",
    "EventNames",
    "ProductRecommendationReceived",
    "check_names",
    "record",
]


EventKind = Literal["started", "resolved", "escalated", "product_recommendation"]
"""The four kinds; the second half of every event's unique id."""

EscalationReason = Literal[
    "knowledge_gap", "explicit_ask", "escalation_rule", "unintelligible_input", "other"
]
"""Why the AI agent escalated a conversation."""


class EventNames(InputModel):
    """The metric name of each kind of event (the product's names by default).

    The four names must differ: the report tells the kinds apart by metric name, so two
    kinds under one name would count each event as both (a resolved conversation as
    escalated too). Names that share one are refused when built, at the field given (the
    later of the two when both are: ``$.escalated``, "escalated and resolved must be
    different metric names, both are 'X'"), and by :func:`check_names` where they are
    used.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Each name is an Event's metric: an id of one to 255 characters, refused here, at
    # its field, rather than when the first event is recorded under it.
    started: IdText = "Started Conversation with Customer Agent"
    resolved: IdText = "Conversation with Customer Agent Resolved"
    escalated: IdText = "Conversation with Customer Agent Escalated"
    product_recommendation: IdText = "Received Product Recommendation from Customer Agent"

    @model_validator(mode="after")
    def _distinct(self) -> EventNames:
        shared = _shared(self)
        if shared is not None:
            field, message = shared
            problem = InitErrorDetails(
                type=PydanticCustomError("event_names_shared", message),
                loc=(field,),
                input=getattr(self, field),
            )
            raise PydanticValidationError.from_exception_data(type(self).__name__, [problem])
        return self

    def of(self, kind: EventKind) -> str:
        """The metric name of ``kind``."""
        name: str = getattr(self, kind)
        return name


_KINDS: tuple[EventKind, ...] = get_args(EventKind)


def _shared(names: EventNames) -> tuple[str, str] | None:
    """The first field whose metric name an earlier field has (the earlier one when only
    it was given, not defaulted: the name given is the one to change), and the message
    naming both fields and the name; ``None`` when the four names differ."""
    seen: dict[str, str] = {}
    for kind in _KINDS:
        name = names.of(kind)
        if name in seen:
            other: str = kind
            first = seen[name]
            given = names.model_fields_set
            if other not in given and first in given:
                other, first = first, other
            return other, f"{other} and {first} must be different metric names, both are {name!r}"
        seen[name] = kind
    return None


DEFAULT_NAMES = EventNames()
"""The product's metric names."""


class ConversationEvent(CheckedCopy):
    """What every conversation event has: the conversation and its channel.

    The base of the four events, not an event itself: building it is refused (a
    :class:`~helpdesk_routing.errors.ValidationError` at ``$``). A skill or a tag an event names
    (``starting_skill``, ``last_skill``, ``tag``) is ``None`` or non-empty text every
    store can keep, as ``Handoff.request``'s ``tag``: an empty one is refused at its field
    (``$.tag``). A copy changed with ``model_copy(update=...)`` is validated; one made
    without validation (``model_construct``) is validated where it is used
    (:func:`record`, :meth:`to_event`, :meth:`to_klaviyo_event`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ClassVar[EventKind]
    conversation_id: IdText
    channel: StoredText = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _one_of_the_four(cls, data: Any) -> Any:
        if cls is ConversationEvent:
            raise ArgumentTypeError(_BASE_BUILT)
        return data

    @property
    def unique_id(self) -> str:
        """``"<conversation id>:<kind>"``: one event of each kind per conversation."""
        return f"{self.conversation_id}:{self.kind}"

    def metric(self, names: EventNames = DEFAULT_NAMES) -> str:
        """The metric name this event is recorded under."""
        return names.of(self.kind)

    def properties(self) -> dict[str, Any]:
        """The event's properties as recorded on the profile (every field, as JSON values)."""
        return self.model_dump(mode="json")

    def to_event(
        self, *, profile_id: str, at: datetime, names: EventNames = DEFAULT_NAMES
    ) -> Event:
        """The profile event this records: metric, properties, time and unique id."""
        return self._event(profile_id, at, names)[1]

    def _event(
        self, profile_id: object, at: datetime, names: object
    ) -> tuple[ConversationEvent, Event]:
        """This event checked, and the profile event it records (checked as every
        :class:`~helpdesk_routing.model.Event` is): what both renderings start from."""
        profile_id, names = _target(profile_id, names)
        event = _checked(self)
        recorded = Event(
            profile_id=profile_id,
            metric=event.metric(names),
            timestamp=require_aware(at, "at"),
            properties=event.properties(),
            unique_id=event.unique_id,
        )
        return event, recorded

    def to_klaviyo_event(
        self, *, profile_id: str, at: datetime, names: EventNames = DEFAULT_NAMES
    ) -> dict[str, Any]:
        """The Klaviyo Events API body (``POST /api/events``) for this event.

        The profile is identified by ``email`` when ``profile_id`` is an address by the
        library's one rule (``handoff.is_valid_email``), else as an ``external_id``
        (``"ann@example.com\\n"`` or ``"a@b@c.com"`` is no address).
        """
        # what to_event refuses is refused here alike (a profile id of 256 characters,
        # or holding NUL, which no store, and no JSON body, can carry)
        event, recorded = self._event(profile_id, at, names)
        profile_id, when = recorded.profile_id, recorded.timestamp
        key = "email" if is_valid_email(profile_id) else "external_id"
        return {
            "data": {
                "type": "event",
                "attributes": {
                    "properties": event.properties(),
                    "time": when.isoformat().replace("+00:00", "Z"),
                    "unique_id": event.unique_id,
                    "metric": {
                        "data": {"type": "metric", "attributes": {"name": event.metric(names)}}
                    },
                    "profile": {"data": {"type": "profile", "attributes": {key: profile_id}}},
                },
            }
        }


class ConversationStarted(ConversationEvent):
    """A visitor started a conversation with the AI agent, in its ``starting_skill``."""

    kind: ClassVar[EventKind] = "started"
    starting_skill: NonEmptyStoredText | None = None


class ConversationResolved(ConversationEvent):
    """The AI agent resolved the conversation (its ``last_skill``; an optional ``tag``)."""

    kind: ClassVar[EventKind] = "resolved"
    last_skill: NonEmptyStoredText | None = None
    tag: NonEmptyStoredText | None = None


class ConversationEscalated(ConversationEvent):
    """The AI agent escalated the conversation (to a human, or a custom message)."""

    kind: ClassVar[EventKind] = "escalated"
    tag: NonEmptyStoredText | None = None
    reason: EscalationReason = "other"


class ProductRecommendationReceived(ConversationEvent):
    """The AI agent recommended products (ids or SKUs) in the conversation: each one
    non-empty text every store keeps, refused at ``$.products[i]`` otherwise (as a tag is)."""

    kind: ClassVar[EventKind] = "product_recommendation"
    # in the order recommended: a set's order is its hashes' (PYTHONHASHSEED)
    products: Annotated[tuple[NonEmptyStoredText, ...], in_given_order("products")] = ()


_BASE_BUILT = (
    "ConversationEvent is the base of the four events, not an event: build a "
    "ConversationStarted, ConversationResolved, ConversationEscalated or "
    "ProductRecommendationReceived"
)

_EVENTS = (
    ConversationStarted,
    ConversationResolved,
    ConversationEscalated,
    ProductRecommendationReceived,
)


def _checked(event: ConversationEvent) -> ConversationEvent:
    """``event`` validated again when it was made without validation
    (``model_construct``): what it holds is what a built one may hold, or
    :class:`~helpdesk_routing.errors.ModelValidationError` at the field."""
    fields = type(event).model_fields
    given = {name: event.__dict__[name] for name in fields if name in event.__dict__}
    return type(event).model_validate(given)


def record(
    event: ConversationEvent,
    recorder: EventRecorder,
    *,
    profile_id: str,
    at: datetime,
    names: EventNames = DEFAULT_NAMES,
) -> bool:
    """Record ``event`` on the profile; ``False`` (nothing recorded) when it already was.

    :class:`~helpdesk_routing.errors.ArgumentTypeError` (a ``TypeError``) names an
    ``event`` that is none of the four, a ``recorder`` that cannot record (an
    ``EventRecorder``: the three customer-data adapters are), a ``profile_id`` that is
    not text or ``names`` that are not :class:`EventNames`."""
    if not isinstance(event, _EVENTS):
        raise ArgumentTypeError(
            f"event must be one of the AI agent's four events, got {type(event).__name__}"
        )
    require_port(recorder, "recorder", "record_event", "an EventRecorder (a customer data adapter)")
    return recorder.record_event(event.to_event(profile_id=profile_id, at=at, names=names))


def _target(profile_id: object, names: object) -> tuple[str, EventNames]:
    """The profile id (non-empty text) and the metric names, refused by argument name."""
    if not isinstance(profile_id, str):
        raise ArgumentTypeError(f"profile_id must be a profile id (text), got {profile_id!r}")
    if not profile_id:
        raise ValidationError("profile_id must not be empty")
    return profile_id, check_names(names)


def check_names(names: object) -> EventNames:
    """``names`` when they are :class:`EventNames` of four different metric names, each
    an id of one to 255 characters: ``ArgumentTypeError`` naming anything else,
    ``ValidationError`` naming two kinds that share a name, or a name that is no such id
    at ``$.names.<kind>`` (names made without validation, by ``model_copy(update=...)``
    or ``model_construct``)."""
    if not isinstance(names, EventNames):
        raise ArgumentTypeError(f"names must be EventNames, got {type(names).__name__}")
    shared = _shared(names)
    if shared is not None:
        raise ValidationError(shared[1])
    if names is not DEFAULT_NAMES:
        # each name an id of one to 255 characters, as when built: a copy or a
        # model_construct may hold anything (an empty name was rendered to Klaviyo, and
        # every Escalated event of a Handoff given it was lost, the first record failing)
        try:  # the four names only: a subclass may hold more of its own
            EventNames.model_validate({k: v for k, v in names.__dict__.items() if k in _KINDS})
        except ValidationError as error:
            raise ValidationError("invalid event names", error.under("$.names").details) from None
    return names
