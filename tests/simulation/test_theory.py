"""The queueing formulas: the issue's reference table, and their own invariants."""

from __future__ import annotations

import math
import pickle
import re
from collections.abc import Callable
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing.errors import RoutingError, ValidationError
from helpdesk_routing.simulation import theory

REFERENCE = [
    # c, rho, pooled, least loaded, round robin, random
    (4, 0.7, 0.3572, 0.5114, 1.2367, 2.3333),
    (2, 0.5, 0.3333, 0.4263, 0.6180, 1.0),
    (8, 0.9, 0.8769, 1.1345, 4.7807, 9.0),
]

cs = st.integers(min_value=1, max_value=200)
rhos = st.floats(min_value=0.01, max_value=0.99)


@pytest.mark.parametrize(("c", "rho", "pooled", "least", "rr", "rand"), REFERENCE)
def test_formulas_match_the_reference_table(
    c: int, rho: float, pooled: float, least: float, rr: float, rand: float
) -> None:
    """Erlang C, E_c/M/1, M/M/1 and the least-loaded table give the issue's values to 4 decimals."""
    assert round(theory.erlang_c_wait(c, rho), 4) == pooled
    assert round(theory.least_loaded_wait(c, rho), 4) == least
    assert round(theory.round_robin_wait(c, rho), 4) == rr
    assert round(theory.random_split_wait(c, rho), 4) == rand


def test_erlang_b_small_case() -> None:
    """B(1, a) = a / (1 + a) and B(2, 1) = 1/5."""
    assert theory.erlang_b(1, 3.0) == pytest.approx(0.75)
    assert theory.erlang_b(2, 1.0) == pytest.approx(0.2)
    assert theory.erlang_b(0, 5.0) == 1.0


def test_erlang_c_is_stable_for_thousands_of_agents() -> None:
    """The recursion never overflows: 5000 agents at rho 0.99 give a probability in (0, 1)."""
    p = theory.erlang_c(5000, 0.99)
    assert 0 < p < 1
    assert math.isfinite(theory.erlang_c_wait(5000, 0.99))


@given(c=cs, rho=rhos)
def test_round_robin_sigma_solves_its_equation(c: int, rho: float) -> None:
    """The bisection root lies in (0, 1) and is a fixed point of the E_c/M/1 equation."""
    sigma = theory.round_robin_sigma(c, rho)
    lam = c * rho
    assert 0 < sigma < 1
    assert sigma == pytest.approx((lam / (lam + 1 - sigma)) ** c, rel=1e-9, abs=1e-12)


@given(c=cs, rho=rhos)
def test_pooled_never_waits_longer_than_round_robin_or_random(c: int, rho: float) -> None:
    """pooled <= round robin <= random for every c and rho."""
    pooled = theory.erlang_c_wait(c, rho)
    rr = theory.round_robin_wait(c, rho)
    rand = theory.random_split_wait(c, rho)
    assert pooled <= rr * (1 + 1e-9)
    assert rr <= rand * (1 + 1e-9)


@given(rho=rhos)
def test_one_agent_makes_every_formula_mm1(rho: float) -> None:
    """With c = 1 pooled, round robin and random are all M/M/1: rho / (1 - rho)."""
    mm1 = rho / (1 - rho)
    assert theory.erlang_c_wait(1, rho) == pytest.approx(mm1)
    assert theory.round_robin_wait(1, rho) == pytest.approx(mm1, rel=1e-9)
    assert theory.random_split_wait(1, rho) == pytest.approx(mm1)


@given(c=cs, rho=rhos, mu=st.floats(min_value=0.1, max_value=10))
def test_waits_scale_with_the_handling_time(c: int, rho: float, mu: float) -> None:
    """Doubling the service rate at the same utilisation halves every wait: Wq(mu) = Wq(1) / mu."""
    assert theory.erlang_c_wait(c, rho, mu) == pytest.approx(theory.erlang_c_wait(c, rho) / mu)
    assert theory.round_robin_wait(c, rho, mu) == pytest.approx(
        theory.round_robin_wait(c, rho) / mu, rel=1e-6
    )


def test_round_robin_near_saturation_stays_finite() -> None:
    """At rho = 0.999999 the root is still found (Kingman: about 1.25 / (1 - rho) for c = 4)."""
    assert theory.round_robin_wait(4, 0.999999) == pytest.approx(625_000, rel=0.01)


