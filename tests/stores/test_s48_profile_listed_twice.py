"""A profile id listed twice in a customer-data seed is refused by every adapter, naming
both places, and nothing is stored (the memory adapter kept the last, the SQL ones the
first: the same seed routed differently); ``demo --data`` names it in
``customers.json`` (a second profile silently changed the routing)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import helpdesk_routing as hr
from helpdesk_routing import cli
from helpdesk_routing.stores.sqlite import SqliteCustomerData

SEED = [
    hr.Profile(id="p1", properties={"x": 1}),
    hr.Profile(id="p2"),
    hr.Profile(id="p1", properties={"x": 2}),
]


def _adapters(tmp_path: Path) -> list[Callable[..., Any]]:
    return [
        lambda **kw: hr.InMemoryCustomerData(**kw),
        lambda **kw: SqliteCustomerData(tmp_path / "c.db", **kw),
    ]


@pytest.mark.parametrize("which", [0, 1])
def test_every_adapter_refuses_it(tmp_path: Path, which: int) -> None:
    make = _adapters(tmp_path)[which]
    with pytest.raises(hr.ValidationError) as info:
        make(profiles=SEED)
    assert info.value.message == "invalid profiles"
    assert [(d.path, d.message, d.code) for d in info.value.details] == [
        ("$[2].id", "profile 'p1' is listed twice (profiles[0] and profiles[2])", "duplicate")
    ]
    data = make()
    assert data.profile("p1") is None
    assert data.profile("p2") is None


@pytest.mark.postgres
def test_postgres_refuses_it(pg_dsn: str) -> None:
    from helpdesk_routing.stores.postgres import PostgresCustomerData

    with pytest.raises(hr.ValidationError, match="is listed twice"):
        PostgresCustomerData(pg_dsn, profiles=SEED)
    with PostgresCustomerData(pg_dsn) as data:
        assert data.profile("p2") is None


def test_demo_data_names_it_in_its_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    shutil.copytree(Path(hr.__file__).parent / "demo_data", data)
    customers = json.loads((data / "customers.json").read_text())
    n = len(customers["profiles"])
    first = customers["profiles"][0]["id"]
    customers["profiles"].append({"id": first, "properties": {"churn_risk": "High"}})
    (data / "customers.json").write_text(json.dumps(customers))
    assert cli.main(["demo", "--data", str(data)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "error: invalid customers.json",
        f"  $.profiles[{n}].id: profile {first!r} is listed twice (profiles[0] and profiles[{n}])",
    ]


@pytest.mark.parametrize("which", [0, 1])
def test_add_profiles_replaces_in_order(tmp_path: Path, which: int) -> None:
    """Not a seed: ``add_profiles`` adds or replaces, so the last of an id is kept."""
    data = _adapters(tmp_path)[which]()
    data.add_profiles(SEED)
    assert data.profile("p1") == SEED[2]
