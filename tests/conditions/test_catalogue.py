"""FieldCatalogue.lint: unknown names with did-you-mean, impossible tests."""

from __future__ import annotations

from helpdesk_routing.conditions import (
    FieldCatalogue,
    LintIssue,
    event,
    profile,
    segment,
    ticket,
)

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
