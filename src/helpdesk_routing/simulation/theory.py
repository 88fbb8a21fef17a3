"""Queueing formulas the simulator is held to (mean waits in units of the mean handling time).

Every function takes ``c`` agents, the utilisation ``rho = lam / (c * mu)`` (``0 <= rho < 1``)
and the service rate ``mu`` (default 1, so a wait of ``0.5`` is half a handling time), and
returns the mean time from arrival to work start, ``Wq``. At ``rho = 0`` nothing arrives and
nobody waits: every wait, Erlang C and ``sigma`` are 0 (so a curve may start at 0).

- :func:`erlang_c_wait` — the ``pooled`` policy, one queue served by ``c`` agents (M/M/c).
  Erlang C is computed from the Erlang B recursion ``B(k) = a B(k-1) / (k + a B(k-1))``,
  which never forms ``a**c / c!`` and so is stable for thousands of agents.
- :func:`random_split_wait` — each ticket to an agent drawn at random: ``c`` M/M/1 queues.
- :func:`round_robin_wait` — each agent gets every ``c``-th ticket, so sees Erlang-``c``
  gaps between its tickets (E_c/M/1): ``sigma`` solves
  ``sigma = (lam / (lam + mu (1 - sigma)))**c`` (found by bisection) and
  ``Wq = sigma / (mu (1 - sigma))``.
- :func:`least_loaded_wait` — join the shortest queue has no closed form; the values are
  those of the simulation issue's reference table (``LEAST_LOADED_REFERENCE``), published
  to four decimals, and other ``(c, rho)`` raise :class:`UnknownReference`, a
  ``KeyError``.

``c`` is an integral number (a numpy integer too) from 1 to :data:`MAX_AGENTS`; the rates
are real numbers. A wait beyond the float range (a tiny ``mu``) is ``inf``, and a tiny
one (a huge ``mu``) is as small as it is: the factors of a denominator that would
underflow or overflow are divided by one at a time. Anything else raises the library's
errors naming the argument: ``ArgumentTypeError`` (a ``TypeError``) for the wrong kind,
``ValidationError`` (a ``ValueError``) for a value out of range.
"""

from __future__ import annotations

import math
import numbers
import operator
import sys
from collections.abc import Callable
from fractions import Fraction
from typing import Any, SupportsIndex

from helpdesk_routing.errors import ArgumentTypeError, RoutingError, ValidationError

from ._args import shown

Real = float | Fraction
"""A real number as the docs take it here: a ``float`` (an ``int``, a NumPy ``float64``)
or a ``Fraction``."""

__all__ = [
    "LEAST_LOADED_REFERENCE",
    "MAX_AGENTS",
    "UnknownReference",
    "erlang_b",
    "erlang_c",
    "erlang_c_wait",
    "least_loaded_wait",
    "random_split_wait",
    "round_robin_sigma",
    "round_robin_wait",
]

LEAST_LOADED_REFERENCE: dict[tuple[int, float], float] = {
    (2, 0.5): 0.4263,
    (4, 0.7): 0.5114,
    (8, 0.9): 1.1345,
}
"""Mean wait (``mu = 1``) under join-the-shortest-queue, by ``(c, rho)``: tabulated, not derived."""

MAX_AGENTS = 1_000_000
"""The most agents ``c`` a formula takes. Erlang B's recursion takes ``c`` steps (a
tenth of a second for a million, minutes for a billion), and a ``c`` past ``10**308``
is no float: ``erlang_c_wait(10**400, 0.5)`` raised ``OverflowError``."""


class UnknownReference(RoutingError, KeyError):
    """No least-loaded wait is tabulated for this ``(c, rho)`` (``LEAST_LOADED_REFERENCE``
    holds the known pairs): a ``RoutingError``, and a ``KeyError`` as a key missing
    from the table is. Its message names the pair and the known ones."""

    def __init__(self, c: int, rho: float) -> None:
        self.c = c
        self.rho = rho
        known = ", ".join(f"c={k[0]} rho={k[1]}" for k in LEAST_LOADED_REFERENCE)
        super().__init__(f"no least-loaded reference for c={c} rho={rho}; known: {known}")

    def __str__(self) -> str:
        # the message as written: KeyError's own str would quote it as a key
        return str(self.args[0])

    def __reduce__(self) -> tuple[type[UnknownReference], tuple[int, float]]:
        return (type(self), (self.c, self.rho))


def _agents(value: object, least: int) -> int:
    """``c`` as an ``int`` from ``least`` to :data:`MAX_AGENTS`."""
    # bool is an int to Python, but c=True is a mistake, not one server.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ArgumentTypeError(f"c must be an integer, got {value!r}")
    c = operator.index(value)
    if c < least:
        raise ValidationError(f"c must be at least {least}, got {shown(c)}")
    if c > MAX_AGENTS:
        raise ValidationError(f"c must be at most {MAX_AGENTS:,}, got {shown(c)}")
    return c


