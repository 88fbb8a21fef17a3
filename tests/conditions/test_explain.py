"""explain(): a trace per node saying whether it held and why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helpdesk_routing.conditions import compile_condition, event, profile, segment, ticket
from helpdesk_routing.model import Event
from tests.conditions.helpers import NOW, context, make_ticket


def test_trace_mirrors_the_tree_with_json_paths() -> None:
    """Each node's trace carries its JSON path, description and verdict."""
    condition = (ticket("channel") == "sms") & ticket("tags").contains("Order")
    trace = compile_condition(condition).explain(context(make_ticket(channel="sms", tags={"X"})))
    assert not trace.holds
    assert trace.reason == "1 of 2 held"
    first, second = trace.children
    assert (first.path, first.holds, first.description) == (
        "$.conditions[0]",
        True,
        "ticket.channel equals 'sms'",
    )
    assert (second.path, second.holds, second.reason) == (
        "$.conditions[1]",
        False,
        "value seen: {'X'}",
    )


def test_trace_reports_not_set_and_wrong_type() -> None:
    """A missing property reads 'not set'; a wrong type says so."""
    ctx = context(properties={"ltv": "lots"})
    missing = compile_condition(profile("$country") == "France").explain(ctx)
    assert missing.reason == "not set"
    wrong = compile_condition(profile("ltv") > 500).explain(ctx)
    assert not wrong.holds
    assert wrong.reason == "value seen: 'lots' (wrong type: number needed, saw text)"


def test_trace_reports_the_event_count_and_window() -> None:
    """An event node's reason gives the count found and the window's bounds."""
    events = [
        Event(profile_id="p1", metric="Placed Order", timestamp=NOW - timedelta(minutes=m))
        for m in (10, 50, 500)
    ]
    trace = compile_condition(event("Placed Order").at_least(2).in_last(hours=2)).explain(
        context(events=events)
    )
    assert trace.holds
    assert trace.reason == (
        "found at least 2 in [2026-03-30T10:00:00+00:00, 2026-03-30T12:00:00+00:00]"
        " (counting stopped: decided)"
    )
    assert trace.description == "event 'Placed Order' at least 2 times in the last 2 hours"
    fewer = compile_condition(event("Placed Order").at_least(3).in_last(hours=2)).explain(
        context(events=events)
    )
    assert not fewer.holds
    assert fewer.reason.startswith("found 2 in [2026-03-30T10:00:00+00:00, ")


def test_counting_stops_once_the_count_test_is_decided() -> None:
    """at_most(1) counts at most two events: the trace says it stopped, the verdict is right."""
    events = [
        Event(profile_id="p1", metric="Placed Order", timestamp=NOW - timedelta(minutes=m))
        for m in range(1, 6)
    ]
    trace = compile_condition(event("Placed Order").at_most(1).in_last(hours=2)).explain(
        context(events=events)
    )
    assert trace.holds is False
    assert trace.reason.startswith("found at least 2 in [")
    never = compile_condition(event("Placed Order").at_least(0)).explain(context(events=events))
    assert never.holds
    assert never.reason == "any number of events passes: not counted"


def test_trace_of_not_and_segments_without_profile() -> None:
    """not flips its child; a segment test without profile says there is none."""
    trace = compile_condition(~segment("vip")).explain(context(no_profile=True))
    assert trace.holds
    assert trace.children[0].reason == "no profile: in no segment"
    assert trace.children[0].path == "$.condition"


def test_nodes_after_the_deciding_child_are_not_evaluated() -> None:
    """The trace follows the predicate's short-circuit: later children are marked unreached."""
    condition = (ticket("channel") == "sms") & (profile("churn_risk") == "High") & segment("vip")
    trace = compile_condition(condition).explain(context(make_ticket(channel="email")))
    assert trace.holds is False
    assert trace.reason == "0 of 3 held, 2 not evaluated"
    assert [c.holds for c in trace.children] == [False, None, None]
    assert trace.children[1].reason == "not evaluated: decided before it was reached"
    assert trace.render().splitlines()[2] == (
        "  · profile.churn_risk equals 'High' — not evaluated: decided before it was reached"
    )


def test_render_is_readable() -> None:
    """render() gives one line per node with a check mark."""
    condition = (ticket("channel") == "sms") | (profile("churn_risk") == "High")
    text = compile_condition(condition).explain(context(properties={"churn_risk": "High"})).render()
    assert text.splitlines() == [
        "✓ any of 2 — 1 of 2 held",
        "  ✗ ticket.channel equals 'sms' — value seen: 'email'",
        "  ✓ profile.churn_risk equals 'High' — value seen: 'High'",
    ]


def test_an_empty_list_is_said_to_be_empty_not_nothing() -> None:
    """An empty list tested by ``equals``/``in``/``contains`` is reported as an empty list
    (it read "saw nothing", as if no value were there)."""
    ctx = context(properties={"langs": [], "codes": ()})
    for condition in (
        profile("langs") == "nl",
        profile("langs").is_in(["nl", "sv"]),
        profile("langs").contains("nl"),
    ):
        trace = compile_condition(condition).explain(ctx)
        assert trace.reason == "value seen: [] (wrong type: text needed, saw an empty list)"
    # A tuple is read in its stored form, a list, as every store gives it back.
    trace = compile_condition(profile("codes") == 5).explain(ctx)
    assert trace.reason == "value seen: [] (wrong type: number needed, saw an empty list)"


def test_a_window_shows_the_instants_it_counts_both_ends_included() -> None:
    """A window is shown by the first and the last instant it counts: ``now`` for one up
    to now (not the microsecond after, the store's exclusive bound); ``between`` ends on
    its end; open ends show as infinity."""
    since = datetime(2026, 3, 1, tzinfo=UTC)
    cases = [
        (
            event("m").at_least(1).in_last(hours=2),
            "[2026-03-30T10:00:00+00:00, 2026-03-30T12:00:00+00:00]",
        ),
        (
            event("m").at_least(1).between(since, NOW - timedelta(hours=1)),
            "[2026-03-01T00:00:00+00:00, 2026-03-30T11:00:00+00:00]",
        ),
        (event("m").at_least(1), "[-∞, 2026-03-30T12:00:00+00:00]"),
    ]
    for condition, shown in cases:
        trace = compile_condition(condition).explain(context(events=[]))
        assert trace.reason == f"found 0 in {shown}"


def test_a_window_at_the_last_instant_there_is_ends_at_it() -> None:
    """``now`` the last instant there is (no microsecond after it to bound the count):
    the window is shown ending at ``now``, closed, as every window is (it read ``+∞)``)."""
    import helpdesk_routing as hr
    from helpdesk_routing.conditions import EvaluationContext

    last = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
    person = hr.Profile(id="p")
    data = hr.InMemoryCustomerData(
        profiles=[person], events=[Event(profile_id="p", metric="M", timestamp=last)]
    )
    ctx = EvaluationContext(
        ticket=make_ticket(profile_id="p"), profile=person, customer_data=data, now=last
    )
    shown = {
        "all_time": (event("M").all_time(), "[-∞, 9999-12-31T23:59:59.999999+00:00]"),
        "in_last": (
            event("M").in_last(hours=2),
            "[9999-12-31T21:59:59.999999+00:00, 9999-12-31T23:59:59.999999+00:00]",
        ),
    }
    for name, (condition, window) in shown.items():
        text = compile_condition(condition).explain(ctx).render()
        assert f"found at least 1 in {window} (counting stopped: decided)" in text, name
        assert "∞)" not in text
