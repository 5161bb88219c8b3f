"""HL7 FHIR R5 export: one Bundle with, for each study, its ResearchStudy and an Evidence
for every result the evidence holds.

For each study, in load order: the ResearchStudy (:mod:`.study`); then, outcome by
outcome, the Evidence of its comparison (:mod:`.comparison`) and the Evidence of each
group's own figure (:mod:`.results`); then the Evidence of each adverse-event figure
(:mod:`.safety`). :mod:`.parts` holds what the Evidence resources share, :mod:`.datatypes`
the FHIR data types and :mod:`.codes` the code systems.

The Bundle is built from plain dicts and lists, so blinacli needs no FHIR library at run
time. Every figure is passed through as the model holds it and nothing is derived: a
ratio of 0.41 stays 0.41, a percentage stays a percentage (78 %, never 0.78), a count is
never computed from a percentage nor a percentage from a count. A limit that could not be
estimated and a median not reached have no value and are named in a note; a p-value
bound such as "<0.001" becomes a Quantity with comparator "<" and value 0.001. The only
computed figure is a confidence level, which FHIR writes as a fraction (95 becomes 0.95).

Resource ids and full URLs depend only on the ids in the evidence (study, outcome,
group) and the position of an adverse event in its study's list, so the same evidence
always exports to the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from blinacli.base.controls import escape_json
from blinacli.interop.fhir.codes import (
    ATTRIBUTE_ESTIMATE_SYSTEM,
    CLINICALTRIALS_GOV,
    FHIR_VERSION,
    STATISTIC_TYPE_SYSTEM,
    STUDY_STATUS_SYSTEM,
    VARIABLE_ROLE_SYSTEM,
)
from blinacli.interop.fhir.comparison import comparison_evidence, evidence_id
from blinacli.interop.fhir.datatypes import Json, full_url
from blinacli.interop.fhir.results import result_evidence, result_ids
from blinacli.interop.fhir.safety import adverse_event_evidence, adverse_event_id
from blinacli.interop.fhir.study import research_study
from blinacli.model import AdverseEvent, Study

__all__ = [
    "ATTRIBUTE_ESTIMATE_SYSTEM",
    "CLINICALTRIALS_GOV",
    "FHIR_VERSION",
    "STATISTIC_TYPE_SYSTEM",
    "STUDY_STATUS_SYSTEM",
    "VARIABLE_ROLE_SYSTEM",
    "adverse_event_id",
    "bundle",
    "bundle_json",
    "evidence_id",
    "full_url",
    "result_ids",
    "study_resources",
]


def bundle(studies: Sequence[Study]) -> Json:
    """A collection Bundle: each study's ResearchStudy, then the Evidence of its results."""
    entries = [_entry(resource) for study in studies for resource in study_resources(study)]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def bundle_json(studies: Sequence[Study]) -> str:
    """The Bundle as JSON text: two-space indent, UTF-8 characters kept (hidden ones, such
    as controls and bidi overrides, as ``\\u`` escapes), newline-terminated."""
    return escape_json(json.dumps(bundle(studies), ensure_ascii=False, indent=2)) + "\n"


def study_resources(study: Study) -> list[Json]:
    """One study's resources in Bundle order: the ResearchStudy; per outcome, the
    comparison's Evidence and each group's; then each adverse event's."""
    resources = [research_study(study)]
    for outcome in study.outcomes:
        if outcome.comparison is not None:
            resources.append(comparison_evidence(study, outcome, outcome.comparison))
        for result, resource_id in zip(outcome.results, result_ids(study, outcome), strict=True):
            resources.append(result_evidence(study, outcome, result, resource_id))
    for index, item in enumerate(study.safety):
        if isinstance(item, AdverseEvent):
            resources.append(adverse_event_evidence(study, item, index))
    return resources


def _entry(resource: Json) -> Json:
    return {"fullUrl": full_url(resource["resourceType"], resource["id"]), "resource": resource}
