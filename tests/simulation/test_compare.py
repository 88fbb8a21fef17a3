"""Replications, Student-t intervals and paired comparisons."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.errors import ArgumentTypeError, ValidationError
from helpdesk_routing.simulation import compare, estimate, replicate
from helpdesk_routing.simulation.compare import t_quantile

from .conftest import mmc


@pytest.mark.parametrize(
    ("p", "df", "expected"),
    [(0.975, 1, 12.7062), (0.975, 4, 2.7764), (0.995, 9, 3.2498), (0.95, 30, 1.6973)],
)
def test_t_quantile_matches_the_tables(p: float, df: int, expected: float) -> None:
    """Student's t quantiles agree with printed tables to four decimals."""
    assert t_quantile(p, df) == pytest.approx(expected, abs=1e-4)


@given(p=st.floats(min_value=0.51, max_value=0.999), df=st.integers(min_value=1, max_value=200))
def test_t_quantile_is_symmetric_and_above_the_normal(p: float, df: int) -> None:
    """t(1-p) = -t(p), and t(p) is at least the normal quantile (heavier tails)."""
    assert t_quantile(1 - p, df) == pytest.approx(-t_quantile(p, df), rel=1e-9)
    assert t_quantile(p, df) >= NormalDist().inv_cdf(p) - 1e-9


def test_estimate_of_equal_values_has_no_width() -> None:
    """Identical values give a zero-width interval; one value gives an infinite one."""
    assert estimate([2.0, 2.0, 2.0]).half_width == 0
    assert math.isinf(estimate([1.0]).half_width)
    e = estimate([1.0, 2.0, 3.0], confidence=0.95)
    assert e.mean == 2.0
    assert e.half_width == pytest.approx(t_quantile(0.975, 2) * 1 / math.sqrt(3))
    assert e.contains(2.0)
    assert not e.contains(10.0)


def test_estimate_refuses_nothing_and_bad_levels() -> None:
    """No values, or a confidence outside (0, 1), raise ValueError with exact messages."""
    with pytest.raises(ValueError, match=r"^estimate needs at least one value$"):
        estimate([])
    with pytest.raises(ValueError, match=r"^confidence must be between 0 and 1 \(exclusive\)"):
        estimate([1.0], confidence=1.0)


@pytest.mark.parametrize(
    ("values", "error", "message"),
    [
        ([1.0, math.nan], ValueError, "estimate takes finite numbers; values[1] is nan"),
        ([math.inf, 1.0], ValueError, "estimate takes finite numbers; values[0] is inf"),
        ([1.0, "2"], TypeError, "estimate takes numbers; values[1] is '2'"),
        ([True, 1.0], TypeError, "estimate takes numbers; values[0] is True"),
        (
            [1, 10**400],
            ValueError,
            "estimate takes numbers a float holds; values[1] is an integer of 1329 bits",
        ),
    ],
)
def test_estimate_refuses_values_it_cannot_average(
    values: list[object], error: type[Exception], message: str
) -> None:
    """A NaN (a run without a started ticket has no mean wait) or infinite value would
    make the interval NaN; a value that is no number is a TypeError: each is named."""
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        estimate(values)  # type: ignore[arg-type]


@pytest.mark.parametrize("values", [5, 2.5, None, "12", b"12", bytearray(b"12"), memoryview(b"12")])
def test_estimate_of_one_number_or_none_is_the_librarys_type_error(values: object) -> None:
    """Values that are not several are named (``list(5)`` raised Python's own TypeError);
    text is one value, not its characters, and bytes are no numbers (``b"12"`` averaged
    its byte values, 49.5)."""
    with pytest.raises(ArgumentTypeError) as info:
        estimate(values)  # type: ignore[arg-type]
    assert info.value.message == (
        f"estimate takes several numbers (a list), got {type(values).__name__}"
    )


def test_estimate_of_a_mapping_is_refused_not_its_keys_averaged() -> None:
    """``estimate({10.0: 1, 20.0: 2})`` averaged the keys; a mapping is refused, as
    ``grid`` refuses one, saying how to give its values."""
    with pytest.raises(ArgumentTypeError, match=r"got dict \(its keys are no values; give "):
        estimate({10.0: 1, 20.0: 2})  # type: ignore[arg-type]


