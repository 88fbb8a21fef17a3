"""What the SQL stores (SQLite, PostgreSQL) share: encodings, the schema-version rule,
the :class:`Dialect` that the shared queries are written for.

Records are persisted as their pydantic JSON (lossless for the records' own fields;
values under ``Ticket.fields``, ``Profile.properties`` and ``Event.properties`` come
back as JSON values), next to the few columns that queries filter and sort on.
"""

from __future__ import annotations

import functools
import heapq
import itertools
from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Generic,
    Literal,
    ParamSpec,
    Protocol,
    Self,
    TypeVar,
)

from helpdesk_routing._json import MAX_INT
from helpdesk_routing._sets import dump_json
from helpdesk_routing._storable import text_problem
from helpdesk_routing._stored import STORED
from helpdesk_routing.errors import SchemaVersionError, StoreError, ValidationError
from helpdesk_routing.records import AuditRecord, TicketQuery, TicketRecord

if TYPE_CHECKING:
    from helpdesk_routing.configuration import Configuration

__all__ = [
    "CLOSED",
    "ENDED",
    "NESTED",
    "Closing",
    "ConfigurationReads",
    "Connection",
    "Cursor",
    "Dialect",
    "Migration",
    "Reader",
    "apply_migrations",
    "audit_from_json",
    "audit_to_json",
    "channel_values",
    "check_schema_version",
    "from_micros",
    "keyset_after",
    "limit_value",
    "merge_pages",
    "pool_by_channel",
    "pool_channels",
    "pool_pages",
    "status_values",
    "sync_level",
    "ticket_columns",
    "to_micros",
    "unit_of_work",
    "unmatched",
    "unstorable",
]

P = ParamSpec("P")
T = TypeVar("T")

Migration = tuple[int, Sequence[str]]
"""One step of a schema: the version it brings the database to, and its statements."""

NESTED = "nested transaction: this thread already holds the store"
ENDED = "the transaction has ended"
CLOSED = "the store is closed"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


class Cursor(Protocol):
    """What the shared queries read from a ``sqlite3`` or ``psycopg`` cursor."""

    def fetchone(self) -> Any:
        """The next row, or ``None``."""
        ...

    def fetchall(self) -> list[Any]:
        """The remaining rows."""
        ...


class Connection(Protocol):
    """What the shared queries need of a ``sqlite3`` or ``psycopg`` connection."""

    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Cursor:
        """Run one statement."""
        ...


Reader = Callable[[], AbstractContextManager[Connection]]
"""An adapter's ``read()``: a connection for single-statement reads, given back after."""


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one database spells what the shared queries need."""

    param: str
    """The parameter placeholder (``?`` or ``%s``)."""
    arrival: str
    """The ``events`` column that orders the events of one instant by arrival."""
    lock: str
    """The suffix that row-locks a ``SELECT`` until the unit of work ends (may be empty)."""
    to_db: Callable[[datetime], Any]
    """An aware datetime as the value of a timestamp column."""
    from_db: Callable[[Any], datetime]
    """A timestamp column's value as an aware datetime."""
    family: Literal["sqlite", "postgres"] = "sqlite"
    """Which database: how JSON properties are read in pushed-down event filters."""


