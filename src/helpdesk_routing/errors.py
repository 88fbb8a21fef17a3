"""The errors helpdesk_routing raises.

Every error derives from :class:`RoutingError` and from the builtin that fits,
so callers may catch either::

    RoutingError(Exception)
    ├── ValidationError(RoutingError, ValueError)      bad input; carries JSON paths
    │   ├── NaiveDatetimeError                          a datetime without a time zone
    │   ├── ArgumentTypeError (+ TypeError)             an argument of the wrong kind
    │   └── ModelValidationError (+ pydantic's)         a model's bad input, built directly
    ├── PermissionDenied(RoutingError, PermissionError) the actor's role may not do this
    ├── UnknownTicket(RoutingError, LookupError)        no ticket with that id
    ├── UnknownAgent(RoutingError, LookupError)         no agent with that id
    ├── UnknownTeam(RoutingError, LookupError)          no team with that id
    ├── ConflictError(RoutingError)                     a concurrent change won a race
    │   └── StaleConfiguration                          a newer configuration is stored
    ├── StoreError(RoutingError)                        the store failed (connection, schema)
    │   └── SchemaVersionError                          the stored schema is newer than the code
    └── MissingExtra(RoutingError, ImportError)         an optional extra is not installed

Messages are exact and stable: tests match them.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

import pydantic_core

from helpdesk_routing._shown import shown

__all__ = [
    "NAIVE",
    "SHOWN_DETAILS",
    "ArgumentTypeError",
    "ConflictError",
    "ErrorDetail",
    "MissingExtra",
    "ModelNaiveDatetimeError",
    "ModelValidationError",
    "NaiveDatetimeError",
    "PermissionDenied",
    "RoutingError",
    "SchemaVersionError",
    "StaleConfiguration",
    "StoreError",
    "UnknownAgent",
    "UnknownTeam",
    "UnknownTicket",
    "ValidationError",
    "input_path",
    "json_path",
    "race_lost",
    "version_refused",
]

NAIVE = "must be timezone-aware, got a naive datetime"
"""The message of a naive datetime given to a model's instant field."""


