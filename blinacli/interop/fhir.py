"""HL7 FHIR R5 export: one Bundle with a ResearchStudy per study and an Evidence per comparison.

The Bundle is built from plain dicts and lists, so blinacli needs no FHIR
library at run time. Every figure is passed through as the model holds it: a
ratio of 0.41 stays 0.41 (JSON writes a float's shortest round-trip form), and
nothing is computed except the confidence level, which FHIR writes as a
fraction (95 becomes 0.95, exactly, through Decimal). A limit that could not be
estimated is left out of its range and named in a note; a p-value bound such as
"<0.001" becomes a Quantity with comparator "<" and value 0.001.

Resource ids and full URLs depend only on the study and outcome ids, so the
same evidence always exports to the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from blinacli.base.controls import escape_json
from blinacli.model import (
    CI,
    ENDPOINT_NAMES,
    Arm,
    Comparison,
    Outcome,
    Quote,
    Source,
    Study,
    parse_p,
    source_ids,
)
from blinacli.views import formatting as fmt
from blinacli.views.phrases import citation_text, design_phrase, population_phrase

Json = dict[str, Any]

FHIR_VERSION = "5.0.0"

# Code systems (FHIR R5 core and HL7 Terminology).
CLINICALTRIALS_GOV = "http://clinicaltrials.gov"
PHASE_SYSTEM = "http://hl7.org/fhir/research-study-phase"
STUDY_DESIGN_SYSTEM = "http://hl7.org/fhir/study-design"
ARM_TYPE_SYSTEM = "http://hl7.org/fhir/research-study-arm-type"
OBJECTIVE_TYPE_SYSTEM = "http://hl7.org/fhir/research-study-objective-type"
TITLE_TYPE_SYSTEM = "http://hl7.org/fhir/title-type"
VARIABLE_ROLE_SYSTEM = "http://terminology.hl7.org/CodeSystem/variable-role"
STATISTIC_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/statistic-type"
ATTRIBUTE_ESTIMATE_SYSTEM = "http://terminology.hl7.org/CodeSystem/attribute-estimate-type"

PHASES: dict[object, tuple[str, str]] = {
    # ClinicalTrials.gov lists "Phase 0" trials as "Early Phase 1".
    0: ("early-phase-1", "Early Phase 1"),
    1: ("phase-1", "Phase 1"),
    "1/2": ("phase-1-phase-2", "Phase 1/Phase 2"),
    2: ("phase-2", "Phase 2"),
    "2/3": ("phase-2-phase-3", "Phase 2/Phase 3"),
    3: ("phase-3", "Phase 3"),
    4: ("phase-4", "Phase 4"),
}
ALLOCATIONS = {
    "randomized": ("SEVCO:01003", "randomized assignment"),
    "non-randomized": ("SEVCO:01005", "Non-randomized assignment"),
    "single-arm": ("SEVCO:01016", "Uncontrolled cohort design"),
}
ARM_TYPES = {
    "experimental": ("experimental", "Experimental"),
    "active-comparator": ("active-comparator", "Active Comparator"),
    "placebo-comparator": ("placebo-comparator", "Placebo Comparator"),
    "no-intervention": ("no-intervention", "No Intervention"),
    "other": ("other-arm-type", "Other Arm Type"),
}
STATISTIC_TYPES = {
    "hazard-ratio": ("C93150", "Hazard Ratio", "hazard ratio"),
    "odds-ratio": ("C16932", "Odds Ratio", "odds ratio"),
    "risk-ratio": ("C93152", "Relative Risk", "risk ratio"),
}
VARIABLE_ROLES = {
    "population": "population",
    "exposure": "exposure",
    "referenceExposure": "reference exposure",
    "measuredVariable": "measured variable",
}
CONFIDENCE_INTERVAL = ("C53324", "Confidence interval")
P_VALUE = ("C44185", "P-value")
FHIR_COMPARATORS = {"<": "<", ">": ">", "≤": "<=", "≥": ">="}

_NCT = re.compile(r"^NCT\d{8}$")
_ID_LENGTH = 64
"""FHIR ids are at most 64 letters, digits, hyphens and dots."""


# --- The bundle --------------------------------------------------------------------


def bundle(studies: Sequence[Study]) -> Json:
    """A collection Bundle: each study's ResearchStudy, then an Evidence per comparison."""
    entries: list[Json] = []
    for study in studies:
        entries.append(_entry(research_study(study)))
        for outcome in study.outcomes:
            if outcome.comparison is not None:
                entries.append(_entry(evidence(study, outcome, outcome.comparison)))
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def bundle_json(studies: Sequence[Study]) -> str:
    """The Bundle as JSON text: two-space indent, UTF-8 characters kept (hidden ones, such
    as controls and bidi overrides, as ``\\u`` escapes), newline-terminated."""
    return escape_json(json.dumps(bundle(studies), ensure_ascii=False, indent=2)) + "\n"


