"""A replay file is read as its format says: CSV as CSV (quoted line breaks kept, an
unclosed quote or an over-long cell a ValidationError naming line and column), JSON Lines
split at line feeds only, and no file read past the input cap."""

from __future__ import annotations

import csv
import errno
import json
from pathlib import Path

import pytest

from helpdesk_routing import _files
from helpdesk_routing.errors import ValidationError
from helpdesk_routing.simulation import ReplayArrivals

HEADER = "created_at,channel,tags,profile_id\n"


def _details(path: Path) -> list[str]:
    with pytest.raises(ValidationError) as info:
        ReplayArrivals.from_file(path)
    assert info.value.message == f"invalid replay file {path.name}"
    return [f"{d.path}: {d.message}" for d in info.value.details]


def test_a_csv_cell_past_the_field_limit_is_named_by_line_and_column(tmp_path: Path) -> None:
    """A cell longer than csv.field_size_limit() (131,072 characters), quoted or not, is
    a ValidationError naming its line and column, never csv's raw ``_csv.Error``; one as
    long as the limit is read."""
    limit = csv.field_size_limit()
    path = tmp_path / "t.csv"
    rows = [f"2026-03-30T1{i}:00:00Z,email,x,p{i}\n" for i in range(3)]
    for cell in ("a" * (limit + 1), '"' + "a" * limit + 'b"'):
        path.write_text(HEADER + rows[0] + f"2026-03-30T10:00:00Z,email,{cell},p1\n" + rows[1])
        assert _details(path) == [
            f"$[1].tags: line 3: a cell is longer than {limit} characters, the most the csv "
            "module reads (csv.field_size_limit())"
        ]
    path.write_text(HEADER + f"2026-03-30T10:00:00Z,email,{'a' * limit},p1\n")
    assert [len(t) for t in ReplayArrivals.from_file(path).tickets[0].tags] == [limit]


def test_a_quoted_line_break_in_a_csv_cell_is_kept(tmp_path: Path) -> None:
    """A quoted cell keeps its line breaks (``\\n``, ``\\r\\n``, ``\\r``; they were
    dropped, ``"a\\nb"`` read as ``ab``), and U+2028 in a cell is a character of it, not
    a new record."""
    path = tmp_path / "t.csv"
    path.write_bytes(
        (
            HEADER + '2026-03-30T10:00:00Z,email,"a\nb|c\r\nd|e\rf",p1\r\n'
            "2026-03-30T11:00:00Z,em\u2028ail,,p2\n"
        ).encode()
    )
    first, second = ReplayArrivals.from_file(path).tickets
    assert sorted(first.tags) == ["a\nb", "c\r\nd", "e\rf"]
    assert second.channel == "em\u2028ail"


def test_an_unclosed_quote_is_named_by_the_line_it_opened_on(tmp_path: Path) -> None:
    """A quote never closed swallowed the rows after it silently (4 rows, 1 ticket): it is
    an error naming the line the quote opened on and its column, after a record spanning
    lines too; the records before it are checked as ever."""
    path = tmp_path / "t.csv"
    after = "".join(f"2026-03-30T1{i}:00:00Z,email,x,p{i}\n" for i in range(1, 4))
    path.write_text(HEADER + '2026-03-30T10:00:00Z,email,"abc\n' + after)
    assert _details(path) == [
        "$[0].tags: line 2: a quote opened here is never closed: the file ends inside its cell"
    ]
    path.write_text(
        HEADER + "2026-03-30T10:00:00Z,sms,x\n"
        "bad,email\n"
        '2026-03-30T10:00:00Z,email,"two\nlines","p1\n' + after
    )
    assert _details(path) == [
        "$[1].created_at: line 3: Input should be a valid datetime or date, input is too short",
        "$[2].profile_id: line 5: a quote opened here is never closed: the file ends inside "
        "its cell",
    ]


def test_a_quoted_cell_going_on_after_its_closing_quote_is_refused(tmp_path: Path) -> None:
    """``"a"b`` was read as ``ab``: the csv reader is strict, and the cell is named."""
    path = tmp_path / "t.csv"
    path.write_text(HEADER + '2026-03-30T10:00:00Z,"email"x,t,p1\n')
    assert _details(path) == [
        "$[0].channel: line 2: a quoted cell goes on after its closing quote (a quote "
        'inside a quoted cell is written twice: "")'
    ]


