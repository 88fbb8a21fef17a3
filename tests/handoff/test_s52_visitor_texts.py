"""The visitor's messages and their texts, checked whatever they are given as.

- ``render(message, "")`` (or ``[]``, ``0``, ``False``) rendered the default text:
  ``texts or {}`` took an empty value for no texts, where ``check_texts`` refuses it; a
  pandas Series raised pandas' own ``ValueError`` (its truth value).
- A message changed unchecked (``model_copy``, ``model_construct``) with a key of no
  message, ``params`` of ``None`` or no key at all raised ``KeyError`` or
  ``AttributeError`` from ``render``.
- ``VisitorMessage.of(..., at=naive)`` wrote an instant with no zone, and an aware one
  kept its offset (an external destination's ``resumes_at`` at +05:30 was shown so),
  where the parameters are instants in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from helpdesk_routing import ArgumentTypeError, NaiveDatetimeError, ValidationError
from helpdesk_routing.handoff.messages import MessageKey, VisitorMessage, render

MESSAGE = VisitorMessage.of(MessageKey.NEXT_OPENING, at="2026-03-31T03:30:00+00:00")


@pytest.mark.parametrize("texts", ["", [], 0, False, ()])
def test_empty_texts_of_the_wrong_kind_are_refused(texts: object) -> None:
    with pytest.raises(ArgumentTypeError, match="texts must be a mapping"):
        render(MESSAGE, texts)  # type: ignore[arg-type]


def test_a_series_of_texts_is_refused_as_no_mapping() -> None:
    pd = pytest.importorskip("pandas")
    with pytest.raises(ArgumentTypeError, match="got Series"):
        render(MESSAGE, pd.Series({"next_opening": "back at {at}"}))


def test_no_texts_and_empty_texts_are_the_defaults() -> None:
    default = "Our team is away now; we will get back to you from 2026-03-31T03:30:00+00:00."
    assert render(MESSAGE) == render(MESSAGE, {}) == default


@pytest.mark.parametrize(
    "update", [{"key": "bogus"}, {"params": None}, {"params": {"at": 5}}, {"key": None}]
)
def test_a_changed_copy_is_checked(update: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        MESSAGE.model_copy(update=update)


@pytest.mark.parametrize(
    "fields",
    [
        {"params": {}},
        {"key": "bogus", "params": {}},
        {"key": MessageKey.NEXT_OPENING, "params": None},
        {"key": MessageKey.NEXT_OPENING},
    ],
)
def test_a_message_made_unchecked_is_refused_by_render(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match="invalid message"):
        render(VisitorMessage.model_construct(**fields))


def test_instants_are_written_in_utc() -> None:
    india = timezone(timedelta(hours=5, minutes=30))
    at = datetime(2026, 3, 31, 9, 0, tzinfo=india)
    message = VisitorMessage.of(MessageKey.NEXT_OPENING, at=at)
    assert message.params == {"at": "2026-03-31T03:30:00+00:00"}
    assert message == VisitorMessage.of(MessageKey.NEXT_OPENING, at=at.astimezone(UTC))
    with pytest.raises(NaiveDatetimeError, match="params\\['at'\\]"):
        VisitorMessage.of(MessageKey.NEXT_OPENING, at=datetime(2026, 3, 31, 9))
