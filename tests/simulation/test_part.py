"""A scenario's models check a changed copy as they check what they are built with, and
name each problem once (a tuple of failed items is not also too short)."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk_routing.errors import ModelValidationError, ValidationError
from helpdesk_routing.simulation import (
    AgentSpec,
    Empirical,
    Exponential,
    Pending,
    PoissonArrivals,
    ReplayArrivals,
    ReplayTicket,
    Scenario,
    TicketMix,
    run,
)


def _scenario(**change: Any) -> Scenario:
    fields: dict[str, Any] = {
        "arrivals": PoissonArrivals(per_hour=2),
        "days": 1,
        "drain_days": 1,
        "agents": [AgentSpec(id="a")],
        "handling": Exponential(mean_minutes=1),
    }
    return Scenario(**{**fields, **change})


@pytest.mark.parametrize(
    ("update", "path", "message"),
    [
        ({"days": math.nan}, "$.days", "Input should be a finite number"),
        ({"days": -5}, "$.days", "Input should be greater than 0"),
        ({"days": 1e7}, "$.days", "days (1e+07) and drain_days (1) from start"),
        ({"days": "seven"}, "$.days", "Input should be a valid number"),
        ({"agents": ()}, "$.agents", "Tuple should have at least 1 item"),
        ({"sample_minutes": 1e-4}, "$.sample_minutes", "one sample every 0.0001 minutes"),
        ({"policy": "fifo"}, "$.policy", "Input should be 'configured'"),
        ({"timezone": "Mars/Base"}, "$.timezone", "unknown time zone 'Mars/Base'"),
        ({"warmup_tickets": 5, "days": None, "tickets": 5}, "$.warmup_tickets", "leaves none"),
        ({"bogus": 1}, "$.bogus", "Extra inputs are not permitted"),
    ],
)
def test_a_copy_of_a_scenario_with_changes_is_checked(
    update: dict[str, Any], path: str, message: str
) -> None:
    """``model_copy(update=...)`` checks the result as ``Scenario(...)`` does (a copy with
    days=NaN or 1e7 ran forever, days="7" ended in a TypeError, agents=() ran none)."""
    with pytest.raises(ModelValidationError) as info:
        _scenario().model_copy(update=update)
    assert [d.path for d in info.value.details] == [path]
    assert message in info.value.details[0].message


def test_a_copy_past_the_calendar_is_refused_before_to_pandas_overflows() -> None:
    """days=1e5 with a sample every 100,000 minutes stays under the samples' bound but
    runs past 2262: refused when copied (it ran, and to_pandas raised OverflowError)."""
    s = _scenario(arrivals=PoissonArrivals(per_hour=1e-3), sample_minutes=100_000, drain_days=0)
    with pytest.raises(ValidationError, match=r"run past 2262-01-01"):
        s.model_copy(update={"days": 1e5})


def test_a_copy_with_valid_changes_is_the_scenario_built_with_them() -> None:
    """A valid update gives the scenario ``Scenario(...)`` gives for the same values (an
    int where a float is expected is read as the constructor reads it), with pydantic's
    fields-set."""
    s = _scenario()
    copied = s.model_copy(update={"days": 2, "seed": 3})
    assert copied == _scenario(days=2.0, seed=3)
    assert copied.model_fields_set == s.model_fields_set | {"days", "seed"}
    assert len(run(copied).records) == len(run(_scenario(days=2.0, seed=3)).records)
    assert s.model_copy() == s
    assert s.model_copy(update={}, deep=True) == s
    deep = s.model_copy(update={"seed": 4}, deep=True)
    assert deep.agents == s.agents
    assert deep.configuration is not s.configuration


@pytest.mark.parametrize(
    ("part", "update", "path"),
    [
        (Exponential(mean_minutes=1), {"mean_minutes": -1}, "$.mean_minutes"),
        (Empirical(minutes=(1.0,)), {"minutes": ()}, "$.minutes"),
        (Pending(probability=0.5, duration=Exponential(mean_minutes=1)), {"probability": 2}, None),
        (TicketMix(), {"channels": {"sms": math.inf}}, "$.channels.sms"),
        (PoissonArrivals(per_hour=1), {"per_hour": math.nan}, "$.per_hour"),
        (AgentSpec(id="a"), {"id": "a\x00"}, "$.id"),
        (AgentSpec(id="a"), {"capacity": -1}, "$.capacity"),
        (
            ReplayTicket(created_at=datetime(2026, 11, 23, tzinfo=UTC), channel="email"),
            {"created_at": datetime(2026, 11, 23)},  # naive: refused
            "$.created_at",
        ),
    ],
)
def test_a_copy_of_a_scenario_part_with_changes_is_checked(
    part: Any, update: dict[str, Any], path: str | None
) -> None:
    """Each part of a scenario checks its changed copies too: a part copied with a bad
    value would otherwise enter a scenario unchecked (a scenario takes its parts as
    they are)."""
    with pytest.raises(ModelValidationError) as info:
        part.model_copy(update=update)
    if path is not None:
        assert path in info.value.paths


def test_a_replay_copied_with_other_tickets_is_taken_in_time_order() -> None:
    """A replay's copy goes through its validators: its tickets are sorted as when built."""
    start = datetime(2026, 11, 23, tzinfo=UTC)
    tickets = [ReplayTicket(created_at=start + timedelta(hours=h), channel="e") for h in (2, 1)]
    replay = ReplayArrivals(tickets=tickets[:1]).model_copy(update={"tickets": tickets})
    assert [t.created_at for t in replay.tickets] == [tickets[1].created_at, tickets[0].created_at]


