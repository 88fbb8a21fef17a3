"""The errors of the handoff and its connectors.

They live here, not in ``helpdesk_routing.errors``, because only the handoff raises them;
each derives from :class:`~helpdesk_routing.errors.RoutingError`::

    HandoffError(RoutingError)
    ├── InvalidTransition(HandoffError, ValueError)   the state machine refuses the input
    ├── UnknownHandoff(HandoffError, LookupError)     no handoff with that id / conversation
    └── DeliveryError(HandoffError)                   the destination did not take the ticket
        ├── AuthenticationFailed                      401 / 403: credentials; never retried
        ├── ServiceRejected                           400 / 422: carries the service's details
        ├── RateLimited                               429 past the capped total wait
        ├── Unreachable                               no connection could be made (not sent)
        └── OutcomeUnknown                            sent, answer lost: reconcile before retry

Messages are exact; tests match them.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    look it up or send it."""

    def __init__(self, handoff_id: str, destination: str, service_destination: str) -> None:
        self.handoff_id = handoff_id
        self.destination = destination
        self.service_destination = service_destination
        super().__init__(
            f"handoff {handoff_id!r} goes to {destination!r}, this service sends to "
            f"{service_destination!r}: reconcile it with a service of its destination"
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
"""The most characters of a refusal's details its message shows: a service may answer
with megabytes of text, and messages end up in logs. ``details`` keeps them whole."""


class ServiceRejected(DeliveryError):
    """The service rejected the request (HTTP 400 or 422); ``details`` is its error body,
    whole. The message shows the first :data:`SHOWN_DETAILS` characters of it, saying
    when it was cut."""

    def __init__(self, service: str, status: int, details: Mapping[str, Any]) -> None:
        self.status = status
        self.details = dict(details)
        shown = repr(self.details)
        if len(shown) > SHOWN_DETAILS:
            shown = f"{shown[:SHOWN_DETAILS]}... (cut: {len(shown)} characters in all)"
        super().__init__(service, f"request rejected (HTTP {status}): {shown}")


class RateLimited(DeliveryError):
    """HTTP 429 went on past the capped total wait; nothing was created. ``asked`` is the
    wait the last ``Retry-After`` asked for, in seconds (``None`` when it asked none)."""

    def __init__(self, service: str, waited: float, asked: float | None = None) -> None:
        self.waited = waited
        self.asked = asked
        message = f"rate limited; gave up after waiting {waited:g} s"
        if asked is not None:
            message += f" (the server asked to wait {asked:.0f} s more)"
        super().__init__(service, message)


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
