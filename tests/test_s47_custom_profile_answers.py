"""A custom CustomerData's profile answer is held to the model: one built with
model_construct (properties or segments of None, a NaN) raised Python's AttributeError
or TypeError deep in the rule index, or was evaluated unchecked; it is a ValidationError
naming the adapter and the field, and nothing is stored."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import pytest

import helpdesk_routing as hr
from helpdesk_routing.conditions import profile, segment

T0 = datetime(2026, 3, 30, 8, tzinfo=UTC)
RULES = hr.RuleSet(
    rules=[
        hr.RoutingRule(id="pr", when=profile("churn_risk") == "High", then=hr.SaveAsView(view="c")),
        hr.RoutingRule(id="sg", when=segment("vip"), then=hr.SaveAsView(view="v")),
    ]
)


class OneProfile:
    """A user's adapter answering one profile for every id."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer

    def profile(self, profile_id: str) -> Any:
        return self.answer

    def count_events(self, profile_id: str, metric: str, **_: Any) -> int:
        return 0


def _route(answer: Any) -> tuple[hr.Router, hr.InMemoryStore]:
    store = hr.InMemoryStore(agents=[hr.Agent(id="a1")])
    router = hr.Router(
        rules=RULES, store=store, customer_data=OneProfile(answer), clock=hr.ManualClock(T0)
    )
    return router, store


@pytest.mark.parametrize(
    ("answer", "path"),
    [
        (
            hr.Profile.model_construct(id="p1", properties=None, segments=frozenset()),
            "$.properties",
        ),
        (hr.Profile.model_construct(id="p1", properties={}, segments=None), "$.segments"),
        (
            hr.Profile.model_construct(id="p1", properties={"x": math.nan}, segments=frozenset()),
            "$.properties",
        ),
    ],
    ids=["properties_none", "segments_none", "nan"],
)
def test_a_constructed_profile_answer_is_refused_naming_the_adapter(answer: Any, path: str) -> None:
    router, store = _route(answer)
    with pytest.raises(hr.ValidationError) as caught:
        router.route(hr.Ticket(id="t1", channel="email", profile_id="p1", created_at=T0))
    assert str(caught.value).startswith("invalid customer data OneProfile.profile('p1')")
    assert [d.path for d in caught.value.details] == [path]
    with store.transaction() as tx:
        assert tx.get_ticket("t1") is None


def test_a_sound_profile_answer_routes_as_the_built_in_adapters_do() -> None:
    sound = hr.Profile.model_construct(
        id="p1", properties={"churn_risk": "High"}, segments=frozenset({"vip"})
    )
    router, _ = _route(sound)
    decision = router.route(hr.Ticket(id="t1", channel="email", profile_id="p1", created_at=T0))
    assert decision.views == ("c", "v")
