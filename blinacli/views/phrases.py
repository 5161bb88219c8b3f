"""Phrases several views share: a study's design, population, size and citation in words.

``list``, ``show``, ``compare``, ``check``, the filters and the FHIR export all describe a
study the same way because they take these phrases from here.
"""

from __future__ import annotations

from collections.abc import Iterable

from blinacli.model import AllocationRatio, Study, TrialStatus
from blinacli.views import formatting as fmt

NOT_REPORTED = "not reported"
"""What a table cell says for a figure the sources do not give."""


def joined(values: Iterable[str], separator: str = "; ") -> str:
    """Several values in one table or CSV cell."""
    return separator.join(values)


def design_phrase(study: Study) -> str:
    return f"phase {study.design.phase}, {study.design.allocation}"


def population_phrase(study: Study) -> str:
    """E.g. "30–70 years; BCR::ABL1-negative BCP-ALL; MRD-negative <10⁻⁴"."""
    population = study.population
    parts = []
    if population.age is not None:
        parts.append(fmt.age(population.age))
    disease = population.abbreviation or population.disease
    if population.philadelphia.status in ("positive", "negative"):
        wording = population.philadelphia.wording or f"Ph-{population.philadelphia.status}"
        disease = f"{wording} {disease}"
    if population.disease_status:
        disease += f" in {population.disease_status}"
    parts.append(disease)
    if population.mrd is not None:
        parts.append(fmt.mrd(population.mrd))
    return "; ".join(parts)


def study_size(study: Study) -> tuple[str, int] | None:
    """The study's N: randomized, else treated, else enrolled, as (stage, n)."""
    whole = [e for e in study.design.enrollment if e.arm is None]
    for stage in ("randomized", "treated", "enrolled"):
        for entry in whole:
            if entry.stage == stage:
                return stage, entry.n
    return None


UNTITLED = "[title not stated]"
"""What a citation shows on screen in place of a title the sources do not give."""


def citation_text(study: Study, *, untitled: str | None = UNTITLED) -> str:
    """Vancouver-style: Authors. Title. Journal. Year;Volume(Issue):Pages. A title the
    sources do not give reads ``untitled``, or is left out when that is None."""
    c = study.citation
    authors = ", ".join(c.authors[:6])
    if c.et_al or len(c.authors) > 6:
        authors += ", et al"
    title = c.title.rstrip(".") if c.title is not None else untitled
    parts = [authors, *([title] if title is not None else []), c.journal]
    text = ". ".join(parts) + f". {c.year}"
    if c.volume:
        text += f";{c.volume}"
        if c.issue:
            text += f"({c.issue})"
    if c.pages:
        text += f":{c.pages}"
    return text + "."


def ratio_text(study: Study, ratio: AllocationRatio) -> str:
    """ "2:1 (Blinatumomab : Chemotherapy)": the ratio with the arm each part belongs to."""
    arms = ratio.arms or [arm.id for arm in study.design.arms]
    parts = ":".join(str(part) for part in ratio.ratio)
    if len(arms) != len(ratio.ratio):  # a mismatch validation reports; show the bare ratio
        return parts
    return f"{parts} ({' : '.join(study.group_label(arm) for arm in arms)})"


STATES = {"completed": "completed", "ongoing": "ongoing", "stopped-early": "stopped early"}


def status_text(status: TrialStatus) -> str:
    """ "stopped early: futility at the interim analysis (as of 2023-05)"."""
    text = STATES[status.state]
    if status.reason:
        text += f": {status.reason}"
    if status.as_of:
        text += f" (as of {status.as_of})"
    if status.unconfirmed:
        text += f" ({fmt.unconfirmed(status.unconfirmed)})"
    return text
