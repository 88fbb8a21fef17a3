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

import numbers
import operator
import os
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, Self, cast, get_args

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

from helpdesk_routing._files import read_input
from helpdesk_routing._input import as_model
from helpdesk_routing._json import decode_utf8, loads
from helpdesk_routing._sets import SortedSet
from helpdesk_routing._storable import MAX_INT, MIN_INT
from helpdesk_routing._time import UtcDatetime
from helpdesk_routing.calendar import JSON_INPUT, OfficeHours, iana_zone_keys
from helpdesk_routing.configuration import Configuration
from helpdesk_routing.errors import (
    ArgumentTypeError,
    ErrorDetail,
    ValidationError,
    input_details,
    json_path,
)
from helpdesk_routing.model import Agent, Event, Profile, Role, Ticket
from helpdesk_routing.rules import AssignToTeam
from helpdesk_routing.stores._customer_args import iterable_arg

from ._core import as_core, problems_as
from ._csv import csv_rows
from ._limits import (
    FIRST_INSTANT,
    LAST_INSTANT,
    MAX_MINUTES,
    MAX_RATE,
    MAX_SAMPLES,
    MAX_SIGMA,
    MAX_WEIGHT,
    MAX_WITHIN_HOURS,
)
from ._part import Part

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

_JSON_SPACE = " \t\r"
"""White space in JSON (RFC 8259) but the line feed a JSON Lines line ends at: a line of
nothing else is blank (``str.strip()`` would take U+2028 or a form feed for one too)."""

# Every number is strict, as the core models' capacity and version are: a bool or text
# (`"tickets": true`, `"seed": "7"`) is refused, never read as 1 or 7; an int is a float
# where a float is expected, and any integral number (a numpy integer) an int.
_Minutes = Annotated[float, Field(gt=0, le=MAX_MINUTES, strict=True)]
"""A positive duration in minutes, at most a year."""


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
    minutes: tuple[_Observed, ...] = Field(min_length=1)


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
    events: tuple[TicketEvent, ...] = ()

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
            raise ValueError("channel weights must not all be 0")
        if self.no_profile + sum(self.profiles.values()) <= 0:
            raise ValueError("profile weights and no_profile must not all be 0")
        return self


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
        rates = self.per_hour if isinstance(self.per_hour, tuple) else (self.per_hour,)
        if len(rates) not in (1, 168):
            raise ValueError(f"per_hour needs 1 or 168 rates, got {len(rates)}")
        if sum(rates) <= 0:  # (each is at least 0: checked at its index)
            raise ValueError("arrival rates must not all be 0")
        return self

    @property
    def mean_per_hour(self) -> float:
        """The mean rate over the week, tickets per hour."""
        rates = self.per_hour if isinstance(self.per_hour, tuple) else (self.per_hour,)
        return sum(rates) / len(rates)


