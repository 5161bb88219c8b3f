"""The commands of whole documents: digest, and the templates group (list, copy).

``digest`` renders the evidence in use as one Markdown or HTML document; ``templates``
lists the Jinja templates documents are rendered with and copies them for a user to
customize.
"""

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

import typer

from blinacli.base.controls import visible
from blinacli.base.errors import UsageError
from blinacli.cli.common import _check_output, _deliver, _load, _nothing, _select
from blinacli.cli.core import handle_errors
from blinacli.cli.options import (
    AgeOption,
    DesignOption,
    DrugOption,
    EndpointOption,
    EvidenceOption,
    FollowLinksOption,
    ForceOption,
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


class DocumentFormat(StrEnum):
    markdown = "markdown"
    html = "html"


commands = typer.Typer()
"""This module's commands; ``app.py`` picks them from here by name."""


@commands.command("digest")
@handle_errors
def digest_command(
    evidence: EvidenceOption = None,
    follow_links: FollowLinksOption = False,
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
            "FILE is left as it was). An existing FILE is replaced only with --force. "
            "Default: standard output.",
            show_default=False,
        ),
    ] = None,
    force: ForceOption = False,
    title: Annotated[
        str | None, typer.Option("--title", help="The document's title.", show_default=False)
    ] = None,
    heading_level: HeadingLevelOption = 1,
    templates: TemplatesOption = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="REV",
            help='Add a section "What changed since REV": the studies shown against the '
            "same --evidence paths at git revision REV (see blinacli diff).",
            show_default=False,
        ),
    ] = None,
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

    _check_output(output, force)
    loaded = _load(evidence, no_cache, follow_links)
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
    changes = None
    if since is not None:
        from blinacli.cli.diffing import since_view

        changes = since_view(since, evidence, follow_links, locals(), loaded, studies)
    kind: Literal["markdown", "html"] = (
        "html" if output_format is DocumentFormat.html else "markdown"
    )
    document = render(kind, "digest", templates, view=view, level=heading_level, changes=changes)
    _deliver(document, output, force)


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


templates_app = typer.Typer(
    name="templates",
    help="The Jinja templates documents are rendered with: list them, copy them to customize.",
    no_args_is_help=True,
)
commands.add_typer(templates_app)


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
        by = f"  (overridden by {visible(overridden[0])})" if overridden else ""
        sys.stdout.write(f"{name}{by}\n")
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
        sys.stdout.write(f"{visible(str(written))}\n")
