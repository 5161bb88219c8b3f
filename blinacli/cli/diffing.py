"""The command that compares two versions of the evidence: diff.

Each side is an evidence folder or file, or a git revision whose evidence is read at
the ``--evidence`` paths without a checkout (:mod:`blinacli.load.revisions`). Both
sides are loaded and validated as every command loads evidence; a side that is
invalid is named with all its findings, and nothing is compared. ``digest --since``
reads its older side here too (:func:`since_view`).
"""

import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from blinacli.base.errors import UsageError
from blinacli.cli.common import _format, _json, _loading
from blinacli.cli.core import _fail, _notes, handle_errors
from blinacli.cli.options import (
    FollowLinksOption,
    Format,
    FormatOption,
    NoCacheOption,
    TemplatesOption,
)

commands = typer.Typer()
"""This module's commands; ``app.py`` picks them from here by name."""

RevisionEvidenceOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--evidence",
        "-e",
        metavar="PATH",
        help="For a side that is a git revision: the evidence file or folder to read at it, "
        "relative to the working directory (repeatable). Default: $BLINACLI_EVIDENCE "
        "(a path list), else the bundled studies' folder when it is in the repository.",
        show_default=False,
    ),
]


@commands.command("diff")
@handle_errors
def diff_command(
    old: Annotated[
        str,
        typer.Argument(
            metavar="OLD",
            help="The old version: an evidence folder or file, or a git revision "
            "(main, HEAD~1, a tag, a commit). An existing file or folder is read as such.",
        ),
    ],
    new: Annotated[
        str,
        typer.Argument(metavar="NEW", help="The new version: a folder, a file or a revision."),
    ],
    evidence: RevisionEvidenceOption = None,
    follow_links: FollowLinksOption = False,
    no_cache: NoCacheOption = False,
    output: FormatOption = None,
    templates: TemplatesOption = None,
    exit_code: Annotated[
        bool,
        typer.Option(
            "--exit-code",
            help="Exit 1 when anything changed and 0 when nothing did, as git diff --exit-code.",
        ),
    ] = False,
    fail_on_new_errors: Annotated[
        bool,
        typer.Option(
            "--fail-on-new-errors",
            help="Exit 1 when NEW introduces an integrity error that OLD does not have "
            "(blinacli check's errors; warnings do not count).",
        ),
    ] = False,
    heading_level: Annotated[
        int,
        typer.Option(
            "--heading-level",
            help="Level of the top heading in Markdown and HTML (1-6).",
            min=1,
            max=6,
        ),
    ] = 1,
) -> None:
    """What changed between two versions of the evidence, figure by figure.

    Studies added and removed; per study, figures changed (old → new), outcomes,
    arms, adverse events and claims added or removed, quotes and credited sources
    changed; the derived figures that moved (marked †); integrity findings
    introduced or resolved. Items are matched by identity, so a moved or
    reordered block is no change. Markdown is ready for a pull-request comment.
    """
    from blinacli.views.diff import diff_view

    with ExitStack() as stack:
        revision = [_is_revision(side) for side in (old, new)]
        if evidence and not any(revision):
            raise UsageError(
                "--evidence names the evidence to read at a git revision, "
                "but OLD and NEW are both files or folders"
            )
        sides = [
            _read(side, "old" if index == 0 else "new", evidence, follow_links, no_cache, stack)
            for index, side in enumerate((old, new))
        ]
        _refuse_invalid(sides)
        view = diff_view(sides[0][0], sides[1][0])
    _print(view, output, templates, heading_level)
    if fail_on_new_errors and view.introduced_errors:
        _fail(f"{new} introduces {view.introduced_errors} integrity error(s) that {old} has not")
        raise typer.Exit(1)
    if exit_code and view.changed:
        raise typer.Exit(1)


def _print(view: Any, chosen: Format | None, templates: list[Path] | None, level: int) -> None:
    fmt = _format(chosen)
    if fmt is Format.json:
        sys.stdout.write(_json(view.to_json()) + "\n")
    elif fmt is Format.csv:
        from blinacli.cli.common import _emit

        _emit(view, fmt, terminal="", template="diff", templates=templates)
    elif fmt in (Format.markdown, Format.html):
        from blinacli.render.documents import render

        kind: Literal["markdown", "html"] = "html" if fmt is Format.html else "markdown"
        sys.stdout.write(render(kind, "diff", templates, view=view, level=level))
    else:
        from blinacli.render.diff_terminal import render_diff
        from blinacli.render.streams import print_table

        print_table(render_diff(view), soft_wrap=not view.changed)  # one line


# --- The two sides ---------------------------------------------------------------------------


def _is_revision(side: str) -> bool:
    """A side is read as a file or folder when one exists by that name, else as a revision."""
    return not Path(side).exists()


