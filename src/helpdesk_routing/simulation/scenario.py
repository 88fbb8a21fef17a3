"""What a simulation runs: a :class:`Scenario` (pydantic, JSON) and its parts.

A scenario says where tickets come from (:class:`PoissonArrivals` or
:class:`ReplayArrivals`), what they look like (:class:`TicketMix`), who works them
(:class:`AgentSpec`, with an optional shift), how long work takes (:class:`Exponential`,
:class:`LogNormal`, :class:`Empirical`, per channel or team), what happens after work
(closed, or :class:`Pending` for a while), the policy under test (a stored
:class:`~helpdesk_routing.configuration.Configuration`, optionally overridden by
``policy``), and a seed. ``Scenario.model_validate_json(text)`` / ``model_dump_json()``
round-trip losslessly. Each model's ``model_copy(update=...)`` is validated (``_part``).
"""

from __future__ import annotations

import math
import numbers
import operator
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, ClassVar, Literal, NoReturn, Self, get_args

import pydantic
from pydantic import (
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from helpdesk_routing._input import as_model
from helpdesk_routing._json import SCENARIO_DEPTH, loads
from helpdesk_routing._storable import MAX_INT, MIN_INT
from helpdesk_routing._time import UtcDatetime
from helpdesk_routing.calendar import JSON_INPUT, OfficeHours, iana_zone_keys
from helpdesk_routing.configuration import Configuration
from helpdesk_routing.errors import (
    ArgumentTypeError,
    ValidationError,
    _line,
)
from helpdesk_routing.model import Agent, Event, Profile, Role, Ticket, in_given_order
from helpdesk_routing.rules import AssignToTeam
from helpdesk_routing.stores._customer_args import iterable_arg

from ._core import as_core, problems_as
from ._limits import (
    FIRST_INSTANT,
    LAST_INSTANT,
    MAX_MINUTES,
    MAX_RATE,
    MAX_SAMPLES,
    MAX_SIGMA,
    MAX_SPAN_DAYS,
    MAX_WEIGHT,
    MAX_WITHIN_HOURS,
)
from ._part import Part
from .replay import ReplayArrivals, ReplayTicket, created

__all__ = [
    "AgentSpec",
    "Empirical",
    "Exponential",
    "Handling",
    "LogNormal",
    "Pending",
    "PoissonArrivals",
    "PolicyName",
    "ReplayArrivals",
    "ReplayTicket",
    "Scenario",
    "TicketEvent",
    "TicketMix",
]

# Every number of a scenario is finite (JSON has no NaN or Infinity; Python callers are
# held to the same): a NaN weight or rate would only fail, or mislead, when running.

# Every number is strict, as the core models' capacity and version are: a bool or text
# (`"tickets": true`, `"seed": "7"`) is refused, never read as 1 or 7; an int is a float
# where a float is expected, and any integral number (a numpy integer) an int.
_Minutes = Annotated[float, Field(gt=0, le=MAX_MINUTES, strict=True)]
"""A positive duration in minutes, at most a year."""

MICROSECOND_MINUTES = 1 / 60_000_000
"""A microsecond in minutes: the least ``sample_minutes`` (the grid's points are instants
to the microsecond; a finer grid put its points on one instant)."""

_SampleMinutes = Annotated[float, Field(ge=MICROSECOND_MINUTES, le=MAX_MINUTES, strict=True)]
"""The sampling grid's step in minutes: a microsecond to a year."""


def _integral(value: object) -> object:
    """An integral number (a numpy integer too) as the ``int`` it is; a ``bool``, a
    float or text is left to the strict ``int`` to refuse."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return operator.index(value)
    return value


_Whole = Annotated[int, BeforeValidator(_integral), Field(strict=True)]
"""An integer: an ``int`` or another integral number, no ``bool``, float or text."""

# The bounds of a list's or map's items are the items' own, so that a bad one is named
# at its path (`$.arrivals.per_hour[5]`, `$.mix.channels.sms`), not at the list's.
_Weight = Annotated[float, Field(ge=0, le=MAX_WEIGHT, strict=True)]
_Rate = Annotated[float, Field(ge=0, le=MAX_RATE, strict=True)]
_Probability = Annotated[float, Field(ge=0, le=1, strict=True)]
_Observed = Annotated[float, Field(ge=0, le=MAX_MINUTES, strict=True)]
"""An observed duration in minutes: 0 (done at once) to a year."""


def _rates_shape(value: object) -> str:
    # a list is read as the week's rates alone: a bad one is not also said to be no number
    return "week" if isinstance(value, list | tuple) else "one"


PolicyName = Literal["configured", "round_robin", "least_loaded", "random", "pooled"]
"""The allocation under test: the configuration's own, or one of the four classic ones.

``pooled`` is round robin with a capacity of one open ticket per agent, so tickets wait
in one queue and a free agent takes the oldest (M/M/c); ``random`` sends each ticket to
an agent drawn at random (:class:`~helpdesk_routing.simulation.policies.RandomSplit`).
"""


def check_policy(policy: object) -> PolicyName:
    """``policy`` when it names a policy; else ``ValidationError`` listing the names."""
    if not isinstance(policy, str) or policy not in get_args(PolicyName):
        raise ValidationError(
            f"policy must be one of {', '.join(get_args(PolicyName))}, got {policy!r}"
        )
    return policy  # type: ignore[return-value]


class Exponential(Part):
    """Exponentially distributed durations with the given mean."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
    type: Literal["exponential"] = "exponential"
    mean_minutes: _Minutes


class LogNormal(Part):
    """Log-normal durations with the given mean and ``sigma`` (the log's standard deviation)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
    type: Literal["lognormal"] = "lognormal"
    mean_minutes: _Minutes
    sigma: float = Field(gt=0, le=MAX_SIGMA, strict=True)


class Empirical(Part):
    """Durations drawn uniformly from observed values (minutes)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
    type: Literal["empirical"] = "empirical"
    minutes: Annotated[tuple[_Observed, ...], in_given_order("minutes")] = Field(min_length=1)


Handling = Annotated[Exponential | LogNormal | Empirical, Field(discriminator="type")]
"""A duration distribution: exponential, lognormal or empirical (by ``type``)."""


class Pending(Part):
    """After work, a ticket is set pending with ``probability`` and closed ``duration`` later."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
    probability: _Probability
    duration: Handling


class TicketEvent(Part):
    """A customer event drawn per ticket: with ``probability``, a ticket with a profile has
    the event ``metric`` recorded at a uniformly random instant in the ``within_hours``
    before it is created (so rules such as "Placed Order in the last 2 hours" see it)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
    metric: str = Field(min_length=1)
    probability: _Probability
    within_hours: float = Field(gt=0, le=MAX_WITHIN_HOURS, strict=True)
    properties: dict[str, str | int | float | bool] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _as_event(self) -> Self:
        # what an Event may hold (no NUL in the metric, 64-bit integers...): the Event's rules
        as_core(Event, {"metric": self.metric, "properties": self.properties})
        return self


class TicketMix(Part):
    """What tickets look like: channel weights, per-tag probabilities, profile weights.

    ``profiles`` maps a profile id (of ``Scenario.customers``) to its weight; the weight
    ``no_profile`` is for tickets without one.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
    channels: dict[str, _Weight] = Field(default_factory=lambda: {"email": 1.0}, min_length=1)
    tags: dict[str, _Probability] = Field(default_factory=dict)
    profiles: dict[str, _Weight] = Field(default_factory=dict)
    no_profile: _Weight = Field(default=1.0, ge=0)
    events: Annotated[tuple[TicketEvent, ...], in_given_order("events")] = ()

    @model_validator(mode="after")
    def _as_tickets(self) -> Self:
        # A channel or tag becomes a Ticket's: held to the Ticket's rules, each at its key.
        problems: list[InitErrorDetails] = []
        for channel in self.channels:
            problems += problems_as(Ticket, {"channel": channel}, ("channels", channel))
        for tag in self.tags:
            problems += problems_as(Ticket, {"tags": frozenset({tag})}, ("tags", tag))
        if problems:
            raise PydanticValidationError.from_exception_data(type(self).__name__, problems)
        return self

    @model_validator(mode="after")
    def _weights(self) -> Self:
        # (each weight and probability is in its bounds: checked at its key)
        if sum(self.channels.values()) <= 0:
            _refuse_at(self, ("channels",), "channel weights must not all be 0", self.channels)
        if self.no_profile + sum(self.profiles.values()) <= 0:
            at = "profiles" if self.profiles else "no_profile"  # the one given, if one was
            _refuse_at(
                self,
                (at,),
                "profile weights and no_profile must not all be 0",
                getattr(self, at),
            )
        return self


def _refuse_at(
    model: pydantic.BaseModel, loc: tuple[str | int, ...], message: str, value: object
) -> NoReturn:
    """Refuse ``model`` with one problem at the field ``loc`` (a bare ``ValueError`` from
    a model validator is placed at the model, not at the field it is about)."""
    raise PydanticValidationError.from_exception_data(
        type(model).__name__,
        [InitErrorDetails(type=PydanticCustomError("value_error", message), loc=loc, input=value)],
    )


class PoissonArrivals(Part):
    """Poisson arrivals: one rate per hour, or 168 rates for the hours of the week.

    The week starts on Monday 00:00 in ``Scenario.timezone``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
    type: Literal["poisson"] = "poisson"
    per_hour: Annotated[
        Annotated[_Rate, Tag("one")] | Annotated[tuple[_Rate, ...], Tag("week")],
        Discriminator(_rates_shape),
    ]

    @model_validator(mode="after")
    def _rates(self) -> Self:
        per_hour: Any = self.per_hour
        if not _read_rates(per_hour):
            # A part made by model_construct, taken into a scenario as it is: its rates
            # read as the field reads them, each problem at its index in the field's
            # words (a rate below 0 was "must not all be 0", NaN was taken, a list
            # raised Python's TypeError).
            listed = list(per_hour) if isinstance(per_hour, list | tuple) else per_hour
            type(self).model_validate({"type": "poisson", "per_hour": listed})
        rates = tuple(per_hour) if isinstance(per_hour, list | tuple) else (per_hour,)
        if len(rates) not in (1, 168):
            _refuse_at(
                self, ("per_hour",), f"per_hour needs 1 or 168 rates, got {len(rates)}", rates
            )
        if sum(rates) <= 0:
            _refuse_at(self, ("per_hour",), "arrival rates must not all be 0", self.per_hour)
        return self

    @property
    def mean_per_hour(self) -> float:
        """The mean rate over the week, tickets per hour."""
        per_hour: Any = self.per_hour
        rates = tuple(per_hour) if isinstance(per_hour, list | tuple) else (per_hour,)
        return float(sum(rates)) / len(rates)


_LONGEST = f"{MAX_SPAN_DAYS:,.0f} days ({MAX_SPAN_DAYS / 365.25:.0f} years)"
"""The longest span of a run, as the messages say it."""


def _bound_problem(
    kind: str, message: str, loc: tuple[str, ...], value: object
) -> InitErrorDetails:
    """One problem of a run's bounds, at its field."""
    return InitErrorDetails(type=PydanticCustomError(kind, message), loc=loc, input=value)


def _read_rates(per_hour: object) -> bool:
    """Whether ``per_hour`` is what the field reads rates as: a finite float of at least
    0, or a tuple of them (anything else was not read by it: ``model_construct``)."""
    if type(per_hour) is tuple:
        return all(_read_rate(rate) for rate in per_hour)
    return _read_rate(per_hour)


def _read_rate(rate: object) -> bool:
    return type(rate) is float and math.isfinite(rate) and rate >= 0


class AgentSpec(Part):
    """An agent: id, role, capacity override, and an optional shift.

    With a ``shift`` (office hours in the agent's own zone) the agent comes Online when
    it begins and goes Offline when it ends, finishing the ticket in hand; their other
    assigned tickets wait for the next shift. Without one the agent is Online throughout.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
    id: str = Field(min_length=1)
    name: str = ""
    role: Role = Role.SUPPORT
    # the Agent's own bounds (0 to 2**31 - 1) and strictness (no 2.0, no true)
    capacity: Annotated[int | None, *Agent.model_fields["capacity"].metadata] = None
    shift: OfficeHours | None = None

    @model_validator(mode="after")
    def _as_agent(self) -> Self:
        # It becomes an Agent: held to the Agent's rules (no NUL in the id or name...).
        fields = {"id": self.id, "name": self.name, "role": self.role, "capacity": self.capacity}
        as_core(Agent, fields)
        return self


_UNDER_TEST_AT = datetime(2026, 1, 1, tzinfo=UTC)
"""The instant a scenario's configuration carries when its document gives none."""


def _counted(count: int, noun: str) -> str:
    """``"1 agent"``, ``"3,000 agents"``: a count for a one-line repr."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _id_of(item: Any) -> object:
    """The ``id`` of an item of the input, given as a mapping or as a model."""
    return item.get("id") if isinstance(item, Mapping) else getattr(item, "id", None)


def _strangers(data: Any) -> list[InitErrorDetails]:
    """The members of the input's configured teams who are no agents of its agents,
    each at its path, as :meth:`Scenario._references` says them (read from the input
    when the configuration could not be built); none when the input says too little."""
    if not isinstance(data, Mapping):
        return []
    configuration, agents = data.get("configuration"), data.get("agents")
    teams = (
        configuration.get("teams")
        if isinstance(configuration, Mapping)
        else getattr(configuration, "teams", None)
    )
    if not isinstance(agents, list | tuple) or not isinstance(teams, list | tuple):
        return []
    known: set[str] = set()
    for agent in agents:
        agent_id = _id_of(agent)
        if not isinstance(agent_id, str):
            return []  # an agent without a readable id: who is no agent cannot be told
        known.add(agent_id)
    read = ((i, _id_of(team), _members_of(team)) for i, team in enumerate(teams))
    return _unknown_members(((i, t, m) for i, t, m in read if isinstance(t, str)), known)


def _members_of(team: Any) -> object:
    """The ``members`` of a team of the input, given as a mapping or as a model."""
    return team.get("members") if isinstance(team, Mapping) else getattr(team, "members", None)


def _unknown_members(
    teams: Iterable[tuple[int, str, Any]], agents: set[str]
) -> list[InitErrorDetails]:
    """Each member of ``teams`` (index, id, members) who is none of ``agents``, at its
    path: the one statement of it, for the scenario's check and for its input's."""
    found: list[InitErrorDetails] = []
    for i, team_id, members in teams:
        if not isinstance(members, list | tuple):
            continue
        for j, member in enumerate(members):
            if isinstance(member, str) and member not in agents:
                said = f"team {team_id!r} has member {member!r}, who is no agent of the scenario"
                found.append(
                    InitErrorDetails(
                        type=PydanticCustomError("unknown_agent", said),
                        loc=("configuration", "teams", i, "members", j),
                        input=member,
                    )
                )
    return found


class Scenario(Part):
    """A simulated helpdesk: arrivals, ticket mix, agents, handling, policy, seed, horizon.

    ``days`` bounds the arrivals in time and ``tickets`` in number (the first reached
    ends them); work then continues until every ticket is resolved or ``drain_days``
    pass from the arrivals' end (``days``' end, or the last ticket when counted).
    ``mode="queueing"`` skips the Router for speed: no rules, teams, office hours or
    shifts, but the same allocators decide. The first ``warmup_tickets`` are left out
    of the summary. Its ``repr`` is one line (name, days, tickets, agents, arrivals):
    ``<Scenario 'two agents': at most 3,000 tickets, 2 agents, poisson arrivals>``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
    # Its rule set lies two levels down: a condition of the greatest depth reads back.
    _json_depth: ClassVar[int] = SCENARIO_DEPTH

    name: str = "scenario"
    start: UtcDatetime = datetime(2026, 11, 23, tzinfo=UTC)
    timezone: str = "UTC"
    days: float | None = Field(default=7.0, gt=0, strict=True)
    tickets: _Whole | None = Field(default=None, ge=1)
    drain_days: float = Field(default=7.0, ge=0, strict=True)
    warmup_tickets: _Whole = Field(default=0, ge=0)
    arrivals: Annotated[PoissonArrivals | ReplayArrivals, Field(discriminator="type")]
    mix: TicketMix = Field(default_factory=TicketMix)
    customers: Annotated[tuple[Profile, ...], in_given_order("customers")] = ()
    events: Annotated[tuple[Event, ...], in_given_order("events")] = ()
    agents: Annotated[tuple[AgentSpec, ...], in_given_order("agents")] = Field(min_length=1)
    handling: Handling
    handling_by_channel: dict[str, Handling] = Field(default_factory=dict)
    handling_by_team: dict[str, Handling] = Field(default_factory=dict)
    pending: Pending | None = None
    configuration: Configuration = Field(
        default_factory=lambda: Configuration(version=1, at=_UNDER_TEST_AT)
    )
    policy: PolicyName = "configured"
    mode: Literal["router", "queueing"] = "router"
    seed: _Whole = Field(default=0, ge=MIN_INT, le=MAX_INT)
    sample_minutes: _SampleMinutes = 60.0
    ttfr_target_minutes: _Minutes = 60.0

    def __repr__(self) -> str:
        # One line, what a notebook shows for a scenario: pydantic's repr wrote out every
        # field, a replay's tickets too (megabytes). Equality and JSON are pydantic's.
        said = (
            [f"{self.days:g} day{'' if self.days == 1 else 's'}"] if self.days is not None else []
        )
        if self.tickets is not None:
            said.append(f"at most {_counted(self.tickets, 'ticket')}")
        said.append(_counted(len(self.agents), "agent"))
        if isinstance(self.arrivals, ReplayArrivals):
            said.append(
                f"replay arrivals ({_counted(len(self.arrivals.tickets), 'recorded ticket')})"
            )
        else:
            said.append("poisson arrivals")
        return f"<Scenario {self.name!r}: {', '.join(said)}>"

    @field_validator("configuration", mode="before")
    @classmethod
    def _under_test(cls, value: object) -> object:
        # The configuration under test is no stored version: a scenario's document may
        # leave out the version and its instant, which nothing in a run reads.
        if isinstance(value, Mapping):
            return {"version": 1, "at": _UNDER_TEST_AT, **value}
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, key: str) -> str:
        # The zone is read at run time (arrival rates by local hour of the week): an
        # unknown one is refused here, as office hours refuse theirs, not when running.
        if key not in iana_zone_keys():
            raise PydanticCustomError("time_zone", f"unknown time zone {key!r}")
        return key

    @model_validator(mode="wrap")
    @classmethod
    def _members_with_repeated_teams(
        cls, data: Any, handler: pydantic.ModelWrapValidatorHandler[Self]
    ) -> Self:
        # A field's problem (a team id given twice, which stops the configuration's
        # validation; a time zone; a bad number) stops the check of the scenario's
        # references below: its teams' members who are no agents are told with it, read
        # from the input (every problem at once, as the docs say).
        try:
            return handler(data)
        except PydanticValidationError as exc:
            found = exc.errors(include_url=False)
            if any(e["type"] == "unknown_agent" for e in found):
                raise
            lines = [_line(e) for e in found]
            lines += _strangers(data)
            if len(lines) == len(found):
                raise
            raise PydanticValidationError.from_exception_data(exc.title, lines) from None

    @model_validator(mode="after")
    def _whole(self) -> Self:
        """How the scenario's parts fit together, every problem at once: what it names
        exists in it, its parts agree (:meth:`_inconsistencies`), and, when they do, its
        run's bounds (:meth:`_bound_problems`). (Three checks in turn told the first
        one's problems alone: a queueing mode's teams, or too many samples, were hidden
        behind a member who is no agent.)"""
        problems = self._reference_problems()
        inconsistent = self._inconsistencies()
        problems += inconsistent
        if not inconsistent:
            problems += self._bound_problems()
        if problems:
            raise PydanticValidationError.from_exception_data(type(self).__name__, problems)
        return self

    def _references(self) -> Self:
        """``PydanticValidationError`` unless what the scenario names exists in it."""
        problems = self._reference_problems()
        if problems:
            raise PydanticValidationError.from_exception_data(type(self).__name__, problems)
        return self

    def _reference_problems(self) -> list[InitErrorDetails]:
        """What the scenario names must exist in it: each problem at its own path."""
        problems: list[InitErrorDetails] = []

        def problem(loc: tuple[str | int, ...], kind: str, message: str, value: object) -> None:
            problems.append(
                InitErrorDetails(type=PydanticCustomError(kind, message), loc=loc, input=value)
            )

        def ids(items: Sequence[Any], at: tuple[str, ...], noun: str) -> set[str]:
            """The ids of ``items``; one given twice is a problem at its path."""
            seen: set[str] = set()
            for j, item in enumerate(items):
                if item.id in seen:
                    problem(
                        (*at, j, "id"),
                        f"duplicate_{noun}",
                        f"{noun} {item.id!r} is given twice",
                        item.id,
                    )
                seen.add(item.id)
            return seen

        seen = ids(self.agents, ("agents",), "agent")
        # a second team of one id would stop the run when the Router is built (and a
        # second customer of one id would silently replace the first)
        team_ids = ids(self.configuration.teams, ("configuration", "teams"), "team")
        configured = enumerate(self.configuration.teams)
        problems += _unknown_members(((i, t.id, t.members) for i, t in configured), seen)
        profiles = ids(self.customers, ("customers",), "customer")
        for key in self.mix.profiles:
            if key not in profiles:
                problem(
                    ("mix", "profiles", key),
                    "unknown_profile",
                    f"no customer of the scenario has profile id {key!r}",
                    key,
                )
        teams = team_ids
        for i, rule in enumerate(self.configuration.rules.rules):
            if isinstance(rule.then, AssignToTeam) and rule.then.team not in teams:
                problem(
                    ("configuration", "rules", "rules", i, "then", "team"),
                    "unknown_team",
                    f"rule {rule.id!r}: no team {rule.then.team!r} is configured",
                    rule.then.team,
                )
        measured, of = self.tickets, ""
        if isinstance(self.arrivals, ReplayArrivals):
            replay = self.arrivals.tickets
            # (days past the calendar leave the span open here: _bound_problems refuses them)
            far = self.days is None or self.days > (LAST_INSTANT - self.start).days + 1
            end = None if far else self.start + timedelta(days=self.days or 0.0)
            # a replay simulates its tickets in the span, up to `tickets`: that many are
            # known now, and a warm-up of them all would leave a run with nothing to report
            # (the replay is in time order: the span's tickets are one slice of it)
            last = len(replay) if end is None else bisect_right(replay, end, key=created)
            in_span = last - bisect_left(replay, self.start, key=created)
            if self.tickets is None or in_span < self.tickets:
                measured, of = in_span, " replayed in the arrivals' span"
            if not in_span:
                span = f"from {self.start.isoformat()}" + (
                    "" if end is None else f" to {end.isoformat()}"
                )
                problem(
                    ("arrivals", "tickets"),
                    "replay_outside",
                    f"no replayed ticket was created in the arrivals' span ({span}; the "
                    f"replay runs from {replay[0].created_at.isoformat()} to "
                    f"{replay[-1].created_at.isoformat()}): none would be simulated",
                    None,
                )
        if measured and self.warmup_tickets >= measured:
            problem(
                ("warmup_tickets",),
                "warmup",
                f"leaves none of the {measured} tickets{of} to measure",
                self.warmup_tickets,
            )
        return problems

    def _inconsistencies(self) -> list[InitErrorDetails]:
        """Where the scenario's parts disagree: every problem at once, each at its own
        path (queueing mode's at the part it cannot have, an agent's shift by index)."""
        problems: list[InitErrorDetails] = []

        def problem(loc: tuple[str | int, ...], code: str, message: str, value: object) -> None:
            problems.append(
                InitErrorDetails(type=PydanticCustomError(code, message), loc=loc, input=value)
            )

        if (
            self.days is None
            and self.tickets is None
            and isinstance(self.arrivals, PoissonArrivals)
        ):
            problem((), "value_error", "Poisson arrivals need days or tickets to end them", None)
        if self.mode == "queueing":
            cfg = self.configuration
            parts = "queueing mode needs a configuration without rules, teams or office hours"
            if cfg.rules.rules:
                count = len(cfg.rules.rules)
                said = f"{parts}: it has {count} rule{'s' if count > 1 else ''}"
                problem(("configuration", "rules"), "queueing_mode", said, None)
            if cfg.teams:
                said = f"{parts}: it has {len(cfg.teams)} team{'s' if len(cfg.teams) > 1 else ''}"
                problem(("configuration", "teams"), "queueing_mode", said, None)
            if cfg.office_hours is not None:
                said = f"{parts}: it has office hours"
                problem(("configuration", "office_hours"), "queueing_mode", said, None)
            if not cfg.round_robin:
                said = "queueing mode needs round robin on"
                problem(("configuration", "round_robin"), "queueing_mode", said, False)
            for i, agent in enumerate(self.agents):
                if agent.shift is not None:
                    said = f"queueing mode needs agents without shifts: agent {agent.id!r} has one"
                    problem(("agents", i, "shift"), "queueing_mode", said, None)
        return problems

    def _bound_problems(self) -> list[InitErrorDetails]:
        """The run's span lies in the calendar a run may reach and holds at most
        MAX_SAMPLES samples: each problem at its own path."""
        problems: list[InitErrorDetails] = []
        start = self.start.isoformat()
        if self.start < FIRST_INSTANT:
            problems.append(
                _bound_problem(
                    "start_too_early",
                    f"start {start} is before {FIRST_INSTANT.date()}, the first a run may "
                    "start on (pandas' datetime64[ns] reaches back to 1677-09-21)",
                    ("start",),
                    self.start,
                )
            )
        span, where, what = self._arrival_span()
        drain = self.drain_days * 86400.0
        room = (LAST_INSTANT - self.start).total_seconds()
        spanned = f"{what} and drain_days ({self.drain_days:g})"
        given = getattr(self, str(where[0]))
        if span + drain > room:
            problems.append(
                _bound_problem(
                    "past_the_calendar",
                    f"{spanned} from start {start} run past {LAST_INSTANT.date()}, the last "
                    "day a run may reach (pandas' datetime64[ns] ends on 2262-04-11)",
                    where,
                    given,
                )
            )
        elif span + drain > MAX_SPAN_DAYS * 86400.0:
            problems.append(
                _bound_problem(
                    "span_too_long",
                    f"{spanned} span more than {_LONGEST}, the longest a run may (its times "
                    "are seconds from the start, each to the microsecond)",
                    where,
                    given,
                )
            )
        elif (span + drain) / (self.sample_minutes * 60.0) + 1 > MAX_SAMPLES:
            problems.append(
                _bound_problem(
                    "too_many_samples",
                    f"one sample every {self.sample_minutes:g} minutes over {spanned} is "
                    f"more than the {MAX_SAMPLES:,} samples a run keeps: sample less often",
                    ("sample_minutes",),
                    self.sample_minutes,
                )
            )
        return problems

    def _arrival_span(self) -> tuple[float, tuple[str, ...], str]:
        """How long the arrivals last at most (seconds; for a Poisson ticket count, the
        time its tickets take on average), where that is said and how it reads."""
        if self.days is not None:
            return self.days * 86400.0, ("days",), f"days ({self.days:g})"
        if isinstance(self.arrivals, ReplayArrivals):
            last = self.arrivals.tickets[-1].created_at
            return (
                (last - self.start).total_seconds(),
                ("arrivals",),
                f"the replay (to {last.isoformat()})",
            )
        assert self.tickets is not None  # one of them is given (_inconsistencies)
        rate = self.arrivals.mean_per_hour
        hours = self.tickets / rate
        return (
            hours * 3600.0,
            ("tickets",),
            f"{self.tickets} tickets at {rate:g} an hour on average (about {hours:g} hours)",
        )

    def arrival_limit(self) -> tuple[float, str]:
        """The latest instant (seconds after the start) an arrival may come at, and why:
        past it the run would leave the calendar a run may reach, or keep more than
        MAX_SAMPLES samples. Only Poisson arrivals of a ticket count can get there (the
        span of the others is known when the scenario is read): the run then stops with
        ``ValidationError``."""
        drain = self.drain_days * 86400.0
        calendar = (LAST_INSTANT - self.start).total_seconds() - drain
        longest = MAX_SPAN_DAYS * 86400.0 - drain
        samples = (MAX_SAMPLES - 1) * self.sample_minutes * 60.0 - drain
        if longest < calendar and longest <= samples:
            return longest, f"with drain_days ({self.drain_days:g}) the run would span " + (
                f"more than {_LONGEST}, the longest a run may"
            )
        if calendar <= samples:
            return calendar, f"with drain_days ({self.drain_days:g}) it would pass " + (
                f"{LAST_INSTANT.date()}, the last day a run may reach"
            )
        return samples, (
            f"with drain_days ({self.drain_days:g}) it would keep more than {MAX_SAMPLES:,} "
            f"samples, one every {self.sample_minutes:g} minutes"
        )

    def with_policy(self, policy: PolicyName) -> Scenario:
        """The same scenario under another allocation policy (``ValidationError`` for a
        name that is none of :data:`PolicyName`)."""
        # No validator reads the policy, and check_policy has checked it: pydantic's own
        # copy, without validating the whole scenario again (a sweep makes one per cell).
        return pydantic.BaseModel.model_copy(self, update={"policy": check_policy(policy)})

    def with_agent(
        self, agent: AgentSpec | Mapping[str, object], *, teams: Iterable[str] = ()
    ) -> Scenario:
        """The same scenario with one more agent (an :class:`AgentSpec` or a mapping of its
        fields; ``ArgumentTypeError`` for anything else), checked as a whole again:
        ``ValidationError`` if the id is taken, or for an agent with a shift in queueing
        mode.

        ``teams``: ids of the configuration's teams the agent joins, as the last member
        of each (a team ticket goes only to the team's members, so an agent in no team
        takes only tickets of no team). ``ValidationError`` names a team the
        configuration does not have; ``ArgumentTypeError`` refuses text (one id is
        ``teams=["returns"]``, not ``"returns"``) and anything but an iterable of ids.
        """
        if not isinstance(agent, AgentSpec | Mapping):
            raise ArgumentTypeError(
                f"agent must be an AgentSpec or a mapping of its fields, got {type(agent).__name__}"
            )
        agent = as_model(AgentSpec, agent, "agent")
        joined = _team_ids(teams)
        if any(a.id == agent.id for a in self.agents):
            raise ValidationError(f"agent {agent.id!r} is already in the scenario")
        data: dict[str, object] = {**dict(self), "agents": (*self.agents, agent)}
        if joined:
            configuration = self.configuration
            known = {t.id for t in configuration.teams}
            missing = [t for t in joined if t not in known]
            if missing:
                raise ValidationError(
                    f"team {missing[0]!r} is not in the scenario's configuration "
                    f"(its teams: {', '.join(sorted(known)) or 'none'})"
                )
            members = {
                t.id: (*t.members, agent.id) if t.id in joined else t.members
                for t in configuration.teams
            }
            dumped = configuration.model_dump()
            for team in dumped["teams"]:
                team["members"] = members[team["id"]]
            data["configuration"] = dumped
        return type(self).model_validate(data)

    @classmethod
    def from_json(cls, text: str | bytes) -> Scenario:
        """Parse a scenario from strict JSON text (see ``helpdesk_routing._json``): any
        malformed or invalid input is one :class:`~helpdesk_routing.ValidationError`
        naming each bad part by its JSON path (``$.agents[0].id``)."""
        data = loads(text, "scenario", depth=SCENARIO_DEPTH)
        try:
            return cls.model_validate(data, context=JSON_INPUT)
        except pydantic.ValidationError as exc:
            raise ValidationError.from_pydantic("scenario", exc, data=data) from None


def _team_ids(teams: object) -> tuple[str, ...]:
    """``with_agent``'s ``teams``: the ids, in order and each once; ``ArgumentTypeError``
    for text (an iterable of characters, never meant as ids), a mapping, or anything but
    an iterable of text."""
    ids: dict[str, None] = {}
    for i, team in enumerate(iterable_arg(teams, "teams", "team ids")):
        if not isinstance(team, str):
            raise ArgumentTypeError(f"teams[{i}] must be a team id (text), got {team!r}")
        ids[team] = None
    return tuple(ids)