def _real(name: str, value: object) -> float:
    """``value`` as a ``float``: one too large for a float (an integer past ``10**308``)
    is infinite, which every range here refuses."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(f"{name} must be a number, got {value!r}")
    try:
        return float(value)
    except OverflowError:
        return -math.inf if value < 0 else math.inf


_SMALLEST_NORMAL = sys.float_info.min


def _normal(scale: float) -> bool:
    """Whether ``scale`` (a wait's denominator, ``mu`` times other factors) is a normal
    float. A ``mu`` near either end of the float range makes the product underflow to 0
    (a ``ZeroDivisionError``) or to a subnormal (losing digits), or overflow to ``inf`` (a
    wait of 0): the waits then divide by one factor at a time, ``mu`` last, so a wait is
    ``inf`` or subnormal only when it truly is beyond a float or that small."""
    return _SMALLEST_NORMAL <= scale < math.inf


def _check(c: SupportsIndex, rho: Any, mu: Any) -> tuple[int, float, float]:
    """The arguments as ``int`` and ``float`` (a ``Fraction`` rho gives its float's wait)."""
    agents = _agents(c, 1)
    level = _real("rho", rho)
    if level == 1.0 and rho < 1:
        # a Fraction (or a NumPy long double) below 1 whose float is 1.0
        raise ValidationError(
            "rho must be below 1 by what a float tells apart (at most 0.9999999999999999), "
            f"got {shown(rho)}"
        )
    if not 0 <= level < 1 or rho < 0:  # (a Fraction below 0 whose float is -0.0)
        raise ValidationError(f"rho must be at least 0 and less than 1, got {shown(rho)}")
    rate = _real("mu", mu)
    if rate == 0.0 and mu > 0:  # a Fraction or an integer ratio a float cannot hold
        raise ValidationError(
            f"mu must be at least 5e-324 (the smallest float above 0), got {shown(mu)}"
        )
    if rate == math.inf and not isinstance(mu, float):
        raise ValidationError(
            f"mu must be at most 1.7976931348623157e+308 (the largest float), got {shown(mu)}"
        )
    if not 0 < rate < math.inf:
        raise ValidationError(f"mu must be positive and finite, got {shown(mu)}")
    # + 0.0: a rho of -0.0 is 0 (a wait of -0.0 was answered)
    return agents, float(rho) + 0.0, float(mu)


def erlang_b(c: SupportsIndex, offered: Real) -> float:
    """Erlang B: the blocking probability of ``c`` servers offered ``offered`` erlangs.

    >>> round(erlang_b(2, 1.0), 4)
    0.2
    """
    c = _agents(c, 0)
    if not 0 <= _real("offered", offered) < math.inf:
        raise ValidationError(f"offered load must be at least 0 and finite, got {shown(offered)}")
    offered = float(offered) + 0.0  # -0.0 is 0 (a blocking probability of -0.0 was answered)
    b = 1.0
    for k in range(1, c + 1):
        b = offered * b / (k + offered * b)
    return b


def erlang_c(c: SupportsIndex, rho: Real) -> float:
    """Erlang C: the probability that a ticket waits in an M/M/c queue at utilisation ``rho``."""
    c, rho, _ = _check(c, rho, 1.0)
    b = erlang_b(c, c * rho)
    return b / (1 - rho * (1 - b))


def erlang_c_wait(c: SupportsIndex, rho: Real, mu: Real = 1.0) -> float:
    """Mean wait of the ``pooled`` policy (M/M/c): ``C(c, a) / (c mu (1 - rho))``.

    >>> round(erlang_c_wait(4, 0.7), 4)
    0.3572
    """
    c, rho, mu = _check(c, rho, mu)
    waits = erlang_c(c, rho)
    scale = c * mu * (1 - rho)
    return waits / scale if _normal(scale) else waits / (1 - rho) / c / mu


def random_split_wait(c: SupportsIndex, rho: Real, mu: Real = 1.0) -> float:
    """Mean wait when each ticket goes to a random agent: ``c`` M/M/1 queues.

    ``Wq = rho / (mu (1 - rho))``.

    >>> random_split_wait(4, 0.7)  # doctest: +ELLIPSIS
    2.333...
    """
    c, rho, mu = _check(c, rho, mu)
    scale = mu * (1 - rho)
    return rho / scale if _normal(scale) else rho / (1 - rho) / mu


def _log_bisect(below: Callable[[float], bool], lo: float, hi: float) -> float:
    """The point in ``[lo, hi]`` (both positive) where ``below`` turns false, found by
    bisection on a log scale to the last bit; ``below(lo)`` is true, ``below(hi)`` false."""
    while hi - lo > 2e-16 * lo:
        mid = math.sqrt(lo) * math.sqrt(hi)  # lo * hi may underflow
        if mid <= lo or mid >= hi:
            break
        if below(mid):
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _round_robin_root(c: int, rho: float) -> tuple[float, float]:
    """``(sigma, 1 - sigma)`` of E_c/M/1, each to double precision (``mu`` cancels out).

    ``sigma`` is the root in (0, 1) of ``f(s) = (c rho / (c rho + 1 - s))**c - s``, positive
    below it and negative above. Near saturation ``sigma`` is within a few ulps of 1, so
    the bisection is then on ``x = 1 - sigma``, the root of ``g(x) = (1 + x / (c rho))**-c
    - (1 - x)``: convex, zero at 0 with slope ``1 - 1/rho < 0`` and positive at 1. ``g`` is
    computed as ``-x (1 - rho) / rho + B`` with ``B = (1 + a)**-c - 1 + c a``
    (``a = x / (c rho)``) summed as a series when ``c a`` is small, so its sign is right
    however close ``x`` is to 0. At light load ``sigma`` itself is tiny (about
    ``(c rho)**c`` for small rho) and is found on its own log scale.
    """
    if rho == 0:  # nothing arrives: no ticket finds its agent busy
        return 0.0, 1.0
    gap = 1.0 - rho  # exact for rho in [0.5, 1) (Sterbenz)

    def g(x: float) -> float:
        a = x / (c * rho)
        if c * a < 1e-3:
            # B = sum over k >= 2 of (-1)**k C(c + k - 1, k) a**k; terms fall by c a or more
            term, bend = 1.0, 0.0
            for k in range(1, 16):
                term *= -(c + k - 1) * a / k
                if k >= 2:
                    bend += term
        else:
            bend = math.expm1(-c * math.log1p(a)) + c * a
        return -x * gap / rho + bend

    # sigma > 1/2 exactly when f(1/2) > 0. Asked of g(1/2) at light load, the sum of two
    # terms near 1/(2 rho) that cancel could round positive (c = 3, rho = 1e-18 found a
    # sigma near 1, a wait of 140); f(1/2) itself has no such cancellation.
    if math.exp(-c * math.log1p(0.5 / (c * rho))) > 0.5:  # bisect on x = 1 - sigma
        lo = min(0.5, 2 * c * rho * gap / (c + 1)) * 1e-3  # the root is near 2 c rho gap / (c + 1)
        while g(lo) >= 0:  # pragma: no cover - the series keeps g's sign exact near 0
            lo *= 1e-3
        x = _log_bisect(lambda v: g(v) < 0, lo, 0.5)
        return 1.0 - x, x
    # sigma <= 1/2: f(p0) >= 0 at p0 = f(0) + 0, the chance all c earlier tickets came
    # before one handling ended; f(1/2) <= 0.
    lam = c * rho
    p0 = math.exp(c * (math.log(lam) - math.log1p(lam)))
    if p0 == 0.0:  # below the smallest float: sigma is 0 to double precision
        return 0.0, 1.0
    # (lam / (lam + 1 - v))**c as exp(-c log1p((1 - v) / lam)): a power of a rounded base
    # would carry c times its error.
    sigma = _log_bisect(lambda v: math.exp(-c * math.log1p((1 - v) / lam)) > v, p0, 0.5)
    return sigma, 1.0 - sigma


def round_robin_sigma(c: int, rho: float, mu: float = 1.0) -> float:
    """The root ``sigma`` in (0, 1) of ``sigma = (lam / (lam + mu (1 - sigma)))**c`` (E_c/M/1).

    Found by bisection to double precision, at light load and however close rho is to 1.
    ``sigma`` is the probability that a ticket finds its agent busy.
    """
    c, rho, mu = _check(c, rho, mu)
    return _round_robin_root(c, rho)[0]


def round_robin_wait(c: SupportsIndex, rho: Real, mu: Real = 1.0) -> float:
    """Mean wait under round robin with every agent Online (E_c/M/1): ``sigma / (mu (1 - sigma))``.

    >>> round(round_robin_wait(2, 0.5), 4)
    0.618
    """
    c, rho, mu = _check(c, rho, mu)
    sigma, gap = _round_robin_root(c, rho)
    scale = mu * gap
    return sigma / scale if _normal(scale) else sigma / gap / mu


def least_loaded_wait(c: SupportsIndex, rho: Real, mu: Real = 1.0) -> float:
    """Mean wait under least loaded (join the shortest queue), from the reference table.

    Raises :class:`UnknownReference` (a ``KeyError``) for a ``(c, rho)`` the table does
    not hold: there is no closed form, and an approximation would not be a reference.
    ``rho`` is looked up rounded to 6 decimals, so a computed ``0.7000000000000001``
    finds 0.7 (and ``0.5000004`` finds 0.5).
    At ``rho = 0`` the wait is 0 for any ``c``: nothing arrives.
    """
    c, rho, mu = _check(c, rho, mu)
    if rho == 0:
        return 0.0
    key = (c, round(rho, 6))
    if key not in LEAST_LOADED_REFERENCE:
        raise UnknownReference(c, rho)
    return LEAST_LOADED_REFERENCE[key] / mu
