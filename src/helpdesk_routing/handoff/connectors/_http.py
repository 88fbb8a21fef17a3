"""What both connectors share: the retry policy and one request loop over httpx.

The loop retries only what cannot have created a ticket twice:

- a request proven never sent: a refused or timed-out *connection*, no connection free
  in the pool, a proxy refusing the tunnel (``ProxyError``), a deadline passed before
  the request started being sent: retried with jittered exponential backoff, then
  :class:`~helpdesk_routing.handoff.errors.Unreachable`; a header h11 refuses (nothing
  written; retrying cannot help) is ``Unreachable`` at once. Whatever fails once the
  request may have been sent is a lost answer (below), when in doubt too;
- HTTP 429: retried after ``Retry-After`` (seconds or an HTTP date, read against the
  answer's ``Date``; backoff when absent);
- a lost answer (read timeout, dropped connection, HTTP 5xx): retried only when the
  request is ``replay_safe`` (Zendesk's idempotency key, a GET), after a 503's
  ``Retry-After`` as after a 429's, else after the backoff; otherwise
  :class:`~helpdesk_routing.handoff.errors.OutcomeUnknown` at once. Once an attempt of
  a request that creates the ticket may have created it, whatever ends the loop later
  (a refused connection, 401/403, 429 past the cap) is ``OutcomeUnknown`` too, and the
  answer returned says so (:attr:`Answer.lost`): a refusal then proves nothing.

Every wait counts against ``RetryPolicy.max_total_wait``; a wait that would pass it
ends the loop (the jitter added to a ``Retry-After`` is cut to what the cap leaves when
the wait asked fits: :func:`fitted_wait`). 401 and 403 raise
:class:`AuthenticationFailed` without a retry; every other answer goes back to the
connector, unless its body cannot be read (a ``Content-Encoding`` it does not have, one
the connectors did not ask for, or a body past :data:`MAX_BODY_BYTES`, received or
decoded): that answer says nothing a connector could read, so it is
:class:`OutcomeUnknown` at once, never retried (the request was answered; the ticket may
exist). 401, 403, 429 and 5xx are acted on by their status alone, whatever their body
(not read: closed unread). ``RetryPolicy.longest_send`` bounds how long one such loop
can take (the connectors' ``longest_delivery``).
"""

from __future__ import annotations

import importlib
import random
import re
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from helpdesk_routing._input import whole_number
from helpdesk_routing._storable import text_problem
from helpdesk_routing._time import seconds
from helpdesk_routing.errors import MissingExtra, ValidationError
from helpdesk_routing.handoff.connectors._deadline import Deadline, TooLateToSend
from helpdesk_routing.handoff.destination import ID_LENGTH, ticket_id
from helpdesk_routing.handoff.errors import (
    AuthenticationFailed,
    DeliveryError,
    OutcomeUnknown,
    RateLimited,
    ServiceRejected,
    Unreachable,
)

if TYPE_CHECKING:
    import httpx

__all__ = [
    "ACCEPT_ENCODING",
    "DEFAULT_POLICY",
    "ID_LENGTH",
    "MAX_BODY_BYTES",
    "MAX_RETRY_AFTER",
    "WAITS_KEPT",
    "Answer",
    "RetryPolicy",
    "Sender",
    "after_lost",
    "answer_date",
    "checked_credential",
    "checked_policy",
    "created_ticket_id",
    "fitted_wait",
    "found_ticket_id",
    "look_up",
    "new_connections",
    "refusal",
    "require_httpx",
    "retry_after_seconds",
    "ticket_id",
]


MAX_BODY_BYTES = 10 * 1024 * 1024
"""The largest body of an answer the connectors read, in bytes (10 MiB), both as received
and decoded. Reading stops as soon as either passes it: a few KB of gzip can decode to
gigabytes. A ticket API's answer is a few KB."""

WAITS_KEPT = 100
"""How many of its latest waits a :class:`Sender` keeps (``connector.waits``): a worker
running for months must not keep every backoff it ever slept."""

ACCEPT_ENCODING = "gzip, deflate"
"""The codings the connectors ask for: the ones whose decoding the loop can bound (httpx
would also ask for ``br`` and ``zstd`` when their packages are installed, and decodes
each network read of them at once, however large it grows)."""

_DECODED_CODINGS = ("gzip", "deflate", "br", "zstd")
"""The codings httpx decodes (``br`` and ``zstd`` when their packages are installed; it
passes any other coding through as it is)."""

_BOUNDED_CODINGS = ("gzip", "deflate")
"""Of those, the ones read: at most one, from pieces of ``_capped.PIECE`` bytes."""


