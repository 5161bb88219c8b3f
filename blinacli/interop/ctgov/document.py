"""The evidence document of one record, assembled from its sections in the model's
order; the sections write into one shared :class:`~.context.Context`.
"""

from __future__ import annotations

from typing import Any

from blinacli.interop.ctgov.context import Context
from blinacli.interop.ctgov.design import design_of, population_of
from blinacli.interop.ctgov.dosing import dosing_of, drugs_of
from blinacli.interop.ctgov.identity import (
    acronym,
    citation,
    registration,
    sources,
    study_id,
    title,
)
from blinacli.interop.ctgov.record import Record
from blinacli.interop.ctgov.results import claims_of, outcomes_of
from blinacli.interop.ctgov.safety import safety_of
from blinacli.interop.ctgov.values import FlowList, fit


def draft(record: Record) -> dict[str, Any]:
    """The evidence document of ``record``, as data (see :func:`.yaml_out.dump`)."""
    ctx = Context(record)
    design = design_of(ctx)  # arms first: dosing, outcomes and safety refer to them
    population = population_of(ctx)
    dosing = dosing_of(ctx)
    outcomes = outcomes_of(ctx)
    safety = safety_of(ctx)
    doc: dict[str, Any] = {
        "id": study_id(ctx),
        "acronym": acronym(ctx),
        "title": fit(title(ctx), 4000),
        "drugs": FlowList(drugs_of(ctx)),
        "condition": population.pop("_condition"),
        "citation": citation(),
        "registrations": [registration(ctx)],
        "sources": sources(ctx),
        "design": design,
        "population": population,
    }
    if dosing:
        doc["dosing"] = dosing
    if outcomes:
        doc["outcomes"] = outcomes
    if safety:
        doc["safety"] = safety
    claims = claims_of(ctx)
    if claims:
        doc["claims"] = claims
    subgroups = [s for s in ctx.subgroups if s["id"] in ctx.used]
    if subgroups:
        population["subgroups"] = subgroups
        population["cite"] = population.pop("cite")  # keep cite last
    if ctx.notes:
        doc["notes"] = ctx.notes
    return doc
