"""A scenario read from JSON text reads its configuration as JSON text is read.

``Scenario.from_json`` and ``simulate`` decode the text and validate it in Python mode
(with ``JSON_INPUT``); the configuration took that for Python input, and accepted
``"rules": [...]`` (a plain array) and ``"office_hours_channels": "webchat"`` (one
string), which ``Scenario.model_validate_json``, ``Configuration.model_validate_json``
and ``check`` refuse (docs/configuration.md: "an array there is refused", "a string
there is refused"). From Python both are still taken."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from helpdesk_routing import RoutingRule, SaveAsView, ValidationError
from helpdesk_routing import cli as main_cli
from helpdesk_routing.conditions import ticket
from helpdesk_routing.simulation import Scenario

from .conftest import mmc

_PATHS = {
    "rules": "$.configuration.rules",
    "channels": "$.configuration.office_hours_channels",
}


_RULE = json.loads(
    RoutingRule(
        id="vip", name="VIP", when=ticket("subject").contains("vip"), then=SaveAsView(view="vip")
    ).model_dump_json()
)


def _data(case: str) -> dict[str, Any]:
    data = json.loads(mmc(2, 0.7, 50).model_dump_json())
    data["mode"] = "router"
    configuration = data["configuration"]
    if case == "rules":
        configuration["rules"] = [_RULE]
    else:
        configuration["office_hours_channels"] = "webchat"
    return data


@pytest.mark.parametrize("case", sorted(_PATHS))
def test_every_json_door_refuses_what_json_text_does_not_write(case: str) -> None:
    text = json.dumps(_data(case))
    for read in (Scenario.from_json, Scenario.model_validate_json):
        with pytest.raises(ValidationError) as caught:
            read(text)
        assert caught.value.paths == (_PATHS[case],), read


@pytest.mark.parametrize("case", sorted(_PATHS))
def test_simulate_refuses_it_naming_the_path(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(_data(case)))
    assert main_cli.main(["simulate", str(path)], out=io.StringIO()) == 1
    assert _PATHS[case] in capsys.readouterr().err


@pytest.mark.parametrize("case", sorted(_PATHS))
def test_from_python_both_are_still_taken(case: str) -> None:
    scenario = Scenario.model_validate(_data(case))
    assert scenario.configuration.office_hours_channels == frozenset({"webchat"})
    assert [r.id for r in scenario.configuration.rules.rules] == (
        ["vip"] if case == "rules" else []
    )
