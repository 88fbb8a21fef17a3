"""Strict JSON: every document the library reads from text goes through :func:`loads`.

The standard :func:`json.loads` accepts more than JSON (``NaN``, ``Infinity``,
duplicate keys where the last one silently wins, numbers that overflow to infinity,
lone surrogate escapes such as ``"\\ud800"``) and raises several kinds of exception
(``JSONDecodeError``, ``UnicodeDecodeError``, ``RecursionError``, ``ValueError`` for
an integer of more than 4300 digits). Here each of those is one
:class:`~helpdesk_routing.errors.ValidationError` naming the JSON path of the bad part.

What is accepted, so that whatever is read can be written back unchanged:

- bytes must be UTF-8; text must be free of lone surrogates (keys and values);
- no key appears twice in one object;
- numbers are finite (``NaN``, ``Infinity`` and ``1e400`` are refused);
- nesting is at most :data:`MAX_DEPTH` objects and arrays deep.

:func:`check_data` applies the same rules (but duplicates, which a ``dict`` cannot
hold) to data already in Python form.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from .errors import ErrorDetail, ValidationError, json_path

__all__ = ["MAX_DEPTH", "check_data", "loads"]

MAX_DEPTH = 100
"""How deep objects and arrays may nest in a document (the outermost one is level 1).

A rule set's condition uses two levels per ``all``/``any`` node (the object and its
``conditions`` array), so this leaves room for about 45 nested nodes: far more than a
person writes, and far below the depth at which Python's parser or pydantic recurse
too deeply."""

_DEEP = f"nested deeper than {MAX_DEPTH} levels"


class _Pairs(list[tuple[str, Any]]):
    """An object's members, in order, before duplicates are checked."""


class _NotFinite:
    """A number JSON cannot hold (``NaN``, ``Infinity``, ``1e400``), kept to report it."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _float(text: str) -> float | _NotFinite:
    value = float(text)
    return value if math.isfinite(value) else _NotFinite(text)


def _surrogate(text: str) -> str | None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"text with a lone surrogate \\u{ord(text[exc.start]):04x}"
    return None


class _Walk:
    """Turns parsed members into dicts, collecting every problem with its path."""

    def __init__(self) -> None:
        self.details: list[ErrorDetail] = []

    def bad(self, loc: list[str | int], code: str, message: str) -> None:
        self.details.append(ErrorDetail(json_path(loc), message, code))

    def value(self, value: Any, loc: list[str | int], depth: int) -> Any:
        if isinstance(value, str):
            problem = _surrogate(value)
            if problem is not None:
                self.bad(loc, "json_surrogate", problem)
            return value
        if isinstance(value, _NotFinite):
            self.bad(loc, "json_number", f"not a finite number: {value.text}")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.bad(loc, "json_number", f"not a finite number: {value!r}")
            return value
        if isinstance(value, list | tuple | _Pairs | Mapping):
            if depth > MAX_DEPTH:
                self.bad(loc, "json_depth", _DEEP)
                return None
            if isinstance(value, _Pairs):
                return self.pairs(value, loc, depth)
            if isinstance(value, Mapping):
                return self.pairs(list(value.items()), loc, depth)
            return [self.value(v, [*loc, i], depth + 1) for i, v in enumerate(value)]
        return value

    def pairs(self, pairs: list[tuple[Any, Any]], loc: list[str | int], depth: int) -> Any:
        out: dict[Any, Any] = {}
        for key, member in pairs:
            where = [*loc, str(key)]
            if isinstance(key, str):
                problem = _surrogate(key)
                if problem is not None:
                    self.bad(where, "json_surrogate", f"key: {problem}")
            if key in out:
                self.bad(where, "json_duplicate_key", f"duplicate key {key!r}")
                continue
            out[key] = self.value(member, where, depth + 1)
        return out


def _fail(what: str, details: list[ErrorDetail]) -> ValidationError:
    return ValidationError(f"invalid {what}", details)


def loads(
    text: str | bytes | bytearray, what: str = "document", *, rules_key: str | None = None
) -> Any:
    """Parse strict JSON text (see the module docstring); ``what`` names the document in
    the error's message (``"invalid rule set"``). With ``rules_key``, a problem inside
    ``$.<rules_key>[i]`` names the id of that rule (``ErrorDetail.rule_id``)."""
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _fail(
                what,
                [ErrorDetail("$", f"not UTF-8: invalid byte at offset {exc.start}", "json_utf8")],
            ) from None
    try:
        parsed = json.loads(
            text, object_pairs_hook=_Pairs, parse_constant=_NotFinite, parse_float=_float
        )
    except json.JSONDecodeError as exc:
        raise _fail(
            what, [ErrorDetail("$", f"not JSON: {exc.msg} at line {exc.lineno}", "json_syntax")]
        ) from None
    except RecursionError:
        raise _fail(what, [ErrorDetail("$", _DEEP, "json_depth")]) from None
    except ValueError:  # an integer literal of more than 4300 digits
        raise _fail(
            what, [ErrorDetail("$", "not JSON: an integer of more than 4300 digits", "json_number")]
        ) from None
    walk = _Walk()
    data = walk.value(parsed, [], 1)
    if walk.details:
        error = _fail(what, walk.details)
        if rules_key is not None and isinstance(data, dict):
            error = error.with_rule_ids(data.get(rules_key))
        raise error
    return data


def check_data(data: Any, what: str = "document") -> None:
    """Raise :class:`~helpdesk_routing.errors.ValidationError` when parsed data breaks the
    rules of :func:`loads`: a lone surrogate, a non-finite float, nesting too deep."""
    walk = _Walk()
    walk.value(data, [], 1)
    if walk.details:
        raise _fail(what, walk.details)
