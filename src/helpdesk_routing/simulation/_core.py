"""The core models' own rules, applied to the parts of a scenario that become them.

A scenario's agent becomes an :class:`~helpdesk_routing.model.Agent`, a mix's channel
and tags a :class:`~helpdesk_routing.model.Ticket`'s, a replayed ticket a ``Ticket``, a
drawn event an :class:`~helpdesk_routing.model.Event`. Each is checked here by the core
model's own validator when the scenario is read (not restated: the two cannot drift),
so a value no ticket, agent or event may hold is refused at its path in the scenario
rather than when a run builds the model midway.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

from helpdesk_routing.model import Agent, Event, Ticket

__all__ = ["as_core", "problems_as"]

_AT = datetime(2026, 1, 1, tzinfo=UTC)
_PLACEHOLDERS: Mapping[type[BaseModel], Mapping[str, object]] = {
    Agent: {"id": "a"},
    Ticket: {"id": "t", "channel": "email", "created_at": _AT},
    Event: {"profile_id": "p", "metric": "m", "timestamp": _AT},
}
"""Valid values of the required fields a scenario's part does not give."""


def as_core(model: type[BaseModel], fields: Mapping[str, object]) -> None:
    """Raise pydantic's ``ValidationError`` when ``fields`` break the core ``model``'s
    rules, each problem at the field's own location (for a part whose fields have the
    core model's names; raised in a validator, pydantic puts it under the part's path)."""
    model.__pydantic_validator__.validate_python({**_PLACEHOLDERS[model], **fields})


def _errors(model: type[BaseModel], fields: Mapping[str, object]) -> list[ErrorDetails]:
    try:
        as_core(model, fields)
    except PydanticValidationError as exc:
        return exc.errors(include_url=False)
    return []


def problems_as(
    model: type[BaseModel], fields: Mapping[str, object], loc: tuple[str | int, ...]
) -> list[InitErrorDetails]:
    """The problems of ``fields`` under the core ``model``'s rules, each placed at ``loc``
    (a mix's channel, kept as a key, is checked as a ``Ticket``'s channel)."""
    return [
        InitErrorDetails(type=PydanticCustomError(e["type"], e["msg"]), loc=loc, input=e["input"])
        for e in _errors(model, fields)
    ]