class ConfigurationReads(ABC):
    """The reads of stored configurations (``ports.Transaction``) that both SQL units of
    work make alike: a unit gives its ``_run`` and its placeholder; writing a version
    stays in each (locking differs)."""

    __slots__ = ()

    _param: ClassVar[str]
    """The parameter placeholder of the unit's database (``?`` or ``%s``)."""

    @abstractmethod
    def _run(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        """Run one statement in the unit."""

    def configuration_version(self) -> int:
        """The newest stored configuration version, ``0`` when none is stored."""
        row = self._run("SELECT coalesce(max(version), 0) FROM configurations").fetchone()
        return int(row[0])

    def configuration(self, version: int | None = None) -> Configuration | None:
        """The configuration of ``version`` (the newest when ``None``), or ``None``."""
        from helpdesk_routing.configuration import Configuration  # it imports the stores

        if version is None:
            row = self._run(
                "SELECT body FROM configurations ORDER BY version DESC LIMIT 1"
            ).fetchone()
        else:
            row = self._run(
                f"SELECT body FROM configurations WHERE version = {self._param}", (version,)
            ).fetchone()
        return None if row is None else Configuration.model_validate_json(row[0], context=STORED)

    def configurations(self) -> list[Configuration]:
        """Every stored version, oldest first."""
        from helpdesk_routing.configuration import Configuration

        rows = self._run("SELECT body FROM configurations ORDER BY version").fetchall()
        return [Configuration.model_validate_json(row[0], context=STORED) for row in rows]


class Closing:
    """``with`` support for an adapter: the end of the block calls its ``close()``."""

    def close(self) -> None:
        """Release what the adapter holds."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class UnitOfWork(AbstractContextManager[T], Generic[T]):
    """The context manager of a generator that begins a unit of work, yields it and ends
    it (see :func:`unit_of_work`)."""

    __slots__ = ("_gen",)

    def __init__(self, gen: Generator[T, None, None]) -> None:
        self._gen = gen

    def __enter__(self) -> T:
        try:
            return next(self._gen)
        except StopIteration:
            raise RuntimeError("the unit of work did not begin") from None
        except BaseException:
            # Cut off once the unit has begun but before the with block runs (a
            # KeyboardInterrupt as the generator yields): no __exit__ will end it.
            self._gen.close()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Never suppresses: the block's exception goes on (a unit's generator ends the
        # unit and re-raises it, or raises the library's error in its place).
        gen = self._gen
        try:
            if exc is None:
                next(gen)
            else:
                gen.throw(exc)
        except StopIteration:
            return
        except BaseException as raised:
            if raised is exc:
                return  # re-raised as it came, with its own traceback
            gen.close()  # cut off before the generator resumed: it ends the unit now
            raise
        gen.close()
        raise RuntimeError("the unit of work did not end")


def unit_of_work(func: Callable[P, Generator[T, None, None]]) -> Callable[P, UnitOfWork[T]]:
    """``contextlib.contextmanager`` for a generator that begins a unit of work, yields
    it once and ends it (its ``except``/``finally`` roll it back), but closed at once
    when cut off in ``__enter__`` or ``__exit__`` (a ``KeyboardInterrupt`` arriving just
    as the unit has begun, or just before the generator resumes): with contextlib the
    suspended generator, and the unit with it (its connection, its write lock), lived on
    for as long as the traceback held contextlib's frame (in the REPL, until the next
    error)."""

    @functools.wraps(func)
    def unit(*args: P.args, **kwargs: P.kwargs) -> UnitOfWork[T]:
        return UnitOfWork(func(*args, **kwargs))

    return unit


def sync_level(value: object) -> str:
    """SQLite's ``synchronous`` level, ``FULL`` or ``NORMAL`` (any case): it goes into
    PRAGMA text, and SQLite itself ignores a level it does not know."""
    level = value.upper() if isinstance(value, str) else None
    if level not in ("FULL", "NORMAL"):
        raise ValidationError(f"synchronous must be 'FULL' or 'NORMAL', got {value!r}")
    return level


def unstorable(value: object) -> bool:
    """Whether ``value`` is text no store can keep (NUL, a lone surrogate): an id of it
    names nothing stored, so a lookup answers as for an unknown id without sending it
    to the database (whose driver cannot even encode a lone surrogate). Cheap for the
    common case: a substring test and an ASCII test."""
    return isinstance(value, str) and (
        "\x00" in value or (not value.isascii() and text_problem(value) is not None)
    )


def unmatched(query: TicketQuery) -> bool:
    """Whether ``query`` asks for an assignee, team or view no store can keep: it matches
    no stored ticket (an unkeepable channel is only dropped from the channels asked for)."""
    return unstorable(query.assignee) or unstorable(query.team) or unstorable(query.view)


def limit_value(query: TicketQuery) -> int | None:
    """The query's ``limit`` as SQL can take it: at most the largest signed 64-bit integer
    (both databases' ``LIMIT`` type), which is past every row, so "all of them" as any
    larger limit is."""
    limit = query.limit
    return limit if limit is None or limit <= MAX_INT else MAX_INT


def keyset_after(ident: str, newest_first: bool) -> tuple[str, str]:
    """The comparison and the storable id that select, among stored ids, exactly those
    after ``ident`` in a keyset walk (before it when ``newest_first``): ``ident`` itself
    when it can be stored, else a stand-in, since no database can be sent it.

    With ``p`` the text before the first character no store keeps: after a NUL come the
    ids above ``p`` (``p`` itself sorts before ``p + "\\x00"``), before it those below
    ``p + "\\x01"``; after a lone surrogate come the ids from ``p + "\\ue000"`` (the first
    character past the surrogates) on, before it those below that.
    """
    if not unstorable(ident):
        return (">" if not newest_first else "<"), ident
    cut = next(i for i, c in enumerate(ident) if c == "\x00" or "\ud800" <= c <= "\udfff")
    prefix = ident[:cut]
    if ident[cut] == "\x00":
        return (">", prefix) if not newest_first else ("<", prefix + "\x01")
    return (">=" if not newest_first else "<"), prefix + "\ue000"


def to_micros(value: datetime) -> int:
    """An aware datetime as integer microseconds since the Unix epoch (sorts like the instant)."""
    return (value - _EPOCH) // _MICRO


def from_micros(value: int) -> datetime:
    """The inverse of :func:`to_micros`: an aware UTC datetime."""
    return _EPOCH + value * _MICRO


def check_schema_version(found: int, known: int, where: str = "") -> None:
    """Refuse a database whose schema is newer than the code knows, before touching it;
    ``where`` names the database (``SQLite file '/srv/helpdesk.db'``)."""
    if found > known:
        to_open = f" to open the {where}" if where else ""
        raise SchemaVersionError(
            f"database schema version {found} is newer than this helpdesk_routing knows "
            f"({known}); upgrade the library{to_open}"
        )


def apply_migrations(
    conn: Connection,
    d: Dialect,
    migrations: Sequence[Migration],
    *,
    exists: bool,
    holds_tables: bool = False,
    where: str = "",
) -> None:
    """Bring the schema to the newest of ``migrations``, in the caller's transaction.

    ``exists``: whether the ``schema_version`` table does; ``holds_tables``: whether the
    store's first table does (how to ask is the database's own). Tables without a
    version (its table or row lost) are refused, not created again over themselves;
    ``where`` names the database in that refusal.
    """
    known = migrations[-1][0]
    found = 0
    at = f" ({where})" if where else ""
    if exists:
        row = conn.execute("SELECT version FROM schema_version").fetchone()
        found = 0 if row is None else row[0]
        if type(found) is not int:  # SQLite keeps any value a hand (or a bad disk) put there
            raise StoreError(
                f"the database's schema version is unreadable{at}: {found!r} (a whole "
                "number was expected); the database was left as it was"
            )
    check_schema_version(found, known, where)
    if found < 1 and holds_tables:
        raise StoreError(
            f"the database{at} holds a helpdesk_routing store's tables but no schema "
            f"version (its schema_version table or row is missing, or reads {found}): it "
            "was left as it was; restore the version, or open another database"
        )
    if found == known:
        return
    if not exists:
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO schema_version (version) VALUES (0)")
    for version, statements in migrations:
        if version > found:
            for statement in statements:
                conn.execute(statement)
    conn.execute(f"UPDATE schema_version SET version = {d.param}", (known,))


def status_values(query: TicketQuery) -> list[str] | None:
    """The query's statuses as sorted column values (``None`` when any status matches)."""
    if query.statuses is None:
        return None
    return sorted(s.value for s in query.statuses)


