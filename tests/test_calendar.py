"""Office hours: the named cases of issue 3, the DST rule, validation and JSON."""

from __future__ import annotations

import json
import pickle
import runpy
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pydantic
import pytest

from helpdesk_routing.calendar import DEFAULT_HORIZON, OfficeHours, wall_time_to_utc
from helpdesk_routing.errors import NaiveDatetimeError, ValidationError

AMS = ZoneInfo("Europe/Amsterdam")
SANTIAGO = ZoneInfo("America/Santiago")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
WORKDAYS = ("mon", "tue", "wed", "thu", "fri")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant given in UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def ams(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant given as Amsterdam wall time (fold 0)."""
    return datetime(year, month, day, hour, minute, tzinfo=AMS)


def office(**weekly: list[tuple[str, str]]) -> OfficeHours:
    """A weekly schedule in Amsterdam."""
    return OfficeHours(timezone="Europe/Amsterdam", weekly=weekly)


def nine_to_five(**extra: object) -> OfficeHours:
    """Mon-Fri 09:00-17:00 in Amsterdam, with extra fields."""
    return OfficeHours.model_validate(
        {
            "timezone": "Europe/Amsterdam",
            "weekly": {day: [("09:00", "17:00")] for day in WORKDAYS},
            **extra,
        }
    )


def one_day(zone: str, day: date, *windows: tuple[str, str]) -> OfficeHours:
    """Open only on ``day``, in the given windows."""
    return OfficeHours(timezone=zone, exceptions={day: list(windows)})


# --- the wall-time rule ------------------------------------------------------


def test_wall_time_in_a_gap_maps_to_the_transition_instant() -> None:
    """02:30 on a spring-forward night (the clock skips it) is the instant of the jump."""
    assert wall_time_to_utc(datetime(2026, 3, 29, 2, 30), AMS) == utc(2026, 3, 29, 1, 0)
    assert wall_time_to_utc(datetime(2026, 3, 29, 2, 0), AMS) == utc(2026, 3, 29, 1, 0)


def test_wall_time_repeated_maps_to_its_first_occurrence() -> None:
    """02:30 on a fall-back night (the clock shows it twice) is its first occurrence."""
    assert wall_time_to_utc(datetime(2026, 10, 25, 2, 30), AMS) == utc(2026, 10, 25, 0, 30)


def test_wall_time_plain_uses_the_offset_in_force() -> None:
    """An unambiguous reading is the reading minus the zone's offset."""
    assert wall_time_to_utc(datetime(2026, 7, 1, 12, 0), AMS) == utc(2026, 7, 1, 10, 0)
    assert wall_time_to_utc(datetime(2026, 10, 25, 3, 0), AMS) == utc(2026, 10, 25, 2, 0)


def test_wall_time_in_a_thirty_minute_gap() -> None:
    """Lord Howe skips 02:00-02:30: 02:10 is the jump at 15:30 UTC."""
    assert wall_time_to_utc(datetime(2026, 10, 4, 2, 10), LORD_HOWE) == utc(2026, 10, 3, 15, 30)


def test_wall_time_in_a_zone_that_ignores_fold() -> None:
    """dateutil's zones give a skipped reading one offset whatever its fold: the gap was
    taken for an ordinary reading, and 02:30 in Amsterdam put at 00:30 UTC (the clock
    then read 01:30). A POSIX rule string too; repeated and plain readings as ever."""
    from dateutil import tz

    for zone in (tz.gettz("Europe/Amsterdam"), tz.tzstr("CET-1CEST,M3.5.0,M10.5.0/3")):
        assert zone is not None
        assert wall_time_to_utc(datetime(2026, 3, 29, 2, 30), zone) == utc(2026, 3, 29, 1, 0)
        assert wall_time_to_utc(datetime(2026, 10, 25, 2, 30), zone) == utc(2026, 10, 25, 0, 30)
        assert wall_time_to_utc(datetime(2026, 7, 1, 12, 0), zone) == utc(2026, 7, 1, 10, 0)
    lord_howe = tz.gettz("Australia/Lord_Howe")
    assert wall_time_to_utc(datetime(2026, 10, 4, 2, 10), lord_howe) == utc(2026, 10, 3, 15, 30)


def test_wall_time_needs_a_zone_with_offsets() -> None:
    """A tzinfo that gives no UTC offset cannot place a wall time."""

    class Nowhere(tzinfo):
        def utcoffset(self, dt: datetime | None) -> timedelta | None:
            return None

        def dst(self, dt: datetime | None) -> timedelta | None:
            return None

        def tzname(self, dt: datetime | None) -> str | None:
            return None

    with pytest.raises(ValidationError, match=r"^time zone .* gives no UTC offset$"):
        wall_time_to_utc(datetime(2026, 7, 1, 12, 0), Nowhere())


def test_wall_time_must_be_naive() -> None:
    """A wall time is a clock reading; an aware datetime is refused."""
    with pytest.raises(ValidationError, match=r"^a wall time must be a naive datetime"):
        wall_time_to_utc(ams(2026, 7, 1, 12, 0), AMS)


# --- the named cases ---------------------------------------------------------


def test_case_1_open_at_nine_local_on_a_monday() -> None:
    """Mon-Fri 09-17 Amsterdam: Monday 2026-03-30 is open at 07:00 UTC, closed at 06:59 UTC."""
    hours = nine_to_five()
    assert hours.is_open(utc(2026, 3, 30, 7, 0))
    assert not hours.is_open(utc(2026, 3, 30, 6, 59))


def test_case_2_a_24_7_day_lasts_23_or_25_hours_on_dst_days() -> None:
    """24/7 Amsterdam: 2026-03-29 holds 23 h of business time, 2026-10-25 holds 25 h."""
    hours = OfficeHours.always_open("Europe/Amsterdam")
    spring = hours.business_time_between(ams(2026, 3, 29), ams(2026, 3, 30))
    autumn = hours.business_time_between(ams(2026, 10, 25), ams(2026, 10, 26))
    assert spring == timedelta(hours=23)
    assert autumn == timedelta(hours=25)


def test_case_3_overnight_shift_over_dst_changes() -> None:
    """Sat 22:00-Sun 06:00 lasts 7 h over the spring change and 9 h over the autumn change."""
    hours = office(sat=[("22:00", "06:00")])
    assert hours.business_time_between(ams(2026, 3, 28), ams(2026, 3, 30)) == timedelta(hours=7)
    assert hours.business_time_between(ams(2026, 10, 24), ams(2026, 10, 26)) == timedelta(hours=9)


def test_case_4_window_starting_in_the_gap_lasts_15_minutes() -> None:
    """Sunday 02:30-03:15 on 2026-03-29: 15 minutes (not -15, not 45)."""
    hours = one_day("Europe/Amsterdam", date(2026, 3, 29), ("02:30", "03:15"))
    assert hours.business_time_between(ams(2026, 3, 28), ams(2026, 3, 30)) == timedelta(minutes=15)
    assert list(hours.open_periods(ams(2026, 3, 28), ams(2026, 3, 30))) == [
        (utc(2026, 3, 29, 1, 0), utc(2026, 3, 29, 1, 15))
    ]


def test_case_5_window_in_the_repeated_hour_lasts_90_minutes() -> None:
    """Sunday 02:30-03:00 on 2026-10-25: 90 minutes, one period from the first 02:30."""
    hours = one_day("Europe/Amsterdam", date(2026, 10, 25), ("02:30", "03:00"))
    periods = list(hours.open_periods(ams(2026, 10, 24), ams(2026, 10, 26)))
    assert periods == [(utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 2, 0))]
    assert hours.business_time_between(ams(2026, 10, 24), ams(2026, 10, 26)) == timedelta(
        minutes=90
    )


