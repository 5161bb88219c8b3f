"""The digest: the selected studies as one traceable document, built from the other views."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import quote as url_quote

from blinacli import __version__
from blinacli.model import Study, vocabulary
from blinacli.views.forest import forest_plots
from blinacli.views.listing import ListView, list_view
from blinacli.views.outcomes import OutcomesView, outcomes_view
from blinacli.views.safety import SafetyView, safety_view
from blinacli.views.show import ClaimView, QuoteView, SourceView, StudyView, study_view

DEFAULT_TITLE = "Evidence digest"
NONE_STATED = "None stated by the sources"
"""What the Limitations section says for a study whose sources state no limitation."""

_NCT = re.compile(r"NCT[0-9]{8}")  # whole, ASCII digits: nothing else becomes an address


@dataclass(frozen=True)
class Link:
    """An identifier as printed (``text``) and where it resolves (``url``; None: no link)."""

    label: str
    """What the identifier is: "DOI", "PMID", "PMCID" or the registry's name."""
    text: str
    url: str | None


@dataclass(frozen=True)
class Reference:
    """One study's publication, identifiers and source documents."""

    study_id: str
    acronym: str
    citation: str
    """Vancouver-style citation text, as ``show`` prints it."""
    links: list[Link]
    """DOI, PMID, PMCID and registry ids, in that order; only those the evidence gives."""
    sources: list[SourceView]
    """The documents the study's figures were read in (id, kind, citation)."""


@dataclass(frozen=True)
class StudyLimitations:
    """The limitations of one study: the sources' own words and the curator's notes."""

    study_id: str
    acronym: str
    claims: list[ClaimView]
    """Limitations as the sources state them, verbatim, with source and attribution."""
    notes: list[str]
    """Curator's notes about limitations (notes whose subject names limitations)."""
    none_stated: str | None
    """``NONE_STATED`` when ``claims`` is empty, else None."""


@dataclass(frozen=True)
class DigestQuote:
    """One verbatim quote behind a figure, numbered across the whole digest."""

    number: int
    study_id: str
    acronym: str
    source: str
    """The source id, as printed in brackets next to a figure: [memo]."""
    about: str
    """The data path of what the quote supports, e.g. ``outcomes[0].results[1]``."""
    quote: str


@dataclass(frozen=True)
class QuoteGroup:
    """The quotes one study read in one source document, in the study's order."""

    study_id: str
    acronym: str
    source: str
    kind: str
    """The source's kind in words, e.g. "journal abstract"."""
    citation: str
    """The source document's citation."""
    quotes: list[DigestQuote]


@dataclass(frozen=True)
class DigestView:
    """``digest``: the selected studies as one document; every field is plain data.

    Studies keep the order they were selected in (evidence file order); endpoints
    follow the vocabulary. Nothing here depends on the clock or on dict or set order.
    """

    title: str
    """The document's title: --title, else (also when blank) "Evidence digest"."""
    date: str | None
    """ISO date from SOURCE_DATE_EPOCH, or None: then the document shows no date."""
    version: str
    """blinacli's version."""
    files: list[str]
    """The evidence files of the selected studies, as given, each once, in order."""
    study_count: int
    overview: ListView
    """The ``list`` view of the selected studies: one row each."""
    endpoints: list[OutcomesView]
    """One Summary-of-Findings view per endpoint term reported, in vocabulary order.

    Each covers exactly its own term, so every analysis appears in one table only
    (complete MRD response is not repeated under MRD response).
    """
    studies: list[StudyView]
    """The ``show`` view of each study."""
    safety: SafetyView
    """Adverse events and statements of all selected studies, unfiltered."""
    limitations: list[StudyLimitations]
    """One entry per study, in study order."""
    references: list[Reference]
    """One entry per study, in study order."""
    quotes: list[QuoteGroup]
    """Every quote of every study, grouped by study then source, numbered from 1."""
    source_links: dict[str, dict[str, str]]
    """For each study id, each of its source ids: the anchor its ``[id]`` marks link to,
    the source's group in Quotes (``quotes_e1910_memo``), or its entry in References
    (``source_e1910_memo``) when no quote was read in it."""


def digest_view(
    studies: list[Study], files: Sequence[str], *, title: str | None, date: str | None
) -> DigestView:
    """The digest of ``studies``; ``files`` are their evidence files (repeats are dropped)."""
    shown = [study_view(study) for study in studies]
    quotes = quote_groups(shown)
    return DigestView(
        title=title if title is not None and title.strip() else DEFAULT_TITLE,
        date=date,
        version=__version__,
        files=list(dict.fromkeys(str(f) for f in files)),
        study_count=len(studies),
        overview=list_view(studies),
        endpoints=endpoint_tables(studies),
        studies=shown,
        safety=safety_view(studies),
        limitations=[_limitations(study, view) for study, view in zip(studies, shown, strict=True)],
        references=[_reference(study, view) for study, view in zip(studies, shown, strict=True)],
        quotes=quotes,
        source_links=source_links(shown, quotes),
    )


