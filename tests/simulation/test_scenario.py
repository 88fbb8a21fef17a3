"""Scenarios as JSON, replays of recorded tickets, arrivals by hour of the week."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing.errors import ArgumentTypeError, ValidationError
from helpdesk_routing.simulation import (
    AgentSpec,
    Empirical,
    PoissonArrivals,
    ReplayArrivals,
    Scenario,
    TicketMix,
    run,
)
from helpdesk_routing.simulation._draw import duration
from helpdesk_routing.simulation.demo import webshop_week

from .conftest import mmc


def test_scenario_json_round_trip_is_lossless() -> None:
    """The bundled week survives model_dump_json / from_json unchanged."""
    week = webshop_week()
    assert Scenario.from_json(week.model_dump_json()) == week


def test_replay_reads_jsonl_and_csv_alike(tmp_path: Path) -> None:
    """The same recorded tickets from JSONL and CSV give equal replays, sorted by creation."""
    rows = [
        {
            "created_at": "2026-11-23T09:30:00Z",
            "channel": "sms",
            "tags": ["Order"],
            "profile_id": "p1",
        },
        {"created_at": "2026-11-23T09:00:00Z", "channel": "email", "tags": [], "profile_id": None},
    ]
    jsonl = tmp_path / "t.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    csv = tmp_path / "t.csv"
    csv.write_text(
        "created_at,channel,tags,profile_id\n"
        "2026-11-23T09:30:00Z,sms,Order,p1\n"
        "2026-11-23T09:00:00Z,email,,\n"
    )
    array = tmp_path / "t.json"
    array.write_text(json.dumps(rows, indent=2))
    others = {}
    for name in ("t.ndjson", "t.JSON", "t.txt", "tickets"):  # JSON lines, whatever the name
        others[name] = tmp_path / name
        others[name].write_text(jsonl.read_text())
    a, b = ReplayArrivals.from_file(jsonl), ReplayArrivals.from_file(csv)
    assert a == b == ReplayArrivals.from_file(array)
    assert all(ReplayArrivals.from_file(path) == a for path in others.values())
    assert [t.channel for t in a.tickets] == ["email", "sms"]


@pytest.mark.parametrize(
    ("name", "text"),
    [("t.jsonl", "\n  \n"), ("t.csv", "created_at,channel\n"), ("t.json", " [] ")],
)
def test_a_replay_file_without_records_is_refused_by_name(
    tmp_path: Path, name: str, text: str
) -> None:
    """A file without records: one message naming the file (it was a ``$.tickets`` error
    of the model, naming neither)."""
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ValidationError) as info:
        ReplayArrivals.from_file(path)
    assert info.value.message == f"invalid replay file {name}: it holds no tickets"


def test_replay_json_is_strict_and_names_each_bad_record(tmp_path: Path) -> None:
    """A duplicate key or a NaN is refused in JSONL (by line) and in a .json array (by its
    place); a .json that is no JSON at all is named as a whole."""
    good = {"created_at": "2026-03-02T10:00:00Z", "channel": "sms"}
    jsonl = tmp_path / "t.jsonl"
    jsonl.write_text(
        json.dumps(good)
        + "\n"
        + '{"created_at": "2026-03-02T10:00:00Z", "channel": "sms", "channel": "email"}\n'
        + '{"created_at": "2026-03-02T10:00:00Z", "channel": "sms", "tags": [NaN]}\n'
    )
    with pytest.raises(ValidationError) as info:
        ReplayArrivals.from_file(jsonl)
    assert [str(d) for d in info.value.details] == [
        "$[1].channel: line 2: duplicate key 'channel'",
        "$[2].tags[0]: line 3: not a finite number: NaN",
    ]
    array = tmp_path / "t.json"
    array.write_text(json.dumps([good, {**good, "channel": ""}, 5]))
    with pytest.raises(ValidationError) as info:
        ReplayArrivals.from_file(array)
    assert info.value.paths == ("$[1].channel", "$[2]")
    assert info.value.details[0].message == "String should have at least 1 character"
    array.write_text("[" + json.dumps(good))
    with pytest.raises(ValidationError) as info:
        ReplayArrivals.from_file(array)
    assert info.value.message == "invalid replay file t.json"
    assert [d.code for d in info.value.details] == ["json_syntax"]


def test_a_replay_is_simulated_at_the_recorded_instants() -> None:
    """Replayed tickets arrive when recorded, with their channel; earlier ones are skipped."""
    start = datetime(2026, 11, 23, 8, tzinfo=UTC)
    tickets = [
        {"created_at": (start + timedelta(minutes=m)).isoformat(), "channel": ch}
        for m, ch in [(-5, "email"), (0, "email"), (7, "sms"), (8, "webchat")]
    ]
    scenario = Scenario.model_validate(
        {
            "start": start.isoformat(),
            "days": 1,
            "arrivals": {"type": "replay", "tickets": tickets},
            "agents": [{"id": "a1"}],
            "handling": {"type": "exponential", "mean_minutes": 3},
        }
    )
    result = run(scenario)
    assert result.records.created == [0.0, 420.0, 480.0]
    assert result.records.channel == ["email", "sms", "webchat"]


def test_a_replay_without_days_or_tickets_ends_with_its_last_ticket() -> None:
    """A replay ends by itself: without days or tickets every recorded ticket from the
    start on arrives, as with a span that covers them (Poisson arrivals need one)."""
    start = datetime(2026, 11, 23, 8, tzinfo=UTC)
    tickets = [
        {"created_at": (start + timedelta(minutes=m)).isoformat(), "channel": "email"}
        for m in (-5, 0, 7, 3000)
    ]
    data = {
        "start": start.isoformat(),
        "days": None,  # days defaults to 7
        "arrivals": {"type": "replay", "tickets": tickets},
        "agents": [{"id": "a1"}],
        "handling": {"type": "exponential", "mean_minutes": 3},
    }
    endless = Scenario.model_validate(data)
    assert (endless.days, endless.tickets) == (None, None)
    spanned = Scenario.model_validate({**data, "days": 3})
    assert run(endless).records == run(spanned).records
    assert run(endless).records.created == [0.0, 420.0, 180000.0]


def _weekly(
    rates: list[float], zone: str, start: str, days: float, mode: str = "queueing"
) -> Scenario:
    """One agent, arrivals at ``rates`` by local hour of the week in ``zone``."""
    return Scenario.model_validate(
        {
            "start": start,
            "timezone": zone,
            "days": days,
            "arrivals": {"type": "poisson", "per_hour": rates},
            "agents": [{"id": "a1"}],
            "handling": {"type": "exponential", "mean_minutes": 0.1},
            "mode": mode,
        }
    )


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10_000))
def test_weekly_rates_send_no_ticket_in_a_closed_hour(seed: int) -> None:
    """With a rate only on Monday 09:00-10:00 local time, every arrival falls in that hour."""
    rates = [0.0] * 168
    rates[9] = 30.0
    scenario = _weekly(rates, "Europe/Amsterdam", "2026-11-23T00:00:00+01:00", 14, mode="router")
    result = run(scenario, seed)
    assert result.records.created
    for created in result.records.created:
        local = (scenario.start + timedelta(seconds=created)).astimezone(
            __import__("zoneinfo").ZoneInfo("Europe/Amsterdam")
        )
        assert (local.weekday(), local.hour) == (0, 9)


_ZONES = [
    "Asia/Kolkata",  # +05:30
    "Asia/Kathmandu",  # +05:45
    "America/St_Johns",  # -03:30, with daylight saving
    "Australia/Lord_Howe",  # +10:30, and +11 in summer: a half-hour change
    "Europe/Paris",
    "America/New_York",
]


@settings(max_examples=40, deadline=None)
@given(
    zone=st.sampled_from(_ZONES),
    hours=st.sets(st.integers(min_value=0, max_value=167), min_size=1, max_size=6),
    start=st.sampled_from(
        # near the 2026 changes: Europe 29 March and 25 October, North America 8 March
        # and 1 November, Lord Howe 5 April and 4 October (St John's as New York)
        [
            "2026-03-27T00:00:00Z",
            "2026-10-23T00:00:00Z",
            "2026-03-06T00:00:00Z",
            "2026-10-30T00:00:00Z",
            "2026-04-03T00:00:00Z",
            "2026-10-02T00:00:00Z",
        ]
    ),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_weekly_rates_follow_the_local_hours_in_every_zone(
    zone: str, hours: set[int], start: str, seed: int
) -> None:
    """Rates only in some local hours of the week: every arrival falls in one of them, in
    zones half an hour or 45 minutes off UTC and across daylight-saving changes (the rate
    was looked up at the local hour but kept until the next UTC hour)."""
    rates = [0.0] * 168
    for h in hours:
        rates[h] = 40.0
    scenario = _weekly(rates, zone, start, 8)
    result = run(scenario, seed)
    tz = ZoneInfo(zone)
    for created in result.records.created:
        local = (scenario.start + timedelta(seconds=created)).astimezone(tz)
        assert local.weekday() * 24 + local.hour in hours


def test_a_half_hour_zone_gets_the_whole_local_hour_of_arrivals() -> None:
    """600 an hour on Monday 10:00-11:00 in Kolkata (+05:30): about 600 arrivals, spread
    over the whole local hour (306 came, all after 10:30, when UTC hours bounded it)."""
    rates = [0.0] * 168
    rates[10] = 600.0
    scenario = _weekly(rates, "Asia/Kolkata", "2026-11-23T00:00:00Z", 7)
    created = run(scenario, 1).records.created
    minutes = [
        (scenario.start + timedelta(seconds=c)).astimezone(ZoneInfo("Asia/Kolkata")).minute
        for c in created
    ]
    assert 500 < len(created) < 700  # Poisson(600): 4 standard deviations either side
    assert sum(1 for m in minutes if m < 30) > 200


@given(u=st.floats(min_value=0, max_value=1, exclude_max=True))
def test_durations_are_non_negative_and_empirical_ones_observed(u: float) -> None:
    """Every distribution's inverse CDF gives a duration >= 0; empirical ones an observed value."""
    empirical = Empirical(minutes=(1.0, 2.5, 10.0))
    assert duration(empirical, u) / 60 in empirical.minutes
    week = webshop_week()
    assert duration(week.handling, u) >= 0
    assert duration(week.handling_by_channel["webchat"], u) >= 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"days": None, "tickets": None}, "Poisson arrivals need days or tickets"),
        ({"agents": [{"id": "a"}, {"id": "a"}]}, "agent 'a' is given twice"),
        ({"mix": {"profiles": {"ghost": 1.0}}}, "no customer of the scenario has profile id"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
        ({"days": None, "tickets": 10, "warmup_tickets": 10}, "none of the 10 tickets to measure"),
        ({"arrivals": {"type": "poisson", "per_hour": [1.0, 2.0]}}, "per_hour needs 1 or 168"),
        (
            {"days": 1e9},
            r"days \(1e\+09\) and drain_days \(7\) from start 2026-11-23T00:00:00\+00:00 run "
            r"past 2262-01-01, the last day a run may reach \(pandas' datetime64\[ns\] ends "
            r"on 2262-04-11\)",
        ),
        ({"days": 3_000_000.0}, "run past 2262-01-01"),
        ({"drain_days": 1e6}, "run past 2262-01-01"),
        ({"drain_days": float("inf")}, "Input should be a finite number"),
    ],
)
def test_inconsistent_scenarios_are_refused(change: dict[str, object], message: str) -> None:
    """Each inconsistency is refused with a message saying what is wrong."""
    data = mmc(2, 0.5, 100).model_dump()
    data.update(change)
    with pytest.raises(ValueError, match=message):
        Scenario.model_validate(data)


