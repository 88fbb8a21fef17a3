"""The ``helpdesk-routing report`` subcommand: the metrics report of a stored helpdesk.

Wire it into the CLI with ``metrics_cli.add_parser(subparsers)`` and, for the parsed
``args.command == "report"``, ``metrics_cli.run(args, out)``::

    helpdesk-routing report --store sqlite:///helpdesk.db --from 2026-03-30T00:00:00+00:00 \\
        --to 2026-04-06T00:00:00+00:00 [--office-hours hours.json] [--ledger ledger.db] [--json]

A report only reads: a SQLite file or a PostgreSQL schema named as the store (or the
ledger) that holds none, or holds one of an older schema version, is refused, exit 2, and
left as it was (opening one would create its tables in it, or migrate it); a SQLite
ledger is opened read only, as the store is.
"""

from __future__ import annotations

import argparse
import json
import math
import sqlite3
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from helpdesk_routing._files import read_input
from helpdesk_routing._shown import shown
from helpdesk_routing._time import NaiveText, condition_date_time
from helpdesk_routing.cli import (
    EXIT_BROKEN_PIPE,
    EXIT_INVALID,
    EXIT_USAGE,
    Subcommand,
    fail,
    in_file,
    to_devnull,
)
from helpdesk_routing.errors import StoreError, ValidationError
from helpdesk_routing.metrics import AiRates, DurationStats, Report, report

__all__ = [
    "EXIT_BROKEN_PIPE",
    "REPORT",
    "add_parser",
    "configure",
    "open_store",
    "render_text",
    "run",
]


def _minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of minutes: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a number of minutes of at least 0: {text!r}")
    try:
        timedelta(minutes=value)
    except OverflowError:
        raise argparse.ArgumentTypeError(f"too many minutes for a target: {text!r}") from None
    return value


def _instant(text: str) -> datetime:
    # Read as every other instant text is (a ticket's created_at, a condition's date):
    # Python's fromisoformat took '+00:99' for an offset of 1:39, and week dates.
    try:
        value = condition_date_time(text)
    except NaiveText:
        raise argparse.ArgumentTypeError(f"needs a time zone offset: {text!r}") from None
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    try:
        value.astimezone(UTC)
    except OverflowError:  # named by the option here, not later as start or end
        raise argparse.ArgumentTypeError(f"must lie in years 1 to 9999 in UTC: {text!r}") from None
    return value


_HELP = "TTFR, load per agent, fairness, waiting tickets and AI rates"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``report`` subcommand to an ``argparse`` sub-parser collection."""
    parser: argparse.ArgumentParser = subparsers.add_parser("report", help=_HELP)
    configure(parser)
    return parser


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``report`` arguments to ``parser``."""
    parser.add_argument("--store", required=True, help="sqlite:///path or postgresql://...")
    parser.add_argument("--from", dest="start", required=True, type=_instant)
    parser.add_argument("--to", dest="end", required=True, type=_instant)
    parser.add_argument("--office-hours", type=Path, help="OfficeHours JSON file")
    parser.add_argument("--ledger", help="handoff ledger: sqlite:///path or postgresql://...")
    parser.add_argument("--target-minutes", type=_minutes, default=60.0)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


_STORE_TABLES = ("schema_version", "tickets", "agents", "audit")
_LEDGER_TABLES = ("handoff_ledger_schema", "handoffs")


