"""Hypothesis strategies for conditions and the data they read.

Values come from small vocabularies so that random conditions and random data
meet often: the same field names, texts that are prefixes of each other, numbers
on both sides of each bound, and instants exactly on window boundaries.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from helpdesk_routing.conditions import (
    AfterWindow,
    AllCondition,
    AllTimeWindow,
    AnyCondition,
    BeforeWindow,
    BetweenWindow,
    Condition,
    EventCondition,
    EventCount,
    InLastWindow,
    NotCondition,
    Operator,
    ProfileCondition,
    PropertyFilter,
    SegmentCondition,
    SinceWindow,
    Span,
    TicketCondition,
)
from helpdesk_routing.model import Event, Profile, Ticket

NOW = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)
US = timedelta(microseconds=1)

TICKET_FIELDS = ["channel", "tags", "subject", "status", "priority", "email", "plan", "seats"]
PROFILE_PROPERTIES = ["$country", "churn_risk", "ltv", "signup", "langs"]
EVENT_PROPERTIES = ["value", "sku"]
METRICS = ["Placed Order", "Viewed Product"]
SEGMENTS = ["vip", "at-risk"]
TEXTS = ["sms", "email", "France", "High", "Order", "Ord", "der", "a", "vip"]
NUMBERS: list[int | float] = [-1, 0, 5, 5.5, 10, 100, 100.0]

# Instants on and next to the boundaries the windows and date tests use.
_OFFSETS = [
    timedelta(0),
    US,
    -US,
    -timedelta(hours=2),
    -timedelta(hours=2) - US,
    -timedelta(hours=2) + US,
    -timedelta(days=1),
    -timedelta(days=3),
    timedelta(hours=2),
    timedelta(days=1),
]
instants = st.sampled_from([NOW + off for off in _OFFSETS])
spans = st.builds(Span, amount=st.sampled_from([1, 2, 3]), unit=st.sampled_from(["hours", "days"]))

scalars = st.one_of(st.sampled_from(TEXTS), st.sampled_from(NUMBERS), st.booleans())
_moments = st.one_of(instants, st.sampled_from([NOW.astimezone(UTC).replace(hour=0)]))


def _value_for(op: Operator) -> st.SearchStrategy[Any]:
    if op in (Operator.EQUALS, Operator.NOT_EQUALS):
        return scalars
    if op in (Operator.CONTAINS, Operator.NOT_CONTAINS, Operator.STARTS_WITH, Operator.ENDS_WITH):
        return st.sampled_from(TEXTS)
    if op in (Operator.IS_SET, Operator.IS_NOT_SET):
        return st.none()
    if op in (Operator.IN, Operator.NOT_IN):
        return st.lists(scalars, max_size=3).map(tuple)
    if op in (
        Operator.GREATER_THAN,
        Operator.GREATER_OR_EQUAL,
        Operator.LESS_THAN,
        Operator.LESS_OR_EQUAL,
    ):
        return st.sampled_from(NUMBERS)
    if op is Operator.BETWEEN:
        numbers = st.tuples(st.sampled_from(NUMBERS), st.sampled_from(NUMBERS))
        moments = st.tuples(instants, instants)
        return st.one_of(numbers, moments).map(lambda p: tuple(sorted(p)))
    if op in (Operator.BEFORE, Operator.AFTER):
        return instants
    return spans


@st.composite
def _test_parts(draw: st.DrawFn) -> tuple[Operator, Any]:
    op = draw(st.sampled_from(list(Operator)))
    return op, draw(_value_for(op))


@st.composite
def ticket_conditions(draw: st.DrawFn) -> TicketCondition:
    """A ticket test on a built-in or custom field."""
    op, value = draw(_test_parts())
    return TicketCondition(field=draw(st.sampled_from(TICKET_FIELDS)), op=op, value=value)


@st.composite
def profile_conditions(draw: st.DrawFn) -> ProfileCondition:
    """A profile-property test."""
    op, value = draw(_test_parts())
    return ProfileCondition(property=draw(st.sampled_from(PROFILE_PROPERTIES)), op=op, value=value)


@st.composite
def property_filters(draw: st.DrawFn) -> PropertyFilter:
    """A filter on an event's own properties."""
    op, value = draw(_test_parts())
    return PropertyFilter(property=draw(st.sampled_from(EVENT_PROPERTIES)), op=op, value=value)


