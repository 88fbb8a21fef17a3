"""``overnight_webchat`` counts every webchat ticket that came while office hours were
closed, one still waiting when the run ended too (it counted only those that started:
fewer, and not the same tickets from one run to another on the same arrivals); the
mean wait is of those that started, and the demo says how many had not."""

from __future__ import annotations

import math
from datetime import timedelta

from helpdesk_routing.simulation import run
from helpdesk_routing.simulation.demo import demo, overnight_webchat, webshop_week


def test_tickets_that_never_started_count() -> None:
    week = webshop_week().model_copy(update={"days": 1.0, "drain_days": 0.0})
    result = run(week)
    hours = week.configuration.office_hours
    assert hours is not None
    r = result.records
    came = [
        (c, s)
        for c, ch, s in zip(r.created, r.channel, r.started, strict=True)
        if ch == "webchat" and not hours.is_open(week.start + timedelta(seconds=c))
    ]
    started = [s - c for c, s in came if not math.isnan(s)]
    assert 0 < len(started) < len(came)  # the case: some never started
    count, wait = overnight_webchat(result, week)
    assert count == len(came)
    assert wait == math.fsum(started) / len(started)
    [line] = [x for x in demo(week).splitlines() if "webchat tickets came" in x]
    assert line.startswith(f"  {len(came)} webchat tickets came while office hours were closed")
    assert f"the {len(started)} that started waited" in line
    assert f"{len(came) - len(started)} had not started when the run ended" in line
