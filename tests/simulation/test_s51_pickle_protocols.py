"""A simulation's result and its records, and an audit log's replayed state, pickle on
every protocol. Protocols 0 and 1 refused them ("a class that defines __slots__ without
defining __getstate__ cannot be pickled"), though docs/simulation.md says a result is
plain, picklable data (the frozen result types, ``Summary`` among them, pickled)."""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime

import pytest

from helpdesk_routing import audit
from helpdesk_routing import simulation as sim
from helpdesk_routing.records import AuditRecord


def _result() -> sim.SimulationResult:
    scenario = sim.Scenario(
        name="small",
        arrivals=sim.PoissonArrivals(per_hour=6.0),
        days=1.0,
        agents=[sim.AgentSpec(id="a"), sim.AgentSpec(id="b")],
        handling=sim.Exponential(mean_minutes=8.0),
    )
    return sim.run(scenario, 3)


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_a_result_and_its_records_pickle_on_every_protocol(protocol: int) -> None:
    result = _result()
    assert len(result.records) > 0
    again = pickle.loads(pickle.dumps(result, protocol))
    assert again == result
    assert again.summary == result.summary
    records = pickle.loads(pickle.dumps(result.records, protocol))
    assert records == result.records
    assert records.created == result.records.created


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_a_replayed_state_pickles_on_every_protocol(protocol: int) -> None:
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    records = [
        AuditRecord(
            seq=1,
            at=at,
            actor=None,
            action="routed",
            ticket_id="t1",
            detail={"team": "billing", "assignee": None, "status": "open"},
        )
    ]
    state = audit.replay(records)
    assert "t1" in state.tickets
    again = pickle.loads(pickle.dumps(state, protocol))
    assert again == state
    assert again.tickets == state.tickets


def test_a_copy_of_a_result_is_equal_and_apart() -> None:
    result = _result()
    shallow, deep = copy.copy(result), copy.deepcopy(result)
    assert shallow == result == deep
    deep.records.created.append(1.0)
    assert deep != result


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_a_stores_period_figures_pickle_on_every_protocol(protocol: int) -> None:
    """The figures a store hands the metrics report (``PeriodFigureSource``) pickle too."""
    from helpdesk_routing import InMemoryStore
    from helpdesk_routing._report_digest import PeriodFigures

    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    store = InMemoryStore()
    with store.transaction() as tx:
        tx.append_audit(
            AuditRecord(
                seq=1,
                at=at,
                actor=None,
                action="routed",
                ticket_id="t1",
                detail={"team": "billing", "assignee": None, "status": "open"},
            )
        )
    figures = store.period_figures(at, at.replace(hour=10), spans=True)
    assert isinstance(figures, PeriodFigures)
    again = pickle.loads(pickle.dumps(figures, protocol))
    assert again == figures
