"""Every operator on present, missing and wrong-typed values (docs/conditions.md)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from helpdesk_routing.conditions import (
    Condition,
    ProfileCondition,
    TicketCondition,
    compile_condition,
    profile,
    ticket,
)
from helpdesk_routing.model import Profile
from tests.conditions.helpers import NOW, context, holds, make_ticket

HOUR = timedelta(hours=1)

# (condition on property "p", value of "p", expected); "MISSING" = property absent.
MISSING = object()
CASES: list[tuple[str, Condition, Any, bool]] = [
    ("equals text", profile("p") == "France", "France", True),
    ("equals is case-sensitive", profile("p") == "France", "france", False),
    ("equals other text", profile("p") == "France", "Spain", False),
    ("equals missing", profile("p") == "France", MISSING, False),
    ("equals None is missing", profile("p") == "France", None, False),
    ("equals wrong type", profile("p") == "5", 5, False),
    ("equals number", profile("p") == 5, 5.0, True),
    ("equals number vs text", profile("p") == 5, "5", False),
    ("equals bool is not a number", profile("p") == 1, True, False),
    ("equals bool", profile("p") == True, True, True),  # noqa: E712
    ("equals inside a list", profile("p") == "fr", ["en", "fr"], True),
    ("equals not in list", profile("p") == "de", ["en", "fr"], False),
    ("not_equals text", profile("p") != "France", "Spain", True),
    ("not_equals same", profile("p") != "France", "France", False),
    ("not_equals holds on missing", profile("p") != "France", MISSING, True),
    ("not_equals holds on wrong type", profile("p") != "5", 5, True),
    ("contains substring", profile("p").contains("ran"), "France", True),
    ("contains is case-sensitive", profile("p").contains("RAN"), "France", False),
    ("contains list member", profile("p").contains("fr"), ["en", "fr"], True),
    ("contains list is exact", profile("p").contains("f"), ["en", "fr"], False),
    ("contains missing", profile("p").contains("a"), MISSING, False),
    ("contains wrong type", profile("p").contains("5"), 5, False),
    ("not_contains substring", profile("p").not_contains("ran"), "France", False),
    ("not_contains holds on missing", profile("p").not_contains("a"), MISSING, True),
    ("not_contains holds on wrong type", profile("p").not_contains("5"), 55, True),
    ("starts_with", profile("p").starts_with("Fr"), "France", True),
    ("starts_with no", profile("p").starts_with("ra"), "France", False),
    ("starts_with list element", profile("p").starts_with("f"), ["en", "fr"], True),
    ("starts_with missing", profile("p").starts_with("F"), MISSING, False),
    ("starts_with wrong type", profile("p").starts_with("1"), 12, False),
    ("ends_with", profile("p").ends_with("ce"), "France", True),
    ("ends_with no", profile("p").ends_with("Fr"), "France", False),
    ("ends_with missing", profile("p").ends_with("e"), MISSING, False),
    ("ends_with wrong type", profile("p").ends_with("2"), 12, False),
    ("is_set", profile("p").is_set(), "x", True),
    ("is_set on empty text", profile("p").is_set(), "", True),
    ("is_set on zero", profile("p").is_set(), 0, True),
    ("is_set missing", profile("p").is_set(), MISSING, False),
    ("is_set None", profile("p").is_set(), None, False),
    ("is_not_set missing", profile("p").is_not_set(), MISSING, True),
    ("is_not_set present", profile("p").is_not_set(), "x", False),
    ("in list", profile("p").is_in(["France", "Spain"]), "Spain", True),
    ("in list no", profile("p").is_in(["France", "Spain"]), "Italy", False),
    ("in list mixed kinds", profile("p").is_in(["5", 5]), 5, True),
    ("in list wrong type", profile("p").is_in(["5"]), 5, False),
    ("in list of list values", profile("p").is_in(["fr"]), ["en", "fr"], True),
    ("in missing", profile("p").is_in(["France"]), MISSING, False),
    ("in empty list", profile("p").is_in([]), "France", False),
    ("not_in list", profile("p").not_in(["France"]), "Spain", True),
    ("not_in member", profile("p").not_in(["France"]), "France", False),
    ("not_in holds on missing", profile("p").not_in(["France"]), MISSING, True),
    ("not_in holds on wrong type", profile("p").not_in(["5"]), 5, True),
    ("greater_than", profile("p") > 500, 501, True),
    ("greater_than equal", profile("p") > 500, 500, False),
    ("greater_than float", profile("p") > 500, 500.5, True),
    ("greater_than missing", profile("p") > 500, MISSING, False),
    ("greater_than text", profile("p") > 500, "900", False),
    ("greater_than bool", profile("p") > 0, True, False),
    ("greater_or_equal", profile("p") >= 500, 500, True),
    ("greater_or_equal below", profile("p") >= 500, 499.9, False),
    ("greater_or_equal missing", profile("p") >= 0, MISSING, False),
    ("less_than", profile("p") < 500, 499, True),
    ("less_than equal", profile("p") < 500, 500, False),
    ("less_than missing", profile("p") < 500, MISSING, False),
    ("less_than text", profile("p") < 500, "1", False),
    ("less_or_equal", profile("p") <= 500, 500, True),
    ("less_or_equal above", profile("p") <= 500, 501, False),
    ("less_or_equal list", profile("p") <= 500, [1], False),
    ("between low end included", profile("p").between(10, 20), 10, True),
    ("between high end included", profile("p").between(10, 20), 20, True),
    ("between outside", profile("p").between(10, 20), 20.01, False),
    ("between missing", profile("p").between(10, 20), MISSING, False),
    ("between text", profile("p").between(10, 20), "15", False),
    ("between dates", profile("p").between(NOW - HOUR, NOW), NOW - HOUR, True),
    ("between dates outside", profile("p").between(NOW - HOUR, NOW), NOW + HOUR, False),
    ("between dates on number", profile("p").between(NOW - HOUR, NOW), 5, False),
    ("before", profile("p").before(NOW), NOW - timedelta(microseconds=1), True),
    ("before is strict", profile("p").before(NOW), NOW, False),
    ("before missing", profile("p").before(NOW), MISSING, False),
    # (A naive datetime is refused by the models: tests/test_s31_naive_custom_values.py.)
    ("before ISO text", profile("p").before(NOW), "2026-03-30T11:00:00+00:00", True),
    ("before ISO text with offset", profile("p").before(NOW), "2026-03-30T13:30:00+02:00", True),
    ("before naive ISO text", profile("p").before(NOW), "2020-03-30T11:00:00", False),
    ("before date is midnight UTC", profile("p").before(NOW), date(2026, 3, 30), True),
    ("before date-only text", profile("p").before(NOW), "2026-03-30", True),
    ("before garbage text", profile("p").before(NOW), "yesterday", False),
    # Only the condition JSON's own forms are dates: what Python's fromisoformat reads
    # besides (week dates, basic forms, a lone hour, ordinal dates) is the wrong type.
    ("before week date", profile("p").before(NOW), "2026-W13-1", False),
    ("before basic date", profile("p").before(NOW), "20260323", False),
    ("before basic date-time", profile("p").before(NOW), "20260323T120000Z", False),
    ("before lone hour", profile("p").before(NOW), "2026-03-23T12Z", False),
    ("before ordinal date", profile("p").before(NOW), "2026-082", False),
    ("before lower-case z", profile("p").before(NOW), "2026-03-23t12:00:00z", True),
    ("before space and fraction", profile("p").before(NOW), "2026-03-23 12:00:00.5+01", True),
    ("before number", profile("p").before(NOW), 1_700_000_000, False),
    ("after", profile("p").after(NOW), NOW + timedelta(microseconds=1), True),
    ("after is strict", profile("p").after(NOW), NOW, False),
    ("after missing", profile("p").after(NOW), MISSING, False),
    ("after date is midnight UTC", profile("p").after(NOW), date(2026, 3, 30), False),
    ("in_last start included", profile("p").in_last(days=30), NOW - timedelta(days=30), True),
    (
        "in_last before start",
        profile("p").in_last(days=30),
        NOW - timedelta(days=30, microseconds=1),
        False,
    ),
    ("in_last now included", profile("p").in_last(days=30), NOW, True),
    ("in_last future", profile("p").in_last(days=30), NOW + timedelta(microseconds=1), False),
    ("in_last missing", profile("p").in_last(days=30), MISSING, False),
    ("in_last text", profile("p").in_last(days=30), "recently", False),
    ("in_next end included", profile("p").in_next(days=7), NOW + timedelta(days=7), True),
    (
        "in_next after end",
        profile("p").in_next(days=7),
        NOW + timedelta(days=7, microseconds=1),
        False,
    ),
    ("in_next now included", profile("p").in_next(days=7), NOW, True),
    ("in_next past", profile("p").in_next(days=7), NOW - timedelta(microseconds=1), False),
    ("in_next missing", profile("p").in_next(days=7), MISSING, False),
    ("in_next ISO date", profile("p").in_next(days=7), "2026-04-02", True),
]


@pytest.mark.parametrize(
    ("condition", "value", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_profile_operator(condition: Condition, value: Any, expected: bool) -> None:
    """Each operator gives the documented answer on a present, missing or wrong-typed value."""
    properties = {} if value is MISSING else {"p": value}
    assert holds(condition, context(properties=properties)) is expected


@pytest.mark.parametrize(
    ("condition", "value", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_custom_ticket_field_operator(condition: Condition, value: Any, expected: bool) -> None:
    """A custom ticket field follows exactly the same rules as a profile property."""
    assert isinstance(condition, ProfileCondition)
    on_ticket = TicketCondition(field=condition.property, op=condition.op, value=condition.value)
    fields = {} if value is MISSING else {"p": value}
    assert holds(on_ticket, context(make_ticket(fields=fields))) is expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (profile("p") == "x", False),
        (profile("p") != "x", True),
        (profile("p").is_not_set(), True),
        (profile("p").not_in(["x"]), True),
        (profile("p").not_contains("x"), True),
        (profile("p") > 0, False),
    ],
)
def test_a_ticket_without_profile_has_no_properties(condition: Condition, expected: bool) -> None:
    """No profile: every property is not set, so only the negative tests hold."""
    assert holds(condition, context(no_profile=True)) is expected


def test_negative_operators_hold_on_a_missing_property() -> None:
    """not_equals, not_contains and not_in hold on a missing property (the loud rule)."""
    ctx = context(properties={})
    assert holds(profile("$country") != "France", ctx)
    assert holds(profile("$country").not_contains("Fr"), ctx)
    assert holds(profile("$country").not_in(["France", "Spain"]), ctx)


class TestTicketFields:
    """The built-in ticket fields."""

    def test_channel_equals(self) -> None:
        """channel equals is exact."""
        assert holds(ticket("channel") == "sms", context(make_ticket(channel="sms")))
        assert not holds(ticket("channel") == "SMS", context(make_ticket(channel="sms")))

    def test_channel_in(self) -> None:
        """channel in a list."""
        assert holds(
            ticket("channel").is_in(["sms", "webchat"]), context(make_ticket(channel="sms"))
        )
        assert not holds(ticket("channel").is_in(["email"]), context(make_ticket(channel="sms")))

    def test_tags_contains_is_exact_membership(self) -> None:
        """tags contains X: the ticket carries exactly the tag X (case-sensitive, no substring)."""
        ctx = context(make_ticket(tags={"Order", "Return"}))
        assert holds(ticket("tags").contains("Order"), ctx)
        assert not holds(ticket("tags").contains("order"), ctx)
        assert not holds(ticket("tags").contains("Ord"), ctx)

    def test_tags_equals_is_membership(self) -> None:
        """tags equals X means the same as tags contains X."""
        ctx = context(make_ticket(tags={"Order", "Return"}))
        assert holds(ticket("tags") == "Order", ctx)
        assert not holds(ticket("tags") == "VIP", ctx)
        assert holds(ticket("tags") != "VIP", ctx)

    def test_tags_in_shares_a_tag(self) -> None:
        """tags in [..]: the ticket carries at least one of the listed tags."""
        ctx = context(make_ticket(tags={"Order"}))
        assert holds(ticket("tags").is_in(["VIP", "Order"]), ctx)
        assert not holds(ticket("tags").is_in(["VIP"]), ctx)
        assert holds(ticket("tags").not_in(["VIP"]), ctx)

    def test_tags_starts_with_any_tag(self) -> None:
        """starts_with on tags holds when some tag starts with the text."""
        assert holds(ticket("tags").starts_with("Ord"), context(make_ticket(tags={"Order"})))

    def test_no_tags_is_not_set(self) -> None:
        """An empty tag set is not set: contains fails, not_contains and is_not_set hold."""
        ctx = context(make_ticket(tags=set()))
        assert not holds(ticket("tags").contains("Order"), ctx)
        assert holds(ticket("tags").not_contains("Order"), ctx)
        assert holds(ticket("tags").is_not_set(), ctx)
        assert not holds(ticket("tags").is_set(), ctx)

    def test_subject_contains_is_substring(self) -> None:
        """subject contains is a case-sensitive substring test."""
        ctx = context(make_ticket(subject="Where is my Order?"))
        assert holds(ticket("subject").contains("my Order"), ctx)
        assert not holds(ticket("subject").contains("order"), ctx)

    def test_empty_subject_is_not_set(self) -> None:
        """A ticket without subject: is_not_set holds and equals '' does not."""
        ctx = context(make_ticket(subject=""))
        assert holds(ticket("subject").is_not_set(), ctx)
        assert not holds(ticket("subject") == "", ctx)

    def test_priority_none_is_not_set(self) -> None:
        """priority None is not set."""
        ctx = context(make_ticket(priority=None))
        assert not holds(ticket("priority") == "high", ctx)
        assert holds(ticket("priority") != "high", ctx)
        assert holds(ticket("priority").is_not_set(), ctx)

    def test_status_compares_as_text(self) -> None:
        """status is compared by its text value."""
        ctx = context(make_ticket(status="pending"))
        assert holds(ticket("status") == "pending", ctx)
        assert holds(ticket("status").is_in(["open", "pending"]), ctx)

    def test_created_at_date_tests(self) -> None:
        """created_at works with the date operators."""
        ctx = context(make_ticket(created_at=NOW - HOUR))
        assert holds(ticket("created_at").in_last(hours=1), ctx)
        assert holds(ticket("created_at").before(NOW), ctx)
        assert not holds(ticket("created_at").after(NOW), ctx)

    def test_number_test_on_text_field_is_false(self) -> None:
        """A number test on a text field is a wrong type: false, and the trace says so."""
        condition = ticket("channel") > 3
        ctx = context(make_ticket(channel="sms"))
        assert not holds(condition, ctx)
        assert "wrong type" in compile_condition(condition).explain(ctx).reason

    def test_builtin_field_wins_over_custom_field(self) -> None:
        """A custom field named like a built-in one is not read."""
        ctx = context(make_ticket(channel="sms", fields={"channel": "email"}))
        assert holds(ticket("channel") == "sms", ctx)


def test_a_foreign_object_never_raises() -> None:
    """A property value whose comparison raises makes the test false, never an error."""

    class Weird:
        def __eq__(self, other: object) -> bool:
            raise RuntimeError("no")

        def __hash__(self) -> int:
            return 0

    # The models refuse such values (tests/test_model_storable.py); a model built without
    # validation still must not make evaluation raise.
    weird = Profile.model_construct(
        id="p1", properties={"p": Weird(), "q": [Weird()]}, segments=frozenset()
    )
    ctx = dataclasses.replace(context(), profile=weird)
    assert not holds(profile("p") == 5, ctx)
    assert holds(profile("p") != 5, ctx)
    assert not holds(profile("q").is_in([1]), ctx)


def test_aware_values_in_other_zones_compare_as_instants() -> None:
    """A date property with another UTC offset is compared by instant."""
    paris = datetime(2026, 3, 30, 13, 30, tzinfo=UTC).astimezone()
    assert holds(profile("p").after(NOW), context(properties={"p": paris}))
