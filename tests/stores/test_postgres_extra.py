"""The PostgreSQL adapters without a server: psycopg is an optional, lazily imported extra."""

from __future__ import annotations

import subprocess
import sys

import pytest

from helpdesk_routing.errors import MissingExtra, ValidationError
from helpdesk_routing.stores.postgres import PostgresCustomerData, PostgresStore


@pytest.mark.parametrize("cls", [PostgresStore, PostgresCustomerData])
def test_without_psycopg_the_stores_name_the_extra(
    monkeypatch: pytest.MonkeyPatch, cls: type[PostgresStore] | type[PostgresCustomerData]
) -> None:
    """Without psycopg installed, constructing a PostgreSQL adapter raises MissingExtra."""
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(MissingExtra) as err:
        cls("host=localhost")
    assert str(err.value) == (
        f"{cls.__name__} needs the optional extra 'postgres': "
        "pip install 'helpdesk-routing[postgres]'"
    )


def test_importing_the_postgres_module_does_not_import_psycopg() -> None:
    """``import helpdesk_routing.stores.postgres`` leaves psycopg unimported (it is lazy)."""
    code = (
        "import sys, helpdesk_routing.conditions, helpdesk_routing.stores.postgres; "
        "print('psycopg' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


@pytest.mark.parametrize("argument", ["timeout", "connect_timeout"])
@pytest.mark.parametrize("value", [0, -1.5, float("nan")])
def test_a_postgres_wait_needs_a_positive_bound(argument: str, value: float) -> None:
    """lock_timeout = 0 means no limit in PostgreSQL: a wait of 0 (or less) is refused by
    name before any connection is made."""
    with pytest.raises(ValidationError, match=f"^{argument} must be a number of seconds above 0"):
        PostgresStore("postgresql://127.0.0.1:1/none", **{argument: value})
