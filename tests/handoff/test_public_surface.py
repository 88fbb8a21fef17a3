"""The public surface of handoff, events and metrics is declared once, sorted and complete."""

from __future__ import annotations

import types

import pytest

from helpdesk_routing import events, handoff, metrics


@pytest.mark.parametrize("module", [handoff, events, metrics], ids=lambda m: m.__name__)
def test_all_is_sorted_and_complete(module: types.ModuleType) -> None:
    """__all__ is sorted, names existing attributes, and covers every public class and function."""
    names = list(module.__all__)
    # ruff's isort-style order: CONSTANTS, then Classes, then functions, each sorted.
    assert names == sorted(
        names, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n)
    )
    for name in names:
        assert hasattr(module, name), name
    public = {
        n
        for n, v in vars(module).items()
        if not n.startswith("_")
        and isinstance(v, type | types.FunctionType)
        and getattr(v, "__module__", "").startswith(module.__name__)
    }
    assert public <= set(names)


@pytest.mark.parametrize("module", [handoff, events, metrics], ids=lambda m: m.__name__)
def test_every_public_name_has_a_docstring(module: types.ModuleType) -> None:
    """Every public class and function of the module is documented."""
    for name in module.__all__:
        value = getattr(module, name)
        if isinstance(value, type | types.FunctionType):
            assert value.__doc__, name
