"""The command line: thin commands over the library, and the one place with exit codes.

Exit codes: 0 success, 1 the evidence or the request was bad, 2 usage error,
130 interrupted. A user error never shows a traceback unless ``--debug`` asks.
"""

import functools
import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import typer

from blinacli import __version__
from blinacli.base.errors import BlinacliError, EvidenceError, UsageError

_APP_SETTINGS: dict[str, Any] = {
    "name": "blinacli",
    "no_args_is_help": True,
    "add_completion": True,
    "pretty_exceptions_show_locals": False,
    "rich_markup_mode": None,
}
app = typer.Typer(**_APP_SETTINGS)

_debug = False
_verbose = False


def _notes(notes: list[str]) -> None:
    """With --verbose, say on stderr what loading passed over."""
    if _verbose:
        for note in notes:
            sys.stderr.write(f"note: {note}\n")


class Format(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"
    csv = "csv"
    html = "html"


class DocumentFormat(StrEnum):
    markdown = "markdown"
    html = "html"


class Design(StrEnum):
    randomized = "randomized"
    single_arm = "single-arm"
    non_randomized = "non-randomized"


class Status(StrEnum):
    positive = "positive"
    negative = "negative"


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


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
TemplatesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--templates",
        metavar="DIR",
        help="A directory of your templates, searched before the built-in ones "
        "(repeatable). Default: $BLINACLI_TEMPLATES (a path list).",
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

NoCacheOption = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Parse every file afresh, neither reading nor updating the cache of parsed "
        "studies ($XDG_CACHE_HOME/blinacli, else ~/.cache/blinacli).",
    ),
]

F = TypeVar("F", bound=Callable[..., Any])


