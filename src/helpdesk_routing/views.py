"""The views agents work from: My inbox, All tickets, Unassigned, team inboxes, saved views.

Every view lists *open* tickets by default, oldest first (``order="newest"`` for newest
first); ``statuses`` and ``channels`` filter further (``statuses=None`` shows every
status; a plain string is one status or channel). ``limit`` pages through a long view:
the returned :class:`Page` carries an opaque ``next_cursor`` to pass back as ``cursor``
for the next page (in the same order). ``count=True`` also counts the whole view
(``Page.total``): a SQL store counts it in the database (``count(*)``, no record
read), the in-memory store walks the view, so ask only when a total is shown.
A :class:`Page` is a sequence of records: iterate it, take ``len()``, test it for
emptiness.

>>> page = router.views.unassigned(limit=50)          # doctest: +SKIP
>>> more = router.views.unassigned(limit=50, cursor=page.next_cursor)  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import reprlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, SupportsIndex, cast, overload

from helpdesk_routing._input import integer_argument, plain_text
from helpdesk_routing._storable import text_problem
from helpdesk_routing._time import parse_instant
from helpdesk_routing.errors import UnknownAgent, UnknownTeam, ValidationError
from helpdesk_routing.model import TicketStatus
from helpdesk_routing.ports import CountsTickets, Store, Transaction, offers, reading
from helpdesk_routing.records import TicketQuery, TicketRecord

from ._process_bound import ProcessBound

__all__ = ["Order", "Page", "Views"]

_OPEN: frozenset[TicketStatus] = frozenset({TicketStatus.OPEN})

_NO_FILTER = (bytes, bytearray, memoryview, Mapping)
"""Iterable, but of numbers or of keys: never a status or channel filter (``b"open"`` is
no list; ``{"closed": False}`` listed the closed tickets, its keys being iterated)."""

Order = Literal["oldest", "newest"]
"""The order of a view: by ``(created_at, id)``, ascending (``"oldest"``) or descending."""


@dataclass(frozen=True, slots=True)
class Page(Sequence[TicketRecord]):
    """One page of a view: the records, the cursor of the next page (``None`` at the end),
    and the number of records in the whole view when asked for (``count=True``).

    A :class:`~collections.abc.Sequence` of the records: indexing, slicing (a list),
    ``len``, ``in``, ``reversed``, ``index`` and ``count`` work as on ``items``. Pages
    with equal fields are equal; a page holds a list, so it is not hashable
    (``hash(page)`` raises ``TypeError: unhashable type: 'Page'``)."""

    items: list[TicketRecord]
    next_cursor: str | None = None
    total: int | None = None

    # Not hashable, on purpose: the hash a frozen dataclass generates failed inside, on
    # the list ("unhashable type: 'list'").
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        # One bounded line: the default printed every record (~900 characters each).
        count = len(self.items)
        of = "" if self.total is None else f" of {self.total:,}"
        plural = "s" if (count if self.total is None else self.total) != 1 else ""
        more = (
            "last page"
            if self.next_cursor is None
            else f"next_cursor={reprlib.repr(self.next_cursor)}"
        )
        return f"<Page: {count:,}{of} ticket{plural}, {more}>"

    @property
    def ids(self) -> list[str]:
        """The ticket ids of the page, in order."""
        return [r.id for r in self.items]

    def __iter__(self) -> Iterator[TicketRecord]:
        """The records, in the view's order."""
        return iter(self.items)

    def __len__(self) -> int:
        """How many records the page holds (a page is falsy when empty)."""
        return len(self.items)

    @overload
    def __getitem__(self, index: SupportsIndex) -> TicketRecord: ...

    @overload
    def __getitem__(self, index: slice) -> list[TicketRecord]: ...

    def __getitem__(self, index: SupportsIndex | slice) -> TicketRecord | list[TicketRecord]:
        """The record at ``index`` of the page (a list of them for a slice)."""
        return self.items[index]


def _encode(record: TicketRecord, listing: str) -> str:
    raw = json.dumps([record.ticket.created_at.isoformat(), record.id, listing])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _listing(filters: dict[str, object], query: TicketQuery, order: Order) -> str:
    """What a cursor continues, as a short digest: the view (its kind and name), its
    status and channel filters, its order; not its limit or count, which a client may
    change from page to page."""
    said = json.dumps(
        [
            sorted(filters.items()),
            # every status, named one by one, is no status filter
            None
            if query.statuses is None or query.statuses == _EVERY_STATUS
            else sorted(s.value for s in query.statuses),
            None if query.channels is None else sorted(query.channels),
            order,
        ]
    )
    return hashlib.blake2b(said.encode(), digest_size=8).hexdigest()


_EVERY_STATUS = frozenset(TicketStatus)

_OTHER_LISTING = (
    "cursor {} was given by a page of another view, order or filter: a cursor continues "
    "the listing of the page that gave it (the same view, statuses, channels and order)"
)


