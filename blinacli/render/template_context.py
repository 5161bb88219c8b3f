"""What each template receives: the documented contract between views and templates.

``blinacli templates list`` prints it, and a test checks that every field of
every view class a template receives is described here, so the contract cannot
silently drift from the code.
"""

from __future__ import annotations

import dataclasses
import importlib
from pathlib import PurePosixPath

# View templates: the view class they receive as ``view``, and what they render.
VIEWS: dict[str, tuple[str, str]] = {
    "list": ("blinacli.views.listing:ListView", "one row per study (blinacli list)"),
    "show": (
        "blinacli.views.show:StudyView",
        "one study in sections (blinacli show --full, show --section)",
    ),
    "card": (
        "blinacli.views.card:CardView",
        "one study on one screen, the study card (blinacli show)",
    ),
    "compare": ("blinacli.views.compare:CompareView", "studies side by side (blinacli compare)"),
    "outcomes": (
        "blinacli.views.outcomes:OutcomesView",
        "a Summary-of-Findings table (blinacli outcomes)",
    ),
    "endpoints": (
        "blinacli.views.outcomes:EndpointsView",
        "the endpoint vocabulary (outcomes --list)",
    ),
    "safety": (
        "blinacli.views.safety:SafetyView",
        "adverse events across studies (blinacli safety)",
    ),
    "digest": (
        "blinacli.views.digest:DigestView",
        "the whole evidence base as one document (digest)",
    ),
    "diff": (
        "blinacli.views.diff:DiffView",
        "what changed between two versions of the evidence (blinacli diff)",
    ),
}

# Partials and bases: what they are for and the variables they expect.
PARTS: dict[str, str] = {
    "base": "the page every document of this format extends; views fill its blocks",
    "_style.css": "the inline stylesheet of every HTML document (screen, phone and print)",
    "_items": "a list of labelled facts; receives `items` (list of Item: label, value, sources)",
    "_citation": "a study's citation and identifiers; receives `view` (StudyView)",
    "_outcomes": "a study's outcome table, per group and between groups; receives `outcomes` "
    "(list of OutcomeView)",
    "_sof": "a Summary-of-Findings table; receives `rows` (list of OutcomeRow)",
    "_safety": "the adverse-event table and statements; receives `events`, `statements`, and "
    "optionally `with_study` (add a Study column) and `empty` (text when nothing is shown)",
    "_study": "one study's sections, shared by show and digest; receives `view` (StudyView) "
    "and `level`, and optionally `sections` (the names `show --section` took; all when not "
    "given)",
    "_overview": "the overview table of studies, shared by list and digest; receives `view` "
    "(ListView)",
    "_forest": "a forest plot as inline SVG with a text alternative; receives `plot` "
    "(ForestPlot, from OutcomesView.forest)",
    "_sources": "the macro cited(ids, study) that prints the [id] marks of the sources behind "
    "a figure (links, with the study's id, in a document that sets source_links); import it "
    "with context",
    "_changes": "what changed between two versions of the evidence, shared by diff and digest "
    "--since (the digest includes it when it receives `changes`); receives `changes` "
    "(DiffView), `title` (its heading) and `level`",
}

LEVEL = "`level`: the top heading's level (1-6; deeper headings are flattened to 6)"

