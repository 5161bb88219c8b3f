"""The ResearchStudy of a study: identity, publication, design, status, enrollment, arms,
endpoints and the study's own statements.

R5 has one element for the number of participants, ``recruitment.actualNumber``: it
holds the whole study's enrolled count, or its randomized count when no enrolled count
is given. Every enrollment figure (randomized, treated, evaluable, per arm too), the
median follow-up, the doses and the safety statements are notes, each with the source it
was read in. The trial's status is ``progressStatus`` and, for a trial stopped early,
``whyStopped``; a status the sources do not state is left out.
"""

from __future__ import annotations

import re

from blinacli.interop.fhir import parts
from blinacli.interop.fhir.codes import (
    ARM_TYPE_SYSTEM,
    ARM_TYPES,
    CLINICALTRIALS_GOV,
    OBJECTIVE_TYPE_SYSTEM,
    PHASE_SYSTEM,
    PHASES,
    STUDY_STATES,
    STUDY_STATUS_SYSTEM,
    TITLE_TYPE_SYSTEM,
)
from blinacli.interop.fhir.datatypes import Json, concept, notes, unconfirmed
from blinacli.model import (
    ENDPOINT_NAMES,
    Arm,
    Quote,
    Regimen,
    SafetyStatement,
    Study,
    TrialStatus,
    source_ids,
)
from blinacli.views import formatting as fmt
from blinacli.views import phrases, regimens
from blinacli.views.phrases import STATES, design_phrase, population_phrase, ratio_text

_NCT = re.compile(r"^NCT\d{8}$")


def research_study(study: Study) -> Json:
    """The study's identity, design, status, enrollment, arms, endpoints and notes."""
    design = study.design
    resource: Json = {"resourceType": "ResearchStudy", "id": study.id}
    identifiers = _identifiers(study)
    if identifiers:
        resource["identifier"] = identifiers
    resource["title"] = study.title
    resource["label"] = [
        {"type": concept(TITLE_TYPE_SYSTEM, "acronym", "Acronym"), "value": study.acronym}
    ]
    resource["relatedArtifact"] = [
        _publication(study),
        *(parts.source_artifact(s) for s in study.sources),
    ]
    # The status of this record (R5: "not of the study"); the trial's own status is
    # progressStatus below.
    resource["status"] = "active"
    code, display = PHASES[design.phase]
    resource["phase"] = concept(PHASE_SYSTEM, code, display, text=f"phase {design.phase}")
    resource["studyDesign"] = parts.study_design(study)
    resource["focus"] = [{"concept": {"text": drug}} for drug in study.drugs]
    resource["condition"] = [{"text": study.condition}]
    resource["description"] = _description(study)
    texts = _study_notes(study)
    if texts:
        resource["note"] = notes(texts)
    if study.status is not None:
        resource["progressStatus"] = [_progress(study.status)]
        if study.status.reason is not None:
            resource["whyStopped"] = {"text": study.status.reason}
    actual = _actual_number(study)
    if actual is not None:
        resource["recruitment"] = {"actualNumber": actual}
    resource["comparisonGroup"] = [_comparison_group(arm) for arm in design.arms]
    if design.endpoints:
        resource["outcomeMeasure"] = [
            {
                "name": endpoint.label,
                "type": [
                    # "not-stated" is no objective type: the words, and no code.
                    concept(OBJECTIVE_TYPE_SYSTEM, endpoint.role, endpoint.role.capitalize())
                    if endpoint.role != "not-stated"
                    else {"text": "role not stated"}
                ],
                "description": ENDPOINT_NAMES[endpoint.endpoint]
                + (f": {endpoint.definition}" if endpoint.definition else ""),
            }
            for endpoint in design.endpoints
        ]
    return resource


def _progress(status: TrialStatus) -> Json:
    """The trial's state, coded where the research-study-status codes say the same."""
    coded = STUDY_STATES[status.state]
    text = STATES[status.state]
    state = concept(STUDY_STATUS_SYSTEM, *coded, text=text) if coded else {"text": text}
    return {"state": state, "actual": True}


def _actual_number(study: Study) -> int | None:
    """The whole study's enrolled count, else its randomized count; None without either."""
    whole = [e for e in study.design.enrollment if e.arm is None]
    for stage in ("enrolled", "randomized"):
        for entry in whole:
            if entry.stage == stage:
                return entry.n
    return None


def _identifiers(study: Study) -> list[Json]:
    identifiers: list[Json] = []
    for registration in study.registrations:
        identifier: Json = {"use": "official"}
        if _is_clinicaltrials_gov(registration.registry, registration.id):
            identifier["system"] = CLINICALTRIALS_GOV
        identifier["value"] = registration.id
        identifier["assigner"] = {"display": registration.registry}
        identifiers.append(identifier)
        identifiers.extend({"use": "secondary", "value": s} for s in registration.secondary_ids)
    return identifiers


def _is_clinicaltrials_gov(registry: str, registration_id: str) -> bool:
    return registry.strip().casefold() == "clinicaltrials.gov" or bool(_NCT.match(registration_id))


def _description(study: Study) -> str:
    design = design_phrase(study)
    if study.design.masking is not None:
        design += f", {study.design.masking}"
    return f"{design[:1].upper()}{design[1:]}. Population: {population_phrase(study)}."


