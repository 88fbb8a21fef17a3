"""Public helpers outside the Router refuse bad input with library errors naming it
(docs/errors.md: every error raised on purpose derives from RoutingError): Python's
AttributeError, KeyError, TypeError and UnicodeEncodeError escaped from these, and an
unknown role, or empty text given as a sweep's cells, was taken silently."""

from __future__ import annotations

import re
from typing import Any

import pydantic
import pytest

import helpdesk_routing as hr
from helpdesk_routing.conditions import condition_error_details, condition_path
from helpdesk_routing.handoff import handoff_id
from helpdesk_routing.permissions import Action, allowed, require
from helpdesk_routing.simulation import sweep


@pytest.mark.parametrize(
    ("given", "error", "message"),
    [
        (None, hr.ArgumentTypeError, "conversation_id must be text, got NoneType"),
        (b"c1", hr.ArgumentTypeError, "conversation_id must be text, got bytes"),
        (
            "c\ud800",
            hr.ValidationError,
            "conversation_id 'c\\ud800' cannot be stored: text must not contain a lone "
            "surrogate (\\ud800)",
        ),
    ],
)
def test_handoff_id_refuses_what_is_no_conversation_id(
    given: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        handoff_id(given)
    assert handoff_id("c1").startswith("h-")


def test_permissions_take_roles_and_actions_or_their_text_and_refuse_the_rest() -> None:
    assert allowed("support", "assign tickets")
    assert allowed(hr.Role.OWNER, Action.EDIT_RULES)
    assert not allowed("support", "edit rules")
    with pytest.raises(hr.ValidationError, match=r"^invalid action 'assign': expected one of "):
        allowed("support", "assign")
    with pytest.raises(
        hr.ValidationError, match=r"^invalid role 'Owner': expected one of 'owner', 'admin'"
    ):
        allowed("Owner", Action.EDIT_RULES)  # was False, silently
    with pytest.raises(hr.ArgumentTypeError, match=r"^role must be a Role or its text, got "):
        allowed(None, Action.EDIT_RULES)  # type: ignore[arg-type]
    with pytest.raises(hr.ArgumentTypeError, match=r"^action must be an Action or its text"):
        allowed(hr.Role.SUPPORT, None)  # type: ignore[arg-type]
    with pytest.raises(hr.ArgumentTypeError, match=r"^actor must be an Agent, got str$"):
        require("m1", Action.EDIT_RULES)  # type: ignore[arg-type]
    owner = hr.Agent(id="o1", role="owner")
    require(owner, "edit rules")  # type: ignore[arg-type]
    with pytest.raises(hr.ValidationError, match=r"^invalid action 'edit_rules'"):
        require(owner, "edit_rules")  # type: ignore[arg-type]
    with pytest.raises(hr.PermissionDenied, match=r"^agent 's1' \(support\) may not edit rules$"):
        require(hr.Agent(id="s1"), Action.EDIT_RULES)


def test_condition_path_helpers_refuse_what_is_no_location_or_error() -> None:
    assert condition_path(("rules", 0, "when")) == "$.rules[0].when"
    import numpy as np

    assert condition_path(("rules", np.int64(2), "when")) == "$.rules[2].when"
    with pytest.raises(hr.ArgumentTypeError, match=r"^loc must be a sequence of keys"):
        condition_path(None)  # type: ignore[arg-type]
    with pytest.raises(hr.ArgumentTypeError, match=r"^loc\[1\] must be a key \(text\) or an"):
        condition_path(["a", None])  # type: ignore[list-item]
    with pytest.raises(hr.ArgumentTypeError, match=r"^error must be a pydantic ValidationError"):
        condition_error_details("oops")  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError) as caught:
        pydantic.TypeAdapter(int).validate_python("x")
    assert [d.path for d in condition_error_details(caught.value, ("n",))] == ["$.n"]


@pytest.mark.parametrize("cells", ["", {}, "abc", {"a": 1}, b""])
def test_sweep_refuses_text_or_a_mapping_as_its_cells(cells: Any) -> None:
    """Empty text or an empty dict gave an empty table, and a dict was named by its first
    key ("cells[0] is a str")."""
    with pytest.raises(hr.ArgumentTypeError, match=f"got {type(cells).__name__}$"):
        sweep(cells)