def _entry(resource: Json) -> Json:
    return {"fullUrl": full_url(resource["resourceType"], resource["id"]), "resource": resource}


def full_url(resource_type: str, resource_id: str) -> str:
    """A ``urn:uuid:`` that depends only on the resource type and id (a name-based UUID)."""
    return "urn:uuid:" + str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"urn:blinacli:{resource_type}/{resource_id}")
    )


def evidence_id(study: Study, outcome: Outcome) -> str:
    """``study.outcome`` (a dot cannot occur in either id, so no two pairs collide)."""
    return _fit(f"{study.id}.{outcome.id}")


def _fit(resource_id: str) -> str:
    """An id of at most 64 characters: a long one keeps its start and a hash of the whole."""
    if len(resource_id) <= _ID_LENGTH:
        return resource_id
    digest = hashlib.sha256(resource_id.encode("utf-8")).hexdigest()[:12]
    return f"{resource_id[: _ID_LENGTH - len(digest) - 1]}-{digest}"


# --- ResearchStudy ------------------------------------------------------------------


def research_study(study: Study) -> Json:
    """The study's identity, design, arms, endpoints, citations and notes."""
    design = study.design
    resource: Json = {"resourceType": "ResearchStudy", "id": study.id}
    identifiers = _identifiers(study)
    if identifiers:
        resource["identifier"] = identifiers
    resource["title"] = study.title
    resource["label"] = [
        {"type": _concept(TITLE_TYPE_SYSTEM, "acronym", "Acronym"), "value": study.acronym}
    ]
    resource["relatedArtifact"] = [_publication(study), *(_source(s) for s in study.sources)]
    # The status of this record (R5: "not of the study"); the model has no
    # recruitment status, so progressStatus is left out.
    resource["status"] = "active"
    code, display = PHASES[design.phase]
    resource["phase"] = _concept(PHASE_SYSTEM, code, display, text=f"phase {design.phase}")
    resource["studyDesign"] = _study_design(study)
    resource["focus"] = [{"concept": {"text": drug}} for drug in study.drugs]
    resource["condition"] = [{"text": study.condition}]
    resource["description"] = _description(study)
    notes = _study_notes(study)
    if notes:
        resource["note"] = notes
    enrolled = [e.n for e in design.enrollment if e.stage == "enrolled" and e.arm is None]
    if enrolled:
        resource["recruitment"] = {"actualNumber": enrolled[0]}
    resource["comparisonGroup"] = [_comparison_group(arm) for arm in design.arms]
    if design.endpoints:
        resource["outcomeMeasure"] = [
            {
                "name": endpoint.label,
                "type": [
                    _concept(OBJECTIVE_TYPE_SYSTEM, endpoint.role, endpoint.role.capitalize())
                ],
                "description": ENDPOINT_NAMES[endpoint.endpoint],
            }
            for endpoint in design.endpoints
        ]
    return resource


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


def _study_design(study: Study) -> list[Json]:
    code, display = ALLOCATIONS[study.design.allocation]
    designs = [_concept(STUDY_DESIGN_SYSTEM, code, display, text=study.design.allocation)]
    if study.design.masking is not None:
        # SEVCO codes name who is blinded, which "double-blind" does not say: text only.
        designs.append({"text": study.design.masking})
    return designs


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
        "type": _concept(ARM_TYPE_SYSTEM, code, display),
    }
    if arm.description is not None:
        group["description"] = arm.description
    return group


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
    artifact: Json = {
        "type": "citation",
        "label": "publication",
        "display": c.title,
        "citation": citation,
        "publicationDate": c.date if c.date is not None else str(c.year),
    }
    if c.doi is not None:
        artifact["document"] = {"url": f"https://doi.org/{c.doi}"}
    return artifact


