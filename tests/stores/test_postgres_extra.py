"""The PostgreSQL adapters without a server: psycopg is an optional, lazily imported extra."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from helpdesk_routing.errors import ArgumentTypeError, MissingExtra, ValidationError
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


@pytest.mark.parametrize("cls", [PostgresStore, PostgresCustomerData])
@pytest.mark.parametrize(
    ("dsn", "reason"),
    [
        ("not a dsn ===", 'missing "=" after "not" in connection info string'),
        ("host=127.0.0.1 bogusoption=1", 'invalid connection option "bogusoption"'),
        (
            "postgresql://[::1",
            'end of string reached when looking for matching "]" in IPv6 host address in '
            'URI: "postgresql://[::1"',
        ),
        (
            "postgresql://app:s3cret@[::1/db",
            'end of string reached when looking for matching "..." in IPv6 host address in '
            'URI: "..."',
        ),
        ("host=db password=s3 cret", 'missing "..." after "..." in connection info string'),
    ],
)
def test_a_malformed_dsn_is_refused_by_name_without_its_password(
    cls: type[PostgresStore] | type[PostgresCustomerData],
    dsn: str,
    reason: str,
    recwarn: pytest.WarningsRecorder,
) -> None:
    """A DSN libpq cannot read is a ValidationError naming ``dsn`` before any pool is
    made (no warning when the half-made adapter is collected); a DSN that may hold a
    password has libpq's quotes of it left out."""
    with pytest.raises(ValidationError) as err:
        cls(dsn)
    assert str(err.value) == f"dsn is not a libpq connection string or URL: {reason}"
    assert "s3" not in str(err.value)
    assert err.value.__cause__ is None
    assert err.value.__suppress_context__
    gc.collect()
    assert not recwarn.list


@pytest.mark.parametrize("cls", [PostgresStore, PostgresCustomerData])
def test_a_dsn_must_be_text(cls: type[PostgresStore] | type[PostgresCustomerData]) -> None:
    """A DSN that is not text is an ArgumentTypeError naming ``dsn``."""
    with pytest.raises(ArgumentTypeError) as err:
        cls(b"host=localhost")  # type: ignore[arg-type]
    assert str(err.value) == "dsn must be text (a libpq connection string or URL), got bytes"


@pytest.mark.parametrize("cls", [PostgresStore, PostgresCustomerData])
@pytest.mark.parametrize(
    ("argument", "value", "most"),
    [
        ("timeout", 3e6, "2,147,483"),
        ("timeout", 2_147_483.5, "2,147,483"),
        ("connect_timeout", 2**31, "2,147,483,647"),
        ("connect_timeout", 1e300, "2,147,483,647"),
    ],
)
def test_a_postgres_wait_must_fit_what_the_server_and_libpq_take(
    cls: type[PostgresStore] | type[PostgresCustomerData], argument: str, value: float, most: str
) -> None:
    """``timeout`` goes to lock_timeout in milliseconds and ``connect_timeout`` to libpq in
    seconds, each a signed 32-bit integer: a larger one is refused by name, with the
    maximum, before any connection is made."""
    with pytest.raises(ValidationError) as err:
        cls("postgresql://127.0.0.1:1/none", **{argument: value})
    assert str(err.value) == f"{argument} must be at most {most} seconds, got {float(value)!r}"
