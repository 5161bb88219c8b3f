"""The draft's outcomes, from the record's outcome measures: each group's result where
the model has a type for it (a count, a percentage, a rate or a time), the comparison
(:mod:`.analyses`), and the record's limitations as a claim.
"""

from __future__ import annotations

import re
from typing import Any

from blinacli.interop.ctgov.analyses import ci_limit, comparison_of
from blinacli.interop.ctgov.context import Context
from blinacli.interop.ctgov.record import Denom, Group, Measure, Measurement
from blinacli.interop.ctgov.values import (
    REGISTRY,
    Flow,
    Number,
    as_count,
    as_number,
    cite,
    endpoint_of,
    field,
    fit,
    fits,
    raw,
    text_of,
)
from blinacli.model import Count, Percent, PositiveCount, vocabulary

OUTCOME_ROLES = {"PRIMARY": "primary", "SECONDARY": "secondary"}
TIME_UNITS = {
    "day": "days",
    "days": "days",
    "week": "weeks",
    "weeks": "weeks",
    "month": "months",
    "months": "months",
    "year": "years",
    "years": "years",
}
TIME_TO_EVENT = vocabulary.TIME_TO_EVENT | vocabulary.EVENT_INCIDENCE
_PERCENT_UNIT = re.compile(
    r"(?:%|percent(?:age)?)\s*(?:of\s+)?(?:participants|subjects|patients)", re.IGNORECASE
)
_CI_DISPLAY = re.compile(r"(\d+(?:\.\d+)?)\s*%\s*confidence interval", re.IGNORECASE)
_CI_CODE = re.compile(r"CONFIDENCE_INTERVAL_(\d+)(?:_(\d+))?")
_TIMEPOINT = [
    re.compile(r"(?:at\s+)?(?P<unit>day|week|month|year)\s+(?P<value>\d+)", re.IGNORECASE),
    re.compile(r"(?P<value>\d+)\s+(?P<unit>days|weeks|months|years)", re.IGNORECASE),
]
_NOT_REACHED = re.compile(r"not\s+(?:yet\s+)?reached", re.IGNORECASE)


# --- Outcomes -------------------------------------------------------------------------------------


def outcomes_of(ctx: Context) -> list[dict[str, Any]]:
    """The outcomes of the record's outcome measures, each id by its type and number."""
    results = ctx.record.results_section
    if results is None or results.outcome_measures_module is None:
        return []
    outcomes: list[dict[str, Any]] = []
    counters: dict[str, int] = {}
    for measure in results.outcome_measures_module.outcome_measures:
        prefix = (measure.type or "other").lower().replace("_", "-")
        counters[prefix] = counters.get(prefix, 0) + 1
        outcome = _outcome(ctx, measure, f"{prefix}-{counters[prefix]}")
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


def _outcome(ctx: Context, measure: Measure, outcome_id: str) -> dict[str, Any] | None:
    title = " ".join(measure.title.split())
    if not title:
        ctx.note("outcomes", "An outcome measure without a title is not imported.")
        return None
    notes: list[str] = []
    endpoint = endpoint_of(title)
    results, reason = _results(ctx, measure, endpoint, notes)
    comparison = comparison_of(ctx, measure, notes)
    if not results and comparison is None:
        why = reason or "no group's value could be imported"
        skipped = [n for n in notes if n.startswith("A registry analysis")]
        ctx.note(
            "outcomes",
            " ".join(
                [f"The registry's outcome measure {title!r} is not imported: {why}.", *skipped]
            ),
        )
        return None
    if reason:
        notes.insert(0, f"Group values not imported: {reason}.")
    role = OUTCOME_ROLES.get(measure.type or "")
    if role is None:
        role = "not-stated"
        notes.insert(
            0,
            f"The registry classes this outcome measure as {measure.type or 'nothing'}; "
            "the model has no such role.",
        )
    outcome: dict[str, Any] = {
        "id": ctx.new_id(outcome_id, "outcome"),
        "endpoint": endpoint,
        "label": fit(title, 4000),
        "role": role,
    }
    timepoint = _timepoint(measure.time_frame)
    if timepoint is not None:
        outcome["timepoint"] = timepoint
    if results:
        outcome["results"] = results
    if comparison is not None:
        outcome["comparison"] = comparison
    population = text_of(measure.population_description)
    if population:
        notes.insert(0, f"Analysis population (registry): {population}")
    if notes:
        outcome["notes"] = [fit(n, 4000) for n in notes]
    return outcome


def _results(
    ctx: Context, measure: Measure, endpoint: str, notes: list[str]
) -> tuple[list[dict[str, Any]], str | None]:
    """Each group's result, and why the group values are not imported (None if they are)."""
    param = (measure.param_type or "").upper()
    unit = text_of(measure.unit_of_measure) or ""
    time_unit = TIME_UNITS.get(unit.casefold())
    title = " ".join(measure.title.split())
    time_to_event = endpoint in TIME_TO_EVENT or bool(re.match(r"time to\b", title, re.I))
    if param == "COUNT_OF_PARTICIPANTS":
        kind = "count"
    elif param == "NUMBER" and _PERCENT_UNIT.fullmatch(unit):
        kind = "rate" if time_to_event else "percent"
    elif param in ("MEDIAN", "MEAN") and time_unit is not None and time_to_event:
        kind = "time"
    elif not measure.classes:
        return [], "the registry gives no values"
    else:
        what = (param or "no parameter type") + (f" in {unit!r}" if unit else "")
        return [], f"the model has no result type for {what}"
    rows = [(c, cat) for c in measure.classes for cat in c.categories]
    if len(rows) != 1:
        return [], (
            f"the registry reports {len(rows)} rows (classes or categories) and only "
            "single-row measures are imported"
        )
    klass, category = rows[0]
    denoms = klass.denoms or measure.denoms
    by_group = {m.group_id: m for m in category.measurements}
    results: list[dict[str, Any]] = []
    skipped: list[str] = []
    for group in measure.groups:
        measurement = by_group.get(group.id)
        if measurement is None:
            continue
        if not group.title.strip():
            skipped.append(f"{group.id}: the group has no title")
            continue
        made = _result(ctx, kind, measure, group, measurement, denoms, time_unit, unit)
        if isinstance(made, str):
            skipped.append(f"{group.title}: {made}")
        else:
            results.append(made)
    for item in skipped:
        notes.append(f"Not imported for group {item}.")
    return results, None


