"""Whether a scenario can run: :func:`check_runnable`, which ``run`` and ``sweep`` call.

A scenario that was read, built or copied is checked already. One made with pydantic's
``model_construct`` checks nothing, and its run might never end or divide by zero: so
the fields that bound a run, and the parts a run reads numbers from, are checked again
here, as reading them would.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, cast

import pydantic
from pydantic import ConfigDict
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from helpdesk_routing.calendar import iana_zone_keys
from helpdesk_routing.configuration import Configuration
from helpdesk_routing.errors import ErrorDetail, ValidationError, input_details, json_path
from helpdesk_routing.model import Event, Profile

from ._part import Part
from .replay import ReplayArrivals, ReplayTicket
from .scenario import (
    AgentSpec,
    Empirical,
    Exponential,
    LogNormal,
    Pending,
    PoissonArrivals,
    Scenario,
    TicketMix,
)

__all__ = ["check_runnable"]

_RUN_BOUNDS = (
    "start",
    "days",
    "tickets",
    "drain_days",
    "warmup_tickets",
    "sample_minutes",
    "ttfr_target_minutes",
    "seed",
    "policy",
    "mode",
)
"""The fields that bound a run, and the others a run reads as they are (its target, its
seed, its policy and mode): what ``check_runnable`` checks again."""

_OBJECTS: tuple[tuple[str, type[Any], str], ...] = (
    ("configuration", Configuration, "one"),
    ("customers", Profile, "several"),
    ("events", Event, "several"),
)
"""The fields a run reads as objects of these models (checked by their own models when
made): a ``dict`` in their place failed deep in the run with ``AttributeError``."""


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
    for name, model, how in _OBJECTS:
        value = getattr(scenario, name, None)
        if how == "one" and not isinstance(value, model):
            details.append(ErrorDetail(f"$.{name}", f"is no {model.__name__}", "part_type"))
        elif how == "several":
            if not isinstance(value, tuple | list):
                details.append(ErrorDetail(f"$.{name}", "is no list", "part_type"))
                continue
            details += [
                ErrorDetail(f"$.{name}[{i}]", f"is no {model.__name__}", "part_type")
                for i, item in enumerate(value)
                if not isinstance(item, model)
            ]
    if not details and not isinstance(scenario.arrivals, PoissonArrivals | ReplayArrivals):
        details.append(ErrorDetail("$.arrivals", "is no arrivals", "arrivals_type"))
    if not details:
        details += _part_problems(scenario)
    if not details:
        for problem in scenario._inconsistencies():
            kind = problem["type"]
            assert isinstance(kind, PydanticCustomError)  # (as _inconsistencies makes them)
            details.append(ErrorDetail(json_path(problem["loc"]), kind.message(), kind.type))
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