def test_estimate_takes_any_iterable() -> None:
    """A generator of values gives the estimate of their list."""
    assert estimate(v for v in [1.0, 2.0, 3.0]) == estimate([1.0, 2.0, 3.0])


def test_compare_names_a_replication_without_the_figure() -> None:
    """A replication where no ticket was started has no mean wait: compare names its side
    and seed instead of answering NaN."""
    quiet = mmc(1, 0.5, 10).model_copy(update={"tickets": None, "days": 0.001, "drain_days": 0.0})
    empty = replicate(quiet, 2, seed=4)
    assert [r.summary.started for r in empty] == [0, 0]
    message = (
        "ttfr_mean of a's replication with seed 4 is nan: it has no such figure (it started "
        "0 of 0 tickets), so there is no interval to give"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        compare(empty, empty)
    assert compare(empty, empty, metric="tickets").difference.mean == 0


def test_compare_says_why_a_rate_has_no_figure() -> None:
    """Tickets measured in a span of no length have no arrival rate (NaN): the reason
    given is the span's, not the count of tickets started (all of them were)."""

    from helpdesk_routing.simulation import AgentSpec, run

    from .conftest import zero_span

    scenario = zero_span()
    result = run(scenario, 1)
    message = (
        "arrival_rate of a's replication with seed 1 is nan: it has no such figure (its "
        "measured span has no length, 1 ticket in 0 s), so there is no interval to give"
    )
    with pytest.raises(ValidationError, match=f"^{re.escape(message)}$"):
        compare([result], [result], metric="arrival_rate")
    # a wait has no figure for want of a ticket started, even over a span of no length
    from helpdesk_routing import OfficeHours

    sundays = OfficeHours(timezone="UTC", weekly={"sun": [("09:00", "17:00")]})  # a Monday
    off = scenario.model_copy(
        update={
            "drain_days": 0.0,
            "agents": [AgentSpec(id="ann", shift=sundays)],
        }
    )
    waiting = run(off, 1)
    assert (waiting.summary.started, waiting.summary.horizon) == (0, 0.0)
    with pytest.raises(ValidationError, match=r"\(it started 0 of 1 tickets\)"):
        compare([waiting], [waiting], metric="ttfr_mean")


def test_compare_pairs_replications_of_two_policies() -> None:
    """Pooled beats random with a paired interval entirely below zero."""
    pooled = replicate(mmc(3, 0.8, 3000, policy="pooled"), 5, seed=10)
    rand = replicate(mmc(3, 0.8, 3000, policy="random"), 5, seed=10)
    result = compare(pooled, rand)
    assert result.metric == "ttfr_mean"
    assert result.difference.high < 0
    assert result.difference.mean == pytest.approx(result.a.mean - result.b.mean)
    assert "a - b" in str(result)


def test_compare_needs_the_same_seeds() -> None:
    """Replications of different seeds cannot be paired."""
    a = replicate(mmc(2, 0.5, 200), 2, seed=1)
    b = replicate(mmc(2, 0.5, 200), 2, seed=2)
    with pytest.raises(ValueError, match=r"^compare needs replications of the same seeds"):
        compare(a, b)


def test_compare_refuses_a_seed_twice() -> None:
    """The same run counted twice is no independent replication: its interval would be
    too narrow (zero wide for identical runs), so a seed given twice is refused."""
    a = replicate(mmc(2, 0.5, 200), 2, seed=1)
    with pytest.raises(
        ValidationError,
        match=r"^compare needs independent replications, one per seed: replications 0 and 2 "
        r"both have seed 1$",
    ):
        compare([*a, a[0]], [*a, a[0]])
    compare(a, a)  # distinct seeds: a policy against itself is a fair question


def test_compare_refuses_what_it_cannot_pair() -> None:
    """A metric that names no figure is refused listing the figures; empty lists, and a
    result or a scenario where a list of results belongs, are named."""
    a = replicate(mmc(2, 0.5, 200), 2, seed=1)
    with pytest.raises(ValidationError, match=r"^metric must be .* one of tickets, .*got 'nope'$"):
        compare(a, a, metric="nope")
    with pytest.raises(ValidationError, match=r"^compare needs at least one replication"):
        compare([], [])
    with pytest.raises(TypeError, match=r"compare takes lists of SimulationResults.*; b is"):
        compare(a, a[0])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="; a is not one"):
        compare([mmc(2, 0.5, 200)], a)  # type: ignore[list-item]
    with pytest.raises(TypeError, match="; a is not one"):
        compare(None, a)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="; b is not one"):
        compare(a, iter(a))  # type: ignore[arg-type]
    assert compare(tuple(a), a).difference.mean == 0
    assert compare(a, a, metric="ttfr_p90").difference.mean == 0


