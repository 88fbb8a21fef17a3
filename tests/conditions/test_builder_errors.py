"""A bad builder call raises the very ValidationError parsing the condition's JSON raises.

Each builder writes the JSON form of the condition it makes and reads it as
``parse_condition`` does: the same paths (``$.window.start``, ``$.where[1].value``,
never a union tag such as ``$.window.since.start``), codes and messages. The property
draws bad calls (naive or out-of-range datetimes, reversed ``between`` bounds, values
of the wrong type in ``where``, bad counts and spans, unknown units) and compares the
builder's error with the one from parsing the equivalent JSON text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.conditions import (
    Condition,
    EventCondition,
    Operator,
    event,
    parse_condition,
    profile,
    ticket,
)
from helpdesk_routing.errors import ValidationError

NAIVE = datetime(2026, 1, 1)
EARLY = datetime(2026, 1, 1, tzinfo=UTC)
LATE = datetime(2026, 1, 2, 9, 30, 0, 5, tzinfo=timezone(timedelta(hours=2)))
BEFORE_YEAR_1 = datetime(1, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))
AFTER_YEAR_9999 = datetime(9999, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-1)))

moments = st.sampled_from([NAIVE, EARLY, LATE, BEFORE_YEAR_1, AFTER_YEAR_9999])
bad_moments = st.sampled_from([NAIVE, BEFORE_YEAR_1, AFTER_YEAR_9999])
bad_amounts = st.sampled_from([0, -1, 1.5, 2.0, True, "2", 10**12, [1]])  # None: no keyword
bad_counts = st.sampled_from([-1, 1.5, 2.0, True, False, "3", None, 2**31, 2**70, [1]])
units = ["minutes", "hours", "days", "weeks", "months"]
# A datetime is written as its text, which is the same value only where a date-time
# belongs: elsewhere text is text ("got text", or accepted) and a datetime "a date". So
# no datetime goes where a number or text belongs (nor beside a number in a between).
plain_values = st.sampled_from(
    [
        "x",
        "",
        1,
        -2.5,
        True,
        None,
        2**70,
        [1, 2],
        [2, 1],
        ["a", None],
        {"amount": 1, "unit": "fortnights"},
        {"amount": 0, "unit": "hours"},
        {"amount": 2, "unit": "hours"},
        "2026-01-01T00:00:00",
        "2026-02-30T00:00:00Z",
    ]
)
date_values = st.sampled_from(
    [[EARLY, LATE], [LATE, EARLY], [NAIVE, EARLY], [EARLY, BEFORE_YEAR_1], NAIVE, EARLY]
)
DATE_OPS = {"between", "before", "after"}


def values(op: str) -> st.SearchStrategy[Any]:
    """Values for a test of ``op``: datetimes only where its JSON takes date-times."""
    return st.one_of(plain_values, date_values) if op in DATE_OPS else plain_values


# lookup suffix -> the operator it names (the where() keyword form)
LOOKUPS = {
    "eq": "equals",
    "ne": "not_equals",
    "gt": "greater_than",
    "lte": "less_or_equal",
    "contains": "contains",
    "startswith": "starts_with",
    "in": "in",
    "not_in": "not_in",
    "between": "between",
    "before": "before",
    "after": "after",
}
SYMBOLS = {"==": "equals", "!=": "not_equals", ">": "greater_than", "<=": "less_or_equal"}


def as_json(value: Any) -> Any:
    """``value`` as the condition JSON writes it (a datetime is its ISO text)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [as_json(v) for v in value]
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Call:
    """A builder call and the JSON of the condition it means."""

    text: str
    build: Callable[[], Condition]
    doc: dict[str, Any]


@st.composite
def base_event(draw: st.DrawFn) -> EventCondition:
    """A valid event condition, perhaps with a count, a window and filters already."""
    cond = event(draw(st.sampled_from(["Placed Order", "M"])))
    if draw(st.booleans()):
        cond = cond.at_most(draw(st.integers(0, 5)))
    if draw(st.booleans()):
        cond = cond.in_last(days=draw(st.integers(1, 30)))
    for _ in range(draw(st.integers(0, 2))):
        cond = cond.where(value__gt=draw(st.integers(0, 9)))
    return cond


