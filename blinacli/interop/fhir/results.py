"""The Evidence of one group's own figure for an outcome: a median or mean time, a rate,
or a proportion, whether or not the outcome also has a comparison.

Only reported figures are written. A proportion keeps what the source gives: a count
(``numberAffected``) of a denominator (``sampleSize.numberOfParticipants``), a
percentage (``quantity`` in %), or both; a percentage is never computed from a count,
nor a count from a percentage. A median that was not reached has no value, and a limit
that could not be estimated is left out of its range; a note names each.
"""

from __future__ import annotations

from blinacli.interop.fhir import parts
from blinacli.interop.fhir.codes import MEAN, MEDIAN, PROPORTION, STATISTIC_TYPE_SYSTEM
from blinacli.interop.fhir.datatypes import (
    Json,
    concept,
    confidence_interval,
    fit,
    notes,
    percent,
    percent_unit,
    time_unit,
    unconfirmed,
)
from blinacli.model import NOT_REACHED, Outcome, Proportion, Rate, Study, Time
from blinacli.views import formatting as fmt

Result = Proportion | Rate | Time

METHODS = {"kaplan-meier": "Kaplan-Meier estimate", "cumulative-incidence": "cumulative incidence"}


def result_ids(study: Study, outcome: Outcome) -> list[str]:
    """The Evidence id of each of an outcome's results, in order: ``study.outcome.group``,
    and ``study.outcome.group.2`` for a group's second figure. Three parts, where a
    comparison's id has two, so no result id is a comparison's."""
    seen: dict[str, int] = {}
    ids = []
    for result in outcome.results:
        count = seen[result.group] = seen.get(result.group, 0) + 1
        base = f"{study.id}.{outcome.id}.{result.group}"
        ids.append(fit(base if count == 1 else f"{base}.{count}"))
    return ids


def result_evidence(study: Study, outcome: Outcome, result: Result, resource_id: str) -> Json:
    """One group's figure: the group, the outcome, the statistic and the caveats on it."""
    label = study.group_label(result.group)
    description = f"{label}: {fmt.result(result)}"
    if outcome.timepoint is not None:
        description += f" (timepoint: {outcome.timepoint.label})"
    resource = parts.evidence(
        study, resource_id, f"{study.acronym}: {outcome.label} — {label}", description, result.cite
    )
    texts = _caveats(study, outcome, result)
    if texts:
        resource["note"] = notes(texts)
    if study.is_arm(result.group):
        variables = [
            parts.variable("population", parts.population(study, outcome)),
            parts.variable("exposure", parts.group(study, result.group)),
        ]
    else:
        within = parts.population(study, outcome)
        variables = [
            parts.variable("population", f"{parts.group(study, result.group)}. Within: {within}")
        ]
    resource["variableDefinition"] = [
        *variables,
        parts.variable("measuredVariable", parts.measured(outcome)),
    ]
    resource["studyDesign"] = parts.study_design(study)
    resource["statistic"] = [statistic(result)]
    return resource


def statistic(result: Result) -> Json:
    """The figure as an Evidence statistic, with the quotes that give it."""
    if isinstance(result, Proportion):
        return _proportion(result)
    if isinstance(result, Rate):
        return _rate(result)
    return _time(result)


def _proportion(result: Proportion) -> Json:
    first: list[str] = []
    if result.n is None:
        first.append(
            f"The source gives the percentage of {result.total} without a count; "
            "no count is computed from it."
        )
    if result.percent is None:
        first.append("The source gives no percentage; none is computed from the count.")
    code, display = PROPORTION
    value: Json = {
        "description": fmt.proportion(result),
        "note": parts.statistic_notes(result.cite, first),
        "statisticType": concept(STATISTIC_TYPE_SYSTEM, code, display, text="proportion"),
    }
    if result.percent is not None:
        value["quantity"] = percent(result.percent)
    if result.n is not None:
        value["numberAffected"] = result.n
    value["sampleSize"] = {
        "description": f"Denominator: {result.total}",
        "numberOfParticipants": result.total,
    }
    return value


def _rate(result: Rate) -> Json:
    code, display = PROPORTION
    method = METHODS[result.method] if result.method is not None else None
    value: Json = {
        "description": fmt.rate(result),
        "note": parts.statistic_notes(
            result.cite, [] if method else ["The source does not say how the rate was estimated."]
        ),
        "statisticType": concept(STATISTIC_TYPE_SYSTEM, code, display, text="rate"),
        "quantity": percent(result.percent),
    }
    if result.ci is not None:
        value["attributeEstimate"] = [confidence_interval(result.ci, percent_unit())]
    if method is not None:
        value["modelCharacteristic"] = [{"code": {"text": method}}]
    return value


def _time(result: Time) -> Json:
    first: list[str] = []
    if result.statistic == "not-stated":
        first.append("The source does not name the statistic (median, mean or other) of this time.")
    if result.value == NOT_REACHED:
        name = result.statistic if result.statistic != "not-stated" else "time"
        first.append(f"The {name} was not reached; it has no value.")
    value: Json = {
        "description": fmt.time(result),
        "note": parts.statistic_notes(result.cite, first),
    }
    if result.statistic in ("median", "mean"):
        code, display = MEDIAN if result.statistic == "median" else MEAN
        value["statisticType"] = concept(
            STATISTIC_TYPE_SYSTEM, code, display, text=result.statistic
        )
    if result.value != NOT_REACHED:
        value["quantity"] = {"value": result.value, **time_unit(result.unit)}
    if result.ci is not None:
        value["attributeEstimate"] = [confidence_interval(result.ci, time_unit(result.unit))]
    return value


def _caveats(study: Study, outcome: Outcome, result: Result) -> list[str]:
    """The caveats a reader of this one figure needs, all taken from the evidence file."""
    texts: list[str] = []
    if outcome.role == "landmark":
        label = study.group_label(result.group)
        texts.append(f"Landmark analysis ({label}): not a randomized comparison.")
    texts.extend(parts.read_only_in_summaries(study, result.cite, "result"))
    if result.note is not None:
        texts.append(result.note)
    texts.extend(unconfirmed("result", result.unconfirmed))
    texts.extend(outcome.notes)
    texts.extend(unconfirmed("outcome", outcome.unconfirmed))
    texts.extend(parts.study_caveats(study))
    return texts