def test_what_a_scenario_names_must_exist_in_it_each_at_its_path() -> None:
    """A team member who is no agent, a rule to a team that is not configured, a mix
    profile without a customer and a repeated agent: all refused at once, each at its own
    JSON path, before anything runs (a team member was found only by the Router, mid-run).
    Handling times for a channel or team that no ticket has are taken, unused: one set of
    them may serve scenarios of other mixes and teams."""
    data = {
        "agents": [{"id": "ann"}, {"id": "bob"}, {"id": "ann"}],
        "arrivals": {"type": "poisson", "per_hour": 5},
        "days": 1,
        "mix": {"channels": {"email": 1, "sms": 1}, "profiles": {"p1": 0.5, "ghost": 0.5}},
        "customers": [{"id": "p1"}],
        "handling": {"type": "exponential", "mean_minutes": 10},
        "handling_by_channel": {
            "sms": {"type": "exponential", "mean_minutes": 2},
            "emial": {"type": "exponential", "mean_minutes": 2},
        },
        "handling_by_team": {
            "billing": {"type": "exponential", "mean_minutes": 2},
            "biling": {"type": "exponential", "mean_minutes": 2},
        },
        "configuration": {
            "rules": {
                "rules": [
                    {
                        "id": f"r{i}",
                        "name": team,
                        "when": {
                            "type": "ticket",
                            "field": "tags",
                            "op": "contains",
                            "value": team,
                        },
                        "then": {"type": "assign_to_team", "team": team},
                    }
                    for i, team in enumerate(["billing", "biling"])
                ]
            },
            "teams": [
                {"id": "billing", "name": "Billing", "members": ["ann"]},
                {"id": "returns", "name": "Returns", "members": ["bob", "chloe"]},
            ],
        },
    }
    with pytest.raises(ValidationError) as info:
        Scenario.from_json(json.dumps(data))
    assert [(d.path, d.code) for d in info.value.details] == [
        ("$.agents[2].id", "duplicate_agent"),
        ("$.configuration.teams[1].members[1]", "unknown_agent"),
        ("$.mix.profiles.ghost", "unknown_profile"),
        ("$.configuration.rules.rules[1].then.team", "unknown_team"),
    ]
    messages = [d.message for d in info.value.details]
    assert messages[1] == "team 'returns' has member 'chloe', who is no agent of the scenario"
    assert messages[3] == "rule 'r1': no team 'biling' is configured"
    data["agents"] = [{"id": "ann"}, {"id": "bob"}, {"id": "chloe"}]
    data["mix"]["profiles"] = {"p1": 1.0}  # type: ignore[index]
    data["configuration"]["rules"]["rules"].pop()  # type: ignore[index]
    scenario = Scenario.from_json(json.dumps(data))
    assert scenario.configuration.teams[1].members == ("bob", "chloe")
    assert set(scenario.handling_by_channel) == {"sms", "emial"}  # unused, and taken


