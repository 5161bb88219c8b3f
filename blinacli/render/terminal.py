"""Rich renderables for the terminal, built from views; printing happens at the edge.

Evidence text always enters Rich as :class:`rich.text.Text`, never as markup, so
a bracket in a study title is shown as a bracket. Control characters from
evidence files are made visible, so a file cannot move the cursor or fake colours.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from blinacli.base.controls import visible
from blinacli.render.unbroken import keep_whole
from blinacli.views.absolute import ABSOLUTE_LEGEND
from blinacli.views.derived import LEGEND, MARK, DerivedFigure
from blinacli.views.listing import ListView
from blinacli.views.show import EventView, Item, StatementView, StudyView

if TYPE_CHECKING:  # only annotations: `show` need not import compare, outcomes, safety or forest
    from blinacli.views.compare import CompareRow, CompareSection, CompareView
    from blinacli.views.compare_cells import CompareCell
    from blinacli.views.outcomes import EndpointsView, OutcomeRow, OutcomesView
    from blinacli.views.safety import SafetyEventRow, SafetyStatementRow, SafetyView


def safe(value: str) -> str:
    """Replace control characters with a visible escape such as ``\\x1b``."""
    return visible(value)


def text(value: str, style: str = "") -> Text:
    return Text(safe(value), style=style)


def _with_sources(value: str, sources: Iterable[str]) -> Text:
    out = text(value)
    refs = " ".join(f"[{s}]" for s in sources)
    if refs:
        out.append(" " + safe(refs), style="dim")
    return out


def render_list(view: ListView) -> RenderableType:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, expand=True)
    # overflow="fold": a long word wraps; nothing in evidence is ever cut to "…".
    table.add_column("Study", overflow="fold", ratio=2)
    table.add_column("Design, N", overflow="fold", ratio=2)
    table.add_column("Population", overflow="fold", ratio=3)
    table.add_column("Headline result", overflow="fold", ratio=4)
    for row in view.rows:
        study = text(row.acronym, "bold")
        study.append("\n" + safe(row.id), style="dim")
        study.append("\n" + safe(row.author_year))
        table.add_row(
            study,
            text(f"{row.design}\n{row.n}"),
            text(row.population),
            _with_sources(row.headline, row.headline_sources),
        )
    return keep_whole(table, {0: [visible(row.id) for row in view.rows]})


def _heading(title: str) -> Text:
    return text(title, "bold underline")


def _items(items: list[Item]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", overflow="fold", max_width=22)
    grid.add_column(overflow="fold")
    for item in items:
        grid.add_row(text(item.label), _with_sources(item.value, item.sources))
    return grid


class _Section:
    """Where a section of the full record starts among its parts (``show --section``)."""

    def __init__(self, name: str) -> None:
        self.name = name


_UNRECORDED = {"dosing": "Dosing", "notes": "Notes on the evidence"}
"""The sections the full record leaves out when the study has nothing for them."""


def _only(parts: list[RenderableType | _Section], sections: Collection[str] | None) -> Group:
    """The parts of the sections asked for (all when None), after the study's heading; a
    section asked for that the study has nothing for says so."""
    if sections is None:
        return Group(*(part for part in parts if not isinstance(part, _Section)))
    kept: list[RenderableType] = []
    current: str | None = None  # the heading, before any section, is always kept
    empty = False
    for part in [*parts, _Section("")]:
        if isinstance(part, _Section):
            if empty and current is not None:
                title = _UNRECORDED.get(current, current)
                kept += [Text(), text(f"{title}: none recorded.", "dim")]
            current = part.name
            empty = current in sections
        elif current is None or current in sections:
            kept.append(part)
            empty = False
    return Group(*kept)


def render_study(view: StudyView, sections: Collection[str] | None = None) -> RenderableType:
    """The full record of a study; only its ``sections`` (names as ``show --section``
    takes them) when given."""
    parts: list[RenderableType | _Section] = [
        text(f"{view.acronym} — {view.title}", "bold"),
        _Section("citation"),
        text(view.citation),
        _items(view.citation_items),
        _Section("design"),
        Text(),
        _heading("Design"),
        _items(view.design),
        _Section("population"),
        Text(),
        _heading("Population"),
        _items(view.population),
    ]
    parts.append(_Section("dosing"))
    if view.dosing:
        parts += [Text(), _heading("Dosing")]
        for regimen in view.dosing:
            parts += [text(regimen.arm, "italic"), _items(regimen.items)]
    parts += [_Section("outcomes"), Text(), _heading("Outcomes"), *_outcomes(view)]
    parts += [_Section("safety"), Text(), _heading("Safety"), *_safety(view)]
    parts.append(_Section("claims"))
    if view.claims:
        parts += [Text(), _heading("Key points and conclusions")]
        parts += [_claim(c.kind, c.text, c.source, c.attribution) for c in view.claims]
    parts += [Text(), _heading("Limitations")]
    if view.limitations:
        parts += [_claim(c.kind, c.text, c.source, c.attribution) for c in view.limitations]
    else:
        parts.append(text("None stated by the sources.", "dim"))
    parts.append(_Section("notes"))
    if view.notes:
        parts += [Text(), _heading("Notes on the evidence"), _items(view.notes)]
    parts += [_Section("sources"), Text(), _heading("Sources")]
    for source in view.sources:
        line = text(f"[{source.id}] ", "bold")
        line.append(safe(f"{source.kind}: {source.citation}"))
        if source.confirmed_in:
            line.append(safe(" (confirmed in: " + "; ".join(source.confirmed_in) + ")."))
        if source.note:
            line.append(safe(f" {source.note}"), style="dim")
        parts.append(line)
    parts += [_Section("quotes"), Text(), _heading("Quotes")]
    for quote in view.quotes:
        line = text(f"[{quote.source}] ", "dim")
        line.append(safe(f"“{quote.quote}”"))
        line.append(safe(f" ({quote.about})"), style="dim")
        parts.append(line)
    return _only(parts, sections)


def _outcomes(view: StudyView) -> list[RenderableType]:
    if not view.outcomes:
        return [text("No outcomes recorded.", "dim")]
    parts: list[RenderableType] = []
    for outcome in view.outcomes:
        parts.append(text(outcome.title, "bold"))
        parts.append(
            text(
                f"role: {outcome.role}; population: "
                f"{outcome.population}; timepoint: {outcome.timepoint}",
                "dim",
            )
        )
        grid = Table.grid(padding=(0, 2))
        grid.add_column(overflow="fold", ratio=2)
        grid.add_column(overflow="fold", ratio=3)
        for result in outcome.results:
            grid.add_row(text(result.group), _with_sources(result.value, result.sources))
        if outcome.comparison is not None and outcome.comparison_groups is not None:
            value = outcome.comparison
            if outcome.comparison_label:
                value = f"{outcome.comparison_label}: {value}"
            grid.add_row(
                text(outcome.comparison_groups, "italic"),
                _with_sources(value, outcome.comparison_sources),
            )
        for figure in outcome.derived:
            grid.add_row(text(f"{MARK} {figure.about}", "italic"), _derived(figure))
        parts.append(grid)
        parts += [text(f"Note: {note}", "italic") for note in outcome.notes]
        parts.append(Text())
    if any(outcome.derived for outcome in view.outcomes):
        parts.append(text(LEGEND, "dim"))
    else:
        parts = parts[:-1]
    return parts


def _derived(figure: DerivedFigure, *, named: bool = False) -> Text:
    """A derived figure, marked, with the reported figures it comes from; ``named`` puts
    the group or groups it is about before it, where no column names them."""
    out = text(
        f"{MARK} {figure.about}: {figure.text}" if named else f"{MARK} {figure.text}", "italic"
    )
    out.append(safe(f" (from {figure.basis})"), style="dim")
    return out


def _safety(view: StudyView) -> list[RenderableType]:
    parts = _study_safety(view.events, view.statements)
    return parts or [text("No safety data recorded.", "dim")]


def _claim(kind: str, value: str, source: str, attribution: str) -> Text:
    line = text(f"{kind.capitalize()}: ", "bold")
    line.append(safe(f"“{value}”"))
    line.append(safe(f" — claim of {attribution} [{source}]"), style="dim")
    return line


# --- compare -------------------------------------------------------------------------
# Appended as one block; its import sits here so that appends from other views
# never touch the file's head.


COMPARE_LEGEND = "≠ marks a row where the studies differ; [id] names the source of a figure."


def render_compare(view: CompareView) -> RenderableType:
    """One table per section: a ≠ marker, the item, then one column per study."""
    names = " vs ".join(f"{s.acronym} ({s.author_year})" for s in view.studies)
    parts: list[RenderableType] = [text(f"Comparison: {names}", "bold"), text(COMPARE_LEGEND)]
    for section in view.sections:
        parts += [Text(), _compare_table(view, section)]
    cells = [cell for section in view.sections for row in section.rows for cell in row.cells]
    if any(cell.derived for cell in cells):
        parts += [Text(), text(LEGEND, "dim")]
    return Group(*parts)


def _compare_table(view: CompareView, section: CompareSection) -> RenderableType:
    """A section's table; a row whose numbers or identifiers (a DOI) cannot stay whole in
    a study's column at the console's width is laid out below it, one study a line."""
    return _CompareSectionTable(view, section)


class _CompareSectionTable:
    def __init__(self, view: CompareView, section: CompareSection) -> None:
        self.view, self.section = view, section

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from blinacli.render.unbroken import FLOOR, budget, longest_protected

        view, rows = self.view, self.section.rows
        studies = max(1, len(view.studies))
        room = budget(_compare_grid(view, self.section, []), options.max_width) - 1 - FLOOR
        column = room // studies
        apart = [row for row in rows if longest_protected(c.text for c in row.cells) > column]
        kept = [row for row in rows if row not in apart]
        yield keep_whole(_compare_grid(view, self.section, kept))
        for row in apart:
            label = f"{row.group}: {row.label}" if row.group else row.label
            yield text(f" {'≠' if row.differs else ' '}   {label}", "bold" if row.differs else "")
            grid = Table.grid(padding=(0, 2))
            grid.add_column(style="bold", no_wrap=True)
            grid.add_column(overflow="fold")
            for study, cell in zip(view.studies, row.cells, strict=True):
                grid.add_row(text(study.acronym), _compare_cell(cell))
            yield Padding(grid, (0, 0, 0, 5))


def _compare_grid(view: CompareView, section: CompareSection, rows: list[CompareRow]) -> Table:
    table = Table(
        title=_heading(section.title),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        expand=True,
    )
    # The marker column is one cell wide; every other column folds, never cuts.
    table.add_column("", width=1, overflow="fold")
    table.add_column("Item", overflow="fold", ratio=2)
    for study in view.studies:
        header = text(study.acronym, "bold")
        header.append("\n" + safe(study.author_year))
        table.add_column(header, overflow="fold", ratio=3)
    group: str | None = None
    for row in rows:
        if row.group is not None and row.group != group:
            if group is not None:  # a blank line between endpoint blocks
                table.add_row()
            table.add_row("", text(row.group, "bold italic"), *("" for _ in view.studies))
        group = row.group
        table.add_row(
            text("≠", "bold") if row.differs else "",
            text(row.label, "bold" if row.differs else ""),
            *(_compare_cell(cell) for cell in row.cells),
        )
    return table


# --- outcomes, outcomes --list, safety ------------------------------------------------
# Appended as one block; its imports sit here so that appends from other views
# never touch the file's head.


def _compare_cell(cell: CompareCell) -> Text:
    out = _with_sources(cell.text, cell.sources)
    for figure in cell.derived:
        out.append(safe(f"\n{MARK} {figure}"), style="italic")
    return out


def _refs(sources: Iterable[str]) -> Text:
    return text(" ".join(f"[{s}]" for s in sources), "dim")


def _fields(fields: list[tuple[str, Text]]) -> Table:
    """A two-column grid of field names and values that fold, never cut."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", overflow="fold")
    grid.add_column(overflow="fold")
    for name, value in fields:
        grid.add_row(text(name), value)
    return grid


