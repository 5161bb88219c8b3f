"""Citations of studies for reference managers: BibTeX, RIS and CSL-JSON.

Every field comes from the study's ``citation`` and ``registrations`` in its
evidence file; a field the file lacks is left out, never looked up or guessed.
The model keeps authors as written ("Litzow MR", Vancouver style), so names
are split only where the form is unambiguous (:func:`parse_author`) and kept
whole otherwise: braced in BibTeX, ``literal`` in CSL-JSON.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from blinacli.base.controls import escape_json, visible
from blinacli.base.errors import UsageError
from blinacli.model import Citation, Registration, Study

CitationFormat = Literal["bibtex", "ris", "csl-json"]
FORMATS: tuple[CitationFormat, ...] = ("bibtex", "ris", "csl-json")

RIS_NEWLINE = "\r\n"
"""The RIS specification ends every line with carriage return and line feed."""

ET_AL_NOTE = "The author list is incomplete (et al.)."
"""The note on an incomplete author list: RIS has no other way to say it, and in
CSL-JSON it goes beside the ``others`` name, for readers of the note (Zotero's Extra)."""

CSL_OTHERS: dict[str, str] = {"literal": "others"}
"""The last CSL-JSON author of an incomplete list. CSL itself has no marker for one;
this is what pandoc writes for BibTeX's ``and others``, and its citeproc prints it as the
style's "et al."; processors without that rule print it as a name, "others"."""


# --- Names ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorName:
    """An author split into family and given names, or kept whole as ``literal``."""

    family: str | None = None
    given: str | None = None
    literal: str | None = None


# Words that mark a group author ("ECOG Study Group"); such a name is never split.
_GROUP_WORDS = frozenset(
    {
        "group",
        "groups",
        "consortium",
        "investigators",
        "committee",
        "network",
        "collaboration",
        "collaborative",
        "society",
        "association",
        "trialists",
        "study",
    }
)


def parse_author(name: str) -> AuthorName:
    """Split an author as written in the evidence file, only where the form is clear.

    Two forms are split: "Surname Initials" (Vancouver, as PubMed writes names:
    "Litzow MR" -> family "Litzow", given "M. R.") with 1 to 4 capital initials,
    and "Surname, Given" with exactly one comma. Anything else (one word, a
    group author, a name that would read as two BibTeX names) stays whole.
    Initials gain full stops and spaces because BibTeX and CSL processors read
    "MR" as a single given name and would abbreviate it to "M.".
    """
    text = " ".join(visible(name).split())
    if not _splittable(text):
        return AuthorName(literal=text)
    if text.count(",") == 1:
        family, given = (part.strip() for part in text.split(","))
        if family and given and _plain_family(family):
            return AuthorName(family=family, given=given)
        return AuthorName(literal=text)
    if "," in text or " " not in text:
        return AuthorName(literal=text)
    family, initials = text.rsplit(" ", 1)
    if (
        1 <= len(initials) <= 4
        and all(ch.isalpha() and ch.isupper() for ch in initials)
        and _plain_family(family)
    ):
        return AuthorName(family=family, given=" ".join(f"{ch}." for ch in initials))
    return AuthorName(literal=text)


def _splittable(text: str) -> bool:
    words = {w.strip(".,").casefold() for w in text.split()}
    return not (words & _GROUP_WORDS) and "and" not in words


def _plain_family(family: str) -> bool:
    return any(ch.isalpha() for ch in family) and not any(ch in family for ch in "{}\\")


# --- Keys ----------------------------------------------------------------------------


# Latin letters that Unicode does not decompose into a base letter and a mark.
_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)


def citation_key(study: Study) -> str:
    """A BibTeX key from the first author's surname, the year and the study id.

    "litzow2024-e1910". Letters of the surname are folded to ASCII ("Gökbuget"
    -> "gokbuget", "Ødegård" -> "odegard"); a surname with no Latin letters
    contributes nothing. The key depends on nothing but the study, so it is the
    same on every run, whatever else is cited and in whichever order, and it is
    unique among the studies in use: the surname part holds only letters and the
    year exactly four digits, so the study id, itself unique, can be read back
    from the key. No suffix ("a", "b") is ever needed, which would make a key
    depend on the other studies cited with it.
    """
    first = parse_author(study.citation.authors[0])
    surname = first.family if first.family is not None else (first.literal or "").split(" ")[0]
    folded = unicodedata.normalize("NFKD", surname.casefold()).translate(_LETTERS)
    letters = "".join(ch for ch in folded if "a" <= ch <= "z")
    return f"{letters}{study.citation.year:04d}-{study.id}"


def unique_studies(studies: Iterable[Study]) -> list[Study]:
    """The studies in the order given, each once (``cite e1910 E1910`` cites it once)."""
    first: dict[str, Study] = {}
    for study in studies:
        first.setdefault(study.id, study)
    return list(first.values())


# --- Shared pieces ---------------------------------------------------------------------


def _clean(text: str) -> str:
    """One line: YAML folding can leave line breaks, which RIS and BibTeX cannot hold;
    control and other hidden characters shown as escapes (``\\x1b``), as everywhere."""
    return " ".join(visible(text).split())


