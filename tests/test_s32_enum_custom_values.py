"""A custom value that is an enum member: a str, int or float enum's member is kept as
its value (conditions.md); a plain Enum's is refused with a message that says so and
what to pass instead."""

from __future__ import annotations

import enum
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import helpdesk_routing as hr
from helpdesk_routing.conditions import ticket

NOW = datetime(2026, 3, 30, 9, tzinfo=UTC)
DOCS = Path(__file__).resolve().parent.parent / "docs"


class Plan(enum.Enum):
    PRO = "pro"


class PlanS(enum.StrEnum):
    PRO = "pro"


class Level(enum.IntEnum):
    HIGH = 3


class Ratio(float, enum.Enum):
    HALF = 0.5


class Color(enum.Flag):
    RED = 1


def _message(make: object) -> str:
    with pytest.raises(hr.ValidationError) as caught:
        make()  # type: ignore[operator]
    detail = caught.value.errors()[0]
    assert detail["code"] == "storable_value"
    return str(detail["message"])


@pytest.mark.parametrize(
    ("make", "path"),
    [
        (
            lambda: hr.Ticket(id="t", channel="e", created_at=NOW, fields={"plan": Plan.PRO}),
            "fields",
        ),
        (lambda: hr.Profile(id="p", properties={"plan": Plan.PRO}), "properties"),
        (lambda: hr.Profile(id="p", properties={"plan": [Plan.PRO]}), "properties"),
    ],
)
def test_a_plain_enum_member_is_refused_helpfully(make: object, path: str) -> None:
    message = _message(make)
    assert "Plan.PRO is not a JSON value" in message
    assert "stored only when its enum is a str, int or float one (StrEnum, IntEnum)" in message
    assert message.endswith("pass its .value")


def test_a_flag_member_is_refused_by_name() -> None:
    message = _message(lambda: hr.Profile(id="p", properties={"c": Color.RED}))
    assert message.startswith("at c: Color.RED is not a JSON value: an enum member")


@settings(max_examples=30, deadline=None)
@given(member=st.sampled_from([PlanS.PRO, Level.HIGH, Ratio.HALF]))
def test_a_str_int_or_float_enum_member_is_its_value(member: enum.Enum) -> None:
    t = hr.Ticket(id="t", channel="e", created_at=NOW, fields={"x": member})
    assert hr.Ticket.model_validate_json(t.model_dump_json()).fields["x"] == member.value
    rules = hr.RuleSet(
        rules=[
            hr.RoutingRule(id="r", when=ticket("x") == member.value, then=hr.SaveAsView(view="v"))
        ]
    )
    assert hr.decide(rules, [], t, hr.InMemoryCustomerData(), NOW).views == ("v",)


def test_the_docs_say_which_enums_are_taken() -> None:
    text = re.sub(r"\s+", " ", (DOCS / "conditions.md").read_text("utf-8"))
    assert "an enum member is its value" not in text
    assert "a member of a str, int or float enum (`StrEnum`, `IntEnum`) is its value" in text
