"""One study's cell on each row of ``compare``'s citation, design, population, dosing and
follow-up sections: the text shown and the sources that state it.

Each cell is credited to the quotes that hold its own figures
(:func:`blinacli.views.covered.credit_for`), not to every quote of its block.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from blinacli.model import Regimen, Study
from blinacli.views import formatting as fmt
from blinacli.views import phrases, regimens
from blinacli.views.covered import credit_for
from blinacli.views.derived import DerivedFigure
from blinacli.views.phrases import citation_text, study_size

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


def citation_cell(study: Study) -> CompareCell:
    c = study.citation
    return CompareCell(citation_text(study), credit_for(c.cite, c, text=c.title))


def journal(study: Study) -> CompareCell:
    c = study.citation
    return CompareCell(c.journal, credit_for(c.cite, text=c.journal))


def author_year(study: Study) -> CompareCell:
    c = study.citation
    text = f"{c.authors[0]} {c.year}"
    return CompareCell(text, credit_for(c.cite, c.year, text=c.authors[0]))


def source_kinds(study: Study) -> CompareCell:
    kinds = dict.fromkeys(fmt.words(s.kind).replace("-", " ") for s in study.sources)
    return CompareCell("; ".join(kinds), [s.id for s in study.sources])


def registrations(study: Study) -> CompareCell:
    parts = []
    for reg in study.registrations:
        text = f"{reg.registry} {reg.id}"
        if reg.secondary_ids:
            text += f" (also {', '.join(reg.secondary_ids)})"
        parts.append((text, credit_for(reg.cite, reg, text=[reg.id, *reg.secondary_ids])))
    return joined(parts, NONE_RECORDED)


def identifier(study: Study, value: str | None) -> CompareCell:
    if value is None:
        return CompareCell(NONE_RECORDED, [])
    return CompareCell(value, credit_for(study.citation.cite, value, text=value))


def phase(study: Study) -> CompareCell:
    d = study.design
    return CompareCell(str(d.phase), credit_for(d.cite, d.phase))


def allocation(study: Study) -> CompareCell:
    d = study.design
    return CompareCell(d.allocation, credit_for(d.cite, text=d.allocation))


def masking(study: Study) -> CompareCell:
    masking = study.design.masking
    return (
        CompareCell(masking, credit_for(study.design.cite, text=masking))
        if masking
        else CompareCell(NOT_STATED, [])
    )


def allocation_ratio(study: Study) -> CompareCell:
    ratio = study.design.allocation_ratio
    if ratio is None:
        return CompareCell(NOT_STATED, [])
    return CompareCell(phrases.ratio_text(study, ratio), credit_for(ratio.cite, ratio))


def status(study: Study) -> CompareCell:
    status = study.status
    if status is None:
        return CompareCell(NOT_STATED, [])
    sources = credit_for(status.cite, status, text=status.reason)
    return CompareCell(phrases.status_text(status), sources)


def arms(study: Study) -> CompareCell:
    parts = [
        (f"{arm.label} ({arm.role})", credit_for(arm.cite, arm, text=arm.label))
        for arm in study.design.arms
    ]
    return joined(parts, NOT_STATED)


def primary_endpoints(study: Study) -> CompareCell:
    parts = [
        (e.label, credit_for(e.cite, e, text=e.label))
        for e in study.design.endpoints
        if e.role == "primary"
    ]
    return joined(parts, NOT_STATED)


def size(study: Study) -> CompareCell:
    size = study_size(study)
    if size is None:
        return CompareCell(NOT_REPORTED, [])
    stage, n = size
    entry = next(e for e in study.design.enrollment if e.arm is None and e.stage == stage)
    return CompareCell(f"{n} {stage}", credit_for(entry.cite, entry.n))


def disease(study: Study) -> CompareCell:
    p = study.population
    text = p.disease + (f" ({p.abbreviation})" if p.abbreviation else "")
    return CompareCell(text, credit_for(p.cite, text=[p.disease, p.abbreviation]))


def age(study: Study) -> CompareCell:
    age = study.population.age
    if age is None:
        return CompareCell(NOT_REPORTED, [])
    return CompareCell(fmt.age(age), credit_for(age.cite, age, text=age.description))


def philadelphia(study: Study) -> CompareCell:
    ph = study.population.philadelphia
    text = NOT_REPORTED if ph.status == "not-reported" else ph.status
    if ph.wording:
        text += f" ({ph.wording})"
    return CompareCell(text, credit_for(ph.cite, ph, text=ph.wording))


def disease_status(study: Study) -> CompareCell:
    p = study.population
    if not p.disease_status:
        return CompareCell(NOT_STATED, [])
    return CompareCell(p.disease_status, credit_for(p.cite, text=p.disease_status))


def mrd(study: Study) -> CompareCell:
    mrd = study.population.mrd
    if mrd is None:
        return CompareCell(NOT_STATED, [])
    return CompareCell(fmt.mrd(mrd), credit_for(mrd.cite, mrd, text=mrd.wording))


def mrd_wording(study: Study) -> CompareCell:
    mrd = study.population.mrd
    if mrd is None:
        return CompareCell(NOT_STATED, [])
    return CompareCell(mrd.wording, credit_for(mrd.cite, text=mrd.wording))


def mrd_measurement(study: Study) -> CompareCell:
    mrd = study.population.mrd
    if mrd is None:
        return CompareCell("no MRD criterion", [])
    method = f"method: {mrd.method}" if mrd.method else "method not stated"
    tissue = f"tissue: {mrd.tissue}" if mrd.tissue else "tissue not stated"
    if mrd.method is None and mrd.tissue is None:
        return CompareCell(f"{method}; {tissue}", [])
    return CompareCell(f"{method}; {tissue}", credit_for(mrd.cite, text=[mrd.method, mrd.tissue]))


def subgroups(study: Study) -> CompareCell:
    parts = [
        (
            sub.label + (f", n = {sub.n}" if sub.n is not None else ", n not reported"),
            credit_for(sub.cite, sub, text=[sub.label, sub.defined_by]),
        )
        for sub in study.population.subgroups
    ]
    return joined(parts, "none defined")


def dose_sources(regimen: Regimen) -> list[str]:
    return credit_for(regimen.cite, regimen.dose) if regimen.dose is not None else []


def route_sources(regimen: Regimen) -> list[str]:
    return credit_for(regimen.cite, text=regimens.route_text(regimen))


def schedule_sources(regimen: Regimen) -> list[str]:
    return credit_for(regimen.cite, regimen.schedule)


def cycles_sources(regimen: Regimen) -> list[str]:
    return credit_for(regimen.cite, regimen.cycles)


def combined_sources(regimen: Regimen) -> list[str]:
    return credit_for(regimen.cite, text=regimen.combined_with)


def transplant_sources(regimen: Regimen) -> list[str]:
    timing = regimen.transplant.timing if regimen.transplant is not None else None
    return credit_for(regimen.cite, regimen.transplant, text=timing)


def regimen_cell(
    study: Study,
    describe: Callable[[Regimen], str | None],
    sources: Callable[[Regimen], list[str]],
    *,
    always: bool = False,
) -> CompareCell:
    """Each regimen that states the item, named as :func:`regimen_name` says, with the
    sources that state that item."""
    if not study.dosing:
        return CompareCell("no dosing recorded", [])
    parts = []
    for regimen in study.dosing:
        value = describe(regimen)
        if value or always:
            name = regimen_name(study, regimen, with_drug=not always)
            parts.append((f"{name}: {value}" if name else str(value), sources(regimen)))
    return joined(parts, NOT_STATED)


def regimen_name(study: Study, regimen: Regimen, *, with_drug: bool) -> str:
    """The arm's label when there are several arms, and the drug when its arm has several."""
    parts = [study.group_label(regimen.arm)] if len(study.design.arms) > 1 else []
    if with_drug and sum(r.arm == regimen.arm for r in study.dosing) > 1:
        parts.append(regimen.drug)
    return ", ".join(parts)