def test_with_policy_copies_without_validating_the_scenario_again() -> None:
    """``with_policy`` (a sweep calls it once per cell) checks the name alone and copies."""
    s = _scenario()
    assert s.with_policy("pooled") == s.model_copy(update={"policy": "pooled"})
    with pytest.raises(ValidationError, match=r"^policy must be one of"):
        s.with_policy("fifo")  # type: ignore[arg-type]


_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "days": st.sampled_from([math.nan, math.inf, -1, 0, 1e-3, 0.5, 2, "1", None, True, 1e5, 1e7]),
    "tickets": st.sampled_from([None, 0, 1, 5, 40, -1, 1.5, 2.0, 2**70, "3"]),
    "drain_days": st.sampled_from([0, 0.5, math.nan, -1, 1e7, None]),
    "warmup_tickets": st.sampled_from([0, 3, 100, -1]),
    "sample_minutes": st.sampled_from([1e-4, 1, 60, 1e5, 0, math.nan]),
    "agents": st.sampled_from(
        [(), [], None, "a", [{"id": "b"}], [{"id": 5}], [{"id": "a"}, {"id": "a"}]]
    ),
    "policy": st.sampled_from(["configured", "pooled", "random", "least_loaded", "fifo", 1]),
    "mode": st.sampled_from(["router", "queueing", "x"]),
    "seed": st.sampled_from([0, -1, 2**63, 2**64, 1.5]),
    "start": st.sampled_from(
        [
            datetime(1600, 1, 1, tzinfo=UTC),
            datetime(2261, 12, 30, tzinfo=UTC),
            datetime(2026, 3, 29, tzinfo=UTC),
            datetime(2026, 3, 29),  # naive: refused
            "x",
        ]
    ),
    "arrivals": st.sampled_from(
        [PoissonArrivals(per_hour=1e-8), PoissonArrivals(per_hour=10), {"type": "poisson"}, None]
    ),
    "handling": st.sampled_from([Exponential(mean_minutes=0.5), {"type": "x"}, None, 1]),
    "timezone": st.sampled_from(["UTC", "Asia/Kolkata", "Mars/Base", None]),
    "mix": st.sampled_from([TicketMix(channels={"sms": 1}), {"channels": {}}, None]),
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    update=st.dictionaries(st.sampled_from(sorted(_VALUES)), st.just(None), max_size=4).flatmap(
        lambda keys: st.fixed_dictionaries({k: _VALUES[k] for k in keys})
    )
)
def test_any_copy_of_a_scenario_runs_to_its_end_or_is_refused(update: dict[str, Any]) -> None:
    """Whatever a copy changes, it is refused with ``ValidationError`` or runs to its end
    (a run's own ``ValidationError`` for a drawn span is the documented other end), and
    its result converts to pandas."""
    try:
        copied = _scenario().model_copy(update=update)
    except ValidationError:
        return
    try:
        result = run(copied, 1)
    except ValidationError as error:
        stopped = str(error)
    else:
        result.to_pandas()
        return
    assert "would arrive more than" in stopped


@pytest.mark.parametrize(
    ("change", "paths"),
    [
        ({"agents": [{"id": 5}]}, ["$.agents[0].id"]),
        ({"agents": [{"id": "a"}, {"id": 5}]}, ["$.agents[1].id"]),
        ({"handling": {"type": "empirical", "minutes": ["x"]}}, ["$.handling.minutes[0]"]),
        (
            {"arrivals": {"type": "replay", "tickets": [{"channel": "x"}]}},
            ["$.arrivals.tickets[0].created_at"],
        ),
        (
            {"configuration": {"teams": [{"id": "t", "name": "T", "members": [5]}]}},
            ["$.configuration.teams[0].members[0]"],
        ),
        ({"agents": []}, ["$.agents"]),
        ({"handling": {"type": "empirical", "minutes": []}}, ["$.handling.minutes"]),
    ],
)
def test_a_tuple_whose_items_fail_is_not_also_too_short(
    change: dict[str, Any], paths: list[str]
) -> None:
    """Only the real problems at their paths: pydantic's follow-on "Tuple should have at
    least 1 item after validation, not 0" is dropped when the tuple given had items,
    through both doors; an empty tuple is still refused as too short."""
    data: dict[str, Any] = {
        "arrivals": {"type": "poisson", "per_hour": 1},
        "agents": [{"id": "a"}],
        "handling": {"type": "exponential", "mean_minutes": 1},
    }
    data.update(change)
    with pytest.raises(ValidationError) as loaded:
        Scenario.from_json(json.dumps(data))
    assert list(loaded.value.paths) == paths
    with pytest.raises(ModelValidationError) as direct:
        Scenario.model_validate(data)
    assert list(direct.value.paths) == paths
    assert direct.value.error_count() == len(paths)  # pydantic's errors() alike


def test_a_part_built_alone_names_its_failed_items_only() -> None:
    """The same holds for a part built by itself."""
    with pytest.raises(ModelValidationError) as info:
        Empirical(minutes=["x"])  # type: ignore[list-item]
    assert info.value.paths == ("$.minutes[0]",)
    with pytest.raises(ModelValidationError) as info:
        ReplayArrivals(tickets=[{"channel": "x"}])  # type: ignore[list-item]
    assert info.value.paths == ("$.tickets[0].created_at",)
    with pytest.raises(ModelValidationError) as info:
        Empirical(minutes=())
    assert info.value.paths == ("$.minutes",)
