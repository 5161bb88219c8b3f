"""The compare view: studies side by side, one column per study, rows grouped in sections.

Every cell is display-ready text written by :mod:`blinacli.views.formatting`, with the
source ids it was read in. Outcomes line up by endpoint, timepoint and analysis
population, so the same analysis sits on one row whichever study reports it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from blinacli.base.errors import UsageError
from blinacli.model import (
    ENDPOINT_NAMES,
    AdverseEvent,
    Outcome,
    Quote,
    Regimen,
    SafetyStatement,
    Study,
    Timepoint,
    source_ids,
)
from blinacli.model.vocabulary import ENDPOINTS
from blinacli.views import formatting as fmt
from blinacli.views import phrases, regimens
from blinacli.views.derived import MARK, DerivedFigure, cell_texts, figure_json, outcome_figures
from blinacli.views.phrases import citation_text, study_size

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
    figures: list[DerivedFigure] = field(default_factory=list)
    """The same derived figures with their numbers, for JSON."""


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


def _joined(parts: list[tuple[str, list[Quote]]], empty: str) -> CompareCell:
    """Several texts in one cell, separated by semicolons, with all their sources."""
    if not parts:
        return CompareCell(empty, [])
    return CompareCell("; ".join(t for t, _ in parts), source_ids(q for _, c in parts for q in c))


# --- citation --------------------------------------------------------------------------


def _citation(studies: list[Study]) -> list[CompareRow]:
    return _rows(
        studies,
        [
            ("Title", lambda s: CompareCell(s.title, [])),
            ("Citation", lambda s: CompareCell(citation_text(s), source_ids(s.citation.cite))),
            ("First author, year", _author_year),
            ("Journal", lambda s: CompareCell(s.citation.journal, source_ids(s.citation.cite))),
            ("Source kinds", _source_kinds),
            ("Registry ids", _registrations),
            ("DOI", lambda s: _identifier(s, s.citation.doi)),
            ("PMID", lambda s: _identifier(s, s.citation.pmid)),
        ],
    )


def _author_year(study: Study) -> CompareCell:
    text = f"{study.citation.authors[0]} {study.citation.year}"
    return CompareCell(text, source_ids(study.citation.cite))


def _source_kinds(study: Study) -> CompareCell:
    kinds = dict.fromkeys(fmt.words(s.kind).replace("-", " ") for s in study.sources)
    return CompareCell("; ".join(kinds), [s.id for s in study.sources])


def _registrations(study: Study) -> CompareCell:
    parts = []
    for reg in study.registrations:
        text = f"{reg.registry} {reg.id}"
        if reg.secondary_ids:
            text += f" (also {', '.join(reg.secondary_ids)})"
        parts.append((text, reg.cite))
    return _joined(parts, NONE_RECORDED)


def _identifier(study: Study, value: str | None) -> CompareCell:
    if value is None:
        return CompareCell(NONE_RECORDED, [])
    return CompareCell(value, source_ids(study.citation.cite))


# --- design ----------------------------------------------------------------------------


def _design(studies: list[Study]) -> list[CompareRow]:
    return _rows(
        studies,
        [
            ("Phase", lambda s: CompareCell(str(s.design.phase), source_ids(s.design.cite))),
            ("Allocation", lambda s: CompareCell(s.design.allocation, source_ids(s.design.cite))),
            ("Allocation ratio", _ratio),
            ("Masking", _masking),
            ("Status", _status),
            ("Arms", _arms),
            ("Primary endpoints", _primary_endpoints),
            ("N", _size),
        ],
    )


def _masking(study: Study) -> CompareCell:
    masking = study.design.masking
    return (
        CompareCell(masking, source_ids(study.design.cite))
        if masking
        else CompareCell(NOT_STATED, [])
    )


def _ratio(study: Study) -> CompareCell:
    ratio = study.design.allocation_ratio
    if ratio is None:
        return CompareCell(NOT_STATED, [])
    return CompareCell(phrases.ratio_text(study, ratio), source_ids(ratio.cite))


def _status(study: Study) -> CompareCell:
    status = study.status
    if status is None:
        return CompareCell(NOT_STATED, [])
    return CompareCell(phrases.status_text(status), source_ids(status.cite))


def _arms(study: Study) -> CompareCell:
    parts = [(f"{arm.label} ({arm.role})", arm.cite) for arm in study.design.arms]
    return _joined(parts, NOT_STATED)


def _primary_endpoints(study: Study) -> CompareCell:
    parts = [(e.label, e.cite) for e in study.design.endpoints if e.role == "primary"]
    return _joined(parts, NOT_STATED)


def _size(study: Study) -> CompareCell:
    size = study_size(study)
    if size is None:
        return CompareCell(NOT_REPORTED, [])
    stage, n = size
    entry = next(e for e in study.design.enrollment if e.arm is None and e.stage == stage)
    return CompareCell(f"{n} {stage}", source_ids(entry.cite))


# --- population ------------------------------------------------------------------------


def _population(studies: list[Study]) -> list[CompareRow]:
    return _rows(
        studies,
        [
            ("Disease", _disease),
            ("Age", _age),
            ("Philadelphia / BCR::ABL1", _philadelphia),
            ("Disease status", _disease_status),
            ("MRD criterion", _mrd),
            ("MRD, source's wording", _mrd_wording),
            ("MRD method and tissue", _mrd_measurement),
            ("Subgroups", _subgroups),
        ],
    )


def _disease(study: Study) -> CompareCell:
    p = study.population
    text = p.disease + (f" ({p.abbreviation})" if p.abbreviation else "")
    return CompareCell(text, source_ids(p.cite))


def _age(study: Study) -> CompareCell:
    age = study.population.age
    return CompareCell(fmt.age(age), source_ids(age.cite)) if age else CompareCell(NOT_REPORTED, [])


def _philadelphia(study: Study) -> CompareCell:
    ph = study.population.philadelphia
    text = NOT_REPORTED if ph.status == "not-reported" else ph.status
    if ph.wording:
        text += f" ({ph.wording})"
    return CompareCell(text, source_ids(ph.cite))


def _disease_status(study: Study) -> CompareCell:
    p = study.population
    return CompareCell(
        p.disease_status or NOT_STATED, source_ids(p.cite) if p.disease_status else []
    )


def _mrd(study: Study) -> CompareCell:
    mrd = study.population.mrd
    return CompareCell(fmt.mrd(mrd), source_ids(mrd.cite)) if mrd else CompareCell(NOT_STATED, [])


def _mrd_wording(study: Study) -> CompareCell:
    mrd = study.population.mrd
    return CompareCell(mrd.wording, source_ids(mrd.cite)) if mrd else CompareCell(NOT_STATED, [])


def _mrd_measurement(study: Study) -> CompareCell:
    mrd = study.population.mrd
    if mrd is None:
        return CompareCell("no MRD criterion", [])
    method = f"method: {mrd.method}" if mrd.method else "method not stated"
    tissue = f"tissue: {mrd.tissue}" if mrd.tissue else "tissue not stated"
    return CompareCell(f"{method}; {tissue}", source_ids(mrd.cite))


def _subgroups(study: Study) -> CompareCell:
    parts = [
        (sub.label + (f", n = {sub.n}" if sub.n is not None else ", n not reported"), sub.cite)
        for sub in study.population.subgroups
    ]
    return _joined(parts, "none defined")


# --- dosing ----------------------------------------------------------------------------


def _dosing(studies: list[Study]) -> list[CompareRow]:
    return _rows(
        studies,
        [
            ("Dose", lambda s: _regimens(s, regimens.dose_text, always=True)),
            ("Route", lambda s: _regimens(s, regimens.route_text)),
            ("Schedule", lambda s: _regimens(s, regimens.schedule_text)),
            ("Cycles", lambda s: _regimens(s, regimens.cycles_text)),
            ("Combined with", lambda s: _regimens(s, lambda r: "; ".join(r.combined_with))),
            ("Transplant", lambda s: _regimens(s, regimens.transplant_text)),
            ("Dosing notes", lambda s: _regimens(s, lambda r: r.note)),
        ],
    )


def _regimens(
    study: Study, describe: Callable[[Regimen], str | None], *, always: bool = False
) -> CompareCell:
    """Each regimen that states the item, named as :func:`_regimen_name` says."""
    if not study.dosing:
        return CompareCell("no dosing recorded", [])
    parts = []
    for regimen in study.dosing:
        value = describe(regimen)
        if value or always:
            name = _regimen_name(study, regimen, with_drug=not always)
            parts.append((f"{name}: {value}" if name else str(value), regimen.cite))
    return _joined(parts, NOT_STATED)


def _regimen_name(study: Study, regimen: Regimen, *, with_drug: bool) -> str:
    """The arm's label when there are several arms, and the drug when its arm has several."""
    parts = [study.group_label(regimen.arm)] if len(study.design.arms) > 1 else []
    if with_drug and sum(r.arm == regimen.arm for r in study.dosing) > 1:
        parts.append(regimen.drug)
    return ", ".join(parts)