def require_httpx() -> ModuleType:
    """Import httpx, or raise ``MissingExtra`` naming the ``connectors`` extra."""
    try:
        return importlib.import_module("httpx")
    except ImportError as exc:
        raise MissingExtra("a Zendesk or Gorgias connector", "connectors") from exc


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard a connector tries: ``attempts`` requests at most, waits summing to at most
    ``max_total_wait`` seconds, backoff delays drawn uniformly from
    ``[0, min(max_delay, base_delay * 2**(attempt-1))]``, and ``timeout`` seconds for
    each request's connect, write and read."""

    attempts: int = 4
    max_total_wait: float = 30.0
    base_delay: float = 0.5
    max_delay: float = 8.0
    timeout: float = 10.0

    def __post_init__(self) -> None:
        if not whole_number(self.attempts):
            raise ValidationError(f"attempts must be a whole number, got {self.attempts!r}")
        if self.attempts < 1:
            raise ValidationError(f"attempts must be at least 1, got {self.attempts}")
        seconds(self.max_total_wait, "max_total_wait", zero=True)
        seconds(self.base_delay, "base_delay", zero=True)
        seconds(self.max_delay, "max_delay", zero=True)
        seconds(self.timeout, "timeout", zero=False)

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """The jittered delay after failed attempt number ``attempt`` (1-based)."""
        return rng.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))

    @property
    def longest_request(self) -> float:
        """Seconds one request can take: ``5 * timeout``, its wall-clock deadline.

        The connectors give httpx ``timeout`` as a single number, so each of httpx's four
        timeouts is ``timeout``, and httpcore applies its connect timeout twice: waiting
        for a connection from the client's pool, the TCP connect, the TLS handshake
        (the connect timeout again), sending the request, waiting for the answer. Each
        phase may take just under ``timeout``. httpx's write and read timeouts are per
        socket operation (a server trickling its answer keeps a request going without
        limit), so the request loop also ends every request at this deadline, the
        answer's body included: the connection is shut down and the answer is lost.

        Not covered: resolving the host name (no httpx timeout) and a host with several
        addresses (tried one after another, each with its own connect timeout) before
        the connection is made.
        """
        return 5 * self.timeout

    @property
    def longest_send(self) -> float:
        """Seconds one :meth:`Sender.send` loop can take, every attempt timing out:
        ``attempts * longest_request + max_total_wait`` (the waits between attempts never
        sum past ``max_total_wait``; see :attr:`longest_request` for what is not
        covered)."""
        return self.attempts * self.longest_request + self.max_total_wait


DEFAULT_POLICY = RetryPolicy()
"""4 attempts, at most 30 s of waiting in all, 10 s timeouts."""


def checked_url(connector: str, url: object, credentials: str) -> str:
    """``url`` without a trailing ``/``, when it is an ``http`` or ``https`` URL with a
    host, a port other than 0, no ``@``, no query or fragment, no space or control
    character, and a host name every label of which the ``idna`` codec takes; else
    :class:`~helpdesk_routing.errors.ValidationError` naming the connector (and the URL).

    An ``@`` is user info (``https://name:password@host``), or user info whose password
    holds an unescaped ``/``, ``?`` or ``#``, which a URL parser reads as a host and a
    port: httpx would log the password with every request. It is refused, telling how
    to give credentials instead (``credentials``), and the URL is shown with everything
    from ``//`` to the last ``@`` masked."""
    if isinstance(url, str) and "@" in url:
        raise ValidationError(
            f"{connector} base_url must not carry credentials ({credentials}), got {_masked(url)!r}"
        )
    if isinstance(url, str):
        try:
            parts = urlsplit(url)
            fine = (
                parts.scheme in ("http", "https")
                and bool(parts.hostname)
                and parts.port != 0  # reading it checks it
            )
        except ValueError:  # a malformed port, or one out of range
            fine = False
        if fine:
            problem = _url_problem(url)
            if problem is not None:
                raise ValidationError(f"{connector} base_url {problem}, got {url!r}")
            return url.rstrip("/")
    raise ValidationError(
        f"{connector} base_url must be an http or https URL with a host, got {url!r}"
    )


def _url_problem(url: str) -> str | None:
    """What in ``url`` would break every request though it parses, or ``None``.

    ``urlsplit`` strips leading spaces and control characters and keeps the rest
    (httpx then refuses them, or reads ``" http"`` as an unknown scheme); a query or a
    fragment would come before the connector's path (``/?x=1/api/v2/tickets``) or be
    dropped; a host name with an empty label or one over 63 characters fails only when
    the request is sent (the ``idna`` codec)."""
    if any(ord(c) <= 32 or 127 <= ord(c) <= 159 or c.isspace() for c in url):
        return "must not contain a space or a control character"
    if "?" in url or "#" in url:
        return "must not have a query or a fragment (give the address of the service)"
    host = urlsplit(url).hostname
    if host:
        try:
            host.encode("idna")
            fine = len(host.rstrip(".")) <= 253
        except UnicodeError:
            fine = False
        if not fine:
            return (
                "must have a valid host name (no empty label, none over 63 characters, "
                "253 characters in all)"
            )
    return None


def _masked(url: str) -> str:
    """``url`` with what may be a name and password, from ``//`` (or the start) to the last
    ``@``, replaced by ``***``."""
    before, _, host = url.rpartition("@")
    scheme, slashes, _ = before.partition("//")
    return f"{scheme}{slashes}***@{host}" if slashes else f"***@{host}"


def checked_credential(connector: str, name: str, value: object, *, header: bool = False) -> str:
    """``value`` when it is text a request header can carry (not blank, no control
    character, encodable as UTF-8); else :class:`~helpdesk_routing.errors.ValidationError`
    naming the connector and the argument. The value is never echoed: it may be a secret.

    ``header``: the value goes into a header as text (an OAuth bearer token), which httpx
    encodes as ASCII, so it must be ASCII; its ``UnicodeEncodeError`` would carry the
    whole header, the secret in it. A basic-auth credential is sent in base64 of its UTF-8
    bytes, so any text is fine there."""
    if isinstance(value, str):
        if not value.strip():
            raise ValidationError(f"{connector} {name} must not be empty")
        if any(ord(c) < 32 or 127 <= ord(c) <= 159 for c in value) or text_problem(value):
            raise ValidationError(
                f"{connector} {name} must not contain a control character or a lone surrogate"
            )
        if header and not value.isascii():
            raise ValidationError(
                f"{connector} {name} must be ASCII (it is sent as text in a request header)"
            )
        return value
    raise ValidationError(f"{connector} {name} must be text, got {type(value).__name__}")


_PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY")
"""The variables httpx reads a proxy from (each in upper or lower case)."""


def new_client(hx: ModuleType, name: str, **settings: Any) -> httpx.Client:
    """A connector's httpx client with ``settings``. httpx reads proxies from the
    environment when a client is made: a value it cannot use (an unknown scheme, a URL
    it cannot read, a SOCKS proxy without the ``socksio`` package) raised httpx's or
    Python's own error from the connector's constructor; it is a ``ValidationError``
    naming the connector and the variable."""
    try:
        client: httpx.Client = hx.Client(**settings)
    except (ValueError, ImportError, hx.InvalidURL) as exc:
        import os

        named = [
            f"{variable}={_no_password(os.environ[variable])!r}"
            for base in _PROXY_VARIABLES
            for variable in (base, base.lower())
            if os.environ.get(variable)
        ]
        if not named:
            raise
        raise ValidationError(
            f"{name}: the proxy the environment names cannot be used "
            f"({', '.join(named)}): {_no_password(str(exc))}; correct it, or unset it "
            "or name the service's host in NO_PROXY"
        ) from None
    return client


_PASSWORD = re.compile(r"(//[^/@:\s]*:)[^/@\s]*@")


def _no_password(text: str) -> str:
    """``text`` with the password of any URL in it (``//user:secret@host``) as ``***``."""
    return _PASSWORD.sub(r"\1***@", text)


def new_connections(hx: ModuleType) -> httpx.Limits:
    """The connectors' connection limits: none kept alive, so every request opens its own
    connection, which its deadline (``RetryPolicy.longest_request``) can cut from the
    start (a kept connection's waiting for the answer's headers could not be). A handoff
    makes a request or two; a new connection each costs nothing that matters.

    httpx ignores these limits when the client is given a ``transport=``: the deadline
    then shuts down each connection once its request is done (:class:`~._deadline.
    Deadline`), so a transport keeping connections alive finds it closed and opens a new
    one all the same."""
    limits: httpx.Limits = hx.Limits(max_keepalive_connections=0)
    return limits


def checked_policy(connector: str, policy: object) -> RetryPolicy:
    """``policy`` when it is a :class:`RetryPolicy`; else ``ValidationError`` naming the
    connector."""
    if not isinstance(policy, RetryPolicy):
        raise ValidationError(f"{connector} policy must be a RetryPolicy, got {policy!r}")
    return policy


def _json(response: httpx.Response) -> object:
    try:
        return response.json()
    # ValueError: not JSON, or not text (json's and UnicodeDecodeError's base);
    # RecursionError: JSON nested deeper than the parser's recursion limit.
    except (ValueError, RecursionError):
        return _UNREADABLE


_UNREADABLE = object()


def _member(data: object, key: str) -> object:
    return data.get(key, _UNREADABLE) if isinstance(data, dict) else _UNREADABLE


def created_ticket_id(service: str, response: httpx.Response, *path: str, handoff_id: str) -> str:
    """The id of the ticket a 2xx answer says it created, at ``path`` in its JSON body
    (``("ticket", "id")`` for Zendesk).

    An answer that does not say it (not JSON, another shape, an id that is neither
    non-blank text nor an integer) is :class:`OutcomeUnknown`: the ticket may exist, and
    ``Handoff.reconcile`` looks it up rather than trust or repeat the request.

    So is an answer whose ticket has an ``external_id`` (beside the id) other than
    ``handoff_id``: the ticket named is another handoff's (a caching proxy, a replay of
    another request), never this one's, though this one's may exist; ``reconcile`` finds
    it by its ``external_id``. An answer without ``external_id``, or with ``null``, is
    read by its id alone: a service may answer only part of the ticket."""
    data = _json(response)
    for key in path[:-1]:
        data = _member(data, key)
    found = ticket_id(_member(data, path[-1]))
    if found is None:
        raise OutcomeUnknown(
            service,
            f"HTTP {response.status_code} answer does not name the created ticket "
            f"({'.'.join(path)}: {_excerpt(response)})",
        )
    external = _member(data, "external_id")
    if external is not _UNREADABLE and external is not None and external != handoff_id:
        where = ".".join((*path[:-1], "external_id"))
        raise OutcomeUnknown(
            service,
            f"HTTP {response.status_code} answer names ticket {found} of another handoff "
            f"({where} {_shown(external)}, not {handoff_id!r}): not read as this handoff's "
            "ticket",
        )
    return found


def _shown(value: object) -> str:
    """``repr(value)``, cut to 100 characters (an answer's value may be megabytes)."""
    text = repr(value)
    return text if len(text) <= 100 else f"{text[:100]}..."


Paths = tuple[tuple[str, ...], ...]
"""Where in a look-up's answer a service says more pages follow (see
:func:`found_ticket_id`)."""


