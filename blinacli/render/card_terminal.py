"""The study card on a terminal: one study on one screen, as ``show`` prints it.

The card is a heading, the citation with its identifiers, a column of labelled lines
(design, N, population, dosing), the outcomes (each group's figure, the effect, the
derived figures marked †), safety, the sources' kinds and a last line on what the full
record adds. Evidence text enters Rich as :class:`rich.text.Text`, through the same
helpers as the full record, so control characters are shown as escapes here too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.measure import Measurement
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from blinacli.render.terminal import safe, text
from blinacli.views.card import CardLine, CardOutcome, CardView, Fact
from blinacli.views.derived import LEGEND, MARK

LABEL_WIDTH = 10
"""The width of the label column: "Population" fits."""


def render_card(view: CardView) -> RenderableType:
    """The study card of ``view``."""
    parts: list[RenderableType] = [
        text(f"{view.acronym} — {view.title}", "bold"),
        Flow([text(view.citation), *(_fact(f) for f in view.identifiers)]),
        Text(),
        _lines(view.lines),
        Text(),
        text("Outcomes", "bold underline"),
    ]
    for outcome in view.outcomes:
        parts += _outcome(outcome)
    if not view.outcomes:
        parts.append(text("No outcomes recorded.", "dim"))
    if any(outcome.derived for outcome in view.outcomes):
        parts.append(text(LEGEND, "dim"))
    parts.append(Text())
    safety = view.safety or [CardLine("Safety", [Fact("No safety data recorded.")])]
    kinds = [Fact(f"[{source.label}] {source.value}") for source in view.sources]
    parts.append(_lines([*safety, CardLine("Sources", kinds)]))
    parts += [Text(), *_footer(view)]
    return Group(*parts)


def _fact(fact: Fact) -> Text:
    out = text(fact.text)
    if fact.sources:
        out.append(" " + safe(" ".join(f"[{s}]" for s in fact.sources)), style="dim")
    return out


def _facts(facts: Sequence[Fact]) -> Text:
    """The facts of one line, separated by "; ", each followed by its marks."""
    out = Text()
    for index, fact in enumerate(facts):
        if index:
            out.append("; ")
        out.append_text(_fact(fact))
    return out


def _lines(lines: Sequence[CardLine]) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True, width=LABEL_WIDTH)
    grid.add_column(overflow="fold")
    previous = None
    for line in lines:
        grid.add_row(text(line.label if line.label != previous else ""), _facts(line.facts))
        previous = line.label
    return grid


def _outcome(outcome: CardOutcome) -> list[RenderableType]:
    heading = text(outcome.title, "bold")
    heading.append(safe(f" — {outcome.summary}"), style="dim")
    rows: list[RenderableType] = []
    if outcome.definition:
        rows.append(text(f"Definition: {outcome.definition}", "italic"))
    if outcome.results:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(overflow="fold", max_width=32)
        grid.add_column(overflow="fold")
        for result in outcome.results:
            value = _noted(_fact(Fact(result.value, result.sources)), result.note)
            grid.add_row(text(result.group), value)
        rows.append(grid)
    if outcome.effect is not None:
        rows.append(_noted(_fact(outcome.effect), outcome.effect_note))
    for figure in outcome.derived:
        rows.append(text(f"{MARK} {figure.shown}", "italic"))
    return [heading, Padding(Group(*rows), (0, 0, 0, 2))]


def _noted(value: Text, note: str | None) -> Text:
    """A figure with its note after it, as every screen shows a figure's note."""
    if note:
        value.append(safe(f" Note: {note}"), style="italic")
    return value


def _footer(view: CardView) -> list[RenderableType]:
    """What the full record adds, by section, then how to see it, on the last line."""
    parts: list[RenderableType] = []
    if view.left_out:
        counts = [text(f"{item.label}: {item.value}", "dim") for item in view.left_out]
        parts.append(Flow([text("Not on this card —", "dim"), *counts], first=" "))
    parts.append(
        text(f"Full record: blinacli show {view.id} --full; one part: --section NAME", "dim")
    )
    return parts


class Flow:
    """Texts laid out one after another, separated by " · ", a line broken only between
    two of them: an identifier (a DOI, a registry id) is never split across lines. A
    text wider than the line is folded by Rich as usual."""

    SEPARATOR = " · "

    def __init__(self, parts: Sequence[Text], *, first: str = SEPARATOR) -> None:
        self.parts = list(parts)
        self.first = first
        """What separates the first text from the second: a label needs no dot after it."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        yield from self.text_lines(options.max_width)

    def text_lines(self, width: int) -> Iterator[Text]:
        """The lines at ``width``, each a text that Rich (or ``render.plain``) wraps
        further only when one part alone is wider."""
        line = Text()
        for index, part in enumerate(self.parts):
            separator = self.first if index == 1 else self.SEPARATOR
            if line.cell_len and line.cell_len + len(separator) + part.cell_len > width:
                yield line
                line = Text()
            if line.cell_len:
                line.append(separator)
            line.append_text(part)
        yield line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((part.cell_len for part in self.parts), default=0)
        total = sum(part.cell_len for part in self.parts) + len(self.SEPARATOR) * max(
            len(self.parts) - 1, 0
        )
        return Measurement(min(widest, options.max_width), min(total, options.max_width))
