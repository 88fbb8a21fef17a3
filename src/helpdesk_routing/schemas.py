"""JSON Schemas (Draft 2020-12) of the documents services and UIs send: generated from the
same pydantic models that validate them, so an editor can check what it sends.

::

    from helpdesk_routing.schemas import json_schema, SCHEMA_NAMES
    json_schema("rule-set")          # {"$schema": ".../2020-12/schema", ...}

``helpdesk-routing schema NAME`` prints one. Names: ``condition``, ``rule-set``,
``team``, ``office-hours``, ``configuration``.

What a schema checks agrees with the models (a test generates valid and invalid
documents and compares ``jsonschema`` with pydantic): types, required members, unknown
members, the value each operator takes, counts and spans with their bounds, the
64-bit integers and finite numbers of custom values. A few rules compare two parts of a
document and are beyond JSON Schema; the models alone check them, and they are listed
in each schema's ``$comment``:

- ``between`` needs ``low <= high`` (a condition value, an event window);
- rule ids are unique, and an ``all``/``any`` group in a rule is not empty;
- office-hours windows of one day do not overlap, a date is not both a holiday and an
  exception, times are real clock readings (``"24:00"`` only as an end), dates exist
  (``format: date`` says so only to a validator that asserts formats);
- team members are listed once (JSON text cannot carry a lone surrogate to a schema
  validator; the models refuse one).

Every free text of every document (a condition's ``field``, ``property``, ``metric``,
``segment`` and every text in a ``value``; rule ids, names, views and teams; a team's
id, name, members and tags; a configuration's channels, actor and comment) holds no
NUL, as the models have it: each such string carries the pattern ``^[^\\u0000]*$``.
Every other pattern ends in ``$(?!\\n)``: ECMA-262's ``$`` is the end of the text, but
Python's ``re`` (which the ``jsonschema`` package searches with) also matches it before a
final newline.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import TypeAdapter

from helpdesk_routing._time import DATE_TIME_PATTERN
from helpdesk_routing.errors import ArgumentTypeError, RoutingError

__all__ = ["SCHEMA_NAMES", "UnknownSchema", "json_schema"]

DRAFT = "https://json-schema.org/draft/2020-12/schema"

_NUL = (
    " No text holds NUL (\\u0000), which PostgreSQL cannot store: each carries a pattern"
    " refusing it."
)
_WHOLE = (
    " Counts and amounts are written as whole numbers (1, not 1.0: JSON Schema counts 1.0"
    " as an integer; the models do not)."
)
_BEYOND = {
    "condition": "Checked by the models only: between needs low <= high." + _WHOLE,
    "rule-set": (
        "Checked by the models only: unique rule ids, no empty all/any group, "
        "between needs low <= high." + _WHOLE + _NUL
    ),
    "team": "Checked by the models only: each member listed once." + _NUL,
    "office-hours": (
        "Checked by the models only: windows of one day do not overlap; a date is not "
        "both a holiday and an exception; times are real clock readings; dates exist (not"
        " a 30th of February nor the year 0: their format, date, says so only to a"
        " validator that asserts formats); RRULE texts parse."
    ),
    "configuration": (
        "Checked by the models only: everything listed for its parts; each team id "
        "listed once; version and capacity written as whole numbers (2, not 2.0: JSON "
        "Schema counts 2.0 as an integer; the models do not)."
    ),
}


_DATE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
"""A calendar date as text (the models also refuse dates that do not exist)."""

_NO_NUL = "^[^\\u0000]*$"
"""Text without NUL (the escape, not the character: the schema's own text holds none)."""

_AT_END = "(?!\\n)"
"""What follows a pattern's final ``$``: not before a newline (see _whole_text_patterns)."""

_CLOCK = "([01][0-9]|2[0-3]):[0-5][0-9]"
_CONDITION_REF = {"$ref": "#/$defs/Condition"}


def _walk(node: Any, visit: Callable[[dict[str, Any]], None]) -> None:
    if isinstance(node, dict):
        visit(node)
        for value in node.values():
            _walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            _walk(value, visit)


def _plain_sets(node: dict[str, Any]) -> None:
    # A set or frozenset field accepts repeats (they collapse); JSON Schema must too.
    node.pop("uniqueItems", None)


def _offset_date_times(node: dict[str, Any]) -> None:
    if node.get("format") == "date-time" and node.get("type") == "string":
        # The pattern is the text the models read (ISO 8601 with an offset: "+02",
        # "10:00Z", a space for the T); RFC 3339's "date-time" format is narrower, so a
        # validator asserting formats would refuse what every model accepts.
        node["pattern"] = DATE_TIME_PATTERN
        del node["format"]
    elif node.get("format") == "date":
        node["pattern"] = _DATE


def _condition_dispatch(schema: dict[str, Any]) -> dict[str, Any]:
    """Replace the union of condition nodes by an if/then dispatch on ``type``, so a bad
    node is reported at its own path (a ``oneOf`` reports every alternative)."""
    if "TicketCondition" not in schema.get("$defs", {}):
        return schema  # no condition in it (a team, office hours): no Condition to define
    defs = schema["$defs"]
    tags = {
        "ticket": "TicketCondition",
        "profile": "ProfileCondition",
        "event": "EventCondition",
        "segment": "SegmentCondition",
        "all": "AllCondition",
        "any": "AnyCondition",
        "not": "NotCondition",
    }
    union = [{"$ref": f"#/$defs/{name}"} for name in tags.values()]
    defs["Condition"] = {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"enum": list(tags)}},
        "allOf": [
            {
                "if": {"properties": {"type": {"const": tag}}, "required": ["type"]},
                "then": {"$ref": f"#/$defs/{name}"},
            }
            for tag, name in tags.items()
        ],
    }

    def replace(node: dict[str, Any]) -> None:
        for key, value in list(node.items()):
            if isinstance(value, dict) and value.get("oneOf") == union:
                node[key] = dict(_CONDITION_REF)
            elif isinstance(value, list):
                node[key] = [
                    dict(_CONDITION_REF) if isinstance(v, dict) and v.get("oneOf") == union else v
                    for v in value
                ]

    _walk(schema, replace)
    if schema.get("oneOf") == union:
        del schema["oneOf"]
        schema.update(_CONDITION_REF)
    return schema


