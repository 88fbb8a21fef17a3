"""A wall-clock deadline for one HTTP request, its answer's body included.

httpx's timeouts are per phase and per socket read: a server trickling its answer (one
byte every little while, each read within the timeout) keeps a request going without
limit, past the connectors' ``longest_delivery``, and ``Handoff.recover`` then takes a
handoff still being sent for one whose process died (a second ticket). A
:class:`Deadline` ends the request when its time is up: a timer shuts the request's
socket down (a blocked read returns at once), and the body is checked between pieces.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any

__all__ = ["Deadline", "TooLateToSend"]

_CONNECTED = ("connection.connect_tcp.complete", "connection.start_tls.complete")
"""httpcore's trace events whose ``return_value`` is the connection's network stream."""


class TooLateToSend(Exception):
    """The deadline passed before the request started being sent: raised by
    :meth:`Deadline.trace` when httpcore is about to send the request's headers, so
    nothing of the request is sent (not an httpx error: httpx passes it on as it is)."""


class Deadline:
    """``seconds`` from when it is entered (``with``); :attr:`passed` once they are over,
    :attr:`sending` once the request started being sent (nothing was before), and
    :attr:`headers_refused` when httpcore refused to send the request's headers (h11's
    ``LocalProtocolError``: a header value it does not allow, raised before a byte is
    written). Once the time is up, the request is never started: :meth:`trace` raises
    :class:`TooLateToSend` instead.

    Give :meth:`trace` to httpx as the request's ``trace`` extension: each connection the
    request opens is watched, and shut down (both ways) when the time is up, so whatever
    httpx was waiting for fails at once. :meth:`watch` adds a stream (the answer's
    ``network_stream``, for a connection opened before)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.passed = False
        self.sending = False
        self.headers_refused = False
        self._ends = 0.0
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._ends = time.monotonic() + self.seconds
        self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the timer, and shut down every connection the request used: a transport
        keeping connections alive (httpx ignores the client's ``limits`` when given one)
        then finds it closed by the peer (readable, at end of file) when it would reuse it,
        and opens a new one, watched from the start. A request waiting for its answer's
        headers on a kept connection could not be cut (its socket is only known with the
        answer)."""
        self._timer.cancel()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        """httpcore's trace callback: watch each connection as it is made, and note when
        the request starts being sent (:attr:`sending`), or raise :class:`TooLateToSend`
        instead when the time is up by then (checked on the clock, under the lock the
        timer takes: either the request is not sent, or :attr:`sending` is set before the
        timer can cut it). A proxy's ``CONNECT`` counts as sending (conservative: what
        fails after it may have reached the service).

        A ``send_request_headers`` failing with h11's ``LocalProtocolError`` (by name:
        httpcore's class, httpx not imported here) sets :attr:`headers_refused`: h11
        refuses the headers before they are written, so nothing was sent."""
        if event in _CONNECTED:
            self.watch(info.get("return_value"))
        elif event.endswith(".send_request_headers.started"):
            with self._lock:
                if self._over():
                    raise TooLateToSend
                self.sending = True
        elif (
            event.endswith(".send_request_headers.failed")
            and type(info.get("exception")).__name__ == "LocalProtocolError"
        ):
            self.headers_refused = True

    def watch(self, stream: object) -> None:
        """Shut ``stream``'s socket down when the time is up (at once if it is)."""
        extra = getattr(stream, "get_extra_info", None)
        sock = extra("socket") if callable(extra) else None
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            self._sockets.append(sock)
            late = self.passed
        if late:
            _shut(sock)

    def over(self) -> bool:
        """Whether the time is up (checked between pieces of the body)."""
        with self._lock:
            return self._over()

    def _over(self) -> bool:
        if time.monotonic() >= self._ends:
            self.passed = True
        return self.passed

    def _cut(self) -> None:
        with self._lock:
            self.passed = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    """Shut the socket down both ways. ``socket.socket.shutdown`` on purpose: an
    ``SSLSocket``'s own ``shutdown`` also drops its TLS state, under a read of another
    thread; the plain one only wakes that read."""
    with contextlib.suppress(OSError):  # already closed or never connected
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
