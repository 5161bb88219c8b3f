"""Numbers and identifiers kept whole in terminal tables.

A table column folds a word longer than the column: at 60 columns, a DOI in a narrow
column read ``10.1182/blood-2017`` on one line and ``-08-798322`` on the next, and a
confidence interval could read ``0.23–0.7`` then ``3``. A reader copying the DOI, or
reading the limit, gets it wrong. Here every "word" that holds a digit (a DOI, PMID,
PMCID, NCT or other registry id, a study id such as ``e1910``, a citation's
``2024;391(4):320–333``, a figure and its CI) is protected: each table column is made
at least as wide as its longest protected word, as far as the console's width allows.
Where it does not allow it, the words a renderer names (study ids in ``list``) are kept
whole before figures, and the columns whose words are shortest before the others; a
renderer that can lay a row out differently (``compare`` does) measures first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
    from rich.table import Table

_PROTECTED = re.compile(r"\S*\d\S*")
"""A word (a run without white space) that holds a digit."""
FLOOR = 6
"""The cells every flexible column keeps for its words, protected or not."""


def longest_protected(texts: Iterable[str]) -> int:
    """The width in cells of the longest word holding a digit among ``texts``, or 0."""
    from rich.cells import cell_len

    return max(
        (cell_len(word.group()) for text in texts for word in _PROTECTED.finditer(text)),
        default=0,
    )


def _plain(renderable: object) -> str:
    from rich.text import Text

    if isinstance(renderable, Text):
        return renderable.plain
    return renderable if isinstance(renderable, str) else ""


def keep_whole(table: Table, words: dict[int, list[str]] | None = None) -> RenderableType:
    """``table``, drawn with each flexible column (one with a ``ratio``) at least as wide
    as its longest number or identifier, whenever the console is wide enough. ``words``
    adds, per column index, words to keep whole that hold no digit (study ids)."""
    return _KeptWhole(table, words or {})


def budget(table: Table, width: int) -> int:
    """The cells left for the columns' contents when ``table`` is drawn ``width`` wide:
    the width less the table's edges, separators and cell padding."""
    count = len(table.columns)
    extra = (2 if table.box and table.show_edge else 0) + (count - 1 if table.box else 0)
    _, right, _, left = table.padding
    padding = (left + right) * count
    if not table.pad_edge and count:
        padding -= left + right
    return width - extra - padding


def fits(longest: list[int], room: int) -> bool:
    """Whether columns needing ``longest`` cells each fit in ``room`` cells together."""
    return sum(longest) <= room


class _KeptWhole:
    def __init__(self, table: Table, words: dict[int, list[str]]) -> None:
        self.table = table
        self.words = words

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.cells import cell_len

        table = self.table
        room = budget(table, options.max_width)
        needs: dict[int, int] = {}
        musts: dict[int, int] = {}
        for index, column in enumerate(table.columns):
            texts = [_plain(column.header), *(_plain(cell) for cell in column.cells)]
            if column.flexible:
                words = self.words.get(index, [])
                musts[index] = max([FLOOR, *(cell_len(word) for word in words)])
                needs[index] = max(musts[index], longest_protected(texts))
            else:  # a fixed column keeps its width, or its widest cell when it has none
                room -= column.width or max(
                    (console.measure(cell, options=options).maximum for cell in column.cells),
                    default=1,
                )
        # When not every need can be met, the longest figures give way first, then the
        # longest of the words asked for, so that as many columns as possible stay whole.
        for floor in (musts, dict.fromkeys(needs, FLOOR)):
            while not fits(list(needs.values()), room):
                giving = [i for i in needs if needs[i] > floor[i]]
                if not giving:
                    break
                widest = max(giving, key=lambda i: needs[i])
                needs[widest] = floor[widest]
        for index, need in needs.items():
            table.columns[index].width = need if need > FLOOR else None
        yield table
