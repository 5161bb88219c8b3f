"""Rich renderables for the terminal, built from views; printing happens at the edge.

Evidence text always enters Rich as :class:`rich.text.Text`, never as markup, so
a bracket in a study title is shown as a bracket. Control characters from
evidence files are made visible, so a file cannot move the cursor or fake colours.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from blinacli.views import Item, ListView, StudyView

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe(value: str) -> str:
    """Replace control characters with a visible escape such as ``\\x1b``."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), value)


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
    return table


def _heading(title: str) -> Text:
    return text(title, "bold underline")


def _items(items: list[Item]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", overflow="fold", max_width=22)
    grid.add_column(overflow="fold")
    for item in items:
        grid.add_row(text(item.label), _with_sources(item.value, item.sources))
    return grid


def render_study(view: StudyView) -> RenderableType:
    parts: list[RenderableType] = [
        text(f"{view.acronym} — {view.title}", "bold"),
        text(view.citation),
        _items(view.citation_items),
        Text(),
        _heading("Design"),
        _items(view.design),
        Text(),
        _heading("Population"),
        _items(view.population),
    ]
    if view.dosing:
        parts += [Text(), _heading("Dosing")]
        for regimen in view.dosing:
            parts += [text(regimen.arm, "italic"), _items(regimen.items)]
    parts += [Text(), _heading("Outcomes"), *_outcomes(view)]
    parts += [Text(), _heading("Safety"), *_safety(view)]
    if view.claims:
        parts += [Text(), _heading("Key points and conclusions")]
        parts += [_claim(c.kind, c.text, c.source, c.attribution) for c in view.claims]
    parts += [Text(), _heading("Limitations")]
    if view.limitations:
        parts += [_claim(c.kind, c.text, c.source, c.attribution) for c in view.limitations]
    else:
        parts.append(text("None stated by the sources.", "dim"))
    if view.notes:
        parts += [Text(), _heading("Notes on the evidence"), _items(view.notes)]
    parts += [Text(), _heading("Sources")]
    for source in view.sources:
        line = text(f"[{source.id}] ", "bold")
        line.append(safe(f"{source.kind}: {source.citation}"))
        if source.confirmed_in:
            line.append(safe(" (confirmed in: " + "; ".join(source.confirmed_in) + ")."))
        if source.note:
            line.append(safe(f" {source.note}"), style="dim")
        parts.append(line)
    parts += [Text(), _heading("Quotes")]
    for quote in view.quotes:
        line = text(f"[{quote.source}] ", "dim")
        line.append(safe(f"“{quote.quote}”"))
        line.append(safe(f" ({quote.about})"), style="dim")
        parts.append(line)
    return Group(*parts)


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
        parts.append(grid)
        parts += [text(f"Note: {note}", "italic") for note in outcome.notes]
        parts.append(Text())
    return parts[:-1]


def _safety(view: StudyView) -> list[RenderableType]:
    parts: list[RenderableType] = []
    if view.events:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, expand=True)
        for name, ratio in (
            ("Event", 4),
            ("Grade", 2),
            ("Arm", 4),
            ("n (%)", 4),
            ("Of", 3),
            ("Timing", 3),
        ):
            table.add_column(name, overflow="fold", ratio=ratio)
        for event in view.events:
            table.add_row(
                text(event.category),
                text(event.grade),
                text(event.arm),
                _with_sources(event.count, event.sources),
                text(event.denominator),
                text(event.timing),
            )
        parts.append(table)
        notes = dict.fromkeys(e.note for e in view.events if e.note)
        parts += [text(f"Note: {n}", "italic") for n in notes]
    for statement in view.statements:
        line = text(f"{statement.category} ({statement.arm}): ", "bold")
        line.append_text(_with_sources(statement.text, statement.sources))
        if statement.note:
            line.append(safe(f" Note: {statement.note}"), style="italic")
        parts.append(line)
    if not parts:
        parts.append(text("No safety data recorded.", "dim"))
    return parts


def _claim(kind: str, value: str, source: str, attribution: str) -> Text:
    line = text(f"{kind.capitalize()}: ", "bold")
    line.append(safe(f"“{value}”"))
    line.append(safe(f" — claim of {attribution} [{source}]"), style="dim")
    return line
