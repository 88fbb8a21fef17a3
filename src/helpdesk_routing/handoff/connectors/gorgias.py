"""Gorgias: the conversation becomes a ticket with one message per transcript line.

``POST https://{domain}.gorgias.com/api/tickets``, basic auth with the account e-mail and
API key, with::

    {"customer": {"email"}, "channel", "via": "api", "subject", "external_id",
     "tags": [{"name"}], "messages": [{"sender", "from_agent", "body_text", "channel",
     "via", "created_datetime", "sent_datetime"}, ...]}

Every message has ``sent_datetime`` set: a message without it would be *sent* to the
customer by Gorgias. Gorgias has no idempotency key, so the POST is never repeated
blindly: the handoff's ledger records the attempt first; only a 429 or a refused
connection (nothing created) is retried; a timeout, a dropped connection or a 5xx is
:class:`~helpdesk_routing.handoff.errors.OutcomeUnknown` until ``Handoff.reconcile``
looks the ticket up by ``external_id`` (``GET /api/tickets?external_id=``, ``find``).
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from helpdesk_routing._process_bound import ProcessBound
from helpdesk_routing.errors import ValidationError
from helpdesk_routing.handoff.connectors._http import (
    ACCEPT_ENCODING,
    DEFAULT_POLICY,
    RetryPolicy,
    Sender,
    checked_credential,
    checked_policy,
    checked_url,
    created_ticket_id,
    look_up,
    new_client,
    new_connections,
    refusal,
    require_httpx,
)
from helpdesk_routing.handoff.conversation import is_valid_email
from helpdesk_routing.handoff.destination import Delivery, DeliveryRequest, continue_on
from helpdesk_routing.handoff.errors import OutcomeUnknown

if TYPE_CHECKING:
    import httpx

__all__ = ["GorgiasConnector"]


_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
"""A Gorgias account's subdomain: one DNS label."""


_MORE = (("meta", "next_cursor"),)
"""Where a look-up's answer says more pages follow (cursor pagination)."""


