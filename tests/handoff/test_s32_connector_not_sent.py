"""A request proven never sent is "not sent" (retried as a connection not made, then
``Unreachable``), never a lost answer (``OutcomeUnknown``, which for Gorgias waits for a
reconcile and for Zendesk marks the ticket as maybe made).

Before, any transport error past the request's deadline became a ``ReadTimeout`` (a lost
answer), even when the deadline passed before anything was sent; a proxy refusing the
tunnel (``ProxyError``) and h11 refusing a header (``LocalProtocolError``, its message
showing the header, an OAuth token included) were lost answers too."""

from __future__ import annotations

import socket
import time
import traceback

import httpx
import pytest

from helpdesk_routing.handoff import OutcomeUnknown, Unreachable
from helpdesk_routing.handoff.connectors._http import RetryPolicy
from tests.handoff.fake_services import FakeService
from tests.handoff.http_helpers import (
    GENEROUS,
    connector_to,
    delivery_request,
    gorgias,
    zendesk,
)

SHORT = RetryPolicy(attempts=2, max_total_wait=30.0, base_delay=0.5, max_delay=8.0, timeout=0.2)
"""A request's deadline of 1 s (``5 * timeout``): the late transport below passes it."""


class Late(httpx.BaseTransport):
    """httpx's transport (no connection kept alive, :data:`GENEROUS` seconds for each
    phase, ``connect`` to connect and for the TLS handshake), handing each request on
    only once ``delay`` seconds have passed: a pool or a name resolution slow enough to
    pass the request's deadline before anything is sent."""

    def __init__(self, delay: float, connect: float = GENEROUS) -> None:
        self.delay = delay
        self.connect = connect
        self._inner = httpx.HTTPTransport(limits=httpx.Limits(max_keepalive_connections=0))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        time.sleep(self.delay)
        timeouts = {"connect": self.connect, "read": GENEROUS, "write": GENEROUS, "pool": GENEROUS}
        request.extensions = {**request.extensions, "timeout": timeouts}
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def test_a_deadline_passed_before_sending_is_not_sent_and_retried(service: FakeService) -> None:
    """The deadline (1 s) passes before the request is handed to httpcore: it is never
    sent (the service sees nothing), retried after a backoff, then ``Unreachable``."""
    waits: list[float] = []
    connector = connector_to(service, waits, policy=SHORT, transport=Late(1.1))
    with pytest.raises(Unreachable) as caught:
        connector.deliver(delivery_request())
    assert caught.value.reason == (
        "ConnectTimeout: no connection within 1 s (the request's deadline)"
    )
    assert len(waits) == SHORT.attempts - 1
    assert service.requests == []
    assert service.tickets == {}


def test_a_proxy_refusing_the_tunnel_is_not_sent_and_retried(service: FakeService) -> None:
    """An HTTPS base URL through a proxy that refuses ``CONNECT`` (the fake service
    answers 501): nothing reached the service, so the request is retried as a connection
    not made, then ``Unreachable`` (never ``OutcomeUnknown``)."""
    proxy = httpx.HTTPTransport(proxy=service.url, limits=httpx.Limits(max_keepalive_connections=0))
    waits: list[float] = []
    make = zendesk if service.kind == "zendesk" else gorgias
    connector = make("https://shop.example", waits, transport=proxy)
    with pytest.raises(Unreachable) as caught:
        connector.deliver(delivery_request())
    assert caught.value.reason.startswith("ProxyError: 501"), caught.value.reason
    assert len(waits) == 3
    assert service.requests == []


def test_a_header_h11_refuses_is_not_sent_and_not_shown(zendesk_service: FakeService) -> None:
    """An OAuth token ending in a space makes a header value h11 refuses before writing a
    byte: ``Unreachable`` at once (retrying cannot help), the token never in the message."""
    waits: list[float] = []
    connector = zendesk(zendesk_service.url, waits, oauth_token="s3cr3t-token ")
    with pytest.raises(Unreachable) as caught:
        connector.deliver(delivery_request())
    assert str(caught.value) == (
        "zendesk: unreachable: not sent: LocalProtocolError: a request header's name or value "
        "was refused (not shown: it may be a credential)"
    )
    assert "s3cr3t" not in repr(caught.value.__dict__)
    # nor in a logged traceback: httpx's error, which shows the header, is neither the
    # cause nor the context
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None
    assert "s3cr3t" not in "".join(traceback.format_exception(caught.value))
    with pytest.raises(OutcomeUnknown) as looked:
        connector.find("h1")
    assert "s3cr3t" not in "".join(traceback.format_exception(looked.value))
    assert waits == []
    assert zendesk_service.requests == []


def test_a_lost_answer_past_the_deadline_stays_outcome_unknown(
    gorgias_service: FakeService,
) -> None:
    """Conservative: an answer held past the deadline (the request was sent) is still a
    lost answer for Gorgias, never retried."""
    gorgias_service.script = ["slow"]
    policy = RetryPolicy(attempts=2, max_total_wait=30.0, timeout=0.2)
    waits: list[float] = []
    connector = gorgias(gorgias_service.url, waits, policy=policy, transport=Late(0))
    with pytest.raises(OutcomeUnknown) as caught:
        connector.deliver(delivery_request())
    assert caught.value.reason == (
        "ReadTimeout: no whole answer within 1 s (the request's deadline)"
    )
    assert waits == []
    assert len(gorgias_service.posts) == 1


def test_a_tls_handshake_timing_out_past_the_deadline_is_not_sent() -> None:
    """A server that accepts the connection and never answers the TLS handshake, which
    times out (1.5 s) after the request's deadline (1 s) passed: no connection was
    made, nothing sent: retried, then ``Unreachable`` (it was taken for a lost answer,
    ``OutcomeUnknown``, as any error past the deadline)."""
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepted by the kernel only
        port = silent.getsockname()[1]
        waits: list[float] = []
        transport = Late(0, connect=1.5)
        connector = gorgias(f"https://127.0.0.1:{port}", waits, policy=SHORT, transport=transport)
        with pytest.raises(Unreachable) as caught:
            connector.deliver(delivery_request())
    assert caught.value.reason.startswith("ConnectTimeout: "), caught.value.reason
    assert len(waits) == SHORT.attempts - 1