def _round_robin_wait_exactly(c: int, rho: float) -> float:
    """E_c/M/1's wait (mu = 1) in 60-digit decimals: ``x = 1 - sigma`` by bisection on a
    log scale (the root of ``(1 + x / (c rho))**-c - (1 - x)``, negative below it), and at
    light load ``sigma`` by bisection of its own equation."""
    with localcontext() as ctx:
        ctx.prec = 60
        cc, r = Decimal(c), Decimal(rho)

        def power(v: Decimal) -> Decimal:
            return (cc * r / (cc * r + 1 - v)) ** c

        if (1 + Decimal("0.5") / (cc * r)) ** -c - Decimal("0.5") > 0:
            lo, hi = Decimal("1e-40"), Decimal("0.5")  # on x = 1 - sigma
            for _ in range(300):
                mid = (lo * hi).sqrt()
                lo, hi = (mid, hi) if power(1 - mid) - (1 - mid) < 0 else (lo, mid)
            x = (lo + hi) / 2
            return float((1 - x) / x)
        lo, hi = Decimal("1e-400"), Decimal("0.5")  # on sigma
        for _ in range(300):
            mid = (lo * hi).sqrt()
            lo, hi = (mid, hi) if power(mid) > mid else (lo, mid)
        sigma = (lo + hi) / 2
        return float(sigma / (1 - sigma))


@settings(max_examples=60, deadline=None)
@given(
    c=st.integers(min_value=1, max_value=64),
    rho=st.one_of(
        st.floats(min_value=1e-6, max_value=0.999999),
        st.integers(min_value=7, max_value=15).map(lambda k: 1 - 10.0**-k),
    ),
)
def test_round_robin_wait_is_exact_at_every_load(c: int, rho: float) -> None:
    """Against a 60-digit computation, to 1e-12, from light load to within 1e-15 of
    saturation (where the root used to be sought by stepping back from 1, which never
    ended from about rho = 1 - 1e-8: 'sigma' is then a few ulps from 1)."""
    assert theory.round_robin_wait(c, rho) == pytest.approx(
        _round_robin_wait_exactly(c, rho), rel=1e-12
    )


@pytest.mark.parametrize("k", [8, 9, 12, 15])
def test_one_agent_round_robin_is_mm1_near_saturation(k: int) -> None:
    """With c = 1, E_1/M/1 is M/M/1, ``rho / (1 - rho)``, also within 10**-k of saturation."""
    rho = 1 - 10.0**-k
    assert theory.round_robin_wait(1, rho) == pytest.approx(rho / (1 - rho), rel=1e-12)
    assert theory.round_robin_sigma(1, rho) == rho


def test_bad_arguments_are_refused_with_exact_messages() -> None:
    """rho outside [0, 1), c < 1 and mu <= 0 raise ValueError naming the argument."""
    with pytest.raises(ValueError, match=r"^rho must be at least 0 and less than 1, got 1.0$"):
        theory.erlang_c_wait(2, 1.0)
    with pytest.raises(ValueError, match=r"^rho must be at least 0 and less than 1, got -0.1$"):
        theory.round_robin_wait(2, -0.1)
    with pytest.raises(ValueError, match=r"^rho must be at least 0 and less than 1, got nan$"):
        theory.random_split_wait(2, float("nan"))
    with pytest.raises(ValueError, match=r"^c must be at least 1, got 0$"):
        theory.round_robin_wait(0, 0.5)
    with pytest.raises(ValueError, match=r"^mu must be positive and finite, got 0$"):
        theory.random_split_wait(2, 0.5, 0)
    with pytest.raises(ValueError, match=r"^mu must be positive and finite, got nan$"):
        theory.round_robin_wait(2, 0.5, float("nan"))
    with pytest.raises(ValueError, match=r"^offered load must be at least 0 and finite, got -1$"):
        theory.erlang_b(2, -1)
    with pytest.raises(ValueError, match=r"^c must be at least 0, got -1$"):
        theory.erlang_b(-1, 1.0)
    with pytest.raises(ValueError, match=r"^offered load must be at least 0 and finite, got inf$"):
        theory.erlang_b(2, float("inf"))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: theory.erlang_c_wait(2.5, 0.5), "c must be an integer, got 2.5"),
        (lambda: theory.round_robin_wait(True, 0.5), "c must be an integer, got True"),
        (lambda: theory.erlang_c("4", 0.5), "c must be an integer, got '4'"),
        (lambda: theory.random_split_wait(4, "0.5"), "rho must be a number, got '0.5'"),
        (lambda: theory.least_loaded_wait(4, 0.7, None), "mu must be a number, got None"),
        (lambda: theory.erlang_b(2, "1"), "offered must be a number, got '1'"),
    ],
)
def test_arguments_of_the_wrong_type_are_refused_by_name(
    call: Callable[[], float], message: str
) -> None:
    """A c that is no integer (a bool included) or a rate that is no number is a TypeError
    naming the argument, not an error from inside the formula."""
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        call()


