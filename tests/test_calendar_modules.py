"""The calendar's model lives in ``calendar``, its open-time plan in ``_open_time`` and its
time-zone helpers in ``_zones``: the public names are still had from
``helpdesk_routing.calendar``."""

from __future__ import annotations

import inspect
import pickle

from helpdesk_routing import _zones, calendar


def test_the_time_zone_helpers_are_the_calendar_s_and_readable() -> None:
    """``wall_time_to_utc`` and ``iana_zone_keys`` live in ``_zones``: ``calendar`` gives
    the same objects, ``inspect`` reads their source, and a pickle that names them in
    ``helpdesk_routing.calendar`` (made before they moved) loads them."""
    for name in ("wall_time_to_utc", "iana_zone_keys"):
        public = getattr(calendar, name)
        assert public is getattr(_zones, name)
        assert f"def {name}(" in inspect.getsource(public)
        old = pickle.dumps(public, protocol=0).replace(
            b"helpdesk_routing._zones", b"helpdesk_routing.calendar"
        )
        assert b"helpdesk_routing._zones" not in old
        assert pickle.loads(old) is public