def median_follow_up(study: Study) -> CompareCell:
    """The study's median follow-up, or each arm's ("Fictumab: 14.2 months; ...")."""
    parts = [
        (
            (f"{study.group_label(f.arm)}: " if f.arm else "") + f"{fmt.number(f.median)} {f.unit}",
            credit_for(f.cite, f),
        )
        for f in study.design.follow_ups()
    ]
    return joined(parts, NOT_REPORTED)


def joined(parts: list[tuple[str, list[str]]], empty: str) -> CompareCell:
    """Several texts in one cell, separated by semicolons, with all their sources."""
    if not parts:
        return CompareCell(empty, [])
    sources = list(dict.fromkeys(s for _, ids in parts for s in ids))
    return CompareCell("; ".join(t for t, _ in parts), sources)


def _dose(study: Study) -> CompareCell:
    return regimen_cell(study, regimens.dose_text, dose_sources, always=True)


def _route(study: Study) -> CompareCell:
    return regimen_cell(study, regimens.route_text, route_sources)


def _schedule(study: Study) -> CompareCell:
    return regimen_cell(study, regimens.schedule_text, schedule_sources)


def _cycles(study: Study) -> CompareCell:
    return regimen_cell(study, regimens.cycles_text, cycles_sources)


def _combined(study: Study) -> CompareCell:
    return regimen_cell(study, lambda r: "; ".join(r.combined_with), combined_sources)


def _transplant(study: Study) -> CompareCell:
    return regimen_cell(study, regimens.transplant_text, transplant_sources)


def _dosing_notes(study: Study) -> CompareCell:
    # A regimen's note is the curator's, not read in a source: no mark, as in show.
    return regimen_cell(study, lambda r: r.note, lambda r: [])


DOSING: list[tuple[str, Callable[[Study], CompareCell]]] = [
    ("Dose", _dose),
    ("Route", _route),
    ("Schedule", _schedule),
    ("Cycles", _cycles),
    ("Combined with", _combined),
    ("Transplant", _transplant),
    ("Dosing notes", _dosing_notes),
]
"""The rows of the dosing section: label and cell."""
