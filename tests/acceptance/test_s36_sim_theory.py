"""Acceptance probes of ``helpdesk_routing.simulation.theory`` against the reference
values of issue 12 (mu = 1) and the order of the policies it states."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing.simulation import theory

# (c, rho): pooled (Erlang C), least loaded (JSQ), round robin (E_c/M/1), random (M/M/1)
REFERENCE = {
    (2, 0.5): (0.3333, 0.4263, 0.6180, 1.0),
    (4, 0.7): (0.3572, 0.5114, 1.2367, 2.3333),
    (8, 0.9): (0.8769, 1.1345, 4.7807, 9.0),
}


@pytest.mark.parametrize(("c", "rho"), sorted(REFERENCE))
def test_the_formulas_give_the_issues_reference_values(c: int, rho: float) -> None:
    """Each formula gives the issue's value to its four decimals, by keyword and by
    position, with ``mu`` 1 by default."""
    pooled, least_loaded, round_robin, random = REFERENCE[(c, rho)]
    assert round(theory.erlang_c_wait(c=c, rho=rho), 4) == pooled
    assert round(theory.least_loaded_wait(c, rho), 4) == least_loaded
    assert round(theory.round_robin_wait(c, rho), 4) == round_robin
    assert round(theory.random_split_wait(c, rho, 1.0), 4) == random


@settings(max_examples=300, deadline=None)
@given(
    c=st.integers(1, 500),
    rho=st.floats(1e-6, 1 - 1e-6),
    mu=st.floats(1e-3, 1e3),
)
def test_pooling_waits_least_and_a_random_split_most(c: int, rho: float, mu: float) -> None:
    """pooled <= round robin <= random for any c, rho and mu; each wait finite and
    scaling as 1 / mu; with one agent all three are M/M/1's rho / (mu (1 - rho))."""
    pooled = theory.erlang_c_wait(c, rho, mu)
    round_robin = theory.round_robin_wait(c, rho, mu)
    random = theory.random_split_wait(c, rho, mu)
    assert all(math.isfinite(w) and w >= 0 for w in (pooled, round_robin, random))
    assert pooled <= round_robin * (1 + 1e-9)
    assert round_robin <= random * (1 + 1e-9)
    # abs_tol: at tiny rho and many agents the pooled wait is subnormal (1e-315), where
    # a float keeps only a few digits
    assert math.isclose(pooled * mu, theory.erlang_c_wait(c, rho), rel_tol=1e-9, abs_tol=1e-300)
    if c == 1:
        mm1 = rho / (mu * (1 - rho))
        assert math.isclose(pooled, mm1, rel_tol=1e-9)
        assert math.isclose(round_robin, mm1, rel_tol=1e-6)