def _sqlite_problem(
    path: str, what: str, tables: tuple[str, ...], *, version_in: str | None = None
) -> str | None:
    """Why the SQLite file at ``path`` holds no ``what`` (it lacks one of ``tables``, its
    ``version_in`` table holds no single whole version, or it is no SQLite database), or
    ``None``; read only: nothing is written or created."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    if not Path(f"{path}-wal").exists():
        # Even read only, SQLite puts -wal and -shm files beside a WAL database. Without
        # a -wal file every page is in the file itself: read it as immutable, which
        # creates nothing. (With one, a process has it open, and they exist already.)
        uri += "&immutable=1"
    try:
        with closing(sqlite3.connect(uri, uri=True)) as conn:
            found = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
            missing = [table for table in tables if table not in found]
            if missing:
                return f"the file holds no {what} (missing tables: {', '.join(missing)})"
            if version_in is not None:
                rows = conn.execute(f"SELECT version FROM {version_in}").fetchall()
                if len(rows) != 1 or type(rows[0][0]) is not int or rows[0][0] < 1:
                    return (
                        f"its {version_in} table is not a {what}'s (no whole version number in it)"
                    )
    except sqlite3.Error as exc:
        if getattr(exc, "sqlite_errorname", "") in ("SQLITE_NOTADB", "SQLITE_CORRUPT"):
            return str(exc)
        # Locked by a writer, or not openable here (a -wal file with no -shm in a folder
        # this process cannot write): the file may well hold one, and the opening of the
        # store or ledger says why it cannot be read now (it was "no SQLite store").
        return None
    return None


def _postgres_problem(
    url: str, what: str, tables: tuple[str, ...], version_sql: str, newest: int
) -> str | None:
    """Why the PostgreSQL database ``url`` connects to holds no ``what`` in the first
    schema of its ``search_path`` that exists (it lacks one of ``tables``, or its schema
    version, read by ``version_sql``, is older than ``newest``: a migration would write),
    or ``None``; read only: nothing is written or created (opening a store or a ledger
    creates its tables). A database it cannot reach is the ``StoreError`` the store's
    opening raises, after the same tries (the opening tried again after this look had
    waited as long: 40 s at a host that never answers, not 30). ``None`` when psycopg
    is missing (the opening names the extra) and on any other failure: the store's or
    ledger's own opening then says why, as it always has (never showing a password)."""
    try:
        import psycopg
    except ImportError:
        return None
    from helpdesk_routing.stores.postgres._database import (
        ATTEMPTS,
        CONNECT_TIMEOUT,
        ENCODINGS,
        connect_retrying,
        encoding_problem,
        libpq_timeout,
    )

    try:
        libpq_timeout(url, CONNECT_TIMEOUT)
    except ValidationError:
        return None  # the store's or ledger's opening says why
    try:
        conn = connect_retrying(url, attempts=ATTEMPTS, timeout=CONNECT_TIMEOUT)
    except psycopg.Error:
        return None  # the store's opening says why
    try:
        with conn:
            if encoding_problem(conn.execute(ENCODINGS).fetchone(), what) is not None:
                return None  # the store's or ledger's opening says why
            row = conn.execute("SELECT current_schema()").fetchone()
            schema = None if row is None else row[0]
            if schema is None:
                return None  # the store's opening names the search_path
            missing = [
                table
                for table in tables
                if conn.execute(
                    "SELECT to_regclass(format('%%I.%%I', current_schema(), %s::text))",
                    (table,),
                ).fetchone()
                in (None, (None,))
            ]
            if missing:
                return (
                    f"schema {schema!r} of database {conn.info.dbname!r} holds no {what} "
                    f"(missing tables: {', '.join(missing)})"
                )
            found = conn.execute(version_sql).fetchone()
            version = None if found is None else found[0]
            if type(version) is int and version < newest:
                return (
                    f"the {what} in schema {schema!r} of database {conn.info.dbname!r} has "
                    f"schema version {version}, older than this library's {newest}: it must "
                    "be migrated before it can be read, and a report writes nothing; open "
                    "it once with the library to migrate it"
                )
    except psycopg.Error:
        return None
    return None


def _a_file(path: str, what: str) -> None:
    """``FileNotFoundError`` unless ``path`` names a file: a missing one, none at all
    (``sqlite:///``) or a directory (SQLite said only "disk I/O error" of those)."""
    if not path:
        raise FileNotFoundError(f"no SQLite {what}: the URL names no file (sqlite:///path)")
    if not Path(path).exists():
        # the reason, as for a directory or a file that holds none
        raise FileNotFoundError(f"no SQLite {what} at {path!r}: no such file")
    if Path(path).is_dir():
        raise IsADirectoryError(f"no SQLite {what} at {path!r}: it is a directory")