def found_ticket_id(
    service: str, response: httpx.Response, key: str, handoff_id: str, more: Paths = ()
) -> str | None:
    """The id of the handoff's ticket in a look-up's 200 answer, ``{key: [{"id": ...,
    "external_id": ...}, ...]}``, or ``None`` when the list is empty and the answer does
    not say more pages follow.

    ``more`` lists where the service says so (Zendesk's ``next_page``, Gorgias's
    ``meta.next_cursor``): a value there other than ``null`` or ``false`` (or none at
    all) makes an empty list :class:`OutcomeUnknown`, never "not found": the handoff's
    ticket may be on a later page, and a second one must not be made.

    Only a ticket whose ``external_id`` is ``handoff_id`` is the handoff's: the connectors
    set it so when they create the ticket, and a list the service did not filter (a proxy
    or an API version dropping the query, a filter the service ignores) must never answer
    another customer's ticket. When several are the handoff's (a Gorgias request slower
    than the client's timeout made a second one), the oldest is answered: the lowest id
    when every one of them is a number (both services number tickets in the order they
    are made), else the first listed.

    A non-empty list without the handoff's ticket is :class:`OutcomeUnknown`, never
    "not found": it lists tickets that were not asked for, so the filter was not applied,
    and the handoff's ticket may be on another page. An answer of any other shape (not
    JSON, no list under ``key``, a ticket that is not an object, or whose ``external_id``
    is neither text nor ``null``, or the handoff's ticket without a readable id) is
    :class:`OutcomeUnknown` too: nothing can be concluded from it, least of all that the
    ticket does not exist."""
    tickets = _member(_json(response), key)
    if isinstance(tickets, list):
        if not tickets:
            follows = _more_pages(_json(response), more)
            if follows is None:
                return None
            raise OutcomeUnknown(
                service,
                f"look-up answer lists no ticket but says more pages follow ({follows}): "
                "not read as not found",
            )
        matching: list[str] = []
        readable = True
        for ticket in tickets:
            external = _member(ticket, "external_id")
            if external is not None and not isinstance(external, str):
                readable = False  # not an object, no external_id, or one of another type
                break
            if external == handoff_id:
                found = ticket_id(_member(ticket, "id"))
                if found is None:
                    readable = False
                    break
                matching.append(found)
        if readable and matching:
            if all(_DIGITS.fullmatch(found) for found in matching):
                return min(matching, key=int)
            return matching[0]
        if readable:
            raise OutcomeUnknown(
                service,
                f"look-up answer lists {len(tickets)} ticket(s), none with external_id "
                f"{handoff_id!r} (the service did not filter by it: not read as not found)",
            )
    raise OutcomeUnknown(service, f"look-up answer unreadable ({key}: {_excerpt(response)})")


def _more_pages(data: object, more: Paths) -> str | None:
    """Where ``data`` says more pages follow (``next_page: '...'``), or ``None``: at the
    first of the paths ``more`` holding a value other than ``null`` and ``false``."""
    for path in more:
        value = data
        for key in path:
            value = _member(value, key)
        if value is not _UNREADABLE and value is not None and value is not False:
            return f"{'.'.join(path)}: {_shown(value)}"
    return None


_DIGITS = re.compile(r"[0-9]+")
"""A ticket id that is a whole number (ASCII digits: ``str.isdigit`` also takes ``²``)."""


def look_up(sender: Sender, path: str, key: str, handoff_id: str, more: Paths = ()) -> str | None:
    """A connector's ``find``: ``GET {path}?external_id={handoff_id}`` through ``sender``
    (retried as any GET), read by :func:`found_ticket_id` (``more``: where the answer
    says more pages follow).

    Every failure is :class:`OutcomeUnknown`, the documented answer of a look-up that
    proves nothing, with its cause in the reason: an answer other than 200, and a
    look-up that could not be made, whatever ended the request loop
    (``AuthenticationFailed``, ``RateLimited``, ``Unreachable``, and the loop's own
    ``OutcomeUnknown``: a 5xx past the retries, a lost answer):
    ``look-up failed (gorgias: authentication failed (HTTP 401))``, the error it
    replaces kept as its ``__cause__``. An answer whose body cannot be read is named as
    it is (``HTTP 200 answer unreadable (...)``), as on a create."""
    service = sender.service
    try:
        response = sender.send(
            "GET", path, replay_safe=True, params={"external_id": handoff_id}
        ).response
    except _AnswerUnreadable:
        raise  # answered: "HTTP 200 answer unreadable (...)" names it
    except DeliveryError as exc:
        raise OutcomeUnknown(service, f"look-up failed ({exc})") from exc
    if response.status_code != 200:
        raise OutcomeUnknown(service, f"look-up answered HTTP {response.status_code}")
    return found_ticket_id(service, response, key, handoff_id, more)


def _excerpt(response: httpx.Response) -> str:
    text = response.content[:200].decode("utf-8", "replace")
    return repr(text) if text else "empty body"


_DELTA_SECONDS = re.compile(r"[0-9]+")
"""``Retry-After``'s delta-seconds: ASCII digits (``str.isdigit`` also takes ``²``)."""