def _date_parts(citation: Citation) -> list[int]:
    """[year] or [year, month(, day)]: month and day only from a date in that year."""
    parts = [citation.year]
    if citation.date is not None:
        pieces = [int(p) for p in citation.date.split("-")]
        if pieces[0] == citation.year:
            parts.extend(pieces[1:])
    return parts


def _page_range(pages: str) -> tuple[str, str | None]:
    """("320", "333") from "320–333" or "320-333"; (pages, None) when not a simple range."""
    match = re.fullmatch(
        r"\s*([A-Za-z]?\d+[A-Za-z]?)\s*(?:-{1,2}|–|—)\s*([A-Za-z]?\d+[A-Za-z]?)\s*", pages
    )
    if match is None:
        return pages.strip(), None
    return match.group(1), match.group(2)


def registration_text(registration: Registration) -> str:
    """One line per registration: "ClinicalTrials.gov: NCT02003222 (secondary ID: ECOG-E1910)"."""
    text = f"{registration.registry}: {registration.id}"
    if registration.secondary_ids:
        label = "secondary ID" if len(registration.secondary_ids) == 1 else "secondary IDs"
        text += f" ({label}: {', '.join(registration.secondary_ids)})"
    return _clean(text)


def _notes(study: Study, *, et_al: bool) -> list[str]:
    """Registry ids, the erratum and, where the format has no other way, the et al."""
    notes = [registration_text(r) for r in study.registrations]
    if study.citation.erratum is not None:
        notes.append(f"Erratum: {_clean(study.citation.erratum)}")
    if et_al and study.citation.et_al:
        notes.append(ET_AL_NOTE)
    return notes


# --- BibTeX ----------------------------------------------------------------------------

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# BibTeX counts braces even after a backslash, so "\{" would unbalance a field:
# braces become text commands instead.
_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def bibtex_escape(text: str) -> str:
    """Text for a BibTeX field: LaTeX's special characters escaped, other characters
    (accented letters, dashes) kept as UTF-8, which biber, bibtex8 and Zotero read."""
    return "".join(_LATEX.get(ch, ch) for ch in _clean(text))


def _bibtex_title(title: str) -> str:
    """The title with acronyms braced ("{MRD-Negative}", "{B-cell}"), so styles that
    lower-case titles keep them as written; other words are left to the style."""
    return " ".join(
        f"{{{bibtex_escape(word)}}}" if _has_acronym(word) else bibtex_escape(word)
        for word in _clean(title).split(" ")
    )


def _has_acronym(word: str) -> bool:
    """A part of the word (split at hyphens and slashes) that is a lone capital or has
    a capital after its first letter: "MRD", "B" of "B-cell", "ABL1" of "BCR::ABL1"."""
    for part in re.split(r"[-/–]", word):
        letters = part.strip("()[]\"'.,;:!?")
        if len(letters) == 1 and letters.isupper():
            return True
        if any(ch.isupper() for ch in letters[1:]):
            return True
    return False


def _bibtex_name(author: AuthorName) -> str:
    if author.literal is not None:
        return f"{{{bibtex_escape(author.literal)}}}"
    assert author.family is not None and author.given is not None
    return f"{bibtex_escape(author.family)}, {bibtex_escape(author.given)}"


def _bibtex_pages(pages: str) -> str:
    first, last = _page_range(pages)
    return (
        bibtex_escape(pages) if last is None else f"{bibtex_escape(first)}--{bibtex_escape(last)}"
    )


def _doi_field(doi: str) -> str:
    # biblatex reads doi verbatim, so nothing is escaped; a brace, which would
    # unbalance the field, is written in its URL encoding, which resolvers accept.
    return doi.replace("{", "%7B").replace("}", "%7D")


def bibtex_entry(study: Study) -> str:
    """One ``@article`` entry. Registry ids and the erratum go in ``note``, the one
    standard field every BibTeX and biblatex style prints; PMID and PMCID go in
    ``pmid`` and ``pmcid``, which styles ignore and reference managers keep."""
    citation = study.citation
    names = [_bibtex_name(parse_author(a)) for a in citation.authors]
    if citation.et_al:
        names.append("others")  # BibTeX's own marker for a truncated list: "et al."
    fields: list[tuple[str, str]] = [
        ("author", "{" + " and ".join(names) + "}"),
        ("journal", "{" + bibtex_escape(citation.journal) + "}"),
        ("year", f"{{{citation.year}}}"),
    ]
    if citation.title is not None:  # an unknown title is left out, never filled in
        fields.insert(1, ("title", "{" + _bibtex_title(citation.title) + "}"))
    parts = _date_parts(citation)
    if len(parts) > 1:
        fields.append(("month", _MONTHS[parts[1] - 1]))
    optional = (
        ("volume", citation.volume, bibtex_escape),
        ("number", citation.issue, bibtex_escape),
        ("pages", citation.pages, _bibtex_pages),
        ("doi", citation.doi, _doi_field),
        ("pmid", citation.pmid, str),
        ("pmcid", citation.pmcid, str),
    )
    for name, value, write in optional:
        if value is not None:
            fields.append((name, "{" + write(value) + "}"))
    notes = _notes(study, et_al=False)
    if notes:
        fields.append(("note", "{" + bibtex_escape("; ".join(notes)) + "}"))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@article{{{citation_key(study)},\n{body}\n}}\n"