def _condition_parts(schema: dict[str, Any]) -> None:
    from .conditions._operands import MAX_COUNT, TimeUnit, max_amount

    defs = schema.get("$defs", {})
    spans = [
        {
            "if": {"properties": {"unit": {"const": unit.value}}, "required": ["unit"]},
            "then": {"properties": {"amount": {"maximum": max_amount(unit)}}},
        }
        for unit in TimeUnit
    ]

    def bound_spans(node: dict[str, Any]) -> None:
        # every {amount, unit}: an event window's and an in_last/in_next value's
        props = node.get("properties", {})
        if "amount" in props and "unit" in props:
            node["allOf"] = spans

    _walk(schema, bound_spans)

    if "EventCount" in defs:
        defs["EventCount"]["allOf"] = [
            {
                "if": {
                    "properties": {"op": {"enum": ["at_least", "at_most", "exactly"]}},
                    "required": ["op"],
                },
                "then": {
                    "properties": {
                        "value": {"type": "integer", "minimum": 0, "maximum": MAX_COUNT}
                    },
                    "required": ["value"],
                },
            },
            {
                "if": {"properties": {"op": {"const": "zero"}}, "required": ["op"]},
                "then": {"properties": {"value": {"enum": [None, 0]}}},
            },
        ]


def _tags_required(node: dict[str, Any]) -> None:
    """A member of a tagged union (a window, a destination, a node) names its ``type``:
    the models read the tag to choose, so a document without it is refused there."""
    props = node.get("properties", {})
    tag = props.get("type")
    if isinstance(tag, dict) and "const" in tag:
        required = node.setdefault("required", [])
        if "type" not in required:
            required.insert(0, "type")


def _office_hours_parts(schema: dict[str, Any]) -> None:
    from .calendar import iana_zone_keys

    def visit(node: dict[str, Any]) -> None:
        props = node.get("properties", {})
        if "timezone" in props and "weekly" in props:
            props["timezone"] = {"enum": sorted(iana_zone_keys())}
        items = node.get("prefixItems")
        if isinstance(items, list) and len(items) == 2 and items == [{"type": "string"}] * 2:
            node["prefixItems"] = [
                {"type": "string", "pattern": f"^{_CLOCK}$"},
                {"type": "string", "pattern": f"^({_CLOCK}|24:00)$"},
            ]

    _walk(schema, visit)


