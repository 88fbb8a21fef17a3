"""The office-hours schema says that its dates must exist, which the models check: a
date that does not exist (a 30th of February, the year 0) passes a validator that does
not assert formats, is refused by one that does, and by the model; the schema's
``$comment`` lists it among the rules the models alone check."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from helpdesk_routing.calendar import OfficeHours
from helpdesk_routing.errors import ValidationError
from helpdesk_routing.schemas import json_schema

DOCUMENTS = [
    {"timezone": "UTC", "holidays": ["2026-02-30"]},
    {"timezone": "UTC", "holidays": ["0000-01-01"]},
    {"timezone": "UTC", "exceptions": {"2026-04-31": []}},
]


@pytest.mark.parametrize("name", ["office-hours", "configuration"])
def test_the_comment_says_dates_exist(name: str) -> None:
    schema = json_schema("office-hours")
    assert "dates exist" in schema["$comment"]
    if name == "configuration":
        assert "everything listed for its parts" in json_schema(name)["$comment"]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_a_date_that_does_not_exist(document: dict[str, Any]) -> None:
    schema = json_schema("office-hours")
    jsonschema.Draft202012Validator(schema).validate(document)  # formats not asserted
    asserting = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    assert not asserting.is_valid(document)
    with pytest.raises(ValidationError, match="does not exist"):
        OfficeHours.model_validate(document)
