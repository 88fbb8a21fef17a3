"""A JSON path read back as the location it renders: the strict-JSON problems of
``model_validate_json`` carry their ``loc`` (pydantic's contract) as their ``path``."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import helpdesk_routing as hr
from helpdesk_routing.errors import json_path, path_loc

locs = st.lists(st.one_of(st.integers(min_value=0, max_value=10**6), st.text(max_size=6)))


@given(loc=locs)
def test_a_path_reads_back_as_its_location(loc: list[str | int]) -> None:
    assert path_loc(json_path(loc)) == tuple(loc)


@pytest.mark.parametrize("path", ["", "x", "$[", "$[1", "$[a]", '$["a"', "$…(3 steps left out)…"])
def test_text_no_location_renders_is_none(path: str) -> None:
    assert path_loc(path) is None


def test_strict_json_problems_carry_their_location() -> None:
    """A duplicate key and a NaN were at ``loc=()`` though their path lay inside."""
    text = (
        '{"id":"t","id":"u","channel":"c","created_at":"2026-03-30T10:00:00Z","fields":{"x":NaN}}'
    )
    with pytest.raises(hr.ValidationError) as caught:
        hr.Ticket.model_validate_json(text)
    found = [(e["loc"], e["path"], e["type"]) for e in caught.value.errors()]
    assert found == [
        (("id",), "$.id", "json_duplicate_key"),
        (("fields", "x"), "$.fields.x", "json_number"),
    ]


def test_the_empty_key_is_a_bracketed_string_not_a_bare_dot() -> None:
    """An empty key is ``[""]`` (``$.weekly.`` read as a path cut short), read back as
    itself, at any depth and from a model's error."""
    assert json_path(["weekly", ""]) == '$.weekly[""]'
    assert json_path(["", "a"]) == '$[""].a'
    assert path_loc('$.weekly[""]') == ("weekly", "")
    with pytest.raises(hr.ValidationError) as info:
        hr.OfficeHours.from_json('{"timezone": "UTC", "weekly": {"": []}}')
    assert info.value.paths == ('$.weekly[""]',)