def render_outcomes(view: OutcomesView) -> RenderableType:
    """One block per study and analysis: at 80 columns, a wide SoF table would not read."""
    from blinacli.render.forest_terminal import render_forest

    parts: list[RenderableType] = [
        text(f"{view.title}: summary of findings", "bold underline"),
        text(f"Endpoints shown: {', '.join(view.covers)}", "dim"),
    ]
    for row in view.rows:
        parts += [Text(), text(f"{row.acronym} — {row.outcome}", "bold")]
        parts.append(Padding(_outcome_fields(row), (0, 0, 0, 2)))
    if not view.rows:
        parts += [Text(), text(f"No study in use reports {view.name}.", "dim")]
    if view.not_reported_by:
        parts += [Text(), text(f"Not reported by: {', '.join(view.not_reported_by)}", "dim")]
    if any(row.derived or row.absolute.figure for row in view.rows):
        parts += [Text(), text(LEGEND, "dim")]
    if any(row.absolute.figure for row in view.rows):
        parts.append(text(ABSOLUTE_LEGEND, "dim"))
    for plot in view.forest:
        parts += [Text(), render_forest(plot)]
    return Group(*parts)


def _outcome_fields(row: OutcomeRow) -> Table:
    fields = [
        ("Timepoint", text(row.timepoint)),
        ("Population", text(row.population)),
        ("№ of participants", text(row.participants_studies)),
        *(
            [("Groups compared", text(row.groups_compared))]
            if row.groups_compared
            else [("Comparator", text(row.comparator)), ("Intervention", text(row.intervention))]
        ),
        *(("Other group", text(group)) for group in row.other_groups),
        ("Relative effect", text(row.relative_effect)),
        (
            f"Absolute effect {MARK}" if row.absolute.figure else "Absolute effect",
            _derived(row.absolute.figure) if row.absolute.figure else text(row.absolute.text),
        ),
        *((f"Derived {MARK}", _derived(figure, named=True)) for figure in row.derived),
        ("Role", text(row.role)),
    ]
    if row.comment:
        fields.append(("Comment", text(row.comment, "italic")))
    fields += [("Note", text(note, "italic")) for note in row.notes]
    fields.append(("Sources", _refs(row.sources)))
    return _fields(fields)