def test_compare_accepts_a_function_as_metric() -> None:
    """A callable metric is applied to each summary and named after the function."""
    a = replicate(mmc(2, 0.5, 300, policy="pooled"), 3)

    def p90(summary: object) -> float:
        return float(summary.ttfr.p90)  # type: ignore[attr-defined]

    result = compare(a, a, metric=p90)
    assert result.metric == "p90"
    assert result.difference.mean == 0


@pytest.mark.parametrize(
    ("metric", "shown"),
    [(lambda s: "x", "'x'"), (lambda s: None, "None"), (lambda s: True, "True")],
)
def test_a_metric_function_that_gives_no_number_is_named(metric: object, shown: str) -> None:
    """A metric function's figure that is no number is an ``ArgumentTypeError`` naming
    the replication (``math.isfinite("x")`` raised Python's own TypeError)."""
    a = replicate(mmc(2, 0.5, 100), 2, seed=3)
    with pytest.raises(ArgumentTypeError) as info:
        compare(a, a, metric=metric)  # type: ignore[arg-type]
    assert info.value.message == (
        f"metric must give a number for a Summary; <lambda> of a's replication with seed 3 "
        f"is {shown}"
    )


def test_an_error_a_metric_function_raises_is_raised_with_its_replication_named() -> None:
    """The caller's own error passes as it is (its type and message kept), with a note
    naming the metric, the side and the seed whose summary raised it."""
    a = replicate(mmc(2, 0.5, 100), 2, seed=3)
    calls: list[object] = []

    def fragile(summary: object) -> float:
        calls.append(summary)
        if len(calls) == 4:  # a's two replications, then b's: b's second, seed 4
            raise ZeroDivisionError("division by zero")
        return 1.0

    with pytest.raises(ZeroDivisionError) as info:
        compare(a, a, metric=fragile)
    assert str(info.value) == "division by zero"
    assert info.value.__notes__ == ["raised by the metric fragile on b's replication with seed 4"]


def test_replicate_takes_numpy_integers_as_ints() -> None:
    """A numpy integer is a count of replications and a seed, as an ``int`` is; the
    results' seeds are ``int``."""
    s = mmc(2, 0.5, 100)
    runs = replicate(s, np.int64(2), seed=np.int64(5))  # type: ignore[arg-type]
    assert [r.seed for r in runs] == [5, 6]
    assert all(type(r.seed) is int for r in runs)
    assert [r.records for r in runs] == [r.records for r in replicate(s, 2, seed=5)]


def test_replicate_refuses_seeds_past_64_bits_before_any_run() -> None:
    """The last replication's seed is checked before the first runs."""
    with pytest.raises(
        ValidationError,
        match=r"^each replication's seed must lie in signed 64 bits, got 9223372036854775808$",
    ):
        replicate(mmc(2, 0.5, 100), 3, seed=2**63 - 2)


def test_replicate_uses_consecutive_seeds() -> None:
    """Replication k runs with seed + k; fewer than one replication is refused."""
    runs = replicate(mmc(2, 0.5, 100), 3, seed=7)
    assert [r.seed for r in runs] == [7, 8, 9]
    with pytest.raises(ValueError, match=r"^replications must be at least 1, got 0$"):
        replicate(mmc(2, 0.5, 100), 0)
    with pytest.raises(TypeError, match=r"^replications must be an integer, got '3'$"):
        replicate(mmc(2, 0.5, 100), "3")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^replications must be an integer, got True$"):
        replicate(mmc(2, 0.5, 100), True)
    with pytest.raises(TypeError, match=r"^seed must be an integer, got 1.5$"):
        replicate(mmc(2, 0.5, 100), 2, seed=1.5)  # type: ignore[arg-type]


