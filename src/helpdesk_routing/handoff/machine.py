"""The handoff's state machine: pure, total over its inputs, tested exhaustively.

::

    requested ─┬─ SendMessage ─────────────────────────────────────────► message_shown
               ├─ webchat ─► awaiting_confirmation ─ no ───────────────► declined
               │                     │ yes
               ├─ not identified ─►  awaiting_email ◄─ malformed address (asked again)
               │                     │ valid address
               └─ identified ──────► handing_off ─┬─ delivered ────────► handed_off
                                        ▲         ├─ rejected ─────────► failed
                                        │         └─ answer lost or ──► outcome_unknown
                                        │            interrupted            │
                                        └──── reconcile: not found ◄────────┤ found
                                                                            └──► handed_off

``message_shown``, ``declined``, ``handed_off`` and ``failed`` are final: no input is
accepted there, so a handoff is handed off at most once. ``interrupted`` is the answer
lost with the process that waited for it (a crash or a deploy while ``handing_off``):
like a lost answer it leads to ``outcome_unknown``, never to a blind second request.
:func:`step` answers the next state and the :class:`Effect` the shell must carry out; it
raises :class:`~helpdesk_routing.handoff.errors.InvalidTransition` for an input the
state does not accept.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from helpdesk_routing.errors import ArgumentTypeError, ValidationError
from helpdesk_routing.handoff.errors import InvalidTransition

__all__ = [
    "FINAL_STATES",
    "Confirm",
    "Delivered",
    "Effect",
    "GiveEmail",
    "Input",
    "Interrupted",
    "Lost",
    "Reconciled",
    "Rejected",
    "Start",
    "State",
    "step",
]


class State(StrEnum):
    """Where a handoff stands."""

    REQUESTED = "requested"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    AWAITING_EMAIL = "awaiting_email"
    HANDING_OFF = "handing_off"
    HANDED_OFF = "handed_off"
    FAILED = "failed"
    OUTCOME_UNKNOWN = "outcome_unknown"
    DECLINED = "declined"
    MESSAGE_SHOWN = "message_shown"


FINAL_STATES = frozenset({State.HANDED_OFF, State.FAILED, State.DECLINED, State.MESSAGE_SHOWN})
"""States no input leaves."""


class Effect(StrEnum):
    """What the shell does after a transition."""

    ASK_CONFIRMATION = "ask_confirmation"
    ASK_EMAIL = "ask_email"
    ASK_EMAIL_AGAIN = "ask_email_again"
    SEND = "send"
    SHOW_MESSAGE = "show_message"
    AI_AGENT_CONTINUES = "ai_agent_continues"
    TELL_HANDED_OFF = "tell_handed_off"
    TELL_FAILED = "tell_failed"
    TELL_PENDING = "tell_pending"


def _flag(input_name: str, field: str, value: object) -> None:
    """Refuse an answer that is not a bool: ``yes="no"`` would be read as a yes."""
    if value.__class__ is not bool:
        raise ArgumentTypeError(
            f"{input_name}.{field} must be True or False, got {type(value).__name__}"
        )


@dataclass(frozen=True, slots=True)
class Start:
    """The AI agent escalates: by which method, on which channel, identified or not."""

    method: Literal["send_to_helpdesk", "send_message"]
    channel: str
    identified: bool

    def __post_init__(self) -> None:
        if self.method not in ("send_to_helpdesk", "send_message"):
            raise ValidationError(
                f"Start.method must be 'send_to_helpdesk' or 'send_message', got {self.method!r}"
            )
        if not isinstance(self.channel, str):
            raise ArgumentTypeError(
                f"Start.channel must be text, got {type(self.channel).__name__}"
            )
        _flag("Start", "identified", self.identified)


@dataclass(frozen=True, slots=True)
class Confirm:
    """The webchat visitor answered whether they want a human."""

    yes: bool
    identified: bool

    def __post_init__(self) -> None:
        _flag("Confirm", "yes", self.yes)
        _flag("Confirm", "identified", self.identified)


@dataclass(frozen=True, slots=True)
class GiveEmail:
    """The visitor gave an e-mail address; ``valid`` says whether it is well-formed."""

    valid: bool

    def __post_init__(self) -> None:
        _flag("GiveEmail", "valid", self.valid)


@dataclass(frozen=True, slots=True)
class Delivered:
    """The destination created the ticket."""


@dataclass(frozen=True, slots=True)
class Rejected:
    """The destination refused the ticket for good (authentication, validation, ...)."""


@dataclass(frozen=True, slots=True)
class Lost:
    """The request may or may not have created the ticket (timeout, 5xx, dropped)."""


@dataclass(frozen=True, slots=True)
class Interrupted:
    """The process waiting for the destination's answer died; whether the ticket exists
    is not known (found stalled in ``handing_off`` by ``Handoff.recover``)."""


@dataclass(frozen=True, slots=True)
class Reconciled:
    """A look-up after a lost answer: whether the ticket exists."""

    found: bool

    def __post_init__(self) -> None:
        _flag("Reconciled", "found", self.found)


Input = Start | Confirm | GiveEmail | Delivered | Rejected | Lost | Interrupted | Reconciled
"""Everything :func:`step` accepts."""


def _describe(event: Input) -> str:
    return type(event).__name__


_INPUTS = (Start, Confirm, GiveEmail, Delivered, Rejected, Lost, Interrupted, Reconciled)


def step(state: State | str, event: Input) -> tuple[State, Effect]:
    """The state after ``event`` and what to do; ``InvalidTransition`` when not accepted.

    ``state`` is a :class:`State` or its text (``"awaiting_email"``); another text is a
    ``ValidationError`` naming the states, anything else, or an ``event`` that is not
    one of the inputs, an ``ArgumentTypeError``."""
    if state.__class__ is not State:
        if not isinstance(state, str):
            raise ArgumentTypeError(
                f"step's state must be a handoff State, got {type(state).__name__}"
            )
        try:
            state = State(state)
        except ValueError:
            names = ", ".join(repr(s.value) for s in State)
            raise ValidationError(f"step's state must be one of {names}, got {state!r}") from None
    if not isinstance(event, _INPUTS):
        raise ArgumentTypeError(
            f"step's event must be one of the machine's inputs (Start, Confirm, GiveEmail,"
            f" Delivered, Rejected, Lost, Interrupted, Reconciled), got {type(event).__name__}"
        )
    match state, event:
        case State.REQUESTED, Start(method="send_message"):
            return State.MESSAGE_SHOWN, Effect.SHOW_MESSAGE
        case State.REQUESTED, Start(channel="webchat"):
            return State.AWAITING_CONFIRMATION, Effect.ASK_CONFIRMATION
        case State.REQUESTED, Start(identified=False):
            return State.AWAITING_EMAIL, Effect.ASK_EMAIL
        case State.REQUESTED, Start():
            return State.HANDING_OFF, Effect.SEND
        case State.AWAITING_CONFIRMATION, Confirm(yes=False):
            return State.DECLINED, Effect.AI_AGENT_CONTINUES
        case State.AWAITING_CONFIRMATION, Confirm(identified=False):
            return State.AWAITING_EMAIL, Effect.ASK_EMAIL
        case State.AWAITING_CONFIRMATION, Confirm():
            return State.HANDING_OFF, Effect.SEND
        case State.AWAITING_EMAIL, GiveEmail(valid=False):
            return State.AWAITING_EMAIL, Effect.ASK_EMAIL_AGAIN
        case State.AWAITING_EMAIL, GiveEmail():
            return State.HANDING_OFF, Effect.SEND
        case State.HANDING_OFF, Delivered():
            return State.HANDED_OFF, Effect.TELL_HANDED_OFF
        case State.HANDING_OFF, Rejected():
            return State.FAILED, Effect.TELL_FAILED
        case State.HANDING_OFF, Lost():
            return State.OUTCOME_UNKNOWN, Effect.TELL_PENDING
        case State.HANDING_OFF, Interrupted():
            return State.OUTCOME_UNKNOWN, Effect.TELL_PENDING
        case State.OUTCOME_UNKNOWN, Reconciled(found=True):
            return State.HANDED_OFF, Effect.TELL_HANDED_OFF
        case State.OUTCOME_UNKNOWN, Reconciled(found=False):
            return State.HANDING_OFF, Effect.SEND
    raise InvalidTransition(state.value, _describe(event))
