"""The ``show`` view: everything about one study, section by section, as plain data.

A view holds display-ready text (written by :mod:`blinacli.views.formatting`) and the
source ids behind each figure. The terminal table, the Markdown and the JSON of
a command all come from the same view, so they cannot disagree.

Views are frozen msgspec Structs rather than dataclasses: a lookup defines a dozen of
them at start-up, and a Struct class is made in a tenth of the time.
"""

from __future__ import annotations

from typing import Any

import msgspec

from blinacli.model import (
    ENDPOINT_NAMES,
    AdverseEvent,
    Outcome,
    SafetyStatement,
    Study,
    Unconfirmed,
    quotes,
)
from blinacli.views import formatting as fmt
from blinacli.views import phrases, regimens
from blinacli.views.comparisons import direction_note, ordered_results, outcome_notes
from blinacli.views.covered import credit_for
from blinacli.views.derived import MARK, DerivedFigure, figure_json, outcome_figures
from blinacli.views.phrases import citation_text


class Item(msgspec.Struct, frozen=True):
    """One labelled fact: ``value`` as shown, and the sources it was read in."""

    label: str
    value: str
    sources: list[str] = msgspec.field(default_factory=list)


class GroupResult(msgspec.Struct, frozen=True):
    group: str
    value: str
    sources: list[str]
    note: str | None = None


class OutcomeView(msgspec.Struct, frozen=True):
    id: str
    label: str
    endpoint: str
    title: str
    """The label, with the endpoint's name added when the label does not contain it."""
    role: str
    population: str
    timepoint: str
    results: list[GroupResult]
    comparison: str | None
    comparison_label: str | None
    """The source's name for the comparison, e.g. "Hazard ratio for death"."""
    comparison_groups: str | None
    """"Intervention vs comparator"."""
    comparison_sources: list[str]
    notes: list[str]
    derived: list[DerivedFigure] = msgspec.field(default_factory=list)
    """Figures derived from this outcome's reported ones (kept apart, shown marked)."""


class EventView(msgspec.Struct, frozen=True):
    category: str
    grade: str
    arm: str
    count: str
    denominator: str
    timing: str
    sources: list[str]
    note: str | None


class StatementView(msgspec.Struct, frozen=True):
    category: str
    arm: str
    text: str
    sources: list[str]
    note: str | None


class ClaimView(msgspec.Struct, frozen=True):
    kind: str
    text: str
    source: str
    attribution: str


class SourceView(msgspec.Struct, frozen=True):
    id: str
    kind: str
    citation: str
    title: str | None
    note: str | None
    confirmed_in: list[str]


class QuoteView(msgspec.Struct, frozen=True):
    about: str
    source: str
    quote: str


class RegimenView(msgspec.Struct, frozen=True):
    arm: str
    items: list[Item]


class StudyView(msgspec.Struct, frozen=True):
    """Everything ``show`` prints, section by section."""

    id: str
    acronym: str
    title: str
    citation: str
    citation_items: list[Item]
    design: list[Item]
    population: list[Item]
    dosing: list[RegimenView]
    outcomes: list[OutcomeView]
    events: list[EventView]
    statements: list[StatementView]
    claims: list[ClaimView]
    limitations: list[ClaimView]
    notes: list[Item]
    sources: list[SourceView]
    quotes: list[QuoteView]

    def to_csv(self) -> tuple[list[str], list[list[str]]]:
        return _study_csv(self)

    def derived_json(self) -> list[dict[str, Any]]:
        """The derived figures, apart from the study as validated: one object each,
        naming the outcome it belongs to, with its text and its numbers."""
        return [{"outcome": o.id, **figure_json(d)} for o in self.outcomes for d in o.derived]