@st.composite
def windows(draw: st.DrawFn) -> Any:
    """Any event window, with bounds on the boundary grid."""
    kind = draw(st.sampled_from(["all_time", "in_last", "since", "after", "before", "between"]))
    if kind == "all_time":
        return AllTimeWindow()
    if kind == "in_last":
        span = draw(spans)
        return InLastWindow(amount=span.amount, unit=span.unit)
    if kind == "since":
        return SinceWindow(start=draw(instants))
    if kind == "after":
        return AfterWindow(start=draw(instants))
    if kind == "before":
        return BeforeWindow(end=draw(instants))
    a, b = sorted([draw(instants), draw(instants)])
    return BetweenWindow(start=a, end=b)


@st.composite
def counts(draw: st.DrawFn) -> EventCount:
    """Any count test."""
    op = draw(st.sampled_from(["at_least", "at_most", "exactly", "zero"]))
    if op == "zero":
        return EventCount(op="zero")
    return EventCount(op=op, value=draw(st.integers(0, 3)))


@st.composite
def event_conditions(draw: st.DrawFn) -> EventCondition:
    """An event condition with any count, window and up to two filters."""
    return EventCondition(
        metric=draw(st.sampled_from(METRICS)),
        count=draw(counts()),
        window=draw(windows()),
        filters=tuple(draw(st.lists(property_filters(), max_size=2))),
    )


segment_conditions = st.builds(
    SegmentCondition, segment=st.sampled_from(SEGMENTS), member=st.booleans()
)

leaves = st.one_of(
    ticket_conditions(), profile_conditions(), event_conditions(), segment_conditions
)


def _extend(children: st.SearchStrategy[Condition]) -> st.SearchStrategy[Condition]:
    groups = st.lists(children, max_size=5).map(tuple)
    return st.one_of(
        groups.map(lambda cs: AllCondition(conditions=cs)),
        groups.map(lambda cs: AnyCondition(conditions=cs)),
        children.map(lambda c: NotCondition(condition=c)),
    )


conditions: st.SearchStrategy[Condition] = st.recursive(leaves, _extend, max_leaves=8)
"""Random condition trees."""

# Values a profile property, custom field or event property may hold: every type.
property_values = st.one_of(
    st.sampled_from(TEXTS),
    st.sampled_from(NUMBERS),
    st.booleans(),
    st.lists(st.one_of(st.sampled_from(TEXTS), st.sampled_from(NUMBERS)), max_size=3),
    instants,
    # (A naive datetime is refused by the models: its text without an offset stays.)
    instants.map(lambda d: d.replace(tzinfo=None).isoformat()),  # no offset: the wrong type
    instants.map(lambda d: d.isoformat()),
    st.just(date(2026, 3, 30)),
    st.just("2026-03-29"),
    st.just(""),
    st.none(),
    st.just({"nested": 1}),
)


def _properties(names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(names), property_values, max_size=len(names))


tickets = st.builds(
    Ticket,
    id=st.just("t1"),
    channel=st.sampled_from(["sms", "email", "webchat", "Order"]),
    created_at=instants,
    tags=st.frozensets(st.sampled_from(["Order", "Return", "vip", "Ord"]), max_size=3),
    subject=st.sampled_from(["", "Order", "Where is my Order?", "a"]),
    status=st.sampled_from(["open", "pending", "closed"]),
    priority=st.sampled_from([None, "High", "a"]),
    email=st.sampled_from([None, "a@example.com"]),
    profile_id=st.just("p1"),
    fields=_properties(["plan", "seats"]),
)
"""Random tickets of profile ``p1``."""

_profile = st.builds(
    Profile,
    id=st.just("p1"),
    properties=_properties(PROFILE_PROPERTIES),
    segments=st.frozensets(st.sampled_from(SEGMENTS)),
)
profiles = st.one_of(st.none(), _profile, _profile, _profile)
"""A profile ``p1`` (mostly), or no profile."""

events = st.lists(
    st.builds(
        Event,
        profile_id=st.just("p1"),
        metric=st.sampled_from(METRICS),
        timestamp=instants,
        properties=_properties(EVENT_PROPERTIES),
    ),
    max_size=6,
)
"""Random events of profile ``p1``, on the boundary grid."""