def test_a_record_spanning_lines_is_named_by_its_first_and_the_next_keep_theirs(
    tmp_path: Path,
) -> None:
    """Line numbers stay the file's: a record is named by the line it starts on, and the
    records after a quoted line break by theirs."""
    path = tmp_path / "t.csv"
    path.write_text(HEADER + '2026-03-30T10:00:00Z,,"a\nb\nc",p1\n\n2026-03-30T11:00:00Z,,x,p2\n')
    assert _details(path) == [
        "$[0].channel: line 2: String should have at least 1 character",
        "$[1].channel: line 6: String should have at least 1 character",
    ]


def test_an_unclosed_quote_in_the_header_is_one_error(tmp_path: Path) -> None:
    """The header is read as CSV too: its unclosed quote is named by line."""
    path = tmp_path / "t.csv"
    path.write_text('\ncreated_at,"channel\n2026-03-30T10:00:00Z,email\n')
    with pytest.raises(ValidationError) as info:
        ReplayArrivals.from_file(path)
    assert str(info.value) == (
        "invalid replay file t.csv: line 2: a quote opened here is never closed: the file "
        "ends inside its cell (in the header)"
    )


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85"])
def test_a_jsonl_line_ends_at_a_line_feed_only(tmp_path: Path, char: str) -> None:
    """A record valid in a JSON array file is valid in a JSONL file: U+2028, U+2029,
    U+0085, raw in a JSON string, are characters of it (they split the line: "line 2"
    of a one-line file); a line may end in ``\\r\\n``."""
    record = {"created_at": "2026-03-30T10:00:00Z", "channel": "email", "tags": [f"a{char}b"]}
    line = json.dumps(record, ensure_ascii=False)
    array, lines = tmp_path / "t.json", tmp_path / "t.jsonl"
    array.write_text(f"[{line}]", "utf-8", newline="")
    lines.write_text(f"{line}\r\n{line}\n", "utf-8", newline="")
    expected = ReplayArrivals.from_file(array).tickets
    assert ReplayArrivals.from_file(lines).tickets == expected * 2
    assert sorted(expected[0].tags) == [f"a{char}b"]


def test_a_jsonl_line_of_a_form_feed_is_no_blank_line(tmp_path: Path) -> None:
    """Blank is JSON's white space: a line holding a form feed is named as no JSON, as in
    an array it would be (it was split away and skipped)."""
    path = tmp_path / "t.jsonl"
    record = json.dumps({"created_at": "2026-03-30T10:00:00Z", "channel": "email"})
    path.write_text(f"{record}\n \t\r\n\f\n", "utf-8", newline="")
    assert _details(path) == ["$[1]: line 3: not JSON: Expecting value at column 1"]


def test_a_replay_file_past_the_input_cap_is_refused_unread(tmp_path: Path) -> None:
    """A file larger than MAX_INPUT_BYTES (256 MiB) is an OSError (EFBIG) naming it and
    the cap, refused by its size before a byte is read (a sparse file here)."""
    path = tmp_path / "t.jsonl"
    with path.open("wb") as file:
        file.truncate(_files.MAX_INPUT_BYTES + 1)
    with pytest.raises(OSError, match=r"more than 256 MiB \(268435456 bytes\)") as info:
        ReplayArrivals.from_file(path)
    assert (info.value.errno, info.value.filename) == (errno.EFBIG, str(path))


def test_an_endless_replay_file_is_read_only_to_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An endless file (/dev/zero) is refused after the cap and one byte (it was read
    until memory ran out); a file of exactly the cap is read."""
    monkeypatch.setattr(_files, "MAX_INPUT_BYTES", 1024)
    with pytest.raises(OSError, match=r"more than 1024 bytes, the most an input file") as info:
        ReplayArrivals.from_file("/dev/zero")
    assert (info.value.errno, info.value.filename) == (errno.EFBIG, "/dev/zero")
    record = json.dumps({"created_at": "2026-03-30T10:00:00Z", "channel": "email"})
    path = tmp_path / "t.jsonl"
    path.write_text(record + " " * (1024 - len(record)))
    assert len(ReplayArrivals.from_file(path).tickets) == 1
    path.write_text(record + " " * (1025 - len(record)))
    with pytest.raises(OSError, match="more than 1024 bytes"):
        ReplayArrivals.from_file(path)


def test_a_file_name_with_a_line_break_adds_no_line(tmp_path: Path) -> None:
    """The file's name is shown quoted with its escapes when it holds a line break: the
    error's text read as if it had a second problem."""

    path = tmp_path / "t\n  $[0].created_at: forged\n.json"
    path.write_text('[{"created_at": "2026-01-01T00:00:00Z", "channel": 5}]')
    with pytest.raises(ValidationError) as info:
        ReplayArrivals.from_file(path)
    assert len(info.value.details) == 1
    assert len(str(info.value).splitlines()) == 2
    assert info.value.message == f"invalid replay file {path.name!r}"
