"""A small, obviously-correct interpreter of conditions, written from docs/conditions.md.

It shares no code with the library: it reads values with plain ``if``s, scans the
whole event list, and spells every window as the inequality the documentation
states. The differential tests compare the compiled predicate with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from helpdesk_routing.conditions import (
    AfterWindow,
    AllCondition,
    AllTimeWindow,
    AnyCondition,
    BeforeWindow,
    BetweenWindow,
    Condition,
    EventCondition,
    InLastWindow,
    NotCondition,
    ProfileCondition,
    SegmentCondition,
    SinceWindow,
    TicketCondition,
)
from helpdesk_routing.model import Event, Profile, Ticket

NOT_SET = None


def ticket_value(ticket: Ticket, field: str) -> Any:
    """A ticket field as the docs define it (empty tags/subject are not set)."""
    if field == "tags":
        return set(ticket.tags) if ticket.tags else NOT_SET
    if field == "subject":
        return ticket.subject if ticket.subject != "" else NOT_SET
    if field == "status":
        return ticket.status.value
    if field in ("channel", "priority", "email", "id", "created_at", "profile_id"):
        return getattr(ticket, field)
    return ticket.fields.get(field)


def kind(v: Any) -> str:
    """text, number, boolean, list, or other."""
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int | float):
        return "number"
    if isinstance(v, str):
        return "text"
    if isinstance(v, list | tuple | set | frozenset):
        return "list"
    return "other"


def same(x: Any, v: Any) -> bool:
    """Equal with the same kind: 1 is not True, '5' is not 5."""
    return kind(x) == kind(v) and x == v


def instant(v: Any) -> datetime | None:
    """A date-like value as an aware instant; None when it is not one."""
    if isinstance(v, datetime):
        return v if v.tzinfo is not None else None
    if isinstance(v, date):
        return datetime(v.year, v.month, v.day, tzinfo=UTC)
    if isinstance(v, str):
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v, re.ASCII):
            try:
                d = date.fromisoformat(v)
            except ValueError:
                return None
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        if not re.fullmatch(_WITH_OFFSET, v, re.ASCII):  # the condition JSON's forms
            return None
        try:
            parsed = datetime.fromisoformat(v.replace("z", "Z"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo is not None else None
    return None


_WITH_OFFSET = (
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?([Zz]|[+-]\d{2}(:?\d{2}(:?\d{2})?)?)"
)


def test_value(op: str, x: Any, v: Any, now: datetime) -> bool:
    """The operator ``op`` with condition value ``x`` on the value ``v``."""
    negatives = {
        "not_equals": "equals",
        "not_contains": "contains",
        "not_in": "in",
        "is_not_set": "is_set",
    }
    if op in negatives:
        return not test_value(negatives[op], x, v, now)
    if v is NOT_SET:
        return False
    items = list(v) if kind(v) == "list" else None
    if op == "is_set":
        return True
    if op == "equals":
        return any(same(x, e) for e in items) if items is not None else same(x, v)
    if op == "in":
        if items is not None:
            return any(same(a, e) for a in x for e in items)
        return any(same(a, v) for a in x)
    if op in ("contains", "starts_with", "ends_with"):

        def one(e: Any) -> bool:
            if not isinstance(e, str):
                return False
            if op == "starts_with":
                return e.startswith(x)
            if op == "ends_with":
                return e.endswith(x)
            return x in e if items is None else e == x

        return any(one(e) for e in items) if items is not None else one(v)
    if op in ("greater_than", "greater_or_equal", "less_than", "less_or_equal"):
        if kind(v) != "number":
            return False
        return bool(
            {
                "greater_than": v > x,
                "greater_or_equal": v >= x,
                "less_than": v < x,
                "less_or_equal": v <= x,
            }[op]
        )
    if op == "between":
        low, high = x
        if isinstance(low, datetime):
            d = instant(v)
            return d is not None and low <= d <= high
        return kind(v) == "number" and bool(low <= v <= high)
    d = instant(v)
    if d is None:
        return False
    if op == "before":
        return bool(d < x)
    if op == "after":
        return bool(d > x)
    span = timedelta(**{x.unit.value: x.amount})
    if op == "in_last":
        return now - span <= d <= now
    assert op == "in_next"
    return now <= d <= now + span


def in_window(window: Any, t: datetime, now: datetime) -> bool:
    """The window inequalities of docs/conditions.md, spelled out."""
    if t > now:
        return False
    if isinstance(window, AllTimeWindow):
        return True
    if isinstance(window, InLastWindow):
        return now - timedelta(**{window.unit.value: window.amount}) <= t
    if isinstance(window, SinceWindow):
        return window.start <= t
    if isinstance(window, AfterWindow):
        return window.start < t
    if isinstance(window, BeforeWindow):
        return t < window.end
    assert isinstance(window, BetweenWindow)
    return window.start <= t <= window.end


def evaluate(
    condition: Condition,
    ticket: Ticket,
    profile: Profile | None,
    events: Sequence[Event],
    now: datetime,
) -> bool:
    """Whether ``condition`` holds, by the book."""
    if isinstance(condition, AllCondition):
        return all(evaluate(c, ticket, profile, events, now) for c in condition.conditions)
    if isinstance(condition, AnyCondition):
        return any(evaluate(c, ticket, profile, events, now) for c in condition.conditions)
    if isinstance(condition, NotCondition):
        return not evaluate(condition.condition, ticket, profile, events, now)
    if isinstance(condition, TicketCondition):
        return test_value(
            condition.op.value, condition.value, ticket_value(ticket, condition.field), now
        )
    if isinstance(condition, ProfileCondition):
        value = None if profile is None else profile.properties.get(condition.property)
        return test_value(condition.op.value, condition.value, value, now)
    if isinstance(condition, SegmentCondition):
        member = profile is not None and condition.segment in profile.segments
        return member == condition.member
    assert isinstance(condition, EventCondition)
    found = 0
    # the customer's events: by the profile's id, or by the ticket's profile id when the
    # customer data holds no profile by it, or its e-mail without an id (events may be
    # recorded before a profile)
    customer = profile.id if profile is not None else (ticket.profile_id or ticket.email)
    if customer:
        for e in events:
            if (
                e.profile_id == customer
                and e.metric == condition.metric
                and in_window(condition.window, e.timestamp, now)
                and all(
                    test_value(f.op.value, f.value, e.properties.get(f.property), now)
                    for f in condition.filters
                )
            ):
                found += 1
    n = condition.count.value
    return {
        "at_least": lambda: found >= (n or 0),
        "at_most": lambda: found <= (n or 0),
        "exactly": lambda: found == n,
        "zero": lambda: found == 0,
    }[condition.count.op.value]()
