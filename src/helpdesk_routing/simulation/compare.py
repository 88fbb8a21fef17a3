"""Independent replications, confidence intervals, and two policies side by side.

Replication ``k`` of a scenario uses seed ``seed + k``; two policies replicated from the
same seed therefore see the same tickets in each replication (common random numbers), and
:func:`compare` takes the paired differences, whose interval is much narrower than that of
two independent means. Intervals use Student's t with ``n - 1`` degrees of freedom (the
quantile computed here from the regularised incomplete beta function; no SciPy needed).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from statistics import NormalDist
from typing import Any, SupportsIndex, cast

from helpdesk_routing._same_figures import hash_key, same_fields
from helpdesk_routing.errors import ArgumentTypeError, ValidationError

from ._args import integer, seed_value, shown
from .engine import Progress, run
from .results import SimulationResult, Summary
from .scenario import Scenario

Real = float | Fraction
"""A real number as the docs take it here: a ``float`` (an ``int``, a NumPy ``float64``)
or a ``Fraction``."""

__all__ = ["Comparison", "Estimate", "compare", "estimate", "replicate", "t_quantile"]

Metric = str | Callable[[Summary], float]
"""A summary figure: a key of :meth:`Summary.as_dict` (``"ttfr_mean"``) or a function."""


def replicate(
    scenario: Scenario,
    replications: SupportsIndex,
    seed: SupportsIndex | None = None,
    progress: Progress | None = None,
) -> list[SimulationResult]:
    """Independent runs with seeds ``seed, seed + 1, ...`` (default: the scenario's seed).

    ``TypeError`` when ``replications`` or ``seed`` is not an integer (any integral
    number, a numpy integer too; or ``scenario`` not a :class:`Scenario`, or
    ``progress`` not callable, as :func:`~helpdesk_routing.simulation.run` says, before
    any run), ``ValueError`` when
    ``replications`` is under 1 or a replication's seed leaves signed 64 bits.
    """
    if not isinstance(scenario, Scenario):
        raise ArgumentTypeError(
            f"scenario must be a Scenario (Scenario.from_json reads one), "
            f"got {type(scenario).__name__}"
        )
    replications = integer(replications, "replications")
    if seed is not None:
        seed = integer(seed, "seed")
    if progress is not None and not callable(progress):  # run's check, before any run
        raise ArgumentTypeError(
            f"progress must be a function of the share done (or None), "
            f"got {type(progress).__name__}"
        )
    if replications < 1:
        raise ValidationError(f"replications must be at least 1, got {replications}")
    base = scenario.seed if seed is None else seed
    for end in (base, base + replications - 1):  # every seed, before any run
        seed_value(end, "each replication's seed")
    out = []
    for k in range(replications):
        out.append(run(scenario, base + k))
        if progress is not None:
            progress((k + 1) / replications)
    return out


def _betacf(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _incomplete_beta(a: float, b: float, x: float, y: float, log_x: float, log_y: float) -> float:
    """The regularised incomplete beta ``I_x(a, b)``, with ``y = 1 - x`` and both logs given
    (computed where each is exact: neither ``x`` near 1 nor ``y`` near 0 is rounded away)."""
    if x <= 0.0 and log_x == -math.inf:
        return 0.0
    if y <= 0.0 and log_y == -math.inf:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * log_x + b * log_y)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, y) / b


def _t_tail(t: float, df: float) -> float:
    """``P(T > t)`` for ``t >= 0``: ``I_x(df/2, 1/2) / 2`` with ``x = df / (df + t**2)``.

    ``x`` and ``1 - x`` come from ``q = t**2 / df`` (or its inverse, past 1), so that a
    tail near 1e-16 (a confidence of ``0.9999999999999999``) or far below keeps its
    digits, and an ``x`` below the smallest float keeps its logarithm.
    """
    if t <= math.sqrt(df):
        q = (t / math.sqrt(df)) ** 2
        x, y = 1.0 / (1.0 + q), q / (1.0 + q)
        log_x, log_y = -math.log1p(q), (math.log(q) - math.log1p(q)) if q else -math.inf
    else:
        r = (math.sqrt(df) / t) ** 2
        x, y = r / (1.0 + r), 1.0 / (1.0 + r)
        log_x, log_y = 2.0 * (math.log(math.sqrt(df)) - math.log(t)) - math.log1p(r), -math.log1p(r)
    return 0.5 * _incomplete_beta(df / 2.0, 0.5, x, y, log_x, log_y)


_NORMAL_DF = 1e5
"""From this many degrees of freedom on, t's quantile is the normal one's Cornish-Fisher
expansion (the incomplete beta's ``lgamma`` terms lose their digits to cancellation:
``df = 1e15`` gave 1.75 for the 0.975 quantile, the truth being 1.95996). Here the two
agree to 3e-11 relative, for any tail down to 1e-300."""


def _t_upper(tail: float, df: float) -> float:
    """The ``t`` with ``P(T > t) = tail``, for ``0 < tail <= 0.5`` (``inf`` past the
    largest float)."""
    if df >= _NORMAL_DF:  # Abramowitz and Stegun 26.7.5, to the 1/df**3 term
        z = -NormalDist().inv_cdf(tail)
        z2 = z * z
        u = 1.0 / df  # powers of 1/df: they go to 0 where df**3 overflowed (df 1e103 on)
        return (
            z
            + z * (z2 + 1.0) / 4.0 * u
            + z * ((5.0 * z2 + 16.0) * z2 + 3.0) / 96.0 * (u * u)
            + z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / 384.0 * (u * u * u)
        )
    if tail == 0.5:  # the median, exactly: every t distribution is symmetric about 0
        return 0.0
    if df / 2.0 == 0.0:  # half of df is below the smallest float: so is the density,
        return math.inf  # and every quantile off the median is past the largest float
    lo, hi = 0.0, 1.0
    while _t_tail(hi, df) > tail:
        hi *= 2.0
        if math.isinf(hi):
            return math.inf
    # Bisection to a relative width of a few ulps, however small the quantile (near the
    # median it is tiny: an absolute stop at 1e-12 gave t_quantile(0.5, 4) = -4.5e-13);
    # halving from 1 reaches the smallest float in about 1,075 steps.
    for _ in range(1100):
        mid = (lo + hi) / 2.0
        if mid <= lo or mid >= hi:
            break
        if _t_tail(mid, df) > tail:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 4e-16 * hi:
            break
    return (lo + hi) / 2.0


def t_quantile(p: Real, df: Real) -> float:
    """The ``p`` quantile of Student's t with ``df`` degrees of freedom.

    ``p`` is any real number strictly between 0 and 1 (a ``Fraction`` too) and ``df``
    any positive one, ``inf`` giving the normal quantile; ``ValidationError`` for others
    (NaN too), ``ArgumentTypeError`` for what is no real number (a ``bool``, text, a
    ``Decimal``). The tail beyond ``p`` is taken as ``1 - p`` exactly, so ``p`` as near
    to 1 as a float goes (``0.9999999999999999``) has its quantile; a quantile past the
    largest float is ``inf``.

    >>> round(t_quantile(0.975, 4), 3)
    2.776
    """
    for name, value in (("p", p), ("df", df)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ArgumentTypeError(f"{name} must be a real number, got {value!r}")
    return _t_quantile(cast(Any, p), cast(Any, df))


def _t_quantile(p: Any, df: Any) -> float:
    """:func:`t_quantile` of real numbers (a ``Fraction`` kept exact)."""
    if not 0 < p < 1:
        raise ValidationError(f"p must be between 0 and 1 (exclusive), got {shown(p)}")
    if not df > 0:
        raise ValidationError(f"df must be positive, got {shown(df)}")
    upper = p > 0.5
    tail = float(1 - p if upper else p)  # exact: a Fraction's, or a float's (Sterbenz)
    if tail == 0.0:
        raise ValidationError(
            f"p must lie at least 5e-324 from 0 and from 1 (the nearest a float holds), "
            f"got {shown(p)}"
        )
    try:
        degrees = float(df)
    except OverflowError:  # 10**400 degrees of freedom: the normal quantile
        degrees = math.inf
    t = _t_upper(tail, degrees)
    return t if upper or t == 0.0 else -t  # the median is 0, not -0


@dataclass(frozen=True, slots=True, eq=False)
class Estimate:
    """A mean over replications with its two-sided confidence interval.

    Equal when the figures are, a ``NaN`` (in one built by hand) equal to a ``NaN`` in
    the same place; equal ones hash alike (so do comparisons of them)."""

    mean: float
    half_width: float
    confidence: float
    n: int

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return same_fields(self, other)

    def __hash__(self) -> int:
        # every field (an n built by hand may be NaN too)
        return hash(tuple(map(hash_key, (self.mean, self.half_width, self.confidence, self.n))))

    @property
    def low(self) -> float:
        """The interval's lower end."""
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        """The interval's upper end."""
        return self.mean + self.half_width

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the interval."""
        return self.low <= value <= self.high

    def __str__(self) -> str:
        level = float(self.confidence)  # one built by hand may hold a Fraction
        return f"{self.mean:.4g} ± {self.half_width:.2g} ({level:.0%}, n={self.n})"


def estimate(values: Iterable[float], confidence: Real = 0.95) -> Estimate:
    """The mean of ``values`` and its Student-t interval (half-width ``inf`` for one value).

    ``ValueError`` for no values, a value that is NaN or infinite (there is no interval
    around it; a run without a started ticket has no mean wait) or that no float holds
    (``10**400``), or a ``confidence`` that is no number strictly between 0 and 1
    (``ValidationError``, a ``ValueError``: see :func:`compare`); ``TypeError`` for
    ``values`` that are not several (one number), a value that is no number, or a
    ``confidence`` that is no real number (``ArgumentTypeError``, a ``ValidationError``
    too). Any floats are summed without
    overflow or underflow (values near ``1e308`` or ``1e-200`` alike); only a figure past
    the largest float (an interval wider than it) is ``inf``.
    """
    level = _confidence(confidence)
    if not isinstance(values, Iterable) or isinstance(
        values, Mapping | str | bytes | bytearray | memoryview
    ):
        raise ArgumentTypeError(
            f"estimate takes several numbers (a list), got {type(values).__name__}"
            + (
                " (its keys are no values; give list(mapping.values()))"
                if isinstance(values, Mapping)
                else ""
            )
        )
    if getattr(values, "ndim", None) == 0:  # iterable to Python, but not to be iterated
        raise ArgumentTypeError(
            f"estimate takes several numbers (a list), got a 0-d {type(values).__name__}"
        )
    given = list(values)  # (a TypeError of the caller's own generator is theirs)
    floats: list[float] = []
    for i, value in enumerate(given):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ArgumentTypeError(f"estimate takes numbers; values[{i}] is {value!r}")
        try:
            number = float(value)
        except (OverflowError, ValueError):  # an int or Fraction past the floats
            raise ValidationError(
                f"estimate takes numbers a float holds; values[{i}] is {shown(value)}"
            ) from None
        if not math.isfinite(number):
            raise ValidationError(f"estimate takes finite numbers; values[{i}] is {value}")
        floats.append(number)
    if not floats:
        raise ValidationError("estimate needs at least one value")
    return _estimate(floats, level)


def _estimate(values: list[float], confidence: float, exponent: int = 0) -> Estimate:
    """:func:`estimate` of finite ``values`` times ``2**exponent``.

    The values are scaled by a power of two that brings the largest under 1 before they
    are summed and squared: exact, so the figures are those of the plain formulas, but
    neither the sums (``fsum`` of ``[1e308, 1e308]`` overflowed) nor the squares
    (``1e-200`` squared is 0: a half-width of 0) leave the floats on the way.
    """
    n = len(values)
    largest = max(abs(v) for v in values)
    scale = math.frexp(largest)[1] if largest else 0
    scaled = [math.ldexp(v, -scale) for v in values]
    mean = math.fsum(scaled) / n
    if n == 1:
        return Estimate(_scaled(mean, scale + exponent), math.inf, confidence, 1)
    variance = math.fsum((v - mean) ** 2 for v in scaled) / (n - 1)
    # the t factor before the scale is undone: a spread scaled back first could round
    # to 0 below the smallest float ([5e-324, 1e-323] had a half-width of 0)
    half = _t_upper((1.0 - confidence) / 2.0, n - 1) * math.sqrt(variance / n)
    return Estimate(_scaled(mean, scale + exponent), _scaled(half, scale + exponent), confidence, n)


def _scaled(value: float, exponent: int) -> float:
    """``value * 2**exponent``, infinite (with its sign) past the largest float."""
    try:
        return math.ldexp(value, exponent)
    except OverflowError:
        return math.copysign(math.inf, value)


def _confidence(confidence: object) -> float:
    """``confidence`` as the float it is, a real number strictly between 0 and 1.

    Any real number is taken (an ``int``, ``float``, numpy float or ``Fraction``) and
    converted here, so that an :class:`Estimate` holds a float; ``ArgumentTypeError``
    for what is no real number (``"x"``, ``None``, ``True``, a ``Decimal``, as
    :func:`estimate` refuses values), ``ValidationError`` for a number outside (0, 1),
    NaN or one too long to write (``10**400``, named by its size) included, or one
    strictly inside that no float below 1 (or above 0) holds.
    """
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real):
        raise ArgumentTypeError(
            f"confidence must be a real number (a float such as 0.95), got {confidence!r}"
        )
    if not 0 < cast(float, confidence) < 1:  # exact: 10**400 is no float, NaN fails
        raise ValidationError(
            f"confidence must be between 0 and 1 (exclusive), got {shown(confidence)}"
        )
    level = float(confidence)  # a Fraction strictly inside: no overflow
    if level == 1.0:
        raise ValidationError(
            f"confidence must be below 1 by what a float tells apart "
            f"(at most 0.9999999999999999), got {shown(confidence)}"
        )
    if level == 0.0:
        raise ValidationError(
            f"confidence must be above 0 by what a float tells apart (at least 5e-324), "
            f"got {shown(confidence)}"
        )
    return level


def _figure(metric: Metric, example: Summary) -> Callable[[Summary], float]:
    if callable(metric):
        return metric
    names = example.as_dict()
    if not isinstance(metric, str) or metric not in names:
        raise ValidationError(
            f"metric must be a function of a Summary or one of {', '.join(names)}, got {metric!r}"
        )
    return lambda s: float(s.as_dict()[metric])


def _figures(
    figure: Callable[[Summary], float], name: str, side: str, results: Sequence[SimulationResult]
) -> list[float]:
    """The metric of each replication; ``ValueError`` naming the replication whose figure
    is missing (NaN: a run where no ticket was started has no wait) or not finite,
    ``TypeError`` naming the one whose figure is no number (a metric function's)."""
    out: list[float] = []
    for r in results:
        try:
            value: object = figure(r.summary)  # a function of the caller's: any value
        except Exception as error:
            # the caller's own error, raised as it is, with a note saying where
            error.add_note(
                f"raised by the metric {name} on {side}'s replication with seed {r.seed}"
            )
            raise
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ArgumentTypeError(
                f"metric must give a number for a Summary; {name} of {side}'s replication "
                f"with seed {r.seed} is {value!r}"
            )
        try:
            number = float(value)
        except (OverflowError, ValueError):  # an int or Fraction past the floats
            raise ValidationError(
                f"metric must give numbers a float holds; {name} of {side}'s replication "
                f"with seed {r.seed} is {shown(value)}"
            ) from None
        if math.isinf(number):
            raise ValidationError(
                f"{name} of {side}'s replication with seed {r.seed} is {value}: no finite "
                "number, so there is no interval to give"
            )
        if math.isnan(number):
            summary = r.summary
            # why this run has no such figure, in its terms: a rate over a span of no
            # length, a handling time of tickets whose work did not end, or figures of
            # tickets that were not started
            if name == "arrival_rate" and summary.horizon == 0 and summary.tickets:
                why = (
                    f"its measured span has no length, {summary.tickets} "
                    f"ticket{'s' if summary.tickets != 1 else ''} in 0 s"
                )
            elif name == "mean_handling":
                why = f"it resolved {summary.resolved} of {summary.tickets} tickets"
            else:
                why = f"it started {summary.started} of {summary.tickets} tickets"
            raise ValidationError(
                f"{name} of {side}'s replication with seed {r.seed} is {value}: it has no such "
                f"figure ({why}), so there is no interval to give"
            )
        out.append(number)
    return out


@dataclass(frozen=True, slots=True)
class Comparison:
    """Policy ``a`` against policy ``b`` on one metric: each one's estimate and ``a - b``'s."""

    metric: str
    a: Estimate
    b: Estimate
    difference: Estimate

    def __str__(self) -> str:
        return f"{self.metric}: a {self.a}; b {self.b}; a - b {self.difference}"


def compare(
    a: Sequence[SimulationResult],
    b: Sequence[SimulationResult],
    metric: Metric = "ttfr_mean",
    confidence: Real = 0.95,
) -> Comparison:
    """Compare replications of two policies, paired by seed (common random numbers).

    ``metric`` is a figure of ``Summary.as_dict()`` or a function of a ``Summary``.
    Raises ``ValidationError`` (a ``ValueError``) when the two lists are empty or do not
    hold the same seeds in the same order or a seed twice (the replications would not be
    independent), the metric names no figure (listing them), or
    ``confidence`` is no number strictly between 0 and 1 (``10**400`` and NaN too, and
    one inside that rounds to 1 or 0 as a float); ``ValueError`` when a replication has
    no finite figure or one no float holds (naming its side and seed); ``TypeError``
    when a list holds something else than results (``replicate`` makes such lists), a
    metric function gives something else than a number (naming the replication), or
    ``confidence`` is no real number. An error a metric function raises is raised as it
    is, with a note naming the side and seed of the replication. ``confidence`` may be
    any real number (a ``Fraction`` too); the estimates hold it as a float.
    """
    for side, results in (("a", a), ("b", b)):
        if not isinstance(results, Sequence) or not all(
            isinstance(r, SimulationResult) for r in results
        ):
            raise ArgumentTypeError(
                f"compare takes lists of SimulationResults (simulation.replicate makes "
                f"them); {side} is not one"
            )
    level = _confidence(confidence)
    if not a or not b:
        raise ValidationError("compare needs at least one replication of each policy")
    seeds_a, seeds_b = [r.seed for r in a], [r.seed for r in b]
    if seeds_a != seeds_b:
        if len(seeds_a) != len(seeds_b):
            said = f"a has {len(seeds_a)} replications, b {len(seeds_b)}"
        else:
            i = next(i for i, (x, y) in enumerate(zip(seeds_a, seeds_b, strict=True)) if x != y)
            said = f"replication {i} has seed {seeds_a[i]} in a, {seeds_b[i]} in b"
        raise ValidationError(
            f"compare needs replications of the same seeds, in the same order: {said}"
        )
    seen: dict[int, int] = {}
    for i, seed in enumerate(seeds_a):
        if seed in seen:
            raise ValidationError(
                f"compare needs independent replications, one per seed: replications "
                f"{seen[seed]} and {i} both have seed {seed}"
            )
        seen[seed] = i
    figure = _figure(metric, a[0].summary)
    name = metric if isinstance(metric, str) else getattr(metric, "__name__", "metric")
    xs = _figures(figure, name, "a", a)
    ys = _figures(figure, name, "b", b)
    return Comparison(
        metric=name,
        a=estimate(xs, level),
        b=estimate(ys, level),
        difference=_difference(xs, ys, level),
    )


def _difference(xs: list[float], ys: list[float], confidence: float) -> Estimate:
    """The estimate of the paired ``x - y``: of their halves, doubled, when a difference
    leaves the floats (``1e308 - -1e308``), so that it is no infinite value."""
    differences = [x - y for x, y in zip(xs, ys, strict=True)]
    if all(math.isfinite(d) for d in differences):
        return _estimate(differences, confidence)
    halves = [math.ldexp(x, -1) - math.ldexp(y, -1) for x, y in zip(xs, ys, strict=True)]
    return _estimate(halves, confidence, 1)
