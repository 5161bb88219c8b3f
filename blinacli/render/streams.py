"""Standard output and standard error, checked like files; the width of tables, and
where they are printed.

A run of blinacli replaces ``sys.stdout`` (when it is still the interpreter's own)
with a text stream over a gate on descriptor 1, so every way of printing (plain
writes, the CSV writer, Rich tables, Typer's help) ends in one place that:

- writes every byte or raises: a short write (a disk nearly full, a size limit)
  is continued until it completes or fails, where Python's own unbuffered
  stream would drop the rest and exit 0;
- turns a failed write (``ENOSPC``, ``EIO``, ``EBADF``, a closed descriptor) into
  :class:`StandardOutputError`, which the command line reports in one line and
  exits 1 on; a reader that closed the pipe stays ``BrokenPipeError`` (exit 141);
- after a failure, drops what is still written, so the exit has nothing to
  report twice; :func:`failure` keeps what went wrong;
- writes characters the output's encoding cannot hold (``PYTHONIOENCODING=ascii``,
  a C locale without UTF-8) as backslash escapes, ``\\u2265`` for ≥, rather than
  failing or dropping them.

Terminal tables are printed in one place, :func:`print_table`: on a terminal with
Rich's colours, and when piped (to a file, ``less``, ``grep`` or a CI log) as plain
lines without the spaces Rich pads them with and without a blank line first.

Standard error gets the same encoding and the same full writes, but its failures
are ignored: there is nowhere left to report them, and they do not change the
exit status. A descriptor 0, 1 or 2 that was closed when blinacli started is
filled with ``/dev/null`` opened read-only, so no file blinacli opens later can
take its number and receive what was meant for a standard stream.
"""

from __future__ import annotations

import errno
import io
import os
import sys
from typing import Any, TextIO

from blinacli.render.descriptors import write_all
from blinacli.render.output import OutputError

MIN_WIDTH = 20
"""Narrower than this (``COLUMNS=0`` included), tables are drawn :data:`DEFAULT_WIDTH`
wide: no table fits, and 0 is what terminals that do not know their size report."""
DEFAULT_WIDTH = 80
MAX_WIDTH = 1000
"""Wider than this, tables are drawn this wide: every line is padded to the width,
and ``COLUMNS=100000000`` would otherwise never finish."""


class StandardOutputError(OutputError):
    """Standard output does not take what is written: the disk is full, the file
    too large, the descriptor closed or not open for writing."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"cannot write to standard output: {reason}")


class _Gate(io.RawIOBase):
    """Descriptor 1 (or 2) as the raw layer under ``sys.stdout``: every byte written,
    or an error that says why not. It never closes the descriptor."""

    def __init__(self, fd: int, *, closed: bool, quiet: bool) -> None:
        super().__init__()
        self._fd = fd
        self._closed_at_start = closed
        self._quiet = quiet
        self.failure: BaseException | None = None

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        if self._closed_at_start:
            raise io.UnsupportedOperation("the standard stream was closed at start")
        return self._fd

    def isatty(self) -> bool:
        return not self._closed_at_start and os.isatty(self._fd)

    def write(self, data: Any) -> int:
        size = len(memoryview(data).cast("B"))
        if self.failure is not None or (self._quiet and self._closed_at_start):
            return size  # what went wrong was raised once; the rest has nowhere to go
        try:
            if self._closed_at_start:
                raise StandardOutputError("it is closed")
            write_all(self._fd, data)
        except BrokenPipeError as exc:
            self.failure = exc
            if not self._quiet:
                raise
        except OSError as exc:
            self.failure = StandardOutputError(exc.strerror or str(exc))
            if not self._quiet:
                raise self.failure from None
        except StandardOutputError as exc:
            self.failure = exc
            raise
        return size


_gates: dict[int, _Gate] = {}


def install() -> None:
    """Put the gates under ``sys.stdout`` and ``sys.stderr`` for this run. A stream a
    caller has replaced (a test's capture, an embedding program's) is left alone."""
    for fd in (0, 1, 2):
        _fill_if_closed(fd)
    if sys.stdout is None or sys.stdout is sys.__stdout__:
        sys.stdout = _gated(1, sys.stdout, quiet=False)
    if sys.stderr is None or sys.stderr is sys.__stderr__:
        sys.stderr = _gated(2, sys.stderr, quiet=True)


def failure() -> BaseException | None:
    """What went wrong on standard output in this run, if anything did."""
    gate = _gates.get(1)
    return gate.failure if gate is not None else None


def _fill_if_closed(fd: int) -> None:
    try:
        os.fstat(fd)
    except OSError as exc:
        if exc.errno != errno.EBADF:
            return
        try:
            filler = os.open(os.devnull, os.O_RDONLY)
        except OSError:
            return
        if filler != fd:
            os.dup2(filler, fd, inheritable=False)
            os.close(filler)


def _gated(fd: int, original: TextIO | None, *, quiet: bool) -> TextIO:
    """A text stream like ``original`` (encoding, buffering) over a gate on ``fd``."""
    if original is None:
        gate = _Gate(fd, closed=True, quiet=quiet)
        _gates[fd] = gate
        return io.TextIOWrapper(
            io.BufferedWriter(gate), encoding="utf-8", errors="backslashreplace", newline="\n"
        )
    try:
        if original.fileno() != fd:
            return original
        original.flush()
    except (OSError, ValueError):
        return original
    gate = _Gate(fd, closed=False, quiet=quiet)
    _gates[fd] = gate
    buffered = isinstance(getattr(original, "buffer", None), io.BufferedWriter)
    layer: Any = io.BufferedWriter(gate) if buffered else gate
    return io.TextIOWrapper(
        layer,
        encoding=original.encoding,
        errors="backslashreplace",
        newline="\n",
        line_buffering=getattr(original, "line_buffering", False),
        write_through=getattr(original, "write_through", False) or not buffered,
    )


def table_width() -> int:
    """How wide terminal tables are drawn: ``COLUMNS`` when it is a whole number, else
    the terminal's width, else 80; below :data:`MIN_WIDTH`, 80; above
    :data:`MAX_WIDTH`, that."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isascii() and columns.isdigit():
        width = int(columns)
    else:
        width = _terminal_size()[0]
    if width < MIN_WIDTH:
        return DEFAULT_WIDTH
    return min(width, MAX_WIDTH)


