"""The body of an answer acted on by its status alone (401, 403, 429, 5xx) is not read:
it was read in full (up to 10 MiB) only to be dropped. The connection it came on is
closed (never reused), so leaving it unread is safe."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from helpdesk_routing.handoff import AuthenticationFailed
from tests.handoff.fake_services import FakeService
from tests.handoff.http_helpers import connector_to, delivery_request

BIG = b"x" * (1024 * 1024)
"""A 1 MiB body, the fake service's answer before the ticket is made."""


class _Counted(httpx.SyncByteStream):
    def __init__(self, stream: httpx.SyncByteStream, counts: list[int]) -> None:
        self._stream = stream
        self._counts = counts

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._stream:
            self._counts[-1] += len(chunk)
            yield chunk

    def close(self) -> None:
        self._stream.close()


class Counting(httpx.BaseTransport):
    """httpx's transport (no connection kept alive) counting, per answer, the body bytes
    the connector read (``counts``)."""

    def __init__(self) -> None:
        self.counts: list[int] = []
        self._inner = httpx.HTTPTransport(limits=httpx.Limits(max_keepalive_connections=0))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        assert isinstance(response.stream, httpx.SyncByteStream)
        self.counts.append(0)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_Counted(response.stream, self.counts),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._inner.close()


def _retried_then_made(service: FakeService, status: int) -> None:
    """``status`` with a 1 MiB body, then the ticket: the first body is never read; the
    ticket's is."""
    service.script = ["odd-before"]
    service.odd_status = status
    service.odd_headers = {"Retry-After": "0"}
    service.odd_body = BIG
    transport = Counting()
    delivery = connector_to(service, transport=transport).deliver(delivery_request())
    assert delivery.ticket_id == "1"
    assert transport.counts[0] == 0
    assert transport.counts[1] > 0


def test_a_429_s_body_is_not_read(service: FakeService) -> None:
    _retried_then_made(service, 429)


@pytest.mark.parametrize("status", [500, 503])
def test_a_5xx_s_body_is_not_read(zendesk_service: FakeService, status: int) -> None:
    """Zendesk's POST (replayed by its key) answered a 5xx: retried, its body unread."""
    _retried_then_made(zendesk_service, status)


def test_an_authentication_failure_s_body_is_not_read(service: FakeService) -> None:
    """A 401 with a 1 MiB body: ``AuthenticationFailed``, the body never read."""
    service.script = ["odd-before"]
    service.odd_status = 401
    service.odd_body = BIG
    transport = Counting()
    with pytest.raises(AuthenticationFailed):
        connector_to(service, transport=transport).deliver(delivery_request())
    assert transport.counts == [0]


def test_a_refusal_s_body_is_still_read(service: FakeService) -> None:
    """A 422 (a refusal, its body the details) is read as before."""
    service.script = ["422"]
    transport = Counting()
    with pytest.raises(Exception, match="Requester email is invalid"):
        connector_to(service, transport=transport).deliver(delivery_request())
    assert transport.counts[0] > 0
