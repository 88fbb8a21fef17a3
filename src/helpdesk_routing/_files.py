"""Input files read whole, up to a size: :func:`read_input` and :data:`MAX_INPUT_BYTES`.

Every file the library or the command line reads on a user's behalf (``check``'s rule
set and ``--teams``, ``simulate``'s scenario, ``report --office-hours``, ``demo
--data``'s files, ``ReplayArrivals.from_file``) is read here: a larger file, or an
endless one (``/dev/zero``, a pipe that never closes), is refused with an ``OSError``
naming it, after reading at most one byte past the cap, never a ``MemoryError``.
"""

from __future__ import annotations

import errno
import os
import stat

__all__ = ["MAX_INPUT_BYTES", "read_input"]

MAX_INPUT_BYTES = 256 * 1024 * 1024
"""The most bytes an input file may hold: 256 MiB.

Far past any real input: a rule set or configuration is kilobytes; a replay file of
256 MiB holds some 1.5 million recorded tickets (a year of a busy help desk), and the
Python objects parsed from it take several times its size in memory. A file past it
is more likely a mistake (a device, a log, a dump) than data to read."""


def read_input(path: str | os.PathLike[str]) -> bytes:
    """The bytes of the file at ``path``, at most :data:`MAX_INPUT_BYTES` of them.

    A file that cannot be read raises ``OSError`` as ``open`` does; one larger than the
    cap (a regular file whose size says so is refused before it is read, any other after
    ``MAX_INPUT_BYTES + 1`` bytes) raises ``OSError`` with ``errno.EFBIG``::

        [Errno 27] File too large: more than 256 MiB (268435456 bytes), the most an
        input file may hold: '/dev/zero'
    """
    cap = MAX_INPUT_BYTES
    with open(path, "rb") as file:
        status = os.fstat(file.fileno())
        if stat.S_ISREG(status.st_mode) and status.st_size > cap:
            raise _too_large(path, cap)
        data = file.read(cap + 1)
    if len(data) > cap:
        raise _too_large(path, cap)
    return data


def _too_large(path: str | os.PathLike[str], cap: int) -> OSError:
    size = f"{cap // 2**20} MiB" if cap % 2**20 == 0 else f"{cap} bytes"
    exact = f" ({cap} bytes)" if cap % 2**20 == 0 else ""
    message = f"File too large: more than {size}{exact}, the most an input file may hold"
    return OSError(errno.EFBIG, message, os.fspath(path))
