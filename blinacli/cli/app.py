"""The command line: one Typer app over the command families, and the entry point.

Each command is defined in the module of its family, and named in ``COMMANDS``
below, in the order ``blinacli --help`` lists them:

- ``checking``: validate, check;
- ``browsing``: list, show, compare, outcomes, safety;
- ``documents``: digest, and the templates group (list, copy);
- ``diffing``: diff;
- ``authoring``: new, schema, and the import group (ctgov);
- ``exporting``: export, cite.

To add a command, write it in its family's module under ``@commands.command("NAME")``
and ``@handle_errors`` (options that several families take are in ``options.py``,
the helpers commands share in ``common.py``), then add NAME to ``COMMANDS``. A new
family module is also imported in ``_family``.

``app`` is the whole command line, every command in it (``from blinacli.cli.app
import app``); it is put together on first use. A run of the ``blinacli`` command
starts in ``launch``, without Typer: ``--version`` and a fully resolved read command
(list, show, compare, outcomes, safety) are answered there, and anything else comes
to :func:`main`, which gets an app holding only the command named on its command
line, so it imports that command's module alone.

Exit codes: 0 success, 1 the evidence or the request was bad (or standard output
could not be written), 2 usage error, 130 interrupted, 141 the reader closed the
pipe. ``core.handle_errors`` sets them for what fails inside a command,
:func:`main` for what happens around it.
"""

import functools
import sys
from typing import Any

import typer

from blinacli.cli import completion
from blinacli.cli.core import main_options
from blinacli.cli.edge import BROKEN_PIPE as BROKEN_PIPE  # named here by callers and tests
from blinacli.cli.edge import _fail, finish, settle
from blinacli.render import streams
from blinacli.render.streams import StandardOutputError

_APP_SETTINGS: dict[str, Any] = {
    "name": "blinacli",
    "no_args_is_help": True,
    "add_completion": True,
    "pretty_exceptions_show_locals": False,
    "rich_markup_mode": None,
}

COMMANDS: dict[str, str] = {
    "validate": "checking",
    "check": "checking",
    "list": "browsing",
    "show": "browsing",
    "compare": "browsing",
    "outcomes": "browsing",
    "safety": "browsing",
    "digest": "documents",
    "diff": "diffing",
    "export": "exporting",
    "new": "authoring",
    "cite": "exporting",
    "schema": "authoring",
    # the groups: --help lists them after the commands, whatever their place here
    "import": "authoring",
    "templates": "documents",
}
"""Every command's name and the family module that defines it, in --help's order."""


def _family(module: str) -> typer.Typer:
    """The commands the family ``module`` defines, imported only now: a run imports
    the module of its own command, not every command's."""
    if module == "checking":
        from blinacli.cli import checking

        return checking.commands
    if module == "browsing":
        from blinacli.cli import browsing

        return browsing.commands
    if module == "documents":
        from blinacli.cli import documents

        return documents.commands
    if module == "authoring":
        from blinacli.cli import authoring

        return authoring.commands
    if module == "diffing":
        from blinacli.cli import diffing

        return diffing.commands
    if module == "exporting":
        from blinacli.cli import exporting

        return exporting.commands
    raise LookupError(f"no command family {module!r}")


def _app_of(names: list[str]) -> typer.Typer:
    """An app holding the commands and groups ``names`` (keys of ``COMMANDS``), in
    that order, under the global options."""
    assembled = typer.Typer(**_APP_SETTINGS)
    assembled.callback()(main_options)
    for name in names:
        family = _family(COMMANDS[name])
        assembled.registered_commands += [
            info for info in family.registered_commands if info.name == name
        ]
        assembled.registered_groups += [
            info
            for info in family.registered_groups
            if name in (info.name, info.typer_instance and info.typer_instance.info.name)
        ]
    return assembled


@functools.cache
def _whole_app() -> typer.Typer:
    """The app with every command: made once, on first use."""
    return _app_of(list(COMMANDS))


def __getattr__(name: str) -> typer.Typer:
    """``app``, the whole command line, made when it is first asked for (a run of one
    command never asks)."""
    if name == "app":
        return _whole_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _app_for(argv: list[str]) -> typer.Typer:
    """The app to run for ``argv``: when it names a command, an app holding only that
    command, so Python imports one command family and Typer prepares one command's
    options rather than every command's (a third of a look-up's start-up). Anything
    else (no command, an unknown one, the top-level --help) gets the whole app, so
    help and errors list every command."""
    name = next((arg for arg in argv if not arg.startswith("-")), None)
    if name is None or (argv and argv[0] in ("--help", "--version")):
        return _whole_app()
    if name not in COMMANDS:
        return _whole_app()
    return _app_of([name])


def main() -> None:
    """Console-script entry point: Ctrl-C exits 130, a closed pipe ends quietly, and
    standard output that cannot be written is a one-line error and exit 1.

    Standard output and error are first put behind the gates of
    :mod:`blinacli.render.streams`, so whatever prints (a command, Typer's help,
    ``--version``) is checked in one place.
    """
    streams.install()
    try:
        named_shell = completion.requested(sys.argv[1:])
        if named_shell is not None:
            sys.exit(completion.run(*named_shell))
        # in standalone mode this always ends by raising SystemExit
        _app_for(sys.argv[1:])(prog_name="blinacli")
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except StandardOutputError as exc:
        # outside a command, where handle_errors does not see it: --help, --version
        _fail(str(exc))
        sys.exit(settle(1))
    except SystemExit as stop:
        if stop.code is not None and not isinstance(stop.code, int):
            raise  # a message to print: leave that to Python
        sys.exit(settle(stop.code or 0))


def entry() -> None:
    """:func:`main`, then a quick exit (``edge.finish``): the whole app, for every
    command line. The ``blinacli`` command and ``python -m blinacli`` start in
    ``launch.entry``, which reads a fully resolved look-up without Typer and hands
    anything else to :func:`main`."""
    finish(main)
