"""The draft's design and population: phase, allocation, masking, arms, endpoints and
enrollment from the record's design, arms and outcome definitions; disease, age and the
Philadelphia chromosome from its conditions and eligibility.
"""

from __future__ import annotations

import re
from typing import Any

from blinacli.interop.ctgov.context import Context
from blinacli.interop.ctgov.record import Conditions, DesignInfo, DesignModule
from blinacli.interop.ctgov.values import PUBLICATION, cite, endpoint_of, field, fit, fits, text_of
from blinacli.model import Count

PHASES: dict[tuple[str, ...], int | str] = {
    ("EARLY_PHASE1",): 0,
    ("PHASE1",): 1,
    ("PHASE2",): 2,
    ("PHASE3",): 3,
    ("PHASE4",): 4,
    ("PHASE1", "PHASE2"): "1/2",
    ("PHASE2", "PHASE3"): "2/3",
}
ALLOCATIONS = {"RANDOMIZED": "randomized", "NON_RANDOMIZED": "non-randomized"}
MASKINGS = {
    "NONE": "open-label",
    "SINGLE": "single-blind",
    "DOUBLE": "double-blind",
    "TRIPLE": "triple-blind",
    "QUADRUPLE": "quadruple-blind",
}
ARM_ROLES = {
    "EXPERIMENTAL": "experimental",
    "ACTIVE_COMPARATOR": "active-comparator",
    "PLACEBO_COMPARATOR": "placebo-comparator",
    "NO_INTERVENTION": "no-intervention",
    "OTHER": "other",
}
_AGE = re.compile(r"(\d+)\s+years?", re.IGNORECASE)
_PH_WORDS = re.compile(r"philadelphia|bcr[\s:-]*abl|\bph[+-]|\bph-(?:positive|negative)", re.I)


# --- Design ---------------------------------------------------------------------------------------


def design_of(ctx: Context) -> dict[str, Any]:
    """The design; gives the arms their ids, so it is built before the other sections."""
    module = ctx.protocol.design_module or DesignModule()
    info = module.design_info or DesignInfo()
    design: dict[str, Any] = {
        "phase": _phase(module),
        "allocation": _allocation(ctx, module, info),
    }
    masking_code = info.masking_info.masking if info.masking_info is not None else None
    if masking_code in MASKINGS:
        design["masking"] = MASKINGS[masking_code]
    elif masking_code is not None:
        ctx.note("design", f"The registry's masking {masking_code!r} is not imported.")
    design["arms"] = _arms_of(ctx)
    endpoints = _endpoints(ctx)
    if endpoints:
        design["endpoints"] = endpoints
    enrollment = _enrollment(ctx, module)
    if enrollment:
        design["enrollment"] = enrollment
    design["cite"] = cite(
        field("studyType", module.study_type),
        field("phases", ", ".join(module.phases) if module.phases else None),
        field("allocation", info.allocation),
        field("interventionModel", info.intervention_model),
        field("masking", masking_code),
    )
    return design


def _phase(module: DesignModule) -> int | str:
    phases = tuple(module.phases)
    if phases in PHASES:
        return PHASES[phases]
    if not phases:
        return (
            "TODO: the phase: 0, 1, 2, 3, 4, 1/2 or 2/3 (the registry gives none"
            + (f"; study type {module.study_type}" if module.study_type else "")
            + ")"
        )
    return f"TODO: the phase: 0, 1, 2, 3, 4, 1/2 or 2/3 (the registry gives {', '.join(phases)})"


def _allocation(ctx: Context, module: DesignModule, info: DesignInfo) -> str:
    code = info.allocation
    if code in ALLOCATIONS:
        return ALLOCATIONS[code]
    arms = ctx.protocol.arms_interventions_module
    if code == "NA" and info.intervention_model == "SINGLE_GROUP":
        if arms is not None and len(arms.arm_groups) <= 1:
            return "single-arm"
    return (
        "TODO: the allocation: randomized, single-arm or non-randomized (the registry "
        f"gives {code or 'none'}"
        + (f", model {info.intervention_model}" if info.intervention_model else "")
        + ")"
    )


def _arms_of(ctx: Context) -> list[dict[str, Any]]:
    module = ctx.protocol.arms_interventions_module
    groups = module.arm_groups if module is not None else []
    for group in groups:
        label = text_of(group.label)
        if label is None or label.casefold() in {k.casefold() for k in ctx.arm_ids}:
            continue
        arm_id = ctx.new_id(label, "arm")
        ctx.arm_ids[label] = arm_id
        role = ARM_ROLES.get(group.type or "")
        arm: dict[str, Any] = {"id": arm_id, "label": fit(label, 300)}
        if role is None:
            arm["role"] = "other"
            ctx.note(
                "design",
                f"The registry's arm type of {label!r} is {group.type or 'not given'}; "
                "the draft says role other.",
            )
        else:
            arm["role"] = role
        description = text_of(group.description)
        if description:
            arm["description"] = fit(description, 4000)
        arm["cite"] = cite(label, field("type", group.type))
        ctx.arms.append(arm)
    if not ctx.arms:
        ctx.arms.append(
            {
                "id": "TODO: an id for the arm, e.g. experimental",
                "label": "TODO: the arm's name (the registry lists no arm)",
                "role": "TODO: experimental, active-comparator, placebo-comparator, "
                "no-intervention or other",
                "cite": [{"source": PUBLICATION, "quote": "TODO: a verbatim quote"}],
            }
        )
    return ctx.arms