def _comparison_group(arm: Arm) -> Json:
    code, display = ARM_TYPES[arm.role]
    group: Json = {
        "linkId": arm.id,
        "name": arm.label,
        "type": concept(ARM_TYPE_SYSTEM, code, display),
    }
    if arm.description is not None:
        group["description"] = arm.description
    return group


def citation_text(study: Study) -> str:
    """Vancouver style; a title the sources do not give is left out, with no placeholder in
    its place (a reference manager would keep the placeholder as the title)."""
    return phrases.citation_text(study, untitled=None)


def _publication(study: Study) -> Json:
    c = study.citation
    citation = citation_text(study)
    identifiers = [
        f"{label} {value}"
        for label, value in (("doi:", c.doi), ("PMID:", c.pmid), ("PMCID:", c.pmcid))
        if value is not None
    ]
    if identifiers:
        citation += " " + "; ".join(identifiers) + "."
    if c.erratum is not None:
        citation += f" Erratum: {c.erratum}."
    artifact: Json = {"type": "citation", "label": "publication"}
    if c.title is not None:
        artifact["display"] = c.title
    artifact["citation"] = citation
    artifact["publicationDate"] = c.date if c.date is not None else str(c.year)
    if c.doi is not None:
        artifact["document"] = {"url": f"https://doi.org/{c.doi}"}
    return artifact


def _sources(cite: list[Quote]) -> str:
    return f" (source: {', '.join(source_ids(cite))})"


def _study_notes(study: Study) -> list[str]:
    """Key points, conclusions and limitations as their sources state them, the curators'
    notes, then the figures of the design and of safety that have no element of their own."""
    kinds = {"key-point": "Key point", "conclusion": "Conclusion", "limitation": "Limitation"}
    texts = [
        f"{kinds[claim.kind]} (source: {claim.source}): {claim.text}" for claim in study.claims
    ]
    texts.extend(f"Note on {note.about}: {note.text}" for note in study.notes)
    texts.extend(_design_notes(study))
    texts.extend(_regimen_note(study, regimen) for regimen in study.dosing)
    texts.extend(_safety_statements(study))
    return texts


def _design_notes(study: Study) -> list[str]:
    """The status, the allocation ratio, every enrollment figure and the follow-up."""
    design = study.design
    texts: list[str] = []
    status = study.status
    if status is not None:
        text = f"Status: {STATES[status.state]}"
        if status.reason is not None:
            text += f": {status.reason}"
        if status.as_of is not None:
            text += f" (as of {status.as_of})"
        texts.append(text + _sources(status.cite))
        texts.extend(unconfirmed("status", status.unconfirmed))
    ratio = design.allocation_ratio
    if ratio is not None:
        texts.append(f"Allocation ratio: {ratio_text(study, ratio)}{_sources(ratio.cite)}")
    for entry in design.enrollment:
        where = f", {study.group_label(entry.arm)}" if entry.arm is not None else ""
        text = f"Enrollment{where}: {entry.n} {fmt.words(entry.stage)}"
        if entry.percent is not None:
            text += f" ({fmt.percent(entry.percent)})"
        if entry.note is not None:
            text += f" — {entry.note}"
        texts.append(text + _sources(entry.cite))
        texts.extend(unconfirmed(f"enrollment, {fmt.words(entry.stage)}", entry.unconfirmed))
    for follow_up in design.follow_ups():
        where = f", {study.group_label(follow_up.arm)}" if follow_up.arm is not None else ""
        text = f"Median follow-up{where}: {fmt.number(follow_up.median)} {follow_up.unit}"
        if follow_up.note is not None:
            text += f" — {follow_up.note}"
        texts.append(text + _sources(follow_up.cite))
    return texts


def _regimen_note(study: Study, regimen: Regimen) -> str:
    """A regimen in words, as the views write it, with its note and unconfirmed details."""
    items = [regimens.dose_text(regimen)]
    for label, value in (
        ("route", regimens.route_text(regimen)),
        ("schedule", regimens.schedule_text(regimen)),
        ("cycles", regimens.cycles_text(regimen)),
        ("transplant", regimens.transplant_text(regimen)),
    ):
        if value is not None:
            items.append(f"{label}: {value}")
    if regimen.combined_with:
        items.append("with " + ", ".join(regimen.combined_with))
    text = f"Regimen, {study.group_label(regimen.arm)}: {'; '.join(items)}"
    if regimen.note is not None:
        text += f" — {regimen.note}"
    if regimen.unconfirmed:
        text += f" ({fmt.unconfirmed(regimen.unconfirmed)})"
    return text + _sources(regimen.cite)


def _safety_statements(study: Study) -> list[str]:
    """The safety statements without figures (figures are Evidence of their own)."""
    texts: list[str] = []
    for item in study.safety:
        if not isinstance(item, SafetyStatement):
            continue
        where = f", {study.group_label(item.arm)}" if item.arm is not None else ""
        text = f"Safety{where}: {item.category}: {item.text}"
        if item.note is not None:
            text += f" — {item.note}"
        if item.unconfirmed:
            text += f" ({fmt.unconfirmed(item.unconfirmed)})"
        texts.append(text + _sources(item.cite))
    return texts