def test_case_6_overnight_shift_belongs_to_its_start_day() -> None:
    """Mon 22:00-Tue 06:00: open Tuesday 03:00, closed Tuesday 06:00."""
    hours = office(mon=[("22:00", "06:00")])
    assert hours.is_open(ams(2026, 6, 2, 3, 0))
    assert not hours.is_open(ams(2026, 6, 2, 6, 0))
    assert hours.next_close(ams(2026, 6, 2, 3, 0)) == utc(2026, 6, 2, 4, 0)


def test_case_7_holiday_on_the_start_day_removes_the_overnight_shift() -> None:
    """A holiday on Monday removes the whole Mon 22:00-Tue 06:00 shift, Tuesday part too."""
    hours = OfficeHours(
        timezone="Europe/Amsterdam",
        weekly={"mon": [("22:00", "06:00")]},
        holidays=[date(2026, 6, 1)],
    )
    assert not hours.is_open(ams(2026, 6, 1, 23, 0))
    assert not hours.is_open(ams(2026, 6, 2, 3, 0))
    assert hours.business_time_between(ams(2026, 6, 1), ams(2026, 6, 3)) == timedelta(0)
    assert hours.is_open(ams(2026, 6, 9, 3, 0))


def test_holiday_on_the_next_day_leaves_the_overnight_shift() -> None:
    """A holiday on Tuesday does not touch Monday's 22:00-06:00 shift; Tuesday's own is gone."""
    hours = OfficeHours(
        timezone="Europe/Amsterdam",
        weekly={"mon": [("22:00", "06:00")], "tue": [("22:00", "06:00")]},
        holidays=[date(2026, 6, 2)],
    )
    assert hours.is_open(ams(2026, 6, 2, 3, 0))
    assert not hours.is_open(ams(2026, 6, 2, 23, 0))
    assert hours.business_time_between(ams(2026, 6, 1), ams(2026, 6, 4)) == timedelta(hours=8)


def test_case_8_half_day_closes_at_one() -> None:
    """An exception 09-13 on a weekday: next_close at 10:00 is 13:00."""
    hours = nine_to_five(exceptions={"2026-12-24": [("09:00", "13:00")]})
    assert hours.next_close(ams(2026, 12, 24, 10, 0)) == ams(2026, 12, 24, 13, 0)
    assert not hours.is_open(ams(2026, 12, 24, 14, 0))


def test_case_9_santiago_window_from_a_midnight_that_does_not_exist() -> None:
    """America/Santiago 00:00-08:00 on 2026-09-06 (no local midnight) opens at 04:00 UTC."""
    hours = one_day("America/Santiago", date(2026, 9, 6), ("00:00", "08:00"))
    assert hours.next_open(utc(2026, 9, 5, 12, 0)) == utc(2026, 9, 6, 4, 0)
    assert hours.next_close(utc(2026, 9, 6, 4, 0)) == utc(2026, 9, 6, 11, 0)


def test_case_10_friday_four_pm_plus_four_business_hours_is_monday_noon() -> None:
    """Friday 16:00 + 4 business hours (Mon-Fri 09-17) is Monday 12:00."""
    due = nine_to_five().add_business_time(ams(2026, 3, 27, 16, 0), timedelta(hours=4))
    assert due == ams(2026, 3, 30, 12, 0)


def test_case_11_24_7_never_closes() -> None:
    """A 24/7 calendar's next_close is None."""
    assert OfficeHours.always_open("Europe/Amsterdam").next_close(utc(2026, 3, 29)) is None


def test_case_11_empty_schedule_never_opens() -> None:
    """An empty schedule's next_open is None."""
    assert OfficeHours(timezone="UTC").next_open(utc(2026, 3, 29)) is None


@pytest.mark.parametrize(
    "call",
    [
        lambda h, t: h.is_open(t),
        lambda h, t: h.next_open(t),
        lambda h, t: h.next_close(t),
        lambda h, t: h.business_time_between(t, utc(2026, 1, 1)),
        lambda h, t: h.business_time_between(utc(2026, 1, 1), t),
        lambda h, t: list(h.open_periods(t, utc(2026, 1, 1))),
        lambda h, t: h.add_business_time(t, timedelta(hours=1)),
    ],
)
def test_case_11_naive_input_raises(call: object) -> None:
    """Every query refuses a naive datetime with NaiveDatetimeError."""
    with pytest.raises(NaiveDatetimeError, match=r"must be timezone-aware, got a naive datetime$"):
        call(nine_to_five(), datetime(2026, 3, 30, 9, 0))  # type: ignore[operator]


# --- further behaviour -------------------------------------------------------


def test_next_open_is_the_argument_when_open() -> None:
    """next_open of an open instant is that instant, returned in UTC."""
    assert nine_to_five().next_open(ams(2026, 3, 30, 10, 0)) == utc(2026, 3, 30, 8, 0)
    assert nine_to_five().next_open(ams(2026, 3, 30, 10, 0)).tzinfo is UTC  # type: ignore[union-attr]


def test_next_close_is_the_argument_when_closed() -> None:
    """next_close of a closed instant is that instant."""
    assert nine_to_five().next_close(ams(2026, 3, 28, 10, 0)) == ams(2026, 3, 28, 10, 0)


@pytest.mark.parametrize("horizon", [timedelta.max, timedelta(days=3_650_000)])
def test_a_horizon_past_the_end_of_the_calendar_searches_to_its_end(horizon: timedelta) -> None:
    """A horizon longer than the calendar (timedelta.max too) reaches to its end: the
    answer is the one an unbounded search gives, never an OverflowError."""
    hours = nine_to_five()
    friday = ams(2026, 3, 27, 17, 0)
    assert hours.next_open(friday, horizon=horizon) == ams(2026, 3, 30, 9, 0)
    assert hours.next_close(friday, horizon=horizon) == friday
    assert hours.add_business_time(friday, timedelta(hours=1), horizon=horizon) == ams(
        2026, 3, 30, 10, 0
    )
    assert OfficeHours.always_open("UTC").next_close(friday, horizon=horizon) is None


