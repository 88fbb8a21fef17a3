"""Office hours: JSON input has the schema's forms, and one schedule has one normal form."""

from __future__ import annotations

import json
from datetime import date

import jsonschema
import pytest

from helpdesk_routing.calendar import OfficeHours
from helpdesk_routing.errors import ValidationError
from helpdesk_routing.schemas import json_schema


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