def _team_parts(schema: dict[str, Any]) -> None:
    def visit(node: dict[str, Any]) -> None:
        props = node.get("properties", {})
        if node.get("title") == "Team" and "members" in props:
            props["members"]["uniqueItems"] = True

    _walk(schema, visit)


def _condition() -> dict[str, Any]:
    from .conditions.nodes import raw_condition_schema

    return raw_condition_schema()


def _model(name: str) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        from .calendar import OfficeHours
        from .configuration import Configuration
        from .model import Team
        from .rules import RuleSet

        models: dict[str, Any] = {
            "rule-set": RuleSet,
            "team": Team,
            "office-hours": OfficeHours,
            "configuration": Configuration,
        }
        return TypeAdapter(models[name]).json_schema(by_alias=True)

    return build


def _no_nul_text(node: dict[str, Any]) -> None:
    """Every free text of every document refuses NUL, as the models do (``StoredText``,
    and ``parse_condition`` in a condition's names and in any text of a value): a string
    with an enum, const or pattern excludes it already."""
    if node.get("type") == "string" and not {"enum", "const", "pattern"} & node.keys():
        node["pattern"] = _NO_NUL


def _whole_text_patterns(node: dict[str, Any]) -> None:
    """A pattern ending in ``$`` also ends in ``(?!\n)``: JSON Schema's patterns are
    ECMA-262's, whose ``$`` is the end of the text, but validators that search with
    Python's ``re`` (the ``jsonschema`` package) also match ``$`` before a final
    newline, and so took ``"2026-03-30T00:00:00Z\n"`` as a date-time the models refuse."""
    pattern = node.get("pattern")
    if pattern == _NO_NUL:  # takes a final newline as the models do: nothing to add
        return
    if isinstance(pattern, str) and pattern.endswith("$") and not pattern.endswith("\\$"):
        node["pattern"] = pattern + _AT_END


def _finish(schema: dict[str, Any]) -> dict[str, Any]:
    _walk(schema, _plain_sets)
    _walk(schema, _offset_date_times)
    _walk(schema, _tags_required)
    _condition_parts(schema)
    _office_hours_parts(schema)
    _team_parts(schema)
    _walk(schema, _no_nul_text)
    _walk(schema, _whole_text_patterns)
    return _condition_dispatch(schema)


_BUILDERS: dict[str, Callable[[], dict[str, Any]]] = {
    "condition": _condition,
    "rule-set": _model("rule-set"),
    "team": _model("team"),
    "office-hours": _model("office-hours"),
    "configuration": _model("configuration"),
}

SCHEMA_NAMES: tuple[str, ...] = tuple(_BUILDERS)
"""The names :func:`json_schema` knows, in the order the CLI lists them."""


class UnknownSchema(RoutingError, KeyError):
    """:func:`json_schema` was asked for a name it does not know: a ``RoutingError`` (an
    ``except hr.RoutingError`` catches it, as every other error of the library), and a
    ``KeyError`` as a name missing from a table is. Its message names the name asked
    for and the known ones; ``name`` holds it."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"unknown schema {name!r}: one of {', '.join(SCHEMA_NAMES)}")

    def __str__(self) -> str:
        # the message as written: KeyError's own str would quote it as a key
        return str(self.args[0])

    def __reduce__(self) -> tuple[type[UnknownSchema], tuple[str]]:
        return (type(self), (self.name,))


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of the document ``name`` (one of :data:`SCHEMA_NAMES`).

    Raises :class:`UnknownSchema` (a ``RoutingError`` and a ``KeyError``) naming the known
    names for any other text, :class:`~helpdesk_routing.errors.ArgumentTypeError` (a
    ``TypeError``) for a name that is not text.
    """
    if not isinstance(name, str):
        raise ArgumentTypeError(f"a schema name is text, got {name!r}")
    if name not in _BUILDERS:
        raise UnknownSchema(name)
    schema = _finish(_BUILDERS[name]())
    return {"$schema": DRAFT, "$comment": _BEYOND[name], **schema}
