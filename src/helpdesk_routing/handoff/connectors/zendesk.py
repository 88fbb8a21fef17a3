"""Zendesk: the conversation becomes a ticket through the Tickets API.

``POST {base}/api/v2/tickets`` with::

    {"ticket": {"subject", "comment": {"body", "public"}, "requester": {"name", "email"},
                "tags", "external_id", "custom_fields"}}

The transcript is one comment: a header (reason, conversation id and channel, profile
id, each on its own line: a line break in a value is written as its escape), then
``transcript_lines``: every message on a line with its time stamp, its text's further
lines indented (the Tickets API cannot set comment times; the import API would skip
triggers, so it is not used). ``public`` is a
setting, private by default. Auth: ``{email}/token:{api_token}`` basic, or an OAuth
bearer token.

Retries are safe: every try carries ``Idempotency-Key: <handoff id>`` with a
byte-identical body, so Zendesk replays the first answer (``x-idempotency-lookup: hit``)
instead of creating a second ticket. A 400 ``IdempotentRequestError`` (same key,
different body, e.g. after the key's ~2 hours) is answered by looking the ticket up by
``external_id`` (``GET /api/v2/tickets?external_id=``), which is also ``find``.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from helpdesk_routing._input import whole_number
from helpdesk_routing._process_bound import ProcessBound
from helpdesk_routing._storable import value_problem
from helpdesk_routing.errors import ValidationError
from helpdesk_routing.handoff.connectors._http import (
    ACCEPT_ENCODING,
    DEFAULT_POLICY,
    RetryPolicy,
    Sender,
    after_lost,
    checked_credential,
    checked_policy,
    checked_url,
    created_ticket_id,
    error_details,
    look_up,
    new_client,
    new_connections,
    refusal,
    require_httpx,
)
from helpdesk_routing.handoff.destination import (
    Delivery,
    DeliveryRequest,
    continue_on,
    one_line,
    transcript_lines,
)
from helpdesk_routing.handoff.errors import DeliveryError, OutcomeUnknown

if TYPE_CHECKING:
    import httpx

__all__ = ["ZendeskConnector"]


_CREDENTIALS = "give email and api_token, or oauth_token"
"""How the Zendesk connector takes credentials (a message names it)."""


_MORE = (("next_page",), ("meta", "has_more"), ("links", "next"))
"""Where a look-up's answer says more pages follow: ``next_page`` (offset pagination,
the default), ``meta.has_more`` and ``links.next`` (cursor pagination)."""


class ZendeskConnector(ProcessBound):
    """A :class:`~helpdesk_routing.handoff.Destination` creating Zendesk tickets.

    ``base_url`` is ``https://{subdomain}.zendesk.com``. Give ``email`` and ``api_token``
    (basic auth) or ``oauth_token`` (bearer). ``custom_fields`` maps field ids to values
    set on every ticket. ``transport`` replaces httpx's (tests use ``MockTransport``); each
    request still opens a connection of its own (one kept alive is shut down once its
    request is done), and the request's deadline cuts only what it can see: the sockets
    of a transport built on httpx's ``HTTPTransport``.
    Credentials must be non-blank text without control characters (``oauth_token``
    ASCII: it is sent as text in the header), given here and never
    in ``base_url`` (a ``base_url`` holding ``@`` is refused, the name and password
    masked), ``custom_fields`` a mapping of ``int`` field ids to JSON values, ``policy``
    a :class:`RetryPolicy`; else ``ValidationError`` naming the connector and the
    argument.
    """

    _elsewhere = "make a connector in each process"

    name = "zendesk"

    def __init__(
        self,
        *,
        base_url: str,
        email: str | None = None,
        api_token: str | None = None,
        oauth_token: str | None = None,
        public: bool = False,
        custom_fields: Mapping[int, Any] | None = None,
        policy: RetryPolicy = DEFAULT_POLICY,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], object] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        hx = require_httpx()
        if not isinstance(public, bool):
            raise ValidationError(f"zendesk public must be a bool, got {public!r}")
        if oauth_token is not None:
            oauth_token = checked_credential(self.name, "oauth_token", oauth_token, header=True)
            auth: Any = None
            headers = {"Authorization": f"Bearer {oauth_token}"}
        elif email is not None and api_token is not None:
            email = checked_credential(self.name, "email", email)
            api_token = checked_credential(self.name, "api_token", api_token)
            auth = hx.BasicAuth(f"{email}/token", api_token)
            headers = {}
        else:
            raise ValidationError(f"zendesk: {_CREDENTIALS}")
        policy = checked_policy(self.name, policy)
        self.public = public
        self.custom_fields = _checked_fields(custom_fields)
        client = new_client(
            hx,
            self.name,
            base_url=checked_url(self.name, base_url, _CREDENTIALS),
            auth=auth,
            headers={**headers, "Accept": "application/json", "Accept-Encoding": ACCEPT_ENCODING},
            timeout=policy.timeout,
            limits=new_connections(hx),
            transport=transport,
        )
        self._sender = Sender(self.name, client, policy, sleep=sleep, rng=rng)

    @property
    def waits(self) -> list[float]:
        """The waits between tries so far, in seconds, oldest first: the latest
        ``WAITS_KEPT`` (100) of them."""
        return list(self._sender.waits)

    @property
    def longest_delivery(self) -> timedelta:
        """How long one :meth:`deliver` call can take under the ``RetryPolicy``:
        ``2 * (attempts * 5 * timeout + max_total_wait)``.

        A deliver is up to two request loops: the POST, then, when Zendesk answers 400
        ``IdempotentRequestError``, the look-up by ``external_id`` (:meth:`find`, a loop
        of its own). Each loop is every attempt timing out plus all the waiting,
        ``RetryPolicy.longest_send``; one request that times out takes at most
        ``5 * timeout`` (pool, TCP connect, TLS handshake, write, read each get
        ``timeout``), and each request's wall-clock deadline ends it there, however
        slowly the server sends its answer. Not covered: name resolution and several
        addresses (``RetryPolicy.longest_request``). ``Handoff.recover``
        refuses an ``older_than`` not longer than this.
        """
        return timedelta(seconds=2 * self._sender.policy.longest_send)

    def payload(self, request: DeliveryRequest) -> dict[str, Any]:
        """The ticket body; a pure function of the request (without its ``at``)."""
        conversation = request.conversation
        lines = [
            f"Handed off by the AI agent (reason: {request.reason}).",
            f"Conversation {one_line(conversation.id)} on {one_line(conversation.channel)}.",
            *([f"Profile: {one_line(conversation.profile_id)}"] if conversation.profile_id else []),
            "",
            *transcript_lines(conversation),
        ]
        email = request.email or conversation.email
        ticket: dict[str, Any] = {
            "subject": request.subject,
            "comment": {"body": "\n".join(lines), "public": self.public},
            "tags": sorted(request.tags | ({request.tag} if request.tag else set())),
            "external_id": request.handoff_id,
        }
        if email is not None:
            ticket["requester"] = {"name": email.split("@", 1)[0], "email": email}
        if self.custom_fields:
            ticket["custom_fields"] = [
                {"id": k, "value": v} for k, v in sorted(self.custom_fields.items())
            ]
        return {"ticket": ticket}

    def body(self, request: DeliveryRequest) -> bytes:
        """The exact bytes sent on every try (sorted keys, no spaces)."""
        return json.dumps(self.payload(request), sort_keys=True, separators=(",", ":")).encode()

    def deliver(self, request: DeliveryRequest) -> Delivery:
        """Create the ticket (retries replay through the idempotency key)."""
        answer = self._sender.send(
            "POST",
            "/api/v2/tickets",
            replay_safe=True,
            creates=True,
            content=self.body(request),
            headers={"Content-Type": "application/json", "Idempotency-Key": request.handoff_id},
        )
        response = answer.response
        status = response.status_code
        where = continue_on(request.conversation.channel)
        if 200 <= status < 300:
            ticket_id = created_ticket_id(
                self.name, response, "ticket", "id", handoff_id=request.handoff_id
            )
            replayed = response.headers.get("x-idempotency-lookup") == "hit"
            return Delivery(ticket_id=ticket_id, continue_on=where, replayed=replayed)
        details = error_details(response)
        if status == 400 and details.get("error") == "IdempotentRequestError":
            return Delivery(ticket_id=self._found(request), continue_on=where, replayed=True)
        if answer.lost is not None:  # an earlier attempt may have made it: no refusal counts
            raise OutcomeUnknown(self.name, after_lost(answer.lost, f"HTTP {status}"))
        refused = refusal(self.name, response)
        if refused is not None:
            raise refused
        raise OutcomeUnknown(self.name, f"unexpected HTTP {status}")

    def _found(self, request: DeliveryRequest) -> str:
        """The ticket an ``IdempotentRequestError`` says exists (the key was used), looked
        up by ``external_id``. Not found, or a look-up that fails in any way (a 429, a
        401, a refused connection, a 5xx past the retries, a lost answer), is
        :class:`OutcomeUnknown`: the ticket may exist. A look-up that could not be made
        says so (``idempotency key reused, look-up failed (...)``), its error chained."""
        try:
            found = self.find(request.handoff_id)
        except OutcomeUnknown as exc:
            cause = exc.__cause__  # the look-up could not be made: named as it was
            if not isinstance(cause, DeliveryError):
                raise
            raise OutcomeUnknown(
                self.name, f"idempotency key reused, look-up failed ({cause})"
            ) from cause
        if found is None:
            raise OutcomeUnknown(self.name, "idempotency key reused, ticket not found")
        return found

    def find(self, handoff_id: str) -> str | None:
        """The ticket whose ``external_id`` is the handoff id, or ``None`` when the
        look-up lists none (``found_ticket_id``: a ticket of another ``external_id`` is
        never answered; of several, the oldest).

        Anything else is :class:`OutcomeUnknown`, naming the cause: an answer that is not
        a 200 listing tickets under ``tickets``, an empty list that says more pages
        follow (:data:`_MORE`), and a look-up that could not be made (401/403, 429 past
        the cap, no connection, a 5xx past the retries, a lost answer): nothing can be
        concluded from it."""
        return look_up(self._sender, "/api/v2/tickets", "tickets", handoff_id, _MORE)

    def close(self) -> None:
        """Close the HTTP client (again: nothing). A closed connector sends nothing: its
        ``deliver`` raises :class:`Unreachable` ("the connector is closed"), its ``find``
        :class:`OutcomeUnknown` naming it."""
        self._sender.client.close()

    def __enter__(self) -> ZendeskConnector:
        """``with ZendeskConnector(...) as connector:`` closes it at the block's end."""
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _checked_fields(fields: object) -> dict[int, Any]:
    """``custom_fields`` as a dict: ``None``, or a mapping of ``int`` field ids (not
    ``bool``) to JSON values; else ``ValidationError`` naming the argument."""
    if fields is None:
        return {}
    if not isinstance(fields, Mapping):
        raise ValidationError(
            f"zendesk custom_fields must be a mapping of field ids to values, got {fields!r}"
        )
    for key, value in fields.items():
        if not whole_number(key):
            raise ValidationError(f"zendesk custom_fields: a field id must be an int, got {key!r}")
        problem = value_problem(value, str(key))
        if problem is None:
            try:  # value_problem lets dates through: a store writes them, json.dumps not
                json.dumps(value, allow_nan=False)
            except (TypeError, ValueError):
                problem = f"at {key}: not a JSON value (write dates as text)"
        if problem is not None:
            raise ValidationError(f"zendesk custom_fields: {problem}")
    return dict(fields)
