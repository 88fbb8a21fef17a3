"""A ``null`` where a transcript's message belongs is refused at its index, as any other
value that is no message: it was taken as a message validation had made (missing from
that registry, ``None`` is what a look-up answers), then ``request`` raised
``AttributeError`` after writing its record, and a SQLite ledger stored the null."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk_routing.errors import ModelValidationError
from helpdesk_routing.handoff import Conversation, Handoff, Ledger, Message, SendToHelpdesk
from tests.handoff.conftest import Desk, LedgerFactory

DATA: dict[str, Any] = {
    "id": "c1",
    "channel": "email",
    "email": "ann@example.com",
    "transcript": [
        {"sender": "visitor", "text": "hi", "at": "2026-03-30T09:58:00Z"},
        None,
    ],
}


def test_a_message_is_never_none() -> None:
    with pytest.raises(ModelValidationError) as info:
        Message.model_validate(None)
    assert [d.path for d in info.value.details] == ["$"]


def test_a_null_message_is_refused_at_its_index() -> None:
    with pytest.raises(ModelValidationError) as info:
        Conversation.model_validate(DATA)
    assert [d.path for d in info.value.details] == ["$.transcript[1]"]
    with pytest.raises(ModelValidationError):
        Conversation(id="c1", channel="email", transcript=[None])  # type: ignore[list-item]


def test_request_refuses_it_and_stores_nothing(desk: Desk, ledgers: LedgerFactory) -> None:
    ledger: Ledger = ledgers()
    handoff = Handoff(
        settings=SendToHelpdesk(helpdesk="builtin"),
        router=desk.router,
        ledger=ledger,
        customer_data=desk.data,
        clock=desk.clock,
    )
    with pytest.raises(ModelValidationError) as info:
        handoff.request(DATA, reason="knowledge_gap")
    assert [d.path for d in info.value.details] == ["$.transcript[1]"]
    assert ledger.for_conversation("c1") is None
