"""Writing bytes to an open file descriptor until every byte is written.

``os.write`` may write only part of what it is given (a disk that is nearly full,
a file-size limit, a pipe or terminal that takes a little at a time) and says so
only by the count it returns; Python's own unbuffered standard output ignores that
count, so the rest of a document can vanish with exit status 0. Every byte
blinacli writes, to standard output or to an output file, goes through
:func:`write_all`, which keeps writing until all is written or an error says why
not.
"""

from __future__ import annotations

import errno
import os


def write_all(fd: int, data: bytes | bytearray | memoryview) -> None:
    """Write all of ``data`` to ``fd``, or raise the ``OSError`` that stopped it.

    A short write is followed by another with the rest, which either writes more or
    fails with the reason (``ENOSPC`` when the disk is full, ``EFBIG`` past a size
    limit). A descriptor left non-blocking by another program (``EAGAIN``) is waited
    on until it can take more, as a blocking one would be.
    """
    view = memoryview(data).cast("B")
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            _wait_until_writable(fd)
            continue
        if written <= 0:
            raise OSError(errno.EIO, "the output took no bytes")
        view = view[written:]


def _wait_until_writable(fd: int) -> None:
    import select

    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    poller.poll()
