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
    import copyreg
    import io
    import pickle

    from helpdesk_routing.simulation import replay, scenario

    made = simulation.ReplayArrivals(
        tickets=[simulation.ReplayTicket(created_at="2026-01-01T00:00:00Z", channel="email")]
    )

    # A replay pickled then held its tickets as pydantic models (it pickles as columns
    # now): written here as pydantic pickles a model, its class and its state.
    class Then(pickle.Pickler):
        def reducer_override(self, obj: object) -> object:
            if type(obj) is replay.ReplayArrivals:
                return copyreg.__newobj__, (type(obj),), obj.__getstate__()
            return NotImplemented

    written = io.BytesIO()
    Then(written, protocol=0).dump(made)
    # protocol 0 names a class as text, "c<module>\n<name>\n", with no length to mend
    old = written.getvalue().replace(
        b"helpdesk_routing.simulation.replay", b"helpdesk_routing.simulation.scenario"
    )
    assert b"ReplayTicket" in old  # the tickets as models
    assert b"helpdesk_routing.simulation.replay" not in old
    assert pickle.loads(old) == made
    assert scenario.ReplayArrivals is replay.ReplayArrivals
    assert scenario.ReplayTicket is replay.ReplayTicket
