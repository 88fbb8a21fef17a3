"""Office hours: JSON input has the schema's forms, and one schedule has one normal form."""

from __future__ import annotations

import json
from datetime import date

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.calendar import OfficeHours
from helpdesk_routing.errors import ValidationError
from helpdesk_routing.schemas import json_schema
from tests.strategies import weekly_schedules

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _problems(data: object) -> list[tuple[str, str]]:
    """The (path, message) pairs from_dict reports for ``data``."""
    with pytest.raises(ValidationError) as caught:
        OfficeHours.from_dict(data)
    return [(d.path, d.message) for d in caught.value.details]


OBJECT_HOLIDAYS = {"timezone": "UTC", "weekly": {}, "holidays": {"2026-12-25": "x"}}
HOLIDAYS_LIST = (
    'holidays is a list of dates "YYYY-MM-DD" in JSON, got an object '
    "(a mapping is read from Python only)"
)


def test_holidays_as_a_json_object_are_refused_as_the_schema_refuses_them() -> None:
    """from_json, from_dict and model_validate_json refuse an object of holidays at
    $.holidays, as the published schema does (they accepted it)."""
    text = json.dumps(OBJECT_HOLIDAYS)
    with pytest.raises(ValidationError) as caught:
        OfficeHours.from_json(text)
    assert [(d.path, d.message) for d in caught.value.details] == [("$.holidays", HOLIDAYS_LIST)]
    assert _problems(OBJECT_HOLIDAYS) == [("$.holidays", HOLIDAYS_LIST)]
    with pytest.raises(ValidationError) as caught:
        OfficeHours.model_validate_json(text)
    assert [(d.path, d.message) for d in caught.value.details] == [("$.holidays", HOLIDAYS_LIST)]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(OBJECT_HOLIDAYS, json_schema("office-hours"))
    listed = {**OBJECT_HOLIDAYS, "holidays": ["2026-12-25"]}
    jsonschema.validate(listed, json_schema("office-hours"))
    assert OfficeHours.from_json(json.dumps(listed)).holidays == (date(2026, 12, 25),)


def test_a_python_mapping_of_holidays_still_gives_its_keys() -> None:
    """From Python a mapping (a ``holidays`` country calendar is a dict) gives its keys."""
    given_ = {date(2026, 12, 25): "Christmas", date(2026, 12, 26): "Boxing Day"}
    expected = (date(2026, 12, 25), date(2026, 12, 26))
    assert OfficeHours(timezone="UTC", holidays=given_).holidays == expected
    assert OfficeHours.model_validate({"timezone": "UTC", "holidays": given_}).holidays == expected


@given(weekly_schedules(), st.sets(st.sampled_from(WEEKDAYS)))
def test_schedules_that_differ_only_by_empty_days_are_one_schedule(
    weekly: dict[str, list[tuple[str, str]]], empty: set[str]
) -> None:
    """Adding empty days to a schedule changes neither equality, hash nor JSON."""
    plain = OfficeHours(timezone="Europe/Paris", weekly=weekly)
    padded = OfficeHours(
        timezone="Europe/Paris",
        weekly={**{day: [] for day in empty}, **weekly},
    )
    assert padded == plain
    assert hash(padded) == hash(plain)
    assert padded.model_dump_json() == plain.model_dump_json()
    assert padded.weekly == {day: windows for day, windows in plain.weekly.items() if windows}


def test_an_empty_day_is_dropped_from_json() -> None:
    """{"mon": [...], "tue": []} dumps as {"mon": [...]} and equals it (it did not)."""
    with_empty = OfficeHours(timezone="UTC", weekly={"mon": [("09:00", "17:00")], "tue": []})
    without = OfficeHours(timezone="UTC", weekly={"mon": [("09:00", "17:00")]})
    assert with_empty == without
    assert json.loads(with_empty.model_dump_json())["weekly"] == {"mon": [["09:00", "17:00"]]}
