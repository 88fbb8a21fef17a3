"""PostgresLedger never shows its DSN's password: a DSN libpq cannot read is refused as
PostgresStore refuses it (a ValidationError naming ``dsn``, libpq's quotes left out), a
server's error has the password masked, and the repr names host, port and database only.
The same through ``helpdesk-routing report --ledger``."""

from __future__ import annotations

import contextlib
import io
import socket
import struct
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

import helpdesk_routing as hr
from helpdesk_routing import cli
from helpdesk_routing.errors import StoreError, ValidationError
from helpdesk_routing.handoff import PostgresLedger

PASSWORD = "S3cretPassw0rd"
TYPO_URL = f"postgresql://app:{PASSWORD}@[::1/helpdesk"  # the ']' of the IPv6 host is missing
REASON = (
    "dsn is not a libpq connection string or URL: end of string reached when looking for "
    'matching "..." in IPv6 host address in URI: "..."'
)


def _shown(error: BaseException) -> str:
    """Everything a logged traceback of ``error`` shows (its chained causes too)."""
    return "".join(traceback.format_exception(error))


class _RefusingServer:
    """A PostgreSQL server that asks for a password (cleartext) and refuses it with
    ``FATAL 28P01``, its message ``message`` (``{password}`` is the one received)."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.received: list[str] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen()
        self._listener.settimeout(0.1)
        self.port = int(self._listener.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @staticmethod
    def _read(conn: socket.socket, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = conn.recv(size - len(data))
            if not chunk:
                raise ConnectionError("the client went away")
            data += chunk
        return data

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                with contextlib.suppress(OSError):  # the client went away
                    self._answer(conn)

    def _answer(self, conn: socket.socket) -> None:
        while True:  # SSL or GSS encryption requests are declined ('N')
            length, code = struct.unpack("!ii", self._read(conn, 8))
            if code in (80877103, 80877104):
                conn.sendall(b"N")
                continue
            self._read(conn, length - 8)  # the startup parameters
            break
        conn.sendall(b"R" + struct.pack("!ii", 8, 3))  # AuthenticationCleartextPassword
        kind = self._read(conn, 1)
        (length,) = struct.unpack("!i", self._read(conn, 4))
        body = self._read(conn, length - 4)
        assert kind == b"p"
        password = body.rstrip(b"\0").decode()
        self.received.append(password)
        text = self.message.format(password=password)
        fields = b"".join(
            key + value.encode() + b"\0"
            for key, value in ((b"S", "FATAL"), (b"V", "FATAL"), (b"C", "28P01"), (b"M", text))
        )
        fields += b"\0"
        conn.sendall(b"E" + struct.pack("!i", len(fields) + 4) + fields)

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(5)


@pytest.fixture(params=["plain", "echoing"])
def refusing(request: pytest.FixtureRequest) -> Iterator[_RefusingServer]:
    """A server refusing the password: as PostgreSQL words it, and one that quotes the
    password it was given back in its message (a proxy's, say)."""
    message = 'password authentication failed for user "app"'
    if request.param == "echoing":
        message += ' (password "{password}")'
    server = _RefusingServer(message)
    try:
        yield server
    finally:
        server.close()


def _dsns(port: int) -> list[str]:
    return [
        f"postgresql://app:{PASSWORD}@127.0.0.1:{port}/helpdesk?sslmode=disable",
        f"host=127.0.0.1 port={port} user=app dbname=helpdesk password={PASSWORD} sslmode=disable",
    ]


@pytest.mark.parametrize(
    ("dsn", "reason"),
    [
        (TYPO_URL, REASON),
        (
            f"host=db password='{PASSWORD} sslmode=require",
            "dsn is not a libpq connection string or URL: unterminated quoted string in "
            "connection info string",
        ),
        (
            f"host=db password={PASSWORD} sslmod=require",
            'dsn is not a libpq connection string or URL: invalid connection option "..."',
        ),
    ],
)
def test_a_dsn_libpq_cannot_read_is_refused_as_the_store_refuses_it(dsn: str, reason: str) -> None:
    """A ValidationError naming dsn, before any connection, with libpq's quotes left
    out; nothing of the password in the message nor in a logged traceback."""
    with pytest.raises(ValidationError) as err:
        PostgresLedger(dsn)
    assert str(err.value) == reason
    assert PASSWORD not in _shown(err.value)
    with pytest.raises(ValidationError) as store_err:
        hr.PostgresStore(dsn)
    assert str(store_err.value) == str(err.value)


def test_a_server_refusing_the_password_is_told_without_it(refusing: _RefusingServer) -> None:
    """The ledger's StoreError says the server refused the password; the password is
    masked even when the server quotes it back, and the traceback holds no copy."""
    for dsn in _dsns(refusing.port):
        with pytest.raises(StoreError) as err:
            PostgresLedger(dsn)
        message = str(err.value)
        assert message.startswith("PostgreSQL handoff ledger: ")
        assert 'password authentication failed for user "app"' in message
        assert PASSWORD not in _shown(err.value)
        assert PASSWORD not in repr(err.value)
    assert refusing.received == [PASSWORD, PASSWORD]  # the server was sent it, and refused it
    if 'password "' in refusing.message:
        assert message.endswith('(password "***")')


def _store(tmp_path: Path) -> str:
    path = tmp_path / "desk.db"
    hr.SqliteStore(path, agents=[hr.Agent(id="a1")]).close()
    return f"sqlite:///{path}"


def _report(store: str, ledger: str) -> tuple[int, str]:
    out = io.StringIO()
    argv = ["report", "--store", store, "--ledger", ledger]
    argv += ["--from", "2026-03-30T00:00:00Z", "--to", "2026-03-31T00:00:00Z"]
    return cli.main(argv, out), out.getvalue()


def test_report_with_a_mistyped_ledger_url_keeps_the_password_off_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _report(_store(tmp_path), TYPO_URL)
    err = capsys.readouterr().err
    assert code == 2
    assert out == ""
    assert err == f"error: {REASON}\n"
    assert PASSWORD not in err


def test_report_with_a_ledger_refusing_the_password_keeps_it_off_stderr(
    tmp_path: Path, refusing: _RefusingServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _dsns(refusing.port)[0]  # the CLI takes a ledger as a postgresql:// URL
    code, out = _report(_store(tmp_path), url)
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: PostgreSQL handoff ledger: ")
    assert 'password authentication failed for user "app"' in err
    assert PASSWORD not in err + out
    assert refusing.received == [PASSWORD]


@pytest.mark.postgres
def test_a_postgres_ledger_repr_names_where_it_connects_not_the_password(
    request: pytest.FixtureRequest,
) -> None:
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    from tests.pg_server import fresh_schema_dsn

    dsn = make_conninfo(fresh_schema_dsn(request), password=PASSWORD)  # trust: not asked
    parts = conninfo_to_dict(dsn)
    url = (
        f"postgresql://{parts['user']}:{PASSWORD}@{parts['host']}:{parts['port']}/"
        f"{parts['dbname']}?options={parts['options'].replace(' ', '%20').replace('=', '%3D')}"
    )
    where = f"<PostgresLedger host='{parts['host']}' port='{parts['port']}' dbname='postgres'"
    for given in (dsn, url):
        ledger = PostgresLedger(given)
        assert ledger.get("h1") is None
        assert repr(ledger) == where + ">"
        ledger.close()
        assert repr(ledger) == where + " (closed)>"
        with pytest.raises(StoreError) as err:
            ledger.get("h1")
        assert PASSWORD not in _shown(err.value)


@pytest.mark.postgres
def test_a_failing_statement_on_a_real_server_is_told_without_the_password(
    request: pytest.FixtureRequest,
) -> None:
    """An unknown database named by a DSN with a password: the server's refusal is the
    message, and no copy of the password is in it."""
    from psycopg.conninfo import make_conninfo

    from tests.pg_server import fresh_schema_dsn

    dsn = make_conninfo(fresh_schema_dsn(request), password=PASSWORD, dbname="no_such_db")
    with pytest.raises(StoreError) as err:
        PostgresLedger(dsn)
    assert 'database "no_such_db" does not exist' in str(err.value)
    assert PASSWORD not in _shown(err.value)