def test_next_open_skips_a_weekend() -> None:
    """Friday 17:00 next opens Monday 09:00."""
    assert nine_to_five().next_open(ams(2026, 3, 27, 17, 0)) == ams(2026, 3, 30, 9, 0)


def test_searches_stop_at_the_horizon() -> None:
    """Answers beyond the horizon are None; a horizon must be positive."""
    hours = nine_to_five()
    friday = ams(2026, 3, 27, 17, 0)
    assert hours.next_open(friday, horizon=timedelta(days=2)) is None
    assert hours.next_open(friday, horizon=timedelta(days=3)) == ams(2026, 3, 30, 9, 0)
    assert hours.add_business_time(friday, timedelta(hours=1), horizon=timedelta(days=1)) is None
    assert hours.add_business_time(friday, timedelta(hours=1), horizon=timedelta(days=2)) is None
    assert hours.add_business_time(friday, timedelta(hours=1), horizon=timedelta(days=3)) == ams(
        2026, 3, 30, 10, 0
    )
    assert OfficeHours.always_open("UTC").next_close(friday, horizon=timedelta(days=1)) is None
    with pytest.raises(ValidationError, match=r"^horizon must be positive"):
        hours.next_open(friday, horizon=timedelta(0))
    assert timedelta(days=732) == DEFAULT_HORIZON


def test_holiday_far_ahead_is_where_24_7_closes() -> None:
    """A 24/7 calendar with a holiday closes at that holiday's local midnight."""
    hours = OfficeHours.always_open("Europe/Amsterdam").model_copy(
        update={"holidays": [date(2027, 6, 1)]}
    )
    assert hours.next_close(utc(2026, 3, 29)) == ams(2027, 6, 1)
    assert hours.next_open(ams(2027, 6, 1, 12, 0)) == ams(2027, 6, 2)


def test_overnight_shift_meeting_the_next_morning_is_one_period() -> None:
    """Mon 22:00-24:00 and Tue 00:00-06:00 form one period, as do overlapping neighbours."""
    hours = office(mon=[("22:00", "24:00")], tue=[("00:00", "06:00")])
    assert list(hours.open_periods(ams(2026, 6, 1), ams(2026, 6, 3))) == [
        (ams(2026, 6, 1, 22, 0), ams(2026, 6, 2, 6, 0))
    ]
    overlapping = office(mon=[("22:00", "02:00")], tue=[("01:00", "05:00")])
    assert list(overlapping.open_periods(ams(2026, 6, 1), ams(2026, 6, 3))) == [
        (ams(2026, 6, 1, 22, 0), ams(2026, 6, 2, 5, 0))
    ]
    assert overlapping.business_time_between(ams(2026, 6, 1), ams(2026, 6, 3)) == timedelta(hours=7)


def test_open_periods_are_clipped_to_the_range() -> None:
    """open_periods cuts periods at the ends of the range and yields nothing for an empty range."""
    hours = nine_to_five()
    assert list(hours.open_periods(ams(2026, 3, 30, 12, 0), ams(2026, 3, 31, 10, 0))) == [
        (ams(2026, 3, 30, 12, 0), ams(2026, 3, 30, 17, 0)),
        (ams(2026, 3, 31, 9, 0), ams(2026, 3, 31, 10, 0)),
    ]
    assert list(hours.open_periods(ams(2026, 3, 31), ams(2026, 3, 30))) == []


def test_business_time_is_antisymmetric() -> None:
    """business_time_between(b, a) is minus business_time_between(a, b)."""
    hours = nine_to_five()
    a, b = ams(2026, 3, 27, 16, 0), ams(2026, 3, 30, 10, 0)
    assert hours.business_time_between(a, b) == timedelta(hours=2)
    assert hours.business_time_between(b, a) == -timedelta(hours=2)


def test_add_business_time_zero_and_negative() -> None:
    """Adding nothing gives the start even when closed; a negative duration is refused."""
    hours = nine_to_five()
    saturday = ams(2026, 3, 28, 12, 0)
    assert hours.add_business_time(saturday, timedelta(0)) == saturday
    with pytest.raises(ValidationError, match=r"^duration must not be negative"):
        hours.add_business_time(saturday, timedelta(minutes=-1))


def test_add_business_time_ending_at_a_close_returns_the_close() -> None:
    """Exactly the rest of the day gives the closing instant, not the next opening."""
    due = nine_to_five().add_business_time(ams(2026, 3, 27, 16, 0), timedelta(hours=1))
    assert due == ams(2026, 3, 27, 17, 0)


def test_window_inside_a_gap_is_empty() -> None:
    """02:00-03:00 on the spring-forward day is never open (windows never invert)."""
    hours = one_day("Europe/Amsterdam", date(2026, 3, 29), ("02:00", "03:00"))
    assert hours.business_time_between(ams(2026, 3, 28), ams(2026, 3, 30)) == timedelta(0)
    assert hours.next_open(ams(2026, 3, 28)) is None


def test_santiago_repeats_saturday_23_when_falling_back_at_midnight() -> None:
    """Santiago falls back from Sunday 00:00 to Saturday 23:00: Sat 23:30-24:00 lasts 90 minutes."""
    hours = OfficeHours(
        timezone="America/Santiago",
        exceptions={date(2026, 4, 4): [("23:30", "24:00")], date(2026, 4, 5): [("00:00", "02:00")]},
    )
    assert list(hours.open_periods(utc(2026, 4, 4), utc(2026, 4, 6))) == [
        (utc(2026, 4, 5, 2, 30), utc(2026, 4, 5, 6, 0))
    ]
    # 03:30 UTC reads Saturday 23:30 for the second time: still open.
    assert hours.is_open(utc(2026, 4, 5, 3, 30))
    assert hours.business_time_between(utc(2026, 4, 4), utc(2026, 4, 6)) == timedelta(
        hours=3, minutes=30
    )


def test_clock_falling_back_over_midnight_keeps_the_new_day_open() -> None:
    """Goose Bay 2006-10-29 went from Sunday 00:01 back to Saturday 23:01: Sunday stays open."""
    hours = one_day("America/Goose_Bay", date(2006, 10, 29), ("00:00", "00:30"))
    # Sunday 00:00 first read at 03:00 UTC; 00:30 first read (after the repeat) at 04:30 UTC.
    assert list(hours.open_periods(utc(2006, 10, 28), utc(2006, 10, 30))) == [
        (utc(2006, 10, 29, 3, 0), utc(2006, 10, 29, 4, 30))
    ]
    # 03:30 UTC reads Saturday 23:30 for the second time, within Sunday's window.
    assert hours.is_open(utc(2006, 10, 29, 3, 30))
    assert list(hours.open_periods(utc(2006, 10, 28), utc(2006, 10, 29, 3, 30))) == [
        (utc(2006, 10, 29, 3, 0), utc(2006, 10, 29, 3, 30))
    ]
    assert hours.next_close(utc(2006, 10, 29, 3, 30)) == utc(2006, 10, 29, 4, 30)
    assert hours.next_open(utc(2006, 10, 29, 3, 30)) == utc(2006, 10, 29, 3, 30)


