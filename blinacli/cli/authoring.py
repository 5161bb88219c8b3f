"""The commands that help write evidence files: new, schema and the import group.

``new`` writes a commented starter file, ``schema`` the JSON Schema editors validate
against, and ``import ctgov`` a draft from a ClinicalTrials.gov record, each to be
completed by hand.
"""

import sys
from pathlib import Path
from typing import Annotated

import typer

from blinacli.base.errors import BlinacliError
from blinacli.cli.common import _check_output, _deliver
from blinacli.cli.core import handle_errors
from blinacli.cli.options import ForceOption

commands = typer.Typer()
"""This module's commands; ``app.py`` picks them from here by name."""


def _fill_note(output: Path) -> None:
    """The note after a draft is written: what to do next (the file name as text)."""
    from blinacli.base.controls import visible

    shown = visible(str(output))
    sys.stderr.write(f"note: fill every TODO in {shown}, then run: blinacli validate {shown}\n")


@commands.command("new")
@handle_errors
def new_command(
    study_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="The new study's id: lower-case letters, digits and hyphens, "
            "starting with a letter or digit.",
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the starter file to FILE (atomically) instead of standard output. "
            "An existing FILE is replaced only with --force.",
            show_default=False,
        ),
    ] = None,
    force: ForceOption = False,
) -> None:
    """Write a commented starter evidence file for a new study.

    Every section of the model is there, each field explained with its allowed
    values. Values to fill start with TODO and fail validation until each is
    replaced from the sources (or, for an optional field, removed).
    """
    from blinacli.interop.starter import starter_text

    _check_output(output, force)
    _deliver(starter_text(study_id), output, force)
    if output is not None:
        _fill_note(output)


@commands.command("schema")
@handle_errors
def schema_command(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the schema to FILE (atomically) instead of standard output. "
            "An existing FILE is replaced only with --force.",
            show_default=False,
        ),
    ] = None,
    force: ForceOption = False,
) -> None:
    """Print the JSON Schema (draft 2020-12) of evidence files.

    Generated from blinacli's model, with a description of every field, for
    editors to validate and complete evidence files. The schema checks each
    value on its own; `blinacli validate` also checks the rules across values.
    """
    from blinacli.model import schema

    _check_output(output, force)
    _deliver(schema.schema_json(), output, force)


import_app = typer.Typer(
    name="import",
    help="Draft evidence files from other sources, to complete by hand.",
    no_args_is_help=True,
)
commands.add_typer(import_app)


@import_app.command("ctgov")
@handle_errors
def import_ctgov_command(
    record: Annotated[
        str,
        typer.Argument(
            metavar="FILE|-",
            help="A ClinicalTrials.gov API v2 study record (JSON), as downloaded from "
            "https://clinicaltrials.gov/api/v2/studies/NCT...; - reads standard input.",
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the draft to FILE (atomically; on any error an existing FILE is "
            "left as it was). An existing FILE is replaced only with --force. "
            "Default: standard output.",
            show_default=False,
        ),
    ] = None,
    force: ForceOption = False,
) -> None:
    """Draft an evidence file from a ClinicalTrials.gov study record, offline.

    Imports the identification, design, arms, drugs, ages, enrollment and outcome
    definitions, and from a results section each group's results, the analyses
    (ratio, CI, p-value as reported) and the adverse events, every figure quoted
    from the record. What the registry does not hold (the publication, doses,
    which group is the intervention) is a TODO placeholder: the draft validates
    once every placeholder is filled. Notes in the draft list what was not imported.
    """
    from blinacli.interop.ctgov import import_record

    _check_output(output, force)
    if record == "-" and sys.stdin is None:
        raise BlinacliError("cannot read standard input: it is closed")
    text = import_record(record, sys.stdin.buffer if record == "-" else None)
    _deliver(text, output, force)
    if output is None:
        return
    _fill_note(output)
