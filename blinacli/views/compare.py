"""The compare view: studies side by side, one column per study, rows grouped in sections.

Every cell is display-ready text written by :mod:`blinacli.views.formatting`, with the
source ids it was read in. Outcomes line up by endpoint, timepoint and analysis
population, so the same analysis sits on one row whichever study reports it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from blinacli.base.errors import UsageError
from blinacli.model import (
    ENDPOINT_NAMES,
    AdverseEvent,
    Outcome,
    SafetyStatement,
    Study,
    Timepoint,
)
from blinacli.model.vocabulary import ENDPOINTS
from blinacli.views import compare_cells as study_cells
from blinacli.views import formatting as fmt
from blinacli.views.compare_cells import CompareCell as CompareCell
from blinacli.views.comparisons import direction_note, ordered_results, outcome_notes
from blinacli.views.covered import credit_for
from blinacli.views.derived import MARK, cell_texts, figure_json, outcome_figures

SECTIONS = ("citation", "design", "population", "dosing", "follow-up", "outcomes", "safety")
TITLES = {
    "citation": "Citation and sources",
    "design": "Design",
    "population": "Population",
    "dosing": "Dosing",
    "follow-up": "Follow-up",
    "outcomes": "Outcomes",
    "safety": "Safety",
}


@dataclass(frozen=True)
class CompareRow:
    """One item across the studies; ``differs`` when the cells' texts are not all equal."""

    label: str
    cells: list[CompareCell]
    differs: bool
    group: str | None = None
    """The heading of a block of rows, e.g. the endpoint "Overall survival"."""


@dataclass(frozen=True)
class CompareSection:
    name: str
    title: str
    rows: list[CompareRow]


@dataclass(frozen=True)
class CompareStudy:
    id: str
    acronym: str
    author_year: str


@dataclass(frozen=True)
class CompareView:
    """What ``compare`` shows: the studies (one column each) and the sections asked for."""

    studies: list[CompareStudy]
    sections: list[CompareSection]

    def to_json(self) -> dict[str, Any]:
        """The view as data, in this stable shape::

            {"studies": [{"id", "acronym", "author_year"}, ...],
             "sections": [{"name", "title",
                           "rows": [{"group", "label", "differs",
                                     "cells": [{"study", "text", "sources", "derived"}]}]}]}

        ``cells`` follow ``studies`` in order; ``group`` is null outside outcome blocks;
        ``derived`` holds each derived figure with its numbers, as ``show`` writes them.
        """
        ids = [study.id for study in self.studies]
        return {
            "studies": [
                {"id": s.id, "acronym": s.acronym, "author_year": s.author_year}
                for s in self.studies
            ],
            "sections": [
                {
                    "name": section.name,
                    "title": section.title,
                    "rows": [_row_json(row, ids) for row in section.rows],
                }
                for section in self.sections
            ],
        }

    def to_csv(self) -> tuple[list[str], list[list[str]]]:
        """A header (section, group, row, differs, one column per study id) and the rows."""
        header = ["section", "group", "row", "differs", *(s.id for s in self.studies)]
        records = [
            [
                section.name,
                row.group or "",
                row.label,
                "true" if row.differs else "false",
                *(_cell_csv(cell) for cell in row.cells),
            ]
            for section in self.sections
            for row in section.rows
        ]
        return header, records


def _cell_csv(cell: CompareCell) -> str:
    return " ".join([cell.text, *(f"{MARK} {d}" for d in cell.derived)])


def _row_json(row: CompareRow, ids: list[str]) -> dict[str, Any]:
    return {
        "group": row.group,
        "label": row.label,
        "differs": row.differs,
        "cells": [
            {
                "study": study,
                "text": cell.text,
                "sources": list(cell.sources),
                "derived": [figure_json(figure) for figure in cell.figures],
            }
            for study, cell in zip(ids, row.cells, strict=True)
        ],
    }


def compare_view(studies: list[Study], sections: Sequence[str] | None = None) -> CompareView:
    """Compare ``studies`` (two or more) in ``sections`` (default: all, in SECTIONS order).

    Raises :class:`UsageError` for fewer than two studies or an unknown section.
    """
    if len(studies) < 2:
        raise UsageError("compare needs at least two studies")
    wanted = _sections(sections)
    return CompareView(
        studies=[
            CompareStudy(s.id, s.acronym, f"{s.citation.authors[0]} {s.citation.year}")
            for s in studies
        ],
        sections=[
            CompareSection(name, TITLES[name], _BUILDERS[name](studies))
            for name in SECTIONS
            if name in wanted
        ],
    )


def _sections(names: Sequence[str] | None) -> set[str]:
    if not names:
        return set(SECTIONS)
    wanted = {name.strip().casefold() for name in names}
    unknown = sorted(wanted - set(SECTIONS))
    if unknown:
        raise UsageError(
            f"unknown section{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(repr(u) for u in unknown)}; "
            f"sections: {', '.join(SECTIONS)}"
        )
    return wanted