def _complete_study(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Shell completion: the ids of the studies in use (--evidence if typed already),
    each with its acronym and title as help (shown by zsh and fish). Silent on any
    problem: a completion never errs."""
    try:
        from blinacli.load import loader

        evidence = loader.load(ctx.params.get("evidence") or None, cache=True)
    except Exception:
        return []
    word = incomplete.casefold()
    return [
        (study.id, f"{study.acronym}: {study.title}")
        for study in evidence.studies
        if study.id.casefold().startswith(word) or study.acronym.casefold().startswith(word)
    ]


def _complete_endpoint(incomplete: str) -> list[tuple[str, str]]:
    """Shell completion: endpoint terms and their short aliases."""
    from blinacli.model import ENDPOINT_NAMES
    from blinacli.model.vocabulary import ALIASES, ENDPOINTS

    word = incomplete.casefold()
    terms = [(term, ENDPOINT_NAMES.get(term, term)) for term in ENDPOINTS]
    terms += [
        (alias, f"{ENDPOINT_NAMES.get(term, term)} ({term})") for alias, term in ALIASES.items()
    ]
    return [(term, help) for term, help in terms if term.startswith(word)]


def _fail(message: str) -> None:
    sys.stderr.write(f"error: {message}\n")


def _json(payload: Any) -> str:
    """``payload`` as indented JSON, exactly as ``json.dumps(payload, ensure_ascii=False,
    indent=2)`` writes it: the standard library encodes it compactly in C (with an
    indent, it encodes in Python), and msgspec indents that text without re-reading
    its numbers. Four times faster on a list of 10,000 studies."""
    import json

    import msgspec

    compact = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    try:
        return msgspec.json.format(compact, indent=2)
    except msgspec.DecodeError:  # NaN or Infinity, which only Python's JSON writes
        return json.dumps(payload, ensure_ascii=False, indent=2)


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


def _format(chosen: Format | None) -> Format:
    if chosen is not None:
        return chosen
    return Format.table if sys.stdout.isatty() else Format.markdown


def _emit(
    view: Any,
    chosen: Format | None,
    *,
    terminal: str,
    template: str,
    templates: list[Path] | None,
    data: Callable[[], Any] | None = None,
) -> None:
    """Print ``view`` in the chosen format: ``terminal`` names its Rich renderer,
    ``template`` its Markdown and HTML templates (``templates`` are the user's
    directories, searched first); JSON and CSV come from the view itself."""
    fmt = _format(chosen)
    if fmt is Format.json:
        payload = data() if data is not None else view.to_json()
        sys.stdout.write(_json(payload) + "\n")
    elif fmt is Format.csv:
        import csv

        header, rows = view.to_csv()
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    elif fmt in (Format.markdown, Format.html):
        from blinacli.render.documents import render

        kind: Literal["markdown", "html"] = "html" if fmt is Format.html else "markdown"
        sys.stdout.write(render(kind, template, templates, view=view))
    else:
        from rich.console import Console

        from blinacli.render import terminal as render_terminal

        Console(highlight=False).print(getattr(render_terminal, terminal)(view))


def _nothing(message: str) -> None:
    """No match is not an error: nothing on stdout, a note on stderr, exit 0."""
    sys.stderr.write(f"note: {message}\n")


# --- Filters shared by list, outcomes and safety ----------------------------------

DrugOption = Annotated[
    str | None, typer.Option("--drug", help="A drug studied (part of its name, any case).")
]
PhaseOption = Annotated[
    str | None, typer.Option("--phase", help="Trial phase: 1, 2, 3, 4, 1/2, 2/3.")
]
DesignOption = Annotated[
    Design | None,
    typer.Option("--design", help="Allocation: randomized, single-arm, non-randomized."),
]
MrdOption = Annotated[
    Status | None, typer.Option("--mrd", help="MRD status of the population at entry.")
]
PhOption = Annotated[
    Status | None, typer.Option("--ph", help="Philadelphia (BCR::ABL1) status of the population.")
]
EndpointOption = Annotated[
    str | None,
    typer.Option(
        "--endpoint",
        help="Reports this endpoint (a term or alias, e.g. os).",
        autocompletion=_complete_endpoint,
    ),
]
YearFromOption = Annotated[
    int | None, typer.Option("--year-from", help="Published in this year or later.")
]
YearToOption = Annotated[
    int | None, typer.Option("--year-to", help="Published in this year or earlier.")
]
MinNOption = Annotated[
    int | None,
    typer.Option("--min-n", help="At least N randomized (else treated, else enrolled).", min=0),
]
AgeOption = Annotated[
    int | None,
    typer.Option("--age", help="The stated age range includes this age in years.", min=0),
]
SearchOption = Annotated[
    str | None,
    typer.Option("-q", "--search", help="Text in titles, labels or notes (any case)."),
]
WhereOption = Annotated[
    list[str] | None,
    typer.Option(
        "--where",
        metavar="'FIELD OP VALUE'",
        help="A condition on a documented field, e.g. 'population.age.max >= 65' "
        "(repeatable; OP is = != < <= > >= or ~ for a pattern). "
        "An unknown field lists the fields.",
    ),
]


FILTERS = (
    "drug",
    "phase",
    "design",
    "mrd",
    "ph",
    "endpoint",
    "year_from",
    "year_to",
    "min_n",
    "age",
    "search",
    "where",
)


def _load(evidence: list[Path] | None, no_cache: bool) -> Any:
    """The evidence in use (see ``loader.load``), with a progress bar if it is slow."""
    from blinacli.load import loader

    with _loading() as progress:
        found = loader.load(evidence, cache=not no_cache, progress=progress)
    _notes(found.notes)
    return found


def _check(paths: list[Path] | None, no_cache: bool) -> Any:
    """Every file's findings and the valid studies (see ``loader.check``)."""
    from blinacli.load import loader

    with _loading() as progress:
        report, loaded = loader.check(paths or None, cache=not no_cache, progress=progress)
    _notes(report.notes)
    return report, loaded


@contextmanager
def _loading() -> Iterator[Any]:
    """Around a load: the progress callback (or None), and the collector kept away.

    The studies live until the command ends: the collector is paused while they are
    built, then told to leave them be (gc.freeze), so no later collection scans them
    again (with 10,000 studies, each scan took tenths of a second).
    """
    from blinacli.load.progress import load_progress

    gc.disable()
    try:
        with load_progress() as progress:
            yield progress
        gc.freeze()
    finally:
        gc.enable()


def _select(
    evidence: list[Path] | None, arguments: dict[str, Any], loaded: Any = None
) -> list[Any]:
    """The studies in use that match the filter options among a command's ``arguments``."""
    from blinacli.views import filters

    given = {name: arguments[name] for name in FILTERS}
    where = given.pop("where") or []
    for key in ("design", "mrd", "ph"):
        if given.get(key) is not None:
            given[key] = given[key].value
    criteria = filters.Criteria.build(
        where=where, **{k: v for k, v in given.items() if v is not None}
    )
    evidence_in_use = loaded or _load(evidence, arguments.get("no_cache", False))
    return filters.select(evidence_in_use.studies, criteria)


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


@app.command("validate")
@handle_errors
def validate_command(
    paths: PathsArgument = None,
    evidence: EvidenceOption = None,
    no_cache: NoCacheOption = False,
    output: ReportFormatOption = ReportFormat.text,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Also run the integrity checks of `blinacli check`."),
    ] = False,
) -> None:
    """Check evidence files and print every problem with file, line and column.

    Exits 0 when every file is valid, 1 when any is not.
    """
    report, loaded = _check([*(paths or []), *(evidence or [])], no_cache)
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


