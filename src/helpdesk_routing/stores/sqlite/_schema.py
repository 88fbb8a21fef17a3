"""The SQLite schema: its migrations (``schema_version`` holds the applied version)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from helpdesk_routing.stores._sql import (
    Migration,
)

if TYPE_CHECKING:
    pass

__all__ = ["AUDIT_FACTS", "MIGRATIONS", "SCHEMA_VERSION"]

AUDIT_FACTS: tuple[tuple[str, str], ...] = (
    ("at", "TEXT"),
    ("action", "TEXT"),
    ("agent_id", "TEXT"),
    ("online", "INTEGER"),
    ("team", "TEXT"),
    ("assignee", "TEXT"),
    ("status", "TEXT"),
    ("automatic", "INTEGER"),
    ("public", "INTEGER"),
)
"""The audit table's fact columns (schema 5), in order; ``ticket_id`` is a column since 1."""


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
    (
        5,
        (
            # The fields of an audit record the metrics report reads, as columns: a scan
            # of the log reads them without parsing each record's JSON (``audit_facts``).
            # ``public`` is detail.public: 1 for true, 0 for false, NULL otherwise.
            *(f"ALTER TABLE audit ADD COLUMN {name} {kind}" for name, kind in AUDIT_FACTS),
            "UPDATE audit SET "
            + ", ".join(
                f"{name} = json_extract(record, '$.{name}')" for name, _ in AUDIT_FACTS[:-2]
            )
            + ", automatic = coalesce(json_extract(record, '$.automatic'), 0)"
            + ", public = CASE json_type(record, '$.detail.public')"
            + " WHEN 'true' THEN 1 WHEN 'false' THEN 0 END",
        ),
    ),
    (
        6,
        (
            # The tickets waiting in a pool (no assignee; no team, or the team's), oldest
            # first: what every hand-out reads. Without it the planner takes
            # ``tickets_team`` and reads every open ticket of the pool, assigned or not.
            "CREATE INDEX tickets_waiting ON tickets (team, status, created, id)"
            " WHERE assignee IS NULL",
        ),
    ),
    (
        7,
        (
            # The same tickets by channel: a hand-out after hours, which leaves out the
            # channels waiting for the office, finds the channels waiting in a pool (a
            # seek each) and reads the others' ranges. With ``tickets_waiting`` alone it
            # walked the left-out channels' tickets whenever they were the oldest.
            "CREATE INDEX tickets_waiting_channel ON tickets (team, status, channel, created, id)"
            " WHERE assignee IS NULL",
        ),
    ),
)

SCHEMA_VERSION = MIGRATIONS[-1][0]
"""The newest schema version this library writes to SQLite files."""