def test_window_ending_where_it_starts_lasts_a_day() -> None:
    """A window whose end equals its start lasts 24 hours (it crosses midnight)."""
    hours = OfficeHours(timezone="UTC", weekly={"mon": [("09:00", "09:00")]})
    assert hours.business_time_between(utc(2026, 6, 1), utc(2026, 6, 3)) == timedelta(hours=24)
    assert hours.is_open(utc(2026, 6, 2, 8, 59))


def test_answers_do_not_depend_on_the_zone_of_the_input() -> None:
    """The same instant given in New York time or in UTC gives the same answers."""
    hours = nine_to_five()
    instant = utc(2026, 3, 30, 7, 0)
    elsewhere = instant.astimezone(ZoneInfo("America/New_York"))
    assert hours.is_open(elsewhere)
    assert hours.next_close(elsewhere) == hours.next_close(instant) == utc(2026, 3, 30, 15, 0)


def test_holidays_accept_a_mapping_of_dates() -> None:
    """A mapping (as the holidays package gives) contributes its keys as holidays."""
    hours = nine_to_five(holidays={date(2026, 4, 6): "Easter Monday"})
    assert hours.holidays == (date(2026, 4, 6),)
    assert not hours.is_open(ams(2026, 4, 6, 10, 0))


# --- the model: normalisation, equality, JSON ---------------------------------


def test_input_is_normalised() -> None:
    """Days come in weekday order without empty ones, windows by start, holidays sorted
    and unique."""
    hours = OfficeHours(
        timezone="UTC",
        weekly={
            "fri": [("13:00", "17:00"), ("09:00", "12:00")],
            "tue": [],
            "mon": [("09:00", "12:00")],
        },
        holidays=[date(2026, 5, 1), date(2026, 1, 1), date(2026, 5, 1)],
    )
    assert list(hours.weekly) == ["mon", "fri"]
    assert hours.weekly["fri"] == (("09:00", "12:00"), ("13:00", "17:00"))
    assert hours.holidays == (date(2026, 1, 1), date(2026, 5, 1))


def test_an_end_at_midnight_is_one_schedule_however_it_is_written() -> None:
    """An end of "00:00" is the next midnight, as "24:00" is: the two spellings are one
    schedule, equal, with one JSON form and one hash, in weekly windows, exceptions and
    recurring exceptions (they were unequal, so a Router restarted with the other
    spelling was refused as a changed configuration)."""
    for start in ("00:00", "08:30", "23:59"):
        zero = {"mon": [(start, "00:00")]}
        midnight = {"mon": [(start, "24:00")]}
        a = OfficeHours(
            timezone="Europe/Amsterdam", weekly=zero, exceptions={"2026-03-29": zero["mon"]}
        )
        b = OfficeHours(
            timezone="Europe/Amsterdam", weekly=midnight, exceptions={"2026-03-29": midnight["mon"]}
        )
        assert a == b
        assert hash(a) == hash(b)
        assert a.model_dump_json() == b.model_dump_json()
        assert a.weekly["mon"] == ((start, "24:00"),)
    rule = "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24"
    recurring = [
        OfficeHours(
            timezone="UTC", recurring_exceptions=[{"rule": rule, "windows": [("18:00", end)]}]
        )
        for end in ("00:00", "24:00")
    ]
    assert recurring[0] == recurring[1]
    two = OfficeHours(timezone="UTC", weekly={"sun": [("18:00", "00:00"), ("09:00", "12:00")]})
    assert two.weekly["sun"] == (("09:00", "12:00"), ("18:00", "24:00"))


def test_json_round_trip() -> None:
    """model_dump_json then from_json gives an equal calendar with the same hash and answers."""
    hours = nine_to_five(
        holidays=["2026-12-25"],
        exceptions={"2026-12-24": [("09:00", "13:00")], "2026-12-27": []},
    )
    text = hours.model_dump_json()
    again = OfficeHours.from_json(text)
    assert again == hours
    assert hash(again) == hash(hours)
    assert again.model_dump_json() == text
    assert again.next_close(ams(2026, 12, 24, 10, 0)) == ams(2026, 12, 24, 13, 0)


def test_json_shape() -> None:
    """The JSON form is plain: weekday keys, ["HH:MM", "HH:MM"] windows, ISO dates."""
    hours = OfficeHours(
        timezone="UTC",
        weekly={"mon": [("22:00", "02:00")]},
        holidays=[date(2026, 1, 1)],
        exceptions={date(2026, 1, 2): []},
    )
    assert hours.model_dump(mode="json") == {
        "timezone": "UTC",
        "weekly": {"mon": [["22:00", "02:00"]]},
        "holidays": ["2026-01-01"],
        "exceptions": {"2026-01-02": []},
        "recurring_holidays": [],
        "recurring_exceptions": [],
    }


def test_different_calendars_are_unequal() -> None:
    """Equality follows the schedule, not the object."""
    assert nine_to_five() == nine_to_five()
    assert nine_to_five() != nine_to_five(holidays=["2026-12-25"])
    assert OfficeHours.always_open("UTC") != OfficeHours.always_open("Europe/Amsterdam")


def test_pickle_round_trip() -> None:
    """A pickled calendar comes back equal and answering alike."""
    hours = nine_to_five(holidays=["2026-12-25"])
    again = pickle.loads(pickle.dumps(hours))
    assert again == hours
    assert again.is_open(utc(2026, 3, 30, 7, 0))


def test_model_copy_validates_and_recompiles() -> None:
    """model_copy(update=...) validates the update and answers by the new schedule."""
    hours = nine_to_five()
    closed_monday = hours.model_copy(update={"holidays": [date(2026, 3, 30)]})
    assert not closed_monday.is_open(utc(2026, 3, 30, 7, 0))
    with pytest.raises(pydantic.ValidationError):
        hours.model_copy(update={"timezone": "Mars/Olympus"})


def test_model_is_frozen() -> None:
    """Fields cannot be reassigned."""
    with pytest.raises(pydantic.ValidationError):
        nine_to_five().timezone = "UTC"  # type: ignore[misc]


def test_zone_property() -> None:
    """zone is the ZoneInfo of the key."""
    assert nine_to_five().zone == AMS


# --- validation: paths and exact messages -------------------------------------


def _problems(data: object) -> list[tuple[str, str]]:
    """The (path, message) pairs from_dict reports for ``data``."""
    with pytest.raises(ValidationError) as caught:
        OfficeHours.from_dict(data)
    assert caught.value.message == "invalid office hours"
    return [(d.path, d.message) for d in caught.value.details]


def test_unknown_time_zone_is_named() -> None:
    """An unknown zone is reported at $.timezone."""
    assert _problems({"timezone": "Europe/Amsterdm"}) == [
        ("$.timezone", "unknown time zone 'Europe/Amsterdm'")
    ]
    assert _problems({"timezone": "Europe"}) == [("$.timezone", "unknown time zone 'Europe'")]
    assert _problems({"timezone": "../etc/passwd"}) == [
        ("$.timezone", "unknown time zone '../etc/passwd'")
    ]


