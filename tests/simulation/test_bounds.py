"""A scenario that is read runs to its end: its numbers are finite and bounded, what it
names is held to the core models' rules, and what only a run can find is a
``ValidationError`` that says why."""

from __future__ import annotations

import io
import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk_routing.errors import ValidationError
from helpdesk_routing.model import Agent, Ticket
from helpdesk_routing.simulation import (
    AgentSpec,
    Empirical,
    Exponential,
    LogNormal,
    PoissonArrivals,
    Scenario,
    SimulationResult,
    TicketEvent,
    TicketMix,
    run,
)
from helpdesk_routing.simulation import cli as sim_cli
from helpdesk_routing.simulation._limits import MAX_SAMPLES


def _data(**change: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "small",
        "arrivals": {"type": "poisson", "per_hour": 30},
        "days": None,
        "tickets": 20,
        "agents": [{"id": "a"}, {"id": "b"}],
        "handling": {"type": "exponential", "mean_minutes": 3},
    }
    data.update(change)
    return data


def _refused(data: dict[str, Any]) -> dict[str, list[str]]:
    """The JSON paths ``Scenario.from_json`` names, with their messages (a union's
    members each give one)."""
    with pytest.raises(ValidationError) as info:
        Scenario.from_json(json.dumps(data))
    found: dict[str, list[str]] = {}
    for d in info.value.details:
        found.setdefault(d.path, []).append(d.message)
    return found


_EVENTFUL = {"profiles": {"p1": 1.0}, "no_profile": 0.0}


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (
            {
                "mix": {
                    **_EVENTFUL,
                    "events": [{"metric": "m", "probability": 1, "within_hours": 1e308}],
                },
                "customers": [{"id": "p1"}],
            },
            "$.mix.events[0].within_hours",
            "Input should be less than or equal to 87600",
        ),
        (
            {
                "arrivals": {"type": "poisson", "per_hour": 1e-9},
                "tickets": 3,
                "sample_minutes": 1e15,
            },
            "$.sample_minutes",
            "Input should be less than or equal to 525600",
        ),
        (
            {"arrivals": {"type": "poisson", "per_hour": 1e-9}, "tickets": 3},
            "$.tickets",
            "3 tickets at 1e-09 an hour on average (about 3e+09 hours) and drain_days (7) from "
            "start 2026-11-23T00:00:00+00:00 run past 2262-01-01, the last day a run may reach "
            "(pandas' datetime64[ns] ends on 2262-04-11)",
        ),
        (
            {"arrivals": {"type": "poisson", "per_hour": 1e-8}, "tickets": 3},
            "$.tickets",
            "3 tickets at 1e-08 an hour on average (about 3e+08 hours) and drain_days (7) from "
            "start 2026-11-23T00:00:00+00:00 run past 2262-01-01, the last day a run may reach "
            "(pandas' datetime64[ns] ends on 2262-04-11)",
        ),
        (
            {"days": 30, "tickets": None, "sample_minutes": 0.01},
            "$.sample_minutes",
            "one sample every 0.01 minutes over days (30) and drain_days (7) is more than the "
            "1,000,000 samples a run keeps: sample less often",
        ),
        (
            {"handling": {"type": "exponential", "mean_minutes": 1e308}},
            "$.handling.mean_minutes",
            "Input should be less than or equal to 525600",
        ),
        (
            {"handling": {"type": "lognormal", "mean_minutes": 3, "sigma": 50}},
            "$.handling.sigma",
            "Input should be less than or equal to 5",
        ),
        (
            {"handling": {"type": "empirical", "minutes": [1, 1e9]}},
            "$.handling.minutes[1]",
            "Input should be less than or equal to 525600",
        ),
        (
            {"arrivals": {"type": "poisson", "per_hour": 1e7}},
            "$.arrivals.per_hour",
            "Input should be less than or equal to 1000000",
        ),
        (
            {"mix": {"channels": {"email": 1e300, "sms": 1}}},
            "$.mix.channels.email",
            "Input should be less than or equal to 1000000000",
        ),
        (
            {"start": "1600-01-01T00:00:00Z"},
            "$.start",
            "start 1600-01-01T00:00:00+00:00 is before 1678-01-01, the first a run may start "
            "on (pandas' datetime64[ns] reaches back to 1677-09-21)",
        ),
        # strict JSON refuses it before the model does
        ({"seed": 2**63}, "$.seed", "integer beyond signed 64 bits"),
    ],
)
def test_a_scenario_that_would_overflow_or_hang_is_refused_at_its_path(
    change: dict[str, Any], path: str, message: str
) -> None:
    """Numbers a run could not finish with (it overflowed, or sampled for ever) are
    refused when the scenario is read, each at its JSON path."""
    assert message in _refused(_data(**change))[path]