def _read(
    side: str,
    which: str,
    evidence: list[Path] | None,
    follow_links: bool,
    no_cache: bool,
    stack: ExitStack,
) -> tuple[Any, Any, str]:
    """One side, loaded and validated: (the view's Side, the validation report, how the
    side is named in an error). A revision's files live in a folder ``stack`` removes."""
    from blinacli.load import loader
    from blinacli.views.diff import Side

    if not _is_revision(side):
        with _loading() as progress:
            report, loaded = loader.check(
                [side], cache=not no_cache, progress=progress, follow_links=follow_links
            )
        _notes(report.notes)
        _passed_over(len(report.unfollowed), "symbolic link", "in the evidence folders")
        return Side(side, loaded, report.found or 0), report, f"the {which} side ({side})"
    snapshot = stack.enter_context(_snapshot(side, evidence))
    with _loading() as progress:
        report, loaded = loader.check(
            snapshot.paths, cache=False, progress=progress, follow_links=follow_links
        )
    _notes([*snapshot.notes, *(snapshot.shown(note) for note in report.notes)])
    _passed_over(len(snapshot.notes), "symbolic link or submodule", f"at {side}", "read")
    name = f"the evidence at {side} ({snapshot.commit[:12]})"
    return Side(side, loaded, report.found or 0, shown=snapshot.shown), report, name


def _passed_over(count: int, what: str, where: str, verb: str = "followed") -> None:
    """One note on stderr for what a side's loading passed over: never in silence."""
    if count:
        from blinacli.base.findings import plural

        was = "was" if count == 1 else "were"
        many = "symbolic links or submodules" if "submodule" in what else None
        sys.stderr.write(
            f"note: {plural(count, what, many)} {where} {was} not {verb} (--verbose names them)\n"
        )


def _snapshot(side: str, evidence: list[Path] | None) -> Any:
    """The evidence at revision ``side``, read at ``evidence`` or the default paths."""
    from blinacli.load import revisions

    try:
        repo = revisions.repository()
    except revisions.GitMissing:
        raise
    except revisions.RevisionError:
        raise UsageError(
            f"{side!r}: no such file or folder, and the working directory is not in a git "
            "repository, so it cannot be a revision"
        ) from None
    return revisions.snapshot(side, _revision_paths(evidence, repo), repo=repo)


def _revision_paths(evidence: list[Path] | None, repo: Any) -> list[Path]:
    """The paths to read at a revision: ``--evidence``, else $BLINACLI_EVIDENCE, else the
    bundled studies' folder if the repository holds it."""
    from blinacli.base.resources import evidence_dir
    from blinacli.load import revisions
    from blinacli.load.discovery import evidence_paths, named_by

    if evidence:
        return evidence
    paths = evidence_paths(None)
    if named_by(None) is None:  # the bundled studies
        try:
            revisions.inside(repo, evidence_dir().resolve())
        except UsageError:
            raise UsageError(
                "name the evidence to read at the revision with --evidence PATH: without it, "
                "blinacli reads $BLINACLI_EVIDENCE or the bundled studies, which are not "
                f"in the repository at {repo.top}"
            ) from None
    return paths


def _refuse_invalid(sides: list[tuple[Any, Any, str]]) -> None:
    """Every finding of every invalid side on stderr, then exit 1: an invalid side is
    never compared."""
    import msgspec

    invalid = []
    for side, report, name in sides:
        problems = [f for f in report.findings if f.kind != "acronym"]
        for finding in problems:
            shown = msgspec.structs.replace(
                finding, file=side.shown(finding.file), message=side.shown(finding.message)
            )
            sys.stderr.write(f"{shown}\n")
        if problems:
            invalid.append(f"{name} is invalid: {report.summary()}")
    for message in invalid:
        _fail(message)
    if invalid:
        raise typer.Exit(1)


def since_view(
    since: str,
    evidence: list[Path] | None,
    follow_links: bool,
    arguments: dict[str, Any],
    loaded: Any,
    studies: list[Any],
) -> Any:
    """``digest --since REV``: the studies the digest shows (``studies`` of ``loaded``),
    against the same evidence paths at REV, the same filters applied to both."""
    from blinacli.cli.common import _select
    from blinacli.load.loader import Evidence
    from blinacli.views.diff import Side, diff_view

    if not _is_revision(since):
        raise UsageError(f"--since takes a git revision; {since!r} is a file or folder")
    with ExitStack() as stack:
        old, report, name = _read(since, "old", evidence, follow_links, True, stack)
        _refuse_invalid([(old, report, name)])
        chosen = {id(s) for s in _select(evidence, arguments, loaded=Evidence(old.loaded))}
        old.loaded = [item for item in old.loaded if id(item.study) in chosen]
        shown = {id(s) for s in studies}
        kept = [item for item in loaded.loaded if id(item.study) in shown]
        new = Side("the evidence in use", kept, len({item.file for item in kept}))
        return diff_view(old, new)
