"""The AI agent's four events: names, unique ids, idempotent recording, the Klaviyo shape,
and a routing rule that reads an escalation."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing import events
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.conditions import event
from helpdesk_routing.errors import ArgumentTypeError, ValidationError
from helpdesk_routing.model import Agent, Profile, Team, Ticket
from helpdesk_routing.ports import EventRecorder
from helpdesk_routing.router import Router
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.adapters import CustomerDataFactory

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)
ESCALATED = "Conversation with Customer Agent Escalated"


def _all_four(cid: str = "c1", channel: str = "webchat") -> list[events.ConversationEvent]:
    return [
        events.ConversationStarted(conversation_id=cid, channel=channel, starting_skill="faq"),
        events.ConversationResolved(
            conversation_id=cid, channel=channel, last_skill="orders", tag="shipping"
        ),
        events.ConversationEscalated(
            conversation_id=cid, channel=channel, tag="refund", reason="knowledge_gap"
        ),
        events.ProductRecommendationReceived(
            conversation_id=cid, channel=channel, products=("SKU-1", "SKU-2")
        ),
    ]


def test_default_metric_names_are_the_products() -> None:
    """Each kind is recorded under the product's metric name by default."""
    assert [e.metric() for e in _all_four()] == [
        "Started Conversation with Customer Agent",
        "Conversation with Customer Agent Resolved",
        ESCALATED,
        "Received Product Recommendation from Customer Agent",
    ]


def test_metric_names_are_configurable() -> None:
    """An EventNames replaces a name; the others keep their default."""
    names = events.EventNames(escalated="AI Escalated")
    started, _, escalated, _ = _all_four()
    assert escalated.metric(names) == "AI Escalated"
    assert started.metric(names) == "Started Conversation with Customer Agent"


def test_unique_id_is_conversation_and_kind() -> None:
    """The unique id is '<conversation id>:<kind>', distinct per kind."""
    assert [e.unique_id for e in _all_four("c9")] == [
        "c9:started",
        "c9:resolved",
        "c9:escalated",
        "c9:product_recommendation",
    ]


def test_a_recommended_product_is_text_a_store_keeps() -> None:
    """A product with a NUL is refused where it is given, not later as an event's
    property (an empty one: tests/acceptance/test_s36_model_bad_input.py)."""
    with pytest.raises(ValidationError) as caught:
        events.ProductRecommendationReceived(
            conversation_id="c1", channel="sms", products=("SKU-1", "SKU\x00-2")
        )
    assert [(d.path, "NUL" in d.message) for d in caught.value.details] == [("$.products[1]", True)]


def test_escalation_reason_is_checked() -> None:
    """An unknown escalation reason is refused by validation."""
    with pytest.raises(ValueError, match="reason"):
        events.ConversationEscalated(conversation_id="c1", channel="sms", reason="bored")  # type: ignore[arg-type]


def test_to_event_carries_metric_properties_time_and_unique_id() -> None:
    """to_event builds the profile event with every property of the typed event."""
    escalated = _all_four()[2]
    stored = escalated.to_event(profile_id="p1", at=T0)
    assert stored.profile_id == "p1"
    assert stored.metric == ESCALATED
    assert stored.timestamp == T0
    assert stored.unique_id == "c1:escalated"
    assert stored.properties == {
        "conversation_id": "c1",
        "channel": "webchat",
        "tag": "refund",
        "reason": "knowledge_gap",
    }


def test_record_twice_records_once() -> None:
    """Recording the same event again returns False and the count stays at one."""
    data = InMemoryCustomerData()
    escalated = _all_four()[2]
    assert events.record(escalated, data, profile_id="p1", at=T0) is True
    assert events.record(escalated, data, profile_id="p1", at=T0 + timedelta(minutes=1)) is False
    assert data.count_events("p1", ESCALATED, start=None, end=None) == 1


