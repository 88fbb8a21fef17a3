"""A second reference model of conditions: it evaluates the condition *JSON* (what a
file or a rule-editing UI stores), straight from docs/conditions.md.

It never imports the library's condition code: it reads the JSON's plain dicts and
lists, reads each value with plain ``if``s, scans the whole event history, spells each
window and date test as the inequality the documentation states, and computes
calendar months with ``dateutil`` on the UTC calendar. Slow and obvious on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from helpdesk_routing.model import Event, Profile, Ticket

JSON = dict[str, Any]

_LISTS = (list, tuple, set, frozenset)
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WITH_OFFSET = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?([Zz]|[+-]\d{2}(:?\d{2}(:?\d{2})?)?)",
    re.ASCII,
)
_NEGATIVE = {"not_equals": "equals", "not_contains": "contains", "not_in": "in"}


# -- reading values -------------------------------------------------------------------


def ticket_value(ticket: Ticket, field: str) -> Any:
    """The docs' table "Ticket fields": ``None`` is *not set*."""
    if field == "tags":
        return set(ticket.tags) or None  # no tags: not set
    if field == "subject":
        return ticket.subject or None  # "": not set
    if field == "status":
        return str(ticket.status.value)  # compares as its text
    if field in ("channel", "id", "priority", "email", "profile_id", "created_at"):
        return getattr(ticket, field)
    return ticket.fields.get(field)  # a custom field


def kind(v: Any) -> str | None:
    """text, number or boolean; ``None`` for anything else (bool is not a number)."""
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int | float):
        return "number"
    if isinstance(v, str):
        return "text"
    return None


def instant(v: Any) -> datetime | None:
    """The docs' "Dates": what a value means as an instant, or ``None`` (wrong type)."""
    if isinstance(v, datetime):
        return v if v.utcoffset() is not None else None  # naive: wrong type
    if isinstance(v, date):
        return datetime(v.year, v.month, v.day, tzinfo=UTC)  # midnight UTC
    if isinstance(v, str):
        if _DATE_ONLY.match(v):
            try:
                d = date.fromisoformat(v)
            except ValueError:
                return None
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        if not _WITH_OFFSET.fullmatch(v):  # docs: the condition JSON's own forms only
            return None
        try:
            parsed = datetime.fromisoformat(v.replace("z", "Z"))
        except ValueError:
            return None
        return parsed if parsed.utcoffset() is not None else None
    return None


def moment(text: str) -> datetime:
    """A date-time of the condition JSON (always with an offset)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def shifted(now: datetime, span: Mapping[str, Any], sign: int) -> datetime | None:
    """``now`` moved by the span (``sign`` -1: back), on the UTC calendar; ``None`` when
    that leaves years 1 to 9999 (the window is then unbounded on that side)."""
    now = now.astimezone(UTC)
    amount, unit = sign * span["amount"], span["unit"]
    try:
        if unit == "months":
            return now + relativedelta(months=amount)
        return now + timedelta(**{unit: amount})
    except (OverflowError, ValueError):
        return None


# -- one test ---------------------------------------------------------------------------


def _same(x: Any, v: Any) -> bool:
    return kind(x) is not None and kind(x) == kind(v) and x == v


def _some(v: Any, test: Any) -> bool:
    """``test`` on a value; on a list, on at least one element."""
    if isinstance(v, _LISTS):
        return any(test(e) for e in v)
    return bool(test(v))


def passes(op: str, x: Any, v: Any, now: datetime) -> bool:
    """The docs' "Operators" table: ``op x`` on the value ``v`` (``None``: not set)."""
    if op in _NEGATIVE:
        return not passes(_NEGATIVE[op], x, v, now)
    if op == "is_not_set":
        return v is None
    if v is None:
        return False  # every positive test fails on a value that is not set
    if op == "is_set":
        return True
    if op == "equals":
        return _some(v, lambda e: _same(x, e))
    if op == "in":
        return _some(v, lambda e: any(_same(a, e) for a in x))
    if op == "contains":
        if isinstance(v, str):
            return x in v
        return isinstance(v, _LISTS) and any(isinstance(e, str) and e == x for e in v)
    if op == "starts_with":
        return _some(v, lambda e: isinstance(e, str) and e.startswith(x))
    if op == "ends_with":
        return _some(v, lambda e: isinstance(e, str) and e.endswith(x))
    if op in ("greater_than", "greater_or_equal", "less_than", "less_or_equal"):
        if kind(v) != "number":
            return False
        return {
            "greater_than": v > x,
            "greater_or_equal": v >= x,
            "less_than": v < x,
            "less_or_equal": v <= x,
        }[op]
    if op == "between":
        low, high = x
        if isinstance(low, str):  # date-times
            d = instant(v)
            return d is not None and moment(low) <= d <= moment(high)
        return kind(v) == "number" and low <= v <= high
    d = instant(v)
    if d is None:
        return False
    if op == "before":
        return d < moment(x)
    if op == "after":
        return d > moment(x)
    if op == "in_last":
        lower = shifted(now, x, -1)
        return (lower is None or lower <= d) and d <= now
    if op == "in_next":
        upper = shifted(now, x, +1)
        return now <= d and (upper is None or d <= upper)
    raise AssertionError(f"unknown operator {op}")