# --- rows ------------------------------------------------------------------------------


def _row(label: str, cells: list[CompareCell], group: str | None = None) -> CompareRow:
    differs = len({cell.text for cell in cells}) > 1
    return CompareRow(label, cells, differs, group)


Cell = Callable[[Study], CompareCell]


def _rows(studies: list[Study], items: list[tuple[str, Cell]]) -> list[CompareRow]:
    return [_row(label, [cell(s) for s in studies]) for label, cell in items]


# --- citation --------------------------------------------------------------------------


def _citation(studies: list[Study]) -> list[CompareRow]:
    return _rows(
        studies,
        [
            ("Title", lambda s: CompareCell(s.title, [])),
            ("Citation", study_cells.citation_cell),
            ("First author, year", study_cells.author_year),
            ("Journal", study_cells.journal),
            ("Source kinds", study_cells.source_kinds),
            ("Registry ids", study_cells.registrations),
            ("DOI", lambda s: study_cells.identifier(s, s.citation.doi)),
            ("PMID", lambda s: study_cells.identifier(s, s.citation.pmid)),
        ],
    )


# --- design ----------------------------------------------------------------------------


def _design(studies: list[Study]) -> list[CompareRow]:
    return _rows(
        studies,
        [
            ("Phase", study_cells.phase),
            ("Allocation", study_cells.allocation),
            ("Allocation ratio", study_cells.allocation_ratio),
            ("Masking", study_cells.masking),
            ("Status", study_cells.status),
            ("Arms", study_cells.arms),
            ("Primary endpoints", study_cells.primary_endpoints),
            ("N", study_cells.size),
        ],
    )


# --- population ------------------------------------------------------------------------


def _population(studies: list[Study]) -> list[CompareRow]:
    return _rows(
        studies,
        [
            ("Disease", study_cells.disease),
            ("Age", study_cells.age),
            ("Philadelphia / BCR::ABL1", study_cells.philadelphia),
            ("Disease status", study_cells.disease_status),
            ("MRD criterion", study_cells.mrd),
            ("MRD, source's wording", study_cells.mrd_wording),
            ("MRD method and tissue", study_cells.mrd_measurement),
            ("Subgroups", study_cells.subgroups),
        ],
    )


# --- dosing ----------------------------------------------------------------------------


def _dosing(studies: list[Study]) -> list[CompareRow]:
    return _rows(studies, study_cells.DOSING)


# --- follow-up -------------------------------------------------------------------------


def _follow_up(studies: list[Study]) -> list[CompareRow]:
    return _rows(studies, [("Median follow-up", study_cells.median_follow_up)])


# --- outcomes --------------------------------------------------------------------------

AnalysisKey = tuple[str, object, str | None]
"""(endpoint, timepoint, population): the same analysis in any study."""


def _analysis_key(outcome: Outcome) -> AnalysisKey:
    endpoint: str = outcome.endpoint
    if endpoint == "other":  # "other" endpoints only line up when their labels do
        endpoint = f"other: {outcome.label.casefold()}"
    return endpoint, _timepoint_key(outcome.timepoint), outcome.population


def _timepoint_key(timepoint: Timepoint | None) -> object:
    if timepoint is None:
        return None
    if timepoint.value is not None:
        return (timepoint.value, timepoint.unit)
    return timepoint.label.strip().casefold()


def _outcomes(studies: list[Study]) -> list[CompareRow]:
    keys: dict[AnalysisKey, tuple[Study, Outcome]] = {}
    for study in studies:
        for outcome in study.outcomes:
            keys.setdefault(_analysis_key(outcome), (study, outcome))
    order = sorted(keys, key=lambda k: ENDPOINTS.index(keys[k][1].endpoint))
    rows = []
    for key in order:
        study, first = keys[key]
        cells = [_analysis_cell(s, key) for s in studies]
        rows.append(_row(_analysis_label(study, first), cells, _endpoint_heading(first)))
    return rows


def _endpoint_heading(outcome: Outcome) -> str:
    name = outcome.label if outcome.endpoint == "other" else ENDPOINT_NAMES[outcome.endpoint]
    return name[:1].upper() + name[1:]


def _analysis_label(study: Study, outcome: Outcome) -> str:
    timepoint = outcome.timepoint.label if outcome.timepoint else "no timepoint"
    if outcome.analysis is not None:
        population = study.analysis_label(outcome)
    elif outcome.population == "all":
        population = "whole population"
    elif outcome.population is None:
        population = "population not stated"
    else:
        population = study.population_label(outcome.population)
    return f"{timepoint}; {population}"


