"""The eras a plan cuts at its first search are published whole: a search in another
thread never sees the eras without their start dates.

The plan stored the eras, then their start dates, in two steps. A search that ran
between them looked its day up in no start dates and took the last era: in a 24/7
week with a daily holiday from 2030 on, ``next_open`` in 2026 (open) answered
``None``, the empty era's answer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from helpdesk_routing import calendar as calendar_module
from helpdesk_routing.calendar import OfficeHours
from tests.test_s33_calendar_open_for_good import DAYS

FRIDAY = datetime(2026, 3, 27, 17, tzinfo=UTC)


def test_a_search_while_another_cuts_the_eras_answers_right(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hours = OfficeHours(
        timezone="UTC",
        weekly={day: [("00:00", "24:00")] for day in DAYS},
        recurring_holidays=["DTSTART:20300101\nRRULE:FREQ=DAILY"],
    )
    answers: list[datetime | None] = []
    original = calendar_module._Plan._cut_eras

    class Eras(tuple):  # type: ignore[type-arg]
        """The cut eras; the first time anyone walks through them, a search 'in another
        thread' runs (once) at that point of the cutting thread's work."""

        def __iter__(self) -> Iterator[Any]:
            if not answers:
                answers.append(None)
                answers.append(hours.next_open(FRIDAY, horizon=timedelta(days=10)))
            return super().__iter__()

    def cut(plan: Any) -> tuple[Any, ...]:
        return Eras(original(plan))

    monkeypatch.setattr(calendar_module._Plan, "_cut_eras", cut)
    assert hours.next_open(FRIDAY, horizon=timedelta(days=10)) == FRIDAY
    assert answers == [None, FRIDAY]
    assert hours.next_open(datetime(2030, 6, 1, tzinfo=UTC)) is None