@pytest.mark.parametrize(
    "key", ["localtime", "posixrules", "Factory", "right/UTC", "posix/Europe/Amsterdam", ""]
)
def test_host_files_that_are_not_iana_keys_are_refused(key: str) -> None:
    """Keys that name a host's own zone files (localtime, posixrules, right/...) or the
    placeholder Factory zone are not IANA keys: refused at $.timezone (#12)."""
    assert _problems({"timezone": key}) == [("$.timezone", f"unknown time zone {key!r}")]


@pytest.mark.parametrize("key", ["UTC", "Etc/UTC", "US/Eastern", "Europe/Kyiv", "EST5EDT"])
def test_iana_keys_and_links_are_accepted(key: str) -> None:
    """Canonical IANA keys and their backward links are accepted."""
    assert OfficeHours(timezone=key).timezone == key


def test_malformed_times_are_located_at_their_window() -> None:
    """Malformed times are reported at $.weekly.<day>[i] with the text quoted."""
    assert _problems(
        {"timezone": "UTC", "weekly": {"mon": [["09:00", "12:00"], ["9:00", "17:00"]]}}
    ) == [("$.weekly.mon[1]", "'9:00' is not a time of day \"HH:MM\" (00:00 to 24:00)")]
    assert _problems({"timezone": "UTC", "weekly": {"tue": [["09:00", "24:01"]]}}) == [
        ("$.weekly.tue[0]", "'24:01' is not a time of day \"HH:MM\" (00:00 to 24:00)")
    ]


def test_a_window_cannot_start_at_24() -> None:
    """24:00 is an end only."""
    assert _problems({"timezone": "UTC", "weekly": {"sun": [["24:00", "02:00"]]}}) == [
        ("$.weekly.sun[0]", "a window cannot start at 24:00")
    ]


def test_overlapping_windows_on_one_day_are_refused() -> None:
    """A window overlapping an earlier one of the same day is reported at its own index."""
    assert _problems(
        {"timezone": "UTC", "weekly": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}}
    ) == [("$.weekly.mon[1]", "window 11:00-13:00 overlaps window [0] 09:00-12:00 on the same day")]
    assert _problems(
        {"timezone": "UTC", "weekly": {"mon": [["22:00", "02:00"], ["23:00", "23:30"]]}}
    ) == [("$.weekly.mon[1]", "window 23:00-23:30 overlaps window [0] 22:00-02:00 on the same day")]


def test_overnight_tail_and_an_early_window_of_the_same_day_do_not_overlap() -> None:
    """Mon 22:00-02:00 and Mon 01:00-02:00 lie a day apart, so both are accepted."""
    hours = OfficeHours(timezone="UTC", weekly={"mon": [("22:00", "02:00"), ("01:00", "02:00")]})
    assert hours.business_time_between(utc(2026, 6, 1), utc(2026, 6, 3)) == timedelta(hours=5)


def test_exception_problems_are_located_by_date() -> None:
    """Problems in an exception are reported at $.exceptions.<ISO date>[i]."""
    assert _problems(
        {"timezone": "UTC", "exceptions": {"2026-12-24": [["09:00", "13:00"], ["12:00", "14:00"]]}}
    ) == [
        (
            "$.exceptions.2026-12-24[1]",
            "window 12:00-14:00 overlaps window [0] 09:00-13:00 on the same day",
        )
    ]


def test_exception_paths_use_iso_dates_for_python_input() -> None:
    """date keys given from Python are located by their ISO text, like JSON input."""
    with pytest.raises(pydantic.ValidationError) as caught:
        OfficeHours(timezone="UTC", exceptions={date(2026, 12, 24): [("09:00", "25:00")]})
    assert caught.value.errors()[0]["loc"] == ("exceptions", "2026-12-24", 0)


@pytest.mark.parametrize(
    ("windows", "path", "message"),
    [
        (
            [("09:00", "13:00"), ("12:00", "14:00")],
            "$.exceptions.2026-12-24[1]",
            "window 12:00-14:00 overlaps window [0] 09:00-13:00 on the same day",
        ),
        ([("9:00", "13:00")], "$.exceptions.2026-12-24[0]", "'9:00' is not a time of day"),
    ],
)
def test_exception_paths_keep_the_date_of_a_date_key(
    windows: list[tuple[str, str]], path: str, message: str
) -> None:
    """A problem in an exception keyed by a date object is reported at that date's path,
    by the constructor and by from_dict alike (the date was dropped: $.exceptions[1])."""
    data = {"timezone": "UTC", "exceptions": {date(2026, 12, 24): windows}}
    with pytest.raises(ValidationError) as caught:
        OfficeHours(**data)  # type: ignore[arg-type]
    assert caught.value.paths == (path,)
    assert caught.value.details[0].message.startswith(message)
    [(found, said)] = _problems(data)
    assert found == path
    assert said.startswith(message)


def test_a_date_key_keeps_its_date_in_a_path_inside_another_model() -> None:
    """Office hours given as a dict with date keys inside a Configuration: the path runs
    through the date (it was $.office_hours.exceptions[1])."""
    from helpdesk_routing.configuration import Configuration

    hours = {"timezone": "UTC", "exceptions": {date(2026, 12, 24): [("09:00", "13:00")] * 2}}
    with pytest.raises(ValidationError) as caught:
        Configuration(version=1, at=datetime(2026, 1, 1, tzinfo=UTC), office_hours=hours)
    assert caught.value.paths == ("$.office_hours.exceptions.2026-12-24[1]",)


def test_a_date_key_both_holiday_and_exception_is_named_by_its_date() -> None:
    """The holiday-and-exception clash of a date key is reported at the date's path."""
    with pytest.raises(ValidationError) as caught:
        OfficeHours(
            timezone="UTC", holidays=[date(2026, 12, 24)], exceptions={date(2026, 12, 24): []}
        )
    assert caught.value.paths == ("$.exceptions.2026-12-24",)


def test_one_date_given_as_a_date_and_as_text_is_a_duplicate_key() -> None:
    """date(2026, 12, 24) and "2026-12-24" as exception keys are refused, naming both (one
    day's windows silently replaced the other's)."""
    data = {
        "timezone": "UTC",
        "exceptions": {"2026-12-24": [], date(2026, 12, 24): [["09:00", "13:00"]]},
    }
    assert _problems(data) == [
        (
            "$.exceptions.2026-12-24",
            "duplicate key '2026-12-24': '2026-12-24' and datetime.date(2026, 12, 24) "
            "name one date",
        )
    ]
    with pytest.raises(ValidationError) as caught:
        OfficeHours(**data)  # type: ignore[arg-type]
    assert caught.value.paths == ("$.exceptions.2026-12-24",)


