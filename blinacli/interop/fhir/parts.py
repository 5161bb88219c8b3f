"""What every Evidence of a study shares: the Evidence frame with its link to the
ResearchStudy, the variables (population, group, measured outcome) in words, the design
codes, the sources quoted and the study's caveats.

Each Evidence carries the caveats a reader of that one result needs (the study's
limitations and curators' notes among them), so that it can be read on its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from blinacli.interop.fhir.codes import (
    ALLOCATIONS,
    STUDY_DESIGN_SYSTEM,
    VARIABLE_ROLE_SYSTEM,
    VARIABLE_ROLES,
)
from blinacli.interop.fhir.datatypes import Json, concept, notes, quote, reference, sentence
from blinacli.model import ENDPOINT_NAMES, Outcome, Quote, Source, Study, source_ids
from blinacli.views import formatting as fmt
from blinacli.views.phrases import population_phrase, ratio_text


def evidence(
    study: Study,
    resource_id: str,
    title: str,
    description: str,
    cite: Iterable[Quote],
    related: Iterable[Json] = (),
    contained: list[Json] | None = None,
) -> Json:
    """The frame of an Evidence: id, the resources it contains, title, its ResearchStudy
    (``derived-from``), other related artifacts, a citation of each source quoted, status
    and description."""
    resource: Json = {"resourceType": "Evidence", "id": resource_id}
    if contained:
        resource["contained"] = contained
    return {
        **resource,
        "title": title,
        "relatedArtifact": [
            {
                "type": "derived-from",
                "display": f"{study.acronym} ({study.id})",
                "resourceReference": reference("ResearchStudy", study.id),
            },
            *related,
            *(source_artifact(study.source(s)) for s in source_ids(cite)),
        ],
        "status": "active",
        "description": description,
    }


def source_artifact(source: Source) -> Json:
    """A source as a ``citation`` artifact: its reference, "Confirmed in" and its note."""
    artifact: Json = {"type": "citation", "label": source.id, "classifier": [{"text": source.kind}]}
    if source.title is not None:
        artifact["display"] = source.title
    parts = [source.citation]
    if source.confirmed_in:
        parts.append("Confirmed in: " + "; ".join(source.confirmed_in))
    if source.note is not None:
        parts.append(source.note)
    artifact["citation"] = " ".join(sentence(part) for part in parts)
    if source.url is not None:
        artifact["document"] = {"url": source.url}
    return artifact


def study_design(study: Study) -> list[Json]:
    """The allocation as a study-design code, the masking and the allocation ratio as text."""
    code, display = ALLOCATIONS[study.design.allocation]
    designs = [concept(STUDY_DESIGN_SYSTEM, code, display, text=study.design.allocation)]
    if study.design.masking is not None:
        # SEVCO codes name who is blinded, which "double-blind" does not say: text only.
        designs.append({"text": study.design.masking})
    ratio = study.design.allocation_ratio
    if ratio is not None:
        designs.append({"text": f"allocation ratio {ratio_text(study, ratio)}"})
    return designs


def variable(role: str, description: str, **more: Json) -> Json:
    """A variable definition: its description in words and its role."""
    return {
        "description": description,
        **more,
        "variableRole": concept(VARIABLE_ROLE_SYSTEM, role, VARIABLE_ROLES[role]),
    }


def population(study: Study, outcome: Outcome) -> str:
    """The population an outcome was analysed in: the analysis set as the source defines
    it (113 evaluable patients of 116 treated), then the part of the study it is for."""
    texts: list[str] = []
    if outcome.analysis is not None:
        texts.append(f"Analysis population: {study.analysis_label(outcome)}.")
    if outcome.population is None:
        if outcome.analysis is None:
            texts.append("The analysis population is not stated in the sources.")
    elif outcome.population == "all":
        texts.append(f"All participants of {study.acronym}: {population_phrase(study)}")
    else:
        subgroup = next(s for s in study.population.subgroups if s.id == outcome.population)
        text = f"Subgroup: {subgroup.label}"
        if subgroup.n is not None:
            text += f" (n = {subgroup.n})"
        if subgroup.defined_by is not None:
            text += f"; defined by {subgroup.defined_by}"
        texts.append(text)
    return " ".join(texts)


def group(study: Study, group_id: str) -> str:
    """An arm or a subgroup in words: "Arm blina: Blinatumomab (what it receives)"."""
    arm = next((a for a in study.design.arms if a.id == group_id), None)
    if arm is not None:
        text = f"Arm {arm.id}: {arm.label}"
        return f"{text} ({arm.description})" if arm.description is not None else text
    subgroup = next((s for s in study.population.subgroups if s.id == group_id), None)
    if subgroup is None:  # a reference the loader rejects; named as written
        return f"Group {group_id}"
    text = f"Subgroup {subgroup.id}: {subgroup.label}"
    return f"{text} ({subgroup.defined_by})" if subgroup.defined_by is not None else text


def measured(outcome: Outcome) -> str:
    """The outcome measured: label, endpoint, timepoint and role, and its definition."""
    text = (
        f"{outcome.label} (endpoint: {ENDPOINT_NAMES[outcome.endpoint]}; "
        f"timepoint: {fmt.timepoint(outcome.timepoint)}; role: {fmt.words(outcome.role)})"
    )
    if outcome.definition is not None:
        text += f". Definition: {outcome.definition}"
    return text


def read_only_in_summaries(study: Study, cite: Iterable[Quote], what: str) -> list[str]:
    """A note when every source of the figures is a secondary summary."""
    ids = source_ids(cite)
    secondary = [s for s in ids if study.source(s).kind == "secondary-summary"]
    if secondary and len(secondary) == len(ids):
        return [
            f"The figures of this {what} were read only in a secondary summary "
            f"(source: {', '.join(secondary)})."
        ]
    return []


def study_caveats(study: Study) -> list[str]:
    """The study's limitations as its sources state them and its curators' notes."""
    texts = [
        f"Limitation (source: {c.source}): {c.text}" for c in study.claims if c.kind == "limitation"
    ]
    texts.extend(f"Note on {n.about}: {n.text}" for n in study.notes)
    return texts


def statistic_notes(cite: Iterable[Quote], first: Iterable[str] = ()) -> list[Json]:
    """A statistic's notes: what a reader must know first, then the quotes that give it."""
    return notes([*first, *(quote(q) for q in cite)])
