"""A lone surrogate in a name or an id the library checks as text gets the library's
code and wording (``storable_text``), at the text's own path, as NUL does and as a
value does; pydantic's ``string_unicode`` (a length bound reading the text) never
shows through."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

import helpdesk_routing as hr
from helpdesk_routing import events
from helpdesk_routing.conditions import event, parse_condition, profile, segment, ticket
from helpdesk_routing.handoff.settings import SendToHelpdesk

NOW = datetime(2026, 3, 30, 12, tzinfo=UTC)
S = "\ud800"
WORDING = "text must not contain a lone surrogate (\\ud800)"
_WHEN = segment("a")
_VIEW = hr.SaveAsView(view="v")

CASES: list[tuple[str, Callable[[], object], str]] = [
    ("profile name", lambda: profile(S) == "a", "$.property"),
    ("segment", lambda: segment(S), "$.segment"),
    ("ticket field", lambda: ticket(S) == "a", "$.field"),
    ("metric", lambda: event(S), "$.metric"),
    ("where property", lambda: event("m").where(S, "equals", "x"), "$.where[0].property"),
    (
        "parsed property",
        lambda: parse_condition({"type": "profile", "property": S, "op": "is_set"}),
        "$.property",
    ),
    ("ticket id", lambda: hr.Ticket(id=S, channel="e", created_at=NOW), "$.id"),
    ("channel", lambda: hr.Ticket(id="t", channel=S, created_at=NOW), "$.channel"),
    ("profile id", lambda: hr.Profile(id=S), "$.id"),
    ("event metric", lambda: hr.Event(profile_id="p", metric=S, timestamp=NOW), "$.metric"),
    ("event profile", lambda: hr.Event(profile_id=S, metric="m", timestamp=NOW), "$.profile_id"),
    (
        "unique id",
        lambda: hr.Event(profile_id="p", metric="m", timestamp=NOW, unique_id=S),
        "$.unique_id",
    ),
    ("team id", lambda: hr.Team(id=S, members=["a"]), "$.id"),
    ("team member", lambda: hr.Team(id="t", members=["a", S]), "$.members[1]"),
    ("agent id", lambda: hr.Agent(id=S, role="support"), "$.id"),
    ("rule id", lambda: hr.RoutingRule(id=S, when=_WHEN, then=_VIEW), "$.id"),
    ("event name", lambda: events.EventNames(started=S), "$.started"),
    (
        "conversation channel",
        lambda: events.ConversationStarted(conversation_id="c", channel=S),
        "$.channel",
    ),
    ("handoff tag", lambda: SendToHelpdesk(tags=["ok", S]), "$.tags[1]"),
]


@pytest.mark.parametrize(("make", "path"), [(m, p) for _, m, p in CASES], ids=[c[0] for c in CASES])
def test_a_lone_surrogate_is_the_librarys_error_at_its_path(
    make: Callable[[], object], path: str
) -> None:
    with pytest.raises(hr.ValidationError) as caught:
        make()
    [detail] = caught.value.details
    assert (detail.path, detail.code, detail.message) == (path, "storable_text", WORDING)


def test_bounds_keep_their_wording() -> None:
    with pytest.raises(hr.ValidationError) as caught:
        profile("") == "a"  # noqa: B015
    assert caught.value.details[0].code == "string_too_short"
    with pytest.raises(hr.ValidationError) as caught:
        hr.Ticket(id="é" * 256, channel="e", created_at=NOW)
    assert caught.value.details[0].path == "$.id"
    assert "255" in caught.value.details[0].message
