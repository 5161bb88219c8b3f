"""``diff`` on the terminal: the summary line, then one Rich table per section.

Evidence text enters Rich as :class:`rich.text.Text`, never as markup, with its
control characters made visible, as in every terminal table of blinacli. A change
with nothing on one side reads "not given" there; derived figures carry the mark †.
"""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from blinacli.base.controls import visible
from blinacli.views.derived import LEGEND, MARK
from blinacli.views.diff import Change, DiffView, FindingChange, StudyChanges, StudyEntry

SECTIONS = (
    ("figures", "Figures and facts changed"),
    ("items", "Added or removed"),
    ("quotes", "Quotes and credited sources"),
    ("derived", f"Derived figures that moved ({MARK})"),
)
"""A study's sections, in the order a reviewer reads them, with their titles."""


def _text(value: str, style: str = "") -> Text:
    return Text(visible(value), style=style)


def render_diff(view: DiffView) -> RenderableType:
    """The whole diff: one line when nothing changed."""
    if not view.changed:
        return _text(view.summary)
    parts: list[RenderableType] = [_text(view.summary, "bold")]
    if view.added:
        parts += [Text(), _studies("Studies added", view.added)]
    if view.removed:
        parts += [Text(), _studies("Studies removed", view.removed)]
    for study in view.studies:
        parts += [Text(), *_study(study)]
    if view.findings:
        parts += [Text(), _findings(view.findings)]
    if any(study.derived for study in view.studies):
        parts += [Text(), _text(LEGEND, "dim")]
    return Group(*parts)


def _studies(title: str, entries: list[StudyEntry]) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, expand=True)
    table.add_column("Study", overflow="fold", ratio=1)
    table.add_column("Citation", overflow="fold", ratio=3)
    table.add_column("File", overflow="fold", ratio=2)
    for entry in entries:
        study = _text(entry.acronym, "bold")
        study.append("\n" + visible(entry.id), style="dim")
        table.add_row(study, _text(entry.citation), _text(entry.file))
    return table


def _study(study: StudyChanges) -> list[RenderableType]:
    heading = _text(f"{study.acronym} ({study.id})", "bold underline")
    if study.renamed_from is not None:
        heading.append(visible(f"  renamed from {study.renamed_from}"), style="italic")
    parts: list[RenderableType] = [heading]
    for name, title in SECTIONS:
        changes: list[Change] = getattr(study, name)
        if changes:
            parts.append(_changes(title, changes, with_kind=name != "figures"))
    return parts


def _changes(title: str, changes: list[Change], *, with_kind: bool) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, expand=True)
    if with_kind:
        table.add_column("Change", overflow="fold", ratio=1)
    table.add_column("Where", overflow="fold", ratio=3)
    table.add_column("Old", overflow="fold", ratio=3)
    table.add_column("New", overflow="fold", ratio=3)
    for change in changes:
        mark = f"{MARK} " if change.derived else ""
        old = _text(mark + change.old_text if change.old is not None else change.old_text)
        new = _text(mark + change.new_text if change.new is not None else change.new_text)
        row = [_text(change.where), old, new]
        table.add_row(*([_text(change.kind)] if with_kind else []), *row)
    return table


def _findings(findings: list[FindingChange]) -> Table:
    table = Table(
        title="Integrity findings", title_justify="left", box=box.SIMPLE_HEAD, expand=True
    )
    table.add_column("Change", overflow="fold", ratio=1)
    table.add_column("Study", overflow="fold", ratio=1)
    table.add_column("Finding", overflow="fold", ratio=4)
    table.add_column("Where", overflow="fold", ratio=2)
    for f in findings:
        finding = _text(f"[{f.severity}] ", "bold" if f.severity == "error" else "")
        finding.append(visible(f"{f.rule}: {f.message}"))
        finding.append(visible(f" (reported {f.reported}, derived {f.derived})"), style="dim")
        table.add_row(_text(f.kind), _text(f.acronym), finding, _text(f.location))
    return table
