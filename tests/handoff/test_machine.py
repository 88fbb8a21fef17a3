"""The handoff state machine: every state against every input, and random sequences."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.errors import ArgumentTypeError, ValidationError
from helpdesk_routing.handoff.errors import InvalidTransition
from helpdesk_routing.handoff.machine import (
    FINAL_STATES,
    Confirm,
    Delivered,
    Effect,
    GiveEmail,
    Input,
    Interrupted,
    Lost,
    Reconciled,
    Rejected,
    Start,
    State,
    step,
)

S = State
E = Effect
ALL_INPUTS: list[Input] = [
    *(
        Start(method, channel, identified)
        for method in ("send_to_helpdesk", "send_message")
        for channel in ("webchat", "sms", "email")
        for identified in (True, False)
    ),
    *(Confirm(yes, identified) for yes in (True, False) for identified in (True, False)),
    GiveEmail(True),
    GiveEmail(False),
    Delivered(),
    Rejected(),
    Lost(),
    Interrupted(),
    Reconciled(True),
    Reconciled(False),
]

# The whole table: (state, input) -> (next state, effect); every other pair is refused.
EXPECTED: dict[tuple[State, Input], tuple[State, Effect]] = {}
for _channel in ("webchat", "sms", "email"):
    for _identified in (True, False):
        EXPECTED[S.REQUESTED, Start("send_message", _channel, _identified)] = (
            S.MESSAGE_SHOWN,
            E.SHOW_MESSAGE,
        )
        if _channel == "webchat":
            nxt = (S.AWAITING_CONFIRMATION, E.ASK_CONFIRMATION)
        elif _identified:
            nxt = (S.HANDING_OFF, E.SEND)
        else:
            nxt = (S.AWAITING_EMAIL, E.ASK_EMAIL)
        EXPECTED[S.REQUESTED, Start("send_to_helpdesk", _channel, _identified)] = nxt
for _identified in (True, False):
    EXPECTED[S.AWAITING_CONFIRMATION, Confirm(False, _identified)] = (
        S.DECLINED,
        E.AI_AGENT_CONTINUES,
    )
EXPECTED[S.AWAITING_CONFIRMATION, Confirm(True, True)] = (S.HANDING_OFF, E.SEND)
EXPECTED[S.AWAITING_CONFIRMATION, Confirm(True, False)] = (S.AWAITING_EMAIL, E.ASK_EMAIL)
EXPECTED[S.AWAITING_EMAIL, GiveEmail(True)] = (S.HANDING_OFF, E.SEND)
EXPECTED[S.AWAITING_EMAIL, GiveEmail(False)] = (S.AWAITING_EMAIL, E.ASK_EMAIL_AGAIN)
EXPECTED[S.HANDING_OFF, Delivered()] = (S.HANDED_OFF, E.TELL_HANDED_OFF)
EXPECTED[S.HANDING_OFF, Rejected()] = (S.FAILED, E.TELL_FAILED)
EXPECTED[S.HANDING_OFF, Lost()] = (S.OUTCOME_UNKNOWN, E.TELL_PENDING)
EXPECTED[S.HANDING_OFF, Interrupted()] = (S.OUTCOME_UNKNOWN, E.TELL_PENDING)
EXPECTED[S.OUTCOME_UNKNOWN, Reconciled(True)] = (S.HANDED_OFF, E.TELL_HANDED_OFF)
EXPECTED[S.OUTCOME_UNKNOWN, Reconciled(False)] = (S.HANDING_OFF, E.SEND)


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("event", ALL_INPUTS, ids=repr)
def test_every_state_and_input_follows_the_table(state: State, event: Input) -> None:
    """Each (state, input) pair gives the tabled transition, or is refused with the exact error."""
    expected = EXPECTED.get((state, event))
    if expected is None:
        with pytest.raises(
            InvalidTransition,
            match=f"^a handoff in state '{state.value}' does not accept {type(event).__name__}$",
        ):
            step(state, event)
    else:
        assert step(state, event) == expected


def test_final_states_accept_nothing() -> None:
    """No input leaves message_shown, declined, handed_off or failed."""
    for state in FINAL_STATES:
        for event in ALL_INPUTS:
            with pytest.raises(InvalidTransition):
                step(state, event)


@given(st.lists(st.sampled_from(ALL_INPUTS), max_size=40))
def test_random_sequences_keep_the_invariants(events: list[Input]) -> None:
    """Over any input sequence (refused inputs change nothing): the machine never leaves a
    final state, reaches handed_off at most once, and sends only from handing_off."""
    state = State.REQUESTED
    handed_off = 0
    sends = 0
    deliveries = 0
    for event in events:
        try:
            nxt, effect = step(state, event)
        except InvalidTransition:
            continue
        assert state not in FINAL_STATES
        if effect is Effect.SEND:
            assert nxt is State.HANDING_OFF
            sends += 1
        if isinstance(event, Delivered | Reconciled) and nxt is State.HANDED_OFF:
            deliveries += 1
        if nxt is State.HANDED_OFF:
            handed_off += 1
        state = nxt
    assert handed_off <= 1
    assert deliveries == handed_off
    # Every send after the first follows a look-up that found nothing, so at most one
    # ticket can exist whatever happened.
    not_found = sum(1 for e in events if e == Reconciled(False))
    assert sends <= 1 + not_found


@pytest.mark.parametrize("state", list(State), ids=str)
def test_a_state_given_as_its_text_steps_as_the_state(state: State) -> None:
    """``step("awaiting_email", ...)`` is ``step(State.AWAITING_EMAIL, ...)``, refusals
    included (a refused input is InvalidTransition, never an AttributeError)."""
    for event in ALL_INPUTS:
        try:
            expected: object = step(state, event)
        except InvalidTransition as exc:
            expected = str(exc)
        try:
            got: object = step(state.value, event)
        except InvalidTransition as exc:
            got = str(exc)
        assert got == expected


@pytest.mark.parametrize(
    ("state", "error", "match"),
    [
        ("nonsense", ValidationError, r"state must be one of 'requested', .*got 'nonsense'"),
        (None, ArgumentTypeError, r"state must be a handoff State, got NoneType"),
        (3, ArgumentTypeError, r"state must be a handoff State, got int"),
    ],
)
def test_a_state_that_is_none_of_the_states_is_refused(
    state: object, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        step(state, Delivered())  # type: ignore[arg-type]


def test_an_event_that_is_no_input_is_refused() -> None:
    with pytest.raises(ArgumentTypeError, match=r"event must be one of .*got str"):
        step(State.AWAITING_EMAIL, "ann@example.com")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "make",
    [
        lambda: Confirm(yes="no", identified=True),  # type: ignore[arg-type]
        lambda: Confirm(yes=True, identified=1),  # type: ignore[arg-type]
        lambda: GiveEmail(valid="yes"),  # type: ignore[arg-type]
        lambda: Reconciled(found=None),  # type: ignore[arg-type]
        lambda: Start(method="send_to_helpdesk", channel="sms", identified=0),  # type: ignore[arg-type]
        lambda: Start(method="send_to_helpdesk", channel=None, identified=True),  # type: ignore[arg-type]
    ],
    ids=["yes-text", "identified-int", "valid-text", "found-none", "start-int", "channel-none"],
)
def test_an_answer_that_is_not_a_bool_is_refused(make: object) -> None:
    """``Confirm(yes="no")`` was read as a yes: the inputs take only True or False."""
    with pytest.raises(ArgumentTypeError, match=r"must be (True or False|text), got "):
        make()  # type: ignore[operator]


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"Start.method must be .*got 'phone'"):
        Start(method="phone", channel="sms", identified=True)  # type: ignore[arg-type]