def _analysis_cell(study: Study, key: AnalysisKey) -> CompareCell:
    matches = [o for o in study.outcomes if _analysis_key(o) == key]
    if not matches:
        return CompareCell(study_cells.NOT_REPORTED, [])
    cells = [_outcome_cell(study, o) for o in matches]
    if len(cells) == 1:
        return cells[0]
    # Two analyses of one study on one row: each keeps the source's label.
    text = " / ".join(f"{o.label}: {c.text}" for o, c in zip(matches, cells, strict=True))
    return CompareCell(
        text,
        list(dict.fromkeys(s for c in cells for s in c.sources)),
        [d for c in cells for d in c.derived],
        [f for c in cells for f in c.figures],
    )


def _outcome_cell(study: Study, outcome: Outcome) -> CompareCell:
    """E.g. "Blinatumomab + chemotherapy 85% vs Chemotherapy alone 68%; HR 0.41 (…); P = 0.002"."""
    results = ordered_results(study, outcome)  # the intervention first, whatever the file's order
    parts = [
        " vs ".join(
            f"{study.group_label(r.group)} {fmt.result(r)}{fmt.unconfirmed_mark(r.unconfirmed)}"
            for r in results
        )
    ]
    sources = [s for r in results for s in credit_for(r.cite, r)]
    comparison = outcome.comparison
    if comparison is not None:
        text = fmt.comparison(comparison) + direction_note(study, comparison)
        text += fmt.unconfirmed_mark(comparison.unconfirmed)
        shown = [r.group for r in results]
        if sorted(shown) != sorted(comparison.groups):  # name the groups unless shown
            names = " vs ".join(study.group_label(g) for g in comparison.groups)
            text = f"{names}: {text}"
        parts.append(text)
        sources += credit_for(comparison.cite, comparison)
    # The outcome's own notes are the curator's; a result's and a comparison's go with them.
    parts += [note for note in outcome_notes(study, outcome) if note not in outcome.notes]
    figures = outcome_figures(study, outcome)
    text = "; ".join(p for p in parts if p)
    return CompareCell(text, list(dict.fromkeys(sources)), cell_texts(figures), figures)


# --- safety ----------------------------------------------------------------------------


def _safety(studies: list[Study]) -> list[CompareRow]:
    categories: dict[str, str] = {}
    for study in studies:
        for item in study.safety:
            categories.setdefault(item.category.casefold(), item.category)
    if not categories:
        return [_row("Safety data", [CompareCell(study_cells.NONE_RECORDED, []) for _ in studies])]
    return [
        _row(label[:1].upper() + label[1:], [_safety_cell(s, key) for s in studies])
        for key, label in categories.items()
    ]


def _safety_cell(study: Study, category: str) -> CompareCell:
    if not study.safety:
        return CompareCell(study_cells.NONE_RECORDED, [])
    items = [i for i in study.safety if i.category.casefold() == category]
    if not items:
        return CompareCell(study_cells.NOT_REPORTED, [])
    parts: list[tuple[str, list[str]]] = []
    for arm in dict.fromkeys(i.arm for i in items):
        in_arm = [i for i in items if i.arm == arm]
        text = "; ".join(_safety_item(i) for i in in_arm)
        if arm is not None and len(study.design.arms) > 1:
            text = f"{study.group_label(arm)} — {text}"
        parts.append((text, [s for i in in_arm for s in _safety_sources(i)]))
    return study_cells.joined(parts, study_cells.NOT_REPORTED)


def _safety_sources(item: AdverseEvent | SafetyStatement) -> list[str]:
    if isinstance(item, SafetyStatement):
        return credit_for(item.cite, text=item.text)
    return credit_for(item.cite, item)


def _safety_item(item: AdverseEvent | SafetyStatement) -> str:
    if isinstance(item, SafetyStatement):
        return item.text
    grade = fmt.grade_phrase(item.grade)
    if item.term:
        grade = f"{item.term}, {grade}"
    text = f"{grade}: {_event_count(item)}"
    return f"{text}, {item.timing}" if item.timing else text


def _event_count(event: AdverseEvent) -> str:
    """12 (10%), 22/100 (22%), 2, or 2.5%: as reported, nothing derived."""
    if event.n is None:
        text = fmt.percent(event.percent) if event.percent is not None else ""
        return f"{text} of {event.total}" if event.total is not None else text
    count = f"{event.n}/{event.total}" if event.total is not None else str(event.n)
    return f"{count} ({fmt.percent(event.percent)})" if event.percent is not None else count


_BUILDERS: dict[str, Callable[[list[Study]], list[CompareRow]]] = {
    "citation": _citation,
    "design": _design,
    "population": _population,
    "dosing": _dosing,
    "follow-up": _follow_up,
    "outcomes": _outcomes,
    "safety": _safety,
}
