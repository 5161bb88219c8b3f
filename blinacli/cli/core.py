"""What every command runs inside: the global options and the error handling.

The global options (--version, --debug, --verbose) come before the command name;
``handle_errors``, around every command, turns the library's errors into a message
on stderr and an exit code: 0 success, 1 the evidence or the request was bad (or
an output, standard output included, could not be written), 2 usage error,
130 interrupted, 141 the reader closed the pipe. A user error never
shows a traceback unless ``--debug`` asks. (``app.main`` sets the same codes for
what happens outside a command.) The messages, the codes and the state of the global
options are ``edge``'s, which the quick path of ``launch`` shares without Typer.
"""

import functools
import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from blinacli.cli import edge

# what other command modules name from here, kept in ``edge``
from blinacli.cli.edge import BROKEN_PIPE as BROKEN_PIPE
from blinacli.cli.edge import _fail as _fail
from blinacli.cli.edge import _notes as _notes
from blinacli.cli.edge import _silence_stdout as _silence_stdout

F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(command: F) -> F:
    """Turn library errors into a message on stderr and an exit code (``edge.failed``)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except edge.HANDLED as exc:
            raise typer.Exit(edge.failed(exc)) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(edge.version_line())
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
    edge.set_options(debug=debug, verbose=verbose)
