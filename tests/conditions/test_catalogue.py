"""FieldCatalogue.lint: unknown names with did-you-mean, impossible tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.conditions import (
    FieldCatalogue,
    LintIssue,
    event,
    profile,
    segment,
    ticket,
)
from helpdesk_routing.conditions.compile import compile_condition
from helpdesk_routing.conditions.context import EvaluationContext
from helpdesk_routing.model import Ticket, TicketStatus
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData

CATALOGUE = FieldCatalogue(
    ticket_fields={"order_id", "plan"},
    profile_properties={"$country", "churn_risk", "lifetime_value"},
    metrics={"Placed Order", "Escalated conversation"},
    segments={"vip", "at-risk"},
)


def test_a_misspelt_profile_property_gets_a_suggestion() -> None:
    """'churn_rsik' is unknown; the message suggests 'churn_risk'."""
    issues = CATALOGUE.lint((ticket("channel") == "sms") & (profile("churn_rsik") == "High"))
    assert issues == [
        LintIssue(
            "$.conditions[1].property",
            "unknown profile property 'churn_rsik'; did you mean 'churn_risk'?",
        )
    ]


def test_every_kind_of_name_is_checked() -> None:
    """Ticket fields, metrics and segments are checked too, inside any nesting."""
    condition = ~(
        (ticket("plann") == "gold") | event("Placed Ordr").in_last(days=1) | segment("vipp")
    )
    messages = [str(i) for i in CATALOGUE.lint(condition, path="$.rules[0].when")]
    assert messages == [
        "$.rules[0].when.condition.conditions[0].field: unknown ticket field 'plann'; "
        "did you mean 'plan'?",
        "$.rules[0].when.condition.conditions[1].metric: unknown metric 'Placed Ordr'; "
        "did you mean 'Placed Order'?",
        "$.rules[0].when.condition.conditions[2].segment: unknown segment 'vipp'; "
        "did you mean 'vip'?",
    ]


def test_builtin_ticket_fields_are_always_known() -> None:
    """channel, tags, subject, ... need no catalogue entry; a far-off name has no suggestion."""
    condition = (
        (ticket("channel") == "sms")
        & ticket("tags").contains("x")
        & ticket("subject").contains("y")
        & ticket("created_at").in_last(days=1)
        & (ticket("zzzz") == "q")
    )
    assert CATALOGUE.lint(condition) == [
        LintIssue("$.conditions[4].field", "unknown ticket field 'zzzz'")
    ]


def test_unknown_kinds_are_not_checked() -> None:
    """A catalogue that does not know a kind of name does not complain about it."""
    assert FieldCatalogue().lint(profile("anything") == 1) == []
    assert FieldCatalogue(metrics=None).lint(event("Whatever")) == []


def test_impossible_tests_on_builtin_fields_are_reported() -> None:
    """A number test on a text ticket field can never hold."""
    assert FieldCatalogue().lint(ticket("channel") > 3) == [
        LintIssue("$.op", "ticket field 'channel' is text: greater_than never holds")
    ]


def test_a_date_test_on_text_that_may_be_an_iso_date_is_not_reported() -> None:
    """A date test holds on text that is an ISO date (docs/conditions.md, "Values and
    types"): on a subject, channel, priority or id it is no test that never holds; on
    the tags (a list) or the status it is, and a number ``between`` on text is too."""
    at = datetime(2026, 3, 30, tzinfo=UTC)
    lint = FieldCatalogue().lint
    dated = Ticket(id="2026-03-01", channel="email", subject="2026-03-01", created_at=at)
    for field in ("subject", "channel", "priority", "id"):
        for cond in (ticket(field).before(at), ticket(field).between(at - timedelta(days=60), at)):
            assert lint(cond) == []
    for cond in (ticket("subject").before(at), ticket("id").after(at - timedelta(days=60))):
        holds = compile_condition(cond)
        data = InMemoryCustomerData()
        assert holds(EvaluationContext(ticket=dated, profile=None, customer_data=data, now=at))
    for field, kind in (("tags", "a set of text"), ("status", "text")):
        assert lint(ticket(field).before(at)) == [
            LintIssue("$.op", f"ticket field {field!r} is {kind}: before never holds")
        ]
    assert lint(ticket("subject").between(1, 5)) == [
        LintIssue("$.op", "ticket field 'subject' is text: between never holds")
    ]


def test_tests_that_never_hold_on_created_at_status_and_always_set_fields() -> None:
    """A text or number test on ``created_at``, a status no ticket has and ``is_not_set``
    on a field every ticket has are reported; date tests on ``created_at`` and a real
    status are not."""
    lint = FieldCatalogue().lint
    assert lint(ticket("created_at") > 5) == [
        LintIssue("$.op", "ticket field 'created_at' is a date-time: greater_than never holds")
    ]
    assert lint(ticket("created_at") == "2026-03-30") == [
        LintIssue("$.op", "ticket field 'created_at' is a date-time: equals never holds")
    ]
    assert lint(ticket("status") == "opn") == [
        LintIssue(
            "$.value", "ticket field 'status' is open, pending or closed: 'opn' never matches"
        )
    ]
    assert lint(ticket("status").is_in(["opn", "x"])) == [
        LintIssue(
            "$.value",
            "ticket field 'status' is open, pending or closed: ['opn', 'x'] never matches",
        )
    ]
    assert lint(ticket("id").is_not_set()) == [
        LintIssue("$.op", "every ticket has 'id': is_not_set never holds")
    ]
    at = datetime(2026, 3, 30, tzinfo=UTC)
    for fine in (
        ticket("created_at").after(at),
        ticket("created_at").between(at, at),
        ticket("created_at").in_last(days=1),
        ticket("status") == "pending",
        ticket("status").is_in(["opn", "closed"]),
        ticket("priority").is_not_set(),
    ):
        assert lint(fine) == [], fine


_FLAGGED = [
    ticket("created_at") == "2026-03-30T10:00:00+00:00",
    ticket("created_at").is_in(["2026-03-30T10:00:00+00:00"]),
    ticket("created_at").contains("2026"),
    ticket("created_at").starts_with("2026"),
    ticket("created_at").ends_with("00:00"),
    ticket("created_at") >= 0,
    ticket("created_at") < 2**62,
    ticket("created_at").between(0, 2**40),
    ticket("created_at").is_not_set(),
    ticket("status") == "opn",
    ticket("status").is_in(["Open", "CLOSED"]),
    ticket("status").is_not_set(),
    ticket("channel").is_not_set(),
]


@given(
    status=st.sampled_from(list(TicketStatus)),
    minute=st.integers(0, 10**6),
    channel=st.sampled_from(["sms", "email", "2026"]),
)
def test_what_lint_says_never_holds_never_holds(
    status: TicketStatus, minute: int, channel: str
) -> None:
    """Every test lint flags as never holding is false on any ticket (the lint is sound)."""
    created = datetime(2026, 3, 30, 10, tzinfo=UTC) + timedelta(minutes=minute)
    t = Ticket(id="2026", channel=channel, created_at=created, status=status)
    ctx = EvaluationContext(t, None, InMemoryCustomerData(), created)
    for condition in _FLAGGED:
        assert FieldCatalogue().lint(condition), condition
        assert not compile_condition(condition)(ctx), condition
