"""The visitor's e-mail looked up in the customer data before a delivery: an answer the
port's contract does not allow is named (it raised Python's ``AttributeError``), and a
failure there is told as the customer data's, before anything was sent."""

from __future__ import annotations

import pytest

from helpdesk_routing.errors import ValidationError
from helpdesk_routing.handoff import Handoff, InMemoryLedger, SendToHelpdesk, State
from helpdesk_routing.model import Profile
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.handoff.conftest import Desk, conversation


class Odd(InMemoryCustomerData):
    """Customer data answering ``answer`` for every profile (or raising it)."""

    answer: object = None

    def profile(self, profile_id: str) -> Profile | None:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("answer", "error", "said"),
    [
        (
            Profile.model_construct(id="p1", properties=["x"], segments=frozenset()),
            ValidationError,
            "invalid customer data Odd.profile('p1')",
        ),
        ({"id": "p1"}, ValidationError, "Odd.profile('p1') returned dict, not a Profile"),
        (ConnectionError("customer database unreachable"), ConnectionError, "unreachable"),
    ],
    ids=["constructed", "dict", "down"],
)
def test_a_failing_e_mail_look_up_is_named_and_recorded(
    desk: Desk, answer: object, error: type[Exception], said: str
) -> None:
    data = Odd()
    data.answer = answer
    ledger = InMemoryLedger()
    h = Handoff(
        settings=SendToHelpdesk(helpdesk="builtin"),
        router=desk.router,
        ledger=ledger,
        customer_data=data,
        clock=desk.clock,
    )
    with pytest.raises(error, match=said.replace("(", r"\(").replace(")", r"\)")):
        h.request(conversation(channel="email", profile_id="p1"))
    record = ledger.for_conversation("c1")
    assert record is not None
    assert record.state is State.OUTCOME_UNKNOWN
    assert record.transitions[-1].why.startswith("the customer data failed before sending: ")
    assert desk.router.views.all_tickets().ids == []  # nothing was sent
