"""The calendar's model lives in ``calendar``, its open-time plan in ``_open_time`` and its
time-zone helpers in ``_zones``: what one module states, the others agree with, and the
public names still say ``helpdesk_routing.calendar``."""

from __future__ import annotations

import pickle
from typing import get_args

from helpdesk_routing import _open_time, calendar


def test_the_plan_walks_the_weekdays_the_model_names() -> None:
    """The plan's weekdays are ``Weekday``'s values, Monday first, in the same order."""
    assert get_args(calendar.Weekday) == _open_time._WEEKDAYS


def test_the_time_zone_helpers_say_they_are_the_calendar_s() -> None:
    """``wall_time_to_utc`` and ``iana_zone_keys`` name ``helpdesk_routing.calendar`` in a
    repr, in ``help()`` and in a pickle, where users import them."""
    for public in (calendar.wall_time_to_utc, calendar.iana_zone_keys):
        assert public.__module__ == "helpdesk_routing.calendar"
        kept = pickle.dumps(public)
        assert b"helpdesk_routing.calendar" in kept
        assert pickle.loads(kept) is public
