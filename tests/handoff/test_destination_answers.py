"""A destination's answer is held to the contract of ``Delivery`` before the ledger
records it: a malformed answer is a lost one (the ticket may exist), recorded as
``outcome_unknown`` and raised as a ``ValidationError`` naming the destination, and the
ledger keeps reading every record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import helpdesk_routing as hr
from helpdesk_routing import handoff
from helpdesk_routing.handoff import Delivery
from helpdesk_routing.handoff.records import State

NOW = datetime(2026, 3, 30, 10, tzinfo=UTC)


class AnswersWith:
    """A destination a user wrote, answering ``answer`` to every delivery."""

    name = "mydesk"

    def __init__(self, answer: object) -> None:
        self.answer = answer

    def deliver(self, request: handoff.DeliveryRequest) -> object:
        return self.answer

    def find(self, handoff_id: str) -> str | None:
        return None


def _ledger(kind: str, tmp_path: Path) -> handoff.Ledger:
    if kind == "memory":
        return handoff.InMemoryLedger()
    return handoff.SqliteLedger(tmp_path / "ledger.db")


def _service(ledger: handoff.Ledger, answer: object) -> handoff.Handoff:
    return handoff.Handoff(
        settings=handoff.SendToHelpdesk(helpdesk="zendesk"),
        ledger=ledger,
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(NOW),
        destination=AnswersWith(answer),  # type: ignore[arg-type]
    )


CONVERSATION = handoff.Conversation(id="c1", channel="email", email="ann@example.com")

BAD = {
    "None": (None, "answered NoneType, not a Delivery"),
    "a dict": ({"ticket_id": "T-1"}, "answered dict, not a Delivery"),
    "an empty id": (Delivery(ticket_id="", continue_on="email"), "ticket_id ''"),
    "a blank id": (Delivery(ticket_id="  ", continue_on="email"), "ticket_id '  '"),
    "a NUL in the id": (Delivery(ticket_id="a\x00b", continue_on="email"), "ticket_id 'a\\x00b'"),
    "an id too long": (Delivery(ticket_id="7" * 256, continue_on="email"), "at most 255"),
    "a bool id": (Delivery(ticket_id=True, continue_on="email"), "ticket_id True"),  # type: ignore[arg-type]
    "an int id past what Python writes out": (
        Delivery(ticket_id=10**5000, continue_on="email"),  # type: ignore[arg-type]
        "ticket_id an int of more than 255 digits",
    ),
    "no channel": (Delivery(ticket_id="T-1", continue_on=""), "continue_on ''"),
    "a channel not text": (Delivery(ticket_id="T-1", continue_on=None), "continue_on None"),  # type: ignore[arg-type]
    "agent_available not a bool": (
        Delivery(ticket_id="T-1", continue_on="webchat", agent_available="yes"),  # type: ignore[arg-type]
        "agent_available 'yes'",
    ),
    "a naive resumes_at": (
        Delivery(ticket_id="T-1", continue_on="webchat", resumes_at=datetime(2026, 3, 31, 9)),
        "resumes_at",
    ),
}


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
@pytest.mark.parametrize("case", sorted(BAD))
def test_a_malformed_answer_is_recorded_as_lost_and_raised(
    case: str, kind: str, tmp_path: Path
) -> None:
    answer, says = BAD[case]
    ledger = _ledger(kind, tmp_path)
    service = _service(ledger, answer)
    with pytest.raises(hr.ValidationError) as raised:
        service.request(CONVERSATION, reason="knowledge_gap")
    assert str(raised.value).startswith("destination mydesk answered")
    assert says in str(raised.value)
    record = ledger.get(handoff.handoff_id("c1"))
    assert record.state is State.OUTCOME_UNKNOWN
    assert record.ticket_id is None
    assert record.detail["error"].startswith("destination mydesk answered")
    # the ledger reads on: the record, the listing around it, a repeated request
    assert [r.id for r in ledger.created_between(NOW, NOW + timedelta(seconds=1))] == [record.id]


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
@pytest.mark.parametrize(
    ("given", "kept"),
    [
        pytest.param(7, "7", id="int"),
        pytest.param(" T-9 ", "T-9", id="spaced"),
        pytest.param("T-1", "T-1", id="text"),
        pytest.param(10**254, "1" + "0" * 254, id="255-digits"),
    ],
)
def test_a_ticket_id_is_kept_as_text_as_the_connectors_keep_it(
    given: object, kept: str, kind: str, tmp_path: Path
) -> None:
    ledger = _ledger(kind, tmp_path)
    answer = Delivery(ticket_id=given, continue_on="email")  # type: ignore[arg-type]
    step = _service(ledger, answer).request(CONVERSATION, reason="knowledge_gap")
    assert step.state is State.HANDED_OFF
    assert step.ticket_id == kept
    assert ledger.get(handoff.handoff_id("c1")).ticket_id == kept
    # and the same request again reads the record back
    again = _service(ledger, answer).request(CONVERSATION, reason="knowledge_gap")
    assert again.ticket_id == kept


class LostThenFinds:
    """A destination whose answer was lost, and whose look-up answers ``found``."""

    name = "mydesk"

    def __init__(self, found: object) -> None:
        self.found = found

    def deliver(self, request: handoff.DeliveryRequest) -> object:
        raise handoff.OutcomeUnknown(self.name, "answer lost")

    def find(self, handoff_id: str) -> object:
        return self.found


def _lost_then_finds(ledger: handoff.Ledger, found: object) -> tuple[handoff.Handoff, str]:
    service = handoff.Handoff(
        settings=handoff.SendToHelpdesk(helpdesk="zendesk"),
        ledger=ledger,
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(NOW),
        destination=LostThenFinds(found),  # type: ignore[arg-type]
    )
    step = service.request(CONVERSATION)
    assert step.state is State.OUTCOME_UNKNOWN
    return service, step.handoff_id


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
@pytest.mark.parametrize(("found", "kept"), [(7, "7"), (" T-1 ", "T-1"), ("T-1", "T-1")])
def test_a_found_ticket_id_is_read_as_a_delivered_one(
    kind: str, tmp_path: Path, found: object, kept: str
) -> None:
    """``find`` answering ``7`` was recorded as the int 7, and the SQL ledger could not
    read the record back (``$.ticket_id: Input should be a valid string``)."""
    ledger = _ledger(kind, tmp_path)
    service, hid = _lost_then_finds(ledger, found)
    step = service.reconcile(hid)
    assert (step.state, step.ticket_id) == (State.HANDED_OFF, kept)
    record = ledger.get(hid)
    assert record is not None
    assert record.ticket_id == kept


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
@pytest.mark.parametrize(
    "found",
    ["", "  ", "7\x00", True, 2.5, "7" * 256, pytest.param(10**5000, id="int-of-5001-digits")],
)
def test_a_found_answer_that_is_no_ticket_id_is_refused_and_changes_nothing(
    kind: str, tmp_path: Path, found: object
) -> None:
    ledger = _ledger(kind, tmp_path)
    service, hid = _lost_then_finds(ledger, found)
    before = ledger.get(hid)
    with pytest.raises(hr.ValidationError, match=r"^destination mydesk found ticket_id "):
        service.reconcile(hid)
    assert ledger.get(hid) == before


class RaisesWith:
    """A destination raising ``error`` from every delivery."""

    name = "mydesk"

    def __init__(self, error: Exception) -> None:
        self.error = error

    def deliver(self, request: handoff.DeliveryRequest) -> object:
        raise self.error

    def find(self, handoff_id: str) -> None:
        return None


def _raising(ledger: handoff.Ledger, error: Exception) -> handoff.Handoff:
    """A service whose destination raises ``error`` from every delivery."""
    return handoff.Handoff(
        settings=handoff.SendToHelpdesk(helpdesk="zendesk"),
        ledger=ledger,
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(NOW),
        destination=RaisesWith(error),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
@pytest.mark.parametrize(
    ("error", "state"),
    [
        (handoff.DeliveryError("mydesk", "refused \udcff"), State.FAILED),
        (RuntimeError("database said \udcff"), State.OUTCOME_UNKNOWN),
    ],
)
def test_an_error_message_holding_a_lone_surrogate_is_recorded_escaped(
    kind: str, tmp_path: Path, error: Exception, state: State
) -> None:
    """The SQL ledgers could not write the message (``PydanticSerializationError``) and
    the handoff stayed ``handing_off``; the in-memory ledger kept it."""
    ledger = _ledger(kind, tmp_path)
    service = _raising(ledger, error)
    if state is State.FAILED:
        assert service.request(CONVERSATION).state is state
    else:
        with pytest.raises(RuntimeError):
            service.request(CONVERSATION)
    record = ledger.for_conversation("c1")
    assert record is not None
    assert record.state is state
    assert record.detail["error"].endswith("\\udcff")


def test_recover_older_than_the_calendar_finds_nothing() -> None:
    """``older_than`` reaching before the year 1 raised a bare ``OverflowError``."""
    service = _service(handoff.InMemoryLedger(), Delivery(ticket_id="T-1", continue_on="email"))
    assert service.recover(timedelta.max) == []
    assert service.recover(timedelta(days=740_000)) == []


class _Unwritable(Exception):
    """An error whose message cannot be written out (``str`` fails)."""

    def __str__(self) -> str:
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_an_error_whose_message_cannot_be_written_is_still_recorded(
    kind: str, tmp_path: Path
) -> None:
    """The handoff is recorded a lost answer whatever the destination raised, and the
    error comes out as itself (building ``detail["error"]`` raised instead, and the
    handoff stayed ``handing_off``)."""
    ledger = _ledger(kind, tmp_path)
    service = _raising(ledger, _Unwritable())
    with pytest.raises(_Unwritable):
        service.request(CONVERSATION)
    record = ledger.for_conversation("c1")
    assert record is not None
    assert record.state is State.OUTCOME_UNKNOWN
    assert "could not be written out" in record.detail["error"]


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_nul_in_an_error_message_is_recorded_escaped(kind: str, tmp_path: Path) -> None:
    """PostgreSQL's jsonb holds no NUL: an error message holding one is kept escaped,
    as a lone surrogate is, so every ledger records the handoff."""
    ledger = _ledger(kind, tmp_path)
    service = _raising(ledger, RuntimeError("driver said \x00"))
    with pytest.raises(RuntimeError):
        service.request(CONVERSATION)
    record = ledger.for_conversation("c1")
    assert record is not None
    assert record.state is State.OUTCOME_UNKNOWN
    assert record.detail["error"].endswith("driver said \\x00")


@pytest.mark.parametrize(
    "error",
    [
        handoff.ServiceRejected("mydesk", 422, {"body": "y" * 3000}),
        handoff.DeliveryError("mydesk", "x" * 5000),
        RuntimeError("z" * 5000),
    ],
    ids=["rejected", "delivery_error", "unexpected"],
)
def test_a_long_error_is_kept_in_2000_characters_with_its_tail(error: Exception) -> None:
    """docs/handoff.md: the error kept in detail["error"] and the why is at most 2,000
    characters, cut the same way for every error: a DeliveryError was 2,033 characters
    (the tail added past the bound) and an unexpected error's why 2,049."""
    at = datetime(2026, 3, 30, 10, tzinfo=UTC)
    h = handoff.Handoff(
        settings=handoff.SendToHelpdesk(helpdesk="gorgias"),
        destination=RaisesWith(error),  # type: ignore[arg-type]
        ledger=handoff.InMemoryLedger(),
        clock=hr.ManualClock(at),
    )
    try:
        h.request(handoff.Conversation(id="c1", channel="sms", email="a@b.co"))
    except RuntimeError:
        assert isinstance(error, RuntimeError)  # an unexpected error goes on up
    record = h.get(handoff.handoff_id("c1"))
    kept, why = record.detail["error"], record.transitions[-1].why
    assert len(kept) == len(why) == 2000
    assert kept.endswith(" characters in all)")
    assert why.endswith(" characters in all)")
    if isinstance(error, RuntimeError):
        assert why.startswith("delivery raised RuntimeError: zzz")
        assert kept.startswith("RuntimeError: zzz")
