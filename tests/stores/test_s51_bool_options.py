"""The stores' on/off options are bools, as the Router's are: ``report_digest="no"``
kept the in-memory store's digest on, and ``release_locks_before_flush="false"`` turned
the PostgreSQL store's early release on, the opposite of what was meant, both taken
without a word. And the PostgreSQL pool's connections get libpq's ``connect_timeout``
as the store's first connection does."""

from __future__ import annotations

import pytest

import helpdesk_routing as hr
from helpdesk_routing.errors import ArgumentTypeError


@pytest.mark.parametrize("given", ["no", "false", 0, 1, None])
def test_report_digest_must_be_a_bool(given: object) -> None:
    with pytest.raises(ArgumentTypeError, match=f"^report_digest must be a bool, got {given!r}$"):
        hr.InMemoryStore(report_digest=given)  # type: ignore[arg-type]


@pytest.mark.parametrize("given", ["false", 0, None])
def test_release_locks_before_flush_must_be_a_bool(pg_dsn: str, given: object) -> None:
    with pytest.raises(
        ArgumentTypeError, match=f"^release_locks_before_flush must be a bool, got {given!r}$"
    ):
        hr.PostgresStore(pg_dsn, release_locks_before_flush=given)  # type: ignore[arg-type]


def test_the_bools_are_taken(pg_dsn: str) -> None:
    assert hr.InMemoryStore(report_digest=False)._digest is None
    with hr.PostgresStore(pg_dsn, release_locks_before_flush=False) as store:
        assert store._db.early_release is False


def test_the_pool_s_connections_have_libpq_s_connect_timeout(pg_dsn: str) -> None:
    """A pool's connection to a host that never answers waited as long as the system
    lets a TCP connect wait; libpq's ``connect_timeout`` is the store's, as its first
    connection's was (whole seconds, at least 1)."""
    with hr.PostgresStore(pg_dsn, connect_timeout=2.6) as store:
        assert store._db.pool.kwargs["connect_timeout"] == 3
        with store._db.pool.connection() as conn:
            assert conn.info.get_parameters()["connect_timeout"] == "3"


def test_a_connect_timeout_the_dsn_names_is_kept(pg_dsn: str) -> None:
    """The adapter gave libpq its own ``connect_timeout`` as a keyword, which replaced the
    one the caller's DSN named (``?connect_timeout=2`` waited 10 s; review)."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    dsn = make_conninfo(pg_dsn, connect_timeout=2)
    assert conninfo_to_dict(dsn)["connect_timeout"] == "2"
    with hr.PostgresStore(dsn, connect_timeout=7) as store:
        assert "connect_timeout" not in store._db.pool.kwargs
        with store._db.pool.connection() as conn:
            assert conn.info.get_parameters()["connect_timeout"] == "2"


@pytest.mark.parametrize("given", ["abc", ""])
def test_a_connect_timeout_the_dsn_names_must_be_whole_seconds(pg_dsn: str, given: str) -> None:
    """Kept, a DSN's bad ``connect_timeout`` was psycopg's raw ``ProgrammingError``
    (review); it is a ``ValidationError`` naming it."""
    from psycopg.conninfo import make_conninfo

    from helpdesk_routing.errors import ValidationError

    dsn = make_conninfo(pg_dsn, connect_timeout=given)
    with pytest.raises(ValidationError, match="connect_timeout must be a whole number"):
        hr.PostgresStore(dsn)
    with pytest.raises(ValidationError, match="connect_timeout must be a whole number"):
        hr.PostgresCustomerData(dsn)


def test_the_ledger_and_report_s_connections_have_a_connect_timeout(pg_dsn: str) -> None:
    """``PostgresLedger`` and ``report``'s first look at a database connected without
    libpq's ``connect_timeout`` (a host that never answers: the system's TCP wait); they
    get 10 s, a DSN's own kept, a bad one of the ledger's refused by name (review)."""
    from helpdesk_routing.errors import ValidationError
    from helpdesk_routing.handoff import PostgresLedger
    from helpdesk_routing.stores.postgres._database import CONNECT_TIMEOUT, libpq_timeout

    assert libpq_timeout(pg_dsn, CONNECT_TIMEOUT) == {"connect_timeout": 10}
    assert libpq_timeout(f"{pg_dsn} connect_timeout=3", CONNECT_TIMEOUT) == {}
    ledger = PostgresLedger(pg_dsn)
    try:
        conn = ledger._connect()
        try:
            assert conn.info.get_parameters()["connect_timeout"] == "10"
        finally:
            conn.close()
    finally:
        ledger.close()
    with pytest.raises(ValidationError, match="connect_timeout must be a whole number"):
        PostgresLedger(f"{pg_dsn} connect_timeout=abc")