def table_height() -> int:
    """The terminal's height, else 25 (given to Rich with the width, so it reads
    neither ``COLUMNS`` nor ``LINES`` itself)."""
    lines = _terminal_size()[1]
    return lines if lines > 0 else 25


def _terminal_size() -> tuple[int, int]:
    """The size of the first standard stream that is a terminal, or (0, 0)."""
    for fd in (0, 1, 2):
        try:
            size = os.get_terminal_size(fd)
        except (OSError, ValueError):
            continue
        return size.columns, size.lines
    return 0, 0


def forced_terminal(stream: Any) -> bool | None:
    """What to tell Rich about forcing a terminal: None (Rich decides from FORCE_COLOR and
    the stream), or, for a FORCE_COLOR that is set but empty, whether ``stream`` is a
    terminal. An empty FORCE_COLOR means "not set" to the convention and to Rich from
    13.9 on; Rich 13.8, which blinacli allows, read it as "force colour" and wrote colour
    codes into pipes."""
    if os.environ.get("FORCE_COLOR") != "":
        return None
    try:
        return bool(stream.isatty())
    except (AttributeError, OSError, ValueError):
        return False


def print_table(renderable: Any, *, soft_wrap: bool = False) -> None:
    """Print a terminal view on standard output, :func:`table_width` wide.

    On a terminal (or one forced by ``FORCE_COLOR``, as Rich reads it), as Rich draws
    it, with its styles. Anywhere else, as plain text: Rich pads every line of a table
    to its width and opens a table with an empty border line, which a file, a diff or
    a test would keep as trailing spaces and a leading blank line; here each line ends
    at its last character, and the output starts at its first line that is not blank.
    ``soft_wrap`` leaves a long line whole (a one-line message that a script reads).
    Piped, what :mod:`blinacli.render.plain` writes exactly as Rich would (the study
    card) is written by it, without Rich's rendering; anything else goes through Rich.
    """
    from rich.console import Console

    stream = sys.stdout
    width, height = table_width(), table_height()
    console = Console(
        file=stream,
        highlight=False,
        width=width,
        height=height,
        force_terminal=forced_terminal(stream),
    )
    if console.is_terminal:
        console.print(renderable, soft_wrap=soft_wrap)
        return
    from blinacli.render.plain import plain_lines

    written = None if soft_wrap else plain_lines(renderable, console)
    if written is None:
        with console.capture() as captured:
            console.print(renderable, soft_wrap=soft_wrap)
        written = captured.get().split("\n")
    lines = [line.rstrip() for line in written]
    while lines and not lines[0]:
        del lines[0]
    while lines and not lines[-1]:
        del lines[-1]
    if lines:
        stream.write("\n".join(lines) + "\n")
