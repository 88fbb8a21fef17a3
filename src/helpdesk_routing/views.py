"""The views agents work from: My inbox, All tickets, Unassigned, team inboxes, saved views.

Every view lists *open* tickets by default, oldest first; ``statuses`` and
``channels`` filter further (``statuses=None`` shows every status). ``limit`` pages
through a long view: the returned :class:`Page` carries an opaque ``next_cursor`` to
pass back as ``cursor`` for the next page.

>>> page = router.views.unassigned(limit=50)          # doctest: +SKIP
>>> more = router.views.unassigned(limit=50, cursor=page.next_cursor)  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from helpdesk_routing.errors import UnknownAgent, UnknownTeam, ValidationError
from helpdesk_routing.model import TicketStatus
from helpdesk_routing.ports import Store
from helpdesk_routing.records import TicketQuery, TicketRecord

__all__ = ["Page", "Views"]

_OPEN: frozenset[TicketStatus] = frozenset({TicketStatus.OPEN})


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a view: the records, and the cursor of the next page (``None`` at the end)."""

    items: list[TicketRecord]
    next_cursor: str | None = None

    @property
    def ids(self) -> list[str]:
        """The ticket ids of the page, in order."""
        return [r.id for r in self.items]


def _encode(record: TicketRecord) -> str:
    raw = json.dumps([record.ticket.created_at.isoformat(), record.id])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode(cursor: str) -> tuple[datetime, str]:
    try:
        when, tid = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        at = datetime.fromisoformat(when)
    except (ValueError, TypeError, binascii.Error):
        raise ValidationError(f"invalid cursor {cursor!r}") from None
    if at.tzinfo is None or not isinstance(tid, str):
        raise ValidationError(f"invalid cursor {cursor!r}")
    return at, tid


class Views:
    """The views over a store; obtained as ``router.views``.

    ``is_team`` says whether a team id is configured (``team()`` of an unknown id raises
    :class:`~helpdesk_routing.errors.UnknownTeam`).
    """

    def __init__(self, store: Store, *, is_team: Callable[[str], bool]) -> None:
        self._store = store
        self._is_team = is_team

    def my_inbox(
        self,
        agent_id: str,
        *,
        statuses: Iterable[TicketStatus | str] | None = _OPEN,
        channels: Iterable[str] | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page:
        """Tickets assigned to the agent (``UnknownAgent`` for an unknown id)."""
        return self._page({"assignee": agent_id}, statuses, channels, limit, cursor, agent=agent_id)

    def all_tickets(
        self,
        *,
        statuses: Iterable[TicketStatus | str] | None = _OPEN,
        channels: Iterable[str] | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page:
        """Every ticket."""
        return self._page({}, statuses, channels, limit, cursor)

    def unassigned(
        self,
        *,
        statuses: Iterable[TicketStatus | str] | None = _OPEN,
        channels: Iterable[str] | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page:
        """Tickets with no assignee and no team (team tickets wait in their team's inbox)."""
        return self._page({"unassigned": True, "no_team": True}, statuses, channels, limit, cursor)

    def team(
        self,
        team_id: str,
        *,
        statuses: Iterable[TicketStatus | str] | None = _OPEN,
        channels: Iterable[str] | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page:
        """The team's inbox: every ticket whose team is ``team_id``, assigned or waiting."""
        if not self._is_team(team_id):
            raise UnknownTeam(team_id)
        return self._page({"team": team_id}, statuses, channels, limit, cursor)

    def saved(
        self,
        view: str,
        *,
        statuses: Iterable[TicketStatus | str] | None = _OPEN,
        channels: Iterable[str] | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page:
        """The tickets a Save-as-view rule marked into ``view`` (empty for a view never used)."""
        return self._page({"view": view}, statuses, channels, limit, cursor)

    def _page(
        self,
        filters: dict[str, object],
        statuses: Iterable[TicketStatus | str] | None,
        channels: Iterable[str] | None,
        limit: int | None,
        cursor: str | None,
        *,
        agent: str | None = None,
    ) -> Page:
        if limit is not None and limit < 1:
            raise ValidationError(f"limit must be at least 1, got {limit}")
        try:
            wanted = None if statuses is None else frozenset(TicketStatus(s) for s in statuses)
        except ValueError as exc:
            raise ValidationError(f"invalid status filter: {exc}") from None
        query = TicketQuery.model_validate(
            {
                **filters,
                "statuses": wanted,
                "channels": None if channels is None else frozenset(channels),
                "after": None if cursor is None else _decode(cursor),
                # One more than asked tells whether a next page exists.
                "limit": None if limit is None else limit + 1,
            }
        )
        with self._store.transaction() as tx:
            if agent is not None and tx.get_agent(agent) is None:
                raise UnknownAgent(agent)
            found = tx.find_tickets(query)
        if limit is None or len(found) <= limit:
            return Page(found)
        items = found[:limit]
        return Page(items, _encode(items[-1]))