def _study_csv(view: StudyView) -> tuple[list[str], list[list[str]]]:
    """One row per figure or fact that ``show`` prints, with its section and sources."""
    rows: list[list[str]] = []

    def add(section: str, label: str, group: str, value: str, sources: list[str]) -> None:
        rows.append([view.id, section, label, group, value, "; ".join(sources)])

    add("citation", "citation", "", view.citation, [])
    for item in view.citation_items:
        add("citation", item.label, "", item.value, item.sources)
    for section, items in (("design", view.design), ("population", view.population)):
        for item in items:
            add(section, item.label, "", item.value, item.sources)
    for regimen in view.dosing:
        for item in regimen.items:
            add("dosing", item.label, regimen.arm, item.value, item.sources)
    for o in view.outcomes:
        label = f"{o.title}; {o.role}; population: {o.population}; timepoint: {o.timepoint}"
        for r in o.results:
            add("outcomes", label, r.group, r.value, r.sources)
        if o.comparison is not None and o.comparison_groups is not None:
            value = f"{o.comparison_label}: {o.comparison}" if o.comparison_label else o.comparison
            add("outcomes", label, o.comparison_groups, value, o.comparison_sources)
        for d in o.derived:
            add(
                "outcomes",
                label,
                f"{MARK} {d.about}",
                f"{MARK} {d.text}",
                [f"derived from {d.basis}"],
            )
        for text in o.notes:
            add("outcomes", label, "note", text, [])
    for e in view.events:
        value = f"{e.count} of {e.denominator}" + (f"; {e.timing}" if e.timing else "")
        add("safety", f"{e.category}, grade {e.grade}", e.arm, value, e.sources)
        if e.note:
            add("safety", f"{e.category}, grade {e.grade}", "note", e.note, [])
    for s in view.statements:
        add("safety", s.category, s.arm, s.text, s.sources)
        if s.note:
            add("safety", s.category, "note", s.note, [])
    for c in [*view.claims, *view.limitations]:
        add("claims", c.kind, c.attribution, c.text, [c.source])
    for item in view.notes:
        add("notes", item.label, "", item.value, [])
    return ["study", "section", "item", "group", "value", "sources"], rows


def study_view(study: Study) -> StudyView:
    claims = [_claim(study, c.kind, c.text, c.source) for c in study.claims]
    return StudyView(
        id=study.id,
        acronym=study.acronym,
        title=study.title,
        citation=citation_text(study),
        citation_items=_citation_items(study),
        design=_design_items(study),
        population=_population_items(study),
        dosing=_dosing(study),
        outcomes=[outcome_view(study, o) for o in study.outcomes],
        events=[_event(study, s) for s in study.safety if isinstance(s, AdverseEvent)],
        statements=[_statement(study, s) for s in study.safety if isinstance(s, SafetyStatement)],
        claims=[c for c in claims if c.kind != "limitation"],
        limitations=[c for c in claims if c.kind == "limitation"],
        notes=[Item(n.about, n.text) for n in study.notes],
        sources=[
            SourceView(
                s.id,
                fmt.words(s.kind).replace("-", " "),
                s.citation,
                s.title,
                s.note,
                list(s.confirmed_in),
            )
            for s in study.sources
        ],
        quotes=_quote_views(study),
    )


def _citation_items(study: Study) -> list[Item]:
    c = study.citation
    items = []
    for label, value in (("DOI", c.doi), ("PMID", c.pmid), ("PMCID", c.pmcid)):
        if value:
            items.append(Item(label, value, credit_for(c.cite, value, text=value)))
    if c.erratum:
        items.append(Item("Erratum", c.erratum, credit_for(c.cite, text=c.erratum)))
    for reg in study.registrations:
        value = reg.id
        if reg.secondary_ids:
            value += f" (also {', '.join(reg.secondary_ids)})"
        sources = credit_for(reg.cite, reg, text=[reg.id, *reg.secondary_ids])
        items.append(Item(reg.registry, value, sources))
    return items


