"""Who may do what: one table of action -> roles, and the presence rule.

========================  ===============================
action                    roles
========================  ===============================
edit rules                owner, admin, manager
edit teams                owner, admin, manager
change round robin        owner, admin, manager
change the configuration  owner, admin, manager
manage agents             owner, admin, manager
assign tickets            owner, admin, manager, support
change ticket status      owner, admin, manager, support
========================  ===============================

Presence is different: each agent sets only their own status, whatever their role.

Roles rank owner > admin > manager > support. Managing agents stays within the actor's
own rank: nobody adds an agent of a higher role, gives anyone (themselves included) a
higher role, or changes or removes an agent of a higher role (a manager cannot make
themselves owner, demote the owner or remove them).

Refusals raise :class:`~helpdesk_routing.errors.PermissionDenied` with an exact message::

    agent 'a3' (support) may not edit rules
    agent 'a1' may not set the status of agent 'a2'
    agent 'm1' (manager) may not give the role owner
    agent 'm1' (manager) may not change agent 'o1' (owner)
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

from helpdesk_routing.errors import ArgumentTypeError, PermissionDenied, ValidationError
from helpdesk_routing.model import Agent, Role

__all__ = [
    "PERMISSIONS",
    "RANK",
    "Action",
    "allowed",
    "require",
    "require_rank",
    "require_self",
]


class Action(StrEnum):
    """Something that needs a role; the value is how refusals name it."""

    EDIT_RULES = "edit rules"
    EDIT_TEAMS = "edit teams"
    SET_ROUND_ROBIN = "change round robin"
    CONFIGURE = "change the configuration"
    MANAGE_AGENTS = "manage agents"
    ASSIGN = "assign tickets"
    SET_STATUS = "change ticket status"


_MANAGERS = frozenset({Role.OWNER, Role.ADMIN, Role.MANAGER})
_EVERYONE = _MANAGERS | {Role.SUPPORT}

PERMISSIONS: Mapping[Action, frozenset[Role]] = MappingProxyType(
    {
        Action.EDIT_RULES: _MANAGERS,
        Action.EDIT_TEAMS: _MANAGERS,
        Action.SET_ROUND_ROBIN: _MANAGERS,
        Action.CONFIGURE: _MANAGERS,
        Action.MANAGE_AGENTS: _MANAGERS,
        Action.ASSIGN: _EVERYONE,
        Action.SET_STATUS: _EVERYONE,
    }
)
"""The roles allowed each action (read-only)."""


RANK: Mapping[Role, int] = MappingProxyType(
    {Role.OWNER: 4, Role.ADMIN: 3, Role.MANAGER: 2, Role.SUPPORT: 1}
)
"""Each role's rank (read-only): managing agents stays within the actor's own."""


def require_rank(actor: Agent, *, gives: Role | str | None = None, of: Agent | None = None) -> None:
    """Raise ``PermissionDenied`` when the actor would give a role above their own
    (``gives``) or change or remove an agent of a role above their own (``of``).

    >>> require_rank(Agent(id="m1", role="manager"), gives=Role.OWNER)
    Traceback (most recent call last):
    ...
    helpdesk_routing.errors.PermissionDenied: agent 'm1' (manager) may not give the role owner

    ``gives`` may be a role's text (``"owner"``), as :func:`allowed` takes it; an unknown
    one is a ``ValidationError`` naming the known ones, and an ``actor`` or ``of`` that is
    no ``Agent`` an ``ArgumentTypeError``.
    """
    if not isinstance(actor, Agent):
        raise ArgumentTypeError(f"actor must be an Agent, got {type(actor).__name__}")
    if of is not None and not isinstance(of, Agent):
        raise ArgumentTypeError(f"of must be an Agent or None, got {type(of).__name__}")
    given = None if gives is None else _role(gives)
    mine = RANK[actor.role]
    if of is not None and RANK[of.role] > mine:
        raise PermissionDenied(
            f"agent {actor.id!r} ({actor.role.value}) may not change agent {of.id!r} "
            f"({of.role.value})"
        )
    if given is not None and RANK[given] > mine:
        raise PermissionDenied(
            f"agent {actor.id!r} ({actor.role.value}) may not give the role {given.value}"
        )


_E = TypeVar("_E", bound=StrEnum)


def _member(kind: type[_E], value: object, name: str, article: str) -> _E:
    """``value`` as a member of ``kind`` (or its text): an unknown text is a
    ``ValidationError`` naming the members, anything else an ``ArgumentTypeError`` (an
    unknown role was silently allowed nothing; an unknown action raised ``KeyError``)."""
    if value.__class__ is kind:
        return value
    if isinstance(value, str):
        try:
            return kind(value)
        except ValueError:
            names = ", ".join(repr(m.value) for m in kind)
            raise ValidationError(f"invalid {name} {value!r}: expected one of {names}") from None
    raise ArgumentTypeError(
        f"{name} must be {article} {kind.__name__} or its text, got {type(value).__name__}"
    )


def _role(role: object) -> Role:
    return _member(Role, role, "role", "a")


def _action(action: object) -> Action:
    return _member(Action, action, "action", "an")


def allowed(role: Role, action: Action) -> bool:
    """Whether ``role`` may do ``action`` (each also as its text: ``"support"``,
    ``"assign tickets"``); an unknown one is a ``ValidationError`` naming the known ones,
    another kind of value an ``ArgumentTypeError``."""
    return _role(role) in PERMISSIONS[_action(action)]


def require(actor: Agent, action: Action) -> None:
    """Raise ``PermissionDenied`` unless the actor's role may do ``action``.

    >>> require(Agent(id="a3", role="support"), Action.EDIT_RULES)
    Traceback (most recent call last):
    ...
    helpdesk_routing.errors.PermissionDenied: agent 'a3' (support) may not edit rules
    """
    if not isinstance(actor, Agent):
        raise ArgumentTypeError(f"actor must be an Agent, got {type(actor).__name__}")
    action = _action(action)
    if actor.role not in PERMISSIONS[action]:
        raise PermissionDenied(f"agent {actor.id!r} ({actor.role.value}) may not {action.value}")


def require_self(actor: str, agent: str) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` is ``agent``: presence is set only by oneself."""
    if actor != agent:
        raise PermissionDenied(f"agent {actor!r} may not set the status of agent {agent!r}")
