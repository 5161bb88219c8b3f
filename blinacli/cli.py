"""The command line: thin commands over the library, and the one place with exit codes.

Exit codes: 0 success, 1 the evidence or the request was bad, 2 usage error,
130 interrupted. A user error never shows a traceback unless ``--debug`` asks.
"""

from __future__ import annotations

import functools
import json
import sys
import traceback
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from blinacli import __version__
from blinacli.errors import BlinacliError, EvidenceError

app = typer.Typer(
    name="blinacli",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)

_debug = False


class Format(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


EvidenceOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--evidence",
        "-e",
        metavar="PATH",
        help="Evidence file or directory (repeatable). "
        "Default: $BLINACLI_EVIDENCE (a path list), else the bundled studies.",
        show_default=False,
    ),
]
FormatOption = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format. Default: table on a terminal, markdown when piped.",
        case_sensitive=False,
        show_default=False,
    ),
]

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str) -> None:
    sys.stderr.write(f"error: {message}\n")


def handle_errors(command: F) -> F:
    """Turn library errors into a message on stderr and an exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except EvidenceError as exc:
            if _debug:
                traceback.print_exc()
            for finding in exc.report.findings:
                sys.stderr.write(f"{finding}\n")
            _fail(f"the evidence in use is invalid: {exc.report.summary()}")
            raise typer.Exit(1) from None
        except BlinacliError as exc:
            if _debug:
                traceback.print_exc()
            _fail(str(exc))
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            sys.stderr.write("interrupted\n")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"blinacli {__version__}\n")
        raise typer.Exit()


@app.callback()
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
) -> None:
    """Summarize clinical-trial evidence kept in YAML files: validate, list, show.

    Evidence comes from --evidence paths, else $BLINACLI_EVIDENCE (a path list),
    else the studies bundled with blinacli. Exit codes: 0 success, 1 bad
    evidence or request, 2 usage error.
    """
    global _debug
    _debug = debug


def _format(chosen: Format | None) -> Format:
    if chosen is not None:
        return chosen
    return Format.table if sys.stdout.isatty() else Format.markdown


def _emit(
    fmt: Format, *, table: Callable[[], Any], markdown: Callable[[], str], data: Callable[[], Any]
) -> None:
    if fmt is Format.json:
        sys.stdout.write(json.dumps(data(), ensure_ascii=False, indent=2) + "\n")
    elif fmt is Format.markdown:
        sys.stdout.write(markdown())
    else:
        from rich.console import Console

        Console(highlight=False).print(table())


@app.command("validate")
@handle_errors
def validate_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="PATH",
            help="Files or directories to check. Default: the evidence in use.",
            show_default=False,
        ),
    ] = None,
    evidence: EvidenceOption = None,
    output: Annotated[
        ReportFormat,
        typer.Option(
            "--format", "-f", help="text, or json for the report as data.", case_sensitive=False
        ),
    ] = ReportFormat.text,
) -> None:
    """Check evidence files and print every problem with file, line and column.

    Exits 0 when every file is valid, 1 when any is not.
    """
    from blinacli import loader

    report, _ = loader.check([*(paths or []), *(evidence or [])] or None)
    if output is ReportFormat.json:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        for finding in report.findings:
            sys.stdout.write(f"{finding}\n")
        sys.stdout.write(("valid: " if report.valid else "invalid: ") + report.summary() + "\n")
    if not report.valid:
        raise typer.Exit(1)


@app.command("list")
@handle_errors
def list_command(evidence: EvidenceOption = None, output: FormatOption = None) -> None:
    """One row per study: id, design, population, N and the headline result."""
    from blinacli import loader, views

    view = views.list_view(loader.load(evidence).studies)

    def table() -> Any:
        from blinacli.render_terminal import render_list

        return render_list(view)

    def markdown() -> str:
        from blinacli.render_documents import render_markdown

        return render_markdown("list", view=view)

    _emit(_format(output), table=table, markdown=markdown, data=view.to_json)


@app.command("show")
@handle_errors
def show_command(
    study_id: Annotated[str, typer.Argument(metavar="ID", help="Study id or acronym, any case.")],
    evidence: EvidenceOption = None,
    output: FormatOption = None,
) -> None:
    """The whole study: citation, design, population, dosing, outcomes, safety,
    key points, limitations and sources, with the source of every figure."""
    import msgspec

    from blinacli import loader, views

    study = loader.load(evidence).find(study_id)
    view = views.study_view(study)

    def table() -> Any:
        from blinacli.render_terminal import render_study

        return render_study(view)

    def markdown() -> str:
        from blinacli.render_documents import render_markdown

        return render_markdown("show", view=view)

    _emit(_format(output), table=table, markdown=markdown, data=lambda: msgspec.to_builtins(study))


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