MAX_RETRY_AFTER = 1_000_000_000.0
"""The longest wait a ``Retry-After`` is read as, in seconds (about 32 years): a longer one
(400 digits, the year 9999) is read as this, so ``RateLimited.asked`` and its message stay
a finite, readable number. Any wait past ``RetryPolicy.max_total_wait`` ends the loop at
once, so the cap changes nothing but what is shown."""


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta seconds or an HTTP date), or
    ``None`` when absent or unreadable. Never negative, never more than
    :data:`MAX_RETRY_AFTER`."""
    if value is None:
        return None
    text = value.strip()
    if _DELTA_SECONDS.fullmatch(text):
        digits = text.lstrip("0") or "0"
        if len(digits) > len(str(int(MAX_RETRY_AFTER))):  # int() of it could be refused
            return MAX_RETRY_AFTER
        return min(float(digits), MAX_RETRY_AFTER)
    when = http_date(text)
    if when is None:
        return None
    return min(max(0.0, (when - now).total_seconds()), MAX_RETRY_AFTER)


_ZONE_HOURS = {
    "GMT": 0, "UT": 0, "UTC": 0, "Z": 0, "AST": -4, "ADT": -3, "EST": -5, "EDT": -4,
    "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}  # fmt: skip
"""The zone names a date may name, hours from UTC: HTTP's GMT, UT and UTC, and the
others RFC 5322 (and Python's date reader) know. Any other name (``CEST``) is unreadable:
Python's reader took it for GMT."""

_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip

_ZONE = r"(?:[A-Za-z]{1,5}|[+-][0-9]{4})"
_CLOCK = r"(?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2}))?"
_COMMENT = r"(?:\s*\([^()]*\))?"  # after a zone only: "(CEST)" alone names no zone
_WEEKDAY = r"(?:[A-Za-z]{3,9}(?:,\s*|\s+))"  # never glued to what follows
_DAY_FIRST = re.compile(
    rf"{_WEEKDAY}?(?P<d>[0-9]{{1,2}})[\s-]+(?P<m>[A-Za-z]{{3,9}})[\s-]+"
    rf"(?P<y>[0-9]{{4}}|[0-9]{{2}}),?\s+{_CLOCK}(?:\s+(?P<z>{_ZONE}){_COMMENT})?"
)
_ASCTIME = re.compile(
    rf"{_WEEKDAY}?(?P<m>[A-Za-z]{{3,9}})\s+(?P<d>[0-9]{{1,2}})\s+{_CLOCK}"
    rf"(?:\s+(?P<z>{_ZONE}))?\s+(?P<y>[0-9]{{4}})(?:\s+(?P<z2>{_ZONE}))?"
    r"(?P<c>\s*\([^()]*\))?"  # a comment, when a zone came before it
)
"""A date as servers write one: RFC 9110's three forms (IMF-fixdate ``Mon, 30 Mar 2026
10:00:00 GMT``, RFC 850's ``Monday, 30-Mar-26 10:00:00 GMT``, asctime's ``Mon Mar 30
10:00:00 2026``) and what is written near them (a two- or four-digit year, a comma after
it, no weekday, a month's full name, no seconds, a zone name or offset, Unix ``date``'s
zone before the year, a comment after the zone)."""


def _month(name: str) -> int | None:
    """The month a name names: its first three letters or more of its full name."""
    name = name.lower()
    return next((i for i, m in enumerate(_MONTHS, 1) if m.startswith(name)), None)


def _full_year(digits: str, rest: tuple[int, ...], now: datetime) -> int:
    """A year written with two digits as RFC 9110 (5.6.7) reads one: the year of this
    century with those digits, or of the last one when the moment (``rest``: month, day,
    hour, minute, second) is then more than 50 years after ``now``."""
    year = int(digits)
    if len(digits) == 4:
        return year
    year += now.year - now.year % 100
    limit = (now.year + 50, now.month, now.day, now.hour, now.minute, now.second)
    return year - 100 if (year, *rest) > limit else year


def _offset(zone: str | None) -> int | None:
    """Seconds east of UTC a date's zone names (none: GMT, as every HTTP date is), or
    ``None`` when it names no zone that may exist (``CEST``, ``+2400``, ``+0199``)."""
    if zone is None:
        return 0
    if zone[0] in "+-":
        hours, minutes = int(zone[1:3]), int(zone[3:])
        if hours > 23 or minutes > 59:
            return None
        return (60 * hours + minutes) * 60 * (-1 if zone[0] == "-" else 1)
    named = _ZONE_HOURS.get(zone.upper())
    return None if named is None else named * 3600


def http_date(text: str) -> datetime | None:
    """The instant an HTTP date names (aware, UTC), or ``None`` when ``text`` names none.

    Read as RFC 9110 (5.6.7) asks a recipient to: its three forms and what servers send
    near them (:data:`_ASCTIME`, :data:`_DAY_FIRST`). A date without a zone is GMT; one
    whose zone is none that may exist (:func:`_offset`: ``CEST``, ``+2400``), or that
    names no instant (a 30th of February, hour 24), or with anything else in it (a
    trailing number, two zones), is unreadable. One whose zone carries it past the
    calendar's ends (``Fri, 31 Dec 9999 23:00:00 -0100``) is that end."""
    text = text.strip()
    found = _DAY_FIRST.fullmatch(text) or _ASCTIME.fullmatch(text)
    if found is None:
        return None
    parts = found.groupdict()
    zones = [z for z in (parts.get("z"), parts.get("z2")) if z is not None]
    month = _month(parts["m"])
    offset = _offset(zones[0]) if len(zones) == 1 else 0 if not zones else None
    if month is None or offset is None or (parts.get("c") and not zones):
        return None
    rest = (month, int(parts["d"]), int(parts["H"]), int(parts["M"]), int(parts["S"] or 0))
    year = _full_year(parts["y"], rest, datetime.now(UTC))
    try:
        wall = datetime(year, *rest, tzinfo=UTC)
    except ValueError:
        return None
    try:
        return wall - timedelta(seconds=offset)
    except OverflowError:
        # an instant past the calendar's ends (9999-12-31 23:00 -0100): its nearest end,
        # as far off as a date can be (a wait as long as any, or none at all)
        return _LAST if offset < 0 else _FIRST


_FIRST = datetime.min.replace(tzinfo=UTC)
_LAST = datetime.max.replace(tzinfo=UTC)


def answer_date(response: httpx.Response) -> datetime:
    """When the answer says it was made (its ``Date`` header, read as ``Retry-After``'s
    HTTP date is), else, without one that can be read, the local clock now. A
    ``Retry-After`` date is read against it: both are the server's clock, so a local clock
    ahead or behind changes nothing."""
    value = response.headers.get("date")
    when = None if value is None else http_date(value.strip())
    return datetime.now(UTC) if when is None else when


def _asked(response: httpx.Response) -> float | None:
    """The wait an answer's ``Retry-After`` asks for (see :func:`retry_after_seconds`),
    read against the answer's ``Date`` (:func:`answer_date`)."""
    return retry_after_seconds(response.headers.get("retry-after"), answer_date(response))


def fitted_wait(asked: float, jitter: float, waited: float, cap: float) -> float:
    """The wait before retrying after a ``Retry-After`` of ``asked`` seconds, ``jitter``
    drawn to add to it, ``waited`` seconds waited so far out of ``cap``
    (``RetryPolicy.max_total_wait``): ``asked + jitter``, the jitter cut to what the cap
    leaves when the wait asked fits (``waited + asked <= cap``): jitter alone never makes
    a wait that fits pass the cap and end the loop. A wait asked that does not fit is
    returned with its whole jitter (it passes the cap however it is cut)."""
    delay = asked + jitter
    if waited + delay > cap and waited + asked <= cap:
        delay = cap - waited
        if delay < asked or waited + delay > cap:  # rounding: the wait asked fits as it is
            delay = asked
    return delay


class _AnswerUnreadable(OutcomeUnknown):
    """The request was answered, but its body cannot be read (see :meth:`Sender._exchange`):
    the answer failed, not the request, so :func:`look_up` passes it on as it is."""


@dataclass(frozen=True, slots=True)
class Answer:
    """What :meth:`Sender.send` answers: the response, and ``lost``, why an earlier
    attempt of a request that creates the ticket may have created it (``HTTP 500``, a
    read timeout), ``None`` when none may have. A connector that would read the response
    as a refusal must not when ``lost`` is set: the ticket may exist."""

    response: httpx.Response
    lost: str | None = None


def after_lost(lost: str, then: str) -> str:
    """The reason of an :class:`OutcomeUnknown` for a request that ended in ``then`` after
    an earlier attempt may have created the ticket (``lost``): the later refusal proves
    nothing."""
    return f"an earlier attempt may have created the ticket ({lost}), then {then}"


class Sender:
    """Sends one logical request with the retries above. ``sleep`` and ``rng`` are injectable
    (tests record the waits instead of sleeping)."""

    def __init__(
        self,
        service: str,
        client: httpx.Client,
        policy: RetryPolicy,
        *,
        sleep: Callable[[float], object] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._httpx = require_httpx()
        self.service = service
        self.client = client
        self.policy = policy
        self._sleep = sleep
        self._rng = rng if rng is not None else random.Random()
        self.waits: deque[float] = deque(maxlen=WAITS_KEPT)
        # what httpx raises only before anything of the request is sent: no connection
        # (refused, timed out, none free in the pool) or a proxy refusing the tunnel
        self._not_sent: tuple[type[Exception], ...] = (
            self._httpx.ConnectError,
            self._httpx.ConnectTimeout,
            self._httpx.PoolTimeout,
            self._httpx.ProxyError,
        )

    def send(
        self,
        method: str,
        url: str,
        *,
        replay_safe: bool,
        creates: bool = False,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> Answer:
        """The first answer that is neither a retried failure nor 401/403; see the module.

        ``creates`` says the request creates the ticket (the POST): once one of its
        attempts may have created it (an answer lost, a 5xx) a later attempt's refusal
        proves nothing, so a loop that then ends in a refused connection, 401/403 or a
        429 past the cap raises :class:`OutcomeUnknown` instead (naming both), and an
        answer returned says so in :attr:`Answer.lost`."""
        hx = self._httpx
        if self.client.is_closed:  # a closed connector sends nothing (httpx: RuntimeError)
            raise Unreachable(self.service, "the connector is closed (close() was called)")
        waited = 0.0
        policy = self.policy
        lost: str | None = None  # why an earlier attempt may have created the ticket
        for attempt in range(1, policy.attempts + 1):
            last = attempt == policy.attempts
            try:
                try:
                    response, unreadable = self._exchange(
                        method, url, content=content, headers=headers, params=params
                    )
                except self._not_sent as exc:
                    delay = policy.backoff(attempt, self._rng)
                    if last or waited + delay > policy.max_total_wait:
                        raise Unreachable(self.service, _reason(exc)) from exc
                except hx.TransportError as exc:  # sent, answer lost: read/write timeout, dropped
                    delay = policy.backoff(attempt, self._rng)
                    if not replay_safe or last or waited + delay > policy.max_total_wait:
                        raise OutcomeUnknown(self.service, _reason(exc)) from exc
                    if creates:
                        lost = _reason(exc)
                else:
                    status = response.status_code
                    if status in (401, 403):
                        raise AuthenticationFailed(self.service, status)
                    if status == 429:
                        asked = _asked(response)
                        delay = (
                            fitted_wait(
                                asked,
                                self._rng.uniform(0, policy.base_delay),
                                waited,
                                policy.max_total_wait,
                            )
                            if asked is not None
                            else policy.backoff(attempt, self._rng)
                        )
                        if last:
                            raise RateLimited(self.service, waited, asked, attempts=attempt)
                        if waited + delay > policy.max_total_wait:
                            raise RateLimited(
                                self.service,
                                waited,
                                asked,
                                attempts=attempt,
                                next_wait=delay,
                                max_total_wait=policy.max_total_wait,
                            )
                    elif status >= 500:
                        # a 503's Retry-After says when to retry; honoured as a 429's
                        # when the request may be repeated (else it is not retried)
                        asked = _asked(response) if status == 503 and replay_safe else None
                        delay = (
                            fitted_wait(
                                asked,
                                self._rng.uniform(0, policy.base_delay),
                                waited,
                                policy.max_total_wait,
                            )
                            if asked is not None
                            else policy.backoff(attempt, self._rng)
                        )
                        if not replay_safe or last or waited + delay > policy.max_total_wait:
                            raise OutcomeUnknown(self.service, f"HTTP {status}")
                        if creates:
                            lost = f"HTTP {status}"
                    elif unreadable is not None:
                        raise _AnswerUnreadable(
                            self.service, f"HTTP {status} answer unreadable ({unreadable})"
                        )
                    else:
                        return Answer(response, lost)
            except (Unreachable, RateLimited, AuthenticationFailed) as exc:
                if lost is None:
                    raise
                then = str(exc).removeprefix(f"{self.service}: ")
                raise OutcomeUnknown(self.service, after_lost(lost, then)) from exc
            self.waits.append(delay)
            self._sleep(delay)
            waited += delay
        raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover

    def _exchange(
        self,
        method: str,
        url: str,
        *,
        content: bytes | None,
        headers: Mapping[str, str] | None,
        params: Mapping[str, Any] | None,
    ) -> tuple[httpx.Response, str | None]:
        """Send one request and read its answer: the answer, and why its body could not be
        read (``None`` when it was).

        The status and headers are read first, so an answer acted on by its status alone
        (401, 403, 429, 5xx) is closed with its body unread (an empty ``content``), and an
        answer whose body cannot be read still says what its status says: a body httpx
        cannot decode (``DecodingError``, a ``StreamError``), a ``Content-Encoding``
        other than one of :data:`ACCEPT_ENCODING` (refused unread), or a body passing
        :data:`MAX_BODY_BYTES` as received or decoded (read piece by piece; reading stops
        there and the connection is closed, the rest never received). A transport error
        while reading the body (a timeout, a dropped connection) is raised, as when it
        happens before the status: the answer was lost.

        The whole exchange has a wall-clock deadline, ``RetryPolicy.longest_request``
        (a :class:`~._deadline.Deadline`): past it the connection is shut down and the
        request raises httpx's ``ReadTimeout`` (the answer was lost), however the server
        trickles its answer, each read within httpx's per-read timeout.

        The answer returned is a copy of httpx's whose ``content`` is what was read, and
        without ``Content-Encoding``: reading it, its text or its JSON never reads the
        network again (which would raise httpx's ``ResponseNotRead``). When the body could
        not be read, that is the part decoded before reading stopped, never more than
        :data:`MAX_BODY_BYTES`: no caller should take it for the answer (``send`` does
        not), and an excerpt of it still shows what the service began to say. httpx has
        no public way to set a streamed response's content; building a ``Response`` with
        ``content=`` is one."""
        hx = self._httpx
        deadline = Deadline(self.policy.longest_request)
        try:
            request = self.client.build_request(
                method,
                url,
                content=content,
                headers=headers,
                params=params,
                extensions={"trace": deadline.trace},
            )
        except (hx.InvalidURL, UnicodeError) as exc:
            raise Unreachable(self.service, f"not sent: {_reason(exc)}") from exc
        with deadline:
            refused = ""
            try:
                return self._answer(request, deadline)
            except TooLateToSend as exc:  # nothing sent: retried as a connection not made
                raise hx.ConnectTimeout(
                    _NO_CONNECTION.format(deadline.seconds), request=request
                ) from exc
            except (hx.UnsupportedProtocol, hx.InvalidURL, UnicodeError) as exc:
                if deadline.sending:
                    raise
                # nothing sent: a URL httpx or the idna codec refuses (a failure of the
                # configuration, never a lost answer)
                raise Unreachable(self.service, f"not sent: {_reason(exc)}") from exc
            except hx.TransportError as exc:
                if isinstance(exc, hx.LocalProtocolError) and deadline.headers_refused:
                    # h11 refused a header before writing a byte; its message shows the
                    # value, which may be a credential (an OAuth token): not repeated,
                    # and raised below, outside this block, so that neither its cause
                    # nor its context holds httpx's error (a logged traceback shows both)
                    refused = type(exc).__name__
                elif not deadline.passed or isinstance(exc, self._not_sent):
                    raise  # a connection not made is one, the deadline passed or not
                else:
                    raise hx.ReadTimeout(
                        f"no whole answer within {deadline.seconds:g} s (the request's deadline)",
                        request=request,
                    ) from exc
            raise Unreachable(
                self.service,
                f"not sent: {refused}: a request header's name or value was refused (not "
                "shown: it may be a credential)",
            )

    def _answer(
        self, request: httpx.Request, deadline: Deadline
    ) -> tuple[httpx.Response, str | None]:
        """``request`` sent, and its answer read within ``deadline``; see :meth:`_exchange`."""
        from helpdesk_routing.handoff.connectors._capped import BodyTooLarge, cap_raw_body

        hx = self._httpx
        limit = MAX_BODY_BYTES
        response = self.client.send(request, stream=True)
        deadline.watch(response.extensions.get("network_stream"))
        body = bytearray()
        try:
            unreadable = _refused_coding(response)
            if _by_status_alone(response.status_code):
                pass  # its body is never read: closed unread (the connection with it)
            elif unreadable is None:
                cap_raw_body(response, limit)
                for chunk in response.iter_bytes():
                    if deadline.over():
                        raise hx.ReadTimeout("deadline passed", request=request)
                    if len(body) + len(chunk) > limit:
                        body += chunk[: limit - len(body)]
                        raise BodyTooLarge
                    body += chunk
        except BodyTooLarge:
            unreadable = f"body passed the limit of {limit} bytes"
        except (hx.DecodingError, hx.StreamError) as exc:
            unreadable = _reason(exc)
        finally:
            response.close()
        return _with_content(hx, response, bytes(body)), unreadable


_NO_CONNECTION = "no connection within {:g} s (the request's deadline)"
"""Why a request was not sent when its deadline passed before it could be (a slow pool,
name resolution or TLS handshake): a ``ConnectTimeout``, retried as any."""


def _by_status_alone(status: int) -> bool:
    """Whether an answer of ``status`` is acted on by its status alone (401, 403, 429,
    5xx: :meth:`Sender.send` raises or retries whatever its body): its body is not read.
    Closing the answer unread closes its connection, which is never reused anyway."""
    return status in (401, 403, 429) or status >= 500


def _refused_coding(response: httpx.Response) -> str | None:
    """Why the answer's body is not read for its ``Content-Encoding``, or ``None``: httpx
    would decode a coding other than gzip or deflate (``br``, ``zstd``), or several, a
    whole network read at a time (``gzip, gzip`` of a few hundred bytes is 50 MB after
    one step), so neither is read; the connectors never ask for them."""
    codings = [
        c.strip().lower() for c in response.headers.get_list("content-encoding", split_commas=True)
    ]
    decoded = [c for c in codings if c in _DECODED_CODINGS]
    if len(decoded) > 1 or (decoded and decoded[0] not in _BOUNDED_CODINGS):
        return f"Content-Encoding {', '.join(codings)!r} not read (one gzip or deflate at most)"
    return None


_BODY_HEADERS = (b"content-encoding", b"content-length", b"transfer-encoding")
"""The headers that describe the body as sent, not as read."""


def _with_content(hx: ModuleType, response: httpx.Response, content: bytes) -> httpx.Response:
    """A closed ``response``'s copy whose body is ``content`` (decoded, already read)."""
    answer: httpx.Response = hx.Response(
        response.status_code,
        headers=[(k, v) for k, v in response.headers.raw if k.lower() not in _BODY_HEADERS],
        content=content,
        request=response.request,
        extensions=response.extensions,
        history=response.history,
        default_encoding=response.default_encoding,
    )
    return answer


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"


_NO_REFUSAL = frozenset({401, 403, 408, 409, 425, 429})
"""The 4xx answers to a create that are no refusal: authentication (raised before),
a 429 (waited for), and those after which the ticket may exist or the request may be
sent again (408 Request Timeout, 409 Conflict, 425 Too Early): a lost answer."""


def refusal(service: str, response: httpx.Response) -> ServiceRejected | None:
    """The refusal a create's answer is, or ``None``: a 4xx but those of
    :data:`_NO_REFUSAL` (400, 404, 405, 410, 413, 415, 422, ...: the request was not
    taken), or a redirect (3xx: the connectors never follow one). None of them creates a
    ticket; a redirect or a 404 says the address is wrong (an ``http://`` base URL
    redirected to ``https://``, a wrong subdomain or path), so it is named, with its
    ``Location`` in the details. Any other 4xx was a lost answer, and ``recover`` sent
    the same body again for ever."""
    status = response.status_code
    if not 300 <= status < 500 or status in _NO_REFUSAL:
        return None
    details = error_details(response)
    location = response.headers.get("location")
    if location is not None:
        details = {**details, "location": location}
    return ServiceRejected(service, status, details)


def error_details(response: httpx.Response) -> dict[str, Any]:
    """The service's error body as a dict: the JSON object it is, else ``{"body": ...}``
    with the JSON value, or the body as UTF-8 text when it is no JSON Python can read.

    The text is decoded as UTF-8 whatever charset the answer names: ``response.text``
    would use a charset such as ``base64`` or ``idna``, whose codecs fail on text."""
    data = _json(response)
    if data is _UNREADABLE:
        return {"body": response.content.decode("utf-8", "replace")}
    return data if isinstance(data, dict) else {"body": data}
