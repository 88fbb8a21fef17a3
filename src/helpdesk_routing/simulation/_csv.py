"""A replay's CSV file read as records: its header checked once, its cells trimmed.

``ReplayArrivals.from_file`` reads a ``.csv`` file here and validates the records as it
does a JSON file's; what is CSV's own (a header, cells past it, white space around a cell
or a tag) is settled here.
"""

from __future__ import annotations

import csv
import io
import re

from helpdesk_routing.errors import ErrorDetail, ValidationError

__all__ = ["csv_rows"]

_CSV_COLUMNS = ("created_at", "channel", "tags", "profile_id")
"""A replay CSV's columns, in any order; ``tags`` and ``profile_id`` may be left out."""

_CSV_REQUIRED = ("created_at", "channel")


def csv_rows(text: str, what: str) -> list[tuple[str, object, list[ErrorDetail]]]:
    """A replay CSV's records for ``from_file``: (where, record or None, problems; a
    record with problems is checked further too).

    The text is read as CSV, as a file opened with ``newline=""`` is (a quoted cell
    keeps its line breaks; a record ends at a line break, ``\\n``, ``\\r\\n`` or
    ``\\r``, out of quotes), strictly: a quote that is never closed, a quoted cell
    going on after its closing quote, or a cell longer than the csv module's
    ``field_size_limit()`` is a problem named by its line (the line the quote opened
    on, the line of the cell) and column. The records read before it are checked as
    ever, those after it are not read. A record is named by the line it starts on.

    The header is checked once (a missing column gave one error per row, thousands of
    them): an unknown, differently cased or repeated column, or no ``created_at`` or
    ``channel``, is one ``ValidationError`` naming the columns. Every cell is trimmed of
    surrounding white space (a spreadsheet's ``email , p1`` meant ``email`` and ``p1``:
    kept, a channel or profile no rule matched), and so is each tag split by ``|``; an
    empty tag or profile is none. A comma is a character of a tag, as a tag may hold any
    text (``billing, vip`` is one tag). A tags cell written as a list, in brackets
    (``['a', 'b']``, ``["a","b"]``, ``[]``, as pandas writes a list column), is a
    problem of its record at ``$.tags`` (code ``csv_tags_list``), whose other cells are
    checked as ever: read by ``|`` it was one tag holding the brackets. Its items are not
    parsed either (Python's quoting or JSON's? a tag ``[a]``?): the cell is refused.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    first: list[str] | None = None
    while first is None:
        start = reader.line_num + 1
        try:
            first = next(reader)
        except StopIteration:
            return []
        except csv.Error as exc:
            line, _, problem, _ = _csv_problem(text, start, exc)
            raise ValidationError(
                f"invalid {what}: line {line}: {problem} (in the header)"
            ) from None
        if not first:  # a blank line before the header
            first = None
    header = [cell.strip() for cell in first]
    _check_header(header, what)
    rows: list[tuple[str, object, list[ErrorDetail]]] = []
    while True:
        start = reader.line_num + 1  # where the record starts: a quoted cell may span lines
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # what follows an unreadable record is not read as records: an unclosed
            # quote has swallowed it, and any other such record leaves no sure place
            # to start again
            line, column, problem, code = _csv_problem(text, start, exc)
            path = f"$.{header[column]}" if column is not None and column < len(header) else "$"
            rows.append((f"line {line}: ", None, [ErrorDetail(path, problem, code)]))
            break
        if not row:  # a blank line, as csv.DictReader skips it
            continue
        where = f"line {start}: "
        if len(row) > len(header):
            message = f"{len(row)} columns given, {len(header)} expected ({', '.join(header)})"
            rows.append((where, None, [ErrorDetail("$", message, "csv_columns")]))
            continue
        # a row short of the header's columns lacks its last fields
        given = {name: cell.strip() for name, cell in zip(header, row, strict=False)}
        cell = given.get("tags", "")
        problems: list[ErrorDetail] = []
        if cell.startswith("[") and cell.endswith("]"):
            problems.append(ErrorDetail("$.tags", _TAGS_LIST, "csv_tags_list"))
            cell = ""  # the rest of the record is checked as ever
        tags = [t for t in (tag.strip() for tag in cell.split("|")) if t]
        profile = given.get("profile_id") or None
        rows.append((where, {**given, "tags": tags, "profile_id": profile}, problems))
    return rows


_TAGS_LIST = (
    "a list in brackets, as pandas writes a list column: tags are separated by | (a|b), "
    "a ticket without tags has an empty cell (a tag in brackets can be given in a JSON "
    "replay file)"
)
"""Why a tags cell in brackets is refused: read as ``|``-separated tags it became one tag
holding the brackets (``"[]"`` for a ticket without tags), which no rule matched."""

_BREAK = re.compile(r"\r\n|\r|\n")
"""A line break, as ``io.StringIO(text, newline="")`` splits lines (and csv counts them)."""

_QUOTED = re.compile(r'"(?:[^"]++|"")*+"')
"""A closed quoted cell (possessive: ``"a""`` at the end of the text is no closed cell)."""

_PLAIN_END = re.compile(r"[,\r\n]")
"""The end of an unquoted cell (a quote in it is a character of it), if not the text's."""


def _csv_problem(text: str, start: int, exc: csv.Error) -> tuple[int, int | None, str, str]:
    """Where and what the csv module's ``exc`` is about, in the record starting on line
    ``start``: (line, column or None, message, code). The record is scanned again here, as
    the strict csv reader reads it, to find the cell at fault (csv says only what)."""
    offset = 0
    for n, line_break in enumerate(_BREAK.finditer(text), 2):
        if n > start:
            break
        offset = line_break.end()
    limit = csv.field_size_limit()
    column = 0
    while True:
        if text.startswith('"', offset):
            quoted = _QUOTED.match(text, offset)
            if quoted is None:
                message = "a quote opened here is never closed: the file ends inside its cell"
                return _line(text, offset), column, message, "csv_syntax"
            end = quoted.end()
            if len(text[offset + 1 : end - 1].replace('""', '"')) > limit:
                return _line(text, offset), column, _too_long(limit), "csv_cell_too_long"
            if end < len(text) and text[end] not in ",\r\n":
                message = (
                    "a quoted cell goes on after its closing quote (a quote inside a "
                    'quoted cell is written twice: "")'
                )
                return _line(text, end), column, message, "csv_syntax"
        else:
            cell_end = _PLAIN_END.search(text, offset)
            end = len(text) if cell_end is None else cell_end.start()
            if end - offset > limit:
                return _line(text, offset), column, _too_long(limit), "csv_cell_too_long"
        if end >= len(text) or text[end] != ",":
            return start, None, f"not CSV: {exc}", "csv_syntax"  # not found: csv's own words
        offset, column = end + 1, column + 1


def _line(text: str, offset: int) -> int:
    """The line ``offset`` is on, counted from 1 as csv counts lines."""
    return len(_BREAK.findall(text, 0, offset)) + 1


def _too_long(limit: int) -> str:
    return (
        f"a cell is longer than {limit} characters, the most the csv module reads "
        "(csv.field_size_limit())"
    )


def _check_header(header: list[str], what: str) -> None:
    """``ValidationError`` unless a replay CSV's ``header`` names known columns, each
    once, the required ones among them: one error, however many rows follow."""
    unknown: list[str] = []
    seen: set[str] = set()
    for name in header:
        if name in seen:
            unknown.append(f"{name!r} is given twice")
        elif not name:
            unknown.append("a column has no name")
        elif name not in _CSV_COLUMNS:
            like = [c for c in _CSV_COLUMNS if c.lower() == name.lower()]
            unknown.append(f"{name!r} is no column" + (f" (say {like[0]!r})" if like else ""))
        seen.add(name)
    missing = [c for c in _CSV_REQUIRED if c not in seen]
    if not unknown and not missing:
        return
    lacks = f"lacks {' and '.join(missing)}"
    said = lacks
    if unknown:
        said = "not recognised: " + "; ".join([*unknown, f"it {lacks}"] if missing else unknown)
    raise ValidationError(
        f"invalid {what}: header {said} (the columns: {', '.join(_CSV_COLUMNS)}, in any "
        "order; tags and profile_id may be left out)"
    )