class GorgiasConnector(ProcessBound):
    """A :class:`~helpdesk_routing.handoff.Destination` creating Gorgias tickets.

    ``domain`` is the account's subdomain (``base_url`` overrides the whole address).
    ``agent_email`` is the sender of the AI agent's lines (the account e-mail by default).
    ``transport`` replaces httpx's, as Zendesk's does (see ``ZendeskConnector``).
    ``email`` and ``api_key`` must be non-blank text without control characters, given
    here and never in ``base_url`` (a ``base_url`` holding ``@`` is refused, the name and
    password masked), an ``agent_email`` an e-mail address, ``policy`` a
    :class:`RetryPolicy`; else ``ValidationError`` naming the connector and the argument.
    """

    _elsewhere = "make a connector in each process"

    name = "gorgias"

    def __init__(
        self,
        *,
        domain: str | None = None,
        email: str,
        api_key: str,
        base_url: str | None = None,
        agent_email: str | None = None,
        policy: RetryPolicy = DEFAULT_POLICY,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], object] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        hx = require_httpx()
        if base_url is None:
            if domain is None:
                raise ValidationError("gorgias: give domain or base_url")
            if not isinstance(domain, str) or not _DOMAIN.fullmatch(domain):
                raise ValidationError(
                    f"gorgias domain must be the account's subdomain (letters, digits, "
                    f"hyphens), got {domain!r}"
                )
            base_url = f"https://{domain}.gorgias.com"
        email = checked_credential(self.name, "email", email)
        api_key = checked_credential(self.name, "api_key", api_key)
        policy = checked_policy(self.name, policy)
        if agent_email is not None and not (
            isinstance(agent_email, str) and is_valid_email(agent_email)
        ):
            raise ValidationError(
                f"gorgias agent_email must be an e-mail address, got {agent_email!r}"
            )
        self.agent_email = agent_email or email
        client = new_client(
            hx,
            self.name,
            base_url=checked_url(self.name, base_url, "give email and api_key"),
            auth=hx.BasicAuth(email, api_key),
            headers={"Accept": "application/json", "Accept-Encoding": ACCEPT_ENCODING},
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
        ``attempts * 5 * timeout + max_total_wait``.

        A deliver is one request loop (the POST): every attempt timing out plus all the
        waiting, ``RetryPolicy.longest_send``; one request that times out takes at most
        ``5 * timeout`` (pool, TCP connect, TLS handshake, write, read each get
        ``timeout``), and each request's wall-clock deadline ends it there, however
        slowly the server sends its answer. Not covered: name resolution and several
        addresses (``RetryPolicy.longest_request``). ``Handoff.recover``
        refuses an ``older_than`` not longer than this.
        """
        return timedelta(seconds=self._sender.policy.longest_send)

    def payload(self, request: DeliveryRequest) -> dict[str, Any]:
        """The ticket body; a pure function of the request (without its ``at``)."""
        conversation = request.conversation
        channel = continue_on(conversation.channel)
        email = request.email or conversation.email
        customer = {"email": email} if email is not None else {}
        messages = [
            {
                "sender": customer if m.sender == "visitor" else {"email": self.agent_email},
                "from_agent": m.sender == "ai_agent",
                "body_text": m.text,
                "channel": channel,
                "via": "api",
                "created_datetime": m.at.isoformat(),
                "sent_datetime": m.at.isoformat(),
            }
            for m in conversation.transcript
        ]
        # The profile id (and the conversation) travel in the ticket's meta, as Zendesk's
        # comment carries them: the ticket names who the visitor is even without e-mail.
        meta: dict[str, Any] = {"conversation_id": conversation.id, "reason": request.reason}
        if conversation.profile_id is not None:
            meta["profile_id"] = conversation.profile_id
        return {
            "customer": customer,
            "meta": meta,
            "channel": channel,
            "via": "api",
            "subject": request.subject,
            "external_id": request.handoff_id,
            "tags": [
                {"name": t}
                for t in sorted(request.tags | ({request.tag} if request.tag else set()))
            ],
            "messages": messages,
        }

    def deliver(self, request: DeliveryRequest) -> Delivery:
        """Create the ticket: one POST, retried only when nothing can have been created."""
        body = json.dumps(self.payload(request), sort_keys=True, separators=(",", ":"))
        response = self._sender.send(
            "POST",
            "/api/tickets",
            replay_safe=False,
            content=body.encode(),
            headers={"Content-Type": "application/json"},
        ).response
        status = response.status_code
        if 200 <= status < 300:
            return Delivery(
                ticket_id=created_ticket_id(
                    self.name, response, "id", handoff_id=request.handoff_id
                ),
                continue_on=continue_on(request.conversation.channel),
            )
        refused = refusal(self.name, response)
        if refused is not None:
            raise refused
        raise OutcomeUnknown(self.name, f"unexpected HTTP {status}")

    def find(self, handoff_id: str) -> str | None:
        """The ticket whose ``external_id`` is the handoff id, or ``None`` when the
        look-up lists none (``found_ticket_id``: a ticket of another ``external_id`` is
        never answered; of several, the oldest).

        Anything else is :class:`OutcomeUnknown`, naming the cause: an answer that is not
        a 200 listing tickets under ``data``, an empty list that says more pages follow
        (``meta.next_cursor`` not ``null``), and a look-up that could not be made
        (401/403, 429 past the cap, no connection, a 5xx past the retries, a lost
        answer): nothing can be concluded from it."""
        return look_up(self._sender, "/api/tickets", "data", handoff_id, _MORE)

    def close(self) -> None:
        """Close the HTTP client (again: nothing). A closed connector sends nothing: its
        ``deliver`` raises :class:`Unreachable` ("the connector is closed"), its ``find``
        :class:`OutcomeUnknown` naming it."""
        self._sender.client.close()

    def __enter__(self) -> GorgiasConnector:
        """``with GorgiasConnector(...) as connector:`` closes it at the block's end."""
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