def test_t_quantile_refuses_bad_arguments() -> None:
    """p outside (0, 1) or df <= 0 raise ValueError with exact messages."""
    with pytest.raises(ValueError, match=r"^p must be between 0 and 1 \(exclusive\), got 1$"):
        t_quantile(1, 5)
    with pytest.raises(ValueError, match=r"^df must be positive, got 0$"):
        t_quantile(0.9, 0)


@pytest.mark.parametrize("df", [1e100, 1e103, 1e154, 1e200, 1.7e308, 10**200, 10**400])
def test_t_quantile_of_huge_degrees_of_freedom_is_the_normal_quantile(df: float) -> None:
    """Past what ``df**3`` holds (1e103 on) the expansion overflowed (``OverflowError``):
    the quantile is the normal one."""
    normal = NormalDist().inv_cdf(0.975)
    assert t_quantile(0.975, df) == pytest.approx(normal, rel=1e-15)
    assert t_quantile(0.025, df) == pytest.approx(-normal, rel=1e-15)


@given(st.floats(min_value=1e3, max_value=1e308))
def test_t_quantile_falls_towards_the_normal_as_df_grows(df: float) -> None:
    """Above the normal quantile, and never above it for fewer degrees of freedom."""
    q = t_quantile(0.975, df)
    assert NormalDist().inv_cdf(0.975) - 1e-12 <= q <= t_quantile(0.975, df / 2) + 1e-12


def test_replicate_reports_progress_per_replication() -> None:
    """replicate calls progress with k / replications after each run."""
    shares: list[float] = []
    replicate(mmc(2, 0.5, 100), 4, progress=shares.append)
    assert shares == [0.25, 0.5, 0.75, 1.0]


@pytest.mark.parametrize(
    ("confidence", "shown"),
    [
        (2, "2"),
        (0, "0"),
        (float("nan"), "nan"),
        (-0.5, "-0.5"),
        (10**400, "an integer of 1329 bits"),
        (-(10**400), "a negative integer of 1329 bits"),
        (Fraction(3, 2), "3/2"),
    ],
    ids=["2", "0", "nan", "-0.5", "10**400", "-10**400", "3/2"],
)
def test_a_confidence_that_is_no_level_is_a_validation_error(
    confidence: object, shown: str
) -> None:
    """compare and estimate refuse a number outside (0, 1) as they refuse their other bad
    arguments: ValidationError, a ValueError, naming it (10**400 by its size: it was
    Python's own OverflowError)."""
    a = replicate(mmc(2, 0.5, 50), 2, seed=1)
    message = f"confidence must be between 0 and 1 (exclusive), got {shown}"
    for call in (
        lambda: compare(a, a, confidence=confidence),  # type: ignore[arg-type]
        lambda: estimate([1.0, 2.0], confidence=confidence),  # type: ignore[arg-type]
    ):
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.message == message
        assert not isinstance(info.value, TypeError)


@pytest.mark.parametrize("confidence", ["x", None, True, Decimal("0.9"), 0.9j])
def test_a_confidence_that_is_no_real_number_is_the_librarys_type_error(
    confidence: object,
) -> None:
    """What is no real number (text, None, a bool, a Decimal, as estimate's values) is an
    ArgumentTypeError, a ValidationError too (it said "between 0 and 1" of Decimal 0.9)."""
    a = replicate(mmc(2, 0.5, 50), 2, seed=1)
    message = f"confidence must be a real number (a float such as 0.95), got {confidence!r}"
    for call in (
        lambda: compare(a, a, confidence=confidence),  # type: ignore[arg-type]
        lambda: estimate([1.0, 2.0], confidence=confidence),  # type: ignore[arg-type]
    ):
        with pytest.raises(ArgumentTypeError) as info:
            call()
        assert info.value.message == message
        assert isinstance(info.value, ValidationError)