# --- follow-up -------------------------------------------------------------------------


def _follow_up(studies: list[Study]) -> list[CompareRow]:
    return _rows(studies, [("Median follow-up", _median_follow_up)])


def _median_follow_up(study: Study) -> CompareCell:
    parts = [
        (
            (f"{study.group_label(f.arm)}: " if f.arm else "") + f"{fmt.number(f.median)} {f.unit}",
            f.cite,
        )
        for f in study.design.follow_ups()
    ]
    return _joined(parts, NOT_REPORTED)


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
    if outcome.population == "all":
        population = "whole population"
    elif outcome.population is None:
        population = "population not stated"
    else:
        population = study.population_label(outcome.population)
    return f"{timepoint}; {population}"


def _analysis_cell(study: Study, key: AnalysisKey) -> CompareCell:
    matches = [o for o in study.outcomes if _analysis_key(o) == key]
    if not matches:
        return CompareCell(NOT_REPORTED, [])
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
    parts = [" vs ".join(f"{study.group_label(r.group)} {fmt.result(r)}" for r in outcome.results)]
    cites = [q for r in outcome.results for q in r.cite]
    comparison = outcome.comparison
    if comparison is not None:
        text = fmt.comparison(comparison)
        shown = [r.group for r in outcome.results]
        if shown != comparison.groups:  # name the groups unless the results are exactly them
            names = " vs ".join(study.group_label(g) for g in comparison.groups)
            text = f"{names}: {text}"
        parts.append(text)
        cites += comparison.cite
    figures = outcome_figures(study, outcome)
    text = "; ".join(p for p in parts if p)
    return CompareCell(text, source_ids(cites), cell_texts(figures), figures)