@pytest.mark.parametrize(
    ("key", "path"),
    [
        ("2026-12-24T00:00:00", "$.exceptions.2026-12-24T00:00:00"),
        ("2026-12-24T00:00:00Z", "$.exceptions.2026-12-24T00:00:00Z"),
        (datetime(2026, 12, 24), "$.exceptions.2026-12-24T00:00:00"),
        (1798070400, "$.exceptions.1798070400"),
        ("1798070400", "$.exceptions.1798070400"),
        (b"2026-12-24", "$.exceptions.b'2026-12-24'"),
    ],
)
def test_an_exception_key_that_is_not_a_plain_date_is_refused(key: object, path: str) -> None:
    """A key is a date or "YYYY-MM-DD": pydantic also read a datetime, a timestamp or bytes
    as that date, so a second spelling of a day silently replaced its windows."""
    data = {"timezone": "UTC", "exceptions": {"2026-12-24": [], key: [["09:00", "13:00"]]}}
    assert _problems(data) == [
        (path, f'an exception\'s key is a date or its text "YYYY-MM-DD", got {key!r}')
    ]


@pytest.mark.parametrize(
    "day",
    [
        "2026-12-25T00:00:00",
        datetime(2026, 12, 25),
        1798156800,  # a unix timestamp: pydantic read it as 2026-12-25
        "20261225",  # pydantic read it as seconds, and blamed a time of day
        b"2026-12-25",
    ],
)
@pytest.mark.parametrize("container", [list, tuple, set, dict.fromkeys])
def test_a_holiday_that_is_not_a_plain_date_is_refused(day: object, container: Any) -> None:
    """A holiday is a date or "YYYY-MM-DD", as an exception's key: any other spelling
    (a timestamp, a datetime's text, bytes) is refused by index, whatever holds them
    (from Python: a mapping is Python's, JSON gives a list)."""
    data = {"timezone": "UTC", "holidays": container([day])}
    with pytest.raises(ValidationError) as caught:
        OfficeHours.model_validate(data)
    assert [(d.path, d.message) for d in caught.value.details] == [
        ("$.holidays[0]", f'a holiday is a date or its text "YYYY-MM-DD", got {day!r}')
    ]
    assert OfficeHours(timezone="UTC", holidays=container([date(2026, 12, 25)])).holidays == (
        date(2026, 12, 25),
    )


def test_an_impossible_date_key_is_named_by_its_path() -> None:
    """A key shaped "YYYY-MM-DD" that is no date is refused by pydantic at its path."""
    assert [p for p, _ in _problems({"timezone": "UTC", "exceptions": {"2026-02-30": []}})] == [
        "$.exceptions.2026-02-30"
    ]


def test_a_date_both_holiday_and_exception_is_refused() -> None:
    """A date may be a holiday or an exception, not both."""
    assert _problems(
        {"timezone": "UTC", "holidays": ["2026-12-24"], "exceptions": {"2026-12-24": []}}
    ) == [("$.exceptions.2026-12-24", "2026-12-24 is both a holiday and an exception")]


def test_unknown_weekday_and_extra_fields_are_refused() -> None:
    """Weekday keys are mon..sun; unknown fields are refused. A bad key is named by its
    entry's path (pydantic's "[key]" label is no part of a JSON path)."""
    paths = [p for p, _ in _problems({"timezone": "UTC", "weekly": {"monday": []}, "x": 1})]
    assert paths == ["$.weekly.monday", "$.x"]


def test_exceptions_must_be_a_mapping() -> None:
    """exceptions given as a list is reported at $.exceptions."""
    assert _problems({"timezone": "UTC", "exceptions": [["09:00", "13:00"]]}) == [
        ("$.exceptions", "Input should be a valid dictionary")
    ]


def test_from_json_reports_bad_json() -> None:
    """Text that is not JSON is a ValidationError at the root."""
    with pytest.raises(ValidationError) as caught:
        OfficeHours.from_json("{")
    assert caught.value.paths == ("$",)


def test_constructor_raises_pydantic_errors_with_the_same_locations() -> None:
    """Plain construction raises pydantic's ValidationError, located the same way."""
    with pytest.raises(pydantic.ValidationError) as caught:
        OfficeHours(timezone="UTC", weekly={"mon": [("09:00", "12:00"), ("11:00", "13:00")]})
    assert caught.value.errors()[0]["loc"] == ("weekly", "mon", 1)


def test_fixed_offset_zones_are_accepted_as_input() -> None:
    """An instant with a fixed-offset tzinfo is as good as any."""
    instant = datetime(2026, 3, 30, 12, 0, tzinfo=timezone(timedelta(hours=5)))
    assert nine_to_five().is_open(instant)


