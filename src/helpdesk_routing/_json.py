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
- integers lie in signed 64 bits (:data:`MIN_INT` to :data:`MAX_INT`): JSON numbers
  beyond them are not portable (SQLite and most JSON readers turn them into lossy
  floats), so a rule set or a custom value holding one would compare differently in
  one store than in another;
- nesting is at most :data:`MAX_DEPTH` objects and arrays deep.

:func:`check_data` applies the same rules (but duplicates, which a ``dict`` cannot
hold) to data already in Python form. Neither recurses: a document of any depth is
refused, never a ``RecursionError``. The path of a problem nested very deep is
shortened by :func:`short_path`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .errors import ArgumentTypeError, ErrorDetail, ValidationError, json_path

__all__ = [
    "CONFIGURATION_DEPTH",
    "MAX_DEPTH",
    "MAX_INT",
    "MIN_INT",
    "SCENARIO_DEPTH",
    "check_data",
    "decode_utf8",
    "loads",
    "short_path",
    "syntax_message",
]

MAX_DEPTH = 100
"""How deep objects and arrays may nest in a document (the outermost one is level 1).

A rule set's condition may use all but the three levels above a rule's ``when``:
:data:`~helpdesk_routing.conditions.MAX_CONDITION_DEPTH` (97) levels, two per
``all``/``any`` node (the object and its ``conditions`` array), one per ``not``. That is
far more than a person writes, and far below the depth at which Python's parser or
pydantic recurse too deeply."""

CONFIGURATION_DEPTH = MAX_DEPTH + 1
"""How deep a configuration document may nest: its rule set lies one level down
(``$.rules``), so a condition of the greatest depth in it lies at level 101."""

SCENARIO_DEPTH = MAX_DEPTH + 2
"""How deep a simulation scenario may nest: its configuration lies one level down
(``$.configuration``), its rule set two."""

_DEEP = f"nested deeper than {MAX_DEPTH} levels"


def _deep(depth: int) -> str:
    return _DEEP if depth == MAX_DEPTH else f"nested deeper than {depth} levels"


MAX_INT = 2**63 - 1
"""The largest integer a document or a stored value may hold (signed 64-bit)."""

MIN_INT = -(2**63)
"""The smallest integer a document or a stored value may hold (signed 64-bit)."""

_BIG_INT = "integer beyond signed 64 bits"

SHORT_PATH = 200
"""The longest JSON path :func:`short_path` writes out in full."""


def short_path(loc: Sequence[str | int], prefix: str = "$") -> str:
    """The JSON path of ``loc`` (after ``prefix``), shortened when longer than
    :data:`SHORT_PATH` characters: its first steps, ``…(N steps left out)…`` and its
    last steps, so that a problem nested a hundred levels deep is still named in one
    readable line (``$.rules[0].when.condition.condition…(80 steps left out)….condition``).
    """
    steps = [f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc]
    full = prefix + "".join(steps)
    if len(full) <= SHORT_PATH:
        return full
    head, used = prefix, 0
    while used < len(steps) and len(head) + len(steps[used]) <= SHORT_PATH // 2:
        head += steps[used]
        used += 1
    tail, kept = "", 0
    while kept < len(steps) - used and len(tail) + len(steps[-1 - kept]) <= SHORT_PATH // 4:
        tail = steps[-1 - kept] + tail
        kept += 1
    left_out = len(steps) - used - kept
    return f"{head}…({left_out} step{'s' if left_out != 1 else ''} left out)…{tail}"


class _Pairs(list[tuple[str, Any]]):
    """An object's members, in order, before duplicates are checked."""


