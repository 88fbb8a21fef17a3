"""Allocation: who among the eligible agents gets a ticket.

:class:`Allocator` is the protocol (a pure function of ticket, :class:`Pool` and
rotation state); :class:`RoundRobin` (the default) and :class:`LeastLoaded` ship.
"""

from __future__ import annotations

from .base import Allocation, Allocator, Pool
from .least_loaded import LeastLoaded
from .round_robin import RoundRobin
from .steps import LeastLoadedStep, PassedOver, ReasonFacts, RoundRobinStep

__all__ = [
    "Allocation",
    "Allocator",
    "LeastLoaded",
    "LeastLoadedStep",
    "PassedOver",
    "Pool",
    "ReasonFacts",
    "RoundRobin",
    "RoundRobinStep",
]
