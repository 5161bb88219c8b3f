"""What every command runs inside: the global options and the error handling.

The global options (--version, --debug, --verbose) come before the command name;
``handle_errors``, around every command, turns the library's errors into a message
on stderr and an exit code: 0 success, 1 the evidence or the request was bad (or
an output, standard output included, could not be written), 2 usage error,
130 interrupted, 141 the reader closed the pipe. A user error never
shows a traceback unless ``--debug`` asks. (``app.main`` sets the same codes for
what happens outside a command.)
"""

import functools
import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from blinacli import __version__
from blinacli.base.errors import BlinacliError, EvidenceError, UsageError

_debug = False
_verbose = False

BROKEN_PIPE = 141
"""Exit status when the reader closes the pipe early: the shell's for SIGPIPE, 128 + 13."""

F = TypeVar("F", bound=Callable[..., Any])


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


def handle_errors(command: F) -> F:
    """Turn library errors into a message on stderr and an exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except EvidenceError as exc:
            if _debug:
                _traceback()
            for finding in exc.report.findings:
                sys.stderr.write(f"{finding}\n")
            _fail(f"the evidence in use is invalid: {exc.report.summary()}")
            raise typer.Exit(1) from None
        except BlinacliError as exc:
            if _debug:
                _traceback()
            _fail(str(exc))
            raise typer.Exit(2 if isinstance(exc, UsageError) else 1) from None
        except KeyboardInterrupt:
            sys.stderr.write("interrupted\n")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            _silence_stdout()
            raise typer.Exit(BROKEN_PIPE) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"blinacli {__version__}\n")
        raise typer.Exit()


# The app's callback (``app.py`` registers it): it runs before any command, and its
# docstring is the top of ``blinacli --help``.
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Show the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show a traceback when a command fails.")
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Say what loading passed over (files that are not YAML)."
        ),
    ] = False,
) -> None:
    """Summarize clinical-trial evidence kept in YAML files.

    Evidence comes from --evidence paths, else $BLINACLI_EVIDENCE (a path list),
    else the studies bundled with blinacli. Exit codes: 0 success, 1 bad
    evidence or request, 2 usage error.
    """
    global _debug, _verbose
    _debug = debug
    _verbose = verbose


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
