"""Acceptance probe (s36, DSL): the public condition and rule-set entry points given
input of the wrong kind raise the documented ``hr.ArgumentTypeError`` (a
``ValidationError`` and a ``TypeError``), naming the argument, never a bare
``AttributeError`` or ``TypeError`` from deep inside."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import helpdesk_routing as hr
from helpdesk_routing.conditions import (
    EvaluationContext,
    all_of,
    compile_condition,
    event,
    not_,
    profile,
    segment,
    ticket,
)

NOW = datetime(2026, 3, 30, 12, tzinfo=UTC)
TICKET = hr.Ticket(id="t1", channel="sms", created_at=NOW)
RULES = hr.RuleSet(
    rules=[
        hr.RoutingRule(id="r", when=segment("vip"), then=hr.AssignToTeam(team="retention")),
    ]
)
NOT_CONDITIONS: list[Any] = [
    None,
    "segment",
    5,
    {"type": "segment", "segment": "vip"},
    ticket("channel"),
]


@pytest.mark.parametrize("value", NOT_CONDITIONS, ids=repr)
def test_compile_condition_refuses_what_is_no_condition(value: Any) -> None:
    with pytest.raises(hr.ArgumentTypeError, match=r"^condition must be a condition"):
        compile_condition(value)


def test_compile_condition_points_from_json_to_parse_condition() -> None:
    with pytest.raises(hr.ArgumentTypeError) as caught:
        compile_condition({"type": "segment", "segment": "vip"})  # type: ignore[arg-type]
    assert "got dict" in str(caught.value)
    assert "parse_condition" in str(caught.value)


@pytest.mark.parametrize("value", [None, 5, "segment", {"type": "segment"}], ids=repr)
def test_not_refuses_what_is_no_condition_as_all_of_does(value: Any) -> None:
    for build in (not_, all_of):
        with pytest.raises(hr.ArgumentTypeError, match="expected a condition, got"):
            build(value)


@pytest.mark.parametrize("value", [True, None, "x", 1])
def test_a_condition_on_the_right_of_and_or_refuses_what_is_no_condition(value: Any) -> None:
    cond = segment("vip")
    with pytest.raises(hr.ArgumentTypeError, match="expected a condition, got"):
        value & cond
    with pytest.raises(hr.ArgumentTypeError, match="expected a condition, got"):
        value | cond


def test_a_condition_on_the_right_of_and_or_still_combines() -> None:
    a, b = segment("a"), segment("b")
    assert a & b == all_of(a, b)
    assert (a | b).conditions == (a, b)


@pytest.mark.parametrize("field", [ticket("channel"), profile("churn_risk")], ids=repr)
def test_a_field_reference_is_no_condition(field: Any) -> None:
    cond = segment("vip")
    for combine in (
        lambda: field & cond,
        lambda: cond & field,
        lambda: field | cond,
        lambda: cond | field,
        lambda: ~field,
        lambda: not_(field),
        lambda: bool(field),
    ):
        with pytest.raises(hr.ArgumentTypeError, match=r"is a field, not a condition|got"):
            combine()


def test_a_field_reference_names_itself_and_what_to_write() -> None:
    with pytest.raises(hr.ArgumentTypeError) as caught:
        bool(ticket("channel"))
    assert str(caught.value).startswith("ticket('channel') is a field, not a condition")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ticket": None}, "ticket must be a Ticket, got NoneType"),
        ({"ticket": {"id": "t1"}}, "ticket must be a Ticket, got dict"),
        ({"profile": {"id": "p1"}}, "profile must be a Profile (or None), got dict"),
        ({"customer_data": None}, "customer_data must be a CustomerData"),
        ({"customer_data": {}}, "customer_data must be a CustomerData"),
        ({"now": "2026-03-30T12:00:00Z"}, "EvaluationContext.now must be an aware datetime"),
        ({"now": None}, "EvaluationContext.now must be an aware datetime"),
    ],
)
def test_evaluation_context_refuses_arguments_of_the_wrong_kind(
    kwargs: dict[str, Any], message: str
) -> None:
    given: dict[str, Any] = {
        "ticket": TICKET,
        "profile": None,
        "customer_data": hr.InMemoryCustomerData(),
        "now": NOW,
        **kwargs,
    }
    with pytest.raises(hr.ArgumentTypeError) as caught:
        EvaluationContext(**given)
    assert str(caught.value).startswith(message)


def test_evaluation_context_load_refuses_a_ticket_of_the_wrong_kind() -> None:
    with pytest.raises(hr.ArgumentTypeError, match="ticket must be a Ticket, got NoneType"):
        EvaluationContext.load(None, hr.InMemoryCustomerData(), NOW)  # type: ignore[arg-type]


def test_evaluation_context_keeps_its_naive_now_message() -> None:
    with pytest.raises(hr.NaiveDatetimeError) as caught:
        EvaluationContext(TICKET, None, hr.InMemoryCustomerData(), datetime(2026, 3, 30))
    assert str(caught.value) == "EvaluationContext.now must be timezone-aware, got a naive datetime"
    assert not isinstance(caught.value, TypeError)


@pytest.mark.parametrize(
    ("teams", "message"),
    [
        (None, "teams must be a list of Team, got NoneType"),
        ("retention", "teams must be a list of Team, got str"),
    ],
)
def test_validate_against_refuses_teams_of_the_wrong_kind(teams: Any, message: str) -> None:
    with pytest.raises(hr.ArgumentTypeError) as caught:
        RULES.validate_against(teams)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("teams", "message"),
    [
        ([None], "teams[0] must be a Team or a mapping of its fields, got NoneType"),
        (
            [hr.Team(id="x", name="X", members=["a"]), "retention"],
            "teams[1] must be a Team or a mapping of its fields, got str",
        ),
    ],
)
def test_validate_against_refuses_a_team_of_the_wrong_kind(teams: Any, message: str) -> None:
    with pytest.raises(hr.ValidationError) as caught:
        RULES.validate_against(teams)
    assert str(caught.value) == message


def test_validate_against_takes_team_mappings_as_router_teams_does() -> None:
    team = {"id": "retention", "name": "Retention", "members": ["a1"]}
    RULES.validate_against([team])  # type: ignore[list-item]
    with pytest.raises(hr.ValidationError) as caught:
        RULES.validate_against([{**team, "id": "other"}])  # type: ignore[list-item]
    assert caught.value.errors()[0]["code"] == "unknown_team"
    with pytest.raises(hr.ModelValidationError) as bad:
        RULES.validate_against([{"id": "retention"}])  # type: ignore[list-item]
    assert "$.members" in str(bad.value) or "$.name" in str(bad.value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rules": {"rules": []}}, "rules must be a RuleSet, got dict"),
        ({"teams": "retention"}, "teams must be a list of Team, got str"),
        ({"teams": ["retention"]}, "teams[0] must be a Team, got str"),
        ({"teams": ("retention",)}, "teams[0] must be a Team, got str"),
        ({"ticket": None}, "ticket must be a Ticket, got NoneType"),
        ({"ticket": {"id": "t1"}}, "ticket must be a Ticket, got dict"),
        ({"customer_data": {}}, "customer_data must be a CustomerData"),
    ],
)
def test_decide_refuses_arguments_of_the_wrong_kind(kwargs: dict[str, Any], message: str) -> None:
    given: dict[str, Any] = {
        "rules": RULES,
        "teams": [hr.Team(id="retention", name="Retention", members=["a1"])],
        "ticket": TICKET,
        "customer_data": hr.InMemoryCustomerData(),
        "now": NOW,
        **kwargs,
    }
    with pytest.raises(hr.ArgumentTypeError) as caught:
        hr.decide(**given)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"teams": "retention"}, "teams must be a list of Team, got str"),
        ({"catalogue": {"metrics": ["m"]}}, "catalogue must be a FieldCatalogue, got dict"),
    ],
)
def test_rule_set_lint_refuses_arguments_of_the_wrong_kind(
    kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(hr.ArgumentTypeError) as caught:
        RULES.lint(**kwargs)
    assert str(caught.value) == message


def test_rule_set_lint_takes_team_mappings_as_validate_against_does() -> None:
    team = {"id": "retention", "name": "Retention", "members": ["a1"]}
    assert RULES.lint(teams=[team]) == []  # type: ignore[list-item]
    assert [issue.message for issue in RULES.lint(teams=[{**team, "id": "x"}])] == [  # type: ignore[list-item]
        "unknown team 'retention'"
    ]


@pytest.mark.parametrize("value", NOT_CONDITIONS, ids=repr)
def test_implies_and_the_catalogue_refuse_what_is_no_condition(value: Any) -> None:
    from helpdesk_routing.conditions import FieldCatalogue, implies

    with pytest.raises(hr.ArgumentTypeError, match="expected a condition, got"):
        implies(value, segment("vip"))
    with pytest.raises(hr.ArgumentTypeError, match="expected a condition, got"):
        implies(segment("vip"), value)
    with pytest.raises(hr.ArgumentTypeError, match="expected a condition, got"):
        FieldCatalogue().lint(value)


@pytest.mark.parametrize("kind", ["ticket_fields", "profile_properties", "metrics", "segments"])
def test_a_catalogue_refuses_text_where_names_belong(kind: str) -> None:
    # A str is a Collection[str]: "churn_risk" would know every substring of itself.
    from helpdesk_routing.conditions import FieldCatalogue

    with pytest.raises(hr.ArgumentTypeError) as caught:
        FieldCatalogue(**{kind: "churn_risk"})
    assert str(caught.value) == (
        f"{kind} must be a collection of names (a set or a list), got str 'churn_risk'"
    )
    assert getattr(FieldCatalogue(**{kind: ["churn_risk"]}), kind) == ["churn_risk"]


@pytest.mark.parametrize("kind", ["ticket_fields", "profile_properties", "metrics", "segments"])
def test_a_catalogue_refuses_a_name_that_is_no_text(kind: str) -> None:
    """A name that is no text (1, None) was taken, and the first lint raised a bare
    TypeError inside difflib's did-you-mean, naming nothing."""
    from helpdesk_routing.conditions import FieldCatalogue

    with pytest.raises(hr.ArgumentTypeError) as caught:
        FieldCatalogue(**{kind: ["ok", 1]})
    assert str(caught.value) == f"{kind}[1] must be text, got int 1"
    with pytest.raises(hr.ArgumentTypeError) as caught:
        FieldCatalogue(**{kind: {None}})
    assert str(caught.value) == f"a name of {kind} must be text, got NoneType None"
    # a collection whose truth is ambiguous (an array of names) is still taken
    import numpy as np

    names = np.array(["churn_risk", "plan"])
    assert getattr(FieldCatalogue(**{kind: names}), kind) is names
    FieldCatalogue(**{kind: np.array([], dtype=str)})
    # and its names are suggested as text, as a list's are
    catalogue = FieldCatalogue(profile_properties=names)
    (issue,) = catalogue.lint(profile("churn_rsk") == "High")
    assert issue.message.endswith("did you mean 'churn_risk'?")


