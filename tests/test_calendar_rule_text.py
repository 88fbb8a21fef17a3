"""Office hours: the text of a recurring rule names local dates (no zone on its dates, an
RRULE to fire)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from helpdesk_routing.calendar import OfficeHours
from helpdesk_routing.errors import ValidationError

ALL_WEEK = {d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def _problems(data: object) -> list[tuple[str, str]]:
    """The (path, message) pairs from_dict reports for ``data``."""
    with pytest.raises(ValidationError) as caught:
        OfficeHours.from_dict(data)
    return [(d.path, d.message) for d in caught.value.details]


@pytest.mark.parametrize(
    ("rule", "named"),
    [
        ("DTSTART:20260102T230000Z\nRRULE:FREQ=YEARLY", "DTSTART 20260102T230000Z"),
        ("dtstart:20260102t230000z\nrrule:freq=yearly", "DTSTART 20260102T230000Z"),
        ("DTSTART:20260102T230000+0100\nRRULE:FREQ=YEARLY", "DTSTART 20260102T230000+0100"),
        (
            "DTSTART:2026-01-02T23:00:00-05:00\nRRULE:FREQ=YEARLY",
            "DTSTART 2026-01-02T23:00:00-05:00",
        ),
        ("DTSTART:20260102T230000EST\nRRULE:FREQ=YEARLY", "DTSTART 20260102T230000EST"),
        ("FREQ=DAILY;UNTIL=20260110T000000Z", "UNTIL 20260110T000000Z"),
        ("RRULE:FREQ=YEARLY\nRDATE:20260704,20260705T230000Z", "RDATE 20260705T230000Z"),
        ("RRULE:FREQ=DAILY\nEXDATE:20260102T000000Z", "EXDATE 20260102T000000Z"),
        ("RRULE:FREQ=DAILY\nEXRULE:FREQ=WEEKLY;UNTIL=20260110T000000Z", "UNTIL 20260110T000000Z"),
    ],
)
def test_a_rule_date_in_utc_or_another_zone_is_refused_at_its_path(rule: str, named: str) -> None:
    """A Z, an offset or a zone name on DTSTART, UNTIL, RDATE or EXDATE is refused, as TZID
    is: dateutil dropped it silently, so DTSTART 2026-01-02 23:00Z named 2 January where
    Paris was already on 3 January."""
    message = (
        "a recurring date takes no Z, UTC offset or zone name: its dates are local to the "
        f"office hours' zone, got {named}"
    )
    assert _problems({"timezone": "Europe/Paris", "recurring_holidays": [rule]}) == [
        ("$.recurring_holidays[0]", message)
    ]
    assert _problems(
        {"timezone": "Europe/Paris", "recurring_exceptions": [{"rule": rule, "windows": []}]}
    ) == [("$.recurring_exceptions[0].rule", message)]


@pytest.mark.parametrize(
    "rule",
    [
        "DTSTART:20260102T230000\nRRULE:FREQ=YEARLY",
        "DTSTART:20260102\nRRULE:FREQ=DAILY;UNTIL=20260110",
        "DTSTART:20260102T090000\nRRULE:FREQ=DAILY;UNTIL=20260110T090000",
        "RRULE:FREQ=YEARLY\nRDATE:20260704\nEXDATE:20260102",
    ],
)
def test_local_rule_dates_are_accepted(rule: str) -> None:
    """Local dates and date-times (no zone) stay accepted: they are the office's own."""
    hours = OfficeHours(timezone="Europe/Paris", recurring_holidays=[rule])
    assert hours.recurring_holidays == (rule,)


def test_a_local_dtstart_late_in_the_day_names_its_own_date() -> None:
    """DTSTART 2026-01-02T23:00 (local) makes 2 January the holiday, and only it."""
    hours = OfficeHours(
        timezone="Europe/Paris",
        weekly=ALL_WEEK,
        recurring_holidays=["DTSTART:20260102T230000\nRRULE:FREQ=YEARLY"],
    )
    assert not hours.is_open(datetime(2026, 1, 2, 10, tzinfo=UTC))
    assert hours.is_open(datetime(2026, 1, 3, 10, tzinfo=UTC))


@pytest.mark.parametrize(
    "rule",
    ["DTSTART:20260101\nEXRULE:FREQ=DAILY", "EXRULE:FREQ=WEEKLY;BYDAY=MO"],
)
def test_an_exrule_alone_is_refused(rule: str) -> None:
    """An EXRULE without an RRULE names no date (dateutil read it and never fired): it is
    refused, as a text with no RRULE is."""
    assert _problems({"timezone": "UTC", "recurring_holidays": [rule]}) == [
        (
            "$.recurring_holidays[0]",
            "not an RFC 5545 RRULE: no RRULE given (an EXRULE only removes dates)",
        )
    ]


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25;COUNT=3;UNTIL=20301231",
        "RRULE:FREQ=DAILY;UNTIL=20301231;COUNT=2",
        "RRULE:FREQ=DAILY\nEXRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=2;UNTIL=20301231",
    ],
)
def test_count_and_until_in_one_rule_are_refused(rule: str) -> None:
    """RFC 5545: COUNT and UNTIL MUST NOT occur in the same rule; dateutil read them,
    warning that it will refuse them (a DeprecationWarning while the hours were built)."""
    assert _problems({"timezone": "UTC", "recurring_holidays": [rule]}) == [
        ("$.recurring_holidays[0]", "a rule ends by COUNT or by UNTIL, not both (RFC 5545)")
    ]


def test_an_exrule_beside_an_rrule_still_removes_dates() -> None:
    """An EXRULE with an RRULE is accepted and takes its dates out of the rule's."""
    hours = OfficeHours(
        timezone="UTC",
        weekly=ALL_WEEK,
        recurring_holidays=["DTSTART:20260105\nRRULE:FREQ=DAILY\nEXRULE:FREQ=WEEKLY;BYDAY=MO"],
    )
    assert hours.is_open(datetime(2026, 1, 5, 10, tzinfo=UTC))  # a Monday: excluded
    assert not hours.is_open(datetime(2026, 1, 6, 10, tzinfo=UTC))


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=DAILY;INTERVAL=" + "9" * 5000, "INTERVAL takes numbers of at most 18 digits"),
        ("FREQ=DAILY;COUNT=" + "9" * 19, "COUNT takes numbers of at most 18 digits"),
        ("FREQ=MONTHLY;BYDAY=" + "9" * 5000 + "MO", "BYDAY takes numbers of at most 18 digits"),
        ("FREQ=DAILY;UNTIL=" + "9" * 5000, "UNTIL is not a date (YYYYMMDD) or date-time"),
        ("DTSTART:" + "2" * 30 + "\nRRULE:FREQ=DAILY", "DTSTART is not a date (YYYYMMDD)"),
    ],
)
def test_a_number_too_long_for_a_rule_is_refused_by_name(rule: str, message: str) -> None:
    """Python's own limits spoke before: int() of 5,000 digits told the user to call
    sys.set_int_max_str_digits(), dateutil 'Python int too large to convert to C long'."""
    with pytest.raises(ValidationError) as refused:
        OfficeHours(timezone="UTC", recurring_holidays=[rule])
    text = str(refused.value)
    assert message in text
    assert "sys.set_int_max_str_digits" not in text
    assert "C long" not in text
