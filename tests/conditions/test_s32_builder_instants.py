"""errors.md's contract for instants holds for the condition builders and
``parse_condition``: a naive datetime (or date-time text without an offset) is an
``hr.NaiveDatetimeError``, a window bound that is no datetime (a ``date``, a number,
``None``) an ``hr.ArgumentTypeError``; both are ``ValidationError`` at the bound's path,
with a message that says what was given."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import helpdesk_routing as hr
from helpdesk_routing.conditions import event, parse_condition, ticket
from helpdesk_routing.errors import ArgumentTypeError, NaiveDatetimeError, ValidationError

NAIVE = datetime(2026, 1, 1)
AWARE = datetime(2026, 1, 1, tzinfo=UTC)
DAY = date(2026, 1, 1)
NAIVE_MESSAGE = "must be timezone-aware, got a naive datetime"


def _raised(call: Any) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value


def _entries(error: ValidationError) -> list[tuple[Any, ...]]:
    return [(e["path"], e["code"], e["message"]) for e in error.errors()]


def test_a_date_given_to_since_is_an_argument_type_error_that_says_date() -> None:
    error = _raised(lambda: event("M").at_least(1).since(DAY))
    assert isinstance(error, ArgumentTypeError)
    assert isinstance(error, TypeError)
    assert not isinstance(error, NaiveDatetimeError)
    assert _entries(error) == [
        (
            "$.window.start",
            "condition_value",
            "must be an aware datetime, got date datetime.date(2026, 1, 1)",
        )
    ]
    assert "naive" not in str(error)


@pytest.mark.parametrize(
    ("build", "paths"),
    [
        (lambda: event("M").since(NAIVE), ["$.window.start"]),
        (lambda: event("M").after(NAIVE), ["$.window.start"]),
        (lambda: event("M").before(NAIVE), ["$.window.end"]),
        (lambda: event("M").between(NAIVE, NAIVE), ["$.window.start", "$.window.end"]),
        (lambda: event("M").where(ts__before=NAIVE), ["$.where[0].value"]),
        (lambda: ticket("due").after(NAIVE), ["$.value"]),
    ],
)
def test_a_naive_datetime_in_a_builder_is_a_naive_datetime_error(
    build: Any, paths: list[str]
) -> None:
    error = _raised(build)
    assert isinstance(error, NaiveDatetimeError)
    assert not isinstance(error, TypeError)
    assert _entries(error) == [(p, "condition_value", NAIVE_MESSAGE) for p in paths]


def test_parse_condition_raises_what_a_rule_raises_for_a_naive_bound() -> None:
    doc = event("M").since(AWARE).model_dump(mode="json")
    for start in ("2026-01-01T00:00:00", NAIVE):
        doc["window"]["start"] = start
        parsed = _raised(lambda doc=doc: parse_condition(doc))
        assert type(parsed) is NaiveDatetimeError
        assert _entries(parsed) == [("$.window.start", "condition_value", NAIVE_MESSAGE)]
        in_rule = _raised(
            lambda doc=doc: hr.RoutingRule(id="r", when=doc, then=hr.SaveAsView(view="v"))
        )
        assert isinstance(in_rule, NaiveDatetimeError)
        assert [p.replace("$.when", "$") for p in in_rule.paths] == list(parsed.paths)
    doc["window"]["start"] = DAY
    parsed = _raised(lambda: parse_condition(doc))
    assert type(parsed) is ArgumentTypeError
    in_rule = _raised(lambda: hr.RoutingRule(id="r", when=doc, then=hr.SaveAsView(view="v")))
    assert not isinstance(in_rule, NaiveDatetimeError)  # a date is no naive datetime
    assert [e["message"] for e in in_rule.errors()] == [e["message"] for e in parsed.errors()]


def test_other_problems_keep_their_kind() -> None:
    # A date and a naive bound together, or a naive bound beside a bad count: neither kind
    # is every problem, so a plain ValidationError with every detail.
    mixed = _raised(lambda: event("M").between(DAY, NAIVE))
    assert type(mixed) is ValidationError
    assert mixed.paths == ("$.window.start", "$.window.end")
    doc = {"type": "event", "metric": "M", "count": {"op": "at_least", "value": -1}}
    doc["window"] = {"type": "since", "start": "2026-01-01T00:00:00"}
    assert type(_raised(lambda: parse_condition(doc))) is ValidationError


def test_the_errors_pickle_with_their_kind() -> None:
    for build in (lambda: event("M").since(NAIVE), lambda: event("M").since(DAY)):
        error = _raised(build)
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error)
        assert back.errors() == error.errors()


_KINDS: dict[str, tuple[object, type[ValidationError] | None, str | None]] = {
    "aware": (AWARE, None, None),
    "text": ("2026-01-01T00:00:00Z", None, None),
    "naive": (NAIVE, NaiveDatetimeError, NAIVE_MESSAGE),
    "date": (
        DAY,
        ArgumentTypeError,
        "must be an aware datetime, got date datetime.date(2026, 1, 1)",
    ),
    "number": (5, ArgumentTypeError, "must be an aware datetime, got int 5"),
    "none": (None, ArgumentTypeError, "must be an aware datetime, got NoneType None"),
}


@given(
    method=st.sampled_from(["since", "after", "before"]),
    kind=st.sampled_from(sorted(_KINDS)),
)
def test_each_window_bound_kind_raises_what_errors_md_says(method: str, kind: str) -> None:
    value, expected, message = _KINDS[kind]
    build = getattr(event("M").at_least(1), method)
    if expected is None:
        assert build(value) == parse_condition(build(value).model_dump(mode="json"))
        return
    error = _raised(lambda: build(value))
    assert type(error) is expected
    assert isinstance(error, TypeError) == (expected is ArgumentTypeError)
    key = "end" if method == "before" else "start"
    assert _entries(error) == [(f"$.window.{key}", "condition_value", message)]


@given(start=st.sampled_from(sorted(_KINDS)), end=st.sampled_from(sorted(_KINDS)))
def test_between_names_each_bad_bound(start: str, end: str) -> None:
    (a, kind_a, _), (b, kind_b, _) = _KINDS[start], _KINDS[end]
    bad = {k for k in (kind_a, kind_b) if k is not None}
    if not bad:
        # both bounds fine (and in order: AWARE and its text are the same instant)
        assert event("M").between(a, b).window.model_dump()["type"] == "between"
        return
    if any(v is None or isinstance(v, int) for v in (a, b)):
        # a number or None is refused as an argument before the condition is read
        expected: type[ValidationError] = ArgumentTypeError
    elif len(bad) == 1:
        [expected] = bad
    else:
        expected = ValidationError  # a date and a naive bound: neither is every problem
    error = _raised(lambda: event("M").between(a, b))
    assert type(error) is expected
