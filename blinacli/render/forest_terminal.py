"""A forest plot drawn for the terminal, in box-drawing characters, from the plot's data."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from blinacli.base.controls import visible
from blinacli.views.forest import ARROW_LEGEND, ForestPlot, ForestRow, position

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
    from rich.text import Text

PLOT_COLUMNS = 30
"""The width of the drawing area at 72 columns and more; narrower consoles get less."""


def render_forest(plot: ForestPlot) -> RenderableType:
    """The plot for a terminal: label, drawing and value per row, the axis, the legend.

    Lines are built for the console's width, so nothing is cut: labels and values fold.
    """
    return _TerminalForest(plot)


class _TerminalForest:
    def __init__(self, plot: ForestPlot) -> None:
        self.plot = plot

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.cells import cell_len
        from rich.text import Text

        plot = self.plot
        width = options.max_width
        area = PLOT_COLUMNS if width >= 72 else max(10, (width - 2) // 3)
        rest = width - area - 2
        longest = max(cell_len(row.value) for row in plot.rows)
        value_width = max(1, min(longest, rest - max(8, rest * 2 // 5)))
        label_width = max(1, rest - value_width)
        indent = " " * (label_width + 1)
        null = round(position(1, plot, area - 1))

        yield _text(plot.title, "bold")
        yield Text(indent + plot.measure_label.center(area).rstrip(), style="dim")
        for index, row in enumerate(plot.rows):
            labels = _text(row.label).wrap(console, label_width, overflow="fold")
            values = _text(row.value).wrap(console, value_width, overflow="fold")
            values.extend(_text(row.groups, "dim").wrap(console, value_width, overflow="fold"))
            if row.note:
                values.extend(_text(row.note, "italic").wrap(console, value_width, overflow="fold"))
            if index:
                yield _line(Text(indent), _null_only(area, null))
            for i in range(max(len(labels), len(values))):
                label = labels[i] if i < len(labels) else Text()
                label.append(" " * (label_width - cell_len(label.plain) + 1))
                drawing = _whisker(plot, row, area) if i == 0 else _null_only(area, null)
                value = values[i] if i < len(values) else Text()
                yield _line(label, drawing, Text(" "), value)
        yield _line(Text(indent), Text(_axis_line(plot, area)))
        yield _line(Text(indent), Text(_tick_labels(plot, area), style="dim"))
        if plot.favours_left:
            yield from _favours(plot, label_width + 1 + null, width)
        else:
            yield _text("Which side favours the intervention is not set for this endpoint.", "dim")
        yield _text(plot.legend, "dim")
        if plot.has_arrows:
            yield _text(ARROW_LEGEND, "dim")
        for item in plot.omitted:
            yield _text(
                f"Not drawn: {item.acronym} — {item.outcome}: {item.value} ({item.reason})", "dim"
            )


def _text(value: str, style: str = "") -> Text:
    """Evidence text for Rich as :func:`blinacli.render.terminal.text` makes it: plain text,
    never markup, its control characters made visible. (Not imported from there: the
    terminal renderer imports this module.)"""
    from rich.text import Text

    return Text(visible(value), style=style)


def _line(*parts: Text) -> Text:
    from rich.text import Text

    line = Text()
    for part in parts:
        line.append_text(part)
    line.rstrip()
    return line


def _null_only(area: int, null: int) -> Text:
    from rich.text import Text

    return Text(" " * null + "│" + " " * (area - null - 1), style="dim")


def _whisker(plot: ForestPlot, row: ForestRow, area: int) -> Text:
    """One row's drawing: ├──■──┤ across the CI, ◄ or ► where a limit is past the axis.

    Each limit and the marker stay on their own side of the line of no effect, even
    when they round to its cell: an upper limit of 0.99 ends just left of the line
    (``┤│``), one of 1.01 just right of it (``┼┤``), and one of exactly 1 on it.
    """
    from rich.text import Text

    null = round(position(1, plot, area - 1))

    def cell(value: float | int) -> int:
        at = round(position(value, plot, area - 1))
        if value < 1 and at >= null:
            return max(0, null - 1)
        if value > 1 and at <= null:
            return min(area - 1, null + 1)
        return null if value == 1 else at

    start = 0 if plot.past_low(row) or row.lower is None else cell(row.lower)
    end = area - 1 if plot.past_high(row) or row.upper is None else cell(row.upper)
    cells = [" "] * area
    cells[null] = "│"
    dash = "─" if row.randomized else "╌"
    for i in range(start, end + 1):
        cells[i] = "┼" if i == null else dash
    cells[start] = "◄" if plot.past_low(row) else "├"
    cells[end] = "►" if plot.past_high(row) else "┤"
    marker = min(max(cell(row.estimate), start), end)
    # A marker that rounds onto a limit's cell steps inside the whisker where there is
    # room, so that the limit stays drawn (half a cell is within the rounding anyway).
    if marker == end and marker - 1 > start and row.upper != row.estimate:
        marker -= 1
    elif marker == start and marker + 1 < end and row.lower != row.estimate:
        marker += 1
    cells[marker] = "■" if row.randomized else "◇"
    drawing = Text("".join(cells))
    drawing.stylize("dim", null, null + 1)
    drawing.stylize("bold", marker, marker + 1)
    return drawing


def _axis_line(plot: ForestPlot, area: int) -> str:
    cells = ["─"] * area
    for tick in plot.ticks:
        cells[round(position(tick, plot, area - 1))] = "┬"
    cells[round(position(1, plot, area - 1))] = "┼"
    return "".join(cells)


def _tick_labels(plot: ForestPlot, area: int) -> str:
    """Tick labels centred on their ticks; 1 first, then outwards, skipping any that collide."""
    cells = [" "] * area
    taken: list[tuple[int, int]] = []
    for tick in sorted(plot.ticks, key=lambda t: abs(math.log(t))):
        label = plot.tick_label(tick)
        centre = round(position(tick, plot, area - 1))
        start = min(max(centre - (len(label) - 1) // 2, 0), area - len(label))
        end = start + len(label)
        if start < 0 or any(start <= b and a <= end for a, b in taken):
            continue
        cells[start:end] = list(label)
        taken.append((start, end))
    return "".join(cells)


def _favours(plot: ForestPlot, null: int, width: int) -> RenderResult:
    """The "favours …" labels, ending left of the line of no effect and starting right of it."""
    from rich.text import Text

    left = f"◄ {plot.favours_left}"
    right = f"{plot.favours_right} ►"
    start = max(0, null - 1 - len(left))
    line = " " * start + left
    gap = max(3, null + 2 - len(line))
    if len(line) + gap + len(right) <= width:
        yield Text(line + " " * gap + right)
    else:
        yield Text(line)
        yield Text(" " * max(0, min(null + 2, width - len(right))) + right)
