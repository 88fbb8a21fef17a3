"""An event condition's parts (its window, its count, its filters, a between window's
span) are checked like its nodes: their own ``model_copy(update=...)`` is validated, and
a part made without validation (pydantic's plain copy, ``model_construct``) is validated
again where a condition takes it. Before, ``ec.window.model_copy(update={"amount": "lots"})``
was taken unchecked and the condition's copy then raised a raw ``TypeError``; an amount
of -5, a count of -1 or a filter on ``object()`` made conditions that ``decide``
evaluated and explained, and whose own JSON was refused."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime
from typing import Any

import pydantic
import pytest

from helpdesk_routing.conditions import EventCondition, ProfileCondition, TicketCondition, event
from helpdesk_routing.conditions._operands import Span
from helpdesk_routing.conditions._windows import InLastWindow
from helpdesk_routing.conditions.nodes import EventCount, PropertyFilter
from helpdesk_routing.errors import ModelValidationError

EC = event("Placed Order").at_least(1).in_last(hours=2).where(value__gt=100)


def _plain_copy(model: pydantic.BaseModel, **update: Any) -> Any:
    """pydantic's own copy, unchecked (what the library's override replaces)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pydantic.BaseModel.model_copy(model, update=update)


@pytest.mark.parametrize(
    ("part", "update", "path"),
    [
        (EC.window, {"amount": "lots"}, "$.amount"),
        (EC.window, {"amount": -5}, "$.amount"),
        (EC.count, {"value": -1}, "$.value"),
        (EC.filters[0], {"value": object()}, "$.value"),
        (EC.filters[0], {"property": ""}, "$.property"),
    ],
)
def test_a_parts_changed_copy_is_checked(part: Any, update: dict[str, Any], path: str) -> None:
    with pytest.raises(ModelValidationError) as caught:
        part.model_copy(update=update)
    assert [d.path for d in caught.value.details] == [path]


@pytest.mark.parametrize(
    ("field", "bad", "path"),
    [
        ("window", _plain_copy(EC.window, amount="lots"), "$.window.amount"),
        ("window", InLastWindow.model_construct(amount=-5, unit="hours"), "$.window.amount"),
        ("window", _plain_copy(EC.window, amount=True), "$.window.amount"),
        ("count", _plain_copy(EC.count, value=-1), "$.count.value"),
        ("where", [_plain_copy(EC.filters[0], value=object())], "$.where[0].value"),
        (
            "filters",
            [PropertyFilter.model_construct(property="", op="greater_than", value=1)],
            "$.where[0].property",
        ),
    ],
)
def test_an_unchecked_part_is_checked_where_a_condition_takes_it(
    field: str, bad: Any, path: str
) -> None:
    with pytest.raises(ModelValidationError) as copied:
        EC.model_copy(update={field: bad})
    assert [d.path for d in copied.value.details] == [path]
    with pytest.raises(ModelValidationError) as built:
        EventCondition(metric="m", **{"filters" if field == "where" else field: bad})
    assert [d.path for d in built.value.details] == [path]


def test_a_between_window_and_a_span_are_checked_too() -> None:
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    window = event("m").at_least(1).between(start, end).window
    with pytest.raises(ModelValidationError, match="start <= end"):
        window.model_copy(update={"start": end, "end": start})
    with pytest.raises(ModelValidationError) as caught:
        Span(amount=2, unit="hours").model_copy(update={"amount": 0})
    assert [d.path for d in caught.value.details] == ["$.amount"]


def test_valid_parts_pass_and_copies_stay_equal() -> None:
    again = EC.model_copy(update={"window": EC.window, "count": EC.count})
    assert again == EC
    assert EC.window.model_copy(update={"amount": 3}).amount == 3  # type: ignore[union-attr]
    assert EC.count.model_copy(update={"value": 2}) == EventCount(op="at_least", value=2)


@pytest.mark.parametrize(
    "bad",
    [
        Span.model_construct(amount=-3, unit="hours"),
        _plain_copy(Span(amount=2, unit="hours"), amount="lots"),
    ],
)
def test_an_unchecked_span_as_an_in_last_value_is_checked(bad: Span) -> None:
    """A span made unchecked, given as an ``in_last`` value, was taken as it was: the
    condition evaluated "in the last -3 hours" and matched nothing, silently."""
    with pytest.raises(ModelValidationError, match="in_last needs"):
        PropertyFilter(property="due", op="in_last", value=bad)
    with pytest.raises(ModelValidationError, match="in_last needs"):
        TicketCondition(field="due", op="in_last", value=bad)
    with pytest.raises(ModelValidationError, match="in_last needs"):
        ProfileCondition(property="due", op="in_last", value=bad)
    good = PropertyFilter(property="due", op="in_last", value=Span(amount=2, unit="hours"))
    assert good.value == Span(amount=2, unit="hours")
