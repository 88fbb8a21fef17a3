"""Fixtures of the SQL store tests: a fresh SQLite file, a fresh PostgreSQL schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pg_server import fresh_schema_dsn


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A path for a new SQLite database file."""
    return tmp_path / "helpdesk.db"


@pytest.fixture
def pg_dsn(request: pytest.FixtureRequest) -> str:
    """A DSN whose search_path is a new, empty schema (dropped after the test)."""
    return fresh_schema_dsn(request)
