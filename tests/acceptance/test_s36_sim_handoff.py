"""Acceptance probes of ``helpdesk_routing.handoff`` written from the documents
(semantics 6, docs/handoff.md, docs/errors.md): an argument of the wrong kind is an
``hr.ArgumentTypeError`` (a ``TypeError`` and an ``hr.ValidationError``), the handoff
left as it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import helpdesk_routing as hr
from helpdesk_routing import handoff
from helpdesk_routing._stored import STORED

NOW = datetime(2026, 3, 30, 10, tzinfo=UTC)  # a Monday


def _handoff(
    data: hr.InMemoryCustomerData | None = None,
) -> tuple[handoff.Handoff, handoff.InMemoryLedger]:
    clock = hr.ManualClock(NOW)
    data = hr.InMemoryCustomerData() if data is None else data
    router = hr.Router(
        rules=hr.RuleSet(rules=[]),
        teams=[],
        store=hr.InMemoryStore(agents=[hr.Agent(id="a1")]),
        customer_data=data,
        clock=clock,
    )
    ledger = handoff.InMemoryLedger()
    h = handoff.Handoff(
        settings=handoff.SendToHelpdesk(helpdesk="builtin"),
        router=router,
        ledger=ledger,
        customer_data=data,
        clock=clock,
    )
    return h, ledger


@pytest.mark.parametrize("answer", ["yes", 1, None, "no"])
def test_confirm_with_an_answer_that_is_no_bool_is_a_type_error(answer: object) -> None:
    """``confirm``'s ``yes`` is a bool; anything else is an ``ArgumentTypeError`` naming
    ``yes``, and the handoff still waits for the visitor's answer."""
    h, ledger = _handoff()
    step = h.request(handoff.Conversation(id="c1", channel="webchat"), reason="knowledge_gap")
    with pytest.raises(hr.ArgumentTypeError, match=r"^yes must be a bool, got "):
        h.confirm("c1", yes=answer)  # type: ignore[arg-type]
    record = ledger.get(step.handoff_id)
    assert record is not None
    assert record.state is handoff.State.AWAITING_CONFIRMATION


@pytest.mark.parametrize("address", [None, 5, ["ann@example.com"], b"ann@example.com"])
def test_provide_email_with_no_text_is_a_type_error(address: object) -> None:
    """``provide_email`` takes text; anything else is an ``ArgumentTypeError`` naming
    ``email``, and the handoff still waits for an address."""
    h, ledger = _handoff()
    step = h.request(handoff.Conversation(id="c1", channel="sms"), reason="knowledge_gap")
    assert step.state is handoff.State.AWAITING_EMAIL
    with pytest.raises(hr.ArgumentTypeError, match=r"^email must be text, got "):
        h.provide_email("c1", address)  # type: ignore[arg-type]
    record = ledger.get(step.handoff_id)
    assert record is not None
    assert record.state is handoff.State.AWAITING_EMAIL


@pytest.mark.parametrize("age", [15, 900.0, "15 minutes", None])
def test_recover_with_an_age_that_is_no_timedelta_is_a_type_error(age: object) -> None:
    """``recover``'s ``older_than`` is a ``timedelta``: a number of minutes or text is an
    ``ArgumentTypeError`` naming it (a wrong value, not positive, stays a plain
    ``ValidationError``)."""
    h, _ = _handoff()
    with pytest.raises(hr.ArgumentTypeError, match=r"^older_than must be a timedelta, got "):
        list(h.recover(older_than=age))  # type: ignore[arg-type]
    with pytest.raises(hr.ValidationError, match=r"^older_than must be positive") as error:
        list(h.recover(older_than=timedelta(0)))
    assert not isinstance(error.value, TypeError)


@pytest.mark.parametrize("limit", ["10", 2.0, True])
def test_recover_with_a_limit_that_is_no_int_is_a_type_error(limit: object) -> None:
    """``limit`` is ``None`` or an ``int``: another kind is an ``ArgumentTypeError`` (still
    the ``ValueError`` the docs name); 0 is a ``ValidationError`` alone."""
    h, _ = _handoff()
    with pytest.raises(hr.ArgumentTypeError, match=r"^limit must be a positive int or None"):
        list(h.recover(older_than=timedelta(minutes=15), limit=limit))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^limit must be a positive int or None") as error:
        list(h.recover(older_than=timedelta(minutes=15), limit=0))
    assert not isinstance(error.value, TypeError)


