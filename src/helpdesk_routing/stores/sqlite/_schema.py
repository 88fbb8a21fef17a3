"""The SQLite schema: its migrations (``schema_version`` holds the applied version)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from helpdesk_routing.stores._sql import (
    Migration,
)

if TYPE_CHECKING:
    pass

__all__ = ["MIGRATIONS", "SCHEMA_VERSION"]


MIGRATIONS: tuple[Migration, ...] = (
    (
        1,
        (
            """CREATE TABLE tickets (
                id TEXT PRIMARY KEY,
                created INTEGER NOT NULL,
                status TEXT NOT NULL,
                channel TEXT NOT NULL,
                team TEXT,
                assignee TEXT,
                record TEXT NOT NULL)""",
            "CREATE INDEX tickets_order ON tickets (created, id)",
            "CREATE INDEX tickets_assignee ON tickets (assignee, status, created, id)",
            "CREATE INDEX tickets_team ON tickets (team, status, created, id)",
            "CREATE INDEX tickets_status ON tickets (status, created, id)",
            """CREATE TABLE ticket_views (
                view TEXT NOT NULL,
                created INTEGER NOT NULL,
                ticket_id TEXT NOT NULL,
                PRIMARY KEY (view, created, ticket_id)) WITHOUT ROWID""",
            "CREATE INDEX ticket_views_ticket ON ticket_views (ticket_id)",
            """CREATE TABLE agents (
                id TEXT PRIMARY KEY,
                agent TEXT NOT NULL,
                online INTEGER NOT NULL DEFAULT 0,
                presence_at INTEGER)""",
            "CREATE INDEX agents_online ON agents (online, id)",
            "CREATE TABLE rotation (pool TEXT PRIMARY KEY, state TEXT NOT NULL)",
            """CREATE TABLE audit (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                ticket_id TEXT,
                record TEXT NOT NULL)""",
            "CREATE INDEX audit_ticket ON audit (ticket_id, seq)",
        ),
    ),
    (
        2,
        (
            "CREATE TABLE profiles (id TEXT PRIMARY KEY, profile TEXT NOT NULL)",
            """CREATE TABLE profile_segments (
                segment TEXT NOT NULL,
                profile_id TEXT NOT NULL,
                PRIMARY KEY (segment, profile_id)) WITHOUT ROWID""",
            "CREATE INDEX profile_segments_profile ON profile_segments (profile_id)",
            """CREATE TABLE events (
                profile_id TEXT NOT NULL,
                metric TEXT NOT NULL,
                ts INTEGER NOT NULL,
                properties TEXT NOT NULL)""",
            "CREATE INDEX events_lookup ON events (profile_id, metric, ts)",
        ),
    ),
    (3, ("CREATE TABLE configurations (version INTEGER PRIMARY KEY, body TEXT NOT NULL)",)),
    (
        4,
        (
            # EventRecorder: an event's unique id, recorded once (NULLs are all distinct).
            "ALTER TABLE events ADD COLUMN unique_id TEXT",
            "CREATE UNIQUE INDEX events_unique_id ON events (unique_id)",
        ),
    ),
)

SCHEMA_VERSION = MIGRATIONS[-1][0]
"""The newest schema version this library writes to SQLite files."""
