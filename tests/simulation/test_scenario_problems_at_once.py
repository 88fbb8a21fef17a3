"""A scenario's problems are told at once: a field's problem does not hide a team member
who is no agent, nor does a reference hide how the parts disagree or the run's bounds
(each check in turn told the first one's problems alone)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from helpdesk_routing.errors import ValidationError
from helpdesk_routing.simulation import Scenario

MEMBER = "$.configuration.teams[0].members[1]"


def _doc(**changes: Any) -> str:
    document: dict[str, Any] = {
        "name": "x",
        "days": 1,
        "arrivals": {"type": "poisson", "per_hour": 5},
        "agents": [{"id": "ann"}],
        "handling": {"type": "exponential", "mean_minutes": 5},
        "configuration": {"teams": [{"id": "t", "members": ["ann", "ghost"]}]},
    }
    document.update(changes)
    return json.dumps(document)


@pytest.mark.parametrize(
    ("changes", "paths"),
    [
        ({}, [MEMBER]),
        ({"timezone": "Nowhere/Zone"}, ["$.timezone", MEMBER]),
        ({"days": 0}, ["$.days", MEMBER]),
        ({"mode": "queueing"}, [MEMBER, "$.configuration.teams"]),
        ({"sample_minutes": 0.0001}, [MEMBER, "$.sample_minutes"]),
    ],
    ids=["member", "time zone", "days", "queueing mode", "samples"],
)
def test_every_problem_is_told_at_once(changes: dict[str, Any], paths: list[str]) -> None:
    with pytest.raises(ValidationError) as caught:
        Scenario.from_json(_doc(**changes))
    assert [d.path for d in caught.value.details] == paths