@contextmanager
def open_store(url: str) -> Iterator[tuple[Any, Any]]:
    """The store and customer data a URL names (``sqlite:///path`` or a PostgreSQL DSN).

    A SQLite path must name a file that holds a store: a missing file is a
    ``FileNotFoundError``, a file that is no store (a handoff ledger, another program's
    database, no SQLite database) a :class:`~helpdesk_routing.errors.StoreError`; either
    way the file is left as it was (opening a store creates its tables)."""
    with ExitStack() as stack:
        if url.startswith("sqlite:///"):
            from helpdesk_routing.stores.sqlite import SqliteCustomerData, SqliteStore

            path = url.removeprefix("sqlite:///")
            _a_file(path, "store")
            # a report only reads: a file that is no store must not become one
            problem = _sqlite_problem(
                path, "helpdesk_routing store", _STORE_TABLES, version_in="schema_version"
            )
            if problem is not None:
                raise StoreError(f"no SQLite store at {path!r}: {problem}")
            # opened read only: a store on a read-only mount or file can be reported,
            # and one whose schema needs a migration is an error naming the file
            store: Any = stack.enter_context(SqliteStore._reader(path))
            data: Any = stack.enter_context(SqliteCustomerData._reader(path))
        elif url.startswith(("postgresql://", "postgres://")):
            from helpdesk_routing.stores.postgres import PostgresCustomerData, PostgresStore
            from helpdesk_routing.stores.postgres._schema import SCHEMA_VERSION

            # a report only reads: a database that holds no store must not become one
            problem = _postgres_problem(
                url,
                "helpdesk_routing store",
                _STORE_TABLES,
                "SELECT version FROM schema_version",
                SCHEMA_VERSION,
            )
            if problem is not None:
                raise StoreError(f"no PostgreSQL store: {problem}")
            store = stack.enter_context(PostgresStore(url))
            data = stack.enter_context(PostgresCustomerData(url))
        else:
            raise ValueError(
                f"unknown store URL {_scheme(url)}: use sqlite:///path or postgresql://"
            )
        yield store, data


def _ledger(url: str | None, stack: ExitStack) -> Any:
    if url is None:
        return None
    from helpdesk_routing.handoff.sql_ledger import PostgresLedgerReader, SqliteLedgerReader

    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        # as for the store: a mistyped path must not report an empty new ledger
        _a_file(path, "handoff ledger")
        problem = _sqlite_problem(path, "handoff ledger", _LEDGER_TABLES)
        if problem is not None:
            raise StoreError(f"no SQLite handoff ledger at {path!r}: {problem}")
        # opened read only: the file is not put in WAL mode, nor migrated, nor locked
        return stack.enter_context(SqliteLedgerReader(path))
    if url.startswith(("postgresql://", "postgres://")):
        # opened to read only: a schema without a ledger, or of an older version, is
        # refused and left as it was (opening a ledger creates its tables)
        return stack.enter_context(PostgresLedgerReader(url))
    raise ValueError(f"unknown ledger URL {_scheme(url)}: use sqlite:///path or postgresql://")