class _NotFinite:
    """A number JSON cannot hold (``NaN``, ``Infinity``, ``1e400``), kept to report it."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class _TooLong:
    """An integer literal too long for ``int`` to read (more than 4300 digits, Python's
    default limit), kept to report it at its path: beyond signed 64 bits, as any of 20
    digits is."""

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        self.digits = digits


def _int(text: str) -> int | _TooLong:
    try:
        return int(text)
    except ValueError:  # past sys.get_int_max_str_digits()
        return _TooLong(len(text.lstrip("-")))


def _float(text: str) -> float | _NotFinite:
    value = float(text)
    return value if math.isfinite(value) else _NotFinite(text)


def _surrogate(text: str) -> str | None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"text with a lone surrogate \\u{ord(text[exc.start]):04x}"
    return None


_CONTAINERS = (list, tuple, Mapping)
_DONE: Any = object()


def _members(value: Any) -> tuple[Any, Iterator[tuple[Any, Any]]]:
    """An empty container of the kind ``value`` becomes, and ``value``'s members."""
    if isinstance(value, _Pairs):
        return {}, iter(value)
    if isinstance(value, Mapping):
        return {}, iter(value.items())
    return [], enumerate(value)


class _Walk:
    """Turns parsed members into dicts, collecting every problem with its path.

    The walk keeps its own stack (one entry per open object or array, so at most
    :data:`MAX_DEPTH`): it never recurses, whatever the input's depth and however deep
    the caller's stack already is. Problems are reported in document order.
    """

    def __init__(self, depth: int = MAX_DEPTH) -> None:
        self.details: list[ErrorDetail] = []
        self.depth = depth

    def bad(self, loc: list[str | int], code: str, message: str) -> None:
        path = short_path(loc) if code == "json_depth" else json_path(loc)
        self.details.append(ErrorDetail(path, message, code))

    def scalar(self, value: Any, loc: list[str | int]) -> Any:
        """``value`` (not an object or array) as read, reporting what JSON cannot hold."""
        if isinstance(value, str):
            problem = _surrogate(value)
            if problem is not None:
                self.bad(loc, "json_surrogate", problem)
            return value
        if isinstance(value, _NotFinite):
            self.bad(loc, "json_number", f"not a finite number: {value.text}")
            return None
        if isinstance(value, _TooLong):
            self.bad(loc, "json_number", f"{_BIG_INT} ({value.digits:,} digits)")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.bad(loc, "json_number", f"not a finite number: {value!r}")
            return value
        if isinstance(value, int) and not MIN_INT <= value <= MAX_INT:  # bool is in range
            self.bad(loc, "json_number", _BIG_INT)
        return value

    def value(self, value: Any) -> Any:
        """The document ``value`` with every ``_Pairs`` made a dict (problems recorded)."""
        if not isinstance(value, _CONTAINERS):
            return self.scalar(value, [])
        root, members = _members(value)
        stack: list[tuple[Iterator[tuple[Any, Any]], Any, list[str | int]]] = [(members, root, [])]
        while stack:
            members, out, loc = stack[-1]
            member = next(members, _DONE)
            if member is _DONE:
                stack.pop()
                continue
            key, item = member
            if isinstance(out, dict):
                where: list[str | int] = [*loc, str(key)]
                if isinstance(key, str):
                    problem = _surrogate(key)
                    if problem is not None:
                        self.bad(where, "json_surrogate", f"key: {problem}")
                if key in out:
                    self.bad(where, "json_duplicate_key", f"duplicate key {key!r}")
                    continue
            else:
                where = [*loc, key]
            if not isinstance(item, _CONTAINERS):
                converted = self.scalar(item, where)
            elif len(stack) >= self.depth:  # ``item`` would be level len(stack) + 1
                self.bad(where, "json_depth", _deep(self.depth))
                converted = None
            else:
                converted, inner = _members(item)
                stack.append((inner, converted, where))
            if isinstance(out, dict):
                out[key] = converted
            else:
                out.append(converted)
        return root


def _fail(what: str, details: list[ErrorDetail]) -> ValidationError:
    return ValidationError(f"invalid {what}", details)


_BOM = b"\xef\xbb\xbf"