# Help for every field of every view class above: the contract, field by field.
FIELDS: dict[str, dict[str, str]] = {
    "ListView": {
        "rows": "StudyRow per study: id, acronym, author_year, design, population, n, "
        "headline, headline_sources, phase, allocation, n_value, n_stage, "
        "headline_outcome"
    },
    "StudyView": {
        "id": "the study id",
        "acronym": "the study acronym",
        "title": "the study title",
        "citation": "the citation, Vancouver style",
        "citation_items": "DOI, PMID, PMCID, erratum and registry ids as Items",
        "design": "phase, allocation, masking, arms, endpoints, enrollment, follow-up as Items",
        "population": "disease, age, Ph status, disease status, MRD criterion, subgroups as Items",
        "dosing": "RegimenView per arm: arm label and its Items",
        "outcomes": "OutcomeView per outcome: label, endpoint, title, role, population, "
        "timepoint, results (group, value, sources), comparison, notes",
        "events": "EventView per adverse event: category, grade, arm, count, denominator, "
        "timing, sources, note",
        "statements": "StatementView per qualitative safety statement",
        "claims": "ClaimView per key point or conclusion: kind, text, source, attribution",
        "limitations": "ClaimView per limitation the sources state",
        "notes": "curators' notes on the evidence (ambiguities) as Items",
        "sources": "SourceView per source: id, kind, citation, title, note, confirmed_in",
        "quotes": "QuoteView per quote: about (the field it supports), source, quote",
    },
    "CardView": {
        "id": "the study id",
        "acronym": "the study acronym",
        "title": "the study title",
        "citation": "first author (then et al), journal, year, volume, issue and pages",
        "identifiers": "Fact per identifier (DOI, PMID, PMCID, erratum, registry ids): text, "
        "sources (the marks after it; empty when the next fact has the same)",
        "lines": "CardLine per line (Design, N, Population, Dosing per arm): label, facts "
        "(Fact: text, sources)",
        "outcomes": "CardOutcome per outcome on the card: id, title, summary (role, timepoint, "
        "population), definition (or None), results (GroupResult per group: group, value, "
        "sources, note), effect (Fact or None), effect_note (the comparison's note or None), "
        "derived (CardFigure: shown, the text after the mark; figure, the DerivedFigure)",
        "outcomes_left_out": "how many outcomes the card leaves to the full record",
        "safety": "CardLine per line: the events of grade 3 or higher, then each statement",
        "sources": "Item per source: label (its id), value (its kind)",
        "left_out": "Item per section of the full record with more: label (the section), "
        "value (what it adds, counted)",
        "sections": "the section names show --section takes",
    },
    "CompareView": {
        "studies": "CompareStudy per column: id, acronym, author_year",
        "sections": "CompareSection per section: name, title, rows (label, group, differs, "
        "cells: text and sources per study)",
    },
    "OutcomesView": {
        "endpoint": "the vocabulary term asked for",
        "name": "its name in words",
        "title": "the table's title",
        "covers": "the terms included (the term and any narrower ones)",
        "rows": "OutcomeRow per study and analysis: outcome, timepoint, population, "
        "participants, participants_studies, participants_n, comparator, intervention, "
        "groups_compared, other_groups, relative_effect, absolute (AbsoluteEffect: text, "
        "reason, numbers per 1000, figure), role, comment, notes, sources, reported, derived",
        "not_reported_by": "acronyms of the studies that do not report the endpoint",
        "forest": "ForestPlot per ratio measure: title, measure_label, rows (acronym, outcome, "
        "groups, estimate, lower, upper, value, randomized, note), omitted, ticks, favours "
        "labels and description (the text alternative); a template gets its SVG "
        "coordinates from the global forest_layout(plot, width=720)",
    },
    "EndpointsView": {
        "rows": "EndpointRow per term: endpoint, name, aliases, narrower, studies, analyses",
    },
    "DigestView": {
        "title": 'the document\'s title (--title, else "Evidence digest")',
        "date": "the ISO date from SOURCE_DATE_EPOCH, or None (then no date is shown)",
        "version": "blinacli's version",
        "files": "the evidence files of the selected studies, each once, in the order given",
        "study_count": "how many studies were selected",
        "overview": "ListView of the selected studies, one row each",
        "endpoints": "OutcomesView per endpoint term reported, in vocabulary order, each with "
        "only its own term's rows",
        "studies": "StudyView per study",
        "safety": "SafetyView over all selected studies",
        "limitations": "StudyLimitations per study: study_id, acronym, claims (ClaimView), "
        "notes (curators' notes on limitations), none_stated",
        "references": "Reference per study: study_id, acronym, citation, links (Link: label, "
        "text, url or None), sources (SourceView)",
        "quotes": "QuoteGroup per study and source: study_id, acronym, source, kind, citation, "
        "quotes (DigestQuote: number, study_id, acronym, source, about, quote)",
        "source_links": "study id -> source id -> the anchor its [id] marks link to (the "
        "source's quotes, else its entry in References); set it as `source_links` and the "
        "`refs(study_id)` filter writes each mark as a link. anchor(kind, ids...) makes "
        "the ids, and in Markdown target(id, ...) ends the heading a link to #id lands on",
    },
    "DiffView": {
        "old": "SideSummary of the old version: label (the path or revision as given), "
        "studies, files",
        "new": "SideSummary of the new version",
        "changed": "whether anything changed",
        "summary": "one line: what changed, in counts, or that nothing did",
        "added": "StudyEntry per study added: id, acronym, citation, file",
        "removed": "StudyEntry per study removed",
        "studies": "StudyChanges per study changed: id, acronym, renamed_from (the old id or "
        "None), figures, items, quotes and derived, each a list of Change: section, kind "
        "(added, removed, changed), study, acronym, path (by identities), where (in words), "
        "old and new (data), old_text and new_text (as written), derived",
        "findings": "FindingChange per integrity finding introduced or resolved: kind, study, "
        "acronym, rule, severity, path, message, reported, derived, location",
        "introduced_errors": "how many integrity errors the new version introduces",
    },
    "SafetyView": {
        "category": "the --category filter, or None",
        "min_grade": "the --min-grade filter, or None",
        "filters": "the filters in words",
        "events": "SafetyEventRow per event: study, arm, category, grade, n, percent, "
        "denominator, timing, note, sources, reported",
        "statements": "SafetyStatementRow per statement: study, arm, category, text, note, sources",
        "studies": "acronyms of the studies shown, in order",
        "not_reported_by": "acronyms of the studies with no safety data",
    },
}


def field_names(cls: type) -> list[str]:
    """The fields of a view class, a msgspec Struct or a dataclass, in order."""
    if dataclasses.is_dataclass(cls):
        return [field.name for field in dataclasses.fields(cls)]
    return list(cls.__struct_fields__)  # type: ignore[attr-defined]


def view_class(template: str) -> type:
    """The view class a view template receives."""
    module, _, name = VIEWS[template][0].partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def _stem(name: str) -> str:
    file = PurePosixPath(name).name
    return file.split(".j2")[0].removesuffix(".md").removesuffix(".html")


def describe(name: str) -> list[str]:
    """Lines describing a template (``markdown/show.md.j2``) and what it receives."""
    stem = _stem(name)
    if stem in VIEWS:
        cls = view_class(stem)
        lines = [VIEWS[stem][1] + "; receives:", f"`view` ({cls.__name__}):"]
        helps = FIELDS.get(cls.__name__, {})
        for name in field_names(cls):
            lines.append(f"  {name}: {helps.get(name, name)}")
        return [*lines, LEVEL]
    if stem in PARTS:
        return [PARTS[stem]]
    return ["a template of your own"]