@st.composite
def bad_window(draw: st.DrawFn, base: EventCondition) -> Call:
    """since/after/before/between with a bad bound, reversed bounds, or a bad span."""
    kind = draw(st.sampled_from(["since", "after", "before", "between", "in_last"]))
    if kind == "in_last":
        unit, amount = draw(st.sampled_from(units)), draw(bad_amounts)
        window: dict[str, Any] = {"type": "in_last", "amount": amount, "unit": unit}
        return Call(
            f"in_last({unit}={amount!r})",
            lambda: base.in_last(**{unit: amount}),
            {**base.model_dump(mode="json"), "window": as_json(window)},
        )
    if kind == "between":
        start, end = draw(st.sampled_from([(LATE, EARLY), (EARLY, LATE)]))
        if draw(st.booleans()):
            start, end = (draw(bad_moments), end) if draw(st.booleans()) else (start, draw(moments))
        window = {"type": "between", "start": start, "end": end}
        build: Callable[[], Condition] = lambda: base.between(start, end)  # noqa: E731
    else:
        moment = draw(bad_moments)
        key = "end" if kind == "before" else "start"
        window = {"type": kind, key: moment}
        build = lambda: getattr(base, kind)(moment)  # noqa: E731
    doc = {**base.model_dump(mode="json"), "window": as_json(window)}
    return Call(f"{kind}{window}", build, doc)


@st.composite
def bad_count(draw: st.DrawFn, base: EventCondition) -> Call:
    """at_least/at_most/exactly with what is no count."""
    op, n = draw(st.sampled_from(["at_least", "at_most", "exactly"])), draw(bad_counts)
    doc = {**base.model_dump(mode="json"), "count": {"op": op, "value": n}}
    return Call(f"{op}({n!r})", lambda: getattr(base, op)(n), doc)


@st.composite
def bad_where(draw: st.DrawFn, base: EventCondition) -> Call:
    """where() with lookups (keyword form) or a (property, operator, value) triple."""
    prop = draw(st.sampled_from(["value", "ts", ""]))
    if draw(st.booleans()):
        op = draw(st.sampled_from([*Operator, *SYMBOLS]))
        name = SYMBOLS.get(op, op)
        value = draw(values(name))
        added = [{"property": prop, "op": name, "value": value}]
        build: Callable[[], Condition] = lambda: base.where(prop, op, value)  # noqa: E731
        text = f"where({prop!r}, {op!r}, {value!r})"
    else:
        lookups: dict[str, Any] = {}
        added = []
        for _ in range(draw(st.integers(1, 3))):
            suffix = draw(st.sampled_from(sorted(LOOKUPS)))
            key = f"{prop or 'p'}{len(lookups)}__{suffix}"
            lookups[key] = draw(values(LOOKUPS[suffix]))
            added.append(
                {"property": key.rsplit("__", 1)[0], "op": LOOKUPS[suffix], "value": lookups[key]}
            )
        build = lambda: base.where(**lookups)  # noqa: E731
        text = f"where(**{lookups!r})"
    doc = base.model_dump(mode="json")
    doc["where"] = [*doc["where"], *as_json(added)]
    return Call(text, build, doc)


@st.composite
def bad_field_test(draw: st.DrawFn) -> Call:
    """ticket(...)/profile(...) date, number, list and span tests with a bad value."""
    kind = draw(st.sampled_from(["ticket", "profile"]))
    ref = (ticket if kind == "ticket" else profile)("d")
    key = "field" if kind == "ticket" else "property"
    method = draw(st.sampled_from(["before", "after", "between", "gt", "is_in", "in_last"]))
    if method == "between":
        low, high = draw(st.sampled_from([(LATE, EARLY), (2, 1), (NAIVE, EARLY), (1, "x")]))
        op, value, build = "between", [low, high], lambda: ref.between(low, high)
    elif method == "in_last":
        unit, amount = draw(st.sampled_from(units)), draw(bad_amounts)
        op, value = "in_last", {"amount": amount, "unit": unit}
        build = lambda: ref.in_last(**{unit: amount})  # noqa: E731
    elif method == "gt":
        value = draw(plain_values)
        op, build = "greater_than", lambda: ref > value
    elif method == "is_in":
        value = draw(st.sampled_from(["abc", 5, {"a": 1}, [[1]]]))
        op, build = "in", lambda: ref.is_in(value)
    else:
        value = draw(bad_moments)
        op, build = method, lambda: getattr(ref, method)(value)
    doc = {"type": kind, key: "d", "op": op, "value": as_json(value)}
    return Call(f"{kind}('d').{method}({value!r})", build, doc)


