"""A replay's CSV file read as records: its header checked once, its cells trimmed.

``ReplayArrivals.from_file`` reads a ``.csv`` file here and validates the records as it
does a JSON file's; what is CSV's own (a header, cells past it, white space around a cell
or a tag) is settled here.
"""

from __future__ import annotations

import csv

from helpdesk_routing.errors import ErrorDetail, ValidationError

__all__ = ["csv_rows"]

_CSV_COLUMNS = ("created_at", "channel", "tags", "profile_id")
"""A replay CSV's columns, in any order; ``tags`` and ``profile_id`` may be left out."""

_CSV_REQUIRED = ("created_at", "channel")


def csv_rows(text: str, what: str) -> list[tuple[str, object, list[ErrorDetail]]]:
    """A replay CSV's records for ``from_file``: (where, record or None, problems).

    The header is checked once (a missing column gave one error per row, thousands of
    them): an unknown, differently cased or repeated column, or no ``created_at`` or
    ``channel``, is one ``ValidationError`` naming the columns. Every cell is trimmed of
    surrounding white space (a spreadsheet's ``email , p1`` meant ``email`` and ``p1``:
    kept, a channel or profile no rule matched), and so is each tag split by ``|``; an
    empty tag or profile is none.
    """
    reader = csv.reader(text.splitlines())
    first = next((row for row in reader if row), None)
    if first is None:
        return []
    header = [cell.strip() for cell in first]
    _check_header(header, what)
    rows: list[tuple[str, object, list[ErrorDetail]]] = []
    for row in reader:
        if not row:  # a blank line, as csv.DictReader skips it
            continue
        where = f"line {reader.line_num}: "
        if len(row) > len(header):
            message = f"{len(row)} columns given, {len(header)} expected ({', '.join(header)})"
            rows.append((where, None, [ErrorDetail("$", message, "csv_columns")]))
            continue
        # a row short of the header's columns lacks its last fields
        given = {name: cell.strip() for name, cell in zip(header, row, strict=False)}
        tags = [t for t in (tag.strip() for tag in given.get("tags", "").split("|")) if t]
        profile = given.get("profile_id") or None
        rows.append((where, {**given, "tags": tags, "profile_id": profile}, []))
    return rows


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
