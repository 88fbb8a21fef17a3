"""The errors of the handoff and its connectors.

They live here, not in ``helpdesk_routing.errors``, because only the handoff raises them;
each derives from :class:`~helpdesk_routing.errors.RoutingError`::

    HandoffError(RoutingError)
    ├── InvalidTransition(HandoffError, ValueError)   the state machine refuses the input
    ├── UnknownHandoff(HandoffError, LookupError)     no handoff with that id / conversation
    ├── OtherDestination(HandoffError, ValueError)    sent elsewhere: not this service's
    └── DeliveryError(HandoffError)                   the destination did not take the ticket
        ├── AuthenticationFailed                      401 / 403: credentials; never retried
        ├── ServiceRejected                           400 / 422: carries the service's details
        ├── RateLimited                               429 past the attempts or the capped wait
        ├── Unreachable                               no connection could be made (not sent)
        └── OutcomeUnknown                            sent, answer lost: reconcile before retry

Messages are exact; tests match them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from helpdesk_routing.errors import RoutingError

__all__ = [
    "SHOWN_DETAILS",
    "AuthenticationFailed",
    "DeliveryError",
    "HandoffError",
    "InvalidTransition",
    "OutcomeUnknown",
    "RateLimited",
    "ServiceRejected",
    "UnknownHandoff",
    "Unreachable",
]


class HandoffError(RoutingError):
    """Base class of the handoff's errors."""


