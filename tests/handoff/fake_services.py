"""Real HTTP servers on 127.0.0.1 that imitate the Zendesk and Gorgias ticket APIs.

Each runs ``http.server`` in a thread. A created ticket is answered with its id and
``external_id`` (Zendesk ``{"ticket": {"id", "external_id"}}``, Gorgias ``{"id",
"external_id"}``), as the services answer the whole ticket; ``answer_external_id`` set
names that ``external_id`` instead, on every create's answer and Zendesk's replay (a
caching proxy, a replay of another request). ``script`` lists what the next POSTs do (one
action each; ``ok`` once it is empty):

- ``ok``: create the ticket (Zendesk: honour ``Idempotency-Key``: the same key and body
  replay the first answer with ``x-idempotency-lookup: hit``; the same key with another
  body answers 400 ``IdempotentRequestError``);
- ``429:N``: answer 429 with ``Retry-After: N``, nothing created;
- ``503:N``: answer 503 with ``Retry-After: N``, nothing created;
- ``401``, ``403``, ``422``, ``400``, ``500``: answer that status, nothing created;
- ``500-after-create``: create, then answer 500;
- ``redirect:N``: answer status ``N`` (301, 302, 307, 308) with ``Location:
  https://moved.example/...``, nothing created; ``404``: answer 404, nothing created;
- ``drop``: create, then close the connection without an answer;
- ``drop-before``: close the connection without creating anything;
- ``slow``: create, then answer only once the test calls ``release()`` (or the service
  stops): the client times out first, however slow the machine;
- ``late``: wait until ``release()`` (or the service stops), then create and answer: a
  look-up meanwhile finds nothing, though the ticket is on its way;
- ``odd``: create, then answer ``odd_status`` (201) with ``odd_headers`` and the bytes
  ``odd_body`` (a body that may not name the ticket, or may not be readable at all);
- ``odd-before``: the same answer, nothing created;
- ``trickle``: create, then answer 201 with a chunked body sent one byte every
  ``trickle_seconds`` (each read within the client's timeout): ``trickle_bytes`` spaces,
  then the ticket's JSON;
- ``trickle-head``: create, then send the answer's header lines in the same way (one
  ``X-Pad`` line of ``trickle_bytes`` bytes), then the ticket's JSON.

``answer_delay`` seconds pass before any request is acted on (a loaded machine).
``answer_date`` set is every answer's ``Date`` header instead of the local clock's time
(a server whose clock differs from the client's).

A GET looks tickets up by ``external_id``, answering them with the services' pagination
fields (Zendesk ``next_page``, Gorgias ``meta.next_cursor``), ``null`` as all fit on one
page. ``lookup_empty_pages`` makes its first N pages empty though they say more follow
(Zendesk ``next_page: ".../api/v2/tickets?external_id=...&page=2"``, Gorgias
``meta.next_cursor: "c2"``, as a service filtering after paging might); the tickets are
on the page after them (``page`` or ``cursor`` in the query). With ``lookup_body`` set
it answers 200 with those bytes (and ``lookup_headers``) instead. ``lookup_unfiltered``
makes it ignore the filter (as a proxy dropping the query string would): it lists every
stored ticket with its ``external_id``; ``lookup_newest_first`` lists the newest first
(oldest first by default). ``lookup_script`` lists what the next GETs answer instead of
looking up (``429:N``, ``503:N``, a status such as ``401``, or ``drop``: close the connection
without an answer; the look-up once it is empty).
"""

from __future__ import annotations

import base64
import json
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit


class _QuietServer(ThreadingHTTPServer):
    """A client hanging up mid-answer (the tests' deadlines do it on purpose) is not an
    error of the service: no traceback of it on stderr. Any other error is printed."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionResetError | BrokenPipeError):
            return
        super().handle_error(request, client_address)


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    port: int = 0
    """The client's port: requests on one connection share it."""


