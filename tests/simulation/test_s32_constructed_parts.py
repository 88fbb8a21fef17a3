"""``run`` and ``sweep`` check the parts a run reads of a scenario made with
``model_construct`` (which checks nothing): a Poisson rate of 0 divided by zero, NaN
failed deep in the backend with Python's ValueError, -1 ran with tickets before the
start, and infinity ran. Each is an ``hr.ValidationError`` at its path now."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.errors import ValidationError
from helpdesk_routing.simulation import (
    AgentSpec,
    Cell,
    Exponential,
    LogNormal,
    Pending,
    PoissonArrivals,
    ReplayArrivals,
    ReplayTicket,
    Scenario,
    TicketMix,
    grid,
    run,
    sweep,
)

from .conftest import mmc

_GOOD = mmc(2, 0.5, 50, mode="router")


def _made(**change: Any) -> Scenario:
    return Scenario.model_construct(**{**dict(_GOOD), **change})


def _rate(rate: Any) -> Scenario:
    return _made(arrivals=PoissonArrivals.model_construct(per_hour=rate))


def _replay(hours: tuple[int, ...]) -> Scenario:
    tickets = tuple(
        ReplayTicket(created_at=_GOOD.start + dt.timedelta(hours=h), channel="email") for h in hours
    )
    return _made(arrivals=ReplayArrivals.model_construct(tickets=tickets), tickets=None, days=None)


CASES = [
    (_rate(0.0), "$.arrivals.per_hour", "arrival rates must not all be 0"),
    (_rate(math.nan), "$.arrivals.per_hour", "Input should be a finite number"),
    (_rate(math.inf), "$.arrivals.per_hour", "Input should be a finite number"),
    (_rate(-1.0), "$.arrivals.per_hour", "Input should be greater than or equal to 0"),
    (_rate(2e6), "$.arrivals.per_hour", "Input should be less than or equal to 1000000"),
    (_rate((1.0,) * 5), "$.arrivals.per_hour", "per_hour needs 1 or 168 rates, got 5"),
    (_rate((1.0,) * 167 + (-1.0,)), "$.arrivals.per_hour[167]", "greater than or equal to 0"),
    (_rate("7"), "$.arrivals.per_hour", "Input should be a valid number"),
    (
        _made(handling=Exponential.model_construct(mean_minutes=math.nan)),
        "$.handling.mean_minutes",
        "finite",
    ),
    (
        _made(handling_by_channel={"email": LogNormal.model_construct(mean_minutes=1, sigma=-1)}),
        "$.handling_by_channel.email.sigma",
        "greater than 0",
    ),
    (_made(handling_by_team={"t": 5}), "$.handling_by_team.t", "is no Exponential or"),
    (
        _made(
            pending=Pending.model_construct(probability=2.0, duration=Exponential(mean_minutes=1))
        ),
        "$.pending.probability",
        "less than or equal to 1",
    ),
    (
        _made(mix=TicketMix.model_construct(channels={"email": math.nan})),
        "$.mix.channels.email",
        "finite",
    ),
    (
        _made(agents=(AgentSpec.model_construct(id="a", capacity=-1),)),
        "$.agents[0].capacity",
        "greater than or equal to 0",
    ),
    (_made(agents=()), "$.agents", "is no list of agents"),
    (_made(agents=(AgentSpec(id="a"), AgentSpec(id="a"))), "$.agents[1].id", "given twice"),
    (_made(timezone="Mars/Base"), "$.timezone", "unknown time zone 'Mars/Base'"),
    (_replay((3, 1, 2)), "$.arrivals.tickets[1]", "a replay is in time order"),
    (_replay(()), "$.arrivals.tickets", "is no list of replayed tickets"),
    # the fields a run reads as they are: a raw ValueError or OverflowError, or a run
    # with a seed no document may give (2**80 ran, and its result carried it)
    (_made(ttfr_target_minutes=math.nan), "$.ttfr_target_minutes", "finite"),
    (_made(ttfr_target_minutes=1e300), "$.ttfr_target_minutes", "less than or equal to"),
    (_made(seed=2**80), "$.seed", "less than or equal to"),
    (_made(seed=1.5), "$.seed", ""),
    (_made(policy="bogus"), "$.policy", "Input should be"),
    (_made(mode="fast"), "$.mode", "Input should be"),
    (_made(configuration={"version": 1}), "$.configuration", "is no Configuration"),
    (_made(customers=({"id": "p1"},)), "$.customers[0]", "is no Profile"),
    (_made(events="none"), "$.events", "is no list"),
]


@pytest.mark.parametrize(("scenario", "path", "message"), CASES)
def test_run_refuses_a_constructed_part_at_its_path(
    scenario: Scenario, path: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        run(scenario, 1)
    assert caught.value.message.startswith(f"scenario {_GOOD.name!r} cannot run")
    assert [d.path for d in caught.value.details] == [path]
    assert message in caught.value.details[0].message


@pytest.mark.parametrize(("scenario", "path", "message"), CASES[:4])
def test_sweep_names_the_cell_of_a_constructed_rate(
    scenario: Scenario, path: str, message: str
) -> None:
    cells = [*grid(_GOOD, "pooled", 1), Cell(scenario, "pooled", 1)]
    with pytest.raises(ValidationError) as caught:
        sweep(cells)
    assert caught.value.message.startswith(
        f"cells[1] (scenario {_GOOD.name!r}, policy pooled, seed 1): scenario"
    )
    assert [d.path for d in caught.value.details] == [path]


@given(st.floats(min_value=1e-3, max_value=1e3))
def test_a_constructed_scenario_of_valid_parts_runs_as_the_read_one(rate: float) -> None:
    read = _GOOD.model_copy(update={"arrivals": PoissonArrivals(per_hour=rate)})
    made = _made(arrivals=PoissonArrivals.model_construct(per_hour=rate))
    assert run(made, 3) == run(read, 3)


_WEEK = [1.0] * 168
_BELOW = "Input should be greater than or equal to 0"
_FINITE = "Input should be a finite number"


@pytest.mark.parametrize(
    ("rates", "path", "message"),
    [
        (-1.0, "$.arrivals.per_hour", _BELOW),
        ((*_WEEK[:5], -2.0, *_WEEK[6:]), "$.arrivals.per_hour[5]", _BELOW),
        ([*_WEEK[:5], -2.0, *_WEEK[6:]], "$.arrivals.per_hour[5]", _BELOW),
        (math.nan, "$.arrivals.per_hour", _FINITE),
        (-math.inf, "$.arrivals.per_hour", _FINITE),
        ((*_WEEK[:167], math.nan), "$.arrivals.per_hour[167]", _FINITE),
    ],
)
def test_a_constructed_rate_copied_into_a_scenario_is_said_as_the_field_says_it(
    rates: Any, path: str, message: str
) -> None:
    """A ``PoissonArrivals`` made by ``model_construct`` with a rate the field refuses,
    given to a scenario's ``model_copy(update=...)``, is refused at the rate in the
    field's words, as a mapping of the same values is: a rate below 0 was "arrival rates
    must not all be 0", NaN and infinity were taken, and rates in a list raised Python's
    ``TypeError``. Good rates in a list are read as the field reads them."""
    made = PoissonArrivals.model_construct(per_hour=rates)
    with pytest.raises(ValidationError) as info:
        _GOOD.model_copy(update={"arrivals": made})
    assert [(d.path, d.message) for d in info.value.details] == [(path, message)]
    copied = _GOOD.model_copy(update={"arrivals": PoissonArrivals.model_construct(per_hour=_WEEK)})
    assert copied.arrivals.mean_per_hour == 1.0
