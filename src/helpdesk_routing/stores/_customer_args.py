"""The arguments of the :class:`~helpdesk_routing.ports.CustomerData` adapters, checked
once for all three (memory, SQLite, PostgreSQL), before anything is read or written, so
each refuses the same input with the same error and stores nothing:

- an argument of the wrong kind (a ``dict`` as an event, a number as an id, a list of
  pairs as ``properties``) is an :class:`~helpdesk_routing.errors.ArgumentTypeError`
  naming it (and the index, for an item of a list);
- text no store can keep (NUL, a lone surrogate) is a
  :class:`~helpdesk_routing.errors.ValidationError` naming the argument where it would be
  written (``update_profile``, ``add_to_segment``, ``remove_from_segment``); a lookup of
  such an id (``profile``, ``count_events``, ``events``, ``segment_members``) answers as
  for any unknown id (``None``, 0, nothing), since no store can hold it;
- a plain string where several names are taken (``segments``, ``metrics``) is one name,
  as a view's ``channels`` is one channel;
- ``limit`` is ``None`` or a whole number from 0 to 2**63 - 1 (0 counts nothing);
  ``where`` is ``None`` or a callable.

It also gives the stored form of profiles and events (:func:`stored_profile`): custom
values as JSON gives them back, a ``datetime`` or ``date`` as ISO-8601 text, a tuple or
set as a list, which the memory adapter keeps and ``update_profile`` answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import pydantic_core

from helpdesk_routing._input import integer_argument, listed_twice
from helpdesk_routing._json import MAX_INT
from helpdesk_routing._storable import json_form, stored_text, text_problem
from helpdesk_routing._trusted import SharedNames, updated
from helpdesk_routing.errors import (
    ArgumentTypeError,
    NaiveDatetimeError,
    ValidationError,
)
from helpdesk_routing.model import Event, Profile, Ticket

M = TypeVar("M", Profile, Event)

__all__ = [
    "event_arg",
    "events_arg",
    "iterable_arg",
    "limit_arg",
    "lookup_id",
    "merge_profile",
    "names_arg",
    "profile_arg",
    "profiles_arg",
    "properties_arg",
    "segments_arg",
    "stored_event",
    "stored_id",
    "stored_profile",
    "stored_values",
    "where_arg",
]


def iterable_arg(values: object, name: str, kind: str) -> list[Any]:
    """``values`` as a list when it is an iterable of items (not text, bytes or a mapping,
    which iterate as something else); ``ArgumentTypeError`` naming ``name`` otherwise."""
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise ArgumentTypeError(f"{name} must be {kind} (an iterable), got {type(values).__name__}")
    return list(values)


def profile_arg(value: object, name: str = "profile") -> Profile:
    """``value`` when it is a validated :class:`Profile` (see :func:`_validated`);
    ``ArgumentTypeError`` when it is no Profile."""
    if not isinstance(value, Profile):
        raise ArgumentTypeError(f"{name} must be a Profile, got {type(value).__name__}")
    return _validated(Profile, value, name)


def event_arg(value: object, name: str = "event") -> Event:
    """``value`` when it is a validated :class:`Event` (see :func:`_validated`);
    ``ArgumentTypeError`` when it is no Event."""
    if not isinstance(value, Event):
        raise ArgumentTypeError(f"{name} must be an Event, got {type(value).__name__}")
    return _validated(Event, value, name)


def _validated(cls: type[M], value: M, name: str) -> M:
    """``value`` itself when validation made it (its mark, a shared fields-set), else
    validated from its values: one made by ``model_construct`` checked nothing (a naive
    timestamp or a NaN was stored, and a SQL adapter could then not read it back), a
    copy or a subclass's object is checked as the model. Bad values are a
    :class:`ValidationError` ``invalid <name>`` naming each field, before anything of the
    call is stored."""
    if type(value) is cls and type(value.__pydantic_fields_set__) is SharedNames:
        return value
    try:
        return cls.model_validate(dict(value))
    except ValidationError as error:
        # a naive timestamp alone stays a NaiveDatetimeError, as the model's own is
        kind = NaiveDatetimeError if isinstance(error, NaiveDatetimeError) else ValidationError
        named = kind.__new__(kind)
        ValidationError.__init__(named, f"invalid {name}", error.details)
        raise named from None


def profiles_arg(values: object, name: str = "profiles", *, seed: bool = False) -> list[Profile]:
    """Every item of ``values`` checked as a :class:`Profile`, before any is stored. In a
    ``seed`` (the constructors' ``profiles=``), an id listed twice is a
    :class:`~helpdesk_routing.errors.ValidationError` naming both places, as a store's
    seed agents are (the memory adapter kept the last, the SQL ones the first; a seed
    writes a profile only for a new id). ``add_profiles`` replaces, in order."""
    items = iterable_arg(values, name, "Profiles")
    profiles = [profile_arg(p, f"{name}[{i}]") for i, p in enumerate(items)]
    if not seed:
        return profiles
    details = listed_twice(enumerate(p.id for p in profiles), "$", "profile", name=name)
    if details:
        raise ValidationError(f"invalid {name}", details)
    return profiles


def events_arg(values: object, name: str = "events") -> list[Event]:
    """Every item of ``values`` checked as an :class:`Event`, before any is stored."""
    items = iterable_arg(values, name, "Events")
    return [event_arg(e, f"{name}[{i}]") for i, e in enumerate(items)]


def _text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise ArgumentTypeError(f"{name} must be text, got {type(value).__name__}")
    return value


def lookup_id(value: object, name: str) -> bool:
    """Whether ``value`` (text, or ``ArgumentTypeError``) can be stored at all: a lookup
    of one that cannot finds nothing, without asking the database."""
    return text_problem(_text(value, name)) is None


stored_id = stored_text
"""``value`` as text every store can keep, or the error naming ``name``."""


def names_arg(values: object, name: str) -> list[str] | None:
    """Names given as one text or an iterable of texts (``None`` stays ``None``)."""
    if values is None:
        return None
    if isinstance(values, str):
        return [values]
    items = iterable_arg(values, name, "text or texts")
    return [_text(v, f"{name}[{i}]") for i, v in enumerate(items)]


def segments_arg(values: object) -> list[str] | None:
    """``segments`` of ``update_profile``: :func:`names_arg`, each one text every store
    can keep, checked in the caller's order with ``add_to_segment``'s message
    (``segment 'v\\x00ip' cannot be stored: ...``), before the profile is built."""
    names = names_arg(values, "segments")
    if names is not None:
        for segment in names:
            stored_text(segment, "segment")
    return names


def properties_arg(value: object) -> Mapping[str, Any] | None:
    """``properties`` of ``update_profile``: ``None`` or a mapping."""
    if value is not None and not isinstance(value, Mapping):
        raise ArgumentTypeError(
            f"properties must be a mapping of property names to values, got {type(value).__name__}"
        )
    return value


def limit_arg(value: object) -> int | None:
    """``limit`` of ``count_events``: ``None`` or a whole number from 0 to 2**63 - 1."""
    if value is None:
        return None
    whole = integer_argument(value)
    if whole is None:
        raise ArgumentTypeError(f"limit must be a whole number or None, got {value!r}")
    value = whole
    if not 0 <= value <= MAX_INT:
        raise ValidationError(f"limit must be a whole number from 0 to {MAX_INT}, got {value}")
    return value


def where_arg(value: object) -> Any:
    """``where`` of ``count_events``: ``None`` or an event filter (a callable of the
    properties, such as an ``EventWhere``); ``ArgumentTypeError`` naming it otherwise,
    before anything is read (not a ``TypeError`` at the first event in the window)."""
    if value is not None and not callable(value):
        raise ArgumentTypeError(
            "where must be an event filter (a callable of the properties, such as an "
            f"EventWhere) or None, got {type(value).__name__}"
        )
    return value


# Classes a JSON round trip gives back unchanged: values of only these are kept as given.
_PLAIN = frozenset({str, int, float, bool, type(None)})


def stored_values(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` as a store gives them back, in a dict of their own: through JSON, when
    any is not plain (a ``datetime`` becomes its ISO text, a tuple a list, a set a list
    sorted as :func:`~helpdesk_routing._storable.json_form` sorts it, the same in every
    process); a copy otherwise (plain values are immutable), so that the caller's dict, changed
    later, does not change what a store holds."""
    for value in values.values():
        if value.__class__ not in _PLAIN:
            loaded: dict[str, Any] = json.loads(pydantic_core.to_json(json_form(values)))
            return loaded
    return dict(values)


def stored_profile(profile: Profile) -> Profile:
    """``profile`` as a store gives it back (properties in their stored form, a dict of
    the store's own; one without properties is itself, as a ticket or event is)."""
    if not profile.properties:
        return profile
    # Trusted: the JSON form of properties the model has already checked, so not
    # validated again as a public ``model_copy(update=...)`` is.
    return updated(profile, properties=stored_values(profile.properties))


def stored_event(event: Event) -> Event:
    """``event`` as a store gives it back (properties in their stored form)."""
    if not event.properties:
        return event
    return updated(event, properties=stored_values(event.properties))  # trusted, as above


def stored_ticket(ticket: Ticket) -> Ticket:
    """``ticket`` as a store gives it back: its ``fields`` in their stored form, in a
    dict of the store's own. Routing decides on this form, so a text test of a
    ``datetime`` field decides as it will when the ticket is read back and rerouted,
    whatever the store. A ticket without fields is itself."""
    if not ticket.fields:
        return ticket
    return updated(ticket, fields=stored_values(ticket.fields))


def merge_profile(
    current: Profile | None,
    profile_id: str,
    properties: Mapping[str, object] | None,
    segments: Iterable[str] | None,
) -> Profile:
    """``current`` with ``properties`` merged in (``None`` removes a key) and new
    ``segments``, in its stored form: what every adapter's ``update_profile`` stores
    (its arguments checked by the functions above first)."""
    base = current or Profile(id=profile_id)
    merged = dict(base.properties)
    for key, value in (properties or {}).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    merged_profile = Profile(
        id=profile_id,
        properties=merged,
        segments=frozenset(segments) if segments is not None else base.segments,
    )
    return stored_profile(merged_profile)
