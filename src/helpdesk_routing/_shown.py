"""Text from outside, as the library's readable outputs show it.

An id, a name, a channel or a key comes from whoever sent it, and a readable output
(``explain()``, a log message, the report's table, the command line's lines) puts it
into a line of its own text. A line break in it would start a line that is not the
output's (a forged rule line, log record or table row), and an escape sequence would
drive the reader's terminal. :func:`shown` is the one place such text is made safe to
show: as it is when every character of it is printable, none is invisible and it is in
Unicode NFC form, else quoted with escapes (:func:`quoted`).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["INVISIBLE", "quoted", "shown"]

INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
"""The characters a text may hold that show nothing: Unicode's default-ignorable code
points (DerivedCoreProperties ``Default_Ignorable_Code_Point``, which Python's
``unicodedata`` does not give: the soft hyphen, the combining grapheme joiner U+034F,
the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0, the variation selectors
U+FE00-U+FE0F and U+E0100-U+E01EF, the zero-width and bidi format characters, the tags)
and the Braille blank U+2800, which looks like a space. Several of them are printable to
``str.isprintable``, so ``repr`` would show them as they are: invisible."""


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def quoted(value: object) -> str:
    """``value`` (text, or a list or object holding text) written so that it never looks
    like another: its ``repr`` (every control and format character a backslash escape),
    each :data:`INVISIBLE` character escaped too (``'ab\\ufe0f'``); its ``ascii`` form
    when it is not in Unicode NFC form (``'cafe\\u0301'``, which would look like the
    composed ``'café'``). The result is a Python literal of ``value``."""
    text = repr(value)
    if text.isascii():
        return text
    if not unicodedata.is_normalized("NFC", text):
        return ascii(value)
    return INVISIBLE.sub(_escape, text)


def shown(text: str) -> str:
    """``text`` as it is when all of it is printable (``str.isprintable``), none of it is
    :data:`INVISIBLE` and it is in Unicode NFC form; else :func:`quoted`: in quotes,
    with each control, format or invisible character as a backslash escape (all of a
    decomposed text's non-ASCII ones), so that two different names never look alike.

    Line breaks (``\\n``, ``\\r``, ``\\x85``, U+2028, U+2029), the other C0 and C1
    controls and DEL, bidi overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the
    other format characters are what ``repr`` escapes, so the text shown holds none::

        >>> shown("t1")
        't1'
        >>> print(shown("t1\\n  rule 'vip': applied"))
        "t1\\n  rule 'vip': applied"
        >>> print(shown("cafe\\u0301"))
        'cafe\\u0301'
    """
    if text.isprintable() and (
        text.isascii()
        or (INVISIBLE.search(text) is None and unicodedata.is_normalized("NFC", text))
    ):
        return text
    return quoted(text)
