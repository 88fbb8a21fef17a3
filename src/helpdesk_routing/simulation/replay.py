"""A replay of recorded tickets: :class:`ReplayTicket` and :class:`ReplayArrivals`, read
from JSON Lines, a JSON array or CSV (:meth:`ReplayArrivals.from_file`).

A :class:`~helpdesk_routing.simulation.Scenario` takes a replay as its ``arrivals``; its
handling times are still drawn. Each recorded ticket is held to the rules of a
:class:`~helpdesk_routing.model.Ticket`, and a bad file is one ``ValidationError``
naming each bad record by its JSON path in the file's records and its line.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import pydantic
from pydantic import (
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    field_validator,
    model_validator,
)

from helpdesk_routing._collector import collector_paused
from helpdesk_routing._files import read_input
from helpdesk_routing._json import decode_utf8, loads
from helpdesk_routing._shown import shown
from helpdesk_routing._time import UtcDatetime
from helpdesk_routing._trusted import assemble, construct, shared_names
from helpdesk_routing.errors import (
    ArgumentTypeError,
    ErrorDetail,
    ValidationError,
    input_details,
)
from helpdesk_routing.model import Ticket, in_given_order
from helpdesk_routing.model import _TextSet as TagSet

from ._core import as_core
from ._csv import csv_rows
from ._part import Part

__all__ = ["ReplayArrivals", "ReplayTicket", "created"]

_JSON_SPACE = " \t\r"
"""White space in JSON (RFC 8259) but the line feed a JSON Lines line ends at: a line of
nothing else is blank (``str.strip()`` would take U+2028 or a form feed for one too)."""


class ReplayTicket(Part):
    """One recorded ticket to replay: when it came, on which channel, its tags and profile."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
    created_at: UtcDatetime
    channel: str = Field(min_length=1)
    # each tag checked as a Ticket's are: a bad one named at its index as sent
    tags: TagSet = frozenset()
    profile_id: str | None = None

    @model_validator(mode="after")
    def _as_ticket(self) -> Self:
        # It becomes a Ticket: held to the Ticket's rules (no NUL in channel, tags, profile).
        fields = {"channel": self.channel, "tags": self.tags, "profile_id": self.profile_id}
        as_core(Ticket, {**fields, "created_at": self.created_at})
        return self

    @model_validator(mode="wrap")
    @classmethod
    def _given(cls, value: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        # A ticket given as one was checked when it was built. pydantic takes it as it is
        # (``revalidate_instances="never"``) but runs ``_as_ticket`` on it again, which
        # builds a whole Ticket: a replay of 100,000 tickets read from a file checked each
        # one twice, and cutting one (``ReplayArrivals(tickets=[...])``) checked them all
        # again. Defined after ``_as_ticket``, this validator runs around it.
        if type(value) is cls:
            return value
        return handler(value)


class ReplayArrivals(Part):
    """A replay of recorded tickets (their handling times are still drawn).

    Build one with :meth:`from_file` from JSONL (one object a line), a JSON array or CSV
    (columns ``created_at, channel, tags, profile_id``; tags separated by ``|``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
    type: Literal["replay"] = "replay"
    tickets: Annotated[tuple[ReplayTicket, ...], in_given_order("tickets")] = Field(min_length=1)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as columns of plain values: a sweep pickles each cell's scenario for its
        # worker, and pydantic's pickle of each ticket as a model took 0.8 s for 100,000
        # tickets, again for every cell, in the process that submits them (and as long
        # again in each worker). The names each ticket was given with are kept too. A
        # subclass, or a ticket of one, pickles as pydantic pickles a model.
        if type(self) is not ReplayArrivals or any(
            type(t) is not ReplayTicket for t in self.tickets
        ):
            return _as_model, (type(self), self.__getstate__())
        shapes: dict[frozenset[str], int] = {}
        shape_of = []
        for t in self.tickets:
            names = frozenset(t.__pydantic_fields_set__)
            shape = shapes.get(names)
            if shape is None:
                shape = shapes[names] = len(shapes)
            shape_of.append(shape)
        columns = tuple(tuple(getattr(t, n) for t in self.tickets) for n in _TICKET_FIELDS)
        given = tuple(tuple(n for n in _TICKET_FIELDS if n in names) for names in shapes)
        arrivals = tuple(n for n in ("type", "tickets") if n in self.__pydantic_fields_set__)
        return (_replayed, (columns, tuple(shape_of), given, arrivals))

    @field_validator("tickets")
    @classmethod
    def _in_time_order(cls, tickets: tuple[ReplayTicket, ...]) -> tuple[ReplayTicket, ...]:
        # A replay is simulated in time order whatever order it was given in (tickets of
        # one instant keep theirs): taken as listed, time would run backwards.
        return tuple(sorted(tickets, key=lambda t: t.created_at))

    @classmethod
    def from_file(cls, path: str | Path) -> ReplayArrivals:
        """Read recorded tickets from a file, sorted by creation: a ``.csv`` file as CSV;
        any other as JSON, either one array of ticket objects (the text starts with
        ``[``) or one object a line (JSONL, ``.jsonl`` or ``.ndjson`` by custom; a line
        ends at ``\\n`` or ``\\r\\n`` only, so U+2028 or U+0085 in a string is a
        character of it, as in an array). The text is UTF-8, with or without a leading
        byte-order mark (Excel writes one), and at most 256 MiB long, as every input
        file is: a larger or endless one raises ``OSError`` (``errno.EFBIG``) naming it,
        having read no more than that.

        A CSV file's header names the columns, in any order (``tags`` and ``profile_id``
        may be left out): it is checked once, and an unknown, differently cased or
        repeated column, or a required one missing, is one ``ValidationError`` about the
        header. Each CSV cell is trimmed of surrounding white space, and so is each tag;
        an empty tag is dropped, an empty profile is none; a comma is a character of a
        tag (``billing, vip`` is one tag). A tags cell written as a list in brackets
        (``['a', 'b']``, ``["a","b"]``, ``[]``: pandas' ``to_csv`` of a list column) is
        refused at its line (``$[0].tags: line 2: a list in brackets, ...``, code
        ``csv_tags_list``): tags are separated by ``|``. The CSV is read as the csv
        module reads a file opened with ``newline=""``, strictly: a quoted cell keeps its
        line breaks; a quote never closed (``$[0].tags: line 2: a quote opened here is
        never closed: ...``, the line it opened on), a quoted cell going on after its
        closing quote, or a cell longer than ``csv.field_size_limit()`` (131,072
        characters unless your program changes it) is a bad record, and the records
        after it are not read. A record is named by the line it starts on.

        Bad records raise one ``ValidationError`` naming each by its JSON path in the
        file's records (``$[2].created_at``, the third record) and, but in an array, its
        line; every bad record of the file at once. A CSV row with more cells than the
        header names is one (``$[3]: line 5: 5 columns given, 4 expected (created_at,
        channel, tags, profile_id)``); one with fewer lacks its last fields. The JSON is
        strict, as everywhere here (a duplicate key or NaN is refused); a syntax error is
        placed by its column in a JSON Lines line. A file of JSON Lines whose first line
        is not JSON (a CSV not named ``.csv``, a pretty-printed object) is one
        ``ValidationError`` saying what the reader expects; past it, at most 20 lines
        that are not JSON are named, and reading stops at the next one. Bytes that are
        no UTF-8 (``$: not UTF-8: invalid byte at offset N``, code ``json_utf8``, as
        every reader says it) or a file without records raise ``ValidationError`` too;
        a file that cannot
        be read raises ``OSError`` as ``open`` does, a ``path`` that is no file path
        ``ArgumentTypeError``, and one holding NUL ``ValidationError``.
        """
        if not isinstance(path, str | os.PathLike) or not isinstance(os.fspath(path), str):
            raise ArgumentTypeError(f"path must be a file path (str or Path), got {path!r}")
        if "\x00" in os.fspath(path):  # no file is named so: open's bare ValueError
            raise ValidationError(f"path must not contain NUL (\\x00), got {os.fspath(path)!r}")
        # Read, parsed and checked with the collector paused: a record at a time, each one
        # a few dicts and a Ticket built to check it, 100,000 of them took 2.2 s, 1.5 s
        # without the collector's passes over the caller's heap.
        with collector_paused():
            return cls._read(os.fspath(path))

    @classmethod
    def _read(cls, path: str) -> ReplayArrivals:
        """:meth:`from_file`'s work, for a ``path`` that is a file path: opened as given
        (a ``Path`` made of it read ``""`` as ``"."``, the folder, and ``"t.csv/"`` as the
        file ``t.csv``), CSV when its name ends in ``.csv`` (``Path(".csv").suffix`` is
        none: the file ``.csv`` was read as JSON, and refused for not being named .csv)."""
        name = os.path.basename(path)
        raw = read_input(path)  # at most MAX_INPUT_BYTES: /dev/zero is refused, not read
        what = f"replay file {shown(name)}"  # a name's line break adds no line
        # a leading byte-order mark (Excel writes one) is read as none; bytes, not text
        # mode: a line break stays as written, for csv to read
        text = decode_utf8(raw, what)
        # (where it is said, record or None, what is wrong with it as read): one entry
        # per record, in file order; a record read with a problem (a CSV tags cell
        # written as a list) is checked further too
        rows: list[tuple[str, object, list[ErrorDetail]]] = []
        stopped = ""  # why reading stopped before the end, if it did
        if name.lower().endswith(".csv"):
            rows = csv_rows(text, what)
        elif text.lstrip().startswith("["):
            data = loads(text, what)  # a document that is no JSON is named as a whole
            rows = [("", record, []) for record in data]
        else:
            rows, stopped = _json_lines(text, what)
        if not rows:
            raise ValidationError(f"invalid {what}: it holds no tickets")
        tickets: list[ReplayTicket] = []
        details: list[ErrorDetail] = []
        for i, (where, record, bad_read) in enumerate(rows):
            for d in bad_read:
                details.append(ErrorDetail(f"$[{i}]{d.path[1:]}", where + d.message, d.code))
            if bad_read and record is None:  # not read (a JSON null is a record, checked)
                continue
            try:
                tickets.append(ReplayTicket.model_validate(record))
            except pydantic.ValidationError as exc:
                for d in input_details(exc.errors(include_url=False), record):
                    details.append(ErrorDetail(f"$[{i}]{d.path[1:]}", where + d.message, d.code))
        if details:
            raise ValidationError(f"invalid {what}{stopped}", details)
        return cls(tickets=tuple(tickets))


def _as_model(cls: type[ReplayArrivals], state: dict[Any, Any]) -> ReplayArrivals:
    """A replay of a subclass from its pickle, as pydantic pickles a model: its state."""
    replay = cls.__new__(cls)
    replay.__setstate__(state)
    return replay


_TICKET_FIELDS = ("created_at", "channel", "tags", "profile_id")
"""A :class:`ReplayTicket`'s fields, in the order its pickle holds their values."""


def _replayed(
    columns: tuple[tuple[Any, ...], ...],
    shape_of: tuple[int, ...],
    given: tuple[tuple[str, ...], ...],
    arrivals: tuple[str, ...],
) -> ReplayArrivals:
    """The :class:`ReplayArrivals` of a pickle (:meth:`ReplayArrivals.__reduce__`): values
    that were valid when pickled, so built without validating them again, each ticket
    with the fields it was given. The cyclic collector is paused meanwhile: the tickets
    hold no cycles, and its passes over a large heap, one every few hundred new objects,
    were four fifths of the time."""
    names = [shared_names(frozenset(shape)) for shape in given]
    with collector_paused():
        tickets = tuple(
            assemble(
                ReplayTicket,
                {"created_at": at, "channel": channel, "tags": tags, "profile_id": profile},
                names[shape],
                None,
            )
            for at, channel, tags, profile, shape in zip(*columns, shape_of, strict=True)
        )
    fields: dict[str, Any] = {"type": "replay", "tickets": tickets}
    return construct(ReplayArrivals, **{n: fields[n] for n in ("type", "tickets") if n in arrivals})


_MAX_LINES_NOT_JSON = 20
"""How many lines of a JSON Lines replay file that are not JSON are named: reading stops
at the next one (a CSV or a pretty-printed document in a file not named ``.csv`` gave an
error per line, millions of them)."""

_JSONL_EXPECTED = (
    "a replay file not named .csv is read as JSON, an array of tickets or one ticket "
    "object a line (JSON Lines); a CSV file is read as CSV only when its name ends in .csv"
)


def _json_lines(text: str, what: str) -> tuple[list[tuple[str, object, list[ErrorDetail]]], str]:
    """A JSON Lines replay file's records for ``from_file``: (where, record or None,
    problems), one per line that is not blank; and what the error's message adds.

    When the first such line is not JSON the file is no JSON Lines (a CSV, one object
    written over several lines): one ``ValidationError`` says so and what the reader
    expects. Past it, each line that is not JSON is named, up to
    :data:`_MAX_LINES_NOT_JSON` of them; reading stops at the next one (the records
    before it are checked as ever), and the message says where.
    """
    rows: list[tuple[str, object, list[ErrorDetail]]] = []
    not_json = 0
    # JSON Lines end at "\n" (or "\r\n") only: U+2028, U+0085, \f ... are characters
    # of a line, raw in a JSON string as in an array file
    for line, entry in enumerate(text.split("\n"), 1):
        if not entry.strip(_JSON_SPACE):
            continue
        where = f"line {line}: "
        try:
            rows.append((where, loads(entry, what, one_line=True), []))
            continue
        except ValidationError as exc:
            # the line is the file's: the one-line document's error names its column
            bad = list(exc.details)
        if any(d.code == "json_syntax" for d in bad):
            if not rows:
                raise ValidationError(
                    f"invalid {what}: its first line is not JSON: {_JSONL_EXPECTED}",
                    [ErrorDetail(f"$[0]{d.path[1:]}", where + d.message, d.code) for d in bad],
                )
            not_json += 1
            if not_json > _MAX_LINES_NOT_JSON:
                return rows, (
                    f": more than {_MAX_LINES_NOT_JSON} lines are not JSON, reading stopped "
                    f"at line {line}: {_JSONL_EXPECTED}"
                )
        rows.append((where, None, bad))
    return rows, ""


def created(ticket: ReplayTicket) -> datetime:
    """A replayed ticket's creation instant (the key its replay is sorted and cut by)."""
    return ticket.created_at
