"""The SQL of ticket queries (views): each one answerable from an index."""

from __future__ import annotations

from typing import Any

from helpdesk_routing.records import TicketQuery
from helpdesk_routing.stores._sql import (
    channel_values,
    excluded_channel_values,
    keyset_after,
    limit_value,
    status_values,
)

__all__ = ["select_count", "select_tickets"]


def _matching(query: TicketQuery) -> tuple[str, list[Any]]:
    """The ``WHERE`` of the ticket rows that match ``query`` (each filter and its cursor,
    not its order or limit; empty when nothing is filtered) and its parameters."""
    where: list[str] = []
    params: list[Any] = []
    if query.view is not None:
        where.append("views @> ARRAY[%s]::text[] AND views <> '{}'")  # the index's predicate
        params.append(query.view)
    if query.assignee is not None:
        where.append("assignee = %s")
        params.append(query.assignee)
    if query.unassigned:
        where.append("assignee IS NULL")
    if query.team is not None:
        where.append("team = %s")
        params.append(query.team)
    if query.no_team:
        where.append("team IS NULL")
    statuses = status_values(query)
    if statuses is not None and len(statuses) == 1:
        where.append("status = %s")  # lets the (..., status, created, id) indexes give the order
        params.append(statuses[0])
    elif statuses is not None:
        where.append("status = ANY(%s)")
        params.append(statuses)
    channels = channel_values(query)
    if channels is not None and len(channels) == 1:
        # an equality, which an index on (..., channel, created, id) answers in order
        # (``channel = ANY`` of one channel is a filter or a sort to the planner)
        where.append("channel = %s")
        params.append(channels[0])
    elif channels is not None:
        where.append("channel = ANY(%s)")
        params.append(channels)
    excluded = excluded_channel_values(query)
    if excluded:
        where.append("NOT (channel = ANY(%s))")
        params.append(excluded)
    if query.after is not None:
        op, after_id = keyset_after(query.after[1], query.newest_first)
        where.append(f"(created, id) {op} (%s, %s)")
        params.extend((query.after[0], after_id))
    return (" WHERE " + " AND ".join(where) if where else ""), params


def select_tickets(query: TicketQuery, *, lock: bool = True) -> tuple[str, list[Any]]:
    """The ``SELECT`` of the ticket rows that match ``query``, in its order; ``lock``:
    the rows are locked until the unit of work ends (``FOR UPDATE``)."""
    where, params = _matching(query)
    sql = "SELECT record, allocation FROM tickets" + where
    sql += " ORDER BY created DESC, id DESC" if query.newest_first else " ORDER BY created, id"
    limit = limit_value(query)
    if limit is not None:
        sql += " LIMIT %s"
        params.append(limit)
    return (sql + " FOR UPDATE" if lock else sql), params


def select_count(query: TicketQuery) -> tuple[str, list[Any]]:
    """The ``SELECT count(*)`` of the ticket rows that match ``query`` (its limit aside):
    the same rows :func:`select_tickets` reads, counted without sending a record."""
    where, params = _matching(query)
    return "SELECT count(*) FROM tickets" + where, params
