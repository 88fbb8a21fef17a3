"""The PostgreSQL adapters without a server: psycopg is an optional, lazily imported extra."""

from __future__ import annotations

import subprocess
import sys

import pytest

from helpdesk_routing.errors import MissingExtra
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