def test_a_team_given_twice_does_not_hide_a_member_who_is_no_agent() -> None:
    """The configuration refuses a team id given twice before the scenario's references
    are checked; a member who is no agent is told with it, from Python and JSON (it was
    told only once the id was mended)."""
    base = json.loads(mmc(1, 0.5, 10).model_dump_json())
    base["agents"] = [{"id": "ann"}]
    base["configuration"]["teams"] = [
        {"id": "x", "name": "x", "members": ["ann"]},
        {"id": "x", "name": "y", "members": ["bob"]},
    ]
    expected = [
        ("$.configuration.teams[1].id", "duplicate"),
        ("$.configuration.teams[1].members[0]", "unknown_agent"),
    ]
    for read in (Scenario.model_validate, lambda d: Scenario.from_json(json.dumps(d))):
        with pytest.raises(ValidationError) as info:
            read(base)
        assert [(d.path, d.code) for d in info.value.details] == expected
        said = "team 'x' has member 'bob', who is no agent of the scenario"
        assert info.value.details[1].message == said
    # an agent id of the wrong kind (unhashable): who is no agent cannot be told
    base["agents"] = [{"id": ["ann"]}]
    with pytest.raises(ValidationError) as info:
        Scenario.model_validate(base)
    assert [d.path for d in info.value.details] == [
        "$.agents[0].id",
        "$.configuration.teams[1].id",
    ]


def test_with_agent_and_with_policy() -> None:
    """with_agent adds an agent (refusing a taken id); with_policy changes only the policy."""
    s = mmc(2, 0.5, 100)
    assert [a.id for a in s.with_agent(AgentSpec(id="new")).agents] == ["a0", "a1", "new"]
    with pytest.raises(ValueError, match="agent 'a0' is already in the scenario"):
        s.with_agent(AgentSpec(id="a0"))
    assert s.with_policy("pooled").policy == "pooled"
    assert s.with_policy("pooled").agents == s.agents


def test_with_agent_joins_the_teams_named() -> None:
    """with_agent(teams=...) adds the agent as the last member of each team named, and
    leaves the rest of the configuration as it was."""
    week = webshop_week()
    more = week.with_agent(AgentSpec(id="x"), teams=("returns", "retention", "returns"))
    before = {t.id: t.members for t in week.configuration.teams}
    after = {t.id: t.members for t in more.configuration.teams}
    assert after == {
        t: (*m, "x") if t in ("returns", "retention") else m for t, m in before.items()
    }
    rest = {"rules", "office_hours", "office_hours_channels", "round_robin", "allocator"}
    assert {k: getattr(more.configuration, k) for k in rest} == {
        k: getattr(week.configuration, k) for k in rest
    }
    assert week.with_agent(AgentSpec(id="x")).configuration == week.configuration