def test_replicate_refuses_what_is_no_scenario_as_run_does() -> None:
    """replicate("s", 1) raises the TypeError its docstring promises, in run's words
    (it was an AttributeError)."""
    with pytest.raises(
        TypeError, match=r"^scenario must be a Scenario \(Scenario.from_json reads one\), got str$"
    ):
        replicate("s", 1)  # type: ignore[arg-type]


def test_estimate_of_huge_or_tiny_values_neither_overflows_nor_underflows() -> None:
    """Values near the largest float are averaged (fsum overflowed: Python's
    OverflowError) and values near 1e-200 keep their spread (their squares underflowed to
    0: a half-width of 0); an interval wider than any float is infinite."""
    t = t_quantile(0.975, 2)
    big = estimate([1e154, 2e154, 3e154])
    assert big.mean == 2e154
    assert big.half_width == pytest.approx(t * 1e154 / math.sqrt(3))
    same = estimate([1e308, 1e308])
    assert (same.mean, same.half_width) == (1e308, 0.0)
    tiny = estimate([1e-200, 2e-200, 3e-200])
    assert tiny.mean == pytest.approx(2e-200)
    assert tiny.half_width == pytest.approx(t * 1e-200 / math.sqrt(3))
    assert estimate([1e308, -1e308]).half_width == math.inf


_MODERATE = st.one_of(st.just(0.0), st.floats(1e-100, 1e100), st.floats(-1e100, -1e-100))
"""Floats whose sums, differences and squares the plain formulas keep in the normal floats."""


@given(st.lists(_MODERATE, min_size=2, max_size=20), st.integers(-600, 600))
def test_estimate_is_the_plain_formula_at_any_scale(values: list[float], k: int) -> None:
    """Where the plain formulas stay in the floats, the estimate is theirs: the mean
    exactly, the half-width to the last bits (scaled down, a square far below the
    largest may fall out of the normal floats, and round apart in its last place); the
    values scaled by a power of two give the estimate scaled by it."""
    n = len(values)
    mean = math.fsum(values) / n
    spread = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1) / n)
    plain = estimate(values)
    assert plain.mean == mean
    assert plain.half_width == pytest.approx(t_quantile(0.975, n - 1) * spread, rel=1e-12)
    scaled = estimate([math.ldexp(v, k) for v in values])
    assert scaled.mean == math.ldexp(plain.mean, k)
    assert scaled.half_width == pytest.approx(math.ldexp(plain.half_width, k), rel=1e-12)


def test_compare_of_figures_near_the_largest_float() -> None:
    """A metric near the largest float is compared (fsum overflowed), and so is a
    difference past it (1e308 - -1e308: an infinite mean, which no float holds, rather
    than the refusal of an infinite value)."""
    a = replicate(mmc(2, 0.5, 50), 2)
    assert compare(a, a, metric=lambda s: 1e308).difference.mean == 0
    signs = iter([1.0, 1.0, -1.0, -1.0])
    result = compare(a, a, metric=lambda s: next(signs) * 1e308)
    assert (result.a.mean, result.b.mean) == (1e308, -1e308)
    assert (result.difference.mean, result.difference.half_width) == (math.inf, 0.0)


@pytest.mark.parametrize("progress", [5, "bar"])
def test_replicate_refuses_a_progress_that_is_no_function_before_any_run(
    monkeypatch: pytest.MonkeyPatch, progress: object
) -> None:
    """replicate checks ``progress`` as run does, in run's words, before the first
    replication (it ran one, then raised Python's own "'int' object is not callable")."""
    import importlib

    compare_module = importlib.import_module("helpdesk_routing.simulation.compare")
    ran: list[object] = []
    monkeypatch.setattr(compare_module, "run", lambda *args: ran.append(args))
    with pytest.raises(ArgumentTypeError) as info:
        replicate(mmc(2, 0.5, 50), 2, progress=progress)  # type: ignore[arg-type]
    assert info.value.message == (
        f"progress must be a function of the share done (or None), got {type(progress).__name__}"
    )
    assert ran == []


