"""The Evidence of one adverse-event figure: the event and its grade, how many people had
it, out of how many, in which arm.

A grade is kept as the source reports it: a single grade, "any grade", or a range such
as "≥3" or "3–4", which stays one figure (never split into single grades). The grade is
in the statistic's ``category`` and in the contained EvidenceVariable that defines the
measured event, where a range is a FHIR Range (3–4 is low 3, high 4; ≥3 is 3 to 5, the
top of the grading scale) and a single grade a Quantity.
"""

from __future__ import annotations

from blinacli.interop.fhir import parts
from blinacli.interop.fhir.codes import COUNT, PROPORTION, STATISTIC_TYPE_SYSTEM
from blinacli.interop.fhir.datatypes import Json, concept, fit, notes, percent, unconfirmed
from blinacli.model import AdverseEvent, Study, grade_bounds
from blinacli.views import formatting as fmt
from blinacli.views.phrases import population_phrase

EVENT_VARIABLE = "event"
"""The id, within its Evidence, of the contained EvidenceVariable that defines the event."""


def adverse_event_id(study: Study, index: int) -> str:
    """``study.AE-3`` for the third item of the study's ``safety`` list. Upper-case letters
    never occur in an outcome id, so no adverse event's id is a comparison's."""
    return fit(f"{study.id}.AE-{index + 1}")


def event_name(event: AdverseEvent) -> str:
    """The category, with the more specific term after a colon when there is one."""
    return event.category + (f": {event.term}" if event.term else "")


def count_text(event: AdverseEvent) -> str:
    """The figure as reported: "12/116 (10%)", "12 (10%)", "12", "10% of 116" or "10%"."""
    shown = fmt.percent(event.percent) if event.percent is not None else None
    if event.n is None:
        assert shown is not None  # the model requires a count or a percent
        return f"{shown} of {event.total}" if event.total is not None else shown
    text = f"{event.n}/{event.total}" if event.total is not None else str(event.n)
    return f"{text} ({shown})" if shown is not None else text


def adverse_event_evidence(study: Study, event: AdverseEvent, index: int) -> Json:
    """One adverse-event figure as an Evidence with the event's definition contained."""
    name = event_name(event)
    grade = fmt.grade_phrase(event.grade)
    arm = study.group_label(event.arm) if event.arm is not None else "all participants"
    measured = f"{name}, {grade}" + (f"; timing: {event.timing}" if event.timing else "")
    resource = parts.evidence(
        study,
        adverse_event_id(study, index),
        f"{study.acronym}: {name}, {grade} — {arm}",
        f"{arm[:1].upper()}{arm[1:]}: {measured} — {count_text(event)}",
        event.cite,
        contained=[_event_variable(event, measured)],
    )
    texts = [*parts.read_only_in_summaries(study, event.cite, "adverse event")]
    if event.note is not None:
        texts.append(event.note)
    texts.extend(unconfirmed("adverse event", event.unconfirmed))
    texts.extend(parts.study_caveats(study))
    if texts:
        resource["note"] = notes(texts)
    variables = [
        parts.variable("population", f"Participants of {study.acronym}: {population_phrase(study)}")
    ]
    if event.arm is not None:
        variables.append(parts.variable("exposure", parts.group(study, event.arm)))
    variables.append(
        parts.variable(
            "measuredVariable",
            measured,
            observed={"reference": f"#{EVENT_VARIABLE}", "type": "EvidenceVariable"},
        )
    )
    resource["variableDefinition"] = variables
    resource["studyDesign"] = parts.study_design(study)
    resource["statistic"] = [_statistic(event, grade)]
    return resource


def _event_variable(event: AdverseEvent, measured: str) -> Json:
    """The measured event with its grade as a category: a Range for a range of grades."""
    category: Json = {"name": fmt.grade_phrase(event.grade)}
    bounds = grade_bounds(event.grade)
    if bounds is not None and isinstance(event.grade, int):
        category["valueQuantity"] = {"value": event.grade}
    elif bounds is not None:
        low, high = bounds
        category["valueRange"] = {"low": {"value": low}, "high": {"value": high}}
    return {
        "resourceType": "EvidenceVariable",
        "id": EVENT_VARIABLE,
        "title": event_name(event),
        "status": "active",
        "description": measured,
        "category": [category],
    }


def _statistic(event: AdverseEvent, grade: str) -> Json:
    first: list[str] = []
    if event.total is None:
        first.append("The sources state no denominator for this figure.")
    if event.percent is None:
        first.append("The source gives no percentage; none is computed from the count.")
    if event.n is None:
        first.append("The source gives a percentage without a count; no count is computed.")
    code, display = PROPORTION if event.percent is not None else COUNT
    value: Json = {
        "description": count_text(event),
        "note": parts.statistic_notes(event.cite, first),
        "statisticType": concept(
            STATISTIC_TYPE_SYSTEM,
            code,
            display,
            text="proportion" if event.percent is not None else "count",
        ),
        "category": {"text": grade},
    }
    if event.percent is not None:
        value["quantity"] = percent(event.percent)
    elif event.n is not None:
        value["quantity"] = {"value": event.n}
    if event.n is not None:
        value["numberAffected"] = event.n
    if event.total is not None:
        value["sampleSize"] = {
            "description": f"Denominator: {event.total}",
            "numberOfParticipants": event.total,
        }
    return value