@pytest.mark.parametrize(
    ("teams", "error", "message"),
    [
        ("returns", ArgumentTypeError, "teams must be team ids .* got str"),
        (None, ArgumentTypeError, "teams must be team ids .* got NoneType"),
        ([3], ArgumentTypeError, r"teams\[0\] must be a team id \(text\), got 3"),
        (["nope"], ValidationError, "team 'nope' is not in the scenario's configuration"),
    ],
)
def test_with_agent_refuses_bad_teams(teams: object, error: type[Exception], message: str) -> None:
    """Text, a non-iterable, a non-text id and an unknown team are refused, named."""
    with pytest.raises(error, match=message):
        webshop_week().with_agent(AgentSpec(id="x"), teams=teams)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("mix", "message"),
    [
        ({"channels": {"email": 0.0}}, "channel weights must not all be 0"),
        ({"no_profile": 0.0}, "profile weights and no_profile must not all be 0"),
    ],
)
def test_bad_ticket_mixes_are_refused(mix: dict[str, object], message: str) -> None:
    """Weights that cannot be drawn from are refused with a message saying which."""
    with pytest.raises(ValueError, match=message):
        TicketMix.model_validate(mix)


_ONE_BAD = [1.0] * 5


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (
            {"arrivals": {"type": "poisson", "per_hour": [*_ONE_BAD, -1.0, *[1.0] * 162]}},
            "$.arrivals.per_hour[5]",
            "Input should be greater than or equal to 0",
        ),
        (
            {"arrivals": {"type": "poisson", "per_hour": [*_ONE_BAD, None, *[1.0] * 162]}},
            "$.arrivals.per_hour[5]",
            "Input should be a valid number",
        ),
        (
            {"arrivals": {"type": "poisson", "per_hour": [*_ONE_BAD, 1e7, *[1.0] * 162]}},
            "$.arrivals.per_hour[5]",
            "Input should be less than or equal to 1000000",
        ),
        (
            {"mix": {"channels": {"email": 1.0, "sms": -1.0}}},
            "$.mix.channels.sms",
            "Input should be greater than or equal to 0",
        ),
        (
            {"mix": {"tags": {"Order": 2.0}}},
            "$.mix.tags.Order",
            "Input should be less than or equal to 1",
        ),
        (
            {"mix": {"profiles": {"p1": -1.0}}, "customers": [{"id": "p1"}]},
            "$.mix.profiles.p1",
            "Input should be greater than or equal to 0",
        ),
        (
            {"handling": {"type": "empirical", "minutes": [-1.0, 2.0]}},
            "$.handling.minutes[0]",
            "Input should be greater than or equal to 0",
        ),
        # a whole list or map is named at its own path too, not at its parent's
        (
            {"arrivals": {"type": "poisson", "per_hour": [1.0] * 167}},
            "$.arrivals.per_hour",
            "per_hour needs 1 or 168 rates, got 167",
        ),
        (
            {"arrivals": {"type": "poisson", "per_hour": [0.0] * 168}},
            "$.arrivals.per_hour",
            "arrival rates must not all be 0",
        ),
        (
            {"mix": {"channels": {"email": 0.0, "sms": 0}}},
            "$.mix.channels",
            "channel weights must not all be 0",
        ),
        (
            {"mix": {"no_profile": 0.0}},
            "$.mix.no_profile",
            "profile weights and no_profile must not all be 0",
        ),
        (
            {"mix": {"no_profile": 0.0, "profiles": {"p1": 0.0}}, "customers": [{"id": "p1"}]},
            "$.mix.profiles",
            "profile weights and no_profile must not all be 0",
        ),
    ],
)
def test_a_bad_item_of_a_list_or_map_is_named_at_its_own_path(
    change: dict[str, object], path: str, message: str
) -> None:
    """A rate, weight, probability or observed minute out of bounds is named at its index
    or key, once (it was named at the list's parent, ``$.arrivals: arrival rates must be
    at least 0 and not all 0``; a bad one of 168 rates was also said to make the list no
    number, ``$.arrivals.per_hour: Input should be a valid number``)."""
    data = {**mmc(2, 0.5, 100).model_dump(mode="json"), **change}
    with pytest.raises(ValidationError) as info:
        Scenario.from_json(json.dumps(data))
    assert [(d.path, d.message) for d in info.value.details] == [(path, message)]


