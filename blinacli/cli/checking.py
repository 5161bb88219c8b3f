"""The commands that check evidence files: validate and check.

``validate`` applies the model's rules to every file; ``check`` also asks whether the
numbers each valid study reports agree with each other. Both report as text, as JSON
or as GitHub Actions annotations, and exit 1 when the evidence fails.
"""

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from blinacli.cli.common import _check, _json
from blinacli.cli.core import handle_errors
from blinacli.cli.options import EvidenceOption, FollowLinksOption, NoCacheOption


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


PathsArgument = Annotated[
    list[Path] | None,
    typer.Argument(
        metavar="PATH",
        help="Files or directories to check. Default: the evidence in use.",
        show_default=False,
    ),
]
ReportFormatOption = Annotated[
    ReportFormat,
    typer.Option(
        "--format",
        "-f",
        help="text; json for the report as data; github for GitHub Actions annotations.",
        case_sensitive=False,
    ),
]


commands = typer.Typer()
"""This module's commands; ``app.py`` picks them from here by name."""


@commands.command("validate")
@handle_errors
def validate_command(
    paths: PathsArgument = None,
    evidence: EvidenceOption = None,
    follow_links: FollowLinksOption = False,
    no_cache: NoCacheOption = False,
    output: ReportFormatOption = ReportFormat.text,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Also run the integrity checks of `blinacli check`."),
    ] = False,
) -> None:
    """Check evidence files and print every problem with file, line and column.

    Exits 0 when every file is valid, 1 when any is not, or when the paths hold no
    evidence file.
    """
    report, loaded = _check([*(paths or []), *(evidence or [])], no_cache, follow_links)
    if strict:
        _print_checks(report, loaded, output)
        return
    if output is ReportFormat.json:
        sys.stdout.write(_json(report.to_dict()) + "\n")
    elif output is ReportFormat.github:
        for finding in report.findings:
            sys.stdout.write(finding.github_annotation() + "\n")
        sys.stdout.write(("valid: " if report.valid else "invalid: ") + report.summary() + "\n")
    else:
        for finding in report.findings:
            sys.stdout.write(f"{finding}\n")
        sys.stdout.write(("valid: " if report.valid else "invalid: ") + report.summary() + "\n")
    if not report.valid:
        raise typer.Exit(1)


@commands.command("check")
@handle_errors
def check_command(
    paths: PathsArgument = None,
    evidence: EvidenceOption = None,
    follow_links: FollowLinksOption = False,
    no_cache: NoCacheOption = False,
    output: ReportFormatOption = ReportFormat.text,
) -> None:
    """Check that each study's numbers agree with each other: reported against derived.

    Percent against n/N, CIs against their estimates, p-values against their
    CIs, subgroups and arms against their populations. Validation problems are
    reported too. Exits 1 on any error; warnings alone exit 0.
    """
    report, loaded = _check([*(paths or []), *(evidence or [])], no_cache, follow_links)
    _print_checks(report, loaded, output)


def _print_checks(report: Any, loaded: Any, output: ReportFormat) -> None:
    """Validation findings, then the integrity findings; exit 1 on any error."""
    from blinacli.views.checks import check_studies

    checks = check_studies(loaded)
    if output is ReportFormat.json:
        payload = {
            "valid": report.valid and not checks.errors,
            "validation": report.to_dict(),
            "checks": checks.to_dict(),
        }
        sys.stdout.write(_json(payload) + "\n")
    else:
        github = output is ReportFormat.github
        for finding in report.findings:
            sys.stdout.write((finding.github_annotation() if github else str(finding)) + "\n")
        for item in checks.findings:
            sys.stdout.write((item.github_annotation() if github else str(item)) + "\n")
        passed = report.valid and not checks.errors
        state = "check passed" if passed else "check failed"
        sys.stdout.write(f"{state}: validation: {report.summary()}; {checks.summary()}\n")
    if not report.valid or checks.errors:
        raise typer.Exit(1)