def test_benchmark_quick_run_writes_flat_json(tmp_path: Path) -> None:
    """benchmarks/bench_calendar.py --quick runs and writes name -> number JSON."""
    script = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_calendar.py"
    main = runpy.run_path(str(script))["main"]
    out = tmp_path / "calendar.json"
    assert main(["--quick", "--json", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert {"is_open_calls_per_s", "next_open_calls_per_s"} <= set(figures)
    assert all(isinstance(v, float) and v > 0 for v in figures.values())


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12", "America/Santiago"])
def test_instants_near_the_ends_of_the_datetime_range(zone: str) -> None:
    """The supported range stops a week short of datetime's ends, with a clear error beyond."""
    hours = OfficeHours.always_open(zone)
    late = datetime.max.replace(tzinfo=UTC) - timedelta(days=7)
    early = datetime.min.replace(tzinfo=UTC) + timedelta(days=7)
    assert hours.is_open(late)
    assert hours.is_open(early)
    assert hours.next_close(late) is None
    assert hours.business_time_between(early, early + timedelta(days=3)) == timedelta(days=3)
    with pytest.raises(ValidationError, match=r"^at is too close to the ends of the datetime"):
        hours.is_open(datetime.max.replace(tzinfo=UTC))
    with pytest.raises(ValidationError, match=r"^start is too close to the ends of the datetime"):
        hours.business_time_between(datetime.min.replace(tzinfo=UTC), late)


# --- recurring holidays and exceptions (RFC 5545 RRULEs) ----------------------------------

FIRST_MONDAY_OF_MAY = "FREQ=YEARLY;BYMONTH=5;BYDAY=1MO"
CHRISTMAS = "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"
CHRISTMAS_EVE = "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24"


def _recurring(**changes: object) -> OfficeHours:
    data: dict[str, object] = {
        "timezone": "Europe/Amsterdam",
        "weekly": {d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")},
        "recurring_holidays": [FIRST_MONDAY_OF_MAY, CHRISTMAS],
        "recurring_exceptions": [{"rule": CHRISTMAS_EVE, "windows": [("09:00", "13:00")]}],
        **changes,
    }
    return OfficeHours.model_validate(data)


@pytest.mark.parametrize("year", [2026, 2027, 2031])
def test_first_monday_of_may_is_closed_every_year(year: int) -> None:
    """A recurring holiday "first Monday of May" closes that Monday, and only it."""
    hours = _recurring()
    first = next(date(year, 5, d) for d in range(1, 8) if date(year, 5, d).weekday() == 0)
    assert not hours.is_open(datetime(year, 5, first.day, 10, tzinfo=AMS))
    assert hours.is_open(datetime(year, 5, first.day + 7, 10, tzinfo=AMS))


def test_every_25_december_is_closed_and_24_december_closes_at_one() -> None:
    """Christmas is closed on a weekday; Christmas Eve (a Thursday in 2026) closes at 13:00."""
    hours = _recurring()
    assert not hours.is_open(datetime(2026, 12, 25, 10, tzinfo=AMS))
    assert hours.next_close(datetime(2026, 12, 24, 9, tzinfo=AMS)) == utc(2026, 12, 24, 12, 0)
    assert hours.next_open(datetime(2026, 12, 24, 14, tzinfo=AMS)) == utc(2026, 12, 28, 8, 0)


def test_dated_entries_beat_recurring_ones() -> None:
    """A dated exception on a recurring holiday opens it; a dated holiday on a recurring
    exception closes it."""
    hours = _recurring(
        exceptions={date(2026, 12, 25): [("10:00", "12:00")]}, holidays=[date(2026, 12, 24)]
    )
    assert hours.is_open(datetime(2026, 12, 25, 11, tzinfo=AMS))
    assert not hours.is_open(datetime(2026, 12, 24, 10, tzinfo=AMS))


def test_a_recurring_exception_beats_a_recurring_holiday() -> None:
    """When an exception rule and a holiday rule name one date, the exception's windows apply."""
    hours = _recurring(recurring_exceptions=[{"rule": CHRISTMAS, "windows": [("10:00", "11:00")]}])
    assert hours.is_open(datetime(2026, 12, 25, 10, 30, tzinfo=AMS))


def test_rules_start_at_their_dtstart_or_2000() -> None:
    """An RRULE without DTSTART starts on 2000-01-01; with one, an INTERVAL counts from it."""
    assert _recurring().is_open(datetime(1999, 12, 24, 16, tzinfo=AMS))  # a Friday
    fortnightly = _recurring(
        recurring_holidays=["DTSTART:20260102\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"]
    )
    assert not fortnightly.is_open(datetime(2026, 1, 16, 10, tzinfo=AMS))
    assert fortnightly.is_open(datetime(2026, 1, 23, 10, tzinfo=AMS))


def test_recurring_rules_round_trip_through_json() -> None:
    """Recurring holidays and exceptions survive a JSON round trip and compare equal."""
    hours = _recurring()
    assert OfficeHours.from_json(hours.model_dump_json()) == hours
    assert hash(OfficeHours.from_json(hours.model_dump_json())) == hash(hours)


def test_only_recurring_exceptions_open_forever() -> None:
    """A calendar with no weekly windows but a recurring exception opens every year."""
    hours = OfficeHours(
        timezone="UTC",
        recurring_exceptions=[{"rule": CHRISTMAS_EVE, "windows": [("09:00", "10:00")]}],
    )
    assert hours.next_open(utc(2026, 12, 25, 0, 0)) == utc(2027, 12, 24, 9, 0)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=HOURLY", "a recurring date repeats DAILY, WEEKLY, MONTHLY or YEARLY"),
        ("FREQ=YEARLY;BYHOUR=9", "a recurring date takes no BYHOUR, BYMINUTE or BYSECOND"),
        ("", "not an RFC 5545 RRULE: empty string"),
        ("every 25 December", "not an RFC 5545 RRULE: "),
        ("FREQ=YEARLY;BYDAY=XX", "not an RFC 5545 RRULE: "),
        # dateutil reads these; INTERVAL=0 then never advances (a hang, or an error in
        # every later route), BYMONTHDAY=0 names every day, a TZID makes its instants
        # incomparable with the local dates
        ("FREQ=YEARLY;INTERVAL=0", "INTERVAL must be at least 1, got 0"),
        ("FREQ=WEEKLY;INTERVAL=0;BYDAY=MO", "INTERVAL must be at least 1, got 0"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,0", "BYMONTHDAY=0 names no day"),
        ("FREQ=YEARLY;BYYEARDAY=-0", "BYYEARDAY=0 names no day"),
        ("FREQ=YEARLY;BYWEEKNO=0", "BYWEEKNO=0 names no day"),
        (
            "DTSTART;TZID=Europe/Paris:20260102T000000\nRRULE:FREQ=WEEKLY",
            "a recurring date takes no TZID",
        ),
        ("FREQ=MONTHLY;BYSETPOS=0;BYDAY=MO", "BYSETPOS must be 1 to 366 or -366 to -1, got 0"),
    ],
)
def test_bad_rules_are_named_by_path(rule: str, message: str) -> None:
    """A rule that is not an RRULE of dates is refused at its path, in both lists."""
    problems = _problems({"timezone": "UTC", "recurring_holidays": [CHRISTMAS, rule]})
    assert problems[0][0] == "$.recurring_holidays[1]"
    assert problems[0][1].startswith(message)
    problems = _problems(
        {"timezone": "UTC", "recurring_exceptions": [{"rule": rule, "windows": []}]}
    )
    assert problems[0][0] == "$.recurring_exceptions[0].rule"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH must be 1 to 12, got 13"),
        ("FREQ=YEARLY;BYMONTH=0", "BYMONTH must be 1 to 12, got 0"),
        ("FREQ=YEARLY;BYMONTH=-1", "BYMONTH must be 1 to 12, got -1"),
        ("freq=yearly;bymonth=13", "BYMONTH must be 1 to 12, got 13"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY must be 1 to 31 or -31 to -1, got 32"),
        ("FREQ=MONTHLY;BYMONTHDAY=-32", "BYMONTHDAY must be 1 to 31 or -31 to -1, got -32"),
        ("FREQ=YEARLY;BYYEARDAY=367", "BYYEARDAY must be 1 to 366 or -366 to -1, got 367"),
        ("FREQ=YEARLY;BYWEEKNO=54", "BYWEEKNO must be 1 to 53 or -53 to -1, got 54"),
        ("FREQ=MONTHLY;BYSETPOS=400;BYDAY=MO", "BYSETPOS must be 1 to 366 or -366 to -1, got 400"),
        ("FREQ=YEARLY;BYEASTER=-200", "BYEASTER must be -80 to 250, got -200"),
        ("FREQ=YEARLY;COUNT=0", "COUNT must be at least 1, got 0"),
        ("FREQ=YEARLY;BYDAY=54MO", "a BYDAY ordinal must be 1 to 53 or -53 to -1, got 54MO"),
        ("FREQ=YEARLY;BYDAY=+0MO", "a BYDAY ordinal must be 1 to 53 or -53 to -1, got +0MO"),
        (
            "FREQ=MONTHLY;BYDAY=6MO",
            "a BYDAY ordinal must be 1 to 5 or -5 to -1 within a month, got 6MO",
        ),
        (
            "FREQ=YEARLY;BYMONTH=5;BYDAY=MO(+6)",
            "a BYDAY ordinal must be 1 to 5 or -5 to -1 within a month, got MO(+6)",
        ),
        (
            "FREQ=WEEKLY;BYDAY=1MO",
            "BYDAY takes an ordinal (1MO) only with FREQ=MONTHLY or YEARLY, and not with BYWEEKNO",
        ),
        (
            "FREQ=YEARLY;BYWEEKNO=1;BYDAY=1MO",
            "BYDAY takes an ordinal (1MO) only with FREQ=MONTHLY or YEARLY, and not with BYWEEKNO",
        ),
        ("FREQ=YEARLY;BYMONTH=1;BYMONTH=2", "part 'BYMONTH' is given more than once"),
        ("FREQ=YEARLY;BYMONTH=1_2", "BYMONTH takes whole numbers separated by ',', got '1_2'"),
        ("FREQ=YEARLY;BYMONTH=", "BYMONTH takes whole numbers separated by ',', got ''"),
    ],
)
def test_a_rule_part_out_of_its_range_is_refused(rule: str, message: str) -> None:
    """A part value RFC 5545 does not allow is refused, naming the part and its range
    (dateutil read BYMONTH=13 and the like, and the rule then silently never fired)."""
    assert _problems({"timezone": "UTC", "recurring_holidays": [rule]}) == [
        ("$.recurring_holidays[0]", message)
    ]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "FREQ",
            "not an RFC 5545 RRULE: part 'FREQ' has no '=' "
            "(expected NAME=VALUE parts separated by ';')",
        ),
        (
            "FREQ=YEARLY;BYMONTH=1=2",
            "not an RFC 5545 RRULE: part 'BYMONTH=1=2' has more than one '=' "
            "(expected NAME=VALUE parts separated by ';')",
        ),
        (
            "FREQ=YEARLY;;BYMONTH=1",
            "not an RFC 5545 RRULE: expected NAME=VALUE parts separated by ';', "
            "got an empty part in 'FREQ=YEARLY;;BYMONTH=1'",
        ),
    ],
)
def test_a_malformed_rule_says_what_is_wrong(rule: str, message: str) -> None:
    """A part that is not NAME=VALUE is named (it was Python's "not enough values to
    unpack (expected 2, got 1)")."""
    assert _problems({"timezone": "UTC", "recurring_holidays": [rule]}) == [
        ("$.recurring_holidays[0]", message)
    ]


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=-31",
        "FREQ=YEARLY;BYDAY=53MO",
        "FREQ=YEARLY;BYDAY=-53MO",
        "FREQ=MONTHLY;BYDAY=-5FR",
        "FREQ=YEARLY;BYMONTH=11;BYDAY=+4TH",
        "FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=-1",
        "FREQ=YEARLY;BYYEARDAY=366,-366",
        "FREQ=YEARLY;BYWEEKNO=-53;BYDAY=MO",
        "FREQ=YEARLY;BYEASTER=1",
        "FREQ=YEARLY;COUNT=1",
        "DTSTART:20260102\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=FR",
    ],
)
def test_rule_parts_at_the_ends_of_their_ranges_are_accepted(rule: str) -> None:
    """The range checks refuse nothing RFC 5545 allows."""
    assert OfficeHours(timezone="UTC", recurring_holidays=[rule]).recurring_holidays == (rule,)