def test_a_confidence_of_any_real_kind_is_held_as_a_float() -> None:
    """A Fraction or numpy confidence is taken as the float it is: the estimates hold that
    float and print (a Fraction was kept, and str() raised Python's own TypeError)."""
    a = replicate(mmc(2, 0.5, 50), 2, seed=1)
    for level in (Fraction(9, 10), np.float64(0.9), np.float32(0.5)):
        e = estimate([1.0, 2.0, 3.0], level)  # type: ignore[arg-type]
        assert type(e.confidence) is float
        assert e == estimate([1.0, 2.0, 3.0], float(level))
        result = compare(a, a, confidence=level)  # type: ignore[arg-type]
        assert {type(x.confidence) for x in (result.a, result.b, result.difference)} == {float}
        assert f"({float(level):.0%}, n=2)" in str(result)
    assert str(estimate([1.0, 2.0, 3.0], Fraction(9, 10))) == "2 ± 1.7 (90%, n=3)"


def test_a_confidence_as_near_1_as_a_float_goes_has_its_interval() -> None:
    """0.9999999999999999 is strictly between 0 and 1, and its interval is computed (its
    tail, 2**-54 each side, was lost in 0.5 + c/2 = 1.0: "p must be between 0 and 1"),
    equal to the closed form of t with 2 degrees of freedom."""
    c = 0.9999999999999999
    e = estimate([1.0, 2.0, 3.0], c)
    tail = (1 - c) / 2
    t = (1 - 2 * tail) / math.sqrt(2 * tail * (1 - tail))
    assert e.half_width == pytest.approx(t / math.sqrt(3), rel=1e-9)
    assert math.isfinite(e.half_width)
    assert e.half_width > estimate([1.0, 2.0, 3.0], 0.999999).half_width
    a = replicate(mmc(2, 0.5, 50), 2, seed=1)
    assert compare(a, a, confidence=c).difference.half_width == 0


@pytest.mark.parametrize(
    ("confidence", "message"),
    [
        (
            Fraction(10**20 - 1, 10**20),
            "confidence must be below 1 by what a float tells apart (at most "
            "0.9999999999999999), got 99999999999999999999/100000000000000000000",
        ),
        (
            Fraction(1, 10**330),
            "confidence must be above 0 by what a float tells apart (at least 5e-324), "
            f"got 1/{10**330}",
        ),
    ],
)
def test_a_confidence_no_float_tells_from_1_or_0_is_refused_saying_why(
    confidence: Fraction, message: str
) -> None:
    """A Fraction strictly inside (0, 1) whose float is 1.0 or 0.0 is refused in terms of
    the confidence given, not of an internal p."""
    a = replicate(mmc(2, 0.5, 50), 2, seed=1)
    for call in (
        lambda: compare(a, a, confidence=confidence),  # type: ignore[arg-type]
        lambda: estimate([1.0, 2.0], confidence=confidence),  # type: ignore[arg-type]
    ):
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.message == message


@pytest.mark.parametrize(
    ("figure", "shown"),
    [
        (10**400, "an integer of 1329 bits"),
        (-(10**400), "a negative integer of 1329 bits"),
        (Fraction(10**400, 3), f"{10**400}/3"),
    ],
    ids=["10**400", "-10**400", "Fraction(10**400, 3)"],
)
def test_a_metric_figure_no_float_holds_is_named(figure: object, shown: str) -> None:
    """A metric function answering a number past the floats is a ValidationError naming
    the replication, as estimate names such a value (it was Python's OverflowError)."""
    a = replicate(mmc(2, 0.5, 50), 2, seed=1)
    with pytest.raises(ValidationError) as info:
        compare(a, a, metric=lambda s: figure)  # type: ignore[arg-type,return-value]
    assert info.value.message == (
        f"metric must give numbers a float holds; <lambda> of a's replication with seed 1 "
        f"is {shown}"
    )