def render_endpoints(view: EndpointsView) -> RenderableType:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, expand=True)
    table.add_column("Endpoint (name)", overflow="fold", ratio=1)
    table.add_column("Aliases", overflow="fold")
    table.add_column("Studies", justify="right", no_wrap=True)
    table.add_column("Analyses", justify="right", no_wrap=True)
    for row in view.rows:
        endpoint = text(row.endpoint)
        endpoint.append("\n" + safe(row.name), style="dim")
        if row.narrower:
            endpoint.append(safe(f"\nincludes {', '.join(row.narrower)}"), style="dim")
        table.add_row(
            endpoint, text(", ".join(row.aliases)), text(str(row.studies)), text(str(row.analyses))
        )
    return keep_whole(table)


def render_safety(view: SafetyView) -> RenderableType:
    """Per study: a table of adverse events, their notes, then the statements."""
    parts: list[RenderableType] = [text("Safety across studies", "bold underline")]
    if view.filters:
        parts.append(text(f"Showing {' and '.join(view.filters)}.", "dim"))
    for acronym in view.studies:
        events = [e for e in view.events if e.acronym == acronym]
        statements = [s for s in view.statements if s.acronym == acronym]
        parts += [Text(), text(acronym, "bold"), *_study_safety(events, statements)]
    if not view.studies:
        parts += [Text(), text("No safety data matches.", "dim")]
    if view.not_reported_by:
        missing = ", ".join(view.not_reported_by)
        parts += [Text(), text(f"No safety data recorded: {missing}", "dim")]
    return Group(*parts)