class InvalidTransition(HandoffError, ValueError):
    """The handoff's state does not accept this input (e.g. ``confirm`` after it ended).

    From the pure state machine ``what`` is its input (``GiveEmail``); from ``Handoff``
    it is the public call (``provide_email``), with the ``conversation_id`` whose handoff
    refused it and what that handoff waits for (``hint``)."""

    def __init__(
        self,
        state: str,
        what: str,
        *,
        conversation_id: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.state = state
        self.what = what
        self.conversation_id = conversation_id
        if conversation_id is None:
            message = f"a handoff in state {state!r} does not accept {what}"
        else:
            message = (
                f"the handoff of conversation {conversation_id!r} is in state {state!r}"
                f" and does not accept {what}"
            )
        super().__init__(message if hint is None else f"{message} ({hint})")


class OtherDestination(HandoffError, ValueError):
    """The handoff was sent to another destination than this service's (a ledger shared
    by services sending elsewhere, or settings changed since): this service must not
    look it up, send it or move it on (``reconcile``, ``confirm``, ``provide_email``;
    ``call`` names the one refused)."""

    def __init__(
        self, handoff_id: str, destination: str, service_destination: str, call: str = "reconcile"
    ) -> None:
        self.handoff_id = handoff_id
        self.destination = destination
        self.service_destination = service_destination
        self.call = call
        super().__init__(
            f"handoff {handoff_id!r} goes to {destination!r}, this service sends to "
            f"{service_destination!r}: {call} it with a service of its destination"
        )


class UnknownHandoff(HandoffError, LookupError):
    """No handoff is recorded under that id or, ``by_conversation``, for that conversation
    (``confirm`` or ``provide_email`` before any ``request``)."""

    def __init__(self, key: str, *, by_conversation: bool = False) -> None:
        self.key = key
        self.by_conversation = by_conversation
        if by_conversation:
            super().__init__(f"no handoff was requested for conversation id {key!r}")
        else:
            super().__init__(f"unknown handoff {key!r}")


class DeliveryError(HandoffError):
    """The destination did not create the ticket. ``service`` names it (``zendesk``, ...)."""

    def __init__(self, service: str, message: str) -> None:
        self.service = service
        super().__init__(f"{service}: {message}")


class AuthenticationFailed(DeliveryError):
    """The service refused the credentials (HTTP 401 or 403); it is never retried."""

    def __init__(self, service: str, status: int) -> None:
        self.status = status
        super().__init__(service, f"authentication failed (HTTP {status})")


SHOWN_DETAILS = 2000
"""The most characters of a refusal's message, its details cut to fit: a service may
answer with megabytes of text, and messages end up in logs (and in a handoff's ledger,
which keeps as many). ``details`` keeps them whole."""


class ServiceRejected(DeliveryError):
    """The service rejected the request (HTTP 400 or 422); ``details`` is its error body,
    whole. The message shows as much of it as fits in :data:`SHOWN_DETAILS` characters,
    saying when it was cut and how long the details were."""

    def __init__(self, service: str, status: int, details: Mapping[str, Any]) -> None:
        self.status = status
        self.details = dict(details)
        shown = repr(self.details)
        head = f"{service}: request rejected (HTTP {status}): "
        if len(head) + len(shown) > SHOWN_DETAILS:
            tail = f"... (cut: {len(shown)} characters in all)"
            shown = shown[: max(SHOWN_DETAILS - len(head) - len(tail), 0)] + tail
        super().__init__(service, f"request rejected (HTTP {status}): {shown}")


class RateLimited(DeliveryError):
    """HTTP 429 went on until no attempt was left or the next wait would pass the capped
    total wait; nothing was created by the 429s.

    ``waited`` is the seconds waited between attempts in all; ``asked`` the wait the last
    ``Retry-After`` asked for (``0``: retry at once; ``None``: it asked none, or none
    readable); ``attempts`` the requests made (``None`` when not known); ``next_wait``
    the wait that would have taken the total past ``max_total_wait`` (the ``Retry-After``
    plus jitter, or the backoff), both ``None`` when the attempts ran out instead. The
    message says all of it, never rounding a wait asked for down to ``0 s``, its numbers
    to the hundredth, or to as many more decimals as it takes for the waits shown to
    visibly pass the cap shown (all of them to the same decimals):
    ``rate limited (HTTP 429); gave up after 4 attempts and 1.37 s of waiting: the server
    asked to retry at once, and no attempt was left``."""

    def __init__(
        self,
        service: str,
        waited: float,
        asked: float | None = None,
        *,
        attempts: int | None = None,
        next_wait: float | None = None,
        max_total_wait: float | None = None,
    ) -> None:
        self.waited = waited
        self.asked = asked
        self.attempts = attempts
        self.next_wait = next_wait
        self.max_total_wait = max_total_wait
        decimals = 2
        if next_wait is not None and max_total_wait is not None:
            decimals = _decimals(waited, next_wait, max_total_wait)
        message = "rate limited (HTTP 429); gave up after "
        if attempts is not None:
            message += f"{attempts} attempt{'' if attempts == 1 else 's'} and "
        message += f"{_wait_shown(waited, decimals)} of waiting: "
        if asked is None:
            message += "the server gave no readable Retry-After"
        elif asked == 0:
            message += "the server asked to retry at once"
        else:
            message += f"the server asked to retry in {_wait_shown(asked, decimals)}"
        if next_wait is not None and max_total_wait is not None:
            shown = _wait_shown(next_wait, decimals)
            what = f"backoff ({shown})" if asked is None else f"wait ({shown} with jitter)"
            message += (
                f", and the next {what} would take the waiting past max_total_wait "
                f"({_wait_shown(max_total_wait, decimals)})"
            )
        elif attempts is not None:
            message += ", and no attempt was left"
        super().__init__(service, message)


def _wait_shown(seconds: float, decimals: int = 2) -> str:
    """``seconds`` as a message shows a wait: a whole number as it is (``60 s``), else to
    ``decimals`` places (``0.4 s``, ``1.37 s``), and a wait above 0 that would show as
    ``0 s`` as ``under 0.01 s``."""
    if not math.isfinite(seconds) or seconds == int(seconds):
        return f"{seconds:.0f} s"
    text = f"{seconds:.{decimals}f}".rstrip("0").rstrip(".")
    return f"under {10**-decimals:.{decimals}f} s" if text == "0" else f"{text} s"


_MOST_DECIMALS = 9
"""The most decimals a wait is shown with (a nanosecond)."""


def _decimals(waited: float, next_wait: float, cap: float) -> int:
    """The decimals to show ``waited``, ``next_wait`` and ``cap`` with, so that as shown
    the two waits visibly pass the cap, as they did: 2, more (at most
    :data:`_MOST_DECIMALS`) while the waits shown add up to no more than the cap shown
    (``under 0.01 s`` read as anything below 0.01), or the cap shows as ``under ...``
    when more decimals would show it."""
    if not all(math.isfinite(x) for x in (waited, next_wait, cap)):
        return 2
    passing = [
        decimals
        for decimals in range(2, _MOST_DECIMALS + 1)
        if _lowest(waited, decimals) + _lowest(next_wait, decimals) > _highest(cap, decimals)
    ]
    exact = [d for d in passing if not _wait_shown(cap, d).startswith("under ")]
    return (exact or passing or [_MOST_DECIMALS])[0]


def _lowest(seconds: float, decimals: int) -> Decimal:
    """The least ``seconds`` shown with ``decimals`` can be read as (``under ...``: 0),
    in exact decimals, as read (0.1 + 0.2 shown must not pass 0.3 shown)."""
    text = _wait_shown(seconds, decimals)
    return Decimal(0) if text.startswith("under ") else Decimal(text.removesuffix(" s"))


def _highest(seconds: float, decimals: int) -> Decimal:
    """The most ``seconds`` shown with ``decimals`` can be read as (``under 0.01 s``:
    0.01)."""
    text = _wait_shown(seconds, decimals)
    return Decimal(text.removeprefix("under ").removesuffix(" s"))


class Unreachable(DeliveryError):
    """No connection could be made within the attempts; nothing was sent."""

    def __init__(self, service: str, reason: str) -> None:
        self.reason = reason
        super().__init__(service, f"unreachable: {reason}")


class OutcomeUnknown(DeliveryError):
    """The request may have created the ticket (a timeout, a 5xx, a dropped connection).

    The handoff waits in ``outcome_unknown`` until ``Handoff.reconcile`` looks the ticket up.
    """

    def __init__(self, service: str, reason: str) -> None:
        self.reason = reason
        super().__init__(service, f"outcome unknown: {reason}")