def _source(source: Source) -> Json:
    artifact: Json = {"type": "citation", "label": source.id, "classifier": [{"text": source.kind}]}
    if source.title is not None:
        artifact["display"] = source.title
    parts = [source.citation]
    if source.confirmed_in:
        parts.append("Confirmed in: " + "; ".join(source.confirmed_in))
    if source.note is not None:
        parts.append(source.note)
    artifact["citation"] = " ".join(_sentence(part) for part in parts)
    if source.url is not None:
        artifact["document"] = {"url": source.url}
    return artifact


def _study_notes(study: Study) -> list[Json]:
    """Key points, conclusions and limitations as their sources state them, then curators' notes."""
    kinds = {"key-point": "Key point", "conclusion": "Conclusion", "limitation": "Limitation"}
    notes = [
        {"text": f"{kinds[claim.kind]} (source: {claim.source}): {claim.text}"}
        for claim in study.claims
    ]
    notes.extend({"text": f"Note on {note.about}: {note.text}"} for note in study.notes)
    return notes


# --- Evidence -----------------------------------------------------------------------


def evidence(study: Study, outcome: Outcome, comparison: Comparison) -> Json:
    """One between-group comparison: its variables, its statistic and the caveats on it."""
    intervention, comparator = comparison.groups
    title = (
        f"{study.acronym}: {outcome.label} — "
        f"{study.group_label(intervention)} vs {study.group_label(comparator)}"
    )
    resource: Json = {
        "resourceType": "Evidence",
        "id": evidence_id(study, outcome),
        "title": title,
        "relatedArtifact": [
            {
                "type": "derived-from",
                "display": f"{study.acronym} ({study.id})",
                "resourceReference": {
                    "reference": full_url("ResearchStudy", study.id),
                    "type": "ResearchStudy",
                },
            },
            *(_source(study.source(s)) for s in source_ids(comparison.cite)),
        ],
        "status": "active",
        "description": fmt.comparison(comparison),
    }
    notes = _evidence_notes(study, outcome, comparison)
    if notes:
        resource["note"] = notes
    resource["variableDefinition"] = [
        _variable("population", _population(study, outcome)),
        _variable("exposure", _group(study, intervention)),
        _variable("referenceExposure", _group(study, comparator)),
        _variable("measuredVariable", _measured(outcome)),
    ]
    resource["studyDesign"] = _study_design(study)
    resource["statistic"] = [_statistic(comparison)]
    return resource


def _variable(role: str, description: str) -> Json:
    return {
        "description": description,
        "variableRole": _concept(VARIABLE_ROLE_SYSTEM, role, VARIABLE_ROLES[role]),
    }


def _population(study: Study, outcome: Outcome) -> str:
    if outcome.population is None:
        return "The analysis population is not stated in the sources."
    if outcome.population == "all":
        return f"All participants of {study.acronym}: {population_phrase(study)}"
    subgroup = next(s for s in study.population.subgroups if s.id == outcome.population)
    text = f"Subgroup: {subgroup.label}"
    if subgroup.n is not None:
        text += f" (n = {subgroup.n})"
    if subgroup.defined_by is not None:
        text += f"; defined by {subgroup.defined_by}"
    return text


def _group(study: Study, group_id: str) -> str:
    arm = next((a for a in study.design.arms if a.id == group_id), None)
    if arm is not None:
        text = f"Arm {arm.id}: {arm.label}"
        return f"{text} ({arm.description})" if arm.description is not None else text
    subgroup = next(s for s in study.population.subgroups if s.id == group_id)
    text = f"Subgroup {subgroup.id}: {subgroup.label}"
    return f"{text} ({subgroup.defined_by})" if subgroup.defined_by is not None else text


def _measured(outcome: Outcome) -> str:
    return (
        f"{outcome.label} (endpoint: {ENDPOINT_NAMES[outcome.endpoint]}; "
        f"timepoint: {fmt.timepoint(outcome.timepoint)}; role: {fmt.words(outcome.role)})"
    )


