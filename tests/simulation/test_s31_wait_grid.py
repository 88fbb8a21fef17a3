"""Waits are measured on the microsecond grid of the clock the Router reads.

Seconds since the start are floats: ``t + work - t`` need not be ``work``. A wait equal
to the TTFR target must not count as over it whatever the arrival's sub-second digits.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing import simulation as sim

START = datetime(2026, 1, 5, tzinfo=UTC)


def _tie(offset: timedelta, minutes: float, mode: str = "router") -> sim.SimulationResult:
    at = START + offset
    ticket = sim.ReplayTicket(created_at=at, channel="email")
    scenario = sim.Scenario(
        name="tie",
        start=START,
        days=1,
        policy="round_robin",
        arrivals=sim.ReplayArrivals(tickets=[ticket, ticket]),
        agents=[sim.AgentSpec(id="a")],
        handling=sim.Empirical(minutes=[minutes]),
        ttfr_target_minutes=minutes,
        mode=mode,
    )
    return sim.run(scenario, 1)


def test_the_probe_s_instant() -> None:
    result = _tie(timedelta(hours=1, microseconds=185185), 10)
    assert result.records.waits() == [0.0, 600.0]
    assert result.summary.over_target == 0.0


@settings(max_examples=60, deadline=None)
@given(
    seconds=st.integers(min_value=0, max_value=20 * 3600),
    micro=st.integers(min_value=0, max_value=999_999),
    minutes=st.integers(min_value=1, max_value=90),
)
def test_a_wait_equal_to_the_target_is_within_it(seconds: int, micro: int, minutes: int) -> None:
    result = _tie(timedelta(seconds=seconds, microseconds=micro), minutes)
    assert result.records.waits() == [0.0, minutes * 60.0]
    assert result.summary.over_target == 0.0
    assert result.summary.ttfr.p99 <= minutes * 60.0


@settings(max_examples=60, deadline=None)
@given(
    seconds=st.integers(min_value=0, max_value=20 * 3600),
    hundredths=st.integers(min_value=1, max_value=9000),
    mode=st.sampled_from(["router", "queueing"]),
)
def test_a_fractional_target_equal_to_the_wait_is_within_it(
    seconds: int, hundredths: int, mode: str
) -> None:
    """A target of 0.57 minutes is 34.2 s, to the microsecond as the waits are (0.57 *
    60.0 is 34.199999999999996, which a wait of 34.2 s exceeded)."""
    minutes = hundredths / 100
    result = _tie(timedelta(seconds=seconds), minutes, mode)
    target = timedelta(minutes=minutes).total_seconds()
    assert result.ttfr_target == target
    assert result.records.waits() == [0.0, target]
    assert result.summary.over_target == 0.0


def test_the_probe_s_fractional_target() -> None:
    result = _tie(timedelta(minutes=1), 0.57)
    assert result.records.waits() == [0.0, 34.2]
    assert result.summary.over_target == 0.0