def decode_utf8(data: bytes | bytearray, what: str = "document") -> str:
    """``data`` read as UTF-8 text, a leading byte-order mark (a file saved by some
    Windows editors, Excel's "CSV UTF-8") read as none, as RFC 8259 allows a parser to;
    anywhere else it stays a character. Bytes that are not UTF-8 are a
    :class:`~helpdesk_routing.errors.ValidationError` (``invalid <what>``) with one
    detail, ``$: not UTF-8: invalid byte at offset N`` (code ``json_utf8``): ``N`` is the
    first bad byte's offset in ``data``, counted from 0, the byte-order mark included.
    Every reader of bytes (the JSON loaders, every input file) says it so."""
    try:
        return bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # utf-8-sig counts the offset past the mark it took off
        offset = exc.start + (len(_BOM) if data.startswith(_BOM) else 0)
        message = f"not UTF-8: invalid byte at offset {offset}"
        raise _fail(what, [ErrorDetail("$", message, "json_utf8")]) from None


def syntax_message(error: json.JSONDecodeError, *, line: bool = True) -> str:
    """What a ``json_syntax`` detail says: ``not JSON: <the parser's reason> at line L,
    column C`` (both counted from 1; a column in characters, ``\t`` one of them), or,
    with ``line=False`` (a JSON Lines line, named by its reader), ``... at column C``.
    The column places the error in a document written on one line (``json.dumps``'s)."""
    place = f"line {error.lineno}, column {error.colno}" if line else f"column {error.colno}"
    # Python words one reason with its own "at" ("Invalid control character at"): once
    return f"not JSON: {error.msg.removesuffix(' at')} at {place}"


def loads(
    text: str | bytes | bytearray,
    what: str = "document",
    *,
    rules_key: str | tuple[str, ...] | None = None,
    one_line: bool = False,
    depth: int = MAX_DEPTH,
) -> Any:
    """Parse strict JSON text (see the module docstring); ``what`` names the document in
    the error's message (``"invalid rule set"``). With ``rules_key``, a problem inside
    ``$.<rules_key>[i]`` names the id of that rule (``ErrorDetail.rule_id``, and before
    its message); a tuple of keys is a path (``("rules", "rules")``: a configuration's). A syntax
    error is placed by line and column (:func:`syntax_message`); by column alone with
    ``one_line`` (the text is one line of a file, named by its reader). ``depth`` is how
    deep the document may nest: :data:`MAX_DEPTH`, and one level more for each the
    document puts above a rule set (:data:`CONFIGURATION_DEPTH`, :data:`SCENARIO_DEPTH`),
    so a condition of the greatest depth reads back wherever it is written. Anything
    but text or bytes (a dict already parsed, ``None``) is an
    :class:`~helpdesk_routing.errors.ArgumentTypeError` naming ``what``."""
    if not isinstance(text, str | bytes | bytearray):
        raise ArgumentTypeError(
            f"{what} must be JSON text (str or bytes), got {type(text).__name__}"
        )
    if isinstance(text, bytes | bytearray):
        text = decode_utf8(text, what)
    elif text.startswith("\ufeff"):
        text = text[1:]  # the same mark, in text read from such a file
    try:
        parsed = json.loads(
            text,
            object_pairs_hook=_Pairs,
            parse_constant=_NotFinite,
            parse_float=_float,
            parse_int=_int,
        )
    except json.JSONDecodeError as exc:
        raise _fail(
            what, [ErrorDetail("$", syntax_message(exc, line=not one_line), "json_syntax")]
        ) from None
    except RecursionError:
        raise _fail(what, [ErrorDetail("$", _deep(depth), "json_depth")]) from None
    walk = _Walk(depth)
    data = walk.value(parsed)
    if walk.details:
        error = _fail(what, walk.details)
        if rules_key is not None:
            keys = (rules_key,) if isinstance(rules_key, str) else rules_key
            rules: Any = data
            for key in keys:
                rules = rules.get(key) if isinstance(rules, dict) else None
            error = error.with_rule_ids(rules, say=True, at=json_path(keys) + "[")
        raise error
    return data


def check_data(data: Any, what: str = "document") -> None:
    """Raise :class:`~helpdesk_routing.errors.ValidationError` when parsed data breaks the
    rules of :func:`loads`: a lone surrogate, a non-finite float, an integer beyond
    signed 64 bits, nesting too deep."""
    walk = _Walk()
    walk.value(data)
    if walk.details:
        raise _fail(what, walk.details)
