"""``_collector.collector_paused``: the cyclic collector off for a block of bulk building
(a replay read from a file or a pickle), then left as it was, whatever the block does."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from helpdesk_routing._collector import collector_paused
from helpdesk_routing.simulation import ReplayArrivals, ReplayTicket


@pytest.fixture(autouse=True)
def _restored() -> Iterator[None]:
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_off_inside_and_as_it_was_after(enabled: bool) -> None:
    (gc.enable if enabled else gc.disable)()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled() is enabled
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("x")
    assert gc.isenabled() is enabled


def test_nested_pauses_leave_it_on_only_at_the_outermost() -> None:
    gc.enable()
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_replay_file_is_read_with_the_collector_paused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.jsonl"
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    rows = [
        {"created_at": (at + timedelta(minutes=i)).isoformat(), "channel": "sms"} for i in range(3)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    seen: list[bool] = []
    validate = ReplayTicket.model_validate

    def spied(obj: Any, **kwargs: Any) -> ReplayTicket:
        seen.append(gc.isenabled())
        return validate(obj, **kwargs)

    monkeypatch.setattr(ReplayTicket, "model_validate", spied)
    gc.enable()
    assert len(ReplayArrivals.from_file(path).tickets) == 3
    assert seen == [False, False, False]
    assert gc.isenabled()
    with pytest.raises(FileNotFoundError):
        ReplayArrivals.from_file(tmp_path / "missing.jsonl")
    assert gc.isenabled()


def test_a_scenarios_parts_are_validated_with_the_collector_paused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from helpdesk_routing.simulation import Scenario
    from helpdesk_routing.simulation import replay as replay_module

    seen: list[bool] = []
    check = replay_module.as_core

    def spied(model: Any, fields: Any) -> None:
        seen.append(gc.isenabled())
        check(model, fields)

    monkeypatch.setattr(replay_module, "as_core", spied)
    gc.enable()
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    Scenario.model_validate(
        {
            "name": "replayed",
            "start": at.isoformat(),
            "days": 1,
            "arrivals": {
                "type": "replay",
                "tickets": [{"created_at": at.isoformat(), "channel": "sms"}] * 3,
            },
            "agents": [{"id": "a1"}],
            "handling": {"type": "exponential", "mean_minutes": 5},
        }
    )
    assert seen == [False, False, False]
    assert gc.isenabled()


def test_a_models_error_is_built_with_the_collector_paused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import helpdesk_routing as hr
    from helpdesk_routing.errors import ModelValidationError

    seen: list[bool] = []
    of = ModelValidationError.of.__func__  # type: ignore[attr-defined]

    def spied(cls: Any, *args: Any, **kwargs: Any) -> ModelValidationError:
        seen.append(gc.isenabled())
        return of(cls, *args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(ModelValidationError, "of", classmethod(spied))
    gc.enable()
    with pytest.raises(hr.ValidationError):
        hr.Ticket.model_validate({"id": "t1", "channel": 5})
    assert seen == [False]
    assert gc.isenabled()
