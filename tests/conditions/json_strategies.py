"""Hypothesis strategies for the JSON reference model: a moment of decision (on and
around daylight-saving changes and month ends, given in various zones), condition JSON,
tickets, profiles and event histories whose instants lie exactly on, and one
microsecond either side of, every window's boundaries at that moment.

A test draws ``now`` first (:func:`moment_of_decision`), builds the grid of boundary
instants around it (:func:`boundary_grid`), and draws the rest from that grid.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from hypothesis import strategies as st

from helpdesk_routing.model import Event, Profile, Ticket

US = timedelta(microseconds=1)
ZONES = [UTC, ZoneInfo("Europe/Amsterdam"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")]

# Moments of decision, in UTC: daylight-saving changes (EU 29 Mar / 25 Oct 2026 at 01:00
# UTC, US 8 Mar 2026 at 07:00 UTC), month ends (31 March minus a month is 28 February;
# a leap day), a year's first instant, an ordinary noon.
NOWS = [
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC),
    datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
    datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
    datetime(2026, 3, 31, 12, 0, tzinfo=UTC),
    datetime(2024, 2, 29, 0, 0, tzinfo=UTC),
    datetime(2026, 5, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2026, 1, 1, 0, 0, tzinfo=UTC),
    datetime(2026, 3, 30, 12, 0, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),  # the ends of the calendar
    datetime(1, 1, 1, tzinfo=UTC),
]
SPANS: list[dict[str, Any]] = [
    {"amount": 1, "unit": "minutes"},
    {"amount": 2, "unit": "hours"},
    {"amount": 1, "unit": "days"},
    {"amount": 1, "unit": "weeks"},
    {"amount": 1, "unit": "months"},
    {"amount": 3, "unit": "months"},
]
# Spans as long as the calendar: from most moments they reach past year 1 or 9999 (the
# window is then clamped there: unbounded on that side).
LONG_SPANS: list[dict[str, Any]] = [
    {"amount": 119987, "unit": "months"},
    {"amount": 3652058, "unit": "days"},
]

TICKET_FIELDS = [
    "channel",
    "tags",
    "subject",
    "status",
    "priority",
    "email",
    "id",
    "created_at",
    "profile_id",
    "plan",
    "seats",
]
PROFILE_PROPERTIES = ["$country", "churn_risk", "ltv", "signup", "langs"]
EVENT_PROPERTIES = ["value", "sku"]
METRICS = ["Placed Order", "Viewed Product"]
SEGMENTS = ["vip", "at-risk"]
TAGS = ["Order", "Return", "vip", "Ord", ""]
TEXTS = ["", "sms", "email", "open", "France", "High", "Order", "Ord", "der", "order", "a", "vip"]
NUMBERS: list[int | float] = [-1, 0, 1, 1.0, 5, 5.0, 5.5, 100, 2**53 + 1, float(2**53)]
OPS = [
    "equals",
    "not_equals",
    "contains",
    "not_contains",
    "starts_with",
    "ends_with",
    "is_set",
    "is_not_set",
    "in",
    "not_in",
    "greater_than",
    "greater_or_equal",
    "less_than",
    "less_or_equal",
    "between",
    "before",
    "after",
    "in_last",
    "in_next",
]


_FIRST = datetime.min.replace(tzinfo=UTC)
_LAST = datetime.max.replace(tzinfo=UTC)


def _shift(now: datetime, span: dict[str, Any], sign: int) -> datetime | None:
    try:
        if span["unit"] == "months":
            return now + relativedelta(months=sign * span["amount"])
        return now + sign * timedelta(**{span["unit"]: span["amount"]})
    except (OverflowError, ValueError):
        return None


def boundary_grid(now: datetime) -> list[datetime]:
    """``now`` and each span before and after it, each exactly and 1 µs either side, and
    the first and last instants of the calendar."""
    anchors = [now] + [_shift(now, s, sign) for s in SPANS for sign in (-1, 1)]
    grid = {_FIRST, _LAST}
    for a in filter(None, anchors):
        for d in (-US, timedelta(0), US):
            try:
                grid.add(a + d)
            except OverflowError:  # past the end of the calendar
                continue
    return sorted(grid)


def in_zone(moment: datetime, zone: Any) -> datetime:
    """``moment`` in ``zone`` (in UTC when the zone's reading leaves the calendar)."""
    try:
        return moment.astimezone(zone)
    except OverflowError:
        return moment


scalars = st.one_of(st.sampled_from(TEXTS), st.sampled_from(NUMBERS), st.booleans())


def _iso(draw: st.DrawFn, moment: datetime) -> str:
    """A date-time as the condition JSON may write it: any zone's offset, or ``Z``."""
    zone = draw(st.sampled_from(ZONES))
    text = in_zone(moment, zone).isoformat()
    if text.endswith("+00:00") and draw(st.booleans()):
        text = text.replace("+00:00", "Z")
    return text


@st.composite
def op_value(draw: st.DrawFn, op: str, grid: list[datetime]) -> Any:
    """A JSON value that fits ``op`` (``None`` for is_set / is_not_set)."""
    if op in ("equals", "not_equals"):
        return draw(scalars)
    if op in ("contains", "not_contains", "starts_with", "ends_with"):
        return draw(st.sampled_from(TEXTS))
    if op in ("is_set", "is_not_set"):
        return None
    if op in ("in", "not_in"):
        return draw(st.lists(scalars, max_size=3))
    if op in ("greater_than", "greater_or_equal", "less_than", "less_or_equal"):
        return draw(st.sampled_from(NUMBERS))
    if op == "between":
        if draw(st.booleans()):
            return sorted([draw(st.sampled_from(NUMBERS)), draw(st.sampled_from(NUMBERS))])
        low, high = sorted([draw(st.sampled_from(grid)), draw(st.sampled_from(grid))])
        return [_iso(draw, low), _iso(draw, high)]
    if op in ("before", "after"):
        return _iso(draw, draw(st.sampled_from(grid)))
    return dict(draw(st.sampled_from(SPANS + LONG_SPANS)))


@st.composite
def _test(draw: st.DrawFn, key: str, names: list[str], grid: list[datetime]) -> dict[str, Any]:
    op = draw(st.sampled_from(OPS))
    node: dict[str, Any] = {key: draw(st.sampled_from(names)), "op": op}
    value = draw(op_value(op, grid))
    if value is not None or draw(st.booleans()):
        node["value"] = value
    return node


@st.composite
def window(draw: st.DrawFn, grid: list[datetime]) -> dict[str, Any]:
    """Any event window, its bounds on the grid."""
    kind = draw(st.sampled_from(["all_time", "in_last", "since", "after", "before", "between"]))
    if kind == "all_time":
        return {"type": "all_time"}
    if kind == "in_last":
        return {"type": "in_last", **draw(st.sampled_from(SPANS + LONG_SPANS))}
    if kind in ("since", "after"):
        return {"type": kind, "start": _iso(draw, draw(st.sampled_from(grid)))}
    if kind == "before":
        return {"type": kind, "end": _iso(draw, draw(st.sampled_from(grid)))}
    a, b = sorted([draw(st.sampled_from(grid)), draw(st.sampled_from(grid))])
    return {"type": "between", "start": _iso(draw, a), "end": _iso(draw, b)}


@st.composite
def count(draw: st.DrawFn) -> dict[str, Any]:
    """Any count test."""
    op = draw(st.sampled_from(["at_least", "at_most", "exactly", "zero"]))
    if op == "zero":
        return {"op": "zero", "value": None}
    return {"op": op, "value": draw(st.integers(0, 3))}


@st.composite
def leaf(draw: st.DrawFn, grid: list[datetime]) -> dict[str, Any]:
    """One ticket, profile, event or segment test, as JSON."""
    kind = draw(st.sampled_from(["ticket", "ticket", "profile", "profile", "event", "segment"]))
    if kind == "ticket":
        return {"type": "ticket", **draw(_test("field", TICKET_FIELDS, grid))}
    if kind == "profile":
        return {"type": "profile", **draw(_test("property", PROFILE_PROPERTIES, grid))}
    if kind == "segment":
        return {
            "type": "segment",
            "segment": draw(st.sampled_from(SEGMENTS)),
            "member": draw(st.booleans()),
        }
    return {
        "type": "event",
        "metric": draw(st.sampled_from(METRICS)),
        "count": draw(count()),
        "window": draw(window(grid)),
        "where": draw(st.lists(_test("property", EVENT_PROPERTIES, grid), max_size=2)),
    }


def condition(grid: list[datetime], *, empty_groups: bool = True) -> st.SearchStrategy[Any]:
    """Condition JSON trees (``empty_groups=False``: no ``all``/``any`` without children,
    which a rule set refuses)."""

    def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        groups = st.lists(children, min_size=0 if empty_groups else 1, max_size=4)
        return st.one_of(
            groups.map(lambda cs: {"type": "all", "conditions": cs}),
            groups.map(lambda cs: {"type": "any", "conditions": cs}),
            children.map(lambda c: {"type": "not", "condition": c}),
        )

    return st.recursive(leaf(grid), extend, max_leaves=8)


@st.composite
def value(draw: st.DrawFn, grid: list[datetime]) -> Any:
    """What a profile property, custom field or event property may hold: every kind."""
    moment = draw(st.sampled_from(grid))
    return draw(
        st.one_of(
            st.sampled_from(TEXTS),
            st.sampled_from(NUMBERS),
            st.booleans(),
            st.none(),
            st.lists(scalars, max_size=3),
            st.lists(scalars, max_size=2).map(tuple),
            st.frozensets(st.sampled_from(TEXTS), max_size=2),
            st.just(moment),
            st.sampled_from(ZONES).map(lambda zone: in_zone(moment, zone)),
            # (A naive datetime is refused by the models: its text without an offset stays.)
            st.just(_iso(draw, moment)),
            st.just(moment.replace(tzinfo=None).isoformat()),  # no offset: the wrong type
            st.just(moment.date()),
            st.just(moment.date().isoformat()),
            st.just({"nested": 1}),
        )
    )


def _values(draw: st.DrawFn, names: list[str], grid: list[datetime]) -> dict[str, Any]:
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    return {name: draw(value(grid)) for name in chosen}


@st.composite
def ticket(draw: st.DrawFn, grid: list[datetime]) -> Ticket:
    """A ticket of profile ``p1`` (or of none, or of an unknown one)."""
    return Ticket(
        id=draw(st.sampled_from(["t1", "Order"])),
        channel=draw(st.sampled_from(["sms", "email", "webchat", "Order"])),
        created_at=draw(st.sampled_from(grid)),
        tags=draw(st.frozensets(st.sampled_from(TAGS), max_size=3)),
        subject=draw(st.sampled_from(["", "Order", "Where is my Order?", "a", "open"])),
        status=draw(st.sampled_from(["open", "pending", "closed"])),
        priority=draw(st.sampled_from([None, "High", "a", ""])),
        email=draw(st.sampled_from([None, "a@example.com"])),
        profile_id=draw(st.sampled_from(["p1", "p1", "p1", None, "nobody"])),
        fields=_values(draw, ["plan", "seats"], grid),
    )


@st.composite
def profile(draw: st.DrawFn, grid: list[datetime]) -> Profile:
    """Profile ``p1``."""
    return Profile(
        id="p1",
        properties=_values(draw, PROFILE_PROPERTIES, grid),
        segments=draw(st.frozensets(st.sampled_from(SEGMENTS))),
    )


@st.composite
def one_event(draw: st.DrawFn, grid: list[datetime]) -> Event:
    """An event of ``p1`` (sometimes of another profile), at an instant on the grid."""
    return Event(
        profile_id=draw(st.sampled_from(["p1", "p1", "p1", "p2"])),
        metric=draw(st.sampled_from(METRICS)),
        timestamp=draw(st.sampled_from(grid)),
        properties=_values(draw, EVENT_PROPERTIES, grid),
    )


def events(grid: list[datetime]) -> st.SearchStrategy[list[Event]]:
    """An event history."""
    return st.lists(one_event(grid), max_size=6)


@st.composite
def moment_of_decision(draw: st.DrawFn) -> datetime:
    """A moment of decision, in one of the zones (the library counts on the UTC clock)."""
    return in_zone(draw(st.sampled_from(NOWS)), draw(st.sampled_from(ZONES)))
