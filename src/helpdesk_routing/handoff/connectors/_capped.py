"""An answer's raw body held to a limit, in small pieces: the part of the connectors' request
loop that subclasses an httpx class, so it is imported only once httpx is (``_http`` is
imported with the connectors, before ``require_httpx`` can name the missing extra)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx

__all__ = ["PIECE", "BodyTooLarge", "CappedStream", "cap_raw_body"]

PIECE = 8 * 1024
"""The most raw bytes handed to httpx's decoder at a time. Deflate (gzip's too) decodes at
most ~1032 bytes from each byte, so one step makes at most ~8.5 MB, whatever the size of
a network read (64 KiB: ~68 MB)."""


class BodyTooLarge(Exception):
    """An answer's body passed the limit (raw, as received, or decoded)."""


class CappedStream(httpx.SyncByteStream):
    """``stream`` in pieces of at most :data:`PIECE` bytes, raising :class:`BodyTooLarge`
    instead of the piece that takes the bytes received past ``limit``.

    The raw size needs a limit of its own: bytes after the end of a gzip stream are not
    decoded (iterating the decoded body never sees them) but zlib keeps them all."""

    def __init__(self, stream: httpx.SyncByteStream, limit: int) -> None:
        self._stream = stream
        self._limit = limit

    def __iter__(self) -> Iterator[bytes]:
        received = 0
        for chunk in self._stream:
            for start in range(0, len(chunk), PIECE):
                piece = chunk[start : start + PIECE]
                received += len(piece)
                if received > self._limit:
                    raise BodyTooLarge
                yield piece

    def close(self) -> None:
        self._stream.close()


def cap_raw_body(response: httpx.Response, limit: int) -> None:
    """Make ``response``'s body, not read yet, come through a :class:`CappedStream`.

    ``Response.stream`` is public (the client itself binds it this way); a response of a
    sync client always has a sync stream."""
    stream = response.stream
    assert isinstance(stream, httpx.SyncByteStream)
    response.stream = CappedStream(stream, limit)