def test_host_texts_that_are_no_text_are_a_type_error() -> None:
    """A host's text for a key must be a template string: another kind is an
    ``ArgumentTypeError`` naming the key."""
    with pytest.raises(hr.ArgumentTypeError, match=r"^texts\[ask_email\] must be text, got "):
        handoff.check_texts({handoff.MessageKey.ASK_EMAIL: 5})  # type: ignore[dict-item]


@pytest.mark.parametrize("texts", [["ask_email"], "ask_email", None])
def test_host_texts_that_are_no_mapping_are_a_type_error(texts: object) -> None:
    """The host's texts are a mapping of keys to templates: a list, text or ``None`` is an
    ``ArgumentTypeError`` naming ``texts``."""
    with pytest.raises(hr.ArgumentTypeError, match=r"^texts must be a mapping of message keys"):
        handoff.check_texts(texts)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"channel": "x" * 256, "email": "ann@example.com"}, "$.channel"),
        ({"channel": "email", "profile_id": "p" * 256}, "$.profile_id"),
    ],
)
def test_a_conversation_whose_channel_or_profile_id_no_ticket_or_event_takes_is_refused(
    fields: dict[str, str], path: str
) -> None:
    """A channel or profile id is an id (at most 255 characters, as a ticket's channel
    and an event's profile id): a longer one is refused when the conversation is made,
    at its path, not by a handoff ending ``failed`` or an Escalated event never recorded."""
    with pytest.raises(hr.ValidationError, match=r"at most 255 characters") as error:
        handoff.Conversation(id="c1", **fields)  # type: ignore[arg-type]
    assert [e["path"] for e in error.value.errors()] == [path]


def test_a_conversation_with_the_longest_ids_is_handed_off_and_its_event_recorded() -> None:
    """At the bound (255 characters) the channel and profile id go through: the built-in
    helpdesk routes the ticket and the Escalated event is on the visitor's profile."""
    data = hr.InMemoryCustomerData()
    h, _ = _handoff(data)
    conversation = handoff.Conversation(id="c1", channel="c" * 255, profile_id="p" * 255)
    step = h.request(conversation, reason="knowledge_gap")
    assert step.state is handoff.State.HANDED_OFF
    escalated = data.events_between(NOW, NOW + timedelta(seconds=1))
    assert [e.profile_id for e in escalated] == ["p" * 255]


@pytest.mark.parametrize("given", [None, 5, b"ann@example.com", ["ann@example.com"]])
def test_is_valid_email_of_no_text_is_a_type_error(given: object) -> None:
    """``handoff.is_valid_email`` takes text: anything else is an ``ArgumentTypeError``
    naming the function (it was Python's bare ``TypeError`` from ``len``)."""
    with pytest.raises(hr.ArgumentTypeError, match=r"^is_valid_email takes text, got "):
        handoff.is_valid_email(given)  # type: ignore[arg-type]


def test_a_stored_conversation_with_a_longer_channel_still_reads_back() -> None:
    """The bound is an input rule: a ledger's record written before it (a channel and
    profile id of 300 characters) reads back as it was."""
    old = handoff.Conversation.model_construct(
        id="c1", channel="x" * 300, transcript=(), email=None, profile_id="p" * 300, skills=()
    )
    back = handoff.Conversation.model_validate_json(old.model_dump_json(), context=STORED)
    assert (back.channel, back.profile_id) == ("x" * 300, "p" * 300)


@pytest.mark.parametrize("clock", [NOW, datetime(2026, 3, 30, 10), datetime], ids=repr)
def test_an_instant_is_no_clock_for_the_handoff(clock: object) -> None:
    """A datetime has a callable ``now`` (the host's local time, naive): given as the
    handoff's clock, it is refused when the handoff is made, as ``Router`` refuses it,
    not at the first request as a naive clock reading."""
    router = hr.Router(
        store=hr.InMemoryStore(agents=[hr.Agent(id="a1")]),
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(NOW),
    )
    with pytest.raises(hr.ArgumentTypeError, match="a fixed instant is ManualClock"):
        handoff.Handoff(
            settings=handoff.SendToHelpdesk(helpdesk="builtin"),
            router=router,
            ledger=handoff.InMemoryLedger(),
            customer_data=hr.InMemoryCustomerData(),
            clock=clock,  # type: ignore[arg-type]
        )