@app.command("check")
@handle_errors
def check_command(
    paths: PathsArgument = None,
    evidence: EvidenceOption = None,
    no_cache: NoCacheOption = False,
    output: ReportFormatOption = ReportFormat.text,
) -> None:
    """Check that each study's numbers agree with each other: reported against derived.

    Percent against n/N, CIs against their estimates, p-values against their
    CIs, subgroups and arms against their populations. Validation problems are
    reported too. Exits 1 on any error; warnings alone exit 0.
    """
    report, loaded = _check([*(paths or []), *(evidence or [])], no_cache)
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


@app.command("list")
@handle_errors
def list_command(
    evidence: EvidenceOption = None,
    no_cache: NoCacheOption = False,
    output: FormatOption = None,
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
    from blinacli.views import studies as views

    studies = _select(evidence, locals())
    if not studies:
        _nothing("no study matches the filters")
        return
    _emit(
        views.list_view(studies),
        output,
        terminal="render_list",
        template="list",
        templates=templates,
    )


@app.command("show")
@handle_errors
def show_command(
    study_id: Annotated[
        str,
        typer.Argument(
            metavar="ID", help="Study id or acronym, any case.", autocompletion=_complete_study
        ),
    ],
    evidence: EvidenceOption = None,
    no_cache: NoCacheOption = False,
    output: FormatOption = None,
    templates: TemplatesOption = None,
) -> None:
    """The whole study: citation, design, population, dosing, outcomes, safety,
    key points, limitations and sources, with the source of every figure."""
    import msgspec

    from blinacli.views import studies as views

    found = _load(evidence, no_cache)
    study = found.find(study_id)
    view = views.study_view(study)
    _emit(
        view,
        output,
        terminal="render_study",
        template="show",
        templates=templates,
        data=lambda: {**msgspec.to_builtins(study), "derived": view.derived_json()},
    )


@app.command("compare")
@handle_errors
def compare_command(
    study_ids: Annotated[
        list[str],
        typer.Argument(
            metavar="ID ID [ID]...",
            help="Two or more study ids or acronyms.",
            autocompletion=_complete_study,
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
    no_cache: NoCacheOption = False,
    output: FormatOption = None,
    templates: TemplatesOption = None,
) -> None:
    """Studies side by side, one column each; rows where they differ are marked.

    Outcomes line up by endpoint, timepoint and analysis population.
    """
    from blinacli.views.compare import compare_view

    if len(study_ids) < 2:
        raise UsageError("compare needs at least two study ids")
    found = _load(evidence, no_cache)
    studies = [found.find(study_id) for study_id in study_ids]
    _emit(
        compare_view(studies, section or None),
        output,
        terminal="render_compare",
        template="compare",
        templates=templates,
    )


@app.command("outcomes")
@handle_errors
def outcomes_command(
    endpoint_name: Annotated[
        str | None,
        typer.Argument(
            metavar="ENDPOINT",
            help="An endpoint term or alias, e.g. os, rfs.",
            autocompletion=_complete_endpoint,
        ),
    ] = None,
    vocabulary_list: Annotated[
        bool, typer.Option("--list", help="List the endpoint vocabulary with counts.")
    ] = False,
    evidence: EvidenceOption = None,
    no_cache: NoCacheOption = False,
    output: FormatOption = None,
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
    from blinacli.model import vocabulary
    from blinacli.views import summary

    if endpoint_name is None and not vocabulary_list:
        raise UsageError("give an ENDPOINT (e.g. os) or --list")
    term = vocabulary.resolve(endpoint_name) if endpoint_name is not None else None
    studies = _select(evidence, locals())
    if vocabulary_list:
        _emit(
            summary.endpoints_view(studies),
            output,
            terminal="render_endpoints",
            template="endpoints",
            templates=templates,
        )
        return
    assert term is not None
    view = summary.outcomes_view(studies, term)
    if not view.rows:
        _nothing(f"no selected study reports {term}")
        return
    _emit(
        view,
        output,
        terminal="render_outcomes",
        template="outcomes",
        templates=templates,
    )


@app.command("safety")
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
    no_cache: NoCacheOption = False,
    output: FormatOption = None,
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
    from blinacli.views import summary

    studies = _select(evidence, locals())
    view = summary.safety_view(studies, category, min_grade)
    if not view.events and not view.statements:
        _nothing("no safety data matches")
        return
    _emit(
        view,
        output,
        terminal="render_safety",
        template="safety",
        templates=templates,
    )


@app.command("digest")
@handle_errors
def digest_command(
    evidence: EvidenceOption = None,
    no_cache: NoCacheOption = False,
    output_format: Annotated[
        DocumentFormat,
        typer.Option("--format", "-f", help="markdown or html.", case_sensitive=False),
    ] = DocumentFormat.markdown,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the document to FILE (atomically; on any error an existing "
            "FILE is left as it was). Default: standard output.",
            show_default=False,
        ),
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="The document's title.", show_default=False)
    ] = None,
    heading_level: Annotated[
        int,
        typer.Option(
            "--heading-level",
            help="Level of the top heading (1-6), so the document fits into a page.",
            min=1,
            max=6,
        ),
    ] = 1,
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
    """The whole evidence base (or the studies the filters select) as one document.

    Overview, a Summary-of-Findings table per endpoint, a section per study,
    safety, limitations and references, with the source of every figure. The
    output is deterministic; a date appears only when SOURCE_DATE_EPOCH is set.
    """
    from blinacli.render.documents import render
    from blinacli.views.digest import digest_view

    loaded = _load(evidence, no_cache)
    studies = _select(evidence, locals(), loaded=loaded)
    if not studies:
        _nothing("no study matches the filters")
        return
    from blinacli.base.resources import evidence_dir

    bundled = str(evidence_dir().resolve())
    view = digest_view(
        studies,
        [_portable(loaded.file_of(s), bundled) for s in studies],
        title=title,
        date=_source_date(),
    )
    kind: Literal["markdown", "html"] = (
        "html" if output_format is DocumentFormat.html else "markdown"
    )
    text = render(kind, "digest", templates, view=view, level=heading_level)
    if output is None:
        sys.stdout.write(text)
    else:
        from blinacli.render.output import write_atomic

        write_atomic(output, text)


def _portable(file: str, bundled: str) -> str:
    """A bundled file as "bundled: blast.yaml", so a digest does not depend on where
    blinacli is installed; other files as the user named them. ``bundled`` is the
    resolved folder of the bundled evidence (the loader names files by resolved path)."""
    import os

    absolute = os.path.abspath(file)
    if not absolute.startswith(bundled + os.sep):
        return file
    return "bundled: " + Path(os.path.relpath(absolute, bundled)).as_posix()


def _source_date() -> str | None:
    """The date of SOURCE_DATE_EPOCH (UTC, ISO 8601), or None when it is not set."""
    import os
    from datetime import UTC, datetime

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None or not epoch.strip():
        return None
    try:
        return datetime.fromtimestamp(int(epoch), tz=UTC).date().isoformat()
    except (ValueError, OverflowError, OSError):
        raise UsageError(
            f"SOURCE_DATE_EPOCH must be whole seconds since 1970, found {epoch!r}"
        ) from None


class ExportFormat(StrEnum):
    fhir = "fhir"


@app.command("export")
@handle_errors
def export_command(
    export_format: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            help="fhir: an HL7 FHIR R5 Bundle (JSON) with a ResearchStudy per study and an "
            "Evidence per between-group comparison.",
            case_sensitive=False,
            show_default=False,
        ),
    ],
    evidence: EvidenceOption = None,
    no_cache: NoCacheOption = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the export to FILE (atomically; on any error an existing FILE is "
            "left as it was). Default: standard output.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace FILE when it already exists.")
    ] = False,
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
    phase, design, arms as comparison groups, citations) and an Evidence per
    between-group comparison (population, intervention, comparator and outcome;
    the ratio with its CI and p-value; caveats as notes). The output is
    deterministic. An existing FILE is replaced only with --force.
    """
    from blinacli.interop.fhir import bundle_json
    from blinacli.render.output import OutputError, write_atomic

    studies = _select(evidence, locals())
    if output is not None and output.exists() and not output.is_dir() and not force:
        raise OutputError(f"{output} already exists; use --force to replace it")
    if not studies:
        _nothing("no study matches the filters")
        return
    text = bundle_json(studies)  # --format fhir, the only format so far
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text)


@app.command("new")
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
            help="Write the starter file to FILE (atomically) instead of standard output.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace FILE if it already exists.")
    ] = False,
) -> None:
    """Write a commented starter evidence file for a new study.

    Every section of the model is there, each field explained with its allowed
    values. Values to fill start with TODO and fail validation until each is
    replaced from the sources (or, for an optional field, removed).
    """
    from blinacli.interop.starter import starter_text
    from blinacli.render.output import OutputError, write_atomic

    text = starter_text(study_id)
    if output is None:
        sys.stdout.write(text)
        return
    if output.is_dir():
        raise OutputError(f"cannot write {output}: it is a directory")
    if output.exists() and not force:
        raise OutputError(f"{output} already exists; use --force to replace it")
    write_atomic(output, text)
    sys.stderr.write(f"note: fill every TODO in {output}, then run: blinacli validate {output}\n")


class CitationStyle(StrEnum):
    bibtex = "bibtex"
    ris = "ris"
    csl_json = "csl-json"


@app.command("cite")
@handle_errors
def cite_command(
    study_ids: Annotated[
        list[str],
        typer.Argument(
            metavar="ID [ID]...",
            help="One or more study ids or acronyms, any case.",
            autocompletion=_complete_study,
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
            "FILE is left as it was). Default: standard output.",
            show_default=False,
        ),
    ] = None,
    evidence: EvidenceOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Citations of studies for reference managers, with DOI, PMID and registry ids.

    Only what the evidence files hold is written; a field a file lacks is left
    out. Each study is cited once, in the order given; BibTeX keys (also the
    CSL-JSON ids) are first author, year and study id, e.g. litzow2024-e1910.
    """
    from blinacli.interop import citations

    found = _load(evidence, no_cache)
    studies = [found.find(study_id) for study_id in study_ids]
    text = citations.render(studies, style.value)
    if output is None:
        sys.stdout.write(text)
    else:
        from blinacli.render.output import write_atomic

        write_atomic(output, text)