def test_a_scenario_document_may_leave_out_the_configurations_version() -> None:
    """The configuration under test is no stored version: its document needs neither
    ``version`` nor ``at``; given, they are kept (the round trip stays lossless)."""
    data = mmc(2, 0.5, 100, mode="router").model_dump(mode="json")
    data["configuration"] = {"round_robin": True, "office_hours_channels": ["webchat"]}
    scenario = Scenario.model_validate(data)
    assert scenario.configuration.version == 1
    assert scenario.configuration.office_hours_channels == frozenset({"webchat"})
    assert Scenario.from_json(json.dumps(data)) == scenario
    data["configuration"] = {**data["configuration"], "version": 4, "at": "2026-05-01T00:00:00Z"}
    kept = Scenario.model_validate(data).configuration
    assert (kept.version, kept.at) == (4, datetime(2026, 5, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("change", "paths"),
    [
        (
            {"handling": {"type": "lognormal", "mean_minutes": 10, "sigma": -1}},
            ["$.handling.sigma"],
        ),
        (
            {"arrivals": {"type": "poisson", "per_hour": {"mon": 1}}},
            ["$.arrivals.per_hour"],
        ),
        ({"arrivals": {"type": "replay"}}, ["$.arrivals.tickets"]),
        ({"handling_by_channel": {"sms": {"type": "empirical", "minutes": []}}}, None),
        (
            {
                "configuration": {
                    "rules": {
                        "rules": [
                            {
                                "id": "r",
                                "when": {
                                    "type": "any",
                                    "conditions": [{"type": "ticket", "field": "channel"}],
                                },
                                "then": {"type": "assign_to_team", "team": "t"},
                            }
                        ]
                    }
                }
            },
            ["$.configuration.rules.rules[0].when.conditions[0].op"],
        ),
    ],
)
def test_a_bad_scenario_is_located_in_the_document_as_sent(
    change: dict[str, object], paths: list[str] | None
) -> None:
    """pydantic's union tags ("lognormal", "all") and member labels ("float") are no part
    of a JSON path: the paths point into the document, through either door."""
    data = mmc(2, 0.5, 100, mode="router").model_dump(mode="json")
    data.update(change)
    with pytest.raises(ValueError) as direct:  # noqa: PT011 - both doors are ValueErrors
        Scenario.model_validate(data)
    with pytest.raises(ValueError) as loaded:  # noqa: PT011
        Scenario.from_json(json.dumps(data))
    found = list(direct.value.paths)  # type: ignore[attr-defined]
    assert list(loaded.value.paths) == found  # type: ignore[attr-defined]
    if paths is not None:
        assert [p for p in found if p in paths] == paths
    for path in found:
        assert _resolves(data, path), path


def _resolves(data: object, path: str) -> bool:
    """Whether ``path`` leads through ``data``, but maybe for its last step (a missing
    field is named under the object that lacks it)."""
    node = data
    steps = [s for s in path[1:].replace("[", ".[").split(".") if s]
    for i, step in enumerate(steps):
        key: str | int = int(step[1:-1]) if step.startswith("[") else step
        try:
            node = node[key]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return i == len(steps) - 1 and isinstance(node, dict)
    return True


_TAGS = ["poisson", "replay", "exponential", "lognormal", "empirical", "all", "ticket", "x"]
_KEYS = ["type", "per_hour", "mean_minutes", "sigma", "minutes", "tickets", "rules", "when"]


def _nested(inner: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(_KEYS), inner, max_size=4)


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["", "x", *_TAGS]),
    _nested,
    max_leaves=8,
)
_part = st.fixed_dictionaries(
    {"type": st.sampled_from(_TAGS)}, optional=dict.fromkeys(_KEYS[1:], _json)
)


@settings(max_examples=200, deadline=None)
@given(arrivals=_part | _json, handling=_part | _json, rules=_json)
def test_every_path_of_a_bad_scenario_points_into_it(
    arrivals: object, handling: object, rules: object
) -> None:
    """For any document, each reported path leads through the document as sent (or, for
    a missing field, to the object that lacks it)."""
    data = mmc(2, 0.5, 100, mode="router").model_dump(mode="json")
    data.update(arrivals=arrivals, handling=handling, configuration={"rules": rules})
    try:
        Scenario.model_validate(data)
    except ValueError as error:
        for path in error.paths:  # type: ignore[attr-defined]
            assert _resolves(data, path), path


def test_with_policy_and_with_agent_check_what_they_are_given() -> None:
    """A policy that is none is refused; an agent may be its fields; the scenario is
    checked as a whole again (an agent with a shift has no place in queueing mode)."""
    s = mmc(2, 0.5, 100)
    with pytest.raises(ValueError, match=r"^policy must be one of .* got 'fast'$"):
        s.with_policy("fast")  # type: ignore[arg-type]
    assert s.with_agent({"id": "new", "capacity": 2}).agents[-1] == AgentSpec(id="new", capacity=2)
    shift = {"timezone": "UTC", "weekly": {"mon": [["09:00", "17:00"]]}}
    with pytest.raises(ValueError, match="queueing mode needs agents without shifts"):
        s.with_agent({"id": "new", "shift": shift})
    with pytest.raises(ValueError, match=r"\$\.id"):
        s.with_agent({"id": ""})


def test_a_bad_replay_file_names_every_bad_record_by_line(tmp_path: Path) -> None:
    """Each bad record is named by its line and its JSON path in the file's records, all
    of them at once and in file order; a file that is no UTF-8 is named too."""
    csv_file = tmp_path / "t.csv"
    csv_file.write_text(
        "created_at,channel,tags\n"
        "2026-03-02T10:00:00Z,sms,Order\n"
        "not-a-date,sms,\n"
        "2026-03-02T09:00:00Z,,\n"
    )
    with pytest.raises(ValidationError) as info:
        ReplayArrivals.from_file(csv_file)
    assert info.value.message == "invalid replay file t.csv"
    assert info.value.paths == ("$[1].created_at", "$[2].channel")
    assert [d.message.split(":")[0] for d in info.value.details] == ["line 3", "line 4"]
    jsonl = tmp_path / "t.jsonl"
    jsonl.write_text(
        '{"created_at": "2026-03-02T10:00:00Z", "channel": "sms"}\n'
        "\n"
        "{bad json\n"
        '{"created_at": "2026-03-02T11:00:00Z"}\n'
        "null\n"
    )
    with pytest.raises(ValidationError) as info:
        ReplayArrivals.from_file(jsonl)
    # a line of JSON null is a record too: it is named, never skipped
    assert info.value.paths == ("$[1]", "$[2].channel", "$[3]")
    assert [d.message.split(":")[0] for d in info.value.details] == ["line 3", "line 4", "line 5"]
    assert info.value.details[0].code == "json_syntax"
    latin = tmp_path / "t2.jsonl"
    latin.write_bytes('{"channel": "caf\xe9"}'.encode("latin-1"))
    with pytest.raises(ValidationError, match=r"^invalid replay file t2\.jsonl\n") as info:
        ReplayArrivals.from_file(latin)
    assert [str(d) for d in info.value.details] == ["$: not UTF-8: invalid byte at offset 16"]


