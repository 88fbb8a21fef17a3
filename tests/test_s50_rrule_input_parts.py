"""RRULE parts a rule given as input may not hold, though a stored one reads back: a
BYSETPOS with no other BY part (RFC 5545 3.3.10 forbids it; it was taken), and a value
listed twice in one part (`BYSETPOS=1,1,...`: a 16 KB rule took 4 s to read and 10 s
for its first look-up, each value passed over again in every period)."""

from __future__ import annotations

import pytest
from pydantic_core import PydanticCustomError

from helpdesk_routing._recurrence import check_rule
from helpdesk_routing.calendar import OfficeHours
from helpdesk_routing.errors import ValidationError


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("FREQ=DAILY;BYSETPOS=1", "BYSETPOS picks among the dates another BY part names"),
        ("FREQ=YEARLY;BYSETPOS=-1", "BYSETPOS picks among the dates another BY part names"),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1,+1", "BYSETPOS lists '+1' twice"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,01", "BYMONTHDAY lists '01' twice"),
        ("FREQ=YEARLY;BYMONTH=1;BYDAY=1MO,+1mo", "BYDAY lists '+1MO' twice"),
        ("FREQ=YEARLY;BYMONTH=3,4,3;BYMONTHDAY=1", "BYMONTH lists '3' twice"),
        ("FREQ=DAILY;BYMONTH=1;BYSETPOS=" + ",".join(["1"] * 4000), "BYSETPOS lists '1' twice"),
    ],
)
def test_an_input_rule_is_refused_before_it_is_expanded(
    text: str, said: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from helpdesk_routing import _recurrence

    def no_expansion(*args: object) -> None:
        raise AssertionError("expanded before the text was checked")

    monkeypatch.setattr(_recurrence, "_year", no_expansion)
    with pytest.raises(PydanticCustomError) as caught:
        check_rule(text)
    assert str(caught.value).startswith(said)


@pytest.mark.parametrize(
    "text",
    [
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        "FREQ=YEARLY;BYMONTH=1;BYDAY=MO,1MO",  # every Monday and the first: not one value
        "FREQ=YEARLY;BYEASTER=-2,1",
    ],
)
def test_rules_with_distinct_values_and_something_to_pick_among_are_taken(text: str) -> None:
    assert check_rule(text) == text


def test_a_stored_rule_reads_back_as_it_was_written() -> None:
    text = "FREQ=DAILY;BYSETPOS=1,1"
    assert check_rule(text, stored=True) == text


def test_office_hours_name_the_holiday_that_holds_it() -> None:
    with pytest.raises(ValidationError) as caught:
        OfficeHours(
            timezone="UTC",
            weekly={"mon": [("09:00", "17:00")]},
            recurring_holidays=["FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25", "FREQ=DAILY;BYSETPOS=1"],
        )
    [detail] = caught.value.details
    assert detail.path == "$.recurring_holidays[1]"
