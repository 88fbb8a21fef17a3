"""Hypothesis strategies for time: zones, instants near real DST transitions, schedules.

Uniformly random instants almost never meet a daylight-saving transition, so the
instants here are drawn within hours of real transitions (found in the zone
database), often on quarter hours, where window bounds fall. Schedules favour
window bounds near 00:00, 02:00-03:00 and 24:00, where transitions happen.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from helpdesk_routing.calendar import OfficeHours

__all__ = [
    "INTERESTING_MINUTES",
    "RECURRING_RULES",
    "ZONES",
    "aware_instants",
    "day_windows",
    "display_zones",
    "instants_near_transitions",
    "office_hours",
    "transitions",
    "weekly_schedules",
    "zone_keys",
]

ZONES: tuple[str, ...] = (
    "Europe/Amsterdam",
    "America/New_York",
    "Australia/Lord_Howe",  # a 30-minute DST shift
    "Asia/Kolkata",  # no DST, a half-hour offset
    "UTC",
    "America/Santiago",  # transitions at local midnight
    "America/Goose_Bay",  # until 2010 fell back from 00:01 to 23:01 of the day before
)
"""Zones whose transitions cover the awkward cases."""

INTERESTING_MINUTES: tuple[int, ...] = (
    0,
    1,
    30,
    60,
    61,
    90,
    120,
    135,
    150,
    165,
    180,
    195,
    210,
    540,
    1020,
    1320,
    1380,
    1410,
    1439,
    1440,
)
"""Minutes after local midnight where bounds meet transitions (1440 is 24:00)."""

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_YEARS = (2025, 2027)
# Zones whose interesting transitions are history.
_YEARS_OF = {"America/Goose_Bay": (2005, 2007)}


@cache
def transitions(
    zone_key: str, first_year: int | None = None, last_year: int | None = None
) -> tuple[datetime, ...]:
    """The UTC instants at which ``zone_key`` changes its offset, in the given years.

    The years default to 2025-2027 (2005-2007 for Goose Bay). Found by stepping
    through the zone half a day at a time and bisecting to the second, so no private
    zoneinfo data is read.
    """
    default_first, default_last = _YEARS_OF.get(zone_key, _YEARS)
    first_year = default_first if first_year is None else first_year
    last_year = default_last if last_year is None else last_year
    zone = ZoneInfo(zone_key)
    found: list[datetime] = []
    moment = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    step = timedelta(hours=12)
    while moment < end:
        nxt = moment + step
        if moment.astimezone(zone).utcoffset() != nxt.astimezone(zone).utcoffset():
            before = moment.astimezone(zone).utcoffset()
            low, high = 0, int(step.total_seconds())
            while high - low > 1:
                middle = (low + high) // 2
                if (moment + timedelta(seconds=middle)).astimezone(zone).utcoffset() == before:
                    low = middle
                else:
                    high = middle
            found.append(moment + timedelta(seconds=high))
        moment = nxt
    return tuple(found)


def zone_keys() -> st.SearchStrategy[str]:
    """One of :data:`ZONES`."""
    return st.sampled_from(ZONES)


def _references(zone_key: str) -> tuple[datetime, ...]:
    """Transitions of the zone, or (for zones without any) a few local midnights."""
    found = transitions(zone_key)
    if found:
        return found
    zone = ZoneInfo(zone_key)
    return tuple(datetime(2026, month, 1, tzinfo=zone).astimezone(UTC) for month in (3, 6, 10, 12))


def instants_near_transitions(
    zone_key: str | None = None, *, spread: timedelta = timedelta(hours=40)
) -> st.SearchStrategy[datetime]:
    """Aware UTC instants (whole seconds) within ``spread`` of a real transition of the zone.

    Half of them fall on a quarter hour from the transition, give or take a second,
    which is where window bounds land; the others anywhere in the spread.
    """
    keys = zone_keys() if zone_key is None else st.just(zone_key)
    seconds = int(spread.total_seconds())
    quarters = seconds // 900
    offsets = st.one_of(
        st.integers(-seconds, seconds),
        st.builds(
            lambda q, jitter: q * 900 + jitter,
            st.integers(-quarters, quarters),
            st.sampled_from((-1, 0, 0, 0, 1)),
        ),
    )
    return keys.flatmap(
        lambda key: st.builds(
            lambda reference, offset: reference + timedelta(seconds=offset),
            st.sampled_from(_references(key)),
            offsets,
        )
    )


def display_zones() -> st.SearchStrategy[tzinfo]:
    """Time zones to present an instant in: IANA zones and fixed offsets."""
    return st.one_of(
        st.sampled_from(ZONES).map(ZoneInfo),
        st.sampled_from(
            (UTC, timezone(timedelta(hours=-3, minutes=-30)), timezone(timedelta(hours=14)))
        ),
    )


def aware_instants(zone_key: str | None = None) -> st.SearchStrategy[datetime]:
    """Instants near real transitions, each presented in some time zone (any, not only UTC)."""
    return st.builds(
        lambda instant, zone: instant.astimezone(zone),
        instants_near_transitions(zone_key),
        display_zones(),
    )


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def _minute(draw: st.DrawFn, low: int, high: int) -> int:
    """A minute in ``[low, high]``, often one of :data:`INTERESTING_MINUTES` (mod a day)."""
    liked = [m for m in range(low, high + 1) if m % 1440 in INTERESTING_MINUTES or m == 1440]
    favour: bool = draw(st.booleans())
    if liked and favour:
        return draw(st.sampled_from(liked))
    return draw(st.integers(low, high))


@st.composite
def day_windows(
    draw: st.DrawFn, *, max_windows: int = 3, overnight: bool = True
) -> list[tuple[str, str]]:
    """One day's windows: up to ``max_windows``, not overlapping, in random order.

    With ``overnight`` the last window may cross midnight (its end at or before its
    start, up to 24 hours long).
    """
    count = draw(st.integers(0, max_windows))
    windows: list[tuple[str, str]] = []
    cursor = 0
    for _ in range(count):
        if cursor > 1439:
            break
        start = draw(_minute(cursor, 1439))
        latest = start + 1440 if overnight else 1440
        end = draw(_minute(start + 1, latest))
        if end == 1440:
            text = draw(st.sampled_from(("24:00", "00:00")))
        elif end > 1440:
            text = _hhmm(end - 1440)
        else:
            text = _hhmm(end)
        windows.append((_hhmm(start), text))
        cursor = end
    return draw(st.permutations(windows)) if windows else windows


def weekly_schedules(
    *, max_windows: int = 3, overnight: bool = True
) -> st.SearchStrategy[dict[str, list[tuple[str, str]]]]:
    """A weekly schedule: some days, each with :func:`day_windows`; sometimes 24/7."""
    always = {day: [("00:00", "24:00")] for day in _WEEKDAYS}
    return st.one_of(
        st.just(always),
        st.dictionaries(
            st.sampled_from(_WEEKDAYS),
            day_windows(max_windows=max_windows, overnight=overnight),
            max_size=7,
        ),
    )


def _near_dates(zone_key: str) -> list[date]:
    zone = ZoneInfo(zone_key)
    return sorted(
        {
            (reference.astimezone(zone) + timedelta(days=shift)).date()
            for reference in _references(zone_key)
            for shift in (-2, -1, 0, 1, 2)
        }
    )


@st.composite
def office_hours(
    draw: st.DrawFn,
    zone_key: str | None = None,
    *,
    holidays: bool = True,
    exceptions: bool = True,
) -> OfficeHours:
    """An :class:`OfficeHours` with holidays and exceptions on dates near transitions."""
    key = draw(zone_keys()) if zone_key is None else zone_key
    candidates = _near_dates(key)
    holiday_dates = (
        draw(st.lists(st.sampled_from(candidates), max_size=3, unique=True)) if holidays else []
    )
    free = [d for d in candidates if d not in holiday_dates]
    exception_days = (
        draw(
            st.dictionaries(st.sampled_from(free), day_windows(), max_size=3)
            if free
            else st.just({})
        )
        if exceptions
        else {}
    )
    recurring = draw(st.lists(st.sampled_from(RECURRING_RULES), max_size=2, unique=True))
    recurring_exceptions = (
        draw(
            st.lists(
                st.builds(
                    lambda rule, windows: {"rule": rule, "windows": windows},
                    st.sampled_from(RECURRING_RULES),
                    day_windows(),
                ),
                max_size=1,
            )
        )
        if exceptions
        else []
    )
    return OfficeHours(
        timezone=key,
        weekly=draw(weekly_schedules()),
        holidays=holiday_dates,
        exceptions=exception_days,
        recurring_holidays=recurring if holidays else [],
        recurring_exceptions=recurring_exceptions,
    )


RECURRING_RULES: tuple[str, ...] = (
    "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25",  # a fixed date
    "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",  # the last Sunday of March: EU spring forward
    "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",  # the last Sunday of October: EU fall back
    "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU",  # the second Sunday of March: US spring forward
    "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU",  # the first Sunday of November: US fall back
    "FREQ=MONTHLY;BYDAY=1MO",  # the first Monday of every month
)
"""RRULEs for recurring holidays and exceptions, several landing on DST transition days."""
