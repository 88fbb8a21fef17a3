"""A user's typed code, checked by mypy --strict against the package (py.typed).

The public functions' annotations are part of the surface: a user who swaps two
arguments hears it from the type checker before anything runs.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from mypy import api as mypy_api

pytestmark = pytest.mark.slow

_USER = textwrap.dedent(
    """
    from datetime import UTC, datetime, timedelta

    import helpdesk_routing as hr
    from helpdesk_routing import metrics

    now = datetime(2026, 3, 30, tzinfo=UTC)
    store = hr.InMemoryStore()
    customers = hr.InMemoryCustomerData()
    fine = metrics.report(store, customers, now, now + timedelta(days=1))
    also_fine = metrics.report(store, None, now, now + timedelta(days=1))
    swapped = metrics.report(customers, store, now, now + timedelta(days=1))  # wrong
    text = metrics.report("sqlite:///x.db", None, now, now + timedelta(days=1))  # wrong
    """
)


def _mypy(tmp_path: Path, user: Path, *options: str) -> tuple[str, str, int]:
    """mypy --strict over ``user`` with a fresh cache: (stdout, stderr, exit status)."""
    return mypy_api.run(
        [
            "--strict",
            *options,
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--python-version",
            "3.11",
            str(user),
        ]
    )


def _errors_exactly_on_wrong_lines(tmp_path: Path, name: str, source: str) -> set[int]:
    """mypy --strict over ``source`` reports errors on exactly the lines that end with
    ``# wrong`` (and there is at least one); returns those line numbers."""
    user = tmp_path / name
    user.write_text(source, encoding="utf-8")
    out, err, status = _mypy(tmp_path, user)
    assert status == 1, out + err
    wrong = {n for n, line in enumerate(source.splitlines(), 1) if line.endswith("# wrong")}
    lines = {int(line.split(":")[1]) for line in out.splitlines() if ": error:" in line}
    assert lines == wrong, out
    return wrong


def test_report_arguments_are_typed(tmp_path: Path) -> None:
    assert len(_errors_exactly_on_wrong_lines(tmp_path, "user.py", _USER)) == 2


def _public_frozen_models() -> list[tuple[str, str, str]]:
    """(module, class, a field) of every frozen, extra-forbidding pydantic model a public
    module exports."""
    import importlib

    from pydantic import BaseModel

    found: dict[type, tuple[str, str, str]] = {}
    for module_name in (
        "helpdesk_routing",
        "helpdesk_routing.conditions",
        "helpdesk_routing.handoff",
        "helpdesk_routing.events",
        "helpdesk_routing.metrics",
        "helpdesk_routing.simulation",
    ):
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            if not (isinstance(value, type) and issubclass(value, BaseModel)):
                continue
            config = value.model_config
            if config.get("frozen") and config.get("extra") == "forbid" and value.model_fields:
                found.setdefault(value, (module_name, name, next(iter(value.model_fields))))
    return sorted(found.values())


def test_pydantic_s_plugin_sees_every_public_model_frozen_and_closed(tmp_path: Path) -> None:
    """With the plugin the README asks for, mypy refuses a misspelt keyword and a write
    to a field of every public model. (A config given by a shared name, not written in
    the class, hid both from the plugin for 54 of the 59 models.)"""
    models = _public_frozen_models()
    assert len(models) > 40
    lines = ["from typing import Any", "import helpdesk_routing"]
    for module, _name, _ in models:
        if module != "helpdesk_routing":
            lines.append(f"import {module}")
    for index, (module, name, field) in enumerate(models):
        lines += [
            f"def typo_{index}() -> None:",
            f"    {module}.{name}(not_a_field_zz=1)  # typo {name}",
            f"def write_{index}(model: {module}.{name}, value: Any) -> None:",
            f"    model.{field} = value  # write {name}",
        ]
    user = tmp_path / "user.py"
    user.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\nplugins = pydantic.mypy\n", encoding="utf-8")
    out, err, status = _mypy(tmp_path, user, "--config-file", str(config))
    assert status == 1, out + err
    errors = [line for line in out.splitlines() if ": error:" in line]
    text = user.read_text().splitlines()
    flagged = {text[int(line.split(":")[1]) - 1].split("# ")[-1] for line in errors}
    typos = {f"typo {name}" for _, name, _ in models}
    writes = {f"write {name}" for _, name, _ in models}
    assert typos - flagged == set(), out
    assert writes - flagged == set(), out
    assert all("not_a_field_zz" in line or "read-only" in line for line in errors), out


