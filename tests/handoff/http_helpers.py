"""What the connector tests against the fake services (``fake_services``) share: the
policy, the connectors to a fake service (each closed after its test by ``conftest``),
a handoff delivering to one, and the timeouts a test about a timeout uses.

Every request a test expects to be answered has generous timeouts (:data:`GENEROUS`
seconds for each phase, a deadline of five times that): a loaded machine must not turn
an answer into a timeout (a Zendesk retry, a reconcile). A test about a timeout makes
the request it expects to time out wait for an answer the fake service holds back until
the test releases it (``slow``, ``late``), and gives that request alone a short read
timeout (:class:`Timeouts`): it times out however slow the machine is, and only it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime

import httpx

from helpdesk_routing.handoff import DeliveryRequest, Handoff, InMemoryLedger, SendToHelpdesk
from helpdesk_routing.handoff import handoff_id as make_handoff_id
from helpdesk_routing.handoff.connectors._http import RetryPolicy
from helpdesk_routing.handoff.connectors.gorgias import GorgiasConnector
from helpdesk_routing.handoff.connectors.zendesk import ZendeskConnector
from tests.handoff.conftest import Desk, conversation
from tests.handoff.fake_services import FakeService

__all__ = [
    "AT",
    "GENEROUS",
    "HID",
    "POLICY",
    "SHORT_READ",
    "STRANGER",
    "Connector",
    "Timeouts",
    "close_connectors",
    "connector_to",
    "delivery_request",
    "gorgias",
    "handoff_to",
    "zendesk",
]

GENEROUS = 10.0
"""Seconds a request expected to be answered has for each phase (its deadline: 50 s)."""

SHORT_READ = 0.3
"""Seconds to read its answer a request gets that a test expects to time out (its answer
is held back by the fake service, so it times out whatever the machine's load)."""

POLICY = RetryPolicy(
    attempts=4, max_total_wait=30.0, base_delay=0.5, max_delay=8.0, timeout=GENEROUS
)
"""The connectors' policy in these tests; no test sleeps its waits (they are recorded)."""

AT = datetime(2026, 3, 30, 10, tzinfo=UTC)
HID = make_handoff_id("c1")
STRANGER = make_handoff_id("someone-else")

Connector = ZendeskConnector | GorgiasConnector

_OPEN: list[Connector] = []


def close_connectors() -> None:
    """Close every connector made here so far (their HTTP clients hold sockets)."""
    while _OPEN:
        _OPEN.pop().close()


class Timeouts(httpx.BaseTransport):
    """httpx's own transport, keeping no connection alive (as the connectors' clients'
    does), giving every request :data:`GENEROUS` seconds for each phase, except the
    next ``short_reads`` requests, which get :data:`SHORT_READ` seconds to read their
    answer. The connector's ``RetryPolicy.timeout`` still sets each request's deadline
    (``5 * timeout``)."""

    def __init__(self, short_reads: int = 0) -> None:
        self.short_reads = short_reads
        self._inner = httpx.HTTPTransport(limits=httpx.Limits(max_keepalive_connections=0))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        read = GENEROUS
        if self.short_reads > 0:
            self.short_reads -= 1
            read = SHORT_READ
        timeouts = {"connect": GENEROUS, "read": read, "write": GENEROUS, "pool": GENEROUS}
        request.extensions = {**request.extensions, "timeout": timeouts}
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def zendesk(
    url: str,
    waits: list[float] | None = None,
    *,
    policy: RetryPolicy = POLICY,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] | None = None,
    **options: object,
) -> ZendeskConnector:
    """A Zendesk connector to ``url`` (ann@shop.example/token:secret unless ``options``
    say otherwise), its waits recorded in ``waits`` instead of slept (or given to
    ``sleep``)."""
    credentials: dict[str, object] = {"email": "ann@shop.example", "api_token": "secret"}
    credentials.update(options)
    connector = ZendeskConnector(
        base_url=url,
        policy=policy,
        transport=transport,
        sleep=sleep or (waits if waits is not None else []).append,
        rng=random.Random(1),
        **credentials,  # type: ignore[arg-type]
    )
    _OPEN.append(connector)
    return connector


def gorgias(
    url: str,
    waits: list[float] | None = None,
    *,
    policy: RetryPolicy = POLICY,
    transport: httpx.BaseTransport | None = None,
    agent_email: str | None = None,
) -> GorgiasConnector:
    """A Gorgias connector to ``url`` (ann@shop.example:key), its waits recorded in
    ``waits`` instead of slept."""
    connector = GorgiasConnector(
        base_url=url,
        email="ann@shop.example",
        api_key="key",
        agent_email=agent_email,
        policy=policy,
        transport=transport,
        sleep=(waits if waits is not None else []).append,
        rng=random.Random(1),
    )
    _OPEN.append(connector)
    return connector


def connector_to(
    service: FakeService,
    waits: list[float] | None = None,
    *,
    url: str | None = None,
    policy: RetryPolicy = POLICY,
    transport: httpx.BaseTransport | None = None,
) -> Connector:
    """The connector of ``service``'s kind to it (or to ``url``), with no retry pauses."""
    make = zendesk if service.kind == "zendesk" else gorgias
    return make(url or service.url, waits, policy=policy, transport=transport)


def handoff_to(
    service: FakeService, desk: Desk, destination: Connector | None = None
) -> tuple[Handoff, InMemoryLedger, Connector]:
    """A handoff delivering to ``service`` through ``destination`` (its connector by
    default), with its ledger and the connector."""
    if destination is None:
        destination = connector_to(service)
    ledger = InMemoryLedger()
    handoff = Handoff(
        settings=SendToHelpdesk(helpdesk=service.kind),
        ledger=ledger,
        clock=desk.clock,
        destination=destination,
    )
    return handoff, ledger, destination


def delivery_request() -> DeliveryRequest:
    """c1's handoff by SMS from vic@example.com, without tags."""
    return DeliveryRequest(
        handoff_id=HID,
        conversation=conversation(channel="sms", email="vic@example.com"),
        email="vic@example.com",
        reason="knowledge_gap",
        tag=None,
        subject="Conversation with the AI agent",
        tags=frozenset(),
        at=AT,
    )
