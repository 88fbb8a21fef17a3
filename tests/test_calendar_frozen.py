"""Office hours: the public calendar models are frozen and hashable."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from helpdesk_routing import calendar
from helpdesk_routing.calendar import OfficeHours, RecurringException

_MODELS: dict[type[pydantic.BaseModel], tuple[pydantic.BaseModel, str, Any]] = {
    OfficeHours: (
        OfficeHours(timezone="UTC", weekly={"mon": [("09:00", "17:00")]}),
        "timezone",
        "Europe/Paris",
    ),
    RecurringException: (
        RecurringException(
            rule="FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24", windows=[("09:00", "13:00")]
        ),
        "windows",
        (),
    ),
}


def test_every_public_calendar_model_is_listed_here() -> None:
    """The frozen test below covers every pydantic model calendar.py exports."""
    exported = {
        value
        for name in calendar.__all__
        if isinstance(value := getattr(calendar, name), type)
        and issubclass(value, pydantic.BaseModel)
    }
    assert exported == set(_MODELS)


@pytest.mark.parametrize("model", list(_MODELS), ids=lambda m: m.__name__)
def test_a_public_calendar_model_is_frozen_and_hashable(model: type[pydantic.BaseModel]) -> None:
    """Assigning a field raises (a schedule shared by routers cannot change under them), and
    an instance hashes (it keys caches), equal to an equal instance's hash."""
    instance, field, value = _MODELS[model]
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        setattr(instance, field, value)
    assert hash(instance) == hash(model.model_validate(instance.model_dump()))