@pytest.mark.parametrize("path", [5, None, b"t.jsonl"])
def test_a_replay_path_of_the_wrong_kind_is_the_librarys_type_error(path: object) -> None:
    """A path that is no file path is named (``Path(5)`` raised Python's own TypeError)."""
    with pytest.raises(ArgumentTypeError) as info:
        ReplayArrivals.from_file(path)  # type: ignore[arg-type]
    assert info.value.message == f"path must be a file path (str or Path), got {path!r}"


def test_a_replay_path_holding_nul_is_the_librarys_validation_error() -> None:
    """``open``'s bare ``ValueError: embedded null byte`` got out before."""
    with pytest.raises(ValidationError) as info:
        ReplayArrivals.from_file("t\x00.csv")
    assert info.value.message == "path must not contain NUL (\\x00), got 't\\x00.csv'"


def test_a_csv_row_with_more_cells_than_the_header_is_named_by_line(tmp_path: Path) -> None:
    """A row with cells past the header's says so, with its line and both counts (it was
    "Keys should be strings", csv's None key for the extra cells); a row short of the
    header's cells lacks its last fields, named as missing."""
    path = tmp_path / "t.csv"
    path.write_text(
        "created_at,channel,tags,profile_id\n"
        "2026-11-23T01:00:00Z,email,a|b,\n"
        "2026-11-23T03:00:00Z,email,,,extra,more\n"
        "2026-11-23T04:00:00Z\n"
        "2026-11-23T05:00:00Z,sms\n"
    )
    with pytest.raises(ValidationError) as info:
        ReplayArrivals.from_file(path)
    assert [str(d) for d in info.value.details] == [
        "$[1]: line 3: 6 columns given, 4 expected (created_at, channel, tags, profile_id)",
        "$[2].channel: line 4: Field required",
    ]
    assert info.value.details[0].code == "csv_columns"
    path.write_text("created_at,channel,tags\n2026-11-23T05:00:00Z,sms\n")
    (ticket,) = ReplayArrivals.from_file(path).tickets
    assert (ticket.channel, ticket.tags, ticket.profile_id) == ("sms", frozenset(), None)