def _scheme(url: str) -> str:
    """What an unknown URL may show of itself: its scheme (``mysql://...``), never the
    rest, which may hold a password (a key-value DSN ``host=... password=...`` too)."""
    scheme, sep, _ = url.partition("://")
    if sep and scheme.isascii() and scheme.replace("+", "").isalnum():
        return repr(f"{scheme}://...")
    return "(not shown: it may hold a password)"


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Print the report for the parsed arguments; 0 on success; 1 when the office-hours
    file was read but is not valid; 2 on bad arguments (``--to`` not after ``--from``, a
    file that cannot be read, a store or ledger that cannot be read as one: a
    ``StoreError``). An error is told as
    every subcommand tells it (``cli.fail``): one ``error: ...`` line on stderr, or with
    ``--json`` a JSON object on ``out``. :data:`EXIT_BROKEN_PIPE`, quietly, when the
    reader of ``out`` went away."""
    out = out if out is not None else sys.stdout
    if args.end <= args.start:  # bad arguments (usage), as argparse's own errors
        period = f"{args.start.isoformat()} .. {args.end.isoformat()}"
        return fail(args, out, EXIT_USAGE, ValueError(f"--to must be after --from, got {period}"))
    hours = None
    if args.office_hours is not None:
        from helpdesk_routing.calendar import OfficeHours

        try:
            text = read_input(args.office_hours)
        except OSError as exc:
            return fail(args, out, EXIT_USAGE, exc, _one_line(exc))
        try:
            hours = OfficeHours.from_json(text)
        except ValidationError as exc:  # read, but not valid: invalid input
            return fail(args, out, EXIT_INVALID, in_file(exc, args.office_hours))
    try:
        with ExitStack() as stack:
            store, data = stack.enter_context(open_store(args.store))
            result = report(
                store,
                data,
                args.start,
                args.end,
                office_hours=hours,
                ledger=_ledger(args.ledger, stack),
                target=timedelta(minutes=args.target_minutes),
            )
    except (OSError, ValueError, StoreError) as exc:
        return fail(args, out, EXIT_USAGE, exc, _one_line(exc))
    try:
        if args.json:
            json.dump(result.to_dict(), out, indent=2, allow_nan=False)
            out.write("\n")
        else:
            out.write(render_text(result, ledger=args.ledger is not None))
        out.flush()  # a closed pipe is found here, not at exit
    except BrokenPipeError:
        # ``report ... | head`` read what it wanted: nothing is wrong, nothing to say (the
        # CLI's error handler would print to the same closed pipe and fail again).
        to_devnull(out)
        return EXIT_BROKEN_PIPE
    return 0


def _one_line(exc: BaseException) -> str:
    """``exc``'s message as one line: libpq's, say, puts a hint on a second (``...
    refused\n\tIs the server running ...``). A library ``ValidationError`` with details
    keeps them, one a line under it, as every subcommand prints them (docs/cli.md)."""
    text = str(exc)
    if isinstance(exc, ValidationError) and exc.details:
        return text
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def _fmt(seconds: float | None) -> str:
    """A duration as ``H:MM:SS`` in whole seconds, the hours counted on past a day
    (``66:00:00``, ``100:00:00``: no "days"); ``-`` for none."""
    if seconds is None or math.isnan(seconds):
        return "-"
    whole = round(seconds)
    minutes, secs = divmod(abs(whole), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{'-' if whole < 0 else ''}{hours}:{minutes:02}:{secs:02}"


def _share(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.1%}"


_LABEL = 22
"""The width of a table's first column, its row labels (a longer label widens it)."""


def _table(rows: list[tuple[str, list[object]]], width: int) -> list[str]:
    """Rows of a label and its cells, the cells right-aligned in columns of at least
    ``width``: a column widens to fit its widest cell and one space more, so that cells
    are always apart, however long a figure (a duration of months) or a label."""
    texts = [(label, [str(cell) for cell in cells]) for label, cells in rows]
    label_width = max([_LABEL, *(len(label) for label, _ in texts)])
    # every row of a table has a cell in each column
    widths = [
        max(width, *(len(cell) + 1 for cell in column))
        for column in zip(*(c for _, c in texts), strict=True)
    ]
    return [
        f"{label:<{label_width}}" + "".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True))
        for label, cells in texts
    ]


def _durations(label: str, stats: DurationStats) -> tuple[str, list[object]]:
    figures = [stats.mean, stats.median, stats.p90, stats.p99]
    return label, [stats.count, *map(_fmt, figures)]


def _ai(label: str, rates: AiRates) -> tuple[str, list[object]]:
    cells = [rates.started, rates.resolved, rates.escalated]
    return label, [*cells, _share(rates.resolution_rate), _share(rates.handoff_rate)]


def _columns(text: str) -> int:
    """How many columns ``text`` takes on a terminal: two for a wide character (East
    Asian wide or fullwidth: "山田太郎" is 8), none for a mark drawn over or under its
    neighbour or a format character (categories Mn, Me, Cf: Thai's U+0E34, Devanagari's
    U+0902, whatever their combining class), one for any other (``len`` counted
    "山田太郎" as 4, and its row's figures stood 4 columns right)."""
    return sum(
        0
        if unicodedata.category(c) in _NO_COLUMN
        else 2
        if unicodedata.east_asian_width(c) in "WF"
        else 1
        for c in text
    )


