"""A key that a ``.name`` step cannot say is a bracketed JSON string in an error's path,
and ``str(error)`` stays one ``path: message`` line per detail whatever a key holds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import helpdesk_routing as hr
from helpdesk_routing.errors import ErrorDetail, ValidationError, json_path

NOW = datetime(2026, 3, 30, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("key", "path"),
    [
        ("a.b", '$.fields["a.b"]'),
        ("tags[0]", '$.fields["tags[0]"]'),
        ("x]", '$.fields["x]"]'),
        ("k\n  $.id: forged", '$.fields["k\\n  $.id: forged"]'),
        ("sms\x1b[2J", '$.fields["sms\\u001b[2J"]'),
        ("a\u202eb\u2028", '$.fields["a\\u202eb\\u2028"]'),
        ('q"\\\x85', '$.fields["q\\"\\\\\\u0085"]'),
        ("", '$.fields[""]'),
    ],
)
def test_a_key_that_is_not_a_name_is_a_bracketed_json_string(key: str, path: str) -> None:
    """Dots, brackets, characters that are not printable and the empty key put a key in
    brackets."""
    assert json_path(["fields", key]) == path


@pytest.mark.parametrize(
    "key", ["$country", "2026-12-25", "Placed Order", "prénom", "b'2026-12-24'", "x\"y'"]
)
def test_other_keys_are_name_steps_as_before(key: str) -> None:
    """Every other key reads as it did: ``.`` and the key as it is."""
    assert json_path(["fields", key, 0]) == f"$.fields.{key}[0]"


def test_an_unknown_key_like_an_element_is_not_reported_at_the_element() -> None:
    """``tags[0]`` as a top-level key is not ``$.tags[0]``, the first tag."""
    with pytest.raises(ValidationError) as caught:
        hr.Ticket.model_validate(
            {"id": "t1", "channel": "email", "created_at": NOW, "tags[0]": 1, "channel.x": 2}
        )
    assert sorted(d.path for d in caught.value.details) == ['$["channel.x"]', '$["tags[0]"]']


def test_str_of_a_validation_error_is_one_line_per_detail() -> None:
    """A message or path holding a line break (text from outside) is shown as its repr on
    its detail's line; ordinary details read as before."""
    error = ValidationError(
        "invalid ticket",
        [
            ErrorDetail("$.fields", "at k\n  $.id: forged: text must not contain NUL"),
            ErrorDetail("$.a\nb", "bad"),
            ErrorDetail("$.id", "unknown ticket 't1'"),
        ],
    )
    assert str(error).split("\n") == [
        "invalid ticket",
        "  $.fields: 'at k\\n  $.id: forged: text must not contain NUL'",
        "  '$.a\\nb': bad",
        "  $.id: unknown ticket 't1'",
    ]


@pytest.mark.parametrize(
    ("fields", "at"),
    [
        ({"a": {"": float("nan")}}, 'at a[""]: not a finite number'),
        ({"": float("nan")}, 'at [""]: not a finite number'),
        ({"a.b": {"x": float("nan")}}, 'at ["a.b"].x: not a finite number'),
        ({"a": [{"": "x\x00"}]}, 'at a[0][""]: text must not contain NUL'),
        ({"k\n  $.id": float("inf")}, 'at ["k\\n  $.id"]: not a finite number'),
        ({"a": {"b": [1, float("inf")]}}, "at a.b[1]: not a finite number"),
    ],
)
def test_a_custom_values_inner_path_names_keys_as_a_json_path_does(
    fields: dict[str, object], at: str
) -> None:
    """The place inside a custom value that a message names steps through keys as a JSON
    path does: the empty key and a key a ``.name`` step cannot say are bracketed JSON
    strings (``at a.:`` read as a path cut short, and a bad value under the empty key
    named no place at all)."""
    with pytest.raises(ValidationError) as caught:
        hr.Ticket(id="t", channel="c", created_at="2026-03-30T10:00:00Z", fields=fields)
    (detail,) = caught.value.details
    assert detail.path == "$.fields"
    assert detail.message.startswith(at)