def _named(what: str, value: object) -> str:
    """An inbox is named by text: ``None`` (a host's missing current user, say) would be
    no filter at all, every ticket of the desk. The text as plain ``str``: a subclass's
    own ``==`` and hash found ids no team or agent has in the in-memory store."""
    if not isinstance(value, str):
        raise ValidationError(f"{what} must be text, got {value!r}")
    return cast(str, plain_text(value))


_MAX_LIMIT = 2**62
"""The largest limit passed to a store; a larger one asks for the same (everything)."""


def _decode(cursor: str, listing: str) -> tuple[datetime, str]:
    """The position a cursor holds, for the listing ``listing`` (:func:`_listing`). A
    cursor of two items (made before cursors named their listing) is taken anywhere."""
    if not isinstance(cursor, str):
        raise ValidationError(f"cursor must be the text a page gave (or None), got {cursor!r}")
    try:
        when, tid, *named = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if len(named) > 1 or (named and not isinstance(named[0], str)):
            raise ValueError("not a cursor")
        # ValidationError is a ValueError: a naive or out-of-range instant is rewrapped.
        at = parse_instant(when, "cursor")
    except (ValueError, TypeError, binascii.Error, RecursionError):
        raise ValidationError(f"invalid cursor {_shown(cursor)}") from None
    # an id no page gave: not text, or text no store keeps (NUL, a lone surrogate)
    if not isinstance(tid, str) or text_problem(tid) is not None:
        raise ValidationError(f"invalid cursor {_shown(cursor)}")
    if named and named[0] != listing:
        raise ValidationError(_OTHER_LISTING.format(_shown(cursor)))
    return at, tid


def _shown(cursor: str) -> str:
    """The cursor as an error names it: its first 64 characters when longer (a message
    is not the place for megabytes a caller sent)."""
    if len(cursor) <= 64:
        return repr(cursor)
    return f"{cursor[:64]!r}... ({len(cursor):,} characters)"