@given(
    kinds=st.lists(st.integers(min_value=0, max_value=3), max_size=20),
    conversations=st.lists(st.sampled_from(["c1", "c2", "c3"]), min_size=20, max_size=20),
)
def test_replays_record_each_conversation_kind_once(
    kinds: list[int], conversations: list[str]
) -> None:
    """Any sequence of recordings stores exactly one event per (conversation, kind)."""
    data = InMemoryCustomerData()
    seen: set[tuple[str, int]] = set()
    for i, kind in enumerate(kinds):
        cid = conversations[i]
        recorded = events.record(_all_four(cid)[kind], data, profile_id="p1", at=T0)
        assert recorded == ((cid, kind) not in seen)
        seen.add((cid, kind))
    total = sum(data.count_events("p1", e.metric(), start=None, end=None) for e in _all_four("x"))
    assert total == len(seen)


def test_record_names_an_event_or_recorder_of_the_wrong_kind() -> None:
    """Anything but one of the four events, or a recorder that cannot record, is a
    TypeError naming it; nothing is recorded."""
    data = InMemoryCustomerData()
    with pytest.raises(
        TypeError, match=r"^event must be one of the AI agent's four events, got str$"
    ):
        events.record("escalated", data, profile_id="p1", at=T0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^recorder must be an EventRecorder \(a customer data"):
        events.record(_all_four()[2], None, profile_id="p1", at=T0)  # type: ignore[arg-type]
    assert data.count_events("p1", ESCALATED, start=None, end=None) == 0


def test_a_profile_id_or_names_of_the_wrong_kind_are_named() -> None:
    """A profile id that is not text (or empty), or names that are not EventNames, are
    refused by argument name when recorded or rendered for Klaviyo: library errors,
    and TypeErrors for the wrong kind."""
    data = InMemoryCustomerData()
    escalated = _all_four()[2]
    with pytest.raises(ArgumentTypeError, match=r"^names must be EventNames, got str$"):
        events.record(escalated, data, profile_id="p1", at=T0, names="x")  # type: ignore[arg-type]
    for render in (escalated.to_event, escalated.to_klaviyo_event):
        with pytest.raises(
            TypeError, match=r"^profile_id must be a profile id \(text\), got None$"
        ):
            render(profile_id=None, at=T0)  # type: ignore[arg-type]
        with pytest.raises(ValidationError, match=r"^profile_id must not be empty$"):
            render(profile_id="", at=T0)
    assert data.count_events("p1", ESCALATED, start=None, end=None) == 0


def test_naive_time_is_refused() -> None:
    """A naive datetime is refused when the event is recorded."""
    with pytest.raises(ValueError, match="timezone-aware"):
        _all_four()[0].to_event(profile_id="p1", at=datetime(2026, 3, 30, 10))


def test_klaviyo_event_shape() -> None:
    """to_klaviyo_event renders the Events API body: type, metric, profile, time, unique_id."""
    body = _all_four()[3].to_klaviyo_event(profile_id="p1", at=T0)
    attributes = body["data"]["attributes"]
    assert body["data"]["type"] == "event"
    assert attributes["metric"] == {
        "data": {
            "type": "metric",
            "attributes": {"name": "Received Product Recommendation from Customer Agent"},
        }
    }
    assert attributes["profile"] == {
        "data": {"type": "profile", "attributes": {"external_id": "p1"}}
    }
    assert attributes["time"] == "2026-03-30T10:00:00Z"
    assert attributes["unique_id"] == "c1:product_recommendation"
    assert attributes["properties"]["products"] == ["SKU-1", "SKU-2"]


def test_klaviyo_profile_by_email() -> None:
    """A profile id that is an e-mail address identifies the Klaviyo profile by email."""
    body = _all_four()[0].to_klaviyo_event(profile_id="ann@example.com", at=T0)
    assert body["data"]["attributes"]["profile"]["data"]["attributes"] == {
        "email": "ann@example.com"
    }


@pytest.mark.parametrize(
    "profile_id",
    [
        "a@",
        "@b.com",
        "a@b@c.com",
        "ann@example.com\n",
        " ann@example.com",
        "mailto:ann@example.com",
    ],
)
def test_klaviyo_profile_by_email_only_for_an_address(profile_id: str) -> None:
    """An id is sent as an ``email`` only when it is an address by the library's one rule
    (``handoff.is_valid_email``); one that merely holds an ``@`` is an ``external_id``."""
    body = _all_four()[0].to_klaviyo_event(profile_id=profile_id, at=T0)
    assert body["data"]["attributes"]["profile"]["data"]["attributes"] == {
        "external_id": profile_id
    }


def test_the_base_of_the_four_events_is_no_event() -> None:
    """``ConversationEvent`` has no kind: building it is refused, and record refuses
    anything that is none of the four (it leaked ``AttributeError: kind`` before)."""
    with pytest.raises(ValidationError, match=r"ConversationEvent is the base of the four"):
        events.ConversationEvent(conversation_id="c1", channel="webchat")
    with pytest.raises(ValidationError, match=r"ConversationEvent is the base of the four"):
        events.ConversationEvent.model_validate({"conversation_id": "c1", "channel": "webchat"})
    unbuilt = events.ConversationEvent.model_construct(conversation_id="c1", channel="webchat")
    with pytest.raises(ArgumentTypeError, match=r"^event must be one of the AI agent's four"):
        events.record(unbuilt, InMemoryCustomerData(), profile_id="p1", at=T0)


def test_an_event_made_without_validation_is_checked_where_it_is_used() -> None:
    """A changed copy is validated as one built; one made by ``model_construct`` is
    validated by record, to_event and to_klaviyo_event: nothing is stored."""
    escalated = _all_four()[2]
    with pytest.raises(ValidationError) as info:
        escalated.model_copy(update={"reason": "not-a-reason"})
    assert info.value.details[0].path == "$.reason"
    assert escalated.model_copy(update={"tag": "other"}).tag == "other"
    data = InMemoryCustomerData()
    unchecked = events.ConversationEscalated.model_construct(conversation_id="c4", channel="")
    for use in (
        lambda: events.record(unchecked, data, profile_id="p1", at=T0),
        lambda: unchecked.to_event(profile_id="p1", at=T0),
        lambda: unchecked.to_klaviyo_event(profile_id="p1", at=T0),
    ):
        with pytest.raises(ValidationError) as info:
            use()
        assert [d.path for d in info.value.details] == ["$.channel"]
    assert data.events("p1") == []


def test_a_metric_name_no_store_keeps_is_refused_when_built() -> None:
    """Each name is an Event's metric, an id of at most 255 characters: refused at its
    field when the names are built, not when the first event is recorded."""
    with pytest.raises(ValidationError) as info:
        events.EventNames(started="S" * 256)
    assert [(d.path, d.code) for d in info.value.details] == [("$.started", "string_too_long")]
    assert events.EventNames(started="S" * 255).started == "S" * 255


def test_products_are_in_the_order_recommended() -> None:
    """A set of products is refused (its order would follow PYTHONHASHSEED)."""
    with pytest.raises(ValidationError) as info:
        events.ProductRecommendationReceived(
            conversation_id="c1", channel="webchat", products={"sku-1", "sku-2"}
        )
    assert [(d.path, d.code) for d in info.value.details] == [("$.products", "unordered_set")]


def _router(data: InMemoryCustomerData, clock: ManualClock) -> Router:
    rule = RoutingRule(
        id="recent-escalation",
        name="Escalated this week",
        when=event(ESCALATED).at_least(1).in_last(days=7),
        then=AssignToTeam(team="care"),
    )
    return Router(
        rules=RuleSet(rules=[rule]),
        teams=[Team(id="care", name="Care", members=("a1",))],
        store=InMemoryStore(agents=[Agent(id="a1")]),
        customer_data=data,
        clock=clock,
    )


def test_escalation_routes_next_ticket_to_team_within_seven_days() -> None:
    """An escalation recorded today makes the 7-day rule send the customer's ticket to the team;
    8 days later the same rule no longer fires."""
    data = InMemoryCustomerData(profiles=[Profile(id="p1"), Profile(id="p2")])
    clock = ManualClock(T0)
    router = _router(data, clock)
    events.record(_all_four()[2], data, profile_id="p1", at=T0)

    clock.advance(days=1)
    soon = router.route(Ticket(id="t1", channel="email", created_at=clock.now(), profile_id="p1"))
    assert soon.team == "care"
    assert soon.rule_id == "recent-escalation"

    clock.set(T0 + timedelta(days=8))
    late = router.route(Ticket(id="t2", channel="email", created_at=clock.now(), profile_id="p1"))
    assert late.team is None


def test_escalation_of_another_customer_does_not_route() -> None:
    """The rule reads the ticket's own customer: another profile's escalation does not count."""
    data = InMemoryCustomerData(profiles=[Profile(id="p1"), Profile(id="p2")])
    clock = ManualClock(T0)
    router = _router(data, clock)
    events.record(_all_four()[2], data, profile_id="p2", at=T0)
    decision = router.route(
        Ticket(id="t1", channel="email", created_at=clock.now(), profile_id="p1")
    )
    assert decision.team is None


def test_recording_is_idempotent_on_every_customer_data_adapter(
    customer_data_factory: CustomerDataFactory, request: pytest.FixtureRequest
) -> None:
    """On every adapter with the EventRecorder write side, a replayed event records nothing."""
    data = customer_data_factory(request, [Profile(id="p1")], [])
    assert hasattr(data, "record_event"), type(data).__name__  # every adapter records
    recorder: EventRecorder = data  # type: ignore[assignment]
    escalated = _all_four()[2]
    assert events.record(escalated, recorder, profile_id="p1", at=T0) is True
    assert events.record(escalated, recorder, profile_id="p1", at=T0) is False
    assert data.count_events("p1", ESCALATED, start=None, end=None) == 1


_KINDS = ("started", "resolved", "escalated", "product_recommendation")


def test_the_default_names_are_four_distinct_names() -> None:
    """The product's names tell the four kinds apart: no two share a metric name."""
    assert len({events.DEFAULT_NAMES.of(kind) for kind in _KINDS}) == 4


@pytest.mark.parametrize(
    "build",
    [
        lambda fields: events.EventNames(**fields),
        events.EventNames.model_validate,
        lambda fields: events.EventNames.model_validate_json(json.dumps(fields)),
    ],
    ids=["constructor", "model_validate", "model_validate_json"],
)
def test_two_kinds_sharing_one_metric_name_are_refused(
    build: Callable[[dict[str, str]], events.EventNames],
) -> None:
    """Names that give the resolved and the escalated event one metric are refused, by
    every door, naming both fields and the name (a resolved conversation was counted as
    escalated too)."""
    with pytest.raises(ValidationError) as caught:
        build({"resolved": "AI conversation ended", "escalated": "AI conversation ended"})
    assert caught.value.errors()[0]["path"] == "$.escalated"
    assert caught.value.errors()[0]["message"] == (
        "escalated and resolved must be different metric names, both are 'AI conversation ended'"
    )


def test_a_default_name_given_to_another_kind_is_refused() -> None:
    """A field given another kind's default name collides with that default, and the
    field given is the one named first, at its path."""
    with pytest.raises(ValidationError) as caught:
        events.EventNames(started="Conversation with Customer Agent Resolved")
    assert caught.value.errors()[0]["path"] == "$.started"
    assert caught.value.errors()[0]["message"] == (
        "started and resolved must be different metric names, both are "
        "'Conversation with Customer Agent Resolved'"
    )


def test_names_that_skipped_validation_are_refused_where_they_are_used() -> None:
    """Names made without validation (model_copy with an update, model_construct) are
    refused by check_names, so by record and the report, before anything is recorded."""
    shared = events.DEFAULT_NAMES.model_copy(update={"escalated": events.DEFAULT_NAMES.resolved})
    constructed = events.EventNames.model_construct(started="X", product_recommendation="X")
    data = InMemoryCustomerData()
    for names, message in [
        (shared, r"^escalated and resolved must be different metric names, both are 'Conv"),
        (constructed, r"^product_recommendation and started must be different metric names"),
    ]:
        with pytest.raises(ValidationError, match=message):
            events.check_names(names)
        with pytest.raises(ValidationError, match=message):
            events.record(_all_four()[1], data, profile_id="p1", at=T0, names=names)
    assert data.count_events("p1", events.DEFAULT_NAMES.resolved, start=None, end=None) == 0


@pytest.mark.parametrize("bad", ["", "x" * 256, "a\x00b", 5])
def test_a_name_that_is_no_id_is_refused_where_names_are_used(bad: object) -> None:
    """A name of a copy that is no id (empty, too long, NUL, no text) is refused by every
    use, at ``$.names.<kind>``, before anything is recorded or rendered: to_klaviyo_event
    rendered it, and a Handoff given it lost every Escalated event (its first record
    failed, after the handoff)."""
    from helpdesk_routing.handoff import Handoff, InMemoryLedger, SendToHelpdesk

    names = events.DEFAULT_NAMES.model_copy(update={"escalated": bad})
    escalated = _all_four()[2]
    data = InMemoryCustomerData()
    uses: list[Callable[[], object]] = [
        lambda: events.check_names(names),
        lambda: events.record(escalated, data, profile_id="p1", at=T0, names=names),
        lambda: escalated.to_event(profile_id="p1", at=T0, names=names),
        lambda: escalated.to_klaviyo_event(profile_id="p1", at=T0, names=names),
        lambda: Handoff(
            settings=SendToHelpdesk(helpdesk="builtin"),
            router=Router(store=InMemoryStore(), customer_data=data, clock=ManualClock(T0)),
            ledger=InMemoryLedger(),
            customer_data=data,
            clock=ManualClock(T0),
            event_names=names,
        ),
    ]
    for use in uses:
        with pytest.raises(ValidationError) as info:
            use()
        assert info.value.paths == ("$.names.escalated",)
    assert data.events("p1") == []


def test_klaviyo_refuses_a_profile_id_to_event_refuses() -> None:
    """The same arguments, the same refusals: a profile id with NUL or of 256 characters
    was rendered into the Klaviyo body though to_event refused it."""
    started = _all_four()[0]
    for profile_id, path in [("p\x00", "$.profile_id"), ("p" * 256, "$.profile_id")]:
        for render in (started.to_event, started.to_klaviyo_event):
            with pytest.raises(ValidationError) as info:
                render(profile_id=profile_id, at=T0)
            assert info.value.paths == (path,)


@given(st.lists(st.sampled_from(["A", "B", "C", "D", "E"]), min_size=4, max_size=4))
def test_names_are_built_exactly_when_the_four_differ(texts: list[str]) -> None:
    """For any four names, EventNames is built exactly when they are distinct, and then
    each metric name is the name of one kind only; otherwise the error names the first
    field whose name an earlier field has."""
    fields = dict(zip(_KINDS, texts, strict=True))
    if len(set(texts)) == 4:
        names = events.EventNames(**fields)
        assert {names.of(kind): kind for kind in _KINDS} == {t: k for k, t in fields.items()}
        return
    later = next(i for i, t in enumerate(texts) if t in texts[:i])
    earlier = texts.index(texts[later])
    with pytest.raises(ValidationError) as caught:
        events.EventNames(**fields)
    assert caught.value.errors()[0]["path"] == f"$.{_KINDS[later]}"
    assert caught.value.errors()[0]["message"] == (
        f"{_KINDS[later]} and {_KINDS[earlier]} must be different metric names, "
        f"both are {texts[later]!r}"
    )


def test_a_subclass_of_event_names_with_fields_of_its_own_is_used() -> None:
    """Only the four names are checked where names are used: a subclass holding more
    of its own was refused there ("$.names.team: Extra inputs are not permitted")."""

    class TeamNames(events.EventNames):
        team: str = "support"

    names = TeamNames(escalated="Escalated to a human")
    escalated = _all_four()[2]
    assert events.check_names(names) is names
    assert escalated.to_event(profile_id="p1", at=T0, names=names).metric == "Escalated to a human"
    body = escalated.to_klaviyo_event(profile_id="p1", at=T0, names=names)
    assert body["data"]["attributes"]["metric"]["data"]["attributes"]["name"] == (
        "Escalated to a human"
    )