def test_a_metric_figure_of_any_real_kind_is_compared_as_its_float() -> None:
    """A Fraction or a big int a float holds is compared as its float."""
    a = replicate(mmc(2, 0.5, 50), 2, seed=1)
    result = compare(a, a, metric=lambda s: Fraction(1, 3))  # type: ignore[arg-type,return-value]
    assert result.a.mean == 1 / 3
    assert compare(a, a, metric=lambda s: 10**300).a.mean == 1e300


@pytest.mark.parametrize(
    ("p", "df", "error", "message"),
    [
        (True, 3, ArgumentTypeError, "p must be a real number, got True"),
        ("0.9", 3, ArgumentTypeError, "p must be a real number, got '0.9'"),
        (0.9, "3", ArgumentTypeError, "df must be a real number, got '3'"),
        (0.9, None, ArgumentTypeError, "df must be a real number, got None"),
        (0.9, math.nan, ValidationError, "df must be positive, got nan"),
        (
            0.9,
            -(10**400),
            ValidationError,
            "df must be positive, got a negative integer of 1329 bits",
        ),
        (
            10**400,
            3,
            ValidationError,
            "p must be between 0 and 1 (exclusive), got an integer of 1329 bits",
        ),
        (
            Fraction(1, 10**330),
            3,
            ValidationError,
            "p must lie at least 5e-324 from 0 and from 1 (the nearest a float holds), "
            f"got 1/{10**330}",
        ),
    ],
    ids=[
        "p True",
        "p text",
        "df text",
        "df None",
        "df nan",
        "df -10**400",
        "p 10**400",
        "p 1/10**330",
    ],
)
def test_t_quantile_names_arguments_of_the_wrong_kind_or_size(
    p: object, df: object, error: type[Exception], message: str
) -> None:
    """No argument ends in Python's own TypeError or OverflowError, nor in a silent
    figure (df NaN gave 4.5e-13): each is the library's error naming it."""
    with pytest.raises(error) as info:
        t_quantile(p, df)  # type: ignore[arg-type]
    assert info.value.message == message  # type: ignore[attr-defined]


def test_t_quantile_keeps_its_digits_at_any_df() -> None:
    """Many degrees of freedom give the normal limit (df 1e15 gave 1.75 for 1.95996, and
    df inf or 10**400 a figure or an OverflowError); inf is the normal quantile."""
    z = NormalDist().inv_cdf(0.975)
    assert t_quantile(0.975, math.inf) == pytest.approx(z, rel=1e-15)
    assert t_quantile(0.975, 10**400) == t_quantile(0.975, math.inf)
    for df in (1e5, 1e5 + 1, 1e6, 1e9, 1e15):
        expansion = z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
        assert t_quantile(0.975, df) == pytest.approx(expansion, rel=1e-10)
    assert t_quantile(0.975, 1e5) == pytest.approx(t_quantile(0.975, 1e5 + 1e-6), rel=1e-10)
    # from 100,000 on, as docs/simulation.md says (100,000 itself took the beta function,
    # 5e-12 off where the expansion is exact to the float); mpmath's figure at 40 digits
    assert t_quantile(0.975, 100_000) == pytest.approx(1.9599877075346093, rel=1e-15, abs=0)


@pytest.mark.parametrize("tail", [1e-3, 1e-8, 2.0**-53, 1e-100, 1e-300])
def test_t_quantile_of_far_tails_matches_the_closed_forms(tail: float) -> None:
    """With 1 and 2 degrees of freedom t has closed forms: far tails (p as near to 1 as
    a float goes, or to 0) keep their digits."""
    assert t_quantile(tail, 1) == pytest.approx(-1 / math.tan(math.pi * tail), rel=1e-9)
    t2 = (1 - 2 * tail) / math.sqrt(2 * tail * (1 - tail))
    assert t_quantile(tail, 2) == pytest.approx(-t2, rel=1e-9)
    upper = min(1 - tail, 0.9999999999999999)  # its tail, 1 - upper, is exact
    u = 1 - upper
    assert t_quantile(upper, 1) == pytest.approx(1 / math.tan(math.pi * u), rel=1e-9)
    assert t_quantile(upper, 2) == pytest.approx((1 - 2 * u) / math.sqrt(2 * u * (1 - u)), rel=1e-9)