def _design_items(study: Study) -> list[Item]:
    d = study.design
    items = [
        Item("Phase", str(d.phase), credit_for(d.cite, d.phase)),
        Item("Allocation", d.allocation, credit_for(d.cite, text=d.allocation)),
    ]
    if d.allocation_ratio is not None:
        items.append(
            Item(
                "Allocation ratio",
                phrases.ratio_text(study, d.allocation_ratio),
                credit_for(d.allocation_ratio.cite, d.allocation_ratio),
            )
        )
    masking = credit_for(d.cite, text=d.masking) if d.masking else []
    items.append(Item("Masking", d.masking or "not stated", masking))
    status = study.status
    items.append(
        Item(
            "Status",
            phrases.status_text(status) if status else "not stated",
            credit_for(status.cite, status, text=status.reason) if status else [],
        )
    )
    for arm in d.arms:
        text = f"{arm.label} ({arm.role})"
        if arm.description:
            text += f": {arm.description}"
        sources = credit_for(arm.cite, arm, text=[arm.label, arm.description])
        items.append(Item(f"Arm {arm.id}", text, sources))
    for endpoint in d.endpoints:
        role = (
            "Endpoint (role not stated)"
            if endpoint.role == "not-stated"
            else (f"{endpoint.role.capitalize()} endpoint")
        )
        text = endpoint.label + (f" — {endpoint.definition}" if endpoint.definition else "")
        sources = credit_for(endpoint.cite, endpoint, text=endpoint.label)
        items.append(Item(role, text, sources))
    for stage in d.enrollment:
        label = fmt.words(stage.stage).capitalize()
        if stage.arm:
            label += f", {study.group_label(stage.arm)}"
        value = str(stage.n)
        if stage.percent is not None:
            value += f" ({fmt.percent(stage.percent)})"
        if stage.note:
            value += f" — {stage.note}"
        if stage.unconfirmed:
            value += f" ({fmt.unconfirmed(stage.unconfirmed)})"
        items.append(Item(label, value, credit_for(stage.cite, stage)))
    for follow_up in d.follow_ups():
        label = "Median follow-up"
        if follow_up.arm:
            label += f", {study.group_label(follow_up.arm)}"
        value = f"{fmt.number(follow_up.median)} {follow_up.unit}"
        if follow_up.note:
            value += f" — {follow_up.note}"
        items.append(Item(label, value, credit_for(follow_up.cite, follow_up)))
    return items


def _population_items(study: Study) -> list[Item]:
    p = study.population
    disease = p.disease + (f" ({p.abbreviation})" if p.abbreviation else "")
    items = [Item("Disease", disease, credit_for(p.cite, text=[p.disease, p.abbreviation]))]
    if p.lineage:
        items.append(Item("Lineage", p.lineage, credit_for(p.cite, text=p.lineage)))
    if p.age is not None:
        sources = credit_for(p.age.cite, p.age, text=p.age.description)
        items.append(Item("Age", fmt.age(p.age), sources))
    ph = p.philadelphia
    ph_text = fmt.words(ph.status.replace("not-reported", "not reported"))
    if ph.wording:
        ph_text += f" ({ph.wording})"
    if ph.note:
        ph_text += f" — {ph.note}"
    sources = credit_for(ph.cite, ph, text=ph.wording)
    items.append(Item("Philadelphia / BCR::ABL1", ph_text, sources))
    if p.disease_status:
        sources = credit_for(p.cite, text=p.disease_status)
        items.append(Item("Disease status", p.disease_status, sources))
    if p.mrd is not None:
        m = p.mrd
        text = f"{fmt.mrd(m)} (source: “{m.wording}”)"
        extras = [
            f"method: {m.method}" if m.method else "method not stated",
            f"tissue: {m.tissue}" if m.tissue else "tissue not stated",
        ]
        sources = credit_for(m.cite, m, text=m.wording)
        items.append(Item("MRD criterion", f"{text}; {'; '.join(extras)}", sources))
    for sub in p.subgroups:
        value = sub.label + (f", n = {sub.n}" if sub.n is not None else ", n not reported")
        if sub.defined_by:
            value += f" ({sub.defined_by})"
        sources = credit_for(sub.cite, sub, text=[sub.label, sub.defined_by])
        items.append(Item(f"Subgroup {sub.id}", value, sources))
    return items


def _dosing(study: Study) -> list[RegimenView]:
    views = []
    for regimen in study.dosing:
        cite = regimen.cite
        items = [Item("Drug", regimen.drug, credit_for(cite, text=regimen.drug))]
        if regimen.dose is not None:
            items.append(Item("Dose", fmt.dose(regimen.dose), credit_for(cite, regimen.dose)))
        else:
            items.append(Item("Dose", "not stated"))
        if regimen.route:
            route = regimens.route_text(regimen)
            items.append(Item("Route", fmt.route(regimen.route), credit_for(cite, text=route)))
        if regimen.schedule is not None:
            text = regimens.schedule_text(regimen) or ""
            items.append(Item("Schedule", text, credit_for(cite, regimen.schedule)))
        if regimen.cycles:
            text = regimens.cycles_text(regimen) or ""
            items.append(Item("Cycles", text, credit_for(cite, regimen.cycles)))
        if regimen.combined_with:
            sources = credit_for(cite, text=regimen.combined_with)
            items.append(Item("Combined with", "; ".join(regimen.combined_with), sources))
        if regimen.transplant is not None:
            t = regimen.transplant
            text = regimens.transplant_text(regimen) or ""
            items.append(Item("Transplant", text, credit_for(cite, t, text=t.timing)))
        if regimen.note:
            items.append(Item("Note", regimen.note))
        views.append(RegimenView(study.group_label(regimen.arm), items))
    return views


