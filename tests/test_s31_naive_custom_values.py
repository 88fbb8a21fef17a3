"""A naive ``datetime`` in custom values (ticket fields, profile and event properties)
is refused at its field with the wording of a naive ``created_at``."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

import helpdesk_routing as hr
from helpdesk_routing.errors import NAIVE

NOW = datetime(2026, 3, 30, 12, tzinfo=UTC)
NAIVE_DT = datetime(2026, 3, 30, 12)


def _ticket(value: object) -> object:
    return hr.Ticket(id="t", channel="e", created_at=NOW, fields={"due": value})


def _profile(value: object) -> object:
    return hr.Profile(id="p", properties={"due": value})


def _event(value: object) -> object:
    return hr.Event(profile_id="p", metric="m", timestamp=NOW, properties={"due": value})


MAKERS: list[tuple[Callable[[object], object], str]] = [
    (_ticket, "$.fields"),
    (_profile, "$.properties"),
    (_event, "$.properties"),
]


@pytest.mark.parametrize(("make", "path"), MAKERS)
@pytest.mark.parametrize(
    ("value", "where"),
    [
        (NAIVE_DT, "due"),
        ([1, {"at": NAIVE_DT}], "due[1].at"),
        ({"{error}": NAIVE_DT}, "due.{error}"),
    ],
)
def test_a_naive_datetime_is_refused_at_its_field(
    make: Callable[[object], object], path: str, value: object, where: str
) -> None:
    with pytest.raises(hr.NaiveDatetimeError) as caught:
        make(value)
    err = caught.value
    assert isinstance(err, hr.ModelValidationError)
    [detail] = err.details
    assert detail.path == path
    assert detail.message == f"at {where}: {NAIVE}"
    assert detail.code == "storable_value"
    assert pickle.loads(pickle.dumps(err)).details == err.details


@pytest.mark.parametrize(("make", "path"), MAKERS)
def test_aware_datetimes_dates_and_naive_text_are_kept(
    make: Callable[[object], object], path: str
) -> None:
    for value in (
        NOW,
        NOW.astimezone(timezone(timedelta(hours=2))),
        date(2026, 3, 30),
        "2026-03-30T12:00:00",
    ):
        make(value)


def test_the_wording_is_that_of_a_naive_created_at() -> None:
    with pytest.raises(hr.NaiveDatetimeError) as caught:
        hr.Ticket(id="t", channel="e", created_at=NAIVE_DT)
    assert caught.value.details[0].message == NAIVE