_DESKS = textwrap.dedent(
    """
    from dataclasses import dataclass

    from helpdesk_routing import handoff


    @dataclass(frozen=True)
    class FrozenDesk:
        name: str = "acme"

        def deliver(self, request: handoff.DeliveryRequest) -> handoff.Delivery:
            return handoff.Delivery(ticket_id="T-1", continue_on="email")

        def find(self, handoff_id: str) -> str | None:
            return None


    class PropertyDesk:
        @property
        def name(self) -> str:
            return "acme"

        def deliver(self, request: handoff.DeliveryRequest) -> handoff.Delivery:
            return handoff.Delivery(ticket_id="T-2", continue_on="email")

        def find(self, handoff_id: str) -> str | None:
            return None


    class PlainDesk:
        def __init__(self) -> None:
            self.name = "acme"

        def deliver(self, request: handoff.DeliveryRequest) -> handoff.Delivery:
            return handoff.Delivery(ticket_id="T-3", continue_on="email")

        def find(self, handoff_id: str) -> str | None:
            return None


    desks: list[handoff.Destination] = [FrozenDesk(), PropertyDesk(), PlainDesk()]
    """
)


def test_a_destination_s_name_may_be_read_only(tmp_path: Path) -> None:
    """A frozen dataclass's field and a property satisfy ``Destination.name`` as a plain
    attribute does (the library only reads it); mypy refused the first two."""
    user = tmp_path / "desks.py"
    user.write_text(_DESKS, encoding="utf-8")
    out, err, status = _mypy(tmp_path, user)
    assert status == 0, out + err


_WRAPPER = """\
import helpdesk_routing as hr
from helpdesk_routing.router import NOT_GIVEN, NotGiven


def set_capacity(desk: hr.Router, capacity: int | None | NotGiven = NOT_GIVEN) -> int | None:
    return desk.configure(actor="m1", capacity=capacity).capacity


def set_hours(desk: hr.Router, hours: hr.OfficeHours | None | NotGiven = NOT_GIVEN) -> None:
    desk.configure(actor="m1", office_hours=hours)


def open_desk(
    store: hr.InMemoryStore,
    rules: hr.RuleSet | NotGiven = NOT_GIVEN,
    teams: list[hr.Team] | NotGiven = NOT_GIVEN,
    allocator: str | NotGiven = NOT_GIVEN,
) -> hr.Router:
    return hr.Router(
        store=store,
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.SystemClock(),
        rules=rules,
        teams=teams,
        allocator=allocator,
    )


def wrong(desk: hr.Router, capacity: int | None | NotGiven = NOT_GIVEN) -> None:
    desk.configure(actor="m1", round_robin=capacity)  # wrong
"""


def test_a_typed_wrapper_forwards_not_given(tmp_path: Path) -> None:
    """``NotGiven`` (the type of ``NOT_GIVEN``) lets a typed wrapper forward "keep the
    stored value" to ``configure``; a value of the wrong type is still an error."""
    assert len(_errors_exactly_on_wrong_lines(tmp_path, "wrapper.py", _WRAPPER)) == 1


_DOCUMENTED_FORMS = textwrap.dedent(
    """
    from datetime import UTC, datetime
    from decimal import Decimal
    from fractions import Fraction
    from typing import Any

    import numpy as np

    import helpdesk_routing as hr
    from helpdesk_routing import simulation as sim
    from helpdesk_routing.conditions import event, ticket
    from helpdesk_routing.simulation import theory
    from helpdesk_routing.simulation.compare import t_quantile

    now = datetime(2026, 3, 30, tzinfo=UTC)
    teams: list[dict[str, Any]] = [{"id": "t", "members": ["a1"]}]
    store = hr.InMemoryStore(agents=[hr.Agent(id="a1"), hr.Agent(id="m1", role="manager")])
    router = hr.Router(
        store=store, customer_data=hr.InMemoryCustomerData(), clock=hr.ManualClock(now),
        teams=teams,
    )
    router.configure(actor="m1", teams=teams, expected_version=np.int64(1))
    router.set_teams(teams, actor="m1")
    router.rollback(np.int64(1), actor="m1")
    router.views.all_tickets(limit=np.int64(5))
    window = event("Placed Order").since("2026-03-01T00:00:00Z")
    window = event("Placed Order").between("2026-03-01T00:00:00Z", now)
    scenario = sim.Scenario.from_json("{}")
    sim.run(scenario, np.int64(1))
    sim.replicate(scenario, np.int64(2), seed=np.int64(1))
    sim.estimate([1.0, 2.0], confidence=Fraction(9, 10))
    t_quantile(Fraction(39, 40), Fraction(4))
    theory.erlang_c_wait(c=np.int64(4), rho=0.7)
    theory.round_robin_wait(4, Fraction(7, 10))
    cond = ticket("channel") == "sms"
    refused = True & cond  # wrong
    decimal = theory.erlang_c(2, Decimal("0.5"))  # wrong
    refused_too = None | cond  # wrong
    """
)


def test_the_documented_argument_forms_type_check(tmp_path: Path) -> None:
    """What the docs show working passes mypy --strict (teams as mappings, NumPy
    integers for versions, limits, seeds and agent counts, a ``Fraction`` confidence or
    load, window bounds as ISO text), and what they say is refused (a left operand of
    ``&`` or ``|`` that is no condition) does not (each was the other way round)."""
    _errors_exactly_on_wrong_lines(tmp_path, "forms.py", _DOCUMENTED_FORMS)