def channel_values(query: TicketQuery) -> list[str] | None:
    """The query's channels as sorted column values (``None`` when any channel matches),
    without those no store can keep: they match no stored ticket."""
    if query.channels is None:
        return None
    return sorted(c for c in query.channels if not unstorable(c))


def excluded_channel_values(query: TicketQuery) -> list[str]:
    """The channels the query leaves out, as sorted column values, without those no store
    can keep: no stored ticket has them, so leaving them out changes nothing."""
    return sorted(c for c in query.exclude_channels if not unstorable(c))


def ticket_columns(d: Dialect, record: TicketRecord) -> tuple[Any, ...]:
    """The ``tickets`` columns queries filter and sort on: created, status, channel, team,
    assignee."""
    t = record.ticket
    return (d.to_db(t.created_at), t.status.value, t.channel, record.team, record.assignee)


def audit_to_json(record: AuditRecord) -> str:
    """The audit record without its ``seq`` (the store assigns that)."""
    return dump_json(record, exclude={"seq"})


def audit_from_json(seq: int, text: str) -> AuditRecord:
    """An audit record read back, with the ``seq`` the store gave it."""
    return AuditRecord.model_validate_json(text, context=STORED).model_copy(update={"seq": seq})


def pool_by_channel(query: TicketQuery) -> bool:
    """Whether ``query`` asks for one pool's waiting tickets (no assignee; no team, or a
    team's; one status) with some channels left out and no channels asked for: what a
    hand-out reads after hours, and what the ``tickets_waiting_channel`` index answers
    channel by channel (:func:`pool_channels`)."""
    return (
        bool(query.exclude_channels)
        and query.channels is None
        and query.unassigned
        and (query.team is None) is query.no_team
        and query.assignee is None
        and query.view is None
        and query.statuses is not None
        and len(query.statuses) == 1
    )


