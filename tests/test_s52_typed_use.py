"""Documented uses that ran but that mypy --strict refused, and numpy counts.

- ``Router.set_rules`` (a shortcut for ``configure(rules=...)``) was typed ``RuleSet``
  only; ``OfficeHours.always_open`` ``str`` only (a ``ZoneInfo`` gives its key);
  ``Page[i]`` ``int`` only (``page.items[i]`` and ``limit=`` take any index); a
  ``progress`` function had to return ``None`` (tqdm's ``update`` returns a bool), as
  did a connector's ``sleep``.
- ``rules=`` was typed any ``Sequence`` but a ``deque`` or ``UserList`` was refused.
- ``metrics.spread`` and ``FairnessStats.of`` refused numpy integers (pandas'
  ``value_counts``) as no whole numbers, where ``jain_index`` and ``gini`` read them."""

from __future__ import annotations

import textwrap
from collections import UserList, UserString, deque
from pathlib import Path

import pytest

import helpdesk_routing as hr
from helpdesk_routing import metrics
from helpdesk_routing.conditions import ticket

from .test_typed_use import _mypy

_USER = textwrap.dedent(
    """
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    import numpy as np

    import helpdesk_routing as hr
    from helpdesk_routing import simulation as sim
    from helpdesk_routing.conditions import ticket
    from helpdesk_routing.handoff.connectors.zendesk import ZendeskConnector

    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    router = hr.Router(
        store=hr.InMemoryStore(agents=[hr.Agent(id="m1", role="manager")]),
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(now),
    )
    rule = hr.RoutingRule(
        id="sms", name="SMS", when=ticket("channel") == "sms", then=hr.SaveAsView(view="sms")
    )
    router.set_rules([rule], actor="m1")
    hours = hr.OfficeHours.always_open(ZoneInfo("Europe/Amsterdam"))
    page = router.views.all_tickets(limit=np.int64(5))
    first = page[np.int64(0)] if page.items else None


    def note(share: float) -> bool:
        return share >= 0


    scenario = sim.Scenario(
        name="s",
        arrivals=sim.PoissonArrivals(per_hour=30),
        days=None,
        tickets=5,
        agents=[sim.AgentSpec(id="ann")],
        handling=sim.Exponential(mean_minutes=1),
    )
    result = sim.run(scenario, 1, progress=note)


    def pause(seconds: float) -> bool:
        return True


    connector = ZendeskConnector(
        base_url="https://x.zendesk.com", email="a@b.c", api_token="t", sleep=pause
    )
    """
)


@pytest.mark.slow
def test_documented_uses_pass_mypy_strict(tmp_path: Path) -> None:
    user = tmp_path / "user.py"
    user.write_text(_USER, encoding="utf-8")
    out, err, status = _mypy(tmp_path, user)
    assert status == 0, out + err


def test_the_documented_uses_run() -> None:
    namespace: dict[str, object] = {}
    exec(compile(_USER, "user.py", "exec"), namespace)
    router = namespace["router"]
    assert isinstance(router, hr.Router)
    assert [r.id for r in router.rules.rules] == ["sms"]
    hours = namespace["hours"]
    assert isinstance(hours, hr.OfficeHours)
    assert hours.timezone == "Europe/Amsterdam"


@pytest.mark.parametrize("kind", [deque, UserList])
def test_any_sequence_of_rules_is_a_rule_set(kind: type) -> None:
    rule = hr.RoutingRule(
        id="r1", name="R", when=ticket("channel") == "sms", then=hr.SaveAsView(view="v")
    )
    assert hr.Configuration(version=1, at="2026-01-01T00:00:00Z", rules=kind([rule])).rules == (
        hr.RuleSet(rules=[rule])
    )
    bad = {
        "id": "r1",
        "name": "R",
        "when": {"type": "ticket", "field": "channel", "op": "?"},
        "then": {"type": "save_as_view", "view": "v"},
    }
    with pytest.raises(hr.ValidationError) as caught:
        hr.RuleSet(rules=kind([bad]))
    assert [(d.path, d.rule_id) for d in caught.value.details] == [("$.rules[0].when.op", "r1")]


def test_numpy_counts_are_whole_numbers() -> None:
    np = pytest.importorskip("numpy")
    counts = np.array([3, 2, 1], dtype=np.int64)
    assert metrics.spread(counts) == 2
    assert type(metrics.spread(counts)) is int
    stats = metrics.FairnessStats.of(dict(zip(["ann", "bob", "cy"], counts, strict=True)))
    assert stats == metrics.FairnessStats.of({"ann": 3, "bob": 2, "cy": 1})
    assert type(stats.spread) is int
    with pytest.raises(hr.ArgumentTypeError, match=r"counts\[1\] must be a whole number"):
        metrics.spread([1, np.float64(2.0)])
    with pytest.raises(hr.ArgumentTypeError, match="must be a whole number, got bool"):
        metrics.FairnessStats.of({"ann": np.bool_(True)})


@pytest.mark.parametrize("kind", [list, deque, UserList])
def test_a_bad_rule_of_any_sequence_is_named_as_in_a_list(kind: type) -> None:
    bad = {
        "id": "vip",
        "name": "VIP",
        "when": {"type": "ticket", "field": "channel", "op": "equalz", "value": "x"},
        "then": {"type": "save_as_view", "view": "v"},
    }
    with pytest.raises(hr.ValidationError) as caught:
        hr.Configuration(version=1, at="2026-01-01T00:00:00Z", rules=kind([bad]))
    assert [(d.path, d.rule_id) for d in caught.value.details] == [("$.rules[0].when.op", "vip")]


@pytest.mark.parametrize(
    "text", [UserString('{"rules": []}'), memoryview(b'{"rules": []}'), '{"rules": []}']
)
def test_text_is_no_sequence_of_rules(text: object) -> None:
    with pytest.raises(hr.ValidationError) as caught:
        hr.Configuration(version=1, at="2026-01-01T00:00:00Z", rules=text)
    assert caught.value.paths == ("$.rules",)
    assert "rules takes a RuleSet" in caught.value.details[0].message
