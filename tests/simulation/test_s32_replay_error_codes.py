"""Every error code the replay reader gives is documented in docs/errors.md: each ``csv_*``
code written in the source, and each code a bad replay file is refused with."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from helpdesk_routing.errors import ValidationError
from helpdesk_routing.simulation import ReplayArrivals

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "helpdesk_routing"
OK = '{"created_at": "2026-03-30T10:00:00Z", "channel": "sms"}'
CSV_HEAD = "created_at,channel,tags\n"


def _replay_section() -> str:
    """The "Replay files" section of docs/errors.md."""
    text = (ROOT / "docs" / "errors.md").read_text("utf-8")
    found = re.search(r"^## Replay files.*?(?=^## )", text, re.S | re.M)
    assert found is not None, "docs/errors.md has no section on replay files"
    return found.group(0)


def _csv_codes_in_source() -> set[str]:
    """Every string ``csv_<word>`` in the package's source that is no name it exports."""
    codes: set[str] = set()
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        exported: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
            ):
                exported |= {c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant)}
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and re.fullmatch(r"csv_[a-z_]+", node.value)
                and node.value not in exported
            ):
                codes.add(node.value)
    return codes


def test_every_csv_code_in_the_source_is_documented() -> None:
    """Each ``csv_*`` code the source can give is listed, in backticks, in the replay
    files' table of docs/errors.md (a new one cannot be forgotten)."""
    codes = _csv_codes_in_source()
    assert {"csv_syntax", "csv_cell_too_long", "csv_columns", "csv_tags_list"} <= codes
    section = _replay_section()
    missing = sorted(c for c in codes if not re.search(rf"^\| `{c}` \|", section, re.M))
    assert missing == []


# (file name, its content, the code its first problem carries)
_BAD_FILES = [
    ("quote.csv", CSV_HEAD + '2026-03-30T10:00:00Z,"sms\n', "csv_syntax"),
    ("after.csv", CSV_HEAD + '2026-03-30T10:00:00Z,"sms"x,\n', "csv_syntax"),
    (
        "long.csv",
        CSV_HEAD + "2026-03-30T10:00:00Z,sms," + "t" * 140_000 + "\n",
        "csv_cell_too_long",
    ),
    ("wide.csv", CSV_HEAD + "2026-03-30T10:00:00Z,sms,a,b\n", "csv_columns"),
    ("list.csv", CSV_HEAD + "2026-03-30T10:00:00Z,sms,\"['a', 'b']\"\n", "csv_tags_list"),
    ("header.csv", "created_at,chanel\n2026-03-30T10:00:00Z,sms\n", "invalid"),
    ("empty.csv", CSV_HEAD, "invalid"),
    ("bytes.csv", b"created_at,channel\n\xff,sms\n", "json_utf8"),
    ("first.jsonl", "created_at,channel\n", "json_syntax"),
    ("later.jsonl", OK + "\nnot json\n", "json_syntax"),
    ("twice.jsonl", OK[:-1] + ', "channel": "x"}\n', "json_duplicate_key"),
    ("number.jsonl", OK[:-1] + ', "tags": [1e999]}\n', "json_number"),
    ("deep.json", "[" + "[" * 200 + "]" * 200 + "]", "json_depth"),
    ("array.json", "[" + OK + ",]", "json_syntax"),
    ("missing.csv", "created_at,channel\n2026-03-30T10:00:00Z,\n", "string_too_short"),
    ("extra.jsonl", OK[:-1] + ', "x": 1}\n', "extra_forbidden"),
    ("nul.csv", CSV_HEAD + "2026-03-30T10:00:00Z,s\x00ms,\n", "storable_text"),
    (
        "year.json",
        '[{"created_at": "0001-01-01T00:00:00+01:00", "channel": "sms"}]',
        "datetime_range",
    ),
]


@pytest.mark.parametrize(("name", "content", "code"), _BAD_FILES, ids=[f[0] for f in _BAD_FILES])
def test_the_code_a_bad_replay_file_is_refused_with_is_documented(
    tmp_path: Path, name: str, content: str | bytes, code: str
) -> None:
    """A bad replay file is refused with its code, and that code is named in the replay
    files' section of docs/errors.md."""
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, "utf-8", newline="")
    with pytest.raises(ValidationError) as caught:
        ReplayArrivals.from_file(path)
    codes = [entry["code"] for entry in caught.value.errors()]
    assert codes[0] == code
    assert f"`{code}`" in _replay_section()
