"""The commands that show the evidence: list, show, compare, outcomes and safety.

Each loads the evidence in use (``list``, ``outcomes`` and ``safety`` through the
filters), builds its view and prints it in the format of ``--format``: a terminal
table, Markdown, HTML, JSON or CSV. Here are their options and help; what they do is
in ``reading``, which the quick path of ``launch`` calls too, without Typer.
"""

from typing import Annotated

import typer

from blinacli.cli import reading
from blinacli.cli.core import handle_errors
from blinacli.cli.options import (
    ENDPOINT,
    STUDY_ID,
    AgeOption,
    DesignOption,
    DrugOption,
    EndpointOption,
    EvidenceOption,
    FollowLinksOption,
    FormatOption,
    HeadingLevelOption,
    MinNOption,
    MrdOption,
    NoCacheOption,
    PhaseOption,
    PhOption,
    SearchOption,
    TemplatesOption,
    WhereOption,
    YearFromOption,
    YearToOption,
)

commands = typer.Typer()
"""This module's commands; ``app.py`` picks them from here by name."""


@commands.command("list")
@handle_errors
def list_command(
    evidence: EvidenceOption = None,
    follow_links: FollowLinksOption = False,
    no_cache: NoCacheOption = False,
    output: FormatOption = None,
    heading_level: HeadingLevelOption = 1,
    templates: TemplatesOption = None,
    drug: DrugOption = None,
    phase: PhaseOption = None,
    design: DesignOption = None,
    mrd: MrdOption = None,
    ph: PhOption = None,
    endpoint: EndpointOption = None,
    year_from: YearFromOption = None,
    year_to: YearToOption = None,
    min_n: MinNOption = None,
    age: AgeOption = None,
    search: SearchOption = None,
    where: WhereOption = None,
) -> None:
    """One row per study: id, design, population, N and the headline result.

    Filters combine: a study is listed when it matches all of them.
    """
    reading.list_command(**locals())


@commands.command("show")
@handle_errors
def show_command(
    study_id: Annotated[
        str,
        typer.Argument(metavar="ID", help="Study id or acronym, any case.", click_type=STUDY_ID),
    ],
    full: Annotated[
        bool,
        typer.Option(
            "--full", help="The full record: every section, every note, source and quote."
        ),
    ] = False,
    section: Annotated[
        list[str] | None,
        typer.Option(
            "--section",
            "-s",
            help="Only this section of the full record (repeatable): citation, design, "
            "population, dosing, outcomes, safety, claims, notes, sources, quotes.",
        ),
    ] = None,
    evidence: EvidenceOption = None,
    follow_links: FollowLinksOption = False,
    no_cache: NoCacheOption = False,
    output: FormatOption = None,
    heading_level: HeadingLevelOption = 1,
    templates: TemplatesOption = None,
) -> None:
    """One study on one screen: the study card (citation, design and N, population,
    dosing, each primary and secondary outcome with its figures, effect, CI and p,
    key safety), with the source of every figure.

    `--full` gives the full record (design, population, dosing, outcomes, safety, key
    points, limitations, notes, sources and quotes); `--section NAME` only those
    sections of it, with or without `--full`. `--format json` and `csv` are always
    the full record, whatever the options.
    """
    reading.show_command(**locals())


@commands.command("compare")
@handle_errors
def compare_command(
    study_ids: Annotated[
        list[str],
        typer.Argument(
            metavar="ID ID [ID]...",
            help="Two or more study ids or acronyms.",
            click_type=STUDY_ID,
        ),
    ],
    section: Annotated[
        list[str] | None,
        typer.Option(
            "--section",
            "-s",
            help="Show only this section (repeatable): citation, design, population, "
            "dosing, follow-up, outcomes, safety.",
        ),
    ] = None,
    evidence: EvidenceOption = None,
    follow_links: FollowLinksOption = False,
    no_cache: NoCacheOption = False,
    output: FormatOption = None,
    heading_level: HeadingLevelOption = 1,
    templates: TemplatesOption = None,
) -> None:
    """Studies side by side, one column each; rows where they differ are marked.

    Outcomes line up by endpoint, timepoint and analysis population.
    """
    reading.compare_command(**locals())


@commands.command("outcomes")
@handle_errors
def outcomes_command(
    endpoint_name: Annotated[
        str | None,
        typer.Argument(
            metavar="ENDPOINT",
            help="An endpoint term or alias, e.g. os, rfs.",
            click_type=ENDPOINT,
        ),
    ] = None,
    vocabulary_list: Annotated[
        bool, typer.Option("--list", help="List the endpoint vocabulary with counts.")
    ] = False,
    evidence: EvidenceOption = None,
    follow_links: FollowLinksOption = False,
    no_cache: NoCacheOption = False,
    output: FormatOption = None,
    heading_level: HeadingLevelOption = 1,
    templates: TemplatesOption = None,
    drug: DrugOption = None,
    phase: PhaseOption = None,
    design: DesignOption = None,
    mrd: MrdOption = None,
    ph: PhOption = None,
    endpoint: EndpointOption = None,
    year_from: YearFromOption = None,
    year_to: YearToOption = None,
    min_n: MinNOption = None,
    age: AgeOption = None,
    search: SearchOption = None,
    where: WhereOption = None,
) -> None:
    """A Summary-of-Findings table for one endpoint: one row per study and analysis.

    Shows each group's figure, the relative effect and caveats. `outcomes --list`
    shows the endpoint vocabulary, its aliases and how often each is reported.
    """
    reading.outcomes_command(**locals())


@commands.command("safety")
@handle_errors
def safety_command(
    category: Annotated[
        str | None,
        typer.Option("--category", help="Adverse-event category or term (part of it, any case)."),
    ] = None,
    min_grade: Annotated[
        int | None,
        typer.Option(
            "--min-grade",
            help="Events of at least this grade (1-5); drops any-grade rows.",
            min=1,
            max=5,
        ),
    ] = None,
    evidence: EvidenceOption = None,
    follow_links: FollowLinksOption = False,
    no_cache: NoCacheOption = False,
    output: FormatOption = None,
    heading_level: HeadingLevelOption = 1,
    templates: TemplatesOption = None,
    drug: DrugOption = None,
    phase: PhaseOption = None,
    design: DesignOption = None,
    mrd: MrdOption = None,
    ph: PhOption = None,
    endpoint: EndpointOption = None,
    year_from: YearFromOption = None,
    year_to: YearToOption = None,
    min_n: MinNOption = None,
    age: AgeOption = None,
    search: SearchOption = None,
    where: WhereOption = None,
) -> None:
    """Adverse events across studies by category and grade, per arm, with counts,
    percents and denominators, and the qualitative statements with their source."""
    reading.safety_command(**locals())