def _result(
    ctx: Context,
    kind: str,
    measure: Measure,
    group: Group,
    measurement: Measurement,
    denoms: list[Denom],
    time_unit: str | None,
    unit: str,
) -> dict[str, Any] | str:
    """One group's result, or why it cannot be imported."""
    title = " ".join(measure.title.split())
    value = raw(measurement.value)
    comment = text_of(measurement.comment)
    total_piece: str | None = None
    total: int | None = None
    for denom in denoms:
        if (denom.units or "").strip().casefold() == "participants":
            found = next((c for c in denom.counts if c.group_id == group.id), None)
            if found is not None:
                total = as_count(found.value)
                total_piece = f"{(denom.units or '').strip()}: {raw(found.value)}"
            break
    result: dict[str, Any] = {"measure": "", "group": ctx.group_id(group)}
    pieces: list[str | None] = [title, group.title, field("value", value), unit]
    if kind in ("count", "percent"):
        if total is None or not fits(total, PositiveCount):
            return "no positive count of participants analyzed"
        result["measure"] = "proportion"
        if kind == "count":
            n = as_count(value)
            if n is None or not fits(n, Count):
                return f"the value {value!r} is not a whole number"
            if n > total:
                return f"the count {n} exceeds the {total} participants analyzed"
            result["n"] = n
            result["total"] = total
        else:
            percent = as_number(value)
            if percent is None or not fits(percent.value, Percent):
                return f"the value {value!r} is not a percentage"
            result["n"] = (
                f"TODO: the number of participants; the registry reports only "
                f"{value} {unit} of {total}"
            )
            result["total"] = total
            result["percent"] = percent
        pieces.append(total_piece)
    elif kind == "rate":
        percent = as_number(value)
        if percent is None or not fits(percent.value, Percent):
            return f"the value {value!r} is not a percentage"
        result["measure"] = "rate"
        result["percent"] = percent
        if re.search(r"kaplan[\s-]+meier", title, re.I):
            result["method"] = "kaplan-meier"
    else:
        assert time_unit is not None
        result["measure"] = "time"
        result["statistic"] = (measure.param_type or "").lower()
        number = as_number(value)
        if number is not None:
            result["value"] = number
        elif (
            value in (None, "NA")
            and measure.param_type == "MEDIAN"
            and comment is not None
            and _NOT_REACHED.search(comment)
        ):
            result["value"] = "not reached"
        else:
            return f"the value {value!r} is not a number" + (f" ({comment})" if comment else "")
        result["unit"] = time_unit
    if kind in ("rate", "time"):
        ci = _interval(measure.dispersion_type, measurement)
        if ci is not None:
            result["ci"] = ci
            pieces += [
                field("dispersionType", measure.dispersion_type),
                field("lowerLimit", measurement.lower_limit),
                field("upperLimit", measurement.upper_limit),
            ]
    if comment:
        result["note"] = fit(comment, 4000)
        pieces.append(comment)
    result["cite"] = cite(*pieces)
    ctx.used.add(result["group"])
    return result


def _interval(dispersion: str | None, measurement: Measurement) -> Flow | None:
    level = _ci_level(dispersion)
    if level is None or not 50 <= level.value < 100:
        return None
    lower = ci_limit(measurement.lower_limit, measurement.comment)
    upper = ci_limit(measurement.upper_limit, measurement.comment)
    if lower is None or upper is None:
        return None
    if isinstance(lower, Number) and isinstance(upper, Number) and lower.value > upper.value:
        return None
    return Flow(level=level, lower=lower, upper=upper)


def _ci_level(dispersion: str | None) -> Number | None:
    if dispersion is None:
        return None
    if match := _CI_DISPLAY.fullmatch(dispersion.strip()):
        return Number(match.group(1))
    if match := _CI_CODE.fullmatch(dispersion.strip()):
        whole, fraction = match.groups()
        return Number(f"{whole}.{fraction}" if fraction else whole)
    return None


def _timepoint(time_frame: str | None) -> dict[str, Any] | None:
    text = text_of(time_frame)
    if text is None:
        return None
    label = fit(" ".join(text.split()), 300)
    point: dict[str, Any] = Flow(label=label) if len(label) <= 40 else {"label": label}
    for pattern in _TIMEPOINT:
        match = pattern.fullmatch(text)
        if match and int(match.group("value")) > 0:
            point["value"] = Number(str(int(match.group("value"))))
            point["unit"] = TIME_UNITS[match.group("unit").lower()]
            break
    return point


# --- Claims ---------------------------------------------------------------------------------------


def claims_of(ctx: Context) -> list[dict[str, Any]]:
    """The record's limitations and caveats, as a limitation claim."""
    results = ctx.record.results_section
    more = results.more_info_module if results is not None else None
    caveats = more.limitations_and_caveats if more is not None else None
    text = text_of(caveats.description) if caveats is not None else None
    if not text:
        return []
    return [{"kind": "limitation", "text": fit(text, 4000), "source": REGISTRY}]
