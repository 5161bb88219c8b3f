"""Provenance and identity: quotes, sources, the citation and registrations."""

from collections.abc import Iterable
from typing import Annotated

from msgspec import Meta

from blinacli.model.scalars import Model, Name, QuoteText, Slug, SourceKind, Text

# --- Provenance ----------------------------------------------------------------


class Quote(Model, kw_only=True, frozen=True):
    """Where a reported figure was read: a source id and a verbatim quote."""

    source: Slug
    """The id of the source the quote was read in, one of the study's ``sources``."""
    quote: QuoteText
    """The source's words, copied exactly: no paraphrase, no correction."""


Cite = Annotated[list[Quote], Meta(min_length=1, description="At least one quote.")]


def source_ids(cite: Iterable[Quote]) -> list[str]:
    """The distinct source ids of some quotes, in order: what a renderer prints as [id]."""
    return list(dict.fromkeys(q.source for q in cite))


class Unconfirmed(Model, kw_only=True, frozen=True):
    """A detail of a figure that the sources leave in doubt, recorded with why; views show
    the mark beside the figure."""

    detail: Name
    """Which detail is unconfirmed, for example "direction" or "timepoint"."""
    note: Text
    """Why it is in doubt, and what the sources do say."""


Unconfirmeds = Annotated[
    list[Unconfirmed], Meta(description="Details of this figure the sources leave in doubt.")
]


class Source(Model, kw_only=True, frozen=True):
    """A document the study's figures come from."""

    id: Slug
    """The source's id, unique within the study; quotes and claims name it, and screens show it as
    [id] after each figure."""
    kind: SourceKind
    """What kind of document it is. A secondary summary is one written by others about the study; a
    fact sheet gathers facts each confirmed in the documents listed in ``confirmed_in``."""
    citation: Text
    """The document's reference, as it would appear in a list of references."""
    title: Name | None = None
    """The document's title."""
    url: Name | None = None
    """Where the document can be read."""
    confirmed_in: list[Name] = []
    """For a fact sheet: the public documents in which its facts were confirmed."""
    note: Text | None = None
    """What a reader should know about the source, for example that its figures were not checked
    against the trial report."""


# --- Identity --------------------------------------------------------------------


class Citation(Model, kw_only=True, frozen=True):
    """The publication that reports the study."""

    authors: Annotated[list[Name], Meta(min_length=1)]
    """Authors as the publication lists them (surname and initials), at least one."""
    et_al: bool = False
    """True when ``authors`` is not the full list."""
    title: Text | None = None
    """The publication's title; left out when the sources do not give it (shown as "not
    stated", and left out of BibTeX, RIS and CSL)."""
    journal: Name
    """The journal, as the source names it."""
    year: Annotated[int, Meta(ge=1900, le=2200)]
    """The year of publication."""
    date: Annotated[str, Meta(pattern=r"^\d{4}-\d{2}(-\d{2})?$(?!\n)")] | None = None
    """The date of publication as YYYY-MM or YYYY-MM-DD, in quotes (YAML would otherwise read it as
    a date, not text)."""
    volume: Annotated[str, Meta(min_length=1, max_length=20)] | None = None
    """The journal volume, as text."""
    issue: Annotated[str, Meta(min_length=1, max_length=20)] | None = None
    """The journal issue, as text."""
    pages: Annotated[str, Meta(min_length=1, max_length=30)] | None = None
    """The page range or first page, as text."""
    doi: Annotated[str, Meta(pattern=r"^10\.\d{4,9}/\S+$(?!\n)")] | None = None
    """The Digital Object Identifier (10.NNNN/...), without the https://doi.org/ prefix."""
    pmid: Annotated[str, Meta(pattern=r"^\d{1,9}$(?!\n)")] | None = None
    """The PubMed identifier: digits only, in quotes."""
    pmcid: Annotated[str, Meta(pattern=r"^PMC\d+$(?!\n)")] | None = None
    """The PubMed Central identifier: PMC followed by digits."""
    erratum: Name | None = None
    """A published correction to the publication, as a reference."""
    cite: Cite
    """Quotes that support the citation details."""


class Registration(Model, kw_only=True, frozen=True):
    """A trial registry entry."""

    registry: Name
    """The registry's name, for example ClinicalTrials.gov."""
    id: Annotated[str, Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_./-]{2,40}$(?!\n)")]
    """The trial's id in that registry."""
    secondary_ids: list[Name] = []
    """Other ids of the trial, such as a sponsor's or a study group's protocol number."""
    cite: Cite
    """Quotes that give the registration."""