_REPLAYED = st.lists(
    st.tuples(
        st.integers(0, 10_000),
        st.sampled_from(["email", "sms", "webchat"]),
        st.sets(st.sampled_from(["vip", "Order", "é"]), max_size=2),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=40, deadline=None)
@given(tickets=_REPLAYED)
def test_a_replay_file_reads_the_same_with_a_byte_order_mark(
    tmp_path_factory: pytest.TempPathFactory, tickets: list[tuple[int, str, set[str]]]
) -> None:
    """A leading UTF-8 byte-order mark (Excel's "CSV UTF-8" writes one) changes nothing,
    in CSV, JSONL and a JSON array alike (it broke every CSV row, its first column then
    being "\ufeffcreated_at", and the first JSONL line)."""
    start = datetime(2026, 11, 23, tzinfo=UTC)
    records = [
        {
            "created_at": (start + timedelta(minutes=m)).isoformat(),
            "channel": channel,
            "tags": sorted(tags),
        }
        for m, channel, tags in tickets
    ]
    texts = {
        "t.csv": "created_at,channel,tags\n"
        + "".join(f"{r['created_at']},{r['channel']},{'|'.join(r['tags'])}\n" for r in records),
        "t.jsonl": "".join(json.dumps(r) + "\n" for r in records),
        "t.json": json.dumps(records),
    }
    folder = tmp_path_factory.mktemp("bom")
    replays = []
    for name, text in texts.items():
        plain, marked = folder / name, folder / f"bom-{name}"
        plain.write_text(text, "utf-8")
        marked.write_text(text, "utf-8-sig")
        assert marked.read_bytes().startswith(b"\xef\xbb\xbf")
        replays.append(ReplayArrivals.from_file(marked))
        assert replays[-1] == ReplayArrivals.from_file(plain)
    assert replays[0] == replays[1] == replays[2]


def test_a_replay_given_out_of_order_is_simulated_in_time_order() -> None:
    """A replay written into a scenario in any order is taken in time order (it was
    simulated in list order: the clock went back and the oldest ticket was served last)."""
    start = datetime(2026, 11, 23, tzinfo=UTC)
    hours = [3, 1, 2]
    replay = {
        "type": "replay",
        "tickets": [
            {"created_at": (start + timedelta(hours=h)).isoformat(), "channel": f"c{h}"}
            for h in hours
        ],
    }
    data = {
        "start": start.isoformat(),
        "arrivals": replay,
        "agents": [{"id": "a"}],
        "handling": {"type": "empirical", "minutes": [600]},
    }
    scenario = Scenario.from_json(json.dumps(data))
    assert [t.channel for t in scenario.arrivals.tickets] == ["c1", "c2", "c3"]  # type: ignore[union-attr]
    r = run(scenario, 0).records
    assert r.created == [3600.0, 7200.0, 10800.0]
    assert r.channel == ["c1", "c2", "c3"]
    assert r.started == sorted(r.started)


def test_a_replay_outside_the_arrivals_span_is_refused() -> None:
    """Replayed tickets before the start (or after start + days) are not simulated: a
    replay with none inside is refused, naming the span and the replay's own (it ran
    zero tickets)."""
    start = datetime(2026, 11, 23, tzinfo=UTC)

    def scenario(hours: list[float], days: float | None = 7) -> dict[str, object]:
        tickets = [
            {"created_at": (start + timedelta(hours=h)).isoformat(), "channel": "email"}
            for h in hours
        ]
        return {
            "start": start.isoformat(),
            "days": days,
            "tickets": None if days is not None else 10,
            "arrivals": {"type": "replay", "tickets": tickets},
            "agents": [{"id": "a"}],
            "handling": {"type": "exponential", "mean_minutes": 5},
        }

    with pytest.raises(ValidationError) as info:
        Scenario.from_json(json.dumps(scenario([-3, -1])))
    (detail,) = info.value.details
    assert detail.path == "$.arrivals.tickets"
    assert detail.code == "replay_outside"
    assert detail.message == (
        "no replayed ticket was created in the arrivals' span (from 2026-11-23T00:00:00+00:00 "
        "to 2026-11-30T00:00:00+00:00; the replay runs from 2026-11-22T21:00:00+00:00 to "
        "2026-11-22T23:00:00+00:00): none would be simulated"
    )
    with pytest.raises(ValidationError, match="none would be simulated"):
        Scenario.from_json(json.dumps(scenario([200, 300])))  # after seven days
    # one inside is enough; the others are left out when the run comes to them
    partly = Scenario.from_json(json.dumps(scenario([-1, 2, 200])))
    assert run(partly, 0).records.created == [7200.0]
    assert len(run(Scenario.from_json(json.dumps(scenario([-1, 300], None))), 0).records) == 1


@pytest.mark.parametrize("days", [0.037, 0.5, 1.017, 2.3])
def test_a_replayed_ticket_at_the_spans_very_end_is_simulated(days: float) -> None:
    """The span ends at start + timedelta(days=days), to the microsecond, in the scenario's
    check and in the run alike: days * 86400.0 rounds below it for 0.037 (3196.7999...),
    and the ticket at the end, counted in the span when read, was dropped by the run."""
    start = datetime(2026, 11, 23, tzinfo=UTC)
    end = start + timedelta(days=days)

    def scenario(times: list[datetime], **more: object) -> Scenario:
        return Scenario(
            name="r",
            start=start,
            days=days,
            agents=[AgentSpec(id="a")],
            handling=Empirical(minutes=[1.0]),
            arrivals=ReplayArrivals.model_validate(
                {"tickets": [{"created_at": t, "channel": f"c{i}"} for i, t in enumerate(times)]}
            ),
            **more,  # type: ignore[arg-type]
        )

    assert run(scenario([start, end]), 0).records.channel == ["c0", "c1"]
    assert run(scenario([end]), 0).records.channel == ["c0"]
    warm = run(scenario([start, end], warmup_tickets=1), 0)
    assert warm.summary.tickets == 1
    # a microsecond later is past the span: not simulated
    later = run(scenario([start, end + timedelta(microseconds=1)]), 0)
    assert later.records.channel == ["c0"]


def test_a_team_given_twice_is_refused_at_its_id_when_read() -> None:
    """A second team of one id is refused when the scenario is read, at its path (it
    passed, then stopped the run when the Router was built, with no path); the
    configuration refuses it, in its own words."""
    data = json.loads(webshop_week().model_dump_json())
    teams = data["configuration"]["teams"]
    teams.append({**teams[0], "members": ["chloe"]})
    with pytest.raises(ValidationError) as info:
        Scenario.from_json(json.dumps(data))
    assert [(d.path, d.message) for d in info.value.details] == [
        ("$.configuration.teams[4].id", "team 'retention' is listed twice")
    ]


def test_a_customer_given_twice_is_refused_at_its_id() -> None:
    """A second customer of one id is refused at its path, as a second agent of one id
    is (the last one silently won)."""
    data = mmc(2, 0.5, 100).model_dump()
    data["customers"] = [{"id": "p1"}, {"id": "p1", "segments": ["vip"]}]
    with pytest.raises(ValidationError) as info:
        Scenario.model_validate(data)
    assert [(d.path, d.message) for d in info.value.details] == [
        ("$.customers[1].id", "customer 'p1' is given twice")
    ]


@pytest.mark.parametrize(
    ("tickets", "days", "offsets", "measured", "said"),
    [
        (None, 1, [0, 1, 2], 3, " replayed in the arrivals' span"),
        (10, None, [0, 1, 2], 3, " replayed in the arrivals' span"),
        (10, 1, [0, 1, 30], 2, " replayed in the arrivals' span"),
        (2, None, [0, 1, 2], 2, ""),
    ],
)
def test_a_warmup_of_every_replayed_ticket_is_refused(
    tickets: int | None, days: float | None, offsets: list[int], measured: int, said: str
) -> None:
    """A replay's count is known when it is read: a warm-up that covers every ticket it
    simulates (those in the span, at most ``tickets``) is refused at warmup_tickets (it
    ran, and gave an empty summary: no tickets, every figure NaN)."""
    at = datetime(2026, 11, 23, 9, tzinfo=UTC)
    data = mmc(2, 0.5, 100).model_dump()
    data["arrivals"] = {
        "type": "replay",
        "tickets": [{"created_at": at + timedelta(hours=h), "channel": "email"} for h in offsets],
    }
    data.update(tickets=tickets, days=days, warmup_tickets=measured)
    with pytest.raises(ValidationError) as info:
        Scenario.model_validate(data)
    message = f"leaves none of the {measured} tickets{said} to measure"
    assert [(d.path, d.message) for d in info.value.details] == [("$.warmup_tickets", message)]
    data["warmup_tickets"] = measured - 1
    assert run(Scenario.model_validate(data), 1).summary.tickets == 1


def test_csv_cells_and_tags_are_trimmed(tmp_path: Path) -> None:
    """Each CSV cell, and each tag split by ``|``, is read without the white space around
    it, and an empty tag is dropped (``" email "`` was the channel, ``"Order "`` a tag and
    ``"  p1 "`` the profile: none of them what a rule or a customer names)."""
    path = tmp_path / "t.csv"
    path.write_text(
        " created_at , channel ,tags,profile_id\n"
        "2026-11-23T09:00:00Z, email ,Order | Return| ,  p1 \n"
        " 2026-11-23T10:00:00Z ,sms, | ,  \n"
    )
    first, second = ReplayArrivals.from_file(path).tickets
    assert (first.channel, first.tags, first.profile_id) == (
        "email",
        frozenset({"Order", "Return"}),
        "p1",
    )
    assert (second.created_at.hour, second.channel, second.tags, second.profile_id) == (
        10,
        "sms",
        frozenset(),
        None,
    )


_COLUMNS = "(the columns: created_at, channel, tags, profile_id, in any order; tags and "
_COLUMNS += "profile_id may be left out)"


@pytest.mark.parametrize(
    ("header", "said"),
    [
        ("created_at", "header lacks channel"),
        ("tags,profile_id", "header lacks created_at and channel"),
        (
            "created_at,Channel",
            "header not recognised: 'Channel' is no column (say 'channel'); it lacks channel",
        ),
        ("created_at,channel,tags,tags", "header not recognised: 'tags' is given twice"),
        ("created_at,channel,team", "header not recognised: 'team' is no column"),
        ("created_at,channel,", "header not recognised: a column has no name"),
    ],
)
def test_a_csv_header_is_checked_once(tmp_path: Path, header: str, said: str) -> None:
    """A header without a required column, or with an unknown, differently cased or
    repeated one, is one error naming the columns, however many rows follow (a missing
    column was one error per row: 20,000 lines for 20,000 tickets)."""
    path = tmp_path / "t.csv"
    path.write_text(header + "\n" + "2026-11-23T09:00:00Z,email\n" * 1000)
    with pytest.raises(ValidationError) as info:
        ReplayArrivals.from_file(path)
    assert str(info.value) == f"invalid replay file t.csv: {said} {_COLUMNS}"
    assert info.value.details == ()


_NUMBER = "Input should be a valid number"
_INTEGER = "Input should be a valid integer"


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"tickets": True}, "$.tickets", _INTEGER),
        ({"tickets": 2.0}, "$.tickets", _INTEGER),
        ({"warmup_tickets": "1"}, "$.warmup_tickets", _INTEGER),
        ({"seed": True}, "$.seed", _INTEGER),
        ({"seed": "7"}, "$.seed", _INTEGER),
        ({"days": True}, "$.days", _NUMBER),
        ({"drain_days": False}, "$.drain_days", _NUMBER),
        ({"sample_minutes": "5"}, "$.sample_minutes", _NUMBER),
        (
            {"handling": {"type": "exponential", "mean_minutes": True}},
            "$.handling.mean_minutes",
            _NUMBER,
        ),
        ({"arrivals": {"type": "poisson", "per_hour": True}}, "$.arrivals.per_hour", _NUMBER),
        (
            {"arrivals": {"type": "poisson", "per_hour": ["1", *[1] * 167]}},
            "$.arrivals.per_hour[0]",
            _NUMBER,
        ),
        ({"mix": {"channels": {"email": True}}}, "$.mix.channels.email", _NUMBER),
        ({"mix": {"tags": {"Order": "0.5"}}}, "$.mix.tags.Order", _NUMBER),
    ],
)
def test_a_bool_or_text_is_no_number_of_a_scenario(
    change: dict[str, object], path: str, message: str
) -> None:
    """A scenario's numbers are strict, as the core models' capacity is: ``true`` or
    ``"7"`` is refused at its path (``"tickets": true`` ran one ticket, ``"seed": true``
    seed 1); a float is no count."""
    data = {**mmc(2, 0.5, 100).model_dump(mode="json"), **change}
    with pytest.raises(ValidationError) as info:
        Scenario.from_json(json.dumps(data))
    assert [(d.path, d.message) for d in info.value.details] == [(path, message)]


