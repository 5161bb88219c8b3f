"""The edge of a run, without Typer: the global options' state, the library's errors
turned into a message and an exit code, and the end of the process.

Both ways a command is run share it: the Typer app (``core.handle_errors``,
``app.main``) and the quick path of ``launch`` that reads a fully resolved
look-up without building the app. Exit codes: 0 success, 1 the evidence or the
request was bad (or standard output could not be written), 2 usage error,
130 interrupted, 141 the reader closed the pipe.
"""

import sys
from collections.abc import Callable

from blinacli.base.errors import BlinacliError, EvidenceError, UsageError
from blinacli.render import streams
from blinacli.render.streams import StandardOutputError

_debug = False
_verbose = False

BROKEN_PIPE = 141
"""Exit status when the reader closes the pipe early: the shell's for SIGPIPE, 128 + 13."""

_keeping = False
_kept: list[object] = []

HANDLED = (BlinacliError, KeyboardInterrupt, BrokenPipeError)
"""What a command may raise that becomes an exit code (:func:`failed`), not a traceback."""


def version_line() -> str:
    """What ``--version`` prints."""
    from blinacli import __version__

    return f"blinacli {__version__}\n"


def set_options(*, debug: bool, verbose: bool) -> None:
    """The global options of this run: --debug and --verbose."""
    global _debug, _verbose
    _debug = debug
    _verbose = verbose


def _notes(notes: list[str]) -> None:
    """With --verbose, say on stderr what loading passed over (file names shown as text)."""
    if _verbose:
        from blinacli.base.controls import visible

        for note in notes:
            sys.stderr.write(f"note: {visible(note)}\n")


def _fail(message: str) -> None:
    """The error line on stderr; what it quotes from outside is shown as text."""
    from blinacli.base.controls import visible

    sys.stderr.write(f"error: {visible(message)}\n")


def _traceback() -> None:
    import traceback

    traceback.print_exc()


def failed(exc: BaseException) -> int:
    """What a command that raised ``exc`` (one of :data:`HANDLED`) says on stderr, and
    its exit code. Called while ``exc`` is being handled, so ``--debug`` can print its
    traceback."""
    if isinstance(exc, EvidenceError):
        if _debug:
            _traceback()
        for finding in exc.report.findings:
            sys.stderr.write(f"{finding}\n")
        _fail(f"the evidence in use is invalid: {exc.report.summary()}")
        return 1
    if isinstance(exc, BlinacliError):
        if _debug:
            _traceback()
        _fail(str(exc))
        return 2 if isinstance(exc, UsageError) else 1
    if isinstance(exc, KeyboardInterrupt):
        sys.stderr.write("interrupted\n")
        return 130
    if isinstance(exc, BrokenPipeError):
        _silence_stdout()
        return BROKEN_PIPE
    raise exc


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so nothing left in its buffer is written at exit."""
    import os

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # no descriptor: nothing will be written at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    if devnull != fd:
        os.dup2(devnull, fd)
        os.close(devnull)


def keep(loaded: object) -> None:
    """Hold what a command loaded until the process ends, when :func:`finish` ends it.

    Otherwise the evidence is freed object by object when the command's body returns
    (a ``show`` keeps one study of 10,000; a filtered list, those that match): time
    spent on memory that ``os._exit`` gives back at once. Called by ``main`` itself (a
    test, another program), nothing is held, and the evidence is freed as usual.
    """
    if _keeping:
        _kept.append(loaded)


def settle(code: int) -> int:
    """The exit status, once the output still buffered is written.

    It is flushed here rather than at interpreter exit, where a reader that has gone
    (`blinacli list | head -1`) would make Python print an "Exception ignored"
    report. A pipe closed by its reader makes the status 141 (Click turns one met in
    its own help output into 1); a failure on standard output that nothing reported
    yet is reported now, and the status becomes 1.
    """
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        return BROKEN_PIPE
    except StandardOutputError as exc:
        _fail(str(exc))
        return 1
    failure = streams.failure()
    if isinstance(failure, BrokenPipeError) and code in (0, 1):
        return BROKEN_PIPE
    if isinstance(failure, StandardOutputError) and code == 0:
        _fail(str(failure))
        return 1
    return code


def finish(main: Callable[[], None]) -> None:
    """Run ``main`` (which ends by raising SystemExit), then end the process at once.

    Once the command has finished and its output is flushed, the process ends without
    freeing every object one by one: with 10,000 studies loaded that took 0.2 s of a
    1.2 s run, and there is nothing left to do (files are closed, worker processes
    joined, the cache written); what the command loaded is held until then
    (:func:`keep`).
    """
    global _keeping
    _keeping = True
    try:
        main()
    except SystemExit as stop:
        if stop.code is not None and not isinstance(stop.code, int):
            raise  # a message to print: leave that to Python
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (BrokenPipeError, StandardOutputError):
            raise stop from None
        import os

        os._exit(stop.code or 0)
