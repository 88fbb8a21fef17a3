"""The public surface of helpdesk_routing.conditions is declared once, sorted and complete."""

from __future__ import annotations

import inspect

import helpdesk_routing.conditions as conditions


def test_all_is_sorted_and_unique() -> None:
    """__all__ is sorted and has no duplicates."""
    assert conditions.__all__ == sorted(set(conditions.__all__))


def test_all_names_exist_and_are_documented() -> None:
    """Every exported name exists and public classes and functions have a docstring."""
    for name in conditions.__all__:
        obj = getattr(conditions, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), name


def test_every_public_module_name_is_exported() -> None:
    """Nothing public defined in the package's modules is missing from __all__."""
    from helpdesk_routing.conditions import analysis, build, compile, context, nodes, trace

    for module in (analysis, build, compile, context, nodes, trace):
        missing = set(module.__all__) - set(conditions.__all__)
        assert not missing, (module.__name__, missing)
