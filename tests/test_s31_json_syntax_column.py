"""A JSON syntax error is placed by line and column in every reader (a document written on
one line, as ``json.dumps`` writes it, was placed by its line alone: line 1)."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest

import helpdesk_routing as hr
from helpdesk_routing import ValidationError
from helpdesk_routing._json import loads
from helpdesk_routing.calendar import OfficeHours
from helpdesk_routing.cli import main
from helpdesk_routing.configuration import Configuration
from helpdesk_routing.simulation import Scenario

# a stray comma deep in a one-line document (1,107 characters): the parser stops at the
# "}" after it, the last character
_DOC = json.dumps({"name": "x" * 1080, "rules": []})[:-1] + ", }"
_COLUMN = len(_DOC)
_SAID = f"not JSON: Expecting property name enclosed in double quotes at line 1, column {_COLUMN}"


@pytest.mark.parametrize(
    "read",
    [
        loads,
        hr.RuleSet.from_json,
        OfficeHours.from_json,
        Scenario.from_json,
        Configuration.model_validate_json,
        Scenario.model_validate_json,
    ],
)
@pytest.mark.parametrize("as_bytes", [False, True])
def test_every_loader_names_line_and_column(read: object, as_bytes: bool) -> None:
    text: str | bytes = _DOC.encode() if as_bytes else _DOC
    with pytest.raises(ValueError, match=re.escape(_SAID)):
        read(text)  # type: ignore[operator]


def test_the_column_of_a_later_line_counts_from_that_line() -> None:
    with pytest.raises(ValidationError) as info:
        loads('{\n  "a": 1,\n\t"b": [1 2]\n}')
    assert [(d.path, d.message, d.code) for d in info.value.details] == [
        ("$", "not JSON: Expecting ',' delimiter at line 3, column 10", "json_syntax")
    ]


def test_one_line_places_by_column_alone() -> None:
    with pytest.raises(ValidationError) as info:
        loads('{"a": 1,}', one_line=True)
    assert info.value.details[0].message == (
        "not JSON: Expecting property name enclosed in double quotes at column 9"
    )


def test_a_bad_byte_after_a_byte_order_mark_is_at_its_offset_in_the_bytes() -> None:
    """The mark is counted: the offset is where the byte is in what was given."""
    with pytest.raises(ValidationError) as info:
        loads(b'\xef\xbb\xbf{"a": "\xff"}')
    assert [str(d) for d in info.value.details] == ["$: not UTF-8: invalid byte at offset 10"]


def _err(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv), io.StringIO())
    return code, capsys.readouterr().err


def _dir_with_bad(tmp_path: Path, name: str) -> Path:
    """The demo data, ``name`` replaced by the one-line document with a stray comma."""
    directory = tmp_path / "data"
    shutil.copytree(Path(hr.__file__).parent / "demo_data", directory)
    (directory / name).write_text(_DOC)
    return directory


@pytest.mark.parametrize("command", ["check", "simulate", "report", "demo"])
def test_the_command_line_names_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    path = tmp_path / "doc.json"
    path.write_text(_DOC)
    argv = {
        "check": ["check", str(path)],
        "simulate": ["simulate", str(path)],
        "report": [
            "report",
            "--store",
            f"sqlite:///{tmp_path / 'none.db'}",
            "--from",
            "2026-03-30T00:00:00+00:00",
            "--to",
            "2026-03-31T00:00:00+00:00",
            "--office-hours",
            str(path),
        ],
        "demo": ["demo", "--data", str(_dir_with_bad(tmp_path, "config.json"))],
    }[command]
    code, err = _err(capsys, *argv)
    assert code == 1
    assert f"$: {_SAID}\n" in err, err


def test_a_reason_python_words_with_its_own_at_says_at_once() -> None:
    """A raw control character is "Invalid control character at line 1, column 8" (it
    said "at at")."""
    with pytest.raises(ValidationError) as caught:
        loads('{"a": "\x01"}', "document")
    assert [d.message for d in caught.value.details] == [
        "not JSON: Invalid control character at line 1, column 8"
    ]
