"""The draft's identification: the study's id, acronym and title, the citation left to
fill, the registration and the two sources (the registry record and the publication).
"""

from __future__ import annotations

from typing import Any

from blinacli.interop.ctgov.context import Context
from blinacli.interop.ctgov.values import (
    PUBLICATION,
    REGISTRY,
    FlowList,
    cite,
    field,
    fit,
    slug_of,
    text_of,
)


def study_id(ctx: Context) -> str:
    """The study's id: its acronym as a slug, else its NCT number."""
    acronym = text_of(ctx.ident.acronym)
    slug = slug_of(acronym, "") if acronym else ""
    return slug if slug and slug != "all" else ctx.nct.lower()


def acronym(ctx: Context) -> str:
    """The study's acronym, else its NCT number."""
    return fit(text_of(ctx.ident.acronym) or ctx.nct, 300)


def title(ctx: Context) -> str:
    """The official title, else the brief one, else a placeholder."""
    return (
        text_of(ctx.ident.official_title)
        or text_of(ctx.ident.brief_title)
        or "TODO: the study's title (the registry record gives none)"
    )


def citation() -> dict[str, Any]:
    """The publication's citation: placeholders only, the registry does not hold it."""
    return {
        "authors": ["TODO: the publication's authors, e.g. Surname AB"],
        "title": "TODO: the publication's title",
        "journal": "TODO: the journal's abbreviated name",
        "year": "TODO: the year of publication",
        "cite": [
            {
                "source": PUBLICATION,
                "quote": "TODO: a verbatim quote of the publication's authors or title",
            }
        ],
    }


def registration(ctx: Context) -> dict[str, Any]:
    """The ClinicalTrials.gov registration, with the record's other ids."""
    secondary: list[str] = []
    if ctx.ident.org_study_id_info is not None:
        secondary.append(ctx.ident.org_study_id_info.id)
    secondary += [info.id for info in ctx.ident.secondary_id_infos]
    unique = [
        fit(s.strip(), 300) for s in dict.fromkeys(secondary) if s.strip() and s.strip() != ctx.nct
    ]
    entry: dict[str, Any] = {"registry": "ClinicalTrials.gov", "id": ctx.nct}
    if unique:
        entry["secondary_ids"] = FlowList(unique)
    org = ctx.ident.org_study_id_info
    entry["cite"] = cite(
        field("nctId", ctx.nct),
        field("acronym", ctx.ident.acronym),
        field("orgStudyIdInfo.id", org.id if org is not None else None),
        *(field("secondaryIdInfos.id", info.id) for info in ctx.ident.secondary_id_infos),
    )
    return entry


def sources(ctx: Context) -> list[dict[str, Any]]:
    """The two sources: the registry record, and the publication left to fill."""
    status = ctx.protocol.status_module
    updated = None
    if status is not None and status.last_update_post_date_struct is not None:
        updated = text_of(status.last_update_post_date_struct.date)
    citation = f"ClinicalTrials.gov record {ctx.nct}"
    if updated:
        citation += f", last update posted {updated}"
    registry: dict[str, Any] = {"id": REGISTRY, "kind": "registry-record"}
    brief = text_of(ctx.ident.brief_title)
    if brief:
        registry["title"] = fit(brief, 300)
    registry["citation"] = citation
    registry["url"] = f"https://clinicaltrials.gov/study/{ctx.nct}"
    registry["note"] = (
        "Imported by blinacli import ctgov from the record's API v2 JSON. A quote of "
        "this source lists the record's field values for a figure, each verbatim, joined "
        'by " | ": texts as they stand, coded and numeric fields as "key: value" with the '
        'record\'s JSON key, denominators as "units: count".'
    )
    publication = {
        "id": PUBLICATION,
        "kind": "TODO: journal-abstract, full-text or conference-abstract",
        "citation": "TODO: the publication that reports the study, as you would cite it",
    }
    return [registry, publication]