@app.command("schema")
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
    force: Annotated[
        bool, typer.Option("--force", help="Replace FILE if it already exists.")
    ] = False,
) -> None:
    """Print the JSON Schema (draft 2020-12) of evidence files.

    Generated from blinacli's model, with a description of every field, for
    editors to validate and complete evidence files. The schema checks each
    value on its own; `blinacli validate` also checks the rules across values.
    """
    from blinacli.model import schema
    from blinacli.render.output import OutputError, write_atomic

    if output is None:
        if force:
            raise UsageError("--force needs --output FILE")
        sys.stdout.write(schema.schema_json())
        return
    if output.exists() and not force:
        raise OutputError(f"{output} already exists; use --force to replace it")
    write_atomic(output, schema.schema_json())


import_app = typer.Typer(
    name="import",
    help="Draft evidence files from other sources, to complete by hand.",
    no_args_is_help=True,
)
app.add_typer(import_app)


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
            "left as it was). Default: standard output.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace FILE if it already exists.")
    ] = False,
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
    from blinacli.render.output import OutputError, write_atomic

    if output is not None and output.exists() and not output.is_dir() and not force:
        raise OutputError(f"{output} already exists; use --force to replace it")
    text = import_record(record, sys.stdin.buffer if record == "-" else None)
    if output is None:
        sys.stdout.write(text)
        return
    write_atomic(output, text)
    sys.stderr.write(f"note: fill every TODO in {output}, then run: blinacli validate {output}\n")


