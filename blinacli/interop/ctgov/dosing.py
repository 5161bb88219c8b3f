"""The draft's drugs and dosing, from the record's interventions: each drug or biological
(not a placebo) in each arm the registry gives it in, its dose left to fill.
"""

from __future__ import annotations

import re
from typing import Any

from blinacli.interop.ctgov.context import Context
from blinacli.interop.ctgov.record import Intervention
from blinacli.interop.ctgov.values import cite, field, fit, same, text_of

DRUG_TYPES = {"DRUG", "BIOLOGICAL", "GENETIC", "COMBINATION_PRODUCT"}


def drugs_of(ctx: Context) -> list[str]:
    """The names of the drugs studied, else a placeholder."""
    names = [i.name.strip() for i in drug_interventions(ctx)]
    unique = list(dict.fromkeys(n for n in names if n))
    return [fit(n, 300) for n in unique] or [
        "TODO: the drug studied (the registry lists no drug or biological intervention)"
    ]


def drug_interventions(ctx: Context) -> list[Intervention]:
    """The record's drug and biological interventions, placebos left out."""
    module = ctx.protocol.arms_interventions_module
    if module is None:
        return []
    return [
        i
        for i in module.interventions
        if (i.type or "") in DRUG_TYPES
        and i.name.strip()
        and not re.search(r"\bplacebo\b", i.name, re.I)
    ]


def dosing_of(ctx: Context) -> list[dict[str, Any]]:
    """One regimen per drug and arm the registry gives it in, each dose a placeholder."""
    regimens: list[dict[str, Any]] = []
    for intervention in drug_interventions(ctx):
        name = intervention.name.strip()
        for label in intervention.arm_group_labels:
            arm_id = next((i for a, i in ctx.arm_ids.items() if same(a, label)), None)
            if arm_id is None:
                ctx.note(
                    "dosing",
                    f"The registry names arm {label!r} for {name!r}, but lists no such arm.",
                )
                continue
            regimen: dict[str, Any] = {
                "arm": arm_id,
                "drug": fit(name, 300),
                "dose": f"TODO: the dose of {name} in this arm, from the publication "
                "(the registry describes it only in text); remove this line if it has "
                "none",
            }
            description = text_of(intervention.description)
            if description:
                regimen["note"] = fit(description, 4000)
            regimen["cite"] = cite(name, field("type", intervention.type), label)
            regimens.append(regimen)
    return regimens
