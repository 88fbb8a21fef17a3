"""``decide`` names every argument of the wrong kind (docs/explain.md): ``explain`` and
``configuration_version`` were taken as given, so ``explain="no"`` explained and a
version of ``"3"`` or ``2**70`` made a decision that did not read back as itself."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import helpdesk_routing as hr

NOW = datetime(2026, 3, 30, 9, tzinfo=UTC)


def _decide(**kw: object) -> hr.RoutingDecision:
    ticket = hr.Ticket(id="t1", channel="email", created_at=NOW)
    return hr.decide(hr.RuleSet(), [], ticket, hr.InMemoryCustomerData(), NOW, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kw", "kind", "message"),
    [
        ({"explain": "no"}, hr.ArgumentTypeError, "explain must be a bool, got 'no'"),
        ({"explain": 1}, hr.ArgumentTypeError, "explain must be a bool, got 1"),
        (
            {"configuration_version": "3"},
            hr.ArgumentTypeError,
            "configuration_version must be an int or None, got '3'",
        ),
        (
            {"configuration_version": True},
            hr.ArgumentTypeError,
            "configuration_version must be an int or None, got True",
        ),
        (
            {"configuration_version": -1},
            hr.ValidationError,
            "configuration_version must be from 0 to 2**63 - 1, got -1",
        ),
        (
            {"configuration_version": 2**70},
            hr.ValidationError,
            "configuration_version must be from 0 to 2**63 - 1, got 1180591620717411303424",
        ),
    ],
)
def test_a_bad_flag_or_version_is_named(kw: dict[str, object], kind: type, message: str) -> None:
    with pytest.raises(kind) as info:
        _decide(**kw)
    assert str(info.value) == message


def test_a_good_version_reads_back_as_itself() -> None:
    decision = _decide(configuration_version=2**63 - 1, explain=False)
    back = hr.RoutingDecision.model_validate_json(decision.model_dump_json())
    assert back == decision
    assert back.configuration_version == 2**63 - 1


def _team_calls(teams: object) -> list[object]:
    rules = hr.RuleSet()
    ticket = hr.Ticket(id="t1", channel="email", created_at=NOW)
    return [
        lambda: rules.lint(teams=teams),  # type: ignore[arg-type]
        lambda: rules.validate_against(teams),  # type: ignore[arg-type]
        lambda: hr.decide(rules, teams, ticket, hr.InMemoryCustomerData(), NOW),  # type: ignore[arg-type]
    ]


@pytest.mark.parametrize(
    ("teams", "message"),
    [
        (["t"], r"^teams\[0\] must be a Team"),
        ({"t": hr.Team(id="t", members=["a"])}, r"^teams must be a list of Team, got dict$"),
    ],
)
def test_teams_of_the_wrong_kind_are_an_argument_type_error_everywhere(
    teams: object, message: str
) -> None:
    """``lint`` and ``validate_against`` said a plain ValidationError (no TypeError) for a
    text item, and every entry point walked a dict's keys ("teams[0] ... got str")."""
    for call in _team_calls(teams):
        with pytest.raises(hr.ArgumentTypeError, match=message):
            call()  # type: ignore[operator]