def test_the_run_may_reach_the_last_day_and_its_frame_holds_it() -> None:
    """A run ending just before 2262-01-01 runs, and its DataFrame holds its instants
    (datetime64[ns] ends on 2262-04-11: a start in 2300 was taken, then to_pandas failed).
    pandas is in the test extra: a missing pandas fails here, never skips."""
    late = Scenario.model_validate(
        _data(start="2261-12-20T00:00:00Z", days=1, drain_days=1, tickets=None)
    )
    frame = run(late, 1).to_pandas()
    assert len(frame) > 0
    assert frame["created"].min() >= datetime(2261, 12, 20, tzinfo=UTC)
    early = Scenario.model_validate(_data(start="1678-01-01T00:00:00Z"))
    assert run(early, 1).to_pandas()["created"].min().year == 1678
    refused = _refused(_data(start="2300-01-01T00:00:00Z", days=1, tickets=None))
    assert "run past 2262-01-01" in refused["$.days"][0]


def test_a_run_spans_at_most_a_hundred_years_and_its_times_are_exact() -> None:
    """A run spans at most 36,525 days, start to end: a replay (or ``days``) past that
    is refused at its path, and one just within it gives each ticket's ``created`` as its
    ``created_at`` to the microsecond. A float second holds a microsecond up to 2**32
    seconds: a replay 311 years on was a microsecond off, and past 292 years
    ``to_pandas`` raised pandas' ``OverflowError``."""
    start = datetime(1800, 1, 1, tzinfo=UTC)

    def replay(*at: str, drain: float = 1) -> dict[str, Any]:
        tickets = [{"created_at": t, "channel": "email"} for t in at]
        return _data(
            start=start.isoformat(),
            arrivals={"type": "replay", "tickets": tickets},
            tickets=None,
            drain_days=drain,
            sample_minutes=525_600,
        )

    far = replay("2100-01-01T12:00:00Z")
    assert "span more than 36,525 days (100 years)" in _refused(far)["$.arrivals"][0]
    assert (
        "span more than" in _refused(_data(start="1800-01-01T00:00:00Z", days=36_525))["$.days"][0]
    )
    at = ["1899-12-30T12:00:00.000001Z", "1899-12-30T12:00:00.999999Z"]
    frame = run(Scenario.model_validate(replay(*at)), 1).to_pandas()
    assert [t.isoformat() for t in frame["created"]] == [
        datetime.fromisoformat(t).isoformat() for t in at
    ]


def _drawn_too_far() -> Scenario:
    # One ticket whose mean wait (0.9 of the longest span the run may sample) is taken;
    # a draw past that span stops the run.
    limit_minutes = (MAX_SAMPLES - 1) * 1.0
    per_hour = 60.0 / (0.9 * limit_minutes)
    return Scenario.model_validate(
        _data(
            arrivals={"type": "poisson", "per_hour": per_hour},
            tickets=1,
            drain_days=0,
            sample_minutes=1,
        )
    )


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
def test_arrivals_drawn_past_the_runs_reach_stop_it_with_a_validation_error() -> None:
    """A ticket count whose mean span fits is read; a seed that draws it past what a run
    may sample stops with ValidationError saying why, never a hang or an OverflowError."""
    scenario = _drawn_too_far()
    outcomes = [
        "ran" if isinstance(r, SimulationResult) else str(r)
        for r in (_run_or_stop(scenario, seed) for seed in range(12))
    ]
    stopped = [o for o in outcomes if o != "ran"]
    assert stopped
    assert "ran" in outcomes
    assert stopped[0].startswith(f"scenario 'small', seed {outcomes.index(stopped[0])}: ")
    assert stopped[0].endswith(
        "with drain_days (0) it would keep more than 1,000,000 samples, one every 1 minutes"
    )


