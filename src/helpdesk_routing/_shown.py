"""Text from outside, as the library's readable outputs show it.

An id, a name, a channel or a key comes from whoever sent it, and a readable output
(``explain()``, a log message, the report's table, the command line's lines) puts it
into a line of its own text. A line break in it would start a line that is not the
output's (a forged rule line, log record or table row), and an escape sequence would
drive the reader's terminal. :func:`shown` is the one place such text is made safe to
show: as it is when every character of it is printable, else as its Python ``repr``.
"""

from __future__ import annotations

__all__ = ["shown"]


def shown(text: str) -> str:
    """``text`` as it is when all of it is printable (``str.isprintable``), else its
    ``repr``: quoted, with each control or format character as a backslash escape.

    Line breaks (``\\n``, ``\\r``, ``\\x85``, U+2028, U+2029), the other C0 and C1
    controls and DEL, bidi overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the
    other format characters are what ``repr`` escapes, so the text shown holds none::

        >>> shown("t1")
        't1'
        >>> print(shown("t1\\n  rule 'vip': applied"))
        "t1\\n  rule 'vip': applied"
    """
    return text if text.isprintable() else repr(text)
