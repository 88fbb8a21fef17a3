"""`check` reads a file too deep for `json.loads` without recursion (`cli._top_members`),
to tell a configuration from a rule set. Its tokens read a string left open by
trying it again from each of its quotes: a file of 85 KB took 19 s, one of a megabyte
would have taken half an hour, all for a one-line error."""

from __future__ import annotations

import io
from pathlib import Path

from helpdesk_routing import cli


def test_a_string_left_open_is_one_token_to_the_texts_end() -> None:
    """Read once, whatever its quotes and escapes: the cost is linear in its length."""
    text = '"' + '\\"' * 50_000 + "x\\"
    found = cli._TOKENS.match(text)
    assert found is not None
    assert found.end() == len(text) - 1  # all but the lone backslash at the very end
    assert [m.group() for m in cli._TOKENS.finditer('{"a\\"b": ["c", "d')] == [
        "{",
        '"a\\"b"',
        ":",
        "[",
        '"c"',
        ",",
        '"d',
    ]


def test_the_members_of_deep_texts_are_read_and_an_open_string_is_no_member() -> None:
    deep = '{"rules": ' + "[" * 200 + "]" * 200 + ', "teams": {"x": "y\\"z"}, "n": 1}'
    assert cli._top_members(deep) == {"rules": [], "teams": {}, "n": None}
    assert cli._top_members('{"a":' + "[" * 5000 + '"\\' * 100_000) is None
    assert cli._top_members('{"a": 1, "b') is None


def test_check_of_a_deep_file_with_a_string_left_open_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"a":' + "[" * 5000 + '"\\' * 100_000, encoding="utf-8")
    err = io.StringIO()
    import contextlib

    with contextlib.redirect_stderr(err):
        done = cli.main(["check", str(path)], out=io.StringIO())
    assert done == 1
    assert "nested deeper than 101 levels" in err.getvalue()
