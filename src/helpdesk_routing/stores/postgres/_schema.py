"""The PostgreSQL schema: its migrations, and the route function's SQL (a resource file).

Each migration brings the schema to its version; a database keeps its version in
``schema_version`` and gets only the migrations it lacks. The round-robin functions
are ``.sql`` files next to this module (package data, in the wheel): one step of the
rotation in ``round_robin_step.sql``, shared by the route function
(``route_round_robin.sql``) and the hand-out function (``hand_out_round_robin.sql``).
The step answers facts, and the sentences are rendered in Python
(``allocation/steps.py``), so a change of wording needs no migration.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from helpdesk_routing.stores._sql import Migration

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "hand_out_function",
    "route_function",
    "step_function",
]


def _resource(name: str) -> str:
    return resources.files("helpdesk_routing.stores.postgres").joinpath(name).read_text("utf-8")


@cache
def step_function() -> str:
    """The ``CREATE OR REPLACE FUNCTION helpdesk_round_robin_step`` statement: one step of
    the rotation, shared by the route and hand-out functions (see the ``.sql`` file)."""
    return _resource("round_robin_step.sql")


@cache
def route_function() -> str:
    """The ``CREATE FUNCTION helpdesk_route_round_robin`` statement (see the ``.sql`` file)."""
    return _resource("route_round_robin.sql")


@cache
def hand_out_function() -> str:
    """The ``CREATE FUNCTION helpdesk_hand_out_round_robin`` statement (its ``.sql`` file)."""
    return _resource("hand_out_round_robin.sql")


MIGRATIONS: tuple[Migration, ...] = (
    (
        1,
        (
            # COLLATE "C": ids sort by code point, as Python sorts them, whatever the
            # database's locale.
            """CREATE TABLE tickets (
                id text COLLATE "C" PRIMARY KEY,
                created timestamptz NOT NULL,
                status text NOT NULL,
                channel text NOT NULL,
                team text COLLATE "C",
                assignee text COLLATE "C",
                views text[] NOT NULL DEFAULT '{}',
                record text NOT NULL)""",
            "CREATE INDEX tickets_order ON tickets (created, id)",
            "CREATE INDEX tickets_assignee ON tickets (assignee, status, created, id)",
            "CREATE INDEX tickets_team ON tickets (team, status, created, id)",
            "CREATE INDEX tickets_status ON tickets (status, created, id)",
            # Only tickets with views: an index entry per ticket without one would make
            # every insert touch the same GIN entry (a hot spot under concurrent routing).
            "CREATE INDEX tickets_views ON tickets USING gin (views) WHERE views <> '{}'",
            """CREATE TABLE agents (
                id text COLLATE "C" PRIMARY KEY,
                agent text NOT NULL,
                online boolean NOT NULL DEFAULT false,
                presence_at timestamptz)""",
            "CREATE INDEX agents_online ON agents (id) WHERE online",
            # Room on each page, so the constant updates of a pool's row stay HOT.
            """CREATE TABLE rotation (pool text COLLATE "C" PRIMARY KEY, state text NOT NULL)
                WITH (fillfactor = 50)""",
            "CREATE SEQUENCE audit_seq",
            """CREATE TABLE audit (
                seq bigint PRIMARY KEY DEFAULT nextval('audit_seq'),
                ticket_id text COLLATE "C",
                record text NOT NULL)""",
            "CREATE INDEX audit_ticket ON audit (ticket_id, seq)",
        ),
    ),
    (
        2,
        (
            'CREATE TABLE profiles (id text COLLATE "C" PRIMARY KEY, profile text NOT NULL)',
            """CREATE TABLE profile_segments (
                segment text COLLATE "C" NOT NULL,
                profile_id text COLLATE "C" NOT NULL,
                PRIMARY KEY (segment, profile_id))""",
            "CREATE INDEX profile_segments_profile ON profile_segments (profile_id)",
            """CREATE TABLE events (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                profile_id text COLLATE "C" NOT NULL,
                metric text COLLATE "C" NOT NULL,
                ts timestamptz NOT NULL,
                properties text NOT NULL)""",
            "CREATE INDEX events_lookup ON events (profile_id, metric, ts)",
        ),
    ),
    # Version 3 created the first route function, which answered English sentences;
    # version 5 replaces it (a database at 3 or 4 drops it there), so a new schema
    # skips it.
    (3, ()),
    (4, ("CREATE TABLE configurations (version integer PRIMARY KEY, body text NOT NULL)",)),
    (
        5,
        (
            # The route function answers facts; the ticket's assignee and allocation
            # facts, and the audit record's assignee, are columns it writes.
            "ALTER TABLE tickets ADD COLUMN allocation jsonb",
            'ALTER TABLE audit ADD COLUMN assignee text COLLATE "C"',
            "DROP FUNCTION IF EXISTS helpdesk_route_round_robin(text, text[], integer, text, "
            "timestamptz, text, text, text, text[], text, text, text, text, text)",
            # (The route function of version 5 is created by version 7, which every
            # database at 5 or below gets too.)
            # EventRecorder: an event's unique id, recorded once (NULLs are all distinct).
            'ALTER TABLE events ADD COLUMN unique_id text COLLATE "C"',
            "CREATE UNIQUE INDEX events_unique_id ON events (unique_id)",
        ),
    ),
    # Version 6 created the hand-out function (ports.HandOutInStore), with its own copy
    # of the rotation step; version 7 creates it again around the shared step.
    (6, ()),
    # The rotation step in one function, used by the route and hand-out functions
    # (CREATE OR REPLACE: a database at 5 or 6 has older bodies of both).
    (7, (step_function(), route_function(), hand_out_function())),
    # The rotation step takes the load locks it may need in id order, up front (a
    # database at 7 has the body that took them in rotation order, one at a time).
    (8, (step_function(),)),
    # The ticket claim and the load locks are keyed by the current schema too, so
    # helpdesks in several schemas of one database never wait for each other's ids (a
    # database at 8 has the bodies that keyed them by the id alone).
    (9, (step_function(), route_function())),
    # A pool's waiting channels: a hand-out after hours, which leaves out the channels
    # waiting for the office, finds the channels waiting in the pool (a seek each) and
    # reads nothing when those are all it finds. Read at once, the left-out channels'
    # tickets were walked whenever they were the oldest. The pool of no team has an
    # index of its own: ``team IS NULL`` is no equality to PostgreSQL, so the first one
    # gives it no channel order and each seek became a scan of the pool.
    (
        10,
        (
            "CREATE INDEX IF NOT EXISTS tickets_waiting_channel ON tickets (team, status, channel)"
            " WHERE assignee IS NULL",
            "CREATE INDEX IF NOT EXISTS tickets_waiting_channel_no_team"
            " ON tickets (status, channel) WHERE assignee IS NULL AND team IS NULL",
        ),
    ),
    # The same two indexes ending in the tickets' order (created, id): after hours a
    # hand-out reads each kept channel's page as a range of them, in order. Schema 10's
    # answered the channel listing but gave the page no order: the planner read the
    # pool's waiting tickets by age (or all of a channel, then sorted), walking the
    # left-out channels' backlog whenever it was the oldest.
    (
        11,
        (
            "DROP INDEX IF EXISTS tickets_waiting_channel",
            "CREATE INDEX tickets_waiting_channel ON tickets (team, status, channel, created, id)"
            " WHERE assignee IS NULL",
            "DROP INDEX IF EXISTS tickets_waiting_channel_no_team",
            "CREATE INDEX tickets_waiting_channel_no_team ON tickets (status, channel, created, id)"
            " WHERE assignee IS NULL AND team IS NULL",
        ),
    ),
    # The hand-out function puts the assignee into the record's text in place of a
    # marker; a database at 11 has the body that read the record as jsonb to set it,
    # rewriting its numbers (1e300 became an integer no reader takes) and key order.
    (12, (hand_out_function(),)),
)

SCHEMA_VERSION = MIGRATIONS[-1][0]
"""The newest schema version this library writes to PostgreSQL."""
