"""One rule for an e-mail address wherever one is accepted (``is_valid_email``,
``Conversation.email``, ``Handoff.request``, ``provide_email``): the whole text is the
address (no trailing newline), no white space or control character (C0, DEL and C1),
and a dot-atom local part (no dot first or last, never two in a row)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.errors import ValidationError
from helpdesk_routing.handoff import (
    Conversation,
    Handoff,
    InMemoryLedger,
    SendToHelpdesk,
    State,
    is_valid_email,
)
from tests.handoff.conftest import Desk, conversation

MALFORMED = [
    "ann@example.com\n",
    "ann@example.com\r\n",
    "ann@example.com\x85",
    "ann\n@example.com",
    "ann\x80@example.com",
    "ann\x85@example.com",
    "ann\x9b@example.com",
    "ann\x9f@example.com",
    "ann\x7f@example.com",
    "ann\x1f@example.com",
    "\x80ann@example.com",
    ".ann@example.com",
    "ann.@example.com",
    "ann..b@example.com",
    "a...b@example.com",
    ".@example.com",
    # RFC 5322's specials are not atext: a dot-atom holds none of them
    *(f"a{c}b@example.com" for c in '()<>[]:;,\\"'),
    "a" * 65 + "@example.com",  # a local part of more than 64 (RFC 5321)
    "ann@" + "x" * 64 + ".com",  # a domain label of more than 63 (DNS)
    "ann@example." + "c" * 64,
]
WELL_FORMED = [
    "ann@example.com",
    "ann.b@example.com",
    "a.b.c@mail.example.co",
    "ann+tag@example.com",
    "ännä@example.com",
    "!#$%&'*+-/=?^_`{|}~@example.com",  # every special atext character
    "a" * 64 + "@" + "x" * 63 + ".com",  # the longest local part and label
]


@pytest.mark.parametrize("address", MALFORMED, ids=ascii)
def test_a_malformed_address_is_refused_by_is_valid_email(address: str) -> None:
    assert is_valid_email(address) is False


@pytest.mark.parametrize("address", WELL_FORMED, ids=ascii)
def test_a_well_formed_address_is_accepted(address: str) -> None:
    assert is_valid_email(address) is True
    assert Conversation(id="c1", channel="sms", email=address).email == address


@pytest.mark.parametrize("address", MALFORMED, ids=ascii)
def test_a_malformed_address_is_refused_as_a_conversation_s_email(desk: Desk, address: str) -> None:
    """Conversation(email=...) and request({... "email": ...}) refuse it at ``$.email``,
    before anything is written; the handoff never reaches the ticket with it."""
    with pytest.raises(ValidationError, match=r"\$\.email: not an e-mail address"):
        Conversation(id="c1", channel="sms", email=address)
    ledger = InMemoryLedger()
    h = Handoff(settings=SendToHelpdesk(), router=desk.router, ledger=ledger, clock=desk.clock)
    mapping = {**conversation(channel="sms").model_dump(), "email": address}
    with pytest.raises(ValidationError, match=r"email: not an e-mail address"):
        h.request(mapping)
    assert ledger.for_conversation("c1") is None


@pytest.mark.parametrize("address", MALFORMED, ids=ascii)
def test_a_malformed_address_given_by_the_visitor_is_asked_for_again(
    desk: Desk, address: str
) -> None:
    """provide_email strips surrounding white space (a typed address ends with a newline
    now and then); what remains must be an address, or the visitor is asked again."""
    h = Handoff(
        settings=SendToHelpdesk(), router=desk.router, ledger=InMemoryLedger(), clock=desk.clock
    )
    h.request(conversation(channel="sms"))
    step = h.provide_email("c1", address)
    stripped = address.strip()
    if stripped != address and is_valid_email(stripped):
        # only surrounding white space: what the visitor meant, taken as such
        assert step.state is State.HANDED_OFF
        assert desk.router.ticket(step.ticket_id).ticket.email == stripped
        return
    assert (step.state, [m.key.value for m in step.tell_visitor]) == (
        State.AWAITING_EMAIL,
        ["email_invalid"],
    )


# Candidates close to addresses: an ordinary local part (dots included) with one hazard
# in it (a control character, white space, any character, or none), a valid or odd
# domain, and sometimes a tail (a newline, a C1 control, ...).
_ORDINARY = st.text(st.sampled_from("abz09+_-.ä"), max_size=5)
_HAZARD = st.one_of(
    st.just(""),
    st.characters(min_codepoint=0, max_codepoint=0x9F),
    st.characters(codec="utf-8"),
    st.sampled_from("\u2028\u2029\xa0\u3000 \t\n"),
)
_CANDIDATES = st.builds(
    lambda before, hazard, after, domain, tail: f"{before}{hazard}{after}@{domain}{tail}",
    _ORDINARY,
    _HAZARD,
    _ORDINARY,
    st.one_of(
        st.sampled_from(["example.com", "mail.example.co", "x.io"]),
        st.text(st.sampled_from("ab.-\n"), max_size=8),
    ),
    st.one_of(
        st.just(""),
        st.sampled_from(["\n", "\r\n", "\r", " ", "\x85", "\u2028", "\x00", "\x9f"]),
        st.text(max_size=3),
    ),
)


@given(_CANDIDATES)
def test_an_accepted_address_has_no_control_character_or_white_space(text: str) -> None:
    """Whatever is_valid_email accepts has no character of category Cc and no white
    space, its local part is a dot-atom, and it is kept unchanged: as a conversation's
    e-mail and after provide_email's strip."""
    if not is_valid_email(text):
        return
    assert not any(unicodedata.category(c) == "Cc" or c.isspace() for c in text), ascii(text)
    local = text.rsplit("@", 1)[0]
    assert not local.startswith(".")
    assert not local.endswith(".")
    assert ".." not in local
    assert text.strip() == text
    assert Conversation(id="c1", channel="sms", email=text).email == text


@given(st.text(max_size=30))
def test_any_accepted_text_has_no_control_character_or_white_space(text: str) -> None:
    """The same property over any text."""
    if is_valid_email(text):
        assert not any(unicodedata.category(c) == "Cc" or c.isspace() for c in text)
        assert Conversation(id="c1", channel="sms", email=text).email == text