class RoutingError(Exception):
    """Base class of every error this library raises on purpose.

    Every one pickles with its class, message and attributes (a sweep's worker process
    may raise it): rebuilt from its ``args`` and ``__dict__`` without calling its
    ``__init__``, whose arguments are not its message (``UnknownTicket("t1")`` says
    ``unknown ticket 't1'``)."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restored, (type(self), self.args), self.__dict__ or None)


def _restored(kind: type[RoutingError], args: tuple[Any, ...]) -> RoutingError:
    """An error of ``kind`` with ``args``, its ``__init__`` not called (unpickling)."""
    error = kind.__new__(kind, *args)
    error.args = args
    return error


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    """One problem found in input: where (a JSON path such as ``$.rules[2].when.op``) and what.

    ``code`` is a stable machine-readable kind (``"missing"``, ``"condition_value"``,
    ``"json_duplicate_key"``, ...; pydantic's error type where pydantic found it);
    ``rule_id`` names the routing rule the path lies in, when there is one.
    """

    path: str
    message: str
    code: str = "invalid"
    rule_id: str | None = None

    def __post_init__(self) -> None:
        for name in ("path", "message", "code"):
            if not isinstance(getattr(self, name), str):
                # refused where it is made: it failed later, where the error was shown
                raise ArgumentTypeError(
                    f"ErrorDetail's {name} must be text, got {type(getattr(self, name)).__name__}"
                )
        if self.rule_id is not None and not isinstance(self.rule_id, str):
            raise ArgumentTypeError(
                f"ErrorDetail's rule_id must be text or None, got {type(self.rule_id).__name__}"
            )
        # pydantic prefixes the message of a ValueError raised in a validator ("Value
        # error, must be ..."); the library's message is the validator's own.
        prefix = _PREFIXES.get(self.code)
        if prefix is not None and self.message.startswith(prefix):
            object.__setattr__(self, "message", self.message[len(prefix) :])

    def __str__(self) -> str:
        # Both may hold text from outside (a key, a value): shown so that one detail
        # stays one line.
        return f"{shown(self.path)}: {shown(self.message)}"

    def as_dict(self) -> dict[str, str | None]:
        """``{"path", "code", "message", "rule_id"}``: one entry of an HTTP 422 body."""
        return {
            "path": self.path,
            "code": self.code,
            "message": self.message,
            "rule_id": self.rule_id,
        }


def _jsonable(value: object, fallback: Any) -> Any:
    """``value`` as JSON data: pydantic's JSON form, ``fallback(part)`` for a part that has
    none, ``fallback(value)`` when the whole cannot be walked (it holds itself)."""
    try:
        jsonable = pydantic_core.to_jsonable_python(value, fallback=fallback)
        json.dumps(jsonable)
    except (ValueError, TypeError, RecursionError):
        return fallback(value)
    return jsonable


_PREFIXES = {"value_error": "Value error, ", "assertion_error": "Assertion failed, "}
"""pydantic's prefix of a validator's own message, by error type."""


def json_path(loc: Iterable[str | int]) -> str:
    """Render a location tuple (as pydantic reports it) as a JSON path: ``$.a[0].b``.

    A key that a ``.name`` step cannot say (the empty key, one holding ``.``, ``[`` or
    ``]``, or a character that is not printable) is a bracketed JSON string:
    ``$.channels[""]``, ``$["a.b"]``, ``$["tags[0]"]``, ``$.fields["k\\n"]``; any other
    key (``$country``, ``2026-12-25``, ``Placed Order``) is a ``.name`` step as it is."""
    out = "$"
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _plain_key(part):
            out += f".{part}"
        else:
            out += f"[{_quoted_key(part)}]"
    return out


_NOT_PLAIN = frozenset(".[]")


def _plain_key(key: str) -> bool:
    return key != "" and key.isprintable() and _NOT_PLAIN.isdisjoint(key)


def _quoted_key(key: str) -> str:
    """``key`` as a JSON string whose every character is printable (a line break, a
    control or a format character is its ``\\n`` or ``\\uXXXX`` escape)."""
    body = json.dumps(key, ensure_ascii=False)
    return "".join(c if c.isprintable() else json.dumps(c)[1:-1] for c in body)


def path_loc(path: str) -> tuple[str | int, ...] | None:
    """The location tuple a JSON path of :func:`json_path` renders (``$.a[0]["b.c"]`` is
    ``("a", 0, "b.c")``), or ``None`` for text no location renders (a path shortened
    for its depth)."""
    if not path.startswith("$"):
        return None
    loc: list[str | int] = []
    at, end = 1, len(path)
    decoder = json.JSONDecoder()
    while at < end:
        if path[at] == ".":
            stop = at + 1
            while stop < end and path[stop] not in ".[":
                stop += 1
            loc.append(path[at + 1 : stop])
            at = stop
        elif path.startswith('["', at):
            try:
                key, stop = decoder.raw_decode(path, at + 1)
            except json.JSONDecodeError:
                return None
            if not path.startswith("]", stop):
                return None
            loc.append(key)
            at = stop + 1
        elif path[at] == "[":
            stop = path.find("]", at)
            digits = path[at + 1 : stop]
            if stop < 0 or not (digits.isascii() and digits.isdigit()):
                return None
            loc.append(int(digits))
            at = stop + 1
        else:
            return None
    return tuple(loc) if json_path(loc) == path else None


_LOST: Any = object()  # where a location leaves the input (a missing field, say)


def _absent_value(part: str | int, code: str) -> bool:
    """A condition's or filter's ``value`` that its operator needs and the input left out:
    the error is about that field, named as a missing field's is."""
    return part == "value" and code == "condition_value"


def _date_key(node: Mapping[Any, Any], text: str) -> Any:
    """The ``date`` key of ``node`` whose ISO text is ``text`` (pydantic names a date key
    so in a location), or ``None``."""
    for key in node:
        if isinstance(key, date) and key.isoformat() == text:
            return key
    return None


def input_path(loc: Sequence[str | int], data: Any, code: str = "invalid") -> str:
    """The JSON path of pydantic's error location ``loc`` in the input ``data`` (decoded
    JSON or Python values), without the labels pydantic inserts for unions.

    pydantic puts a tagged union's tag (``("handling", "lognormal", "sigma")``) or a
    member's type (``("per_hour", "float")``) into a location; no JSON path through the
    input has them. The location is followed through ``data``: a part that names no key
    of the mapping there, or any name below a list or a plain value, is such a label and
    is left out, but the last part of a missing field's error (``code == "missing"``, or a
    condition's ``value`` its operator needs), which is the field's name. Where the
    location leaves the input (an index past a list's end), the rest is kept as it is:
    ``$.handling.sigma``, ``$.arrivals.per_hour``. A key that is no text
    (``invalid_key``) is named at the mapping that holds it.
    """
    if code == "invalid_key" and loc:
        # pydantic puts the key that is no text into the location (5 as an index, None
        # or a tuple as text): the path is the mapping's that holds it, as a custom
        # field's mapping names it; the message says which key
        loc = loc[:-1]
    out: list[str | int] = []
    node: Any = data
    last = len(loc) - 1
    for i, part in enumerate(loc):
        if node is _LOST or (i == last and (code == "missing" or _absent_value(part, code))):
            out.append(part)
            continue
        if hasattr(node, "__pydantic_fields__") and not isinstance(node, Mapping):
            node = {**node.__dict__, "type": getattr(node, "type", None)}
        elif _by_attribute(node, part):
            # an object read with from_attributes=True: its attribute is the field
            out.append(part)
            node = getattr(node, str(part))
            continue
        if isinstance(node, Mapping):
            if part in node:
                out.append(part)
                node = node[part]
            elif isinstance(part, str) and (key := _date_key(node, part)) is not None:
                out.append(part)  # a date key (office hours' exceptions), by its text
                node = node[key]
            elif isinstance(part, str):
                pass  # a union's tag or a member's label
            else:
                out.append(part)
                node = _LOST
        elif isinstance(node, (list, tuple)) and type(part) is int and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        elif isinstance(part, str):
            pass  # below a list or a plain value, a name is a union member's label
        else:
            out.append(part)
            node = _LOST
    return json_path(out)


_PLAIN = (str, bytes, bytearray, int, float, list, tuple, set, frozenset, date, type(None))


def _by_attribute(node: Any, part: str | int) -> bool:
    """Whether ``part`` names an attribute of ``node``, an object pydantic read with
    ``from_attributes=True`` (neither a mapping, a list nor a plain value, whose names
    in a location are union labels)."""
    return (
        isinstance(part, str)
        and part.isidentifier()
        and not isinstance(node, (Mapping, *_PLAIN))
        and node is not _LOST
        and hasattr(node, part)
    )


UNION_TAGS: dict[str, tuple[str, tuple[str, ...]]] = {}
"""For a field holding a union told apart by its ``type`` (``"window"``, ``"then"``):
what one member is called and the types there are. The modules that define such unions
fill it in, so an error says ``a window needs a 'type': one of 'all_time', ...`` instead of
pydantic's ``Unable to extract tag using discriminator 'type'``."""


def pydantic_message(error: Mapping[str, Any]) -> str:
    """The message of one pydantic error (an ``errors()`` entry), in the library's words
    where pydantic's name its machinery: a missing or unknown ``type`` of a union in
    :data:`UNION_TAGS` lists the types there are."""
    kind = error["type"]
    if kind == "union_tag_not_found" or kind == "union_tag_invalid":
        field = next((p for p in reversed(error["loc"]) if isinstance(p, str)), None)
        known = UNION_TAGS.get(field) if field is not None else None
        if known is not None:
            noun, tags = known
            listed = ", ".join(map(repr, tags))
            if kind == "union_tag_invalid":
                tag = (error.get("ctx") or {}).get("tag")
                return f"unknown {noun} type {tag!r}: one of {listed}"
            return f"{_article(noun)} {noun} needs a 'type': one of {listed}"
    if kind == "invalid_key":  # at the mapping holding it (input_path): say which key
        key = error.get("input")
        return f"a key must be text, got {type(key).__name__} {_short_repr(key)}"
    if kind == "condition_type":  # a node's type unknown, or none given: say which
        given = error.get("input")
        if isinstance(given, Mapping) and "type" in given:
            tag = _short_repr(given["type"])
            listed = str(error["msg"]).partition(": ")[2]
            return f"unknown condition type {tag}: {listed}"
    return str(error["msg"])


_SHOWN_TAG = 100
"""The most characters of a value's ``repr`` a message shows (an unknown condition type,
a key that is no text)."""


def _short_repr(value: Any) -> str:
    """``repr(value)``, cut at :data:`_SHOWN_TAG` characters, saying how long it was."""
    shown = repr(value)
    return (
        shown if len(shown) <= _SHOWN_TAG else f"{shown[:_SHOWN_TAG]}... ({len(shown)} characters)"
    )


def _article(noun: str) -> str:
    """``a`` or ``an`` before ``noun`` (by its first letter: ``an AgentSpec``, ``an int``)."""
    return "an" if noun[:1].lower() in "aeiou" else "a"


def input_details(errors: Iterable[Mapping[str, Any]], data: Any) -> list[ErrorDetail]:
    """One :class:`ErrorDetail` per pydantic error (``errors()`` entries), located by
    :func:`input_path` in ``data``. A ``too_short`` of a collection one of whose items
    failed is left out: pydantic counts the items left "after validation" (a team of one
    bad member was also told it had none)."""
    return [
        ErrorDetail(input_path(e["loc"], data, e["type"]), pydantic_message(e), e["type"])
        for e in without_recounts(errors)
    ]


def without_recounts(errors: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Pydantic's ``errors()`` entries but a ``too_short`` of a collection one of whose
    items failed: pydantic counts the items left "after validation", so a team whose one
    member is bad was also told it had none (within a list of teams)."""
    found = list(errors)

    def an_item_failed(loc: tuple[Any, ...]) -> bool:
        return any(len(e["loc"]) > len(loc) and tuple(e["loc"][: len(loc)]) == loc for e in found)

    return [e for e in found if not (e["type"] == "too_short" and an_item_failed(tuple(e["loc"])))]


def _details(details: object) -> tuple[ErrorDetail, ...]:
    """``details`` as a tuple of :class:`ErrorDetail`, or an :class:`ArgumentTypeError`:
    a lone text would be read as one detail per character (each without a path), and
    any other item would fail later, where the error is shown or turned into
    ``errors()``."""
    if isinstance(details, str | bytes) or not isinstance(details, Iterable):
        raise ArgumentTypeError(
            f"details must be a sequence of ErrorDetail, got {type(details).__name__}"
        )
    found = tuple(details)
    for detail in found:
        if not isinstance(detail, ErrorDetail):
            raise ArgumentTypeError(
                f"details must be a sequence of ErrorDetail, got an item of type"
                f" {type(detail).__name__}"
            )
    return found


SHOWN_DETAILS = 200
"""How many details ``str(error)`` lists, one a line; a line after them counts the rest.
A replay file of 100,000 records written with a misnamed column has 200,000 problems: a
message of every one was 12 MB, more than a notebook or a terminal shows. Every problem
of any input a person wrote by hand is still in the text; ``details`` and ``errors()``
keep every one."""


SHOWN_LINE = 2000
"""The most characters of one line of ``str(error)`` (its message, or a detail): a value
echoed in a message (an unknown key, an id, a time zone) may be a megabyte a caller
sent; the line ends ``... (cut: N characters in all)``. ``details`` keep it whole."""


SHOWN_ID = 1000
"""The most characters of an unknown id's ``repr`` in its error's message: an id of any
length a store keeps (255 characters) is shown whole, one of a megabyte a caller sent is
cut (``... (cut: N characters in all)``); the error's id attribute keeps it whole."""


def _id_repr(value: object) -> str:
    """``repr(value)``, cut past :data:`SHOWN_ID` characters, saying how long it was."""
    said = repr(value)
    if len(said) <= SHOWN_ID:
        return said
    tail = f"... (cut: {len(said):,} characters in all)"
    return said[: SHOWN_ID - len(tail)] + tail


def _cut(line: str) -> str:
    """``line``, or its first characters and how long it was, in :data:`SHOWN_LINE`."""
    if len(line) <= SHOWN_LINE:
        return line
    tail = f"... (cut: {len(line):,} characters in all)"
    return line[: SHOWN_LINE - len(tail)] + tail


def _listed(message: str, details: Sequence[ErrorDetail]) -> str:
    """``message`` and the first :data:`SHOWN_DETAILS` details, one a line (each cut to
    :data:`SHOWN_LINE` characters), then how many more there are."""
    lines = [_cut(message), *(_cut(f"  {d}") for d in details[:SHOWN_DETAILS])]
    more = len(details) - SHOWN_DETAILS
    if more > 0:
        problems = "problem" if more == 1 else "problems"
        lines.append(f"  ... and {more:,} more {problems}")
    return "\n".join(lines)


class ValidationError(RoutingError, ValueError):
    """Input that cannot be accepted; ``details`` names each bad part by its JSON path.

    Raised by the loaders (``RuleSet.from_json``, ``parse_condition``, ...) and by
    rule-set validation against teams. ``str(error)`` lists the details, one a line: the
    first :data:`SHOWN_DETAILS` of them, then a line counting the rest. ``details`` (and
    ``errors()``) hold every one: a sequence of :class:`ErrorDetail`; anything else (a
    lone text, which would read as one detail per character) is an
    :class:`ArgumentTypeError`.
    """

    def __init__(self, message: str, details: Sequence[ErrorDetail] = ()) -> None:
        if not isinstance(message, str):
            raise ArgumentTypeError(f"message must be text, got {type(message).__name__}")
        self.message = message
        self.details: tuple[ErrorDetail, ...] = _details(details)
        super().__init__(_listed(message, self.details))

    @property
    def paths(self) -> tuple[str, ...]:
        """The JSON paths of the bad parts, in the order found."""
        return tuple(d.path for d in self.details)

    def errors(
        self,
        *,
        include_url: bool = True,
        include_context: bool = True,
        include_input: bool = True,
    ) -> list[dict[str, Any]]:
        """One ``{"path", "code", "message", "rule_id"}`` dict per detail, fit for the body
        of an HTTP 422 answer (``json.dumps(error.errors())``); a failure without details
        gives one entry at ``$`` carrying the message. ``path``, ``code`` and ``message``
        are text, ``rule_id`` text or ``None``. A :class:`ModelValidationError`'s entries
        also carry pydantic's keys, which the keyword arguments select as pydantic's
        ``errors()`` does (they change nothing here): the type is the one both give."""
        if not self.details:
            return [ErrorDetail("$", self.message).as_dict()]
        return [d.as_dict() for d in self.details]

    def under(self, path: str) -> ValidationError:
        """This error with every detail's path moved under ``path`` (``"$.rules"`` turns
        ``$.rules[0].when`` into ``$.rules.rules[0].when``): for a document read as a part
        of a larger one."""
        details = [replace(d, path=path + d.path[1:]) for d in self.details]
        return ValidationError(self.message, details)

    def with_rule_ids(
        self, rules: object, *, say: bool = False, at: str = "$.rules["
    ) -> ValidationError:
        """This error with each detail under ``$.rules[i]`` naming the id of ``rules[i]``
        (``rules`` is the document's ``"rules"`` list as given; anything else names none),
        as its ``rule_id`` and, with ``say``, before its message too (``rule 'id': ``), as
        the models tell a rule's own problems: for details found before them (the JSON
        checks of text, numbers and depth). ``at`` is where the list lies in the
        document: ``$.rules[`` (a rule set), ``$.rules.rules[`` (a configuration)."""
        if not isinstance(rules, list):
            return self
        details = []
        for d in self.details:
            rule_id = d.rule_id
            if rule_id is None and d.path.startswith(at):
                index = d.path[len(at) :].split("]", 1)[0]
                rule = rules[int(index)] if index.isdigit() and int(index) < len(rules) else None
                if isinstance(rule, dict) and isinstance(rule.get("id"), str):
                    rule_id = rule["id"]
                    named = f"rule {rule_id!r}"
                    if say and not d.message.startswith(named):
                        d = replace(d, message=f"{named}: {d.message}")
            details.append(replace(d, rule_id=rule_id))
        return type(self)(self.message, details) if type(self) is ValidationError else self

    @classmethod
    def from_pydantic(
        cls, what: str, error: Any, *, root: Sequence[str | int] = (), data: Any = _LOST
    ) -> ValidationError:
        """Wrap a ``pydantic.ValidationError``: one detail per error, located by JSON path
        (in ``data``, the input that failed, when given: see :func:`input_path`)."""
        if not isinstance(error, pydantic_core.ValidationError):
            raise ArgumentTypeError(
                f"from_pydantic wraps a pydantic.ValidationError, got {type(error).__name__}"
            )
        found = error.errors(include_url=False)
        if data is not _LOST:
            details = input_details(found, data)
            if root:
                details = [replace(d, path=json_path(root) + d.path[1:]) for d in details]
        else:
            details = [
                ErrorDetail(json_path([*root, *e["loc"]]), pydantic_message(e), e["type"])
                for e in found
            ]
        return cls(f"invalid {what}", details)


class ArgumentTypeError(ValidationError, TypeError):
    """An argument of the wrong kind (a ``dict`` where a ``Store`` belongs, text where
    ``EventNames`` do): a :class:`ValidationError`, so ``except hr.RoutingError`` catches
    it, and a ``TypeError``, as Python's convention for a wrong type has it. The message
    names the argument."""


class NaiveDatetimeError(ValidationError):
    """A datetime without time-zone information was given where an instant is needed."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} must be timezone-aware, got a naive datetime")


class ModelValidationError(ValidationError, pydantic_core.ValidationError):
    """A model's bad input: ``hr.ValidationError`` and ``pydantic.ValidationError`` at once.

    ``str(error)`` is ``"<n> validation error(s) for <Model>"`` and one line per problem,
    ``<JSON path>: <message>`` (the first :data:`SHOWN_DETAILS`, then a line counting the
    rest; ``repr`` lists as many paths). ``errors()`` is pydantic's list (same arguments), each
    entry also carrying this library's keys (``path``, ``code``, ``message``,
    ``rule_id``), so code written against either contract reads it.
    """

    details: tuple[ErrorDetail, ...]
    message: str

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Built by ``of`` through pydantic's ``from_exception_data``, which passes its own
        # arguments here; ``of`` sets the library's attributes afterwards.
        pass

    @classmethod
    def of(
        cls,
        error: pydantic_core.ValidationError,
        details: Sequence[ErrorDetail] | None = None,
        *,
        json_input: bool = False,
    ) -> ModelValidationError:
        """Wrap pydantic's ``error``; ``details`` default to one per error, at its JSON path."""
        found = error.errors(include_url=False)
        if details is None:
            details = [
                ErrorDetail(json_path(e["loc"]), pydantic_message(e), e["type"]) for e in found
            ]
        kind = cls
        if found and all(_naive(e) for e in found):
            kind = ModelNaiveDatetimeError
        return _rebuild(
            kind,
            error.title,
            [_line(e) for e in found],
            details,
            input_type="json" if json_input else "python",
        )

    def __str__(self) -> str:
        return _listed(shown(self.message), self.details)

    def __repr__(self) -> str:
        paths = tuple(_cut(p) for p in self.paths)  # a path may hold a megabyte key
        if len(paths) > SHOWN_DETAILS:
            listed = ", ".join(map(repr, paths[:SHOWN_DETAILS]))
            return (
                f"{type(self).__name__}({self.message!r}, paths=({listed}, ... and"
                f" {len(paths) - SHOWN_DETAILS:,} more))"
            )
        return f"{type(self).__name__}({self.message!r}, paths={paths!r})"

    def errors(  # type: ignore[override]
        self,
        *,
        include_url: bool = True,
        include_context: bool = True,
        include_input: bool = True,
    ) -> list[dict[str, Any]]:
        """pydantic's ``errors()``, each entry with ``path``, ``code``, ``message`` and
        ``rule_id`` added (this library's :meth:`ValidationError.errors` keys).

        ``input`` and ``ctx`` come in their JSON form, as pydantic's ``json()`` writes
        them (a datetime as its ISO text, a set as a list, anything else as its text), so
        ``json.dumps(error.errors())`` is an HTTP 422 body for this error as for any
        :class:`ValidationError`: pydantic's own entries hold the values as given, and a
        datetime or an exception among them made ``json.dumps`` fail."""
        found: list[dict[str, Any]] = [
            dict(e)
            for e in pydantic_core.ValidationError.errors(
                self,
                include_url=include_url,
                include_context=include_context,
                include_input=include_input,
            )
        ]
        for entry in found:
            if "input" in entry:
                entry["input"] = _jsonable(entry["input"], repr)
            if "ctx" in entry:
                entry["ctx"] = _jsonable(entry["ctx"], str)
        for entry, detail in zip(found, self.details, strict=False):
            entry.update(detail.as_dict())
        return found

    def __reduce__(self) -> tuple[Any, ...]:
        # pydantic's own reduce rebuilds a plain pydantic error: keep the class and the
        # library's details across a process boundary (a sweep's worker).
        lines = [{**line, "input": _picklable(line["input"])} for line in self._lines()]
        return (_rebuild, (type(self), self.title, lines, self.details))

    def _lines(self) -> list[Any]:
        return [_line(e) for e in pydantic_core.ValidationError.errors(self, include_url=False)]


def _picklable(value: Any) -> Any:
    """``value`` when it pickles, else its JSON form (what ``errors()`` shows of it): an
    error whose input held a cursor, a lock or a lambda could not cross a process
    boundary (a sweep's worker), and the parent got pickle's ``TypeError`` instead."""
    try:
        pickle.dumps(value)
    except Exception:  # any failure to pickle: TypeError, PicklingError, AttributeError
        return _jsonable(value, repr)
    return value


class ModelNaiveDatetimeError(NaiveDatetimeError, ModelValidationError):
    """A model's bad input where every problem is a datetime without a time zone."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass


def _rebuild(
    kind: type[ModelValidationError],
    title: str,
    lines: list[Any],
    details: Sequence[ErrorDetail],
    input_type: Literal["python", "json"] = "python",
) -> ModelValidationError:
    """The error of ``kind`` made of pydantic's ``lines`` and this library's ``details``
    (``of`` builds one; unpickling builds one again)."""
    out = kind.from_exception_data(title, lines, input_type=input_type)
    out.details = tuple(details)
    count = out.error_count()
    out.message = f"{count} validation error{'' if count == 1 else 's'} for {title}"
    out.args = (str(out),)
    return out


def _naive(entry: Any) -> bool:
    """Whether pydantic's error entry is a naive datetime refused by an instant field."""
    ctx = entry.get("ctx")
    cause = None if ctx is None else ctx.get("error")
    return isinstance(cause, NaiveDatetimeError) or (
        type(cause) is ValueError and str(cause) == NAIVE
    )


_KNOWN: dict[tuple[str, tuple[str, ...]], bool] = {}


def _line(entry: Any) -> Any:
    """pydantic's error entry as the ``InitErrorDetails`` that make it again: a type
    pydantic knows is kept with its context; any other (``PydanticCustomError``) is
    made custom again with its rendered message."""
    kind = entry["type"]
    line: dict[str, Any] = {"loc": entry["loc"], "input": entry["input"]}
    if "ctx" in entry:
        line["ctx"] = entry["ctx"]
    # Keyed by the context's keys too: a custom error may reuse a built-in type's name
    # without its context ("string_too_short" with no min_length), and must not be
    # rebuilt as the built-in one because the built-in was seen first.
    key = (kind, tuple(sorted(line.get("ctx", ()))))
    known = _KNOWN.get(key)
    if known is None:
        try:
            probe: Any = {**line, "type": kind}
            pydantic_core.ValidationError.from_exception_data("probe", [probe])
            known = True
        except (KeyError, TypeError, ValueError):
            known = False
        _KNOWN[key] = known
    if known:
        line["type"] = kind
    else:
        line["type"] = pydantic_core.PydanticCustomError(kind, entry["msg"])
        line.pop("ctx", None)
    return line


class PermissionDenied(RoutingError, PermissionError):
    """The actor's role does not allow the operation (see ``helpdesk_routing.permissions``)."""


class UnknownTicket(RoutingError, LookupError):
    """No ticket with the given id is stored."""

    def __init__(self, ticket_id: str) -> None:
        self.ticket_id = ticket_id
        super().__init__(f"unknown ticket {_id_repr(ticket_id)}")


class UnknownAgent(RoutingError, LookupError):
    """No agent with the given id is known to the store.

    ``where``, when given, says where the id was written (a team member of a
    configuration: ``"team 'billing', $.teams[1].members[0]"``); the message ends with it
    in parentheses."""

    def __init__(self, agent_id: str, *, where: str | None = None) -> None:
        self.agent_id = agent_id
        self.where = where
        told = f" ({where})" if where else ""
        super().__init__(f"unknown agent {_id_repr(agent_id)}{told}")


class UnknownTeam(RoutingError, LookupError):
    """No team with the given id is configured."""

    def __init__(self, team_id: str) -> None:
        self.team_id = team_id
        super().__init__(f"unknown team {_id_repr(team_id)}")


class ConflictError(RoutingError):
    """A concurrent change made this unit of work impossible; nothing was written.

    Raised after the bounded retries are spent. Retrying the whole call is safe.
    ``retryable`` is true when the database broke a race between units of work on its
    own (a deadlock, a serialization failure): the unit lost through no fault of its
    content, and the Router runs such an operation again by itself a few times before
    letting the error through (:data:`helpdesk_routing.router.RACE_ATTEMPTS`).
    """

    retryable: bool = False


def race_lost(message: str) -> ConflictError:
    """The :class:`ConflictError` of a unit the database gave up to break a race (a
    deadlock, a serialization failure): ``retryable``, so the Router runs it again."""
    error = ConflictError(message)
    error.retryable = True
    return error


class StaleConfiguration(ConflictError):
    """A unit of work was decided under an older configuration than the stored one.

    Raised by a store (e.g. a ``route_round_robin`` told which configuration version
    decided) before it writes anything; the Router reloads the configuration and retries,
    so users see it only when the configuration keeps changing faster than a retry.
    """

    def __init__(self, expected: int, stored: int) -> None:
        self.expected = expected
        self.stored = stored
        if expected > stored:  # a version nobody wrote yet (a typo, another store's)
            super().__init__(
                f"configuration version {expected} does not exist: version {stored} is the "
                "newest stored"
            )
        else:
            super().__init__(
                f"configuration version {expected} is stale: version {stored} is stored"
            )


def version_refused(version: int, stored: int) -> ConflictError:
    """The error of a store refusing to append configuration ``version`` after ``stored``:
    :class:`StaleConfiguration` when a newer version than the writer read is stored (it
    lost a race, or edited an old one), a plain :class:`ConflictError` for a gap."""
    if version <= stored:
        return StaleConfiguration(version - 1, stored)
    return ConflictError(
        f"configuration version {version} cannot follow the stored version {stored}"
    )


class StoreError(RoutingError):
    """The store could not do its work (a lost connection, a broken schema); nothing was written."""


class SchemaVersionError(StoreError):
    """The stored schema is newer than this version of the library knows; nothing was touched."""


class MissingExtra(RoutingError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""

    def __init__(self, feature: str, extra: str) -> None:
        self.extra = extra
        super().__init__(
            f"{feature} needs the optional extra {extra!r}: pip install 'helpdesk-routing[{extra}]'"
        )