def test_python_callers_are_held_to_strict_numbers_too() -> None:
    """The constructors and copies refuse a bool or text as a number, as ``run`` refuses
    ``seed=True``; an int is a float where one is expected, and a numpy integer an int."""
    s = mmc(2, 0.5, 100)
    with pytest.raises(ValidationError) as info:
        s.model_copy(update={"seed": True})
    assert info.value.paths == ("$.seed",)
    with pytest.raises(ValidationError) as info:
        PoissonArrivals(per_hour=True)
    assert info.value.paths == ("$.per_hour",)
    with pytest.raises(ValidationError) as info:
        s.model_copy(update={"days": "2"})
    assert info.value.paths == ("$.days",)
    copied = s.model_copy(update={"seed": np.int64(5), "tickets": np.int32(40), "days": 2})
    assert (type(copied.seed), type(copied.tickets), copied.days) == (int, int, 2.0)
    assert PoissonArrivals(per_hour=3).per_hour == 3.0


@pytest.mark.parametrize("agent", [None, 5, "ann", ["ann"]])
def test_with_agent_of_the_wrong_kind_is_the_librarys_type_error(agent: object) -> None:
    """An agent that is neither an AgentSpec nor a mapping of its fields is an
    ``ArgumentTypeError`` (it was a plain ValidationError, "must be a AgentSpec")."""
    with pytest.raises(ArgumentTypeError) as info:
        mmc(2, 0.5, 100).with_agent(agent)  # type: ignore[arg-type]
    assert info.value.message == (
        f"agent must be an AgentSpec or a mapping of its fields, got {type(agent).__name__}"
    )
