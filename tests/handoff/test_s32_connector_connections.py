"""Every request opens its own connection, whatever ``transport=`` is given: the request's
deadline can then cut it from the start (a kept connection's wait for the answer's
headers could not be), so ``longest_delivery`` holds.

httpx ignores the client's ``limits`` when given a transport, so a transport keeping
connections alive (httpx's own, by default) reused them, and the deadline could not cut
a request waiting for its answer's headers on one."""

from __future__ import annotations

import httpx

from tests.handoff.fake_services import FakeService
from tests.handoff.http_helpers import connector_to, delivery_request


def test_a_transport_keeping_connections_alive_never_reuses_one(service: FakeService) -> None:
    """httpx's transport with its default limits (connections kept alive): a look-up,
    a delivery and a look-up again each come on a connection of their own."""
    connector = connector_to(service, transport=httpx.HTTPTransport())
    handoff_id = delivery_request().handoff_id
    assert connector.find(handoff_id) is None
    assert connector.deliver(delivery_request()).ticket_id == "1"
    assert connector.find(handoff_id) == "1"
    ports = [r.port for r in service.requests]
    assert len(ports) == 3
    assert len(set(ports)) == 3, ports


def test_a_retry_after_a_429_on_a_kept_alive_transport_is_a_new_connection(
    service: FakeService,
) -> None:
    """A 429 then the answer on the transport keeping connections alive: two
    connections, one ticket."""
    service.script = ["429:0"]
    connector = connector_to(service, transport=httpx.HTTPTransport())
    assert connector.deliver(delivery_request()).ticket_id == "1"
    ports = [r.port for r in service.requests]
    assert len(ports) == 2
    assert len(set(ports)) == 2, ports