def bibtex(studies: Sequence[Study]) -> str:
    """BibTeX entries, one per study, separated by a blank line."""
    return "\n".join(bibtex_entry(s) for s in unique_studies(studies))


# --- RIS -------------------------------------------------------------------------------


def ris_record(study: Study) -> list[tuple[str, str]]:
    """The (tag, value) pairs of one RIS record, TY first and ER last.

    PMID goes in AN (accession number) and PMCID in C2, where EndNote keeps them
    for journal articles; registry ids, the erratum and an incomplete author
    list go in N1 notes, since RIS has no tag for them.
    """
    citation = study.citation
    record: list[tuple[str, str]] = [("TY", "JOUR")]
    for name in citation.authors:
        author = parse_author(name)
        if author.literal is not None:
            record.append(("AU", author.literal))
        else:
            record.append(("AU", f"{author.family}, {author.given}"))
    if citation.title is not None:
        record.append(("TI", _clean(citation.title)))
    # T2 is the journal of a JOUR record in the specification and EndNote; JO is where
    # Zotero and older readers look. The file does not say whether the name is
    # abbreviated, so both carry it as written.
    record.append(("T2", _clean(citation.journal)))
    record.append(("JO", _clean(citation.journal)))
    record.append(("PY", f"{citation.year:04d}"))
    parts = _date_parts(citation)
    if len(parts) > 1:
        padded = [f"{parts[0]:04d}", *(f"{p:02d}" for p in parts[1:])]
        padded += [""] * (3 - len(padded))
        record.append(("DA", "/".join(padded) + "/"))
    if citation.volume is not None:
        record.append(("VL", _clean(citation.volume)))
    if citation.issue is not None:
        record.append(("IS", _clean(citation.issue)))
    if citation.pages is not None:
        first, last = _page_range(citation.pages)
        record.append(("SP", _clean(first)))
        if last is not None:
            record.append(("EP", last))
    if citation.doi is not None:
        record.append(("DO", citation.doi))
    if citation.pmid is not None:
        record.append(("AN", citation.pmid))
    if citation.pmcid is not None:
        record.append(("C2", citation.pmcid))
    record.extend(("N1", note) for note in _notes(study, et_al=True))
    record.append(("ER", ""))
    return record


def ris(studies: Sequence[Study]) -> str:
    """RIS records, one per study, lines ended with CRLF as the specification asks."""
    lines = [
        f"{tag}  - {value}" for study in unique_studies(studies) for tag, value in ris_record(study)
    ]
    return RIS_NEWLINE.join(lines) + RIS_NEWLINE


# --- CSL-JSON --------------------------------------------------------------------------


def csl_item(study: Study) -> dict[str, Any]:
    """One CSL-JSON item ("article-journal"); the id is the BibTeX key.

    Registry ids, the erratum and an incomplete author list go in ``note``, one
    per line, which Zotero imports as the item's Extra field; an incomplete list
    also ends with :data:`CSL_OTHERS`, so that a rendered reference does not show
    the named authors as the whole list.
    """
    citation = study.citation
    authors: list[dict[str, str]] = []
    for name in citation.authors:
        author = parse_author(name)
        if author.literal is not None:
            authors.append({"literal": author.literal})
        else:
            assert author.family is not None and author.given is not None
            authors.append({"family": author.family, "given": author.given})
    if citation.et_al:
        authors.append(dict(CSL_OTHERS))
    item: dict[str, Any] = {
        "id": citation_key(study),
        "type": "article-journal",
        "container-title": citation.journal,
        "author": authors,
        "issued": {"date-parts": [_date_parts(citation)]},
    }
    if citation.title is not None:
        item["title"] = citation.title
    optional = (
        ("volume", citation.volume),
        ("issue", citation.issue),
        ("page", citation.pages),
        ("DOI", citation.doi),
        ("PMID", citation.pmid),
        ("PMCID", citation.pmcid),
    )
    item.update({name: value for name, value in optional if value is not None})
    notes = _notes(study, et_al=True)
    if notes:
        item["note"] = "\n".join(notes)
    return item


def csl_json(studies: Sequence[Study]) -> str:
    """A CSL-JSON array, one item per study, UTF-8 and indented."""
    items = [csl_item(s) for s in unique_studies(studies)]
    return escape_json(json.dumps(items, ensure_ascii=False, indent=2)) + "\n"


def render(studies: Sequence[Study], fmt: str) -> str:
    """The citations of ``studies`` in ``fmt`` (one of :data:`FORMATS`), each study once,
    in the order given."""
    writers = {"bibtex": bibtex, "ris": ris, "csl-json": csl_json}
    if fmt not in writers:
        raise UsageError(f"unknown citation format {fmt!r}; use one of: {', '.join(FORMATS)}")
    return writers[fmt](studies)
