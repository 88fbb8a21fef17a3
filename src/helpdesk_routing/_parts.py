"""Reading parts of JSON documents with errors that name the document and the JSON path
(shared by the CLI and the demo loader)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pydantic
from pydantic import TypeAdapter

from .calendar import OfficeHours
from .conditions import condition_path
from .errors import (
    ErrorDetail,
    ModelValidationError,
    ValidationError,
    pydantic_message,
    without_recounts,
)
from .rules import RuleSet

__all__ = ["part", "validated"]


_DESTINATION_TAGS = frozenset({"assign_to_team", "save_as_view"})


def _without_destination_tags(loc: tuple[int | str, ...]) -> list[int | str]:
    # pydantic puts a rule destination's union tag after "then"; a JSON path must not.
    return [
        part
        for i, part in enumerate(loc)
        if not (i > 0 and loc[i - 1] == "then" and part in _DESTINATION_TAGS)
    ]


def rule_set(value: Any) -> RuleSet:
    """A configuration file's ``rules`` (``config.json``), read as a stored
    ``Configuration``'s are from JSON text: a rule set's object; an array of rules is
    refused in the words the model says it in (:data:`~helpdesk_routing.configuration.
    RULES_AN_ARRAY`), not as no dictionary."""
    if isinstance(value, list):
        from .configuration import RULES_AN_ARRAY

        raise ValidationError("invalid rule set", [ErrorDetail("$", RULES_AN_ARRAY, "model_type")])
    return RuleSet.from_dict(value)


def validated(what: str, path: str, build: Callable[[], Any]) -> Any:
    """``build()``, with any validation error wrapped as ``invalid <what>`` and its paths
    moved under ``path``."""
    try:
        return build()
    except ModelValidationError as exc:  # located by its model already (rule ids too)
        raise ValidationError(f"invalid {what}", list(exc.details)).under(path) from None
    except pydantic.ValidationError as exc:
        details = [
            ErrorDetail(
                condition_path(_without_destination_tags(e["loc"]), e["type"]),
                pydantic_message(e),
                e["type"],
            )
            for e in without_recounts(exc.errors(include_url=False))
        ]
        raise ValidationError(f"invalid {what}", details).under(path) from None
    except ValidationError as exc:
        raise exc.under(path) from None


def part(document: Any, name: str, key: str, kind: Any, default: Any = ...) -> Any:
    """``document[key]`` (or ``default`` when absent) validated as ``kind``; errors name
    the document ``name`` and the path."""
    if not isinstance(document, dict):
        raise ValidationError(f"invalid {name}", [ErrorDetail("$", "needs a JSON object")])
    if key not in document:
        if default is not ...:
            return default
        raise ValidationError(
            f"invalid {name}", [ErrorDetail(f"$.{key}", "Field required", "missing")]
        )
    value = document[key]
    try:
        if kind is RuleSet:
            return validated(name, f"$.{key}", lambda: rule_set(value))
        if kind is OfficeHours:
            return validated(name, f"$.{key}", lambda: OfficeHours.from_dict(value))
        return validated(name, f"$.{key}", lambda: TypeAdapter(kind).validate_python(value))
    except ValidationError as exc:
        if exc.message == f"invalid {name}":
            raise
        # A part's own loader names what it read ("invalid office hours"); the reader of
        # a document needs the document's name, with the paths already under the key.
        raise ValidationError(f"invalid {name}", exc.details) from None


class EveryPart:
    """Reads a document's parts one by one and keeps each part's ``ValidationError``, so
    that every bad part is told at once (``check`` and ``demo --data`` told the first
    bad part they read, a run at a time)."""

    def __init__(self) -> None:
        self.errors: list[ValidationError] = []

    def read(self, build: Callable[[], Any]) -> Any:
        """``build()``, or ``None`` with its ``ValidationError`` kept."""
        try:
            return build()
        except ValidationError as error:
            self.errors.append(error)
            return None

    def told(self, message: str | None = None) -> None:
        """Raise what was kept, if anything: one ``ValidationError`` with all their
        details under ``message``; without it, only the errors of the first one's message
        (the parts of one file), one error as it was raised."""
        if not self.errors:
            return
        first = self.errors[0]
        group = self.errors
        if message is None:
            group = [e for e in self.errors if e.message == first.message]
        if message is None and len(group) == 1:
            raise group[0]
        # under ``message`` however many parts are bad: a file's kind (``invalid
        # configuration``) does not change with how many of its parts are wrong; a
        # problem several parts meet (a file that is no JSON object: "$: needs a JSON
        # object", once per part) told once
        details = list(dict.fromkeys(d for e in group for d in e.details))
        raise ValidationError(message or first.message, details)
