"""Terminal views as plain lines, for standard output that is not a terminal, without
Rich's rendering.

Piped, a terminal view has no styles, so Rich's work of turning every line into styled
segments, cropping and padding them and joining them again is spent on text that ends
as it began. :func:`plain_lines` writes the same lines directly for what the study
card is made of: :class:`rich.text.Text` (wrapped by Rich's own ``Text.wrap``, with
the options Rich would give it), :class:`rich.console.Group`, a left
:class:`rich.padding.Padding`, a borderless grid (``Table.grid``, its column widths
computed by Rich's own table code) and a renderable that lays itself out as texts
(``text_lines``, as ``card_terminal.Flow`` does). Anything else, or any of these used
in a way this writer does not reproduce exactly (a border, a header, an expanding
table, a line that Rich would crop), makes it answer None, and the view goes through
Rich as before. ``tests/test_plain.py`` holds the two outputs equal byte for byte.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from rich.cells import cell_len
from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text


class _Unhandled(Exception):
    """A renderable this writer does not reproduce exactly: Rich lays it out."""


class _Context(NamedTuple):
    """What Rich's console options pass down to a text: set by a table's column."""

    justify: Any = None
    overflow: Any = None
    no_wrap: bool | None = False


def plain_lines(renderable: Any, console: Console) -> list[str] | None:
    """``renderable`` as Rich's ``console`` would print it without styles, line by line
    (each may end in spaces Rich pads with), or None when Rich must lay it out."""
    try:
        return _lines(renderable, console, console.width, _Context())
    except _Unhandled:
        return None


def _lines(renderable: Any, console: Console, width: int, context: _Context) -> list[str]:
    """The lines of ``renderable`` at ``width``, none wider."""
    kind = type(renderable)
    if kind is Text:
        lines = _text(renderable, console, width, context)
    elif kind is Group:
        lines = [
            line
            for part in renderable.renderables
            for line in _lines(part, console, width, context)
        ]
    elif kind is Padding:
        lines = _padding(renderable, console, width, context)
    elif kind is Table:
        lines = _grid(renderable, console, width)
    elif callable(getattr(renderable, "text_lines", None)):
        lines = [
            line
            for part in renderable.text_lines(width)
            for line in _lines(part, console, width, context)
        ]
    else:
        raise _Unhandled
    if any(cell_len(line) > width for line in lines):
        raise _Unhandled  # Rich would crop it, which this writer does not do
    return lines


def _text(text: Text, console: Console, width: int, context: _Context) -> list[str]:
    """A text wrapped as ``Text.__rich_console__`` wraps it."""
    if text.end != "\n":
        raise _Unhandled
    tab_size = console.tab_size if text.tab_size is None else text.tab_size
    no_wrap = text.no_wrap if text.no_wrap is not None else context.no_wrap
    wrapped = text.wrap(
        console,
        width,
        justify=text.justify or context.justify or "default",
        overflow=text.overflow or context.overflow or "fold",
        tab_size=tab_size or 8,
        no_wrap=bool(no_wrap),
    )
    return [line.plain for line in wrapped]


def _padding(padding: Padding, console: Console, width: int, context: _Context) -> list[str]:
    """Spaces on the left and right of each line, as an expanding padding gives."""
    if not padding.expand or padding.top or padding.bottom:
        raise _Unhandled
    inner = width - padding.left - padding.right
    if inner < 1:
        raise _Unhandled
    left, right = " " * padding.left, " " * padding.right
    return [
        left + _pad(line, inner) + right
        for line in _lines(padding.renderable, console, inner, context)
    ]


def _grid(table: Table, console: Console, width: int) -> list[str]:
    """A borderless grid: each row's cells laid out at the widths Rich gives the columns,
    side by side, each as tall as the tallest."""
    plain = (
        table.box is None
        and not (table.show_header or table.show_footer or table.expand)
        and table.title is None
        and table.caption is None
        and table.width is None
        and table.min_width is None
        and not table.leading
        and table.padding[0] == table.padding[2] == 0
        and all(column.vertical == "top" for column in table.columns)
    )
    # Rich's own column widths and cells; a Rich without these names gets Rich's layout
    extra = getattr(table, "_extra_width", None)
    measure = getattr(table, "_calculate_column_widths", None)
    cells_of = getattr(table, "_get_cells", None)
    if not plain or not table.columns or not isinstance(extra, int) or not measure or not cells_of:
        raise _Unhandled
    widths = measure(console, console.options.update_width(width - extra))
    columns = [list(cells_of(console, i, c)) for i, c in enumerate(table.columns)]
    lines: list[str] = []
    for row in zip(*columns, strict=True):
        cells: list[list[str]] = []
        for column_width, cell, column in zip(widths, row, table.columns, strict=True):
            if cell.vertical != "top":
                raise _Unhandled
            context = _Context(column.justify, column.overflow, column.no_wrap)
            cell_lines = _lines(cell.renderable, console, column_width, context)
            cells.append([_pad(line, column_width) for line in cell_lines])
        height = max(1, *(len(cell) for cell in cells))
        for index in range(height):
            lines.append(
                "".join(
                    cell[index] if index < len(cell) else " " * column_width
                    for cell, column_width in zip(cells, widths, strict=True)
                )
            )
    return lines


def _pad(line: str, width: int) -> str:
    """``line`` filled with spaces to ``width`` cells."""
    return line + " " * (width - cell_len(line))
