"""Output streams of the command line that write whatever their encoding can hold.

A terminal or file that is not UTF-8 (Windows writes redirected output in its ANSI code
page, cp1252; ``PYTHONIOENCODING=ascii``) cannot hold the symbols the reports use (the
explanations' ✓ ✗ · —, the simulator's · ±) nor, say, a rule id in Greek: writing
them raised ``UnicodeEncodeError``. :func:`console` wraps such a stream once, where the
command starts. A symbol the stream cannot encode is written as its plain ASCII stand-in
(chosen once per stream, for a family at a time: ✓ and ✗ are both ``ok`` and ``x`` or
both themselves); any other character it cannot encode, which comes of the user's data
(an id, a name, a file name), is written as a backslash escape (``caf\\xe9``), as
Python writes it to stderr. Nothing is lost or raised.

Whatever the encoding, a character that is not printable, other than the line breaks
and tabs the command writes itself (``\\n``, ``\\r``, ``\\t``), comes of the user's data
and is written as its backslash escape too: ESC (``\\x1b``) and the other C0 and C1
controls, DEL, U+2028, the bidi overrides (``\\u202e``), so no escape sequence in an id
or a name drives the reader's terminal. (Where the command puts outside text into a
line, it shows it with :func:`helpdesk_routing._shown.shown`, so that a line break in it
cannot start a line either; this is the net under every subcommand.)
"""

from __future__ import annotations

import codecs
import re
from typing import Any, TextIO, cast

__all__ = ["STAND_INS", "console"]

STAND_INS: tuple[dict[str, str], ...] = (
    {"\u2713": "ok", "\u2717": "x"},  # ✓ ✗: a condition that held, one that did not
    {"\u00b7": "-"},  # ·: a condition not evaluated; a separator in titles
    {"\u2014": "--"},  # —: between a rule and its reason
    {"\u00b1": "+/-"},  # ±: an interval's half width
    {"\u2026": "..."},  # …: a path shortened in a message
    {"\u221e": "inf"},  # ∞: an open end of a time window
)
"""The symbols the library's output uses, by family, with their ASCII stand-ins."""


_SUSPECT = re.compile(r"[^\t\n\r\x20-\x7e]")
"""A character that may not be printable: any but ASCII's printable ones and ``\\t\\n\\r``."""


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    return char if char.isprintable() else repr(char)[1:-1]


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


class _Console:
    """``stream`` writing only what its encoding holds (see the module doc)."""

    def __init__(self, stream: TextIO, encoding: str) -> None:
        self._stream = stream
        self._encoding = encoding
        self._table: dict[int, str] = {}
        for family in STAND_INS:
            if not all(_encodes(symbol, encoding) for symbol in family):
                self._table.update({ord(symbol): plain for symbol, plain in family.items()})

    def write(self, text: str) -> int:
        written = text if text.isprintable() else _SUSPECT.sub(_escaped, text)
        if not written.isascii():
            written = written.translate(self._table)
            written = written.encode(self._encoding, "backslashreplace").decode(self._encoding)
        self._stream.write(written)
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        # flush, fileno, isatty, encoding, buffer...: the stream's own.
        return getattr(self._stream, name)


def console(stream: TextIO) -> TextIO:
    """``stream`` as the command line writes to it: symbols it cannot encode as ASCII
    stand-ins, other such characters and control characters (but ``\\n``, ``\\r``,
    ``\\t``) as backslash escapes. A stream without an encoding
    (``io.StringIO``) holds any text and is returned as it is, and so is one wrapped
    already."""
    encoding = getattr(stream, "encoding", None)
    if isinstance(stream, _Console) or not isinstance(encoding, str):
        return stream
    try:
        codecs.lookup(encoding)
    except LookupError:
        return stream
    return cast(TextIO, _Console(stream, encoding))
