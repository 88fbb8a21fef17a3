"""What the library takes for an e-mail address, one rule wherever one is accepted (a
handoff's visitor, the Klaviyo body of a conversation event)."""

from __future__ import annotations

import re

from helpdesk_routing._storable import text_problem
from helpdesk_routing.errors import ArgumentTypeError

__all__ = ["is_valid_email"]

# One "@"; a local part that is a dot-atom (RFC 5322: words of atext joined by single
# dots, no dot first or last; atext is every printable character but white space and
# the specials ( ) < > [ ] : ; , \ " and @; RFC 6531 adds the non-ASCII ones) without
# control characters (C0, DEL and C1, the connectors' own rule), at most 64 characters
# (RFC 5321); a domain with a dot, no empty label and none over 63 characters (DNS).
# Matched whole (``fullmatch``): ``$`` would also match before a final newline.
_ATOM = r"[^@.\s\x00-\x1f\x7f-\x9f()<>\[\]:;,\\\"]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}")


def is_valid_email(text: str) -> bool:
    """Whether ``text`` is a plausible e-mail address: ``local@domain.tld`` as a whole
    (nothing before or after, not even a newline), no white space and no control
    character (U+0000-U+001F, U+007F-U+009F) anywhere, a local part that neither starts
    nor ends with a dot nor holds two in a row nor any of ``( ) < > [ ] : ; , \\ "``
    (RFC 5322's dot-atom), at most 64 characters before the ``@`` and 254 in all, domain
    labels of at most 63, nothing a store cannot keep. Anything but text is an
    ``ArgumentTypeError``."""
    if not isinstance(text, str):
        raise ArgumentTypeError(f"is_valid_email takes text, got {type(text).__name__}")
    return (
        len(text) <= 254
        and text.find("@") <= 64
        and _EMAIL.fullmatch(text) is not None
        and text_problem(text) is None
    )
