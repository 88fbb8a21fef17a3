"""docs/reference.md, the index of the public names: every name in the ``__all__`` of
the package and of its subpackages, with what it is and the first line of its docstring.

``python -m tests.reference_page > docs/reference.md`` (``make reference``) writes it;
``tests/test_docs.py`` checks the page is what this writes, so a name added to an
``__all__`` is indexed in the commit that adds it."""

from __future__ import annotations

import enum
import importlib
import inspect
import typing
from typing import Any

MODULES = (
    "helpdesk_routing",
    "helpdesk_routing.conditions",
    "helpdesk_routing.allocation",
    "helpdesk_routing.handoff",
    "helpdesk_routing.simulation",
)

_HEAD = """# Reference: the public names

Every name the package and its subpackages export (their `__all__`), with what it is
and the first line of its docstring; the other pages say how they are used. Written by
`make reference` (`python -m tests.reference_page`), checked by the tests: a name added
to an `__all__` is indexed in the commit that adds it.
"""


def _first_line(obj: Any) -> str:
    doc = obj.__dict__.get("__doc__") if isinstance(obj, type) else getattr(obj, "__doc__", None)
    if not isinstance(doc, str) or not doc.strip():
        return ""
    first = inspect.cleandoc(doc).split("\n\n", 1)[0]
    return " ".join(first.split())


def _alias(obj: Any) -> str:
    """What a type alias stands for: the values of a ``Literal``, the members of a union
    (inside ``Annotated``: a discriminated union's tags are left out)."""
    while typing.get_origin(obj) is typing.Annotated:
        obj = typing.get_args(obj)[0]
    if typing.get_origin(obj) is typing.Literal:
        return "one of " + ", ".join(repr(v) for v in typing.get_args(obj))
    members = [_alias_name(m) for m in typing.get_args(obj)]
    return "any of " + ", ".join(f"`{m}`" for m in members)


def _alias_name(member: Any) -> str:
    while typing.get_origin(member) is typing.Annotated:
        member = typing.get_args(member)[0]
    return getattr(member, "__name__", repr(member))


def _kind(obj: Any) -> str:
    if typing.get_origin(obj) is not None:
        return "type alias"
    if isinstance(obj, type):
        if issubclass(obj, BaseException):
            return "exception"
        if issubclass(obj, enum.Enum):
            return "enum"
        return "class"
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        return "function"
    if inspect.ismodule(obj):
        return "module"
    if callable(obj) and not isinstance(obj, (int, float, str, tuple, frozenset, dict)):
        return "callable"
    if isinstance(obj, (int, float, str, tuple, frozenset, dict)):
        return "constant"
    return "type"


def _row(module: str, name: str) -> str:
    obj = getattr(importlib.import_module(module), name)
    said = _first_line(obj) if _kind(obj) not in ("constant", "type", "type alias") else ""
    if _kind(obj) == "type alias":
        said = _alias(obj)
    if _kind(obj) == "constant":
        shown = repr(obj)
        said = shown if len(shown) <= 60 else f"{type(obj).__name__} of {len(obj)}"
    said = said.replace("|", "\\|")
    return f"| `{name}` | {_kind(obj)} | {said} |"


def page() -> str:
    """The text of docs/reference.md."""
    parts = [_HEAD]
    for module in MODULES:
        names = sorted(importlib.import_module(module).__all__, key=str.lower)
        parts.append(f"\n## `{module}`\n\n| name | kind | what it is |\n|---|---|---|")
        parts.extend(_row(module, name) for name in names)
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    print(page(), end="")