# ``ORDER BY channel LIMIT 1``, not ``min(channel)``: without statistics (a table filled
# since its last ANALYZE) PostgreSQL's planner read min() as an aggregate over the whole
# range (10,000 rows, 3 ms) instead of the first entry.
_POOL_CHANNELS = """
WITH RECURSIVE waiting (channel) AS (
    SELECT (SELECT channel FROM tickets WHERE {pool} ORDER BY channel LIMIT 1)
    UNION ALL
    SELECT (
        SELECT channel FROM tickets WHERE {pool} AND channel > waiting.channel
        ORDER BY channel LIMIT 1
    )
    FROM waiting WHERE waiting.channel IS NOT NULL
)
SELECT channel FROM waiting WHERE channel IS NOT NULL
"""


def pool_channels(query: TicketQuery, mark: str) -> tuple[str, list[Any]]:
    """The SQL (parameters written ``mark``) and parameters that list the channels of the
    waiting tickets in ``query``'s pool (a :func:`pool_by_channel` query), each found by
    one seek in ``tickets_waiting_channel`` (the next channel after the last one found),
    however many tickets each has."""
    status = min(s.value for s in query.statuses or ())  # the only one
    if query.team is None:
        pool, params = f"team IS NULL AND status = {mark} AND assignee IS NULL", [status]
    else:
        pool = f"team = {mark} AND status = {mark} AND assignee IS NULL"
        params = [query.team, status]
    return _POOL_CHANNELS.format(pool=pool), params + params


def pool_pages(query: TicketQuery, waiting: Iterable[str]) -> list[TicketQuery]:
    """The queries of a :func:`pool_by_channel` query's page, one per channel kept: each
    of ``waiting`` (the channels waiting in the pool, as :func:`pool_channels` lists
    them) that the query does not leave out, in channel order; none when it leaves out
    all of them. Each is a range of ``tickets_waiting_channel`` in the query's order."""
    kept = sorted(set(waiting) - query.exclude_channels)
    return [
        query.model_copy(update={"channels": frozenset({c}), "exclude_channels": frozenset()})
        for c in kept
    ]


def merge_pages(pages: Sequence[list[TicketRecord]], query: TicketQuery) -> list[TicketRecord]:
    """The pages of :func:`pool_pages` (each in ``query``'s order) as one page: merged in
    that order, at most ``query.limit`` records."""
    if len(pages) == 1:
        return pages[0]
    merged = heapq.merge(*pages, key=_order_key, reverse=query.newest_first)
    return list(itertools.islice(merged, query.limit))


def _order_key(record: TicketRecord) -> tuple[datetime, str]:
    return record.ticket.created_at, record.id