def _statistic(comparison: Comparison) -> Json:
    statistic: Json = {}
    if comparison.label is not None:
        statistic["description"] = comparison.label
    notes = [{"text": _quote(q)} for q in comparison.cite]
    if comparison.measure is None or comparison.estimate is None:
        notes.insert(0, {"text": "The sources report no effect estimate for this comparison."})
    statistic["note"] = notes
    if comparison.measure is not None and comparison.estimate is not None:
        code, display, text = STATISTIC_TYPES[comparison.measure]
        statistic["statisticType"] = _concept(STATISTIC_TYPE_SYSTEM, code, display, text=text)
        statistic["quantity"] = {"value": comparison.estimate}
    estimates = []
    if comparison.ci is not None:
        estimates.append(_confidence_interval(comparison.ci))
    if comparison.p is not None:
        estimates.append(_p_value(comparison.p))
    if estimates:
        statistic["attributeEstimate"] = estimates
    return statistic


def _confidence_interval(ci: CI) -> Json:
    code, display = CONFIDENCE_INTERVAL
    estimate: Json = {
        "description": fmt.ci(ci),
        "type": _concept(ATTRIBUTE_ESTIMATE_SYSTEM, code, display),
        # R5 gives the level as a fraction ("0.95 for 95% confidence interval").
        "level": _number(Decimal(fmt.number(ci.level)) / 100),
    }
    limits: Json = {}
    notes: list[Json] = []
    for name, side, value in (("lower", "low", ci.lower), ("upper", "high", ci.upper)):
        if isinstance(value, str):
            notes.append({"text": f"The {name} limit is {value}; it is left out of the range."})
        else:
            limits[side] = {"value": value}
    if limits:
        estimate["range"] = limits
    if notes:
        estimate["note"] = notes
    return estimate


def _p_value(p: float | int | str) -> Json:
    code, display = P_VALUE
    relation, _ = parse_p(p)
    quantity: Json = {}
    if relation != "=":
        quantity["comparator"] = FHIR_COMPARATORS[relation]
    if isinstance(p, str):
        # The digits as written, not the float parse_p made of them.
        quantity["value"] = _number(Decimal(p.strip().lstrip("<>=≤≥ ")))
    else:
        quantity["value"] = p
    return {
        "description": fmt.p_value(p),
        "type": _concept(ATTRIBUTE_ESTIMATE_SYSTEM, code, display),
        "quantity": quantity,
    }


def _evidence_notes(study: Study, outcome: Outcome, comparison: Comparison) -> list[Json]:
    """The caveats a reader of this one result needs, all taken from the evidence file."""
    notes: list[str] = []
    if outcome.role == "landmark":
        groups = " vs ".join(study.group_label(g) for g in comparison.groups)
        notes.append(f"Landmark analysis: {groups}, not a randomized comparison.")
    secondary = [
        s for s in source_ids(comparison.cite) if study.source(s).kind == "secondary-summary"
    ]
    if secondary and len(secondary) == len(source_ids(comparison.cite)):
        notes.append(
            "The figures of this comparison were read only in a secondary summary "
            f"(source: {', '.join(secondary)})."
        )
    notes.extend(outcome.notes)
    notes.extend(
        f"Limitation (source: {c.source}): {c.text}" for c in study.claims if c.kind == "limitation"
    )
    notes.extend(f"Note on {n.about}: {n.text}" for n in study.notes)
    return [{"text": text} for text in notes]


# --- Data types ---------------------------------------------------------------------


def _concept(system: str, code: str, display: str, *, text: str | None = None) -> Json:
    concept: Json = {"coding": [{"system": system, "code": code, "display": display}]}
    if text is not None:
        concept["text"] = text
    return concept


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _quote(quote: Quote) -> str:
    return f"Source {quote.source}: “{quote.quote}”"


def _number(value: Decimal) -> int | float:
    """A Decimal as the JSON number with the same digits (0.001 stays 0.001)."""
    if value == value.to_integral_value() and "." not in str(value) and "E" not in str(value):
        return int(value)
    return float(value)
