"""The simulation package declares its public surface once, sorted and complete."""

from __future__ import annotations

from helpdesk_routing import simulation


def test_simulation_all_is_sorted_and_complete() -> None:
    """__all__ is sorted, names existing attributes, and covers every public name."""
    assert list(simulation.__all__) == sorted(simulation.__all__)
    for name in simulation.__all__:
        assert hasattr(simulation, name), name
    public = {n for n, v in vars(simulation).items() if not n.startswith("_")}
    modules = {n for n, v in vars(simulation).items() if type(v).__name__ == "module"}
    assert public - modules <= set(simulation.__all__) | {"annotations"}