# -- events -----------------------------------------------------------------------------


def in_window(window: JSON, t: datetime, now: datetime) -> bool:
    """The docs' table "Windows and their boundaries"."""
    if t > now:
        return False  # every window is clipped to now
    kind_ = window["type"]
    if kind_ == "all_time":
        return True
    if kind_ == "in_last":
        lower = shifted(now, window, -1)
        return lower is None or lower <= t
    if kind_ == "since":
        return moment(window["start"]) <= t
    if kind_ == "after":
        return moment(window["start"]) < t
    if kind_ == "before":
        return t < moment(window["end"])
    assert kind_ == "between"
    return moment(window["start"]) <= t <= moment(window["end"])


def count_holds(count: JSON, n: int) -> bool:
    """The docs' table "Count tests"."""
    op, k = count["op"], count.get("value")
    if op == "at_least":
        return n >= k
    if op == "at_most":
        return n <= k
    if op == "exactly":
        return n == k
    assert op == "zero"
    return n == 0


def matching_events(
    cond: JSON,
    profile: Profile | None,
    events: Sequence[Event],
    now: datetime,
    profile_id: str | None = None,
) -> int:
    """How many of the customer's events the event condition counts: the profile's, or
    without one those recorded under ``profile_id`` (the ticket's profile id, or its
    e-mail without one)."""
    customer = profile.id if profile is not None else profile_id
    if not customer:
        return 0
    return sum(
        1
        for e in events
        if e.profile_id == customer
        and e.metric == cond["metric"]
        and in_window(cond["window"], e.timestamp, now)
        and all(
            passes(f["op"], f.get("value"), e.properties.get(f["property"]), now)
            for f in cond["where"]
        )
    )


# -- the tree ---------------------------------------------------------------------------


def holds(
    cond: JSON,
    ticket: Ticket,
    profile: Profile | None,
    events: Sequence[Event],
    now: datetime,
) -> bool:
    """Whether the condition JSON ``cond`` holds (``now`` may be in any zone)."""
    now = now.astimezone(UTC)
    kind_ = cond["type"]
    if kind_ == "all":
        return all(holds(c, ticket, profile, events, now) for c in cond["conditions"])
    if kind_ == "any":
        return any(holds(c, ticket, profile, events, now) for c in cond["conditions"])
    if kind_ == "not":
        return not holds(cond["condition"], ticket, profile, events, now)
    if kind_ == "segment":
        member = profile is not None and cond["segment"] in profile.segments
        return member if cond["member"] else not member
    if kind_ == "ticket":
        return passes(cond["op"], cond.get("value"), ticket_value(ticket, cond["field"]), now)
    if kind_ == "profile":
        props = profile.properties if profile is not None else {}
        return passes(cond["op"], cond.get("value"), props.get(cond["property"]), now)
    assert kind_ == "event"
    return count_holds(
        cond["count"],
        matching_events(cond, profile, events, now, ticket.profile_id or ticket.email),
    )