@dataclass
class FakeService:
    """The state of one imitated service."""

    kind: Literal["zendesk", "gorgias"]
    authorization: str
    script: list[str] = field(default_factory=list)
    odd_body: bytes = b"{}"
    odd_status: int = 201
    odd_headers: dict[str, str] = field(default_factory=dict)
    lookup_body: bytes | None = None
    lookup_headers: dict[str, str] = field(default_factory=dict)
    lookup_script: list[str] = field(default_factory=list)
    lookup_unfiltered: bool = False
    lookup_newest_first: bool = False
    lookup_empty_pages: int = 0
    answer_external_id: str | None = None
    answer_delay: float = 0.0
    answer_date: str | None = None
    trickle_seconds: float = 0.1
    trickle_bytes: int = 60
    tickets: dict[int, dict[str, Any]] = field(default_factory=dict)
    keys: dict[str, tuple[bytes, int]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None
    released: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        """The server's base address."""
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def posts(self) -> list[Recorded]:
        """The POSTs received."""
        return [r for r in self.requests if r.method == "POST"]

    def start(self) -> FakeService:
        """Listen on a free loopback port."""
        service = self

        class Handler(_Handler):
            fake = service

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # a short poll interval: stop() waits for it, after every test
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def release(self) -> None:
        """Let the answers held back (``slow``, ``late``) go."""
        self.released.set()

    def stop(self) -> None:
        """Release what is held back and stop listening."""
        self.release()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def create(self, payload: dict[str, Any]) -> int:
        """Store a ticket; its id."""
        with self.lock:
            ticket_id = len(self.tickets) + 1
            self.tickets[ticket_id] = payload
            return ticket_id

    def answer(self, ticket_id: int) -> dict[str, Any]:
        """The create's answer naming ticket ``ticket_id`` (see the module)."""
        external = self.answer_external_id
        if external is None:
            external = self.external_ids()[ticket_id - 1]
        ticket = {"id": ticket_id, "external_id": external}
        return {"ticket": ticket} if self.kind == "zendesk" else ticket

    def external_ids(self) -> list[str]:
        """The external ids of the stored tickets, in creation order."""
        inner = "ticket" if self.kind == "zendesk" else None
        return [(t[inner] if inner else t)["external_id"] for t in self.tickets.values()]


def basic(user: str, secret: str) -> str:
    """An HTTP basic Authorization header value."""
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


class _Handler(BaseHTTPRequestHandler):
    fake: FakeService
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` header: ``answer_date`` when set."""
        if self.fake.answer_date is not None:
            return self.fake.answer_date
        return super().date_time_string(timestamp)

    def _answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _answer_raw(self, status: int, data: bytes, headers: dict[str, str] | None = None) -> None:
        headers = {"Content-Type": "application/json", **(headers or {})}
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _trickle(self, action: str, ticket_id: int) -> None:
        """Answer one byte at a time (see the module); stop when the client hangs up."""
        fake = self.fake
        data = json.dumps(
            {"ticket": {"id": ticket_id}} if fake.kind == "zendesk" else {"id": ticket_id}
        )
        slow = b" " * fake.trickle_bytes
        head = b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
        self.close_connection = True
        try:
            if action == "trickle-head":
                self.wfile.write(head + b"X-Pad: ")
                for _ in slow:
                    self.wfile.write(b"a")
                    time.sleep(fake.trickle_seconds)
                body = data.encode()
                self.wfile.write(b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
                return
            self.wfile.write(head + b"Transfer-Encoding: chunked\r\n\r\n")
            for byte in slow:
                self.wfile.write(b"1\r\n" + bytes([byte]) + b"\r\n")
                time.sleep(fake.trickle_seconds)
            body = data.encode()
            self.wfile.write(b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n")
        except OSError:  # the client gave up
            return

    def _drop(self) -> None:
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def _record(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.fake.requests.append(
            Recorded(
                self.command,
                self.path,
                {k.lower(): v for k, v in self.headers.items()},
                body,
                self.client_address[1],
            )
        )
        return body

    def do_GET(self) -> None:
        self._record()
        time.sleep(self.fake.answer_delay)
        if self.headers.get("Authorization") != self.fake.authorization:
            self._answer(401, {"error": "Couldn't authenticate you"})
            return
        with self.fake.lock:
            action = self.fake.lookup_script.pop(0) if self.fake.lookup_script else None
        if action is not None and action.startswith("429:"):
            self._answer(429, {"error": "TooManyRequests"}, {"Retry-After": action[4:]})
            return
        if action is not None and action.startswith("503:"):
            self._answer(503, {"error": "ServiceUnavailable"}, {"Retry-After": action[4:]})
            return
        if action == "drop":
            self._drop()
            return
        if action is not None:
            self._answer(int(action), {"error": "Failed"})
            return
        if self.fake.lookup_body is not None:
            self._answer_raw(200, self.fake.lookup_body, self.fake.lookup_headers)
            return
        query = parse_qs(urlsplit(self.path).query)
        wanted = query.get("external_id", [""])[0]
        if self.fake.kind == "zendesk":
            page = int(query.get("page", ["1"])[0])
        else:
            page = int(query.get("cursor", ["c1"])[0].removeprefix("c"))
        if page <= self.fake.lookup_empty_pages:
            later = f"{self.fake.url}/api/v2/tickets?external_id={wanted}&page={page + 1}"
            self._answer(
                200,
                {"tickets": [], "next_page": later, "previous_page": None, "count": 1}
                if self.fake.kind == "zendesk"
                else {"data": [], "meta": {"next_cursor": f"c{page + 1}", "prev_cursor": None}},
            )
            return
        with self.fake.lock:
            items = list(self.fake.tickets.items())
        if self.fake.lookup_newest_first:
            items.reverse()
        found = []
        for ticket_id, payload in items:
            inner = payload["ticket"] if self.fake.kind == "zendesk" else payload
            external = inner.get("external_id")
            if external == wanted or self.fake.lookup_unfiltered:
                found.append({"id": ticket_id, "external_id": external})
        self._answer(
            200,
            {"tickets": found, "next_page": None, "previous_page": None, "count": len(found)}
            if self.fake.kind == "zendesk"
            else {"data": found, "meta": {"next_cursor": None, "prev_cursor": None}},
        )

    def do_POST(self) -> None:
        body = self._record()
        time.sleep(self.fake.answer_delay)
        fake = self.fake
        with fake.lock:
            action = fake.script.pop(0) if fake.script else "ok"
        if self.headers.get("Authorization") != fake.authorization:
            self._answer(401, {"error": "Couldn't authenticate you"})
            return
        if action.startswith("429:"):
            self._answer(429, {"error": "TooManyRequests"}, {"Retry-After": action[4:]})
            return
        if action.startswith("503:"):
            self._answer(503, {"error": "ServiceUnavailable"}, {"Retry-After": action[4:]})
            return
        if action.startswith("redirect:"):
            location = f"https://moved.example{self.path}"
            self._answer_raw(int(action[9:]), b"<html>Moved</html>", {"Location": location})
            return
        if action == "404":
            self._answer(404, {"error": "InvalidEndpoint", "description": "Not found"})
            return
        if action == "drop-before":
            self._drop()
            return
        if action == "odd-before":
            self._answer_raw(fake.odd_status, fake.odd_body, fake.odd_headers)
            return
        if action in ("400", "401", "403", "422", "500"):
            details = {
                "error": "RecordInvalid",
                "description": "Record validation errors",
                "details": {"requester": [{"description": "Requester email is invalid"}]},
            }
            self._answer(int(action), details)
            return
        if action == "late":
            fake.released.wait()
        key = self.headers.get("Idempotency-Key")
        if fake.kind == "zendesk" and key is not None:
            with fake.lock:
                known = fake.keys.get(key)
            if known is not None:
                if known[0] != body:
                    self._answer(
                        400,
                        {
                            "error": "IdempotentRequestError",
                            "description": "Request parameters differ from the original",
                        },
                    )
                    return
                self._answer(201, fake.answer(known[1]), {"x-idempotency-lookup": "hit"})
                return
        ticket_id = fake.create(json.loads(body))
        if key is not None:
            with fake.lock:
                fake.keys[key] = (body, ticket_id)
        if action == "drop":
            self._drop()
            return
        if action == "odd":
            self._answer_raw(fake.odd_status, fake.odd_body, fake.odd_headers)
            return
        if action == "500-after-create":
            self._answer(500, {"error": "InternalError"})
            return
        if action in ("trickle", "trickle-head"):
            self._trickle(action, ticket_id)
            return
        if action == "slow":
            fake.released.wait()
        try:
            self._answer(
                201, fake.answer(ticket_id), {"x-idempotency-lookup": "miss"} if key else None
            )
        except OSError:  # a held answer's client gave up
            self.close_connection = True