class Views(ProcessBound):
    """The views over a store; obtained as ``router.views``.

    ``is_team(tx, team_id)`` says, inside the view's unit of work, whether a team id is
    configured (``team()`` of an unknown id raises
    :class:`~helpdesk_routing.errors.UnknownTeam`). ``bind(tx, records)``, when given,
    gives the records a page holds, in the same unit (the Router's binds their
    decisions to the rules that decided them).
    """

    _elsewhere = "use router.views of a Router made in each process"

    def __init__(
        self,
        store: Store,
        *,
        is_team: Callable[[Transaction, str], bool],
        bind: Callable[[Transaction, list[TicketRecord]], list[TicketRecord]] | None = None,
    ) -> None:
        self._store = store
        self._is_team = is_team
        self._bind = bind

    def __repr__(self) -> str:
        return f"<Views over {type(self._store).__name__}>"

    def my_inbox(
        self,
        agent_id: str,
        *,
        statuses: Iterable[TicketStatus | str] | TicketStatus | str | None = _OPEN,
        channels: Iterable[str] | str | None = None,
        limit: SupportsIndex | None = None,
        cursor: str | None = None,
        order: Order = "oldest",
        count: bool = False,
    ) -> Page:
        """Tickets assigned to the agent (``UnknownAgent`` for an unknown id)."""
        agent_id = _named("agent_id", agent_id)
        return self._page(
            {"assignee": agent_id}, statuses, channels, limit, cursor, order, count, agent=agent_id
        )

    def all_tickets(
        self,
        *,
        statuses: Iterable[TicketStatus | str] | TicketStatus | str | None = _OPEN,
        channels: Iterable[str] | str | None = None,
        limit: SupportsIndex | None = None,
        cursor: str | None = None,
        order: Order = "oldest",
        count: bool = False,
    ) -> Page:
        """Every ticket."""
        return self._page({}, statuses, channels, limit, cursor, order, count)

    def unassigned(
        self,
        *,
        statuses: Iterable[TicketStatus | str] | TicketStatus | str | None = _OPEN,
        channels: Iterable[str] | str | None = None,
        limit: SupportsIndex | None = None,
        cursor: str | None = None,
        order: Order = "oldest",
        count: bool = False,
    ) -> Page:
        """Tickets with no assignee and no team (team tickets wait in their team's inbox)."""
        return self._page(
            {"unassigned": True, "no_team": True}, statuses, channels, limit, cursor, order, count
        )

    def team(
        self,
        team_id: str,
        *,
        statuses: Iterable[TicketStatus | str] | TicketStatus | str | None = _OPEN,
        channels: Iterable[str] | str | None = None,
        limit: SupportsIndex | None = None,
        cursor: str | None = None,
        order: Order = "oldest",
        count: bool = False,
    ) -> Page:
        """The team's inbox: every ticket whose team is ``team_id``, assigned or waiting.

        ``UnknownTeam`` unless the configuration has the team or a stored ticket names it
        (a team a newer configuration dropped keeps its inbox while tickets wait there).
        """
        team_id = _named("team_id", team_id)
        return self._page(
            {"team": team_id}, statuses, channels, limit, cursor, order, count, team=team_id
        )

    def saved(
        self,
        view: str,
        *,
        statuses: Iterable[TicketStatus | str] | TicketStatus | str | None = _OPEN,
        channels: Iterable[str] | str | None = None,
        limit: SupportsIndex | None = None,
        cursor: str | None = None,
        order: Order = "oldest",
        count: bool = False,
    ) -> Page:
        """The tickets a Save-as-view rule marked into ``view`` (empty for a view never used)."""
        view = _named("view", view)
        return self._page({"view": view}, statuses, channels, limit, cursor, order, count)

    def _page(
        self,
        filters: dict[str, object],
        statuses: Iterable[TicketStatus | str] | TicketStatus | str | None,
        channels: Iterable[str] | str | None,
        limit: SupportsIndex | None,
        cursor: str | None,
        order: Order,
        count: bool,
        *,
        agent: str | None = None,
        team: str | None = None,
    ) -> Page:
        if limit is not None:
            whole = integer_argument(limit)
            if whole is None:
                raise ValidationError(f"limit must be a whole number (or None), got {limit!r}")
            limit = whole
        if limit is not None and limit < 1:
            raise ValidationError(f"limit must be at least 1, got {limit}")
        if not isinstance(count, bool):  # 1 == True: a membership test would take 1
            raise ValidationError(f"count must be a bool, got {count!r}")
        if not isinstance(order, str) or order not in ("oldest", "newest"):
            # tested as text first: a pandas NA or an array answers == as no bool
            raise ValidationError(f"invalid order {order!r}: expected 'oldest' or 'newest'")
        if isinstance(statuses, str):
            statuses = [statuses]
        if statuses is not None and (
            not isinstance(statuses, Iterable) or isinstance(statuses, _NO_FILTER)
        ):
            raise ValidationError(f"invalid status filter: {statuses!r} is no status")
        wanted = None if statuses is None else _statuses(statuses)
        if isinstance(channels, str):
            channels = [channels]
        elif channels is not None:
            given = channels
            iterable = isinstance(given, Iterable) and not isinstance(given, _NO_FILTER)
            channels = list(given) if iterable else None
            if channels is None or not all(isinstance(c, str) for c in channels):
                raise ValidationError(
                    f"channels must be a channel or several (text), got {given!r}"
                )
        base = TicketQuery.model_validate(
            {
                **filters,
                "statuses": wanted,
                "channels": None if channels is None else frozenset(channels),
            }
        )
        listing = _listing(filters, base, order)
        position = None if cursor is None else _decode(cursor, listing)
        # A store with read-only units (``read()``) serves views without taking the write
        # lock or row locks; any other store, in an ordinary unit of work.
        with reading(self._store) as tx:
            if agent is not None and tx.get_agent(agent) is None:
                raise UnknownAgent(agent)
            if (
                team is not None
                and not self._is_team(tx, team)
                and not _named_by_a_ticket(tx, team)
            ):
                raise UnknownTeam(team)
            # One more than the page, to know whether another follows; a limit beyond
            # any store's size asks for everything (SQL stores take 64-bit limits)
            wanted_n = None if limit is None else min(limit, _MAX_LIMIT) + 1
            # Newest first, the store reads backwards from the cursor itself
            # (``TicketQuery.newest_first``: its indexes serve both orders).
            query = base.model_copy(
                update={"after": position, "limit": wanted_n, "newest_first": order == "newest"}
            )
            found = tx.find_tickets(query)
            total = _count(tx, base) if count else None
            more = limit is not None and len(found) > limit
            items = found[:limit] if more else found
            if self._bind is not None:
                items = self._bind(tx, items)
        if not more:
            return Page(items, total=total)
        return Page(items, _encode(items[-1], listing), total)


def _named_by_a_ticket(tx: Transaction, team: str) -> bool:
    """Whether a stored ticket names ``team``: a team a newer configuration dropped keeps
    its inbox while tickets wait there (handout: "no longer configured"), or nothing
    would show them but ``all_tickets``."""
    return bool(tx.find_tickets(TicketQuery(team=team, statuses=None, limit=1)))


def _count(tx: Transaction, base: TicketQuery) -> int:
    """The number of records in the view ``base``: counted by the store when it can
    (``ports.CountsTickets``: the SQL stores' ``count(*)``), else by reading them."""
    if offers(tx, CountsTickets):
        return cast(CountsTickets, tx).count_tickets(base)
    return len(tx.find_tickets(base))


def _statuses(given: Iterable[object]) -> frozenset[TicketStatus]:
    """The statuses of a view's filter; every value that is none named at once, sorted by
    their text (a set of them, iterated in its hash order, named one of them, another in
    each process)."""
    items = list(given)
    bad = [s for s in items if not isinstance(s, str | TicketStatus) or s not in _STATUS_VALUES]
    if bad:
        listed = ", ".join(sorted({repr(s) for s in bad}))
        known = ", ".join(repr(s.value) for s in TicketStatus)
        said = "is no status" if len(bad) == 1 else "are no statuses"
        raise ValidationError(f"invalid status filter: {listed} {said}; one of {known}")
    return frozenset(TicketStatus(str(s)) for s in items)  # each a status, checked above


_STATUS_VALUES = frozenset(s.value for s in TicketStatus)
