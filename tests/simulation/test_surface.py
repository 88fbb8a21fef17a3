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


def test_a_replay_pickled_under_its_old_module_reads_back() -> None:
    """The replay's models moved from ``simulation.scenario`` to ``simulation.replay``: a
    pickle that names the old module (made before the move) still loads, as the same class."""
    import pickle

    from helpdesk_routing.simulation import replay, scenario

    made = simulation.ReplayArrivals(
        tickets=[simulation.ReplayTicket(created_at="2026-01-01T00:00:00Z", channel="email")]
    )
    # protocol 0 names a class as text, "c<module>\n<name>\n", with no length to mend
    old = pickle.dumps(made, protocol=0).replace(
        b"helpdesk_routing.simulation.replay", b"helpdesk_routing.simulation.scenario"
    )
    assert b"helpdesk_routing.simulation.replay" not in old
    assert pickle.loads(old) == made
    assert scenario.ReplayArrivals is replay.ReplayArrivals
    assert scenario.ReplayTicket is replay.ReplayTicket
