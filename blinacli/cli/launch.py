"""Where the ``blinacli`` command starts: a look-up answered without Typer.

Importing Typer and building its app is most of a look-up's start-up. So the command
line is read here first, and two kinds of it are answered without Typer:

- ``--version`` among the global options (the words before the command name, when
  each of them is ``--debug``, ``--verbose``, ``-v`` or ``--version``);
- a read command (list, show, compare, outcomes, safety) whose words
  ``quick.parse`` fully understands: the global options set the same state as
  ``core.main_options`` does, and the command's body in ``reading`` runs with the
  same error handling (``edge.failed``) as under Typer.

Anything else goes to ``app.main`` as it is, so help, usage errors and shell
completion are Typer's own, byte for byte: ``--help`` anywhere, a command or option
that is not known, a value that is missing or wrong, ``--install-completion``,
``--show-completion``, or ``_BLINACLI_COMPLETE`` in the environment. Either way the
run ends with ``edge.finish``: the output flushed, then ``os._exit``.

Typer is imported only when a command line is handed to ``app.main``
(``tests/test_quick.py`` checks runs of each kind).
"""

import os
import sys
from typing import Any

from blinacli.cli import edge, quick
from blinacli.render import streams
from blinacli.render.streams import StandardOutputError

QUICK = True
"""Answer what can be answered without Typer; off, every command line goes to Typer
(the tests run each command line both ways and compare)."""

COMPLETE_VAR = "_BLINACLI_COMPLETE"
"""Set by the shell completion scripts (``completion.COMPLETE_VAR``): Typer answers."""

_GLOBAL = {"--debug": "debug", "--verbose": "verbose", "-v": "verbose", "--version": "version"}
"""The global options the quick path reads, by spelling (``core.main_options``)."""


def main() -> None:
    """Run the command line in ``sys.argv``, ending by raising SystemExit with the exit
    status; standard output and error are first put behind the gates of
    :mod:`blinacli.render.streams`, as ``app.main`` does."""
    streams.install()
    request = _request(sys.argv[1:]) if QUICK else None
    if request is None:
        from blinacli.cli.app import main as whole

        whole()
        return
    sys.exit(_answer(*request))


def entry() -> None:
    """The ``blinacli`` command and ``python -m blinacli``: :func:`main`, then a quick
    exit (``edge.finish``)."""
    edge.finish(main)


def _request(argv: list[str]) -> tuple[dict[str, bool], str, dict[str, Any]] | None:
    """The global options, the command and its parameters that ``argv`` asks for; the
    command is ``--version`` for the version. None: Typer reads ``argv``."""
    if COMPLETE_VAR in os.environ:
        return None
    options = {"debug": False, "verbose": False, "version": False}
    index = 0
    while index < len(argv) and argv[index].startswith("-"):
        name = _GLOBAL.get(argv[index])
        if name is None:
            return None
        options[name] = True
        index += 1
    if options.pop("version"):
        return options, "--version", {}  # eager: whatever follows, as under Click
    if index == len(argv) or argv[index] not in quick.SPECS:
        return None
    parameters = quick.parse(quick.SPECS[argv[index]], argv[index + 1 :])
    if parameters is None:
        return None
    return options, argv[index], parameters


def _answer(options: dict[str, bool], command: str, parameters: dict[str, Any]) -> int:
    """Run ``command`` and give its exit status, with the codes ``app.main`` and
    ``core.handle_errors`` set."""
    try:
        if command == "--version":
            sys.stdout.write(edge.version_line())
            return edge.settle(0)
        edge.set_options(**options)
        from blinacli.cli import reading

        body = getattr(reading, f"{command}_command")
        try:
            body(**parameters)
        except edge.HANDLED as exc:
            return edge.settle(edge.failed(exc))
        return edge.settle(0)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except StandardOutputError as exc:
        # where handle_errors would not see it: writing the version
        edge._fail(str(exc))
        return edge.settle(1)