def test_rates_of_other_real_types_are_taken() -> None:
    """Any real rho and mu (a Fraction here) give the wait of their float."""
    assert theory.erlang_c_wait(4, Fraction(7, 10), Fraction(2)) == theory.erlang_c_wait(
        4, 0.7, 2.0
    )


@pytest.mark.parametrize(
    "formula",
    [
        theory.erlang_c,
        theory.erlang_c_wait,
        theory.random_split_wait,
        theory.round_robin_sigma,
        theory.round_robin_wait,
    ],
)
def test_a_rho_below_1_whose_float_is_1_says_so(formula: Callable[..., float]) -> None:
    """A Fraction below 1 that a float rounds to 1.0 is refused in words that fit it (it
    was "must be less than 1, got" a value less than 1), as compare's confidence is."""
    rho = Fraction(10**20 - 1, 10**20)
    message = (
        "rho must be below 1 by what a float tells apart (at most 0.9999999999999999), "
        "got 99999999999999999999/100000000000000000000"
    )
    with pytest.raises(ValidationError, match=f"^{re.escape(message)}$"):
        formula(2, rho)
    inside = Fraction(10**16 - 1, 10**16)  # its float is 0.9999999999999999: taken
    assert formula(2, inside) == formula(2, float(inside))


@pytest.mark.parametrize(
    ("rho", "mu", "message"),
    [
        (Fraction(-1, 10**400), 1.0, "rho must be at least 0 and less than 1, got -1/1"),
        (0.5, Fraction(1, 10**400), "mu must be at least 5e-324 (the smallest float above 0)"),
        (0.5, Fraction(10**400), "mu must be at most 1.7976931348623157e+308 (the largest"),
        (0.5, 10**400, "mu must be at most 1.7976931348623157e+308 (the largest float), got"),
        (0.5, math.inf, "mu must be positive and finite, got inf"),
    ],
)
def test_rates_a_float_cannot_hold_are_refused_saying_so(
    rho: float, mu: float, message: str
) -> None:
    """A negative Fraction whose float is -0.0 was taken as 0; a positive finite mu a
    float cannot hold was "must be positive and finite, got" a positive finite value."""
    with pytest.raises(ValidationError, match=f"^{re.escape(message)}"):
        theory.erlang_c_wait(2, rho, mu)


def test_least_loaded_outside_the_table_is_a_key_error() -> None:
    """A (c, rho) the table lacks raises KeyError listing the known ones."""
    with pytest.raises(KeyError, match=r"no least-loaded reference for c=3 rho=0\.5"):
        theory.least_loaded_wait(3, 0.5)