def _study_safety(
    events: Sequence[SafetyEventRow | EventView],
    statements: Sequence[SafetyStatementRow | StatementView],
) -> list[RenderableType]:
    """The adverse-event table and the statements, shared by ``show`` and ``safety``."""
    parts: list[RenderableType] = []
    if events:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, expand=True)
        table.add_column("Event", overflow="fold", ratio=5)
        table.add_column("Grade", overflow="fold")
        table.add_column("Arm", overflow="fold", ratio=5)
        table.add_column("n (%)", overflow="fold", ratio=4)
        table.add_column("Of", overflow="fold")
        table.add_column("Timing", overflow="fold", ratio=4)
        for event in events:
            table.add_row(
                text(event.category),
                text(event.grade),
                text(event.arm),
                _with_sources(event.count, event.sources),
                text(event.denominator),
                text(event.timing),
            )
        parts.append(keep_whole(table))
        notes = dict.fromkeys(e.note for e in events if e.note)
        parts += [text(f"Note: {note}", "italic") for note in notes]
    for statement in statements:
        line = text(f"{statement.category} ({statement.arm}): ", "bold")
        line.append_text(_with_sources(statement.text, statement.sources))
        if statement.note:
            line.append(safe(f" Note: {statement.note}"), style="italic")
        parts.append(line)
    return parts
