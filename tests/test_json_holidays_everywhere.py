"""Office hours read from JSON take ``holidays`` as a list only, as the JSON Schema says,
wherever the JSON comes from: a scenario file, ``simulate --days`` (which reads the file
and overrides a field), and a stored configuration given to ``check``. A mapping given
from Python still gives its keys (docs/calendar.md)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from helpdesk_routing import cli
from helpdesk_routing.errors import ValidationError
from helpdesk_routing.simulation import Scenario

HOURS: dict[str, Any] = {"timezone": "UTC", "weekly": {"mon": [["09:00", "17:00"]]}}
AS_OBJECT = {**HOURS, "holidays": {"2026-12-25": "Christmas"}}
AS_LIST = {**HOURS, "holidays": ["2026-12-25"]}


def _scenario(hours: dict[str, Any]) -> dict[str, Any]:
    return {
        "days": 1,
        "arrivals": {"type": "poisson", "per_hour": 1},
        "agents": [{"id": "a1"}],
        "handling": {"type": "exponential", "mean_minutes": 3},
        "configuration": {"office_hours": hours, "office_hours_channels": ["webchat"]},
    }


def test_a_scenario_file_refuses_holidays_as_an_object() -> None:
    """Scenario.from_json, like OfficeHours.from_json, refuses the object by its path."""
    with pytest.raises(ValidationError) as info:
        Scenario.from_json(json.dumps(_scenario(AS_OBJECT)))
    assert "$.configuration.office_hours.holidays" in info.value.paths
    scenario = Scenario.from_json(json.dumps(_scenario(AS_LIST)))
    hours = scenario.configuration.office_hours
    assert hours is not None
    assert [str(d) for d in hours.holidays] == ["2026-12-25"]


def test_a_python_scenario_still_takes_a_mapping_of_holidays() -> None:
    """From Python (model_validate of a dict built in code) a mapping gives its keys."""
    scenario = Scenario.model_validate(_scenario(AS_OBJECT))
    hours = scenario.configuration.office_hours
    assert hours is not None
    assert [str(d) for d in hours.holidays] == ["2026-12-25"]


@pytest.mark.parametrize("extra", [[], ["--days", "1"]])
def test_simulate_refuses_holidays_as_an_object_with_or_without_days(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str]
) -> None:
    """simulate reads the file as JSON whether or not --days overrides a field (with it,
    the file was validated as Python data, and the object was taken)."""
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(_scenario(AS_OBJECT)))
    assert cli.main(["simulate", str(path), *extra], io.StringIO()) == 1
    assert "$.configuration.office_hours.holidays" in capsys.readouterr().err


def test_check_refuses_a_stored_configuration_with_holidays_as_an_object(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """check reads a stored Configuration (version and at) as JSON too."""
    path = tmp_path / "configuration.json"
    config = {"version": 1, "at": "2026-01-01T00:00:00Z", "office_hours": AS_OBJECT}
    path.write_text(json.dumps(config))
    assert cli.main(["check", str(path)], io.StringIO()) == 1
    assert "$.office_hours.holidays" in capsys.readouterr().err
    path.write_text(json.dumps({**config, "office_hours": AS_LIST}))
    assert cli.main(["check", str(path)], io.StringIO()) == 0