def test_least_loaded_outside_the_table_is_the_librarys_error_too() -> None:
    """The miss is ``theory.UnknownReference``: a ``RoutingError`` and still a
    ``KeyError`` (it was a plain one), whose message is the sentence itself (not
    KeyError's quoted key), naming the pair and the table's; it pickles."""
    with pytest.raises(theory.UnknownReference) as info:
        theory.least_loaded_wait(4, 0.5)
    error = info.value
    assert isinstance(error, RoutingError)
    assert isinstance(error, KeyError)
    assert (error.c, error.rho) == (4, 0.5)
    assert str(error) == (
        "no least-loaded reference for c=4 rho=0.5; known: c=2 rho=0.5, c=4 rho=0.7, c=8 rho=0.9"
    )
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is theory.UnknownReference
    assert str(again) == str(error)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: theory.erlang_c_wait(c=10**400, rho=0.5),
            "c must be at most 1,000,000, got an integer of 1329 bits",
        ),
        (lambda: theory.erlang_b(10**6 + 1, 1.0), "c must be at most 1,000,000, got 1000001"),
        (
            lambda: theory.round_robin_wait(4, 10**400),
            "rho must be at least 0 and less than 1, got an integer of 1329 bits",
        ),
        (
            lambda: theory.random_split_wait(4, 0.5, -(10**400)),
            "mu must be positive and finite, got a negative integer of 1329 bits",
        ),
        (
            lambda: theory.erlang_b(2, Fraction(10**5000)),
            "offered load must be at least 0 and finite, got a Fraction too long to write",
        ),
        (
            lambda: theory.erlang_c(-(2**200), 0.5),
            "c must be at least 1, got a negative integer of 201 bits",
        ),
    ],
)
def test_numbers_past_a_float_or_the_agents_bound_are_refused_by_name(
    call: Callable[[], float], message: str
) -> None:
    """A c past MAX_AGENTS (Erlang B takes c steps: 10**400 overflowed a float, 10**12
    would take hours) or a rate past a float's range is a ``ValidationError`` naming
    the argument, never ``OverflowError``; a number too long to write is named by size."""
    with pytest.raises(ValidationError) as info:
        call()
    assert info.value.message == message


_FORMULAS = [
    theory.erlang_c,
    theory.erlang_c_wait,
    theory.random_split_wait,
    theory.round_robin_sigma,
    theory.round_robin_wait,
]


@settings(max_examples=300, deadline=None)
@given(
    formula=st.sampled_from(_FORMULAS),
    c=st.integers(max_value=10**5) | st.integers(min_value=10**5),
    rho=st.floats() | st.integers() | st.fractions(),
)
def test_any_number_gives_a_wait_or_the_librarys_error(
    formula: Callable[[int, float], float], c: int, rho: float
) -> None:
    """For any integer c and real rho a formula answers a finite number or raises
    ``ValidationError``, never ``OverflowError`` (c=10**400) or an endless loop."""
    try:
        value = formula(c, rho)
    except ValidationError:
        return
    assert math.isfinite(value)


def test_numpy_numbers_are_taken_as_ints_and_floats() -> None:
    """c may be a numpy integer and the rates numpy floats: the same waits."""
    assert theory.erlang_c_wait(np.int64(4), np.float64(0.7)) == theory.erlang_c_wait(4, 0.7)
    assert theory.least_loaded_wait(np.int32(2), np.float32(0.5)) == 0.4263
    assert theory.erlang_c_wait(theory.MAX_AGENTS, 0.5) == 0.0


WAITS = [
    theory.erlang_c_wait,
    theory.random_split_wait,
    theory.round_robin_wait,
    theory.least_loaded_wait,
]


@pytest.mark.parametrize("wait", WAITS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("c", [1, 2, 7, 1000])
@pytest.mark.parametrize("rho", [0, 0.0, -0.0, Fraction(0)])
def test_at_rho_zero_nobody_waits(wait: Callable[..., float], c: int, rho: float) -> None:
    """rho = 0 (nothing arrives) is a load like any other, not bad input: every wait is
    0 there, for any c and mu (a curve over rho may start at 0). It used to be refused
    as outside (0, 1); round robin's root divided by it."""
    assert wait(c, rho) == 0.0
    assert wait(c, rho, 3.5) == 0.0


@pytest.mark.parametrize("c", [1, 2, 7, 1000])
def test_at_rho_zero_nothing_waits_or_finds_its_agent_busy(c: int) -> None:
    """Erlang C (the chance a ticket waits) and sigma (the chance it finds its agent
    busy) are 0 at rho = 0, and each wait rises from there (no jump at 0)."""
    assert theory.erlang_c(c, 0) == 0.0
    assert theory.round_robin_sigma(c, 0) == 0.0
    for wait in (theory.erlang_c_wait, theory.random_split_wait, theory.round_robin_wait):
        assert 0 <= wait(c, 1e-3) <= wait(c, 1e-2) < 0.02
    if c <= 7:  # with 1000 agents the pooled waits at light load are below any float
        for wait in (theory.erlang_c_wait, theory.random_split_wait, theory.round_robin_wait):
            assert 0 < wait(c, 1e-3) < wait(c, 1e-2)
