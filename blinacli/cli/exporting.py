"""The commands that hand the evidence to other tools: export and cite.

``export`` writes an HL7 FHIR Bundle, ``cite`` the studies' citations as BibTeX, RIS
or CSL-JSON for reference managers.
"""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from blinacli.cli.common import _check_output, _deliver, _load, _nothing, _select
from blinacli.cli.core import handle_errors
from blinacli.cli.options import (
    STUDY_ID,
    AgeOption,
    DesignOption,
    DrugOption,
    EndpointOption,
    EvidenceOption,
    FollowLinksOption,
    ForceOption,
    MinNOption,
    MrdOption,
    NoCacheOption,
    PhaseOption,
    PhOption,
    SearchOption,
    WhereOption,
    YearFromOption,
    YearToOption,
)


class ExportFormat(StrEnum):
    fhir = "fhir"


commands = typer.Typer()
"""This module's commands; ``app.py`` picks them from here by name."""


@commands.command("export")
@handle_errors
def export_command(
    export_format: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            help="fhir: an HL7 FHIR R5 Bundle (JSON) with a ResearchStudy per study and an "
            "Evidence per comparison, group figure and adverse-event figure.",
            case_sensitive=False,
            show_default=False,
        ),
    ],
    evidence: EvidenceOption = None,
    follow_links: FollowLinksOption = False,
    no_cache: NoCacheOption = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the export to FILE (atomically; on any error an existing FILE is "
            "left as it was). An existing FILE is replaced only with --force. "
            "Default: standard output.",
            show_default=False,
        ),
    ] = None,
    force: ForceOption = False,
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
    """Export the evidence (or the studies the filters select) in a standard format.

    fhir writes one HL7 FHIR R5 Bundle: a ResearchStudy per study (registry ids,
    phase, design, status, enrollment, arms as comparison groups, citations) and
    an Evidence per between-group comparison (population, intervention,
    comparator and outcome; the ratio with its CI and p-value; caveats as
    notes), per group figure (median, rate, proportion) and per adverse-event
    figure. The output is deterministic. An existing FILE is replaced only with
    --force.
    """
    from blinacli.interop.fhir import bundle_json

    _check_output(output, force)
    studies = _select(evidence, locals())
    if not studies:
        _nothing("no study matches the filters")
        return
    _deliver(bundle_json(studies), output, force)  # --format fhir, the only format so far


class CitationStyle(StrEnum):
    bibtex = "bibtex"
    ris = "ris"
    csl_json = "csl-json"


@commands.command("cite")
@handle_errors
def cite_command(
    study_ids: Annotated[
        list[str],
        typer.Argument(
            metavar="ID [ID]...",
            help="One or more study ids or acronyms, any case.",
            click_type=STUDY_ID,
        ),
    ],
    style: Annotated[
        CitationStyle,
        typer.Option(
            "--format",
            "-f",
            help="bibtex; ris (lines end in CRLF, as the RIS specification asks); "
            "csl-json (for Zotero, pandoc and other CSL processors).",
            case_sensitive=False,
        ),
    ] = CitationStyle.bibtex,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the citations to FILE (atomically; on any error an existing "
            "FILE is left as it was). An existing FILE is replaced only with --force. "
            "Default: standard output.",
            show_default=False,
        ),
    ] = None,
    force: ForceOption = False,
    evidence: EvidenceOption = None,
    follow_links: FollowLinksOption = False,
    no_cache: NoCacheOption = False,
) -> None:
    """Citations of studies for reference managers, with DOI, PMID and registry ids.

    Only what the evidence files hold is written; a field a file lacks is left
    out. Each study is cited once, in the order given; BibTeX keys (also the
    CSL-JSON ids) are first author, year and study id, e.g. litzow2024-e1910.
    """
    from blinacli.interop import citations

    _check_output(output, force)
    found = _load(evidence, no_cache, follow_links)
    studies = [found.find(study_id) for study_id in study_ids]
    _deliver(citations.render(studies, style.value), output, force)