def test_recurring_exception_windows_are_checked_at_their_path() -> None:
    """A bad window of a recurring exception is reported at its own path."""
    problems = _problems(
        {
            "timezone": "UTC",
            "recurring_exceptions": [
                {"rule": CHRISTMAS, "windows": [["09:00", "12:00"], ["11:00", "13:00"]]}
            ],
        }
    )
    assert problems[0][0] == "$.recurring_exceptions[0].windows[1]"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda oh: oh.is_open(None), "at must be an aware datetime, got NoneType None"),
        (
            lambda oh: oh.is_open(date(2026, 3, 2)),
            "at must be an aware datetime, got date datetime.date(2026, 3, 2)",
        ),
        (
            lambda oh: oh.next_open("2026-03-02T10:00:00Z"),
            "after must be an aware datetime, got str '2026-03-02T10:00:00Z'",
        ),
        (
            lambda oh: oh.business_time_between(datetime(2026, 3, 2, tzinfo=UTC), 5),
            "end must be an aware datetime, got int 5",
        ),
        (
            lambda oh: oh.next_open(datetime(2026, 3, 2, tzinfo=UTC), horizon=30),
            "horizon must be a timedelta, got int",
        ),
        (
            lambda oh: oh.add_business_time(datetime(2026, 3, 2, tzinfo=UTC), 5),
            "duration must be a timedelta, got int",
        ),
    ],
)
def test_an_instant_or_horizon_of_the_wrong_kind_is_named(call: object, message: str) -> None:
    """Text, a date, None or a number where an instant or a horizon belongs is a
    ValidationError naming the argument (an AttributeError before)."""
    oh = OfficeHours(timezone="Europe/Paris", weekly={"mon": [("09:00", "17:00")]})
    with pytest.raises(ValidationError) as info:
        call(oh)  # type: ignore[operator]
    assert str(info.value) == message
    assert not isinstance(info.value, NaiveDatetimeError)


@pytest.mark.parametrize(
    ("data", "paths"),
    [
        (
            {"weekly": {"tue": [["9:00", "10:00"]], "xyz": []}},
            {"$.weekly.xyz", "$.weekly.tue[0]"},
        ),
        (
            {
                "recurring_exceptions": [
                    {"rule": "FREQ=YEARLY;BYMONTH=13", "windows": [["25:00", "26:00"]]}
                ]
            },
            {"$.recurring_exceptions[0].rule", "$.recurring_exceptions[0].windows[0]"},
        ),
        (
            {
                "exceptions": {
                    "2026-13-01": [],
                    "2026-12-25": [["10:00", "11:00"], ["10:30", "12:00"]],
                }
            },
            {"$.exceptions.2026-13-01", "$.exceptions.2026-12-25[1]"},
        ),
        (
            {"timezone": "Mars/Base", "holidays": ["2026-12-24"], "exceptions": {"2026-12-24": []}},
            {"$.timezone", "$.exceptions.2026-12-24"},
        ),
    ],
)
def test_every_problem_is_named_when_one_part_fails(data: dict[str, Any], paths: set[str]) -> None:
    """A part that fails does not hide the problems checked after it (a day's windows,
    a recurring exception's, a holiday that is an exception too): from_dict names them
    all, each as it names it alone."""
    given = {"timezone": "UTC", **data}
    with pytest.raises(ValidationError) as info:
        OfficeHours.from_dict(given)
    assert {d.path for d in info.value.details} == paths
    assert len(info.value.details) == len(paths)