# --- Anchors -------------------------------------------------------------------------------


def anchor(kind: str, *ids: str) -> str:
    """The id of one part of the digest, the same in HTML and Markdown: its kind, then the
    ids it belongs to, joined by "_" ("section_overview", "study_e1910",
    "quotes_e1910_memo"). Study and source ids hold no "_", so no two parts share one."""
    return "_".join((kind, *ids))


def source_links(studies: list[StudyView], quotes: list[QuoteGroup]) -> dict[str, dict[str, str]]:
    """Where each study's ``[id]`` marks lead: its quotes from that source, else the source's
    entry in References (a figure credited to a source without quoting it)."""
    quoted = {(group.study_id, group.source) for group in quotes}
    return {
        view.id: {
            source.id: anchor(
                "quotes" if (view.id, source.id) in quoted else "source", view.id, source.id
            )
            for source in view.sources
        }
        for view in studies
    }


# --- Summary of findings -----------------------------------------------------------------


def endpoint_tables(studies: list[Study]) -> list[OutcomesView]:
    """One table per endpoint term some study reports, each holding that term's rows only."""
    reported = {outcome.endpoint for study in studies for outcome in study.outcomes}
    return [_exactly(studies, term) for term in vocabulary.ENDPOINTS if term in reported]


def _exactly(studies: list[Study], term: str) -> OutcomesView:
    """``outcomes_view`` for ``term`` without the narrower terms it would also cover."""
    view = outcomes_view(studies, term)
    rows = [row for row in view.rows if row.endpoint == term]
    reporting = {row.study_id for row in rows}
    return replace(
        view,
        covers=[term],
        rows=rows,
        not_reported_by=[s.acronym for s in studies if s.id not in reporting],
        forest=forest_plots(studies, [term]),
    )


# --- Limitations and references ----------------------------------------------------------


def _limitations(study: Study, view: StudyView) -> StudyLimitations:
    notes = [note.text for note in study.notes if "limitation" in note.about.casefold()]
    return StudyLimitations(
        study_id=study.id,
        acronym=study.acronym,
        claims=view.limitations,
        notes=notes,
        none_stated=None if view.limitations else NONE_STATED,
    )


def _reference(study: Study, view: StudyView) -> Reference:
    return Reference(
        study_id=study.id,
        acronym=study.acronym,
        citation=view.citation,
        links=identifier_links(study),
        sources=view.sources,
    )


def identifier_links(study: Study) -> list[Link]:
    """The study's DOI, PMID, PMCID and registry ids with the address each resolves at."""
    c = study.citation
    links = []
    if c.doi:
        links.append(Link("DOI", c.doi, f"https://doi.org/{url_quote(c.doi, safe='/:;')}"))
    if c.pmid:
        links.append(Link("PMID", c.pmid, f"https://pubmed.ncbi.nlm.nih.gov/{c.pmid}/"))
    if c.pmcid:
        links.append(Link("PMCID", c.pmcid, f"https://pmc.ncbi.nlm.nih.gov/articles/{c.pmcid}/"))
    for reg in study.registrations:
        links.append(Link(reg.registry, reg.id, registry_url(reg.registry, reg.id)))
    return links


def registry_url(registry: str, trial_id: str) -> str | None:
    """The ClinicalTrials.gov page of an NCT id; None for other registries."""
    if "clinicaltrials.gov" in registry.casefold() and _NCT.fullmatch(trial_id.upper()):
        return f"https://clinicaltrials.gov/study/{trial_id.upper()}"
    return None


# --- Quotes --------------------------------------------------------------------------------


def quote_groups(studies: list[StudyView]) -> list[QuoteGroup]:
    """Every study's quotes by source (in the study's source order), numbered from 1."""
    groups: list[QuoteGroup] = []
    numbered = 0
    for view in studies:
        for source in view.sources:
            quotes = [q for q in view.quotes if q.source == source.id]
            if quotes:
                groups.append(_quote_group(view, source, quotes, numbered))
                numbered += len(quotes)
    return groups


def _quote_group(
    view: StudyView, source: SourceView, quotes: list[QuoteView], numbered: int
) -> QuoteGroup:
    """The group of ``quotes`` numbered on from ``numbered``, the count before them."""
    return QuoteGroup(
        study_id=view.id,
        acronym=view.acronym,
        source=source.id,
        kind=source.kind,
        citation=source.citation,
        quotes=[
            DigestQuote(numbered + i, view.id, view.acronym, q.source, q.about, q.quote)
            for i, q in enumerate(quotes, start=1)
        ],
    )
