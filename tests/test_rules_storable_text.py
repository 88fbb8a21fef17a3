"""Rule ids, names and destinations are text every store keeps; the loaders take text."""

from __future__ import annotations

import pytest

import helpdesk_routing as hr
from helpdesk_routing.conditions import segment
from helpdesk_routing.errors import ArgumentTypeError

WHEN = segment("v", member=False)


@pytest.mark.parametrize("bad", ["r\x00", "r\ud800"])
@pytest.mark.parametrize(
    ("build", "path"),
    [
        (lambda t: hr.RoutingRule(id=t, when=WHEN, then=hr.SaveAsView(view="v")), "$.id"),
        (
            lambda t: hr.RoutingRule(id="r", name=t, when=WHEN, then=hr.SaveAsView(view="v")),
            "$.name",
        ),
        (lambda t: hr.SaveAsView(view=t), "$.view"),
        (lambda t: hr.AssignToTeam(team=t), "$.team"),
    ],
    ids=["id", "name", "view", "team"],
)
def test_rule_text_no_store_keeps_is_refused_when_built(build: object, path: str, bad: str) -> None:
    """NUL or a lone surrogate in a rule's id, name or destination is refused at its path
    when the model is built, as every other stored text is."""
    with pytest.raises(hr.ValidationError) as info:
        build(bad)  # type: ignore[operator]
    assert info.value.paths == (path,)


def test_a_rule_set_document_with_such_text_names_the_rule() -> None:
    """From JSON, the error names the path and the rule."""
    text = (
        '{"rules": [{"id": "r\\u0000", "when": {"type": "segment", "segment": "v",'
        ' "member": true}, "then": {"type": "save_as_view", "view": "v"}}]}'
    )
    with pytest.raises(hr.ValidationError) as info:
        hr.RuleSet.from_json(text)
    assert info.value.paths == ("$.rules[0].id",)


@pytest.mark.parametrize("value", [None, {"rules": []}, 5])
def test_the_loaders_name_a_document_that_is_not_text(value: object) -> None:
    """``from_json`` of something that is not JSON text is a library error naming the
    document (a TypeError from the json module before), and a TypeError too."""
    with pytest.raises(ArgumentTypeError, match=r"^rule set must be JSON text \(str or bytes\)"):
        hr.RuleSet.from_json(value)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^office hours must be JSON text"):
        hr.OfficeHours.from_json(value)  # type: ignore[arg-type]
