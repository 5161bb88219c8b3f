"""What each quote of a study backs, in words a reader knows from the rest of the page.

The Quotes section of ``show`` (and of the digest) lists every verbatim quote with the
fact it supports. A reader looking for the quote behind "Overall survival at 3 years"
finds "Overall survival at 3 years, comparison" there, not the path of the record in
the evidence file (``outcomes[0].comparison``): labels name outcomes, arms, subgroups
and safety categories as the study calls them, and the section of the page they sit in.
"""

from __future__ import annotations

from collections.abc import Sequence

from blinacli.model import AdverseEvent, Study
from blinacli.views import formatting as fmt

Path = Sequence[str | int]


def quote_label(study: Study, path: Path) -> str:
    """The words for what the object at ``path`` in ``study`` is, e.g.
    ``("outcomes", 0, "comparison")`` -> "Overall survival at 3 years, comparison",
    ``("design", "arms", 0)`` -> "Design, arm Blinatumomab",
    ``("safety", 1)`` -> "Safety: neurologic events, grade 3".

    A path this function does not know (a field added to the model later) still reads
    as words: its parts joined with their underscores as spaces."""
    try:
        label = _label(study, list(path))
    except (IndexError, TypeError, AttributeError):
        label = None
    text = label if label is not None else _words(path)
    return text[:1].upper() + text[1:]  # a source's own label may start in lower case


def _label(study: Study, path: list[str | int]) -> str | None:
    head, rest = path[0] if path else "", path[1:]
    if head == "citation" and not rest:
        return "Citation"
    if head == "status" and not rest:
        return "Trial status"
    if head == "registrations" and len(rest) == 1 and isinstance(rest[0], int):
        return f"Registration {study.registrations[rest[0]].id}"
    if head == "design":
        return _design(study, rest)
    if head == "population":
        return _population(study, rest)
    if head == "dosing" and len(rest) == 1 and isinstance(rest[0], int):
        regimen = study.dosing[rest[0]]
        return f"Dosing: {regimen.drug}, arm {study.group_label(regimen.arm)}"
    if head == "outcomes" and rest and isinstance(rest[0], int):
        return _outcome(study, rest[0], rest[1:])
    if head == "safety" and len(rest) == 1 and isinstance(rest[0], int):
        return _safety(study, rest[0])
    return None


def _design(study: Study, rest: list[str | int]) -> str | None:
    design = study.design
    if not rest:
        return "Design"
    field, index = rest[0], rest[1] if len(rest) == 2 and isinstance(rest[1], int) else None
    if len(rest) > 2 or (len(rest) == 2 and index is None):
        return None
    if field == "arms" and index is not None:
        return f"Design, arm {design.arms[index].label}"
    if field == "endpoints" and index is not None:
        endpoint = design.endpoints[index]
        role = "" if endpoint.role == "not-stated" else f"{endpoint.role} "
        return f"Design, {role}endpoint: {endpoint.label}"
    if field == "enrollment" and index is not None:
        enrollment = design.enrollment[index]
        label = f"Design, number {enrollment.stage.replace('-', ' ')}"
        return label + _arm(study, enrollment.arm)
    if field == "allocation_ratio" and index is None:
        return "Design, allocation ratio"
    if field == "follow_up":
        follow_up = design.follow_up
        one = follow_up[index] if isinstance(follow_up, list) and index is not None else follow_up
        arm = getattr(one, "arm", None)
        return "Design, follow-up" + _arm(study, arm)
    return None


def _population(study: Study, rest: list[str | int]) -> str | None:
    if not rest:
        return "Population"
    names = {"age": "age", "philadelphia": "Philadelphia status", "mrd": "MRD criterion"}
    if len(rest) == 1 and isinstance(rest[0], str) and rest[0] in names:
        return f"Population, {names[rest[0]]}"
    if len(rest) == 2 and rest[0] == "subgroups" and isinstance(rest[1], int):
        return f"Population, subgroup {study.population.subgroups[rest[1]].label}"
    return None


def _outcome(study: Study, index: int, rest: list[str | int]) -> str | None:
    outcome = study.outcomes[index]
    if not rest:
        return outcome.label
    if rest == ["analysis"]:
        return f"{outcome.label}, analysis population"
    if rest == ["comparison"]:
        return f"{outcome.label}, comparison"
    if len(rest) == 2 and rest[0] == "results" and isinstance(rest[1], int):
        return f"{outcome.label}, {study.group_label(outcome.results[rest[1]].group)}"
    return None


def _safety(study: Study, index: int) -> str:
    item = study.safety[index]
    label = f"Safety: {item.category}"
    if isinstance(item, AdverseEvent):
        if item.term:
            label += f": {item.term}"
        label += f", {fmt.grade_phrase(item.grade)}"
    return label + _arm(study, item.arm)


def _arm(study: Study, arm: str | None) -> str:
    return f", arm {study.group_label(arm)}" if arm else ""


def _words(path: Path) -> str:
    """A path as words: ("design", "new_field", 0) -> "Design, new field 1"."""
    parts: list[str] = []
    for step in path:
        if isinstance(step, int):
            if parts:
                parts[-1] += f" {step + 1}"
        else:
            parts.append(step.replace("_", " "))
    return ", ".join(parts) or "the study"
