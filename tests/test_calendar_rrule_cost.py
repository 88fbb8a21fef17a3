"""What a recurring rule costs: text refused by its reading is refused before any expansion,
and an accepted rule costs a bounded walk when checked and about a year per year asked,
whatever its COUNT, and whether or not (or however rarely) it names a date."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from dateutil import rrule as dateutil_rrule
from pydantic_core import PydanticCustomError

from helpdesk_routing import _recurrence
from helpdesk_routing._recurrence import _parse, _parts_of, _year, check_rule
from helpdesk_routing.calendar import OfficeHours
from helpdesk_routing.errors import RoutingError

A_YEAR = 3 * 366 + 14
"""The most days (periods of a daily rule) one year's expansion may walk: the year, the
periods reaching into it from before, and one past it."""
A_CYCLE = 146097 + 2 * A_YEAR
"""The most a COUNT may cost when checked: one walk of the calendar's 400 years of days
(or of a daily rule's 400 x INTERVAL years, one day in INTERVAL), from DTSTART's year."""


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    """Each rule read, split and expanded anew (the module remembers them by text)."""
    for cached in (_parse, _parts_of, _year):
        cached.cache_clear()
    yield
    for cached in (_parse, _parts_of, _year):
        cached.cache_clear()


@pytest.fixture
def periods_walked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A counter of the periods (years, months, weeks, days) dateutil's iteration visits."""
    walked = [0]
    info = dateutil_rrule._iterinfo  # type: ignore[attr-defined]
    for name in ("ydayset", "mdayset", "wdayset", "ddayset"):
        method: Callable[..., Any] = getattr(info, name)

        def counted(*args: Any, _method: Callable[..., Any] = method) -> Any:
            walked[0] += 1
            return _method(*args)

        monkeypatch.setattr(info, name, counted)
    return walked


HOSTILE = [
    "FREQ=SECONDLY",
    "FREQ=MINUTELY",
    "FREQ=MINUTELY;COUNT=1000000000",
    "FREQ=HOURLY;INTERVAL=1",
    "RRULE:FREQ=DAILY\nEXRULE:FREQ=SECONDLY",
    "DTSTART:20260101\nRRULE:FREQ=SECONDLY;COUNT=1000000000",
    "freq=secondly",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_rule_finer_than_days_is_refused_before_any_expansion(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FREQ=SECONDLY (in an RRULE or an EXRULE) is refused from its text: it was expanded
    for a year first, for minutes, and ended in a raw MemoryError."""

    def no_expansion(*args: object) -> None:
        raise AssertionError("expanded before the frequency was checked")

    monkeypatch.setattr(_recurrence, "_year", no_expansion)
    for stored in (False, True):
        with pytest.raises(PydanticCustomError, match="repeats DAILY, WEEKLY, MONTHLY or YEARLY"):
            check_rule(text, stored=stored)
    with pytest.raises(RoutingError, match=r"recurring_holidays\[0\]: a recurring date repeats"):
        OfficeHours(timezone="UTC", weekly={}, recurring_holidays=[text])


@pytest.mark.parametrize(
    "text",
    [
        "DTSTART:20260102T000000Z\nRRULE:FREQ=SECONDLY",
        "FREQ=SECONDLY;BYMONTH=13",
        "FREQ=SECONDLY;BYHOUR=9",
        "DTSTART;TZID=Europe/Paris:20260102T000000\nRRULE:FREQ=SECONDLY",
        "FREQ=SECONDLY;;COUNT=5",
        "EXRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",  # an EXRULE alone
    ],
)
def test_every_refusal_read_from_the_text_comes_before_any_expansion(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A zone, a part out of range, a time part, a TZID, a broken part, an EXRULE alone:
    refused unexpanded."""

    def no_expansion(*args: object) -> None:
        raise AssertionError("expanded before the text was checked")

    monkeypatch.setattr(_recurrence, "_year", no_expansion)
    with pytest.raises(PydanticCustomError):
        check_rule(text)