def _endpoints(ctx: Context) -> list[dict[str, Any]]:
    module = ctx.protocol.outcomes_module
    if module is None:
        return []
    found: list[dict[str, Any]] = []
    for role, definitions in (
        ("primary", module.primary_outcomes),
        ("secondary", module.secondary_outcomes),
    ):
        for definition in definitions:
            title = text_of(definition.measure)
            if title is None:
                continue
            found.append(
                {
                    "role": role,
                    "endpoint": endpoint_of(title),
                    "label": fit(title, 4000),
                    "cite": cite(title, field("timeFrame", definition.time_frame)),
                }
            )
    others = [d.measure.strip() for d in module.other_outcomes if d.measure.strip()]
    if others:
        ctx.note(
            "endpoints",
            f"The registry lists {len(others)} other pre-specified outcome measure(s), not "
            "listed as endpoints (the model's roles are primary, secondary and "
            "exploratory): " + "; ".join(others),
        )
    return found


def _enrollment(ctx: Context, module: DesignModule) -> list[dict[str, Any]]:
    info = module.enrollment_info
    if info is None or info.count is None:
        return []
    if info.type == "ACTUAL" and fits(info.count, Count):
        return [
            {
                "stage": "enrolled",
                "n": info.count,
                "note": "The registry's actual enrollment.",
                "cite": cite(field("count", info.count), field("type", info.type)),
            }
        ]
    ctx.note(
        "design",
        f"The registry gives an enrollment of {info.count} of type {info.type or 'not given'}"
        "; only an actual enrollment is imported as a count of people.",
    )
    return []


# --- Population -----------------------------------------------------------------------------------


def population_of(ctx: Context) -> dict[str, Any]:
    """The population, with the disease also under ``_condition`` for the study's condition."""
    conditions_module = ctx.protocol.conditions_module
    conditions = [c.strip() for c in (conditions_module or Conditions()).conditions]
    conditions = [c for c in conditions if c]
    disease = (
        fit(conditions[0], 300)
        if conditions
        else "TODO: the disease studied (the registry lists no condition)"
    )
    population: dict[str, Any] = {"_condition": disease, "disease": disease}
    age = _age(ctx)
    if age is not None:
        population["age"] = age
    population["philadelphia"] = _philadelphia(ctx)
    if len(conditions) > 1:
        ctx.note(
            "population",
            "The registry lists these conditions: " + "; ".join(conditions) + ".",
        )
    population["cite"] = (
        cite(*conditions)
        if conditions
        else [{"source": PUBLICATION, "quote": "TODO: a verbatim quote naming the population"}]
    )
    return population


def _age(ctx: Context) -> dict[str, Any] | None:
    eligibility = ctx.protocol.eligibility_module
    if eligibility is None:
        return None
    age: dict[str, Any] = {}
    for key, text in (("min", eligibility.minimum_age), ("max", eligibility.maximum_age)):
        text = text_of(text)
        if text is None:
            continue
        match = _AGE.fullmatch(text)
        if match and int(match.group(1)) <= 130:
            age[key] = int(match.group(1))
        else:
            word = "minimum" if key == "min" else "maximum"
            ctx.note(
                "population",
                f"The registry's {word} age {text!r} is not in whole years; not imported.",
            )
    if not age:
        return None
    if "min" in age and "max" in age and age["min"] > age["max"]:
        ctx.note("population", "The registry's minimum age exceeds its maximum age.")
        return None
    age["cite"] = cite(
        field("minimumAge", eligibility.minimum_age),
        field("maximumAge", eligibility.maximum_age),
    )
    return age


def _philadelphia(ctx: Context) -> dict[str, Any]:
    eligibility = ctx.protocol.eligibility_module
    criteria = eligibility.eligibility_criteria if eligibility is not None else None
    if criteria and _PH_WORDS.search(criteria):
        return {
            "status": "TODO: positive, negative or any: the eligibility criteria mention "
            "the Philadelphia chromosome (BCR::ABL1); read them",
        }
    return {
        "status": "not-reported",
        "note": "The registry record does not mention the Philadelphia chromosome (BCR::ABL1).",
    }