def test_the_cli_says_why_a_run_stopped_without_a_traceback(tmp_path: Path) -> None:
    """simulate exits 1 with one line on stderr when a run stops with ValidationError."""
    scenario = _drawn_too_far()
    seed = next(s for s in range(12) if _stops(scenario, s))
    path = tmp_path / "far.json"
    path.write_text(scenario.model_dump_json())
    parser = sim_cli.argparse.ArgumentParser()
    sim_cli.configure(parser)
    err = io.StringIO()
    assert sim_cli.run(parser.parse_args([str(path), "--seed", str(seed)]), io.StringIO(), err) == 1
    assert err.getvalue().startswith(f"error: cannot simulate {path}: scenario 'small'")
    assert "Traceback" not in err.getvalue()
    err = io.StringIO()
    args = parser.parse_args([str(path), "--seed", str(2**63)])
    assert sim_cli.run(args, io.StringIO(), err) == 2
    assert err.getvalue() == (
        "error: --seed and the replications' seeds must lie in signed 64 bits\n"
    )


def _stops(scenario: Scenario, seed: int) -> bool:
    return isinstance(_run_or_stop(scenario, seed), ValidationError)


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (
            {"agents": [{"id": "a", "capacity": 2**31}]},
            "$.agents[0].capacity",
            "Input should be less than or equal to 2147483647",
        ),
        (
            {"agents": [{"id": "a", "capacity": True}]},
            "$.agents[0].capacity",
            "Input should be a valid integer",
        ),
        ({"agents": [{"id": "a\x00"}]}, "$.agents[0].id", "text must not contain NUL (\\x00)"),
        (
            {"mix": {"channels": {"": 1}}},
            '$.mix.channels[""]',
            "String should have at least 1 character",
        ),
        ({"mix": {"tags": {"t\x00": 0.5}}}, None, "text must not contain NUL (\\x00)"),
        ({"mix": {"channels": {"e\x00": 1}}}, None, "text must not contain NUL (\\x00)"),
        (
            {
                "mix": {
                    **_EVENTFUL,
                    "events": [{"metric": "m\x00", "probability": 1, "within_hours": 1}],
                },
                "customers": [{"id": "p1"}],
            },
            "$.mix.events[0].metric",
            "text must not contain NUL (\\x00)",
        ),
        (
            {
                "mix": {
                    **_EVENTFUL,
                    "events": [
                        {
                            "metric": "m",
                            "probability": 1,
                            "within_hours": 1,
                            "properties": {"n": 2**70},
                        }
                    ],
                },
                "customers": [{"id": "p1"}],
            },
            "$.mix.events[0].properties.n",  # strict JSON names the value itself
            "integer beyond signed 64 bits",
        ),
        (
            {
                "arrivals": {
                    "type": "replay",
                    "tickets": [{"created_at": "2026-11-23T01:00:00Z", "channel": "e\x00"}],
                }
            },
            "$.arrivals.tickets[0].channel",
            "text must not contain NUL (\\x00)",
        ),
    ],
)
def test_what_becomes_an_agent_ticket_or_event_is_held_to_its_rules_when_read(
    change: dict[str, Any], path: str | None, message: str
) -> None:
    """An agent, a mix's channel or tag, a drawn event and a replayed ticket are checked
    by the core models' own rules when read, at their path in the scenario (a run found
    them midway, at paths such as ``Agent $.capacity``)."""
    found = _refused(_data(**change))
    if path is None:  # a key of the mix: named in the path (a tag, by its value in it too)
        assert any(len(said) == 1 and said[0].endswith(message) for said in found.values())
        assert all(p.startswith("$.mix.") for p in found)
    else:
        assert found[path] == [message]


@pytest.mark.parametrize(
    ("fields", "core"),
    [
        ({"id": "a", "capacity": 2**31 - 1}, True),
        ({"id": "a", "capacity": 2**31}, False),
        ({"id": "a", "capacity": -1}, False),
        ({"id": "a", "capacity": 2.0}, False),
        ({"id": "a\x00"}, False),
        ({"id": "a", "name": "Ann \ud800"}, False),
        ({"id": "a", "role": "boss"}, False),
    ],
)
def test_an_agent_spec_takes_what_an_agent_takes(fields: dict[str, Any], core: bool) -> None:
    """AgentSpec accepts exactly what Agent accepts: the rules are Agent's own."""
    for model in (Agent, AgentSpec):
        if core:
            model.model_validate(fields)
        else:
            with pytest.raises(ValidationError):
                model.model_validate(fields)


@pytest.mark.parametrize("channel", ["sms", "", "e\x00", "\udc00"])
def test_a_mix_takes_the_channels_a_ticket_takes(channel: str) -> None:
    """A mix's channel is refused exactly when a Ticket refuses it as its channel."""
    try:
        Ticket(id="t", channel=channel, created_at=datetime(2026, 1, 1, tzinfo=UTC))
        ticket_ok = True
    except ValidationError:
        ticket_ok = False
    try:
        TicketMix(channels={channel: 1.0})
        mix_ok = True
    except ValidationError:
        mix_ok = False
    assert mix_ok == ticket_ok


