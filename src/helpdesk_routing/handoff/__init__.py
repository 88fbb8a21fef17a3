"""Handing an AI-agent conversation to a helpdesk (semantics 6).

::

    from helpdesk_routing import handoff
    h = handoff.Handoff(settings=handoff.SendToHelpdesk(helpdesk="builtin"), router=router,
                        ledger=handoff.InMemoryLedger(), customer_data=data, clock=clock)
    step = h.request(conversation, reason="knowledge_gap")   # webchat: asks to confirm
    step = h.confirm(conversation.id, yes=True)              # not identified: asks an e-mail
    step = h.provide_email(conversation.id, "ann@example.com")  # handed off
    step.tell_visitor                                        # what to show, as data
    h.recover(older_than=timedelta(minutes=15))   # a periodic job: what dead processes left

The Zendesk and Gorgias connectors live in ``handoff.connectors`` (the ``connectors``
extra); ``SqliteLedger`` and ``PostgresLedger`` in :mod:`.sql_ledger`.
"""

from helpdesk_routing.handoff.builtin import BuiltinHelpdesk
from helpdesk_routing.handoff.conversation import Conversation, Message, is_valid_email
from helpdesk_routing.handoff.destination import Delivery, DeliveryRequest, Destination
from helpdesk_routing.handoff.errors import (
    AuthenticationFailed,
    DeliveryError,
    HandoffError,
    InvalidTransition,
    OtherDestination,
    OutcomeUnknown,
    RateLimited,
    ServiceRejected,
    UnknownHandoff,
    Unreachable,
)
from helpdesk_routing.handoff.ledger import InMemoryLedger, Ledger
from helpdesk_routing.handoff.machine import FINAL_STATES, Effect, State, step
from helpdesk_routing.handoff.messages import (
    DEFAULT_TEXTS,
    PLACEHOLDERS,
    MessageKey,
    VisitorMessage,
    check_texts,
    render,
)
from helpdesk_routing.handoff.records import HandoffRecord, TransitionEntry, handoff_id
from helpdesk_routing.handoff.service import Handoff, Step
from helpdesk_routing.handoff.settings import HandoffSettings, SendMessage, SendToHelpdesk
from helpdesk_routing.handoff.sql_ledger import PostgresLedger, SqliteLedger

__all__ = [
    "DEFAULT_TEXTS",
    "FINAL_STATES",
    "PLACEHOLDERS",
    "AuthenticationFailed",
    "BuiltinHelpdesk",
    "Conversation",
    "Delivery",
    "DeliveryError",
    "DeliveryRequest",
    "Destination",
    "Effect",
    "Handoff",
    "HandoffError",
    "HandoffRecord",
    "HandoffSettings",
    "InMemoryLedger",
    "InvalidTransition",
    "Ledger",
    "Message",
    "MessageKey",
    "OtherDestination",
    "OutcomeUnknown",
    "PostgresLedger",
    "RateLimited",
    "SendMessage",
    "SendToHelpdesk",
    "ServiceRejected",
    "SqliteLedger",
    "State",
    "Step",
    "TransitionEntry",
    "UnknownHandoff",
    "Unreachable",
    "VisitorMessage",
    "check_texts",
    "handoff_id",
    "is_valid_email",
    "render",
    "step",
]
