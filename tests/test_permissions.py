"""The permission table and its exact refusals."""

from __future__ import annotations

import pytest

from helpdesk_routing.errors import ArgumentTypeError, PermissionDenied, ValidationError
from helpdesk_routing.model import Agent, Role
from helpdesk_routing.permissions import (
    PERMISSIONS,
    Action,
    allowed,
    require,
    require_rank,
    require_self,
)

MANAGERS = {Role.OWNER, Role.ADMIN, Role.MANAGER}


@pytest.mark.parametrize("action", [Action.EDIT_RULES, Action.EDIT_TEAMS, Action.SET_ROUND_ROBIN])
def test_rules_teams_and_round_robin_are_for_owner_admin_manager(action: Action) -> None:
    """Only owner, admin and manager may edit rules and teams or change round robin."""
    assert {r for r in Role if allowed(r, action)} == MANAGERS


@pytest.mark.parametrize("action", [Action.ASSIGN, Action.SET_STATUS])
def test_assignment_is_for_every_role(action: Action) -> None:
    """Owner, admin, manager and support may assign tickets and change their status."""
    assert {r for r in Role if allowed(r, action)} == set(Role)


def test_the_table_covers_every_action() -> None:
    """Every Action has an entry in PERMISSIONS."""
    assert set(PERMISSIONS) == set(Action)


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (Action.EDIT_RULES, "agent 'a3' (support) may not edit rules"),
        (Action.EDIT_TEAMS, "agent 'a3' (support) may not edit teams"),
        (Action.SET_ROUND_ROBIN, "agent 'a3' (support) may not change round robin"),
    ],
)
def test_refusal_names_agent_role_and_action(action: Action, message: str) -> None:
    """require raises PermissionDenied with the agent, their role and the action."""
    with pytest.raises(PermissionDenied) as info:
        require(Agent(id="a3", role=Role.SUPPORT), action)
    assert str(info.value) == message


def test_require_lets_an_allowed_role_pass() -> None:
    """require returns quietly when the role may act."""
    require(Agent(id="m1", role=Role.MANAGER), Action.EDIT_RULES)


def test_presence_is_set_only_by_oneself() -> None:
    """require_self passes for oneself and refuses anyone else, whatever their role."""
    require_self("a1", "a1")
    with pytest.raises(PermissionDenied) as info:
        require_self("o1", "a1")
    assert str(info.value) == "agent 'o1' may not set the status of agent 'a1'"


def test_permission_denied_is_a_permission_error() -> None:
    """Callers may catch the builtin PermissionError."""
    with pytest.raises(PermissionError):
        require(Agent(id="a3"), Action.EDIT_TEAMS)


def test_require_rank_takes_a_roles_text_as_allowed_does() -> None:
    """``gives`` as text is read as its role: a manager giving ``"owner"`` is refused as
    with ``Role.OWNER`` (it raised ``AttributeError``), ``"support"`` passes, an unknown
    text names the roles, and an ``of`` or ``actor`` that is no agent is a type error
    (``AttributeError`` before)."""
    manager = Agent(id="m1", role=Role.MANAGER)
    refused = r"agent 'm1' \(manager\) may not give the role owner"
    with pytest.raises(PermissionDenied, match=refused):
        require_rank(manager, gives="owner")
    require_rank(manager, gives="support")
    with pytest.raises(ValidationError, match="invalid role 'boss': expected one of 'owner'"):
        require_rank(manager, gives="boss")
    with pytest.raises(ArgumentTypeError, match="of must be an Agent or None, got str"):
        require_rank(manager, of="o1")  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="actor must be an Agent, got str"):
        require_rank("m1", gives="support")  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied, match="may not change agent 'o1' \\(owner\\)"):
        require_rank(manager, of=Agent(id="o1", role=Role.OWNER))
