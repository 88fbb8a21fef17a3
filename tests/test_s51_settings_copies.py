"""The handoff's settings, a conversation and its messages, and an office-hours
recurring exception check their changed copies like the other input models:
``SendToHelpdesk(...).model_copy(update={"helpdesk": "nope"})`` was taken, and a
``Handoff`` given it wrote "nope" as every record's destination. A ``Handoff`` checks
settings made unchecked again; an ``OfficeHours`` names a bad recurring exception's
field ("not enough values to unpack" at ``$.recurring_exceptions`` before)."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime
from typing import Any

import pydantic
import pytest

import helpdesk_routing as hr
from helpdesk_routing.errors import ModelValidationError
from helpdesk_routing.handoff import (
    Conversation,
    Handoff,
    InMemoryLedger,
    Message,
    SendMessage,
    SendToHelpdesk,
)

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
HOURS = hr.OfficeHours(
    timezone="Europe/Amsterdam",
    weekly={"mon": [["09:00", "12:00"]]},
    recurring_exceptions=[{"rule": "FREQ=WEEKLY;BYDAY=FR", "windows": [["10:00", "11:00"]]}],
)


def _plain_copy(model: pydantic.BaseModel, **update: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pydantic.BaseModel.model_copy(model, update=update)


@pytest.mark.parametrize(
    ("model", "update", "path"),
    [
        (SendToHelpdesk(helpdesk="builtin"), {"helpdesk": "nope"}, "$.helpdesk"),
        (SendToHelpdesk(helpdesk="builtin"), {"tags": [""]}, "$.tags[0]"),
        (SendMessage(text="Write to us"), {"text": 5}, "$.text"),
        (HOURS.recurring_exceptions[0], {"windows": "lots"}, "$.windows"),
        (HOURS.recurring_exceptions[0], {"rule": "FREQ=SOMETIMES"}, "$.rule"),
        (Message(sender="visitor", text="hi", at=AT), {"sender": "bot"}, "$.sender"),
        (Conversation(id="c1", channel="sms"), {"channel": ""}, "$.channel"),
    ],
)
def test_a_changed_copy_is_checked(model: Any, update: dict[str, Any], path: str) -> None:
    with pytest.raises(ModelValidationError) as caught:
        model.model_copy(update=update)
    assert [d.path for d in caught.value.details] == [path]


def test_a_handoff_checks_settings_made_unchecked() -> None:
    bad = _plain_copy(SendToHelpdesk(helpdesk="builtin"), helpdesk="nope")
    with pytest.raises(ModelValidationError) as caught:
        Handoff(
            settings=bad,
            ledger=InMemoryLedger(),
            clock=hr.ManualClock(AT),
            destination=object(),  # type: ignore[arg-type]
        )
    assert [d.path for d in caught.value.details] == ["$.helpdesk"]


def test_office_hours_name_a_bad_recurring_exception_s_field() -> None:
    bad = _plain_copy(HOURS.recurring_exceptions[0], windows="lots")
    with pytest.raises(ModelValidationError) as caught:
        HOURS.model_copy(update={"recurring_exceptions": [bad]})
    assert [d.path for d in caught.value.details] == ["$.recurring_exceptions[0].windows"]


def test_valid_copies_pass() -> None:
    settings = SendToHelpdesk(helpdesk="builtin").model_copy(update={"helpdesk": "zendesk"})
    assert settings.helpdesk == "zendesk"
    rx = HOURS.recurring_exceptions[0].model_copy(update={"windows": []})
    assert rx.windows == ()
    assert HOURS.model_copy(update={"recurring_exceptions": [rx]}).recurring_exceptions == (rx,)