def outcome_view(study: Study, outcome: Outcome) -> OutcomeView:
    comparison = outcome.comparison
    return OutcomeView(
        id=outcome.id,
        label=outcome.label,
        endpoint=ENDPOINT_NAMES[outcome.endpoint],
        title=_title(outcome),
        role=fmt.words(outcome.role),
        population=study.analysis_label(outcome),
        timepoint=fmt.timepoint(outcome.timepoint),
        results=[
            GroupResult(
                study.group_label(r.group),
                fmt.result(r) + fmt.unconfirmed_mark(r.unconfirmed),
                credit_for(r.cite, r),
                r.note,
            )
            for r in ordered_results(study, outcome)
        ],
        comparison=(
            fmt.comparison(comparison)
            + direction_note(study, comparison)
            + fmt.unconfirmed_mark(comparison.unconfirmed)
            if comparison
            else None
        ),
        comparison_label=comparison.label if comparison else None,
        comparison_groups=(
            " vs ".join(study.group_label(g) for g in comparison.groups) if comparison else None
        ),
        comparison_sources=credit_for(comparison.cite, comparison) if comparison else [],
        notes=outcome_notes(study, outcome),
        derived=outcome_figures(study, outcome),
    )


def _title(outcome: Outcome) -> str:
    name = ENDPOINT_NAMES[outcome.endpoint]
    return (
        outcome.label
        if name.casefold() in outcome.label.casefold()
        else f"{outcome.label} ({name})"
    )


def _event(study: Study, event: AdverseEvent) -> EventView:
    count = str(event.n) if event.n is not None else "not reported"
    if event.percent is not None:
        count = (
            f"{count} ({fmt.percent(event.percent)})"
            if event.n is not None
            else fmt.percent(event.percent)
        )
    return EventView(
        category=event.category + (f": {event.term}" if event.term else ""),
        grade=fmt.grade(event.grade),
        arm=study.group_label(event.arm) if event.arm else "all",
        count=count,
        denominator=str(event.total) if event.total is not None else "not stated",
        timing=event.timing or "",
        sources=credit_for(event.cite, event),
        note=_with_unconfirmed(event.note, event.unconfirmed),
    )


def _with_unconfirmed(note: str | None, details: list[Unconfirmed]) -> str | None:
    """A finding's note with the details the sources leave in doubt after it."""
    parts = [note] if note else []
    parts += fmt.unconfirmed_notes(details)
    return "; ".join(parts) or None


def _statement(study: Study, item: SafetyStatement) -> StatementView:
    return StatementView(
        category=item.category,
        arm=study.group_label(item.arm) if item.arm else "all",
        text=item.text,
        sources=credit_for(item.cite, text=item.text),
        note=_with_unconfirmed(item.note, item.unconfirmed),
    )


def _claim(study: Study, kind: str, text: str, source_id: str) -> ClaimView:
    source = study.source(source_id)
    secondary = source.kind in ("secondary-summary", "fact-sheet")
    attribution = "the summary's writers" if secondary else "the study's authors"
    return ClaimView(kind.replace("-", " "), text, source_id, attribution)


def _quote_views(study: Study) -> list[QuoteView]:
    seen: set[tuple[str, str]] = set()
    views = []
    for path, quote in quotes(study):
        key = (quote.source, quote.quote)
        if key in seen:
            continue
        seen.add(key)
        views.append(QuoteView(_about(study, path), quote.source, quote.quote))
    return views


def _about(study: Study, path: tuple[str | int, ...]) -> str:
    """What a quote backs, in words: ("outcomes", 0, "comparison", "cite", 0) -> "Overall
    survival at 3 years, comparison"; ("design", "arms", 0, "cite", 0) -> "Design, arm
    Blinatumomab" (see :mod:`blinacli.views.quote_labels`)."""
    from blinacli.views.quote_labels import quote_label

    return quote_label(study, path[:-2] if len(path) >= 2 and path[-2] == "cite" else path)
