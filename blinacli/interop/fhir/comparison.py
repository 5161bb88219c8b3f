"""The Evidence of a between-group comparison: which group is the intervention and which
the comparator, the effect estimate in the direction the source reports it, and what the
comparison has when it has no estimate (its p-value, or only the two groups' figures).

The estimate is never inverted: a hazard ratio the source gives for the comparator
relative to the intervention is exported as given, and a note says so.
"""

from __future__ import annotations

from blinacli.interop.fhir import parts
from blinacli.interop.fhir.codes import RATIO_TYPES, STATISTIC_TYPE_SYSTEM
from blinacli.interop.fhir.datatypes import (
    Json,
    concept,
    confidence_interval,
    fit,
    notes,
    p_value,
    reference,
    unconfirmed,
)
from blinacli.interop.fhir.results import result_ids
from blinacli.model import Comparison, Outcome, Study
from blinacli.views import formatting as fmt


def evidence_id(study: Study, outcome: Outcome) -> str:
    """``study.outcome`` (a dot cannot occur in either id, so no two pairs collide)."""
    return fit(f"{study.id}.{outcome.id}")


def direction(study: Study, comparison: Comparison) -> tuple[str, str]:
    """(exposure, reference): the intervention and the comparator as the study names them
    (``Study.intervention_of``); between subgroups, which have no intervention, the
    groups in the order the source reports the estimate."""
    first, second = comparison.groups
    intervention = study.intervention_of(comparison)
    if intervention is None or intervention == first:
        return first, second
    return second, first


def comparison_evidence(study: Study, outcome: Outcome, comparison: Comparison) -> Json:
    """One between-group comparison: its variables, its statistic and the caveats on it."""
    exposure, comparator = direction(study, comparison)
    first, second = comparison.groups
    title = (
        f"{study.acronym}: {outcome.label} — "
        f"{study.group_label(exposure)} vs {study.group_label(comparator)}"
    )
    description = (
        f"{fmt.comparison(comparison)} "
        f"({study.group_label(first)} vs {study.group_label(second)}, as the source reports it)"
    )
    resource = parts.evidence(
        study,
        evidence_id(study, outcome),
        title,
        description,
        comparison.cite,
        related=_group_results(study, outcome, comparison),
    )
    texts = _caveats(study, outcome, comparison)
    if texts:
        resource["note"] = notes(texts)
    resource["variableDefinition"] = [
        parts.variable("population", parts.population(study, outcome)),
        parts.variable("exposure", parts.group(study, exposure)),
        parts.variable("referenceExposure", parts.group(study, comparator)),
        parts.variable("measuredVariable", parts.measured(outcome)),
    ]
    resource["studyDesign"] = parts.study_design(study)
    resource["statistic"] = [_statistic(study, outcome, comparison)]
    return resource


def _group_results(study: Study, outcome: Outcome, comparison: Comparison) -> list[Json]:
    """Links to the Evidence of each compared group's own figure for this outcome."""
    ids = result_ids(study, outcome)
    return [
        {
            "type": "composed-of",
            "display": f"{study.group_label(result.group)}: {fmt.result(result)}",
            "resourceReference": reference("Evidence", ids[index]),
        }
        for group_id in comparison.groups
        for index, result in enumerate(outcome.results)
        if result.group == group_id
    ]


def _direction_notes(study: Study, comparison: Comparison) -> list[str]:
    first, second = comparison.groups
    intervention = study.intervention_of(comparison)
    if comparison.estimate is None:
        return []
    text = (
        f"The estimate is of {study.group_label(first)} relative to "
        f"{study.group_label(second)}, as the source reports it."
    )
    if intervention is not None and intervention != first:
        text += (
            " That is the comparator relative to the intervention; the estimate is not inverted."
        )
    return [text]


def _statistic(study: Study, outcome: Outcome, comparison: Comparison) -> Json:
    statistic: Json = {}
    if comparison.label is not None:
        statistic["description"] = comparison.label
    first: list[str] = []
    if comparison.estimate is None:
        if comparison.p is not None:
            first.append("The sources report no effect estimate for this comparison.")
        else:
            first.append(_side_by_side(study, outcome, comparison))
    first.extend(_direction_notes(study, comparison))
    statistic["note"] = parts.statistic_notes(comparison.cite, first)
    if comparison.measure is not None and comparison.estimate is not None:
        code, display, text = RATIO_TYPES[comparison.measure]
        statistic["statisticType"] = concept(STATISTIC_TYPE_SYSTEM, code, display, text=text)
        statistic["quantity"] = {"value": comparison.estimate}
    analysis = outcome.analysis
    if analysis is not None and analysis.n is not None:
        statistic["sampleSize"] = {
            "description": study.analysis_label(outcome),
            "numberOfParticipants": analysis.n,
        }
    estimates = []
    if comparison.ci is not None:
        estimates.append(confidence_interval(comparison.ci))
    if comparison.p is not None:
        estimates.append(p_value(comparison.p))
    if estimates:
        statistic["attributeEstimate"] = estimates
    return statistic


def _side_by_side(study: Study, outcome: Outcome, comparison: Comparison) -> str:
    """What a comparison with no estimate and no p-value has: the two groups' figures."""
    figures = [
        f"{study.group_label(r.group)}: {fmt.result(r)}"
        for group_id in comparison.groups
        for r in outcome.results
        if r.group == group_id
    ]
    text = "The sources report no effect estimate and no p-value for this comparison"
    if figures:
        return f"{text}; they set the two groups' figures side by side: {'; '.join(figures)}."
    return f"{text}."


def _caveats(study: Study, outcome: Outcome, comparison: Comparison) -> list[str]:
    """The caveats a reader of this one result needs, all taken from the evidence file."""
    texts: list[str] = []
    if outcome.role == "landmark":
        groups = " vs ".join(study.group_label(g) for g in comparison.groups)
        texts.append(f"Landmark analysis: {groups}, not a randomized comparison.")
    elif study.intervention_of(comparison) is None:
        groups = " vs ".join(study.group_label(g) for g in comparison.groups)
        texts.append(
            f"Not a comparison of two arms ({groups}): neither group is an intervention or a "
            "comparator; they are in the order the source reports them."
        )
    texts.extend(parts.read_only_in_summaries(study, comparison.cite, "comparison"))
    if comparison.note is not None:
        texts.append(comparison.note)
    texts.extend(unconfirmed("comparison", comparison.unconfirmed))
    texts.extend(outcome.notes)
    texts.extend(unconfirmed("outcome", outcome.unconfirmed))
    texts.extend(parts.study_caveats(study))
    return texts