class ReplayTicket(Part):
    """One recorded ticket to replay: when it came, on which channel, its tags and profile."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
    created_at: UtcDatetime
    channel: str = Field(min_length=1)
    tags: SortedSet[str] = frozenset()
    profile_id: str | None = None

    @model_validator(mode="after")
    def _as_ticket(self) -> Self:
        # It becomes a Ticket: held to the Ticket's rules (no NUL in channel, tags, profile).
        fields = {"channel": self.channel, "tags": self.tags, "profile_id": self.profile_id}
        as_core(Ticket, {**fields, "created_at": self.created_at})
        return self


class ReplayArrivals(Part):
    """A replay of recorded tickets (their handling times are still drawn).

    Build one with :meth:`from_file` from JSONL (one object a line), a JSON array or CSV
    (columns ``created_at, channel, tags, profile_id``; tags separated by ``|``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
    type: Literal["replay"] = "replay"
    tickets: tuple[ReplayTicket, ...] = Field(min_length=1)

    @field_validator("tickets")
    @classmethod
    def _in_time_order(cls, tickets: tuple[ReplayTicket, ...]) -> tuple[ReplayTicket, ...]:
        # A replay is simulated in time order whatever order it was given in (tickets of
        # one instant keep theirs): taken as listed, time would run backwards.
        return tuple(sorted(tickets, key=lambda t: t.created_at))

    @classmethod
    def from_file(cls, path: str | Path) -> ReplayArrivals:
        """Read recorded tickets from a file, sorted by creation: a ``.csv`` file as CSV;
        any other as JSON, either one array of ticket objects (the text starts with
        ``[``) or one object a line (JSONL, ``.jsonl`` or ``.ndjson`` by custom; a line
        ends at ``\\n`` or ``\\r\\n`` only, so U+2028 or U+0085 in a string is a
        character of it, as in an array). The text is UTF-8, with or without a leading
        byte-order mark (Excel writes one), and at most 256 MiB long, as every input
        file is: a larger or endless one raises ``OSError`` (``errno.EFBIG``) naming it,
        having read no more than that.

        A CSV file's header names the columns, in any order (``tags`` and ``profile_id``
        may be left out): it is checked once, and an unknown, differently cased or
        repeated column, or a required one missing, is one ``ValidationError`` about the
        header. Each CSV cell is trimmed of surrounding white space, and so is each tag;
        an empty tag is dropped, an empty profile is none; a comma is a character of a
        tag (``billing, vip`` is one tag). A tags cell written as a list in brackets
        (``['a', 'b']``, ``["a","b"]``, ``[]``: pandas' ``to_csv`` of a list column) is
        refused at its line (``$[0].tags: line 2: a list in brackets, ...``, code
        ``csv_tags_list``): tags are separated by ``|``. The CSV is read as the csv
        module reads a file opened with ``newline=""``, strictly: a quoted cell keeps its
        line breaks; a quote never closed (``$[0].tags: line 2: a quote opened here is
        never closed: ...``, the line it opened on), a quoted cell going on after its
        closing quote, or a cell longer than ``csv.field_size_limit()`` (131,072
        characters unless your program changes it) is a bad record, and the records
        after it are not read. A record is named by the line it starts on.

        Bad records raise one ``ValidationError`` naming each by its JSON path in the
        file's records (``$[2].created_at``, the third record) and, but in an array, its
        line; every bad record of the file at once. A CSV row with more cells than the
        header names is one (``$[3]: line 5: 5 columns given, 4 expected (created_at,
        channel, tags, profile_id)``); one with fewer lacks its last fields. The JSON is
        strict, as everywhere here (a duplicate key or NaN is refused); a syntax error is
        placed by its column in a JSON Lines line. A file of JSON Lines whose first line
        is not JSON (a CSV not named ``.csv``, a pretty-printed object) is one
        ``ValidationError`` saying what the reader expects; past it, at most 20 lines
        that are not JSON are named, and reading stops at the next one. Bytes that are
        no UTF-8 (``$: not UTF-8: invalid byte at offset N``, code ``json_utf8``, as
        every reader says it) or a file without records raise ``ValidationError`` too;
        a file that cannot
        be read raises ``OSError`` as ``open`` does, and a ``path`` that is no file path
        ``ArgumentTypeError``.
        """
        if not isinstance(path, str | os.PathLike):
            raise ArgumentTypeError(f"path must be a file path (str or Path), got {path!r}")
        path = Path(path)
        suffix = path.suffix.lower()
        raw = read_input(path)  # at most MAX_INPUT_BYTES: /dev/zero is refused, not read
        what = f"replay file {path.name}"
        # a leading byte-order mark (Excel writes one) is read as none; bytes, not text
        # mode: a line break stays as written, for csv to read
        text = decode_utf8(raw, what)
        # (where it is said, record or None, what is wrong with it as read): one entry
        # per record, in file order; a record read with a problem (a CSV tags cell
        # written as a list) is checked further too
        rows: list[tuple[str, object, list[ErrorDetail]]] = []
        stopped = ""  # why reading stopped before the end, if it did
        if suffix == ".csv":
            rows = csv_rows(text, what)
        elif text.lstrip().startswith("["):
            data = loads(text, what)  # a document that is no JSON is named as a whole
            rows = [("", record, []) for record in data]
        else:
            rows, stopped = _json_lines(text, what)
        if not rows:
            raise ValidationError(f"invalid {what}: it holds no tickets")
        tickets: list[ReplayTicket] = []
        details: list[ErrorDetail] = []
        for i, (where, record, bad_read) in enumerate(rows):
            for d in bad_read:
                details.append(ErrorDetail(f"$[{i}]{d.path[1:]}", where + d.message, d.code))
            if bad_read and record is None:  # not read (a JSON null is a record, checked)
                continue
            try:
                tickets.append(ReplayTicket.model_validate(record))
            except pydantic.ValidationError as exc:
                for d in input_details(exc.errors(include_url=False), record):
                    details.append(ErrorDetail(f"$[{i}]{d.path[1:]}", where + d.message, d.code))
        if details:
            raise ValidationError(f"invalid {what}{stopped}", details)
        return cls(tickets=tuple(tickets))


_MAX_LINES_NOT_JSON = 20
"""How many lines of a JSON Lines replay file that are not JSON are named: reading stops
at the next one (a CSV or a pretty-printed document in a file not named ``.csv`` gave an
error per line, millions of them)."""

_JSONL_EXPECTED = (
    "a replay file not named .csv is read as JSON, an array of tickets or one ticket "
    "object a line (JSON Lines); a CSV file is read as CSV only when its name ends in .csv"
)


def _json_lines(text: str, what: str) -> tuple[list[tuple[str, object, list[ErrorDetail]]], str]:
    """A JSON Lines replay file's records for ``from_file``: (where, record or None,
    problems), one per line that is not blank; and what the error's message adds.

    When the first such line is not JSON the file is no JSON Lines (a CSV, one object
    written over several lines): one ``ValidationError`` says so and what the reader
    expects. Past it, each line that is not JSON is named, up to
    :data:`_MAX_LINES_NOT_JSON` of them; reading stops at the next one (the records
    before it are checked as ever), and the message says where.
    """
    rows: list[tuple[str, object, list[ErrorDetail]]] = []
    not_json = 0
    # JSON Lines end at "\n" (or "\r\n") only: U+2028, U+0085, \f ... are characters
    # of a line, raw in a JSON string as in an array file
    for line, entry in enumerate(text.split("\n"), 1):
        if not entry.strip(_JSON_SPACE):
            continue
        where = f"line {line}: "
        try:
            rows.append((where, loads(entry, what, one_line=True), []))
            continue
        except ValidationError as exc:
            # the line is the file's: the one-line document's error names its column
            bad = list(exc.details)
        if any(d.code == "json_syntax" for d in bad):
            if not rows:
                raise ValidationError(
                    f"invalid {what}: its first line is not JSON: {_JSONL_EXPECTED}",
                    [ErrorDetail(f"$[0]{d.path[1:]}", where + d.message, d.code) for d in bad],
                )
            not_json += 1
            if not_json > _MAX_LINES_NOT_JSON:
                return rows, (
                    f": more than {_MAX_LINES_NOT_JSON} lines are not JSON, reading stopped "
                    f"at line {line}: {_JSONL_EXPECTED}"
                )
        rows.append((where, None, bad))
    return rows, ""


def _created(ticket: ReplayTicket) -> datetime:
    return ticket.created_at


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


class Scenario(Part):
    """A simulated helpdesk: arrivals, ticket mix, agents, handling, policy, seed, horizon.

    ``days`` bounds the arrivals in time and ``tickets`` in number (the first reached
    ends them); work then continues until every ticket is resolved or ``drain_days``
    pass. ``mode="queueing"`` skips the Router for speed: no rules, teams, office hours
    or shifts, but the same allocators decide. The first ``warmup_tickets`` are left out
    of the summary. Its ``repr`` is one line (name, days, tickets, agents, arrivals):
    ``<Scenario 'two agents': at most 3,000 tickets, 2 agents, poisson arrivals>``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    name: str = "scenario"
    start: UtcDatetime = datetime(2026, 11, 23, tzinfo=UTC)
    timezone: str = "UTC"
    days: float | None = Field(default=7.0, gt=0, strict=True)
    tickets: _Whole | None = Field(default=None, ge=1)
    drain_days: float = Field(default=7.0, ge=0, strict=True)
    warmup_tickets: _Whole = Field(default=0, ge=0)
    arrivals: Annotated[PoissonArrivals | ReplayArrivals, Field(discriminator="type")]
    mix: TicketMix = Field(default_factory=TicketMix)
    customers: tuple[Profile, ...] = ()
    events: tuple[Event, ...] = ()
    agents: tuple[AgentSpec, ...] = Field(min_length=1)
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
    sample_minutes: _Minutes = 60.0
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

    @model_validator(mode="after")
    def _references(self) -> Self:
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
        for i, team in enumerate(self.configuration.teams):
            for j, member in enumerate(team.members):
                if member not in seen:
                    problem(
                        ("configuration", "teams", i, "members", j),
                        "unknown_agent",
                        f"team {team.id!r} has member {member!r}, who is no agent of the scenario",
                        member,
                    )
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
            # (days past the calendar leave the span open here: _bounded refuses them)
            far = self.days is None or self.days > (LAST_INSTANT - self.start).days + 1
            end = None if far else self.start + timedelta(days=self.days or 0.0)
            # a replay simulates its tickets in the span, up to `tickets`: that many are
            # known now, and a warm-up of them all would leave a run with nothing to report
            # (the replay is in time order: the span's tickets are one slice of it)
            last = len(replay) if end is None else bisect_right(replay, end, key=_created)
            in_span = last - bisect_left(replay, self.start, key=_created)
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
        if problems:
            raise PydanticValidationError.from_exception_data(type(self).__name__, problems)
        return self

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        inconsistency = self._inconsistency()
        if inconsistency is not None:
            raise ValueError(inconsistency)
        return self

    def _inconsistency(self) -> str | None:
        """What makes the scenario's parts disagree, or ``None``."""
        if (
            self.days is None
            and self.tickets is None
            and isinstance(self.arrivals, PoissonArrivals)
        ):
            return "Poisson arrivals need days or tickets to end them"
        if self.mode == "queueing":
            cfg = self.configuration
            if cfg.rules.rules or cfg.teams or cfg.office_hours is not None:
                return "queueing mode needs a configuration without rules, teams or office hours"
            if not cfg.round_robin:
                return "queueing mode needs round robin on"
            if any(a.shift is not None for a in self.agents):
                return "queueing mode needs agents without shifts"
        return None

    @model_validator(mode="after")
    def _bounded(self) -> Self:
        problems = self._bound_problems()
        if problems:
            raise PydanticValidationError.from_exception_data(type(self).__name__, problems)
        return self

    def _bound_problems(self) -> list[InitErrorDetails]:
        """The run's span lies in the calendar a run may reach and holds at most
        MAX_SAMPLES samples: each problem at its own path."""
        problems: list[InitErrorDetails] = []
        start = self.start.isoformat()
        if self.start < FIRST_INSTANT:
            problems.append(
                InitErrorDetails(
                    type=PydanticCustomError(
                        "start_too_early",
                        f"start {start} is before {FIRST_INSTANT.date()}, the first a run "
                        "may start on (pandas' datetime64[ns] reaches back to 1677-09-21)",
                    ),
                    loc=("start",),
                    input=self.start,
                )
            )
        span, where, what = self._arrival_span()
        drain = self.drain_days * 86400.0
        room = (LAST_INSTANT - self.start).total_seconds()
        if span + drain > room:
            problems.append(
                InitErrorDetails(
                    type=PydanticCustomError(
                        "past_the_calendar",
                        f"{what} and drain_days ({self.drain_days:g}) from start {start} run "
                        f"past {LAST_INSTANT.date()}, the last day a run may reach "
                        "(pandas' datetime64[ns] ends on 2262-04-11)",
                    ),
                    loc=where,
                    input=getattr(self, str(where[0])),
                )
            )
        elif (span + drain) / (self.sample_minutes * 60.0) + 1 > MAX_SAMPLES:
            problems.append(
                InitErrorDetails(
                    type=PydanticCustomError(
                        "too_many_samples",
                        f"one sample every {self.sample_minutes:g} minutes over {what} and "
                        f"drain_days ({self.drain_days:g}) is more than the {MAX_SAMPLES:,} "
                        "samples a run keeps: sample less often",
                    ),
                    loc=("sample_minutes",),
                    input=self.sample_minutes,
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
        assert self.tickets is not None  # one of them is given (_consistent)
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
        samples = (MAX_SAMPLES - 1) * self.sample_minutes * 60.0 - drain
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
        data = loads(text, "scenario")
        try:
            return cls.model_validate(data, context=JSON_INPUT)
        except pydantic.ValidationError as exc:
            raise ValidationError.from_pydantic("scenario", exc, data=data) from None


_RUN_BOUNDS = ("start", "days", "tickets", "drain_days", "warmup_tickets", "sample_minutes")
"""The fields that bound a run: what ``check_runnable`` checks again."""


def _field_adapter(name: str) -> pydantic.TypeAdapter[object]:
    """A validator of one field of a Scenario, with its type, bounds and strictness."""
    field = Scenario.model_fields[name]
    form = cast(Any, Annotated[field.annotation, field])  # a type only known when running
    return pydantic.TypeAdapter(form, config=ConfigDict(allow_inf_nan=False))


_RUN_FIELDS = {name: _field_adapter(name) for name in _RUN_BOUNDS}


def check_runnable(scenario: Scenario) -> None:
    """``ValidationError`` unless the fields that bound ``scenario``'s run (its span, its
    tickets, its sampling) are what reading it allows.

    A scenario that was read, built or copied is checked already; one made with
    pydantic's ``model_construct``, which checks nothing, may not be: with ``days`` NaN
    and no ticket count its run never ended, and a Poisson rate of 0 made of
    ``PoissonArrivals.model_construct`` divided by zero. So the parts a run reads
    numbers from (arrivals, mix, agents, handling times, pending) are checked again,
    each as its own model checks its fields (a part within it, such as a replay's
    tickets, taken as it is), and what the scenario checks of them together (ids,
    references, the time zone). ``run`` calls this: it costs little next to a run (a
    replay's tickets are gone over once, not validated again).
    """
    details: list[ErrorDetail] = []
    for name, adapter in _RUN_FIELDS.items():
        try:
            adapter.validate_python(getattr(scenario, name, None))
        except PydanticValidationError as exc:
            details += [
                ErrorDetail(f"$.{name}", e["msg"], e["type"]) for e in exc.errors(include_url=False)
            ]
    if not details and not isinstance(scenario.arrivals, PoissonArrivals | ReplayArrivals):
        details.append(ErrorDetail("$.arrivals", "is no arrivals", "arrivals_type"))
    if not details:
        details += _part_problems(scenario)
    if not details:
        inconsistency = scenario._inconsistency()
        if inconsistency is not None:
            details.append(ErrorDetail("$", inconsistency, "value_error"))
        for problem in [] if details else scenario._bound_problems():
            kind = problem["type"]
            assert isinstance(kind, PydanticCustomError)  # (as _bound_problems makes them)
            details.append(ErrorDetail(json_path(problem["loc"]), kind.message(), kind.type))
    if details:
        raise ValidationError(
            f"scenario {scenario.name!r} cannot run: it is no scenario a document could be "
            "read as (made with model_construct, which checks nothing?)",
            details,
        )


_PARTS: tuple[tuple[str, tuple[type[Part], ...], str], ...] = (
    ("arrivals", (PoissonArrivals, ReplayArrivals), "one"),
    ("mix", (TicketMix,), "one"),
    ("agents", (AgentSpec,), "several"),
    ("handling", (Exponential, LogNormal, Empirical), "one"),
    ("handling_by_channel", (Exponential, LogNormal, Empirical), "by key"),
    ("handling_by_team", (Exponential, LogNormal, Empirical), "by key"),
    ("pending", (Pending,), "one or none"),
)
"""The parts of a scenario a run reads numbers from, what each is, and how many."""


def _part_problems(scenario: Scenario) -> list[ErrorDetail]:
    """The problems of the parts a run reads (:data:`_PARTS`), each checked as its
    model checks it (its own fields; a part within it as it is), then the scenario's
    own checks of them together (ids, references, the time zone): for a scenario made
    with ``model_construct``, whose parts may be too (a Poisson rate of 0 or NaN)."""
    details: list[ErrorDetail] = []

    def check(value: object, path: str, kinds: tuple[type[Part], ...]) -> None:
        if not isinstance(value, kinds):
            names = " or ".join(k.__name__ for k in kinds)
            details.append(ErrorDetail(path, f"is no {names}", "part_type"))
            return
        if isinstance(value, ReplayArrivals):  # validated again, 50,000 tickets took 0.4 s
            details.extend(_replay_problems(value.tickets, f"{path}.tickets"))
            return
        data = dict(value)  # its fields; a part within it as it is
        try:
            read = type(value).model_validate(data)
        except PydanticValidationError as exc:
            for d in input_details(exc.errors(include_url=False), data):
                details.append(ErrorDetail(path + d.path[1:], d.message, d.code))
            return
        for field, given in data.items():  # what reading changes (an int rate a float)
            if getattr(read, field) != given:
                details.append(
                    ErrorDetail(f"{path}.{field}", "is not what reading it gives", "not_as_read")
                )

    for name, kinds, how in _PARTS:
        value = getattr(scenario, name, None)
        path = f"$.{name}"
        if how == "one" or (how == "one or none" and value is not None):
            check(value, path, kinds)
        elif how == "several":
            if not isinstance(value, tuple | list) or not value:
                details.append(ErrorDetail(path, "is no list of agents", "part_type"))
                continue
            for i, item in enumerate(value):
                check(item, f"{path}[{i}]", kinds)
        elif how == "by key":
            if not isinstance(value, Mapping):
                details.append(ErrorDetail(path, "is no mapping", "part_type"))
                continue
            for key, item in value.items():
                check(item, json_path((name, key)), kinds)
    timezone = getattr(scenario, "timezone", None)
    if not isinstance(timezone, str) or timezone not in iana_zone_keys():
        details.append(ErrorDetail("$.timezone", f"unknown time zone {timezone!r}", "time_zone"))
    if not details:
        try:
            cast(Any, scenario)._references()  # (a validator: pydantic wraps its type)
        except PydanticValidationError as exc:
            details += [
                ErrorDetail(json_path(e["loc"]), e["msg"], e["type"])
                for e in exc.errors(include_url=False)
            ]
    return details


def _replay_problems(tickets: object, path: str) -> list[ErrorDetail]:
    """A replay's tickets as a run reads them: some, each a :class:`ReplayTicket` (as it
    is), in time order."""
    if not isinstance(tickets, tuple | list) or not tickets:
        return [ErrorDetail(path, "is no list of replayed tickets", "part_type")]
    for i, ticket in enumerate(tickets):
        if not isinstance(ticket, ReplayTicket):
            return [ErrorDetail(f"{path}[{i}]", "is no ReplayTicket", "part_type")]
    times = [t.created_at for t in tickets]
    for i in range(1, len(times)):
        if times[i] < times[i - 1]:
            return [
                ErrorDetail(
                    f"{path}[{i}]",
                    "is created before the ticket listed before it: a replay is in time "
                    "order (reading it sorts it)",
                    "replay_order",
                )
            ]
    return []


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
