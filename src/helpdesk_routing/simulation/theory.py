"""Queueing formulas the simulator is held to (mean waits in units of the mean handling time).

Every function takes ``c`` agents, the utilisation ``rho = lam / (c * mu)`` (``0 < rho < 1``)
and the service rate ``mu`` (default 1, so a wait of ``0.5`` is half a handling time), and
returns the mean time from arrival to work start, ``Wq``:

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
  to four decimals, and other ``(c, rho)`` raise ``KeyError``.
"""

from __future__ import annotations

import math
import numbers

__all__ = [
    "LEAST_LOADED_REFERENCE",
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


def _integer(name: str, value: object) -> int:
    # bool is an int to Python, but c=True is a mistake, not one server.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    return int(value)


def _real(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    return float(value)


def _check(c: int, rho: float, mu: float) -> tuple[int, float, float]:
    """The arguments as ``int`` and ``float`` (a ``Fraction`` rho gives its float's wait)."""
    if _integer("c", c) < 1:
        raise ValueError(f"c must be at least 1, got {c}")
    if not 0 < _real("rho", rho) < 1:
        raise ValueError(f"rho must be between 0 and 1 (exclusive), got {rho}")
    if not 0 < _real("mu", mu) < math.inf:
        raise ValueError(f"mu must be positive and finite, got {mu}")
    return int(c), float(rho), float(mu)


def erlang_b(c: int, offered: float) -> float:
    """Erlang B: the blocking probability of ``c`` servers offered ``offered`` erlangs.

    >>> round(erlang_b(2, 1.0), 4)
    0.2
    """
    if _integer("c", c) < 0:
        raise ValueError(f"c must be at least 0, got {c}")
    if not 0 <= _real("offered", offered) < math.inf:
        raise ValueError(f"offered load must be at least 0 and finite, got {offered}")
    c, offered = int(c), float(offered)
    b = 1.0
    for k in range(1, c + 1):
        b = offered * b / (k + offered * b)
    return b


def erlang_c(c: int, rho: float) -> float:
    """Erlang C: the probability that a ticket waits in an M/M/c queue at utilisation ``rho``."""
    c, rho, _ = _check(c, rho, 1.0)
    b = erlang_b(c, c * rho)
    return b / (1 - rho * (1 - b))


def erlang_c_wait(c: int, rho: float, mu: float = 1.0) -> float:
    """Mean wait of the ``pooled`` policy (M/M/c): ``C(c, a) / (c mu (1 - rho))``.

    >>> round(erlang_c_wait(4, 0.7), 4)
    0.3572
    """
    c, rho, mu = _check(c, rho, mu)
    return erlang_c(c, rho) / (c * mu * (1 - rho))


def random_split_wait(c: int, rho: float, mu: float = 1.0) -> float:
    """Mean wait when each ticket goes to a random agent: ``c`` M/M/1 queues.

    ``Wq = rho / (mu (1 - rho))``.

    >>> random_split_wait(4, 0.7)  # doctest: +ELLIPSIS
    2.333...
    """
    c, rho, mu = _check(c, rho, mu)
    return rho / (mu * (1 - rho))


def round_robin_sigma(c: int, rho: float, mu: float = 1.0) -> float:
    """The root ``sigma`` in (0, 1) of ``sigma = (lam / (lam + mu (1 - sigma)))**c`` (E_c/M/1).

    Found by bisection to double precision. ``sigma`` is the probability that a ticket
    finds its agent busy.
    """
    c, rho, mu = _check(c, rho, mu)
    lam = c * rho * mu

    def f(s: float) -> float:
        return (lam / (lam + mu * (1 - s))) ** c - s

    # f(0) > 0, and f < 0 just below the trivial root 1 because f'(1) = 1/rho - 1 > 0.
    lo, hi = 0.0, 1.0 - 1e-15
    while f(hi) >= 0:  # very close to rho = 1: step back from the trivial root
        hi = 1.0 - (1.0 - hi) * 1e3
    for _ in range(200):
        mid = (lo + hi) / 2
        if f(mid) > 0:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-16:
            break
    return (lo + hi) / 2


def round_robin_wait(c: int, rho: float, mu: float = 1.0) -> float:
    """Mean wait under round robin with every agent Online (E_c/M/1): ``sigma / (mu (1 - sigma))``.

    >>> round(round_robin_wait(2, 0.5), 4)
    0.618
    """
    sigma = round_robin_sigma(c, rho, mu)
    return sigma / (mu * (1 - sigma))


def least_loaded_wait(c: int, rho: float, mu: float = 1.0) -> float:
    """Mean wait under least loaded (join the shortest queue), from the reference table.

    Raises ``KeyError`` for a ``(c, rho)`` the table does not hold: there is no closed
    form, and an approximation would not be a reference.
    """
    c, rho, mu = _check(c, rho, mu)
    key = (c, round(rho, 6))
    if key not in LEAST_LOADED_REFERENCE:
        known = ", ".join(f"c={k[0]} rho={k[1]}" for k in LEAST_LOADED_REFERENCE)
        raise KeyError(f"no least-loaded reference for c={c} rho={rho}; known: {known}")
    return LEAST_LOADED_REFERENCE[key] / mu