@pytest.mark.parametrize(
    ("build", "path"),
    [
        (lambda: PoissonArrivals(per_hour=math.nan), "$.per_hour"),
        (lambda: PoissonArrivals(per_hour=(math.inf,) * 168), "$.per_hour[167]"),
        (lambda: Empirical(minutes=(math.nan, 1.0)), "$.minutes[0]"),
        (lambda: TicketMix(channels={"email": math.inf, "sms": 1.0}), "$.channels.email"),
        (lambda: TicketMix(tags={"Order": math.nan}), "$.tags.Order"),
        (lambda: Exponential(mean_minutes=math.inf), "$.mean_minutes"),
        (lambda: Exponential(mean_minutes=1e308), "$.mean_minutes"),
        (lambda: LogNormal(mean_minutes=3.0, sigma=math.nan), "$.sigma"),
        (lambda: TicketEvent(metric="m", probability=1.0, within_hours=math.inf), "$.within_hours"),
        (
            lambda: TicketEvent(
                metric="m", probability=1.0, within_hours=1.0, properties={"v": math.nan}
            ),
            "$.properties.v",
        ),
    ],
)
def test_python_constructors_refuse_numbers_json_cannot_hold(build: Any, path: str) -> None:
    """NaN, infinities and numbers past the bounds are refused by the constructors too,
    naming the field (they failed at run time, or ran and reported nonsense)."""
    with pytest.raises(ValidationError) as info:
        build()
    assert path in info.value.paths


_FLOATS = st.floats(min_value=1e-12, max_value=1e12)
_SCENARIOS = st.fixed_dictionaries(
    {
        "arrivals": st.fixed_dictionaries({"type": st.just("poisson"), "per_hour": _FLOATS}),
        "tickets": st.integers(1, 12),
        "days": st.none() | _FLOATS,
        "drain_days": st.floats(min_value=0, max_value=30),
        "sample_minutes": st.sampled_from([60.0, 1e4, 1e9]),
        "start": st.datetimes(
            min_value=datetime(1500, 1, 1), max_value=datetime(9999, 12, 1), timezones=st.just(UTC)
        ).map(datetime.isoformat),
        "agents": st.just([{"id": "a", "capacity": 1}, {"id": "b"}]),
        "handling": st.one_of(
            st.fixed_dictionaries({"type": st.just("exponential"), "mean_minutes": _FLOATS}),
            st.fixed_dictionaries(
                {
                    "type": st.just("lognormal"),
                    "mean_minutes": _FLOATS,
                    "sigma": st.floats(min_value=1e-3, max_value=60),
                }
            ),
        ),
        "customers": st.just([{"id": "p1"}]),
        "mix": st.fixed_dictionaries(
            {
                "profiles": st.just({"p1": 1.0}),
                "events": st.lists(
                    st.fixed_dictionaries(
                        {
                            "metric": st.just("Placed Order"),
                            "probability": st.just(1.0),
                            "within_hours": _FLOATS,
                        }
                    ),
                    max_size=1,
                ),
            }
        ),
        "pending": st.none()
        | st.fixed_dictionaries(
            {
                "probability": st.just(0.5),
                "duration": st.fixed_dictionaries(
                    {
                        "type": st.just("empirical"),
                        "minutes": st.lists(_FLOATS, min_size=1, max_size=2),
                    }
                ),
            }
        ),
    }
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_SCENARIOS, seed=st.integers(0, 3))
def test_every_scenario_that_is_read_runs_to_its_end(data: dict[str, Any], seed: int) -> None:
    """A small scenario of any numbers is refused when read, or runs to its end (or
    stops with ValidationError saying why); its DataFrame is made: no OverflowError, no
    hang, no error of anything but the library."""
    try:
        scenario = Scenario.from_json(json.dumps(data))
    except ValidationError:
        return
    result = _run_or_stop(scenario, seed)
    if isinstance(result, ValidationError):
        assert "would arrive more than" in str(result)
        return
    assert len(result.records) <= data["tickets"]
    if result.records.created:
        assert len(result.to_pandas()) == len(result.records)


def _run_or_stop(scenario: Scenario, seed: int) -> SimulationResult | ValidationError:
    try:
        return run(scenario, seed)
    except ValidationError as error:
        return error