@pytest.mark.parametrize(
    "build",
    [
        lambda: profile("d").in_last(years=1),
        lambda: ticket("due").in_next(fortnights=1),
        lambda: event("m").in_last(years=1),
    ],
)
def test_a_span_in_an_unknown_unit_names_the_units(build: Any) -> None:
    with pytest.raises(hr.ArgumentTypeError) as caught:
        build()
    assert (
        str(caught.value)
        .split("\n")[0]
        .endswith("() takes exactly one of minutes=, hours=, days=, weeks=, months=")
    )
    assert caught.value.errors()[0]["message"].startswith("unknown unit '")


RULE = hr.RoutingRule(id="r", name="R", when=segment("vip"), then=hr.SaveAsView(view="v"))


@pytest.mark.parametrize(
    ("model", "update", "path"),
    [
        # concepts.md: every noun, RoutingRule included, validates a changed copy.
        (RULE, {"id": ""}, "$.id"),
        (RULE, {"enabled": "yes"}, "$.enabled"),
        (RULE, {"when": "segment"}, "$.when"),
        (RULE, {"then": {"type": "assign_to_team"}}, "$.then.team"),
        (hr.AssignToTeam(team="t"), {"team": ""}, "$.team"),
        (hr.SaveAsView(view="v"), {"view": None}, "$.view"),
        (profile("ltv") > 5, {"value": "lots"}, "$.value"),
        (profile("ltv") > 5, {"op": "gt"}, "$.op"),
        (segment("vip"), {"member": "yes"}, "$.member"),
        (event("m"), {"count": {"op": "at_least", "value": -1}}, "$.count.value"),
        (event("m"), {"filters": [{"property": "v", "op": "gt", "value": 1}]}, "$.where[0].op"),
    ],
    ids=lambda value: repr(value)[:40],
)
def test_a_changed_copy_is_validated(model: Any, update: dict[str, Any], path: str) -> None:
    with pytest.raises(hr.ModelValidationError) as caught:
        model.model_copy(update=update)
    assert caught.value.paths == (path,)


def test_a_valid_changed_copy_equals_the_model_built_with_its_values() -> None:
    orders = event("Placed Order").at_least(2).in_last(days=3).where(value__gt=100)
    assert orders.model_copy(update={"metric": "Refund"}) == (
        event("Refund").at_least(2).in_last(days=3).where(value__gt=100)
    )
    # ``filters`` is the attribute, ``where`` its JSON name: a copy takes either.
    assert orders.model_copy(update={"filters": ()}) == event("Placed Order").at_least(2).in_last(
        days=3
    )
    assert orders.model_copy(update={"where": ()}) == orders.model_copy(update={"filters": ()})
    assert RULE.model_copy(update={"enabled": False}) == hr.RoutingRule(
        id="r", name="R", enabled=False, when=segment("vip"), then=hr.SaveAsView(view="v")
    )
    assert (profile("x") > 5).model_copy(update={"value": 7}) == (profile("x") > 7)