@st.composite
def bad_calls(draw: st.DrawFn) -> Call:
    """Any bad builder call, with the JSON of the condition it means."""
    if draw(st.integers(0, 4)) == 0:
        return draw(bad_field_test())
    base = draw(base_event())
    step = draw(st.sampled_from([bad_window, bad_count, bad_where]))
    return draw(step(base))


def _error(call: Callable[[], object]) -> ValidationError | None:
    try:
        call()
    except ValidationError as error:
        return error
    return None


@given(bad_calls())
def test_a_bad_builder_call_raises_what_parsing_its_json_raises(call: Call) -> None:
    """The builder's ValidationError is parsing the equivalent JSON's: its text, type, and
    every entry's path, code and message (or both accept, and agree). The JSON is read as
    text too, where the strict reader takes the document (an integer beyond 64 bits is
    refused by it, as ``json_number``, before the condition is read)."""
    text = json.dumps(call.doc)
    parsed = _error(lambda: parse_condition(json.loads(text)))
    read = _error(lambda: parse_condition(text))
    if read is None or not any(str(e["code"]).startswith("json_") for e in read.errors()):
        assert str(read) == str(parsed), call.text
        assert type(read) is type(parsed), call.text
    built = _error(call.build)
    if parsed is None:
        assert built is None, call.text
        assert call.build() == parse_condition(text), call.text
        return
    assert built is not None, call.text
    assert type(built) is type(parsed), call.text
    assert built.errors() == parsed.errors(), call.text
    assert built.paths == parsed.paths, call.text
    assert str(built) == str(parsed), call.text


def _where(error: ValidationError) -> list[tuple[str | None, str | None]]:
    return [(e["path"], e["code"]) for e in error.errors()]


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda: event("M").since(NAIVE), [("$.window.start", "condition_value")]),
        (lambda: event("M").before(NAIVE), [("$.window.end", "condition_value")]),
        (lambda: event("M").after(BEFORE_YEAR_1), [("$.window.start", "datetime_range")]),
        (lambda: event("M").between(LATE, EARLY), [("$.window", "condition_value")]),
        (lambda: event("M").in_last(hours=0), [("$.window.amount", "greater_than_equal")]),
        (lambda: event("M").at_least(-1), [("$.count.value", "condition_value")]),
        (lambda: event("M").where(ts__before=NAIVE), [("$.where[0].value", "condition_value")]),
        (
            lambda: event("M").where("ts", "before", NAIVE),
            [("$.where[0].value", "condition_value")],
        ),
        (
            lambda: event("M").where(a=1).where(value__gt="x", b__in="y"),
            [("$.where[1].value", "condition_value"), ("$.where[2].value", "condition_value")],
        ),
        (lambda: ticket("d").in_last(hours=0), [("$.value", "condition_value")]),
        (lambda: ticket("d").is_in(5), [("$.value", "condition_value")]),
    ],
)
def test_builder_errors_are_at_json_paths(
    build: Callable[[], object], expected: list[tuple[str, str]]
) -> None:
    """The probe's cases: a window's bound at ``$.window.start`` (no union tag), a where
    filter at ``$.where[i]`` counting the filters before it, a span at its JSON path."""
    error = _error(build)
    assert error is not None
    assert _where(error) == expected


def test_an_unknown_where_operator_is_named_at_its_path() -> None:
    """where("v", "~", 1) names the operators and symbols, at the filter's ``op``."""
    with pytest.raises(ValidationError) as info:
        event("M").where(a=1).where("v", "~", 1)
    [entry] = info.value.errors()
    assert (entry["path"], entry["code"]) == ("$.where[1].op", "enum")
    assert str(entry["message"]).startswith("unknown operator '~': use one of equals, ")
