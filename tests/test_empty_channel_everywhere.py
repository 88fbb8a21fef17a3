"""An empty channel bound to office hours is refused the same way at every door:
``hr.Configuration`` itself, ``configure``, ``Router(...)`` and ``helpdesk-routing check``
(the demo's ``config.json`` and a stored Configuration), at ``$.office_hours_channels``.
A store that holds one (written before the check) still opens."""

from __future__ import annotations

import io
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import helpdesk_routing as hr
from helpdesk_routing.cli import main
from helpdesk_routing.configuration import EMPTY_CHANNEL

NOW = datetime(2026, 3, 30, 9, tzinfo=UTC)
DETAIL = {
    "path": "$.office_hours_channels",
    "code": "string_too_short",
    "message": EMPTY_CHANNEL,
    "rule_id": None,
}
AGENTS = [hr.Agent(id="a1"), hr.Agent(id="m1", role="manager")]


def _router(store: Any, **given: Any) -> hr.Router:
    return hr.Router(
        store=store, customer_data=hr.InMemoryCustomerData(), clock=hr.ManualClock(NOW), **given
    )


def _stored_document(channels: list[str]) -> dict[str, Any]:
    return {"version": 1, "at": "2026-03-30T09:00:00Z", "office_hours_channels": channels}


@pytest.mark.parametrize("channels", [[""], ["webchat", ""]])
def test_the_configuration_model_refuses_an_empty_channel(channels: list[str]) -> None:
    """Built, validated or copied: the model's own error, at the field's path."""
    with pytest.raises(hr.ValidationError) as built:
        hr.Configuration(version=1, at=NOW, office_hours_channels=frozenset(channels))
    with pytest.raises(hr.ValidationError) as validated:
        hr.Configuration.model_validate(_stored_document(channels))
    with pytest.raises(hr.ValidationError) as copied:
        hr.Configuration(version=1, at=NOW).model_copy(
            update={"office_hours_channels": frozenset(channels)}
        )
    with pytest.raises(hr.ValidationError) as read:  # JSON text a user reads is input too
        hr.Configuration.model_validate_json(json.dumps(_stored_document(channels)))
    for info in (built, validated, copied, read):
        assert [d.as_dict() for d in info.value.details] == [DETAIL]


@pytest.mark.parametrize("channels", [[""], ["webchat", ""], ""])
def test_configure_and_the_router_name_it_as_the_model_does(channels: Any) -> None:
    router = _router(hr.InMemoryStore(agents=AGENTS))
    with pytest.raises(hr.ValidationError) as configured:
        router.configure(actor="m1", office_hours_channels=channels)
    with pytest.raises(hr.ValidationError) as built:
        _router(hr.InMemoryStore(agents=AGENTS), office_hours_channels=channels)
    for info in (configured, built):
        assert f"$.office_hours_channels: {EMPTY_CHANNEL}" in str(info.value)
        assert info.value.errors() == [DETAIL]
    assert router.configuration_history() == []


def test_an_empty_channel_is_named_with_the_other_problems_of_the_arguments() -> None:
    """configure and Router(...) name every problem of their arguments at once, as the
    model does: an empty channel did not hide a repeated team id or a capacity below 0."""
    team = hr.Team(id="t", name="t", members=["a1"])
    bad: dict[str, Any] = {
        "capacity": -1,
        "office_hours_channels": ["", "sms"],
        "teams": [team, team],
    }
    with pytest.raises(hr.ValidationError) as model:
        hr.Configuration(version=1, at=NOW, **bad)
    router = _router(hr.InMemoryStore(agents=AGENTS))
    with pytest.raises(hr.ValidationError) as configured:
        router.configure(actor="m1", **bad)
    with pytest.raises(hr.ValidationError) as built:
        _router(hr.InMemoryStore(agents=AGENTS), **bad)
    paths = ["$.teams[1].id", "$.office_hours_channels", "$.capacity"]
    for info in (model, configured, built):
        assert [d.path for d in info.value.details] == paths
    assert router.configuration_history() == []


def _check(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, Any]:
    code = main(["check", str(path), "--json"], out := io.StringIO())
    capsys.readouterr()
    return code, json.loads(out.getvalue())


@pytest.mark.parametrize(
    "document",
    [
        {"rules": {"rules": []}, "office_hours_channels": ["webchat", ""]},
        _stored_document(["webchat", ""]),
    ],
    ids=["demo config.json", "stored configuration"],
)
def test_check_refuses_it_in_either_form_of_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], document: dict[str, Any]
) -> None:
    """check passed both (exit 0): the demo and configure refuse the same file."""
    path = tmp_path / "config.json"
    path.write_text(json.dumps(document))
    assert _check(capsys, path) == (1, {"ok": False, "errors": [DETAIL]})


def test_check_holds_the_demo_files_channels_to_stored_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A channel no store can keep (NUL) is refused as the demo refuses it."""
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"rules": {"rules": []}, "office_hours_channels": ["web\x00"]}))
    code, report = _check(capsys, path)
    assert code == 1
    assert [(e["path"], e["code"]) for e in report["errors"]] == [
        ("$.office_hours_channels[0]", "storable_text")
    ]


def test_a_store_holding_an_empty_channel_still_opens(tmp_path: Path) -> None:
    """A version stored before the check (its JSON holds ""): read back, the empty channel
    is dropped (it bound nothing); the Router opens, routes, lists the history and
    writes the next version."""
    path = tmp_path / "desk.db"
    with hr.SqliteStore(path, agents=AGENTS) as store:
        _router(store, office_hours_channels=["webchat", "sms"])
    with sqlite3.connect(path) as db:
        (body,) = db.execute("SELECT body FROM configurations WHERE version = 1").fetchone()
        old = json.loads(body)
        old["office_hours_channels"] = ["", "sms", "webchat"]
        db.execute("UPDATE configurations SET body = ? WHERE version = 1", (json.dumps(old),))
    with hr.SqliteStore(path) as store:
        router = _router(store)
        assert router.configuration.office_hours_channels == {"sms", "webchat"}
        router.route(hr.Ticket(id="t1", channel="email", created_at=NOW))
        assert [c.version for c in router.configuration_history()] == [1]
        v2 = router.configure(actor="m1", capacity=3)
        assert (v2.version, v2.office_hours_channels) == (2, {"sms", "webchat"})


def test_a_postgres_store_holding_an_empty_channel_still_opens(
    request: pytest.FixtureRequest,
) -> None:
    """The same on PostgreSQL: a stored version's empty channel is dropped when read."""
    import psycopg

    from helpdesk_routing.stores.postgres import PostgresStore
    from tests.pg_server import fresh_schema_dsn

    dsn = fresh_schema_dsn(request)
    with PostgresStore(dsn, agents=AGENTS) as store:
        _router(store, office_hours_channels=["webchat", "sms"])
    with psycopg.connect(dsn) as db:
        row = db.execute("SELECT body FROM configurations WHERE version = 1").fetchone()
        assert row is not None
        old = json.loads(row[0])
        old["office_hours_channels"] = ["", "sms", "webchat"]
        db.execute("UPDATE configurations SET body = %s WHERE version = 1", (json.dumps(old),))
    with PostgresStore(dsn) as store:
        router = _router(store)
        assert router.configuration.office_hours_channels == {"sms", "webchat"}
        v2 = router.configure(actor="m1", capacity=3)
        assert (v2.version, v2.office_hours_channels) == (2, {"sms", "webchat"})