templates_app = typer.Typer(
    name="templates",
    help="The Jinja templates documents are rendered with: list them, copy them to customize.",
    no_args_is_help=True,
)
app.add_typer(templates_app)


@templates_app.command("list")
@handle_errors
def templates_list_command(templates: TemplatesOption = None) -> None:
    """Every template name and the context it receives; yours are marked where they
    override a built-in one."""
    from blinacli.render.documents import builtin_templates, template_dirs
    from blinacli.render.template_context import describe

    user = template_dirs(templates)
    for name in builtin_templates():
        overridden = [str(d / name) for d in user if (d / name).is_file()]
        sys.stdout.write(name + (f"  (overridden by {overridden[0]})" if overridden else "") + "\n")
        for line in describe(name):
            sys.stdout.write(f"    {line}\n")


@templates_app.command("copy")
@handle_errors
def templates_copy_command(
    name: Annotated[
        str | None,
        typer.Argument(metavar="NAME", help="A template name from `blinacli templates list`."),
    ] = None,
    directory: Annotated[
        Path | None, typer.Argument(metavar="DIR", help="Where to copy it.", show_default=False)
    ] = None,
    copy_all: Annotated[
        Path | None,
        typer.Option("--all", metavar="DIR", help="Copy every template into DIR."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace templates already in the directory.")
    ] = False,
) -> None:
    """Copy built-in templates into a directory to start a customization.

    The copy keeps the layout (DIR/markdown/show.md.j2); pass DIR to --templates
    or set BLINACLI_TEMPLATES to use it.
    """
    from blinacli.render.documents import copy_templates

    if copy_all is not None and (name is not None or directory is not None):
        raise UsageError("give NAME DIR, or --all DIR, not both")
    if copy_all is None and (name is None or directory is None):
        raise UsageError("give NAME DIR, or --all DIR")
    target = copy_all if copy_all is not None else directory
    assert target is not None
    for written in copy_templates(None if copy_all is not None else name, target, force=force):
        sys.stdout.write(f"{written}\n")


BROKEN_PIPE = 141
"""Exit status when the reader closes the pipe early: the shell's for SIGPIPE, 128 + 13."""


def _app_for(argv: list[str]) -> typer.Typer:
    """The app to run for ``argv``: when it names a command, an app holding only that
    command, so Typer prepares one command's options rather than every command's (a
    third of a look-up's start-up). Anything else (no command, an unknown one, the
    top-level --help) gets the whole app, so help and errors list every command."""
    name = next((arg for arg in argv if not arg.startswith("-")), None)
    if name is None or (argv and argv[0] in ("--help", "--version")):
        return app
    commands = [info for info in app.registered_commands if info.name == name]
    groups = [
        info
        for info in app.registered_groups
        if name in (info.name, info.typer_instance and info.typer_instance.info.name)
    ]
    if not commands and not groups:
        return app
    only = typer.Typer(**_APP_SETTINGS)
    only.registered_callback = app.registered_callback
    only.registered_commands = commands
    only.registered_groups = groups
    return only


def main() -> None:
    """Console-script entry point: Ctrl-C exits 130, a closed pipe ends quietly."""
    try:
        # in standalone mode this always ends by raising SystemExit
        _app_for(sys.argv[1:])(prog_name="blinacli")
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except SystemExit:
        # Output still buffered is flushed here rather than at interpreter exit,
        # where a reader that has gone (`blinacli list | head -1`) would make
        # Python print an "Exception ignored" report.
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _silence_stdout()
            sys.exit(BROKEN_PIPE)
        raise


def entry() -> None:
    """The ``blinacli`` command and ``python -m blinacli``: :func:`main`, then a quick exit.

    Once the command has finished and its output is flushed, the process ends at once,
    without freeing every object one by one: with 10,000 studies loaded that took
    0.2 s of a 1.2 s run, and there is nothing left to do (files are closed, worker
    processes joined, the cache written).
    """
    try:
        main()
    except SystemExit as stop:
        if stop.code is not None and not isinstance(stop.code, int):
            raise  # a message to print: leave that to Python
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BrokenPipeError:
            raise stop from None
        import os

        os._exit(stop.code or 0)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so nothing left in its buffer is written at exit."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
