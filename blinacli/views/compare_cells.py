"""The cells and rows of the compare view, and how a row is built from one cell per study.

Kept apart from :mod:`blinacli.views.compare` so that each section's builder stays short.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from blinacli.model import Quote, Study, source_ids
from blinacli.views import regimens

NOT_REPORTED = "not reported"
NOT_STATED = regimens.NOT_STATED
NONE_RECORDED = "none recorded"


@dataclass(frozen=True)
class CompareCell:
    """One study's entry on a row: the text shown and the sources it was read in."""

    text: str
    sources: list[str]
    derived: list[str] = field(default_factory=list)
    """Figures derived from the reported ones, each without its mark (shown marked)."""


@dataclass(frozen=True)
class CompareRow:
    """One item across the studies; ``differs`` when the cells' texts are not all equal."""

    label: str
    cells: list[CompareCell]
    differs: bool
    group: str | None = None
    """The heading of a block of rows, e.g. the endpoint "Overall survival"."""


def row(label: str, cells: list[CompareCell], group: str | None = None) -> CompareRow:
    differs = len({cell.text for cell in cells}) > 1
    return CompareRow(label, cells, differs, group)


Cell = Callable[[Study], CompareCell]


def rows(studies: list[Study], items: list[tuple[str, Cell]]) -> list[CompareRow]:
    return [row(label, [cell(s) for s in studies]) for label, cell in items]


def joined(parts: list[tuple[str, list[Quote]]], empty: str) -> CompareCell:
    """Several texts in one cell, separated by semicolons, with all their sources."""
    if not parts:
        return CompareCell(empty, [])
    return CompareCell("; ".join(t for t, _ in parts), source_ids(q for _, c in parts for q in c))