# --- safety ----------------------------------------------------------------------------


def _safety(studies: list[Study]) -> list[CompareRow]:
    categories: dict[str, str] = {}
    for study in studies:
        for item in study.safety:
            categories.setdefault(item.category.casefold(), item.category)
    if not categories:
        return [_row("Safety data", [CompareCell(NONE_RECORDED, []) for _ in studies])]
    return [
        _row(label[:1].upper() + label[1:], [_safety_cell(s, key) for s in studies])
        for key, label in categories.items()
    ]


def _safety_cell(study: Study, category: str) -> CompareCell:
    if not study.safety:
        return CompareCell(NONE_RECORDED, [])
    items = [i for i in study.safety if i.category.casefold() == category]
    if not items:
        return CompareCell(NOT_REPORTED, [])
    parts: list[tuple[str, list[Quote]]] = []
    for arm in dict.fromkeys(i.arm for i in items):
        in_arm = [i for i in items if i.arm == arm]
        text = "; ".join(_safety_item(i) for i in in_arm)
        if arm is not None and len(study.design.arms) > 1:
            text = f"{study.group_label(arm)} — {text}"
        parts.append((text, [q for i in in_arm for q in i.cite]))
    return _joined(parts, NOT_REPORTED)


def _safety_item(item: AdverseEvent | SafetyStatement) -> str:
    if isinstance(item, SafetyStatement):
        return item.text
    grade = "any grade" if item.grade == "any" else f"grade {item.grade}"
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
