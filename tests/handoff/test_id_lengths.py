"""A conversation's id is an id: at most MAX_ID_LENGTH characters, so the ledger (which
keys handoffs by it) and the escalation event's unique id (built from it) fit every
store's index."""

from __future__ import annotations

import pytest

from helpdesk_routing import events, handoff
from helpdesk_routing.errors import ValidationError
from helpdesk_routing.model import MAX_ID_LENGTH, MAX_UNIQUE_ID_LENGTH


def test_a_conversation_id_longer_than_an_id_is_refused_by_name() -> None:
    handoff.Conversation(id="c" * MAX_ID_LENGTH, channel="webchat")
    with pytest.raises(ValidationError, match=r"\$\.id: String should have at most 255"):
        handoff.Conversation(id="c" * (MAX_ID_LENGTH + 1), channel="webchat")


@pytest.mark.parametrize(
    "kind", [events.ConversationStarted, events.ConversationEscalated, events.ConversationResolved]
)
def test_the_longest_conversation_id_makes_a_unique_id_every_store_keeps(kind: type) -> None:
    fields = {"conversation_id": "c" * MAX_ID_LENGTH, "channel": "webchat"}
    if kind is events.ConversationEscalated:
        fields |= {"tag": "refund", "reason": "knowledge_gap"}
    event = kind(**fields)
    assert len(event.unique_id) <= MAX_UNIQUE_ID_LENGTH
    with pytest.raises(ValidationError, match=r"\$\.conversation_id: String should have"):
        kind(**{**fields, "conversation_id": "c" * (MAX_ID_LENGTH + 1)})