_NO_COLUMN = frozenset({"Mn", "Me", "Cf"})


def _agents(r: Report) -> list[str]:
    """The table of each agent's assignments: the names' column as wide as the longest
    name shown (at least 12), each figure's as wide as its header or its widest figure,
    so a long or quoted name, or a count of billions, never moves a figure under the
    next header."""
    rows = [
        (shown(agent), [load.automatic, load.manual, load.total])
        for agent, load in sorted(r.assigned.items())
    ]
    name_width = max([12, *(_columns(name) for name, _ in rows)])
    headers = ("automatic", "manual", "total")
    widths = [
        max([len(header), *(len(str(cells[k])) for _, cells in rows)])
        for k, header in enumerate(headers)
    ]

    def line(label: str, cells: Sequence[object]) -> str:
        figures = "  ".join(f"{cell:>{w}}" for cell, w in zip(cells, widths, strict=True))
        return label + " " * (name_width - _columns(label)) + " " + figures

    return [line("agent", headers), *(line(name, cells) for name, cells in rows)]


def render_text(r: Report, *, ledger: bool = False) -> str:
    """The report as a readable table of the figures ``--json`` prints (``to_dict``),
    each of them: durations as ``H:MM:SS`` (``66:00:00`` past a day), in columns that
    widen to fit their figures, shares and rates in percent, Jain and Gini
    to three decimals; with the handoffs by state when a handoff ledger was read
    (``ledger``: its line says 0 when the ledger holds none in the period) or the report
    counts some."""
    lines = [
        f"Helpdesk report {r.start.isoformat()} .. {r.end.isoformat()}",
        f"tickets created        {r.tickets}",
        f"answered / unanswered  {r.answered} / {r.unanswered}",
    ]
    durations: list[tuple[str, list[object]]] = [
        ("durations", ["count", "mean", "median", "p90", "p99"]),
        _durations("TTFR", r.ttfr),
    ]
    if r.ttfr_business is not None:
        durations.append(_durations("TTFR business", r.ttfr_business))
    durations.append(_durations("resolution", r.resolution))
    lines += _table(durations, 10)
    share = _share(r.within_target)
    if r.within_target_business is not None:
        share += f" (business {_share(r.within_target_business)})"
    lines.append(f"{'within ' + _fmt(r.target.total_seconds()):<22} {share}")
    lines.append(f"resolved               {r.resolved}")
    lines.append(
        f"waiting at end         {r.waiting_unassigned} unassigned"
        + "".join(f", {n} in {shown(t)}" for t, n in sorted(r.waiting_by_team.items()))
    )
    lines += _agents(r)
    always = ", ".join(map(shown, r.always_online))
    lines.append(f"always online          {always or '(none)'}")
    f = r.fairness
    lines.append(
        f"fairness over {f.agents} always-online agents: spread {f.spread}, "
        f"Jain {f.jain:.3f}, Gini {f.gini:.3f}"
    )
    ai: list[tuple[str, list[object]]] = [
        ("AI agent", ["started", "resolved", "escalated", "resolution", "handoff"]),
        _ai("  all channels", r.ai),
    ]
    ai += [_ai(f"  {shown(channel)}", rates) for channel, rates in sorted(r.ai_by_channel.items())]
    lines += _table(ai, 12)
    if ledger or r.handoffs:
        states = sorted(r.handoffs.items())
        by_state = " (" + ", ".join(f"{state} {n}" for state, n in states) + ")" if states else ""
        lines.append(f"handoffs               {sum(r.handoffs.values())}{by_state}")
    return "\n".join(lines) + "\n"


REPORT = Subcommand("report", _HELP, configure, run)
"""``helpdesk-routing report`` (listed in :data:`helpdesk_routing.cli.SUBCOMMANDS`)."""
